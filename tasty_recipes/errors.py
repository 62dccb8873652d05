"""The one place that maps errors to HTTP.

Services raise the exceptions of ``exceptions.py``; they never call ``abort()``. Under
``/api`` every error is JSON (``{"errors": {"detail": …}}``, or per-field
messages for a 422); elsewhere it is a page.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, SecurityError

from .exceptions import DomainError, ValidationError
from .web.requests import is_api_request

log = logging.getLogger(__name__)

DATABASE_RETRY_AFTER_SECONDS = 5


def error_response(status: int, detail: str, headers: dict | None = None):
    """A JSON error under /api, an HTML page elsewhere."""
    if is_api_request():
        response = jsonify(errors={"detail": detail})
    else:
        response = render_template("errors/error.html", status=status, detail=detail)
    return response, status, headers or {}


def _http_error(exc: HTTPException):
    if isinstance(exc, SecurityError):
        return _untrusted_host()
    headers = {}
    if exc.code == 405 and exc.valid_methods:
        headers["Allow"] = ", ".join(exc.valid_methods)
    if exc.code == 429:
        headers["Retry-After"] = str(_retry_after(exc))
    return error_response(exc.code or 500, exc.name, headers)


def _untrusted_host():
    # A request for a host outside TRUSTED_HOSTS: Flask cannot build URLs for it, so the
    # answer is plain (no page template, whose links need them).
    if is_api_request():
        return jsonify(errors={"detail": "Bad Request"}), 400
    return (
        "Bad Request: this site does not answer for that host name.",
        400,
        {"Content-Type": "text/plain; charset=utf-8"},
    )


def _retry_after(exc: HTTPException) -> int:
    """Seconds until the rate-limit window resets (60 when the 429 did not say)."""
    seconds = getattr(exc, "retry_after_seconds", None)
    return seconds if seconds is not None else 60


def _validation_error(exc: ValidationError):
    if is_api_request():
        return jsonify(errors=exc.fields), 422
    messages = "; ".join(f"{field} {', '.join(msgs)}" for field, msgs in exc.fields.items())
    return error_response(422, messages)


def _domain_error(exc: DomainError):
    return error_response(exc.status, exc.detail)


def _csrf_error(exc: CSRFError):
    return error_response(
        400,
        "Bad Request: the form expired or is missing its security token. "
        "Go back, reload the page and try again.",
    )


def _database_unavailable(exc: Exception):
    log.warning("database unavailable: %s", exc.__class__.__name__)
    from flask import g

    from .extensions import db, login_manager

    db.session.remove()
    # The error page must not try to load the user from the database again.
    g._login_user = login_manager.anonymous_user()
    return error_response(503, "Service Unavailable", {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)})


def _is_connection_problem(exc: DBAPIError) -> bool:
    return isinstance(exc, OperationalError) or exc.connection_invalidated


def _unexpected_error(exc: Exception):
    from . import db_retry

    if db_retry.can_retry(exc):
        return db_retry.retry_view()
    if isinstance(exc, DBAPIError) and _is_connection_problem(exc):
        return _database_unavailable(exc)
    if isinstance(exc, PoolTimeoutError):
        return _database_unavailable(exc)
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "Internal Server Error")


def register_error_handlers(app: Flask) -> None:
    """Install the handlers: 422 per field, domain and HTTP errors by status, 503 database down, else 500."""
    app.register_error_handler(ValidationError, _validation_error)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
