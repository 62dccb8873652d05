"""Facts about the current request that several faces need."""

from __future__ import annotations

from flask import Response, request
from flask_login import current_user


def is_api_request() -> bool:
    """True for the JSON API (under ``/api``): errors and caching differ there."""
    return request.path == "/api" or request.path.startswith("/api/")


def current_actor():
    """The logged-in User itself, not Flask-Login's proxy (services compare identities)."""
    return current_user._get_current_object()


def no_content() -> Response:
    """An empty 204 answer, without the Content-Type Flask would add."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response
