"""Create, migrate and fill the benchmark database (PostgreSQL), fast.

    .venv/bin/python -m bench.seed --users 1000 --recipes 1000 --fresh
    .venv/bin/python -m bench.seed --recipes 1000000          # tops up, keeps the users

The schema comes from the app's own migrations (``flask --app wsgi db upgrade``).
Users and recipes are loaded with ``COPY … FROM STDIN``: every user shares one
bcrypt hash (cost 12, computed once) of ``BENCH_PASSWORD``; recipes get
timestamps spread over the past year, so the newest-first index does real work.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import secrets
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import bcrypt
import psycopg2
from psycopg2 import sql

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/tasty_bench"
BENCH_PASSWORD = "bench-password-0123456789"  # noqa: S105 - the seeded users' known password
BCRYPT_COST = 12
COPY_CHUNK_ROWS = 100_000
SPREAD_SECONDS = 365 * 24 * 3600

_ADJECTIVES = ("Smoky", "Crispy", "Creamy", "Spicy", "Lemony", "Rustic", "Golden", "Tangy")
_DISHES = (
    "lentil soup",
    "tomato tart",
    "chicken curry",
    "mushroom risotto",
    "apple pie",
    "bean chili",
    "pea salad",
    "fish stew",
    "banana bread",
    "leek quiche",
)
_DESCRIPTIONS = tuple(
    " ".join(steps)
    for steps in (
        ("Chop everything finely.", "Warm the oil over a medium heat.", "Simmer for twenty minutes."),
        ("Season generously.", "Bake until golden.", "Rest for five minutes before serving."),
        ("Stir in the herbs at the end.", "Serve with crusty bread."),
        ("Whisk the eggs.", "Fold in the flour gently.", "Bake for forty minutes at 180 C."),
    )
)


def user_email(n: int) -> str:
    """The email of the n-th seeded user (0-based): the runner signs in as user 0."""
    return f"bench-user-{n}@example.com"


def connect(url: str, autocommit: bool = False):
    conn = psycopg2.connect(url)
    conn.autocommit = autocommit
    return conn


def _admin_url(url: str) -> tuple[str, str]:
    """(URL of the ``postgres`` maintenance database on the same server, database name)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit(f"no database name in {url}")
    return urlunsplit(parts._replace(path="/postgres")), name


def create_database(url: str, fresh: bool) -> None:
    """Create the database (dropping it first when ``fresh``)."""
    admin_url, name = _admin_url(url)
    conn = connect(admin_url, autocommit=True)
    try:
        with conn.cursor() as cur:
            if fresh:
                cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def migrate(url: str, app_dir: Path = REPO, app_env: dict[str, str] | None = None) -> None:
    """Run the migrations of the app in ``app_dir`` against ``url`` (production profile, throwaway
    secrets); ``app_env``: e.g. the ``PYTHONPATH`` of a worktree (bench.worktree)."""
    env = {
        **os.environ,
        **(app_env or {}),
        "DATABASE_URL": url,
        "TASTY_ENV": "production",
        "SERVER_NAME": "localhost",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "JWT_SECRET_KEY": secrets.token_urlsafe(64),
    }
    flask = str(Path(sys.executable).with_name("flask"))
    subprocess.run(
        [flask, "--app", "wsgi", "db", "upgrade"],
        cwd=app_dir,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _copy(cur, table: str, columns: tuple[str, ...], lines: list[str]) -> None:
    cols = ", ".join(columns)
    cur.copy_expert(f"COPY {table} ({cols}) FROM STDIN", io.StringIO("".join(lines)))


def count(cur, table: str) -> int:
    cur.execute(f"SELECT count(*) FROM {table}")
    return cur.fetchone()[0]


def seed_users(conn, n_users: int) -> list[str]:
    """Replace every user (and so every recipe and token) by ``n_users`` bench users."""
    hashed = bcrypt.hashpw(BENCH_PASSWORD.encode(), bcrypt.gensalt(BCRYPT_COST, prefix=b"2b")).decode()
    now = datetime.now(UTC).isoformat()
    ids = [str(uuid.uuid4()) for _ in range(n_users)]
    with conn.cursor() as cur:
        cur.execute("TRUNCATE users, users_tokens, recipes CASCADE")  # and every table referring to them
        lines = [f"{uid}\t{user_email(n)}\t{hashed}\t{now}\tf\t{now}\t{now}\n" for n, uid in enumerate(ids)]
        _copy(
            cur,
            "users",
            ("id", "email", "hashed_password", "confirmed_at", "is_admin", "inserted_at", "updated_at"),
            lines,
        )
    conn.commit()
    return ids


def seed_recipes(conn, owner_ids: list[str], how_many: int, start: int = 0) -> None:
    """COPY ``how_many`` recipes, numbered from ``start``, owners round-robin, in one transaction."""
    rng = random.Random(start)
    now = datetime.now(UTC)
    columns = ("id", "name", "description", "owner_id", "version", "inserted_at", "updated_at")
    with conn.cursor() as cur:
        done = 0
        while done < how_many:
            size = min(COPY_CHUNK_ROWS, how_many - done)
            lines = []
            for n in range(start + done, start + done + size):
                stamp = (now - timedelta(seconds=rng.random() * SPREAD_SECONDS)).isoformat()
                name = f"{_ADJECTIVES[n % len(_ADJECTIVES)]} {_DISHES[n % len(_DISHES)]} #{n + 1}"
                lines.append(
                    f"{uuid.uuid4()}\t{name}\t{_DESCRIPTIONS[n % len(_DESCRIPTIONS)]}\t"
                    f"{owner_ids[n % len(owner_ids)]}\t1\t{stamp}\t{stamp}\n"
                )
            _copy(cur, "recipes", columns, lines)
            done += size
    conn.commit()


def analyze(url: str) -> None:
    """VACUUM ANALYZE: fresh statistics and visibility map, as autovacuum would leave them."""
    conn = connect(url, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("VACUUM (ANALYZE) users, users_tokens, recipes")
    finally:
        conn.close()


def ensure(
    url: str,
    users: int,
    recipes: int,
    fresh: bool = False,
    log=print,
    app_dir: Path = REPO,
    app_env: dict[str, str] | None = None,
) -> dict[str, float]:
    """Make the database hold ``users`` bench users and ``recipes`` recipes; returns timings.

    Recipes are topped up when there are fewer (users kept); with a different
    number of users, or more recipes than asked, everything is reseeded. The
    schema comes from the migrations of the app in ``app_dir`` (see ``migrate``).
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    create_database(url, fresh)
    migrate(url, app_dir, app_env)
    timings["create+migrate"] = time.perf_counter() - started
    conn = connect(url)
    try:
        with conn.cursor() as cur:
            have_users, have_recipes = count(cur, "users"), count(cur, "recipes")
            cur.execute("SELECT id FROM users WHERE email LIKE 'bench-user-%' ORDER BY inserted_at, id")
            owner_ids = [str(row[0]) for row in cur.fetchall()]
        conn.commit()
        if have_users != users or len(owner_ids) != users or have_recipes > recipes:
            t = time.perf_counter()
            owner_ids, have_recipes = seed_users(conn, users), 0
            timings["users"] = time.perf_counter() - t
            log(f"seeded {users} users in {timings['users']:.1f}s")
        if recipes > have_recipes:
            t = time.perf_counter()
            seed_recipes(conn, owner_ids, recipes - have_recipes, start=have_recipes)
            timings["recipes"] = time.perf_counter() - t
            log(f"copied {recipes - have_recipes} recipes in {timings['recipes']:.1f}s (now {recipes})")
    finally:
        conn.close()
    t = time.perf_counter()
    analyze(url)
    timings["vacuum analyze"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--recipes", type=int, default=1000)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    args = parser.parse_args(argv)
    timings = ensure(args.database_url, args.users, args.recipes, fresh=args.fresh)
    print(", ".join(f"{k} {v:.1f}s" for k, v in timings.items()))
    print(f"users sign in as {user_email(0)} … with password {BENCH_PASSWORD}")


if __name__ == "__main__":
    main()
