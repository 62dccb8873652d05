"""The reference: the least a Flask app can do to answer GET /api/recipes.

Verify the HS512 bearer JWT with PyJWT (signature, algorithm, exp, nbf, iss,
aud, typ), fetch the user by primary key, select the 20 newest recipes, answer
``{"data": [recipe…]}`` in the API's shape. Raw psycopg2 with one
connection pool per process (created lazily, after gunicorn forks), autocommit
(two reads need no transaction). No ORM, no extensions.

    DATABASE_URL=… JWT_SECRET_KEY=… gunicorn -w 2 -k gthread --threads 4 bench.reference_app:app
"""

from __future__ import annotations

import os
import threading
from datetime import UTC

import jwt
from flask import Flask, jsonify, request
from psycopg2.pool import ThreadedConnectionPool

ISSUER = "tasty_recipes"
PAGE_SIZE = 20
USER_SQL = "SELECT id, email, is_admin FROM users WHERE id = %s"
RECIPES_SQL = (
    "SELECT id, name, description, owner_id, inserted_at, updated_at FROM recipes "
    "ORDER BY inserted_at DESC, id DESC LIMIT %s"
)

app = Flask(__name__)
JWT_KEY = os.environ["JWT_SECRET_KEY"]
DATABASE_URL = os.environ["DATABASE_URL"]
POOL_SIZE = int(os.environ.get("REFERENCE_POOL_SIZE", "8"))

_pool: ThreadedConnectionPool | None = None
_pool_pid: int | None = None
_pool_lock = threading.Lock()
statements = 0  # SQL statements executed by this process (read by the benchmark in-process)


def pool() -> ThreadedConnectionPool:
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        with _pool_lock:
            if _pool is None or _pool_pid != os.getpid():
                # minconn = maxconn: psycopg2's pool closes any connection returned
                # beyond minconn, which would mean a new connection per request.
                _pool = ThreadedConnectionPool(POOL_SIZE, POOL_SIZE, DATABASE_URL)
                _pool_pid = os.getpid()
    return _pool


def query(sql: str, params: tuple) -> list[tuple]:
    global statements
    conns = pool()
    conn = conns.getconn()
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            statements += 1
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conns.putconn(conn)


def iso(moment) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def unauthorized(message: str):
    return jsonify(message=message), 401


@app.get("/recipes")
def recipes():
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return unauthorized("unauthenticated")
    try:
        claims = jwt.decode(
            header[7:],
            JWT_KEY,
            algorithms=["HS512"],
            audience=ISSUER,
            issuer=ISSUER,
            options={"require": ["exp", "nbf", "iat", "sub", "jti"]},
        )
    except jwt.InvalidTokenError:
        return unauthorized("invalid_token")
    if claims.get("typ") != "access":
        return unauthorized("invalid_token")
    if not query(USER_SQL, (claims["sub"],)):
        return unauthorized("invalid_token")
    rows = query(RECIPES_SQL, (PAGE_SIZE,))
    return jsonify(
        data=[
            {
                "id": str(r[0]),
                "name": r[1],
                "description": r[2],
                "owner_id": str(r[3]),
                "inserted_at": iso(r[4]),
                "updated_at": iso(r[5]),
            }
            for r in rows
        ]
    )
