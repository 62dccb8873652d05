"""Response headers every page and API answer carries, and proxy trust."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request, session
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix

from .web.requests import is_api_request

# Only our own origin; no inline script or style; never framed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

STATIC_HEADERS = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
]
HSTS = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")


def init_app(app: Flask) -> None:
    """Trust ``TRUSTED_PROXIES`` proxies; add security headers, and no-store for the API and users' pages."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # Behind N reverse proxies: trust their X-Forwarded-* (client address for rate limits,
        # https for links in emails). Never without proxies: the headers would be spoofable.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    headers = STATIC_HEADERS + ([HSTS] if app.config["TASTY_ENV"] == "production" else [])

    @app.after_request
    def add_security_headers(response):
        # Nothing else sets these, so extend (setdefault raises a KeyError per header).
        response.headers.extend(headers)
        if is_api_request() or _shows_a_user():
            # Tokens and personal data must not linger in caches (a shared computer's
            # browser cache, a proxy): every API answer, every page of a logged-in user.
            response.headers["Cache-Control"] = "no-store"
        return response


def _shows_a_user() -> bool:
    # Flask-Login keeps the session token under "_user_id" once a user is logged in
    # (also when it was restored from the remember-me cookie during this request).
    return request.endpoint != "static" and "_user_id" in session


UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def refuse_malformed_referrers(app: Flask) -> None:
    """Answer a form post whose ``Referer`` is not a parseable URL like a failed CSRF check.

    Flask-WTF compares the Referer's origin over HTTPS and lets urllib's
    ``ValueError`` escape for ``https://host:99999/`` or ``https://[::1/``: a 500.
    Registered before CSRFProtect so that this check runs first.
    """

    @app.before_request
    def _check_referrer():
        if request.method not in UNSAFE_METHODS or not request.referrer:
            return
        try:
            parts = urlsplit(request.referrer)
            parts.port, parts.hostname  # noqa: B018 - both raise ValueError when malformed
        except ValueError as exc:
            raise CSRFError("The referrer header is malformed.") from exc
