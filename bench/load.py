"""Drive load with wrk and read its report (requests/sec, p50/p99, errors)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SIGN_IN_LUA = Path(__file__).with_name("sign_in.lua")
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx responses + socket errors (a run with errors is not valid)
    raw: str
    worker_cpu_shares: list[float] | None = None  # how the CPU time split between the workers

    @property
    def split(self) -> str:
        """``workers 52/48%``: a lopsided split means most connections landed on one worker."""
        if not self.worker_cpu_shares:
            return ""
        return "workers " + "/".join(f"{100 * s:.0f}" for s in self.worker_cpu_shares) + "%"


def wrk_path() -> str:
    found = shutil.which("wrk") or ("/usr/bin/wrk" if os.path.exists("/usr/bin/wrk") else None)
    if found is None:
        raise SystemExit("wrk is not installed (Debian package wrk: apt-get install wrk)")
    return found


def _millis(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if match is None:
        raise ValueError(f"unexpected wrk duration {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse(output: str) -> WrkResult:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in", output)
    if not (rps and p50 and p99 and total):
        raise RuntimeError("could not read wrk's report:\n" + output)
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    return WrkResult(
        float(rps.group(1)), _millis(p50.group(1)), _millis(p99.group(1)), int(total.group(1)), errors, output
    )


def run_wrk(
    url: str,
    *,
    duration: float,
    connections: int,
    threads: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
    env: dict[str, str] | None = None,
    timeout_s: int = 10,
) -> WrkResult:
    """One wrk run (``--latency``); ``script`` is a Lua file (POST bodies)."""
    cmd = [
        wrk_path(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        f"--timeout={timeout_s}s",
        "--latency",
    ]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd.append(url)
    done = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
        timeout=duration + 60,
    )
    return parse(done.stdout)
