"""The accounts context (phx.gen.auth's accounts_test.exs, adapted to this app)."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy.exc import IntegrityError

from tasty_recipes.accounts import service as accounts
from tasty_recipes.accounts import tokens
from tasty_recipes.accounts.forms import ChangeEmailForm, ChangePasswordForm, RegistrationForm
from tasty_recipes.accounts.models import UserToken
from tasty_recipes.exceptions import NotFound, ValidationError
from tasty_recipes.extensions import db

from ..support.accounts import (
    VALID_PASSWORD,
    change_email_token,
    confirmation_token,
    reset_token,
    unique_user_email,
)
from ..support.committed import age_tokens, committed_state, committed_tokens, committed_user
from ..support.emails import change_email_url, confirm_url, token_in_link

NEW_PASSWORD = "new valid password"


def errors_of(call, *args) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        call(*args)
    return info.value.fields


# --- get_user_by_email ---------------------------------------------------------------


def test_get_user_by_email_does_not_return_the_user_if_the_email_does_not_exist(app):
    assert accounts.get_user_by_email("unknown@example.com") is None


def test_get_user_by_email_returns_the_user_if_the_email_exists(user):
    assert accounts.get_user_by_email(user.email).id == user.id


# --- get_user_by_email_and_password --------------------------------------------------------


def test_get_user_by_email_and_password_does_not_return_the_user_if_the_email_does_not_exist(app):
    assert accounts.get_user_by_email_and_password("unknown@example.com", VALID_PASSWORD) is None


def test_get_user_by_email_and_password_does_not_return_the_user_if_the_password_is_not_valid(user):
    assert accounts.get_user_by_email_and_password(user.email, "invalid password") is None


def test_get_user_by_email_and_password_returns_the_user_if_the_email_and_password_are_valid(user):
    assert accounts.get_user_by_email_and_password(user.email, VALID_PASSWORD).id == user.id


# --- get_user ----------------------------------------------------------------------------

UNKNOWN_ID = "7d3b7c52-58a8-4f0e-9c55-0b0c0c3e1f00"


@pytest.mark.parametrize("user_id", [uuid.UUID(UNKNOWN_ID), UNKNOWN_ID, "not-a-uuid", "", None, 42])
def test_get_user_raises_if_id_is_invalid(app, user_id):
    with pytest.raises(NotFound):
        accounts.get_user(user_id)


def test_get_user_returns_the_user_with_the_given_id(user):
    assert accounts.get_user(user.id).email == user.email
    assert accounts.get_user(str(user.id)).id == user.id


# --- register_user -----------------------------------------------------------------------


def test_register_user_requires_email_and_password_to_be_set(app):
    errors = errors_of(accounts.register_user, None, None)
    assert errors["email"] == ["can't be blank"]
    assert errors["password"] == ["can't be blank"]
    assert accounts.count_users() == 0


def test_register_user_validates_email_and_password_when_given(app):
    errors = errors_of(accounts.register_user, "not valid", "not valid")
    assert errors["email"] == ["must have the @ sign and no spaces"]
    assert errors["password"] == ["should be at least 12 character(s)"]


def test_register_user_validates_maximum_values_for_email_and_password_for_security(app):
    too_long = "db" * 100
    errors = errors_of(accounts.register_user, too_long, too_long)
    assert "should be at most 160 character(s)" in errors["email"]
    assert "should be at most 72 character(s)" in errors["password"]


def test_register_user_validates_email_uniqueness(user):
    assert errors_of(accounts.register_user, user.email, VALID_PASSWORD)["email"] == [
        "has already been taken"
    ]
    assert errors_of(accounts.register_user, user.email.upper(), VALID_PASSWORD)["email"] == [
        "has already been taken"
    ]
    assert accounts.count_users() == 1


def test_register_user_registers_users_with_a_hashed_password(app):
    email = unique_user_email()
    user = accounts.register_user(email, VALID_PASSWORD)
    row = committed_user(user.id)
    assert row["email"] == email
    assert row["hashed_password"].startswith("$2b$")
    assert row["hashed_password"] != VALID_PASSWORD
    assert row["confirmed_at"] is None
    assert row["is_admin"] is False
    assert not hasattr(user, "password")


def test_register_user_stores_the_email_as_typed(app):
    user = accounts.register_user("Mixed.Case@Example.COM", VALID_PASSWORD)
    assert committed_user(user.id)["email"] == "Mixed.Case@Example.COM"


# --- forms (phx.gen.auth's change_user_* changesets) ---------------------------------------


def test_registration_form_has_email_and_password_fields(app):
    with app.test_request_context():
        assert set(RegistrationForm()._fields) == {"email", "password"}


def test_change_email_form_has_email_and_current_password_fields(app):
    with app.test_request_context():
        assert set(ChangeEmailForm()._fields) == {"action", "email", "current_password"}


def test_change_password_form_has_password_fields(app):
    with app.test_request_context():
        assert set(ChangePasswordForm()._fields) == {
            "action",
            "password",
            "password_confirmation",
            "current_password",
        }


def test_registered_user_keeps_no_plain_password(app):
    user = accounts.register_user(unique_user_email(), VALID_PASSWORD)
    assert VALID_PASSWORD not in repr(vars(user))
    assert VALID_PASSWORD not in committed_user(user.id).values()


# --- request_email_change (apply_user_email + deliver_update_email_instructions) -------------


def test_request_email_change_requires_email_to_change(user, outbox):
    errors = errors_of(accounts.request_email_change, user, VALID_PASSWORD, user.email, change_email_url)
    assert errors["email"] == ["did not change"]
    assert outbox == []


def test_request_email_change_requires_an_email(user):
    errors = errors_of(accounts.request_email_change, user, VALID_PASSWORD, None, change_email_url)
    assert errors["email"] == ["can't be blank"]


def test_request_email_change_validates_email(user):
    errors = errors_of(accounts.request_email_change, user, VALID_PASSWORD, "not valid", change_email_url)
    assert errors["email"] == ["must have the @ sign and no spaces"]


def test_request_email_change_validates_maximum_value_for_email_for_security(user):
    errors = errors_of(accounts.request_email_change, user, VALID_PASSWORD, "db" * 100, change_email_url)
    assert "should be at most 160 character(s)" in errors["email"]


def test_request_email_change_validates_email_uniqueness(user, user_fixture):
    other = user_fixture()
    errors = errors_of(
        accounts.request_email_change, user, VALID_PASSWORD, other.email.upper(), change_email_url
    )
    assert errors["email"] == ["has already been taken"]


def test_request_email_change_validates_current_password(user, outbox):
    errors = errors_of(accounts.request_email_change, user, "invalid", unique_user_email(), change_email_url)
    assert errors["current_password"] == ["is not valid"]
    assert committed_tokens(user.id) == []
    assert outbox == []


def test_request_email_change_applies_the_email_without_persisting_it(user):
    old_email = user.email
    email = unique_user_email()
    assert accounts.request_email_change(user, VALID_PASSWORD, email, change_email_url) == email
    db.session.expire_all()
    assert accounts.get_user(user.id).email != email
    assert committed_user(user.id)["email"] == old_email
    assert accounts.get_user_by_email(email) is None


def test_request_email_change_sends_token_through_notification(user, outbox):
    new_email = unique_user_email()
    token = change_email_token(user, new_email, VALID_PASSWORD)
    assert outbox[-1].to == [new_email]
    assert outbox[-1].subject == "Update email instructions"
    [row] = committed_tokens(user.id)
    assert row["token"] == hashlib.sha256(tokens.decode(token)).digest()
    assert row["sent_to"] == new_email
    assert row["context"] == f"change:{user.email}"


# --- update_user_email -------------------------------------------------------------------


@pytest.fixture()
def email_change(user):
    new_email = unique_user_email()
    return new_email, change_email_token(user, new_email, VALID_PASSWORD)


def test_update_user_email_updates_the_email_with_a_valid_token(user, email_change):
    new_email, token = email_change
    old_email = user.email
    assert accounts.update_user_email(user, token) is True
    row = committed_user(user.id)
    assert row["email"] == new_email
    assert row["confirmed_at"] is not None
    assert accounts.get_user_by_email(old_email) is None
    assert committed_tokens(user.id) == []


def test_update_user_email_sets_a_new_confirmed_at_for_a_confirmed_user(user_fixture):
    user = user_fixture(confirmed=True)
    before = committed_user(user.id)["confirmed_at"]
    token = change_email_token(user, unique_user_email(), VALID_PASSWORD)
    assert accounts.update_user_email(user, token)
    assert committed_user(user.id)["confirmed_at"] > before


@pytest.mark.parametrize("token", ["oops", "", "a" * 43, "a" * 500])
def test_update_user_email_does_not_update_email_with_invalid_token(user, email_change, token):
    old_email = user.email
    assert accounts.update_user_email(user, token) is False
    assert committed_user(user.id)["email"] == old_email
    assert len(committed_tokens(user.id)) == 1


def test_update_user_email_does_not_update_email_if_user_email_changed(user, email_change):
    _, token = email_change
    user.email = "current@example.com"  # the context no longer matches (not persisted)
    assert accounts.update_user_email(user, token) is False
    db.session.rollback()
    assert len(committed_tokens(user.id)) == 1


def test_update_user_email_does_not_update_email_if_token_expired(user, email_change):
    old_email = user.email
    _, token = email_change
    age_tokens(8)
    assert accounts.update_user_email(user, token) is False
    assert committed_user(user.id)["email"] == old_email
    assert len(committed_tokens(user.id)) == 1


def test_update_user_email_does_not_update_another_users_email(user, user_fixture, email_change):
    old_email = user.email
    _, token = email_change
    other = user_fixture()
    assert accounts.update_user_email(other, token) is False
    assert committed_user(user.id)["email"] == old_email


def test_update_user_email_fails_if_the_new_email_was_taken_meanwhile(user, user_fixture, email_change):
    old_email = user.email
    new_email, token = email_change
    user_fixture(email=new_email)
    assert accounts.update_user_email(user, token) is False
    assert committed_user(user.id)["email"] == old_email


# --- update_user_password ---------------------------------------------------------------


def test_update_user_password_validates_password(user):
    errors = errors_of(accounts.update_user_password, user, VALID_PASSWORD, "not valid", "another")
    assert errors["password"] == ["should be at least 12 character(s)"]
    assert errors["password_confirmation"] == ["does not match password"]


def test_update_user_password_validates_maximum_values_for_password_for_security(user):
    errors = errors_of(accounts.update_user_password, user, VALID_PASSWORD, "db" * 100)
    assert "should be at most 72 character(s)" in errors["password"]


def test_update_user_password_validates_current_password(user):
    errors = errors_of(accounts.update_user_password, user, "invalid", VALID_PASSWORD)
    assert errors["current_password"] == ["is not valid"]


def test_update_user_password_updates_the_password(user):
    accounts.update_user_password(user, VALID_PASSWORD, NEW_PASSWORD)
    assert accounts.get_user_by_email_and_password(user.email, NEW_PASSWORD).id == user.id
    assert accounts.get_user_by_email_and_password(user.email, VALID_PASSWORD) is None


def test_update_user_password_deletes_all_tokens_for_the_given_user(user):
    accounts.generate_user_session_token(user)
    confirmation_token(user)
    reset_token(user)
    accounts.update_user_password(user, VALID_PASSWORD, NEW_PASSWORD)
    assert committed_tokens(user.id) == []


def test_update_user_password_keeps_other_users_tokens(user, user_fixture):
    other = user_fixture()
    accounts.generate_user_session_token(other)
    accounts.update_user_password(user, VALID_PASSWORD, NEW_PASSWORD)
    assert len(committed_tokens(other.id)) == 1


def test_update_user_password_with_errors_changes_nothing(user):
    accounts.generate_user_session_token(user)
    before = committed_state()
    with pytest.raises(ValidationError):
        accounts.update_user_password(user, "invalid", NEW_PASSWORD)
    assert committed_state() == before


# --- session tokens ---------------------------------------------------------------------


def test_generate_user_session_token_generates_a_token(user):
    token = accounts.generate_user_session_token(user)
    [row] = committed_tokens(user.id)
    assert row["context"] == "session"
    assert row["sent_to"] is None
    # Stored as SHA-256, never raw (a database copy hands out no sessions).
    assert row["token"] == hashlib.sha256(tokens.decode(token)).digest()
    assert row["token"] != tokens.decode(token)


def test_session_tokens_are_unique_per_context(user, user_fixture):
    accounts.generate_user_session_token(user)
    [row] = committed_tokens(user.id)
    other = user_fixture()
    db.session.add(UserToken(user_id=other.id, token=row["token"], context="session"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_get_user_by_session_token_returns_user_by_token(user):
    token = accounts.generate_user_session_token(user)
    assert accounts.get_user_by_session_token(token).id == user.id


@pytest.mark.parametrize("token", ["oops", "", None, "a" * 43, "!" * 43, "a" * 1000, 123])
def test_get_user_by_session_token_does_not_return_user_for_invalid_token(user, token):
    accounts.generate_user_session_token(user)
    assert accounts.get_user_by_session_token(token) is None


def test_get_user_by_session_token_does_not_return_user_for_expired_token(user):
    token = accounts.generate_user_session_token(user)
    age_tokens(61)
    assert accounts.get_user_by_session_token(token) is None


def test_get_user_by_session_token_still_returns_user_just_before_expiry(user):
    token = accounts.generate_user_session_token(user)
    age_tokens(59)
    assert accounts.get_user_by_session_token(token).id == user.id


def test_session_token_is_not_an_email_token(user):
    token = confirmation_token(user)
    assert accounts.get_user_by_session_token(token) is None


def test_delete_session_token_deletes_the_token(user):
    token = accounts.generate_user_session_token(user)
    other = accounts.generate_user_session_token(user)
    accounts.delete_session_token(token)
    assert accounts.get_user_by_session_token(token) is None
    assert accounts.get_user_by_session_token(other).id == user.id
    assert len(committed_tokens(user.id)) == 1


@pytest.mark.parametrize("token", ["oops", None, "", "a" * 43])
def test_delete_session_token_ignores_unknown_tokens(user, token):
    accounts.generate_user_session_token(user)
    accounts.delete_session_token(token)
    assert len(committed_tokens(user.id)) == 1


# --- confirmation ----------------------------------------------------------------------


def test_deliver_user_confirmation_instructions_sends_token_through_notification(user, outbox):
    token = confirmation_token(user)
    assert outbox[-1].to == [user.email]
    assert outbox[-1].subject == "Confirmation instructions"
    [row] = committed_tokens(user.id)
    assert row["token"] == hashlib.sha256(tokens.decode(token)).digest()
    assert row["sent_to"] == user.email
    assert row["context"] == "confirm"


def test_deliver_user_confirmation_instructions_does_nothing_if_already_confirmed(user_fixture, outbox):
    user = user_fixture(confirmed=True)
    assert accounts.deliver_user_confirmation_instructions(user, confirm_url) is False
    assert outbox == []
    assert committed_tokens(user.id) == []


def test_confirm_user_confirms_the_email_with_a_valid_token(user):
    token = confirmation_token(user)
    assert accounts.confirm_user(token).id == user.id
    assert committed_user(user.id)["confirmed_at"] is not None
    assert committed_tokens(user.id) == []


def test_confirm_user_keeps_session_tokens(user):
    session = accounts.generate_user_session_token(user)
    accounts.confirm_user(confirmation_token(user))
    assert accounts.get_user_by_session_token(session).id == user.id


@pytest.mark.parametrize("token", ["oops", "", "a" * 43, "*" * 43, "a" * 300])
def test_confirm_user_does_not_confirm_with_invalid_token(user, token):
    confirmation_token(user)
    assert accounts.confirm_user(token) is None
    assert committed_user(user.id)["confirmed_at"] is None
    assert len(committed_tokens(user.id)) == 1


def test_confirm_user_does_not_confirm_email_if_token_expired(user):
    token = confirmation_token(user)
    age_tokens(8)
    assert accounts.confirm_user(token) is None
    assert committed_user(user.id)["confirmed_at"] is None
    assert len(committed_tokens(user.id)) == 1


def test_confirm_user_works_only_once(user):
    token = confirmation_token(user)
    assert accounts.confirm_user(token) is not None
    assert accounts.confirm_user(token) is None


def test_confirm_user_does_not_confirm_after_the_email_changed(user):
    token = confirmation_token(user)
    change = change_email_token(user, unique_user_email(), VALID_PASSWORD)
    assert accounts.update_user_email(user, change)
    confirmed_at = committed_user(user.id)["confirmed_at"]
    assert accounts.confirm_user(token) is None
    assert committed_user(user.id)["confirmed_at"] == confirmed_at


# --- reset password -----------------------------------------------------------------------


def test_deliver_user_reset_password_instructions_sends_token_through_notification(user, outbox):
    token = reset_token(user)
    assert outbox[-1].to == [user.email]
    assert outbox[-1].subject == "Reset password instructions"
    [row] = committed_tokens(user.id)
    assert row["token"] == hashlib.sha256(tokens.decode(token)).digest()
    assert row["sent_to"] == user.email
    assert row["context"] == "reset_password"


def test_get_user_by_reset_password_token_returns_the_user_with_valid_token(user):
    token = reset_token(user)
    assert accounts.get_user_by_reset_password_token(token).id == user.id
    assert len(committed_tokens(user.id, "reset_password")) == 1


@pytest.mark.parametrize("token", ["oops", "", "a" * 43, "a" * 300])
def test_get_user_by_reset_password_token_does_not_return_the_user_with_invalid_token(user, token):
    reset_token(user)
    assert accounts.get_user_by_reset_password_token(token) is None
    assert len(committed_tokens(user.id, "reset_password")) == 1


def test_get_user_by_reset_password_token_does_not_return_the_user_if_token_expired(user):
    token = reset_token(user)
    age_tokens(1.01)
    assert accounts.get_user_by_reset_password_token(token) is None


def test_reset_token_is_not_a_confirm_token(user):
    token = reset_token(user)
    assert accounts.confirm_user(token) is None
    assert committed_user(user.id)["confirmed_at"] is None


def test_reset_user_password_validates_password(user):
    token = reset_token(user)
    errors = errors_of(accounts.reset_user_password, token, "not valid", "another")
    assert errors["password"] == ["should be at least 12 character(s)"]
    assert errors["password_confirmation"] == ["does not match password"]
    assert len(committed_tokens(user.id)) == 1


def test_reset_user_password_validates_maximum_values_for_password_for_security(user):
    token = reset_token(user)
    errors = errors_of(accounts.reset_user_password, token, "db" * 100)
    assert "should be at most 72 character(s)" in errors["password"]


def test_reset_user_password_updates_the_password(user):
    token = reset_token(user)
    assert accounts.reset_user_password(token, NEW_PASSWORD).id == user.id
    assert accounts.get_user_by_email_and_password(user.email, NEW_PASSWORD).id == user.id


def test_reset_user_password_deletes_all_tokens_for_the_given_user(user):
    accounts.generate_user_session_token(user)
    confirmation_token(user)
    token = reset_token(user)
    accounts.reset_user_password(token, NEW_PASSWORD)
    assert committed_tokens(user.id) == []


def test_reset_user_password_with_invalid_token_changes_nothing(user):
    reset_token(user)
    before = committed_state()
    assert accounts.reset_user_password("oops", NEW_PASSWORD) is None
    assert committed_state() == before


def test_reset_token_dies_when_the_email_changes(user):
    token = reset_token(user)
    change = change_email_token(user, unique_user_email(), VALID_PASSWORD)
    assert accounts.update_user_email(user, change)
    assert accounts.get_user_by_reset_password_token(token) is None


# --- inspect -------------------------------------------------------------------------------


def test_repr_does_not_include_password(user):
    text = repr(user)
    assert user.hashed_password not in text
    assert VALID_PASSWORD not in text
    assert "hashed_password" not in text


def test_email_links_are_absolute_urls_with_the_token_alone_on_their_line(user, outbox):
    made = []  # the tokens the service passed to make_url

    def make_url(token: str) -> str:
        made.append(token)
        return confirm_url(token)

    assert accounts.deliver_user_confirmation_instructions(user, make_url)
    [token] = made
    assert f"\n{confirm_url(token)}\n" in outbox[-1].body
    assert token_in_link(outbox[-1].body) == token
    assert len(token) == 43 and "=" not in token
