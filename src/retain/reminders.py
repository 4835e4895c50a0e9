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
from typing import Any

from retain.config import Config
from retain.days import day_number, from_day_number
from retain.ranking import TERMS, CallFilter, ranked_calls

KINDS = ("maturing", "overdue", "follow_up", "post_loan_check", "revisit", "win_back")


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


def _episode_start(reason: str, row: dict[str, Any], day: int, config: Config) -> int | None:
    """The day this spell of the reason began: the stable part of the id.

    None for overdue: its start comes from the loans (see ``_overdue_since``).
    """
    rhythm = config.rhythm
    last_contact = row["lc"]
    if reason == "maturing":
        return int(row["window_open"])
    if reason == "overdue":
        return None
    if reason == "follow_up":
        return int(row["next_day"])
    if reason == "post_loan_check":
        return int(row["check_day"])
    if reason == "revisit":
        since = int(row["secured_since"])
        base = last_contact if last_contact is not None and last_contact > since else since
        return int(base) + rhythm.revisit_every_days
    # win_back: at the close, then every N days after the last contact since.
    closed = int(row["closed_day"])
    if last_contact is None or last_contact < closed:
        return closed
    return int(last_contact) + rhythm.win_back_every_days


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
    wanted = tuple(k for k in kinds if k in TERMS)
    found: dict[tuple[str, str, int | None], tuple[int, dict[str, Any]]] = {}
    for offset in range(days + 1):
        day = today + dt.timedelta(days=offset)
        day_no = day_number(day)
        assert day_no is not None
        spec = CallFilter(officer=officer, reasons=wanted, limit=None)
        for row in ranked_calls(conn, config, day, spec):
            for reason in wanted:
                if row[reason] <= 0:
                    continue
                key = (row["customer_id"], reason, _episode_start(reason, row, day_no, config))
                if key not in found:
                    found[key] = (day_no, row)
    details = _loan_details(conn, sorted({cid for cid, _, _ in found}), today)
    reminders = []
    for (customer_id, reason, episode), (day_no, row) in found.items():
        loan = details.get(customer_id, {}).get("maturing" if reason == "maturing" else "main")
        if episode is None:
            episode = details.get(customer_id, {}).get("overdue_since", day_no)
        reminders.append(
            Reminder(
                reminder_id=reminder_id(customer_id, reason, int(episode)),
                customer_id=customer_id,
                name=row["name"],
                phone=row["phone"],
                officer=row["officer"],
                reason=reason,
                date=from_day_number(day_no),
                loan_id=loan["loan_id"] if loan else None,
                amount_fen=loan["principal_fen"] if loan else None,
                balance_fen=loan["balance_fen"] if loan else None,
                matures_on=loan["matures_on"] if loan else None,
                days_past_due=int(row["dpd"]) if reason == "overdue" else None,
                days_left=int(row["days_left"]) if reason == "maturing" else None,
                score=int(row[reason]),
            )
        )
    order = {kind: i for i, kind in enumerate(KINDS)}
    reminders.sort(key=lambda r: (r.date, order[r.reason], r.customer_id))
    return reminders


def _loan_details(
    conn: sqlite3.Connection, customer_ids: list[str], today: dt.date
) -> dict[str, dict[str, Any]]:
    """Per customer: the soonest-maturing open loan and the loan to quote otherwise
    (the most overdue open loan, else the latest loan)."""
    result: dict[str, dict[str, Any]] = {}
    today_day = day_number(today)
    step = 500
    for start in range(0, len(customer_ids), step):
        chunk = customer_ids[start : start + step]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            "SELECT customer_id, loan_id, principal_fen, balance_fen, matures_on, matures_day,"
            " status, disbursed_on, overdue_since_day,"
            " COALESCE(days_past_due, CASE WHEN matures_day < ? THEN ? - matures_day ELSE 0 END)"
            f" AS dpd FROM loans WHERE customer_id IN ({marks})"
            " ORDER BY customer_id, matures_day, loan_id",
            [today_day, today_day, *chunk],
        )
        for row in rows:
            record = dict(zip([d[0] for d in rows.description], row, strict=True))
            slot = result.setdefault(record["customer_id"], {})
            is_open = record["status"] in ("active", "overdue")
            if is_open and record["matures_day"] >= (today_day or 0) and "maturing" not in slot:
                slot["maturing"] = record
            if is_open and int(record["dpd"] or 0) > 0:
                # The day the spell began: as reported by the import, else the day
                # after maturity. The earliest of the customer's overdue loans.
                since = record["overdue_since_day"] or record["matures_day"] + 1
                slot["overdue_since"] = min(slot.get("overdue_since", since), since)
            best = slot.get("main")
            if best is None or _main_key(record) > _main_key(best):
                slot["main"] = record
    return result


def _main_key(record: dict[str, Any]) -> tuple[int, int, str]:
    is_open = 1 if record["status"] in ("active", "overdue") else 0
    return (is_open, int(record["dpd"] or 0) if is_open else 0, record["disbursed_on"])
