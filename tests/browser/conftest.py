"""Browser tests: Debian's Chromium through Playwright, against a real gunicorn on 127.0.0.1.

The server uses this worker's test database (SQLite or PostgreSQL, like the rest
of the suite) and the console mail backend, so confirmation emails land in its
log file, where the tests read the links.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ..support.live_server import LiveServer


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Never `playwright install`: drive the Chromium Debian ships.
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


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
    """Where to save screenshots for people to look at; nothing reads them back."""
    folder = Path(os.environ.get("SCREENSHOTS_DIR", "/tmp/shots"))  # noqa: S108
    folder.mkdir(parents=True, exist_ok=True)
    return folder
