"""flask mail worker and flask mail status, through Flask's CLI runner and the real executable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import update

from tasty_recipes.accounts import service as accounts
from tasty_recipes.extensions import db
from tasty_recipes.mail import outbox
from tasty_recipes.mail.models import FAILED, PENDING, SENT, OutboxMessage

from ..support.accounts import VALID_PASSWORD, unique_user_email
from ..support.emails import received_body, token_between_markers, tokenized_url
from ..support.live_server import free_port
from ..support.mail_outbox import make_all_due, outbox_rows

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")


@pytest.fixture()
def mail_cli(smtp_app):
    runner = smtp_app.test_cli_runner()

    def invoke(*args: str):
        result = runner.invoke(args=["mail", *args])
        db.session.expire_all()  # the command committed in its own session
        return result

    return invoke


def test_worker_once_retries_while_down_then_sends_once(mail_cli, smtp_server, smtp_app):
    user = accounts.register_user(unique_user_email(), VALID_PASSWORD)
    accounts.deliver_user_confirmation_instructions(user, tokenized_url)

    result = mail_cli("worker", "--once")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Sent 0, to retry 1, failed 0.\n"
    [row] = outbox_rows()
    assert (row.status, row.attempts) == (PENDING, 1)

    smtp_server.start()
    make_all_due()
    assert mail_cli("worker", "--once").stdout == "Sent 1, to retry 0, failed 0.\n"
    assert mail_cli("worker", "--once").stdout == "Sent 0, to retry 0, failed 0.\n"
    [message] = smtp_server.messages
    assert message["To"] == user.email
    assert accounts.confirm_user(token_between_markers(received_body(message))) is not None


def _row(recipient: str, status: str, **columns) -> OutboxMessage:
    message = outbox.enqueue(recipient, "Confirmation instructions", "Hi")
    db.session.flush()
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message.id).values(status=status, **columns)
    )
    return message


def test_status_counts_and_lists_failed_and_oldest_pending(mail_cli):
    failed = _row(
        "gone@example.com",
        FAILED,
        attempts=1,
        body=None,
        next_attempt_at=None,
        last_error="SMTPRecipientsRefused: 550 5.1.1 No such user",
    )
    waiting = _row(
        "slow@example.com",
        PENDING,
        attempts=2,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    _row("done@example.com", SENT, attempts=1, body=None, next_attempt_at=None)
    db.session.commit()

    result = mail_cli("status")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "pending: 1  sent: 1  failed: 1"
    assert lines[2] == "Failed, newest first (1 of 1):"
    assert lines[3].split() == ["ID", "RECIPIENT", "SUBJECT", "ATTEMPTS", "NEXT", "ATTEMPT", "LAST", "ERROR"]
    assert lines[4].split()[:6] == [
        str(failed.id),
        "gone@example.com",
        "Confirmation",
        "instructions",
        "1",
        "-",
    ]
    assert lines[4].endswith("SMTPRecipientsRefused: 550 5.1.1 No such user")
    assert lines[6] == "Pending, oldest first (1 of 1):"
    assert lines[8].split()[:5] == [str(waiting.id), "slow@example.com", "Confirmation", "instructions", "2"]
    assert lines[8].endswith("ConnectionRefusedError: [Errno 111] Connection refused")
    assert "done@example.com" not in result.stdout
    assert "Hi" not in result.stdout


def test_status_of_an_empty_outbox(mail_cli):
    result = mail_cli("status")
    assert result.stdout == "pending: 0  sent: 0  failed: 0\n"


def test_status_limit_lists_the_oldest_pending_first(mail_cli):
    first = _row("first@example.com", PENDING)
    db.session.commit()
    _row("second@example.com", PENDING)
    db.session.commit()
    result = mail_cli("status", "--limit", "1")
    assert "Pending, oldest first (1 of 2):" in result.stdout
    assert str(first.id) in result.stdout and "second@example.com" not in result.stdout


# --- the real executable ---------------------------------------------------------------------


def _environment(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "TASTY_ENV": "testing",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def test_status_on_an_unmigrated_database_is_one_error_line(tmp_path):
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    completed = subprocess.run(
        [str(FLASK), "--app", "wsgi", "mail", "status"],
        cwd=ROOT,
        env=_environment(empty),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert completed.stderr.startswith("Error: the database failed (OperationalError)")
    assert len(completed.stderr.splitlines()) == 1


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_worker_stops_cleanly_on_a_signal(app, database_url, signum):
    # SMTP pointed at a closed port: the worker must not need a server to start or stop.
    environment = _environment(
        database_url,
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(free_port()),
        MAIL_WORKER_POLL_SECONDS="60",
    )
    worker = subprocess.Popen(
        [str(FLASK), "--app", "wsgi", "mail", "worker"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        started = worker.stdout.readline()
        assert started.startswith("Mail worker started, polling every 60 s"), started
        worker.send_signal(signum)
        stdout, stderr = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, stderr
    assert stdout == "Mail worker stopped.\n"
    assert "Traceback" not in stderr
