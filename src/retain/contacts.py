"""The contact log: what happened when the officer called, and what comes next.

Every ``retain log`` writes its contacts and refreshes each customer's
"latest contact" columns in one transaction, so "stay in touch" always counts
from the last real contact (of any channel), never from the last listing.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from retain.days import day_number
from retain.errors import RetainError, UsageError
from retain.i18n import msg
from retain.rules import dpd_sql, is_open_sql

if TYPE_CHECKING:
    from retain.store import Store

CHANNELS: dict[str, tuple[str, ...]] = {
    "call": ("电话", "打电话", "致电", "phone"),
    "visit": ("上门", "拜访", "走访", "回访", "面谈"),
    "sms": ("短信", "text"),
    "wechat": ("微信", "weixin"),
    "other": ("其他", "其它"),
}
OUTCOMES: dict[str, tuple[str, ...]] = {
    "reached": ("已接通", "接通", "联系上", "已联系"),
    "no_answer": ("未接通", "无人接听", "没接", "未接", "no-answer", "noanswer"),
    "renewing": ("同意续贷", "续贷", "renew"),
    "repaying": ("还款", "正在还款", "已还款", "repaid"),
    "promised": ("承诺还款", "答应还款", "承诺", "promise"),
    "declined": ("拒绝", "不需要", "decline"),
    "wrong_number": ("空号", "错号", "号码错误", "wrong-number"),
    "other": ("其他", "其它"),
}


def _canonical(value: str, table: dict[str, tuple[str, ...]], what: str) -> str:
    text = unicodedata.normalize("NFKC", value).strip().lower()
    for name, aliases in table.items():
        if text == name or text in aliases:
            return name
    accepted = msg(
        "error.log.accepted", names="/".join(table), aliases="/".join(a[0] for a in table.values())
    )
    raise UsageError(key=f"log.unknown_{what}", value=repr(value), accepted=accepted)


def channel_of(value: str) -> str:
    return _canonical(value, CHANNELS, "channel")


def outcome_of(value: str) -> str:
    return _canonical(value, OUTCOMES, "outcome")


@dataclass(frozen=True)
class ContactEntry:
    channel: str
    outcome: str
    at: dt.datetime
    note: str | None = None
    next_on: dt.date | None = None
    loan_id: str | None = None
    officer: str | None = None


def _worst_dpd(conn: sqlite3.Connection, customer_id: str, today_day: int) -> int:
    row = conn.execute(
        f"SELECT MAX({dpd_sql('l', ':t')}) FROM loans l"
        f" WHERE l.customer_id = :id AND {is_open_sql('l')}",
        {"t": today_day, "id": customer_id},
    ).fetchone()
    return int(row[0] or 0)


def log_contacts(
    store: Store, customer_ids: Sequence[str], entry: ContactEntry, today: dt.date
) -> int:
    """Record one contact per customer; all or nothing. Returns the count."""
    ids = list(dict.fromkeys(i.strip() for i in customer_ids if i.strip()))
    if not ids:
        raise UsageError(key="log.no_ids")
    today_day = day_number(today)
    assert today_day is not None
    conn = store.conn
    with store.write():
        marks = ",".join("?" * len(ids))
        known = {
            r[0]
            for r in conn.execute(
                f"SELECT customer_id FROM customers WHERE customer_id IN ({marks})", ids
            )
        }
        unknown = [i for i in ids if i not in known]
        if unknown:
            shown = ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")
            raise RetainError(key="log.unknown_customers", ids=shown)
        if entry.loan_id is not None:
            owner = conn.execute(
                "SELECT customer_id FROM loans WHERE loan_id = ?", (entry.loan_id,)
            ).fetchone()
            if owner is None:
                raise RetainError(key="log.unknown_loan", loan=entry.loan_id)
            if any(owner[0] != i for i in ids):
                raise RetainError(key="log.loan_owner", loan=entry.loan_id, customer=owner[0])
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        at_text = entry.at.strftime("%Y-%m-%d %H:%M:%S")
        next_text = entry.next_on.isoformat() if entry.next_on else None
        for customer_id in ids:
            conn.execute(
                "INSERT INTO contacts (customer_id, loan_id, at, at_day, channel, outcome, note,"
                " next_on, next_day, officer, dpd_at, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    customer_id,
                    entry.loan_id,
                    at_text,
                    day_number(entry.at.date()),
                    entry.channel,
                    entry.outcome,
                    entry.note,
                    next_text,
                    day_number(entry.next_on),
                    entry.officer,
                    _worst_dpd(conn, customer_id, today_day),
                    stamp,
                ),
            )
            if entry.outcome == "wrong_number":
                # The number on file is dead until a different one arrives
                # (the m008 trigger clears this when the phone changes).
                conn.execute(
                    "UPDATE customers SET phone_unusable_since = ?"
                    " WHERE customer_id = ? AND phone_unusable_since IS NULL",
                    (entry.at.date().isoformat(), customer_id),
                )
            _refresh_latest(conn, customer_id)
    return len(ids)


def _refresh_latest(conn: sqlite3.Connection, customer_id: str) -> None:
    """Copy the customer's latest contact (by time) onto the customer row."""
    conn.execute(
        """
        UPDATE customers SET
            (last_contact_at, last_contact_day, last_channel, last_outcome,
             next_on, next_day, dpd_at_contact) = (
            SELECT at, at_day, channel, outcome, next_on, next_day, dpd_at
            FROM contacts WHERE contacts.customer_id = customers.customer_id
            ORDER BY at DESC, contact_id DESC LIMIT 1)
        WHERE customer_id = ?
        """,
        (customer_id,),
    )


def customer(conn: sqlite3.Connection, customer_id: str) -> dict[str, Any]:
    row = conn.execute(
        "SELECT customer_id, name, phone, id_number, industry, officer, segment,"
        " last_contact_at, last_channel, last_outcome, next_on"
        " FROM customers WHERE customer_id = ?",
        (customer_id,),
    ).fetchone()
    if row is None:
        raise RetainError(key="customer.unknown", customer=customer_id)
    return dict(row)


def customer_loans(
    conn: sqlite3.Connection, customer_id: str, today: dt.date
) -> list[dict[str, Any]]:
    today_day = day_number(today)
    # Off the book, a loan keeps the days past due it was imported with.
    rows = conn.execute(
        "SELECT loan_id, principal_fen AS principal, balance_fen AS balance, guarantee, status,"
        " disbursed_on, matures_on, closed_on, product,"
        f" CASE WHEN {is_open_sql('l')} THEN {dpd_sql('l', ':t')}"
        " ELSE COALESCE(l.days_past_due, 0) END AS days_past_due"
        " FROM loans l WHERE l.customer_id = :id ORDER BY l.disbursed_on DESC, l.loan_id",
        {"t": today_day, "id": customer_id},
    ).fetchall()
    return [dict(r) for r in rows]


def contact_history(conn: sqlite3.Connection, customer_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT at, channel, outcome, note, next_on, loan_id, officer FROM contacts"
        " WHERE customer_id = ? ORDER BY at DESC, contact_id DESC",
        (customer_id,),
    ).fetchall()
    return [dict(r) for r in rows]
