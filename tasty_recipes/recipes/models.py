"""Recipe: a name and a description, owned by a user, versioned against lost updates."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import TimestampMixin, UUIDType, uuid_pk
from ..extensions import db

NAME_MAX_LENGTH = 255
DESCRIPTION_MAX_LENGTH = 10_000


class Recipe(TimestampMixin, db.Model):
    """A recipe: a name and a description, owned by a user; ``version`` grows with every update."""

    __tablename__ = "recipes"
    __table_args__ = (
        # Newest first, with the id as tie-breaker: the keyset pagination order.
        Index("recipes_inserted_at_id_index", "inserted_at", "id"),
        Index("recipes_owner_id_inserted_at_id_index", "owner_id", "inserted_at", "id"),
        # Substring search on the name (?q=): trigrams, PostgreSQL only (pg_trgm).
        Index(
            "recipes_name_trgm_index", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    owner_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    # Bumped by every update (recipes.service); the ETag / If-Match and the HTML edit form use it.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    owner: Mapped[User] = relationship(lazy="raise")
