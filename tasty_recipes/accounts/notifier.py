"""One function per account email (SPEC §3), sent through Flask-Mailman.

The backend comes from MAIL_BACKEND: console in development, SMTP in
production, an in-memory outbox in tests.
"""

from __future__ import annotations

from flask import render_template
from flask_mailman import EmailMessage


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
