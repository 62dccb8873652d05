"""A tiny browser-like HTTP client (cookies + CSRF token from the page) for live-server tests."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Reply:
    status: int
    headers: dict
    body: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base_url: str, timeout: float = 30):
        self.base_url = base_url
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(
        self,
        method: str,
        path: str,
        form: dict | None = None,
        headers: dict | None = None,
        data: bytes | None = None,
    ) -> Reply:
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=self.timeout) as response:
                return Reply(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers), error.read().decode())

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def csrf_token(self, path: str = "/users/log_in") -> str:
        match = CSRF_FIELD.search(self.get(path).body)
        assert match, f"no csrf_token on {path}"
        return match.group(1)

    def submit(self, path: str, form: dict, token: str | None = None) -> Reply:
        """POST a form the way a browser does after loading the page."""
        return self.request("POST", path, {**form, "csrf_token": token or self.csrf_token()})
