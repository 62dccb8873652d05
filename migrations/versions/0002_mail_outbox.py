"""Mail outbox: emails are queued in the transaction that creates their token.

Revision ID: 0002_mail_outbox
Revises: 0001_initial_schema
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_mail_outbox"
down_revision = "0001_initial_schema"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("recipient", sa.String(255), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        # Erased once the message is sent or has failed for good: it holds a raw token.
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=True),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("inserted_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="mail_outbox_status_check"),
    )
    op.create_index("mail_outbox_status_next_attempt_at_index", "mail_outbox", ["status", "next_attempt_at"])


def downgrade():
    op.drop_index("mail_outbox_status_next_attempt_at_index", table_name="mail_outbox")
    op.drop_table("mail_outbox")
