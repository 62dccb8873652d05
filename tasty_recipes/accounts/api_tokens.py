"""API tokens (JWT) as revocable rows in ``users_tokens``.

A JWT is only valid while a row with context ``"api"`` and the SHA-256 of its
``jti`` exists. Deleting a user's rows (password change or reset, account
deletion by cascade) therefore revokes every API token of that user at once,
exactly like browser sessions. Only the digest is stored: a copy of the
database does not reveal which ``jti`` values are live.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import bindparam, select

from ..db import autocommit_reads, utcnow
from ..extensions import db
from .models import User, UserToken
from .tokens import API, by_token_and_context


def digest_jti(jti: str) -> bytes:
    """The SHA-256 of a ``jti``: all that ``users_tokens`` keeps of an API token."""
    return hashlib.sha256(jti.encode()).digest()


def record_api_token(user: User, jti: str) -> None:
    """Store a newly issued token's ``jti`` (hashed) so that it authenticates until revoked."""
    add_api_token(user, jti)
    db.session.commit()


def add_api_token(user: User, jti: str) -> None:
    """Add the row of a token about to be issued to the caller's transaction (not committed)."""
    db.session.add(UserToken(user_id=user.id, token=digest_jti(jti), context=API))


@dataclass(frozen=True, slots=True)
class ApiPrincipal:
    """Who an API token authenticates: the user's columns, without an ORM object."""

    id: uuid.UUID
    email: str
    confirmed_at: datetime | None
    is_admin: bool
    is_authenticated: ClassVar[bool] = True


# Built once, from Core columns (no ORM compilation step): the hottest query of the
# API, run by every authenticated request.
_users, _tokens = User.__table__.c, UserToken.__table__.c
_PRINCIPAL_BY_TOKEN = (
    select(_users.id, _users.email, _users.confirmed_at, _users.is_admin)
    .join_from(User.__table__, UserToken.__table__, _tokens.user_id == _users.id)
    .where(_tokens.token == bindparam("token"), _tokens.context == API)
    .where(_tokens.user_id == bindparam("user_id"))
    .where(_tokens.inserted_at > bindparam("since"))
)


def get_principal_by_api_token(
    jti: Any, subject: Any, validity: timedelta, read_only: bool = False
) -> ApiPrincipal | None:
    """The user of a live API token, in ONE statement (token row joined to its user).

    None when the token was revoked, its user deleted, it is older than
    ``validity``, or ``subject`` (the JWT ``sub``) is not that row's user.
    Malformed values are None too, never an exception. ``read_only``: the
    request will only read, so this and its later statements run without a
    transaction (no BEGIN/ROLLBACK round trips); it must be the first statement.
    """
    if not isinstance(jti, str) or not jti or len(jti) > 255 or not isinstance(subject, str):
        return None
    try:
        user_id = uuid.UUID(subject)
    except ValueError:
        return None
    if read_only:
        autocommit_reads()
    row = db.session.execute(
        _PRINCIPAL_BY_TOKEN, {"token": digest_jti(jti), "user_id": user_id, "since": utcnow() - validity}
    ).first()
    return ApiPrincipal(*row) if row else None


def revoke_api_token(jti: str) -> None:
    """Delete one API token (sign out); unknown ``jti`` values are ignored."""
    db.session.execute(by_token_and_context(digest_jti(jti), API))
    db.session.commit()
