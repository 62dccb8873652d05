"""Migration 0002 on a database at 0001 that holds data: nothing lost, the outbox works."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from tasty_recipes.accounts import service as accounts
from tasty_recipes.accounts import tokens
from tasty_recipes.accounts.models import UserToken
from tasty_recipes.extensions import db
from tasty_recipes.mail.models import SENT, OutboxMessage

from ..support.accounts import VALID_PASSWORD, unique_user_email


def test_upgrade_from_0001_keeps_users_and_tokens_and_the_outbox_works(fresh_app):
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
    assert db.session.scalars(select(UserToken.token).where(UserToken.user_id == user_id)).all() == [digest]
    assert accounts.confirm_user(encoded).id == user_id  # the old token still works

    accounts.deliver_user_reset_password_instructions(user, lambda t: f"http://x/reset/{t}")
    [message] = fresh_app.extensions["mailman"].outbox
    assert message.to == [email]
    row = db.session.scalars(select(OutboxMessage)).one()
    assert (row.status, row.body) == (SENT, None)
    assert row.inserted_at.utcoffset().total_seconds() == 0  # timezone-aware, UTC
    db.session.remove()

    downgrade(revision="0001_initial_schema")
    assert "mail_outbox" not in inspect(db.engine).get_table_names()
    assert accounts.get_user_by_email(email).id == user_id
