"""Change-email requests send mail: limited per client address and per account, like the others.

Reproduction: 25 ``action=update_email`` posts to /users/settings, all aimed at
a victim's address, sent 25 emails and were never refused.
"""

from __future__ import annotations

import pytest

from tasty_recipes.ratelimits import EMAIL_CHANGE_PER_ACCOUNT, SENSITIVE_POST_PER_ADDRESS

from ..support.accounts import VALID_PASSWORD, log_in, unique_user_email
from . import test_rate_limits

limited_app = test_rate_limits.limited_app  # the fixture, shared with the older tests

ADDRESSES = [f"10.30.0.{i}" for i in range(1, 60)]


@pytest.fixture()
def outbox(limited_app):
    mailman = limited_app.extensions["mailman"]
    mailman.outbox = []
    return mailman.outbox


def _logged_in(limited_app, user):
    client = limited_app.test_client()
    log_in(client, user)
    return client


def _change_email(client, to, address, current=VALID_PASSWORD):
    return client.post(
        "/users/settings",
        data={"action": "update_email", "email": to, "current_password": current},
        environ_base={"REMOTE_ADDR": address},
    )


def test_change_email_is_limited_per_account(limited_app, user_fixture, outbox):
    client = _logged_in(limited_app, user_fixture())
    victim = unique_user_email()
    # A new address each time: only the per-account counter can stop it.
    for address in ADDRESSES[: EMAIL_CHANGE_PER_ACCOUNT.amount]:
        assert _change_email(client, victim, address).status_code == 302
    response = _change_email(client, victim, ADDRESSES[-1])
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "Too many attempts" in response.get_data(as_text=True)
    assert [message.to for message in outbox] == [[victim]] * EMAIL_CHANGE_PER_ACCOUNT.amount


def test_change_email_is_limited_per_address_across_accounts(limited_app, user_fixture, outbox):
    clients = [_logged_in(limited_app, user_fixture()) for _ in range(3)]
    for i in range(SENSITIVE_POST_PER_ADDRESS.amount):
        assert _change_email(clients[i % 3], unique_user_email(), "10.30.1.1").status_code == 302
    assert _change_email(clients[0], unique_user_email(), "10.30.1.1").status_code == 429
    assert len(outbox) == SENSITIVE_POST_PER_ADDRESS.amount
    # Another address is not affected.
    assert _change_email(clients[1], unique_user_email(), "10.30.1.2").status_code == 302


def test_change_email_attempts_with_errors_count_too(limited_app, user_fixture, outbox):
    client = _logged_in(limited_app, user_fixture())
    for address in ADDRESSES[: EMAIL_CHANGE_PER_ACCOUNT.amount]:
        assert _change_email(client, "not an email", address).status_code == 200
    assert _change_email(client, unique_user_email(), ADDRESSES[-1]).status_code == 429
    assert outbox == []


def test_only_the_update_email_action_counts(limited_app, user_fixture, outbox):
    client = _logged_in(limited_app, user_fixture())
    for _ in range(2 * EMAIL_CHANGE_PER_ACCOUNT.amount):
        # The right current password and a new one that is too short: a form error, no email.
        response = client.post(
            "/users/settings",
            data={
                "action": "update_password",
                "current_password": VALID_PASSWORD,
                "password": "short",
                "password_confirmation": "short",
            },
            environ_base={"REMOTE_ADDR": "10.30.2.1"},
        )
        assert response.status_code == 200
        assert client.get("/users/settings").status_code == 200
    assert _change_email(client, unique_user_email(), "10.30.2.1").status_code == 302
    assert len(outbox) == 1
