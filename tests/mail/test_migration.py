"""Migration 0002 on a database at 0001 that holds data: nothing lost, the outbox works."""

from __future__ import annotations

import os

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from tasty_recipes.accounts import service as accounts
from tasty_recipes.accounts import tokens
from tasty_recipes.accounts.models import UserToken
from tasty_recipes.config import normalize_database_url
from tasty_recipes.extensions import db
from tasty_recipes.mail.models import SENT, OutboxMessage

from ..support.accounts import VALID_PASSWORD, unique_user_email
from ..support.app import make_app


def _admin_engine(url):
    return create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database_url(request, tmp_path):
    """An empty database of its own: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgres"):
        pytest.skip("the PostgreSQL migration runs with TEST_DATABASE_URL=postgresql://…")
    url = make_url(normalize_database_url(base))
    name = f"{url.database}_migrations_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_from_0001_keeps_users_and_tokens_and_the_outbox_works(fresh_database_url):
    app = make_app(fresh_database_url)
    with app.app_context():
        try:
            upgrade(revision="0001_initial_schema")
            user = accounts.register_user(unique_user_email(), VALID_PASSWORD)
            encoded, token_row = tokens.build_token(user, tokens.CONFIRM, sent_to=user.email)
            db.session.add(token_row)
            db.session.commit()
            user_id, email, digest = user.id, user.email, token_row.token
            db.session.remove()

            upgrade(revision="0002_mail_outbox")
            assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == "0002_mail_outbox"
            assert accounts.get_user_by_email_and_password(email, VALID_PASSWORD).id == user_id
            assert db.session.scalars(select(UserToken.token).where(UserToken.user_id == user_id)).all() == [
                digest
            ]
            assert accounts.confirm_user(encoded).id == user_id  # the old token still works

            accounts.deliver_user_reset_password_instructions(user, lambda t: f"http://x/reset/{t}")
            [message] = app.extensions["mailman"].outbox
            assert message.to == [email]
            row = db.session.scalars(select(OutboxMessage)).one()
            assert (row.status, row.body) == (SENT, None)
            assert row.inserted_at.utcoffset().total_seconds() == 0  # timezone-aware, UTC
            db.session.remove()

            downgrade(revision="0001_initial_schema")
            assert "mail_outbox" not in inspect(db.engine).get_table_names()
            assert accounts.get_user_by_email(email).id == user_id
        finally:
            db.session.remove()
            db.engine.dispose()
