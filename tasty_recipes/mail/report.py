"""What the outbox holds, for ``flask mail status``: counts and the rows to look at."""

from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from .models import FAILED, PENDING, STATUSES, OutboxMessage


def counts() -> dict[str, int]:
    """Number of messages per status, every status included (zero when none)."""
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    found = {status: count for status, count in rows}
    return {status: found.get(status, 0) for status in STATUSES}


def failed(limit: int) -> list[OutboxMessage]:
    """The most recent messages that failed for good, newest first."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == FAILED)
            .order_by(OutboxMessage.updated_at.desc(), OutboxMessage.id)
            .limit(limit)
        )
    )


def oldest_pending(limit: int) -> list[OutboxMessage]:
    """The pending messages enqueued first (the ones waiting longest)."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == PENDING)
            .order_by(OutboxMessage.inserted_at, OutboxMessage.id)
            .limit(limit)
        )
    )
