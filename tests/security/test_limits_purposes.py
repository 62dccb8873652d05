"""Counters are per purpose, not per endpoint: the HTML form and the API share one.

Reproduction: sign-up was counted per endpoint, so one address could create 10
accounts through /users/register and 10 more through /api/sign_up.
"""

from __future__ import annotations

import pytest

from tasty_recipes.ratelimits import SENSITIVE_POST_PER_ADDRESS

from ..support.accounts import VALID_PASSWORD, unique_user_email
from . import test_rate_limits

limited_app = test_rate_limits.limited_app  # the fixture, shared with the older tests

TOO_MANY = {"errors": {"detail": "Too Many Requests"}}


def _html_sign_up(client, address):
    return client.post(
        "/users/register",
        data={"email": unique_user_email(), "password": VALID_PASSWORD},
        environ_base={"REMOTE_ADDR": address},
    )


def _api_sign_up(client, address):
    return client.post(
        "/api/sign_up",
        json={"email": unique_user_email(), "password": VALID_PASSWORD},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.mark.parametrize("last", [_html_sign_up, _api_sign_up], ids=["html", "api"])
def test_html_and_api_sign_ups_share_one_counter(limited_app, last):
    for i in range(SENSITIVE_POST_PER_ADDRESS.amount):
        client = limited_app.test_client()  # a new browser each time: register logs it in
        sign_up = _api_sign_up if i % 2 else _html_sign_up
        assert sign_up(client, "10.50.0.1").status_code in (201, 302)
    response = last(limited_app.test_client(), "10.50.0.1")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    if last is _api_sign_up:
        assert response.get_json() == TOO_MANY


def test_each_purpose_has_its_own_counter(limited_app, user_fixture):
    user = user_fixture()
    client = limited_app.test_client()
    for _ in range(SENSITIVE_POST_PER_ADDRESS.amount):
        for path in ("/users/reset_password", "/users/confirm"):
            assert (
                client.post(
                    path, data={"email": user.email}, environ_base={"REMOTE_ADDR": "10.50.1.1"}
                ).status_code
                == 302
            )
    for path in ("/users/reset_password", "/users/confirm"):
        assert (
            client.post(
                path, data={"email": user.email}, environ_base={"REMOTE_ADDR": "10.50.1.1"}
            ).status_code
            == 429
        )
    # Sign-up is a purpose of its own, still open to this address.
    assert _api_sign_up(client, "10.50.1.1").status_code == 201
