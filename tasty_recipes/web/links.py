"""The absolute links that account emails carry, for the services' ``make_url`` argument.

Built with ``url_for(..., _external=True)``: on ``SERVER_NAME`` and
``PREFERRED_URL_SCHEME`` when configured (required in production), so a
client's ``Host`` header never chooses where a token is sent.
"""

from __future__ import annotations

from flask import url_for


def confirmation_url(token: str) -> str:
    """The link that confirms an account."""
    return url_for("accounts.confirm_edit", token=token, _external=True)


def reset_password_url(token: str) -> str:
    """The link that opens the reset-password page."""
    return url_for("accounts.reset_password_edit", token=token, _external=True)


def change_email_url(token: str) -> str:
    """The link that applies a pending email change."""
    return url_for("accounts.confirm_email", token=token, _external=True)


def magic_link_url(token: str) -> str:
    """The link that opens the page logging its user in (magic link)."""
    return url_for("accounts.magic_link_edit", token=token, _external=True)
