"""A warning at start-up when the counters are per process and more than one process serves.

With ``memory://`` every process counts alone: behind gunicorn with N workers a
client whose requests are spread over them gets up to N times every limit.
Production says so once per process at start-up, with the worker count when
gunicorn's settings tell it.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import click
from flask import Flask

from .storage import MEMORY

FIX = "Set REDIS_URL or RATELIMIT_STORAGE_URI=redis://… to share the counters."


def gunicorn_workers(argv: Sequence[str], environ: Mapping[str, str], cwd: Path | None = None) -> int | None:
    """How many workers gunicorn runs, from its command line and environment; None if unknown.

    Gunicorn's precedence, strongest first: the command line, GUNICORN_CMD_ARGS,
    a config file, WEB_CONCURRENCY. A config file is Python that only gunicorn
    should run, so when one is in play and neither of the first two names the
    workers, the count is unknown.
    """
    try:
        from gunicorn.config import Config  # only ever asked under gunicorn

        parser = Config().parser()
    except (ImportError, AttributeError):  # another gunicorn than the one this was written for
        return None
    config_file = None
    for args in (list(argv[1:]), shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))):
        try:
            parsed, _ = parser.parse_known_args(args)
        except SystemExit:  # not gunicorn's syntax after all
            return None
        if parsed.workers is not None:
            return parsed.workers
        config_file = config_file or parsed.config
    if config_file or ((cwd or Path.cwd()) / "gunicorn.conf.py").exists():
        return None
    try:
        return int(environ.get("WEB_CONCURRENCY") or 1)
    except ValueError:
        return None


def per_process_warning(uri: str, workers: int | None) -> str | None:
    """The warning for counters in ``uri`` with this many processes (None: unknown), or None."""
    if not uri.startswith(MEMORY) or workers == 1:
        return None
    if workers is None:
        return (
            "Rate limits are counted per process (RATELIMIT_STORAGE_URI is memory://): if more "
            "than one process serves the app, each allows the full limits again. " + FIX
        )
    return (
        f"Rate limits are counted per process (RATELIMIT_STORAGE_URI is memory://) and gunicorn "
        f"runs {workers} workers: every limit is up to {workers} times looser than it says. " + FIX
    )


def warn_if_counted_per_process(app: Flask, uri: str) -> None:
    """Log the warning in production when the app is being served (not for a flask command)."""
    if app.config["TASTY_ENV"] != "production" or click.get_current_context(silent=True):
        return
    workers = gunicorn_workers(sys.argv, os.environ) if _under_gunicorn() else None
    message = per_process_warning(uri, workers)
    if message:
        app.logger.warning(message)


def _under_gunicorn() -> bool:
    # The arbiter forks the workers, so its module is loaded in every one of them.
    return "gunicorn.arbiter" in sys.modules
