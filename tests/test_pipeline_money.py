"""``retain pipeline``'s days to disbursal and money, found through the indexes
of m030 and m033: the disbursed prospects alone (``prospects_disbursed``), and
each converted customer's loans since a day (``loans_by_customer_day``).

The book's loans sit on the days prospects enter (a loan on the entry day is
the pipeline's work, one the day before is not), in every status (the balance
of the open ones only, a missing balance as the principal), with customers
converted by several prospects; prospects that are linked to a customer but
not disbursed bring no money, disbursed ones without a customer count in the
median but bring none, and a disbursal without its history row counts from the
current stage's day. On random prospects and windows, every group's figures
must be those computed by hand from the lists below.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from retain.days import day_number
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, Result

# loan, customer, principal (yuan), disbursed, status, closed, balance ("" = none given)
LOANS = [
    ("L1", "C1", 100000, "2026-10-01", "正常", "", "60000"),
    ("L2", "C1", 20000, "2026-10-15", "结清", "2026-11-01", "0"),
    ("L3", "C1", 30000, "2026-11-01", "逾期", "", ""),
    ("L4", "C2", 50000, "2026-10-20", "核销", "", "45000"),
    ("L5", "C2", 40000, "2026-11-10", "正常", "", "35000"),
    ("L6", "C3", 10000, "2026-09-01", "结清", "2026-10-01", "0"),
    ("L7", "C3", 25000, "2026-11-20", "正常", "", "25000"),
]
OPEN_STATUSES = ("正常", "逾期")
CUSTOMERS = ("C1", "C2", "C3", "C4")  # C4 has no loan
# Entry days on and around the loans' days.
ENTRY_DAYS = (
    "2026-08-25", "2026-09-01", "2026-09-02", "2026-10-01", "2026-10-02", "2026-10-15",
    "2026-10-20", "2026-11-01", "2026-11-10", "2026-11-11", "2026-11-20", "2026-11-25",
)  # fmt: skip
TODAY = "2026-12-01"


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


def _day(text: str) -> int:
    found = day_number(dt.date.fromisoformat(text))
    assert found is not None
    return found


def _plus(text: str, days: int) -> str:
    return (dt.date.fromisoformat(text) + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    customers = make_csv(
        "customers.csv",
        [CUSTOMER_HEADER, *([c, f"客户{c}", f"1381234800{i}", "", "粮油", "王芳", ""]
                            for i, c in enumerate(CUSTOMERS))],
    )  # fmt: skip
    loans = make_csv(
        "loans.csv",
        [LOAN_HEADER, *([loan, customer, str(principal), on, _plus(on, 365), "信用", status,
                         closed, balance, "3" if status == "逾期" else ""]
                        for loan, customer, principal, on, status, closed, balance in LOANS)],
    )  # fmt: skip
    ok(cli("import", "customers", str(customers), today=TODAY))
    ok(cli("import", "loans", str(loans), today=TODAY))
    return cli


# channel, officer, entered, stage now, customer, days to the first disbursal,
# days to the current stage (after the first disbursal), with the disbursal's
# history row or without it
Prospect = tuple[str, str, str, str, str | None, int, int, bool]


def seed(db: Path | str, prospects: list[Prospect]) -> None:
    """The prospects and their stage history; a disbursed one disbursed twice
    (disbursed, lost, disbursed again) when its current stage's day is later
    than its first disbursal, and written without its disbursals' rows when
    asked (an old row, or one written by hand), which leaves only the current
    stage's day to count from."""
    with contextlib.closing(Cli(db).connect()) as conn:
        conn.execute("DELETE FROM prospect_stages")
        conn.execute("DELETE FROM prospects")
        for pid, (channel, officer, entered, stage, customer, first, now, history) in enumerate(
            prospects, start=1
        ):
            start = _day(entered)
            stage_day = start + (first + now if stage == "disbursed" else first)
            steps = [("new", start, None)]
            if stage == "disbursed":
                if now:
                    steps += [("disbursed", start + first, None), ("lost", start + first, "rate")]
                steps.append(("disbursed", stage_day, None))
                if not history:
                    steps = steps[:1]
            else:
                steps += [("applied", stage_day, None)] if stage == "applied" else []
                steps += [("lost", stage_day, "rate")] if stage == "lost" else []
            conn.execute(
                "INSERT INTO prospects (prospect_id, name, channel, officer, stage, stage_day,"
                " lost_reason, entered_on, entered_day, customer_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'now', 'now')",
                (pid, f"潜客{pid}", channel, officer, stage, stage_day,
                 "rate" if stage == "lost" else None, entered, start, customer),
            )  # fmt: skip
            conn.executemany(
                "INSERT INTO prospect_stages (prospect_id, seq, stage, day, reason, recorded_at)"
                " VALUES (?, ?, ?, ?, ?, 'now')",
                [(pid, seq, s, d, r) for seq, (s, d, r) in enumerate(steps, start=1)],
            )


def by_hand(
    prospects: list[Prospect],
    first: str | None,
    last: str,
    officer: str | None,
    channel: str | None,
) -> dict[tuple[str, str], dict[str, Any]]:
    """Per group: disbursed, the median days to disbursal, and the money (in yuan)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    days: dict[tuple[str, str], list[int]] = {}
    for ch, off, entered, stage, customer, to_first, to_now, history in prospects:
        if (first is not None and entered < first) or entered > last:
            continue
        if (officer is not None and off != officer) or (channel is not None and ch != channel):
            continue
        group = found.setdefault((ch, off), {"disbursed": 0, "disbursed_amount": 0, "balance": 0})
        if stage != "disbursed":
            continue
        group["disbursed"] += 1
        days.setdefault((ch, off), []).append(to_first if history else to_first + to_now)
        for _, whose, principal, on, status, _, balance in LOANS:
            if whose == customer and on >= entered:
                group["disbursed_amount"] += principal
                if status in OPEN_STATUSES:
                    group["balance"] += int(balance) if balance else principal
    for key, group in found.items():
        group["median_days_to_disbursal"] = (
            float(statistics.median(days[key])) if key in days else None
        )
        group["disbursed_amount"] = float(group["disbursed_amount"])
        group["balance"] = float(group["balance"])
    return found


def pipeline_of(cli: Cli, *args: str) -> dict[tuple[str, str], dict[str, Any]]:
    rows = ok(cli("pipeline", *args, "--format", "json", today=TODAY)).json()
    keys = ("disbursed", "disbursed_amount", "balance", "median_days_to_disbursal")
    return {(r["channel"], r["officer"]): {k: r[k] for k in keys} for r in rows}


def test_a_hand_computed_book(book: Cli) -> None:
    prospects: list[Prospect] = [
        # C1 since 10-02: L2 (closed: principal, no balance) and L3 (overdue, no
        # balance given: its principal); L1 the day before entry is not counted.
        ("referral", "王芳", "2026-10-02", "disbursed", "C1", 30, 0, True),
        # C1 again, entered on L1's day: L1 counts too, for this prospect.
        ("referral", "王芳", "2026-10-01", "disbursed", "C1", 10, 5, True),
        # Linked but lost: no money, no disbursal.
        ("referral", "王芳", "2026-09-01", "lost", "C3", 3, 0, True),
        # Disbursed without a customer: in the median, no money.
        ("circle", "李强", "2026-11-01", "disbursed", None, 4, 0, True),
        # C2 since 10-20: L4 written off (principal only) and L5; no history
        # row: 8 + 2 days from entry to the current stage.
        ("circle", "李强", "2026-10-20", "disbursed", "C2", 8, 2, False),
        ("circle", "李强", "2026-11-25", "disbursed", "C4", 1, 0, True),
    ]
    seed(book.db, prospects)
    assert pipeline_of(book) == {
        ("referral", "王芳"): {
            "disbursed": 2,
            "median_days_to_disbursal": 20.0,
            "disbursed_amount": 20000.0 + 30000 + 100000 + 20000 + 30000,
            "balance": 30000.0 + 60000 + 30000,
        },
        ("circle", "李强"): {
            "disbursed": 3,
            "median_days_to_disbursal": 4.0,
            "disbursed_amount": 50000.0 + 40000,
            "balance": 35000.0,
        },
    }
    assert pipeline_of(book) == by_hand(prospects, None, TODAY, None, None)
    assert pipeline_of(book, "--officer", "李强", "--from", "2026-10-21") == {
        ("circle", "李强"): {
            "disbursed": 2,
            "median_days_to_disbursal": 2.5,
            "disbursed_amount": 0.0,
            "balance": 0.0,
        }
    }


prospect_strategy = st.tuples(
    st.sampled_from(("referral", "circle")),
    st.sampled_from(("王芳", "李强")),
    st.sampled_from(ENTRY_DAYS),
    st.sampled_from(("disbursed", "disbursed", "applied", "lost")),
    st.one_of(st.none(), st.sampled_from(CUSTOMERS)),
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=0, max_value=5),
    st.booleans(),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(prospect_strategy, max_size=14),
    st.one_of(st.none(), st.sampled_from(ENTRY_DAYS)),
    st.sampled_from((*ENTRY_DAYS[4:], TODAY)),
    st.one_of(st.none(), st.sampled_from(("王芳", "李强"))),
    st.one_of(st.none(), st.sampled_from(("referral", "circle"))),
)
def test_money_and_days_match_a_count_by_hand(
    book: Cli,
    prospects: list[Prospect],
    first: str | None,
    last: str,
    officer: str | None,
    channel: str | None,
) -> None:
    if first is not None and first > last:
        first = None
    seed(book.db, prospects)
    args = ["--to", last]
    args += ["--from", first] if first is not None else []
    args += ["--officer", officer] if officer is not None else []
    args += ["--channel", channel] if channel is not None else []
    note(f"pipeline {' '.join(args)}")
    assert pipeline_of(book, *args) == by_hand(prospects, first, last, officer, channel)
