"""flask seed: development data in bulk, refused in production."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tasty_recipes.accounts import admin as accounts_admin
from tasty_recipes.accounts import service as accounts
from tasty_recipes.extensions import db
from tasty_recipes.recipes import seeding
from tasty_recipes.recipes import service as recipes
from tasty_recipes.recipes.models import Recipe

from ..support.cli import assert_error, assert_success


def _recipe_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Recipe))


def _seeded_password(output: str) -> str:
    match = re.search(r"^The seeded users' password: (\S+)$", output, re.M)
    assert match, output
    return match.group(1)


def test_seed_creates_the_requested_users_and_recipes(cli):
    result = cli("seed", "--users", "3", "--recipes", "50")
    assert_success(result)
    assert "Seeded 3 user(s) and 50 recipe(s)." in result.stdout
    assert accounts.count_users() == 3
    assert _recipe_count() == 50
    users = accounts_admin.list_users()
    assert all(user.is_confirmed and not user.is_admin for user in users)
    owners = set(db.session.scalars(select(Recipe.owner_id)))
    assert owners == {user.id for user in users}


def test_seeded_users_log_in_with_the_printed_password(cli):
    result = cli("seed", "--users", "2", "--recipes", "0")
    assert_success(result)
    password = _seeded_password(result.stdout)
    assert len(password) >= 12
    for user in accounts_admin.list_users():
        assert accounts.get_user_by_email_and_password(user.email, password) == user


def test_seeded_recipes_are_valid_and_listed(cli, user):
    assert_success(cli("seed", "--users", "2", "--recipes", "20"))
    page = recipes.list_recipes(user, limit=100)
    assert len(page.items) == 20
    for row in page.items:
        assert 1 <= len(row.name) <= 255 and row.description
    recipe = recipes.get_recipe(page.items[0].id)
    assert recipe.version == 1


def test_seed_twice_adds_more_without_collisions(cli):
    assert_success(cli("seed", "--users", "2", "--recipes", "5"))
    assert_success(cli("seed", "--users", "2", "--recipes", "5"))
    assert accounts.count_users() == 4
    assert _recipe_count() == 10


def test_seed_in_batches_commits_every_row(cli, app):
    owner_ids = accounts_admin.seed_users(2, "a seeding password")
    assert seeding.seed_recipes(owner_ids, 23, batch_size=5) == 23
    assert _recipe_count() == 23


def test_seed_shows_a_progress_bar(cli):
    result = cli("seed", "--users", "1", "--recipes", "10")
    assert_success(result)
    assert "Seeding recipes" in result.stdout


def test_seed_refuses_production(cli, app, monkeypatch):
    monkeypatch.setitem(app.config, "TASTY_ENV", "production")
    result = cli("seed", "--users", "1", "--recipes", "1")
    assert_error(
        result, "refusing to seed a production database (TASTY_ENV=production); pass --force to do it anyway"
    )
    assert accounts.count_users() == 0


def test_seed_in_production_with_force(cli, app, monkeypatch):
    monkeypatch.setitem(app.config, "TASTY_ENV", "production")
    assert_success(cli("seed", "--users", "1", "--recipes", "1", "--force"))
    assert accounts.count_users() == 1


def test_seed_recipes_need_a_user(cli):
    result = cli("seed", "--users", "0", "--recipes", "5")
    assert_error(result, "--recipes needs at least one user (--users 1 or more)")
    assert _recipe_count() == 0


def test_seed_rejects_negative_counts(cli):
    result = cli("seed", "--users", "-1")
    assert result.exit_code == 2  # a usage error, reported by click
    assert "Traceback" not in result.output
