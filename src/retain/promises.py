"""Promises to pay (承诺还款): recorded by ``retain log``, judged by the imports.

``retain log C1 --outcome promised --next 2026-12-05 --amount 3000`` records a
promise: a date, an amount, and the loans it covers (``--loan``, else the
customer's overdue loans, else their open loans), with each loan's balance
then. A promise is *open* until judged. A newer promise on one of its loans
makes an open older one *superseded*: the officer renegotiated, and judging the
old one too would count one failure twice.

After an import (:func:`judge_promises`, inside the import's transaction),
every open promise whose date is before the import's as-of day is judged:
*kept* when none of its loans is still overdue, or when what was paid since it
was made reaches its amount (the fall of the loans' balances, or the schedule's
payments between the promise and its date, whichever is larger); else *broken*.
A judged promise is never judged again.

The customer row keeps the latest broken promise (``broken_promise_*``) for
the call list's ``broken_promise`` term; undoing the contact that made a
promise removes it (and reopens what it had superseded).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from retain.days import day_number, from_day_number
from retain.errors import RetainError
from retain.i18n import Bilingual, Msg, msg
from retain.rules import dpd_sql, is_open_sql

STATUSES: tuple[str, ...] = ("open", "kept", "broken", "superseded")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(day: int | dt.date) -> Bilingual:
    """``5 Dec`` / ``12月5日``: a promise's date (a day number or a date) as an
    officer says it."""
    date = from_day_number(day) if isinstance(day, int) else day
    return Bilingual(f"{date.day} {_MONTHS[date.month - 1]}", f"{date.month}月{date.day}日")


def amount_text(fen: int) -> str:
    """Whole yuan with separators, cents only when there are some: ``3,000``."""
    whole, cents = divmod(fen, 100)
    return f"{whole:,}" if cents == 0 else f"{whole:,}.{cents:02d}"


def promise_text(amount_fen: int, due_day: int | dt.date, status: str | None = None) -> Msg:
    """``3,000 on 5 Dec`` or, with its fate, ``3,000 on 5 Dec · broken``."""
    base = msg("promise.text", amount=amount_text(amount_fen), date=short_date(due_day))
    if status is None:
        return base
    return msg("promise.with_status", promise=base, status=msg(f"promise.status.{status}"))


def covered_loans(
    conn: sqlite3.Connection, customer_id: str, loan_id: str | None, today_day: int
) -> list[tuple[str, int | None]]:
    """The loans a promise covers, with their balances: ``loan_id`` (which must be
    one of the customer's open loans), else the overdue ones, else the open ones."""
    if loan_id is not None:
        row = conn.execute(
            f"SELECT l.loan_id, l.balance_fen FROM loans l WHERE l.loan_id = ?"
            f" AND l.customer_id = ? AND {is_open_sql('l')}",
            (loan_id, customer_id),
        ).fetchone()
        if row is None:
            raise RetainError(key="promise.loan_not_open", loan=loan_id, customer=customer_id)
        return [(str(row[0]), row[1])]
    rows = conn.execute(
        f"SELECT l.loan_id, l.balance_fen, {dpd_sql('l', ':t')} > 0 FROM loans l"
        f" WHERE l.customer_id = :id AND {is_open_sql('l')} ORDER BY l.loan_id",
        {"t": today_day, "id": customer_id},
    ).fetchall()
    if not rows:
        raise RetainError(key="promise.no_open_loan", customer=customer_id)
    overdue = [(str(r[0]), r[1]) for r in rows if r[2]]
    return overdue or [(str(r[0]), r[1]) for r in rows]


def record_promise(
    conn: sqlite3.Connection,
    contact_id: int,
    customer_id: str,
    *,
    loans: Sequence[tuple[str, int | None]],
    made_day: int,
    due_on: dt.date,
    amount_fen: int,
    officer: str | None,
) -> int:
    """Store a promise made by contact ``contact_id``; supersede the open ones on
    the same loans. Returns its id."""
    due_day = day_number(due_on)
    assert due_day is not None
    if officer is None:
        row = conn.execute(
            "SELECT officer FROM customers WHERE customer_id = ?", (customer_id,)
        ).fetchone()
        officer = row[0] if row else None
    cursor = conn.execute(
        "INSERT INTO promises (contact_id, customer_id, officer, made_day, due_on, due_day,"
        " amount_fen) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (contact_id, customer_id, officer, made_day, due_on.isoformat(), due_day, amount_fen),
    )
    promise_id = cursor.lastrowid
    assert promise_id is not None
    conn.executemany(
        "INSERT INTO promise_loans (promise_id, loan_id, balance_fen) VALUES (?, ?, ?)",
        [(promise_id, loan_id, balance) for loan_id, balance in loans],
    )
    conn.execute(
        "UPDATE promises SET status = 'superseded', superseded_by = :new"
        " WHERE status = 'open' AND promise_id <> :new AND promise_id IN ("
        " SELECT o.promise_id FROM promise_loans o JOIN promise_loans n"
        " ON n.loan_id = o.loan_id WHERE n.promise_id = :new)",
        {"new": promise_id},
    )
    return promise_id


def forget_promise(conn: sqlite3.Connection, contact_id: int) -> None:
    """Remove the promise contact ``contact_id`` made (an undone contact): the
    promises it superseded are open again, to be judged by the next import."""
    cursor = conn.execute("SELECT * FROM promises WHERE contact_id = ?", (contact_id,))
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    if row is None:
        return
    promise = dict(zip(names, row, strict=True))
    promise_id, customer_id = int(promise["promise_id"]), str(promise["customer_id"])
    loans = conn.execute(
        "SELECT group_concat(loan_id, ' ') FROM promise_loans WHERE promise_id = ?",
        (promise_id,),
    ).fetchone()[0]
    # Kept in the audit trail beside the contact's own fields, to be put back by hand.
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    conn.executemany(
        "INSERT INTO changes (import_id, entity, entity_id, field, old_value, new_value,"
        " recorded_at) VALUES (NULL, 'promise', ?, ?, ?, NULL, ?)",
        [
            (str(promise_id), name, None if value is None else str(value), stamp)
            for name, value in [*promise.items(), ("loans", loans)]
        ],
    )
    conn.execute(
        "UPDATE promises SET status = 'open', superseded_by = NULL WHERE superseded_by = ?",
        (promise_id,),
    )
    conn.execute("DELETE FROM promise_loans WHERE promise_id = ?", (promise_id,))
    conn.execute("DELETE FROM promises WHERE promise_id = ?", (promise_id,))
    refresh_broken(conn, [customer_id])


def refresh_broken(conn: sqlite3.Connection, customer_ids: Iterable[str]) -> None:
    """Copy each customer's latest broken promise onto the customer row."""
    conn.executemany(
        """
        UPDATE customers SET
            (broken_promise_day, broken_promise_due_day, broken_promise_fen) = (
            SELECT judged_day, due_day, amount_fen FROM promises p
            WHERE p.customer_id = customers.customer_id AND p.status = 'broken'
            ORDER BY judged_day DESC, promise_id DESC LIMIT 1)
        WHERE customer_id = ?
        """,
        [(customer_id,) for customer_id in customer_ids],
    )


# Per promise: whether a covered loan is still overdue on the as-of day, the
# fall of the covered balances since the promise (a balance that rose counts 0),
# and the schedule's payments between the promise and its date.
_JUDGE_SQL = f"""
SELECT p.promise_id, p.customer_id, p.amount_fen,
    (SELECT COUNT(*) FROM promise_loans pl JOIN loans l ON l.loan_id = pl.loan_id
        WHERE pl.promise_id = p.promise_id AND {is_open_sql("l")}
        AND {dpd_sql("l", ":as_of")} > 0) AS still_overdue,
    (SELECT COALESCE(SUM(MAX(pl.balance_fen - COALESCE(l.balance_fen, pl.balance_fen), 0)), 0)
        FROM promise_loans pl JOIN loans l ON l.loan_id = pl.loan_id
        WHERE pl.promise_id = p.promise_id AND pl.balance_fen IS NOT NULL) AS balance_fall,
    (SELECT COALESCE(SUM(i.paid_fen), 0) FROM promise_loans pl
        JOIN instalments i ON i.loan_id = pl.loan_id
        WHERE pl.promise_id = p.promise_id
        AND i.paid_day BETWEEN p.made_day AND p.due_day) AS scheduled_paid
FROM promises p
WHERE p.status = 'open' AND p.due_day < :as_of
"""


def judge_promises(conn: sqlite3.Connection, as_of: dt.date, today: dt.date) -> int:
    """Judge every open promise whose date is before ``as_of`` (the import's
    as-of day), as of that day; ``today`` (the day the import runs) is stored as
    the judging day. Runs inside the caller's transaction; returns the count.

    Any import that changes what a promise is judged on calls it: the loans
    import now, the schedule import once it exists.
    """
    as_of_day, today_day = day_number(as_of), day_number(today)
    assert as_of_day is not None and today_day is not None
    rows = conn.execute(_JUDGE_SQL, {"as_of": as_of_day}).fetchall()
    if not rows:
        return 0
    judged: list[tuple[str, int, int, int]] = []
    for promise_id, _, amount, still_overdue, fall, scheduled in rows:
        paid = max(int(fall), int(scheduled))
        status = "kept" if still_overdue == 0 or paid >= amount else "broken"
        judged.append((status, today_day, paid, promise_id))
    conn.executemany(
        "UPDATE promises SET status = ?, judged_day = ?, paid_fen = ? WHERE promise_id = ?",
        judged,
    )
    refresh_broken(conn, sorted({str(r[1]) for r in rows}))
    return len(rows)


_LIST_SQL = """
SELECT p.promise_id, p.contact_id, p.customer_id, c.name, c.phone, p.officer,
    (SELECT group_concat(loan_id, ' ') FROM (SELECT loan_id FROM promise_loans pl
        WHERE pl.promise_id = p.promise_id ORDER BY loan_id)) AS loans,
    p.amount_fen, p.due_on, p.due_day, p.made_day, p.status, p.judged_day, p.paid_fen
FROM promises p JOIN customers c ON c.customer_id = p.customer_id
"""


@dataclass(frozen=True)
class PromiseFilter:
    status: str | None = None
    officer: str | None = None
    customer_id: str | None = None


def _shaped(row: sqlite3.Row | tuple[Any, ...], names: Sequence[str]) -> dict[str, Any]:
    found = dict(zip(names, row, strict=True))
    made, judged = found.pop("made_day"), found.pop("judged_day")
    found["made_on"] = from_day_number(made).isoformat()
    found["judged_on"] = from_day_number(judged).isoformat() if judged is not None else None
    return found


def list_promises(conn: sqlite3.Connection, spec: PromiseFilter) -> list[dict[str, Any]]:
    """Promises, newest date first, each with its loans (space-separated), amount
    and paid (fen), dates (ISO) and status."""
    where, params = [], {}
    if spec.status is not None:
        where.append("p.status = :status")
        params["status"] = spec.status
    if spec.officer is not None:
        where.append("p.officer = :officer")
        params["officer"] = spec.officer
    if spec.customer_id is not None:
        where.append("p.customer_id = :customer")
        params["customer"] = spec.customer_id
    sql = _LIST_SQL + (f"WHERE {' AND '.join(where)}" if where else "")
    cursor = conn.execute(sql + " ORDER BY p.due_day DESC, p.promise_id DESC", params)
    names = [d[0] for d in cursor.description]
    return [_shaped(row, names) for row in cursor.fetchall()]


@dataclass(frozen=True)
class KeptRate:
    """An officer's promises judged so far: kept ÷ judged (kept + broken)."""

    officer: str | None
    kept: int
    broken: int

    @property
    def judged(self) -> int:
        return self.kept + self.broken

    @property
    def rate(self) -> float | None:
        return self.kept / self.judged if self.judged else None


def kept_rates(conn: sqlite3.Connection, officer: str | None = None) -> list[KeptRate]:
    """Each officer's kept-rate (superseded and open promises are not judged)."""
    where, params = "", {}
    if officer is not None:
        where, params = "WHERE officer = :officer", {"officer": officer}
    rows = conn.execute(
        "SELECT officer, SUM(status = 'kept'), SUM(status = 'broken') FROM promises"
        f" {where} GROUP BY officer ORDER BY officer IS NULL, officer",
        params,
    ).fetchall()
    return [KeptRate(r[0], int(r[1]), int(r[2])) for r in rows]


def promises_by_contact(conn: sqlite3.Connection, customer_id: str) -> dict[int, dict[str, Any]]:
    """The customer's promises, keyed by the contact that made each."""
    rows = list_promises(conn, PromiseFilter(customer_id=customer_id))
    return {int(row["contact_id"]): row for row in rows}
