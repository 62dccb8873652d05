"""Session plumbing (phx.gen.auth's user_auth_test.exs): log in/out, current user, guards, return-to."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from flask_login.utils import decode_cookie

from tasty_recipes.accounts import service as accounts
from tasty_recipes.accounts import tokens
from tasty_recipes.accounts.session import safe_return_path

from ..support.accounts import VALID_PASSWORD, log_in
from ..support.browser_session import (
    REMEMBER_COOKIE,
    SESSION_COOKIE,
    flashes,
    is_logged_in,
    session_data,
    session_token,
    set_cookies,
)
from ..support.committed import age_tokens, committed_tokens


def post_log_in(client, user, **extra):
    return client.post("/users/log_in", data={"email": user.email, "password": VALID_PASSWORD, **extra})


# --- log_in_user -------------------------------------------------------------------------


def test_log_in_stores_the_user_token_in_the_session(client, user):
    response = post_log_in(client, user)
    assert response.status_code == 302
    assert response.location == "/"
    token = session_token(client)
    assert accounts.get_user_by_session_token(token).id == user.id
    [row] = committed_tokens(user.id, "session")
    assert row["token"] == hashlib.sha256(tokens.decode(token)).digest()


def test_log_in_clears_everything_previously_stored_in_the_session(client, user):
    with client.session_transaction() as session:
        session["to_be_removed"] = "value"
        session["_user_id"] = "a stale token"
    post_log_in(client, user)
    data = session_data(client)
    assert "to_be_removed" not in data
    assert data["_user_id"] != "a stale token"


def test_log_in_redirects_to_the_stored_return_path(client, user):
    with client.session_transaction() as session:
        session["user_return_to"] = "/hello"
    response = post_log_in(client, user)
    assert response.location == "/hello"
    assert "user_return_to" not in session_data(client)


def test_log_in_writes_a_cookie_if_remember_me_is_configured(client, user):
    response = post_log_in(client, user, remember_me="true")
    header = set_cookies(response)[REMEMBER_COOKIE]
    cookie = client.get_cookie(REMEMBER_COOKIE)
    token = session_token(client)
    # Signed: the cookie is not the bare token, but it verifies to it.
    assert cookie.value != token
    assert decode_cookie(cookie.value) == token
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    sixty_days = datetime.now(UTC) + timedelta(days=60)
    assert abs((cookie.expires - sixty_days).total_seconds()) < 120


def test_log_in_writes_no_cookie_without_remember_me(client, user):
    response = post_log_in(client, user, remember_me="false")
    assert REMEMBER_COOKIE not in set_cookies(response)
    assert client.get_cookie(REMEMBER_COOKIE) is None


def test_session_cookie_is_http_only_and_same_site_lax(client, user):
    header = set_cookies(post_log_in(client, user))[SESSION_COOKIE]
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_log_in_renews_the_session_token_each_time(client, user):
    post_log_in(client, user)
    first = session_token(client)
    client.post("/users/log_out", data={})
    post_log_in(client, user)
    assert session_token(client) != first
    assert accounts.get_user_by_session_token(first) is None


# --- log_out_user --------------------------------------------------------------------------


def test_log_out_erases_session_and_cookies(client, user):
    post_log_in(client, user, remember_me="true")
    token = session_token(client)
    response = client.post("/users/log_out", data={})
    assert response.status_code == 302
    assert response.location == "/"
    assert "_user_id" not in session_data(client)
    header = set_cookies(response)[REMEMBER_COOKIE]
    assert "Max-Age=0" in header
    assert client.get_cookie(REMEMBER_COOKIE) is None
    assert accounts.get_user_by_session_token(token) is None
    assert committed_tokens(user.id, "session") == []


def test_log_out_deletes_only_this_sessions_token(client, app, user):
    other_browser = app.test_client()
    other_token = log_in(other_browser, user)
    log_in(client, user)
    client.post("/users/log_out", data={})
    assert accounts.get_user_by_session_token(other_token).id == user.id
    assert is_logged_in(other_browser)


def test_log_out_works_even_if_user_is_already_logged_out(client):
    response = client.post("/users/log_out", data={})
    assert response.status_code == 302
    assert response.location == "/"
    assert ("info", "Logged out successfully.") in flashes(client)


def test_log_out_with_a_revoked_token_in_the_session_works(client, user):
    token = log_in(client, user)
    accounts.delete_session_token(token)
    response = client.post("/users/log_out", data={})
    assert response.status_code == 302
    assert "_user_id" not in session_data(client)


# --- fetching the current user ---------------------------------------------------------------


def test_authenticates_user_from_session(client, user):
    log_in(client, user)
    html = client.get("/").get_data(as_text=True)
    assert user.email in html
    assert "Log out</button>" in html


def test_authenticates_user_from_remember_me_cookie(client, app, user):
    post_log_in(client, user, remember_me="true")
    token = session_token(client)
    cookie = client.get_cookie(REMEMBER_COOKIE)
    browser = app.test_client()
    browser.set_cookie(REMEMBER_COOKIE, cookie.value)
    assert is_logged_in(browser)
    assert session_token(browser) == token


def test_does_not_authenticate_with_a_tampered_remember_me_cookie(client, app, user):
    post_log_in(client, user, remember_me="true")
    value = client.get_cookie(REMEMBER_COOKIE).value
    token, digest = value.split("|", 1)
    browser = app.test_client()
    browser.set_cookie(REMEMBER_COOKIE, f"{token}|{'0' * len(digest)}")
    assert not is_logged_in(browser)
    browser.set_cookie(REMEMBER_COOKIE, token)
    assert not is_logged_in(browser)


def test_does_not_authenticate_if_data_is_missing(client, user):
    accounts.generate_user_session_token(user)
    html = client.get("/").get_data(as_text=True)
    assert user.email not in html
    assert "Log in</a>" in html


def test_does_not_authenticate_with_an_expired_session_token(client, user):
    log_in(client, user)
    age_tokens(61, "session")
    assert not is_logged_in(client)


def test_does_not_authenticate_with_an_unknown_token_in_the_session(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = tokens.encode(b"x" * 32)
    assert not is_logged_in(client)


# --- redirect_if_user_is_authenticated -------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/users/register", "/users/log_in", "/users/reset_password", "/users/reset_password/sometoken"]
)
def test_redirects_if_user_is_authenticated(client, user, path):
    log_in(client, user)
    response = client.get(path)
    assert response.status_code == 302
    assert response.location == "/"


@pytest.mark.parametrize("path", ["/users/register", "/users/log_in", "/users/reset_password"])
def test_does_not_redirect_if_user_is_not_authenticated(client, path):
    assert client.get(path).status_code == 200


# --- require_authenticated_user --------------------------------------------------------------


def test_require_login_redirects_if_user_is_not_authenticated(client):
    response = client.get("/users/settings")
    assert response.status_code == 302
    assert response.location == "/users/log_in"
    assert ("error", "You must log in to access this page.") in flashes(client)


def test_require_login_stores_the_path_to_redirect_to_on_get(client):
    client.get("/users/settings")
    assert session_data(client)["user_return_to"] == "/users/settings"


def test_require_login_stores_the_query_string_too(client):
    client.get("/users/settings?bar=baz&x=1")
    assert session_data(client)["user_return_to"] == "/users/settings?bar=baz&x=1"


def test_require_login_stores_nothing_on_post(client):
    response = client.post("/users/settings", data={"action": "update_email"})
    assert response.status_code == 302
    assert response.location == "/users/log_in"
    assert "user_return_to" not in session_data(client)


def test_require_login_does_not_redirect_if_user_is_authenticated(client, user):
    log_in(client, user)
    response = client.get("/users/settings")
    assert response.status_code == 200
    assert "<h1>Settings</h1>" in response.get_data(as_text=True)


def test_stored_return_path_is_used_after_log_in(client, user):
    client.get("/users/settings?tab=email")
    response = post_log_in(client, user)
    assert response.location == "/users/settings?tab=email"


# --- return paths are local only -------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "//evil.test",
        "//evil.test/path",
        "/\\evil.test",
        "\\\\evil.test",
        "https://evil.test",
        "http:evil.test",
        "javascript:alert(1)",
        "evil.test",
        "/\t/evil.test",
        "/\n/evil.test",
        "",
        None,
        " /users/settings",
    ],
)
def test_safe_return_path_rejects_paths_that_leave_the_site(path):
    assert safe_return_path(path) is None


@pytest.mark.parametrize(
    "path", ["/", "/users/settings", "/users/settings?bar=baz", "/html/recipes/1?q=a//b"]
)
def test_safe_return_path_keeps_local_paths(path):
    assert safe_return_path(path) == path


@pytest.mark.parametrize("path", ["//evil.test", "/\\evil.test", "https://evil.test/x"])
def test_unsafe_stored_return_path_is_never_used(client, user, path):
    with client.session_transaction() as session:
        session["user_return_to"] = path
    response = post_log_in(client, user)
    assert response.location == "/"


@pytest.mark.parametrize("field", ["next", "return_to", "user_return_to", "redirect"])
def test_return_path_is_never_taken_from_the_request(client, user, field):
    response = client.post(
        f"/users/log_in?{field}=https://evil.test",
        data={"email": user.email, "password": VALID_PASSWORD, field: "//evil.test"},
    )
    assert response.location == "/"


def test_protected_page_behind_a_double_slash_does_not_store_an_open_redirect(client, user):
    client.get("//evil.test/users/settings")
    response = post_log_in(client, user)
    assert not response.location.startswith("//")
    assert "evil.test" not in response.location


def test_log_out_from_a_remember_me_only_browser_revokes_that_token(client, app, user):
    post_log_in(client, user, remember_me="true")
    token = session_token(client)
    browser = app.test_client()
    browser.set_cookie(REMEMBER_COOKIE, client.get_cookie(REMEMBER_COOKIE).value)
    response = browser.post("/users/log_out", data={})
    assert response.status_code == 302
    assert "Max-Age=0" in set_cookies(response)[REMEMBER_COOKIE]
    assert accounts.get_user_by_session_token(token) is None
    assert not is_logged_in(client)


def test_unknown_email_still_spends_one_password_verification(client, monkeypatch):
    calls = []
    monkeypatch.setattr(accounts, "no_user_verify", lambda: calls.append(1) or False)
    client.post("/users/log_in", data={"email": "nobody@example.com", "password": VALID_PASSWORD})
    assert calls == [1]
