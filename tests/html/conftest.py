"""Fixtures for the recipe pages."""

from __future__ import annotations

import pytest


@pytest.fixture()
def recipe(recipe_fixture, user):
    return recipe_fixture(user)
