"""Rate limits: failed log-ins per account and per address; email-sending POSTs per address."""

import pytest

from tasty_recipes.ratelimits import (
    FAILED_LOGIN_PER_ACCOUNT,
    FAILED_LOGIN_PER_ADDRESS,
    SENSITIVE_POST_PER_ADDRESS,
)

from ..support.accounts import VALID_PASSWORD, unique_user_email
from ..support.app import CSRFClient, empty_tables, make_app

FIFTEEN_MINUTES = 15 * 60


@pytest.fixture()
def limited_app(database_url, _migrated_app):
    """An app with rate limits on; its memory counters are its own, so every test starts at zero."""
    app = make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    app.test_client_class = CSRFClient
    with app.app_context():
        yield app
    with _migrated_app.app_context():
        empty_tables()


def _fail_login(client, email, address="10.0.0.1"):
    return client.post(
        "/users/log_in",
        data={"email": email, "password": "wrong password!"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_failed_logins_per_account_are_limited(limited_app, user_fixture):
    user = user_fixture()
    client = limited_app.test_client()
    for _ in range(FAILED_LOGIN_PER_ACCOUNT.amount):
        assert _fail_login(client, user.email).status_code == 200
    response = _fail_login(client, user.email)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= FIFTEEN_MINUTES
    assert "Too many attempts" in response.get_data(as_text=True)


def test_account_limit_counts_case_variants_of_the_email_together(limited_app, user_fixture):
    user = user_fixture()
    client = limited_app.test_client()
    for i in range(FAILED_LOGIN_PER_ACCOUNT.amount):
        variant = user.email.upper() if i % 2 else user.email
        _fail_login(client, variant, address=f"10.0.1.{i}")
    assert _fail_login(client, user.email, address="10.0.2.1").status_code == 429


def test_failed_logins_per_address_are_limited_across_accounts(limited_app):
    client = limited_app.test_client()
    for _ in range(FAILED_LOGIN_PER_ADDRESS.amount):
        assert _fail_login(client, unique_user_email()).status_code == 200
    assert _fail_login(client, unique_user_email()).status_code == 429
    # Another address is not affected.
    assert _fail_login(client, unique_user_email(), address="10.9.9.9").status_code == 200


def test_successful_logins_do_not_count(limited_app, user_fixture):
    user = user_fixture()
    for _ in range(FAILED_LOGIN_PER_ACCOUNT.amount + 2):
        client = limited_app.test_client()
        response = client.post(
            "/users/log_in",
            data={"email": user.email, "password": VALID_PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
        )
        assert response.status_code == 302


@pytest.mark.parametrize("path", ["/users/reset_password", "/users/confirm", "/users/register"])
def test_email_sending_posts_are_limited_per_address(limited_app, path):
    client = limited_app.test_client()
    for _ in range(SENSITIVE_POST_PER_ADDRESS.amount):
        response = client.post(
            path,
            data={"email": unique_user_email(), "password": "x"},
            environ_base={"REMOTE_ADDR": "10.0.0.3"},
        )
        assert response.status_code in (200, 302)
    response = client.post(
        path, data={"email": unique_user_email()}, environ_base={"REMOTE_ADDR": "10.0.0.3"}
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) <= FIFTEEN_MINUTES


def test_limits_reset_after_the_window(limited_app, user_fixture, monkeypatch):
    import time as time_module

    user = user_fixture()
    client = limited_app.test_client()
    for _ in range(FAILED_LOGIN_PER_ACCOUNT.amount):
        _fail_login(client, user.email)
    assert _fail_login(client, user.email).status_code == 429
    later = time_module.time() + FIFTEEN_MINUTES + 1
    monkeypatch.setattr(time_module, "time", lambda: later)
    response = client.post(
        "/users/log_in",
        data={"email": user.email, "password": VALID_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.status_code == 302


def test_disabled_rate_limits_never_answer_429(client, user):
    for _ in range(FAILED_LOGIN_PER_ACCOUNT.amount + 5):
        assert _fail_login(client, user.email).status_code == 200


def _fail_api_sign_in(client, email, address="10.0.0.1"):
    return client.post(
        "/api/sign_in",
        json={"email": email, "password": "wrong password!"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_html_and_api_failed_logins_share_one_count(limited_app, user_fixture):
    user = user_fixture()
    client = limited_app.test_client()
    for i in range(FAILED_LOGIN_PER_ACCOUNT.amount):
        fail = _fail_api_sign_in if i % 2 else _fail_login
        assert fail(client, user.email).status_code in (200, 401)
    assert _fail_login(client, user.email).status_code == 429
    assert _fail_api_sign_in(client, user.email).status_code == 429


def test_api_answers_429_in_json_with_retry_after(limited_app, user_fixture):
    user = user_fixture()
    client = limited_app.test_client()
    for _ in range(FAILED_LOGIN_PER_ACCOUNT.amount):
        assert _fail_api_sign_in(client, user.email).status_code == 401
    response = _fail_api_sign_in(client, user.email)
    assert response.status_code == 429
    assert response.get_json() == {"errors": {"detail": "Too Many Requests"}}
    assert 0 < int(response.headers["Retry-After"]) <= FIFTEEN_MINUTES


def test_api_sign_ups_are_limited_per_address(limited_app):
    client = limited_app.test_client()
    for _ in range(SENSITIVE_POST_PER_ADDRESS.amount):
        response = client.post(
            "/api/sign_up",
            json={"email": unique_user_email(), "password": VALID_PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.0.4"},
        )
        assert response.status_code == 201
    response = client.post(
        "/api/sign_up",
        json={"email": unique_user_email(), "password": VALID_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.4"},
    )
    assert response.status_code == 429
    assert response.get_json() == {"errors": {"detail": "Too Many Requests"}}
