"""Security notices: a password change, an email change and an account deletion are emailed.

Each notice is queued in the outbox in the transaction that makes the change, so a
change that fails validation queues nothing; no notice carries a token or a link.
"""

from __future__ import annotations

import re

import pytest

from tasty_recipes.accounts import admin as accounts_admin
from tasty_recipes.accounts import service as accounts
from tasty_recipes.exceptions import ValidationError

from ..support.accounts import VALID_PASSWORD, change_email_token, log_in, reset_token, unique_user_email
from ..support.mail_outbox import outbox_rows

NEW_PASSWORD = "a brand new password"
SUBJECT = "Security notice"
NOT_YOU = "If you didn't do this, reset your password at once and contact us."
PASSWORD_CHANGED = (
    "Your password was changed. Every other session and API token of your account has been ended."
)
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def assert_no_token(body: str) -> None:
    """No 43-character URL-safe token and no link at all (so no /users/… link with a token)."""
    assert TOKEN.search(body) is None, body
    assert "/users/" not in body and "http" not in body, body


def notices(outbox) -> list:
    return [message for message in outbox if message.subject == SUBJECT]


def assert_password_notice(outbox, email: str) -> None:
    (message,) = notices(outbox)
    assert message.to == [email]
    assert message.subject == SUBJECT
    assert message.body.splitlines()[3] == f"Hi {email},"
    assert PASSWORD_CHANGED in message.body and NOT_YOU in message.body
    assert_no_token(message.body)


def test_a_password_change_in_the_settings_sends_a_notice(client, user, outbox):
    log_in(client, user)
    response = client.post(
        "/users/settings",
        data={
            "action": "update_password",
            "current_password": VALID_PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirmation": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert_password_notice(outbox, user.email)


def test_a_password_change_over_the_api_sends_a_notice(app, user, outbox):
    from tasty_recipes.api.auth import issue_token

    with app.test_request_context():
        token = issue_token(user)
    response = app.test_client().put(
        "/api/me/password",
        headers={"Authorization": f"Bearer {token}"},
        json={"current_password": VALID_PASSWORD, "password": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert_password_notice(outbox, user.email)


def test_a_password_reset_sends_a_notice(client, user, outbox):
    token = reset_token(user)
    response = client.post(
        f"/users/reset_password/{token}",
        data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert accounts.get_user_by_email_and_password(user.email, NEW_PASSWORD) is not None
    assert_password_notice(outbox, user.email)


def test_the_cli_set_password_sends_a_notice(app, user, outbox):
    result = app.test_cli_runner().invoke(
        args=["users", "set-password", user.email, "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert_password_notice(outbox, user.email)


def test_a_followed_change_email_link_sends_a_notice_to_the_old_address(client, user, outbox):
    old_email, new_email = user.email, unique_user_email()
    token = change_email_token(user, new_email, VALID_PASSWORD)
    log_in(client, user)
    response = client.get(f"/users/settings/confirm_email/{token}")
    assert response.status_code == 302
    assert accounts.get_user_by_email(new_email) is not None
    (message,) = notices(outbox)
    assert message.to == [old_email]
    assert message.body.splitlines()[3] == f"Hi {old_email},"
    assert f"The email address of your account was changed from {old_email} to {new_email}." in message.body
    assert NOT_YOU in message.body
    assert_no_token(message.body)


def test_requesting_an_email_change_sends_no_notice(user, outbox):
    change_email_token(user, unique_user_email(), VALID_PASSWORD)
    assert notices(outbox) == []


def test_deleting_the_account_sends_a_notice_that_outlives_the_user(app, user, outbox):
    email = user.email
    accounts.delete_account(user, VALID_PASSWORD)
    assert accounts.get_user_by_email(email) is None
    (message,) = notices(outbox)
    assert message.to == [email]
    assert message.body.splitlines()[3] == f"Hi {email},"
    assert "Your account and its recipes have been deleted." in message.body
    assert_no_token(message.body)
    assert [(row.recipient, row.subject) for row in outbox_rows()] == [(email, SUBJECT)]


@pytest.mark.parametrize(
    "change",
    [
        lambda user: accounts.update_user_password(user, "wrong password!", NEW_PASSWORD),
        lambda user: accounts.update_user_password(user, VALID_PASSWORD, "short"),
        lambda user: accounts_admin.set_user_password(user, "short"),
        lambda user: accounts.delete_account(user, "wrong password!"),
        lambda user: accounts.delete_account(user, None),
    ],
    ids=["wrong-current-password", "short-password", "admin-short-password", "delete-wrong", "delete-none"],
)
def test_a_change_that_fails_validation_queues_no_notice(user, outbox, change):
    with pytest.raises(ValidationError):
        change(user)
    assert outbox_rows() == []
    assert outbox == []
    assert accounts.get_user_by_email_and_password(user.email, VALID_PASSWORD) is not None


def test_an_invalid_reset_password_queues_no_notice(user, outbox):
    token = reset_token(user)
    outbox.clear()
    with pytest.raises(ValidationError):
        accounts.reset_user_password(token, "short")
    assert notices(outbox) == []
    assert [row.subject for row in outbox_rows()] == ["Reset password instructions"]


def test_an_email_change_to_a_taken_address_queues_no_notice(user, user_fixture, outbox):
    new_email = unique_user_email()
    token = change_email_token(user, new_email, VALID_PASSWORD)
    user_fixture(email=new_email)  # taken meanwhile
    assert accounts.update_user_email(user, token) is False
    assert notices(outbox) == []
    assert SUBJECT not in [row.subject for row in outbox_rows()]


def test_the_notice_is_written_by_the_commit_of_the_change(user, outbox, monkeypatch):
    from tasty_recipes.accounts import notifier

    monkeypatch.setattr(notifier, "send_enqueued", lambda message: None)  # nothing commits after
    accounts.update_user_password(user, VALID_PASSWORD, NEW_PASSWORD)
    assert [(row.recipient, row.subject, row.status) for row in outbox_rows()] == [
        (user.email, SUBJECT, "pending")
    ]
    assert outbox == []
