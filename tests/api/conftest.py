"""Fixtures for the API tests: a client, fresh API tokens, authorised headers."""

from __future__ import annotations

import pytest

from tasty_recipes.api.auth import issue_token

from ..support.api import bearer


@pytest.fixture()
def api(app):
    """A test client (its CSRF helper only touches form posts, which the API ignores)."""
    return app.test_client()


@pytest.fixture()
def token_for(app):
    """``token_for(user)``: a fresh, recorded API token."""

    def make(user) -> str:
        with app.test_request_context():
            return issue_token(user)

    return make


@pytest.fixture()
def auth(user, token_for):
    """Authorization headers for the default ``user``."""
    return bearer(token_for(user))
