"""Browser sessions on top of Flask-Login: revocable server-side tokens, remember me, return-to.

Flask-Login keeps ``user.get_id()`` in the session and in the remember-me
cookie; here that value is the random session token whose SHA-256 lives in
``users_tokens``, so deleting the row ends the session even for a copied cookie.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, flash, redirect, request, session, url_for
from flask_login import login_user, logout_user

from ..extensions import login_manager
from . import service
from .models import User

RETURN_TO_KEY = "user_return_to"
LOGIN_REQUIRED_MESSAGE = "You must log in to access this page."


def init_app(app: Flask) -> None:
    """Bind Flask-Login to ``app``: users load from session tokens; login_required redirects to log in."""
    login_manager.init_app(app)
    # Sessions are revocable rows; Flask-Login's IP/agent heuristics would only
    # log people out when their phone changes networks.
    login_manager.session_protection = None
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_require_login)


def _load_user(token: str) -> User | None:
    user = service.get_user_by_session_token(token)
    if user is not None:
        user.session_token = token
    return user


def log_in_user(user: User, remember: bool = False, return_to: str | None = None) -> str:
    """Start a fresh session for ``user``; returns where to redirect.

    Security: the session is cleared first (no fixation) and the return path
    is taken from what the app itself stored, never from a request parameter.
    """
    stored = session.get(RETURN_TO_KEY)
    session.clear()
    user.session_token = service.generate_user_session_token(user)
    login_user(user, remember=remember)
    return safe_return_path(return_to or stored) or url_for("accounts.home")


def log_out_user(current_token: str | None) -> None:
    """Delete this browser's session token, clear the session and the remember-me cookie."""
    token = current_token or session.get("_user_id")
    if token:
        service.delete_session_token(token)
    logout_user()
    session.clear()
    session["_remember"] = "clear"  # tells Flask-Login to expire the remember-me cookie


def _require_login():
    flash(LOGIN_REQUIRED_MESSAGE, "error")
    if request.method == "GET":
        session[RETURN_TO_KEY] = request.full_path if request.query_string else request.path
    return redirect(url_for("accounts.log_in"))


def safe_return_path(path: str | None) -> str | None:
    """``path`` if it is a local absolute path of this site, else None (no open redirect)."""
    if not path or not isinstance(path, str):
        return None
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in path):
        return None
    return path
