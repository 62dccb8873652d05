"""API authentication: Guardian-compatible bearer JWTs on flask-jwt-extended.

Tokens are HS512 JWTs with exactly the claims ``sub``, ``iss``, ``aud``,
``typ``, ``jti``, ``iat``, ``nbf`` and ``exp``. ``JWTManager`` verifies them
(configured in ``config._jwt``: HS512 only, issuer and audience
``tasty_recipes``, expiry); the hooks below add what Guardian checks on top:

* ``token_verification_loader``: ``typ`` is ``"access"`` and every date claim
  is a number (PyJWT would accept ``"exp": "1999999999"``).
* ``token_in_blocklist_loader`` and ``user_lookup_loader`` share ONE query per
  request: the token's ``jti`` row joined to its user (``accounts.api_tokens``).
  No row means revoked: sign-out, a password change or reset, or the user's
  deletion removed it.

Every failure is a 401 with Guardian's body: ``{"message": "unauthenticated"}``
without a usable bearer header, ``{"message": "invalid_token", "reason": …}``
for any bad token.
"""

from __future__ import annotations

import re
import time
import uuid

import jwt as pyjwt
from flask import Flask, current_app, g, jsonify, request

from ..accounts import api_tokens
from ..accounts.models import User
from ..extensions import jwt
from . import bp

ACCESS_TYP = "access"  # the typ claim of every token the API issues
DATE_CLAIMS = ("iat", "nbf", "exp")
SAFE_METHODS = ("GET", "HEAD")  # the API's GET views only read

# Guardian's header forms: scheme case-insensitive, an optional colon, then the token
# ("bearer x", "Bearer: x"). Anchored: "XBearer x" is no bearer header at all.
GUARDIAN_BEARER = re.compile(r"^Bearer:?[ \t]+(\S.*)$", re.IGNORECASE)


def issue_token(user: User) -> str:
    """A new signed access token for ``user``, recorded so that it can be revoked."""
    jti = new_token_id()
    api_tokens.record_api_token(user, jti)
    return signed_token(user, jti)


def new_token_id() -> str:
    """A fresh ``jti``: record it (``accounts.api_tokens``) before handing out its token."""
    return str(uuid.uuid4())


def signed_token(user: User, jti: str) -> str:
    """The signed JWT for ``user`` with this ``jti`` (the row must be recorded too).

    Signed with PyJWT from the JWTManager's own settings rather than with
    ``create_access_token``: that function always adds ``fresh`` and ``type``
    claims, and the API promises clients Guardian's exact claim set.
    """
    config = current_app.config
    now = int(time.time())
    claims = {
        "sub": str(user.id),
        "iss": config["JWT_ENCODE_ISSUER"],
        "aud": config["JWT_ENCODE_AUDIENCE"],
        "typ": ACCESS_TYP,
        "jti": jti,
        "iat": now,
        "exp": now + int(config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()),
    }
    if config["JWT_ENCODE_NBF"]:
        # One second back, like Guardian: a token used at once on another host is valid.
        claims["nbf"] = now - 1
    return pyjwt.encode(claims, config["JWT_SECRET_KEY"], algorithm=config["JWT_ALGORITHM"])


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization`` header read the way Guardian reads it, or None.

    ``bearer x`` and ``Bearer: x`` are accepted, also as one of several
    comma-separated credentials; ``Token x``, ``Bearer`` alone or a raw token
    are not (the client then counts as unauthenticated).
    """
    for credentials in (header or "").split(","):
        match = GUARDIAN_BEARER.match(credentials.strip())
        if match:
            return match.group(1).strip()
    return None


@bp.before_request
def _normalize_authorization_header() -> None:
    """Rewrite a Guardian-style header into the one form flask-jwt-extended reads."""
    if "HTTP_AUTHORIZATION" not in request.environ:
        return
    token = bearer_token(request.environ["HTTP_AUTHORIZATION"])
    if token is None:
        del request.environ["HTTP_AUTHORIZATION"]
    else:
        request.environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"


# --- verification hooks ------------------------------------------------------------------


def _is_guardian_access_token(_header: dict, claims: dict) -> bool:
    return claims.get("typ") == ACCESS_TYP and all(
        isinstance(claims.get(name), int | float) and not isinstance(claims.get(name), bool)
        for name in DATE_CLAIMS
    )


def _principal(claims: dict) -> api_tokens.ApiPrincipal | None:
    """The token's user, looked up once per request (revocation check and current_user)."""
    if "api_principal" not in g:
        g.api_principal = api_tokens.get_principal_by_api_token(
            claims.get("jti"),
            claims.get("sub"),
            current_app.config["JWT_ACCESS_TOKEN_EXPIRES"],
            read_only=request.method in SAFE_METHODS,
        )
    return g.api_principal


def _is_revoked(_header: dict, claims: dict) -> bool:
    return _principal(claims) is None


def _load_principal(_header: dict, claims: dict) -> api_tokens.ApiPrincipal | None:
    # Plain columns, not an ORM object: enough for ownership checks and JSON; a view
    # that changes the user loads it with ``accounts.get_user(current_user.id)``.
    return _principal(claims)


# --- Guardian's 401 answers ------------------------------------------------------------------


def _unauthenticated(_reason: str):
    return jsonify(message="unauthenticated"), 401, {"WWW-Authenticate": "Bearer"}


def _invalid_token(reason: str):
    return (
        jsonify(message="invalid_token", reason=reason),
        401,
        {"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def _undecodable(message: str):
    return _invalid_token("not_yet_valid" if "not yet valid" in message else "invalid")


def _wrong_claims(_header: dict, claims: dict):
    return _invalid_token("wrong_type" if claims.get("typ") != ACCESS_TYP else "invalid")


def init_app(app: Flask) -> None:
    """Bind the JWTManager to ``app`` with the hooks and error answers above."""
    jwt.init_app(app)
    jwt.token_verification_loader(_is_guardian_access_token)
    jwt.token_in_blocklist_loader(_is_revoked)
    jwt.user_lookup_loader(_load_principal)
    jwt.unauthorized_loader(_unauthenticated)
    jwt.invalid_token_loader(_undecodable)
    jwt.expired_token_loader(lambda _header, _claims: _invalid_token("expired"))
    jwt.revoked_token_loader(lambda _header, _claims: _invalid_token("revoked"))
    jwt.user_lookup_error_loader(lambda _header, _claims: _invalid_token("revoked"))
    jwt.token_verification_failed_loader(_wrong_claims)
    jwt.needs_fresh_token_loader(lambda _header, _claims: _invalid_token("invalid"))
