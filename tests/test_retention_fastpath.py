"""`retain retention` on books that only a correct fast path counts right.

Retention reads the ended loans one by one but, of the open ones, each
customer's first disbursement day only; the second open loan is read only
where it can be the customer's second loan AND decide when the customer
counts as a repeater. And the closes of a long window are found through
another index than those of a month. Each customer below breaks one way of
cutting those corners wrongly. Today 2026-12-01; months 2026-01 … 2026-11.

    Q  Q1 01-10 open; Q2 02-01 open; Q3 03-01 → closed 05-20
       its second loan is an open one (Q2): a repeater from its first close, May
    R  R1 01-05 → closed 02-01; R2 06-15 open
       second loan after the close: a repeater from June, not February; back in June
    S  S1 01-05 → closed 02-10; S2 03-01 open; S3 04-01 → closed 05-01
       second loan the open S2 (before S3): a repeater from March; back in March
    U  U1 01-01 → closed 03-01; U2 02-01 → closed 02-15
       nested loans: one spell to March 1st, a repeater from February
    T  T1 02-01 open; T2 02-01 open                 open loans only: new in February
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from retain.days import day_number
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli

CUSTOMERS = [CUSTOMER_HEADER] + [
    [c, f"客户{c}", f"1381234802{i}", "", "", "王芳" if c in "QRS" else "李强", ""]
    for i, c in enumerate("QRSUTV")
]
LOANS = [
    LOAN_HEADER,
    ["Q1", "Q", "10000", "2026-01-10", "2027-01-10", "信用", "正常", "", "", ""],
    ["Q2", "Q", "10000", "2026-02-01", "2027-02-01", "信用", "正常", "", "", ""],
    ["Q3", "Q", "10000", "2026-03-01", "2027-03-01", "信用", "结清", "2026-05-20", "0", ""],
    ["R1", "R", "10000", "2026-01-05", "2027-01-05", "信用", "结清", "2026-02-01", "0", ""],
    ["R2", "R", "10000", "2026-06-15", "2027-06-15", "信用", "正常", "", "", ""],
    ["S1", "S", "10000", "2026-01-05", "2027-01-05", "信用", "结清", "2026-02-10", "0", ""],
    ["S2", "S", "10000", "2026-03-01", "2027-03-01", "信用", "正常", "", "", ""],
    ["S3", "S", "10000", "2026-04-01", "2027-04-01", "信用", "结清", "2026-05-01", "0", ""],
    ["U1", "U", "10000", "2026-01-01", "2027-01-01", "信用", "结清", "2026-03-01", "0", ""],
    ["U2", "U", "10000", "2026-02-01", "2027-02-01", "信用", "结清", "2026-02-15", "0", ""],
    ["T1", "T", "10000", "2026-02-01", "2027-02-01", "信用", "正常", "", "", ""],
    ["T2", "T", "10000", "2026-02-01", "2027-02-01", "信用", "正常", "", "", ""],
]  # fmt: skip

MONTHS = [f"2026-{m:02d}" for m in range(1, 12)]


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    assert cli("import", "customers", str(make_csv("c.csv", CUSTOMERS))).exit_code == 0
    assert cli("import", "loans", str(make_csv("l.csv", LOANS))).exit_code == 0
    return cli


def periods(cli: Cli, *args: str) -> list[dict[str, Any]]:
    result = cli("retention", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return [p for p in result.json()["periods"] if p["officer"] is None]


def column(cli: Cli, name: str) -> list[Any]:
    rows = periods(cli, "--from", "2026-01-01", "--to", "2026-11-30")
    assert [p["period"] for p in rows] == MONTHS
    return [p[name] for p in rows]


def test_repeaters_whose_second_loan_is_open(book: Cli) -> None:
    # First closes: R, S, U in February, Q in May.
    assert column(book, "closers") == [0, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4]
    # max(first close, second loan): U Feb, S Mar (S2), Q May (Q2 came first), R Jun.
    assert column(book, "repeaters") == [0, 1, 2, 2, 3, 4, 4, 4, 4, 4, 4]


def test_spells_stop_at_the_first_open_loan(book: Cli) -> None:
    # Jan: Q, R, S, U. Feb: Q, U, T (R and S ended). Mar: Q, S back, T (U ended
    # on the 1st). Jun: R back. S3 and Q3, after an open loan, change nothing.
    assert column(book, "active_end") == [4, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4]
    assert column(book, "new_borrowers") == [4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert column(book, "won_back") == [0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0]


def test_a_months_closes_are_the_same_alone_or_in_a_year(book: Cli) -> None:
    # A one-month window and a year read the closes through different indexes.
    year = {p["period"]: p for p in periods(book, "--from", "2026-01-01", "--to", "2026-11-30")}
    for month, last in (("2026-02", "2026-02-28"), ("2026-03", "2026-03-31")):
        (alone,) = periods(book, "--from", f"{month}-01", "--to", last)
        for name in ("closed", "dropouts", "closers", "repeaters", "active_end"):
            assert alone[name] == year[month][name], (month, name)
    assert [year[m]["closed"] for m in ("2026-02", "2026-03", "2026-05")] == [3, 1, 2]


def test_a_close_before_its_disbursement_still_counts_the_second_open_loan(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    # Imports refuse a close before the disbursement, but a store may hold one
    # (written before that check): V1 01-10 and V2 02-20 open, V3 04-01 closed
    # 03-01. The second loan is V2, so V is a repeater from its close in March,
    # not from V3's disbursement in April.
    loans = [
        LOAN_HEADER,
        ["V1", "V", "10000", "2026-01-10", "2027-01-10", "信用", "正常", "", "", ""],
        ["V2", "V", "10000", "2026-02-20", "2027-02-20", "信用", "正常", "", "", ""],
        ["V3", "V", "10000", "2026-04-01", "2027-04-01", "信用", "结清", "2026-04-20", "0", ""],
    ]  # fmt: skip
    assert cli("import", "customers", str(make_csv("c.csv", CUSTOMERS))).exit_code == 0
    assert cli("import", "loans", str(make_csv("l.csv", loans))).exit_code == 0
    with closing(cli.connect()) as conn:
        conn.execute(
            "UPDATE loans SET closed_on = '2026-03-01', closed_day = ? WHERE loan_id = 'V3'",
            (day_number(dt.date(2026, 3, 1)),),
        )
    assert column(cli, "closers") == [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    assert column(cli, "repeaters") == [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]
