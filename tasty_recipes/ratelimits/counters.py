"""Counters: taken before the work they guard, given back when the outcome does not count.

Taking one first (rather than testing, working, then counting) means that
requests running at the same moment cannot all slip past a nearly exhausted
limit: each holds its place while it checks a password.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import abort, make_response
from limits import RateLimitItem
from limits.errors import StorageError
from werkzeug.exceptions import TooManyRequests

from ..errors import error_response
from .storage import rate_limiter

log = logging.getLogger(__name__)

STORAGE_RETRY_AFTER_SECONDS = 5


class RateLimited(TooManyRequests):
    """429 with the seconds until the window resets (sent as Retry-After)."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after=retry_after)
        self.retry_after_seconds = retry_after


@dataclass(frozen=True)
class Counter:
    """One limit for one key (an address, an account) within one scope (a purpose)."""

    limit: RateLimitItem
    scope: str
    key: str

    def take(self) -> bool:
        """Count one; False when that went over the limit."""
        return rate_limiter().hit(self.limit, self.scope, self.key)

    def give_back(self) -> None:
        """Give back one count taken earlier, when the outcome does not count."""
        # A negative hit: limits has no decrement of its own for every storage.
        rate_limiter().hit(self.limit, self.scope, self.key, cost=-1)

    def retry_after(self) -> int:
        """Seconds until this counter's window resets, at least 1."""
        reset_at = rate_limiter().get_window_stats(self.limit, self.scope, self.key).reset_time
        return max(1, int(reset_at - time.time()) + 1)


def reserve(counters: Sequence[Counter]) -> None:
    """Take one from every counter, or from none: RateLimited (429) when any is exhausted.

    A refused request is given back at once, so it does not count: refusals
    never extend a lock-out. When the storage is unreachable the answer is 503
    with Retry-After: without counters, password guessing would be unlimited.
    """
    try:
        refused = [counter for counter in counters if not counter.take()]
        if refused:
            retry_after = max(counter.retry_after() for counter in refused)
            give_back(counters)
            raise RateLimited(retry_after)
    except StorageError as exc:
        log.error("rate-limit storage unavailable: %s", exc.storage_error)
        abort(
            make_response(
                error_response(503, "Service Unavailable", {"Retry-After": str(STORAGE_RETRY_AFTER_SECONDS)})
            )
        )


def give_back(counters: Iterable[Counter]) -> None:
    """Undo ``reserve`` for these counters. Never fails: the answer is already decided."""
    try:
        for counter in counters:
            counter.give_back()
    except StorageError as exc:
        # Kept counts only make the limit stricter for this window.
        log.warning("rate-limit storage unavailable, a count was kept: %s", exc.storage_error)
