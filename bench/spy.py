"""Sample the gunicorn workers with py-spy while wrk drives them: where the CPU time goes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def py_spy() -> str | None:
    local = Path(sys.executable).with_name("py-spy")
    return str(local) if local.exists() else shutil.which("py-spy")


def start(pids: list[int], seconds: float, out_dir: Path, label: str) -> list[tuple[subprocess.Popen, Path]]:
    """One ``py-spy record`` per worker: raw collapsed stacks of the thread holding the GIL.

    ``--gil`` leaves out threads waiting for PostgreSQL (psycopg2 releases the GIL
    while it waits), which py-spy would otherwise count as busy.
    """
    exe = py_spy()
    if exe is None:
        raise SystemExit("py-spy is not installed (.venv/bin/pip install py-spy)")
    started = []
    for pid in pids:
        path = out_dir / f"{label}-{pid}.txt"
        cmd = [
            exe,
            "record",
            "-p",
            str(pid),
            "-d",
            str(int(seconds)),
            "-r",
            "200",
            "-f",
            "raw",
            "-o",
            str(path),
            "--nonblocking",
            "--gil",
        ]
        started.append((subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), path))
    return started


def _name(frame: str) -> str:
    match = _FRAME.match(frame)
    if match is None or not frame.isascii() or not frame.isprintable():
        return "<unreadable frame>"  # py-spy reads live memory: a frame can be torn
    file = re.sub(r"^.*/(site-packages|lib/python3\.\d+)/", "", match.group("file"))
    file = re.sub(r"^.*/work/main/", "", file)
    return f"{match.group('func')} ({file})"


def _package(name: str) -> str:
    """``sqlalchemy``, ``flask_jwt_extended``, ``tasty_recipes``, … for a frame name from _name()."""
    file = name.rsplit("(", 1)[-1].rstrip(")")
    if "/" not in file:
        return "python stdlib" if file.endswith(".py") or file.startswith("<frozen") else file
    top = file.split("/", 1)[0]
    return top if top not in ("concurrent", "json", "logging", "email", "http") else "python stdlib"


def summarize(started: list[tuple[subprocess.Popen, Path]], top: int = 20) -> list[str]:
    """Own ("self") and inclusive share of the samples, per function, over every worker."""
    own, inclusive, packages, total = Counter(), Counter(), Counter(), 0
    for process, path in started:
        process.wait(timeout=120)
        if not path.exists():
            return [f"py-spy failed: {process.stderr.read().decode(errors='replace').strip()}"]
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            frames = [_name(f) for f in stack.split(";")]
            n = int(count)
            total += n
            own[frames[-1]] += n
            packages[_package(frames[-1])] += n
            for name in set(frames):
                inclusive[name] += n
    if not total:
        return ["py-spy recorded no samples"]
    lines = [f"{total} samples holding the GIL; own time (the function itself):"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    lines.append("own time by package:")
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in packages.most_common(12)]
    lines.append("inclusive time (the function and what it calls):")
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top + 15)]
    return lines
