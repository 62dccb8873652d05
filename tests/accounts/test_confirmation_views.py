"""/users/confirm (user_confirmation_controller_test.exs, Phoenix 1.6 flavour)."""

from __future__ import annotations

import pytest

from ..support.accounts import confirmation_token, log_in
from ..support.browser_session import flashes, is_logged_in, session_token
from ..support.committed import age_tokens, committed_state, committed_tokens, committed_user

SENT = (
    "If your email is in our system and it has not been confirmed yet, "
    "you will receive an email with instructions shortly."
)
CONFIRMED = "User confirmed successfully."
INVALID = "User confirmation link is invalid or it has expired."


def test_renders_the_resend_confirmation_page(client):
    response = client.get("/users/confirm")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Resend confirmation instructions</h1>" in html
    assert "Register</a>" in html
    assert "Log in</a>" in html


def test_sends_a_new_confirmation_token(client, user, outbox):
    response = client.post("/users/confirm", data={"email": user.email})
    assert response.status_code == 302
    assert response.location == "/"
    assert ("info", SENT) in flashes(client)
    [row] = committed_tokens(user.id)
    assert row["context"] == "confirm"
    [message] = outbox
    assert message.to == [user.email]
    assert message.subject == "Confirmation instructions"


def test_does_not_send_confirmation_token_if_user_is_confirmed(client, confirmed_user, outbox):
    response = client.post("/users/confirm", data={"email": confirmed_user.email})
    assert response.status_code == 302
    assert response.location == "/"
    assert ("info", SENT) in flashes(client)
    assert committed_tokens(confirmed_user.id, "confirm") == []
    assert outbox == []


def test_does_not_send_confirmation_token_if_email_is_invalid(client, user, outbox):
    response = client.post("/users/confirm", data={"email": "unknown@example.com"})
    assert response.status_code == 302
    assert response.location == "/"
    assert ("info", SENT) in flashes(client)
    assert committed_tokens() == []
    assert outbox == []


def test_renders_the_confirmation_page(client):
    response = client.get("/users/confirm/some-token")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Confirm account</h1>" in html
    assert 'action="/users/confirm/some-token"' in html
    assert 'method="post"' in html
    assert "Confirm my account</button>" in html


def test_viewing_the_confirmation_page_confirms_nothing(client, user):
    token = confirmation_token(user)
    before = committed_state()
    assert client.get(f"/users/confirm/{token}").status_code == 200
    assert committed_state() == before


def test_confirms_the_given_token_once(client, app, user):
    token = confirmation_token(user)
    response = client.post(f"/users/confirm/{token}", data={})
    assert response.status_code == 302
    assert response.location == "/"
    assert ("info", CONFIRMED) in flashes(client)
    assert committed_user(user.id)["confirmed_at"] is not None
    assert session_token(client) is None
    assert committed_tokens(user.id) == []

    # When not logged in
    again = app.test_client()
    response = again.post(f"/users/confirm/{token}", data={})
    assert response.status_code == 302
    assert response.location == "/"
    assert ("error", INVALID) in flashes(again)

    # When logged in as the (now confirmed) user
    logged_in = app.test_client()
    log_in(logged_in, user)
    response = logged_in.post(f"/users/confirm/{token}", data={})
    assert response.status_code == 302
    assert response.location == "/"
    assert flashes(logged_in) == []


def test_confirmation_does_not_log_the_user_in(client, user):
    token = confirmation_token(user)
    client.post(f"/users/confirm/{token}", data={})
    assert not is_logged_in(client)


@pytest.mark.parametrize("token", ["oops", "a" * 43, "a" * 300])
def test_does_not_confirm_email_with_invalid_token(client, user, token):
    confirmation_token(user)
    before = committed_state()
    response = client.post(f"/users/confirm/{token}", data={})
    assert response.status_code == 302
    assert response.location == "/"
    assert ("error", INVALID) in flashes(client)
    assert committed_state() == before


def test_does_not_confirm_with_an_expired_token(client, user):
    token = confirmation_token(user)
    age_tokens(8)
    client.post(f"/users/confirm/{token}", data={})
    assert ("error", INVALID) in flashes(client)
    assert committed_user(user.id)["confirmed_at"] is None


def test_invalid_token_while_logged_in_unconfirmed_shows_the_error(client, user):
    log_in(client, user)
    client.post("/users/confirm/oops", data={})
    assert ("error", INVALID) in flashes(client)


def test_confirmation_without_csrf_token_is_rejected(client, user):
    token = confirmation_token(user)
    before = committed_state()
    response = client.post(f"/users/confirm/{token}", data={}, csrf=False)
    assert response.status_code == 400
    assert committed_state() == before


def test_confirmation_link_in_the_email_leads_to_the_confirm_button(client, user):
    token = confirmation_token(user)
    html = client.get(f"/users/confirm/{token}").get_data(as_text=True)
    assert f'action="/users/confirm/{token}"' in html
