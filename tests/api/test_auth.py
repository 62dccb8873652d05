"""Bearer tokens: claims, Guardian's 401 bodies, revocation, one SQL statement."""

from __future__ import annotations

import base64
import json
import time
import uuid

import jwt
import pytest
from sqlalchemy import select

from tasty_recipes.accounts import service as accounts
from tasty_recipes.accounts.models import UserToken
from tasty_recipes.extensions import db

from ..support.accounts import VALID_PASSWORD
from ..support.api import UNAUTHENTICATED, assert_invalid_token, bearer
from ..support.emails import extract_user_token

NEW_PASSWORD = "a brand new password"
SEVEN_DAYS = 7 * 24 * 60 * 60

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"  # fixed: xdist workers must collect alike


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(obj: dict) -> str:
    return _b64(json.dumps(obj).encode())


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _secret(app) -> str:
    return app.config["JWT_SECRET_KEY"]


def _forge(app, claims: dict, algorithm: str = "HS512", key: str | None = None) -> str:
    return jwt.encode(claims, key or _secret(app), algorithm=algorithm)


def _unsigned(claims: dict, alg: str) -> str:
    return f"{_segment({'alg': alg, 'typ': 'JWT'})}.{_segment(claims)}."


# --- the token ------------------------------------------------------------------------


def test_token_has_exactly_the_guardian_claims(app, user, token_for):
    token = token_for(user)
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(
        token, _secret(app), algorithms=["HS512"], audience="tasty_recipes", issuer="tasty_recipes"
    )
    assert header["alg"] == "HS512"
    assert set(claims) == {"sub", "iss", "aud", "typ", "jti", "iat", "nbf", "exp"}
    assert claims["sub"] == str(user.id)
    assert claims["iss"] == claims["aud"] == "tasty_recipes"
    assert claims["typ"] == "access"
    assert claims["exp"] == claims["iat"] + SEVEN_DAYS
    assert claims["nbf"] <= claims["iat"] <= time.time()
    assert uuid.UUID(claims["jti"])


def test_token_is_stored_as_sha256_of_its_jti(app, user, token_for):
    import hashlib

    jti = _claims(token_for(user))["jti"]
    rows = db.session.scalars(select(UserToken).where(UserToken.context == "api")).all()
    assert [row.token for row in rows] == [hashlib.sha256(jti.encode()).digest()]
    assert rows[0].user_id == user.id


def test_each_sign_in_gets_its_own_token(user, token_for):
    assert _claims(token_for(user))["jti"] != _claims(token_for(user))["jti"]


def test_valid_token_authenticates(api, auth, user):
    response = api.get("/api/me", headers=auth)
    assert response.status_code == 200
    assert response.get_json()["data"]["id"] == str(user.id)


@pytest.mark.parametrize("template", ["bearer {t}", "Bearer: {t}", "Bearer    {t}", "Basic abc, Bearer {t}"])
def test_header_forms_guardian_accepts(api, user, token_for, template):
    response = api.get("/api/me", headers={"Authorization": template.format(t=token_for(user))})
    assert response.status_code == 200


# --- no token: unauthenticated ----------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer   "},
        {"Authorization": "Token abc"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["none", "empty", "bearer-alone", "bearer-spaces", "token-scheme", "basic"],
)
@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/api/me"),
        ("get", "/api/recipes"),
        ("post", "/api/recipes"),
        ("get", "/api/recipes/" + UNKNOWN_ID),
        ("put", "/api/recipes/" + UNKNOWN_ID),
        ("patch", "/api/recipes/" + UNKNOWN_ID),
        ("delete", "/api/recipes/" + UNKNOWN_ID),
        ("post", "/api/sign_out"),
        ("put", "/api/me/password"),
    ],
)
def test_every_protected_route_without_a_bearer_token_is_unauthenticated(api, headers, method, path):
    response = getattr(api, method)(path, headers=headers, json={})
    assert response.status_code == 401
    assert response.get_json() == UNAUTHENTICATED
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.headers["Cache-Control"] == "no-store"


def test_the_raw_token_without_scheme_is_unauthenticated(api, user, token_for):
    response = api.get("/api/me", headers={"Authorization": token_for(user)})
    assert response.get_json() == UNAUTHENTICATED


# --- bad tokens: invalid_token ----------------------------------------------------------


def _good_claims(user, **changes) -> dict:
    now = int(time.time())
    claims = {
        "sub": str(user.id),
        "iss": "tasty_recipes",
        "aud": "tasty_recipes",
        "typ": "access",
        "jti": str(uuid.uuid4()),
        "iat": now,
        "nbf": now - 1,
        "exp": now + SEVEN_DAYS,
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def _tampered_signature(token: str) -> str:
    head, payload, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return f"{head}.{payload}.{flipped}"


def _tampered_payload(app, token: str) -> str:
    head, _, signature = token.split(".")
    claims = _claims(token)
    claims["sub"] = str(uuid.uuid4())
    return f"{head}.{_segment(claims)}.{signature}"


BAD_TOKENS = {
    "garbage": lambda app, user, token: "garbage",
    "two-parts": lambda app, user, token: "abc.def",
    "three-garbage-parts": lambda app, user, token: "a.b.c",
    "two-words": lambda app, user, token: f"{token} extra",
    "tampered-signature": lambda app, user, token: _tampered_signature(token),
    "tampered-payload": lambda app, user, token: _tampered_payload(app, token),
    "truncated": lambda app, user, token: token[:-10],
    "other-secret": lambda app, user, token: _forge(app, _claims(token), key="x" * 64 + "other"),
    "hs256-resigned": lambda app, user, token: _forge(app, _claims(token), algorithm="HS256"),
    "hs384-resigned": lambda app, user, token: _forge(app, _claims(token), algorithm="HS384"),
    "alg-none": lambda app, user, token: _unsigned(_claims(token), "none"),
    "alg-None": lambda app, user, token: _unsigned(_claims(token), "None"),
    "alg-NONE": lambda app, user, token: _unsigned(_claims(token), "NONE"),
    "alg-none-with-signature": lambda app, user, token: (
        _unsigned(_claims(token), "none") + token.split(".")[2]
    ),
    "expired": lambda app, user, token: _forge(
        app,
        _good_claims(
            user,
            iat=int(time.time()) - SEVEN_DAYS - 10,
            nbf=int(time.time()) - SEVEN_DAYS - 11,
            exp=int(time.time()) - 10,
        ),
    ),
    "nbf-in-future": lambda app, user, token: _forge(app, _good_claims(user, nbf=int(time.time()) + 3600)),
    "typ-refresh": lambda app, user, token: _forge(app, {**_claims(token), "typ": "refresh"}),
    "typ-missing": lambda app, user, token: _forge(app, {**_claims(token), "typ": None}),
    "wrong-iss": lambda app, user, token: _forge(app, {**_claims(token), "iss": "evil"}),
    "no-iss": lambda app, user, token: _forge(app, _good_claims(user, iss=None)),
    "wrong-aud": lambda app, user, token: _forge(app, {**_claims(token), "aud": "evil"}),
    "no-aud": lambda app, user, token: _forge(app, _good_claims(user, aud=None)),
    "integer-sub": lambda app, user, token: _forge(app, {**_claims(token), "sub": 1}),
    "no-sub": lambda app, user, token: _forge(app, _good_claims(user, sub=None)),
    "sub-not-a-uuid": lambda app, user, token: _forge(app, {**_claims(token), "sub": "abc"}),
    "other-users-sub": lambda app, user, token: _forge(app, {**_claims(token), "sub": str(uuid.uuid4())}),
    "unknown-jti": lambda app, user, token: _forge(app, _good_claims(user)),
    "no-jti": lambda app, user, token: _forge(app, _good_claims(user, jti=None)),
    "jti-not-a-string": lambda app, user, token: _forge(app, {**_claims(token), "jti": 42}),
    "exp-not-a-number": lambda app, user, token: _forge(app, {**_claims(token), "exp": "soon"}),
    "payload-is-a-list": lambda app, user, token: (
        f"{token.split('.')[0]}.{_b64(b'[1, 2]')}.{token.split('.')[2]}"
    ),
    "header-not-json": lambda app, user, token: f"{_b64(b'nope')}.{token.split('.', 1)[1]}",
}


@pytest.mark.parametrize("make_bad", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_bad_tokens_are_invalid_never_422_or_500(app, api, user, token_for, make_bad):
    bad = make_bad(app, user, token_for(user))
    for method, path in (("get", "/api/me"), ("get", "/api/recipes"), ("post", "/api/recipes")):
        response = getattr(api, method)(path, headers=bearer(bad), json={"name": "x"})
        assert_invalid_token(response)


def test_expired_token_says_why(app, api, user):
    token = _forge(app, _good_claims(user, exp=int(time.time()) - 1))
    assert api.get("/api/me", headers=bearer(token)).get_json()["reason"] == "expired"


def test_token_just_before_exp_is_accepted_and_row_is_required(app, api, user, token_for):
    # Proof that the forgery helper makes tokens the app would accept, given a row:
    token = token_for(user)
    assert api.get("/api/me", headers=bearer(_forge(app, _claims(token)))).status_code == 200


# --- revocation --------------------------------------------------------------------------


def test_token_is_revoked_by_sign_out(api, user, token_for):
    token, other = token_for(user), token_for(user)
    assert api.post("/api/sign_out", headers=bearer(token)).status_code == 204
    response = api.get("/api/me", headers=bearer(token))
    assert_invalid_token(response)
    assert response.get_json()["reason"] == "revoked"
    assert api.get("/api/me", headers=bearer(other)).status_code == 200


def test_password_change_via_api_revokes_every_older_token(api, user, token_for):
    old, other = token_for(user), token_for(user)
    response = api.put(
        "/api/me/password",
        headers=bearer(old),
        json={"current_password": VALID_PASSWORD, "password": NEW_PASSWORD},
    )
    assert response.status_code == 200
    new = response.get_json()["data"]["token"]
    assert_invalid_token(api.get("/api/me", headers=bearer(old)))
    assert_invalid_token(api.get("/api/me", headers=bearer(other)))
    assert api.get("/api/me", headers=bearer(new)).status_code == 200


def test_password_change_via_html_settings_revokes_api_tokens(api, user, token_for):
    token = token_for(user)
    accounts.update_user_password(user, VALID_PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    assert_invalid_token(api.get("/api/me", headers=bearer(token)))


def test_password_reset_revokes_api_tokens(api, user, token_for):
    token = token_for(user)
    reset_token = extract_user_token(
        lambda make_url: accounts.deliver_user_reset_password_instructions(user, make_url)
    )
    assert accounts.reset_user_password(reset_token, NEW_PASSWORD, NEW_PASSWORD) is not None
    assert_invalid_token(api.get("/api/me", headers=bearer(token)))


def test_deleted_user_token_is_invalid(api, user, token_for):
    token = token_for(user)
    db.session.delete(user)
    db.session.commit()
    response = api.get("/api/me", headers=bearer(token))
    assert_invalid_token(response)


def test_token_row_older_than_validity_is_rejected(app, api, user, token_for):
    from datetime import timedelta

    from tasty_recipes.db import utcnow

    token = token_for(user)
    db.session.execute(UserToken.__table__.update().values(inserted_at=utcnow() - timedelta(days=8)))
    db.session.commit()
    assert_invalid_token(api.get("/api/me", headers=bearer(token)))


# --- cost ---------------------------------------------------------------------------------


@pytest.mark.parametrize("recipe_count", [0, 3, 30])
def test_listing_recipes_takes_at_most_two_statements(
    api, auth, user_fixture, recipe_fixture, count_statements, recipe_count
):
    owners = [user_fixture() for _ in range(3)]
    for index in range(recipe_count):
        recipe_fixture(owners[index % 3], name=f"Recipe {index}")
    db.session.expunge_all()  # nothing cached: the request must load what it needs
    for query in ("", "?limit=2", "?limit=100", "?owner=me&q=rec"):
        with count_statements() as statements:
            response = api.get("/api/recipes" + query, headers=auth)
        assert response.status_code == 200
        assert len(statements) <= 2, statements


def test_authenticating_takes_one_statement(api, auth, count_statements):
    from tasty_recipes.extensions import db as _db

    _db.session.expunge_all()
    with count_statements() as statements:
        assert api.get("/api/me", headers=auth).status_code == 200
    assert len(statements) == 1, statements
