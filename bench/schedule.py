"""Benchmark repayment schedules: 12 instalments per loan; prints a Markdown table.

    python bench/schedule.py                                   # 1M loans: 12M instalments
    python bench/schedule.py --loans 20000 --customers 4000    # a quick check
    python bench/schedule.py --keep /tmp/retain-schedule       # keep stores and files

The loans come from ``bench/generate.py`` (the same seeded data as
``bench/run.py``, cached in ``bench/out/``); this script derives from each loan
its schedule, ``schedule.csv`` next to the data (made once, deterministically):

* 12 instalments per loan, periods 1–12, due every twelfth of the loan's term
  after disbursement, the last on maturity (monthly for a 12-month loan);
* principal in 12 equal parts (the last takes the cents left over), interest a
  twelfth of the principal × the loan's yearly rate × its term in years;
* instalments due before today: paid on the due day, a few (about 1 in 20)
  up to 10 days late; a closed loan's all paid by its close; an overdue loan's
  unpaid from the one its days past due start at (the spell's first day is
  today − days past due + 1, so the instalment due before it is the oldest
  unpaid); a written-off loan's unpaid after its first three.

Measurements, whole processes, medians of ``--runs`` (default 3), as
``bench/run.py`` takes them:

* import schedule vs the floor: the ``sqlite3`` CLI's ``.import --csv --skip 1``
  of the same CSV into a plain table with the column types of retain's
  ``instalments`` table (no constraints, no key, no index, the CLI's pragmas),
  against ``retain import schedule FILE`` into a copy of a store holding the
  customers and loans. Until that command exists the script says
  "retain import schedule not available" and skips the row.
  The floor is still measured (on both sides of its row).
* ``calls --format csv`` (the 20 best) on the store with the schedule (on the
  store without it while the import is not available): at most 1 s.

The table is also written to ``bench/out/schedule-results.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (bench/ is a folder of scripts, not a package)

SCHEDULE_HEADER = (
    "loan_id",
    "period",
    "due_on",
    "principal_due",
    "interest_due",
    "paid_on",
    "paid_amount",
)
# Schedule file field → column of retain's instalments table (migration m016).
INSTALMENT_COLUMNS = {
    "loan_id": "loan_id",
    "period": "period",
    "due_on": "due_on",
    "principal_due": "principal_fen",
    "interest_due": "interest_fen",
    "paid_on": "paid_on",
    "paid_amount": "paid_fen",
}
PERIODS = 12
LATE_SHARE = 0.05  # of paid instalments, paid up to MAX_LATE days after their due day
MAX_LATE = 10
BLOCK = 20_000  # loans per write
IMPORT_TARGET = 6.0  # × the floor (issue 11)
CALLS_TARGET_S = 1.0


def _fen(text: str) -> int:
    whole, _, cents = text.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


def _money(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def write_schedule(loans_csv: Path, target: Path, seed: int, today: dt.date) -> int:
    """Write ``target`` from ``loans_csv``: 12 instalments per loan. Returns the rows."""
    rng = random.Random(f"{seed}/schedule")
    rand = rng.random
    today_n = today.toordinal()
    iso: dict[int, str] = {}

    def day(n: int) -> str:
        text = iso.get(n)
        if text is None:
            text = iso[n] = dt.date.fromordinal(n).isoformat()
        return text

    rows = 0
    with (
        loans_csv.open(encoding="utf-8", newline="") as src,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        header = src.readline().rstrip("\n").split(",")
        at = {name: header.index(name) for name in header}
        out.write(",".join(SCHEDULE_HEADER) + "\n")
        block: list[str] = []
        for line in src:
            # The generator writes no quoted cells: a plain split is exact.
            cells = line.rstrip("\n").split(",")
            loan_id = cells[at["loan_id"]]
            status = cells[at["status"]]
            disbursed = dt.date.fromisoformat(cells[at["disbursed_on"]]).toordinal()
            matures = dt.date.fromisoformat(cells[at["matures_on"]]).toordinal()
            principal = _fen(cells[at["principal"]])
            rate = float(cells[at["rate"]] or 0) / 100
            closed = cells[at["closed_on"]]
            closed_n = dt.date.fromisoformat(closed).toordinal() if closed else None
            dpd = int(cells[at["days_past_due"]] or 0)
            # Unpaid from this day on: an overdue loan's spell began the day after it.
            unpaid_from = today_n - dpd if status == "overdue" and dpd else None
            term = matures - disbursed
            part = principal // PERIODS
            interest = round(principal * rate * term / 365 / PERIODS)
            for period in range(1, PERIODS + 1):
                due = disbursed + round(term * period / PERIODS)
                principal_due = part if period < PERIODS else principal - part * (PERIODS - 1)
                paid_on = paid = ""
                if status == "closed":
                    settled = True
                elif status == "overdue" and unpaid_from is not None:
                    settled = due < unpaid_from
                elif status == "written_off":
                    settled = due < today_n and period <= 3
                else:
                    settled = due < today_n
                if settled:
                    when = due
                    if rand() < LATE_SHARE:
                        when += 1 + int(rand() * MAX_LATE)
                    if closed_n is not None:
                        when = min(when, closed_n)
                    paid_on = day(min(when, today_n))
                    paid = _money(principal_due + interest)
                block.append(
                    f"{loan_id},{period},{day(due)},{_money(principal_due)},{_money(interest)},"
                    f"{paid_on},{paid}\n"
                )
            rows += PERIODS
            if len(block) >= BLOCK * PERIODS:
                out.write("".join(block))
                block.clear()
        out.write("".join(block))
    return rows


def ensure_schedule(data: Path, seed: int, today: dt.date) -> Path:
    """``schedule.csv`` next to the data, made once per data and version of this script."""
    target = data / "schedule.csv"
    stamp = data / "schedule.done"
    version = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    if stamp.exists() and target.exists() and stamp.read_text().strip() == version:
        print(f"schedule: cached in {target}", file=sys.stderr)
        return target
    stamp.unlink(missing_ok=True)
    tmp = data / ".schedule.csv.tmp"
    rows = write_schedule(data / "loans.csv", tmp, seed, today)
    os.replace(tmp, target)
    stamp.write_text(version + "\n")
    print(f"schedule: wrote {rows:,} instalments to {target}", file=sys.stderr)
    return target


def floor_table_sql(schema: sqlite3.Connection) -> str:
    """The floor's table: the schedule's columns with the instalments table's types."""
    types = {row[1]: row[2] for row in schema.execute("PRAGMA table_info(instalments)")}
    if not types:
        raise SystemExit("no instalments table in retain's store (migration m016)")
    columns = [f"    {field} {types[INSTALMENT_COLUMNS[field]]}" for field in SCHEDULE_HEADER]
    return "CREATE TABLE instalments (\n" + ",\n".join(columns) + "\n)"


def import_available(retain: str, work: Path) -> bool:
    done = subprocess.run(
        [retain, "import", "schedule", "--help"],
        cwd=work,
        capture_output=True,
        env=bench._child_env(),
    )
    return done.returncode == 0


def measurements(b: bench.Bench, schedule_csv: Path, has_import: bool) -> list[bench.Measurement]:
    work = b.work
    floor_db = work / "floor-schedule.db"
    store = work / "schedule.db"
    statement = floor_table_sql(b.schema)

    def floor_create() -> None:
        bench.remove_db(floor_db)
        subprocess.run([b.sqlite3, str(floor_db)], input=statement + ";\n", text=True, check=True)

    def fresh_store() -> None:
        b.ensure_query_store()
        bench.copy_db(b.query_store, store)

    def check_import() -> str:
        count = bench.count_rows(store, "instalments")
        assert count == b.loans * 12, f"{count:,} instalments stored, {b.loans * 12:,} expected"
        return f"{count:,} instalments stored"

    found: list[bench.Measurement] = []
    if not has_import:
        # The floor alone (its retain side is the floor too): the figure the
        # import will be held to.
        floor_cmd = [b.sqlite3, str(floor_db), f".import --csv --skip 1 {schedule_csv} instalments"]
        found.append(
            bench.Measurement(
                name=f"sqlite3 .import floor alone ({b.loans * 12:,} rows; retain import "
                "schedule not available)",
                retain_cmd=floor_cmd,
                reference_cmd=floor_cmd,
                target=None,
                before_retain=floor_create,
                before_reference=floor_create,
            )
        )
    if has_import:
        found.append(
            bench.Measurement(
                name=f"import schedule ({b.loans * 12:,} rows) vs sqlite3 .import (floor)",
                retain_cmd=b.r(store, "import", "schedule", str(schedule_csv)),
                reference_cmd=[
                    b.sqlite3,
                    str(floor_db),
                    f".import --csv --skip 1 {schedule_csv} instalments",
                ],
                target=IMPORT_TARGET,
                before_retain=fresh_store,
                before_reference=floor_create,
                check=check_import,
            )
        )
        calls_store = store
        calls_name = "calls --format csv (20 best), store with the schedule"
    else:
        print("retain import schedule not available: that row is skipped", file=sys.stderr)
        calls_store = b.query_store
        calls_name = "calls --format csv (20 best), store without a schedule (no import yet)"
    found.append(
        bench.Measurement(
            name=calls_name,
            retain_cmd=b.r(calls_store, "calls", "--format", "csv"),
            reference_cmd=[b.python, str(bench.BENCH / "bare_typer.py"), "--help"],
            target=None,
            abs_target_s=CALLS_TARGET_S,
            warmup=1,
            prepare=b.ensure_query_store,
        )
    )
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per side (median)")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 12, 1))
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="put the stores in DIR and keep them (default: a temporary directory "
        "under bench/out/, removed at the end)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.loans < 1 or args.customers < 1:
        parser.error("--runs, --loans and --customers must be at least 1")

    sqlite3_cli = bench.require_sqlite3()
    python = bench.venv_python()
    retain = bench.retain_exe()
    bench.OUT.mkdir(parents=True, exist_ok=True)
    data = bench.ensure_data(args.loans, args.customers, args.seed, args.today)
    schedule_csv = ensure_schedule(data, args.seed, args.today)
    if args.keep is not None:
        work = args.keep.resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="schedule-", dir=bench.OUT))
    machine = bench.machine_lines(python, sqlite3_cli)
    print("\n".join(machine), file=sys.stderr)
    has_import = import_available(retain, work)
    try:
        b = bench.Bench(
            data=data,
            work=work,
            today=args.today,
            retain=retain,
            python=python,
            sqlite3=sqlite3_cli,
            loans=args.loans,
            customers=args.customers,
        )
        results = []
        for m in measurements(b, schedule_csv, has_import):
            print(f"{m.name} …", file=sys.stderr)
            results.append(bench.run_measurement(m, args.runs, work))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    title = (
        f"# retain schedule benchmark: {args.loans:,} loans ({args.loans * 12:,} instalments), "
        f"{args.customers:,} customers, median of {args.runs} run(s), "
        f"today {args.today.isoformat()}"
    )
    skipped = [] if has_import else ["", "retain import schedule not available: row skipped."]
    report = [
        title,
        "",
        *machine,
        "",
        *bench.table(results),
        *skipped,
        "",
        "Runs (wall seconds) and checks:",
        "",
        *bench.details(results),
        "",
    ]
    text = "\n".join(report)
    print(text)
    (bench.OUT / "schedule-results.md").write_text(text, encoding="utf-8")
    print(f"(written to {bench.OUT / 'schedule-results.md'})", file=sys.stderr)
    return 1 if any(r.check_failed for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
