"""GET/POST /users/log_in and POST /users/log_out (user_session_controller_test.exs)."""

from __future__ import annotations

from tasty_recipes.accounts import service as accounts

from ..support.accounts import VALID_PASSWORD, log_in
from ..support.browser_session import REMEMBER_COOKIE, SESSION_COOKIE, flashes, is_logged_in, session_token
from ..support.committed import committed_state, committed_tokens


def test_renders_log_in_page(client):
    response = client.get("/users/log_in")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Log in</h1>" in html
    assert "Register</a>" in html
    assert "Forgot your password?</a>" in html
    assert 'name="remember_me" value="true"' in html


def test_log_in_page_redirects_if_already_logged_in(client, user):
    log_in(client, user)
    response = client.get("/users/log_in")
    assert response.status_code == 302
    assert response.location == "/"


def test_logs_the_user_in(client, user):
    response = client.post("/users/log_in", data={"email": user.email, "password": VALID_PASSWORD})
    assert response.status_code == 302
    assert response.location == "/"
    assert session_token(client)
    html = client.get("/").get_data(as_text=True)
    assert user.email in html
    assert "Settings</a>" in html
    assert "Log out</button>" in html


def test_logs_the_user_in_with_remember_me(client, user):
    response = client.post(
        "/users/log_in", data={"email": user.email, "password": VALID_PASSWORD, "remember_me": "true"}
    )
    assert response.status_code == 302
    assert client.get_cookie(REMEMBER_COOKIE) is not None


def test_logs_the_user_in_with_return_to(client, user):
    with client.session_transaction() as session:
        session["user_return_to"] = "/foo/bar"
    response = client.post("/users/log_in", data={"email": user.email, "password": VALID_PASSWORD})
    assert response.location == "/foo/bar"


def test_logs_an_unconfirmed_user_in(client, user):
    assert user.confirmed_at is None
    client.post("/users/log_in", data={"email": user.email, "password": VALID_PASSWORD})
    assert is_logged_in(client)


def test_logs_the_user_in_with_a_case_variant_email(client, user):
    response = client.post("/users/log_in", data={"email": user.email.upper(), "password": VALID_PASSWORD})
    assert response.status_code == 302
    assert accounts.get_user_by_session_token(session_token(client)).id == user.id


def test_emits_error_message_with_invalid_credentials(client, user):
    response = client.post("/users/log_in", data={"email": user.email, "password": "invalid_password"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Log in</h1>" in html
    assert "Invalid email or password" in html
    assert session_token(client) is None
    assert committed_tokens(user.id) == []


def test_unknown_email_gets_the_same_error_as_a_wrong_password(client, user):
    wrong_password = client.post("/users/log_in", data={"email": user.email, "password": "invalid password"})
    unknown = client.post("/users/log_in", data={"email": "nobody@example.com", "password": VALID_PASSWORD})
    assert unknown.status_code == wrong_password.status_code == 200
    assert "Invalid email or password" in unknown.get_data(as_text=True)
    assert unknown.get_data(as_text=True).replace("nobody@example.com", "") == wrong_password.get_data(
        as_text=True
    ).replace(user.email, "")


def test_failed_log_in_keeps_the_typed_email(client, user):
    html = client.post("/users/log_in", data={"email": user.email, "password": "wrong one"}).get_data(
        as_text=True
    )
    assert f'value="{user.email}"' in html
    assert 'value="wrong one"' not in html


def test_log_in_renews_the_session_cookie(client, user):
    client.get("/users/log_in")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = client.get_cookie(SESSION_COOKIE).value
    client.post("/users/log_in", data={"email": user.email, "password": VALID_PASSWORD})
    assert client.get_cookie(SESSION_COOKIE).value != before
    with client.session_transaction() as session:
        assert "planted" not in session


def test_log_in_without_csrf_token_is_rejected(client, user):
    response = client.post(
        "/users/log_in", data={"email": user.email, "password": VALID_PASSWORD}, csrf=False
    )
    assert response.status_code == 400
    assert session_token(client) is None
    assert committed_tokens(user.id) == []


def test_logs_the_user_out(client, user):
    token = log_in(client, user)
    response = client.post("/users/log_out", data={})
    assert response.status_code == 302
    assert response.location == "/"
    assert session_token(client) is None
    assert ("info", "Logged out successfully.") in flashes(client)
    assert accounts.get_user_by_session_token(token) is None


def test_log_out_succeeds_even_if_the_user_is_not_logged_in(client):
    response = client.post("/users/log_out", data={})
    assert response.status_code == 302
    assert response.location == "/"
    assert session_token(client) is None
    assert ("info", "Logged out successfully.") in flashes(client)


def test_log_out_flash_is_shown_on_the_home_page(client, user):
    log_in(client, user)
    html = client.post("/users/log_out", data={}, follow_redirects=True).get_data(as_text=True)
    assert "Logged out successfully." in html
    assert "Log in</a>" in html


def test_log_out_without_csrf_token_is_rejected(client, user):
    token = log_in(client, user)
    before = committed_state()
    response = client.post("/users/log_out", data={}, csrf=False)
    assert response.status_code == 400
    assert committed_state() == before
    assert accounts.get_user_by_session_token(token).id == user.id


def test_log_out_by_get_is_not_allowed(client, user):
    token = log_in(client, user)
    response = client.get("/users/log_out")
    assert response.status_code == 405
    assert accounts.get_user_by_session_token(token).id == user.id


def test_session_cookie_copied_before_log_out_no_longer_authenticates(client, app, user):
    client.post("/users/log_in", data={"email": user.email, "password": VALID_PASSWORD})
    copied = client.get_cookie(SESSION_COOKIE).value
    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, copied)
    assert is_logged_in(thief)
    client.post("/users/log_out", data={})
    thief.set_cookie(SESSION_COOKIE, copied)
    assert not is_logged_in(thief)
    assert thief.get("/users/settings").status_code == 302


def test_remember_me_cookie_copied_before_log_out_no_longer_authenticates(client, app, user):
    client.post(
        "/users/log_in", data={"email": user.email, "password": VALID_PASSWORD, "remember_me": "true"}
    )
    copied = client.get_cookie(REMEMBER_COOKIE).value
    client.post("/users/log_out", data={})
    thief = app.test_client()
    thief.set_cookie(REMEMBER_COOKIE, copied)
    assert not is_logged_in(thief)
