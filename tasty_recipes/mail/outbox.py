"""The mail outbox: emails are rows first, and are sent by a worker with retries.

Why: an account email carries a token that is written in the same transaction
as the email's row, so both exist or neither does; a request never waits on
the SMTP server and never fails because it is down. ``flask mail worker``
(mail.worker) calls ``deliver_due`` to send what is due.

Delivery is at least once per message, never twice in normal operation: each
message is sent inside its own transaction that holds its row locked
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL), so concurrent workers skip
it; only a crash between the server accepting a message and the commit can
send it again. SQLite has no row locks: run a single worker there.

Retries: a temporary failure (connection refused, timeout, 4xx) is retried after
``MAIL_RETRY_BASE_SECONDS`` doubled at each attempt (at most
``MAIL_RETRY_MAX_SECONDS``), up to ``MAIL_MAX_ATTEMPTS`` attempts; a permanent one
(5xx to the recipient, an address that cannot be encoded) fails at once
(mail.failures tells them apart).

Security: a body holds a raw token (confirm, reset, change-email link), while
tokens are otherwise stored only as SHA-256. The body is therefore erased as
soon as the message is sent or has failed for good; the row keeps only the
recipient, subject, status, attempts, timestamps and last error (which never
contains the SMTP password). A pending body lives only until delivery ends:
about three hours at most with the default retry settings.

Development and tests: the console and memory backends cannot fail and need no
server, so messages enqueued by a request are delivered right after its commit
(``deliver_if_immediate``), through these same rows and functions.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_mailman import EmailMessage
from sqlalchemy import Select, select

from ..db import utcnow
from ..extensions import db
from .failures import classify
from .models import FAILED, LAST_ERROR_MAX_LENGTH, PENDING, SENT, OutboxMessage

# Flask-Mailman backends that print or keep messages in memory: no server to wait on.
IMMEDIATE_BACKENDS = frozenset({"console", "locmem"})

# Beyond this the doubling is past any sensible ceiling (and float overflow).
MAX_BACKOFF_EXPONENT = 32

logger = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    """What one delivery pass did: messages sent, to be retried, failed for good."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        """How many messages the pass tried to deliver."""
        return self.sent + self.retrying + self.failed


# --- enqueueing ------------------------------------------------------------------------


def enqueue(recipient: str, subject: str, body: str) -> OutboxMessage:
    """Add a pending message to ``db.session``; the caller's commit writes it.

    The id is set here so that it is known without a query after the commit.
    """
    message = OutboxMessage(
        id=uuid.uuid4(),
        recipient=recipient,
        subject=subject,
        body=body,
        status=PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def delivers_immediately() -> bool:
    """Whether the configured backend is one that prints or stores mail (console, memory)."""
    return current_app.config["MAIL_BACKEND"] in IMMEDIATE_BACKENDS


def deliver_if_immediate(messages: Iterable[OutboxMessage]) -> DeliveryReport:
    """With an immediate backend, deliver these just-committed messages now; else leave them.

    Call it after the commit that wrote them: they are sent through the same rows
    and code as the worker's, and stay pending for the worker if sending fails.
    """
    if not delivers_immediately():
        return DeliveryReport()
    return deliver_now([message.id for message in messages])


# --- delivering --------------------------------------------------------------------------


def deliver_now(message_ids: Iterable[uuid.UUID]) -> DeliveryReport:
    """Attempt these messages now if they are still pending, due or not; one commit each."""
    report = DeliveryReport()
    for message_id in message_ids:
        query = select(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING)
        _deliver_one(query, utcnow(), report)
    return report


def deliver_due(
    now: datetime | None = None, should_stop: Callable[[], bool] = lambda: False
) -> DeliveryReport:
    """One pass: attempt every pending message due at ``now``, oldest first, one commit each.

    ``now`` (default: the current time) is also the clock the retry times are
    counted from, so a message that fails in this pass is not due again within
    it. ``should_stop`` is checked before each message (the worker's signals).
    """
    now = now or utcnow()
    report = DeliveryReport()
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    )
    while not should_stop() and _deliver_one(query, now, report):
        pass
    return report


def _deliver_one(query: Select, now: datetime, report: DeliveryReport) -> bool:
    """Lock the first row of ``query``, attempt it and commit; False when there was none."""
    message = _claim(query)
    if message is None:
        db.session.rollback()
        return False
    _attempt(message, now, report)
    db.session.commit()
    return True


def _claim(query: Select) -> OutboxMessage | None:
    # SKIP LOCKED: a row another worker is sending is not waited for, nor sent twice.
    # SQLite renders no FOR UPDATE at all.
    locked = query.limit(1).with_for_update(skip_locked=True)
    return db.session.scalars(locked.execution_options(populate_existing=True)).first()


def _attempt(message: OutboxMessage, now: datetime, report: DeliveryReport) -> None:
    message.attempts += 1
    try:
        _send(message)
    except Exception as exc:  # noqa: BLE001 - any error is recorded, so no message blocks the queue
        _record_failure(message, exc, now, report)
    else:
        _record_sent(message, report)


def _send(message: OutboxMessage) -> None:
    EmailMessage(subject=message.subject, body=message.body, to=[message.recipient]).send()


def _record_sent(message: OutboxMessage, report: DeliveryReport) -> None:
    message.status = SENT
    message.sent_at = utcnow()
    message.next_attempt_at = None
    message.last_error = None
    message.body = None  # the token in it must not outlive delivery
    report.sent += 1


def _record_failure(message: OutboxMessage, exc: Exception, now: datetime, report: DeliveryReport) -> None:
    failure = classify(exc, LAST_ERROR_MAX_LENGTH, redact=_credentials())
    message.last_error = failure.error
    if failure.permanent or message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        message.status = FAILED
        message.next_attempt_at = None
        message.body = None
        report.failed += 1
        logger.warning(
            "mail %s to %s failed for good after %d attempt(s): %s",
            message.id,
            message.recipient,
            message.attempts,
            failure.error,
        )
        return
    message.next_attempt_at = now + retry_delay(message.attempts)
    report.retrying += 1
    logger.info(
        "mail %s to %s: attempt %d failed (%s); next at %s",
        message.id,
        message.recipient,
        message.attempts,
        failure.error,
        message.next_attempt_at.isoformat(),
    )


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after ``attempts`` failed attempts: doubling, capped."""
    base = float(current_app.config["MAIL_RETRY_BASE_SECONDS"])
    ceiling = float(current_app.config["MAIL_RETRY_MAX_SECONDS"])
    exponent = min(attempts - 1, MAX_BACKOFF_EXPONENT)
    return timedelta(seconds=min(base * 2**exponent, ceiling))


def _credentials() -> tuple[str, ...]:
    password = current_app.config.get("MAIL_PASSWORD")
    return (password,) if password else ()
