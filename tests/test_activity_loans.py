"""``retain activity``'s new customers, renewals and win-backs, as its fast path finds them.

The loans of a window are judged in one look-up each of the customer's loans
up to the loan's day (``activity._loans``); a loan closed before it was
disbursed lies past that range and is found by a second path, and a customer
without an officer still gets its column when none of its loans counts. The
property test recounts random books (anomalies included) by the rules of the
docstring, loan by loan, in Python.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from retain.activity import parse_month, parse_week
from retain.days import day_number
from tests.conftest import Cli, Result

SETTINGS = settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "40")), deadline=None)
OWNERS = {"C1": "王芳", "C2": "王芳", "C3": "李强", "C4": None}
STATUSES = ("active", "overdue", "closed", "written_off")
FIRST = dt.date(2026, 8, 1)
CUSTOMER_HEADER_EN = ["customer_id", "name", "phone", "id_number", "industry", "officer", "segment"]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def _num(day: dt.date) -> int:
    number = day_number(day)
    assert number is not None
    return number


def insert_loan(
    conn: Any,
    loan_id: str,
    customer: str,
    disbursed: dt.date,
    status: str,
    closed: dt.date | None,
) -> None:
    """A loan row as an old store may hold it: the import would refuse a close
    before the disbursement, this does not."""
    conn.execute(
        "INSERT INTO loans (loan_id, customer_id, principal_fen, disbursed_on, matures_on,"
        " guarantee, status, closed_on, created_at, updated_at, disbursed_day, matures_day,"
        " closed_day) VALUES (?, ?, 100000, ?, '2028-01-01', 'credit', ?, ?, 'x', 'x', ?, ?, ?)",
        (
            loan_id,
            customer,
            disbursed.isoformat(),
            status,
            closed.isoformat() if closed else None,
            _num(disbursed),
            _num(dt.date(2028, 1, 1)),
            _num(closed) if closed else None,
        ),
    )


def book(cli: Cli, make_csv: Callable[..., Path]) -> None:
    rows = [[cid, cid, "", "", "", owner or "", ""] for cid, owner in OWNERS.items()]
    path = make_csv("customers.csv", [CUSTOMER_HEADER_EN, *rows])
    ok(cli("import", "customers", str(path)))


def month(cli: Cli, text: str = "2026-11") -> dict[str | None, dict[str, Any]]:
    payload = ok(cli("activity", "--month", text, "--format", "json")).json()
    return {row["officer"]: row for row in payload["officers"]}


def figures(row: dict[str, Any]) -> tuple[int, int, int]:
    return row["new_customers"], row["renewals"], row["win_backs"]


def test_a_renewal_from_a_loan_closed_before_it_was_disbursed(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    # C1 borrowed in January (closed in March: long ago); L2 on 11-20 renews L3,
    # which the old ledger shows closed on 11-10 but disbursed on 11-25.
    book(cli, make_csv)
    with contextlib.closing(cli.connect()) as conn:
        insert_loan(conn, "L1", "C1", dt.date(2026, 1, 5), "closed", dt.date(2026, 3, 1))
        insert_loan(conn, "L2", "C1", dt.date(2026, 11, 20), "active", None)
        insert_loan(conn, "L3", "C1", dt.date(2026, 11, 25), "closed", dt.date(2026, 11, 10))
    assert figures(month(cli)["王芳"]) == (0, 1, 0)


def test_a_customer_without_an_officer_keeps_its_column_when_no_loan_counts(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    # C4 (no officer) takes a second loan beside an open one: none of the three.
    book(cli, make_csv)
    with contextlib.closing(cli.connect()) as conn:
        insert_loan(conn, "L1", "C4", dt.date(2026, 5, 5), "active", None)
        insert_loan(conn, "L2", "C4", dt.date(2026, 11, 20), "active", None)
    officers = month(cli)
    assert None in officers
    assert figures(officers[None]) == (0, 0, 0)
    assert None not in month(cli, "2026-10")


def test_a_renewal_beside_an_open_loan_and_a_first_loan_taken_twice_the_same_day(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    # A loan beside an earlier open one is decided without reading the
    # customer's loans, unless the customer closed one lately: C1's L3 renews
    # L2 (closed 11-05) though L1 is still open. C3's two loans of 11-20: the
    # first is a new customer's, the second is beside an open one of that day.
    book(cli, make_csv)
    with contextlib.closing(cli.connect()) as conn:
        insert_loan(conn, "L1", "C1", dt.date(2026, 1, 5), "active", None)
        insert_loan(conn, "L2", "C1", dt.date(2026, 2, 1), "closed", dt.date(2026, 11, 5))
        insert_loan(conn, "L3", "C1", dt.date(2026, 11, 20), "active", None)
        insert_loan(conn, "L4", "C3", dt.date(2026, 11, 20), "active", None)
        insert_loan(conn, "L5", "C3", dt.date(2026, 11, 20), "active", None)
    officers = month(cli)
    assert figures(officers["王芳"]) == (0, 1, 0)
    assert figures(officers["李强"]) == (1, 0, 0)


LOANS = st.lists(
    st.tuples(
        st.sampled_from(sorted(OWNERS)),
        st.integers(0, 125),  # disbursed, days after FIRST
        st.sampled_from(STATUSES),
        st.one_of(st.none(), st.integers(-20, 90)),  # closed, days after disbursed
    ),
    max_size=14,
)


@SETTINGS
@given(
    loans=LOANS,
    window=st.sampled_from(("2026-09", "2026-10", "2026-11", "2026-W40", "2026-W46")),
    grace=st.sampled_from((0, 30, 60)),
)
def test_new_customers_renewals_and_win_backs_are_the_rules_loan_by_loan(
    loans: list[tuple[str, int, str, int | None]], window: str, grace: int
) -> None:
    from retain.activity import activity
    from retain.config import QuotaConfig
    from retain.store import Store

    store = Store.scratch()
    conn = store.conn
    for cid, owner in OWNERS.items():
        conn.execute(
            "INSERT INTO customers (customer_id, name, officer, created_at, updated_at)"
            " VALUES (?, ?, ?, 'x', 'x')",
            (cid, cid, owner),
        )
    rows = []
    for n, (cid, offset, status, closing) in enumerate(loans):
        disbursed = FIRST + dt.timedelta(days=offset)
        closed = None if closing is None else disbursed + dt.timedelta(days=closing)
        insert_loan(conn, f"L{n}", cid, disbursed, status, closed)
        rows.append((n, cid, _num(disbursed), status, _num(closed) if closed else None))
    period = parse_week(window) if "W" in window else parse_month(window)
    found = activity(
        conn, period, dt.date(2026, 12, 1), QuotaConfig(), lead_days=30, grace_days=grace
    )
    store.close()

    lo, hi = _num(period.first), _num(period.last)
    new: dict[str | None, set[str]] = {}
    renewed: dict[str | None, int] = {}
    back: dict[str | None, set[str]] = {}
    seen: set[str | None] = set()
    for lid, cid, d, _, _ in rows:
        if not lo <= d <= hi:
            continue
        who = OWNERS[cid]
        seen.add(who)
        others = [r for r in rows if r[1] == cid and r[0] != lid]
        is_new = not any(pd < d or (pd == d and p < lid) for p, _, pd, _, _ in others)
        is_renewal = any(
            s == "closed" and c is not None and d - grace <= c <= d for _, _, _, s, c in others
        )
        is_back = not any(
            pd <= d and (s in ("active", "overdue") or c is None or c >= d - grace)
            for _, _, pd, s, c in others
        )
        if is_new:
            new.setdefault(who, set()).add(cid)
        elif is_renewal:
            renewed[who] = renewed.get(who, 0) + 1
        elif is_back:
            back.setdefault(who, set()).add(cid)
    got = {
        row.officer: (row.counts["new_customers"], row.counts["renewals"], row.counts["win_backs"])
        for row in found.officers
    }
    assert set(got) == {"王芳", "李强"} | seen
    for who, counts in got.items():
        assert counts == (
            len(new.get(who, set())),
            renewed.get(who, 0),
            len(back.get(who, set())),
        ), who
