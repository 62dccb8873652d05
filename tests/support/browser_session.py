"""What a browser holds: the test client's session (flashes, the session token) and cookies."""

from __future__ import annotations

SESSION_COOKIE = "_tasty_recipes_key"
REMEMBER_COOKIE = "_tasty_recipes_user_remember_me"


def flashes(client) -> list[tuple[str, str]]:
    """The (category, message) flashes waiting in the client's session (not consumed)."""
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def session_data(client) -> dict:
    with client.session_transaction() as session:
        return dict(session)


def session_token(client) -> str | None:
    return session_data(client).get("_user_id")


def is_logged_in(client) -> bool:
    """Whether the client is shown as logged in (the menu has Log out and Settings)."""
    html = client.get("/").get_data(as_text=True)
    return "Log out</button>" in html and "Settings</a>" in html


def set_cookies(response) -> dict[str, str]:
    """Set-Cookie headers of one response, by cookie name."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        cookies[header.split("=", 1)[0]] = header
    return cookies
