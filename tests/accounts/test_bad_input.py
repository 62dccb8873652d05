"""Bad input on every account form and link: never a 500, never a change it should not make."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tasty_recipes.accounts import service as accounts
from tasty_recipes.extensions import db
from tasty_recipes.mail.models import OutboxMessage
from tasty_recipes.validation import NUL

from ..support.accounts import (
    VALID_PASSWORD,
    change_email_token,
    confirmation_token,
    log_in,
    reset_token,
    unique_user_email,
)
from ..support.app import CSRFClient, make_app
from ..support.browser_session import flashes, session_token
from ..support.committed import age_tokens, committed_state, committed_tokens, committed_user

NEW_PASSWORD = "new valid password"
EMAIL_161 = "a" * (161 - len("@example.com")) + "@example.com"
EMAIL_160 = "a" * (160 - len("@example.com")) + "@example.com"
MULTIBYTE_72_CHARS = "é" * 50 + "a" * 22  # 72 characters, 122 bytes
assert len(EMAIL_161) == 161 and len(EMAIL_160) == 160
assert len(MULTIBYTE_72_CHARS) == 72 and len(MULTIBYTE_72_CHARS.encode()) >= 100

BLANK = "can&#39;t be blank"
AT_SIGN = "must have the @ sign and no spaces"

# (email, password, field messages expected in the page); None = valid.
BAD_REGISTRATIONS = [
    pytest.param(None, None, [BLANK, BLANK], id="missing-both"),
    pytest.param(None, VALID_PASSWORD, [BLANK], id="missing-email"),
    pytest.param("ok@example.com", None, [BLANK], id="missing-password"),
    pytest.param("", "", [BLANK, BLANK], id="empty-both"),
    pytest.param("   ", VALID_PASSWORD, [BLANK], id="whitespace-email"),
    pytest.param("\t\n ", VALID_PASSWORD, [BLANK], id="tab-newline-email"),
    pytest.param("ok@example.com", "            ", [BLANK], id="whitespace-password"),
    pytest.param("no-at-sign", VALID_PASSWORD, [AT_SIGN], id="email-without-at"),
    pytest.param("with space@example.com", VALID_PASSWORD, [AT_SIGN], id="email-with-space"),
    pytest.param(EMAIL_161, VALID_PASSWORD, ["should be at most 160 character(s)"], id="email-161-chars"),
    pytest.param(
        "a" * 5000 + "@example.com",
        VALID_PASSWORD,
        ["should be at most 160 character(s)"],
        id="email-5000-chars",
    ),
    pytest.param("ok@example.com", "x" * 11, ["should be at least 12 character(s)"], id="password-11-chars"),
    pytest.param("ok@example.com", "x" * 73, ["should be at most 72 character(s)"], id="password-73-chars"),
    pytest.param(
        "ok@example.com", "x" * 10_000, ["should be at most 72 character(s)"], id="password-10000-chars"
    ),
    pytest.param(
        "ok@example.com",
        MULTIBYTE_72_CHARS,
        ["should be at most 72 byte(s)"],
        id="password-72-chars-122-bytes",
    ),
    pytest.param("ok@example.com", "é" * 37, ["should be at most 72 byte(s)"], id="password-74-bytes"),
    pytest.param("nul\x00@example.com", VALID_PASSWORD, [NUL], id="nul-in-email"),
    pytest.param("ok@example.com", "hello\x00world!!", [NUL], id="nul-in-password"),
]

GOOD_REGISTRATIONS = [
    pytest.param(EMAIL_160, VALID_PASSWORD, id="email-160-chars"),
    pytest.param(None, "x" * 12, id="password-12-chars"),
    pytest.param(None, "x" * 72, id="password-72-chars"),
    pytest.param(None, "é" * 36, id="password-72-bytes"),
    pytest.param(None, "🍲" * 18, id="password-emoji-72-bytes"),
]


def form(**fields) -> dict:
    return {name: value for name, value in fields.items() if value is not None}


def assert_handled(response, *statuses):
    assert response.status_code < 500
    if statuses:
        assert response.status_code in statuses


# --- registration --------------------------------------------------------------------------


@pytest.mark.parametrize(("email", "password", "messages"), BAD_REGISTRATIONS)
def test_registration_rejects_bad_input_without_changes(client, user, outbox, email, password, messages):
    before = committed_state()
    response = client.post("/users/register", data=form(email=email, password=password))
    assert_handled(response, 200)
    html = response.get_data(as_text=True)
    assert "<h1>Register</h1>" in html
    for message in set(messages):
        assert html.count(message) >= messages.count(message)
    assert committed_state() == before
    assert outbox == []
    assert session_token(client) is None


@pytest.mark.parametrize(("email", "password"), GOOD_REGISTRATIONS)
def test_registration_accepts_input_at_the_limits(client, email, password):
    email = email or unique_user_email()
    response = client.post("/users/register", data={"email": email, "password": password})
    assert_handled(response, 302)
    user = accounts.get_user_by_email_and_password(email, password)
    assert user is not None
    assert committed_user(user.id)["email"] == email


@pytest.mark.parametrize("variant", [str.upper, str.title, lambda e: e.swapcase()])
def test_registration_with_a_case_variant_of_a_taken_email_is_rejected(client, user, variant):
    before = committed_state()
    response = client.post("/users/register", data={"email": variant(user.email), "password": VALID_PASSWORD})
    assert_handled(response, 200)
    assert "has already been taken" in response.get_data(as_text=True)
    assert committed_state() == before


# --- log in --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({}, id="missing-both"),
        pytest.param({"email": "USER"}, id="missing-password"),
        pytest.param({"password": VALID_PASSWORD}, id="missing-email"),
        pytest.param({"email": "   ", "password": VALID_PASSWORD}, id="whitespace-email"),
        pytest.param({"email": "USER", "password": "   "}, id="whitespace-password"),
        pytest.param({"email": "USER", "password": ""}, id="empty-password"),
        pytest.param({"email": EMAIL_161, "password": VALID_PASSWORD}, id="email-161-chars"),
        pytest.param({"email": "USER", "password": VALID_PASSWORD[:11]}, id="password-11-chars"),
        pytest.param({"email": "USER", "password": "x" * 73}, id="password-73-chars"),
        pytest.param({"email": "USER", "password": "x" * 100_000}, id="password-100000-chars"),
        pytest.param({"email": "USER", "password": MULTIBYTE_72_CHARS}, id="password-122-bytes"),
        pytest.param({"email": "USER\x00", "password": VALID_PASSWORD}, id="nul-in-email"),
        pytest.param({"email": "USER", "password": VALID_PASSWORD + "\x00"}, id="nul-in-password"),
    ],
)
def test_log_in_with_bad_input_fails_cleanly(client, user, fields):
    data = {name: value.replace("USER", user.email) for name, value in fields.items()}
    before = committed_state()
    response = client.post("/users/log_in", data=data)
    assert_handled(response, 200)
    assert "Invalid email or password" in response.get_data(as_text=True)
    assert committed_state() == before
    assert session_token(client) is None


@pytest.mark.parametrize("variant", [str.upper, str.title, lambda e: e.swapcase()])
def test_log_in_with_a_case_variant_email_works(client, user, variant):
    response = client.post("/users/log_in", data={"email": variant(user.email), "password": VALID_PASSWORD})
    assert_handled(response, 302)
    assert accounts.get_user_by_session_token(session_token(client)).id == user.id


@pytest.mark.parametrize("password", ["x" * 72, "é" * 36, "🍲" * 18, "  spaced out  "])
def test_log_in_works_with_a_long_or_unusual_valid_password(client, user_fixture, password):
    user = user_fixture(password=password)
    response = client.post("/users/log_in", data={"email": user.email, "password": password})
    assert_handled(response, 302)
    assert accounts.get_user_by_session_token(session_token(client)).id == user.id


def test_password_whitespace_is_significant(client, user_fixture):
    user = user_fixture(password="  spaced out  ")
    response = client.post("/users/log_in", data={"email": user.email, "password": "spaced out"})
    assert_handled(response, 200)
    assert session_token(client) is None


def test_log_in_with_a_truncated_long_password_fails(client, user_fixture):
    user = user_fixture(password="x" * 72)
    response = client.post("/users/log_in", data={"email": user.email, "password": "x" * 71})
    assert_handled(response, 200)
    response = client.post("/users/log_in", data={"email": user.email, "password": "x" * 73})
    assert_handled(response, 200)
    assert session_token(client) is None


# --- forms that only send email ------------------------------------------------------------------

BAD_EMAILS = [
    pytest.param(None, id="missing"),
    pytest.param("", id="empty"),
    pytest.param("   ", id="whitespace"),
    pytest.param(EMAIL_161, id="161-chars"),
    pytest.param("x\x00@example.com", id="nul"),
    pytest.param("no-at-sign", id="no-at"),
    pytest.param("a" * 100_000, id="100000-chars"),
]


@pytest.mark.parametrize("email", BAD_EMAILS)
@pytest.mark.parametrize("path", ["/users/reset_password", "/users/confirm"])
def test_email_request_forms_with_bad_input_send_nothing(client, user, outbox, path, email):
    before = committed_state()
    response = client.post(path, data=form(email=email))
    assert_handled(response, 302)
    assert response.location == "/"
    assert flashes(client)[0][0] == "info"
    assert committed_state() == before
    assert outbox == []


@pytest.mark.parametrize("path", ["/users/reset_password", "/users/confirm"])
def test_email_request_forms_accept_a_case_variant_email(client, user, outbox, path):
    client.post(path, data={"email": user.email.upper()})
    assert [message.to for message in outbox] == [[user.email]]


# --- reset password with a valid link --------------------------------------------------------

BAD_PASSWORDS = [
    pytest.param(None, BLANK, id="missing"),
    pytest.param("   ", BLANK, id="whitespace"),
    pytest.param("x" * 11, "should be at least 12 character(s)", id="11-chars"),
    pytest.param("x" * 73, "should be at most 72 character(s)", id="73-chars"),
    pytest.param(MULTIBYTE_72_CHARS, "should be at most 72 byte(s)", id="72-chars-122-bytes"),
    pytest.param("hello\x00world!!", NUL, id="nul"),
]


@pytest.mark.parametrize(("password", "message"), BAD_PASSWORDS)
def test_reset_password_rejects_bad_passwords_and_keeps_the_token(client, user, password, message):
    token = reset_token(user)
    before = committed_state()
    response = client.post(
        f"/users/reset_password/{token}", data=form(password=password, password_confirmation=password)
    )
    assert_handled(response, 200)
    assert message in response.get_data(as_text=True)
    assert committed_state() == before


@pytest.mark.parametrize("password", ["x" * 12, "x" * 72, "é" * 36])
def test_reset_password_accepts_passwords_at_the_limits(client, user, password):
    token = reset_token(user)
    response = client.post(
        f"/users/reset_password/{token}", data={"password": password, "password_confirmation": password}
    )
    assert_handled(response, 302)
    assert accounts.get_user_by_email_and_password(user.email, password) is not None


# --- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("password", "message"), BAD_PASSWORDS)
def test_password_change_rejects_bad_passwords(client, user, password, message):
    token = log_in(client, user)
    before = committed_state()
    response = client.post(
        "/users/settings",
        data=form(
            action="update_password",
            current_password=VALID_PASSWORD,
            password=password,
            password_confirmation=password,
        ),
    )
    assert_handled(response, 200)
    assert message in response.get_data(as_text=True)
    assert committed_state() == before
    assert session_token(client) == token


@pytest.mark.parametrize(
    "current", [None, "", "   ", "x\x00", "x" * 100_000, VALID_PASSWORD.upper(), MULTIBYTE_72_CHARS]
)
def test_settings_reject_a_bad_current_password(client, user, outbox, current):
    log_in(client, user)
    before = committed_state()
    for data in (
        {"action": "update_password", "password": NEW_PASSWORD},
        {"action": "update_email", "email": unique_user_email()},
    ):
        response = client.post("/users/settings", data=form(current_password=current, **data))
        assert_handled(response, 200)
        assert "is not valid" in response.get_data(as_text=True)
    assert committed_state() == before
    assert outbox == []


@pytest.mark.parametrize(
    ("email", "message"),
    [
        pytest.param(None, BLANK, id="missing"),
        pytest.param("   ", BLANK, id="whitespace"),
        pytest.param(EMAIL_161, "should be at most 160 character(s)", id="161-chars"),
        pytest.param("x\x00@example.com", NUL, id="nul"),
        pytest.param("no-at-sign", AT_SIGN, id="no-at"),
    ],
)
def test_email_change_rejects_bad_emails(client, user, outbox, email, message):
    log_in(client, user)
    before = committed_state()
    response = client.post(
        "/users/settings", data=form(action="update_email", current_password=VALID_PASSWORD, email=email)
    )
    assert_handled(response, 200)
    assert message in response.get_data(as_text=True)
    assert committed_state() == before
    assert outbox == []


def test_password_change_submitted_twice_fails_the_second_time(client, user):
    log_in(client, user)
    data = {
        "action": "update_password",
        "current_password": VALID_PASSWORD,
        "password": NEW_PASSWORD,
        "password_confirmation": NEW_PASSWORD,
    }
    assert_handled(client.post("/users/settings", data=data), 302)
    before = committed_state()
    response = client.post("/users/settings", data=data)
    assert_handled(response, 200)
    assert "is not valid" in response.get_data(as_text=True)
    assert committed_state() == before


# --- garbled, used and expired tokens on every link ---------------------------------------------

GARBLED = [
    pytest.param("oops", id="oops"),
    pytest.param("!!!!not*base64!!!!", id="not-base64"),
    pytest.param("%00", id="nul"),
    pytest.param("%FF%FE", id="invalid-utf8"),
    pytest.param("a" * 43, id="well-formed-unknown"),
    pytest.param("a" * 42, id="too-short"),
    pytest.param("a" * 44, id="44-chars"),
    pytest.param("a" * 5000, id="too-long"),
    pytest.param("YQ", id="one-byte"),
    pytest.param("...", id="dots"),
]


def _link_requests(token: str):
    return [
        ("GET", f"/users/reset_password/{token}", False),
        ("POST", f"/users/reset_password/{token}", False),
        ("POST", f"/users/confirm/{token}", False),
        ("GET", f"/users/settings/confirm_email/{token}", True),
    ]


@pytest.mark.parametrize("token", GARBLED)
def test_garbled_tokens_are_rejected_on_every_link(client, user, token):
    reset_token(user)
    confirmation_token(user)
    change_email_token(user, unique_user_email(), VALID_PASSWORD)
    before = committed_state()
    for method, path, needs_login in _link_requests(token):
        if needs_login:
            log_in(client, user)
        data = {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
        response = client.open(path, method=method, data=data if method == "POST" else None)
        assert_handled(response, 302)
        assert response.location in ("/", "/users/settings")
        assert flashes(client)[-1][0] == "error"
        client.get("/")  # consume the flash
    assert session_token(client) is not None
    assert len(committed_state()["tokens"]) == len(before["tokens"]) + 1  # the session above
    assert [t for t in committed_state()["tokens"] if t[2] != "session"] == before["tokens"]
    assert committed_state()["users"] == before["users"]


def _mangled(token: str) -> list[str]:
    return [
        token[:-1],
        token + "A",
        token + "=",
        token[:20] + "!" + token[20:],
        token[:20] + "!!" + token[20:],
        token[:20] + "." + token[20:],
        token[:20] + "+" + token[21:],
        token[:20] + "/" + token[21:],
        token.upper() if token.upper() != token else token.lower(),
        token[::-1],
        token[:20] + "%20" + token[20:],
    ]


def test_a_valid_reset_token_with_a_stray_character_is_invalid(client, user):
    token = reset_token(user)
    for mangled in _mangled(token):
        assert accounts.get_user_by_reset_password_token(mangled) is None, mangled
        response = client.get(f"/users/reset_password/{mangled}")
        assert_handled(response, 302, 404)  # a "/" makes it another path


def test_a_valid_confirmation_token_with_a_stray_character_is_invalid(client, user):
    token = confirmation_token(user)
    for mangled in _mangled(token):
        response = client.post(f"/users/confirm/{mangled}", data={})
        assert_handled(response, 302, 404)  # a "/" makes it another path
    assert committed_user(user.id)["confirmed_at"] is None


def test_a_valid_change_email_token_with_a_stray_character_is_invalid(client, user):
    old_email = user.email
    token = change_email_token(user, unique_user_email(), VALID_PASSWORD)
    log_in(client, user)
    for mangled in _mangled(token):
        response = client.get(f"/users/settings/confirm_email/{mangled}")
        assert_handled(response, 302, 404)  # a "/" makes it another path
    assert committed_user(user.id)["email"] == old_email


def test_a_session_token_with_a_stray_character_is_invalid(user):
    token = accounts.generate_user_session_token(user)
    for mangled in _mangled(token):
        assert accounts.get_user_by_session_token(mangled) is None, mangled


@pytest.mark.parametrize(("kind", "days"), [("reset_password", 1.01), ("confirm", 7.01), ("change:", 7.01)])
def test_expired_tokens_are_rejected_and_change_nothing(client, user, kind, days):
    links = {
        "reset_password": ("POST", f"/users/reset_password/{reset_token(user)}"),
        "confirm": ("POST", f"/users/confirm/{confirmation_token(user)}"),
        "change:": (
            "GET",
            "/users/settings/confirm_email/" + change_email_token(user, unique_user_email(), VALID_PASSWORD),
        ),
    }
    method, path = links[kind]
    age_tokens(days)
    if kind == "change:":
        log_in(client, user)  # the reset link would redirect a logged-in user away
    before = committed_state()
    data = {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
    response = client.open(path, method=method, data=data if method == "POST" else None)
    assert_handled(response, 302)
    assert flashes(client)[-1][0] == "error"
    assert committed_state() == before


@pytest.mark.parametrize(("kind", "days"), [("reset_password", 0.99), ("confirm", 6.99), ("change:", 6.99)])
def test_tokens_just_before_expiry_still_work(client, user, kind, days):
    if kind == "reset_password":
        token = reset_token(user)
        age_tokens(days)
        assert accounts.get_user_by_reset_password_token(token) is not None
    elif kind == "confirm":
        token = confirmation_token(user)
        age_tokens(days)
        assert accounts.confirm_user(token) is not None
    else:
        token = change_email_token(user, unique_user_email(), VALID_PASSWORD)
        age_tokens(days)
        assert accounts.update_user_email(user, token) is True


def test_used_change_email_link_changes_nothing_the_second_time(client, user):
    token = change_email_token(user, unique_user_email(), VALID_PASSWORD)
    log_in(client, user)
    client.get(f"/users/settings/confirm_email/{token}")
    before = committed_state()
    response = client.get(f"/users/settings/confirm_email/{token}")
    assert_handled(response, 302)
    assert committed_state() == before


def test_used_confirmation_link_changes_nothing_the_second_time(client, user):
    token = confirmation_token(user)
    client.post(f"/users/confirm/{token}", data={})
    before = committed_state()
    response = client.post(f"/users/confirm/{token}", data={})
    assert_handled(response, 302)
    assert committed_state() == before


def test_two_reset_requests_give_two_working_links_used_once_each(client, user):
    first = reset_token(user)
    second = reset_token(user)
    response = client.post(
        f"/users/reset_password/{second}",
        data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
    )
    assert_handled(response, 302)
    # Resetting deletes every token of the user, the other link included.
    assert accounts.get_user_by_reset_password_token(first) is None
    assert committed_tokens(user.id) == []


@pytest.mark.parametrize("token", GARBLED)
def test_confirmation_page_with_a_garbled_token_only_renders_the_button(client, user, token):
    confirmation_token(user)
    before = committed_state()
    response = client.get(f"/users/confirm/{token}")
    assert_handled(response, 200)
    assert "Confirm my account</button>" in response.get_data(as_text=True)
    assert committed_state() == before


# --- forms without a CSRF token ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data", "needs_login"),
    [
        ("/users/register", {"email": "new@example.com", "password": VALID_PASSWORD}, False),
        ("/users/log_in", {"email": "USER", "password": VALID_PASSWORD}, False),
        ("/users/log_out", {}, True),
        ("/users/reset_password", {"email": "USER"}, False),
        ("/users/confirm", {"email": "USER"}, False),
        (
            "/users/settings",
            {"action": "update_email", "email": "new@example.com", "current_password": VALID_PASSWORD},
            True,
        ),
        (
            "/users/settings",
            {
                "action": "update_password",
                "password": NEW_PASSWORD,
                "password_confirmation": NEW_PASSWORD,
                "current_password": VALID_PASSWORD,
            },
            True,
        ),
    ],
)
def test_account_forms_without_csrf_token_are_rejected(client, user, outbox, path, data, needs_login):
    if needs_login:
        log_in(client, user)
    data = {name: value.replace("USER", user.email) for name, value in data.items()}
    before = committed_state()
    response = client.post(path, data=data, csrf=False)
    assert response.status_code == 400
    assert committed_state() == before
    assert outbox == []


def test_forms_with_a_forged_csrf_token_are_rejected(client, user):
    before = committed_state()
    response = client.post(
        "/users/log_in", data={"email": user.email, "password": VALID_PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert committed_state() == before
    assert session_token(client) is None


def test_registration_ignores_fields_it_does_not_know(client):
    email = unique_user_email()
    response = client.post(
        "/users/register",
        data={
            "email": email,
            "password": VALID_PASSWORD,
            "is_admin": "true",
            "confirmed_at": "2020-01-01T00:00:00Z",
            "id": "7d3b7c52-58a8-4f0e-9c55-0b0c0c3e1f00",
            "hashed_password": "$2b$04$forged",
        },
    )
    assert_handled(response, 302)
    user = accounts.get_user_by_email(email)
    row = committed_user(user.id)
    assert row["is_admin"] is False
    assert row["confirmed_at"] is None
    assert str(row["id"]) != "7d3b7c52-58a8-4f0e-9c55-0b0c0c3e1f00"
    assert accounts.get_user_by_email_and_password(email, VALID_PASSWORD) is not None


# --- addresses that are not one plain mailbox, invisible characters, mixed scripts -------------
#
# Each was accepted before: the user row was saved with an address the SMTP backend
# refuses or delivers elsewhere, or that displays as another person's address.

INVALID = "is invalid"
TAKEN = "has already been taken"
REAL = "realalice@example.com"

BAD_ADDRESSES = [
    # not exactly one mailbox
    pytest.param("a@b@c.example", AT_SIGN, id="two-at-signs"),
    pytest.param("x@evil.example,y@corp.example", AT_SIGN, id="comma-list"),
    pytest.param("x@evil.example;y@corp.example", AT_SIGN, id="semicolon-list"),
    pytest.param("a@evil.example>b@corp.example", AT_SIGN, id="angle-bracket-inside"),
    pytest.param("<alice@corp.example>", AT_SIGN, id="angle-brackets"),
    pytest.param('"alice"@corp.example', AT_SIGN, id="quoted-local-part"),
    pytest.param("alice@corp.example(comment)", AT_SIGN, id="comment"),
    pytest.param("al\\ice@corp.example", AT_SIGN, id="backslash"),
    pytest.param("group:alice@corp.example", AT_SIGN, id="colon"),
    pytest.param("alice@[127.0.0.1]", AT_SIGN, id="domain-literal"),
    pytest.param("alice@corp.example.", AT_SIGN, id="trailing-dot"),
    pytest.param("alice@corp..example", AT_SIGN, id="empty-domain-label"),
    pytest.param("al\x1bice@corp.example", AT_SIGN, id="escape-control"),
    pytest.param("alice@corp.example\x7fx", AT_SIGN, id="delete-control"),
    pytest.param("alice@corp.example\r\nBcc:x@evil.example", AT_SIGN, id="header-injection"),
    # look-alikes of realalice@example.com with a character one cannot see
    pytest.param(REAL + "\u200b", AT_SIGN, id="zero-width-space"),
    pytest.param("realalice@exam\u00adple.com", AT_SIGN, id="soft-hyphen"),
    pytest.param("real\u200dalice@example.com", AT_SIGN, id="zero-width-joiner"),
    pytest.param("\u202erealalice@example.com", AT_SIGN, id="right-to-left-override"),
    pytest.param(REAL + "\u2066", AT_SIGN, id="bidi-isolate"),
    pytest.param("realalice@\ufeffexample.com", AT_SIGN, id="byte-order-mark"),
    pytest.param("real\u2028alice@example.com", AT_SIGN, id="line-separator"),
    pytest.param("real\u00a0alice@example.com", AT_SIGN, id="no-break-space"),
    pytest.param("real\ue000alice@example.com", AT_SIGN, id="private-use"),
    pytest.param("realalice\u3164@example.com", AT_SIGN, id="hangul-filler"),
    pytest.param("realalice\ufe0f@example.com", AT_SIGN, id="variation-selector"),
    # a part mixing scripts
    pytest.param("p\u0430ypal@example.com", INVALID, id="cyrillic-a-in-local-part"),
    pytest.param("alice@p\u0430ypal.com", INVALID, id="cyrillic-a-in-domain"),
    pytest.param("alice@\u03bfpenai.com", INVALID, id="greek-omicron-in-domain"),
]


def outbox_row_count() -> int:
    """Rows in the mail outbox as committed (queued or sent alike)."""
    with db.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(OutboxMessage.__table__))


def assert_nothing_saved(before: dict) -> None:
    assert committed_state() == before
    assert outbox_row_count() == 0


@pytest.mark.parametrize(("email", "message"), BAD_ADDRESSES)
def test_registration_refuses_what_is_not_one_visible_single_script_mailbox(client, outbox, email, message):
    before = committed_state()
    response = client.post("/users/register", data={"email": email, "password": VALID_PASSWORD})
    assert_handled(response, 200)
    html = response.get_data(as_text=True)
    assert "<h1>Register</h1>" in html
    assert message in html
    assert_nothing_saved(before)
    assert outbox == []
    assert session_token(client) is None


@pytest.mark.parametrize(("email", "message"), BAD_ADDRESSES)
def test_email_change_refuses_what_is_not_one_visible_single_script_mailbox(
    client, user, outbox, email, message
):
    log_in(client, user)
    before = committed_state()
    response = client.post(
        "/users/settings", data={"action": "update_email", "current_password": VALID_PASSWORD, "email": email}
    )
    assert_handled(response, 200)
    assert message in response.get_data(as_text=True)
    assert_nothing_saved(before)
    assert outbox == []


@pytest.mark.parametrize(("email", "message"), BAD_ADDRESSES)
def test_api_sign_up_refuses_what_is_not_one_visible_single_script_mailbox(client, outbox, email, message):
    before = committed_state()
    response = client.post("/api/sign_up", json={"email": email, "password": VALID_PASSWORD})
    assert response.status_code == 422
    assert response.get_json() == {"errors": {"email": [message]}}
    assert_nothing_saved(before)
    assert outbox == []


@pytest.mark.parametrize(("email", "message"), BAD_ADDRESSES)
def test_cli_users_create_refuses_what_is_not_one_visible_single_script_mailbox(app, email, message):
    result = app.test_cli_runner().invoke(args=["users", "create", email, "--password", VALID_PASSWORD])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"Error: email: {message}"]
    assert accounts.count_users() == 0


@pytest.fixture()
def smtp_app(app, database_url):
    """A second app on the test database that mails over SMTP, as in production.

    Nothing listens on the port: with SMTP a request only queues its email.
    """
    production_mail = make_app(database_url, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    production_mail.test_client_class = CSRFClient
    yield production_mail
    with production_mail.app_context():
        db.session.remove()
        db.engine.dispose()  # let the main fixture empty the tables afterwards


@pytest.mark.parametrize(
    "email", ["a@b@c.example", "x@evil.example,y@corp.example", "a@evil.example>b@corp.example"]
)
def test_with_the_smtp_backend_an_address_it_cannot_handle_leaves_no_user_behind(smtp_app, email):
    before = committed_state()
    client = smtp_app.test_client()
    response = client.post("/users/register", data={"email": email, "password": VALID_PASSWORD})
    assert_handled(response, 200)
    assert AT_SIGN in response.get_data(as_text=True)
    response = client.post("/api/sign_up", json={"email": email, "password": VALID_PASSWORD})
    assert response.status_code == 422
    assert_nothing_saved(before)


def test_with_the_smtp_backend_a_plain_address_is_registered_and_its_email_queued(smtp_app):
    email = unique_user_email()
    response = smtp_app.test_client().post(
        "/users/register", data={"email": email, "password": VALID_PASSWORD}
    )
    assert_handled(response, 302)
    assert accounts.get_user_by_email(email) is not None
    assert outbox_row_count() == 1


# --- look-alikes of a taken address ----------------------------------------------------------

LOOK_ALIKES = [
    pytest.param("realalic\uff45@example.com", TAKEN, id="fullwidth-e"),
    pytest.param("realalice\uff20example.com", TAKEN, id="fullwidth-at"),
    pytest.param("\U0001d42bealalice@example.com", TAKEN, id="mathematical-bold-r"),
    pytest.param("REALALIC\uff25@EXAMPLE.COM", TAKEN, id="fullwidth-and-case"),
    pytest.param(REAL + "\u200b", AT_SIGN, id="zero-width-space"),
    pytest.param("realalice@exam\u00adple.com", AT_SIGN, id="soft-hyphen"),
    pytest.param("re\u0430lalice@example.com", INVALID, id="cyrillic-a"),
]


@pytest.mark.parametrize(("email", "message"), LOOK_ALIKES)
def test_registration_refuses_a_look_alike_of_a_taken_email(client, user_fixture, outbox, email, message):
    user_fixture(email=REAL)
    before = committed_state()
    response = client.post("/users/register", data={"email": email, "password": VALID_PASSWORD})
    assert_handled(response, 200)
    assert message in response.get_data(as_text=True)
    assert_nothing_saved(before)
    assert outbox == []


@pytest.mark.parametrize(("email", "message"), LOOK_ALIKES)
def test_api_sign_up_refuses_a_look_alike_of_a_taken_email(client, user_fixture, email, message):
    user_fixture(email=REAL)
    before = committed_state()
    response = client.post("/api/sign_up", json={"email": email, "password": VALID_PASSWORD})
    assert response.status_code == 422
    assert response.get_json() == {"errors": {"email": [message]}}
    assert_nothing_saved(before)


@pytest.mark.parametrize("email", ["realalic\uff45@example.com", "REALALIC\uff25@example.com"])
def test_log_in_accepts_the_fullwidth_form_of_the_email(client, user_fixture, email):
    user = user_fixture(email=REAL)
    response = client.post("/users/log_in", data={"email": email, "password": VALID_PASSWORD})
    assert_handled(response, 302)
    assert accounts.get_user_by_session_token(session_token(client)).id == user.id
    response = client.post("/api/sign_in", json={"email": email, "password": VALID_PASSWORD})
    assert response.status_code == 200
    assert response.get_json()["data"]["email"] == REAL


@pytest.mark.parametrize("path", ["/users/reset_password", "/users/confirm"])
def test_email_request_forms_accept_the_fullwidth_form_of_the_email(client, user_fixture, outbox, path):
    user_fixture(email=REAL)
    client.post(path, data={"email": "realalic\uff45@example.com"})
    assert [message.to for message in outbox] == [[REAL]]


@pytest.mark.parametrize("path", ["/users/reset_password", "/users/confirm"])
def test_email_request_forms_send_nothing_for_a_look_alike(client, user_fixture, outbox, path):
    user_fixture(email=REAL)
    for email in (REAL + "\u200b", "re\u0430lalice@example.com"):
        response = client.post(path, data={"email": email})
        assert_handled(response, 302)
    assert outbox == []


def test_registration_stores_the_fullwidth_form_as_the_address_meant(client, outbox):
    response = client.post(
        "/users/register", data={"email": "\uff43\uff4f\uff4f\uff4b@example.com", "password": VALID_PASSWORD}
    )
    assert_handled(response, 302)
    user = accounts.get_user_by_email("cook@example.com")
    assert committed_user(user.id)["email"] == "cook@example.com"
    assert [message.to for message in outbox] == [["cook@example.com"]]


@pytest.mark.parametrize(
    "email",
    [
        pytest.param("\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a", id="chinese"),
        pytest.param(
            "\u0438\u0432\u0430\u043d@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", id="russian"
        ),
        pytest.param(
            "\u03b4\u03bf\u03ba\u03b9\u03bc\u03ae@\u03c0\u03b1\u03c1\u03ac\u03b4\u03b5\u03b9"
            "\u03b3\u03bc\u03b1.\u03b4\u03bf\u03ba\u03b9\u03bc\u03ae",
            id="greek",
        ),
        pytest.param("\u30e6\u30fc\u30b6\u30fc@\u4f8b\u3048.jp", id="japanese"),
        pytest.param("\uc0ac\uc6a9\uc790@\uc608\uc2dc.\ud55c\uad6d", id="korean"),
        pytest.param("koch@b\u00e4ckerei.de", id="german-idn"),
        pytest.param("user+tag@example.com", id="plus-tag"),
        pytest.param("o'brien@example.com", id="apostrophe"),
    ],
)
def test_registration_accepts_single_script_addresses(client, outbox, email):
    response = client.post("/users/register", data={"email": email, "password": VALID_PASSWORD})
    assert_handled(response, 302)
    user = accounts.get_user_by_email_and_password(email, VALID_PASSWORD)
    assert committed_user(user.id)["email"] == email
    assert [message.to for message in outbox] == [[email]]
