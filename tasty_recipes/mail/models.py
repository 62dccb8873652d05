"""OutboxMessage: one email waiting for, or done with, delivery (see mail.outbox)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import TimestampMixin, UTCDateTime, uuid_pk
from ..extensions import db

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
STATUSES = (PENDING, SENT, FAILED)

RECIPIENT_MAX_LENGTH = 255
SUBJECT_MAX_LENGTH = 255
LAST_ERROR_MAX_LENGTH = 500


class OutboxMessage(TimestampMixin, db.Model):
    """One queued email and its delivery: pending, sent or failed, attempts and the next try."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="mail_outbox_status_check"),
        # The worker's query: pending rows whose next attempt is due, oldest first.
        Index("mail_outbox_status_next_attempt_at_index", "status", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    recipient: Mapped[str] = mapped_column(String(RECIPIENT_MAX_LENGTH), nullable=False)
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX_LENGTH), nullable=False)
    # Holds a raw email token until delivery ends: erased once sent or failed.
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # None once the message is sent or has failed for good.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(LAST_ERROR_MAX_LENGTH), nullable=True)

    def __repr__(self) -> str:  # never show the body: it holds a token
        return f"<OutboxMessage {self.id} {self.status} to {self.recipient!r}>"
