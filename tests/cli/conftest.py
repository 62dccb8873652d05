"""CLI fixtures: Flask's CLI runner in-process, and the real ``flask`` executable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tasty_recipes.accounts import service as accounts
from tasty_recipes.extensions import db

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")


@pytest.fixture()
def cli(app):
    """Run ``flask ARGS…`` in-process; ``input`` feeds the prompts."""
    runner = app.test_cli_runner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(args=list(args), input=input)

    return invoke


@pytest.fixture()
def flask_process(app, database_url):
    """Run the real ``flask --app wsgi ARGS…`` against the test database."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        environment = {**os.environ, "DATABASE_URL": database_url, "TASTY_ENV": "testing",
                       **(env or {})}
        return subprocess.run([str(FLASK), "--app", "wsgi", *args], cwd=ROOT, env=environment,
                              input=input, capture_output=True, text=True, timeout=120,
                              check=False)

    return run


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
