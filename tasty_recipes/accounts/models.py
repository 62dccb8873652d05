"""User and UserToken: accounts and their hashed, purpose-scoped tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import CIText, TimestampMixin, UTCDateTime, UUIDType, utcnow, uuid_pk
from ..extensions import db


class User(TimestampMixin, db.Model):
    """An account: a unique case-insensitive email, a password hash, confirmation time and admin flag."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("email", name="users_email_key"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    email: Mapped[str] = mapped_column(CIText, nullable=False)
    hashed_password: Mapped[str] = mapped_column(String(255), nullable=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")

    # Flask-Login: the browser's session token, set when the user is loaded from it.
    session_token = None  # str | None; not a column
    is_active = True
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        """Always True for Flask-Login: anonymous visitors are never Users."""
        return True

    def get_id(self) -> str | None:
        """Flask-Login's id for this user: its current session token."""
        # Flask-Login stores this in the session and the remember-me cookie: the
        # revocable session token, never the user id.
        return self.session_token

    @property
    def is_confirmed(self) -> bool:
        """True once the email address has been confirmed."""
        return self.confirmed_at is not None

    def __repr__(self) -> str:  # never show the password hash
        return f"<User {self.id} {self.email!r}>"


class UserToken(db.Model):
    """One token of a user, stored as its SHA-256: a session, an email link or an API token (``context``)."""

    __tablename__ = "users_tokens"
    __table_args__ = (
        UniqueConstraint("context", "token", name="users_tokens_context_token_index"),
        Index("users_tokens_user_id_index", "user_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    token: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)
    context: Mapped[str] = mapped_column(String(255), nullable=False)
    sent_to: Mapped[str | None] = mapped_column(String(255), nullable=True)
    inserted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
