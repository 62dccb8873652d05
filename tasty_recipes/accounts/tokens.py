"""Session and email tokens: 32 random bytes for the client, their SHA-256 at rest.

Stricter than phx.gen.auth, session tokens are hashed too, so a copy of the
database hands out neither sessions nor email links.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Delete, Select, and_, delete, or_, select

from ..db import utcnow
from .models import User, UserToken

RAND_SIZE = 32
SESSION = "session"
CONFIRM = "confirm"
RESET = "reset_password"  # the context of reset-password links
CHANGE_EMAIL_PREFIX = "change:"
LOGIN = "login"  # the context of magic links (log in with an emailed link)
API = "api"  # rows of the JSON API's JWTs (accounts.api_tokens)
_ENCODED_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # 32 bytes, URL-safe base64, no padding

# context -> (setting, unit of the setting)
_VALIDITY_SETTING = {
    SESSION: ("SESSION_VALIDITY_DAYS", "days"),
    CONFIRM: ("CONFIRM_VALIDITY_DAYS", "days"),
    RESET: ("RESET_PASSWORD_VALIDITY_DAYS", "days"),
    LOGIN: ("MAGIC_LINK_VALIDITY_MINUTES", "minutes"),
}
# Email links: each dies when the user's email is no longer the one it was sent to.
_SENT_TO_CURRENT_EMAIL = (CONFIRM, RESET, LOGIN)


def encode(raw: bytes) -> str:
    """Raw token bytes as the client sees them: URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode(encoded: str) -> bytes | None:
    """Raw bytes of an encoded token, or None when it is not one of ours.

    Strict: Python's base64 decoder silently drops characters outside the
    alphabet, so "tok!!en" would otherwise pass for "token". Only the exact
    encoding that ``encode`` produces is accepted.
    """
    if not isinstance(encoded, str) or not _ENCODED_TOKEN.fullmatch(encoded):
        return None
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == RAND_SIZE and encode(raw) == encoded else None


def digest(raw: bytes) -> bytes:
    """The SHA-256 of a raw token: the only form of it that is stored."""
    return hashlib.sha256(raw).digest()


def build_token(user: User, context: str, sent_to: str | None = None) -> tuple[str, UserToken]:
    """A new token: the encoded value for the client and the row to store."""
    raw = secrets.token_bytes(RAND_SIZE)
    row = UserToken(user_id=user.id, token=digest(raw), context=context, sent_to=sent_to)
    return encode(raw), row


def validity(context: str) -> timedelta:
    """How long a token of ``context`` lives (the ``*_VALIDITY_*`` settings; not for API tokens)."""
    if context.startswith(CHANGE_EMAIL_PREFIX):
        setting, unit = "CHANGE_EMAIL_VALIDITY_DAYS", "days"
    else:
        setting, unit = _VALIDITY_SETTING[context]
    return timedelta(**{unit: current_app.config[setting]})


def valid_since(context: str) -> datetime:
    """The moment before which a token of ``context`` has expired: live tokens were inserted after it."""
    return utcnow() - validity(context)


def verify_query(encoded: str, context: str) -> Select | None:
    """Query for (user, token row) of a live token, or None when the token is malformed.

    Email tokens (confirm, reset, magic-link log-in) also require ``sent_to`` to
    equal the user's current email, so changing the email kills them.
    """
    raw = decode(encoded)
    if raw is None:
        return None
    query = (
        select(User, UserToken)
        .join(UserToken, UserToken.user_id == User.id)
        .where(UserToken.token == digest(raw), UserToken.context == context)
        .where(UserToken.inserted_at > valid_since(context))
    )
    if context in _SENT_TO_CURRENT_EMAIL:
        query = query.where(UserToken.sent_to == User.email)
    return query


# --- the queries every module uses to delete tokens (phx.gen.auth's vocabulary) -----------


def by_token_and_context(token_digest: bytes, context: str) -> Delete:
    """The DELETE of one token: the row with this SHA-256 digest in ``context``."""
    return delete(UserToken).where(UserToken.token == token_digest, UserToken.context == context)


def by_user_and_contexts(user_id: uuid.UUID, contexts: Iterable[str] | None = None) -> Delete:
    """The DELETE of a user's tokens in ``contexts`` (every context when None)."""
    query = delete(UserToken).where(UserToken.user_id == user_id)
    if contexts is not None:
        query = query.where(UserToken.context.in_(list(contexts)))
    return query


def expired() -> Delete:
    """The DELETE of every token past its validity, of every user (unknown contexts are kept)."""
    stale = [
        and_(UserToken.context == context, UserToken.inserted_at <= valid_since(context))
        for context in _VALIDITY_SETTING
    ]
    stale.append(
        and_(
            UserToken.context.startswith(CHANGE_EMAIL_PREFIX, autoescape=True),
            UserToken.inserted_at <= valid_since(CHANGE_EMAIL_PREFIX),
        )
    )
    api_since = utcnow() - current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    stale.append(and_(UserToken.context == API, UserToken.inserted_at <= api_since))
    return delete(UserToken).where(or_(*stale))
