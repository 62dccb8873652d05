"""Recovering from database faults inside one request.

* **Stale connections.** After PostgreSQL restarts, pooled connections are dead
  but look fine until used (only those idle for a second are pinged: a ping per
  request would cost a round trip). The first statement on one fails and
  SQLAlchemy invalidates the pool. When nothing was committed yet in this
  request, the view's database work is safe to redo, so it runs once more on a
  fresh connection: the very next request after a restart succeeds.
* **Releasing a connection never fails a response.** The response is already
  made when the session is closed; if giving its connection back fails (the
  database died just then), the connection is discarded and logged.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from .db_waits import DatabaseTimeout
from .extensions import db

log = logging.getLogger(__name__)

# Per-request state that a retry must rebuild from the database.
CACHED_LOOKUPS = ("_login_user", "api_principal")


def init_app(app: Flask) -> None:
    """Count commits per request and release sessions safely (runs before Flask-SQLAlchemy's)."""
    with app.app_context():
        event.listen(db.engine, "commit", _note_commit)
    app.teardown_appcontext(_release_session)


def _note_commit(_connection) -> None:
    if has_app_context():
        g.db_commit_attempted = True


def can_retry(exc: Exception) -> bool:
    """True when ``exc`` is a dead connection found before this request committed anything."""
    return (
        isinstance(exc, DBAPIError)
        and exc.connection_invalidated
        and not isinstance(exc.orig, DatabaseTimeout)  # waited long enough already
        and not g.get("db_commit_attempted")
        and not g.get("db_retried")
    )


def retry_view():
    """Run the view again on a fresh session; its errors are handled as usual."""
    log.warning("database connection was dead; retrying the request once")
    g.db_retried = True
    db.session.remove()
    for name in CACHED_LOOKUPS:
        g.pop(name, None)
    try:
        return current_app.dispatch_request()
    except Exception as exc:  # noqa: BLE001 - handed to the app's own error handlers
        return current_app.handle_user_exception(exc)


def _release_session(_exc: BaseException | None) -> None:
    try:
        db.session.remove()
    except Exception:  # noqa: BLE001 - the response is made; losing a connection must not undo it
        log.warning("could not release a database connection; discarded", exc_info=True)
        db.session.registry.clear()
