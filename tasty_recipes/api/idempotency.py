"""The ``Idempotency-Key`` request header on the API's creating POSTs.

A client that may retry a POST (a timeout, a dropped connection, a 503 with
Retry-After) sends a key of its choosing: 1 to 255 printable ASCII characters.
The first request with it is processed and its successful answer stored for 24
hours (``idempotency.service``); a repeat with the same body gets that answer
again, with ``Idempotent-Replayed: true``, and nothing is done twice. The same
key with another body is a 422; a repeat while the first is still running waits
for it, or gets 409 with ``Retry-After: 1``. Requests without the header are
untouched.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from collections.abc import Callable

from flask import Response, current_app, request

from ..errors import error_response
from ..exceptions import ValidationError
from ..idempotency import service as keys
from ..idempotency.models import KEY_MAX_LENGTH

HEADER = keys.HEADER_FIELD
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_FORMAT = re.compile(rf"[\x20-\x7e]{{1,{KEY_MAX_LENGTH}}}")
INVALID = "is invalid"
# The headers of an answer that a replay must repeat; the rest are set per response.
STORED_HEADERS = ("Location", "ETag")
RETRY_AFTER_SECONDS = 1


def keyed_request(scope: str, user_id: uuid.UUID | None = None) -> keys.KeyedRequest | None:
    """This request's key within ``scope``, or None without the header (raises 422 if malformed).

    Must run before the body is parsed as a form: the fingerprint reads (and
    caches) the raw body.
    """
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY_FORMAT.fullmatch(key):
        raise ValidationError({HEADER: [INVALID]})
    return keys.KeyedRequest(scope, key, fingerprint(request.get_data(cache=True)), user_id)


def fingerprint(body: bytes) -> str:
    """HMAC-SHA-256 of the body under a key derived from SECRET_KEY, in hex.

    Keyed because a sign-up body holds a password: a plain SHA-256 of it, kept
    for a day, could be guessed offline from a copy of the database.
    """
    secret = hmac.new(
        current_app.config["SECRET_KEY"].encode(), b"idempotency-fingerprint", hashlib.sha256
    ).digest()
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def run_once(keyed: keys.KeyedRequest, work: Callable[[], object], respond: Callable[[], Response]):
    """Replay the stored answer for ``keyed``, or run ``work`` and store ``respond()``.

    ``respond`` builds the success response from what ``work`` wrote; it is
    called inside the work's transaction, just before its first commit, and the
    same response is then returned. Errors raised by ``work`` propagate and
    store nothing.
    """
    try:
        outcome = keys.replay_or_claim(keyed)
    except keys.KeyInUse:
        return error_response(409, "Conflict", {"Retry-After": str(RETRY_AFTER_SECONDS)})
    if isinstance(outcome, keys.StoredResponse):
        return replayed(outcome)
    answered: list[Response] = []

    def record() -> keys.StoredResponse:
        answered.append(respond())
        return stored(answered[0])

    with outcome.stored_at_commit(record):
        work()
    return answered[0]


def stored(response: Response) -> keys.StoredResponse:
    """What is kept of a successful response: status, body, and the STORED_HEADERS it has."""
    headers = {name: response.headers[name] for name in STORED_HEADERS if name in response.headers}
    return keys.StoredResponse(response.status_code, response.get_data(as_text=True), headers)


def replayed(answer: keys.StoredResponse) -> Response:
    """The stored answer as a response again, marked ``Idempotent-Replayed: true``."""
    response = current_app.response_class(answer.body, status=answer.status, mimetype="application/json")
    response.headers.update(answer.headers)
    response.headers[REPLAYED_HEADER] = "true"
    return response
