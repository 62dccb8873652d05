"""One function per account email (SPEC §3), sent through Flask-Mailman.

The backend comes from MAIL_BACKEND: console in development, SMTP in
production, an in-memory outbox in tests.
"""

from __future__ import annotations

import unicodedata
from email.utils import getaddresses

from flask import render_template
from flask_mailman import EmailMessage
from flask_mailman.message import sanitize_address


def can_address(email: str) -> bool:
    """False when the mailer could not put ``email`` in a To header.

    Checked at validation time: otherwise the user is saved and sending then
    raises (control characters, a non-ASCII domain IDNA cannot encode, …).
    """
    if any(unicodedata.category(char) == "Cc" for char in email):
        return False
    if email.isascii():
        return True  # sent as is, never parsed
    try:
        addresses = getaddresses((email,))
        if addresses != [("", email)]:  # parsed as some other address
            return False
        return bool(sanitize_address(addresses[0], "utf-8"))
    except (ValueError, UnicodeError, IndexError):
        return False


def _deliver(recipient: str, subject: str, template: str, **context) -> EmailMessage:
    body = render_template(f"email/{template}.txt", **context)
    message = EmailMessage(subject=subject, body=body, to=[recipient])
    message.send()
    return message


def deliver_confirmation_instructions(email: str, url: str) -> EmailMessage:
    return _deliver(email, "Confirmation instructions", "confirmation_instructions",
                    email=email, url=url)


def deliver_reset_password_instructions(email: str, url: str) -> EmailMessage:
    return _deliver(email, "Reset password instructions", "reset_password_instructions",
                    email=email, url=url)


def deliver_update_email_instructions(email: str, url: str) -> EmailMessage:
    return _deliver(email, "Update email instructions", "update_email_instructions",
                    email=email, url=url)
