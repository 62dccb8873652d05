"""The OpenAPI document matches the behaviour: Schemathesis against the app served by gunicorn.

Every operation is fuzzed (coverage, fuzzing and stateful phases) with a valid
bearer token; the run fails on a 5xx, an undocumented status code, content type
or header, a body that does not match its schema, or an operation that answers
without authentication. ``POST /api/sign_out`` revokes the token it is called
with, so it runs last, in a run of its own with a token of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from ..support.accounts import VALID_PASSWORD
from ..support.live_server import LiveServer

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
        "ignored_auth",
    ]
)
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "60")


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _token(base_url: str, email: str) -> str:
    credentials = {"email": email, "password": VALID_PASSWORD}
    _post(base_url + "/api/sign_up", credentials)
    return _post(base_url + "/api/sign_in", credentials)["data"]["token"]


def _schemathesis(base_url: str, token: str, workdir: Path, *filters: str) -> str:
    result = subprocess.run(
        [
            SCHEMATHESIS,
            "run",
            base_url + "/api/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            CHECKS,
            "--max-examples",
            MAX_EXAMPLES,
            "--generation-database",
            "none",
            "--request-timeout",
            "10",
            "--no-color",
            *filters,
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "NO_PROXY": "127.0.0.1", "SCHEMATHESIS_HOOKS": ""},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert " passed" in output and "failed" not in output.split("SUMMARY")[-1], output
    return output


def test_api_conforms_to_its_openapi_document(app, database_url, tmp_path):
    with LiveServer(database_url, tmp_path / "gunicorn.log") as server:
        main = _schemathesis(
            server.url, _token(server.url, "fuzz@example.com"), tmp_path, "--exclude-path", "/api/sign_out"
        )
        assert "Tested: 12" in main, main
        last = _schemathesis(
            server.url, _token(server.url, "fuzz2@example.com"), tmp_path, "--include-path", "/api/sign_out"
        )
        assert "Tested: 1" in last, last
        log = server.log()
    assert "Traceback" not in log, log
    print(main)
