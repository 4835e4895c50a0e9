"""Which reader for .xlsx: openpyxl (read-only, streaming) or python-calamine?

    python bench/xlsx.py                 # a 100,000-row loans sheet, 3 runs each
    python bench/xlsx.py --rows 20000 --runs 1

Writes a loans workbook like a core system's export (text ids with leading
zeros, real dates, a date-time, money with fen, integers, Chinese text, blank
cells), then reads every cell of it in a child process with each reader the way
retain's importer would (``retain.importing.read``'s workbook classes), ``--runs``
times, alternating, and reports the median wall time and peak RSS of each, and
whether the two readers gave the same value for every cell (the same Python
type and value after retain's own normalising of a date-time to a date).
Issue 9: "use the faster if it reads dates and numbers as faithfully".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"

READ = """
import json, sys, datetime as dt
from pathlib import Path
from retain.importing.read import ReadLimits, _XlsBook, _XlsxBook
path, reader, dump = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
limits = ReadLimits(max_cells=10**9)
book = (
    _XlsxBook(path, path.name, limits)
    if reader == "openpyxl"
    else _XlsBook(path, path.name, limits, error_key="read.xlsx")
)
cells = 0
out = open(dump, "w") if dump != "-" else None
for row in book.rows(0):
    cells += len(row.cells)
    if out is not None:
        out.write(json.dumps([[type(v).__name__, str(v)] for v in row.cells], ensure_ascii=False))
        out.write("\\n")
book.close()
print(cells)
"""


def make_workbook(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("贷款")
    sheet.append(
        [
            "借据号",
            "客户编号",
            "客户名称",
            "手机号码",
            "贷款金额",
            "贷款余额",
            "放款日期",
            "到期日期",
            "担保方式",
            "贷款状态",
            "逾期天数",
            "最后还款时间",
        ]
    )
    start = dt.date(2025, 1, 1)
    for n in range(rows):
        disbursed = start + dt.timedelta(days=n % 700)
        sheet.append(
            [
                f"00{n:08d}",  # a text id Excel must not turn into a number
                f"C{n % 20000:06d}",
                f"客户{n}",
                f"138{n:08d}" if n % 50 else None,
                50000 + (n % 97) * 1000,
                round(12345.67 + n % 1000 * 0.01, 2),
                disbursed,
                disbursed + dt.timedelta(days=365),
                "信用" if n % 3 else "保证",
                "正常" if n % 11 else "逾期",
                (n % 11 == 0) * (n % 90),
                dt.datetime(2026, 11, 1, 9, 30) + dt.timedelta(minutes=n % 5000),
            ]
        )
    book.save(path)


def run(python: str, path: Path, reader: str, dump: str = "-") -> tuple[float, float, str]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [python, "-c", READ, str(path), reader, dump], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{reader} failed")
    return seconds, usage.ru_maxrss / 1024, out.strip()


def _same_value(cell: list[str]) -> list[str]:
    """The two readers' types for one value: a whole float is its int (calamine
    gives 50000.0 where openpyxl gives 50000), a midnight date-time is its date
    (openpyxl gives 2025-01-01 00:00:00 for a date cell). retain's normaliser
    reads both the same way; anything else must match exactly."""
    kind, text = cell
    if kind == "float" and text.endswith(".0"):
        return ["int", text[:-2]]
    if kind == "datetime" and text.endswith(" 00:00:00"):
        return ["date", text[:-9]]
    return cell


def differences(left: Path, right: Path, *, loose: bool) -> list[str]:
    found = []
    with left.open() as a, right.open() as b:
        for row_no, (x, y) in enumerate(zip(a, b, strict=True), 1):
            xs, ys = json.loads(x), json.loads(y)
            for col, (cx, cy) in enumerate(zip(xs, ys, strict=False), 1):
                if loose:
                    cx, cy = _same_value(cx), _same_value(cy)
                if cx != cy:
                    found.append(f"row {row_no} col {col}: openpyxl {cx} / calamine {cy}")
            if len(xs) != len(ys):
                found.append(f"row {row_no}: {len(xs)} vs {len(ys)} cells")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"loans-{args.rows}.xlsx"
    if not path.exists():
        make_workbook(path, args.rows)
    python = sys.executable
    times: dict[str, list[float]] = {"openpyxl": [], "calamine": []}
    rss: dict[str, list[float]] = {"openpyxl": [], "calamine": []}
    for _ in range(args.runs):
        for reader in times:
            seconds, mb, _ = run(python, path, reader)
            times[reader].append(seconds)
            rss[reader].append(mb)
    dumps = {reader: OUT / f"xlsx-{reader}.ndjson" for reader in times}
    for reader, dump in dumps.items():
        run(python, path, reader, str(dump))
    diff = differences(dumps["openpyxl"], dumps["calamine"], loose=False)
    loose = differences(dumps["openpyxl"], dumps["calamine"], loose=True)
    print(f"{args.rows:,}-row sheet ({path.stat().st_size / 1e6:.1f} MB), medians of {args.runs}:")
    print("| reader | wall | peak RSS |")
    print("|---|---:|---:|")
    for reader in times:
        print(
            f"| {reader} | {statistics.median(times[reader]):.2f} s "
            f"| {statistics.median(rss[reader]):.0f} MB |"
        )
    ratio = statistics.median(times["openpyxl"]) / statistics.median(times["calamine"])
    print(f"calamine is {ratio:.1f}x as fast; cells that differ: {len(diff):,} by Python type,")
    print(f"{len(loose):,} once a whole float is an int and a midnight date-time a date:")
    for line in (loose or diff)[:10]:
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
