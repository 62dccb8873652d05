"""The API's JWT layer is flask-jwt-extended, with Guardian's header forms and claim checks."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest

from tasty_recipes.api.auth import bearer_token
from tasty_recipes.extensions import jwt as jwt_manager

from ..support.api import UNAUTHENTICATED, assert_invalid_token, bearer

WEEK = 7 * 24 * 60 * 60


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _resigned(app, token: str, **changes) -> str:
    claims = {**_claims(token), **changes}
    claims = {key: value for key, value in claims.items() if value is not None}
    return jwt.encode(claims, app.config["JWT_SECRET_KEY"], algorithm="HS512")


def test_the_app_uses_a_configured_jwt_manager(app):
    assert app.extensions["flask-jwt-extended"] is jwt_manager
    assert app.config["JWT_ALGORITHM"] == "HS512"
    assert app.config["JWT_DECODE_ALGORITHMS"] == ["HS512"]
    for key in ("JWT_ENCODE_ISSUER", "JWT_DECODE_ISSUER", "JWT_ENCODE_AUDIENCE", "JWT_DECODE_AUDIENCE"):
        assert app.config[key] == "tasty_recipes"
    assert app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds() == WEEK


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer abc", "abc"),
        ("BEARER: abc", "abc"),
        ("Bearer:\tabc", "abc"),
        ("Basic dXNlcg==, Bearer abc", "abc"),
        ("Bearer a b", "a b"),
        ("XBearer abc", None),
        ("Bearerabc", None),
        ("Bearer", None),
        ("Bearer   ", None),
        ("Token abc", None),
        ("abc", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_header_forms_are_guardians_and_no_looser(header, token):
    assert bearer_token(header) == token


def test_a_prefixed_scheme_is_unauthenticated(api, user, token_for):
    response = api.get("/api/me", headers={"Authorization": "XBearer " + token_for(user)})
    assert response.status_code == 401
    assert response.get_json() == UNAUTHENTICATED


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": str(int(time.time()) + WEEK)},
        {"iat": str(int(time.time()))},
        {"nbf": str(int(time.time()) - 1)},
        {"exp": None},
        {"nbf": None},
        {"iat": None},
        {"exp": True},
    ],
    ids=["string-exp", "string-iat", "string-nbf", "no-exp", "no-nbf", "no-iat", "boolean-exp"],
)
def test_date_claims_must_be_present_and_numeric(app, api, user, token_for, changes):
    token = _resigned(app, token_for(user), **changes)
    assert_invalid_token(api.get("/api/me", headers=bearer(token)))


def test_wrong_typ_says_why(app, api, user, token_for):
    token = _resigned(app, token_for(user), typ="refresh")
    response = api.get("/api/me", headers=bearer(token))
    assert_invalid_token(response)
    assert response.get_json()["reason"] == "wrong_type"


def test_views_see_the_token_user_and_claims(api, user, token_for):
    token = token_for(user)
    response = api.get("/api/me", headers=bearer(token))
    assert response.get_json()["data"]["id"] == str(user.id)
    assert api.post("/api/sign_out", headers=bearer(token)).status_code == 204
    assert api.get("/api/me", headers=bearer(token)).get_json()["reason"] == "revoked"


def test_a_token_for_a_random_user_id_is_invalid(app, api, user, token_for):
    token = _resigned(app, token_for(user), sub=str(uuid.uuid4()))
    assert_invalid_token(api.get("/api/me", headers=bearer(token)))
