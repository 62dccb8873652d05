"""The database as committed, read over a separate connection (not the test's identity map),
and tokens aged by moving their insertion time back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from tasty_recipes.accounts.models import User, UserToken
from tasty_recipes.db import utcnow
from tasty_recipes.extensions import db


def committed_state() -> dict:
    """Every user and token row as committed, read over a separate connection."""
    users = User.__table__
    user_tokens = UserToken.__table__
    with db.engine.connect() as conn:
        user_rows = conn.execute(
            select(
                users.c.id, users.c.email, users.c.hashed_password, users.c.confirmed_at, users.c.is_admin
            ).order_by(users.c.id)
        ).all()
        token_rows = conn.execute(
            select(
                user_tokens.c.user_id, user_tokens.c.token, user_tokens.c.context, user_tokens.c.sent_to
            ).order_by(user_tokens.c.token)
        ).all()
    return {"users": [tuple(r) for r in user_rows], "tokens": [tuple(r) for r in token_rows]}


def committed_user(user_id) -> dict | None:
    users = User.__table__
    with db.engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).mappings().first()
    return dict(row) if row else None


def committed_tokens(user_id=None, context: str | None = None) -> list[dict]:
    user_tokens = UserToken.__table__
    query = select(user_tokens)
    if user_id is not None:
        query = query.where(user_tokens.c.user_id == user_id)
    if context is not None:
        query = query.where(user_tokens.c.context == context)
    with db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def age_tokens(days: float, context: str | None = None) -> None:
    """Move tokens' inserted_at back in time (how the tests expire them)."""
    statement = update(UserToken).values(inserted_at=utcnow() - timedelta(days=days))
    if context is not None:
        statement = statement.where(UserToken.context == context)
    db.session.execute(statement)
    db.session.commit()
