"""Why a delivery attempt failed, and whether trying again could ever help.

Permanent: the server refused this message for good (5xx to its recipient or
its data), or the message cannot be encoded (address or header). Everything
else (connection refused, timeouts, 4xx, a refused sender or login, which an
operator can fix) is temporary and retried with backoff.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

PERMANENT_SMTP_CODE = 500


@dataclass(frozen=True)
class Failure:
    """One failed attempt: ``permanent`` stops the retries; ``error`` is safe to store."""

    permanent: bool
    error: str


def classify(exc: BaseException, max_length: int, redact: tuple[str, ...] = ()) -> Failure:
    """The Failure for ``exc``; every string in ``redact`` (credentials) is masked in the text."""
    return Failure(permanent=_is_permanent(exc), error=_describe(exc, max_length, redact))


def _is_permanent(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(code >= PERMANENT_SMTP_CODE for code in codes)
    if isinstance(exc, smtplib.SMTPDataError):
        return exc.smtp_code >= PERMANENT_SMTP_CODE
    if isinstance(exc, OSError):  # smtplib.SMTPException is one too: checked above
        return False
    # ValueError covers flask_mailman's invalid addresses and BadHeaderError.
    return isinstance(exc, (ValueError, UnicodeError))


def _describe(exc: BaseException, max_length: int, redact: tuple[str, ...]) -> str:
    # One line: multi-line SMTP replies would break the status table.
    text = " ".join(f"{exc.__class__.__name__}: {_detail(exc)}".split())
    for secret in redact:
        if secret:
            text = text.replace(secret, "***")
    return text[:max_length]


def _detail(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {_text(message)}" for code, message in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return str(exc) or "(no message)"


def _text(message: bytes | str) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else message
