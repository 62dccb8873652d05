"""In-process measurements on the bench database: statements per request, EXPLAIN, a profile.

The app is built with ``create_app`` in its production profile, exactly as
gunicorn serves it, and driven with Flask's test client. Two counts per request:

* statements: what the app sends through SQLAlchemy (``before_cursor_execute``),
  the number issue 7 bounds;
* round trips: every exchange with PostgreSQL at the driver level, including
  the implicit ``BEGIN``, the pool's pre-ping ``SELECT 1`` and the
  ``ROLLBACK``/``COMMIT`` when the connection goes back to the pool.
"""

from __future__ import annotations

import cProfile
import io
import pstats
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg2.extensions as ext
from sqlalchemy import event


@dataclass
class Counter:
    statements: list[tuple[str, Any]] = field(default_factory=list)
    trips: list[str] = field(default_factory=list)  # what each round trip was, in order

    @property
    def round_trips(self) -> int:
        return len(self.trips)

    def reset(self) -> None:
        self.statements.clear()
        self.trips.clear()


COUNTER = Counter()


class CountingCursor(ext.cursor):
    def execute(self, query, vars=None):
        conn = self.connection
        if not conn.autocommit and conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE:
            COUNTER.trips.append("BEGIN")  # psycopg2 sends it before the statement
        text = query.decode() if isinstance(query, bytes) else str(query)
        COUNTER.trips.append(" ".join(text.split())[:48])
        return super().execute(query, vars)


class CountingConnection(ext.connection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cursor_factory = CountingCursor

    def _ends_transaction(self, verb: str) -> None:
        if self.info.transaction_status != ext.TRANSACTION_STATUS_IDLE:
            COUNTER.trips.append(verb)

    def commit(self):
        self._ends_transaction("COMMIT")
        return super().commit()

    def rollback(self):
        self._ends_transaction("ROLLBACK")
        return super().rollback()


@dataclass
class Counted:
    status: int
    statements: int
    round_trips: int
    sql: list[tuple[str, Any]]
    trips: list[str]


def build_app(database_url: str):
    """The real app (production profile; secrets come from os.environ) with counting connections."""
    from tasty_recipes import create_app
    from tasty_recipes.config import database_settings
    from tasty_recipes.extensions import db

    settings = database_settings(database_url)
    options = settings["SQLALCHEMY_ENGINE_OPTIONS"]
    options["connect_args"] = {**options.get("connect_args", {}), "connection_factory": CountingConnection}
    app = create_app({"TASTY_ENV": "production", "RATELIMIT_ENABLED": False, **settings})
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda _c, _cur, stmt, params, _ctx, _many: COUNTER.statements.append((stmt, params)))
    return app


def count_request(client, method: str, path: str, warm: int = 2, **kwargs) -> Counted:
    """Statements and round trips of one request, after ``warm`` identical ones."""
    for _ in range(warm):
        client.open(path, method=method, **kwargs)
    COUNTER.reset()
    response = client.open(path, method=method, **kwargs)
    return Counted(response.status_code, len(COUNTER.statements), COUNTER.round_trips,
                   list(COUNTER.statements), list(COUNTER.trips))


def count_reference(path: str = "/recipes", **kwargs) -> Counted:
    """The reference app in-process (it counts its own statements; autocommit: one trip each)."""
    from bench import reference_app

    client = reference_app.app.test_client()
    client.get(path, **kwargs)
    before = reference_app.statements
    response = client.get(path, **kwargs)
    n = reference_app.statements - before
    return Counted(response.status_code, n, n, [], [])


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
