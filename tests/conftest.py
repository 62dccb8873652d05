"""Shared fixtures: one migrated database per test worker, emptied after every test.

TEST_DATABASE_URL=postgresql://… runs the suite on PostgreSQL (CI does; with
REQUIRE_POSTGRES=1 a missing server is a failure, never a skip). Without it,
each worker gets a temporary SQLite file.
"""

from __future__ import annotations

import contextlib
import os

import pytest
from sqlalchemy import event

from tasty_recipes.accounts import admin as accounts_admin
from tasty_recipes.accounts import service as accounts
from tasty_recipes.extensions import db
from tasty_recipes.recipes import service as recipes

from .support.accounts import VALID_PASSWORD, log_in, unique_user_email
from .support.app import CSRFClient, empty_tables, make_app
from .support.worker_database import create_postgres_database

# --- database per worker -------------------------------------------------------------


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    base = os.environ.get("TEST_DATABASE_URL", "")
    if os.environ.get("REQUIRE_POSTGRES") == "1" and not base.startswith(("postgres", "postgresql")):
        pytest.exit("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not a PostgreSQL URL", returncode=3)
    if base:
        return create_postgres_database(base)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


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
        empty_tables()


@pytest.fixture()
def is_postgres(app) -> bool:
    return db.engine.dialect.name == "postgresql"


# --- HTTP clients ----------------------------------------------------------------------


@pytest.fixture()
def client(app):
    return app.test_client()


# --- data fixtures (always through the services) -----------------------------------------


@pytest.fixture()
def user_fixture(app):
    def make(
        email: str | None = None, password: str = VALID_PASSWORD, confirmed: bool = False, admin: bool = False
    ):
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


@pytest.fixture()
def logged_in_client(client, user):
    log_in(client, user)
    return client
