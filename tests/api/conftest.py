"""Helpers for the API tests: tokens, authorised clients, recipes, statement counting."""

from __future__ import annotations

import pytest

from tasty_recipes.api.auth import issue_token

from ..conftest import VALID_PASSWORD

UNAUTHENTICATED = {"message": "unauthenticated"}
WRONG_CREDENTIALS = {"message": "Wrong credentials", "status": "error"}
BAD_REQUEST = {"errors": {"detail": "Bad Request"}}
FORBIDDEN = {"errors": {"detail": "Forbidden"}}
NOT_FOUND = {"errors": {"detail": "Not Found"}}
PRECONDITION_FAILED = {"errors": {"detail": "Precondition Failed"}}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_invalid_token(response) -> None:
    """Guardian's 401 for a bad token: message invalid_token, an optional reason, nothing else."""
    assert response.status_code == 401, response.get_data(as_text=True)
    body = response.get_json()
    assert body["message"] == "invalid_token"
    assert set(body) <= {"message", "reason"}


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


__all__ = ["VALID_PASSWORD"]
