"""Shared column types and mixins that behave the same on PostgreSQL and SQLite."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, TypeDecorator, Uuid, func
from sqlalchemy.dialects.postgresql import CITEXT
from sqlalchemy.orm import Mapped, mapped_column

EMAIL_MAX_LENGTH = 160


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes everywhere (SQLite drops the offset on its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use tasty_recipes.db.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# Case-insensitive text: citext on PostgreSQL, COLLATE NOCASE on SQLite.
CIText = String(EMAIL_MAX_LENGTH, collation="NOCASE").with_variant(CITEXT(), "postgresql")

UUIDType = Uuid(as_uuid=True)


def uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(UUIDType, primary_key=True, default=uuid.uuid4)


def get_by_id(model, raw_id: object):
    """The row of ``model`` with this UUID primary key; raises NotFound if unknown or malformed."""
    from .errors import NotFound
    from .extensions import db

    try:
        key = raw_id if isinstance(raw_id, uuid.UUID) else uuid.UUID(str(raw_id))
    except ValueError as exc:
        raise NotFound() from exc
    row = db.session.get(model, key)
    if row is None:
        raise NotFound()
    return row


class TimestampMixin:
    inserted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )


__all__ = ["CIText", "TimestampMixin", "UTCDateTime", "UUIDType", "func", "get_by_id", "utcnow", "uuid_pk"]


def enable_sqlite_foreign_keys(app) -> None:
    """SQLite ignores ON DELETE CASCADE unless each connection turns foreign keys on."""
    from sqlalchemy import event

    from .extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            return

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
