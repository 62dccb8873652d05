"""Where the counters live, for each app: Redis (shared by every process) or memory (per process).

``RATELIMIT_STORAGE_URI`` when it is set; otherwise, in production, ``REDIS_URL``
when that is set (a deployment that has Redis shares its counters without a
second setting); otherwise ``memory://``, which every process counts alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

EXTENSION = "tasty_recipes.ratelimits"
MEMORY = "memory://"
REDIS_SCHEMES = ("redis", "rediss", "redis+unix")
# A Redis that hangs must not hang every worker with it: give up (503) after this.
REDIS_OPTIONS = {"socket_timeout": 1.0, "socket_connect_timeout": 1.0}


def storage_uri(config: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    """The storage this app counts in (see the module docstring).

    ``config["RATELIMIT_STORAGE_URI"]`` is ``memory://`` both when it was left
    unset and when it was set to that, so ``environ`` tells the two apart: an
    explicit ``RATELIMIT_STORAGE_URI=memory://`` keeps memory even with REDIS_URL.
    """
    configured = config.get("RATELIMIT_STORAGE_URI") or MEMORY
    redis_url = environ.get("REDIS_URL")
    if (
        configured == MEMORY
        and redis_url
        and not environ.get("RATELIMIT_STORAGE_URI")
        and config.get("TASTY_ENV") == "production"
    ):
        return redis_url
    return configured


def install(app: Flask, uri: str) -> None:
    """Give ``app`` its own counters in ``uri`` (nothing connects before the first count)."""
    scheme = uri.split("://", 1)[0]
    options = REDIS_OPTIONS if scheme in REDIS_SCHEMES else {}
    # wrap_exceptions: any storage failure is a limits StorageError (see counters.py).
    storage = storage_from_string(uri, wrap_exceptions=True, **options)
    app.extensions[EXTENSION] = FixedWindowRateLimiter(storage)


def rate_limiter() -> FixedWindowRateLimiter:
    """The current app's counters."""
    return current_app.extensions[EXTENSION]
