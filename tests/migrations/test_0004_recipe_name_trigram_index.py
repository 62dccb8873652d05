"""Migration 0004_recipe_name_trigram_index: a database at 0003 with recipes in it upgrades and keeps them.

On PostgreSQL the upgrade creates pg_trgm and the index; on SQLite it changes nothing.
"""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tasty_recipes.accounts import service as accounts
from tasty_recipes.extensions import db
from tasty_recipes.recipes import service as recipes

from ..support.accounts import VALID_PASSWORD

BEFORE, AFTER = "0003_idempotency_keys", "0004_recipe_name_trigram_index"
INDEX = "recipes_name_trgm_index"


def _indexes() -> set[str]:
    return {index["name"] for index in inspect(db.engine).get_indexes("recipes")}


def test_upgrade_from_0003_keeps_recipes_and_indexes_names_on_postgresql(fresh_app):
    upgrade(revision=BEFORE)
    user = accounts.register_user("keep@example.com", VALID_PASSWORD)
    recipe = recipes.create_recipe(user, {"name": "Chickpea curry", "description": "Simmer."})
    recipe_id = recipe.id
    db.session.remove()

    upgrade(revision=AFTER)
    user = accounts.get_user_by_email("keep@example.com")

    assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == AFTER
    assert recipes.get_recipe(recipe_id).name == "Chickpea curry"
    assert [row.name for row in recipes.list_recipes(user, q="CHICKPEA").items] == ["Chickpea curry"]
    assert (INDEX in _indexes()) == (db.engine.dialect.name == "postgresql")


def test_downgrade_to_0003_drops_only_the_index(fresh_app):
    upgrade(revision=AFTER)
    user = accounts.register_user("stay@example.com", VALID_PASSWORD)
    recipes.create_recipe(user, {"name": "Soup", "description": "Hot."})
    user_id = user.id
    db.session.remove()
    downgrade(revision=BEFORE)
    assert INDEX not in _indexes()
    assert recipes.count_recipes_owned_by(user_id) == 1
    upgrade(revision=AFTER)
    assert (INDEX in _indexes()) == (db.engine.dialect.name == "postgresql")
