"""Migration 0003_idempotency_keys: a database at 0002 with data in it upgrades and keeps it.

Runs on a fresh SQLite file, and on a fresh PostgreSQL database when the suite
runs on PostgreSQL (TEST_DATABASE_URL).
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tasty_recipes.accounts import service as accounts
from tasty_recipes.api.auth import issue_token
from tasty_recipes.extensions import db
from tasty_recipes.recipes import service as recipes

from ..support.accounts import VALID_PASSWORD

BEFORE, AFTER = "0002_mail_outbox", "0003_idempotency_keys"
TABLE = "idempotency_keys"


def _version() -> str:
    return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def test_upgrade_from_0002_keeps_users_and_recipes(fresh_app):
    upgrade(revision=BEFORE)
    assert TABLE not in inspect(db.engine).get_table_names()
    user = accounts.register_user("keep@example.com", VALID_PASSWORD)
    recipe = recipes.create_recipe(user, {"name": "Kept soup", "description": "Still here."})
    user_id, recipe_id = user.id, recipe.id
    db.session.remove()

    upgrade(revision=AFTER)

    assert _version() == AFTER
    kept = accounts.get_user_by_email_and_password("keep@example.com", VALID_PASSWORD)
    assert kept is not None and kept.id == user_id
    kept_recipe = recipes.get_recipe(recipe_id)
    assert (kept_recipe.name, kept_recipe.owner_id) == ("Kept soup", user_id)
    inspector = inspect(db.engine)
    assert {index["name"] for index in inspector.get_indexes(TABLE)} >= {
        "idempotency_keys_inserted_at_index",
        "idempotency_keys_user_id_index",
    }
    # PostgreSQL lists the constraint's index among the indexes too.
    unique = inspector.get_unique_constraints(TABLE) + [
        index for index in inspector.get_indexes(TABLE) if index["unique"]
    ]
    assert {tuple(sorted(item["column_names"])) for item in unique} == {("key", "scope")}


def test_the_upgraded_database_replays_keyed_posts(fresh_app):
    upgrade(revision=BEFORE)
    user = accounts.register_user("cook@example.com", VALID_PASSWORD)
    upgrade(revision=AFTER)
    with fresh_app.test_request_context():
        headers = {"Authorization": f"Bearer {issue_token(user)}", "Idempotency-Key": "k"}
    client = fresh_app.test_client()
    body = {"name": "Soup", "description": "Water."}
    first = client.post("/api/recipes", headers=headers, json=body)
    again = client.post("/api/recipes", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()


def test_downgrade_to_0002_drops_only_the_keys(fresh_app):
    upgrade(revision=AFTER)
    user = accounts.register_user("stay@example.com", VALID_PASSWORD)
    user_id = user.id
    db.session.remove()
    downgrade(revision=BEFORE)
    assert _version() == BEFORE
    assert TABLE not in inspect(db.engine).get_table_names()
    assert accounts.get_user_by_email("stay@example.com").id == user_id
    upgrade(revision=AFTER)
    assert TABLE in inspect(db.engine).get_table_names()


def test_the_migration_matches_the_model(fresh_app):
    upgrade(revision=AFTER)
    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
    ours = [diff for diff in differences if TABLE in repr(diff)]
    assert ours == []
