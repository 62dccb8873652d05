"""Where the counters live, and the start-up warning when memory counters meet several processes.

Reproduction: with the default ``memory://`` each gunicorn worker counted alone
(20 sign-ups from one address with ``-w 2``), silently. Now production shares
REDIS_URL when it is set, and says at start-up when the counters are per process.
"""

from __future__ import annotations

import logging

import pytest
from limits.storage import MemoryStorage, RedisStorage

from tasty_recipes.api.auth import issue_token
from tasty_recipes.ratelimits import FAILED_LOGIN_PER_ACCOUNT, storage, workers
from tasty_recipes.ratelimits.storage import storage_uri
from tasty_recipes.ratelimits.workers import gunicorn_workers, per_process_warning

from ..support.accounts import VALID_PASSWORD, log_in, unique_user_email
from ..support.app import CSRFClient, empty_tables, make_app
from ..support.live_server import LiveServer, free_port

REDIS = "redis://redis.internal:6379/0"
PRODUCTION_SECRET = "s" * 64


# --- which storage ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "configured", "environ", "expected"),
    [
        ("production", "memory://", {"REDIS_URL": REDIS}, REDIS),
        ("production", "memory://", {}, "memory://"),
        ("production", "memory://", {"REDIS_URL": REDIS, "RATELIMIT_STORAGE_URI": "memory://"}, "memory://"),
        ("production", "redis://other:6379", {"REDIS_URL": REDIS}, "redis://other:6379"),
        ("production", "memory://", {"REDIS_URL": ""}, "memory://"),
        ("development", "memory://", {"REDIS_URL": REDIS}, "memory://"),
        ("testing", "memory://", {"REDIS_URL": REDIS}, "memory://"),
    ],
)
def test_storage_uri(env, configured, environ, expected):
    config = {"TASTY_ENV": env, "RATELIMIT_STORAGE_URI": configured}
    assert storage_uri(config, environ) == expected


@pytest.fixture()
def production_app(database_url, monkeypatch):
    """``production_app()``: a production app with rate limits on, as a server would build it."""
    monkeypatch.setenv("SECRET_KEY", PRODUCTION_SECRET)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(workers, "_under_gunicorn", lambda: False)
    # Alembic's fileConfig (the test database's migration) disables loggers that existed then.
    monkeypatch.setattr(logging.getLogger("tasty_recipes"), "disabled", False)

    def make():
        return make_app(
            database_url, TASTY_ENV="production", RATELIMIT_ENABLED=True, SERVER_NAME="recipes.example"
        )

    return make


def test_production_counts_in_redis_url_when_no_storage_is_configured(production_app, monkeypatch, caplog):
    monkeypatch.setenv("REDIS_URL", REDIS)
    with caplog.at_level(logging.WARNING):
        app = production_app()
    assert isinstance(app.extensions[storage.EXTENSION].storage, RedisStorage)
    assert "per process" not in caplog.text


def test_production_warns_when_it_counts_in_memory(production_app, caplog):
    with caplog.at_level(logging.WARNING):
        app = production_app()
    assert isinstance(app.extensions[storage.EXTENSION].storage, MemoryStorage)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("counted per process" in r.getMessage() and "REDIS_URL" in r.getMessage() for r in warnings)


# --- how many workers gunicorn runs ------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        (["gunicorn", "-w", "3", "wsgi:app"], {}, 3),
        (["gunicorn", "--workers=4", "-k", "sync", "wsgi:app"], {}, 4),
        (["gunicorn", "-w2", "wsgi:app"], {}, 2),
        (["gunicorn", "wsgi:app"], {"GUNICORN_CMD_ARGS": "--workers 5 -b 0.0.0.0:80"}, 5),
        (["gunicorn", "-w", "2", "wsgi:app"], {"GUNICORN_CMD_ARGS": "-w 5"}, 2),
        (["gunicorn", "wsgi:app"], {"WEB_CONCURRENCY": "6"}, 6),
        (["gunicorn", "-w", "1", "wsgi:app"], {"WEB_CONCURRENCY": "6"}, 1),
        (["gunicorn", "wsgi:app"], {}, 1),
        (["gunicorn", "-c", "conf.py", "wsgi:app"], {"WEB_CONCURRENCY": "6"}, None),
        (["gunicorn", "wsgi:app"], {"GUNICORN_CMD_ARGS": "-c conf.py"}, None),
        (["gunicorn", "-c", "conf.py", "-w", "2", "wsgi:app"], {}, 2),
        (["gunicorn", "wsgi:app"], {"WEB_CONCURRENCY": "many"}, None),
    ],
)
def test_gunicorn_workers(argv, environ, expected, tmp_path):
    assert gunicorn_workers(argv, environ, cwd=tmp_path) == expected


def test_a_gunicorn_conf_py_in_the_working_directory_makes_the_count_unknown(tmp_path):
    (tmp_path / "gunicorn.conf.py").write_text("workers = 4\n")
    assert gunicorn_workers(["gunicorn", "wsgi:app"], {}, cwd=tmp_path) is None
    assert gunicorn_workers(["gunicorn", "-w", "4", "wsgi:app"], {}, cwd=tmp_path) == 4


def test_per_process_warning():
    assert per_process_warning("redis://127.0.0.1:6379", 4) is None
    assert per_process_warning("memory://", 1) is None
    assert "gunicorn runs 3 workers" in per_process_warning("memory://", 3)
    assert "3 times looser" in per_process_warning("memory://", 3)
    assert "counted per process" in per_process_warning("memory://", None)


# --- under a real gunicorn ----------------------------------------------------------------------


def _production_server(database_url, log_path, workers: int) -> LiveServer:
    server = LiveServer(
        database_url,
        log_path,
        workers=workers,
        threads=1,
        worker_class="sync",
        RATELIMIT_ENABLED="true",
        RATELIMIT_STORAGE_URI="",
        REDIS_URL="",
    )
    server.env.update(
        TASTY_ENV="production", SECRET_KEY=PRODUCTION_SECRET, SERVER_NAME=f"127.0.0.1:{server.port}"
    )
    return server


def test_gunicorn_with_two_workers_and_memory_counters_logs_a_warning(database_url, tmp_path, app):
    with _production_server(database_url, tmp_path / "gunicorn.log", workers=2) as server:
        pass
    lines = [line for line in server.log().splitlines() if "counted per process" in line]
    assert lines, server.log()
    assert all(
        "WARNING" in line and "gunicorn runs 2 workers" in line and "REDIS_URL" in line for line in lines
    )


def test_gunicorn_with_one_worker_does_not_warn(database_url, tmp_path, app):
    with _production_server(database_url, tmp_path / "gunicorn.log", workers=1) as server:
        pass
    assert "counted per process" not in server.log()


def test_memory_counters_are_per_worker(database_url, tmp_path, app, user_fixture):
    """What README says of memory://: with two workers a client gets the limit twice."""
    from .test_rate_limits_shared import on_each_worker, post_json

    user = user_fixture()
    with LiveServer(
        database_url,
        tmp_path / "gunicorn.log",
        workers=2,
        threads=1,
        worker_class="sync",
        RATELIMIT_ENABLED="true",
        RATELIMIT_STORAGE_URI="memory://",
    ) as server:

        def fail(times):
            return lambda: [
                post_json(server.url + "/api/sign_in", {"email": user.email, "password": "wrong password!"})
                for _ in range(times)
            ]

        limit = FAILED_LOGIN_PER_ACCOUNT.amount
        first, second = on_each_worker(server, fail(limit + 1), fail(limit + 1))
    assert first == second == [401] * limit + [429]


# --- counters out of reach -----------------------------------------------------------------------


@pytest.fixture()
def unreachable_counters_app(database_url, _migrated_app):
    """An app whose Redis counters are on a port where nothing listens."""
    app = make_app(
        database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0"
    )
    app.test_client_class = CSRFClient
    with app.app_context():
        yield app
    with _migrated_app.app_context():
        empty_tables()


def test_unreachable_counters_answer_503_with_retry_after_never_500(
    unreachable_counters_app, user_fixture, caplog, monkeypatch
):
    # Alembic's fileConfig (the test database's migration) disables loggers that existed then.
    monkeypatch.setattr(logging.getLogger("tasty_recipes.ratelimits.counters"), "disabled", False)
    user = user_fixture()
    client = unreachable_counters_app.test_client()
    with unreachable_counters_app.test_request_context():
        headers = {"Authorization": f"Bearer {issue_token(user)}"}
    answers = [
        client.post("/api/sign_in", json={"email": user.email, "password": VALID_PASSWORD}),
        client.post("/api/sign_up", json={"email": unique_user_email(), "password": VALID_PASSWORD}),
        client.put(
            "/api/me/password",
            json={"current_password": VALID_PASSWORD, "password": "a brand new password"},
            headers=headers,
        ),
    ]
    for response in answers:
        assert response.status_code == 503
        assert response.get_json() == {"errors": {"detail": "Service Unavailable"}}
        assert response.headers["Retry-After"] == "5"
    page = client.post("/users/log_in", data={"email": user.email, "password": VALID_PASSWORD})
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    log_in(client, user)
    page = client.post(
        "/users/settings",
        data={
            "action": "update_password",
            "current_password": VALID_PASSWORD,
            "password": "a brand new password",
        },
    )
    assert page.status_code == 503
    assert "rate-limit storage unavailable" in caplog.text
    # What counts nothing is not affected.
    assert client.get("/users/settings").status_code == 200
    assert client.get("/api/me", headers=headers).status_code == 200
