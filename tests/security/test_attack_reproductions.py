"""Reproductions of an attack on the running app, each of which must now fail.

Links in emails on a spoofed Host, 500s from odd cursors and Referers, cacheable
logged-in pages, an unindexed search, short secrets in production.
"""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import text

from tasty_recipes.extensions import db

from ..support.accounts import VALID_PASSWORD, log_in, unique_user_email
from ..support.app import empty_tables, make_app

PUBLIC = "recipes.example"
EVIL = "evil.example"


@pytest.fixture()
def production(database_url, monkeypatch, _migrated_app):
    """``production(**settings)``: a production app on the test database, mail kept in memory."""
    monkeypatch.setenv("SECRET_KEY", "p" * 64)
    monkeypatch.setenv("MAIL_BACKEND", "memory")
    apps = []

    def make(**settings):
        app = make_app(
            database_url,
            TASTY_ENV="production",
            RATELIMIT_ENABLED=False,
            **{"SERVER_NAME": PUBLIC, **settings},
        )
        apps.append(app)
        return app

    yield make
    with _migrated_app.app_context():  # empty what the production apps wrote
        empty_tables()


def _csrf(client, path: str, host: str) -> str:
    page = client.get(path, base_url=f"https://{host}").get_data(as_text=True)
    return page.split('name="csrf_token" value="')[1].split('"')[0]


# --- links on the configured public address -------------------------------------------------------


def test_a_spoofed_host_does_not_choose_where_the_reset_link_points(production):
    from tasty_recipes.accounts import service as accounts

    app = production()
    with app.app_context():
        email = unique_user_email()
        accounts.register_user(email, VALID_PASSWORD)
        client = app.test_client()
        token = _csrf(client, "/users/reset_password", EVIL)
        response = client.post(
            "/users/reset_password",
            base_url=f"https://{EVIL}",
            data={"email": email, "csrf_token": token},
            headers={"Referer": f"https://{EVIL}/users/reset_password"},
        )
        assert response.status_code == 302
        [message] = app.extensions["mailman"].outbox
        assert f"https://{PUBLIC}/users/reset_password/" in message.body
        assert EVIL not in message.body


def test_a_spoofed_host_does_not_choose_where_the_confirmation_link_points(production):
    app = production()
    with app.app_context():
        response = app.test_client().post(
            "/api/sign_up",
            base_url=f"https://{EVIL}",
            json={"email": unique_user_email(), "password": VALID_PASSWORD},
        )
        assert response.status_code == 201
        [message] = app.extensions["mailman"].outbox
        assert f"https://{PUBLIC}/users/confirm/" in message.body
        assert EVIL not in message.body


def test_trusted_hosts_refuse_requests_for_other_hosts(production):
    app = production(TRUSTED_HOSTS=[PUBLIC])
    with app.app_context():
        client = app.test_client()
        assert client.get("/users/log_in", base_url=f"https://{PUBLIC}").status_code == 200
        assert client.get("/users/log_in", base_url=f"https://{EVIL}").status_code == 400
        api = client.post("/api/sign_up", base_url=f"https://{EVIL}", json={})
        assert api.status_code == 400
        assert api.get_json() == {"errors": {"detail": "Bad Request"}}
        assert getattr(app.extensions["mailman"], "outbox", []) == []  # nothing was ever sent


# --- no 500s -------------------------------------------------------------------------------------------


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


FAR_OFF_CURSORS = [
    _cursor("0001-01-01T00:00:00+05:00|00000000-0000-4000-8000-000000000000"),
    _cursor("9999-12-31T23:59:59-05:00|00000000-0000-4000-8000-000000000000"),
]


@pytest.mark.parametrize("cursor", FAR_OFF_CURSORS)
def test_a_cursor_beyond_the_calendar_is_a_422(client, user, cursor):
    from tasty_recipes.api.auth import issue_token

    with client.application.test_request_context():
        bearer = {"Authorization": f"Bearer {issue_token(user)}"}
    api = client.get(f"/api/recipes?after={cursor}", headers=bearer)
    assert api.status_code == 422
    assert api.get_json() == {"errors": {"after": ["is not a valid cursor"]}}
    log_in(client, user)
    assert client.get(f"/html/recipes?after={cursor}").status_code == 422


@pytest.mark.parametrize("referer", ["https://127.0.0.1:99999/", "https://[::1/", "https://a:b/"])
def test_a_malformed_referer_is_a_400_not_a_500(production, referer):
    app = production()
    with app.app_context():
        client = app.test_client()
        token = _csrf(client, "/users/log_in", PUBLIC)
        response = client.post(
            "/users/log_in",
            base_url=f"https://{PUBLIC}",
            data={"email": unique_user_email(), "password": VALID_PASSWORD, "csrf_token": token},
            headers={"Referer": referer},
        )
        assert response.status_code == 400
        assert "security token" in response.get_data(as_text=True)


# --- logged-in pages are never cached ------------------------------------------------------------------


def test_every_page_of_a_logged_in_user_is_no_store(logged_in_client, user, recipe_fixture):
    recipe = recipe_fixture(user)
    for path in (
        "/",
        "/users/settings",
        "/html/recipes",
        f"/html/recipes/{recipe.id}",
        f"/html/recipes/{recipe.id}/edit",
        "/html/recipes/new",
    ):
        response = logged_in_client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_pages_without_a_user_and_static_files_may_be_cached(app, logged_in_client):
    anonymous = app.test_client()
    assert "no-store" not in anonymous.get("/users/log_in").headers.get("Cache-Control", "")
    static = logged_in_client.get("/static/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")


# --- search is indexed and has a budget ----------------------------------------------------------------


def test_substring_search_can_use_the_trigram_index(is_postgres, user, recipe_fixture):
    if not is_postgres:
        pytest.skip("the trigram index is PostgreSQL's")
    recipe_fixture(user, name="Chickpea curry")
    db.session.execute(text("SET enable_seqscan = off"))  # the table is tiny: ask for the index
    plan = "\n".join(
        db.session.execute(
            text("EXPLAIN SELECT id FROM recipes WHERE name ILIKE '%' || :q || '%'"), {"q": "x" * 255}
        ).scalars()
    )
    db.session.rollback()
    assert "recipes_name_trgm_index" in plan, plan


def test_a_search_that_outruns_its_budget_is_a_503_and_the_next_request_works(
    is_postgres, app, client, user, count_statements, monkeypatch
):
    from tasty_recipes.api.auth import issue_token

    if not is_postgres:
        pytest.skip("the client-side deadline is PostgreSQL's")
    with client.application.test_request_context():
        bearer = {"Authorization": f"Bearer {issue_token(user)}"}
    monkeypatch.setitem(app.config, "SEARCH_TIMEOUT_MS", 0)  # no search can answer in time
    with count_statements() as statements:
        slow = client.get("/api/recipes?q=" + "x" * 255, headers=bearer)
    assert slow.status_code == 503 and slow.headers["Retry-After"]
    assert len(statements) == 2  # the budget costs no statement of its own
    assert client.get("/api/recipes", headers=bearer).status_code == 200
    monkeypatch.setitem(app.config, "SEARCH_TIMEOUT_MS", 1000)
    assert client.get("/api/recipes?q=soup", headers=bearer).status_code == 200
