"""Trigram index on recipe names, so that a substring search (``?q=``) is an index lookup.

``name ILIKE '%…%'`` cannot use a B-tree: without this index every search
reads the whole table (about 420 ms on 200,000 recipes for a 255-character
query that matches nothing). pg_trgm is a trusted extension (PostgreSQL 13+):
the database owner may create it. SQLite databases (development) get nothing.

Revision ID: 0004_recipe_name_trigram_index
Revises: 0003_idempotency_keys
Create Date: 2026-12-02
"""

from alembic import op

revision = "0004_recipe_name_trigram_index"
down_revision = "0003_idempotency_keys"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "recipes_name_trgm_index",
        "recipes",
        ["name"],
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("recipes_name_trgm_index", table_name="recipes")
