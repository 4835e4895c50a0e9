"""The monthly review's figures (``retain report``): plain data, no HTML.

A review of month M is read from the store as it is now (the book is its
latest state) and from the snapshots (:mod:`retain.snapshots`) for the PAR
trend. Sections:

- the runoff ladder of the 12 months from today's month, with the measured
  renewals, forecast, gap and the cliff: :func:`retain.portfolio.runoff`, the
  same figures as ``retain runoff``;
- M's retention metrics: :func:`retain.portfolio.retention` over M, the same
  figures as ``retain retention --period month``;
- the PAR trend: the latest snapshot of each week in the 12 months to today;
- arrears by class today;
- M's contacts (by outcome) and win-backs (:func:`win_backs`);
- M's activity against the officers' quotas (:func:`retain.activity.activity`,
  the figures of ``retain activity --month M``);
- the customers to renew in the month after M, or today's month for an older
  M (:func:`renewals`).

Money stays integer fen, days ISO text; the page decides how to show them.
All SQL is portable: parameters and day numbers, no date functions.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any

from retain.activity import Activity, activity, parse_month
from retain.arrears import ArrearsSummary, arrears_summary
from retain.config import ArrearsConfig, QuotaConfig
from retain.dates import add_months
from retain.days import day_number
from retain.portfolio import RetentionPeriod, Runoff, retention, runoff
from retain.rules import bad_min_days, dpd_sql, is_open_sql, outstanding_sql
from retain.snapshots import Snapshot, history, weekly

LADDER_MONTHS = 12  # as ``retain runoff``'s default, so the figures are the same
TOP_RENEWALS = 10
SHOWN_WIN_BACKS = 20


@dataclass(frozen=True)
class Renewal:
    customer_id: str
    name: str
    phone: str | None
    officer: str | None
    loans: int
    maturing_fen: int
    first_maturity: str
    last_contact: str | None


@dataclass(frozen=True)
class WinBack:
    customer_id: str
    name: str
    phone: str | None
    officer: str | None
    loan_id: str
    principal_fen: int
    disbursed_on: str
    last_closed_on: str | None


@dataclass(frozen=True)
class Contacts:
    total: int
    customers: int
    by_outcome: dict[str, int]


@dataclass(frozen=True)
class Review:
    month: str
    officer: str | None
    today: dt.date
    book_day: dt.date  # the day the book (runoff, arrears, renewals) is computed on
    runoff: Runoff
    retention: RetentionPeriod
    renew_month: str  # YYYY-MM: the month whose maturities the renewals list
    par_trend: list[Snapshot]
    arrears: ArrearsSummary
    contacts: Contacts
    win_backs: list[WinBack]
    win_back_count: int
    renewals: list[Renewal]
    data_as_of: str | None = None  # the latest loans import's as-of day
    activity: Activity | None = None  # the month against the officers' quotas


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """The first and last day of ``YYYY-MM``; ValueError if it is not one."""
    year, _, number = month.partition("-")
    if len(year) != 4 or len(number) != 2:
        raise ValueError(month)
    first = dt.date(int(year), int(number), 1)
    return first, add_months(first, 1) - dt.timedelta(days=1)


def _num(day: dt.date) -> int:
    number = day_number(day)
    assert number is not None
    return number


def _officer_join(officer: str | None, params: dict[str, Any], alias: str = "l") -> str:
    if officer is None:
        return ""
    params["officer"] = officer
    return f"JOIN customers oc ON oc.customer_id = {alias}.customer_id AND oc.officer = :officer"


def renewals(
    conn: sqlite3.Connection,
    arrears: ArrearsConfig,
    month: str,
    today: dt.date,
    officer: str | None = None,
    limit: int = TOP_RENEWALS,
) -> list[Renewal]:
    """Customers whose open loans mature in ``month``, most balance first: those
    in good standing only (no open loan at or beyond ``arrears.bad_from`` today)."""
    first, last = month_bounds(month)
    params: dict[str, Any] = {
        "lo": _num(first),
        "hi": _num(last),
        "t": _num(today),
        "bad": bad_min_days(arrears),
        "limit": limit,
    }
    where_officer = ""
    if officer is not None:
        where_officer = " AND c.officer = :officer"
        params["officer"] = officer
    sql = f"""
SELECT c.customer_id, c.name, c.phone, c.officer, COUNT(*), SUM({outstanding_sql("l")}),
    MIN(l.matures_on), c.last_contact_at
FROM loans l JOIN customers c ON c.customer_id = l.customer_id
WHERE {is_open_sql("l")} AND l.matures_day >= :lo AND l.matures_day <= :hi{where_officer}
    AND NOT EXISTS (
        SELECT 1 FROM loans b WHERE b.customer_id = l.customer_id AND {is_open_sql("b")}
            AND {dpd_sql("b")} >= :bad)
GROUP BY c.customer_id
ORDER BY SUM({outstanding_sql("l")}) DESC, c.customer_id
LIMIT :limit"""
    return [
        Renewal(cid, name, phone, off, int(n), int(fen), first_day, contact)
        for cid, name, phone, off, n, fen, first_day, contact in conn.execute(sql, params)
    ]


def win_backs(
    conn: sqlite3.Connection, month: str, officer: str | None = None
) -> tuple[int, list[WinBack]]:
    """Loans disbursed in ``month`` to a customer who had borrowed before and had
    no open loan the day before (every earlier loan closed before the new one was
    disbursed): how many, and the first :data:`SHOWN_WIN_BACKS`, latest first."""
    first, last = month_bounds(month)
    params: dict[str, Any] = {"lo": _num(first), "hi": _num(last)}
    where_officer = ""
    if officer is not None:
        where_officer = " AND c.officer = :officer"
        params["officer"] = officer
    sql = f"""
SELECT c.customer_id, c.name, c.phone, c.officer, l.loan_id, l.principal_fen, l.disbursed_on,
    (SELECT MAX(p.closed_on) FROM loans p
        WHERE p.customer_id = l.customer_id AND p.loan_id <> l.loan_id
            AND p.disbursed_day <= l.disbursed_day)
FROM loans l JOIN customers c ON c.customer_id = l.customer_id
WHERE l.disbursed_day >= :lo AND l.disbursed_day <= :hi{where_officer}
    AND EXISTS (
        SELECT 1 FROM loans p WHERE p.customer_id = l.customer_id AND p.loan_id <> l.loan_id
            AND p.disbursed_day <= l.disbursed_day)
    AND NOT EXISTS (
        SELECT 1 FROM loans p WHERE p.customer_id = l.customer_id AND p.loan_id <> l.loan_id
            AND p.disbursed_day <= l.disbursed_day
            AND (p.closed_day IS NULL OR p.closed_day >= l.disbursed_day))
ORDER BY l.disbursed_day DESC, l.loan_id"""
    rows = [
        WinBack(cid, name, phone, off, loan_id, int(principal), disbursed, closed)
        for cid, name, phone, off, loan_id, principal, disbursed, closed in conn.execute(
            sql, params
        )
    ]
    return len(rows), rows[:SHOWN_WIN_BACKS]


def month_contacts(conn: sqlite3.Connection, month: str, officer: str | None = None) -> Contacts:
    """Contacts logged in ``month`` (attempts included), by outcome."""
    first, last = month_bounds(month)
    params: dict[str, Any] = {"lo": _num(first), "hi": _num(last)}
    join = _officer_join(officer, params, "k")
    by_outcome: dict[str, int] = {}
    total = 0
    customers: set[str] = set()
    sql = (
        f"SELECT k.outcome, k.customer_id, COUNT(*) FROM contacts k {join}"
        " WHERE k.at_day >= :lo AND k.at_day <= :hi GROUP BY k.outcome, k.customer_id"
    )
    for outcome, customer_id, count in conn.execute(sql, params):
        by_outcome[outcome] = by_outcome.get(outcome, 0) + int(count)
        total += int(count)
        customers.add(customer_id)
    return Contacts(total, len(customers), dict(sorted(by_outcome.items())))


def month_retention(
    conn: sqlite3.Connection,
    month: str,
    today: dt.date,
    officer: str | None = None,
    grace_days: int = 60,
) -> RetentionPeriod:
    """``month``'s retention figures, as ``retain retention --period month`` gives
    them (per officer as its ``--by officer`` row; all zero for an officer with none)."""
    first, last = month_bounds(month)
    found = retention(
        conn,
        today,
        period="month",
        start=first,
        end=min(last, today),
        by_officer=officer is not None,
        grace_days=grace_days,
    )
    for entry in found:
        if entry.officer == officer and entry.start == first:
            return entry
    end = min(last, today)
    return RetentionPeriod(month, first, end, officer, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def review(
    conn: sqlite3.Connection,
    arrears: ArrearsConfig,
    month: str,
    today: dt.date,
    officer: str | None = None,
    data_as_of: str | None = None,
    *,
    grace_days: int = 60,
    cliff_share: float = 0.8,
    quota: QuotaConfig | None = None,
    lead_days: int = 30,
) -> Review:
    """Everything the monthly review of ``month`` shows."""
    first, _ = month_bounds(month)
    # The store holds the book's latest state only: the runoff, arrears and
    # renewals are today's; the snapshots give the PAR trend up to today.
    book = runoff(
        conn,
        today,
        months=LADDER_MONTHS,
        officer=officer,
        grace_days=grace_days,
        cliff_share=cliff_share,
    )
    renew_from = max(add_months(first, 1), today.replace(day=1))
    trend = weekly(history(conn, add_months(renew_from, -12), today, officer))
    count, shown = win_backs(conn, month, officer)
    month_activity = None
    if quota is not None:
        month_activity = activity(
            conn,
            parse_month(month),
            today,
            quota,
            lead_days=lead_days,
            grace_days=grace_days,
            officer=officer,
        )
    return Review(
        month=month,
        officer=officer,
        today=today,
        book_day=today,
        runoff=book,
        retention=month_retention(conn, month, today, officer, grace_days),
        renew_month=renew_from.strftime("%Y-%m"),
        par_trend=trend,
        arrears=arrears_summary(conn, arrears, today, officer),
        contacts=month_contacts(conn, month, officer),
        win_backs=shown,
        win_back_count=count,
        renewals=renewals(conn, arrears, renew_from.strftime("%Y-%m"), today, officer),
        data_as_of=data_as_of,
        activity=month_activity,
    )
