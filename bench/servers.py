"""gunicorn servers for the app and the reference, plain HTTP helpers, worker RSS."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP_TARGET = "wsgi:app"
REFERENCE_TARGET = "bench.reference_app:app"


@dataclass(frozen=True)
class WorkerConfig:
    """gunicorn's process model: ``sync`` (one request per process) or ``gthread``, plus options."""

    worker_class: str = "gthread"
    workers: int = 2
    threads: int = 4
    extra: tuple[str, ...] = ()  # further gunicorn options, e.g. ("--keep-alive", "0")

    @property
    def args(self) -> list[str]:
        args = ["-w", str(self.workers), "-k", self.worker_class]
        if self.worker_class == "gthread":
            args += ["--threads", str(self.threads)]
        return args + list(self.extra)

    @property
    def label(self) -> str:
        return " ".join(self.args)

    @classmethod
    def parse(cls, text: str) -> WorkerConfig:
        """``sync:4`` (4 sync workers) or ``gthread:2x4`` (2 workers, 4 threads each), optionally
        followed by gunicorn options: ``gthread:2x4 --keep-alive 0``."""
        model, *extra = text.split()
        kind, _, size = model.partition(":")
        if kind == "gthread":
            workers, _, threads = size.partition("x")
            return cls("gthread", int(workers), int(threads or 1), tuple(extra))
        if kind == "sync":
            return cls("sync", int(size), 1, tuple(extra))
        raise ValueError(f"worker config must look like sync:4 or gthread:2x4, not {text!r}")


class Server:
    """One gunicorn master on 127.0.0.1:port, its log in ``log_path``; ``cwd``: where ``target``
    is imported from (a worktree of another revision, with its ``PYTHONPATH`` in ``env``)."""

    def __init__(
        self,
        target: str,
        port: int,
        config: WorkerConfig,
        env: dict[str, str],
        log_path: Path,
        cwd: Path = REPO,
    ):
        self.target, self.port, self.config, self.log_path = target, port, config, log_path
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        cmd = [
            gunicorn,
            *config.args,
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--graceful-timeout",
            "5",
            target,
        ]
        self._log = open(log_path, "ab")  # closed in stop()
        self.process = subprocess.Popen(
            cmd,
            cwd=cwd,
            env={**os.environ, **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, path: str, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.target} exited; see {self.log_path}")
            try:
                request("GET", self.port, path)
                if len(self.worker_pids()) >= self.config.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.target} did not answer on port {self.port}")

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def worker_rss_mb(self) -> list[float]:
        return [rss_mb(pid) for pid in self.worker_pids()]

    def worker_cpu_ticks(self) -> dict[int, int]:
        return {pid: cpu_ticks(pid) for pid in self.worker_pids()}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(n) for n in text.split()]
    except OSError:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
        return found


def cpu_ticks(pid: int) -> int:
    """User + system CPU time of a process so far, in clock ticks."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- plain HTTP (production cookies are Secure: we carry them ourselves over http) -----


def request(
    method: str, port: int, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def sign_in(port: int, email: str, password: str) -> str:
    """A JWT from POST /api/sign_in: exactly what the app accepts."""
    body = json.dumps({"email": email, "password": password}).encode()
    status, _, data = request("POST", port, "/api/sign_in", body, {"Content-Type": "application/json"})
    if status != 200:
        raise RuntimeError(f"POST /api/sign_in answered {status}: {data[:200]!r}")
    return json.loads(data)["data"]["token"]


def _cookie(headers: http.client.HTTPMessage, name: str) -> str | None:
    for value in headers.get_all("Set-Cookie") or []:
        if value.startswith(name + "="):
            return value.split(";", 1)[0]
    return None


def browser_log_in(port: int, email: str, password: str, cookie_name: str = "_tasty_recipes_key") -> str:
    """``name=value`` of a logged-in session cookie, through the real log-in form."""
    status, headers, page = request("GET", port, "/users/log_in")
    cookie = _cookie(headers, cookie_name)
    match = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    if status != 200 or cookie is None or match is None:
        raise RuntimeError(f"GET /users/log_in: status {status}, no session cookie or CSRF token")
    form = urllib.parse.urlencode(
        {"email": email, "password": password, "csrf_token": match.group(1).decode()}
    ).encode()
    status, headers, _ = request(
        "POST",
        port,
        "/users/log_in",
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    cookie = _cookie(headers, cookie_name)
    if status != 302 or cookie is None:
        raise RuntimeError(f"POST /users/log_in answered {status} without a new session cookie")
    return cookie
