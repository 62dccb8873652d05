"""Attempts running at the same moment cannot all slip past a nearly exhausted limit.

Each attempt takes its place on the counters before the password is checked
(and gives it back when the outcome does not count), so with twenty wrong
passwords in flight at once exactly the limit of them reach the check.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tasty_recipes.accounts import service as accounts
from tasty_recipes.ratelimits import FAILED_LOGIN_PER_ACCOUNT

from ..support.accounts import unique_user_email
from . import test_rate_limits

limited_app = test_rate_limits.limited_app  # the fixture, shared with the older tests


def test_concurrent_failed_sign_ins_reach_the_password_check_at_most_limit_times(limited_app, monkeypatch):
    checks, lock = [], threading.Lock()

    def slow_wrong_password(email, password):
        with lock:
            checks.append(email)
        time.sleep(0.3)  # a slow bcrypt: every request is in flight at once
        return None

    monkeypatch.setattr(accounts, "get_user_by_email_and_password", slow_wrong_password)
    email = unique_user_email()
    attempts = 2 * FAILED_LOGIN_PER_ACCOUNT.amount

    def attempt(i):
        client = limited_app.test_client()
        return client.post(
            "/api/sign_in",
            json={"email": email, "password": "wrong password!"},
            environ_base={"REMOTE_ADDR": f"10.70.0.{i}"},
        ).status_code

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        statuses = list(pool.map(attempt, range(attempts)))
    assert sorted(statuses) == [401] * FAILED_LOGIN_PER_ACCOUNT.amount + [429] * (
        attempts - FAILED_LOGIN_PER_ACCOUNT.amount
    )
    assert len(checks) == FAILED_LOGIN_PER_ACCOUNT.amount
