"""Fixtures for the accounts tests (their helpers are in tests/support)."""

from __future__ import annotations

import pytest


@pytest.fixture()
def confirmed_user(user_fixture):
    return user_fixture(confirmed=True)
