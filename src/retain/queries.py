"""Read-only questions asked of the store, answered as plain dict rows.

Money stays integer fen and dates ISO text; the CLI decides how to show them.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Generator
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from retain.days import day_number, from_day_number
from retain.groups import member_filter_sql
from retain.rules import is_open_sql

DUE_SORTS = {
    "maturity": "l.matures_on, l.loan_id",
    "amount": "l.principal_fen DESC, l.matures_on, l.loan_id",
    "officer": "c.officer IS NULL, c.officer, l.matures_on, l.loan_id",
}


@dataclass(frozen=True)
class DueFilter:
    days: int = 30
    officer: str | None = None
    group_id: int | None = None  # --group: only its member customers
    industry: str | None = None
    guarantee: str | None = None
    min_principal_fen: int | None = None
    sort: str = "maturity"
    limit: int | None = None


def _filter(spec: DueFilter, where: list[str], params: list[Any]) -> None:
    """The due list's filters (officer, industry, guarantee, least principal),
    shared by maturities and instalments."""
    for value, condition in (
        (spec.officer, "c.officer = ?"),
        (spec.industry, "c.industry = ?"),
        (spec.guarantee, "l.guarantee = ?"),
        (spec.min_principal_fen, "l.principal_fen >= ?"),
    ):
        if value is not None:
            where.append(condition)
            params.append(value)
    if spec.group_id is not None:
        where.append(member_filter_sql("l.customer_id", "?"))
        params.append(spec.group_id)


def due_loans(
    conn: sqlite3.Connection, today: dt.date, spec: DueFilter
) -> Generator[dict[str, Any], None, None]:
    """Open loans maturing between today and today + days, both inclusive."""
    end = today + dt.timedelta(days=spec.days)
    # Day numbers, not ISO text: the (status, matures_day) index then answers
    # the window directly instead of scanning every open loan.
    where = [is_open_sql("l"), "l.matures_day >= ?", "l.matures_day <= ?"]
    params: list[Any] = [day_number(today), day_number(end)]
    _filter(spec, where, params)
    # days_left from the day numbers (matures_day is matures_on's, set together):
    # one subtraction in SQLite instead of parsing a date per row in Python.
    sql = (
        "SELECT l.loan_id, l.customer_id, c.name, c.phone, c.officer, c.industry,"
        " l.guarantee, l.status, l.principal_fen AS principal, l.balance_fen AS balance,"
        " l.disbursed_on, l.matures_on, l.matures_day - ? AS days_left"
        " FROM loans l JOIN customers c ON c.customer_id = l.customer_id"
        f" WHERE {' AND '.join(where)} ORDER BY {DUE_SORTS[spec.sort]}"
    )
    params.insert(0, day_number(today))
    if spec.limit is not None:
        sql += " LIMIT ?"
        params.append(spec.limit)
    cursor = conn.execute(sql, params)
    cursor.row_factory = None  # plain tuples: the fastest path for big lists
    names = [d[0] for d in cursor.description]
    # Each row a dict built in C (map, zip), not in a Python loop.
    yield from map(dict, map(zip, repeat(names), cursor))


INSTALMENT_SORTS = {
    "maturity": "due_day, loan_id, kind = 'maturity', period",
    "amount": "amount_due DESC, due_day, loan_id, period",
    "officer": "officer IS NULL, officer, due_day, loan_id, period",
}


def due_instalments(
    conn: sqlite3.Connection, today: dt.date, spec: DueFilter
) -> Generator[dict[str, Any], None, None]:
    """``due --instalments``: unpaid instalments of open loans falling due between
    today and today + days (both inclusive), one row per loan and period, beside
    the maturities of the same window.

    A loan without schedule rows contributes its ``next_due_*`` (a loans file's
    下次还款日 / 下期应还) when that is in the window. ``amount_due`` is what is
    still owed: principal + interest − paid for an instalment, the balance (else
    the principal) for a maturity. ``min_principal_fen`` filters on the loan's
    principal, as in ``due``.
    """
    end = today + dt.timedelta(days=spec.days)
    window = [day_number(today), day_number(end)]
    where = [is_open_sql("l")]
    params: list[Any] = []
    _filter(spec, where, params)
    loan = " AND ".join(where)
    columns = "l.loan_id, l.customer_id, c.name, c.phone, c.officer"
    joined = "JOIN customers c ON c.customer_id = l.customer_id"
    owed = "i.principal_fen + i.interest_fen - COALESCE(i.paid_fen, 0)"
    sql = f"""
        SELECT * FROM (
        SELECT {columns}, 'instalment' AS kind, i.period, i.due_on, i.due_day,
            {owed} AS amount_due
        FROM instalments i JOIN loans l ON l.loan_id = i.loan_id {joined}
        WHERE i.due_day BETWEEN ? AND ? AND {owed} > 0 AND {loan}
        UNION ALL
        SELECT {columns}, 'instalment', l.next_due_period, l.next_due_on, l.next_due_day,
            l.next_due_fen
        FROM loans l {joined}
        WHERE l.next_due_day BETWEEN ? AND ? AND {loan}
            AND NOT EXISTS (SELECT 1 FROM instalments i WHERE i.loan_id = l.loan_id)
        UNION ALL
        SELECT {columns}, 'maturity', NULL, l.matures_on, l.matures_day,
            COALESCE(l.balance_fen, l.principal_fen)
        FROM loans l {joined}
        WHERE l.matures_day BETWEEN ? AND ? AND {loan})
        ORDER BY {INSTALMENT_SORTS[spec.sort]}"""
    every = [*window, *params] * 3
    if spec.limit is not None:
        sql += " LIMIT ?"
        every.append(spec.limit)
    today_day = window[0]
    cursor = conn.execute(sql, every)
    cursor.row_factory = None
    names = [d[0] for d in cursor.description]
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        row["days_left"] = row.pop("due_day") - today_day
        yield row


@dataclass(frozen=True)
class DataAge:
    """How old the loan data is: the as-of day of the newest loans import."""

    as_of: dt.date
    days: int  # today − as_of
    stale: bool  # more than the allowed days old


def loans_as_of(conn: sqlite3.Connection) -> dt.date | None:
    """The day the newest loans import's data is as of; None before any.

    An import that took no row (every row rejected) refreshed nothing, so it
    does not count. An import made before as-of days were recorded is as of
    the day it ran.
    """
    row = conn.execute(
        "SELECT as_of_day, started_at FROM imports"
        " WHERE kind = 'loans' AND added + updated + unchanged > 0"
        " ORDER BY import_id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    as_of_day, started_at = row[0], row[1]
    if as_of_day is None:
        return dt.date.fromisoformat(str(started_at)[:10])
    return from_day_number(int(as_of_day))


def data_age(
    conn: sqlite3.Connection, today: dt.date, stale_after_days: Callable[[], int]
) -> DataAge | None:
    """The loan data's age at ``today``: stale when more than ``stale_after_days()``
    days old. The limit is asked for only when the data is older than today, so
    that a command run on the import's day does not pay for reading the config."""
    as_of = loans_as_of(conn)
    if as_of is None:
        return None
    days = (today - as_of).days
    return DataAge(as_of=as_of, days=days, stale=days > 0 and days > stale_after_days())
