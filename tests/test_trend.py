"""Portfolio snapshots (one per loans import and as-of day) and ``retain trend``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli

CUSTOMERS = [
    CUSTOMER_HEADER,
    ["C1", "王建国", "13812348001", "", "粮油", "王芳", ""],
    ["C2", "李秀英", "13912348002", "", "烟酒", "李强", ""],
    ["C3", "张伟", "15012348003", "", "服装", "王芳", ""],
    ["C4", "赵敏", "15012348004", "", "餐饮", "王芳", ""],  # never borrowed
]
# As of 2026-12-01.
LOANS = [
    LOAN_HEADER,
    # C1: balance 40,000 at 0 days; 20,000 imported 40 days past due; one closed.
    ["L1", "C1", "100000", "2025-12-06", "2026-12-06", "信用", "正常", "", "40000", ""],
    ["L2", "C1", "20000", "2025-06-01", "2026-10-22", "抵押", "逾期", "", "20000", "40"],
    ["L3", "C1", "30000", "2024-06-01", "2025-06-01", "信用", "结清", "2025-06-01", "0", ""],
    # C2: no balance in the file: its principal 50,000 counts.
    ["L4", "C2", "50000", "2025-12-04", "2026-12-04", "保证", "正常", "", "", ""],
    # C3: 60,000 imported 95 days past due; 10,000 matured 2026-11-21 (10 days ago).
    ["L5", "C3", "80000", "2025-08-28", "2026-08-28", "质押", "逾期", "", "60000", "95"],
    ["L6", "C3", "10000", "2025-11-21", "2026-11-21", "信用", "正常", "", "10000", ""],
]  # fmt: skip


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    for kind, rows in (("customers", CUSTOMERS), ("loans", LOANS)):
        result = cli("import", kind, str(make_csv(f"{kind}.csv", rows)))
        assert result.exit_code == 0, result.stderr
    return cli


def trend_rows(cli: Cli, *args: str, today: str | None = None) -> list[dict[str, Any]]:
    result = cli("trend", "--format", "json", *args, today=today)
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, Any]] = result.json()
    return rows


def test_a_snapshot_holds_the_hand_computed_book(book: Cli) -> None:
    (row,) = trend_rows(book)
    assert row["day"] == "2026-12-01" and row["week"] == "2026-W49"
    # Customers C1–C4; C4 has never borrowed: 1 without an open loan.
    assert row["customers"] == 4 and row["noloan"] == 1
    # Open loans L1 L2 L4 L5 L6 (L3 closed).
    assert row["loans"] == 5
    # Balance 40,000 + 20,000 + 50,000 (principal) + 60,000 + 10,000 = 180,000.
    assert row["balance"] == 180000.00
    # Past due: L2 (40 d) 20,000 + L5 (95 d) 60,000 + L6 (10 d past maturity) 10,000 = 90,000.
    assert row["overdue"] == 90000.00
    # PAR30: L2 + L5 = 80,000 ÷ 180,000 = 0.4444; PAR90: L5 60,000 ÷ 180,000 = 0.3333.
    assert row["par30"] == 0.4444
    assert row["par90"] == 0.3333


def test_one_officers_snapshot(book: Cli) -> None:
    (row,) = trend_rows(book, "--officer", "王芳")
    # 王芳: C1 C3 C4; loans L1 L2 L5 L6 = 40,000 + 20,000 + 60,000 + 10,000 = 130,000.
    assert (row["customers"], row["loans"], row["noloan"]) == (3, 4, 1)
    assert row["balance"] == 130000.00 and row["overdue"] == 90000.00
    # PAR30 80,000 ÷ 130,000 = 0.6154; PAR90 60,000 ÷ 130,000 = 0.4615.
    assert (row["par30"], row["par90"]) == (0.6154, 0.4615)
    (other,) = trend_rows(book, "--officer", "李强")
    assert (other["customers"], other["loans"], other["balance"]) == (1, 1, 50000.00)
    assert (other["overdue"], other["par30"], other["noloan"]) == (0, 0.0, 0)


def test_reimporting_the_same_day_replaces_its_snapshot(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    first = trend_rows(book)
    again = book("import", "loans", str(make_csv("same.csv", LOANS)))
    assert again.exit_code == 0, again.stderr
    assert trend_rows(book) == first  # idempotent: still one row, same figures
    # L1 repaid down to 10,000 in a corrected file of the same day: the day's row changes.
    changed = [LOANS[0], [*LOANS[1][:8], "10000", ""], *LOANS[2:]]
    assert book("import", "loans", str(make_csv("fixed.csv", changed))).exit_code == 0
    (row,) = trend_rows(book)
    assert row["balance"] == 150000.00  # 180,000 − 30,000


def test_a_dry_run_records_no_snapshot(cli: Cli, make_csv: Callable[..., Path]) -> None:
    cli("import", "customers", str(make_csv("c.csv", CUSTOMERS)))
    result = cli("import", "loans", str(make_csv("l.csv", LOANS)), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert trend_rows(cli) == []


def _loans(balance_l1: int, dpd_l5: int) -> list[list[object]]:
    rows = [list(r) for r in LOANS]
    rows[1][8] = str(balance_l1)
    rows[5][9] = str(dpd_l5)
    return rows


def test_trend_across_weeks_latest_snapshot_of_each_week(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    cli("import", "customers", str(make_csv("c.csv", CUSTOMERS)), today="2026-11-02")
    # Three imports: Mon 2026-11-02, Wed 11-04 (same week: replaces the Monday
    # in the weekly view), and 11-16 two weeks later, with L1's balance falling.
    for today, balance, name in (
        ("2026-11-02", 90000, "a.csv"),
        ("2026-11-04", 80000, "b.csv"),
        ("2026-11-16", 60000, "c.csv"),
    ):
        result = cli("import", "loans", str(make_csv(name, _loans(balance, 50))), today=today)
        assert result.exit_code == 0, result.stderr
    rows = trend_rows(cli, today="2026-11-20")
    assert [r["day"] for r in rows] == ["2026-11-04", "2026-11-16"]
    # 2026-11-04: 80,000 + 20,000 + 50,000 + 60,000 + 10,000 = 220,000.
    # L2 was imported 40 days past due as of 11-04 (and again on 11-16).
    assert [r["balance"] for r in rows] == [220000.00, 200000.00]
    # L5 at 50 days: PAR30 = L2 20,000 + L5 60,000 = 80,000; PAR90 none.
    assert rows[1]["par30"] == round(80000 / 200000, 4) and rows[1]["par90"] == 0.0
    # --weeks 1 looks back 7 days from 2026-11-20: only the 11-16 snapshot.
    assert [r["day"] for r in trend_rows(cli, "--weeks", "1", today="2026-11-20")] == ["2026-11-16"]
    # A snapshot after "today" is not shown.
    assert [r["day"] for r in trend_rows(cli, today="2026-11-10")] == ["2026-11-04"]


def test_an_as_of_import_snapshots_its_as_of_day(book: Cli, make_csv: Callable[..., Path]) -> None:
    old = _loans(40000, 95)
    result = book("import", "loans", str(make_csv("old.csv", old)), "--as-of", "2026-11-20")
    assert result.exit_code == 0, result.stderr
    assert [r["day"] for r in trend_rows(book)] == ["2026-11-20", "2026-12-01"]


def test_the_table_has_a_chart_and_no_colour_under_no_color(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    cli("import", "customers", str(make_csv("c.csv", CUSTOMERS)), today="2026-11-02")
    for today, balance in (("2026-11-02", 90000), ("2026-11-09", 60000), ("2026-11-16", 30000)):
        cli("import", "loans", str(make_csv(f"{today}.csv", _loans(balance, 50))), today=today)
    result = cli("trend", today="2026-11-16", env={"RETAIN_TTY": "1", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.stderr
    assert "\x1b[" not in result.stdout
    # Balances 230,000 → 200,000 → 170,000: highest first, a full bar (24 cells).
    assert "2026-W45" in result.stdout and "█" * 24 in result.stdout
    assert "balance: 230,000.00 █▅▁ 170,000.00" in result.stdout
    assert "PAR30/PAR90" in result.stdout


def test_trend_in_chinese_and_with_nothing_yet(cli: Cli, make_csv: Callable[..., Path]) -> None:
    cli("import", "customers", str(make_csv("c.csv", CUSTOMERS)))
    result = cli("--lang", "zh", "trend", "--metric", "par30", env={"RETAIN_TTY": "1"})
    assert result.exit_code == 0, result.stderr
    assert "这几周没有快照" in result.stdout and "PAR30" in result.stdout


def test_trend_has_no_ids_format(book: Cli) -> None:
    result = book("trend", "--format", "ids")  # weeks, not customers: a usage error
    assert result.exit_code == 2
    assert "Error: Invalid value for '--format'" in result.stderr
    assert "Traceback" not in result.stderr


def test_overdue_summary_shows_the_change_since_the_previous_snapshot(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    cli("import", "customers", str(make_csv("c.csv", CUSTOMERS)), today="2026-11-16")
    first = cli("import", "loans", str(make_csv("a.csv", _loans(60000, 50))), today="2026-11-16")
    assert first.exit_code == 0
    alone = cli("overdue", "--summary", "--format", "json", today="2026-11-16").json()
    assert alone["previous"] is None
    cli("import", "loans", str(make_csv("b.csv", _loans(40000, 95))), today="2026-12-01")
    summary = cli("overdue", "--summary", "--format", "json").json()
    # 11-16: 60,000 + 20,000 + 50,000 + 60,000 + 10,000 = 200,000; PAR30 80,000 (0.4),
    # PAR90 0 (L5 at 50 days). Now: 180,000, PAR30 0.4444, PAR90 0.3333.
    assert summary["previous"] == {
        "day": "2026-11-16",
        "total_balance": 200000.00,
        "par30": 0.4,
        "par90": 0.0,
    }
    table = cli("overdue", "--summary", env={"RETAIN_TTY": "1"})
    # Balance −20,000; PAR30 44.44% − 40.00% = +4.44 pp; PAR90 +33.33 pp.
    assert (
        "Since the snapshot of 2026-11-16: balance -20,000.00 yuan, PAR30 +4.44 pp, PAR90 +33.33 pp"
    ) in table.stdout
