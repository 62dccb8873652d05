"""The memory backend (tests) delivers in the request, through the outbox rows."""

from __future__ import annotations

from tasty_recipes.mail import outbox as mail_outbox
from tasty_recipes.mail.models import SENT

from ..support.accounts import VALID_PASSWORD, unique_user_email
from ..support.emails import token_in_link
from ..support.mail_outbox import outbox_rows


def test_registration_email_is_in_the_outbox_right_after_the_request(client, outbox):
    email = unique_user_email()
    response = client.post("/users/register", data={"email": email, "password": VALID_PASSWORD})
    assert response.status_code == 302
    [message] = outbox
    assert message.to == [email]
    assert token_in_link(message.body)
    [row] = outbox_rows()
    assert (row.recipient, row.status, row.attempts, row.body) == (email, SENT, 1, None)


def test_the_worker_has_nothing_left_to_send(client, outbox):
    client.post("/users/register", data={"email": unique_user_email(), "password": VALID_PASSWORD})
    assert mail_outbox.deliver_due().attempted == 0
    assert len(outbox) == 1
