"""retain on a PostgreSQL store beside the same commands on SQLite, same data.

    python bench/postgres.py                      # 1M loans, 200k customers, 3 runs
    python bench/postgres.py --loans 50000 --customers 10000 --runs 1
    python bench/postgres.py --pg postgresql://postgres@/postgres?host=/tmp/pg

Measured, each ``--runs`` times as whole processes, SQLite and PostgreSQL
alternating, MEDIAN wall time and peak RSS (``bench/run.py``'s launcher):

* import: ``import customers`` then ``import loans`` into an empty store (a new
  SQLite file; a new PostgreSQL database with retain's schema);
* ``calls --format csv`` and ``due --days 30 --format csv`` on the stores the
  last import left.

The ratio is PostgreSQL / SQLite. The server: ``--pg`` (a superuser URL), else
RETAIN_BENCH_PG, else a throw-away cluster started by ``tests/pgserver.py``.
Both stores' outputs are compared (byte for byte) once, before timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def _module(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def server_url(given: str | None) -> str:
    if given or os.environ.get("RETAIN_BENCH_PG"):
        return given or os.environ["RETAIN_BENCH_PG"]
    sys.path.insert(0, str(ROOT))
    from tests.pgserver import admin_url, reason  # type: ignore[import-not-found]

    url = admin_url()
    if url is None:
        raise SystemExit(f"no PostgreSQL server: {reason()}")
    return str(url)


def fresh_database(server: str, name: str) -> str:
    import psycopg

    sys.path.insert(0, str(ROOT / "src"))
    from retain.postgres import schema

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"
            " LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    url = _database_url(server, name)
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        schema.apply(conn)
    return url


def _database_url(server: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 12, 1))
    parser.add_argument("--pg", help="a superuser URL of the server to use")
    args = parser.parse_args(argv)
    run = _module("retain_bench_run", BENCH / "run.py")
    data = run.ensure_data(args.loans, args.customers, args.seed, args.today)
    retain = run.retain_exe()
    server = server_url(args.pg)
    work = run.OUT / f"postgres-{args.loans}l-{args.customers}c"
    work.mkdir(parents=True, exist_ok=True)
    sqlite_store = str(work / "store.db")
    pg_name = f"retain_bench_{args.loans}"
    today = args.today.isoformat()

    def cmd(store: str, *more: str) -> list[str]:
        return [retain, "--db", store, "--today", today, *more]

    def fresh(kind: str) -> str:
        if kind == "sqlite":
            run.remove_db(Path(sqlite_store))
            return sqlite_store
        return fresh_database(server, pg_name)

    stores: dict[str, str] = {}
    samples: dict[tuple[str, str], list[Any]] = {}

    def timed(name: str, kind: str, action: Callable[[], Any]) -> None:
        sample = action()
        samples.setdefault((name, kind), []).append(sample)
        seconds, mb = sample.seconds, sample.max_rss_mb
        print(f"  {name} {kind}: {seconds:.2f} s, {mb:.0f} MB", file=sys.stderr)

    for i in range(args.runs):
        for kind in ("sqlite", "postgresql"):
            store = fresh(kind)
            customers = cmd(store, "import", "customers", str(data / "customers.csv"), "-q")
            run.run_once(customers, cwd=work)
            timed(
                "import loans",
                kind,
                lambda s=store: run.run_once(
                    cmd(s, "import", "loans", str(data / "loans.csv"), "-q"), cwd=work
                ),
            )
            stores[kind] = store
        if i == 0:
            for query in (("calls", "--format", "csv"), ("due", "--days", "30", "--format", "csv")):
                a = run.capture(cmd(stores["sqlite"], *query), cwd=work)
                b = run.capture(cmd(stores["postgresql"], *query), cwd=work)
                same = "identical" if a == b else "DIFFER"
                print(f"  {query[0]}: outputs {same}", file=sys.stderr)
    for _ in range(args.runs):
        for kind in ("sqlite", "postgresql"):
            for name, query in (
                ("calls", ("calls", "--format", "csv")),
                ("due --days 30", ("due", "--days", "30", "--format", "csv")),
            ):
                timed(
                    name, kind, lambda q=query, k=kind: run.run_once(cmd(stores[k], *q), cwd=work)
                )

    lines = [
        f"{args.loans:,} loans, {args.customers:,} customers; medians of {args.runs} runs",
        "",
        "| command | SQLite | PostgreSQL | ratio | peak RSS SQLite / PostgreSQL |",
        "|---|---|---|---|---|",
    ]
    for name in ("import loans", "calls", "due --days 30"):
        lite, pg = samples[(name, "sqlite")], samples[(name, "postgresql")]
        a = statistics.median(s.seconds for s in lite)
        b = statistics.median(s.seconds for s in pg)
        ra = statistics.median(s.max_rss_mb for s in lite)
        rb = statistics.median(s.max_rss_mb for s in pg)
        lines.append(f"| {name} | {a:.2f} s | {b:.2f} s | {b / a:.2f}× | {ra:.0f} / {rb:.0f} MB |")
    text = "\n".join(lines) + "\n"
    (run.OUT / "postgres-results.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
