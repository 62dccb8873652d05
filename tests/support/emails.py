"""Account emails: the links they carry, and reading their tokens back the way phx.gen.auth does.

* A test that calls a service which sends a link itself gives it ``make_url=tokenized_url``:
  the email then holds the bare token between ``[TOKEN]`` markers, whatever URL a view
  would build (``extract_user_token(fun)``; ``token_between_markers(body)`` for mail
  delivered later, over SMTP).
* Where a view built the link (a request through a client), the email holds the real URL,
  alone on its line: ``token_in_link(body)`` is the last segment of its path.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app

TOKEN_MARKER = "[TOKEN]"

MakeUrl = Callable[[str], str]


def tokenized_url(token: str) -> str:
    """The ``make_url`` of the tests: the token between markers (phx: ``&"[TOKEN]#{&1}[TOKEN]"``)."""
    return f"{TOKEN_MARKER}{token}{TOKEN_MARKER}"


def token_between_markers(body: str) -> str:
    """The token a ``tokenized_url`` link put in an email body."""
    parts = body.split(TOKEN_MARKER)
    assert len(parts) == 3, f"no {TOKEN_MARKER}…{TOKEN_MARKER} in email body:\n{body}"
    return parts[1]


def extract_user_token(fun: Callable[[MakeUrl], object]) -> str:
    """phx.gen.auth's ``extract_user_token(fun)``: the token of the one email ``fun`` sends.

    ``fun(make_url)`` calls a service that emails a link, passing ``make_url`` on; the
    email is read from the memory backend's outbox (the current app's).
    """
    outbox = current_app.extensions["mailman"].outbox
    sent_before = len(outbox)
    fun(tokenized_url)
    assert len(outbox) == sent_before + 1, f"expected one email, got {len(outbox) - sent_before}"
    return token_between_markers(outbox[-1].body)


def link_in(body: str) -> str:
    """The link of an email: its one line that is a URL (the templates put it alone on a line)."""
    links = [line.strip() for line in body.splitlines() if line.startswith(("http://", "https://"))]
    assert len(links) == 1, f"expected one link line in email body:\n{body}"
    return links[0]


def token_in_link(body: str) -> str:
    """The token of the link a view put in an email: the last segment of the URL's path."""
    token = urlsplit(link_in(body)).path.rsplit("/", 1)[-1]
    assert token, f"no token at the end of the link in email body:\n{body}"
    return token


def received_body(message: EmailMessage) -> str:
    """The text of an email as a mail server received it."""
    return message.get_content()


# --- the real links, as the views build them (SERVER_NAME localhost) -------------------------


def confirm_url(token: str) -> str:
    return f"http://localhost/users/confirm/{token}"


def reset_url(token: str) -> str:
    return f"http://localhost/users/reset_password/{token}"


def change_email_url(token: str) -> str:
    return f"http://localhost/users/settings/confirm_email/{token}"


# --- emails a live server printed (console backend) ------------------------------------------

EMAIL_RULER = "=============================="  # the line that opens and closes each email's text


def confirmation_link(server, email: str, timeout: float = 10) -> str:
    """The link of the last confirmation email to ``email`` in the live server's log."""
    greeting = f"Hi {email},"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, found, rest = server.log().rpartition(greeting)
        if found and EMAIL_RULER in rest:  # the whole email is in the log
            link = link_in(rest.split(EMAIL_RULER, 1)[0])
            assert "/users/confirm/" in link, link
            return link
        time.sleep(0.1)
    raise AssertionError(f"no confirmation email for {email} in the server log:\n{server.log()}")
