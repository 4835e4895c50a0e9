"""Time ``retain runoff`` and ``retain retention`` on the 1,000,000-loan store; prints Markdown.

    python bench/portfolio.py                       # the store bench/run.py --keep left in /tmp/b2
    python bench/portfolio.py --store /tmp/retain-bench/query.db --runs 5

The store is copied into a temporary directory first (and migrated there): the
original is never written. Each command runs as a whole process ``--runs``
times after one warm-up, and the MEDIAN wall time is reported beside the bare
Typer app's start-up (``bench/bare_typer.py --help``) for scale. The machine
may be shared, so the median of the core alone (``retain.portfolio``
in-process, the same calls the commands make: its SQL and, for retention, the
walk over each customer's closed loans) is reported too. Target (issue
12): each command ≤ 2 s on 1,000,000 loans.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TARGET_S = 2.0


def venv_python() -> str:
    candidate = ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def retain_exe() -> str:
    candidate = ROOT / ".venv" / "bin" / "retain"
    found = str(candidate) if candidate.exists() else shutil.which("retain")
    if found is None:
        sys.exit("retain is not installed: expected .venv/bin/retain (pip install -e .)")
    return found


def wall(cmd: Sequence[str], runs: int) -> float:
    """Median wall time of ``runs`` whole processes, after one warm-up."""
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_process(call: Callable[[], object], runs: int) -> float:
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, default=Path("/tmp/b2/query.db"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--today", default="2026-12-01")
    args = parser.parse_args(argv)
    if not args.store.is_file():
        sys.exit(f"no store {args.store}: run python bench/run.py --keep /tmp/b2 first")

    from retain import portfolio
    from retain.config import load_config
    from retain.store import Store

    today = dt.date.fromisoformat(args.today)
    settings = load_config().retention
    with tempfile.TemporaryDirectory(prefix="retain-portfolio-") as work:
        store_path = Path(work) / "query.db"
        shutil.copyfile(args.store, store_path)
        Store(store_path, write=True).close()  # migrate the copy, never the original
        loans = _count(store_path)
        retain = [retain_exe(), "--db", str(store_path), "--today", args.today, "--lang", "en"]
        reference = wall([venv_python(), str(BENCH / "bare_typer.py"), "--help"], args.runs)
        store = Store(store_path)
        conn = store.conn
        grace = settings.renewal_grace_days
        rows: list[tuple[str, list[str], Callable[[], object], bool]] = [
            (
                "runoff (12 months)",
                ["runoff", "--format", "csv"],
                lambda: portfolio.runoff(conn, today, grace_days=grace),
                True,
            ),
            (
                "runoff --by officer",
                ["runoff", "--by", "officer", "--format", "csv"],
                lambda: portfolio.runoff(conn, today, by="officer", grace_days=grace),
                False,
            ),
            (
                "retention (12 months)",
                ["retention", "--format", "csv"],
                lambda: portfolio.retention(conn, today, grace_days=grace),
                True,
            ),
            (
                "retention --by officer",
                ["retention", "--by", "officer", "--format", "csv"],
                lambda: portfolio.retention(conn, today, by_officer=True, grace_days=grace),
                False,
            ),
        ]
        print(f"{loans:,} loans; medians of {args.runs}; bare Typer --help {reference:.2f} s\n")
        print("| command | wall (median) | SQL alone (median) | target |")
        print("|---|---|---|---|")
        for name, cli_args, call, targeted in rows:
            seconds = wall([*retain, *cli_args], args.runs)
            sql = in_process(call, args.runs)
            if targeted:
                verdict = "met" if seconds <= TARGET_S else "missed"
                goal = f"≤ {TARGET_S:.0f} s: {verdict}"
            else:
                goal = "reported"
            print(f"| `{name}` | {seconds:.2f} s | {sql:.2f} s | {goal} |")
        store.close()
    return 0


def _count(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM loans").fetchone()[0])


if __name__ == "__main__":
    raise SystemExit(main())
