"""DELETE /api/me: the account, its recipes, tokens and idempotency keys go, with the password."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tasty_recipes.accounts import admin as accounts_admin
from tasty_recipes.accounts import service as accounts
from tasty_recipes.accounts.models import UserToken
from tasty_recipes.extensions import db
from tasty_recipes.idempotency.models import IdempotencyKey
from tasty_recipes.ratelimits import FAILED_LOGIN_PER_ACCOUNT
from tasty_recipes.recipes import service as recipes

from ..security import test_rate_limits
from ..support.accounts import VALID_PASSWORD, log_in
from ..support.api import bearer

limited_app = test_rate_limits.limited_app  # the fixture, shared with the other limit tests

NOT_VALID = {"errors": {"password": ["is not valid"]}}


def _count(model, **where) -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return db.session.scalar(query)


def test_deleting_the_account_removes_everything_of_the_user(
    api, client, user, user_fixture, auth, recipe_fixture
):
    user_id, email = user.id, user.email
    recipe_fixture(user)
    other = user_fixture()
    recipe_fixture(other)
    keyed = api.post(
        "/api/recipes",
        headers={**auth, "Idempotency-Key": "k1"},
        json={"name": "Soup", "description": "Simmer it for a while."},
    )
    assert keyed.status_code == 201
    log_in(client, user)
    assert _count(IdempotencyKey, user_id=user_id) == 1

    response = api.delete("/api/me", headers=auth, json={"password": VALID_PASSWORD})
    assert response.status_code == 204
    assert response.get_data() == b""
    assert accounts.get_user_by_email(email) is None
    assert recipes.count_recipes_owned_by(user_id) == 0
    assert _count(UserToken, user_id=user_id) == 0
    assert _count(IdempotencyKey, user_id=user_id) == 0
    # Someone else's account is untouched.
    assert accounts.get_user_by_email(other.email) is not None
    assert recipes.count_recipes_owned_by(other.id) == 1


def test_the_token_used_is_dead_afterwards(api, auth):
    assert api.delete("/api/me", headers=auth, json={"password": VALID_PASSWORD}).status_code == 204
    assert api.get("/api/me", headers=auth).status_code == 401
    assert api.delete("/api/me", headers=auth, json={"password": VALID_PASSWORD}).status_code == 401


def test_a_wrapped_password_is_accepted(api, auth, user):
    response = api.delete("/api/me", headers=auth, json={"user": {"password": VALID_PASSWORD}})
    assert response.status_code == 204


@pytest.mark.parametrize(
    "body",
    [{"password": "wrong password!"}, {}, {"password": None}, {"password": 123}, {"password": ["x"]}],
    ids=["wrong", "missing", "null", "integer", "list"],
)
def test_a_wrong_or_missing_password_is_422_and_deletes_nothing(
    api, user, auth, recipe_fixture, body, outbox
):
    recipe_fixture(user)
    tokens_before = accounts_admin.count_user_tokens(user)
    response = api.delete("/api/me", headers=auth, json=body)
    assert response.status_code == 422
    assert response.get_json() == NOT_VALID
    assert accounts.get_user_by_email(user.email) is not None
    assert recipes.count_recipes_owned_by(user.id) == 1
    assert accounts_admin.count_user_tokens(user) == tokens_before
    assert api.get("/api/me", headers=auth).status_code == 200
    assert outbox == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"data": "{not json", "content_type": "application/json"},
        {"data": "[1, 2]", "content_type": "application/json"},
        {"data": '"text"', "content_type": "application/json"},
        {"data": b"\xff\xfe", "content_type": "application/json"},
        {"data": "password=", "content_type": "application/x-www-form-urlencoded"},
    ],
    ids=["no-body", "garbage", "array", "string", "bytes", "empty-form"],
)
def test_a_missing_or_garbled_body_is_a_client_error(api, user, auth, kwargs):
    response = api.delete("/api/me", headers=auth, **kwargs)
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert accounts.get_user_by_email(user.email) is not None


def test_deleting_needs_a_token(api, user):
    response = api.delete("/api/me", json={"password": VALID_PASSWORD})
    assert response.status_code == 401
    assert accounts.get_user_by_email(user.email) is not None


def test_the_deletion_is_one_transaction(api, user, auth, recipe_fixture, monkeypatch):
    from sqlalchemy import event

    from tasty_recipes.accounts import notifier

    recipe_fixture(user)
    monkeypatch.setattr(notifier, "send_enqueued", lambda message: None)  # the commit after
    commits = []

    def count_commit(connection):
        commits.append(connection)

    event.listen(db.engine, "commit", count_commit)
    try:
        response = api.delete("/api/me", headers=auth, json={"password": VALID_PASSWORD})
    finally:
        event.remove(db.engine, "commit", count_commit)
    assert response.status_code == 204
    assert len(commits) == 1  # tokens, user, recipes and the notice together


def test_wrong_passwords_are_rate_limited(limited_app, user_fixture):
    from tasty_recipes.api.auth import issue_token

    user = user_fixture()
    with limited_app.test_request_context():
        headers = bearer(issue_token(user))
    client = limited_app.test_client()
    addresses = [f"10.41.0.{i}" for i in range(1, 60)]
    for address in addresses[: FAILED_LOGIN_PER_ACCOUNT.amount]:
        response = client.delete(
            "/api/me",
            headers=headers,
            json={"password": "wrong password!"},
            environ_base={"REMOTE_ADDR": address},
        )
        assert response.status_code == 422
        assert response.get_json() == NOT_VALID
    # Refused before the password is checked: the right one too, and nothing is deleted.
    response = client.delete(
        "/api/me",
        headers=headers,
        json={"password": VALID_PASSWORD},
        environ_base={"REMOTE_ADDR": addresses[-1]},
    )
    assert response.status_code == 429
    assert accounts.get_user_by_email(user.email) is not None


def test_a_right_password_is_not_counted(limited_app, user_fixture):
    from tasty_recipes.api.auth import issue_token

    users = [user_fixture() for _ in range(FAILED_LOGIN_PER_ACCOUNT.amount + 1)]
    client = limited_app.test_client()
    for user in users:  # one address, more deletions than failed log-ins allowed
        with limited_app.test_request_context():
            headers = bearer(issue_token(user))
        response = client.delete(
            "/api/me",
            headers=headers,
            json={"password": VALID_PASSWORD},
            environ_base={"REMOTE_ADDR": "10.42.0.1"},
        )
        assert response.status_code == 204
