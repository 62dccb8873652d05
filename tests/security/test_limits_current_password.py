"""Wrong current passwords count as failed log-ins: a stolen session or token cannot brute-force it.

Reproduction: ``PUT /api/me/password`` and the Settings forms check a current
password and were never limited. Now a wrong one ("is not valid") counts on
the same per-account and per-address counters as a failed log-in, and once
those are exhausted further attempts get 429, whatever the password.
"""

from __future__ import annotations

from tasty_recipes.api.auth import issue_token
from tasty_recipes.ratelimits import FAILED_LOGIN_PER_ACCOUNT, FAILED_LOGIN_PER_ADDRESS

from ..support.accounts import VALID_PASSWORD, log_in, unique_user_email
from . import test_rate_limits

limited_app = test_rate_limits.limited_app  # the fixture, shared with the older tests

WRONG = "wrong password!"
NEW_PASSWORD = "a brand new password"
ADDRESSES = [f"10.40.0.{i}" for i in range(1, 60)]
TOO_MANY = {"errors": {"detail": "Too Many Requests"}}


def _token(app, user) -> dict[str, str]:
    with app.test_request_context():
        return {"Authorization": f"Bearer {issue_token(user)}"}


def _api_change_password(client, headers, current, address, password=NEW_PASSWORD):
    return client.put(
        "/api/me/password",
        json={"current_password": current, "password": password},
        headers=headers,
        environ_base={"REMOTE_ADDR": address},
    )


def _settings(client, action, current, address):
    data = {"action": action, "current_password": current}
    if action == "update_email":
        data["email"] = unique_user_email()
    else:
        data.update(password=NEW_PASSWORD, password_confirmation=NEW_PASSWORD)
    return client.post("/users/settings", data=data, environ_base={"REMOTE_ADDR": address})


def test_wrong_current_passwords_over_the_api_are_limited(limited_app, user_fixture):
    user = user_fixture()
    client, headers = limited_app.test_client(), _token(limited_app, user)
    for address in ADDRESSES[: FAILED_LOGIN_PER_ACCOUNT.amount]:
        response = _api_change_password(client, headers, WRONG, address)
        assert response.status_code == 422
        assert response.get_json() == {"errors": {"current_password": ["is not valid"]}}
    # Refused before the password is even checked: the right one too.
    response = _api_change_password(client, headers, VALID_PASSWORD, ADDRESSES[-1])
    assert response.status_code == 429
    assert response.get_json() == TOO_MANY
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60


def test_wrong_current_passwords_in_the_settings_forms_are_limited(limited_app, user_fixture):
    user = user_fixture()
    client = limited_app.test_client()
    log_in(client, user)
    for i, address in enumerate(ADDRESSES[: FAILED_LOGIN_PER_ACCOUNT.amount]):
        action = "update_password" if i % 2 else "update_email"
        response = _settings(client, action, WRONG, address)
        assert response.status_code == 200
        assert "is not valid" in response.get_data(as_text=True)
    for action in ("update_password", "update_email"):
        response = _settings(client, action, VALID_PASSWORD, ADDRESSES[-1])
        assert response.status_code == 429
        assert "Too many attempts" in response.get_data(as_text=True)
        assert int(response.headers["Retry-After"]) > 0


def test_wrong_current_passwords_and_failed_log_ins_share_the_account_counter(limited_app, user_fixture):
    user = user_fixture()
    client, headers = limited_app.test_client(), _token(limited_app, user)
    half = FAILED_LOGIN_PER_ACCOUNT.amount // 2
    for address in ADDRESSES[:half]:
        assert (
            client.post(
                "/api/sign_in",
                json={"email": user.email, "password": WRONG},
                environ_base={"REMOTE_ADDR": address},
            ).status_code
            == 401
        )
    for address in ADDRESSES[half : FAILED_LOGIN_PER_ACCOUNT.amount]:
        assert _api_change_password(client, headers, WRONG, address).status_code == 422
    response = client.post(
        "/users/log_in",
        data={"email": user.email, "password": VALID_PASSWORD},
        environ_base={"REMOTE_ADDR": ADDRESSES[-1]},
    )
    assert response.status_code == 429


def test_wrong_current_passwords_count_per_address(limited_app, user_fixture):
    user = user_fixture()
    client, headers = limited_app.test_client(), _token(limited_app, user)
    for _ in range(FAILED_LOGIN_PER_ADDRESS.amount - 1):
        assert (
            client.post(
                "/api/sign_in",
                json={"email": unique_user_email(), "password": WRONG},
                environ_base={"REMOTE_ADDR": "10.40.1.1"},
            ).status_code
            == 401
        )
    assert _api_change_password(client, headers, WRONG, "10.40.1.1").status_code == 422
    assert _api_change_password(client, headers, VALID_PASSWORD, "10.40.1.1").status_code == 429
    assert _api_change_password(client, headers, VALID_PASSWORD, "10.40.1.2").status_code == 200


def test_right_current_passwords_do_not_count(limited_app, user_fixture):
    user = user_fixture()
    client, headers = limited_app.test_client(), _token(limited_app, user)
    passwords = [VALID_PASSWORD, NEW_PASSWORD]
    for i in range(FAILED_LOGIN_PER_ACCOUNT.amount + 2):
        # A new password that is too short: 422 for the password, the current one was right.
        response = _api_change_password(client, headers, passwords[i % 2], "10.40.2.1", password="short")
        assert response.status_code == 422
        assert "current_password" not in response.get_json()["errors"]
        response = _api_change_password(
            client, headers, passwords[i % 2], "10.40.2.1", password=passwords[(i + 1) % 2]
        )
        assert response.status_code == 200
        headers = {"Authorization": f"Bearer {response.get_json()['data']['token']}"}
