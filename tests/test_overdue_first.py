"""Item 11 of issue 8: collections come first.

With the default weights every customer with an overdue loan (or a promised
follow-up that has arrived) ranks above every customer whose reasons are only
maturing, post-loan check, return visit, win-back or recovery.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.books import Book, books, day, json_of
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli
from tests.test_properties import PROPERTY_SETTINGS, fresh, full_list, scratch

COLLECTIONS = ("overdue", "follow_up")


def test_a_customer_27_days_past_due_outranks_a_loan_maturing_in_2_days(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    customers = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER,
            ["C1", "到期户", "13812348001", "", "粮油", "王芳", ""],
            ["C2", "逾期户", "13912348002", "", "粮油", "王芳", ""],
        ],
    )
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            # Both disbursed so that a post-loan check is due today (15 + 90k days).
            ["L1", "C1", "50000", day(-105), day(2), "信用", "正常", "", "", ""],
            ["L2", "C2", "50000", day(-105), day(-27), "信用", "逾期", "", "", ""],
        ],
    )
    assert cli("import", "customers", str(customers)).exit_code == 0
    assert cli("import", "loans", str(loans)).exit_code == 0
    rows = json_of(cli, "calls")
    assert [row["customer_id"] for row in rows] == ["C2", "C1"]
    assert rows[0]["overdue"] > 0 and rows[1]["maturing"] > 0


def test_an_arrived_follow_up_outranks_every_non_overdue_reason(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    customers = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER,
            ["C1", "到期户", "13812348001", "", "粮油", "王芳", ""],
            ["C2", "承诺户", "13912348002", "", "粮油", "王芳", ""],
        ],
    )
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            # C1 has everything but collections: maturing today, a check due,
            # a secured return visit due, and a written-off loan.
            ["L1", "C1", "50000", day(-105), day(0), "抵押", "正常", "", "", ""],
            ["L2", "C1", "50000", day(-900), day(-500), "信用", "核销", day(-200), "", ""],
            ["L3", "C2", "50000", day(-10), day(300), "信用", "正常", "", "", ""],
        ],
    )
    assert cli("import", "customers", str(customers)).exit_code == 0
    assert cli("import", "loans", str(loans)).exit_code == 0
    logged = cli("log", "C2", "--outcome", "promised", "--at", day(-5), "--next", day(0))
    assert logged.exit_code == 0, logged.stderr
    rows = json_of(cli, "calls")
    assert [row["customer_id"] for row in rows] == ["C2", "C1"]
    assert rows[0]["follow_up"] > 0


@PROPERTY_SETTINGS
@given(book=books(), when=st.integers(0, 14))
def test_collections_rank_above_every_other_reason(book: Book, when: int) -> None:
    today = day(when)
    with scratch() as folder:
        cli = fresh(book, folder)
        rows = full_list(cli, today)
        first = [row["rank"] for row in rows if any(row[t] > 0 for t in COLLECTIONS)]
        rest = [row["rank"] for row in rows if all(row[t] == 0 for t in COLLECTIONS)]
        if first and rest:
            assert max(first) < min(rest), [
                (row["rank"], row["customer_id"], row["reasons"], row["score"]) for row in rows
            ]
