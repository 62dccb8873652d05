"""Rate limits shared between processes through Redis (RATELIMIT_STORAGE_URI)."""

import os

import pytest

from ..support.http import Browser
from ..support.live_server import LiveServer

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL and os.environ.get("REQUIRE_POSTGRES") != "1",
                    reason="set TEST_REDIS_URL (CI does) to test shared storage")
def test_two_worker_processes_share_failed_login_counts(app, database_url, tmp_path):
    assert REDIS_URL, "CI must set TEST_REDIS_URL"
    from limits.storage import storage_from_string

    storage = storage_from_string(REDIS_URL)
    storage.reset()
    env = {"RATELIMIT_ENABLED": "true", "RATELIMIT_STORAGE_URI": REDIS_URL}
    with LiveServer(database_url, tmp_path / "gunicorn.log", workers=2, threads=1, **env) as server:
        statuses = []
        for _ in range(12):
            browser = Browser(server.url)  # a new connection each time: both workers serve
            statuses.append(browser.submit("/users/log_in", {
                "email": "victim@example.com", "password": "wrong password!"}).status)
    storage.reset()
    # With per-process memory counters two workers would allow up to 20 failures.
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]
