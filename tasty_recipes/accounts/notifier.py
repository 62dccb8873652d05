"""One function per account email: rendered here, queued in the mail outbox.

``enqueue_*`` only add the message row to ``db.session``: the accounts service
adds the token row too and its single commit writes both (mail.outbox says
why). After that commit the service calls ``send_enqueued``, which delivers at
once with the console (development) and memory (tests) backends; with SMTP the
``flask mail worker`` sends it. ``deliver_*`` do all three steps, for callers
outside a service transaction.
"""

from __future__ import annotations

import unicodedata
from email.utils import getaddresses

from flask import render_template
from flask_mailman.message import sanitize_address

from ..mail import outbox
from ..mail.models import OutboxMessage


def can_address(email: str) -> bool:
    """False unless the mailer would send to ``email`` itself, one mailbox.

    Checked at validation time: otherwise the user is saved and sending then
    fails for good (control characters, a non-ASCII domain IDNA cannot
    encode, two ``@``) or goes to another address. The SMTP backend parses
    every recipient as the string given (``sanitize_address``), ASCII too: a
    list, a route or a quoted local part would be sent elsewhere than the
    address stored (``"a"@x`` to ``a@x``), so an ASCII address must come out
    of it unchanged; a non-ASCII one comes out encoded, and must parse whole.
    """
    if any(unicodedata.category(char) == "Cc" for char in email):
        return False
    try:
        if getaddresses((email,)) != [("", email)]:  # parsed as other or several addresses
            return False
        sent_to = sanitize_address(email, "utf-8")
    except (ValueError, UnicodeError, IndexError):
        return False
    return sent_to == email if email.isascii() else bool(sent_to)


def _enqueue(recipient: str, subject: str, template: str, **context) -> OutboxMessage:
    body = render_template(f"email/{template}.txt", **context)
    return outbox.enqueue(recipient, subject, body)


def enqueue_confirmation_instructions(email: str, url: str) -> OutboxMessage:
    """Queue the confirmation link on db.session; the caller commits."""
    return _enqueue(email, "Confirmation instructions", "confirmation_instructions", email=email, url=url)


def enqueue_reset_password_instructions(email: str, url: str) -> OutboxMessage:
    """Queue the reset-password link on db.session; the caller commits."""
    return _enqueue(email, "Reset password instructions", "reset_password_instructions", email=email, url=url)


def enqueue_update_email_instructions(email: str, url: str) -> OutboxMessage:
    """Queue the change-email link (to the new address) on db.session; the caller commits."""
    return _enqueue(email, "Update email instructions", "update_email_instructions", email=email, url=url)


def enqueue_login_instructions(email: str, url: str) -> OutboxMessage:
    """Queue the magic link that logs the user in on db.session; the caller commits."""
    return _enqueue(email, "Log in instructions", "login_instructions", email=email, url=url)


SECURITY_NOTICE = "Security notice"


def enqueue_password_changed_notice(email: str) -> OutboxMessage:
    """Queue the notice that the password changed (no link) on db.session; the caller commits."""
    return _enqueue(email, SECURITY_NOTICE, "security_notice_password_changed", email=email)


def enqueue_email_changed_notice(old_email: str, new_email: str) -> OutboxMessage:
    """Queue the notice of an email change, to the OLD address, on db.session; the caller commits."""
    return _enqueue(
        old_email, SECURITY_NOTICE, "security_notice_email_changed", email=old_email, new_email=new_email
    )


def enqueue_account_deleted_notice(email: str) -> OutboxMessage:
    """Queue the notice that the account was deleted on db.session; the caller commits.

    The outbox has no foreign key to users, so the row outlives the account.
    """
    return _enqueue(email, SECURITY_NOTICE, "security_notice_account_deleted", email=email)


def send_enqueued(message: OutboxMessage) -> None:
    """After the commit that wrote ``message``: deliver it now if the backend is immediate."""
    outbox.deliver_if_immediate([message])
