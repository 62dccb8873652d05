"""bcrypt hashing, with a dummy verification so unknown emails take as long as wrong passwords."""

from __future__ import annotations

from functools import lru_cache

import bcrypt
from flask import current_app


def hash_password(password: str) -> str:
    rounds = current_app.config["BCRYPT_LOG_ROUNDS"]
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds, prefix=b"2b")).decode()


def verify_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), hashed.encode())
    except ValueError:  # a malformed hash or a password over bcrypt's 72 bytes
        return False


@lru_cache(maxsize=4)
def _dummy_hash(rounds: int) -> bytes:
    return bcrypt.hashpw(b"not a real password", bcrypt.gensalt(rounds=rounds, prefix=b"2b"))


def no_user_verify() -> bool:
    """Spend the time of one verification at the configured cost, then fail.

    Security: without it, "unknown email" would answer faster than "wrong
    password" and reveal which emails have accounts.
    """
    bcrypt.checkpw(b"a wrong password", _dummy_hash(current_app.config["BCRYPT_LOG_ROUNDS"]))
    return False
