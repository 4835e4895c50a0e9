"""Random small loan books for property tests, and a way to load one through the CLI.

A book is plain data (customers, loans, contacts as CSV cells and ``retain log``
arguments), so a failing example prints as something a person can replay by hand:
``Book.script()`` renders it as the shell commands that rebuild the store (the
property tests ``note()`` it, so a falsifying example comes with its script).
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, TODAY, Cli, write_csv

T0 = dt.date.fromisoformat(TODAY)
GUARANTEES = ("信用", "保证", "抵押", "质押")
STATUSES = ("正常", "逾期", "结清", "核销")
OFFICERS = ("王芳", "李强", "陈静", "")
# Maturities (days from today) that cross a reminder tier (30/15/7/1 days before)
# or an arrears class edge (90/180/360 days past due) today or in the next days.
EDGES_AHEAD = (0, 1, 2, 7, 8, 9, 15, 16, 17, 30, 31, 32)
# A loans file with the next instalment: 下次还款日 / 下期应还 / 当前期数.
BOOK_LOAN_HEADER = [*LOAN_HEADER, "下次还款日", "下期应还", "当前期数"]
EDGES_BEHIND = (-1, -2, -88, -89, -90, -91, -178, -179, -180, -181, -358, -359, -360, -361)


def day(offset: int, base: dt.date = T0) -> str:
    return (base + dt.timedelta(days=offset)).isoformat()


@dataclass
class Book:
    customers: list[list[object]] = field(default_factory=list)
    loans: list[list[object]] = field(default_factory=list)
    # Each contact: the arguments after ``retain log``.
    contacts: list[list[str]] = field(default_factory=list)

    @property
    def customer_ids(self) -> list[str]:
        return [str(row[0]) for row in self.customers]

    def script(self, today: str = TODAY) -> str:
        """The book as shell commands (CSV heredocs + imports + logs), for a report."""
        lines = [
            "d=$(mktemp -d)",
            f"export RETAIN_DB=$d/r.db RETAIN_CONFIG=$d/none.toml RETAIN_TODAY={today}",
        ]
        for name, header, rows in (
            ("customers", CUSTOMER_HEADER, self.customers),
            ("loans", BOOK_LOAN_HEADER, self.loans),
        ):
            if not rows:
                continue
            lines.append(f"cat > {name}.csv <<'EOF'")
            lines.extend(",".join(str(c) for c in row) for row in (header, *rows))
            lines.append("EOF")
            lines.append(f"retain import {name} {name}.csv")
        lines.extend("retain log --yes " + shlex.join(args) for args in self.contacts)
        return "\n".join(lines)


@st.composite
def _loan(draw: st.DrawFn, loan_id: str, customer_id: str) -> list[object]:
    kind = draw(st.sampled_from(("soon", "past", "later")))
    if kind == "soon":  # matures within the next 40 days (today included)
        matures = draw(st.one_of(st.integers(0, 40), st.sampled_from(EDGES_AHEAD)))
    elif kind == "past":  # already past maturity; near a class edge now or within days
        matures = draw(st.one_of(st.integers(-400, -1), st.sampled_from(EDGES_BEHIND)))
    else:
        matures = draw(st.integers(41, 720))
    # Disbursed in the past (today allowed), strictly before maturity.
    disbursed = draw(st.integers(max(-900, matures - 1095), min(0, matures - 1)))
    status = draw(st.sampled_from(STATUSES))
    closed = ""
    if status == "结清" or (status == "核销" and draw(st.booleans())):
        closed = day(draw(st.integers(disbursed, 0)))
    dpd: object = ""
    if draw(st.integers(0, 2)) == 0:
        dpd = draw(st.sampled_from((0, 1, 5, 29, 30, 31, 89, 90, 91, 180, 181, 360, 361, 500)))
    principal = draw(st.integers(1, 500)) * 1000
    balance: object = ""
    if status in ("正常", "逾期") and draw(st.booleans()):
        balance = draw(st.integers(0, principal // 1000)) * 1000
    guarantee = draw(st.sampled_from(GUARANTEES))
    # The next instalment, on some loans: after disbursement, not after maturity,
    # often in or near the days ahead (a lead window opening, the due day itself).
    next_due: list[object] = ["", "", ""]
    if matures - disbursed >= 2 and draw(st.booleans()):
        lo, hi = disbursed + 1, matures
        due = min(max(draw(st.one_of(st.integers(-3, 12), st.integers(lo, hi))), lo), hi)
        amount = draw(st.sampled_from((0, 500, 3000, 12345)))
        period = draw(st.one_of(st.just(""), st.integers(1, 36)))
        next_due = [day(due), amount, period]
    return [
        loan_id, customer_id, principal, day(disbursed), day(matures), guarantee, status,
        closed, balance, dpd, *next_due,
    ]  # fmt: skip


@st.composite
def books(draw: st.DrawFn) -> Book:
    book = Book()
    n = draw(st.integers(1, 12))
    for i in range(1, n + 1):
        cid = f"C{i}"
        phone = "1" + str(draw(st.integers(3, 9))) + f"{draw(st.integers(0, 10**9 - 1)):09d}"
        officer = draw(st.sampled_from(OFFICERS))
        book.customers.append([cid, f"客户{i}", phone, "", "粮油", officer, ""])
        for j in range(1, draw(st.integers(0, 3)) + 1):
            book.loans.append(draw(_loan(f"L{i}x{j}", cid)))
    for _ in range(draw(st.integers(0, 4))):
        cid = draw(st.sampled_from(book.customer_ids))
        # Recent contacts (the 3 quiet days, fresh reminder windows) and old ones.
        at = draw(st.one_of(st.integers(-4, 0), st.integers(-200, 0)))
        args = [cid, "--channel", "call", "--outcome", "reached", "--at", day(at)]
        if draw(st.booleans()):
            args += ["--next", day(draw(st.integers(at, 12)))]
        book.contacts.append(args)
    return book


def load_book(cli: Cli, book: Book, folder: Path) -> None:
    """Import the book into ``cli``'s (fresh) store and log its contacts."""
    for name, header, rows in (
        ("customers", CUSTOMER_HEADER, book.customers),
        ("loans", BOOK_LOAN_HEADER, book.loans),
    ):
        if not rows:
            continue
        path = write_csv(folder / f"{name}.csv", [header, *rows])
        result = cli("import", name, str(path), "--format", "json")
        assert result.exit_code == 0, (name, result.stdout, result.stderr, book)
    for args in book.contacts:
        # A random book may repeat a contact: data, not a double entry to catch.
        result = cli("log", "--yes", *args)
        assert result.exit_code == 0, (args, result.stderr, book)


def json_of(cli: Cli, *args: str, today: str | None = None) -> Any:
    result = cli(*args, "--format", "json", today=today)
    assert result.exit_code == 0, (args, today, result.stderr)
    return result.json()
