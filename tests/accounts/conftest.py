"""Helpers for the accounts tests: committed database state, token ageing, flashes, cookies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tasty_recipes.accounts import service as accounts
from tasty_recipes.accounts.models import User, UserToken
from tasty_recipes.db import utcnow
from tasty_recipes.extensions import db

from ..conftest import extract_token

SESSION_COOKIE = "_tasty_recipes_key"
REMEMBER_COOKIE = "_tasty_recipes_user_remember_me"
SIXTY_DAYS = 60 * 24 * 60 * 60


def confirm_url(token: str) -> str:
    return f"http://localhost/users/confirm/{token}"


def reset_url(token: str) -> str:
    return f"http://localhost/users/reset_password/{token}"


def change_email_url(token: str) -> str:
    return f"http://localhost/users/settings/confirm_email/{token}"


# --- reading the database as it is committed (not the test's identity map) -----------

def committed_state() -> dict:
    """Every user and token row as committed, read over a separate connection."""
    users = User.__table__
    user_tokens = UserToken.__table__
    with db.engine.connect() as conn:
        user_rows = conn.execute(
            select(users.c.id, users.c.email, users.c.hashed_password, users.c.confirmed_at,
                   users.c.is_admin).order_by(users.c.id)).all()
        token_rows = conn.execute(
            select(user_tokens.c.user_id, user_tokens.c.token, user_tokens.c.context,
                   user_tokens.c.sent_to).order_by(user_tokens.c.token)).all()
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


# --- email tokens, read back from the outbox -------------------------------------------

def confirmation_token(user, outbox) -> str:
    assert accounts.deliver_user_confirmation_instructions(user, confirm_url)
    return extract_token(outbox[-1])


def reset_token(user, outbox) -> str:
    accounts.deliver_user_reset_password_instructions(user, reset_url)
    return extract_token(outbox[-1])


def change_email_token(user, outbox, new_email: str, password: str) -> str:
    accounts.request_email_change(user, password, new_email, change_email_url)
    return extract_token(outbox[-1])


# --- the browser session -----------------------------------------------------------------

def flashes(client) -> list[tuple[str, str]]:
    """The (category, message) flashes waiting in the client's session (not consumed)."""
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def session_data(client) -> dict:
    with client.session_transaction() as session:
        return dict(session)


def session_token(client) -> str | None:
    return session_data(client).get("_user_id")


def is_logged_in(client) -> bool:
    """Whether the client is shown as logged in (the menu has Log out and Settings)."""
    html = client.get("/").get_data(as_text=True)
    return "Log out</button>" in html and "Settings</a>" in html


def set_cookies(response) -> dict[str, str]:
    """Set-Cookie headers of one response, by cookie name."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        cookies[header.split("=", 1)[0]] = header
    return cookies


@pytest.fixture()
def confirmed_user(user_fixture):
    return user_fixture(confirmed=True)
