"""Time ``retain tiers`` (and ``calls`` with tier rhythms) on a big store; prints Markdown.

    python bench/tiers.py --loans 20000 --holdings 20000   # a small store generated here first
    python bench/tiers.py                               # the store bench/run.py --keep left
    python bench/tiers.py --store /tmp/retain-bench/query.db --runs 3

The store is copied into a temporary directory first (and migrated there): the
original is never written. With ``--loans N`` the data comes from
``bench/generate.py`` (N loans, N/5 customers) and is imported by ``retain``.
A copy without holdings gets ``--holdings`` of them (default 1,000,000, made by
``bench/coverage.py``'s generator, imported with ``retain import holdings``,
timed once). Each command runs as a whole process ``--runs`` times after one
warm-up; the MEDIAN wall time and the median CPU time (user + system: on a
shared machine it varies far less than the wall time) are reported, beside the
same for the core alone (``retain.tiers.tier_report`` in-process). The config
holds the README's three example tiers, which read no holdings; ``tiers (rules
on holdings)`` adds a first tier on ``aum`` and ``products_held``, so the
holdings are aggregated too. Target
(issue 14): ``tiers`` ≤ 2 s on 1,000,000 loans and 1,000,000 holdings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from portfolio import TARGET_S, retain_exe  # noqa: E402

RULES = """
[[tiers]]
name = "A"
name_zh = "核心客户"
when = "loans_count >= 2 and worst_class == '正常' and total_borrowed >= 500000"
contact_every_days = 30
good = true

[[tiers]]
name = "B"
name_zh = "成长客户"
when = "balance > 0 and worst_class in ['正常', '关注'] or referrals_converted >= 1"
contact_every_days = 90

[[tiers]]
name = "C"
name_zh = "关注客户"
when = "max_days_past_due > 30"
"""

#: A first tier reading the holdings' facts, before the README's three.
HOLDINGS_RULE = """
[[tiers]]
name = "W"
name_zh = "财富客户"
when = "aum >= 200000 and products_held >= 3"
contact_every_days = 30
"""


def _generated_store(work: Path, loans: int, today: str) -> Path:
    spec = importlib.util.spec_from_file_location("retain_bench_generate", BENCH / "generate.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    data = work / "data"
    customers = max(1, loans // 5)
    gen.generate(
        gen.Spec(
            loans=loans,
            customers=customers,
            out=data,
            seed=1,
            today=dt.date.fromisoformat(today),
        )
    )
    store = work / "generated.db"
    for kind in ("customers", "loans"):
        subprocess.run(
            [retain_exe(), "--db", str(store), "--today", today, "import", kind,
             str(data / f"{kind}.csv")],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    return store


def _timed(cmd: Sequence[str], runs: int) -> tuple[float, float]:
    """Median wall and median CPU (user + system) of ``runs`` whole processes, after
    a warm-up: on a shared machine the CPU time says more than the wall time."""
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def _in_process(call: Callable[[], object], runs: int) -> tuple[float, float]:
    """The same for the core called in this process."""
    call()
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _add_holdings(store: Path, work: Path, count: int, today: str, retain: list[str]) -> str:
    """Give a store without holdings ``count`` of them; what was done, for the heading."""
    with sqlite3.connect(store) as conn:
        if conn.execute("SELECT EXISTS (SELECT 1 FROM holdings)").fetchone()[0] or count <= 0:
            return ""
    from coverage import make_holdings

    holdings_csv = work / "holdings.csv"
    make_holdings(store, holdings_csv, count, dt.date.fromisoformat(today))
    start = time.perf_counter()
    subprocess.run(
        [*retain, "import", "holdings", str(holdings_csv), "--quiet"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return f"; import holdings {time.perf_counter() - start:.1f} s"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--store", type=Path, default=Path("/tmp/b2/query.db"))
    parser.add_argument("--loans", type=int, default=None, help="generate a store this big")
    parser.add_argument("--holdings", type=int, default=1_000_000, help="when the store has none")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--today", default="2026-12-01")
    args = parser.parse_args(argv)

    from retain.config import load_config
    from retain.days import day_number
    from retain.store import Store
    from retain.tiers import tier_report

    with tempfile.TemporaryDirectory(prefix="retain-tiers-") as work_dir:
        work = Path(work_dir)
        config_path = work / "config.toml"
        config_path.write_text(RULES, encoding="utf-8")
        os.environ["RETAIN_CONFIG"] = str(config_path)
        if args.loans is not None:
            source = _generated_store(work, args.loans, args.today)
        elif args.store.is_file():
            source = args.store
        else:
            sys.exit(f"no store {args.store}: run python bench/run.py --keep /tmp/b2, or --loans N")
        store_path = work / "query.db"
        shutil.copyfile(source, store_path)
        Store(store_path, write=True).close()  # migrate the copy, never the original
        config = load_config()
        holdings_path = work / "holdings.toml"
        holdings_path.write_text(HOLDINGS_RULE + RULES, encoding="utf-8")
        os.environ["RETAIN_CONFIG"] = str(holdings_path)
        holdings_config = load_config()
        os.environ["RETAIN_CONFIG"] = str(config_path)
        today = day_number(dt.date.fromisoformat(args.today))
        assert today is not None
        retain = [retain_exe(), "--db", str(store_path), "--today", args.today, "--lang", "en"]
        imported = _add_holdings(store_path, work, args.holdings, args.today, retain)
        store = Store(store_path)
        conn = store.conn
        loans = int(conn.execute("SELECT COUNT(*) FROM loans").fetchone()[0])
        customers = int(conn.execute("SELECT COUNT(*) FROM customers").fetchone()[0])
        holdings = int(conn.execute("SELECT COUNT(*) FROM holdings").fetchone()[0])
        rows: list[tuple[str, list[str], Callable[[], object] | None, bool]] = [
            ("tiers", ["tiers", "--format", "csv"], lambda: tier_report(conn, config, today), True),
            (
                "tiers --by officer",
                ["tiers", "--by", "officer", "--format", "csv"],
                lambda: tier_report(conn, config, today, by="officer"),
                False,
            ),
            (
                "tiers (rules on holdings)",
                ["tiers", "--format", "csv"],
                lambda: tier_report(conn, holdings_config, today),
                True,
            ),
            ("calls (tiers with rhythms)", ["calls", "--format", "csv"], None, False),
        ]
        print(
            f"{loans:,} loans, {customers:,} customers, {holdings:,} holdings; medians of "
            f"{args.runs}; load average {os.getloadavg()[0]:.1f}{imported}\n"
        )
        print("| command | wall | CPU | core alone: wall | CPU | target |")
        print("|---|---:|---:|---:|---:|---|")
        for name, cli_args, call, targeted in rows:
            path = holdings_path if "holdings" in name else config_path
            os.environ["RETAIN_CONFIG"] = str(path)
            seconds, cpu = _timed([*retain, *cli_args], args.runs)
            alone = "— | —"
            if call is not None:
                alone = "{:.2f} s | {:.2f} s".format(*_in_process(call, args.runs))
            goal = "reported"
            if targeted:
                goal = f"≤ {TARGET_S:.0f} s: {'met' if seconds <= TARGET_S else 'missed'}"
            print(f"| `{name}` | {seconds:.2f} s | {cpu:.2f} s | {alone} | {goal} |")
        os.environ["RETAIN_CONFIG"] = str(work / "none.toml")
        seconds, cpu = _timed([*retain, "calls", "--format", "csv"], args.runs)
        print(f"| `calls (no tiers)` | {seconds:.2f} s | {cpu:.2f} s | — | — | reported |")
        print(f"\nload average after: {os.getloadavg()[0]:.1f}")
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
