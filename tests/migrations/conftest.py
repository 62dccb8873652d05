"""Fixtures for migration tests: an empty database of each kind and an app on it."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tasty_recipes.extensions import db

from ..support.app import make_app


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database_url(request, database_url, tmp_path):
    """An empty database of each kind, dropped afterwards."""
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "migration.sqlite3")
        return
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL migrations are checked with TEST_DATABASE_URL")
    url = make_url(database_url)
    name = f"{url.database}_migration_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture()
def fresh_app(fresh_database_url):
    app = make_app(fresh_database_url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
