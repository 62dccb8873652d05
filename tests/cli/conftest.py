"""CLI fixtures: Flask's CLI runner in-process, and the real ``flask`` executable."""

from __future__ import annotations

import os
import subprocess

import pytest

from ..support.cli import FLASK
from ..support.live_server import ROOT


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
        environment = {**os.environ, "DATABASE_URL": database_url, "TASTY_ENV": "testing", **(env or {})}
        return subprocess.run(
            [str(FLASK), "--app", "wsgi", *args],
            cwd=ROOT,
            env=environment,
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run
