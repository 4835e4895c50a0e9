"""`retain retention` on books where the order of a customer's loans decides the spells.

Retention reads only the closed and written-off loans one by one and, of the
open ones, the first two disbursement days per customer (an open loan never
ends, so nothing after it starts or ends a spell). This book is right only if
that shortcut keeps the definition: loans in order of disbursement, a loan
disbursed after every earlier one ended starts a spell. Today 2026-12-01.

    J  J1 2026-01-15 open; J2 2026-05-01 → closed 2026-06-10   one spell from January:
       J2 comes after an open loan, so neither its start nor its close moves it
    N  N1 2026-02-01 → closed 2026-03-01; N2 2026-05-01 open   ended in March, back in May
    K  K1 2026-03-01 → closed 2026-04-01; K2 2026-03-01 open   same day: one spell from March
    P  P1 2026-01-10 → closed 2026-02-10; P2 2026-04-01 → closed 2026-06-30
                                                              two spells, no open loan
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli

CUSTOMERS = [CUSTOMER_HEADER] + [
    [c, f"客户{c}", f"1381234801{i}", "", "", "王芳" if c in "JN" else "李强", ""]
    for i, c in enumerate("JNKP")
]
LOANS = [
    LOAN_HEADER,
    ["J1", "J", "10000", "2026-01-15", "2027-01-15", "信用", "正常", "", "", ""],
    ["J2", "J", "10000", "2026-05-01", "2027-05-01", "信用", "结清", "2026-06-10", "0", ""],
    ["N1", "N", "10000", "2026-02-01", "2027-02-01", "信用", "结清", "2026-03-01", "0", ""],
    ["N2", "N", "10000", "2026-05-01", "2027-05-01", "信用", "正常", "", "", ""],
    ["K1", "K", "10000", "2026-03-01", "2027-03-01", "信用", "结清", "2026-04-01", "0", ""],
    ["K2", "K", "10000", "2026-03-01", "2027-03-01", "信用", "正常", "", "", ""],
    ["P1", "P", "10000", "2026-01-10", "2027-01-10", "信用", "结清", "2026-02-10", "0", ""],
    ["P2", "P", "10000", "2026-04-01", "2027-04-01", "信用", "结清", "2026-06-30", "0", ""],
]  # fmt: skip

MONTHS = [f"2026-{m:02d}" for m in range(1, 12)]


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    assert cli("import", "customers", str(make_csv("c.csv", CUSTOMERS))).exit_code == 0
    assert cli("import", "loans", str(make_csv("l.csv", LOANS))).exit_code == 0
    return cli


def column(cli: Cli, name: str, *args: str) -> list[Any]:
    result = cli(
        "retention", "--from", "2026-01-01", "--to", "2026-11-30", *args, "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    rows = [p for p in result.json()["periods"] if p["officer"] is None]
    assert [p["period"] for p in rows] == MONTHS
    return [p[name] for p in rows]


def test_borrowers_active_at_each_months_end(book: Cli) -> None:
    # Jan: J, P. Feb: J, N (P ended). Mar: J, K (N ended). Apr: + P. May: + N.
    # Jun: P ended on the 30th; J's close of J2 ends nothing (J1 is open).
    assert column(book, "active_end") == [2, 2, 2, 3, 4, 3, 3, 3, 3, 3, 3]
    assert column(book, "active_start") == [0, 2, 2, 2, 3, 4, 3, 3, 3, 3, 3]


def test_new_borrowers_and_win_backs(book: Cli) -> None:
    # J2 after the open J1 is neither new nor a win-back; K2 the day of K1 continues it.
    assert column(book, "new_borrowers") == [2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert column(book, "won_back") == [0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]


def test_closers_and_repeaters_count_loans_after_an_open_one(book: Cli) -> None:
    # First closes: P Feb, N Mar, K Apr, J Jun (J2, after the open J1).
    # Repeat by max(first close, second loan): P Apr, K Apr, N May, J Jun.
    assert column(book, "closers") == [0, 1, 2, 3, 3, 4, 4, 4, 4, 4, 4]
    assert column(book, "repeaters") == [0, 0, 0, 2, 3, 4, 4, 4, 4, 4, 4]


def test_officers_add_up_to_the_whole(book: Cli) -> None:
    result = book(
        "retention", "--from", "2026-01-01", "--to", "2026-11-30", "--by", "officer",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = result.json()["periods"]
    assert {p["officer"] for p in rows} == {"王芳", "李强"}
    for name in ("active_start", "active_end", "new_borrowers", "won_back", "closers"):
        whole = column(book, name)
        parts = [sum(p[name] for p in rows if p["period"] == month) for month in MONTHS]
        assert parts == whole, name
