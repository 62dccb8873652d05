"""/users/settings (user_settings_controller_test.exs)."""

from __future__ import annotations

import pytest

from tasty_recipes.accounts import service as accounts

from ..support.accounts import VALID_PASSWORD, change_email_token, log_in, unique_user_email
from ..support.browser_session import REMEMBER_COOKIE, SESSION_COOKIE, flashes, is_logged_in, session_token
from ..support.committed import age_tokens, committed_state, committed_tokens, committed_user
from ..support.emails import token_in_link

NEW_PASSWORD = "new valid password"
EMAIL_SENT = "A link to confirm your email change has been sent to the new address."
INVALID_LINK = "Email change link is invalid or it has expired."


def change_password(
    client, password=NEW_PASSWORD, confirmation=NEW_PASSWORD, current=VALID_PASSWORD, **kwargs
):
    return client.post(
        "/users/settings",
        data={
            "action": "update_password",
            "current_password": current,
            "password": password,
            "password_confirmation": confirmation,
        },
        **kwargs,
    )


def change_email(client, email, current=VALID_PASSWORD, **kwargs):
    return client.post(
        "/users/settings",
        data={"action": "update_email", "current_password": current, "email": email},
        **kwargs,
    )


# --- GET /users/settings ----------------------------------------------------------------


def test_renders_settings_page(logged_in_client, user):
    response = logged_in_client.get("/users/settings")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Settings</h1>" in html
    assert "<h3>Change email</h3>" in html
    assert "<h3>Change password</h3>" in html
    assert 'value="update_email"' in html and 'value="update_password"' in html
    assert user.email in html


def test_settings_redirects_if_user_is_not_logged_in(client):
    response = client.get("/users/settings")
    assert response.status_code == 302
    assert response.location == "/users/log_in"


# --- change password ----------------------------------------------------------------------


def test_updates_the_user_password_and_resets_tokens(client, user):
    old_token = log_in(client, user)
    response = change_password(client)
    assert response.status_code == 302
    assert response.location == "/users/settings"
    new_token = session_token(client)
    assert new_token and new_token != old_token
    assert ("info", "Password updated successfully.") in flashes(client)
    assert accounts.get_user_by_email_and_password(user.email, NEW_PASSWORD).id == user.id
    assert accounts.get_user_by_session_token(old_token) is None
    assert accounts.get_user_by_session_token(new_token).id == user.id
    assert len(committed_tokens(user.id)) == 1


def test_password_change_keeps_this_browser_logged_in(client, user):
    log_in(client, user)
    html = change_password(client, follow_redirects=True).get_data(as_text=True)
    assert "<h1>Settings</h1>" in html
    assert "Password updated successfully." in html
    assert is_logged_in(client)


def test_password_change_ends_every_other_session(client, app, user):
    other_browser = app.test_client()
    other_token = log_in(other_browser, user)
    log_in(client, user)
    change_password(client)
    assert accounts.get_user_by_session_token(other_token) is None
    assert not is_logged_in(other_browser)


def test_session_cookie_copied_before_password_change_no_longer_authenticates(client, app, user):
    client.post(
        "/users/log_in", data={"email": user.email, "password": VALID_PASSWORD, "remember_me": "true"}
    )
    copied_session = client.get_cookie(SESSION_COOKIE).value
    copied_remember = client.get_cookie(REMEMBER_COOKIE).value
    change_password(client)
    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, copied_session)
    assert not is_logged_in(thief)
    thief = app.test_client()
    thief.set_cookie(REMEMBER_COOKIE, copied_remember)
    assert not is_logged_in(thief)


def test_does_not_update_password_on_invalid_data(client, user):
    old_token = log_in(client, user)
    before = committed_state()
    response = change_password(client, password="too short", confirmation="does not match", current="invalid")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Settings</h1>" in html
    assert "should be at least 12 character(s)" in html
    assert "does not match password" in html
    assert "is not valid" in html
    assert session_token(client) == old_token
    assert committed_state() == before


def test_does_not_update_password_with_a_wrong_current_password(client, user):
    log_in(client, user)
    before = committed_state()
    response = change_password(client, current="wrong password!")
    assert response.status_code == 200
    assert "is not valid" in response.get_data(as_text=True)
    assert committed_state() == before


def test_password_change_without_csrf_token_is_rejected(client, user):
    log_in(client, user)
    before = committed_state()
    assert change_password(client, csrf=False).status_code == 400
    assert committed_state() == before


# --- change email -------------------------------------------------------------------------


def test_updates_the_user_email(client, user, outbox):
    old_email = user.email
    log_in(client, user)
    new_email = unique_user_email()
    response = change_email(client, new_email)
    assert response.status_code == 302
    assert response.location == "/users/settings"
    assert ("info", EMAIL_SENT) in flashes(client)
    assert committed_user(user.id)["email"] == old_email
    assert accounts.get_user_by_email(old_email).id == user.id
    [message] = outbox
    assert message.to == [new_email]
    assert message.subject == "Update email instructions"
    token = token_in_link(message.body)
    assert f"\nhttp://localhost/users/settings/confirm_email/{token}\n" in message.body
    assert "You can change your email by visiting the URL below:" in message.body


def test_does_not_update_email_on_invalid_data(client, user, outbox):
    log_in(client, user)
    before = committed_state()
    response = change_email(client, "with spaces", current="invalid")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Settings</h1>" in html
    assert "must have the @ sign and no spaces" in html
    assert "is not valid" in html
    assert committed_state() == before
    assert outbox == []


def test_does_not_update_email_to_the_same_address(client, user, outbox):
    log_in(client, user)
    response = change_email(client, user.email)
    assert response.status_code == 200
    assert "did not change" in response.get_data(as_text=True)
    assert outbox == []


def test_does_not_update_email_to_a_taken_address(client, user, user_fixture, outbox):
    other = user_fixture()
    log_in(client, user)
    response = change_email(client, other.email.upper())
    assert response.status_code == 200
    assert "has already been taken" in response.get_data(as_text=True)
    assert outbox == []


@pytest.mark.parametrize("action", [None, "", "delete_account", "update_everything"])
def test_settings_post_with_unknown_action_changes_nothing(client, user, action):
    log_in(client, user)
    before = committed_state()
    data = {"email": unique_user_email(), "current_password": VALID_PASSWORD, "password": NEW_PASSWORD}
    if action is not None:
        data["action"] = action
    response = client.post("/users/settings", data=data)
    assert 400 <= response.status_code < 500
    assert committed_state() == before


# --- GET /users/settings/confirm_email/<token> -------------------------------------------------


@pytest.fixture()
def email_change(user):
    new_email = unique_user_email()
    return new_email, change_email_token(user, new_email, VALID_PASSWORD)


def test_updates_the_user_email_once(client, user, email_change):
    new_email, token = email_change
    old_email = user.email
    log_in(client, user)
    response = client.get(f"/users/settings/confirm_email/{token}")
    assert response.status_code == 302
    assert response.location == "/users/settings"
    assert ("info", "Email changed successfully.") in flashes(client)
    assert accounts.get_user_by_email(old_email) is None
    assert accounts.get_user_by_email(new_email).id == user.id
    assert committed_user(user.id)["confirmed_at"] is not None

    client.get("/")  # show (consume) the first flash
    response = client.get(f"/users/settings/confirm_email/{token}")
    assert response.location == "/users/settings"
    assert ("error", INVALID_LINK) in flashes(client)
    assert committed_user(user.id)["email"] == new_email


def test_email_change_keeps_the_session(client, user, email_change):
    _, token = email_change
    session = log_in(client, user)
    client.get(f"/users/settings/confirm_email/{token}")
    assert accounts.get_user_by_session_token(session).id == user.id
    assert is_logged_in(client)


@pytest.mark.parametrize("token", ["oops", "a" * 43, "a" * 300])
def test_does_not_update_email_with_invalid_token(client, user, email_change, token):
    log_in(client, user)
    before = committed_state()
    response = client.get(f"/users/settings/confirm_email/{token}")
    assert response.status_code == 302
    assert response.location == "/users/settings"
    assert ("error", INVALID_LINK) in flashes(client)
    assert committed_state() == before


def test_does_not_update_email_with_expired_token(client, user, email_change):
    old_email = user.email
    _, token = email_change
    log_in(client, user)
    age_tokens(8)
    client.get(f"/users/settings/confirm_email/{token}")
    assert ("error", INVALID_LINK) in flashes(client)
    assert committed_user(user.id)["email"] == old_email


def test_does_not_update_email_of_another_logged_in_user(client, user, user_fixture, email_change):
    _, token = email_change
    other = user_fixture()
    log_in(client, other)
    before = committed_state()
    client.get(f"/users/settings/confirm_email/{token}")
    assert ("error", INVALID_LINK) in flashes(client)
    assert committed_state() == before


def test_confirm_email_redirects_if_user_is_not_logged_in(client, user, email_change):
    _, token = email_change
    before = committed_state()
    response = client.get(f"/users/settings/confirm_email/{token}")
    assert response.status_code == 302
    assert response.location == "/users/log_in"
    assert committed_state() == before
    with client.session_transaction() as session:
        assert session["user_return_to"] == f"/users/settings/confirm_email/{token}"


def test_confirm_email_link_works_after_logging_in(client, user, email_change):
    new_email, token = email_change
    client.get(f"/users/settings/confirm_email/{token}")
    response = client.post("/users/log_in", data={"email": user.email, "password": VALID_PASSWORD})
    assert response.location == f"/users/settings/confirm_email/{token}"
    client.get(response.location)
    assert committed_user(user.id)["email"] == new_email
