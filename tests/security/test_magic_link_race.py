"""One magic link followed by several browsers at once logs in once, on PostgreSQL."""

import pytest

from ..support.accounts import magic_link_token
from . import test_races

pytestmark = pytest.mark.postgres_only

server = test_races.server  # the fixture: a multi-threaded gunicorn on PostgreSQL


def test_one_magic_link_used_concurrently_logs_in_once(server, user):
    token = magic_link_token(user)
    results = test_races._race(server, f"/users/log_in/{token}", [{}] * test_races.CONTENDERS)
    assert all(reply.status == 302 for reply, _ in results), [reply.status for reply, _ in results]
    winners = [reply for reply, _ in results if not reply.headers["Location"].endswith("/users/log_in")]
    assert len(winners) == 1
    pages = [follow.body for _, follow in results]
    assert sum("Welcome back!" in body for body in pages) == 1
    assert sum(user.email in body and "Log out</button>" in body for body in pages) == 1
