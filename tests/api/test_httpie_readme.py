"""The httpie session of the README's "API" section, run as written against gunicorn."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from ..support.live_server import ROOT, LiveServer

HTTP = str(Path(sys.executable).with_name("http"))


def readme_commands() -> list[str]:
    """The ``http …`` lines of the first shell block of README's API section."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## API\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.startswith("http ")]


def run_http(command: str, port: int, token: str, config_dir: Path) -> tuple[int, dict, object]:
    command = command.replace("$TOKEN", token).replace(" :5000/", f" 127.0.0.1:{port}/")
    args = shlex.split(command)
    assert args[0] == "http"
    result = subprocess.run(
        [HTTP, "--ignore-stdin", "--print=hb", "--pretty=none", *args[1:]],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "HTTPIE_CONFIG_DIR": str(config_dir), "NO_PROXY": "127.0.0.1"},
    )
    assert result.returncode == 0, result.stderr
    head, _, body = result.stdout.replace("\r\n", "\n").partition("\n\n")
    status = int(head.split("\n", 1)[0].split()[1])
    headers = dict(line.split(": ", 1) for line in head.split("\n")[1:] if ": " in line)
    return status, headers, json.loads(body) if body.strip() else None


def test_readme_httpie_session_works_as_written(app, database_url, tmp_path):
    commands = readme_commands()
    assert [shlex.split(c)[1:3] for c in commands] == [
        ["POST", ":5000/api/sign_up"],
        ["POST", ":5000/api/sign_in"],
        ["POST", ":5000/api/recipes"],
        [":5000/api/recipes", "Authorization:Bearer $TOKEN"],
        [":5000/api/recipes", "limit==10"],
        [":5000/api/me", "Authorization:Bearer $TOKEN"],
        ["POST", ":5000/api/sign_out"],
    ]
    with LiveServer(database_url, tmp_path / "gunicorn.log") as server:

        def http(command: str, token: str = ""):
            return run_http(command, server.port, token, tmp_path)

        status, _, body = http(commands[0])
        assert status == 201 and body["data"]["email"] == "cook@example.com"

        status, _, body = http(commands[1])
        assert status == 200
        assert body["message"] == "Successful log in" and body["status"] == "ok"
        token = body["data"]["token"]

        status, headers, body = http(commands[2], token)
        assert status == 201
        assert body["data"]["name"] == "Pancakes"
        assert headers["Location"] == f"/api/recipes/{body['data']['id']}"

        for command in commands[3:5]:
            status, headers, body = http(command, token)
            assert status == 200
            assert [recipe["name"] for recipe in body["data"]] == ["Pancakes"]
            assert body["meta"] == {"next": None}
            assert headers["Cache-Control"] == "no-store"

        status, _, body = http(commands[5], token)
        assert status == 200 and body["data"]["email"] == "cook@example.com"

        status, _, body = http(commands[6], token)
        assert status == 204 and body is None

        status, _, body = http(commands[5], token)
        assert status == 401 and body["message"] == "invalid_token"
        status, _, body = http("http :5000/api/recipes")
        assert status == 401 and body == {"message": "unauthenticated"}
        assert "Traceback" not in server.log()
