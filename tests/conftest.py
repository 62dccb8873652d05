"""Shared fixtures: one migrated database per test worker, emptied after every test.

TEST_DATABASE_URL=postgresql://… runs the suite on PostgreSQL (CI does; with
REQUIRE_POSTGRES=1 a missing server is a failure, never a skip). Without it,
each worker gets a temporary SQLite file.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import uuid

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from tasty_recipes import create_app
from tasty_recipes.accounts import admin as accounts_admin
from tasty_recipes.accounts import service as accounts
from tasty_recipes.config import normalize_database_url
from tasty_recipes.extensions import db
from tasty_recipes.recipes import service as recipes

VALID_PASSWORD = "hello world!"
TABLES = ("mail_outbox", "idempotency_keys", "recipes", "users_tokens", "users")


def unique_user_email() -> str:
    return f"user{uuid.uuid4().hex[:12]}@example.com"


# --- database per worker -------------------------------------------------------------

def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _postgres_database(base_url: str) -> str:
    """Create (afresh) this worker's own PostgreSQL database and return its URL."""
    url = make_url(normalize_database_url(base_url))
    name = f"{url.database or 'tasty_recipes_test'}_{_worker()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure to reach PostgreSQL is fatal here
        pytest.exit(f"PostgreSQL at {url.render_as_string(hide_password=True)} "
                    f"is not usable: {exc}", returncode=3)
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    base = os.environ.get("TEST_DATABASE_URL", "")
    if os.environ.get("REQUIRE_POSTGRES") == "1" and not base.startswith(("postgres", "postgresql")):
        pytest.exit("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not a PostgreSQL URL",
                    returncode=3)
    if base:
        return _postgres_database(base)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def make_app(database_url: str, **overrides):
    config = {"TASTY_ENV": "testing", "DATABASE_URL": database_url,
              "RATELIMIT_ENABLED": False, "SERVER_NAME": "localhost"}
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def _migrated_app(database_url, tmp_path_factory):
    from flask_migrate import upgrade

    app = make_app(database_url)
    app.test_client_class = CSRFClient
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    with app.app_context():
        upgrade()
    return app


@pytest.fixture()
def app(_migrated_app):
    """The app with an empty database and outbox; the database is emptied again afterwards."""
    app = _migrated_app
    app.extensions["mailman"].outbox = []
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()


def _empty_tables() -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(TABLES)} CASCADE"))
    else:
        for table in TABLES:
            db.session.execute(text(f"DELETE FROM {table}"))
    db.session.commit()


@pytest.fixture()
def is_postgres(app) -> bool:
    return db.engine.dialect.name == "postgresql"


# --- HTTP clients ----------------------------------------------------------------------

class CSRFClient(FlaskClient):
    """A test client that behaves like a browser hitting a real server.

    * Each request runs in its own app context, as in production: a fresh ``g``
      (Flask-Login's cached user) and its own database session. Without this,
      every request of a test would reuse the fixture's app context.
    * After each request the test's own session is expired, so objects the test
      holds show what the request committed.
    * A valid csrf_token is sent with every form POST; ``csrf=False`` sends none.
    """

    def open(self, *args, **kwargs):
        send_csrf = kwargs.pop("csrf", True)
        method = kwargs.get("method", "GET").upper()
        data = kwargs.get("data")
        if send_csrf and method != "GET" and isinstance(data, dict) and "csrf_token" not in data:
            kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response

    def csrf_token(self) -> str:
        """The signed token Flask-WTF would put in a form for this client's session."""
        app = self.application
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", uuid.uuid4().hex + uuid.uuid4().hex)
        serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)


@pytest.fixture()
def client(app):
    return app.test_client()


# --- data fixtures (always through the services) -----------------------------------------

@pytest.fixture()
def user_fixture(app):
    def make(email: str | None = None, password: str = VALID_PASSWORD, confirmed: bool = False,
             admin: bool = False):
        user = accounts.register_user(email or unique_user_email(), password)
        if confirmed:
            accounts_admin.mark_user_confirmed(user)
        if admin:
            accounts_admin.set_admin(user, True)
        return user
    return make


@pytest.fixture()
def user(user_fixture):
    return user_fixture()


@pytest.fixture()
def recipe_fixture(app):
    def make(owner, name: str = "Lentil soup", description: str = "Simmer lentils for 30 minutes."):
        return recipes.create_recipe(owner, {"name": name, "description": description})
    return make


@pytest.fixture()
def count_statements(app):
    """``with count_statements() as statements: …``; ``statements`` lists the SQL run."""
    @contextlib.contextmanager
    def counting():
        statements: list[str] = []

        def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before_cursor_execute)
    return counting


@pytest.fixture()
def outbox(app):
    return app.extensions["mailman"].outbox


TOKEN_IN_URL = re.compile(r"/(?:confirm|reset_password|confirm_email)/([A-Za-z0-9_-]+)\s*$", re.M)


def extract_token(message) -> str:
    """The token from the link in an email (the URL stands alone on its line)."""
    match = TOKEN_IN_URL.search(message.body)
    assert match, f"no token link in email body:\n{message.body}"
    return match.group(1)


def log_in(client, user) -> str:
    """Log ``user`` in on ``client`` with a fresh session token; returns the token."""
    token = accounts.generate_user_session_token(user)
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return token


@pytest.fixture()
def logged_in_client(client, user):
    log_in(client, user)
    return client
