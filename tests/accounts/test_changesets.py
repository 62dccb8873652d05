"""The accounts context's named rules, which the web's service and the CLI's admin share."""

from __future__ import annotations

import pytest

from tasty_recipes.accounts import changesets, tokens
from tasty_recipes.accounts.models import UserToken
from tasty_recipes.extensions import db
from tasty_recipes.validation import Errors

from ..support.accounts import VALID_PASSWORD


def test_email_changeset_normalises_and_finds_a_taken_address(app, user):
    errors = Errors()
    assert changesets.email_changeset(errors, "  New@Example.com ") == "New@Example.com"
    assert not errors.fields
    changesets.email_changeset(errors, user.email.upper())
    assert errors.fields == {"email": ["has already been taken"]}


def test_email_changeset_lets_a_user_keep_their_own_address(app, user):
    errors = Errors()
    assert changesets.email_changeset(errors, user.email, current=user) == user.email
    assert not errors.fields


@pytest.mark.parametrize(
    ("password", "confirmation", "fields"),
    [
        ("short", None, {"password": ["should be at least 12 character(s)"]}),
        ("é" * 40, None, {"password": ["should be at most 72 byte(s)"]}),
        (VALID_PASSWORD, "other", {"password_confirmation": ["does not match password"]}),
        (VALID_PASSWORD, None, {}),
    ],
)
def test_password_changeset(password, confirmation, fields):
    errors = Errors()
    changesets.password_changeset(errors, password, confirmation)
    assert errors.fields == fields


def test_validate_current_password(app, user):
    errors = Errors()
    changesets.validate_current_password(errors, user, VALID_PASSWORD)
    assert not errors.fields
    changesets.validate_current_password(errors, user, "not the password")
    assert errors.fields == {"current_password": ["is not valid"]}


def test_put_password_and_revoke_all_deletes_every_token_in_the_callers_transaction(app, user):
    for context in (tokens.SESSION, tokens.CONFIRM, tokens.API):
        db.session.add(tokens.build_token(user, context)[1])
    db.session.commit()
    changesets.put_password_and_revoke_all(user, "a new password!")
    db.session.rollback()  # nothing was committed: the tokens are all still there
    assert db.session.query(UserToken).count() == 3
    changesets.put_password_and_revoke_all(user, "a new password!")
    db.session.commit()
    assert db.session.query(UserToken).count() == 0


def test_token_queries_delete_only_what_they_name(app, user, user_fixture):
    other = user_fixture()
    for owner in (user, other):
        for context in (tokens.SESSION, tokens.CONFIRM):
            db.session.add(tokens.build_token(owner, context)[1])
    db.session.commit()
    assert db.session.execute(tokens.by_user_and_contexts(user.id, [tokens.CONFIRM])).rowcount == 1
    row = db.session.query(UserToken).filter_by(user_id=user.id).one()
    assert db.session.execute(tokens.by_token_and_context(row.token, tokens.CONFIRM)).rowcount == 0
    assert db.session.execute(tokens.by_token_and_context(row.token, tokens.SESSION)).rowcount == 1
    assert db.session.execute(tokens.by_user_and_contexts(other.id)).rowcount == 2
