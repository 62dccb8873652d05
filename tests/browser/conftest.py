"""Browser tests: Debian's Chromium through Playwright, against a real gunicorn on 127.0.0.1.

The server uses this worker's test database (SQLite or PostgreSQL, like the rest
of the suite) and the console mail backend, so confirmation emails land in its
log file, where the tests read the links.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from ..support.live_server import LiveServer

# Screenshots for people to look at; nothing reads them back.
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR", "/tmp/shots"))  # noqa: S108


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Never `playwright install`: drive the Chromium Debian ships.
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "headless": True,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]}


@pytest.fixture(scope="session")
def live_server(_migrated_app, database_url, tmp_path_factory):
    with LiveServer(database_url, tmp_path_factory.mktemp("live") / "gunicorn.log") as server:
        yield server


@pytest.fixture()
def server(app, live_server):
    """The live server, for one test; ``app`` empties the database afterwards."""
    return live_server


@pytest.fixture()
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def confirmation_link(server: LiveServer, email: str, timeout: float = 10) -> str:
    """The link of the last confirmation email to ``email`` printed by the server."""
    pattern = re.compile(rf"Hi {re.escape(email)},.*?^(http\S+/users/confirm/[A-Za-z0-9_-]+)\s*$",
                         re.S | re.M)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = pattern.findall(server.log())
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no confirmation email for {email} in the server log:\n{server.log()}")
