"""The benchmark's output: machine description, the one table, the targets, the
comparison with a baseline revision (``--baseline``)."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from .load import WrkResult
from .worktree import Tree

REFERENCE = "reference GET /recipes"
API_LIST = "GET /api/recipes?limit=20"
API_DEEP = "GET /api/recipes deep page"
HTML_LIST = "GET /html/recipes"
SIGN_IN = "POST /api/sign_in"
ENDPOINTS = (REFERENCE, API_LIST, API_DEEP, HTML_LIST, SIGN_IN)
# The app's endpoints that the baseline revision (--baseline) serves too, and the table's row order.
BASELINE = {API_LIST: "baseline " + API_LIST, API_DEEP: "baseline " + API_DEEP}
ROWS = (REFERENCE, BASELINE[API_LIST], API_LIST, BASELINE[API_DEEP], API_DEEP, HTML_LIST, SIGN_IN)


class Tee:
    """Print to the terminal and to the results file."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file = open(path, "w")  # closed in close()

    def __call__(self, text: str = "") -> None:
        print(text, flush=True)
        self._file.write(text + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


@dataclass
class Measured:
    """Every wrk round of one endpoint at one size; the median is reported."""

    runs: list[WrkResult] = field(default_factory=list)
    statements: int | None = None
    round_trips: int | None = None
    rss_mb: list[float] = field(default_factory=list)
    bounds: list[float] = field(default_factory=list)  # bcrypt ceiling measured before each round

    def median(self, attr: str) -> float:
        return statistics.median(getattr(run, attr) for run in self.runs)

    def ratios_to(self, base: Measured, attr: str) -> list[float]:
        """Per-round ratios: each app run against the reference run just before it, so that
        the load other processes put on a shared machine mostly cancels out."""
        return [
            getattr(mine, attr) / getattr(theirs, attr)
            for mine, theirs in zip(self.runs, base.runs, strict=False)
            if getattr(theirs, attr)
        ]

    def ratio_to(self, base: Measured, attr: str) -> float | None:
        pairs = self.ratios_to(base, attr)
        return statistics.median(pairs) if pairs else None

    def ratio_to_bound(self) -> float | None:
        pairs = [run.requests_per_second / bound for run, bound in zip(self.runs, self.bounds, strict=False)]
        return statistics.median(pairs) if pairs else None

    @property
    def errors(self) -> int:
        return sum(run.errors for run in self.runs)


def _first_line(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "?"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "?"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine(pg_version: str, app: Tree | None = None, baseline: Tree | None = None) -> list[str]:
    """Who measured what where; ``app``/``baseline``: revisions served from worktrees."""
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    load = load_average()
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in (
            "Flask",
            "gunicorn",
            "SQLAlchemy",
            "psycopg2-binary",
            "PyJWT",
            "flask-jwt-extended",
            "bcrypt",
        )
    )
    commit = _first_line(
        ["git", "-C", str(Path(__file__).resolve().parent.parent), "log", "-1", "--format=%h %s"]
    )
    dirty = _first_line(
        [
            "git",
            "-C",
            str(Path(__file__).resolve().parent.parent),
            "status",
            "--porcelain",
            "--",
            "tasty_recipes",
            "wsgi.py",
            "migrations",
            "setup.cfg",
        ]
    )
    served = [
        f"{role:<11} {tree.label} (served from a worktree)"
        for role, tree in (("app:", app), ("baseline:", baseline))
        if tree is not None
    ]
    return [
        f"code:       {commit}"
        + ("  (plus uncommitted changes in the app)" if dirty != "?" and app is None else ""),
        *served,
        f"date:       {datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S UTC')} ({_first_line(['date'])})",
        f"machine:    {os.cpu_count()} CPU(s) ({len(os.sched_getaffinity(0))} usable), {cpu}, "
        f"{mem_kb / 1024 / 1024:.1f} GiB RAM, load average {load} at start",
        f"software:   Python {platform.python_version()} ({sys.implementation.name}), {versions}",
        f"            {pg_version}",
        f"            {_first_line(['wrk', '--version'])}",
    ]


def _fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{suffix}"


def table(results: dict[tuple[int, str], Measured]) -> list[str]:
    """One row per size and endpoint; with a baseline, also x base: app ÷ baseline, per round."""
    with_base = any(name in BASELINE.values() for _, name in results)
    width = max(28, *(len(name) for _, name in results))
    head = (
        f"{'recipes':>9}  {'endpoint':<{width}} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'x ref rps':>9} {'x ref p99':>9}"
        + (f" {'x base rps':>10} {'x base p99':>10}" if with_base else "")
        + f" {'stmts':>5} {'trips':>5} {'RSS MB/worker':>14}"
    )
    lines = [head, "-" * len(head)]
    for (size, name), m in sorted(results.items(), key=lambda kv: (kv[0][0], ROWS.index(kv[0][1]))):
        ref, base = results.get((size, REFERENCE)), results.get((size, BASELINE.get(name, "")))
        x_rps = x_p99 = None
        if name == SIGN_IN:
            x_rps = m.ratio_to_bound()
        elif ref is not None and name != REFERENCE:
            x_rps, x_p99 = m.ratio_to(ref, "requests_per_second"), m.ratio_to(ref, "p99_ms")
        x_base = ""
        if with_base:
            b_rps, b_p99 = (
                (m.ratio_to(base, "requests_per_second"), m.ratio_to(base, "p99_ms"))
                if base is not None
                else (None, None)
            )
            x_base = f" {_fmt(b_rps, 3):>10} {_fmt(b_p99, 3):>10}"
        rss = f"{max(m.rss_mb):.1f}" if m.rss_mb else "-"
        errors = f"  ({m.errors} errors!)" if m.errors else ""
        lines.append(
            f"{size:>9,}  {name:<{width}} {m.median('requests_per_second'):>8.1f} {m.median('p50_ms'):>8.2f} "
            f"{m.median('p99_ms'):>8.2f} {_fmt(x_rps):>9}{'b' if name == SIGN_IN else ' '}"
            f"{_fmt(x_p99):>9}{x_base} {m.statements if m.statements is not None else '-':>5} "
            f"{m.round_trips if m.round_trips is not None else '-':>5} {rss:>14}{errors}"
        )
    lines.append("(b: POST /api/sign_in is compared with the bcrypt bound, not with the reference)")
    return lines


def versus_baseline(results: dict[tuple[int, str], Measured], sizes: list[int]) -> list[str]:
    """app ÷ baseline for each endpoint both serve: medians of the per-round ratios, and the rounds."""
    lines = []
    for size in sizes:
        for name, base_name in BASELINE.items():
            app, base = results.get((size, name)), results.get((size, base_name))
            if app and base:
                rps, p99 = app.ratios_to(base, "requests_per_second"), app.ratios_to(base, "p99_ms")
                lines.append(f"{name} at {size:,}: req/s {_rounds(rps)}, p99 {_rounds(p99)}")
    return lines


def _rounds(ratios: list[float]) -> str:
    return f"{statistics.median(ratios):.3f}x (rounds {', '.join(f'{r:.2f}' for r in ratios)})"


def _spread(ratios: list[float]) -> str:
    return f"   (rounds: {', '.join(f'{r:.2f}' for r in ratios)})" if len(ratios) > 1 else ""


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def targets(results: dict[tuple[int, str], Measured], sizes: list[int]) -> list[str]:
    """The benchmark's targets, each with the measured value and a verdict."""
    lines = []
    for size in sizes:
        ref, app = results.get((size, REFERENCE)), results.get((size, API_LIST))
        if ref and app:
            x = app.ratio_to(ref, "requests_per_second")
            lines.append(
                f"GET /api/recipes req/s >= 0.6x reference at {size:,}: {x:.3f}x  "
                f"{_verdict(x >= 0.6)}{_spread(app.ratios_to(ref, 'requests_per_second'))}"
            )
            x = app.ratio_to(ref, "p99_ms")
            lines.append(
                f"GET /api/recipes p99 <= 2x reference at {size:,}:    {x:.3f}x  "
                f"{_verdict(x <= 2)}{_spread(app.ratios_to(ref, 'p99_ms'))}"
            )
    if len(sizes) > 1:
        small, big = sizes[0], sizes[-1]
        for name in (API_LIST, API_DEEP):
            lo, hi = results.get((small, name)), results.get((big, name))
            if lo and hi:
                x = hi.median("p50_ms") / lo.median("p50_ms")
                lines.append(
                    f"flat cost, {name} p50 at {big:,} / at {small:,}: {x:.3f}x  {_verdict(x <= 1.2)}"
                )
    for name in (API_LIST, API_DEEP, HTML_LIST):
        m = results.get((sizes[-1], name))
        if m is not None and m.statements is not None:
            limit = 3 if name == HTML_LIST else 2
            lines.append(
                f"statements per request, {name}: {m.statements} (at most {limit})  "
                f"{_verdict(m.statements <= limit)}"
            )
    for size in sizes:
        m = results.get((size, SIGN_IN))
        if m and m.bounds:
            x = m.ratio_to_bound()
            rounds = [run.requests_per_second / b for run, b in zip(m.runs, m.bounds, strict=False)]
            lines.append(
                f"POST /api/sign_in at {size:,}: {m.median('requests_per_second'):.2f} req/s, "
                f"bcrypt bound {statistics.median(m.bounds):.2f}/s: {x:.3f}x (>= 0.9)  "
                f"{_verdict(x >= 0.9)}{_spread(rounds)}"
            )
    worst = max(
        (max(m.rss_mb) for (_, name), m in results.items() if name != REFERENCE and m.rss_mb), default=None
    )
    if worst is not None:
        lines.append(
            f"app worker RSS after the benchmark: {worst:.1f} MB (at most 80)  {_verdict(worst <= 80)}"
        )
    return lines
