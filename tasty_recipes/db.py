"""Shared column types and mixins that behave the same on PostgreSQL and SQLite."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, TypeDecorator, Uuid, event, func
from sqlalchemy.dialects.postgresql import CITEXT
from sqlalchemy.exc import DisconnectionError
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


def autocommit_reads() -> None:
    """Run this request's statements without BEGIN/ROLLBACK: for read-only requests only.

    psycopg2 opens a transaction with its own round trip before the first statement
    and the pool rolls it back with another; a request that only reads gains nothing
    from them. Must be called before the request's first statement.
    """
    from .extensions import db

    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def configure_engine(app) -> None:
    """Per-backend connection setup, once the engine exists."""
    from .extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_foreign_keys)
        else:
            event.listen(engine, "checkin", _remember_checkin)
            event.listen(engine, "checkout", _ping_if_idle)


def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    # SQLite ignores ON DELETE CASCADE unless each connection turns foreign keys on.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# A pooled connection unused for this long is checked with a round trip before use.
PING_AFTER_IDLE_SECONDS = 1.0


def _remember_checkin(_dbapi_connection, record) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    """Pessimistic disconnect handling, without a round trip on every request.

    SQLAlchemy's pool_pre_ping pings at every checkout: one extra round trip per
    request under load. Connections reused within a second skip it; one that sat
    idle (or follows an outage) is pinged, and a dead one is replaced by the pool,
    so the first request after the database comes back succeeds.
    """
    checked_in_at = record.info.get("checked_in_at")
    if checked_in_at is not None and time.monotonic() - checked_in_at < PING_AFTER_IDLE_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()
    except Exception as exc:  # noqa: BLE001 - any failure means: not usable, get another
        raise DisconnectionError() from exc
