"""Races, on PostgreSQL through a multi-threaded gunicorn: one winner, no 500."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tasty_recipes.accounts import service as accounts
from tasty_recipes.extensions import db

from ..support.accounts import VALID_PASSWORD
from ..support.emails import extract_user_token
from ..support.http import Browser
from ..support.live_server import LiveServer

pytestmark = pytest.mark.postgres_only

CONTENDERS = 8


@pytest.fixture()
def server(app, is_postgres, database_url, tmp_path):
    if not is_postgres:
        pytest.skip("races are checked on PostgreSQL (TEST_DATABASE_URL)")
    with LiveServer(database_url, tmp_path / "gunicorn.log", workers=2, threads=CONTENDERS) as live:
        yield live


def _race(server, path, forms):
    """Prepare one browser per form (page loaded, token in hand), then POST all at once."""
    browsers = [Browser(server.url) for _ in forms]
    tokens = [browser.csrf_token("/users/log_in") for browser in browsers]
    barrier = threading.Barrier(len(forms))

    def go(i):
        barrier.wait()
        reply = browsers[i].submit(path, forms[i], tokens[i])
        follow = browsers[i].get("/") if reply.status == 302 else None
        return reply, follow

    with ThreadPoolExecutor(len(forms)) as pool:
        return list(pool.map(go, range(len(forms))))


def test_concurrent_signups_with_case_variants_create_one_user(server):
    variants = [
        "race@example.com",
        "RACE@example.com",
        "Race@Example.com",
        "race@EXAMPLE.COM",
        "rAce@example.com",
        "raCe@example.com",
        "racE@example.com",
        "RACE@EXAMPLE.COM",
    ]
    results = _race(
        server, "/users/register", [{"email": email, "password": VALID_PASSWORD} for email in variants]
    )
    statuses = sorted(reply.status for reply, _ in results)
    assert statuses.count(302) == 1, statuses
    assert statuses.count(200) == CONTENDERS - 1, statuses
    assert all("has already been taken" in reply.body for reply, _ in results if reply.status == 200)
    assert accounts.count_users() == 1


def test_one_confirmation_token_used_concurrently_confirms_once(server, user):
    token = extract_user_token(
        lambda make_url: accounts.deliver_user_confirmation_instructions(user, make_url)
    )
    results = _race(server, f"/users/confirm/{token}", [{}] * CONTENDERS)
    flashes = [follow.body for _, follow in results]
    assert all(reply.status == 302 for reply, _ in results)
    assert sum("User confirmed successfully." in body for body in flashes) == 1
    assert sum("User confirmation link is invalid" in body for body in flashes) == CONTENDERS - 1


def test_one_reset_token_used_concurrently_resets_once(server, user):
    token = extract_user_token(
        lambda make_url: accounts.deliver_user_reset_password_instructions(user, make_url)
    )
    forms = [
        {"password": f"new password {i:02d}", "password_confirmation": f"new password {i:02d}"}
        for i in range(CONTENDERS)
    ]
    results = _race(server, f"/users/reset_password/{token}", forms)
    winners = [
        i
        for i, (reply, _) in enumerate(results)
        if reply.status == 302 and reply.headers["Location"].endswith("/users/log_in")
    ]
    assert len(winners) == 1, [reply.status for reply, _ in results]
    assert all(reply.status in (200, 302) for reply, _ in results)
    # The winner's password is the one that works (reload: the server changed the row).
    db.session.expire_all()
    password = forms[winners[0]]["password"]
    assert accounts.get_user_by_email_and_password(user.email, password) is not None


def _api_race(server, method, path, token, bodies, headers=None):
    """Send one JSON request per body to ``path`` at once, each from its own connection."""
    import json

    browsers = [Browser(server.url) for _ in bodies]
    barrier = threading.Barrier(len(bodies))
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **(headers or {})}

    def go(i):
        barrier.wait()
        return browsers[i].request(method, path, headers=auth, data=json.dumps(bodies[i]).encode())

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(go, range(len(bodies))))


@pytest.fixture()
def api_token(app, user):
    from tasty_recipes.api.auth import issue_token

    with app.test_request_context():
        return issue_token(user)


def test_concurrent_writes_without_if_match_all_go_through_whole(server, user, api_token):
    import json

    from tasty_recipes.recipes import service as recipes

    recipe = recipes.create_recipe(user, {"name": "Start", "description": "Start."})
    bodies = [{"name": f"Name {i}", "description": f"Description {i}"} for i in range(CONTENDERS)]
    results = _api_race(server, "PUT", f"/api/recipes/{recipe.id}", api_token, bodies)
    assert [reply.status for reply in results] == [200] * CONTENDERS, [r.body for r in results]
    answered = [json.loads(reply.body)["data"] for reply in results]
    assert all(data["name"].replace("Name", "Description") == data["description"] for data in answered)
    db.session.expire_all()
    final = recipes.get_recipe(recipe.id)
    assert final.name.replace("Name", "Description") == final.description  # one whole write
    assert final.version == 1 + CONTENDERS


def test_concurrent_writes_with_one_if_match_let_exactly_one_win(server, user, api_token):
    from tasty_recipes.api.serializers import recipe_etag
    from tasty_recipes.recipes import service as recipes

    recipe = recipes.create_recipe(user, {"name": "Start", "description": "Start."})
    etag = f'"{recipe_etag(recipe)}"'
    bodies = [{"name": f"Name {i}"} for i in range(CONTENDERS)]
    results = _api_race(server, "PATCH", f"/api/recipes/{recipe.id}", api_token, bodies, {"If-Match": etag})
    statuses = sorted(reply.status for reply in results)
    assert statuses == [200] + [412] * (CONTENDERS - 1), statuses
