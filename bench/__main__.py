"""The benchmark: ``.venv/bin/python -m bench`` from the repository root.

For each size (1,000 then 1,000,000 recipes) it seeds PostgreSQL, serves the app
(production profile) and the minimal reference app with the same gunicorn
settings on 127.0.0.1, drives each endpoint with wrk, counts SQL statements per
request in-process, reads the workers' RSS, and prints one table, EXPLAIN plans
and the targets with their verdicts. ``--help`` lists the knobs.

``--baseline REV`` serves the app as of git revision REV too (from a temporary
worktree, same settings, secrets and database), measured in the same rounds on
the API list endpoints, and reports app ÷ baseline; ``--app-rev REV`` serves
the measured app itself from a worktree of REV instead of the working tree.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from . import inprocess, seed, spy
from .bcrypt_bound import bcrypt_bound
from .load import SIGN_IN_LUA, run_wrk, wrk_path
from .report import (
    API_DEEP,
    API_LIST,
    BASELINE,
    HTML_LIST,
    REFERENCE,
    SIGN_IN,
    Measured,
    Tee,
    load_average,
    machine,
    table,
    targets,
    versus_baseline,
)
from .servers import APP_TARGET, REFERENCE_TARGET, Server, WorkerConfig, browser_log_in, request, sign_in
from .worktree import REPO, Tree, checkout, import_app_from

RESULTS_DIR = Path(__file__).resolve().parent / "results"
COMPARED_CONFIGS = (
    "sync:2",
    "sync:4",
    "gthread:2x4",
    "gthread:2x4 --worker-connections 8",
    "gthread:2x4 --keep-alive 0",
    "gthread:4x2",
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", seed.DEFAULT_DATABASE_URL))
    p.add_argument("--sizes", default="1000,1000000", help="recipe counts, ascending (default %(default)s)")
    p.add_argument("--users", type=int, default=1000)
    p.add_argument(
        "--workers",
        default="sync:2",
        help="gunicorn model for both apps: sync:N or gthread:WxT, then any gunicorn "
        "options (default %(default)r)",
    )
    p.add_argument(
        "--duration", type=float, default=5, help="seconds per wrk run (POST /api/sign_in runs twice as long)"
    )
    p.add_argument("--warmup", type=float, default=3, help="seconds of wrk warm-up per endpoint")
    p.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="rounds over every endpoint, reference first; medians are reported, and "
        "ratios are medians of the per-round ratios",
    )
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--wrk-threads", type=int, default=2)
    p.add_argument(
        "--port", type=int, default=8460, help="app port; the reference uses port+1, the baseline port+2"
    )
    p.add_argument(
        "--baseline",
        metavar="REV",
        help="also serve the app as of git revision REV (a temporary worktree) and measure "
        "it in the same rounds on the API list endpoints: app ÷ baseline",
    )
    p.add_argument(
        "--app-rev",
        metavar="REV",
        help="serve (and count in-process) the app as of git revision REV from a temporary "
        "worktree instead of the working tree",
    )
    p.add_argument(
        "--compare-workers",
        action="store_true",
        help=f"also measure {'; '.join(COMPARED_CONFIGS)} on the list endpoints (first size)",
    )
    p.add_argument("--profile", action="store_true", help="cProfile GET /api/recipes in-process")
    p.add_argument(
        "--py-spy",
        action="store_true",
        help="sample the workers with py-spy under load at the last size (needs py-spy)",
    )
    p.add_argument("--reuse-db", action="store_true", help="do not drop the bench database first")
    p.add_argument("--quick", action="store_true", help="smoke run: 1,000 recipes, 1 round of 2 s")
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.duration, args.warmup, args.rounds = "1000", 2, 1, 1
    args.sizes = [int(s) for s in args.sizes.split(",")]
    args.workers = WorkerConfig.parse(args.workers)
    return args


class Bench:
    def __init__(
        self,
        args: argparse.Namespace,
        out: Tee,
        stamp: str,
        app_tree: Tree | None = None,
        baseline: Tree | None = None,
    ):
        """``app_tree``: where the app is served from (None: the working tree); ``baseline``: the
        revision served alongside, or None."""
        self.args, self.out, self.stamp = args, out, stamp
        self.app_tree, self.baseline = app_tree, baseline
        self.results: dict[tuple[int, str], Measured] = {}
        self.email, self.password = seed.user_email(0), seed.BENCH_PASSWORD
        # Fresh secrets for the run, shared by all servers and the in-process app.
        os.environ.update(
            SECRET_KEY=secrets.token_urlsafe(64),
            JWT_SECRET_KEY=secrets.token_urlsafe(64),
            DATABASE_URL=args.database_url,
            TASTY_ENV="production",
            SERVER_NAME="localhost",
            RATELIMIT_ENABLED="false",
        )
        self.inproc = inprocess.InProcess(args.database_url)

    # --- servers ---------------------------------------------------------------

    def start(self, config: WorkerConfig, baseline: bool = False) -> tuple[Server, Server, Server | None]:
        """The app, the reference and, if asked and configured, the baseline revision."""
        port = self.args.port
        logs = RESULTS_DIR / f"{self.stamp}-%s.log"
        app = self._app_server(self.app_tree, port, config, Path(str(logs) % "app"))
        ref = Server(
            REFERENCE_TARGET,
            port + 1,
            config,
            {"REFERENCE_POOL_SIZE": str(config.threads)},
            Path(str(logs) % "reference"),
        )
        base = (
            self._app_server(self.baseline, port + 2, config, Path(str(logs) % "baseline"))
            if baseline and self.baseline
            else None
        )
        servers = [s for s in (app, ref, base) if s is not None]
        try:
            for server in servers:
                server.wait_ready("/recipes" if server is ref else "/healthz")
        except RuntimeError:
            for server in servers:
                server.stop()
            raise
        return app, ref, base

    @staticmethod
    def _app_server(tree: Tree | None, port: int, config: WorkerConfig, log: Path) -> Server:
        if tree is None:
            return Server(APP_TARGET, port, config, {}, log)
        return Server(APP_TARGET, port, config, tree.env, log, cwd=tree.path)

    def deep_cursor(self, size: int) -> str:
        from tasty_recipes.recipes.service import encode_cursor

        conn = seed.connect(self.args.database_url)
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT inserted_at, id FROM recipes ORDER BY inserted_at DESC, id DESC "
                    "OFFSET %s LIMIT 1",
                    (int(size * 0.9),),
                )
                stamp, recipe_id = cur.fetchone()
        finally:
            conn.close()
        return encode_cursor(SimpleNamespace(inserted_at=stamp.astimezone(UTC), id=recipe_id))

    def endpoints(
        self,
        app: Server,
        ref: Server,
        token: str,
        cookie: str,
        cursor: str,
        baseline: tuple[Server, str] | None = None,
    ) -> dict:
        """What wrk drives, in the order of a round; ``baseline``: its server and its own token,
        each of its endpoints right before the app's."""
        bearer = {"Authorization": f"Bearer {token}"}
        base = "http://127.0.0.1:%d"
        specs = {REFERENCE: dict(server=ref, url=base % ref.port + "/recipes", headers=bearer)}
        for name, path in (
            (API_LIST, "/api/recipes?limit=20"),
            (API_DEEP, f"/api/recipes?limit=20&after={cursor}"),
        ):
            if baseline is not None:
                server, own_token = baseline
                specs[BASELINE[name]] = dict(
                    server=server,
                    url=base % server.port + path,
                    headers={"Authorization": f"Bearer {own_token}"},
                )
            specs[name] = dict(server=app, url=base % app.port + path, headers=bearer)
        return specs | {
            HTML_LIST: dict(server=app, url=base % app.port + "/html/recipes", headers={"Cookie": cookie}),
            # Two connections per worker keep every CPU busy with bcrypt; more would only
            # queue, and wrk drops the requests still in flight when the run ends.
            SIGN_IN: dict(
                server=app,
                url=base % app.port + "/api/sign_in",
                script=SIGN_IN_LUA,
                timeout_s=30,
                connections=2 * self.args.workers.workers,
                env={"BENCH_EMAIL": self.email, "BENCH_PASSWORD": self.password},
            ),
        }

    def check_same_work(self, app: Server, ref: Server, token: str, cursor: str) -> None:
        """The app's first page and the reference's carry the same recipes, byte for byte."""
        bearer = {"Authorization": f"Bearer {token}"}
        _, _, mine = request("GET", app.port, "/api/recipes?limit=20", headers=bearer)
        _, _, theirs = request("GET", ref.port, "/recipes", headers=bearer)
        if json.loads(mine)["data"] != json.loads(theirs)["data"]:
            raise RuntimeError(f"the app on port {app.port} and the reference return different recipes")
        status, _, deep = request("GET", app.port, f"/api/recipes?limit=20&after={cursor}", headers=bearer)
        if status != 200 or len(json.loads(deep)["data"]) != 20:
            raise RuntimeError(f"deep page on port {app.port} answered {status}: {deep[:200]!r}")

    # --- one size ----------------------------------------------------------------

    def run_size(self, size: int, first: bool) -> None:
        a = self.args
        self.out(f"\n## {size:,} recipes")
        tree = self.app_tree
        timings = seed.ensure(
            a.database_url,
            a.users,
            size,
            fresh=first and not a.reuse_db,
            log=self.out,
            app_dir=tree.path if tree else REPO,
            app_env=tree.env if tree else None,
        )
        self.out("seeding: " + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()))
        app, ref, base = self.start(a.workers, baseline=True)
        base_token = None
        try:
            token = sign_in(app.port, self.email, self.password)
            cookie = browser_log_in(app.port, self.email, self.password)
            cursor = self.deep_cursor(size)
            self.check_same_work(app, ref, token, cursor)
            if base is not None:
                base_token = sign_in(base.port, self.email, self.password)
                self.check_same_work(base, ref, base_token, cursor)
            targets_ = self.endpoints(
                app, ref, token, cookie, cursor, baseline=(base, base_token) if base is not None else None
            )
            width = max(28, *(len(name) for name in targets_))
            for name, spec in targets_.items():
                if name != SIGN_IN:
                    self.wrk(spec, a.warmup)
            for round_no in range(a.rounds):
                for name, spec in targets_.items():
                    measured = self.results.setdefault((size, name), Measured())
                    if name == SIGN_IN:
                        # The ceiling, measured right before, under the same machine load.
                        measured.bounds.append(bcrypt_bound(a.workers.workers, seconds=a.duration))
                    result = self.wrk(spec, a.duration * (2 if name == SIGN_IN else 1))
                    measured.runs.append(result)
                    bound = f"  (bcrypt bound {measured.bounds[-1]:.2f}/s)" if name == SIGN_IN else ""
                    self.out(
                        f"  round {round_no + 1} {name:<{width}} "
                        f"{result.requests_per_second:>8.1f} req/s p50 {result.p50_ms:6.2f} ms "
                        f"p99 {result.p99_ms:7.2f} ms  {result.split}{bound}"
                        + (f"  {result.errors} errors" if result.errors else "")
                    )
            rss = {server: server.worker_rss_mb() for server in (app, ref, base) if server is not None}
            if a.py_spy and size == a.sizes[-1]:
                for server, name in ((app, API_LIST), (ref, REFERENCE)):
                    self.sample(server, name, targets_[name])
        finally:
            for server in (app, ref, base):
                if server is not None:
                    server.stop()
        self.out(
            f"worker RSS after the runs: app {rss[app]} MB, reference {rss[ref]} MB"
            + (f", baseline {rss[base]} MB" if base is not None else "")
        )
        for name, spec in targets_.items():
            self.results[(size, name)].rss_mb = rss[spec["server"]]
        self.count_statements(size, token, cookie, cursor, explain=size == a.sizes[-1])
        if base_token is not None:
            self.count_baseline(size, base_token, cursor)

    def count_baseline(self, size: int, token: str, cursor: str) -> None:
        """Statements and round trips of the baseline's list endpoints (in a child process)."""
        bearer = {"Authorization": f"Bearer {token}"}
        counted = inprocess.count_in(
            self.baseline.path,
            self.args.database_url,
            {
                BASELINE[API_LIST]: ("GET", "/api/recipes?limit=20", {"headers": bearer}),
                BASELINE[API_DEEP]: ("GET", f"/api/recipes?limit=20&after={cursor}", {"headers": bearer}),
            },
        )
        self.out(
            f"round trips to PostgreSQL per request at {size:,} recipes, baseline {self.baseline.commit}:"
        )
        for name, c in counted.items():
            if c.status != 200:
                raise RuntimeError(f"in-process {name} answered {c.status}")
            self.results[(size, name)].statements = c.statements
            self.results[(size, name)].round_trips = c.round_trips
            self.out(f"  {name}: " + " | ".join(trip[:48] for trip in c.trips))

    def sample(self, server: Server, name: str, spec: dict) -> None:
        self.wrk(spec, self.args.warmup)  # also lets queued sign-ins of the last round finish
        recorders = spy.start(server.worker_pids(), self.args.duration, RESULTS_DIR, f"{self.stamp}-spy")
        self.wrk(spec, self.args.duration)
        self.out(f"\n## py-spy: gunicorn workers serving {name} under wrk ({self.args.duration:g}s)")
        for line in spy.summarize(recorders):
            self.out(line)

    def wrk(self, spec: dict, duration: float):
        server = spec["server"]
        before = server.worker_cpu_ticks()
        result = run_wrk(
            spec["url"],
            duration=duration,
            connections=spec.get("connections", self.args.connections),
            threads=self.args.wrk_threads,
            headers=spec.get("headers"),
            script=spec.get("script"),
            env=spec.get("env"),
            timeout_s=spec.get("timeout_s", 10),
        )
        used = [ticks - before.get(pid, 0) for pid, ticks in server.worker_cpu_ticks().items()]
        if sum(used) > 0:
            result.worker_cpu_shares = sorted((u / sum(used) for u in used), reverse=True)
        return result

    def count_statements(self, size: int, token: str, cookie: str, cursor: str, explain: bool) -> None:
        bearer = {"Authorization": f"Bearer {token}"}
        count = self.inproc.count
        counted = {
            API_LIST: count("GET", "/api/recipes?limit=20", headers=bearer),
            API_DEEP: count("GET", f"/api/recipes?limit=20&after={cursor}", headers=bearer),
            HTML_LIST: count("GET", "/html/recipes", headers={"Cookie": cookie}),
            SIGN_IN: count(
                "POST", "/api/sign_in", warm=1, json={"email": self.email, "password": self.password}
            ),
            REFERENCE: self.inproc.count_reference(headers=bearer),
        }
        for name, c in counted.items():
            if c.status not in (200, 201):
                raise RuntimeError(f"in-process {name} answered {c.status}")
            self.results[(size, name)].statements = c.statements
            self.results[(size, name)].round_trips = c.round_trips
        self.out(f"\nround trips to PostgreSQL per request at {size:,} recipes (in-process, warmed up):")
        for name, c in counted.items():
            if c.trips:
                self.out(f"  {name}: " + " | ".join(trip[:48] for trip in c.trips))
        if explain:
            for name in (API_LIST, API_DEEP):
                for statement, params in counted[name].sql:
                    self.out(f"\nEXPLAIN (ANALYZE, BUFFERS) at {size:,} recipes, {name}:\n{statement}")
                    self.out(self.inproc.explain(statement, params))

    # --- the rest ------------------------------------------------------------------

    def compare_workers(self) -> None:
        """Both apps under each process model, ``rounds`` times in turn; medians."""
        size = self.args.sizes[0]
        self.out(
            f"\n## gunicorn process models ({size:,} recipes; list endpoints, median of {self.args.rounds})"
        )
        got: dict[str, dict[str, Measured]] = {}
        for _ in range(self.args.rounds):
            for text in COMPARED_CONFIGS:
                config = WorkerConfig.parse(text)
                app, ref, _ = self.start(config)
                try:
                    specs = self.endpoints(app, ref, sign_in(app.port, self.email, self.password), "", "")
                    for name in (REFERENCE, API_LIST):
                        self.wrk(specs[name], self.args.warmup)
                        measured = got.setdefault(text, {}).setdefault(name, Measured())
                        measured.runs.append(self.wrk(specs[name], self.args.duration))
                    measured.rss_mb.extend(app.worker_rss_mb())
                finally:
                    app.stop()
                    ref.stop()
        self.out(
            f"{'config':<52} {'reference req/s':>16} {'p99 ms':>8} {'app req/s':>10} {'p99 ms':>8} "
            f"{'app RSS MB':>11}  app busiest worker's CPU share, per round"
        )
        for text, by_name in got.items():
            r, m = by_name[REFERENCE], by_name[API_LIST]
            shares = " ".join(
                f"{100 * run.worker_cpu_shares[0]:.0f}%" for run in m.runs if run.worker_cpu_shares
            )
            self.out(
                f"{WorkerConfig.parse(text).label:<52} {r.median('requests_per_second'):>16.1f} "
                f"{r.median('p99_ms'):>8.2f} {m.median('requests_per_second'):>10.1f} "
                f"{m.median('p99_ms'):>8.2f} {max(m.rss_mb):>11.1f}  {shares}"
            )

    def profile(self) -> None:
        client = inprocess.plain_app(self.args.database_url).test_client(use_cookies=False)
        token = json.loads(
            client.post("/api/sign_in", json={"email": self.email, "password": self.password}).data
        )["data"]["token"]
        headers = {"Authorization": f"Bearer {token}"}
        self.out("\n## cProfile: 2,000 x GET /api/recipes?limit=20 in-process (Flask test client)")
        self.out(inprocess.profile(lambda: client.get("/api/recipes?limit=20", headers=headers), 2000))


def _pg_version(url: str) -> str:
    seed.create_database(url, fresh=False)
    conn = seed.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT version()")
            return cur.fetchone()[0]
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    wrk_path()
    with ExitStack() as worktrees:
        app_tree = worktrees.enter_context(checkout(args.app_rev)) if args.app_rev else None
        baseline = worktrees.enter_context(checkout(args.baseline)) if args.baseline else None
        if app_tree is not None:
            import_app_from(app_tree.path)  # the in-process counts, EXPLAIN and profile measure it too
        run(args, app_tree, baseline)


def run(args: argparse.Namespace, app_tree: Tree | None, baseline: Tree | None) -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = Tee(RESULTS_DIR / f"{stamp}.txt")
    out("# TastyRecipes benchmark")
    for line in machine(_pg_version(args.database_url), app_tree, baseline):
        out(line)
    apps = "all three apps" if baseline else "both apps"
    out(
        f"gunicorn:   {args.workers.label} for {apps}, 127.0.0.1; TASTY_ENV=production, "
        f"RATELIMIT_ENABLED=false"
    )
    out(
        f"wrk:        -t{args.wrk_threads} -c{args.connections} -d{args.duration:g}s --latency, "
        f"{args.warmup:g}s warm-up, median of {args.rounds} round(s)"
    )
    bench = Bench(args, out, stamp, app_tree, baseline)
    for i, size in enumerate(args.sizes):
        bench.run_size(size, first=i == 0)
        if i == 0 and args.compare_workers:
            bench.compare_workers()
    if args.profile:
        bench.profile()
    out(
        "\n## Results (medians; x ref = ratio to the reference app at the same size; stmts = SQL "
        "statements, trips = queries PostgreSQL received, incl. BEGIN/SET/ping/ROLLBACK)"
    )
    for line in table(bench.results):
        out(line)
    out("\n## Targets")
    for line in targets(bench.results, args.sizes):
        out(line)
    if baseline is not None:
        out(
            f"\n## App ÷ baseline ({app_tree.commit if app_tree else 'working tree'} ÷ {baseline.commit}; "
            f"medians of the per-round ratios, each app run against the baseline run just before it)"
        )
        for line in versus_baseline(bench.results, args.sizes):
            out(line)
    out(f"\nload average at the end: {load_average()}")
    out(f"full output: {out.path}")
    out.close()


if __name__ == "__main__":
    main()
