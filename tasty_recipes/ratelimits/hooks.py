"""The hooks that count: before and after each request, and around current-password checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Response, current_app, g, request
from flask_login import current_user

from ..exceptions import ValidationError
from ..web.params import credentials_from_request
from .counters import Counter, give_back, reserve
from .keys import account_key, client_address
from .rules import (
    FAILED,
    FAILED_LOGIN_PER_ACCOUNT,
    FAILED_LOGIN_PER_ADDRESS,
    LOGIN_OUTCOMES,
    LOGIN_PER_ACCOUNT,
    LOGIN_PER_ADDRESS,
    POST_PURPOSES,
    SUCCEEDED,
    Purpose,
)

NOT_VALID = "is not valid"  # the service's message for a wrong current_password


@dataclass(frozen=True)
class LoginAttempt:
    """The counters a log-in attempt holds until its answer says which ones it keeps."""

    failed: list[Counter]
    succeeded: list[Counter]


def failed_login_counters(key: str) -> list[Counter]:
    """Per address, and per account when ``key`` (an ``account_key``) names one."""
    return _pair(FAILED_LOGIN_PER_ADDRESS, FAILED_LOGIN_PER_ACCOUNT, "failed-login", key)


def before_request() -> None:
    """Refuse (429) or count the POSTs that rules.py limits."""
    if not _applies():
        return
    if request.endpoint in LOGIN_OUTCOMES:
        _reserve_login()
    for purpose in POST_PURPOSES:
        if request.endpoint in purpose.endpoints and _is_action(purpose):
            counters = _purpose_counters(purpose)
            if counters:
                reserve(counters)


def after_request(response: Response) -> Response:
    """A log-in attempt keeps the counter its outcome names and gives the other back."""
    attempt = g.pop("rate_limited_login", None)
    if attempt is not None:
        outcome = LOGIN_OUTCOMES[request.endpoint].get(response.status_code)
        if outcome != FAILED:
            give_back(attempt.failed)
        if outcome != SUCCEEDED:
            give_back(attempt.succeeded)
    return response


@contextmanager
def current_password_check(user, field: str = "current_password") -> Iterator[None]:
    """Count a wrong current password of ``user`` as a failed log-in.

    Wraps a service call that checks the current password (a ValidationError
    with ``<field>: ["is not valid"]`` when wrong; ``field`` is
    ``current_password`` but for ``DELETE /api/me``, whose field is ``password``). Once the failed
    log-ins of the account or the address are exhausted, the check is refused
    with 429 before it runs, whatever the password: a stolen session or token
    cannot be used to guess it.
    """
    if not current_app.config["RATELIMIT_ENABLED"]:
        yield
        return
    counters = failed_login_counters(account_key(user.email))
    reserve(counters)
    wrong = False
    try:
        yield
    except ValidationError as exc:
        wrong = NOT_VALID in exc.fields.get(field, ())
        raise
    finally:
        if not wrong:
            give_back(counters)


def _applies() -> bool:
    # This app's own setting: several apps may share a process (tests do).
    return current_app.config["RATELIMIT_ENABLED"] and request.method == "POST"


def _reserve_login() -> None:
    if request.endpoint == "accounts.log_in" and current_user.is_authenticated:
        return  # the page redirects home without checking a password
    # The very reading the view makes (a malformed body is its 400, raised here).
    email, _ = credentials_from_request()
    key = account_key(email)
    attempt = LoginAttempt(
        failed=failed_login_counters(key), succeeded=_pair(LOGIN_PER_ADDRESS, LOGIN_PER_ACCOUNT, "login", key)
    )
    reserve(attempt.failed + attempt.succeeded)
    g.rate_limited_login = attempt


def _is_action(purpose: Purpose) -> bool:
    return purpose.action is None or request.form.get("action") == purpose.action


def _purpose_counters(purpose: Purpose) -> list[Counter]:
    counters = [Counter(purpose.per_address, f"{purpose.name}/address", client_address())]
    if purpose.per_account is not None:
        if not current_user.is_authenticated:
            return []  # login_required sends it to the log-in page: nothing is sent
        counters.append(Counter(purpose.per_account, f"{purpose.name}/account", str(current_user.id)))
    return counters


def _pair(per_address, per_account, scope: str, key: str) -> list[Counter]:
    counters = [Counter(per_address, f"{scope}/address", client_address())]
    if key:
        counters.append(Counter(per_account, f"{scope}/account", key))
    return counters
