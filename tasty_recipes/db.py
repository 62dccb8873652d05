"""Shared column types and mixins that behave the same on PostgreSQL and SQLite."""

from __future__ import annotations

import functools
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, TypeDecorator, Uuid, event, func
from sqlalchemy.dialects.postgresql import CITEXT
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Mapped, mapped_column

EMAIL_MAX_LENGTH = 160
AUTOCOMMIT_FLAG = "tasty_autocommit"  # pool record info: this connection reads in autocommit


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (UTCDateTime refuses naive datetimes)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes everywhere (SQLite drops the offset on its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Store the value in UTC; a naive datetime raises ValueError."""
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use tasty_recipes.db.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        """Return the value timezone-aware in UTC, also when the database dropped the offset."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# Case-insensitive text: citext on PostgreSQL, COLLATE NOCASE on SQLite.
CIText = String(EMAIL_MAX_LENGTH, collation="NOCASE").with_variant(CITEXT(), "postgresql")

UUIDType = Uuid(as_uuid=True)


def uuid_pk() -> Mapped[uuid.UUID]:
    """A UUID primary key column, a random UUID4 chosen by Python on insert."""
    return mapped_column(UUIDType, primary_key=True, default=uuid.uuid4)


class TimestampMixin:
    """``inserted_at`` and ``updated_at`` columns in UTC, set on insert and on every update."""

    inserted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


__all__ = ["CIText", "TimestampMixin", "UTCDateTime", "UUIDType", "func", "utcnow", "uuid_pk"]


def autocommit_reads() -> None:
    """Run this request's statements without BEGIN/ROLLBACK: for read-only requests only.

    psycopg2 opens a transaction with its own round trip before the first
    statement and the pool rolls it back with another; a request that only reads
    gains nothing from them. psycopg2's ``autocommit`` flag is client-side (no
    round trip, unlike SQLAlchemy's isolation-level option, whose reset at check-in
    costs one and raises if the server died meanwhile); ``_restore_transactions``
    clears it when the connection goes back to the pool. Must be called before the
    request's first statement. A no-op on SQLite.
    """
    from .extensions import db

    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return
    pooled = connection.connection
    pooled.dbapi_connection.autocommit = True
    pooled.info[AUTOCOMMIT_FLAG] = True


def ping(timeout_seconds: float) -> bool:
    """True when the database answers ``SELECT 1`` within ``timeout_seconds``.

    A pooled connection found dead (the server restarted) is replaced and tried
    once more: the question is whether the database answers now.
    """
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from . import db_waits
    from .extensions import db

    for attempt in range(2):
        try:
            with db_waits.client_timeout(timeout_seconds):
                db.session.execute(text("SELECT 1"))
            return True
        except DBAPIError as exc:
            timed_out = isinstance(exc.orig, db_waits.DatabaseTimeout)
            if attempt or timed_out or not exc.connection_invalidated:
                return False
        except SQLAlchemyError:
            return False
        finally:
            db.session.remove()
    return False


def configure_engine(app) -> None:
    """Per-backend connection setup, once the engine exists."""
    from . import db_waits
    from .extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_foreign_keys)
        else:
            db_waits.install(app.config["DATABASE_CLIENT_TIMEOUT_SECONDS"])
            event.listen(engine, "checkin", _remember_checkin)
            event.listen(engine, "checkin", _restore_transactions)
            event.listen(
                engine,
                "checkout",
                functools.partial(_ping_if_idle, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"]),
            )


def _restore_transactions(dbapi_connection, record) -> None:
    """Undo ``autocommit_reads`` before the connection serves another request."""
    if dbapi_connection is None or not record.info.pop(AUTOCOMMIT_FLAG, False):
        return
    try:
        dbapi_connection.autocommit = False
    except Exception as exc:  # noqa: BLE001 - a dead connection: discard it, never fail the response
        record.invalidate(exc)


def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    # SQLite ignores ON DELETE CASCADE unless each connection turns foreign keys on.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _remember_checkin(_dbapi_connection, record) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(ping_after_idle_seconds: float, dbapi_connection, record, _proxy) -> None:
    """Pessimistic disconnect handling, without a round trip on every request.

    SQLAlchemy's pool_pre_ping pings at every checkout: one extra round trip per
    request under load. Connections reused within a second skip it; one that sat
    idle (or follows an outage) is pinged, and a dead one is replaced by the pool.
    A dead connection reused without a ping fails its first statement; the
    request is then retried once on a fresh connection (``db_retry``).
    """
    checked_in_at = record.info.get("checked_in_at")
    if checked_in_at is not None and time.monotonic() - checked_in_at < ping_after_idle_seconds:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()
    except Exception as exc:  # noqa: BLE001 - any failure means: not usable, get another
        raise DisconnectionError() from exc
