"""Database faults on a private PostgreSQL cluster, served by a real gunicorn.

A restart under the running app (the very next requests succeed), a frozen
server (503 within 5 s, readiness fails fast, recovery after), a table lock
(writes give up at the lock timeout, liveness stays quick), and releasing a
connection whose server just died (the finished response stands).
"""

from __future__ import annotations

import json
import threading
import time

import psycopg2
import pytest
from flask import g

from ..support.accounts import VALID_PASSWORD
from ..support.app import make_app
from ..support.http import Browser
from ..support.live_server import LiveServer
from .test_database_outage import cluster  # noqa: F401 - the private cluster fixture

pytestmark = pytest.mark.postgres_only

JSON = {"Content-Type": "application/json"}


def _timed(call):
    started = time.monotonic()
    reply = call()
    return reply, time.monotonic() - started


def _sign_up_and_in(browser: Browser) -> dict[str, str]:
    token = browser.csrf_token("/users/register")
    assert (
        browser.submit(
            "/users/register", {"email": "cook@example.com", "password": VALID_PASSWORD}, token
        ).status
        == 302
    )
    reply = browser.request(
        "POST",
        "/api/sign_in",
        headers=JSON,
        data=json.dumps({"email": "cook@example.com", "password": VALID_PASSWORD}).encode(),
    )
    assert reply.status == 200, reply.body
    return {"Authorization": "Bearer " + json.loads(reply.body)["data"]["token"], **JSON}


def _create(browser: Browser, bearer: dict, name: str):
    return browser.request(
        "POST",
        "/api/recipes",
        headers=bearer,
        data=json.dumps({"name": name, "description": "Stir."}).encode(),
    )


@pytest.mark.parametrize("ping_after_idle", ["1", "3600"], ids=["default-ping", "never-ping"])
def test_the_very_next_requests_after_a_restart_succeed(cluster, tmp_path, ping_after_idle):  # noqa: F811
    # "never-ping": every pooled connection is reused unchecked, so the first
    # statement on each worker's stale connection fails and the request is retried.
    with LiveServer(
        cluster.url,
        tmp_path / "gunicorn.log",
        workers=2,
        threads=1,
        worker_class="sync",
        DATABASE_PING_AFTER_IDLE_SECONDS=ping_after_idle,
    ) as server:
        browser = Browser(server.url)
        bearer = _sign_up_and_in(browser)
        for _ in range(10):  # both workers hold pooled connections, used just now
            assert browser.request("GET", "/api/recipes", headers=bearer).status == 200
            assert browser.get("/users/settings").status == 200

        cluster.restart()

        statuses = [browser.request("GET", "/api/recipes", headers=bearer).status for _ in range(4)]
        statuses += [browser.get("/users/settings").status for _ in range(4)]
        statuses += [_create(browser, bearer, f"After restart {n}").status for n in range(4)]
        assert statuses == [200] * 8 + [201] * 4, statuses
        listed = json.loads(browser.request("GET", "/api/recipes", headers=bearer).body)["data"]
        assert sorted(r["name"] for r in listed) == [f"After restart {n}" for n in range(4)]
    assert "Traceback" not in server.log()


def test_a_frozen_database_gives_503_within_5_seconds_and_recovers(cluster, tmp_path):  # noqa: F811
    with LiveServer(cluster.url, tmp_path / "gunicorn.log", workers=2, threads=2) as server:
        browser = Browser(server.url)
        bearer = _sign_up_and_in(browser)
        cluster.freeze()
        try:
            api, api_seconds = _timed(lambda: browser.request("GET", "/api/recipes", headers=bearer))
            page, page_seconds = _timed(lambda: browser.get("/users/settings"))
            ready, ready_seconds = _timed(lambda: browser.get("/readyz"))
            live, live_seconds = _timed(lambda: browser.get("/healthz"))
        finally:
            cluster.thaw()
        assert api.status == 503 and api.headers["Retry-After"], api.body
        assert json.loads(api.body) == {"errors": {"detail": "Service Unavailable"}}
        assert page.status == 503
        assert ready.status == 503
        assert live.status == 200
        assert api_seconds < 5 and page_seconds < 5, (api_seconds, page_seconds)
        assert ready_seconds < 3, ready_seconds  # a ping and one reconnect, 1 s each
        assert live_seconds < 1, live_seconds
        assert browser.request("GET", "/api/recipes", headers=bearer).status == 200
        assert browser.get("/readyz").status == 200


def test_a_locked_table_gives_up_at_the_lock_timeout_and_liveness_stays_quick(cluster, tmp_path):  # noqa: F811
    with LiveServer(
        cluster.url, tmp_path / "gunicorn.log", workers=2, threads=1, worker_class="sync"
    ) as server:
        browser = Browser(server.url)
        bearer = _sign_up_and_in(browser)
        recipe = json.loads(_create(browser, bearer, "Locked").body)["data"]
        locker = psycopg2.connect(cluster.url)
        try:
            with locker.cursor() as cursor:
                cursor.execute("LOCK TABLE recipes IN ACCESS EXCLUSIVE MODE")
            writes: list = []

            def write():
                writes.append(
                    _timed(
                        lambda: Browser(server.url).request(
                            "PUT",
                            f"/api/recipes/{recipe['id']}",
                            headers=bearer,
                            data=json.dumps({"name": "Changed"}).encode(),
                        )
                    )
                )

            blocked = [threading.Thread(target=write) for _ in range(2)]  # both sync workers
            for thread in blocked:
                thread.start()
            time.sleep(0.3)
            live, live_seconds = _timed(lambda: Browser(server.url).get("/healthz"))
            for thread in blocked:
                thread.join()
        finally:
            locker.rollback()
            locker.close()
        print(f"/healthz while both workers waited on a lock: {live_seconds:.2f} s")
        assert live.status == 200
        assert live_seconds < 3, live_seconds  # behind at most one lock timeout (2 s)
        for reply, seconds in writes:
            assert reply.status == 503 and reply.headers["Retry-After"], reply.body
            assert seconds < 5, seconds
        shown = browser.request("GET", f"/api/recipes/{recipe['id']}", headers=bearer)
        assert json.loads(shown.body)["data"]["name"] == "Locked"  # nothing half-written


def test_a_connection_dying_after_the_response_is_made_does_not_turn_it_into_a_500(cluster):  # noqa: F811
    app = make_app(cluster.url)
    killer = psycopg2.connect(cluster.url)
    killer.autocommit = True

    @app.after_request
    def kill_this_requests_backend(response):
        # The database dies after the view read its rows and before the connection
        # goes back to the pool.
        if "request_backend_pid" in g:
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", (g.request_backend_pid,))
        return response

    @app.before_request
    def remember_backend_pid():
        from sqlalchemy import text

        from tasty_recipes.db import autocommit_reads
        from tasty_recipes.extensions import db

        if app.config.get("KILL_BACKEND_AFTER_RESPONSE"):
            autocommit_reads()  # as API reads do: the connection is reset at check-in
            g.request_backend_pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()

    client = app.test_client()
    try:
        app.config["KILL_BACKEND_AFTER_RESPONSE"] = True
        assert client.get("/users/log_in").status_code == 200
        app.config["KILL_BACKEND_AFTER_RESPONSE"] = False
        assert client.get("/readyz").status_code == 200  # the dead connection was replaced
    finally:
        killer.close()
        with app.app_context():
            from tasty_recipes.extensions import db

            db.engine.dispose()
