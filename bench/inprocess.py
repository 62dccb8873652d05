"""In-process measurements on the bench database: statements per request, EXPLAIN, a profile.

The app is built with ``create_app`` in its production profile, exactly as
gunicorn serves it, and driven with Flask's test client. Two counts per request:

* statements: what the app sends through SQLAlchemy (``before_cursor_execute``),
  the number the targets bound;
* round trips: every query PostgreSQL receives, counted by a relay on the wire
  (``bench.wire``), so the implicit ``BEGIN``, a pool ping, ``SET`` commands
  and the ``ROLLBACK``/``COMMIT`` when a connection goes back to the pool count too.

The app as of another revision (``--baseline``) is counted in a child process,
``python -m bench.inprocess WORKTREE DATABASE_URL``, which imports that
checkout's ``tasty_recipes``: see ``count_in``.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event

from .wire import QueryRelay
from .worktree import REPO, import_app_from

# libpq must not negotiate encryption with the server, or the relay could not read the queries.
PLAIN_CONNECTION = {"sslmode": "disable", "gssencmode": "disable"}


# The benchmark seeds with COPY in this same process, which psycopg2 refuses while the
# app's per-request deadline (a process-wide wait callback) is installed.
IN_PROCESS = {"SERVER_NAME": "localhost", "DATABASE_CLIENT_TIMEOUT_SECONDS": 0}


@dataclass
class Counted:
    status: int
    statements: int
    round_trips: int
    sql: list[tuple[str, Any]]
    trips: list[str]


class InProcess:
    """The real app (production profile; secrets from os.environ) behind a counting relay."""

    def __init__(self, database_url: str):
        from tasty_recipes import create_app
        from tasty_recipes.config import database_settings
        from tasty_recipes.extensions import db

        self.relay, self.relayed_url = QueryRelay.for_url(database_url)
        settings = database_settings(self.relayed_url)
        options = settings["SQLALCHEMY_ENGINE_OPTIONS"]
        options["connect_args"] = {**options.get("connect_args", {}), **PLAIN_CONNECTION}
        self.app = create_app(
            {"TASTY_ENV": "production", "RATELIMIT_ENABLED": False, **settings, **IN_PROCESS}
        )
        self.client = self.app.test_client(use_cookies=False)
        self.statements: list[tuple[str, Any]] = []
        with self.app.app_context():
            event.listen(
                db.engine,
                "before_cursor_execute",
                lambda _c, _cur, stmt, params, _ctx, _many: self.statements.append((stmt, params)),
            )

    def count(self, method: str, path: str, warm: int = 2, **kwargs) -> Counted:
        """Statements and round trips of one request, after ``warm`` identical ones."""
        for _ in range(warm):
            self.client.open(path, method=method, **kwargs)
        self.statements.clear()
        self.relay.reset()
        response = self.client.open(path, method=method, **kwargs)
        trips = self.relay.taken()
        return Counted(response.status_code, len(self.statements), len(trips), list(self.statements), trips)

    def count_reference(self, path: str = "/recipes", **kwargs) -> Counted:
        """The reference app, in this process, through the same relay."""
        from bench import reference_app

        plain = "&".join(f"{k}={v}" for k, v in PLAIN_CONNECTION.items())
        reference_app.DATABASE_URL = self.relayed_url + ("&" if "?" in self.relayed_url else "?") + plain
        client = reference_app.app.test_client()
        client.get(path, **kwargs)
        before = reference_app.statements
        self.relay.reset()
        response = client.get(path, **kwargs)
        trips = self.relay.taken()
        return Counted(response.status_code, reference_app.statements - before, len(trips), [], trips)

    def explain(self, statement: str, params: Any) -> str:
        return explain(self.app, statement, params)


def plain_app(database_url: str):
    """The app straight on PostgreSQL (no relay), for profiling."""
    from tasty_recipes import create_app
    from tasty_recipes.config import database_settings

    return create_app(
        {
            "TASTY_ENV": "production",
            "RATELIMIT_ENABLED": False,
            **database_settings(database_url),
            **IN_PROCESS,
        }
    )


def explain(app, statement: str, params: Any) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of a captured statement, run twice: the warm plan is shown."""
    from tasty_recipes.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        for _ in range(2):
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params).all()
        conn.rollback()
    return "\n".join(row[0] for row in rows)


def profile(call: Callable[[], Any], repeat: int, top: int = 25) -> str:
    """cProfile of ``call`` run ``repeat`` times: the top functions by own and cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        call()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def count_in(tree: Path, database_url: str, requests: dict[str, tuple[str, str, dict]]) -> dict[str, Counted]:
    """``InProcess.count`` of each ``name: (method, path, client kwargs)`` for the app as of the
    checkout at ``tree``, in a child process (one process imports one ``tasty_recipes``).
    Secrets come from os.environ, as for the servers; the statements' SQL is not kept."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.inprocess", str(tree), database_url],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"counting in {tree} failed:\n{done.stderr[-2000:]}")
    return {name: Counted(**c) for name, c in json.loads(done.stdout.splitlines()[-1]).items()}


def main() -> None:
    """The child of ``count_in``: requests as JSON on stdin, counts as one JSON line on stdout."""
    tree, database_url = Path(sys.argv[1]), sys.argv[2]
    import_app_from(tree)
    inproc = InProcess(database_url)
    counted = {
        name: inproc.count(method, path, **kwargs)
        for name, (method, path, kwargs) in json.load(sys.stdin).items()
    }
    print(
        json.dumps(
            {
                name: dict(
                    status=c.status, statements=c.statements, round_trips=c.round_trips, sql=[], trips=c.trips
                )
                for name, c in counted.items()
            }
        )
    )


if __name__ == "__main__":
    main()
