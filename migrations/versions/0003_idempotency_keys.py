"""Idempotency keys: the stored answers of POSTs sent with an Idempotency-Key header.

Revision ID: 0003_idempotency_keys
Revises: 0002_mail_outbox
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_idempotency_keys"
down_revision = "0002_mail_outbox"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("scope", sa.String(100), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column(
            "user_id",
            sa.Uuid(),
            sa.ForeignKey("users.id", ondelete="CASCADE", name="idempotency_keys_user_id_fkey"),
            nullable=True,
        ),
        # Empty only inside the transaction that claims the key; written before it commits.
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("response_headers", sa.JSON(), nullable=True),
        sa.Column("inserted_at", TIMESTAMP, nullable=False),
        # Backs "exactly one request does the work" for concurrent repeats of a key.
        sa.UniqueConstraint("scope", "key", name="idempotency_keys_scope_key_index"),
    )
    op.create_index("idempotency_keys_inserted_at_index", "idempotency_keys", ["inserted_at"])
    op.create_index("idempotency_keys_user_id_index", "idempotency_keys", ["user_id"])


def downgrade():
    op.drop_index("idempotency_keys_user_id_index", table_name="idempotency_keys")
    op.drop_index("idempotency_keys_inserted_at_index", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
