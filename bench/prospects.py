"""Time ``retain pipeline``, ``calls`` and ``referrals`` with 200,000 prospects on
the 1,000,000-loan store; prints Markdown.

    python bench/prospects.py                  # on the store bench/run.py --keep left in /tmp/b2
    python bench/prospects.py --prospects 2000 --runs 1        # a quick check first
    python bench/prospects.py --store /tmp/retain-bench/query.db --runs 5
    python bench/prospects.py --no-calls       # pipeline and referrals alone

The store (``bench/run.py``'s 1,000,000 loans for 200,000 customers) is copied
into a temporary directory first and migrated there: the original is never
written. ``calls`` is timed on the copy before any prospect is added, then
``--prospects`` prospects (seeded, so every run builds the same) are written
with their stage history: every channel, officers from the book, entries over
the last year, a funnel of new → contacted → applied → approved → disbursed
with some lost on the way (each reason), next dates around today, referrers
among the customers and the prospects, and the disbursed ones linked to
customers of the book. Each command then runs as a whole process ``--runs``
times after one warm-up, and the MEDIAN wall time is reported beside the bare
Typer app's start-up (``bench/bare_typer.py --help``), the reference of the
other benches, and the core's SQL alone, in-process. Target (issue 13):
``pipeline`` and ``calls`` ≤ 1 s each. ``--no-calls`` leaves out the call
list's timings (before and with the prospects), for work on the other two.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from portfolio import BENCH, in_process, retain_exe, venv_python, wall  # noqa: E402

TARGET_S = 1.0
CHANNELS = ("referral", "supply_chain", "circle", "alliance", "walk_in", "other")
REASONS = ("no_need", "rate", "declined_by_us", "competitor", "unreachable", "other")
# The share of those at a stage that go on to the next one.
GO_ON = {"new": 0.7, "contacted": 0.5, "applied": 0.7, "approved": 0.8}
NEXT = {"new": "contacted", "contacted": "applied", "applied": "approved", "approved": "disbursed"}


def _day(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _iso(day: int) -> str:
    return (dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat()


def add_prospects(path: Path, count: int, today: dt.date, seed: int = 13) -> dict[str, int]:
    """``count`` prospects and their stage history, written in one transaction."""
    rng = random.Random(seed)
    t = _day(today)
    conn = sqlite3.connect(path)
    customers = [row[0] for row in conn.execute("SELECT customer_id FROM customers")]
    officers = sorted(
        {row[0] for row in conn.execute("SELECT DISTINCT officer FROM customers") if row[0]}
    )
    free = customers[:]
    rng.shuffle(free)  # customers a disbursed prospect may become, each once
    prospects = []
    stages = []
    counts = dict.fromkeys(("disbursed", "lost", "open"), 0)
    now = f"{today.isoformat()}T09:00:00"
    for pid in range(1, count + 1):
        channel = rng.choice(CHANNELS)
        entered = t - rng.randrange(0, 365)
        day = entered
        history = [("new", day, None)]
        stage = "new"
        while stage in GO_ON and rng.random() < GO_ON[stage]:
            day = min(t, day + rng.randrange(1, 10))
            stage = NEXT[stage]
            history.append((stage, day, None))
        reason = None
        if stage != "disbursed" and rng.random() < 0.4:
            day = min(t, day + rng.randrange(1, 10))
            reason = rng.choice(REASONS)
            stage = "lost"
            history.append(("lost", day, reason))
        customer_id = free.pop() if stage == "disbursed" and free else None
        if stage == "disbursed" and customer_id is None:
            stage = "approved"  # no customer left to become
            history.pop()
        is_open = stage not in ("disbursed", "lost")
        counts["open" if is_open else stage] += 1
        next_day = t + rng.randrange(-30, 30) if is_open and rng.random() < 0.5 else None
        contacted = day if stage != "new" else None
        referred = customers and channel == "referral" and rng.random() < 0.8
        referrer_c = rng.choice(customers) if referred else None
        referrer_p = (
            rng.randrange(1, pid) if channel == "referral" and pid > 1 and not referrer_c else None
        )
        prospects.append(
            (
                pid, f"潜客{pid}", f"139{pid:08d}", channel, referrer_c, referrer_p,
                rng.randrange(1, 50) * 1_000_000, rng.choice(officers) if officers else None,
                stage, day, reason,
                _iso(entered), entered, _iso(next_day) if next_day else None,
                next_day, contacted, customer_id, now, now,
            )
        )  # fmt: skip
        stages.extend((pid, seq, s, d, r, now) for seq, (s, d, r) in enumerate(history, start=1))
    with conn:
        conn.executemany(
            "INSERT INTO prospects (prospect_id, name, phone, channel, referrer_customer_id,"
            " referrer_prospect_id, need_fen, officer, stage, stage_day, lost_reason,"
            " entered_on, entered_day, next_on, next_day, last_contact_day, customer_id,"
            " created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            prospects,
        )
        conn.executemany(
            "INSERT INTO prospect_stages (prospect_id, seq, stage, day, reason, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            stages,
        )
    # No ANALYZE: retain never runs it, and statistics would change the plans
    # of the call list's queries on loans, which are tuned without them.
    conn.close()
    return {**counts, "stages": len(stages)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--store", type=Path, default=Path("/tmp/b2/query.db"))
    parser.add_argument("--prospects", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--today", default="2026-12-01")
    parser.add_argument("--no-calls", action="store_true", help="time pipeline and referrals only")
    args = parser.parse_args(argv)
    if not args.store.is_file():
        sys.exit(f"no store {args.store}: run python bench/run.py --keep /tmp/b2 first")

    from retain.config import load_config
    from retain.pipeline import PipelineFilter, pipeline
    from retain.ranking import CallFilter, ranked_calls
    from retain.referrals import top_referrers
    from retain.store import Store

    today = dt.date.fromisoformat(args.today)
    config = load_config()
    with tempfile.TemporaryDirectory(prefix="retain-prospects-") as work:
        store_path = Path(work) / "query.db"
        shutil.copyfile(args.store, store_path)
        Store(store_path, write=True).close()  # migrate the copy, never the original
        retain = [retain_exe(), "--db", str(store_path), "--today", args.today, "--lang", "en"]
        reference = wall([venv_python(), str(BENCH / "bare_typer.py"), "--help"], args.runs)
        calls_before = (
            None if args.no_calls else wall([*retain, "calls", "--format", "csv"], args.runs)
        )
        made = add_prospects(store_path, args.prospects, today)
        with sqlite3.connect(store_path) as conn:
            loans = int(conn.execute("SELECT COUNT(*) FROM loans").fetchone()[0])
        store = Store(store_path)
        conn = store.conn
        capacity = config.calls.daily_capacity
        rows: list[tuple[str, list[str], Callable[[], object], bool]] = [
            ("pipeline", ["pipeline", "--format", "csv"],
             lambda: pipeline(conn, PipelineFilter(last_day=_day(today))), True),
            ("pipeline --channel referral --from -90d", ["pipeline", "--channel", "referral",
             "--from", "-90d", "--format", "csv"],
             lambda: pipeline(conn, PipelineFilter(first_day=_day(today) - 90,
                                                   last_day=_day(today), channel="referral")),
             False),
            ("calls", ["calls", "--format", "csv"],
             lambda: ranked_calls(conn, config, today, CallFilter(limit=capacity)), True),
            ("calls --reason prospect", ["calls", "--reason", "prospect", "--format", "csv"],
             lambda: ranked_calls(conn, config, today,
                                  CallFilter(limit=capacity, reasons=("prospect",))), False),
            ("referrals (top 20)", ["referrals", "--format", "csv"],
             lambda: top_referrers(conn), False),
        ]  # fmt: skip
        print(
            f"{loans:,} loans, {args.prospects:,} prospects ({made['open']:,} open,"
            f" {made['disbursed']:,} disbursed, {made['lost']:,} lost;"
            f" {made['stages']:,} stage rows); medians of {args.runs};"
            f" bare Typer --help {reference:.2f} s"
            + (f"; calls before the prospects {calls_before:.2f} s" if calls_before else "")
            + "\n"
        )
        print("| command | wall (median) | SQL alone (median) | target |")
        print("|---|---|---|---|")
        for name, cli_args, call, targeted in rows:
            if args.no_calls and name.startswith("calls"):
                continue
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


if __name__ == "__main__":
    raise SystemExit(main())
