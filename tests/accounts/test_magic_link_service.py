"""accounts.service's magic links: deliver_login_instructions, get_user_by_magic_link_token,
login_user_by_magic_link (accounts_test.exs of phx.gen.auth 1.8), and their tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tasty_recipes.accounts import service as accounts
from tasty_recipes.accounts import tokens
from tasty_recipes.accounts.models import UserToken
from tasty_recipes.db import utcnow
from tasty_recipes.extensions import db

from ..support.accounts import (
    VALID_PASSWORD,
    change_email_token,
    log_in,
    magic_link_token,
    reset_token,
    unique_user_email,
)
from ..support.committed import committed_tokens, committed_user
from ..support.emails import tokenized_url


def _age_magic_links(minutes: float) -> None:
    db.session.execute(
        update(UserToken)
        .where(UserToken.context == tokens.LOGIN)
        .values(inserted_at=utcnow() - timedelta(minutes=minutes))
    )
    db.session.commit()


def test_deliver_login_instructions_sends_a_token_through_notification(user, outbox):
    token = magic_link_token(user)
    [row] = committed_tokens(user.id)
    assert row["context"] == "login"
    assert row["sent_to"] == user.email
    assert row["token"] == tokens.digest(tokens.decode(token))  # only the SHA-256 is stored
    assert token.encode() not in row["token"]
    assert outbox[-1].subject == "Log in instructions"
    assert outbox[-1].to == [user.email]


def test_deliver_login_instructions_queues_the_email_with_the_token(user):
    from tasty_recipes.mail.models import OutboxMessage

    accounts.deliver_login_instructions(user, tokenized_url)
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.recipient == user.email


def test_each_link_has_its_own_token(user):
    assert magic_link_token(user) != magic_link_token(user)
    assert len(committed_tokens(user.id, "login")) == 2


def test_magic_links_are_valid_for_fifteen_minutes(app):
    assert app.config["MAGIC_LINK_VALIDITY_MINUTES"] == 15
    assert tokens.validity(tokens.LOGIN) == timedelta(minutes=15)


def test_the_validity_follows_the_setting(app, user, monkeypatch):
    monkeypatch.setitem(app.config, "MAGIC_LINK_VALIDITY_MINUTES", 30)
    token = magic_link_token(user)
    _age_magic_links(20)
    assert accounts.get_user_by_magic_link_token(token).id == user.id


def test_get_user_by_magic_link_token_returns_the_user(user):
    token = magic_link_token(user)
    assert accounts.get_user_by_magic_link_token(token).id == user.id
    assert accounts.get_user_by_magic_link_token(token).id == user.id  # not used up
    assert len(committed_tokens(user.id, "login")) == 1


@pytest.mark.parametrize("token", ["oops", "a" * 43, "", None, 42, ["x"], "a" * 5000])
def test_get_user_by_magic_link_token_refuses_garbage(user, token):
    magic_link_token(user)
    assert accounts.get_user_by_magic_link_token(token) is None
    assert accounts.login_user_by_magic_link(token) is None
    assert len(committed_tokens(user.id, "login")) == 1


def test_get_user_by_magic_link_token_refuses_an_expired_token(user):
    token = magic_link_token(user)
    _age_magic_links(16)
    assert accounts.get_user_by_magic_link_token(token) is None
    assert accounts.login_user_by_magic_link(token) is None


def test_a_token_of_another_context_is_not_a_magic_link(user):
    token = reset_token(user)
    assert accounts.get_user_by_magic_link_token(token) is None
    assert accounts.login_user_by_magic_link(token) is None
    assert accounts.get_user_by_reset_password_token(token).id == user.id  # left alone


def test_a_magic_link_is_not_a_token_of_another_context(app, user):
    token = magic_link_token(user)
    assert accounts.get_user_by_reset_password_token(token) is None
    assert accounts.confirm_user(token) is None
    assert accounts.get_user_by_session_token(token) is None


def test_login_user_by_magic_link_uses_the_token_up(user):
    token = magic_link_token(user)
    assert accounts.login_user_by_magic_link(token).id == user.id
    assert committed_tokens(user.id, "login") == []
    assert accounts.login_user_by_magic_link(token) is None


def test_login_user_by_magic_link_confirms_an_unconfirmed_user_and_ends_their_other_tokens(app, user):
    stranger_session = log_in(app.test_client(), user)  # e.g. whoever registered the address
    other_link = magic_link_token(user)
    token = magic_link_token(user)
    assert accounts.login_user_by_magic_link(token).id == user.id
    assert committed_user(user.id)["confirmed_at"] is not None
    assert accounts.get_user_by_session_token(stranger_session) is None
    assert accounts.get_user_by_magic_link_token(other_link) is None
    assert committed_tokens(user.id) == []


def test_login_user_by_magic_link_keeps_a_confirmed_users_sessions(app, user_fixture):
    user = user_fixture(confirmed=True)
    confirmed_at = committed_user(user.id)["confirmed_at"]
    session = log_in(app.test_client(), user)
    assert accounts.login_user_by_magic_link(magic_link_token(user)).id == user.id
    assert committed_user(user.id)["confirmed_at"] == confirmed_at
    assert accounts.get_user_by_session_token(session).id == user.id


def test_the_token_dies_when_the_email_changes(user_fixture):
    user = user_fixture(confirmed=True)
    token = magic_link_token(user)
    change = change_email_token(user, unique_user_email(), VALID_PASSWORD)
    assert accounts.update_user_email(user, change)
    assert accounts.get_user_by_magic_link_token(token) is None
    assert accounts.login_user_by_magic_link(token) is None


def test_the_token_dies_when_the_password_is_reset(user):
    token = magic_link_token(user)
    assert accounts.reset_user_password(reset_token(user), "a new password!") is not None
    assert accounts.login_user_by_magic_link(token) is None


def test_purge_deletes_expired_magic_links_only(app, user):
    live = magic_link_token(user)
    magic_link_token(user)
    newest = db.session.scalars(select(UserToken).where(UserToken.context == tokens.LOGIN)).all()
    stale = next(row for row in newest if row.token != tokens.digest(tokens.decode(live)))
    stale.inserted_at = utcnow() - timedelta(minutes=16)
    db.session.commit()
    assert db.session.execute(tokens.expired()).rowcount == 1
    db.session.commit()
    assert accounts.get_user_by_magic_link_token(live).id == user.id
