"""Time ``retain activity`` on a year of 1,000,000 contacts; prints Markdown.

    python bench/activity.py                              # /tmp/b2/query.db + 1M contacts
    python bench/activity.py --contacts 20000 --runs 3    # a quick check first
    python bench/activity.py --store /tmp/retain-bench/query.db

The store (by default the 1,000,000-loan store ``bench/run.py --keep /tmp/b2``
leaves) is copied into a temporary directory and migrated there: the original
is never written. The copy gets ``--contacts`` contacts spread evenly over the
365 days up to ``--today`` (deterministic, seeded): random customers of the
store; 80% logged by the customer's own officer, 5% by another officer, 15%
without ``--officer``; calls 60%, visits 20%, SMS 10%, WeChat 8%, other 2%;
a quarter unanswered. Plus 10,000 prospects over the year, a tenth of them
converted. Each command runs as a whole process ``--runs`` times after one
warm-up and the MEDIAN wall time is reported beside the bare Typer app's
start-up (``bench/bare_typer.py --help``), the reference the other benches
use, with the [quota] of the issue's example; the median of the core alone
(``retain.activity`` in-process) too.
Target (issue 15): ``activity`` ≤ 1 s on a year of 1,000,000 contacts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent
TARGET_S = 1.0
CHANNELS = (("call", 0.60), ("visit", 0.20), ("sms", 0.10), ("wechat", 0.08), ("other", 0.02))
OUTCOMES = (
    ("reached", 0.55), ("no_answer", 0.25), ("renewing", 0.05), ("repaying", 0.07),
    ("promised", 0.03), ("declined", 0.03), ("wrong_number", 0.01), ("other", 0.01),
)  # fmt: skip
PROSPECTS = 10_000
QUOTAS = """[quota]
visits_per_week = 10
calls_per_week = 40
new_customers_per_month = 2
prospects_per_week = 5
"""


def _load(name: str) -> ModuleType:
    """A sibling bench script as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"retain_bench_{name}", BENCH / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def add_contacts(path: Path, count: int, today: dt.date, seed: int) -> float:
    """``count`` contacts over the year to ``today``; returns the seconds it took."""
    from retain.days import day_number

    start = time.perf_counter()
    rng = random.Random(f"{seed}/contacts")
    conn = sqlite3.connect(path)
    customers = conn.execute("SELECT customer_id, officer FROM customers").fetchall()
    officers = sorted({o for _, o in customers if o})
    first = today - dt.timedelta(days=364)
    t0 = day_number(first)
    assert t0 is not None
    next_id = int(conn.execute("SELECT COALESCE(MAX(contact_id), 0) FROM contacts").fetchone()[0])
    block: list[tuple[object, ...]] = []
    channel_values, channel_weights = [v for v, _ in CHANNELS], [w for _, w in CHANNELS]
    outcome_values, outcome_weights = [v for v, _ in OUTCOMES], [w for _, w in OUTCOMES]
    with conn:
        for k in range(count):
            customer_id, own = customers[rng.randrange(len(customers))]
            draw = rng.random()
            officer = own if draw < 0.80 else (rng.choice(officers) if draw < 0.85 else None)
            offset = k * 365 // count
            day = first + dt.timedelta(days=offset)
            at = f"{day.isoformat()} {8 + rng.randrange(10):02d}:{rng.randrange(60):02d}:00"
            next_id += 1
            block.append(
                (
                    next_id,
                    customer_id,
                    at,
                    t0 + offset,
                    rng.choices(channel_values, channel_weights)[0],
                    rng.choices(outcome_values, outcome_weights)[0],
                    officer,
                    "2026-01-01T00:00:00Z",
                )
            )
            if len(block) >= 50_000:
                _insert(conn, block)
                block.clear()
        _insert(conn, block)
        prospects = []
        stages = []
        for p in range(PROSPECTS):
            offset = p * 365 // PROSPECTS
            day = first + dt.timedelta(days=offset)
            officer = rng.choice(officers)
            prospects.append(
                ("P", "walk_in", officer, t0 + offset, day.isoformat(), t0 + offset, "x", "x")
            )
            if p % 10 == 0:
                stages.append((p + 1, 2, "disbursed", min(t0 + offset + 20, t0 + 364), officer))
        conn.executemany(
            "INSERT INTO prospects (name, channel, officer, stage_day, entered_on, entered_day,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            prospects,
        )
        conn.executemany(
            "INSERT INTO prospect_stages (prospect_id, seq, stage, day, officer, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, 'x')",
            stages,
        )
    conn.close()
    return time.perf_counter() - start


def _insert(conn: sqlite3.Connection, block: list[tuple[object, ...]]) -> None:
    conn.executemany(
        "INSERT INTO contacts (contact_id, customer_id, at, at_day, channel, outcome, officer,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        block,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--store", type=Path, default=Path("/tmp/b2/query.db"))
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--today", default="2026-12-01")
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args(argv)
    if not args.store.is_file():
        sys.exit(f"no store {args.store}: run python bench/run.py --keep /tmp/b2 first")
    portfolio = _load("portfolio")

    from retain.activity import activity, parse_month, parse_week, streaks, week_of
    from retain.config import load_config
    from retain.store import Store

    today = dt.date.fromisoformat(args.today)
    with tempfile.TemporaryDirectory(prefix="retain-activity-") as work:
        # Quotas, so that every target and the streaks are computed (the child
        # processes read the same file).
        config_file = Path(work) / "config.toml"
        config_file.write_text(QUOTAS, encoding="utf-8")
        os.environ["RETAIN_CONFIG"] = str(config_file)
        config = load_config()
        store_path = Path(work) / "query.db"
        shutil.copyfile(args.store, store_path)
        Store(store_path, write=True).close()  # migrate the copy, never the original
        seconds = add_contacts(store_path, args.contacts, today, args.seed)
        print(f"added {args.contacts:,} contacts in {seconds:.1f} s", file=sys.stderr)
        retain = [
            portfolio.retain_exe(), "--db", str(store_path), "--today", args.today, "--lang", "en"
        ]  # fmt: skip
        reference = portfolio.wall(
            [portfolio.venv_python(), str(BENCH / "bare_typer.py"), "--help"], args.runs
        )
        store = Store(store_path)
        conn = store.conn
        quota = config.quota
        week = week_of(today - dt.timedelta(days=7), quota.week_starts)
        month = parse_month((today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m"))

        def core(window_text: str, kind: str) -> Callable[[], object]:
            window = parse_week(window_text, quota.week_starts) if kind == "week" else month
            return lambda: activity(
                conn,
                window,
                today,
                quota,
                lead_days=config.rhythm.lead_days,
                grace_days=config.retention.renewal_grace_days,
            )

        rows: list[tuple[str, list[str], Callable[[], object], bool]] = [
            (
                f"activity --week {week.label}",
                ["activity", "--week", week.label, "--format", "csv"],
                core(week.label, "week"),
                True,
            ),
            (
                f"activity --month {month.label}",
                ["activity", "--month", month.label, "--format", "csv"],
                core(month.label, "month"),
                True,
            ),
            (
                f"activity --week {week.label} --format json",
                ["activity", "--week", week.label, "--format", "json"],
                core(week.label, "week"),
                False,
            ),
            (
                "activity --streak",
                ["activity", "--streak", "--format", "csv"],
                lambda: streaks(conn, week_of(today, quota.week_starts), quota),
                False,
            ),
        ]
        loans = int(conn.execute("SELECT COUNT(*) FROM loans").fetchone()[0])
        contacts = int(conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0])
        print(
            f"{loans:,} loans, {contacts:,} contacts; medians of {args.runs};"
            f" bare Typer --help {reference:.2f} s\n"
        )
        print("| command | wall (median) | core alone (median) | target |")
        print("|---|---|---|---|")
        for name, cli_args, call, targeted in rows:
            wall = portfolio.wall([*retain, *cli_args], args.runs)
            alone = portfolio.in_process(call, args.runs)
            if targeted:
                goal = f"≤ {TARGET_S:.0f} s: {'met' if wall <= TARGET_S else 'missed'}"
            else:
                goal = "reported"
            print(f"| `{name}` | {wall:.2f} s | {alone:.2f} s | {goal} |")
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
