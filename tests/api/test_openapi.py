"""The OpenAPI document covers every API route; the docs page works under a strict CSP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import tasty_recipes

from ..support.app import make_app

STATIC = Path(tasty_recipes.__file__).parent / "static"


def _api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_document_describes_every_api_route(app, api):
    document = api.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    assert documented == _api_routes(app)


def test_every_operation_documents_its_errors(api):
    document = api.get("/api/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            public = operation.get("security") == []
            assert public or "401" in operation["responses"], (method, path)
            if "requestBody" in operation:
                assert {"400", "413"} <= set(operation["responses"]), (method, path)
            for response in operation["responses"].values():
                assert response["description"]


def test_protected_operations_use_the_bearer_scheme(api):
    document = api.get("/api/openapi.json").get_json()
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["security"] == [{"bearerAuth": []}]


def test_docs_page_uses_local_assets_and_no_inline_script(api):
    response = api.get("/api/docs")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/"), url
        assert api.get(url).status_code == 200, url
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_vendored_swagger_ui_keeps_its_license():
    vendor = next(STATIC.joinpath("vendor").glob("swagger-ui-*"))
    assert "Apache License" in (vendor / "LICENSE").read_text()
    assert (vendor / "swagger-ui-bundle.js").stat().st_size > 100_000


# --- with rate limits on, as in production ------------------------------------------------------


@pytest.fixture()
def limited_api(app, database_url):
    limited = make_app(database_url, RATELIMIT_ENABLED=True)  # counters of its own, in memory
    yield limited.test_client()


@pytest.mark.parametrize("path", ["/api/sign_in", "/api/sign_up"])
@pytest.mark.parametrize("raw", [b"[" * 10_000, b'{"email": "\\ud800", "password": "x"}', b"{"])
def test_bad_bodies_are_400_with_rate_limits_on(limited_api, path, raw):
    response = limited_api.post(path, data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json() == {"errors": {"detail": "Bad Request"}}


def test_repeated_failed_sign_ins_get_429_json(limited_api, user):
    for _ in range(10):
        assert (
            limited_api.post(
                "/api/sign_in", json={"email": user.email, "password": "wrong password!"}
            ).status_code
            == 401
        )
    response = limited_api.post("/api/sign_in", json={"email": user.email, "password": "x"})
    assert response.status_code == 429
    assert response.get_json() == {"errors": {"detail": "Too Many Requests"}}
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Cache-Control"] == "no-store"
