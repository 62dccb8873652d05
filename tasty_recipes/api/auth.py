"""API authentication: Guardian-compatible JWTs verified by flask-jwt-extended.

Tokens are HS512 JWTs with exactly the claims of SPEC §5 (``sub``, ``iss``,
``aud``, ``typ``, ``jti``, ``iat``, ``nbf``, ``exp``), encoded with PyJWT so that
flask-jwt-extended's own extra claims (``fresh``, ``type``) are left out. A token
authenticates only while its ``jti`` row lives in ``users_tokens`` (see
``accounts.api_tokens``): sign-out, a password change or reset, and deleting the
user revoke it.

Every failure is a 401 with Guardian's body: ``{"message": "unauthenticated"}``
without a bearer header, ``{"message": "invalid_token", "reason": …}`` for any
bad token. flask-jwt-extended's defaults (422 for tampered tokens, 400 for a
failed claims check) are all replaced below.
"""

from __future__ import annotations

import re
import time
import uuid

import jwt as pyjwt
from flask import Flask, current_app, g, jsonify, request
from flask_jwt_extended import get_current_user

from ..accounts import api_tokens
from ..accounts.models import User
from ..extensions import jwt
from . import bp

ISSUER = "tasty_recipes"
TOKEN_TYPE = "access"  # noqa: S105 - the JWT typ claim, not a secret
ALGORITHM = "HS512"

# Guardian's VerifyHeader regex, as compiled from "#{scheme}\:?\s+(.*)$" with the
# "i" flag: case-insensitive, optional colon, unanchored at the start.
GUARDIAN_BEARER = re.compile(r"Bearer:? +(.*)$", re.IGNORECASE)


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
    token = pyjwt.encode(claims, current_app.config["JWT_SECRET_KEY"], algorithm=ALGORITHM)
    api_tokens.record_api_token(user, jti)
    return token


def authenticated_user() -> api_tokens.ApiPrincipal:
    """Who the verified bearer token belongs to (inside a ``jwt_required`` view).

    Plain columns, not an ORM object: enough for ownership checks and JSON; a view
    that changes the user loads it with ``accounts.get_user(principal.id)``.
    """
    return get_current_user()


# --- header normalisation (Guardian semantics) -----------------------------------------

@bp.before_request
def _normalize_authorization_header() -> None:
    """Accept what Guardian accepts (``bearer x``, ``Bearer: x``) and ignore the rest.

    A header that does not match (``Token x``, ``Bearer`` alone, a raw token) is
    treated as absent, so the answer is "unauthenticated" as with Guardian.
    """
    raw = request.environ.get("HTTP_AUTHORIZATION")
    if raw is None:
        return
    match = GUARDIAN_BEARER.search(raw.strip())
    if match and match.group(1).strip():
        request.environ["HTTP_AUTHORIZATION"] = "Bearer " + match.group(1).strip()
    else:
        del request.environ["HTTP_AUTHORIZATION"]


# --- flask-jwt-extended loaders ----------------------------------------------------------

def _auth_error(message: str, reason: str | None = None):
    body = {"message": message}
    challenge = "Bearer"
    if reason is not None:
        body["reason"] = reason
    if message == "invalid_token":
        challenge = 'Bearer error="invalid_token"'
    return jsonify(body), 401, {"WWW-Authenticate": challenge}


def _invalid_token(reason: str):
    return _auth_error("invalid_token", "not_yet_valid" if "not yet valid" in reason else "invalid")


def _is_revoked(_header: dict, claims: dict) -> bool:
    """The one database lookup of a request: the token's row joined to its user.

    The user found is kept on ``g`` for ``user_lookup_loader``, so that
    verification costs one SQL statement, not two.
    """
    g.pop("api_user", None)
    if claims.get("typ") != TOKEN_TYPE:
        g.api_auth_reason = "wrong_type"
        return True
    principal = api_tokens.get_principal_by_api_token(
        claims.get("jti"), claims.get("sub"), current_app.config["JWT_ACCESS_TOKEN_EXPIRES"])
    if principal is None:
        g.api_auth_reason = "revoked"
        return True
    g.api_user = principal
    return False


def _is_access_token(_header: dict, claims: dict) -> bool:
    return claims.get("typ") == TOKEN_TYPE


def _load_user(_header: dict, _claims: dict) -> api_tokens.ApiPrincipal | None:
    return g.get("api_user")


def init_app(app: Flask) -> None:
    """Install the loaders on the shared JWTManager (HS512 only, see config.py)."""
    jwt.unauthorized_loader(lambda _reason: _auth_error("unauthenticated"))
    jwt.invalid_token_loader(_invalid_token)
    jwt.expired_token_loader(lambda _h, _c: _auth_error("invalid_token", "expired"))
    jwt.token_verification_failed_loader(lambda _h, _c: _auth_error("invalid_token", "wrong_type"))
    jwt.revoked_token_loader(
        lambda _h, _c: _auth_error("invalid_token", g.get("api_auth_reason", "revoked")))
    jwt.needs_fresh_token_loader(lambda _h, _c: _auth_error("invalid_token"))
    jwt.user_lookup_error_loader(lambda _h, _c: _auth_error("invalid_token", "revoked"))
    jwt.token_in_blocklist_loader(_is_revoked)
    jwt.token_verification_loader(_is_access_token)
    jwt.user_lookup_loader(_load_user)
