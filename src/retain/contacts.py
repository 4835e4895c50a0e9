"""The contact log: what happened when the officer called, and what comes next.

Every ``retain log`` (and ``retain contacts undo``) writes the log and refreshes
each customer's "latest contact" columns in one transaction, so "stay in touch"
always counts from the last real contact (of any channel), never from the last
listing. An unanswered call or a wrong number is an *attempt*, not a contact:
it satisfies no contact rule and no quiet days; the customer row counts the
unanswered attempts since the last real contact instead.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from retain.days import day_number, from_day_number
from retain.errors import RetainError, UsageError
from retain.i18n import msg
from retain.promises import covered_loans, forget_promise, record_promise
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
# Outcomes that reached nobody: logged and shown, but never a contact.
ATTEMPTS: tuple[str, ...] = ("no_answer", "wrong_number")
# Two logs of the same customer, channel and outcome this close in time are
# most likely one contact entered twice.
DUPLICATE_MINUTES = 10


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
    amount_fen: int | None = None  # a promise to pay (outcome promised, with next_on)


def _worst_dpd(conn: sqlite3.Connection, customer_id: str, today_day: int) -> int:
    row = conn.execute(
        f"SELECT MAX({dpd_sql('l', ':t')}) FROM loans l"
        f" WHERE l.customer_id = :id AND {is_open_sql('l')}",
        {"t": today_day, "id": customer_id},
    ).fetchone()
    return int(row[0] or 0)


# A removed contact's id is never given again (SQLite would reuse the highest):
# `contacts undo ID` and the audit trail must each name one contact only.
_NEXT_ID = (
    "SELECT MAX(COALESCE((SELECT MAX(contact_id) FROM contacts), 0),"
    " COALESCE((SELECT MAX(CAST(entity_id AS INTEGER)) FROM changes"
    " WHERE entity = 'contact'), 0)) + 1"
)


def _unique_ids(customer_ids: Sequence[str]) -> list[str]:
    ids = list(dict.fromkeys(i.strip() for i in customer_ids if i.strip()))
    if not ids:
        raise UsageError(key="log.no_ids")
    return ids


@dataclass(frozen=True)
class Duplicate:
    """A contact already logged that the new one seems to repeat."""

    customer_id: str
    contact_id: int
    at: str


def duplicates(
    conn: sqlite3.Connection, customer_ids: Sequence[str], entry: ContactEntry
) -> list[Duplicate]:
    """Contacts of these customers with the entry's channel and outcome whose time
    is within :data:`DUPLICATE_MINUTES` of the entry's.

    Compared by the contact's time (``at``), not by when it was typed in: the same
    call entered twice is caught even when entered late (``--at`` yesterday), and
    yesterday's call and today's are never taken for one another.
    """
    ids = _unique_ids(customer_ids)
    marks = ",".join("?" * len(ids))
    day = day_number(entry.at.date())
    assert day is not None
    rows = conn.execute(
        f"SELECT customer_id, contact_id, at FROM contacts WHERE customer_id IN ({marks})"
        " AND channel = ? AND outcome = ? AND at_day BETWEEN ? AND ?"
        " ORDER BY customer_id, at, contact_id",
        [*ids, entry.channel, entry.outcome, day - 1, day + 1],
    ).fetchall()
    found: dict[str, Duplicate] = {}
    for customer_id, contact_id, at in rows:
        if is_repeat(at, entry):
            found[customer_id] = Duplicate(customer_id, contact_id, at)
    return [found[i] for i in ids if i in found]


def is_repeat(at: str, entry: ContactEntry) -> bool:
    """A contact logged at ``at`` (of the entry's channel and outcome) is one the
    entry seems to repeat: within :data:`DUPLICATE_MINUTES` of its time."""
    when = dt.datetime.strptime(at, "%Y-%m-%d %H:%M:%S")
    return abs(when - entry.at) <= dt.timedelta(minutes=DUPLICATE_MINUTES)


def log_contacts(
    store: Store,
    customer_ids: Sequence[str],
    entry: ContactEntry,
    today: dt.date,
    *,
    duplicates_ok: bool = False,
) -> int:
    """Record one contact per customer; all or nothing. Returns the count.

    Refuses (nothing written) when one of them repeats a contact just logged
    (:func:`duplicates`), unless ``duplicates_ok``.
    """
    ids = _unique_ids(customer_ids)
    today_day = day_number(today)
    assert today_day is not None
    conn = store.conn
    for attempt in store.transactions():
        with attempt:
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
            repeated = [] if duplicates_ok else duplicates(conn, ids, entry)
            if repeated:
                shown = ", ".join(d.customer_id for d in repeated[:10])
                more = " …" if len(repeated) > 10 else ""
                raise RetainError(key="log.duplicate", ids=shown + more, minutes=DUPLICATE_MINUTES)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            at_text = entry.at.strftime("%Y-%m-%d %H:%M:%S")
            next_text = entry.next_on.isoformat() if entry.next_on else None
            promising = entry.amount_fen is not None and entry.next_on is not None
            for customer_id in ids:
                # Checked before the contact is written: a refusal leaves nothing behind.
                covered = (
                    covered_loans(conn, customer_id, entry.loan_id, today_day) if promising else []
                )
                cursor = conn.execute(
                    "INSERT INTO contacts (contact_id, customer_id, loan_id, at, at_day, channel,"
                    " outcome, note, next_on, next_day, officer, dpd_at, created_at)"
                    f" VALUES (({_NEXT_ID}), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                if promising:
                    assert entry.amount_fen is not None and entry.next_on is not None
                    contact_id = cursor.lastrowid
                    assert contact_id is not None
                    made_day = day_number(entry.at.date())
                    assert made_day is not None
                    record_promise(
                        conn,
                        contact_id,
                        customer_id,
                        loans=covered,
                        made_day=made_day,
                        due_on=entry.next_on,
                        amount_fen=entry.amount_fen,
                        officer=entry.officer,
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


_REAL = f"k.outcome NOT IN ({', '.join(repr(a) for a in ATTEMPTS)})"
_AFTER_REAL = "(customers.last_contact_at IS NULL OR k.at > customers.last_contact_at)"


def _refresh_latest(conn: sqlite3.Connection, customer_id: str) -> None:
    """Copy the customer's latest real contact (by time) onto the customer row,
    with what the call list needs of the attempts since.

    The follow-up date is the last real contact's, unless an attempt since named
    its own (``log --outcome no_answer --next +1d``): an attempt without one never
    clears a promise. Two statements, because the second reads what the first set.
    """
    conn.execute(
        f"""
        UPDATE customers SET
            (last_contact_at, last_contact_day, last_channel, last_outcome, dpd_at_contact) = (
            SELECT at, at_day, channel, outcome, dpd_at FROM contacts k
            WHERE k.customer_id = customers.customer_id AND {_REAL}
            ORDER BY at DESC, contact_id DESC LIMIT 1)
        WHERE customer_id = ?
        """,
        (customer_id,),
    )
    conn.execute(
        f"""
        UPDATE customers SET
            (next_on, next_day) = (
                SELECT next_on, next_day FROM contacts k
                WHERE k.customer_id = customers.customer_id
                    AND ({_REAL} OR (k.next_on IS NOT NULL AND {_AFTER_REAL}))
                ORDER BY at DESC, contact_id DESC LIMIT 1),
            failed_attempts = (
                SELECT COUNT(*) FROM contacts k WHERE k.customer_id = customers.customer_id
                    AND k.outcome = 'no_answer' AND {_AFTER_REAL}),
            last_attempt_at = (
                SELECT MAX(at) FROM contacts k WHERE k.customer_id = customers.customer_id
                    AND NOT ({_REAL}) AND {_AFTER_REAL}),
            declined_day = (
                SELECT MAX(at_day) FROM contacts k WHERE k.customer_id = customers.customer_id
                    AND k.outcome = 'declined')
        WHERE customer_id = ?
        """,
        (customer_id,),
    )


@dataclass(frozen=True)
class Removed:
    """A contact ``undo_contact`` took out of the log (its audit rows keep all of it)."""

    contact_id: int
    customer_id: str
    name: str
    at: str
    channel: str
    outcome: str


def undo_contact(
    store: Store, contact_id: int | None = None, officer: str | None = None
) -> Removed:
    """Remove one contact: the given one, else the last logged (by the order of
    entry, not by its time), of ``officer`` when given.

    Every field of it goes to the audit trail (``changes``: entity ``contact``,
    the old value, no new value), so it can be put back by hand; the customer's
    latest-contact columns are refreshed, and a wrong number that had made the
    phone unusable no longer does.
    """
    conn = store.conn
    for attempt in store.transactions():
        with attempt:
            if contact_id is not None:
                row = conn.execute(
                    "SELECT * FROM contacts WHERE contact_id = ?", (contact_id,)
                ).fetchone()
                if row is None:
                    raise RetainError(key="undo.unknown", contact_id=contact_id)
            else:
                where, params = ("WHERE officer = ?", (officer,)) if officer else ("", ())
                row = conn.execute(
                    f"SELECT * FROM contacts {where} ORDER BY contact_id DESC LIMIT 1", params
                ).fetchone()
                if row is None:
                    if officer:
                        raise RetainError(key="undo.nothing_of", officer=officer)
                    raise RetainError(key="undo.nothing")
            contact = dict(row)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            conn.executemany(
                "INSERT INTO changes (import_id, entity, entity_id, field, old_value, new_value,"
                " recorded_at) VALUES (NULL, 'contact', ?, ?, ?, NULL, ?)",
                [
                    (str(contact["contact_id"]), name, None if value is None else str(value), stamp)
                    for name, value in contact.items()
                ],
            )
            forget_promise(conn, int(contact["contact_id"]))
            conn.execute("DELETE FROM contacts WHERE contact_id = ?", (contact["contact_id"],))
            customer_id = contact["customer_id"]
            if contact["outcome"] == "wrong_number":
                # The flag holds the day of the first wrong number logged against this
                # phone: if that was the one removed, the next one since (if any) holds.
                conn.execute(
                    "UPDATE customers SET phone_unusable_since = ("
                    " SELECT MIN(substr(k.at, 1, 10)) FROM contacts k"
                    " WHERE k.customer_id = customers.customer_id"
                    " AND k.outcome = 'wrong_number' AND k.at_day >= :day)"
                    " WHERE customer_id = :id AND phone_unusable_since = :since",
                    {"day": contact["at_day"], "id": customer_id, "since": contact["at"][:10]},
                )
            _refresh_latest(conn, customer_id)
            name = conn.execute(
                "SELECT name FROM customers WHERE customer_id = ?", (customer_id,)
            ).fetchone()
    return Removed(
        contact_id=int(contact["contact_id"]),
        customer_id=customer_id,
        name=str(name[0]) if name else "",
        at=str(contact["at"]),
        channel=str(contact["channel"]),
        outcome=str(contact["outcome"]),
    )


def customer(conn: sqlite3.Connection, customer_id: str) -> dict[str, Any]:
    row = conn.execute(
        "SELECT customer_id, name, phone, id_number, industry, officer, segment,"
        " last_contact_at, last_channel, last_outcome, next_on, phone_unusable_since,"
        " failed_attempts, last_attempt_at"
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


def customer_schedule(conn: sqlite3.Connection, customer_id: str) -> list[dict[str, Any]]:
    """The instalments of a customer's loans, by loan then period: ``due`` is
    principal + interest (fen), ``paid`` what was paid (fen, 0 when nothing)."""
    rows = conn.execute(
        "SELECT i.loan_id, i.period, i.due_on, i.due_day,"
        " i.principal_fen + i.interest_fen AS due, i.paid_on, i.paid_day,"
        " COALESCE(i.paid_fen, 0) AS paid"
        " FROM loans l JOIN instalments i ON i.loan_id = l.loan_id"
        " WHERE l.customer_id = ? ORDER BY i.loan_id, i.period",
        (customer_id,),
    ).fetchall()
    return [dict(r) for r in rows]


def instalment_state(row: dict[str, Any], today_day: int) -> str:
    """``paid`` (on or before its due day), ``late`` (paid after it), ``overdue``
    (not fully paid, past due) or ``unpaid`` (not fully paid, not yet past due)."""
    if row["paid"] >= row["due"]:
        paid_day = row["paid_day"]
        return "late" if paid_day is not None and paid_day > row["due_day"] else "paid"
    return "overdue" if row["due_day"] < today_day else "unpaid"


def contact_history(conn: sqlite3.Connection, customer_id: str) -> list[dict[str, Any]]:
    """The customer's contacts, newest first; a promise to pay made by one comes
    with it (``promise_amount`` in yuan, its status and judging day), else nulls."""
    rows = conn.execute(
        "SELECT k.contact_id, k.at, k.channel, k.outcome, k.note, k.next_on, k.loan_id,"
        " k.officer, p.amount_fen, p.status, p.judged_day"
        " FROM contacts k LEFT JOIN promises p ON p.contact_id = k.contact_id"
        " WHERE k.customer_id = ? ORDER BY k.at DESC, k.contact_id DESC",
        (customer_id,),
    ).fetchall()
    found = []
    for row in rows:
        contact = dict(row)
        amount, judged = contact.pop("amount_fen"), contact.pop("judged_day")
        contact["promise_amount"] = amount / 100 if amount is not None else None
        contact["promise_status"] = contact.pop("status")
        contact["promise_judged_on"] = (
            from_day_number(judged).isoformat() if judged is not None else None
        )
        found.append(contact)
    return found
