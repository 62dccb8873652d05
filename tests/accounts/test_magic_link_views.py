"""/users/log_in/link and /users/log_in/<token>: log in with an emailed link (phx.gen.auth 1.8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from tasty_recipes.accounts import service as accounts
from tasty_recipes.accounts.models import UserToken
from tasty_recipes.db import utcnow
from tasty_recipes.extensions import db
from tasty_recipes.ratelimits import SENSITIVE_POST_PER_ADDRESS

from ..security import test_rate_limits
from ..support.accounts import (
    VALID_PASSWORD,
    change_email_token,
    confirmation_token,
    log_in,
    magic_link_token,
    reset_token,
    unique_user_email,
)
from ..support.browser_session import REMEMBER_COOKIE, flashes, is_logged_in, session_token
from ..support.committed import committed_state, committed_tokens, committed_user
from ..support.emails import token_in_link

SENT = "If your email is in our system, you will receive instructions for logging in shortly."
INVALID = "Magic link is invalid or it has expired."
WELCOME = "Welcome back!"
FIFTEEN_MINUTES = test_rate_limits.FIFTEEN_MINUTES
limited_app = test_rate_limits.limited_app  # the fixture: an app with rate limits on
GARBAGE = ["oops", "a" * 43, "a" * 300, "%00", "..%5C..%5Cetc", "tok!!en" + "a" * 36, "%F0%9F%98%80"]


def _expire_magic_links(minutes: float = 16) -> None:
    db.session.execute(
        update(UserToken)
        .where(UserToken.context == "login")
        .values(inserted_at=utcnow() - timedelta(minutes=minutes))
    )
    db.session.commit()


# --- asking for a link ------------------------------------------------------------------


def test_log_in_page_has_the_magic_link_form(client):
    html = client.get("/users/log_in").get_data(as_text=True)
    assert "Email me a log-in link" in html
    assert 'action="/users/log_in/link"' in html
    assert 'id="magic_link_email"' in html and 'name="email"' in html
    assert html.count('id="email"') == 1  # the password form's field keeps its id


def test_sends_a_magic_link_to_a_known_email(client, user, outbox):
    response = client.post("/users/log_in/link", data={"email": user.email})
    assert response.status_code == 302
    assert response.location == "/users/log_in"
    assert ("info", SENT) in flashes(client)
    [row] = committed_tokens(user.id)
    assert row["context"] == "login"
    assert row["sent_to"] == user.email
    [message] = outbox
    assert message.to == [user.email]
    assert message.subject == "Log in instructions"
    token = token_in_link(message.body)
    assert f"Hi {user.email}," in message.body
    assert "You can log into your account by visiting the URL below:" in message.body
    assert f"\nhttp://localhost/users/log_in/{token}\n" in message.body
    assert "If you didn't request this email, please ignore this." in message.body
    assert len(token) == 43


def test_unknown_email_gets_the_same_answer_and_no_mail(client, user, outbox):
    known = client.post("/users/log_in/link", data={"email": user.email})
    known_flashes = flashes(client)
    stranger = client.application.test_client()
    unknown = stranger.post("/users/log_in/link", data={"email": "nobody@example.com"})
    assert (unknown.status_code, unknown.location) == (known.status_code, known.location)
    assert flashes(stranger) == known_flashes == [("info", SENT)]
    assert len(outbox) == 1 and outbox[0].to == [user.email]
    assert [row["user_id"] for row in committed_tokens()] == [user.id]


def test_a_case_variant_email_gets_the_link(client, user, outbox):
    client.post("/users/log_in/link", data={"email": user.email.upper()})
    assert outbox[-1].to == [user.email]


@pytest.mark.parametrize("data", [{}, {"email": ""}, {"email": "x" * 5000}, {"email": "a\x00@example.com"}])
def test_garbage_email_gets_the_same_answer(client, user, outbox, data):
    response = client.post("/users/log_in/link", data=data)
    assert response.status_code == 302
    assert response.location == "/users/log_in"
    assert ("info", SENT) in flashes(client)
    assert outbox == []


def test_asking_for_a_link_without_csrf_token_is_rejected(client, user, outbox):
    response = client.post("/users/log_in/link", csrf=False, data={"email": user.email})
    assert response.status_code == 400
    assert outbox == []


# --- the page the link opens ----------------------------------------------------------------


def test_link_page_shows_the_email_and_a_button(client, user):
    token = magic_link_token(user)
    response = client.get(f"/users/log_in/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Log in</h1>" in html
    assert user.email in html
    assert f'action="/users/log_in/{token}"' in html
    assert 'name="remember_me" value="true"' in html
    assert "Log me in</button>" in html


def test_viewing_the_link_page_uses_nothing(client, user):
    token = magic_link_token(user)
    before = committed_state()
    client.get(f"/users/log_in/{token}")
    client.get(f"/users/log_in/{token}")
    assert committed_state() == before
    assert not is_logged_in(client)
    assert committed_user(user.id)["confirmed_at"] is None
    assert accounts.get_user_by_magic_link_token(token).id == user.id


@pytest.mark.parametrize("token", GARBAGE)
def test_link_page_with_a_garbled_token_goes_to_log_in(client, token):
    response = client.get(f"/users/log_in/{token}")
    assert response.status_code == 302
    assert response.location == "/users/log_in"
    assert ("error", INVALID) in flashes(client)


def test_link_page_with_an_expired_token_goes_to_log_in(client, user):
    token = magic_link_token(user)
    _expire_magic_links()
    response = client.get(f"/users/log_in/{token}")
    assert response.location == "/users/log_in"
    assert ("error", INVALID) in flashes(client)


# --- following it -----------------------------------------------------------------------------


def test_logs_the_user_in(client, user):
    token = magic_link_token(user)
    response = client.post(f"/users/log_in/{token}", data={})
    assert response.status_code == 302
    assert response.location == "/"
    assert ("info", WELCOME) in flashes(client)
    assert accounts.get_user_by_session_token(session_token(client)).id == user.id
    settings = client.get("/users/settings")
    assert settings.status_code == 200
    assert user.email in settings.get_data(as_text=True)
    assert committed_tokens(user.id, "login") == []
    assert client.get_cookie(REMEMBER_COOKIE) is None


def test_confirms_an_unconfirmed_user(client, user):
    assert committed_user(user.id)["confirmed_at"] is None
    client.post(f"/users/log_in/{magic_link_token(user)}", data={})
    assert committed_user(user.id)["confirmed_at"] is not None
    assert is_logged_in(client)


def test_keeps_the_confirmation_date_of_a_confirmed_user(client, confirmed_user):
    before = committed_user(confirmed_user.id)["confirmed_at"]
    client.post(f"/users/log_in/{magic_link_token(confirmed_user)}", data={})
    assert committed_user(confirmed_user.id)["confirmed_at"] == before


def test_honours_remember_me(client, user):
    response = client.post(f"/users/log_in/{magic_link_token(user)}", data={"remember_me": "true"})
    assert response.status_code == 302
    assert client.get_cookie(REMEMBER_COOKIE) is not None


def test_redirects_to_the_stored_return_path(client, user):
    client.get("/users/settings")  # a stranger is sent to log in; the path is kept
    response = client.post(f"/users/log_in/{magic_link_token(user)}", data={})
    assert response.location == "/users/settings"


def test_starts_a_fresh_session(client, user):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post(f"/users/log_in/{magic_link_token(user)}", data={})
    with client.session_transaction() as session:
        assert "planted" not in session


def test_a_logged_in_browser_switches_to_the_links_user(client, user, user_fixture):
    other = user_fixture()
    old_session = log_in(client, other)
    response = client.post(f"/users/log_in/{magic_link_token(user)}", data={})
    assert response.location == "/"
    assert accounts.get_user_by_session_token(session_token(client)).id == user.id
    assert accounts.get_user_by_session_token(old_session) is None  # the previous session ended


def test_a_logged_in_user_can_view_the_link_page(client, user):
    log_in(client, user)
    token = magic_link_token(user)
    assert client.get(f"/users/log_in/{token}").status_code == 200


def test_using_a_link_twice_fails_the_second_time(client, app, user):
    token = magic_link_token(user)
    client.post(f"/users/log_in/{token}", data={})
    second = app.test_client()
    response = second.post(f"/users/log_in/{token}", data={})
    assert response.status_code == 302
    assert response.location == "/users/log_in"
    assert ("error", INVALID) in flashes(second)
    assert session_token(second) is None
    assert second.get(f"/users/log_in/{token}").location == "/users/log_in"


def test_an_expired_link_fails(client, user):
    token = magic_link_token(user)
    _expire_magic_links(16)
    before = committed_state()
    response = client.post(f"/users/log_in/{token}", data={})
    assert response.location == "/users/log_in"
    assert ("error", INVALID) in flashes(client)
    assert session_token(client) is None
    assert committed_state() == before


def test_a_link_still_works_just_before_it_expires(client, user):
    token = magic_link_token(user)
    _expire_magic_links(14)
    assert client.post(f"/users/log_in/{token}", data={}).location == "/"


def test_the_link_dies_when_the_email_changes(client, confirmed_user):
    token = magic_link_token(confirmed_user)
    new_email = unique_user_email()
    change = change_email_token(confirmed_user, new_email, VALID_PASSWORD)
    assert accounts.update_user_email(confirmed_user, change)
    response = client.post(f"/users/log_in/{token}", data={})
    assert response.location == "/users/log_in"
    assert ("error", INVALID) in flashes(client)
    assert session_token(client) is None


@pytest.mark.parametrize("other_token", [reset_token, confirmation_token], ids=["reset", "confirm"])
def test_a_token_of_another_context_is_not_a_magic_link(client, user, other_token):
    token = other_token(user)
    assert client.get(f"/users/log_in/{token}").location == "/users/log_in"
    response = client.post(f"/users/log_in/{token}", data={})
    assert response.location == "/users/log_in"
    assert ("error", INVALID) in flashes(client)
    assert session_token(client) is None
    assert committed_user(user.id)["confirmed_at"] is None


def test_a_session_token_is_not_a_magic_link(client, app, user):
    other = app.test_client()
    token = log_in(other, user)
    response = client.post(f"/users/log_in/{token}", data={})
    assert response.location == "/users/log_in"
    assert session_token(client) is None


@pytest.mark.parametrize("token", GARBAGE)
def test_posting_a_garbled_token_fails(client, user, token):
    magic_link_token(user)
    before = committed_state()
    response = client.post(f"/users/log_in/{token}", data={})
    assert response.status_code == 302
    assert response.location == "/users/log_in"
    assert ("error", INVALID) in flashes(client)
    assert committed_state() == before


def test_following_without_csrf_token_is_rejected(client, user):
    token = magic_link_token(user)
    response = client.post(f"/users/log_in/{token}", csrf=False, data={})
    assert response.status_code == 400
    assert len(committed_tokens(user.id, "login")) == 1


# --- rate limit ---------------------------------------------------------------------------------


def _ask(client, email, address="10.0.7.1"):
    return client.post("/users/log_in/link", data={"email": email}, environ_base={"REMOTE_ADDR": address})


def test_asking_for_links_is_limited_per_address(limited_app, user_fixture):
    user = user_fixture()
    client = limited_app.test_client()
    for i in range(SENSITIVE_POST_PER_ADDRESS.amount):
        email = user.email if i % 2 else unique_user_email()
        assert _ask(client, email).status_code == 302
    for email in (user.email, unique_user_email()):  # the same answer, known or not
        response = _ask(client, email)
        assert response.status_code == 429
        assert 0 < int(response.headers["Retry-After"]) <= FIFTEEN_MINUTES
    assert _ask(client, user.email, address="10.0.7.2").status_code == 302  # another address


def test_magic_links_have_their_own_counter(limited_app, user_fixture):
    user = user_fixture()
    client = limited_app.test_client()
    for _ in range(SENSITIVE_POST_PER_ADDRESS.amount):
        _ask(client, user.email, address="10.0.7.3")
    assert _ask(client, user.email, address="10.0.7.3").status_code == 429
    reset = client.post(
        "/users/reset_password", data={"email": user.email}, environ_base={"REMOTE_ADDR": "10.0.7.3"}
    )
    assert reset.status_code == 302
