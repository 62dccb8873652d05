"""Fixtures for the recipe pages: recipes made through the recipes service."""

from __future__ import annotations

import pytest

from tasty_recipes.recipes import service as recipes


@pytest.fixture()
def recipe_fixture(app):
    def make(owner, name: str = "Lentil soup", description: str = "Simmer lentils for 30 minutes."):
        return recipes.create_recipe(owner, {"name": name, "description": description})
    return make


@pytest.fixture()
def recipe(recipe_fixture, user):
    return recipe_fixture(user)
