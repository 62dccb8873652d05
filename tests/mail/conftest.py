"""Mail fixtures: an app whose mail goes over SMTP to a real local server the test controls."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from tasty_recipes.db import utcnow
from tasty_recipes.extensions import db
from tasty_recipes.mail.models import OutboxMessage

from ..conftest import CSRFClient, make_app
from .smtp_server import SMTPServer

# Short waits, and few attempts, so the tests reach every state quickly; no test sleeps:
# "later" passes are run with a clock moved forward (deliver_due(now=…)).
RETRY_BASE_SECONDS = 2
RETRY_MAX_SECONDS = 8
MAX_ATTEMPTS = 3

TOKEN_IN_URL = re.compile(r"/(?:confirm|reset_password|confirm_email)/([A-Za-z0-9_-]{43})\s*$", re.M)


@pytest.fixture()
def smtp_server():
    """A local SMTP server, down until the test calls ``start()``."""
    server = SMTPServer()
    yield server
    server.stop()


@pytest.fixture()
def smtp_app(app, database_url, smtp_server):
    """A second app on the test database that sends mail to ``smtp_server``, in its own context."""
    mail_app = make_app(
        database_url,
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_TIMEOUT=5,
        MAIL_RETRY_BASE_SECONDS=RETRY_BASE_SECONDS,
        MAIL_RETRY_MAX_SECONDS=RETRY_MAX_SECONDS,
        MAIL_MAX_ATTEMPTS=MAX_ATTEMPTS,
    )
    mail_app.test_client_class = CSRFClient
    with mail_app.app_context():
        yield mail_app
        db.session.remove()
        db.engine.dispose()  # let the main fixture empty the tables afterwards


@pytest.fixture()
def smtp_client(smtp_app):
    return smtp_app.test_client()


def later(hours: int = 1) -> datetime:
    """A clock far enough ahead that every retry scheduled so far is due."""
    return utcnow() + timedelta(hours=hours)


def outbox_rows() -> list[OutboxMessage]:
    """Every outbox row as committed, oldest first."""
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.inserted_at)))


def make_all_due() -> None:
    """Move every retry time to now: what waiting out the backoff would do."""
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()


def token_in(body: str) -> str:
    """The token of the link in an email body (the URL stands alone on its line)."""
    match = TOKEN_IN_URL.search(body)
    assert match, f"no token link in:\n{body}"
    return match.group(1)


def received_body(message) -> str:
    return message.get_content()
