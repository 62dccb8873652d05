"""Rate limits (SPEC §7), declared in one table instead of scattered over the views.

* Failed log-ins, HTML and API counted together, per account (the submitted
  email) and per client address. Only failures count, so a user who types the
  password right is not slowed down by their own successful log-ins.
* Reset-password, resend-confirmation and sign-up requests, per address.

Fixed windows of at most 15 minutes: whoever exhausts a limit (even an
attacker trying a victim's account) locks the rightful user out for at most
15 minutes. Counters live in RATELIMIT_STORAGE_URI (memory or Redis), through
Flask-Limiter's storage, so several processes share them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Flask, Response, current_app, request
from limits import RateLimitItem, parse
from werkzeug.exceptions import TooManyRequests

from .extensions import limiter

FAILED_LOGIN_PER_ACCOUNT = parse("10 per 15 minutes")
FAILED_LOGIN_PER_ADDRESS = parse("30 per 15 minutes")
SENSITIVE_POST_PER_ADDRESS = parse("10 per 15 minutes")

# Endpoints whose failed POSTs count as failed log-ins, and how each says "failed":
# the log-in page re-renders with 200 (success redirects), the API answers 401.
LOGIN_ENDPOINTS = {"accounts.log_in": 200, "api.sign_in": 401}
# Endpoints limited per address on every POST (they send email or create accounts).
SENSITIVE_ENDPOINTS = {
    "accounts.register", "accounts.reset_password_new", "accounts.confirm_new", "api.sign_up",
}


class RateLimited(TooManyRequests):
    """429 with the seconds until the window resets (sent as Retry-After)."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after=retry_after)
        self.retry_after_seconds = retry_after


@dataclass(frozen=True)
class Counter:
    limit: RateLimitItem
    scope: str
    key: str

    def exhausted(self) -> bool:
        return not limiter.limiter.test(self.limit, self.scope, self.key)

    def hit(self) -> bool:
        return limiter.limiter.hit(self.limit, self.scope, self.key)

    def retry_after(self) -> int:
        reset_at = limiter.limiter.get_window_stats(self.limit, self.scope, self.key).reset_time
        return max(1, int(reset_at - time.time()) + 1)


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _submitted_email() -> str:
    try:
        data = request.get_json(silent=True) if request.is_json else None
    except RecursionError:  # very deep JSON: not parsed here, the view answers 400
        data = None
    email = data.get("email") if isinstance(data, dict) else request.form.get("email")
    if not isinstance(email, str) or not _encodable(email):
        return ""
    return email.strip().lower()


def _encodable(text: str) -> bool:
    # A lone surrogate ("\ud800" in JSON) cannot be a storage key (Redis encodes UTF-8).
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _login_counters() -> list[Counter]:
    counters = [Counter(FAILED_LOGIN_PER_ADDRESS, "login-address", _client_address())]
    email = _submitted_email()
    if email:
        counters.append(Counter(FAILED_LOGIN_PER_ACCOUNT, "login-account", email))
    return counters


def _enforce() -> None:
    if not _applies():
        return
    if request.endpoint in LOGIN_ENDPOINTS:
        for counter in _login_counters():
            if counter.exhausted():
                raise RateLimited(counter.retry_after())
    elif request.endpoint in SENSITIVE_ENDPOINTS:
        counter = Counter(SENSITIVE_POST_PER_ADDRESS, request.endpoint, _client_address())
        if not counter.hit():
            raise RateLimited(counter.retry_after())


def _count_failed_login(response: Response) -> Response:
    if _applies() and LOGIN_ENDPOINTS.get(request.endpoint) == response.status_code:
        for counter in _login_counters():
            counter.hit()
    return response


def _applies() -> bool:
    # This app's own setting: the Limiter instance is shared by every app in the process.
    return current_app.config["RATELIMIT_ENABLED"] and request.method == "POST"


def init_app(app: Flask) -> None:
    app.before_request(_enforce)
    app.after_request(_count_failed_login)
