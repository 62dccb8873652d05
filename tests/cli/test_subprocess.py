"""The real ``flask --app wsgi …`` executable: exit statuses, streams, never a traceback."""

from __future__ import annotations

from sqlalchemy import func, select

from tasty_recipes.accounts import service as accounts
from tasty_recipes.extensions import db
from tasty_recipes.recipes import service as recipes
from tasty_recipes.recipes.models import Recipe

from ..support.accounts import VALID_PASSWORD, unique_user_email
from ..support.cli import reload_user


def _assert_clean(completed, status: int = 0) -> None:
    assert completed.returncode == status, completed.stderr
    assert "Traceback" not in completed.stdout + completed.stderr


def test_users_create_then_list(flask_process):
    email = unique_user_email()
    created = flask_process("users", "create", email, "--password", VALID_PASSWORD, "--admin")
    _assert_clean(created)
    assert email in created.stdout
    assert reload_user(email).is_admin
    listed = flask_process("users", "list")
    _assert_clean(listed)
    assert listed.stdout.splitlines()[0].split() == ["ID", "EMAIL", "CONFIRMED", "ADMIN", "CREATED"]
    assert email in listed.stdout


def test_users_create_prompts_for_the_password(flask_process):
    email = unique_user_email()
    created = flask_process("users", "create", email, input=f"{VALID_PASSWORD}\n{VALID_PASSWORD}\n")
    _assert_clean(created)
    assert accounts.get_user_by_email_and_password(email, VALID_PASSWORD) is not None


def test_users_delete_yes(flask_process, user):
    recipes.create_recipe(user, {"name": "Soup", "description": "Boil it."})
    deleted = flask_process("users", "delete", user.email, "--yes")
    _assert_clean(deleted)
    assert deleted.stdout == f"Deleted user {user.email}, 1 recipe(s) and 0 token(s).\n"
    assert reload_user(user.email) is None
    assert db.session.scalar(select(func.count()).select_from(Recipe)) == 0


def test_invalid_password_is_one_line_on_stderr_and_status_1(flask_process):
    email = unique_user_email()
    failed = flask_process("users", "create", email, "--password", "short")
    _assert_clean(failed, status=1)
    assert failed.stdout == ""
    assert failed.stderr == "Error: password: should be at least 12 character(s)\n"
    assert reload_user(email) is None


def test_unknown_email_is_one_line_on_stderr_and_status_1(flask_process):
    failed = flask_process("users", "promote", "nobody@example.com")
    _assert_clean(failed, status=1)
    assert failed.stderr == "Error: no user with email 'nobody@example.com'\n"


def test_unmigrated_database_is_one_line_not_a_traceback(flask_process, tmp_path):
    failed = flask_process("users", "list", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    _assert_clean(failed, status=1)
    assert len(failed.stderr.splitlines()) == 1
    assert failed.stderr.startswith("Error: the database failed (OperationalError)")
