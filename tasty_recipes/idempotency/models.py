"""IdempotencyKey: one client key, the request it came with and the answer it got."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, UUIDType, utcnow, uuid_pk
from ..extensions import db

SCOPE_MAX_LENGTH = 100
KEY_MAX_LENGTH = 255
FINGERPRINT_LENGTH = 64  # hex SHA-256


class IdempotencyKey(db.Model):
    """One client key within a scope: the fingerprint of its request and the answer stored for replays."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        # One row per key and scope: a concurrent request with the same key waits on
        # this index until the first one commits or rolls back, and never does the work.
        UniqueConstraint("scope", "key", name="idempotency_keys_scope_key_index"),
        # The purge deletes by age.
        Index("idempotency_keys_inserted_at_index", "inserted_at"),
        # Deleting a user deletes their keys (ON DELETE CASCADE).
        Index("idempotency_keys_user_id_index", "user_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    # Who may replay the key: "POST /api/recipes by <user id>", "POST /api/sign_up".
    scope: Mapped[str] = mapped_column(String(SCOPE_MAX_LENGTH), nullable=False)
    key: Mapped[str] = mapped_column(String(KEY_MAX_LENGTH), nullable=False)
    # Keyed SHA-256 of the request body: the same key with another body is refused.
    fingerprint: Mapped[str] = mapped_column(String(FINGERPRINT_LENGTH), nullable=False)
    # The authenticated sender; None when there is none (sign-up).
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        UUIDType, ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    # The stored answer. None only inside the transaction that claimed the key: the
    # answer is written before that transaction commits (idempotency.service).
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    response_headers: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)
    # The key lives KEY_LIFETIME (idempotency.service) from here.
    inserted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:  # never show the stored body: it may hold personal data
        return f"<IdempotencyKey {self.scope!r} {self.key!r}>"
