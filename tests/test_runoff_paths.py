"""`retain runoff`: the whole book's ladder is summed from the maturity index per
maturity day (loans with a schedule taken back out, they mature by instalment);
a ladder ``--by`` a group is summed from the loans per month. This book is right
only if both agree, at month edges, across statuses and with a schedule.

Today 2026-12-01; the book of tests/test_runoff.py plus
    E1 C1 overdue, matured 2026-11-20, balance 7,000: in the balance, never maturing
    E2 C2 overdue, matures 2026-12-31 (this month's last day), balance 5,000
    E3 C4 active, matures 2027-01-01 (next month's first day), balance 3,000
and L3 on a schedule: 27,500 unpaid in December, 30,000 in January, 20,000 in February.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LOAN_HEADER, Cli
from tests.test_runoff import BOOK_CUSTOMERS, BOOK_LOANS, ok

EXTRA = [
    ["E1", "C1", "9000", "2025-11-20", "2026-11-20", "信用", "逾期", "", "7000", "11"],
    ["E2", "C2", "6000", "2025-12-31", "2026-12-31", "保证", "逾期", "", "5000", "3"],
    ["E3", "C4", "3000", "2026-01-01", "2027-01-01", "信用", "正常", "", "3000", ""],
]  # fmt: skip
SCHEDULE = [
    ("L3", 1, "2026-11-10", 20000, 500, 20500),
    ("L3", 2, "2026-12-10", 30000, 500, 3000),
    ("L3", 3, "2027-01-10", 30000, 500, None),
    ("L3", 4, "2027-02-10", 20000, 500, None),
]


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    ok(cli("import", "customers", str(make_csv("c.csv", BOOK_CUSTOMERS))))
    ok(cli("import", "loans", str(make_csv("l.csv", BOOK_LOANS))))
    ok(cli("import", "loans", str(make_csv("e.csv", [LOAN_HEADER, *EXTRA]))))
    with closing(cli.connect()) as conn:
        for loan, period, due, principal, interest, paid in SCHEDULE:
            day = (dt.date.fromisoformat(due) - dt.date(1970, 1, 1)).days
            conn.execute(
                "INSERT INTO instalments (loan_id, period, due_on, due_day, principal_fen,"
                " interest_fen, paid_fen) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (loan, period, due, day, principal * 100, interest * 100,
                 None if paid is None else paid * 100),
            )  # fmt: skip
    return cli


def ladder(cli: Cli, *args: str) -> dict[str, Any]:
    result = ok(cli("runoff", "--months", "4", *args, "--format", "json"))
    payload: dict[str, Any] = result.json()
    return payload


def test_the_whole_book_at_month_edges_with_a_schedule(book: Cli) -> None:
    payload = ladder(book)
    assert payload["balance"] == 240000 + 7000 + 5000 + 3000
    months = [m for m in payload["months"] if m["group"] is None]
    # Dec: L1 60,000 + E2 5,000 + L3's 27,500. Jan: L2 50,000 + L4 10,000 + E3 3,000
    # + L3's 30,000. Feb: L3's 20,000 (L3 no longer matures whole). Mar: nothing.
    assert [m["maturing"] for m in months] == [92500, 93000, 20000, 0]
    assert [m["loans"] for m in months] == [2, 3, 1, 0]


@pytest.mark.parametrize("by", ["officer", "guarantee", "industry"])
def test_groups_add_up_to_the_whole(book: Cli, by: str) -> None:
    payload = ladder(book, "--by", by)
    whole = ladder(book)
    assert payload["balance"] == whole["balance"]
    months = [m["month"] for m in whole["months"]]
    for name in ("maturing", "loans"):
        summed = [
            sum(m[name] for m in payload["months"] if m["group"] is not None and m["month"] == k)
            for k in months
        ]
        assert summed == [m[name] for m in whole["months"]], name


def test_an_officers_book_alone(book: Cli) -> None:
    # 李强: C3 (L3 on its schedule, L4) and C4 (L5, E3).
    months = [m for m in ladder(book, "--officer", "李强")["months"] if m["group"] is None]
    assert [m["maturing"] for m in months] == [27500, 30000 + 10000 + 3000, 20000, 0]
