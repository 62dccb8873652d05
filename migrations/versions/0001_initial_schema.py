"""Initial schema: users, users_tokens, recipes.

Revision ID: 0001_initial_schema
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001_initial_schema"
down_revision = None
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def _email_type():
    # citext on PostgreSQL; elsewhere a NOCASE text column, so uniqueness is case-insensitive.
    return sa.String(160, collation="NOCASE").with_variant(postgresql.CITEXT(), "postgresql")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS citext")

    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("email", _email_type(), nullable=False),
        sa.Column("hashed_password", sa.String(255), nullable=False),
        sa.Column("confirmed_at", TIMESTAMP, nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("inserted_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("email", name="users_email_key"),
    )

    op.create_table(
        "users_tokens",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Uuid(),
            sa.ForeignKey("users.id", ondelete="CASCADE", name="users_tokens_user_id_fkey"),
            nullable=False,
        ),
        sa.Column("token", sa.LargeBinary(32), nullable=False),
        sa.Column("context", sa.String(255), nullable=False),
        sa.Column("sent_to", sa.String(255), nullable=True),
        sa.Column("inserted_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("context", "token", name="users_tokens_context_token_index"),
    )
    op.create_index("users_tokens_user_id_index", "users_tokens", ["user_id"])

    op.create_table(
        "recipes",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "owner_id",
            sa.Uuid(),
            sa.ForeignKey("users.id", ondelete="CASCADE", name="recipes_owner_id_fkey"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("inserted_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )
    op.create_index("recipes_inserted_at_id_index", "recipes", ["inserted_at", "id"])
    op.create_index("recipes_owner_id_inserted_at_id_index", "recipes", ["owner_id", "inserted_at", "id"])


def downgrade():
    op.drop_table("recipes")
    op.drop_table("users_tokens")
    op.drop_table("users")
