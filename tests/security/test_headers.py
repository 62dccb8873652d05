"""Security headers on every response, and the cookie flags of each profile."""

import pytest

from ..support.accounts import VALID_PASSWORD, log_in, unique_user_email
from ..support.app import empty_tables, make_app

PAGES = ["/", "/users/log_in", "/users/register", "/healthz", "/static/app.css", "/no-such-page"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "http" not in csp  # no third-party origin
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_not_found_page_shows_no_traceback(client):
    response = client.get("/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Traceback" not in html
    assert "<h1>404</h1>" in html


def test_api_paths_answer_json_and_are_not_cached(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.get_json() == {"errors": {"detail": "Not Found"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_oversized_body_is_rejected_with_413(client):
    response = client.post("/users/log_in", data={"email": "a@b", "password": "x" * (1024 * 1024)})
    assert response.status_code == 413


@pytest.fixture()
def production_app(database_url, monkeypatch, _migrated_app):
    monkeypatch.setenv("SECRET_KEY", "p" * 64)
    app = make_app(database_url, TASTY_ENV="production")
    app.config["SERVER_NAME"] = "localhost"
    with app.app_context():
        yield app
    with _migrated_app.app_context():  # empty what the production app wrote
        empty_tables()


def test_production_sends_hsts(production_app):
    response = production_app.test_client().get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_production_cookies_are_secure_httponly_and_lax(production_app):
    from tasty_recipes.accounts import service

    email = unique_user_email()
    service.register_user(email, VALID_PASSWORD)
    client = production_app.test_client()
    page = client.get("/users/log_in", base_url="https://localhost").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    # Over HTTPS Flask-WTF also checks the Referer, as a browser sends it.
    response = client.post(
        "/users/log_in",
        base_url="https://localhost",
        data={"email": email, "password": VALID_PASSWORD, "remember_me": "true", "csrf_token": token},
        headers={"Referer": "https://localhost/users/log_in"},
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    names = {cookie.split("=")[0] for cookie in cookies}
    assert {"_tasty_recipes_key", "_tasty_recipes_user_remember_me"} <= names
    for cookie in cookies:
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_development_cookies_are_httponly_and_lax_without_secure(client, user):
    response = client.post(
        "/users/log_in", data={"email": user.email, "password": VALID_PASSWORD, "remember_me": "true"}
    )
    remember = [
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("_tasty_recipes_user_remember_me=")
    ]
    assert remember and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0]
    assert "Max-Age=5184000" in remember[0] or "Expires=" in remember[0]
    assert "Secure" not in remember[0]


def test_logged_in_pages_also_carry_headers(client, user):
    log_in(client, user)
    response = client.get("/users/settings")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers
