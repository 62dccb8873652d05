"""Each pytest-xdist worker's own test database (a PostgreSQL database, or a SQLite file)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tasty_recipes.config import normalize_database_url


def worker_name() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def create_postgres_database(base_url: str) -> str:
    """Create (afresh) this worker's own PostgreSQL database and return its URL."""
    url = make_url(normalize_database_url(base_url))
    name = f"{url.database or 'tasty_recipes_test'}_{worker_name()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure to reach PostgreSQL is fatal here
        pytest.exit(
            f"PostgreSQL at {url.render_as_string(hide_password=True)} is not usable: {exc}", returncode=3
        )
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)
