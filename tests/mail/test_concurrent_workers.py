"""Two workers at once on PostgreSQL: SKIP LOCKED gives each message to exactly one of them."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tasty_recipes.extensions import db
from tasty_recipes.mail import outbox
from tasty_recipes.mail.models import SENT

from ..support.accounts import unique_user_email
from ..support.mail_outbox import outbox_rows

pytestmark = pytest.mark.postgres_only

MESSAGES = 24
WORKERS = 2


def test_two_workers_send_each_message_exactly_once(smtp_app, smtp_server, is_postgres):
    if not is_postgres:
        pytest.skip("row locks (SKIP LOCKED) are checked on PostgreSQL (TEST_DATABASE_URL)")
    emails = [unique_user_email() for _ in range(MESSAGES)]
    for email in emails:
        outbox.enqueue(email, "Hello", f"Hi {email}")
    db.session.commit()
    smtp_server.handler.delay_seconds = 0.01  # each send holds its row lock a little while
    smtp_server.start()
    barrier = threading.Barrier(WORKERS)

    def worker(_: int) -> outbox.DeliveryReport:
        with smtp_app.app_context():  # its own session and connection, as a separate process has
            barrier.wait()
            try:
                return outbox.deliver_due()
            finally:
                db.session.remove()

    with ThreadPoolExecutor(WORKERS) as pool:
        reports = list(pool.map(worker, range(WORKERS)))

    assert sum(report.sent for report in reports) == MESSAGES
    assert all(report.retrying == report.failed == 0 for report in reports)
    assert Counter(smtp_server.recipients()) == Counter(emails)  # each once, none twice
    assert {row.status for row in outbox_rows()} == {SENT}
