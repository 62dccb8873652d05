"""Users in the tests: their shared password, fresh emails, logging in, and the tokens the
accounts service emails them (read with ``extract_user_token``, as phx.gen.auth's tests do)."""

from __future__ import annotations

import uuid

from tasty_recipes.accounts import service as accounts

from .emails import extract_user_token

VALID_PASSWORD = "hello world!"


def unique_user_email() -> str:
    return f"user{uuid.uuid4().hex[:12]}@example.com"


def log_in(client, user) -> str:
    """Log ``user`` in on ``client`` with a fresh session token; returns the token."""
    token = accounts.generate_user_session_token(user)
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return token


def confirmation_token(user) -> str:
    """Email ``user`` a confirmation link; its token."""

    def deliver(make_url):
        assert accounts.deliver_user_confirmation_instructions(user, make_url)

    return extract_user_token(deliver)


def reset_token(user) -> str:
    """Email ``user`` a reset-password link; its token."""
    return extract_user_token(
        lambda make_url: accounts.deliver_user_reset_password_instructions(user, make_url)
    )


def change_email_token(user, new_email: str, password: str) -> str:
    """Request an email change to ``new_email``; the token of the link sent there."""
    return extract_user_token(
        lambda make_url: accounts.request_email_change(user, password, new_email, make_url)
    )


def magic_link_token(user) -> str:
    """Email ``user`` a magic link that logs in; its token."""
    return extract_user_token(lambda make_url: accounts.deliver_login_instructions(user, make_url))
