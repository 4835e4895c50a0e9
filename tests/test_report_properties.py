"""Properties of snapshots and the review's ladder on random small books (tests/books.py).

(a) today's snapshot (``trend``) is the book ``overdue --summary`` shows: balance,
    PAR30, PAR90; and the officers' snapshots add up to the whole;
(b) each month of the review's ladder is the sum of the open loans ``due`` lists
    as maturing in that month, and its remaining balance falls by exactly that.
"""

from __future__ import annotations

import os
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from hypothesis import given, note, settings

from tests.books import OFFICERS, Book, books, json_of, load_book
from tests.conftest import Cli
from tests.test_properties import scratch
from tests.test_report import page_text

PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "15")), deadline=None
)


def fresh(book: Book, folder: str) -> Cli:
    note("To replay by hand:\n" + book.script())
    cli = Cli(Path(folder) / "store" / "retain.db")
    load_book(cli, book, Path(folder))
    return cli


@PROPERTY_SETTINGS
@given(book=books())
def test_a_snapshot_is_the_book_overdue_summary_shows(book: Book) -> None:
    with scratch() as folder:
        cli = fresh(book, folder)
        if not book.loans:
            assert json_of(cli, "trend") == []
            return
        (whole,) = json_of(cli, "trend")
        summary = json_of(cli, "overdue", "--summary")
        assert whole["balance"] == summary["total_balance"]
        assert whole["loans"] == summary["total_count"]
        assert whole["par30"] == summary["par30"] and whole["par90"] == summary["par90"]
        assert whole["customers"] == len(book.customers)
        parts = [json_of(cli, "trend", "--officer", o) for o in OFFICERS if o]
        # Customers without an officer are the '' snapshot, which --officer cannot name.
        no_officer = [c for c in book.customers if not c[5]]
        shown = [rows[0] for rows in parts if rows]
        assert sum(r["customers"] for r in shown) == len(book.customers) - len(no_officer)
        if not no_officer:
            for name in ("loans", "noloan"):
                assert sum(r[name] for r in shown) == whole[name]
            total = sum(Decimal(str(r["balance"])) for r in shown)
            assert total == Decimal(str(whole["balance"]))


@PROPERTY_SETTINGS
@given(book=books())
def test_b_ladder_months_are_the_sums_of_their_maturing_loans(book: Book) -> None:
    with scratch() as folder:
        cli = fresh(book, folder)
        page = Path(folder) / "review.html"
        result = cli("report", "--month", "2026-11", "--output", str(page))
        assert result.exit_code == 0, result.stderr
        parts = page_text(page.read_text(encoding="utf-8")).parts
        # Today is 2026-12-01: the ladder's 12 months are the next 365 days.
        due = json_of(cli, "due", "--days", "364")
        by_month: dict[str, Decimal] = defaultdict(Decimal)
        count: dict[str, int] = defaultdict(int)
        for loan in due:
            month = loan["matures_on"][:7]
            amount = loan["balance"] if loan["balance"] is not None else loan["principal"]
            by_month[month] += Decimal(str(amount))
            count[month] += 1
        previous = None
        # The ladder's rows follow its last heading, nine cells each.
        at = parts.index("Cum. gap") + 1
        for i, (year, month) in enumerate([(2026, 12)] + [(2027, m) for m in range(1, 12)]):
            key = f"{year}-{month:02d}"
            row = parts[at + 9 * i : at + 9 * i + 9]
            assert row[0] == key
            assert int(row[1]) == count[key], key
            maturing = Decimal(row[3].replace(",", ""))
            assert maturing == by_month[key], key
            remaining = Decimal(row[4].replace(",", ""))
            if previous is not None:
                assert previous - remaining == maturing, key
            previous = remaining
