"""With the SMTP server down, sign-ups and forgot-password answer as usual and queue their email."""

from __future__ import annotations

from sqlalchemy import select

from tasty_recipes.accounts import service as accounts
from tasty_recipes.accounts import tokens
from tasty_recipes.accounts.models import UserToken
from tasty_recipes.extensions import db
from tasty_recipes.mail.models import PENDING

from ..support.accounts import VALID_PASSWORD, unique_user_email
from ..support.emails import token_in_link
from ..support.mail_outbox import outbox_rows


def _flashes(client) -> list:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def _token_contexts(user) -> list[str]:
    return list(db.session.scalars(select(UserToken.context).where(UserToken.user_id == user.id)))


def test_html_registration_is_saved_with_its_token_and_queued_email(smtp_server, smtp_client):
    email = unique_user_email()
    response = smtp_client.post("/users/register", data={"email": email, "password": VALID_PASSWORD})
    assert response.status_code == 302
    user = accounts.get_user_by_email(email)
    assert user is not None
    assert _token_contexts(user).count(tokens.CONFIRM) == 1
    [row] = outbox_rows()
    assert (row.recipient, row.subject, row.status, row.attempts) == (
        email,
        "Confirmation instructions",
        PENDING,
        0,
    )  # the request did not try SMTP
    assert token_in_link(row.body)
    assert smtp_server.messages == []


def test_registering_again_after_an_outage_says_taken_and_queues_nothing_more(smtp_client):
    email = unique_user_email()
    smtp_client.post("/users/register", data={"email": email, "password": VALID_PASSWORD})
    smtp_client.post("/users/log_out", data={})
    again = smtp_client.post("/users/register", data={"email": email, "password": VALID_PASSWORD})
    assert again.status_code == 200
    assert "has already been taken" in again.get_data(as_text=True)
    assert len(outbox_rows()) == 1  # the first registration's email is still on its way


def test_api_sign_up_is_201_and_queues_the_email(smtp_client):
    email = unique_user_email()
    response = smtp_client.post("/api/sign_up", json={"email": email, "password": VALID_PASSWORD})
    assert response.status_code == 201
    assert response.get_json()["data"]["email"] == email
    user = accounts.get_user_by_email(email)
    assert _token_contexts(user) == [tokens.CONFIRM]
    [row] = outbox_rows()
    assert (row.recipient, row.status) == (email, PENDING)


def test_forgot_password_answers_the_same_for_known_and_unknown_emails(smtp_app, user_fixture):
    known = user_fixture()
    answers = {}
    for label, email in (("known", known.email), ("unknown", unique_user_email())):
        client = smtp_app.test_client()
        response = client.post("/users/reset_password", data={"email": email})
        answers[label] = (response.status_code, response.headers["Location"], _flashes(client))
    assert answers["known"] == answers["unknown"]
    assert answers["known"][0] == 302
    assert "you will receive instructions" in answers["known"][2][0][1]
    assert tokens.RESET in _token_contexts(known)
    [row] = outbox_rows()
    assert (row.recipient, row.subject, row.status) == (known.email, "Reset password instructions", PENDING)
