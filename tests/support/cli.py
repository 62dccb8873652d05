"""The flask commands: the real executable, and checking what a command did."""

from __future__ import annotations

import sys
from pathlib import Path

from tasty_recipes.accounts import service as accounts
from tasty_recipes.extensions import db

FLASK = Path(sys.executable).with_name("flask")


def reload_user(email: str):
    """The user as the database has it now (the command ran in its own session)."""
    db.session.expire_all()
    return accounts.get_user_by_email(email)


def assert_success(result) -> None:
    assert result.exception is None, result.output
    assert result.exit_code == 0, result.output


def assert_error(result, message: str) -> None:
    """Exit status 1 and exactly one ``Error: …`` line on standard error, no traceback."""
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"Error: {message}"]
    assert "Traceback" not in result.output
