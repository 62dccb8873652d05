"""The failed-log-in limit counts the account whose password is checked, however it was sent.

Reproductions: sign-in accepts JSON as text/plain or without a content type, a
body wrapped in ``user`` (also beside a decoy top-level ``email``) and the form
fields ``user[email]``; a limiter that read only a top-level JSON ``email``
allowed unlimited guesses through each. ``alİce@example.com`` logs in as alice on
PostgreSQL (citext folds ``İ`` to ``i``), so it must share alice's counter.
"""

from __future__ import annotations

import json

import pytest

from tasty_recipes.ratelimits import FAILED_LOGIN_PER_ACCOUNT

from ..support.accounts import VALID_PASSWORD, unique_user_email
from . import test_rate_limits

limited_app = test_rate_limits.limited_app  # the fixture, shared with the older tests

WRONG = "wrong password!"
ADDRESSES = [f"10.20.{i // 200}.{i % 200}" for i in range(400)]


def _decoy() -> str:
    return unique_user_email()  # a new one each time, so that no decoy counter fills up


def _text_plain(client, email, address):
    return client.post(
        "/api/sign_in",
        data=json.dumps({"email": email, "password": WRONG}),
        content_type="text/plain",
        environ_base={"REMOTE_ADDR": address},
    )


def _no_content_type(client, email, address):
    return client.post(
        "/api/sign_in",
        data=json.dumps({"email": email, "password": WRONG}).encode(),
        environ_base={"REMOTE_ADDR": address},
    )


def _wrapped(client, email, address):
    return client.post(
        "/api/sign_in",
        json={"user": {"email": email, "password": WRONG}},
        environ_base={"REMOTE_ADDR": address},
    )


def _wrapped_beside_a_decoy(client, email, address):
    return client.post(
        "/api/sign_in",
        json={"email": _decoy(), "user": {"email": email, "password": WRONG}},
        environ_base={"REMOTE_ADDR": address},
    )


def _nested_form(client, email, address):
    return client.post(
        "/api/sign_in",
        data={"user[email]": email, "user[password]": WRONG},
        environ_base={"REMOTE_ADDR": address},
    )


def _html_nested_form_beside_a_decoy(client, email, address):
    return client.post(
        "/users/log_in",
        data={"email": _decoy(), "user[email]": email, "user[password]": WRONG},
        environ_base={"REMOTE_ADDR": address},
    )


SHAPES = [
    _text_plain,
    _no_content_type,
    _wrapped,
    _wrapped_beside_a_decoy,
    _nested_form,
    _html_nested_form_beside_a_decoy,
]


@pytest.mark.parametrize("send", SHAPES, ids=[shape.__name__.lstrip("_") for shape in SHAPES])
def test_every_body_shape_sign_in_accepts_counts_against_the_account(limited_app, user_fixture, send):
    user = user_fixture()
    client = limited_app.test_client()
    # From many addresses, so that only the per-account counter can stop it.
    for address in ADDRESSES[: FAILED_LOGIN_PER_ACCOUNT.amount]:
        assert send(client, user.email, address).status_code in (200, 401)
    response = send(client, user.email, ADDRESSES[-1])
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60


@pytest.mark.parametrize("send", SHAPES, ids=[shape.__name__.lstrip("_") for shape in SHAPES])
def test_the_right_password_in_every_shape_is_refused_once_the_account_is_locked(
    limited_app, user_fixture, send
):
    user = user_fixture()
    client = limited_app.test_client()
    for address in ADDRESSES[: FAILED_LOGIN_PER_ACCOUNT.amount]:
        send(client, user.email, address)
    response = client.post(
        "/api/sign_in",
        json={"user": {"email": user.email, "password": VALID_PASSWORD}},
        environ_base={"REMOTE_ADDR": ADDRESSES[-1]},
    )
    assert response.status_code == 429


def _fail(client, email, address):
    return client.post(
        "/api/sign_in", json={"email": email, "password": WRONG}, environ_base={"REMOTE_ADDR": address}
    )


@pytest.mark.parametrize(
    "variant",
    [
        lambda email: email.replace("i", "\u0130", 1),  # İ: citext (towlower) folds it to i
        lambda email: email.upper().replace("I", "\u0130"),
        lambda email: " " + email.upper() + "\t",
        lambda email: "\uff55" + email[1:],  # fullwidth u, NFKC gives u
    ],
    ids=["dotted-capital-I", "upper-with-dotted-I", "whitespace-and-case", "fullwidth"],
)
def test_variants_of_the_email_share_the_account_counter(limited_app, user_fixture, variant):
    user = user_fixture(email=f"ui{unique_user_email()}")
    client = limited_app.test_client()
    for i, address in enumerate(ADDRESSES[: FAILED_LOGIN_PER_ACCOUNT.amount]):
        email = variant(user.email) if i % 2 else user.email
        assert _fail(client, email, address).status_code == 401
    assert _fail(client, user.email, ADDRESSES[-1]).status_code == 429
    assert _fail(client, variant(user.email), ADDRESSES[-2]).status_code == 429


def test_malformed_bodies_are_still_400_with_the_limiter_reading_them(limited_app):
    client = limited_app.test_client()
    for raw in (b"{", b"[" * 10_000, b'{"email": "\\ud800", "password": "x"}', b"[]"):
        for content_type in ("application/json", "text/plain", None):
            response = client.post("/api/sign_in", data=raw, content_type=content_type)
            assert response.status_code == 400, (raw[:20], content_type)


# --- the key itself ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("al\u0130ce@example.com", "alice@example.com"),  # İ: one code point, as towlower gives
        ("ALICE@EXAMPLE.COM", "alice@example.com"),
        ("  alice@example.com\t\n", "alice@example.com"),
        ("\uff41lice@example.com", "alice@example.com"),  # fullwidth a (NFKC)
        ("\ufb01ona@example.com", "fiona@example.com"),  # the fi ligature (NFKC)
        ("\u03a3\u0391\u03a3@example.com", "\u03c3\u03b1\u03c3@example.com"),  # no final sigma
    ],
)
def test_fold_email_compares_like_the_database(typed, folded):
    from tasty_recipes.ratelimits.keys import fold_email

    assert fold_email(typed) == folded


def test_account_keys_are_fixed_size_and_empty_for_what_names_no_account():
    from tasty_recipes.ratelimits.keys import account_key

    key = account_key("al\u0130ce@example.com")
    assert key == account_key("Alice@Example.com ") and len(key) == 64
    assert "alice" not in key
    for nothing in (None, 123, ["alice@example.com"], "", "   ", "\ufdfa" * 1_000_000):
        assert account_key(nothing) == ""
