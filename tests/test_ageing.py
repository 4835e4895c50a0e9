"""Imported days past due are a snapshot as of the file's day, and age day by day.

Scripted across days as an officer lives them: the core system's export
imported on a Monday, the same file imported again the next day, Friday's file
imported on Monday with --as-of, and the export of the following day.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from retain.days import day_number
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli

MONDAY = "2026-03-09"


def _loans(make_csv: Callable[..., Path], name: str, dpd: int) -> Path:
    """C1's loan reported overdue ``dpd`` days (maturity months ahead, so the figure
    can only come from the file); C2's loan simply running."""
    return make_csv(
        name,
        [
            LOAN_HEADER,
            [
                "L1",
                "C1",
                "50000",
                "2025-09-01",
                "2026-09-01",
                "信用",
                "逾期",
                "",
                "50000",
                str(dpd),
            ],
            ["L2", "C2", "80000", "2025-10-01", "2026-10-01", "保证", "正常", "", "80000", ""],
        ],
    )


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    customers = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", "", "粮油", "王芳", ""],
            ["C2", "李强", "13912348002", "", "烟酒", "王芳", ""],
        ],
    )
    assert cli("import", "customers", str(customers), today=MONDAY).exit_code == 0
    return cli


def _dpd(cli: Cli, today: str) -> int:
    rows = cli("overdue", "--format", "json", today=today).json()
    assert [r["loan_id"] for r in rows] == ["L1"]
    return int(rows[0]["days_past_due"])


def _import(cli: Cli, path: Path, today: str, *extra: str) -> dict[str, Any]:
    result = cli("import", "loans", str(path), "--format", "json", *extra, today=today)
    assert result.exit_code == 0, result.stderr
    report: dict[str, Any] = result.json()
    return report


def _changes(cli: Cli) -> int:
    return int(cli.sql("SELECT COUNT(*) FROM changes")[0][0])


def _reminder_ids(cli: Cli, today: str) -> set[str]:
    rows = cli("export", "reminders", "--days", "0", "--format", "json", today=today).json()
    return {r["reminder_id"] for r in rows if r["reason"] == "overdue"}


def test_an_imported_snapshot_ages_day_by_day(book: Cli, make_csv: Callable[..., Path]) -> None:
    _import(book, _loans(make_csv, "monday.csv", 10), MONDAY)
    assert _dpd(book, MONDAY) == 10
    assert _dpd(book, "2026-03-10") == 11
    # Three months on, with no newer file: 10 + 113 days, and the class moved on.
    june = book("overdue", "--format", "json", today="2026-06-30").json()[0]
    assert june["days_past_due"] == 123 and june["class"] == "substandard"
    calls = book("calls", "--format", "json", today="2026-06-30").json()
    c1 = next(r for r in calls if r["customer_id"] == "C1")
    assert c1["days_past_due"] == 123
    explained = book("calls", "--explain", "C1", "--format", "json", today="2026-06-30").json()
    rule = next(t["rule"] for t in explained["terms"] if t["term"] == "overdue")
    assert "123 days past due" in rule and "substandard" in rule
    shown = book("show", "C1", today="2026-06-30")
    assert shown.exit_code == 0 and "123" in shown.stdout
    # A --today before the snapshot never shows negative days.
    assert book("overdue", "--format", "json", today="2026-02-20").json()[0]["days_past_due"] == 0


def test_the_same_file_again_on_a_later_day_changes_nothing(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    monday = _loans(make_csv, "monday.csv", 10)
    first = _import(book, monday, MONDAY)
    assert first["added"] == 2
    changes = _changes(book)
    ids = _reminder_ids(book, "2026-03-10")
    assert ids
    for later in ("2026-03-10", "2026-03-16"):
        again = _import(book, monday, later)
        assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 2)
        assert _changes(book) == changes  # no false changes in the audit trail
        assert _reminder_ids(book, "2026-03-10") == ids  # --new-only sends nothing twice
    assert _dpd(book, "2026-03-16") == 17  # still aged from Monday's snapshot


def test_the_next_days_export_keeps_the_spell(book: Cli, make_csv: Callable[..., Path]) -> None:
    _import(book, _loans(make_csv, "monday.csv", 10), MONDAY)
    ids = _reminder_ids(book, "2026-03-10")
    tuesday = _import(book, _loans(make_csv, "tuesday.csv", 11), "2026-03-10")
    assert tuesday["updated"] == 1  # the figure changed, the spell did not
    assert _dpd(book, "2026-03-10") == 11
    assert _reminder_ids(book, "2026-03-10") == ids


def test_fridays_file_imported_on_monday_with_as_of(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    friday = _loans(make_csv, "friday.csv", 10)
    _import(book, friday, MONDAY, "--as-of", "2026-03-06")
    assert _dpd(book, MONDAY) == 13
    as_of = book.sql("SELECT as_of_day FROM imports WHERE kind = 'loans' ORDER BY import_id DESC")[
        0
    ][0]
    assert as_of == day_number("2026-03-06")
    relative = _import(book, friday, MONDAY, "--as-of", "-3d")
    assert relative["unchanged"] == 2


def test_as_of_cannot_be_in_the_future(book: Cli, make_csv: Callable[..., Path]) -> None:
    result = book(
        "import", "loans", str(_loans(make_csv, "x.csv", 1)), "--as-of", "2026-03-10", today=MONDAY
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and "2026-03-10" in result.stderr
    assert book("overdue", "--format", "json", today=MONDAY).json() == []  # nothing imported
