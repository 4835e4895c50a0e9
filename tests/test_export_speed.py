"""The customer export's fast paths (issue 8) give what the plain call list gives.

A reminder export scores only the reasons it exports (``listed_sql``'s
``reasons_only``) and keeps the terms that hold a customer off the quiet days:
these books are the ones a path that dropped those terms would get wrong.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import LOAN_HEADER, Cli

EN_CUSTOMER_HEADER = ["customer_id", "name", "phone", "id_number", "industry", "officer", "segment"]


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    customers = make_csv(
        "customers.csv",
        [EN_CUSTOMER_HEADER, ["C2", "李秀英", "13912348002", "", "五金", "李强", ""]],
    )
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            # Matures on Friday 4 Dec: its 1-day reminder window opens on Thursday 3 Dec.
            ["L4", "C2", "50000", "2025-12-04", "2026-12-04", "保证", "正常", "", "", ""],
        ],
    )  # fmt: skip
    for kind, path in (("customers", customers), ("loans", loans)):
        result = cli("import", kind, str(path))
        assert result.exit_code == 0, result.stderr
    return cli


def customer_rows(cli: Cli, *more: str) -> list[dict[str, str]]:
    result = cli(
        "export", "reminders", "--days", "5", "--audience", "customer", "--format", "csv", *more
    )
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))


def officer_dates(cli: Cli) -> list[tuple[str, str]]:
    result = cli("export", "reminders", "--days", "5", "--kinds", "maturing", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff")))
    return [(row["reason"], row["date"]) for row in rows]


def test_a_follow_up_due_keeps_the_customer_off_the_quiet_days_in_a_customer_export(
    book: Cli,
) -> None:
    """Called today with a follow-up set for tomorrow: on Thursday, two days after
    the call (inside the 3 quiet days), the follow-up is due, which keeps C2 on
    the list, so the maturity text that opens that day goes out that day. A
    customer export scores only its own reasons, but must keep follow_up's
    points for the quiet rule (else the text would wait for Friday)."""
    result = book("log", "C2", "--next", "2026-12-02", "--at", "2026-12-01 10:00")
    assert result.exit_code == 0, result.stderr
    assert officer_dates(book) == [("maturing", "2026-12-03")]
    rows = customer_rows(book)
    assert [row["date"] for row in rows] == ["2026-12-03"]
    assert [row["date"] for row in customer_rows(book, "--kinds", "maturing")] == ["2026-12-03"]


def test_without_the_follow_up_the_quiet_days_hold_the_text_until_friday(book: Cli) -> None:
    """The same call without a follow-up: C2 is quiet on Thursday, listed on Friday."""
    result = book("log", "C2", "--at", "2026-12-01 10:00")
    assert result.exit_code == 0, result.stderr
    assert officer_dates(book) == [("maturing", "2026-12-04")]
    assert [row["date"] for row in customer_rows(book)] == ["2026-12-04"]
