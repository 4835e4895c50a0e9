"""Time ``retain coverage`` on the 1,000,000-loan store with 1,000,000 holdings; prints Markdown.

    python bench/coverage.py                          # the store bench/run.py --keep /tmp/b2 left
    python bench/coverage.py --holdings 20000 --runs 1   # a quick check
    python bench/coverage.py --keep /tmp/cov          # keep the store with its holdings

The loans and customers are bench/portfolio.py's (``bench/run.py``'s seeded
data, in the store it keeps). The store is copied into a temporary directory
first (and migrated there): the original is never written. Holdings are made
deterministically (seed 14) for the store's customers, ``--holdings`` rows in
all: each customer's products are drawn with odds that depend on their
industry (so most of an industry hold some products and cross-sell gaps exist),
an account number each, balances for deposits and wealth products, one in ten
closed. They are imported with ``retain import holdings`` (timed once).
With ``--keep DIR`` the copy with its holdings is kept in DIR and a later run
with the same DIR reuses it (migrated, not re-imported: no import time then).

Each command then runs as a whole process ``--runs`` times after one warm-up
and the MEDIAN wall time is reported beside the bare Typer app's start-up
(``bench/bare_typer.py --help``), with the median of the core's SQL alone
(``retain.holdings.coverage`` in-process). Target (issue 14): ``coverage`` ≤ 2 s
on 1,000,000 loans and 1,000,000 holdings. ``calls`` (the 20 best, with the
``cross_sell`` term reading the holdings) is reported too.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from portfolio import BENCH, TARGET_S, in_process, retain_exe, venv_python, wall

PRODUCTS = ("deposit", "term_deposit", "card", "credit_card", "wealth", "insurance", "payroll",
            "mobile_banking")  # fmt: skip


def make_holdings(store: Path, out: Path, count: int, today: dt.date) -> int:
    """Write ``count`` holdings of the store's customers to ``out``; rows written."""
    rng = random.Random(14)
    with sqlite3.connect(store) as conn:
        customers = conn.execute(
            "SELECT customer_id, COALESCE(industry, '') FROM customers ORDER BY customer_id"
        ).fetchall()
    industries = sorted({industry for _, industry in customers})
    # Per industry, the odds of holding each product: a few common, the rest rare.
    odds = {
        industry: [rng.choice((0.85, 0.7, 0.3, 0.1)) for _ in PRODUCTS] for industry in industries
    }
    written = 0
    account = 6_222_000_000_000
    with out.open("w", encoding="utf-8", newline="") as handle:
        rows = csv.writer(handle)
        rows.writerow(("customer_id", "product_type", "account", "balance", "opened_on",
                       "closed_on"))  # fmt: skip
        while written < count:
            for customer_id, industry in customers:
                for product, chance in zip(PRODUCTS, odds[industry], strict=True):
                    if rng.random() >= chance:
                        continue
                    account += 1
                    opened = today - dt.timedelta(days=rng.randrange(30, 3650))
                    closed = ""
                    if rng.random() < 0.1:
                        closed = (opened + dt.timedelta(days=rng.randrange(1, 29))).isoformat()
                    balance = ""
                    if product in ("deposit", "term_deposit", "wealth"):
                        balance = f"{rng.randrange(100, 500_000)}.{rng.randrange(100):02d}"
                    rows.writerow(
                        (customer_id, product, account, balance, opened.isoformat(), closed)
                    )
                    written += 1
                    if written >= count:
                        return written
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, default=Path("/tmp/b2/query.db"))
    parser.add_argument("--holdings", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--today", default="2026-12-01")
    parser.add_argument("--keep", type=Path, default=None, help="keep (and reuse) the store here")
    args = parser.parse_args(argv)
    if not args.store.is_file():
        sys.exit(f"no store {args.store}: run python bench/run.py --keep /tmp/b2 first")

    from retain.config import load_config
    from retain.holdings import coverage, good_max_days
    from retain.store import Store

    today = dt.date.fromisoformat(args.today)
    config = load_config()
    with tempfile.TemporaryDirectory(prefix="retain-coverage-") as scratch:
        work = Path(scratch) if args.keep is None else args.keep
        work.mkdir(parents=True, exist_ok=True)
        store_path = work / "query.db"
        retain = [retain_exe(), "--db", str(store_path), "--today", args.today, "--lang", "en"]
        kept = store_path.is_file()
        if not kept:
            shutil.copyfile(args.store, store_path)
        Store(store_path, write=True).close()  # migrate the copy, never the original
        with sqlite3.connect(store_path) as conn:
            loans = int(conn.execute("SELECT COUNT(*) FROM loans").fetchone()[0])
            made = int(conn.execute("SELECT COUNT(*) FROM holdings").fetchone()[0])
        imported_text = "kept"
        if not kept or made == 0:
            holdings_csv = Path(scratch) / "holdings.csv"
            made = make_holdings(store_path, holdings_csv, args.holdings, today)
            start = time.perf_counter()
            subprocess.run(
                [*retain, "import", "holdings", str(holdings_csv), "--quiet"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            imported_text = f"{time.perf_counter() - start:.1f} s"
        reference = wall([venv_python(), str(BENCH / "bare_typer.py"), "--help"], args.runs)
        store = Store(store_path)
        conn = store.conn

        def sql(by: str) -> Callable[[], object]:
            return lambda: coverage(
                conn,
                today,
                by=by,
                peer_share=config.coverage.peer_share,
                recent_months=config.rhythm.win_back_months,
                good_max=good_max_days(config.arrears),
                limit=50,
            )

        rows: list[tuple[str, list[str], Callable[[], object] | None, bool]] = [
            ("coverage", ["coverage", "--format", "table"], sql("industry"), True),
            (
                "coverage --by officer --format json",
                ["coverage", "--by", "officer", "--format", "json"],
                sql("officer"),
                True,
            ),  # fmt: skip
            ("calls (with holdings)", ["calls", "--format", "csv"], None, False),
        ]
        print(
            f"{loans:,} loans, {made:,} holdings; medians of {args.runs}; "
            f"bare Typer --help {reference:.2f} s; import holdings {imported_text}\n"
        )
        print("| command | wall (median) | SQL alone (median) | target |")
        print("|---|---|---|---|")
        for name, cli_args, call, targeted in rows:
            seconds = wall([*retain, *cli_args], args.runs)
            alone = f"{in_process(call, args.runs):.2f} s" if call is not None else "–"
            goal = "reported"
            if targeted:
                goal = f"≤ {TARGET_S:.0f} s: {'met' if seconds <= TARGET_S else 'missed'}"
            print(f"| `{name}` | {seconds:.2f} s | {alone} | {goal} |")
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
