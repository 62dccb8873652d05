"""The app under test: built with the test settings, a browser-like test client, emptying its tables."""

from __future__ import annotations

import contextvars
import uuid

from flask import has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text

from tasty_recipes import create_app
from tasty_recipes.extensions import db

TABLES = ("mail_outbox", "idempotency_keys", "recipes", "users_tokens", "users")


def make_app(database_url: str, **overrides):
    config = {
        "TASTY_ENV": "testing",
        "DATABASE_URL": database_url,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
    }
    config.update(overrides)
    return create_app(config)


def empty_tables() -> None:
    """Delete every row the tests wrote (in the current app context)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(TABLES)} CASCADE"))
    else:
        for table in TABLES:
            db.session.execute(text(f"DELETE FROM {table}"))
    db.session.commit()


class CSRFClient(FlaskClient):
    """A test client that behaves like a browser hitting a real server.

    * Each request runs in its own app context, as in production: a fresh ``g``
      (Flask-Login's cached user) and its own database session. Without this,
      every request of a test would reuse the fixture's app context.
    * After each request the test's own session is expired, so objects the test
      holds show what the request committed.
    * A valid csrf_token is sent with every form POST; ``csrf=False`` sends none.
    """

    def open(self, *args, **kwargs):
        send_csrf = kwargs.pop("csrf", True)
        method = kwargs.get("method", "GET").upper()
        data = kwargs.get("data")
        if send_csrf and method != "GET" and isinstance(data, dict) and "csrf_token" not in data:
            kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response

    def csrf_token(self) -> str:
        """The signed token Flask-WTF would put in a form for this client's session."""
        app = self.application
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", uuid.uuid4().hex + uuid.uuid4().hex)
        serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)
