"""Every wait on PostgreSQL is bounded, even when the server is frozen.

A stopped (SIGSTOP) or hung server process still has its socket ACKed by the
kernel: TCP keepalives and ``tcp_user_timeout`` never fire, and the server's
own ``statement_timeout`` cannot run. libpq would wait for ever, and every
gunicorn worker with it. psycopg2's documented hook for taking over its waits,
a *wait callback*, lets us poll the socket with a deadline instead: when the
server does not answer in time during a request, ``DatabaseTimeout`` is
raised; psycopg2 then marks the connection broken (SQLAlchemy discards it) and
the app answers 503.
"""

from __future__ import annotations

import contextlib
import select
import threading
import time
from collections.abc import Iterator

import psycopg2
from flask import has_request_context
from psycopg2 import extensions

_local = threading.local()
_default_timeout_seconds = 5.0


class DatabaseTimeout(psycopg2.OperationalError):
    """PostgreSQL did not answer within the client-side deadline."""


def install(timeout_seconds: float) -> None:
    """Bound every psycopg2 wait in this process by ``timeout_seconds`` (0 disables)."""
    global _default_timeout_seconds
    _default_timeout_seconds = timeout_seconds
    extensions.set_wait_callback(_wait_with_deadline if timeout_seconds > 0 else None)


@contextlib.contextmanager
def client_timeout(seconds: float) -> Iterator[None]:
    """Use a shorter deadline in this thread for the duration (readiness probe)."""
    previous = getattr(_local, "timeout", None)
    _local.timeout = seconds
    try:
        yield
    finally:
        _local.timeout = previous


def _wait_with_deadline(connection) -> None:
    # Only requests are bounded: a migration or an administrator's command may
    # legitimately wait longer (building an index, creating a database).
    override = getattr(_local, "timeout", None)
    limit = override if override is not None else _default_timeout_seconds
    deadline = time.monotonic() + limit if has_request_context() else None
    while True:
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            # psycopg2 marks the connection broken, so SQLAlchemy discards it.
            raise DatabaseTimeout("PostgreSQL did not answer in time")
        state = connection.poll()
        if state == extensions.POLL_OK:
            return
        _ready(connection.fileno(), state, remaining)


def _ready(fileno: int, state: int, timeout: float | None) -> bool:
    if state not in (extensions.POLL_READ, extensions.POLL_WRITE):
        raise psycopg2.OperationalError(f"unexpected poll state {state}")
    poller = select.poll()  # not select.select: file descriptors above 1023 are fine
    poller.register(fileno, select.POLLIN if state == extensions.POLL_READ else select.POLLOUT)
    return bool(poller.poll(None if timeout is None else timeout * 1000))
