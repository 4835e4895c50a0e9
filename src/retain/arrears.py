"""Arrears and no-loan customers: the questions behind ``retain overdue`` and ``retain noloan``.

Days past due (DPD) of an open loan are its imported ``days_past_due``; when
the import had none, today − maturity for a loan past its maturity, else 0.
Classes come from the editable ``arrears.classes`` table of the config and are
computed in SQL with a ``CASE`` whose bounds and labels are parameters.

All SQL here is portable: parameters, integer day numbers, no date functions.
Money stays integer fen; the CLI decides how to show it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

from retain.config import ArrearsConfig
from retain.days import day_number
from retain.errors import UsageError
from retain.groups import member_filter_sql
from retain.rules import (
    bad_min_days,
    class_case,
    dpd_sql,
    is_open_sql,
    off_book_sql,
    outstanding_sql,
)

PAR_DAYS = (30, 90)

_DPD = dpd_sql("l")
# Open loans written as "not off the book", so that SQLite scans the table instead
# of taking the status index: open loans are most of the book, and 800,000 index
# hops cost ten times a plain scan (see rules.off_book_sql).
_ON_BOOK = f"NOT {off_book_sql('l')}"

# Column order of :func:`overdue_loans` rows.
OVERDUE_COLUMNS = (
    "loan_id",
    "customer_id",
    "name",
    "phone",
    "officer",
    "guarantee",
    "status",
    "principal",
    "balance",
    "matures_on",
    "days_past_due",
    "class",
    "customer_class",
    "last_contact",
    "promise_amount",
    "promise_on",
    "promise_status",
)


def class_labels(arrears: ArrearsConfig, lang: str) -> list[str]:
    """The classes' names in display order: ``name`` in zh, ``name_en`` otherwise."""
    return [c.name if lang == "zh" else c.name_en for c in arrears.classes]


def is_written_off_class(name: str) -> bool:
    """Whether ``name`` is the written-off label, in either language."""
    from retain.i18n import CATALOGUE

    folded = name.strip().casefold()
    return folded in {label.casefold() for label in CATALOGUE["class.written_off"]}


def class_rank(arrears: ArrearsConfig, name: str) -> int:
    """The rank of a class given either of its names; UsageError naming the choices."""
    wanted = name.strip()
    try:
        return arrears.rank_of(wanted)
    except KeyError:
        pass
    folded = wanted.casefold()
    for rank, entry in enumerate(arrears.classes):
        if folded in (entry.name.casefold(), entry.name_en.casefold()):
            return rank
    choices = ", ".join(f"{c.name}/{c.name_en}" for c in arrears.classes)
    raise UsageError(key="class.unknown", value=repr(name), choices=choices)


def _today_day(today: dt.date) -> int:
    number = day_number(today)
    assert number is not None
    return number


# ---------------------------------------------------------------------------
# retain overdue


@dataclass(frozen=True)
class OverdueFilter:
    min_days: int = 0
    class_rank: int | None = None
    officer: str | None = None
    group_id: int | None = None  # --group: only its member customers
    limit: int | None = None
    include_written_off: bool = False  # also written-off loans (账销案存), after the open ones
    written_off_only: bool = False  # only those (``--class 已核销``)


def overdue_loans(
    conn: sqlite3.Connection,
    arrears: ArrearsConfig,
    today: dt.date,
    spec: OverdueFilter,
    labels: Sequence[str],
    written_off_label: str = "written off",
) -> Generator[tuple[Any, ...], None, None]:
    """Open loans past due, most days first then by loan id, as tuples (:data:`OVERDUE_COLUMNS`).

    Listed: status active or overdue, and DPD > 0 — or status overdue at any DPD.
    ``class`` and ``customer_class`` (the worst class over the borrower's open
    loans) are the ``labels`` of their classes. Rows stream from the cursor.

    With ``include_written_off``, written-off loans follow (still collected: 账销案存),
    with the days past due they were imported with and ``written_off_label`` as
    their class, which is also the ``customer_class`` of their borrowers.
    """
    class_of_loan, class_params = class_case(arrears, "p.days_past_due", labels, "k")
    class_of_customer, _ = class_case(arrears, "w.worst", labels, "k")
    params: dict[str, Any] = {
        "t": _today_day(today),
        "overdue": "overdue",
        "written_off": "written_off",
        "wo_label": written_off_label,
        **class_params,
    }
    listed = f"{_ON_BOOK} AND ({_DPD} > 0 OR l.status = :overdue)"
    if spec.written_off_only:
        listed = "l.status = :written_off"
    elif spec.include_written_off:
        listed = f"({listed}) OR l.status = :written_off"
    where = ["p.days_past_due >= :min_days"]
    params["min_days"] = spec.min_days
    if spec.class_rank is not None:
        where.append("p.wo = 0")
        entry = arrears.classes[spec.class_rank]
        where.append("p.days_past_due >= :class_min")
        params["class_min"] = entry.min_days
        if entry.max_days is not None:
            where.append("p.days_past_due <= :class_max")
            params["class_max"] = entry.max_days
    if spec.officer is not None:
        where.append("c.officer = :officer")
        params["officer"] = spec.officer
    if spec.group_id is not None:
        where.append(member_filter_sql("c.customer_id"))
        params["group_id"] = spec.group_id
    # p: the listed set (one table scan); w: each borrower's worst DPD over it, which
    # is the worst over all their open loans, since the others are at 0 days.
    sql = f"""
WITH p AS (
    SELECT l.loan_id, l.customer_id, l.guarantee, l.status, l.principal_fen,
        l.balance_fen, l.matures_on,
        -- Off the book, a written-off loan keeps the days it was imported with.
        CASE WHEN l.status = :written_off THEN COALESCE(l.days_past_due, 0)
            ELSE {_DPD} END AS days_past_due,
        CASE WHEN l.status = :written_off THEN 1 ELSE 0 END AS wo
    FROM loans l
    WHERE {listed}
),
w AS (
    SELECT p.customer_id, MAX(CASE WHEN p.wo = 0 THEN p.days_past_due END) AS worst,
        MAX(p.wo) AS any_wo
    FROM p GROUP BY p.customer_id
)
SELECT p.loan_id, p.customer_id, c.name, c.phone, c.officer, p.guarantee, p.status,
    p.principal_fen, p.balance_fen, p.matures_on, p.days_past_due,
    CASE WHEN p.wo = 1 THEN :wo_label ELSE {class_of_loan} END,
    CASE WHEN w.any_wo = 1 THEN :wo_label ELSE {class_of_customer} END,
    c.last_contact_at, pr.amount_fen, pr.due_on, pr.status
FROM p
JOIN w ON w.customer_id = p.customer_id
JOIN customers c ON c.customer_id = p.customer_id
-- The loan's latest promise (the highest id: promises are numbered as logged).
LEFT JOIN promises pr ON pr.promise_id = (
    SELECT MAX(pl.promise_id) FROM promise_loans pl WHERE pl.loan_id = p.loan_id)
WHERE {" AND ".join(where)}
ORDER BY p.wo, p.days_past_due DESC, p.loan_id"""
    if spec.limit is not None:
        sql += "\nLIMIT :limit"
        params["limit"] = spec.limit
    cursor = conn.execute(sql, params)
    cursor.row_factory = None  # plain tuples: the fastest path for big lists
    yield from cursor


@dataclass(frozen=True)
class ClassTotal:
    rank: int
    name: str
    name_en: str
    min_days: int
    max_days: int | None
    count: int
    balance_fen: int


@dataclass(frozen=True)
class ArrearsSummary:
    """The open book by class, and portfolio at risk (PAR) by outstanding balance."""

    classes: list[ClassTotal]
    count: int
    balance_fen: int
    par30_fen: int
    par90_fen: int

    def par(self, days: int) -> float | None:
        """Share of the open balance more than ``days`` (30 or 90) past due; None if no book."""
        if not self.balance_fen:
            return None
        part = self.par30_fen if days == 30 else self.par90_fen
        return part / self.balance_fen

    def par_fen(self, days: int) -> int:
        return self.par30_fen if days == 30 else self.par90_fen


def arrears_summary(
    conn: sqlite3.Connection,
    arrears: ArrearsConfig,
    today: dt.date,
    officer: str | None = None,
    group_id: int | None = None,
) -> ArrearsSummary:
    """Count and outstanding balance per class over all open loans, with PAR30 and PAR90.

    Outstanding balance is the loan's balance, or its principal when the store
    has no balance. PARn = balance of loans more than n days past due ÷ balance
    of all open loans.
    """
    ranks = list(range(len(arrears.classes)))
    class_of_loan, class_params = class_case(arrears, "d.dpd", ranks, "r")
    params: dict[str, Any] = {
        "t": _today_day(today),
        "par30": PAR_DAYS[0],
        "par90": PAR_DAYS[1],
        **class_params,
    }
    join = ""
    if officer is not None:
        join = "JOIN customers c ON c.customer_id = l.customer_id AND c.officer = :officer"
        params["officer"] = officer
    in_group = ""
    if group_id is not None:
        in_group = " AND " + member_filter_sql("l.customer_id")
        params["group_id"] = group_id
    sql = f"""
SELECT b.rank, COUNT(*), SUM(b.outstanding),
    SUM(CASE WHEN b.dpd > :par30 THEN b.outstanding ELSE 0 END),
    SUM(CASE WHEN b.dpd > :par90 THEN b.outstanding ELSE 0 END)
FROM (
    SELECT {class_of_loan} AS rank, d.dpd, d.outstanding
    FROM (
        SELECT {_DPD} AS dpd, {outstanding_sql("l")} AS outstanding
        FROM loans l {join}
        WHERE {_ON_BOOK}{in_group}
    ) d
) b
GROUP BY b.rank"""
    found = {int(r[0]): r[1:] for r in conn.execute(sql, params)}
    classes = []
    par30 = par90 = 0
    for rank, entry in enumerate(arrears.classes):
        count, balance, p30, p90 = found.get(rank, (0, 0, 0, 0))
        classes.append(
            ClassTotal(
                rank=rank,
                name=entry.name,
                name_en=entry.name_en,
                min_days=entry.min_days,
                max_days=entry.max_days,
                count=int(count),
                balance_fen=int(balance or 0),
            )
        )
        par30 += int(p30 or 0)
        par90 += int(p90 or 0)
    return ArrearsSummary(
        classes=classes,
        count=sum(c.count for c in classes),
        balance_fen=sum(c.balance_fen for c in classes),
        par30_fen=par30,
        par90_fen=par90,
    )


# ---------------------------------------------------------------------------
# retain noloan


@dataclass(frozen=True)
class NoLoanFilter:
    closed_since: dt.date | None = None  # last loan closed on or after this day
    min_loans: int = 0
    include_bad: bool = False
    officer: str | None = None
    group_id: int | None = None  # --group: only its member customers
    limit: int | None = None


_CUSTOMER_SQL = """
SELECT c.customer_id, c.name, c.phone, c.officer, c.industry, c.segment, c.last_contact_at
FROM customers c WHERE c.customer_id = ?
"""

# A customer's loan history: count, principal, written-off loans, highest DPD.
_HISTORY_SQL = """
SELECT COUNT(*), SUM(l.principal_fen), SUM(CASE WHEN l.status = ? THEN 1 ELSE 0 END),
    MAX(l.days_past_due)
FROM loans l WHERE l.customer_id = ?
"""

# Loans closed (or written off) with a date, latest first, of borrowers with no
# open loan: the loans_by_closed index drives it, so --limit stops early.
_CLOSED_SQL = """
SELECT l.customer_id, l.closed_day, l.closed_on FROM loans l
WHERE l.closed_day IS NOT NULL{filters} AND NOT EXISTS (
    SELECT 1 FROM loans o WHERE o.customer_id = l.customer_id AND {open_o})
ORDER BY l.closed_day DESC, l.customer_id
"""

# Customers with no open loan and no close date: never borrowed (or, rarely,
# only written-off loans without a date). They come last, by customer id.
_UNDATED_SQL = """
SELECT c.customer_id FROM customers c
WHERE NOT EXISTS (
    SELECT 1 FROM loans l WHERE l.customer_id = c.customer_id
        AND (l.closed_day IS NOT NULL OR {open_l})){officer}
ORDER BY c.customer_id
"""


def noloan_customers(
    conn: sqlite3.Connection,
    arrears: ArrearsConfig,
    today: dt.date,
    spec: NoLoanFilter,
    labels: Sequence[str],
) -> Generator[dict[str, Any], None, None]:
    """Customers with no active or overdue loan (无贷户), most recently closed first.

    Customers without a close date (never borrowed) come last; ties by customer
    id. Customers with a written-off loan, or whose worst class ever (from the
    highest imported days_past_due of any of their loans) reached
    ``arrears.bad_from``, are left out unless ``include_bad``. ``worst_class``
    is the ``labels`` entry of that class; a written-off loan makes it the last
    (worst) class. Rows are produced one by one, so a limit stops the scan early.
    """
    today_day = _today_day(today)
    bad_min = bad_min_days(arrears)
    worst_rank = len(arrears.classes) - 1
    limit = spec.limit
    found = 0

    def probe(customer_id: str) -> dict[str, Any] | None:
        """The customer's row if it passes the filters, else None."""
        customer = conn.execute(_CUSTOMER_SQL, (customer_id,)).fetchone()
        if customer is None:
            return None
        cid, name, phone, officer, industry, segment, last_contact = customer
        if spec.officer is not None and officer != spec.officer:
            return None
        count, total, written_off, dpd = conn.execute(
            _HISTORY_SQL, ("written_off", customer_id)
        ).fetchone()
        if count < spec.min_loans:
            return None
        worst: str | None = None
        if count:
            bad = bool(written_off) or (dpd is not None and dpd >= bad_min)
            if bad and not spec.include_bad:
                return None
            rank = worst_rank if written_off else arrears.classify(int(dpd or 0))[0]
            worst = labels[rank]
        return {
            "customer_id": cid,
            "name": name,
            "phone": phone,
            "officer": officer,
            "industry": industry,
            "segment": segment,
            "last_closed_on": None,
            "days_since": None,
            "loans": int(count),
            "total_borrowed": int(total) if total is not None else None,
            "worst_class": worst,
            "last_contact": last_contact,
        }

    filters = ""
    params: list[Any] = []
    if spec.closed_since is not None:
        filters += " AND l.closed_day >= ?"
        params.append(day_number(spec.closed_since))
    if spec.officer is not None:
        # One officer's customers, looked up once (customers_by_officer), so that
        # other officers' loans cost no open-loan probe.
        filters += (
            " AND l.customer_id IN (SELECT c.customer_id FROM customers c WHERE c.officer = ?)"
        )
        params.append(spec.officer)
    if spec.group_id is not None:
        filters += " AND " + member_filter_sql("l.customer_id", "?")
        params.append(spec.group_id)
    closed = conn.execute(_CLOSED_SQL.format(filters=filters, open_o=is_open_sql("o")), params)
    closed.row_factory = None
    seen: set[str] = set()
    try:
        for customer_id, closed_day, closed_on in closed:
            # A borrower's first loan in this order is their last close.
            if customer_id in seen:
                continue
            seen.add(customer_id)
            row = probe(customer_id)
            if row is None:
                continue
            row["last_closed_on"] = closed_on
            row["days_since"] = today_day - int(closed_day)
            yield row
            found += 1
            if limit is not None and found >= limit:
                return
    finally:
        closed.close()

    # Undated customers have no last close: a period rules them all out, and a
    # minimum of loans all but the written-off (bad) ones.
    if spec.closed_since is not None or (spec.min_loans > 0 and not spec.include_bad):
        return
    undated_params: list[Any] = []
    officer_sql = ""
    if spec.officer is not None:
        officer_sql = " AND c.officer = ?"
        undated_params.append(spec.officer)
    if spec.group_id is not None:
        officer_sql += " AND " + member_filter_sql("c.customer_id", "?")
        undated_params.append(spec.group_id)
    undated = conn.execute(
        _UNDATED_SQL.format(officer=officer_sql, open_l=is_open_sql("l")), undated_params
    )
    undated.row_factory = None
    try:
        for (customer_id,) in undated:
            row = probe(customer_id)
            if row is None:
                continue
            yield row
            found += 1
            if limit is not None and found >= limit:
                return
    finally:
        undated.close()
