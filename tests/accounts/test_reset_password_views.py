"""/users/reset_password (user_reset_password_controller_test.exs)."""

from __future__ import annotations

import pytest

from tasty_recipes.accounts import service as accounts

from ..support.accounts import VALID_PASSWORD, log_in, reset_token
from ..support.browser_session import SESSION_COOKIE, flashes, is_logged_in, session_token
from ..support.committed import age_tokens, committed_state, committed_tokens, committed_user
from ..support.emails import token_in_link

SENT = "If your email is in our system, you will receive instructions to reset your password shortly."
INVALID = "Reset password link is invalid or it has expired."
NEW_PASSWORD = "new valid password"


def test_renders_the_reset_password_page(client):
    response = client.get("/users/reset_password")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Forgot your password?</h1>" in html
    assert "Register</a>" in html
    assert "Log in</a>" in html


def test_sends_a_new_reset_password_token(client, user, outbox):
    response = client.post("/users/reset_password", data={"email": user.email})
    assert response.status_code == 302
    assert response.location == "/"
    assert ("info", SENT) in flashes(client)
    [row] = committed_tokens(user.id)
    assert row["context"] == "reset_password"
    [message] = outbox
    assert message.to == [user.email]
    assert message.subject == "Reset password instructions"
    token = token_in_link(message.body)
    assert f"\nhttp://localhost/users/reset_password/{token}\n" in message.body
    assert "You can reset your password by visiting the URL below:" in message.body
    assert "If you didn't request this change, please ignore this." in message.body


def test_sends_a_reset_password_token_for_a_case_variant_email(client, user, outbox):
    client.post("/users/reset_password", data={"email": user.email.upper()})
    assert outbox[-1].to == [user.email]


def test_does_not_send_reset_password_token_if_email_is_invalid(client, user, outbox):
    response = client.post("/users/reset_password", data={"email": "unknown@example.com"})
    assert response.status_code == 302
    assert response.location == "/"
    assert ("info", SENT) in flashes(client)
    assert committed_tokens() == []
    assert outbox == []


def test_renders_reset_password(client, user):
    token = reset_token(user)
    response = client.get(f"/users/reset_password/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Reset password</h1>" in html
    assert f'action="/users/reset_password/{token}"' in html
    assert 'name="password"' in html and 'name="password_confirmation"' in html


def test_viewing_the_reset_page_does_not_use_the_token_up(client, user):
    token = reset_token(user)
    client.get(f"/users/reset_password/{token}")
    client.get(f"/users/reset_password/{token}")
    assert len(committed_tokens(user.id, "reset_password")) == 1
    assert accounts.get_user_by_reset_password_token(token).id == user.id


@pytest.mark.parametrize("token", ["oops", "a" * 43, "a" * 300, "%00", "..%5C..%5Cetc"])
def test_does_not_render_reset_password_with_invalid_token(client, token):
    response = client.get(f"/users/reset_password/{token}")
    assert response.status_code == 302
    assert response.location == "/"
    assert ("error", INVALID) in flashes(client)


def test_does_not_render_reset_password_with_expired_token(client, user):
    token = reset_token(user)
    age_tokens(1.01)
    response = client.get(f"/users/reset_password/{token}")
    assert response.location == "/"
    assert ("error", INVALID) in flashes(client)


def test_resets_password_once(client, user):
    token = reset_token(user)
    response = client.post(
        f"/users/reset_password/{token}",
        data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.location == "/users/log_in"
    assert session_token(client) is None
    assert ("info", "Password reset successfully.") in flashes(client)
    assert accounts.get_user_by_email_and_password(user.email, NEW_PASSWORD).id == user.id
    assert committed_tokens(user.id) == []


def test_reset_does_not_log_the_user_in(client, user):
    token = reset_token(user)
    client.post(
        f"/users/reset_password/{token}",
        data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
    )
    assert not is_logged_in(client)


def test_reset_works_without_a_confirmation_field(client, user):
    token = reset_token(user)
    response = client.post(f"/users/reset_password/{token}", data={"password": NEW_PASSWORD})
    assert response.location == "/users/log_in"
    assert accounts.get_user_by_email_and_password(user.email, NEW_PASSWORD) is not None


def test_using_a_reset_link_twice_fails_the_second_time(client, user):
    token = reset_token(user)
    client.post(
        f"/users/reset_password/{token}",
        data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
    )
    hashed = committed_user(user.id)["hashed_password"]
    again = client.post(
        f"/users/reset_password/{token}",
        data={"password": "another new password", "password_confirmation": "another new password"},
    )
    assert again.status_code == 302
    assert again.location == "/"
    assert ("error", INVALID) in flashes(client)
    assert committed_user(user.id)["hashed_password"] == hashed


def test_does_not_reset_password_on_invalid_data(client, user):
    token = reset_token(user)
    before = committed_state()
    response = client.post(
        f"/users/reset_password/{token}",
        data={"password": "too short", "password_confirmation": "does not match"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Reset password</h1>" in html
    assert "should be at least 12 character(s)" in html
    assert "does not match password" in html
    assert committed_state() == before


@pytest.mark.parametrize("token", ["oops", "a" * 43, "a" * 300])
def test_does_not_reset_password_with_invalid_token(client, user, token):
    reset_token(user)
    before = committed_state()
    response = client.post(
        f"/users/reset_password/{token}",
        data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.location == "/"
    assert ("error", INVALID) in flashes(client)
    assert committed_state() == before


def test_does_not_reset_password_with_expired_token(client, user):
    token = reset_token(user)
    age_tokens(1.01)
    response = client.post(
        f"/users/reset_password/{token}",
        data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
    )
    assert response.location == "/"
    assert accounts.get_user_by_email_and_password(user.email, VALID_PASSWORD) is not None


def test_reset_without_csrf_token_is_rejected(client, user):
    token = reset_token(user)
    before = committed_state()
    response = client.post(
        f"/users/reset_password/{token}",
        csrf=False,
        data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert committed_state() == before


def test_reset_ends_every_session(client, app, user):
    other_browser = app.test_client()
    other_token = log_in(other_browser, user)
    token = reset_token(user)
    client.post(
        f"/users/reset_password/{token}",
        data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
    )
    assert accounts.get_user_by_session_token(other_token) is None
    assert not is_logged_in(other_browser)


def test_session_cookie_copied_before_password_reset_no_longer_authenticates(client, app, user):
    victim = app.test_client()
    victim.post("/users/log_in", data={"email": user.email, "password": VALID_PASSWORD})
    copied = victim.get_cookie(SESSION_COOKIE).value
    token = reset_token(user)
    client.post(
        f"/users/reset_password/{token}",
        data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
    )
    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, copied)
    assert not is_logged_in(thief)
