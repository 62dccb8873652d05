"""Which delivery errors are worth retrying, and what is stored about them."""

from __future__ import annotations

import smtplib

import pytest

from tasty_recipes.mail.failures import classify


@pytest.mark.parametrize(
    ("exc", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"5.1.1 unknown user")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (451, b"4.7.1 greylisted")}), False),
        (smtplib.SMTPDataError(554, b"5.7.1 rejected as spam"), True),
        (smtplib.SMTPDataError(452, b"4.3.1 insufficient storage"), False),
        (smtplib.SMTPSenderRefused(550, b"5.7.1 sender not allowed", "from@example.com"), False),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"), False),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False),
        (smtplib.SMTPConnectError(421, b"too busy"), False),
        (ConnectionRefusedError(111, "Connection refused"), False),
        (TimeoutError("timed out"), False),
        (UnicodeError("label too long"), True),
        (ValueError('Invalid address "a\\nb@example.com"'), True),
        (RuntimeError("a bug"), False),
    ],
)
def test_permanent_or_temporary(exc, permanent):
    assert classify(exc, 500).permanent is permanent


def test_error_text_names_the_class_and_the_smtp_reply_on_one_line():
    failure = classify(smtplib.SMTPDataError(550, b"5.7.1 first line\n5.7.1 second line"), 500)
    assert failure.error == "SMTPDataError: 550 5.7.1 first line 5.7.1 second line"


def test_error_text_is_cut_to_the_column_size():
    assert len(classify(RuntimeError("x" * 1000), 500).error) == 500


def test_credentials_are_masked():
    failure = classify(smtplib.SMTPAuthenticationError(535, b"hunter22 rejected"), 500, redact=("hunter22",))
    assert failure.error == "SMTPAuthenticationError: 535 *** rejected"
