"""A failed log-in costs one bcrypt verification at the configured cost, whatever the input.

Otherwise the answer time tells registered emails apart: bcrypt refuses a
password over 72 bytes (or a malformed hash) before hashing, so such a
failure for an existing account answered in a few milliseconds while an
unknown email paid for a whole verification.

No wall-clock timing here: bcrypt's ``checkpw`` and ``hashpw`` are wrapped so
that the test sees every call, its cost, and whether bcrypt really computed a
hash or refused its input first.
"""

from __future__ import annotations

import bcrypt
import pytest

from tasty_recipes.accounts import service as accounts
from tasty_recipes.exceptions import ValidationError
from tasty_recipes.extensions import db

from ..support.accounts import VALID_PASSWORD
from ..support.browser_session import session_token

COMPUTED = "computed"
REFUSED = "refused"  # bcrypt raised before hashing: no time spent

UNKNOWN = "nobody@example.com"
REAL_HASH_AT_COST_4 = "$2b$04$9kAZGEdgta2nMNUl0.OGHO552k/ZW38libA9hTFUlwwcco0fTZGsK"
EMAILS = [pytest.param(UNKNOWN, id="unknown-email"), pytest.param("USER", id="existing-email")]
HTTP_PASSWORDS = [
    pytest.param("x" * 73, id="password-73-bytes"),
    pytest.param("", id="empty-password"),
    pytest.param("wrong password", id="wrong-password"),
]


def _cost(hashed) -> int | None:
    """The cost a bcrypt hash or salt names, or None when it names none."""
    try:
        return int(bytes(hashed).split(b"$")[2])
    except (TypeError, ValueError, IndexError):
        return None


@pytest.fixture()
def bcrypt_calls(monkeypatch):
    """Every bcrypt call made during the test: (function, cost, COMPUTED or REFUSED)."""
    calls: list[tuple[str, int | None, str]] = []

    def observed(name, real):
        def call(password, hashed):
            try:
                result = real(password, hashed)
            except ValueError:
                calls.append((name, _cost(hashed), REFUSED))
                raise
            calls.append((name, _cost(hashed), COMPUTED))
            return result

        return call

    monkeypatch.setattr(bcrypt, "checkpw", observed("checkpw", bcrypt.checkpw))
    monkeypatch.setattr(bcrypt, "hashpw", observed("hashpw", bcrypt.hashpw))
    return calls


@pytest.fixture()
def rounds(app) -> int:
    return app.config["BCRYPT_LOG_ROUNDS"]


def one_verification(rounds: int) -> list[tuple[str, int, str]]:
    return [("checkpw", rounds, COMPUTED)]


# (email: "USER" is the existing account, password); every one of them must fail.
FAILED_LOG_INS = [
    pytest.param(UNKNOWN, VALID_PASSWORD, id="unknown-email"),
    pytest.param(UNKNOWN, "x" * 73, id="unknown-email-password-73-bytes"),
    pytest.param(UNKNOWN, "", id="unknown-email-empty-password"),
    pytest.param(UNKNOWN, None, id="unknown-email-no-password"),
    pytest.param("USER", "wrong password", id="wrong-password"),
    pytest.param("USER", VALID_PASSWORD[:-1], id="password-one-short"),
    pytest.param("USER", "x" * 73, id="password-73-bytes"),
    pytest.param("USER", "é" * 37, id="password-74-bytes-37-chars"),
    pytest.param("USER", "é" * 50 + "a" * 22, id="password-72-chars-122-bytes"),
    pytest.param("USER", "x" * 100_000, id="password-100000-chars"),
    pytest.param("USER", VALID_PASSWORD + "x" * 61, id="valid-password-padded-past-72-bytes"),
    pytest.param("USER", "", id="empty-password"),
    pytest.param("USER", "   ", id="whitespace-password"),
    pytest.param("USER", None, id="no-password"),
    pytest.param("USER", 123, id="integer-password"),
    pytest.param("USER", ["x"], id="list-password"),
    pytest.param("USER", {"password": VALID_PASSWORD}, id="object-password"),
    pytest.param("USER", b"hello world!", id="bytes-password"),
    pytest.param("USER", "hello\x00world!", id="nul-in-password"),
    pytest.param(None, VALID_PASSWORD, id="no-email"),
    pytest.param(123, VALID_PASSWORD, id="integer-email"),
    pytest.param("", VALID_PASSWORD, id="empty-email"),
    pytest.param("USER\x00", VALID_PASSWORD, id="nul-in-email"),
    pytest.param("a" * 200 + "@example.com", VALID_PASSWORD, id="email-212-chars"),
]


@pytest.mark.parametrize(("email", "password"), FAILED_LOG_INS)
def test_every_failed_log_in_costs_one_verification(user, bcrypt_calls, rounds, email, password):
    if isinstance(email, str) and email.startswith("USER"):
        email = user.email + email[len("USER") :]
    bcrypt_calls.clear()
    assert accounts.get_user_by_email_and_password(email, password) is None
    assert bcrypt_calls == one_verification(rounds)


MALFORMED_HASHES = [
    pytest.param("", id="empty"),
    pytest.param("not a hash", id="text"),
    pytest.param("$2b$04$short", id="truncated-salt"),
    pytest.param(REAL_HASH_AT_COST_4[:-1], id="one-char-short"),
    pytest.param(REAL_HASH_AT_COST_4 + "x", id="one-char-long"),
    pytest.param("$2b$04$" + "!" * 53, id="bad-alphabet"),
    pytest.param("$9z$04$" + "." * 53, id="unknown-prefix"),
    pytest.param("$2b$xx$" + "." * 53, id="cost-not-a-number"),
    pytest.param("$2b$04$" + "é" * 53, id="non-ascii"),
]


@pytest.mark.parametrize("stored", MALFORMED_HASHES)
@pytest.mark.parametrize(
    "password",
    [pytest.param(VALID_PASSWORD, id="right-password"), pytest.param("x" * 73, id="password-73-bytes")],
)
def test_a_malformed_stored_hash_still_costs_one_verification(user, bcrypt_calls, rounds, stored, password):
    user.hashed_password = stored
    db.session.commit()
    bcrypt_calls.clear()
    assert accounts.get_user_by_email_and_password(user.email, password) is None
    assert bcrypt_calls == one_verification(rounds)


def test_a_successful_log_in_costs_one_verification(user, bcrypt_calls, rounds):
    bcrypt_calls.clear()
    assert accounts.get_user_by_email_and_password(user.email, VALID_PASSWORD).id == user.id
    assert bcrypt_calls == one_verification(rounds)


@pytest.mark.parametrize("email", EMAILS)
def test_the_stand_in_verification_follows_the_configured_cost(app, user, bcrypt_calls, monkeypatch, email):
    # The stand-in for a verification that cannot happen is at the configured cost, not a
    # fixed one: in production (cost 12) it must take as long as a real one.
    monkeypatch.setitem(app.config, "BCRYPT_LOG_ROUNDS", 6)
    email = user.email if email == "USER" else email
    bcrypt_calls.clear()
    assert accounts.get_user_by_email_and_password(email, "x" * 73) is None
    assert bcrypt_calls == one_verification(6)


def test_the_first_failed_log_in_of_a_process_costs_one_verification_too(app, bcrypt_calls, monkeypatch):
    # A stand-in hash computed (and cached) on first use would make the very first
    # failure cost two computations: a cost nobody has paid yet shows it.
    monkeypatch.setitem(app.config, "BCRYPT_LOG_ROUNDS", 5)
    assert accounts.get_user_by_email_and_password(UNKNOWN, VALID_PASSWORD) is None
    assert bcrypt_calls == one_verification(5)


# --- through the log-in endpoints -------------------------------------------------------------


@pytest.mark.parametrize("password", HTTP_PASSWORDS)
@pytest.mark.parametrize("email", EMAILS)
def test_html_log_in_failures_cost_one_verification(client, user, bcrypt_calls, rounds, email, password):
    email = user.email if email == "USER" else email
    bcrypt_calls.clear()
    response = client.post("/users/log_in", data={"email": email, "password": password})
    assert response.status_code == 200
    assert "Invalid email or password" in response.get_data(as_text=True)
    assert session_token(client) is None
    assert bcrypt_calls == one_verification(rounds)


@pytest.mark.parametrize("password", [*HTTP_PASSWORDS, pytest.param(123, id="integer-password")])
@pytest.mark.parametrize("email", EMAILS)
def test_api_sign_in_failures_cost_one_verification(client, user, bcrypt_calls, rounds, email, password):
    email = user.email if email == "USER" else email
    bcrypt_calls.clear()
    response = client.post("/api/sign_in", json={"email": email, "password": password})
    assert response.status_code == 401
    assert bcrypt_calls == one_verification(rounds)


def test_settings_check_a_bad_current_password_with_one_verification(user, bcrypt_calls, rounds):
    # The same rule where a logged-in user confirms a change with their password.
    for current in ("x" * 73, "", None, "wrong password"):
        bcrypt_calls.clear()
        with pytest.raises(ValidationError):
            accounts.update_user_password(user, current, "new valid password")
        assert bcrypt_calls == one_verification(rounds)
