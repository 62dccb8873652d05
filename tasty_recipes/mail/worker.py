"""The mail worker loop: delivery passes every few seconds until a signal stops it."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator

from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from . import outbox

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def run(
    poll_seconds: float,
    on_pass: Callable[[outbox.DeliveryReport], None],
    on_start: Callable[[], None] = lambda: None,
    stop: threading.Event | None = None,
) -> None:
    """Deliver due messages every ``poll_seconds`` until SIGTERM/SIGINT or ``stop`` is set.

    A signal lets the message being sent finish and be recorded, then returns.
    A database error (e.g. an outage) is logged and the next pass tries again,
    so the worker outlives it. ``on_start`` is called once the signal handlers
    are in place; ``on_pass`` receives the report of each pass.
    """
    stop = stop or threading.Event()
    with stop_on_signals(stop):
        on_start()
        while not stop.is_set():
            try:
                on_pass(outbox.deliver_due(should_stop=stop.is_set))
            except SQLAlchemyError as exc:
                db.session.rollback()
                # The class name only: the message may hold SQL or the connection URL.
                logger.error("mail worker: the database failed (%s); retrying", exc.__class__.__name__)
            stop.wait(poll_seconds)


def run_once() -> outbox.DeliveryReport:
    """One delivery pass over what is due now; SIGTERM/SIGINT end it after the current message."""
    stop = threading.Event()
    with stop_on_signals(stop):
        return outbox.deliver_due(should_stop=stop.is_set)


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Set ``stop`` on SIGTERM or SIGINT while inside; the previous handlers come back after.

    Signal handlers can only be installed from the main thread; elsewhere
    (e.g. a test thread) only ``stop`` ends the loop.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, lambda _signum, _frame: stop.set()) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
