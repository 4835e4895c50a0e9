"""The reminders' reference oracle: ``upcoming`` as it was before it streamed.

It evaluates the whole call list for every day of the window (``ranked_calls``
with no limit) and keeps every row: slow and memory-hungry, but obviously right,
since "a reminder exists exactly when ``retain calls`` lists that reason on that
day" is its definition. ``tests/test_reminder_stream.py`` checks the streaming
generator against it on random books. Do not optimise this file.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import TYPE_CHECKING, Any

from retain.config import Config
from retain.days import day_number, from_day_number
from retain.ranking import CallFilter, ranked_calls
from retain.reminders import KINDS, Reminder, reminder_id
from retain.rules import dpd_sql, is_open
from retain.terms import TERM_NAMES, term

if TYPE_CHECKING:
    from retain.terms import CallRow


def reference_upcoming(
    conn: sqlite3.Connection,
    config: Config,
    today: dt.date,
    days: int,
    *,
    kinds: tuple[str, ...] = KINDS,
    officer: str | None = None,
) -> list[Reminder]:
    """Reminders due from today to today + days, soonest first."""
    wanted = tuple(k for k in kinds if k in TERM_NAMES)
    found: dict[tuple[str, str, int], tuple[int, CallRow]] = {}
    for offset in range(days + 1):
        day = today + dt.timedelta(days=offset)
        day_no = day_number(day)
        assert day_no is not None
        spec = CallFilter(officer=officer, reasons=wanted, limit=None)
        for row in ranked_calls(conn, config, day, spec):
            for reason in wanted:
                if row.points[reason] <= 0:
                    continue
                key = (row.customer_id, reason, term(reason).episode(row, config))
                if key not in found:
                    found[key] = (day_no, row)
    details = _loan_details(conn, sorted({cid for cid, _, _ in found}), today)
    reminders = []
    for (customer_id, reason, episode), (day_no, row) in found.items():
        kind = term(reason)
        if kind.loan == "instalment":
            loan = _instalment_loan(conn, customer_id, episode)
        else:
            loan = details.get(customer_id, {}).get(kind.loan)
        reminders.append(
            Reminder(
                reminder_id=reminder_id(customer_id, reason, episode),
                customer_id=customer_id,
                name=row.name,
                phone=row.phone,
                officer=row.officer,
                reason=reason,
                date=from_day_number(day_no),
                loan_id=loan["loan_id"] if loan else None,
                amount_fen=loan["principal_fen"] if loan else None,
                balance_fen=loan["balance_fen"] if loan else None,
                matures_on=loan["matures_on"] if loan else None,
                days_past_due=row.dpd if kind.quotes_dpd else None,
                days_left=row.days_left if kind.quotes_days_left else None,
                score=row.points[reason],
                period=loan["next_due_period"] if kind.loan == "instalment" and loan else None,
                amount_due_fen=loan["next_due_fen"] if kind.loan == "instalment" and loan else None,
                due_on=loan["next_due_on"] if kind.loan == "instalment" and loan else None,
                season_index=row.season_index if reason == "season" else None,
            )
        )
    order = {kind: i for i, kind in enumerate(KINDS)}
    reminders.sort(key=lambda r: (r.date, order[r.reason], r.customer_id))
    return reminders


def _instalment_loan(
    conn: sqlite3.Connection, customer_id: str, due_day: int
) -> dict[str, Any] | None:
    """The open loan whose instalment (a positive amount) falls due on ``due_day``;
    of several, the lowest loan id."""
    cursor = conn.execute(
        "SELECT loan_id, principal_fen, balance_fen, matures_on, status, next_due_day,"
        " next_due_fen, next_due_period, next_due_on FROM loans WHERE customer_id = ?",
        (customer_id,),
    )
    names = [d[0] for d in cursor.description]
    loans = [dict(zip(names, values, strict=True)) for values in cursor]
    due = [
        loan
        for loan in loans
        if is_open(loan["status"]) and loan["next_due_day"] == due_day and loan["next_due_fen"]
    ]
    return min(due, key=lambda loan: loan["loan_id"]) if due else None


def _loan_details(
    conn: sqlite3.Connection, customer_ids: list[str], today: dt.date
) -> dict[str, dict[str, dict[str, Any]]]:
    """Per customer, the loans a reminder quotes: ``maturing`` the soonest-maturing
    open loan, ``main`` the most overdue open loan, else the latest loan."""
    result: dict[str, dict[str, dict[str, Any]]] = {}
    today_day = day_number(today)
    assert today_day is not None
    step = 500
    for start in range(0, len(customer_ids), step):
        chunk = customer_ids[start : start + step]
        marks = ",".join(f":c{i}" for i in range(len(chunk)))
        cursor = conn.execute(
            "SELECT customer_id, loan_id, principal_fen, balance_fen, matures_on, matures_day,"
            f" status, disbursed_on, {dpd_sql('loans', ':t')} AS dpd"
            f" FROM loans WHERE customer_id IN ({marks})"
            " ORDER BY customer_id, matures_day, loan_id",
            {"t": today_day, **{f"c{i}": cid for i, cid in enumerate(chunk)}},
        )
        names = [d[0] for d in cursor.description]
        for values in cursor:
            record = dict(zip(names, values, strict=True))
            slot = result.setdefault(record["customer_id"], {})
            if is_open(record["status"]) and record["matures_day"] >= today_day:
                slot.setdefault("maturing", record)
            best = slot.get("main")
            if best is None or _main_key(record) > _main_key(best):
                slot["main"] = record
    return result


def _main_key(record: dict[str, Any]) -> tuple[int, int, str]:
    open_now = is_open(record["status"])
    return (
        1 if open_now else 0,
        int(record["dpd"] or 0) if open_now else 0,
        record["disbursed_on"],
    )
