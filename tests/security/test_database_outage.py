"""Database outage: fast 503s while PostgreSQL is down, recovery on the very next request.

A private PostgreSQL cluster is started, the app is served against it by gunicorn, then
the cluster is stopped and started again under the running app.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..support.accounts import VALID_PASSWORD
from ..support.http import Browser
from ..support.live_server import ROOT, LiveServer
from ..support.pg_cluster import PostgresCluster, postgres_bindir

pytestmark = pytest.mark.postgres_only

FLASK = str(Path(sys.executable).with_name("flask"))


@pytest.fixture()
def cluster(tmp_path):
    if postgres_bindir() is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL server binaries are required for the outage test")
        pytest.skip("PostgreSQL server binaries are not installed")
    cluster = PostgresCluster()
    cluster.init()
    env = {**os.environ, "TASTY_ENV": "testing", "DATABASE_URL": cluster.url}
    subprocess.run(
        [FLASK, "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    yield cluster
    cluster.destroy()


def _timed(call):
    started = time.monotonic()
    reply = call()
    return reply, time.monotonic() - started


def test_outage_answers_503_fast_and_recovers_on_the_next_request(cluster, tmp_path):
    with LiveServer(cluster.url, tmp_path / "gunicorn.log") as server:
        browser = Browser(server.url)
        token = browser.csrf_token("/users/register")
        registered = browser.submit(
            "/users/register", {"email": "cook@example.com", "password": VALID_PASSWORD}, token
        )
        assert registered.status == 302
        assert browser.get("/users/settings").status == 200
        signed_in = browser.request(
            "POST",
            "/api/sign_in",
            headers={"Content-Type": "application/json"},
            data=b'{"email": "cook@example.com", "password": "%s"}' % VALID_PASSWORD.encode(),
        )
        assert signed_in.status == 200, signed_in.body
        bearer = {"Authorization": "Bearer " + json.loads(signed_in.body)["data"]["token"]}

        cluster.stop()
        page, seconds = _timed(lambda: browser.get("/users/settings"))
        assert page.status == 503, page.body
        assert seconds < 5
        assert page.headers["Retry-After"]
        assert "Traceback" not in page.body and "psycopg2" not in page.body
        api, seconds = _timed(lambda: browser.request("GET", "/api/recipes", headers=bearer))
        assert seconds < 5
        assert api.status == 503
        assert json.loads(api.body) == {"errors": {"detail": "Service Unavailable"}}
        assert api.headers["Retry-After"]
        assert browser.get("/healthz").status == 200
        ready = browser.get("/readyz")
        assert ready.status == 503 and '"fail"' in ready.body

        cluster.start()
        assert browser.get("/users/settings").status == 200
        assert browser.request("GET", "/api/recipes", headers=bearer).status == 200
        assert browser.get("/readyz").status == 200


def test_outage_login_attempt_answers_503_not_500(cluster, tmp_path):
    with LiveServer(cluster.url, tmp_path / "gunicorn.log") as server:
        browser = Browser(server.url)
        token = browser.csrf_token("/users/log_in")
        cluster.stop()
        reply, seconds = _timed(
            lambda: browser.submit(
                "/users/log_in", {"email": "nobody@example.com", "password": VALID_PASSWORD}, token
            )
        )
        assert reply.status == 503
        assert seconds < 5
        cluster.start()
        reply = browser.submit(
            "/users/log_in", {"email": "nobody@example.com", "password": VALID_PASSWORD}, token
        )
        assert reply.status == 200
        assert "Invalid email or password" in reply.body
