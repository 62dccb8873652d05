"""flask tokens purge: expired tokens of every context go, live ones stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tasty_recipes.accounts import service as accounts
from tasty_recipes.accounts import tokens
from tasty_recipes.accounts.models import UserToken
from tasty_recipes.db import utcnow
from tasty_recipes.extensions import db

from ..support.cli import assert_success

# context -> validity, as and the JWT lifetime (7 days) set them
VALIDITY = {
    tokens.SESSION: timedelta(days=60),
    tokens.CONFIRM: timedelta(days=7),
    tokens.RESET: timedelta(days=1),
    tokens.CHANGE_EMAIL_PREFIX + "old@example.com": timedelta(days=7),
    tokens.API: timedelta(days=7),
}


def _token_aged(user, context: str, age: timedelta) -> None:
    """A token row inserted ``age`` ago (the services always stamp "now")."""
    _, row = tokens.build_token(user, context, sent_to=user.email)
    row.inserted_at = utcnow() - age
    db.session.add(row)
    db.session.commit()


def _contexts_left() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(UserToken.context)))


@pytest.mark.parametrize("context", list(VALIDITY))
def test_purge_deletes_expired_and_keeps_live_tokens(cli, user, context):
    validity = VALIDITY[context]
    _token_aged(user, context, validity + timedelta(minutes=1))
    _token_aged(user, context, validity - timedelta(hours=1))
    result = cli("tokens", "purge")
    assert_success(result)
    assert result.stdout == "Deleted 1 expired token(s).\n"
    assert _contexts_left() == [context]


def test_purge_counts_expired_tokens_of_every_user_and_context(cli, user_fixture):
    first, second = user_fixture(), user_fixture()
    for user in (first, second):
        for context, validity in VALIDITY.items():
            _token_aged(user, context, validity + timedelta(days=1))
    live_session = accounts.generate_user_session_token(first)
    result = cli("tokens", "purge")
    assert_success(result)
    assert result.stdout == f"Deleted {2 * len(VALIDITY)} expired token(s).\n"
    assert _contexts_left() == [tokens.SESSION]
    assert accounts.get_user_by_session_token(live_session) is not None


def test_purge_deletes_magic_links_after_fifteen_minutes(cli, user):
    _token_aged(user, tokens.LOGIN, timedelta(minutes=16))
    _token_aged(user, tokens.LOGIN, timedelta(minutes=14))
    result = cli("tokens", "purge")
    assert_success(result)
    assert result.stdout == "Deleted 1 expired token(s).\n"
    assert _contexts_left() == [tokens.LOGIN]


def test_purge_keeps_tokens_of_an_unknown_context(cli, user):
    _token_aged(user, "something-new", timedelta(days=400))
    assert_success(cli("tokens", "purge"))
    assert _contexts_left() == ["something-new"]


def test_purge_with_nothing_to_delete(cli):
    result = cli("tokens", "purge")
    assert_success(result)
    assert result.stdout == "Deleted 0 expired token(s).\n"
    assert db.session.scalar(select(func.count()).select_from(UserToken)) == 0


def test_idempotency_keys_purge_deletes_only_expired_keys(app, cli):
    from datetime import timedelta

    from tasty_recipes.db import utcnow
    from tasty_recipes.extensions import db
    from tasty_recipes.idempotency.models import IdempotencyKey

    for age in (timedelta(hours=25), timedelta(hours=1)):
        db.session.add(
            IdempotencyKey(
                scope="POST /api/sign_up", key=f"key-{age}", fingerprint="f", inserted_at=utcnow() - age
            )
        )
    db.session.commit()
    result = cli("idempotency-keys", "purge")
    assert result.exit_code == 0, result.output
    assert result.output == "Deleted 1 expired idempotency key(s).\n"
    assert db.session.query(IdempotencyKey).count() == 1
