"""Idempotency keys: claim a key, store the answer with the work, replay it, purge old keys.

The flow of a request that carries a key (``api.idempotency`` drives it):

1. ``replay_or_claim``: a live key with the same fingerprint returns its stored
   answer (nothing is done again); with another fingerprint it is refused. An
   unknown key is *claimed*: its row is inserted and flushed, not committed.
2. The work runs inside ``Claim.stored_at_commit``: the services commit on their
   own, and the answer is written into the claimed row just before the first of
   those commits. Key, answer and write are therefore one transaction: a
   committed write always has its stored answer, and a failed one leaves no key
   (a validation error is not stored, so a corrected retry with the same key
   goes through).

Concurrency: the claim's INSERT holds the unique (scope, key) index entry until
its transaction ends. A second request with the same key waits on it (PostgreSQL)
and then replays the committed answer, or claims the key itself if the first
rolled back. If the wait exceeds the lock timeout it gets ``KeyInUse`` (409).
Exactly one request does the work.

Keys live ``KEY_LIFETIME``: an expired key is ignored (and replaced when reused);
``purge_expired_idempotency_keys`` deletes them in bulk.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, event, select
from sqlalchemy.exc import IntegrityError, OperationalError

from ..db import utcnow
from ..exceptions import Conflict, ValidationError
from ..extensions import db
from .models import IdempotencyKey

KEY_LIFETIME = timedelta(hours=24)
HEADER_FIELD = "Idempotency-Key"  # the field named in validation errors
REUSED = "was already used with a different request"

# PostgreSQL gave up waiting for the concurrent claim: lock_not_available, query_canceled.
_WAIT_TIMEOUT_CODES = frozenset({"55P03", "57014"})


class KeyInUse(Conflict):
    """Another request holds this key and has not finished: retry shortly."""


@dataclass(frozen=True)
class KeyedRequest:
    """A request with an idempotency key: where the key applies, and what was sent."""

    scope: str
    key: str
    fingerprint: str
    user_id: uuid.UUID | None = None


@dataclass(frozen=True)
class StoredResponse:
    """A successful answer as stored: status, body text and the headers that matter."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)


# --- claiming and replaying ----------------------------------------------------------------


def replay_or_claim(request: KeyedRequest) -> StoredResponse | Claim:
    """The stored answer for this key, or a Claim on it for this request to do the work.

    Raises ValidationError (``Idempotency-Key``: ``was already used with a
    different request``) when the key is live with another fingerprint, and
    KeyInUse when another request holds it. Without a stored answer, the claim
    is flushed in the current transaction and goes wherever that transaction
    goes.
    """
    row = _find(request)
    if row is not None and _expired(row):
        db.session.delete(row)
        db.session.flush()  # before the INSERT below: the flush puts inserts first
        row = None
    if row is not None:
        return _answer(row, request)
    claim = IdempotencyKey(
        scope=request.scope, key=request.key, fingerprint=request.fingerprint, user_id=request.user_id
    )
    db.session.add(claim)
    try:
        db.session.flush()
    except IntegrityError:
        # A concurrent request with this key committed first (we waited for it).
        db.session.rollback()
        row = _find(request)
        if row is None or _expired(row):
            raise KeyInUse() from None  # gone again meanwhile: let the client retry
        return _answer(row, request)
    except OperationalError as exc:
        if getattr(exc.orig, "pgcode", None) not in _WAIT_TIMEOUT_CODES:
            raise  # a connection problem: the usual 503
        db.session.rollback()
        raise KeyInUse() from exc
    return Claim(claim)


def _find(request: KeyedRequest) -> IdempotencyKey | None:
    return db.session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.scope == request.scope, IdempotencyKey.key == request.key)
    )


def _expired(row: IdempotencyKey, now: datetime | None = None) -> bool:
    return row.inserted_at <= (now or utcnow()) - KEY_LIFETIME


def _answer(row: IdempotencyKey, request: KeyedRequest) -> StoredResponse:
    if row.fingerprint != request.fingerprint:
        raise ValidationError({HEADER_FIELD: [REUSED]})
    if row.response_status is None:
        raise KeyInUse()  # never committed like this; kept as a safe answer all the same
    return StoredResponse(row.response_status, row.response_body or "", dict(row.response_headers or {}))


class Claim:
    """A key held by this request: committed together with the work, or not at all."""

    def __init__(self, row: IdempotencyKey):
        self._row = row

    @contextmanager
    def stored_at_commit(self, respond: Callable[[], StoredResponse]) -> Iterator[None]:
        """Run the work in the block; ``respond()`` is stored just before its first commit.

        ``respond`` builds the successful answer from what the work wrote (it runs
        inside the transaction, after the work's statements). If the block
        raises, the transaction is rolled back: the key is released, nothing is
        stored. A block that commits nothing is a programming error.
        """
        session = db.session()
        row, stored = self._row, []

        def store(_session) -> None:
            if stored:
                return  # a later commit of the same work (e.g. the confirmation email)
            stored.append(respond())
            row.response_status = stored[0].status
            row.response_body = stored[0].body
            row.response_headers = stored[0].headers

        event.listen(session, "before_commit", store)
        try:
            yield
        except BaseException:
            db.session.rollback()
            raise
        finally:
            event.remove(session, "before_commit", store)
        if not stored:
            db.session.rollback()
            raise RuntimeError("the work committed nothing: no answer to store for its key")


# --- maintenance -----------------------------------------------------------------------------


def purge_expired_idempotency_keys(now: datetime | None = None) -> int:
    """Delete every key older than KEY_LIFETIME (at ``now``, default the current time).

    Returns how many were deleted; one commit. Expired keys are already ignored
    by requests, so this only reclaims space (run it daily, e.g. from cron).
    """
    cutoff = (now or utcnow()) - KEY_LIFETIME
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.inserted_at <= cutoff))
    db.session.commit()
    return result.rowcount


__all__ = [
    "HEADER_FIELD",
    "KEY_LIFETIME",
    "Claim",
    "KeyInUse",
    "KeyedRequest",
    "StoredResponse",
    "purge_expired_idempotency_keys",
    "replay_or_claim",
]
