"""Mail fixtures: an app whose mail goes over SMTP to a real local server the test controls."""

from __future__ import annotations

import pytest

from tasty_recipes.extensions import db

from ..support.app import CSRFClient, make_app
from ..support.mail_outbox import MAX_ATTEMPTS, RETRY_BASE_SECONDS, RETRY_MAX_SECONDS
from ..support.smtp_server import SMTPServer


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
