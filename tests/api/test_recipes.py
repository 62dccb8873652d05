"""The /api/recipes resource and its input, ownership and lost-update rules."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime

import pytest

from tasty_recipes.recipes import service as recipes

from ..support.api import BAD_REQUEST, FORBIDDEN, NOT_FOUND, PRECONDITION_FAILED, bearer

VALID = {"name": "Pancakes", "description": "Flour, eggs and milk."}
KEYS = {"id", "name", "description", "owner_id", "inserted_at", "updated_at"}

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"  # fixed: xdist workers must collect alike


def _is_utc_iso(value: str) -> bool:
    return value.endswith("Z") and datetime.fromisoformat(value).utcoffset().total_seconds() == 0


# --- create --------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [VALID, {"recipe": VALID}], ids=["flat", "wrapped"])
def test_create_recipe(api, auth, user, body):
    response = api.post("/api/recipes", headers=auth, json=body)
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert set(data) == KEYS
    assert data["name"] == "Pancakes"
    assert data["description"] == "Flour, eggs and milk."
    assert data["owner_id"] == str(user.id)
    assert _is_utc_iso(data["inserted_at"]) and _is_utc_iso(data["updated_at"])
    assert response.headers["Location"] == f"/api/recipes/{data['id']}"
    assert api.get(response.headers["Location"], headers=auth).get_json()["data"] == data


def test_create_accepts_a_form(api, auth):
    response = api.post("/api/recipes", headers=auth, data=VALID)
    assert response.status_code == 201


def test_create_accepts_a_nested_form(api, auth):
    response = api.post(
        "/api/recipes", headers=auth, data={"recipe[name]": "Soup", "recipe[description]": "Water."}
    )
    assert response.status_code == 201
    assert response.get_json()["data"]["name"] == "Soup"


def test_create_ignores_owner_id_and_unknown_keys(api, auth, user, user_fixture):
    other = user_fixture()
    response = api.post(
        "/api/recipes",
        headers=auth,
        json={**VALID, "owner_id": str(other.id), "id": str(uuid.uuid4()), "owner": "x", "extra": [1]},
    )
    assert response.status_code == 201
    assert response.get_json()["data"]["owner_id"] == str(user.id)


def test_create_trims_the_name(api, auth):
    response = api.post("/api/recipes", headers=auth, json={**VALID, "name": "  Soup  "})
    assert response.get_json()["data"]["name"] == "Soup"


@pytest.mark.parametrize(
    "body,errors",
    [
        ({}, {"name": ["can't be blank"], "description": ["can't be blank"]}),
        ({"recipe": {}}, {"name": ["can't be blank"], "description": ["can't be blank"]}),
        (
            {"name": None, "description": None},
            {"name": ["can't be blank"], "description": ["can't be blank"]},
        ),
        ({"name": "   ", "description": ""}, {"name": ["can't be blank"], "description": ["can't be blank"]}),
        (
            {"name": 123, "description": True},
            {"name": ["must be a string"], "description": ["must be a string"]},
        ),
        (
            {"name": ["a"], "description": {"a": 1}},
            {"name": ["must be a string"], "description": ["must be a string"]},
        ),
        ({"name": "x" * 256, "description": "d"}, {"name": ["should be at most 255 character(s)"]}),
        (
            {"name": "n", "description": "d" * 10_001},
            {"description": ["should be at most 10000 character(s)"]},
        ),
        ({"name": "a\x00b", "description": "d"}, {"name": ["must not contain null characters"]}),
    ],
    ids=[
        "empty",
        "wrapped-empty",
        "nulls",
        "blank",
        "numbers",
        "containers",
        "long-name",
        "long-description",
        "nul",
    ],
)
def test_create_rejects_invalid_input_per_field(api, auth, body, errors):
    response = api.post("/api/recipes", headers=auth, json=body)
    assert response.status_code == 422
    assert response.get_json() == {"errors": errors}
    assert recipes.list_recipes(None, owner=None).items == []


# --- bad bodies -----------------------------------------------------------------------------

BAD_BODIES = {
    "malformed": b'{"name": "x",',
    "not-json": b"name=x",
    "array": b'[{"name": "x", "description": "y"}]',
    "string": b'"hello"',
    "number": b"42",
    "null": b"null",
    "deep-arrays": b"[" * 10_000 + b"]" * 10_000,
    "deep-objects": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "deep-inside-object": b'{"name": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
    "invalid-utf8": b'{"name": "\xff\xfe"}',
    "lone-surrogate": b'{"name": "\\ud800", "description": "x"}',
    "huge-integer": b'{"name": ' + b"9" * 5000 + b"}",
}


@pytest.mark.parametrize("raw", BAD_BODIES.values(), ids=BAD_BODIES.keys())
@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_bad_json_bodies_are_400(api, auth, user, recipe_fixture, raw, method):
    path = "/api/recipes" if method == "post" else f"/api/recipes/{recipe_fixture(user).id}"
    response = getattr(api, method)(path, headers={**auth, "Content-Type": "application/json"}, data=raw)
    assert response.status_code == 400
    assert response.get_json() == BAD_REQUEST


@pytest.mark.parametrize("path", ["/api/sign_in", "/api/sign_up"])
def test_bad_json_bodies_are_400_on_public_endpoints(api, path):
    for raw in (b"{", b"[]", b"[" * 10_000):
        response = api.post(path, data=raw, content_type="application/json")
        assert response.status_code == 400
        assert response.get_json() == BAD_REQUEST


def test_oversized_body_is_413_json(api, auth):
    body = json.dumps({"name": "x", "description": "d" * (1024 * 1024)})
    response = api.post("/api/recipes", headers=auth, data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json() == {"errors": {"detail": "Request Entity Too Large"}}


def test_oversized_form_is_413_json(api, auth):
    response = api.post(
        "/api/recipes", headers=auth, data={"name": "x", "description": "d" * (1024 * 1024 + 1)}
    )
    assert response.status_code == 413
    assert response.is_json


# --- list ------------------------------------------------------------------------------------


def test_list_is_newest_first(api, auth, user, user_fixture, recipe_fixture):
    other = user_fixture()
    first = recipe_fixture(user, name="First")
    second = recipe_fixture(other, name="Second")
    response = api.get("/api/recipes", headers=auth)
    assert response.status_code == 200
    body = response.get_json()
    assert [item["id"] for item in body["data"]] == [str(second.id), str(first.id)]
    assert body["meta"] == {"next": None}
    assert "Link" not in response.headers
    assert all(set(item) == KEYS for item in body["data"])


def test_list_paginates_with_link_and_meta(api, auth, user, recipe_fixture):
    made = [recipe_fixture(user, name=f"Recipe {index}") for index in range(5)]
    expected = [str(recipe.id) for recipe in reversed(made)]
    seen, url, pages = [], "/api/recipes?limit=2", 0
    while url:
        response = api.get(url, headers=auth)
        assert response.status_code == 200
        body = response.get_json()
        seen += [item["id"] for item in body["data"]]
        url = body["meta"]["next"]
        pages += 1
        if url:
            assert url.startswith("http://localhost/api/recipes?")
            assert "limit=2" in url
            assert response.headers["Link"] == f'<{url}>; rel="next"'
        else:
            assert "Link" not in response.headers
    assert seen == expected
    assert pages == 3


def test_default_page_size_is_50(api, auth, user, recipe_fixture):
    for index in range(51):
        recipe_fixture(user, name=f"R{index}")
    body = api.get("/api/recipes", headers=auth).get_json()
    assert len(body["data"]) == 50
    assert body["meta"]["next"]


def test_list_filters_owner_me_and_q(api, auth, user, user_fixture, recipe_fixture):
    other = user_fixture()
    mine = recipe_fixture(user, name="My Apple Pie")
    recipe_fixture(other, name="Their apple tart")
    recipe_fixture(user, name="Soup")

    def names(query):
        return [item["name"] for item in api.get("/api/recipes" + query, headers=auth).get_json()["data"]]

    assert names("?q=APPLE") == ["Their apple tart", "My Apple Pie"]
    assert names("?owner=me&q=apple") == ["My Apple Pie"]
    assert sorted(names("?owner=me")) == ["My Apple Pie", "Soup"]
    assert names("?q=%25") == []  # LIKE wildcards are literal
    assert mine


def test_next_link_keeps_the_filters(api, auth, user, recipe_fixture):
    for index in range(3):
        recipe_fixture(user, name=f"Cake {index}")
    body = api.get("/api/recipes?limit=1&owner=me&q=cake", headers=auth).get_json()
    assert re.search(r"owner=me", body["meta"]["next"]) and "q=cake" in body["meta"]["next"]


@pytest.mark.parametrize(
    "query,field",
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("after=garbage", "after"),
        ("owner=someone", "owner"),
        ("q=" + "x" * 256, "q"),
    ],
)
def test_list_rejects_bad_parameters(api, auth, query, field):
    response = api.get("/api/recipes?" + query, headers=auth)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]


# --- show, update, delete ------------------------------------------------------------------------


def test_show_has_an_etag(api, auth, user, recipe_fixture):
    recipe = recipe_fixture(user)
    response = api.get(f"/api/recipes/{recipe.id}", headers=auth)
    assert response.status_code == 200
    assert response.get_json()["data"]["id"] == str(recipe.id)
    assert response.headers["ETag"].startswith('"')


@pytest.mark.parametrize("recipe_id", [UNKNOWN_ID, "abc", "1", "' OR 1=1 --"])
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_unknown_or_malformed_id_is_404(api, auth, recipe_id, method):
    response = getattr(api, method)(f"/api/recipes/{recipe_id}", headers=auth, json=VALID)
    assert response.status_code == 404
    assert response.get_json() == NOT_FOUND


@pytest.mark.parametrize("method", ["put", "patch"])
def test_owner_updates_only_the_keys_sent(api, auth, user, recipe_fixture, method):
    recipe = recipe_fixture(user, **VALID)
    response = getattr(api, method)(
        f"/api/recipes/{recipe.id}", headers=auth, json={"recipe": {"name": "Crêpes", "owner_id": "x"}}
    )
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["name"] == "Crêpes"
    assert data["description"] == "Flour, eggs and milk."
    assert data["owner_id"] == str(user.id)


def test_update_rejects_nulls_and_wrong_types(api, auth, user, recipe_fixture):
    recipe = recipe_fixture(user)
    response = api.patch(f"/api/recipes/{recipe.id}", headers=auth, json={"name": None, "description": 5})
    assert response.status_code == 422
    assert response.get_json() == {
        "errors": {"name": ["can't be blank"], "description": ["must be a string"]}
    }


def test_owner_deletes(api, auth, user, recipe_fixture):
    url = f"/api/recipes/{recipe_fixture(user).id}"
    response = api.delete(url, headers=auth)
    assert response.status_code == 204
    assert response.data == b""
    assert api.get(url, headers=auth).status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_stranger_may_read_but_not_change(api, user, user_fixture, token_for, recipe_fixture, method):
    recipe = recipe_fixture(user, **VALID)
    stranger = bearer(token_for(user_fixture()))
    assert api.get(f"/api/recipes/{recipe.id}", headers=stranger).status_code == 200
    response = getattr(api, method)(f"/api/recipes/{recipe.id}", headers=stranger, json={"name": "Mine now"})
    assert response.status_code == 403
    assert response.get_json() == FORBIDDEN
    assert recipes.get_recipe(recipe.id).name == "Pancakes"


@pytest.mark.parametrize("method,status", [("put", 200), ("patch", 200), ("delete", 204)])
def test_admin_may_change_any_recipe(api, user, user_fixture, token_for, recipe_fixture, method, status):
    recipe = recipe_fixture(user)
    admin = bearer(token_for(user_fixture(admin=True)))
    response = getattr(api, method)(f"/api/recipes/{recipe.id}", headers=admin, json={"name": "Admin's"})
    assert response.status_code == status


# --- ETag / If-Match ------------------------------------------------------------------------------


def test_etag_changes_with_every_update(api, auth, user, recipe_fixture):
    recipe = recipe_fixture(user)
    before = api.get(f"/api/recipes/{recipe.id}", headers=auth).headers["ETag"]
    api.patch(f"/api/recipes/{recipe.id}", headers=auth, json={"name": "New"})
    after = api.get(f"/api/recipes/{recipe.id}", headers=auth).headers["ETag"]
    assert before != after


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_with_current_if_match_succeeds(api, auth, user, recipe_fixture, method):
    recipe = recipe_fixture(user)
    etag = api.get(f"/api/recipes/{recipe.id}", headers=auth).headers["ETag"]
    response = getattr(api, method)(
        f"/api/recipes/{recipe.id}", headers={**auth, "If-Match": etag}, json={"name": "Fresh"}
    )
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_stale_if_match_is_412_and_changes_nothing(api, auth, user, recipe_fixture, method):
    recipe = recipe_fixture(user)
    stale = api.get(f"/api/recipes/{recipe.id}", headers=auth).headers["ETag"]
    assert (
        api.patch(f"/api/recipes/{recipe.id}", headers=auth, json={"name": "Someone else's edit"}).status_code
        == 200
    )
    response = getattr(api, method)(
        f"/api/recipes/{recipe.id}", headers={**auth, "If-Match": stale}, json={"name": "Mine"}
    )
    assert response.status_code == 412
    assert response.get_json() == PRECONDITION_FAILED
    current = api.get(f"/api/recipes/{recipe.id}", headers=auth)
    assert current.get_json()["data"]["name"] == "Someone else's edit"


@pytest.mark.parametrize("if_match", ['"nonsense"', 'W/"x"', "", "garbage"])
def test_any_non_matching_if_match_is_412(api, auth, user, recipe_fixture, if_match):
    recipe = recipe_fixture(user)
    response = api.delete(f"/api/recipes/{recipe.id}", headers={**auth, "If-Match": if_match})
    assert response.status_code == 412
    assert api.get(f"/api/recipes/{recipe.id}", headers=auth).status_code == 200


def test_if_match_star_and_lists(api, auth, user, recipe_fixture):
    recipe = recipe_fixture(user)
    etag = api.get(f"/api/recipes/{recipe.id}", headers=auth).headers["ETag"]
    assert (
        api.patch(
            f"/api/recipes/{recipe.id}", headers={**auth, "If-Match": "*"}, json={"name": "A"}
        ).status_code
        == 200
    )
    etag = api.get(f"/api/recipes/{recipe.id}", headers=auth).headers["ETag"]
    assert (
        api.delete(f"/api/recipes/{recipe.id}", headers={**auth, "If-Match": f'"old", {etag}'}).status_code
        == 204
    )


def test_stale_if_match_from_a_stranger_is_403(api, user, user_fixture, token_for, recipe_fixture):
    recipe = recipe_fixture(user)
    response = api.delete(
        f"/api/recipes/{recipe.id}", headers={**bearer(token_for(user_fixture())), "If-Match": '"x"'}
    )
    assert response.status_code == 403


def test_write_without_if_match_goes_through(api, auth, user, recipe_fixture):
    recipe = recipe_fixture(user)
    api.patch(f"/api/recipes/{recipe.id}", headers=auth, json={"name": "One"})
    response = api.patch(f"/api/recipes/{recipe.id}", headers=auth, json={"name": "Two"})
    assert response.status_code == 200
    assert response.get_json()["data"]["name"] == "Two"


# --- routing errors and headers ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/nope", "/api/recipes/1/2", "/api", "/api/"])
def test_unknown_api_paths_are_json_404(api, auth, path):
    response = api.get(path, headers=auth)
    assert response.status_code == 404
    assert response.get_json() == NOT_FOUND


@pytest.mark.parametrize(
    "method,path",
    [("delete", "/api/recipes"), ("post", "/api/recipes/x"), ("get", "/api/sign_in"), ("put", "/api/me")],
)
def test_wrong_method_is_json_405(api, auth, method, path):
    response = getattr(api, method)(path, headers=auth)
    assert response.status_code == 405
    assert response.get_json() == {"errors": {"detail": "Method Not Allowed"}}
    assert "Allow" in response.headers


def test_api_responses_are_not_cached(api, auth, user, recipe_fixture):
    recipe = recipe_fixture(user)
    for response in (
        api.get("/api/recipes", headers=auth),
        api.get(f"/api/recipes/{recipe.id}", headers=auth),
        api.post("/api/sign_in", json={}),
        api.get("/api/nope"),
    ):
        assert response.headers["Cache-Control"] == "no-store"


def test_api_needs_no_csrf_token(app, api, auth):
    assert app.config.get("WTF_CSRF_ENABLED", True)
    assert api.post("/api/recipes", headers=auth, data=VALID).status_code == 201


# --- no read after a committed write ---------------------------------------------------------------


@pytest.fixture()
def statements_around_commit(app):
    """Every statement of the next request, with "COMMIT" where the request committed."""
    from sqlalchemy import event

    from tasty_recipes.extensions import db

    log: list[str] = []
    listeners = [
        ("before_cursor_execute", lambda conn, cur, statement, *rest: log.append(statement)),
        ("commit", lambda conn: log.append("COMMIT")),
    ]
    for name, listener in listeners:
        event.listen(db.engine, name, listener)
    yield log
    for name, listener in listeners:
        event.remove(db.engine, name, listener)


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_a_write_answers_from_what_it_wrote_without_reading_after_the_commit(
    api, auth, user, recipe_fixture, statements_around_commit, method
):
    # A read after the commit can fail (lock, outage) once the write has succeeded: the
    # client would get a 503 for a change that happened, and repeat it.
    path = "/api/recipes" if method == "post" else f"/api/recipes/{recipe_fixture(user).id}"
    statements_around_commit.clear()
    response = getattr(api, method)(path, headers=auth, json=VALID)
    assert response.status_code in (200, 201)
    assert statements_around_commit[-1] == "COMMIT", statements_around_commit
    assert "RETURNING" in statements_around_commit[-2].upper()
