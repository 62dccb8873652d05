"""Who a counter counts: the client address, or the account an email names."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

from flask import request

from ..db import EMAIL_MAX_LENGTH

# NFKC may make a string up to 18 times longer and about 4 times shorter. Input
# longer than this can never name an account, and is not normalised: a 1 MiB
# body must not grow into tens of megabytes.
FOLD_MAX_INPUT = 4 * EMAIL_MAX_LENGTH + 100


def client_address() -> str:
    """The client's address (the real one behind TRUSTED_PROXIES, see security.py)."""
    return request.remote_addr or "unknown"


def fold_email(email: str) -> str:
    """``email`` compared the way the database compares emails.

    NFKC (fullwidth and other compatibility forms become the plain character),
    then each character lower-cased to a single code point, then surrounding
    whitespace stripped (the lookups strip it). PostgreSQL's citext lower-cases
    with the C library's ``towlower``, one code point for one: ``İ`` becomes
    ``i``, so ``alİce@example.com`` logs in as alice, where Python's
    ``str.lower`` gives ``i̇`` and would open a second counter. Character by
    character, too: a whole-string ``lower`` turns a final ``Σ`` into ``ς``.
    """
    normalized = unicodedata.normalize("NFKC", email)
    return "".join(char.lower()[0] for char in normalized).strip()


def account_key(email: Any) -> str:
    """The per-account counter key of a submitted email; ``""`` when it names no account.

    Hashed: a key of fixed size whatever was submitted, and no email address in
    the counters' storage.
    """
    if not isinstance(email, str) or len(email) > FOLD_MAX_INPUT:
        return ""
    folded = fold_email(email)
    if not folded:
        return ""
    return hashlib.sha256(folded.encode("utf-8", "surrogatepass")).hexdigest()
