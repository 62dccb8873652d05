"""Administration of accounts (the flask CLI and test fixtures): the accounts context's admin API.

Same rules as accounts.service (it reuses its validation), one transaction per call.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, insert, select

from ..db import utcnow
from ..exceptions import NotFound
from ..extensions import db
from ..validation import Errors
from . import changesets, notifier, service, tokens
from .models import User, UserToken
from .passwords import hash_password


def mark_user_confirmed(user: User) -> User:
    """Confirm a user without a link (an administrator vouches for the address)."""
    if user.confirmed_at is None:
        user.confirmed_at = utcnow()
        db.session.execute(tokens.by_user_and_contexts(user.id, [tokens.CONFIRM]))
        db.session.commit()
    return user


def set_admin(user: User, is_admin: bool) -> User:
    """Grant or remove the admin role (admins may edit and delete any recipe)."""
    user.is_admin = is_admin
    db.session.commit()
    return user


SEED_BATCH_SIZE = 5_000


def create_user(email: Any, password: Any, *, confirmed: bool = False, is_admin: bool = False) -> User:
    """Create a user from the command line, in one transaction; sends no email.

    Same validation as the web (ValidationError with per-field messages).
    ``confirmed`` means an administrator vouches for the address.
    """
    errors = Errors()
    email = changesets.email_changeset(errors, email)
    password = changesets.password_changeset(errors, password)
    errors.raise_if_any()
    user = User(
        email=email,
        hashed_password=hash_password(password),
        is_admin=is_admin,
        confirmed_at=utcnow() if confirmed else None,
    )
    db.session.add(user)
    changesets.commit_or_taken()
    return user


def get_user_by_email_or_raise(email: Any) -> User:
    """The user with this email (case-insensitive); raises NotFound when there is none."""
    user = service.get_user_by_email(email)
    if user is None:
        raise NotFound()
    return user


def list_users() -> list[User]:
    """Every user, oldest first (then by email)."""
    return list(db.session.scalars(select(User).order_by(User.inserted_at, User.email)))


def set_user_password(user: User, password: Any) -> User:
    """Set a password chosen by an administrator and delete every token of the user.

    Validated like the web (ValidationError). Security: every browser session,
    email link and API token of the user ends, and a security notice is queued
    to the user, in the same transaction.
    """
    errors = Errors()
    password = changesets.password_changeset(errors, password)
    errors.raise_if_any()
    return service.commit_new_password(user, password)


def count_user_tokens(user: User) -> int:
    """How many tokens (sessions, email links, API tokens) the user has."""
    return db.session.scalar(select(func.count()).select_from(UserToken).where(UserToken.user_id == user.id))


def delete_user(user: User) -> int:
    """Delete the user and everything that belongs to them, in one transaction.

    Returns how many tokens were deleted; the user's recipes go with the user
    (count them beforehand in their own context). The security notice to the
    account's address is queued in the same transaction, as when a user
    deletes their own account.
    """
    notice = notifier.enqueue_account_deleted_notice(user.email)
    tokens_deleted = changesets.delete_user_rows(user)
    db.session.commit()
    notifier.send_enqueued(notice)
    return tokens_deleted


def purge_expired_tokens() -> int:
    """Delete every expired token of every user; returns how many were deleted.

    Session 60 days, confirm 7, reset password 1, email change 7 (all from the
    configuration), and API token rows once older than JWT_ACCESS_TOKEN_EXPIRES.
    Tokens of an unknown context are kept.
    """
    deleted = db.session.execute(tokens.expired()).rowcount
    db.session.commit()
    return deleted


def seed_users(count: int, password: str, batch_size: int = SEED_BATCH_SIZE) -> list[uuid.UUID]:
    """Insert ``count`` confirmed users sharing one password; returns their ids.

    For development databases only. The password is hashed once (bcrypt is slow
    by design) and the rows go in with bulk inserts, one transaction per batch.
    Emails are ``cook-<run>-<n>@example.com`` so that seeding twice never collides.
    """
    hashed = hash_password(password)
    run = uuid.uuid4().hex[:8]
    now = utcnow()
    ids = [uuid.uuid4() for _ in range(count)]
    rows = [
        {
            "id": user_id,
            "email": f"cook-{run}-{n}@example.com",
            "hashed_password": hashed,
            "confirmed_at": now,
            "is_admin": False,
            "inserted_at": now,
            "updated_at": now,
        }
        for n, user_id in enumerate(ids, start=1)
    ]
    for start in range(0, len(rows), batch_size):
        db.session.execute(insert(User.__table__), rows[start : start + batch_size])
        db.session.commit()
    return ids
