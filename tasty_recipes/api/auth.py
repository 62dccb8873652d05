"""API authentication: Guardian-compatible JWTs, issued and verified with PyJWT.

Tokens are HS512 JWTs with exactly the claims of SPEC §5 (``sub``, ``iss``,
``aud``, ``typ``, ``jti``, ``iat``, ``nbf``, ``exp``). A token authenticates only
while its ``jti`` row lives in ``users_tokens`` (see ``accounts.api_tokens``):
sign-out, a password change or reset, and deleting the user revoke it.

Every failure is a 401 with Guardian's body: ``{"message": "unauthenticated"}``
without a bearer header, ``{"message": "invalid_token", "reason": …}`` for any
bad token.

Why not flask-jwt-extended: its verification decodes every token three times
(twice unverified, to find the key) and all of its error answers had to be
replaced anyway. One ``jwt.decode`` with the checks below is the same
verification at a third of the cost, on the app's hottest path (issue 7).
"""

from __future__ import annotations

import re
import time
import uuid
from functools import wraps

import jwt
from flask import Flask, current_app, g, jsonify, request

from ..accounts import api_tokens
from ..accounts.models import User
from ..db import autocommit_reads

ISSUER = "tasty_recipes"
TOKEN_TYPE = "access"  # noqa: S105 - the JWT typ claim, not a secret
ALGORITHM = "HS512"
REQUIRED_CLAIMS = ["sub", "iss", "aud", "typ", "jti", "iat", "nbf", "exp"]
SAFE_METHODS = ("GET", "HEAD")  # the API's GET views only read

# Guardian's VerifyHeader regex, as compiled from "#{scheme}\:?\s+(.*)$" with the
# "i" flag: case-insensitive, optional colon, unanchored at the start.
GUARDIAN_BEARER = re.compile(r"Bearer:? +(.*)$", re.IGNORECASE)


class AuthenticationFailed(Exception):
    """The request carries no usable bearer token; answered with Guardian's 401."""

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.message, self.reason = message, reason


def issue_token(user: User) -> str:
    """A new signed access token for ``user``, recorded so that it can be revoked."""
    now = int(time.time())
    jti = str(uuid.uuid4())
    lifetime = int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds())
    claims = {
        "sub": str(user.id), "iss": ISSUER, "aud": ISSUER, "typ": TOKEN_TYPE, "jti": jti,
        # nbf one second back, like Guardian: a token used at once on another host is valid.
        "iat": now, "nbf": now - 1, "exp": now + lifetime,
    }
    token = jwt.encode(claims, current_app.config["JWT_SECRET_KEY"], algorithm=ALGORITHM)
    api_tokens.record_api_token(user, jti)
    return token


def token_required(view):
    """Let the view run only for a valid, unrevoked bearer token (one SQL statement)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        g.api_claims = _verified_claims(_bearer_token())
        if request.method in SAFE_METHODS:
            autocommit_reads()
        principal = api_tokens.get_principal_by_api_token(
            g.api_claims["jti"], g.api_claims["sub"],
            current_app.config["JWT_ACCESS_TOKEN_EXPIRES"])
        if principal is None:
            raise AuthenticationFailed("invalid_token", "revoked")
        g.api_principal = principal
        return view(*args, **kwargs)
    return wrapped


def authenticated_user() -> api_tokens.ApiPrincipal:
    """Who the verified bearer token belongs to (inside a ``token_required`` view).

    Plain columns, not an ORM object: enough for ownership checks and JSON; a view
    that changes the user loads it with ``accounts.get_user(principal.id)``.
    """
    return g.api_principal


def token_claims() -> dict:
    """The verified claims of this request's token (inside a ``token_required`` view)."""
    return g.api_claims


def _bearer_token() -> str:
    """The token, read the way Guardian does (``bearer x`` and ``Bearer: x`` are fine).

    A header that does not match (``Token x``, ``Bearer`` alone, a raw token) counts
    as no header at all: "unauthenticated", as with Guardian.
    """
    match = GUARDIAN_BEARER.search(request.headers.get("Authorization", "").strip())
    token = match.group(1).strip() if match else ""
    if not token:
        raise AuthenticationFailed("unauthenticated")
    return token


def _verified_claims(token: str) -> dict:
    """Signature (HS512 only), exp, nbf, iat, iss, aud and typ, in one decode."""
    try:
        claims = jwt.decode(token, current_app.config["JWT_SECRET_KEY"], algorithms=[ALGORITHM],
                            audience=ISSUER, issuer=ISSUER, options={"require": REQUIRED_CLAIMS})
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationFailed("invalid_token", "expired") from exc
    except jwt.ImmatureSignatureError as exc:
        raise AuthenticationFailed("invalid_token", "not_yet_valid") from exc
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise AuthenticationFailed("invalid_token", "invalid") from exc
    if claims["typ"] != TOKEN_TYPE:
        raise AuthenticationFailed("invalid_token", "wrong_type")
    return claims


def _unauthorized(exc: AuthenticationFailed):
    body = {"message": exc.message}
    challenge = "Bearer"
    if exc.reason is not None:
        body["reason"] = exc.reason
        challenge = 'Bearer error="invalid_token"'
    return jsonify(body), 401, {"WWW-Authenticate": challenge}


def init_app(app: Flask) -> None:
    app.register_error_handler(AuthenticationFailed, _unauthorized)
