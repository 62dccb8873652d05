"""Rate limits shared between processes through Redis: two gunicorn workers, one count.

Each test runs a real gunicorn with two sync workers and sends part of its
requests to one worker and the rest to the other (``on_each_worker``). With
per-process memory counters each worker would allow the full limit again.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import socket
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tasty_recipes.ratelimits import (
    FAILED_LOGIN_PER_ACCOUNT,
    LOGIN_PER_ACCOUNT,
    SENSITIVE_POST_PER_ADDRESS,
)

from ..support.accounts import VALID_PASSWORD, unique_user_email
from ..support.http import Browser
from ..support.live_server import LiveServer

REDIS_URL = os.environ.get("TEST_REDIS_URL")
WRONG = "wrong password!"

pytestmark = pytest.mark.skipif(
    not REDIS_URL and os.environ.get("REQUIRE_POSTGRES") != "1",
    reason="set TEST_REDIS_URL (CI does) to test shared storage",
)


@pytest.fixture()
def redis_storage():
    """The Redis counters, emptied, and held by this test alone.

    Every test here counts from 127.0.0.1 in the same Redis database, and test
    workers run in parallel: a file lock keeps them from counting (or resetting)
    at the same time.
    """
    assert REDIS_URL, "CI must set TEST_REDIS_URL"
    from limits.storage import storage_from_string

    lock_name = "tasty-ratelimits-" + hashlib.sha256(REDIS_URL.encode()).hexdigest()[:16] + ".lock"
    with (Path(tempfile.gettempdir()) / lock_name).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        storage = storage_from_string(REDIS_URL)
        storage.reset()
        try:
            yield storage
        finally:
            storage.reset()
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture()
def server(app, database_url, tmp_path, redis_storage):
    env = {"RATELIMIT_ENABLED": "true", "RATELIMIT_STORAGE_URI": REDIS_URL}
    with LiveServer(
        database_url, tmp_path / "gunicorn.log", workers=2, threads=1, worker_class="sync", **env
    ) as live:
        yield live


@contextlib.contextmanager
def _hold_a_worker(server: LiveServer):
    """Keep one free sync worker busy on a request whose headers never end."""
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line
        time.sleep(0.3)  # long enough for a worker to accept it
        yield


def on_each_worker(server: LiveServer, first, second):
    """``first()`` served by one worker of a two-worker sync gunicorn, then ``second()`` by the other.

    A sync worker serves one connection at a time: while worker A is held,
    ``first`` can only reach worker B; then B is held and A released, so
    ``second`` reaches A. Returns both results.
    """
    with contextlib.ExitStack() as hold_b:
        with _hold_a_worker(server):
            first_result = first()
            hold_b.enter_context(_hold_a_worker(server))
        second_result = second()
    return first_result, second_result


def post_json(url: str, body: dict) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_two_worker_processes_share_failed_login_counts(server):
    def fail(times):
        return lambda: [
            Browser(server.url)
            .submit("/users/log_in", {"email": "victim@example.com", "password": WRONG})
            .status
            for _ in range(times)
        ]

    half = FAILED_LOGIN_PER_ACCOUNT.amount // 2
    first, second = on_each_worker(server, fail(half), fail(half + 2))
    assert first + second == [200] * FAILED_LOGIN_PER_ACCOUNT.amount + [429, 429]


def test_failed_logins_over_html_and_api_share_one_count_across_workers(server, user_fixture):
    user = user_fixture()

    def fail_html_and_api():
        api = post_json(server.url + "/api/sign_in", {"user": {"email": user.email, "password": WRONG}})
        html = Browser(server.url).submit("/users/log_in", {"email": user.email, "password": WRONG})
        return [api, html.status]

    def fail(pairs):
        return lambda: [status for _ in range(pairs) for status in fail_html_and_api()]

    def right_password():
        return [
            post_json(server.url + "/api/sign_in", {"email": user.email, "password": VALID_PASSWORD}),
            Browser(server.url)
            .submit("/users/log_in", {"email": user.email, "password": VALID_PASSWORD})
            .status,
        ]

    quarter = FAILED_LOGIN_PER_ACCOUNT.amount // 4
    rest = FAILED_LOGIN_PER_ACCOUNT.amount // 2 - quarter
    first, second = on_each_worker(server, fail(quarter), lambda: fail(rest)() + right_password())
    assert first + second == [401, 200] * (FAILED_LOGIN_PER_ACCOUNT.amount // 2) + [429, 429]


def test_sign_ups_over_html_and_api_share_one_count_across_workers(server):
    def sign_up_html_and_api():
        api = post_json(
            server.url + "/api/sign_up", {"email": unique_user_email(), "password": VALID_PASSWORD}
        )
        html = Browser(server.url).submit(
            "/users/register", {"email": unique_user_email(), "password": VALID_PASSWORD}
        )
        return [api, html.status]

    def sign_up(pairs):
        return lambda: [status for _ in range(pairs) for status in sign_up_html_and_api()]

    pairs = SENSITIVE_POST_PER_ADDRESS.amount // 2
    first, second = on_each_worker(server, sign_up(pairs // 2), sign_up(pairs - pairs // 2 + 1))
    assert first + second == [201, 302] * pairs + [429, 429]


def test_successful_sign_ins_share_one_count_across_workers(server, user_fixture):
    user = user_fixture()

    def sign_in(times):
        return lambda: [
            post_json(server.url + "/api/sign_in", {"email": user.email, "password": VALID_PASSWORD})
            for _ in range(times)
        ]

    half = LOGIN_PER_ACCOUNT.amount // 2
    first, second = on_each_worker(server, sign_in(half), sign_in(LOGIN_PER_ACCOUNT.amount - half + 1))
    assert first + second == [200] * LOGIN_PER_ACCOUNT.amount + [429]


def test_production_shares_redis_url_when_no_storage_is_configured(
    app, database_url, tmp_path, redis_storage, user_fixture
):
    user = user_fixture()
    live = LiveServer(
        database_url,
        tmp_path / "gunicorn.log",
        workers=2,
        threads=1,
        worker_class="sync",
        RATELIMIT_ENABLED="true",
        RATELIMIT_STORAGE_URI="",
        REDIS_URL=REDIS_URL,
    )
    live.env.update(TASTY_ENV="production", SECRET_KEY="s" * 64, SERVER_NAME=f"127.0.0.1:{live.port}")

    def fail(times):
        return lambda: [
            post_json(live.url + "/api/sign_in", {"email": user.email, "password": WRONG})
            for _ in range(times)
        ]

    half = FAILED_LOGIN_PER_ACCOUNT.amount // 2
    with live:
        first, second = on_each_worker(live, fail(half), fail(half + 2))
    assert first + second == [401] * FAILED_LOGIN_PER_ACCOUNT.amount + [429, 429]
    assert "counted per process" not in live.log()
