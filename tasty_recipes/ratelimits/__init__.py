"""Rate limits: what counts, where the counters live, and the hooks that count.

* ``rules``: the limits, and the purposes requests count towards (HTML and API
  together: one sign-up allowance, one failed-log-in allowance, …).
* ``keys``: the client address, and the account an email names, folded the way
  the database compares emails.
* ``counters``: taken before the work, given back when the outcome does not count.
* ``storage``: each app's counters, in Redis (shared) or memory (per process).
* ``workers``: the start-up warning when memory counters meet several processes.
* ``hooks``: before/after each request, and ``current_password_check`` for views.

Over a limit the answer is 429 with Retry-After (JSON under /api, a page elsewhere).
"""

from __future__ import annotations

import os

from flask import Flask

from . import hooks, storage, workers
from .counters import RateLimited
from .hooks import current_password_check
from .rules import (
    EMAIL_CHANGE_PER_ACCOUNT,
    FAILED_LOGIN_PER_ACCOUNT,
    FAILED_LOGIN_PER_ADDRESS,
    LOGIN_PER_ACCOUNT,
    LOGIN_PER_ADDRESS,
    SENSITIVE_POST_PER_ADDRESS,
)

__all__ = [
    "EMAIL_CHANGE_PER_ACCOUNT",
    "FAILED_LOGIN_PER_ACCOUNT",
    "FAILED_LOGIN_PER_ADDRESS",
    "LOGIN_PER_ACCOUNT",
    "LOGIN_PER_ADDRESS",
    "SENSITIVE_POST_PER_ADDRESS",
    "RateLimited",
    "current_password_check",
    "init_app",
]


def init_app(app: Flask) -> None:
    """Give ``app`` its counters and install the hooks (nothing when RATELIMIT_ENABLED is off)."""
    if not app.config["RATELIMIT_ENABLED"]:
        return
    uri = storage.storage_uri(app.config, os.environ)
    storage.install(app, uri)
    workers.warn_if_counted_per_process(app, uri)
    app.before_request(hooks.before_request)
    app.after_request(hooks.after_request)
