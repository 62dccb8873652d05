"""bcrypt hashing, and a verification that costs the same for every failed log-in.

Security: how long a failed log-in takes must not tell whether the email has
an account. bcrypt refuses a password over 72 bytes or a malformed hash
*before* hashing, in microseconds, while a real verification at cost 12 takes
about 200 ms. So every verification here, whatever it is given, runs exactly
one bcrypt computation at the configured cost (``BCRYPT_LOG_ROUNDS``): input
bcrypt would refuse is replaced by a stand-in that is sure to fail.
"""

from __future__ import annotations

import re
from typing import Any

import bcrypt
from flask import current_app

MAX_PASSWORD_BYTES = 72  # bcrypt 4 ignores, bcrypt 5 refuses, anything longer

# A bcrypt hash as bcrypt reads it: version, two-digit cost, 22 characters of
# salt and 31 of digest, all in bcrypt's base64 alphabet.
BCRYPT_HASH = re.compile(rb"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")

# Hashed against the stand-in below; its value does not matter, its length is typical.
_STAND_IN_PASSWORD = b"not the password of anyone"


def hash_password(password: str) -> str:
    """A new bcrypt hash of ``password`` at the configured cost (random salt)."""
    rounds = current_app.config["BCRYPT_LOG_ROUNDS"]
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds, prefix=b"2b")).decode()


def verify_password(password: Any, hashed: Any) -> bool:
    """True when ``password`` matches the stored ``hashed``; any input at all is accepted.

    Security: always exactly one bcrypt computation. A password that cannot
    match (not text, empty, over 72 bytes) or a stored hash bcrypt cannot read
    is checked against a stand-in at the configured cost instead of failing
    at once, which would answer ~200 ms sooner than a wrong password does.
    """
    candidate = _usable_password(password)
    stored = _usable_hash(hashed)
    if candidate is None or stored is None:
        return no_user_verify()
    try:
        return bcrypt.checkpw(candidate, stored)
    except ValueError:
        # Anything else bcrypt refuses: it checks its input before hashing, so
        # nothing was spent yet and the stand-in is the one computation.
        return no_user_verify()


def no_user_verify() -> bool:
    """Spend the time of one verification at the configured cost, then fail.

    Security: for an unknown email, and for input that cannot be verified,
    so that those answer as slowly as a wrong password and reveal nothing.
    """
    bcrypt.checkpw(_STAND_IN_PASSWORD, stand_in_hash(current_app.config["BCRYPT_LOG_ROUNDS"]))
    return False


def stand_in_hash(rounds: int) -> bytes:
    """A well-formed bcrypt hash at cost ``rounds`` that no password matches.

    bcrypt verifies by hashing the candidate with the stored salt and cost, so
    checking against this costs the same as against a real hash. It is built,
    not computed: a hash computed on first use would make that first failure
    cost two computations. Its digest is 184 zero bits, which no password
    can be expected to hash to.
    """
    return b"$2b$%02d$" % rounds + b"." * 53


def _usable_password(password: Any) -> bytes | None:
    """The bytes bcrypt would check, or None when no stored hash could match them."""
    if not isinstance(password, str) or not password:
        return None
    encoded = password.encode()
    # Registration refuses longer passwords, so none can match; bcrypt 4 would
    # even accept one whose first 72 bytes are right.
    return encoded if len(encoded) <= MAX_PASSWORD_BYTES else None


def _usable_hash(hashed: Any) -> bytes | None:
    """The stored hash as bytes, or None when it is not a hash bcrypt can read."""
    if not isinstance(hashed, str) or not hashed.isascii():
        return None
    encoded = hashed.encode()
    return encoded if BCRYPT_HASH.fullmatch(encoded) else None
