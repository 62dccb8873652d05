"""The worker's delivery passes against a real SMTP server: retries, recovery, no duplicates."""

from __future__ import annotations

import smtplib

from tasty_recipes.accounts import service as accounts
from tasty_recipes.extensions import db
from tasty_recipes.mail import outbox
from tasty_recipes.mail.models import FAILED, PENDING, SENT

from ..support.accounts import VALID_PASSWORD, unique_user_email
from ..support.emails import received_body, token_in_link
from ..support.mail_outbox import MAX_ATTEMPTS, RETRY_BASE_SECONDS, later, outbox_rows


def _register(client) -> str:
    email = unique_user_email()
    response = client.post("/users/register", data={"email": email, "password": VALID_PASSWORD})
    assert response.status_code == 302
    client.post("/users/log_out", data={})
    return email


def _queue(count: int) -> list[str]:
    """``count`` messages to new addresses, committed."""
    emails = [unique_user_email() for _ in range(count)]
    for email in emails:
        outbox.enqueue(email, "Hello", f"Hi {email}")
    db.session.commit()
    return emails


def test_server_down_keeps_messages_pending_then_delivers_each_once_with_a_working_link(
    smtp_server, smtp_client, user_fixture
):
    email = _register(smtp_client)
    known = user_fixture()
    smtp_client.post("/users/reset_password", data={"email": known.email})
    queued_at = {row.id: row.next_attempt_at for row in outbox_rows()}

    report = outbox.deliver_due()
    assert (report.sent, report.retrying, report.failed) == (0, 2, 0)
    for row in outbox_rows():
        assert (row.status, row.attempts) == (PENDING, 1)
        assert row.next_attempt_at > queued_at[row.id]
        assert row.last_error.startswith("ConnectionRefusedError")
        assert row.body  # kept for the next attempt
    assert outbox.deliver_due().attempted == 0  # not due yet

    smtp_server.start()
    report = outbox.deliver_due(now=later())
    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)
    assert sorted(smtp_server.recipients()) == sorted([email, known.email])
    assert [row.status for row in outbox_rows()] == [SENT, SENT]

    by_recipient = {message["To"]: received_body(message) for message in smtp_server.messages}
    confirmed = smtp_client.post(f"/users/confirm/{token_in_link(by_recipient[email])}", data={})
    assert confirmed.status_code == 302
    assert accounts.get_user_by_email(email).is_confirmed
    reset_page = smtp_client.get(f"/users/reset_password/{token_in_link(by_recipient[known.email])}")
    assert reset_page.status_code == 200

    assert outbox.deliver_due(now=later(2)).attempted == 0
    assert len(smtp_server.messages) == 2


def test_retry_waits_double_up_to_the_maximum(smtp_app):
    delays = [outbox.retry_delay(attempts).total_seconds() for attempts in range(1, 6)]
    assert delays == [RETRY_BASE_SECONDS, 2 * RETRY_BASE_SECONDS, 4 * RETRY_BASE_SECONDS, 8, 8]


def test_server_stopping_mid_pass_loses_nothing(smtp_server, smtp_app):
    emails = _queue(4)
    smtp_server.start()

    def stop_the_server_after_the_first_message() -> bool:
        if smtp_server.running and smtp_server.messages:
            smtp_server.stop()
        return False  # keep going: the rest of the pass meets a dead server

    report = outbox.deliver_due(should_stop=stop_the_server_after_the_first_message)
    assert (report.sent, report.retrying) == (1, 3)
    assert sorted(row.status for row in outbox_rows()) == [PENDING, PENDING, PENDING, SENT]

    smtp_server.start()
    assert outbox.deliver_due(now=later()).sent == 3
    assert sorted(smtp_server.recipients()) == sorted(emails)
    assert outbox.deliver_due(now=later(2)).attempted == 0


def test_should_stop_ends_the_pass_between_messages(smtp_server, smtp_app):
    _queue(3)
    smtp_server.start()
    report = outbox.deliver_due(should_stop=lambda: len(smtp_server.messages) >= 1)
    assert report.sent == 1
    assert sorted(row.status for row in outbox_rows()) == [PENDING, PENDING, SENT]


def test_sent_message_keeps_no_body(smtp_server, smtp_app):
    _queue(1)
    smtp_server.start()
    outbox.deliver_due()
    [row] = outbox_rows()
    assert (row.status, row.body, row.attempts, row.last_error) == (SENT, None, 1, None)
    assert row.sent_at is not None and row.next_attempt_at is None


def test_recipient_refused_for_good_fails_at_once_without_its_body(smtp_server, smtp_app):
    [refused] = _queue(1)
    smtp_server.handler.refuse[refused] = "550 5.1.1 No such user here"
    smtp_server.start()
    report = outbox.deliver_due()
    assert (report.sent, report.retrying, report.failed) == (0, 0, 1)
    [row] = outbox_rows()
    assert (row.status, row.attempts, row.body, row.next_attempt_at) == (FAILED, 1, None, None)
    assert row.last_error == "SMTPRecipientsRefused: 550 5.1.1 No such user here"
    assert outbox.deliver_due(now=later()).attempted == 0
    assert smtp_server.messages == []


def test_recipient_refused_for_now_is_retried_then_delivered(smtp_server, smtp_app):
    [greylisted] = _queue(1)
    smtp_server.handler.refuse[greylisted] = "451 4.7.1 Greylisted, try again later"
    smtp_server.start()
    assert outbox.deliver_due().retrying == 1
    [row] = outbox_rows()
    assert (row.status, row.attempts) == (PENDING, 1)
    assert row.last_error.startswith("SMTPRecipientsRefused: 451")
    del smtp_server.handler.refuse[greylisted]
    assert outbox.deliver_due(now=later()).sent == 1
    assert smtp_server.recipients() == [greylisted]


def test_address_that_cannot_be_encoded_fails_at_once(smtp_server, smtp_app):
    # Registration rejects such addresses (notifier.can_address); this row bypasses it.
    outbox.enqueue("cook@" + "a" * 64 + ".example.com", "Hello", "Hi")
    db.session.commit()
    smtp_server.start()
    assert outbox.deliver_due().failed == 1
    [row] = outbox_rows()
    assert (row.status, row.attempts, row.body) == (FAILED, 1, None)
    assert row.last_error.startswith("UnicodeError")


def test_temporary_failures_give_up_after_the_last_attempt(smtp_app):
    _queue(1)
    for hours in range(MAX_ATTEMPTS):
        outbox.deliver_due(now=later(hours))
    [row] = outbox_rows()
    assert (row.status, row.attempts, row.body, row.next_attempt_at) == (FAILED, MAX_ATTEMPTS, None, None)
    assert row.last_error.startswith("ConnectionRefusedError")


def test_the_smtp_password_never_reaches_the_last_error(smtp_app, monkeypatch):
    smtp_app.config["MAIL_PASSWORD"] = "s3cret-pass"

    def refuse_login(message):
        raise smtplib.SMTPAuthenticationError(535, b"5.7.8 s3cret-pass is not accepted")

    monkeypatch.setattr(outbox, "_send", refuse_login)
    _queue(1)
    assert outbox.deliver_due().retrying == 1  # a login problem is the operator's to fix: retried
    [row] = outbox_rows()
    assert row.last_error == "SMTPAuthenticationError: 535 5.7.8 *** is not accepted"
