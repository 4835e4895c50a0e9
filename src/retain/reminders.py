"""Reminders for the days ahead, from exactly the rules of the call list.

For each day of the window the call-list query is evaluated as if that day
were today (no contacts are known in the future), so a reminder exists exactly
when ``retain calls`` would list that reason on that day. Consecutive days of
one reason form one episode — a maturity reminder window, an overdue spell, a
promised follow-up, a scheduled check — and each episode is one reminder, dated
the first day it is due in the window. Its id hashes the customer, the reason
and the episode's start, so it is stable from run to run: a calendar updates
the event instead of duplicating it, and ``--new-only`` never sends it twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from retain.config import Config
from retain.days import day_number, from_day_number
from retain.ranking import CallFilter, ranked_calls
from retain.rules import dpd_sql, is_open
from retain.terms import TERM_NAMES, term

if TYPE_CHECKING:
    from retain.terms import CallRow

KINDS = TERM_NAMES  # every call-list term is a kind of reminder


@dataclass(frozen=True)
class Reminder:
    reminder_id: str
    customer_id: str
    name: str
    phone: str | None
    officer: str | None
    reason: str
    date: dt.date
    loan_id: str | None
    amount_fen: int | None
    balance_fen: int | None
    matures_on: str | None
    days_past_due: int | None
    days_left: int | None
    score: int

    def as_row(self) -> dict[str, Any]:
        return {
            "reminder_id": self.reminder_id,
            "date": self.date.isoformat(),
            "reason": self.reason,
            "customer_id": self.customer_id,
            "name": self.name,
            "phone": self.phone,
            "officer": self.officer,
            "loan_id": self.loan_id,
            "amount": self.amount_fen,
            "balance": self.balance_fen,
            "matures_on": self.matures_on,
            "days_past_due": self.days_past_due,
            "days_left": self.days_left,
        }


def reminder_id(customer_id: str, reason: str, episode_day: int) -> str:
    key = f"{customer_id}\x1f{reason}\x1f{from_day_number(episode_day).isoformat()}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def upcoming(
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
            )
        )
    order = {kind: i for i, kind in enumerate(KINDS)}
    reminders.sort(key=lambda r: (r.date, order[r.reason], r.customer_id))
    return reminders


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
