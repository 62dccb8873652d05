"""The Idempotency-Key header on POST /api/recipes and POST /api/sign_up."""

from __future__ import annotations

import hashlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from tasty_recipes.accounts import service as accounts
from tasty_recipes.db import utcnow
from tasty_recipes.extensions import db
from tasty_recipes.idempotency.models import IdempotencyKey
from tasty_recipes.idempotency.service import purge_expired_idempotency_keys
from tasty_recipes.recipes.models import Recipe

from ..support.accounts import VALID_PASSWORD
from ..support.api import bearer
from ..support.http import Browser
from ..support.live_server import LiveServer

VALID = {"name": "Pancakes", "description": "Flour, eggs and milk."}
REUSED = {"errors": {"Idempotency-Key": ["was already used with a different request"]}}
INVALID = {"errors": {"Idempotency-Key": ["is invalid"]}}
CONFLICT = {"errors": {"detail": "Conflict"}}


def keyed(auth: dict | None = None, key: str = "key-1") -> dict[str, str]:
    return {**(auth or {}), "Idempotency-Key": key}


def recipe_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Recipe))


def key_rows() -> list[IdempotencyKey]:
    db.session.expire_all()
    return list(db.session.scalars(select(IdempotencyKey)))


# --- POST /api/recipes ---------------------------------------------------------------------


def test_a_repeat_replays_the_stored_answer_and_creates_one_recipe(api, auth):
    first = api.post("/api/recipes", headers=keyed(auth), json=VALID)
    again = api.post("/api/recipes", headers=keyed(auth), json=VALID)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.get_data() == first.get_data()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Location"] == f"/api/recipes/{first.get_json()['data']['id']}"
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Cache-Control"] == "no-store"
    assert again.mimetype == "application/json"
    assert recipe_count() == 1
    assert len(key_rows()) == 1


def test_the_stored_answer_matches_the_recipe_as_written(api, auth):
    first = api.post("/api/recipes", headers=keyed(auth), json=VALID)
    shown = api.get(first.headers["Location"], headers=auth)
    assert shown.get_json() == first.get_json()
    assert shown.headers["ETag"] == first.headers["ETag"]


def test_a_replay_is_the_original_answer_even_after_a_change(api, auth):
    first = api.post("/api/recipes", headers=keyed(auth), json=VALID)
    api.patch(first.headers["Location"], headers=auth, json={"name": "Crêpes"})
    again = api.post("/api/recipes", headers=keyed(auth), json=VALID)
    assert again.get_json() == first.get_json()
    assert recipe_count() == 1


def test_the_same_key_with_another_body_is_422_and_changes_nothing(api, auth):
    api.post("/api/recipes", headers=keyed(auth), json=VALID)
    response = api.post("/api/recipes", headers=keyed(auth), json={**VALID, "name": "Waffles"})
    assert response.status_code == 422
    assert response.get_json() == REUSED
    assert recipe_count() == 1
    assert len(key_rows()) == 1


def test_another_users_identical_key_is_independent(api, auth, user, user_fixture, token_for):
    other = user_fixture()
    mine = api.post("/api/recipes", headers=keyed(auth), json=VALID)
    theirs = api.post("/api/recipes", headers=keyed(bearer(token_for(other))), json=VALID)
    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert mine.get_json()["data"]["id"] != theirs.get_json()["data"]["id"]
    assert theirs.get_json()["data"]["owner_id"] == str(other.id)
    assert recipe_count() == 2
    assert {row.user_id for row in key_rows()} == {user.id, other.id}


def test_different_keys_create_different_recipes(api, auth):
    api.post("/api/recipes", headers=keyed(auth, "key-1"), json=VALID)
    response = api.post("/api/recipes", headers=keyed(auth, "key-2"), json=VALID)
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    assert recipe_count() == 2


def test_without_the_header_every_post_creates_a_recipe(api, auth):
    first = api.post("/api/recipes", headers=auth, json=VALID)
    second = api.post("/api/recipes", headers=auth, json=VALID)
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second.headers
    assert recipe_count() == 2
    assert key_rows() == []


def test_a_form_body_is_replayed_too(api, auth):
    first = api.post("/api/recipes", headers=keyed(auth), data=VALID)
    again = api.post("/api/recipes", headers=keyed(auth), data=VALID)
    assert first.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert recipe_count() == 1


INVALID_KEYS = {
    "empty": "",
    "too-long": "k" * 256,
    "non-ascii": "clé",
    "tab": "a\tb",
    "delete": "a\x7fb",
    "high-latin-1": "\xff",
}


@pytest.mark.parametrize("key", INVALID_KEYS.values(), ids=INVALID_KEYS.keys())
def test_an_invalid_key_is_422_and_nothing_is_created(api, auth, key):
    response = api.post("/api/recipes", headers=keyed(auth, key), json=VALID)
    assert response.status_code == 422
    assert response.get_json() == INVALID
    assert recipe_count() == 0
    assert key_rows() == []


@pytest.mark.parametrize("key", ["k" * 255, "a b", "~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}", "x"])
def test_valid_keys_are_printable_ascii_up_to_255(api, auth, key):
    assert api.post("/api/recipes", headers=keyed(auth, key), json=VALID).status_code == 201
    assert (
        api.post("/api/recipes", headers=keyed(auth, key), json=VALID).headers["Idempotent-Replayed"]
        == "true"
    )
    assert recipe_count() == 1


def test_the_key_is_checked_after_authentication(api):
    response = api.post("/api/recipes", headers=keyed(key=""), json=VALID)
    assert response.status_code == 401


def test_a_validation_error_is_not_stored_so_a_corrected_body_goes_through(api, auth):
    rejected = api.post("/api/recipes", headers=keyed(auth), json={"name": "Pancakes"})
    assert rejected.status_code == 422
    assert rejected.get_json() == {"errors": {"description": ["can't be blank"]}}
    assert key_rows() == []
    corrected = api.post("/api/recipes", headers=keyed(auth), json=VALID)
    assert corrected.status_code == 201
    assert "Idempotent-Replayed" not in corrected.headers
    assert api.post("/api/recipes", headers=keyed(auth), json=VALID).headers["Idempotent-Replayed"] == "true"
    assert recipe_count() == 1


def test_a_bad_body_is_400_and_not_stored(api, auth):
    response = api.post(
        "/api/recipes", headers={**keyed(auth), "Content-Type": "application/json"}, data=b'{"name": '
    )
    assert response.status_code == 400
    assert key_rows() == []


def test_the_recipe_and_its_answer_are_one_transaction(api, auth, monkeypatch):
    """If storing the answer fails, the recipe is not committed either (and vice versa)."""
    from tasty_recipes.api import recipes as api_recipes

    def broken(_row):
        raise RuntimeError("no answer")

    monkeypatch.setattr(api_recipes, "_created", broken)
    assert api.post("/api/recipes", headers=keyed(auth), json=VALID).status_code == 500
    assert recipe_count() == 0
    assert key_rows() == []
    monkeypatch.undo()
    assert api.post("/api/recipes", headers=keyed(auth), json=VALID).status_code == 201
    assert recipe_count() == 1


def test_a_key_still_held_by_another_request_is_409(api, auth, user):
    """A row without an answer means another request holds the key (defensive: not committed so)."""
    first = api.post("/api/recipes", headers=keyed(auth), json=VALID)
    db.session.execute(update(IdempotencyKey).values(response_status=None, response_body=None))
    db.session.commit()
    response = api.post("/api/recipes", headers=keyed(auth), json=VALID)
    assert first.status_code == 201
    assert response.status_code == 409
    assert response.get_json() == CONFLICT
    assert response.headers["Retry-After"] == "1"
    assert recipe_count() == 1


def test_an_expired_key_is_processed_anew(api, auth):
    first = api.post("/api/recipes", headers=keyed(auth), json=VALID)
    _age_keys(hours=24, seconds=1)
    again = api.post("/api/recipes", headers=keyed(auth), json=VALID)
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert again.get_json()["data"]["id"] != first.get_json()["data"]["id"]
    assert recipe_count() == 2
    rows = key_rows()
    assert len(rows) == 1  # the expired row was replaced
    assert json.loads(rows[0].response_body) == again.get_json()


def test_an_expired_key_may_come_with_another_body(api, auth):
    api.post("/api/recipes", headers=keyed(auth), json=VALID)
    _age_keys(hours=25)
    response = api.post("/api/recipes", headers=keyed(auth), json={**VALID, "name": "Waffles"})
    assert response.status_code == 201
    assert response.get_json()["data"]["name"] == "Waffles"


def test_a_key_just_under_a_day_old_still_replays(api, auth):
    api.post("/api/recipes", headers=keyed(auth), json=VALID)
    _age_keys(hours=23, minutes=59)
    assert api.post("/api/recipes", headers=keyed(auth), json=VALID).headers["Idempotent-Replayed"] == "true"


def test_deleting_a_user_deletes_their_keys(api, auth, user):
    from tasty_recipes.accounts import admin

    api.post("/api/recipes", headers=keyed(auth), json=VALID)
    admin.delete_user(user)
    assert key_rows() == []


def _age_keys(**delta: int) -> None:
    db.session.execute(update(IdempotencyKey).values(inserted_at=utcnow() - timedelta(**delta)))
    db.session.commit()


# --- purge ---------------------------------------------------------------------------------


def test_purge_deletes_only_expired_keys(api, auth):
    api.post("/api/recipes", headers=keyed(auth, "old"), json=VALID)
    _age_keys(hours=25)
    api.post("/api/recipes", headers=keyed(auth, "new"), json=VALID)
    assert purge_expired_idempotency_keys() == 1
    assert [row.key for row in key_rows()] == ["new"]
    assert purge_expired_idempotency_keys(now=utcnow() + timedelta(hours=24, seconds=1)) == 1
    assert key_rows() == []
    assert recipe_count() == 2  # the recipes stay


# --- POST /api/sign_up ---------------------------------------------------------------------

SIGN_UP = {"email": "cook@example.com", "password": VALID_PASSWORD}


def test_a_repeated_sign_up_creates_one_user_and_sends_one_email(api, outbox):
    first = api.post("/api/sign_up", headers=keyed(), json=SIGN_UP)
    again = api.post("/api/sign_up", headers=keyed(), json=SIGN_UP)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert first.get_json()["data"]["email"] == "cook@example.com"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert accounts.count_users() == 1
    assert len(outbox) == 1
    assert outbox[0].to == ["cook@example.com"]


def test_a_sign_up_key_with_another_password_is_422(api, outbox):
    api.post("/api/sign_up", headers=keyed(), json=SIGN_UP)
    response = api.post(
        "/api/sign_up", headers=keyed(), json={**SIGN_UP, "password": "somebody else's password"}
    )
    assert response.status_code == 422
    assert response.get_json() == REUSED
    assert accounts.count_users() == 1
    assert len(outbox) == 1


def test_a_sign_up_without_a_key_is_refused_the_second_time(api):
    assert api.post("/api/sign_up", json=SIGN_UP).status_code == 201
    response = api.post("/api/sign_up", json=SIGN_UP)
    assert response.status_code == 422
    assert response.get_json() == {"errors": {"email": ["has already been taken"]}}


def test_a_failed_sign_up_is_not_stored(api):
    rejected = api.post("/api/sign_up", headers=keyed(), json={**SIGN_UP, "password": "short"})
    assert rejected.status_code == 422
    assert key_rows() == []
    assert api.post("/api/sign_up", headers=keyed(), json=SIGN_UP).status_code == 201


def test_an_invalid_sign_up_key_is_422(api):
    response = api.post("/api/sign_up", headers=keyed(key="k" * 256), json=SIGN_UP)
    assert response.status_code == 422
    assert response.get_json() == INVALID
    assert accounts.count_users() == 0


def test_the_stored_sign_up_keeps_neither_the_password_nor_a_plain_hash_of_it(api):
    body = json.dumps(SIGN_UP).encode()
    api.post("/api/sign_up", headers={**keyed(), "Content-Type": "application/json"}, data=body)
    [row] = key_rows()
    assert row.scope == "POST /api/sign_up"
    assert row.user_id is None
    assert VALID_PASSWORD not in row.response_body
    assert row.fingerprint != hashlib.sha256(body).hexdigest()
    assert len(row.fingerprint) == 64


# --- concurrency, on PostgreSQL through gunicorn ----------------------------------------------

CONTENDERS = 8


@pytest.fixture()
def server(app, is_postgres, database_url, tmp_path):
    if not is_postgres:
        pytest.skip("concurrency is checked on PostgreSQL (TEST_DATABASE_URL)")
    with LiveServer(database_url, tmp_path / "gunicorn.log", workers=2, threads=CONTENDERS) as live:
        yield live
        assert "Traceback" not in live.log(), live.log()


def _race(server, path: str, headers: dict[str, str], bodies: list[dict]):
    """POST every body to ``path`` at once, each from its own connection."""
    browsers = [Browser(server.url) for _ in bodies]
    barrier = threading.Barrier(len(bodies))
    headers = {"Content-Type": "application/json", **headers}

    def go(i):
        barrier.wait()
        return browsers[i].request("POST", path, headers=headers, data=json.dumps(bodies[i]).encode())

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(go, range(len(bodies))))


@pytest.mark.postgres_only
def test_concurrent_posts_with_one_key_create_one_recipe(server, auth):
    results = _race(server, "/api/recipes", keyed(auth), [VALID] * CONTENDERS)
    statuses = [reply.status for reply in results]
    assert set(statuses) <= {201, 409}, [reply.body for reply in results]
    created = [reply for reply in results if reply.status == 201]
    assert len({json.loads(reply.body)["data"]["id"] for reply in created}) == 1
    assert sum("Idempotent-Replayed" not in reply.headers for reply in created) == 1
    assert all(reply.headers["Retry-After"] == "1" for reply in results if reply.status == 409)
    db.session.expire_all()
    assert recipe_count() == 1


@pytest.mark.postgres_only
def test_concurrent_posts_with_one_key_and_different_bodies_do_one(server, auth):
    bodies = [{**VALID, "name": f"Pancakes {i}"} for i in range(CONTENDERS)]
    results = _race(server, "/api/recipes", keyed(auth), bodies)
    statuses = sorted(reply.status for reply in results)
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {201, 409, 422}, statuses
    assert all(json.loads(reply.body) == REUSED for reply in results if reply.status == 422)
    db.session.expire_all()
    assert recipe_count() == 1


@pytest.mark.postgres_only
def test_concurrent_sign_ups_with_one_key_create_one_user(server):
    results = _race(server, "/api/sign_up", keyed(), [SIGN_UP] * CONTENDERS)
    statuses = [reply.status for reply in results]
    assert set(statuses) <= {201, 409}, [reply.body for reply in results]
    assert statuses.count(201) >= 1
    db.session.expire_all()
    assert accounts.count_users() == 1


@pytest.mark.postgres_only
def test_a_key_held_longer_than_the_lock_timeout_is_409(app, api, auth, user, is_postgres):
    """Another transaction holds the key uncommitted: the request gives up with 409, not 500."""
    if not is_postgres:
        pytest.skip("lock timeouts are PostgreSQL's")
    from tasty_recipes.api.idempotency import fingerprint

    scope = f"POST /api/recipes by {user.id}"
    with app.test_request_context():
        digest = fingerprint(json.dumps(VALID).encode())
    with db.engine.connect() as holder:
        holder.execute(
            text(
                "INSERT INTO idempotency_keys (id, scope, key, fingerprint, inserted_at) "
                "VALUES (gen_random_uuid(), :scope, 'key-1', :digest, now())"
            ),
            {"scope": scope, "digest": digest},
        )
        response = api.post("/api/recipes", headers=keyed(auth), json=VALID)
        holder.rollback()
    assert response.status_code == 409
    assert response.get_json() == CONFLICT
    assert response.headers["Retry-After"] == "1"
    assert recipe_count() == 0
    assert api.post("/api/recipes", headers=keyed(auth), json=VALID).status_code == 201
