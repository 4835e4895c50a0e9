"""Benchmark the streaming reminder export against ``retain calls`` on the same store.

    python bench/export.py                       # 1M loans, 200k customers, 30 days
    python bench/export.py --loans 100000 --customers 20000 --runs 3

Targets (issue 8): a customer export of 1,000,000 loans over a 30-day window
streams: peak memory <= 200 MB and wall time <= 10x ``retain calls`` on the
same store. One run measures ``retain calls --format csv`` (median of --runs)
and ``retain export reminders --days 30 --audience customer --format csv|ics
--output ...`` (median wall time and peak RSS of the child, through
``bench/run.py``'s launcher), and prints the ratios. The data is
``bench/generate.py``'s (cached in ``bench/out/``), the store is built once with
``retain import`` and kept in ``bench/out/export-store-*`` (delete it to rebuild).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import statistics
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RSS_TARGET_MB = 200.0
RATIO_TARGET = 10.0


def _run_module() -> object:
    spec = importlib.util.spec_from_file_location("retain_bench_run", BENCH / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["retain_bench_run"] = module
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 12, 1))
    parser.add_argument("--formats", default="csv,ics")
    parser.add_argument(
        "--kinds", help="also pass --kinds (e.g. the customer-facing reasons only)", default=None
    )
    args = parser.parse_args(argv)
    run = _run_module()
    data = run.ensure_data(args.loans, args.customers, args.seed, args.today)  # type: ignore[attr-defined]
    retain = run.retain_exe()  # type: ignore[attr-defined]
    work = run.OUT / f"export-store-{args.loans}l-{args.customers}c-s{args.seed}"  # type: ignore[attr-defined]
    work.mkdir(parents=True, exist_ok=True)
    store = work / "store.db"

    def r(*more: str) -> list[str]:
        return [retain, "--db", str(store), "--today", args.today.isoformat(), *more]

    if not (work / "COMPLETE").exists():
        print("store: importing …", file=sys.stderr)
        run.remove_db(store)  # type: ignore[attr-defined]
        run.capture(r("import", "customers", str(data / "customers.csv")), cwd=work)  # type: ignore[attr-defined]
        run.capture(r("import", "loans", str(data / "loans.csv")), cwd=work)  # type: ignore[attr-defined]
        (work / "COMPLETE").write_text("ok\n")

    def measure(name: str, cmd: list[str], target: Path | None = None) -> list[object]:
        samples = []
        for i in range(args.runs):
            if target is not None:
                target.unlink(missing_ok=True)
            sample = run.run_once(cmd, cwd=work)  # type: ignore[attr-defined]
            samples.append(sample)
            print(
                f"  {name} run {i + 1}: {sample.seconds:.2f} s, {sample.max_rss_mb:.0f} MB",
                file=sys.stderr,
            )
        return samples

    run.run_once(r("calls", "--format", "csv"), cwd=work)  # type: ignore[attr-defined]  # warm-up
    calls = measure("calls", r("calls", "--format", "csv"))
    calls_s = statistics.median(s.seconds for s in calls)  # type: ignore[attr-defined]
    lines = [
        f"# retain export benchmark: {args.loans:,} loans, {args.customers:,} customers, "
        f"--days {args.days}, median of {args.runs}, today {args.today.isoformat()}",
        "",
        "| measurement | wall | ratio to calls | target | peak RSS | target | meets? |",
        "|---|---:|---:|---:|---:|---:|:---:|",
        f"| calls --format csv | {calls_s:.2f} s | 1× | — | "
        f"{statistics.median(s.max_rss_mb for s in calls):.0f} MB | — | — |",  # type: ignore[attr-defined]
    ]
    for fmt in args.formats.split(","):
        target = work / f"reminders.{fmt}"
        cmd = r(
            "export", "reminders", "--days", str(args.days), "--audience", "customer",
            "--format", fmt, "--output", str(target), "--force",
        )  # fmt: skip
        if args.kinds:
            cmd += ["--kinds", args.kinds]
        samples = measure(f"export {fmt}", cmd, target)
        wall = statistics.median(s.seconds for s in samples)  # type: ignore[attr-defined]
        rss = statistics.median(s.max_rss_mb for s in samples)  # type: ignore[attr-defined]
        rows = (
            sum(1 for _ in target.open("rb"))
            if fmt == "csv"
            else target.read_bytes().count(b"BEGIN:VEVENT")
        )
        if fmt == "csv":
            rows -= 1  # the header
        ratio = wall / calls_s
        ok = "yes" if ratio <= RATIO_TARGET and rss <= RSS_TARGET_MB else "**NO**"
        lines.append(
            f"| export reminders --audience customer --format {fmt}"
            f"{' --kinds ' + args.kinds if args.kinds else ''} ({rows:,} reminders) | "
            f"{wall:.2f} s | {ratio:.1f}× | ≤ {RATIO_TARGET:g}× | {rss:.0f} MB | "
            f"≤ {RSS_TARGET_MB:g} MB | {ok} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    (run.OUT / "export-results.md").write_text(text, encoding="utf-8")  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main())
