"""Account emails: exact texts, and the console backend printing whole messages."""

from __future__ import annotations

import re

import pytest

from tasty_recipes.accounts import notifier
from tasty_recipes.extensions import db

from ..support.accounts import VALID_PASSWORD, unique_user_email
from ..support.app import make_app

RULE = "=" * 30


def _send(enqueue, email: str, url: str) -> None:
    """What the services do: queue the email with their commit, then send it at once."""
    message = enqueue(email, url)
    db.session.commit()
    notifier.send_enqueued(message)


@pytest.fixture()
def console_app(app, database_url):
    """A second app on the same database whose mail goes to standard output."""
    console = make_app(database_url, MAIL_BACKEND="console")
    yield console
    with console.app_context():
        db.session.remove()
        db.engine.dispose()  # let the main fixture empty the tables afterwards


@pytest.mark.parametrize(
    ("enqueue", "subject", "lines"),
    [
        (
            notifier.enqueue_confirmation_instructions,
            "Confirmation instructions",
            [
                "You can confirm your account by visiting the URL below:",
                "If you didn't create an account with us, please ignore this.",
            ],
        ),
        (
            notifier.enqueue_reset_password_instructions,
            "Reset password instructions",
            [
                "You can reset your password by visiting the URL below:",
                "If you didn't request this change, please ignore this.",
            ],
        ),
        (
            notifier.enqueue_update_email_instructions,
            "Update email instructions",
            [
                "You can change your email by visiting the URL below:",
                "If you didn't request this change, please ignore this.",
            ],
        ),
    ],
)
def test_email_bodies_match_phx_gen_auth(app, outbox, enqueue, subject, lines):
    url = "http://localhost/users/x/TOKEN"
    _send(enqueue, "someone@example.com", url)
    [message] = outbox
    assert message.subject == subject
    assert message.to == ["someone@example.com"]
    expected = f"\n{RULE}\n\nHi someone@example.com,\n\n{lines[0]}\n\n{url}\n\n{lines[1]}\n\n{RULE}\n"
    assert message.body.strip("\n") == expected.strip("\n")


def test_console_backend_prints_the_whole_message(console_app, capsys):
    url = "http://localhost/users/reset_password/" + "A" * 43
    with console_app.app_context():
        _send(notifier.enqueue_reset_password_instructions, "someone@example.com", url)
    out = capsys.readouterr().out
    assert re.search(r"^Subject: Reset password instructions$", out, re.M)
    assert re.search(r"^To: someone@example\.com$", out, re.M)
    assert re.search(r"^From: .+$", out, re.M)
    assert re.search(r"^Content-Type: text/plain", out, re.M)
    assert "Hi someone@example.com," in out
    assert "You can reset your password by visiting the URL below:" in out
    assert re.search(rf"^{re.escape(url)}$", out, re.M)  # the URL alone on its line
    assert "If you didn't request this change, please ignore this." in out


def test_console_backend_prints_a_long_url_unbroken(console_app, capsys):
    email = "a" * 148 + "@example.com"
    url = "http://localhost/users/confirm/" + "B-_" * 30
    with console_app.app_context():
        _send(notifier.enqueue_confirmation_instructions, email, url)
    out = capsys.readouterr().out
    assert re.search(rf"^{re.escape(url)}$", out, re.M)
    assert f"Hi {email}," in out


def test_registration_with_the_console_backend_prints_the_confirmation_link(console_app, capsys):
    console_app.config["WTF_CSRF_ENABLED"] = False
    email = unique_user_email()
    response = console_app.test_client().post(
        "/users/register", data={"email": email, "password": VALID_PASSWORD}
    )
    assert response.status_code == 302
    out = capsys.readouterr().out
    assert re.search(r"^Subject: Confirmation instructions$", out, re.M)
    assert re.search(rf"^To: {re.escape(email)}$", out, re.M)
    assert re.search(r"^http://localhost/users/confirm/[A-Za-z0-9_-]{43}$", out, re.M)
