"""flask users create|list|confirm|promote|demote|set-password|delete."""

from __future__ import annotations

import pytest

from tasty_recipes.accounts import admin as accounts_admin
from tasty_recipes.accounts import service as accounts
from tasty_recipes.accounts import tokens
from tasty_recipes.extensions import db
from tasty_recipes.recipes import service as recipes

from ..support.accounts import VALID_PASSWORD, unique_user_email
from ..support.cli import assert_error, assert_success, reload_user

NEW_PASSWORD = "a brand new password"


# --- users create ---------------------------------------------------------------------------


def test_create_makes_an_unconfirmed_user(app, cli, outbox):
    email = unique_user_email()
    result = cli("users", "create", email, "--password", VALID_PASSWORD)
    assert_success(result)
    assert f"Created user {email}" in result.stdout
    user = reload_user(email)
    assert not user.is_confirmed
    assert not user.is_admin
    assert accounts.get_user_by_email_and_password(email, VALID_PASSWORD) is not None
    assert outbox == []  # the administrator vouches; no email is sent


def test_create_with_confirmed_and_admin(cli):
    email = unique_user_email()
    result = cli("users", "create", email, "--password", VALID_PASSWORD, "--confirmed", "--admin")
    assert_success(result)
    user = reload_user(email)
    assert user.is_confirmed
    assert user.is_admin


def test_create_prompts_for_the_password_twice(cli):
    email = unique_user_email()
    result = cli("users", "create", email, input=f"{VALID_PASSWORD}\n{VALID_PASSWORD}\n")
    assert_success(result)
    assert "Password:" in result.stdout
    assert "Repeat for confirmation:" in result.stdout
    assert VALID_PASSWORD not in result.output  # hidden input is not echoed
    assert accounts.get_user_by_email_and_password(email, VALID_PASSWORD) is not None


def test_create_prompt_asks_again_when_the_two_entries_differ(cli):
    email = unique_user_email()
    answers = f"{VALID_PASSWORD}\nsomething else\n{VALID_PASSWORD}\n{VALID_PASSWORD}\n"
    result = cli("users", "create", email, input=answers)
    assert_success(result)
    assert "do not match" in result.output
    assert accounts.get_user_by_email_and_password(email, VALID_PASSWORD) is not None


def test_create_prompt_without_input_aborts_with_status_1(cli):
    email = unique_user_email()
    result = cli("users", "create", email, input="")
    assert result.exit_code == 1
    assert reload_user(email) is None


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("no-at-sign", VALID_PASSWORD, "email: must have the @ sign and no spaces"),
        ("with space@example.com", VALID_PASSWORD, "email: must have the @ sign and no spaces"),
        ("a" * 160 + "@example.com", VALID_PASSWORD, "email: should be at most 160 character(s)"),
        ("ok@example.com", "too short", "password: should be at least 12 character(s)"),
        ("ok@example.com", "x" * 73, "password: should be at most 72 character(s)"),
        ("ok@example.com", "é" * 40, "password: should be at most 72 byte(s)"),
        (
            "bad",
            "short",
            "email: must have the @ sign and no spaces; password: should be at least 12 character(s)",
        ),
    ],
)
def test_create_rejects_invalid_input_like_the_web(cli, email, password, message):
    result = cli("users", "create", email, "--password", password)
    assert_error(result, message)
    assert accounts.count_users() == 0


def test_create_rejects_a_duplicate_email_case_insensitively(cli, user_fixture):
    user_fixture(email="taken@example.com")
    result = cli("users", "create", "TAKEN@example.com", "--password", VALID_PASSWORD)
    assert_error(result, "email: has already been taken")
    assert accounts.count_users() == 1


# --- users list ------------------------------------------------------------------------------


def test_list_prints_an_aligned_table(cli, user_fixture):
    first = user_fixture(email="first@example.com", confirmed=True)
    second = user_fixture(email="a-much-longer-address@example.com", admin=True)
    result = cli("users", "list")
    assert_success(result)
    header, *lines = result.stdout.splitlines()
    assert header.split() == ["ID", "EMAIL", "CONFIRMED", "ADMIN", "CREATED"]
    assert len(lines) == 2
    assert lines[0].split()[:4] == [str(first.id), "first@example.com", "yes", "no"]
    assert lines[1].split()[:4] == [str(second.id), "a-much-longer-address@example.com", "no", "yes"]
    assert lines[0].split()[4] == first.inserted_at.strftime("%Y-%m-%d")
    columns = [header.index(name) for name in ("EMAIL", "CONFIRMED", "ADMIN", "CREATED")]
    for line in lines:
        for start in columns:
            assert line[start - 1] == " " and line[start] != " "


def test_list_with_no_users(cli):
    result = cli("users", "list")
    assert_success(result)
    assert result.stdout == "No users.\n"


# --- confirm, promote, demote ------------------------------------------------------------------


def test_confirm_marks_the_user_confirmed(cli, user):
    result = cli("users", "confirm", user.email.upper())
    assert_success(result)
    assert result.stdout == f"Confirmed {user.email}.\n"
    assert reload_user(user.email).is_confirmed


def test_confirm_an_already_confirmed_user_is_not_an_error(cli, user_fixture):
    user = user_fixture(confirmed=True)
    result = cli("users", "confirm", user.email)
    assert_success(result)
    assert "already confirmed" in result.stdout


def test_promote_and_demote(cli, user):
    assert_success(cli("users", "promote", user.email))
    assert reload_user(user.email).is_admin
    result = cli("users", "demote", user.email)
    assert_success(result)
    assert result.stdout == f"{user.email} is no longer an admin.\n"
    assert not reload_user(user.email).is_admin


def test_promote_an_admin_again_changes_nothing(cli, user_fixture):
    user = user_fixture(admin=True)
    result = cli("users", "promote", user.email)
    assert_success(result)
    assert "already an admin" in result.stdout


@pytest.mark.parametrize(
    "command",
    [
        ("users", "confirm"),
        ("users", "promote"),
        ("users", "demote"),
        ("users", "set-password"),
        ("users", "delete"),
    ],
)
def test_unknown_email_is_one_error_line(cli, command):
    result = cli(*command, "nobody@example.com")
    assert_error(result, "no user with email 'nobody@example.com'")


# --- set-password ---------------------------------------------------------------------------------


def test_set_password_changes_the_password(cli, user):
    result = cli("users", "set-password", user.email, "--password", NEW_PASSWORD)
    assert_success(result)
    assert accounts.get_user_by_email_and_password(user.email, NEW_PASSWORD) is not None
    assert accounts.get_user_by_email_and_password(user.email, VALID_PASSWORD) is None


def test_set_password_revokes_every_session_and_api_token(cli, user):
    session_token = accounts.generate_user_session_token(user)
    _, api_row = tokens.build_token(user, tokens.API)
    db.session.add(api_row)
    db.session.commit()
    assert accounts.get_user_by_session_token(session_token) is not None
    result = cli("users", "set-password", user.email, "--password", NEW_PASSWORD)
    assert_success(result)
    db.session.expire_all()
    assert accounts.get_user_by_session_token(session_token) is None
    assert accounts_admin.count_user_tokens(user) == 0


def test_set_password_keeps_other_users_sessions(cli, user_fixture):
    target, other = user_fixture(), user_fixture()
    other_token = accounts.generate_user_session_token(other)
    assert_success(cli("users", "set-password", target.email, "--password", NEW_PASSWORD))
    assert accounts.get_user_by_session_token(other_token) is not None


def test_set_password_prompts_twice(cli, user):
    result = cli("users", "set-password", user.email, input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert_success(result)
    assert "Repeat for confirmation:" in result.stdout
    assert NEW_PASSWORD not in result.output
    assert accounts.get_user_by_email_and_password(user.email, NEW_PASSWORD) is not None


def test_set_password_rejects_a_short_password_and_keeps_sessions(cli, user):
    session_token = accounts.generate_user_session_token(user)
    result = cli("users", "set-password", user.email, "--password", "short")
    assert_error(result, "password: should be at least 12 character(s)")
    assert accounts.get_user_by_session_token(session_token) is not None
    assert accounts.get_user_by_email_and_password(user.email, VALID_PASSWORD) is not None


# --- delete -----------------------------------------------------------------------------------------


def _user_with_data(user_fixture, recipes_count=2, sessions=3):
    user = user_fixture()
    for n in range(recipes_count):
        recipes.create_recipe(user, {"name": f"Soup {n}", "description": "Boil it."})
    for _ in range(sessions):
        accounts.generate_user_session_token(user)
    return user


def test_delete_with_yes_deletes_user_recipes_and_tokens(cli, user_fixture):
    user = _user_with_data(user_fixture)
    other = _user_with_data(user_fixture, recipes_count=1, sessions=1)
    result = cli("users", "delete", user.email, "--yes")
    assert_success(result)
    assert result.stdout == f"Deleted user {user.email}, 2 recipe(s) and 3 token(s).\n"
    assert reload_user(user.email) is None
    assert accounts_admin.count_user_tokens(other) == 1
    assert recipes.count_recipes_owned_by(other.id) == 1
    assert accounts.count_users() == 1


def test_delete_asks_for_confirmation(cli, user_fixture):
    user = _user_with_data(user_fixture)
    result = cli("users", "delete", user.email, input="y\n")
    assert_success(result)
    assert f"Delete {user.email} with 2 recipe(s) and 3 token(s)? [y/N]" in result.stdout
    assert reload_user(user.email) is None


@pytest.mark.parametrize("answer", ["n\n", "\n", ""])
def test_delete_answered_no_deletes_nothing(cli, user_fixture, answer):
    user = _user_with_data(user_fixture)
    result = cli("users", "delete", user.email, input=answer)
    assert result.exit_code == 1
    assert "Aborted" in result.output
    assert "Traceback" not in result.output
    assert reload_user(user.email) is not None
    assert accounts_admin.count_user_tokens(user) == 3
    assert recipes.count_recipes_owned_by(user.id) == 2


def test_delete_emails_a_security_notice_to_the_deleted_address(cli, user_fixture, outbox):
    user = _user_with_data(user_fixture)
    assert_success(cli("users", "delete", user.email, "--yes"))
    [notice] = [message for message in outbox if message.subject == "Security notice"]
    assert notice.to == [user.email]
    assert "Your account and its recipes have been deleted." in notice.body
