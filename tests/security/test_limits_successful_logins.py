"""Successful sign-ins are limited too, at a level no real user meets.

Reproduction: 60 successful sign-ins in 6 seconds, each a bcrypt verification
and a new token row, were all answered. HTML and API count together, per account
and per client address; a few successful log-ins never lock anyone out.
"""

from __future__ import annotations

from tasty_recipes.ratelimits import LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS

from ..support.accounts import VALID_PASSWORD
from . import test_rate_limits

limited_app = test_rate_limits.limited_app  # the fixture, shared with the older tests

TOO_MANY = {"errors": {"detail": "Too Many Requests"}}


def _html(client, email, address):
    return client.post(
        "/users/log_in",
        data={"email": email, "password": VALID_PASSWORD},
        environ_base={"REMOTE_ADDR": address},
    )


def _api(client, email, address):
    return client.post(
        "/api/sign_in",
        json={"email": email, "password": VALID_PASSWORD},
        environ_base={"REMOTE_ADDR": address},
    )


def test_the_limits_are_far_above_what_a_person_does():
    assert LOGIN_PER_ACCOUNT.amount >= 20 and LOGIN_PER_ADDRESS.amount >= 100
    assert LOGIN_PER_ACCOUNT.get_expiry() <= 15 * 60 and LOGIN_PER_ADDRESS.get_expiry() <= 15 * 60


def test_successful_sign_ins_are_limited_per_account_html_and_api_together(limited_app, user_fixture):
    user = user_fixture()
    for i in range(LOGIN_PER_ACCOUNT.amount):
        sign_in = _api if i % 2 else _html
        response = sign_in(limited_app.test_client(), user.email, f"10.60.0.{i}")
        assert response.status_code in (200, 302)
    response = _api(limited_app.test_client(), user.email, "10.60.1.1")
    assert response.status_code == 429
    assert response.get_json() == TOO_MANY
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    response = _html(limited_app.test_client(), user.email, "10.60.1.2")
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_successful_sign_ins_are_limited_per_address(limited_app, user_fixture):
    users = [user_fixture() for _ in range(5)]
    for i in range(LOGIN_PER_ADDRESS.amount):
        sign_in = _api if i % 2 else _html
        response = sign_in(limited_app.test_client(), users[i % 5].email, "10.60.2.1")
        assert response.status_code in (200, 302)
    response = _api(limited_app.test_client(), users[0].email, "10.60.2.1")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    # Another address is not affected.
    assert _api(limited_app.test_client(), users[0].email, "10.60.2.2").status_code == 200
