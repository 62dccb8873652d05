"""Response headers every page and API answer carries (SPEC §7), and proxy trust."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

# Only our own origin; no inline script or style; never framed.
CONTENT_SECURITY_POLICY = "; ".join([
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
])

STATIC_HEADERS = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
]
HSTS = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")


def init_app(app: Flask) -> None:
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
        if request.path.startswith("/api/") or request.path == "/api":
            # Tokens and personal data must not linger in caches.
            response.headers["Cache-Control"] = "no-store"
        return response
