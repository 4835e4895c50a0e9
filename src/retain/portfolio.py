"""Where the book is going: the runoff ladder (业绩断层) and client retention.

Two questions an officer's manager asks every month, answered from the store
alone (no Typer, no Rich: ``retain.cli.portfolio`` renders, and the monthly
report reuses the dataclasses):

- :func:`runoff`: month by month, how much of today's balance matures, how
  much is left if nothing is renewed, how much the store's own history says
  will be renewed, and how much new lending it takes to hold the balance.
- :func:`retention`: per period, how many borrowers stayed, dropped out, came
  back or borrowed again (clients, not loans).

All SQL is set-based and portable (day numbers, no date functions): on a
million loans each answer is a handful of statements, never a loop over loans.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any, Literal

from retain.dates import add_months
from retain.days import day_number
from retain.rules import OPEN_STATUSES, STATUSES, off_book_sql, outstanding_sql

RunoffBy = Literal["officer", "industry", "guarantee"]
Period = Literal["month", "quarter", "year"]
RUNOFF_BY: tuple[str, ...] = ("officer", "industry", "guarantee")
PERIODS: tuple[str, ...] = ("month", "quarter", "year")

# How a group is read from the loan (l) and its customer (c).
_GROUP_SQL = {
    None: "NULL",
    "officer": "c.officer",
    "industry": "c.industry",
    "guarantee": "l.guarantee",
}

# The principal still unpaid of an instalment: payments settle its interest first.
_UNPAID_PRINCIPAL = (
    "(i.principal_fen - MIN(i.principal_fen, MAX(0, COALESCE(i.paid_fen, 0) - i.interest_fen)))"
)


# ---------------------------------------------------------------------------
# Renewals measured from history


@dataclass(frozen=True)
class Renewal:
    """Customers whose loan closed in the 12 months before today, and how many renewed.

    A close counts once it is decided: a new loan came within the grace days,
    or the grace days have passed. ``old_fen``/``new_fen`` are the principals of
    the closed loans that were renewed and of the loans that renewed them."""

    officer: str | None
    closed: int
    renewed: int
    old_fen: int
    new_fen: int

    @property
    def rate(self) -> float | None:
        return self.renewed / self.closed if self.closed else None

    @property
    def size_ratio(self) -> float | None:
        return self.new_fen / self.old_fen if self.old_fen else None


def _combine(officer: str | None, parts: Sequence[Renewal]) -> Renewal:
    return Renewal(
        officer=officer,
        closed=sum(p.closed for p in parts),
        renewed=sum(p.renewed for p in parts),
        old_fen=sum(p.old_fen for p in parts),
        new_fen=sum(p.new_fen for p in parts),
    )


def measured_renewals(
    conn: sqlite3.Connection, today: dt.date, grace_days: int, officer: str | None = None
) -> list[Renewal]:
    """Per officer (the customer's officer today): renewal counts of the last 12 months.

    A customer counts once per officer however many loans they closed; they
    renewed when any of their closes was followed, on the close day or within
    ``grace_days`` after it, by a new loan (the first such loan is the renewal).
    Written-off loans are not closes."""
    t = day_number(today)
    assert t is not None
    since = day_number(add_months(today, -12))
    scope = "WHERE c.officer = :officer" if officer is not None else ""
    # The renewal is one seek in the (customer_id, disbursed_day, …) index;
    # only a loan that renewed is read for its principal.
    sql = f"""
WITH closes AS MATERIALIZED (
    SELECT l.customer_id, l.closed_day, l.principal_fen AS old_fen,
        (SELECT n.rowid FROM loans n INDEXED BY loans_by_customer_day
         WHERE n.customer_id = l.customer_id
           AND n.rowid <> l.rowid
           AND n.disbursed_day >= l.closed_day AND n.disbursed_day <= l.closed_day + :grace
           AND n.disbursed_day <= :t
         ORDER BY n.disbursed_day, n.rowid LIMIT 1) AS renewal
    FROM loans l
    WHERE l.closed_day > :since AND l.closed_day <= :t AND +l.status = 'closed'
), decided AS (
    SELECT customer_id, old_fen,
        (SELECT n.principal_fen FROM loans n WHERE n.rowid = renewal) AS new_fen
    FROM closes WHERE renewal IS NOT NULL OR closed_day + :grace <= :t
)
SELECT c.officer, COUNT(DISTINCT d.customer_id),
    COUNT(DISTINCT CASE WHEN d.new_fen IS NOT NULL THEN d.customer_id END),
    COALESCE(SUM(CASE WHEN d.new_fen IS NOT NULL THEN d.old_fen END), 0),
    COALESCE(SUM(d.new_fen), 0)
FROM decided d JOIN customers c ON c.customer_id = d.customer_id
{scope}
GROUP BY c.officer
ORDER BY c.officer IS NULL, c.officer"""
    params = {"t": t, "since": since, "grace": grace_days, "officer": officer}
    return [
        Renewal(officer=row[0], closed=row[1], renewed=row[2], old_fen=row[3], new_fen=row[4])
        for row in conn.execute(sql, params)
    ]


# ---------------------------------------------------------------------------
# The runoff ladder


@dataclass(frozen=True)
class LadderMonth:
    """One calendar month of the ladder (the first one starts today)."""

    month: str  # YYYY-MM
    start: dt.date
    end: dt.date
    loans: int  # open loans whose maturity date falls in the month
    customers: int  # their borrowers, each once
    maturing_fen: int  # principal falling due in the month (schedule) or balance at maturity
    remaining_fen: int  # today's balance minus everything maturing up to the month's end
    share: float | None  # remaining ÷ today's balance
    renewals_fen: int  # expected renewals of the month's maturing balance
    forecast_fen: int  # remaining + expected renewals up to the month's end
    target_fen: int
    gap_fen: int  # new lending needed in this month to be back at the target
    cumulative_gap_fen: int  # new lending needed by the month's end
    below_cliff: bool  # forecast < cliff share × today's balance


@dataclass(frozen=True)
class Ladder:
    """The ladder of one group (``group`` None: the whole scope)."""

    group: str | None
    balance_fen: int  # today's balance: open loans' balance (principal when none)
    target_fen: int
    months: list[LadderMonth]
    cliff_month: str | None  # the first month below the cliff, None if none


@dataclass(frozen=True)
class Runoff:
    today: dt.date
    officer: str | None
    by: str | None
    grace_days: int
    cliff_share: float
    renewal: Renewal  # over the scope
    renewals: list[Renewal]  # per officer
    total: Ladder
    groups: list[Ladder] = field(default_factory=list)


def ladder_months(today: dt.date, months: int) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of each month: today to the end of this month, then whole months."""
    first = today.replace(day=1)
    spans = []
    for k in range(months):
        start = add_months(first, k)
        end = add_months(first, k + 1) - dt.timedelta(days=1)
        spans.append((today if k == 0 else start, end))
    return spans


def _months_cte(spans: Sequence[tuple[dt.date, dt.date]], params: dict[str, Any]) -> str:
    rows = []
    for k, (start, end) in enumerate(spans):
        params[f"lo{k}"], params[f"hi{k}"] = day_number(start), day_number(end)
        rows.append(f"({k}, :lo{k}, :hi{k})")
    return f"m(k, lo, hi) AS (VALUES {', '.join(rows)})"


Cell = tuple[int, str | None]  # month index, group


def runoff(
    conn: sqlite3.Connection,
    today: dt.date,
    *,
    months: int = 12,
    officer: str | None = None,
    by: str | None = None,
    target_fen: int | None = None,
    grace_days: int = 60,
    cliff_share: float = 0.8,
) -> Runoff:
    """The maturity ladder of the next ``months`` calendar months, with the forecast and the gap.

    Maturing in a month: for a loan with a repayment schedule, the unpaid
    principal of its instalments due in the month (interest is paid first);
    for any other open loan, its whole balance in the month of its maturity.
    What fell due before today and is still unpaid stays in the balance: it is
    collected, not renewed. Expected renewals of a month = Σ over officers of
    renewal rate × size ratio × that officer's maturing balance (an officer
    with no measured closes takes the scope's figures; none at all: no renewals).
    A renewed loan is assumed not to mature again within the horizon."""
    if by not in (None, *RUNOFF_BY):
        raise ValueError(by)
    t = day_number(today)
    spans = ladder_months(today, months)
    grp = _GROUP_SQL[by]
    params: dict[str, Any] = {"t": t, "officer": officer}
    for k, (first_day, last_day) in enumerate(spans):
        params[f"lo{k}"], params[f"hi{k}"] = day_number(first_day), day_number(last_day)
    params["first"], params["last"] = params["lo0"], params[f"hi{len(spans) - 1}"]
    # The officer's customers as a set SQLite builds once: far cheaper on a big
    # book than a join to customers for every loan.
    scope = (
        " AND l.customer_id IN (SELECT customer_id FROM customers WHERE officer = :officer)"
        if officer is not None
        else ""
    )
    join = (
        "JOIN customers c ON c.customer_id = l.customer_id" if by in ("officer", "industry") else ""
    )
    open_list = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    whens = " ".join(f"WHEN l.matures_day <= :hi{k} THEN {k}" for k in range(len(spans)))
    balances: dict[str | None, int] = defaultdict(int)
    loans: dict[Cell, int] = defaultdict(int)
    total_customers: dict[int, int] = {}
    customers: dict[Cell, int] = defaultdict(int)
    maturing: dict[Cell, int] = defaultdict(int)
    scheduled = conn.execute("SELECT EXISTS (SELECT 1 FROM instalments)").fetchone()[0]
    unscheduled = " AND l.loan_id NOT IN (SELECT loan_id FROM instalments)" if scheduled else ""
    if by is None:
        # The whole book: summed per maturity day in the maturity index's own
        # order (it carries the balance), so no table scan and no sort; the
        # days are put into months here.
        edges = [params[f"hi{k}"] for k in range(len(spans))]
        for day, fen in conn.execute(
            f"""SELECT l.matures_day, SUM({outstanding_sql("l")})
FROM loans l INDEXED BY loans_by_status_maturity
WHERE l.status IN ({open_list}){scope}
GROUP BY l.status, l.matures_day""",
            params,
        ):
            balances[None] += int(fen or 0)
            if day is not None and params["first"] <= day <= params["last"]:
                maturing[(bisect_left(edges, day), None)] += int(fen or 0)
        if scheduled:
            # Loans with a schedule mature instalment by instalment (below), not whole.
            for day, fen in conn.execute(
                f"""SELECT l.matures_day, SUM({outstanding_sql("l")})
FROM loans l
WHERE l.status IN ({open_list}) AND l.matures_day BETWEEN :first AND :last{scope}
  AND l.loan_id IN (SELECT loan_id FROM instalments)
GROUP BY l.matures_day""",
                params,
            ):
                maturing[(bisect_left(edges, day), None)] -= int(fen or 0)
    else:
        # Today's balance and the balance at maturity of the loans without a
        # schedule, in one scan of the table (a scan beats hopping through an
        # index when most loans are open).
        for k, group, fen in conn.execute(
            f"""SELECT CASE WHEN l.matures_day >= :first AND l.matures_day <= :last{unscheduled}
        THEN CASE {whens} END END,
    {grp}, SUM({outstanding_sql("l")})
FROM loans l {join}
WHERE NOT {off_book_sql("l")}{scope}
GROUP BY 1, 2""",
            params,
        ):
            balances[group] += int(fen or 0)
            if k is not None:
                maturing[(k, group)] += int(fen or 0)
    # Unpaid principal of the instalments falling due, for loans with a schedule.
    for k, group, fen in conn.execute(
        f"""SELECT CASE {whens.replace("l.matures_day", "i.due_day")} END, {grp},
    SUM({_UNPAID_PRINCIPAL})
FROM instalments i CROSS JOIN loans l ON l.loan_id = i.loan_id {join}
WHERE i.due_day BETWEEN :first AND :last AND l.status IN ({open_list}){scope}
GROUP BY 1, 2""",
        params,
    ):
        maturing[(k, group)] += int(fen or 0)
    # Loans and borrowers reaching maturity, a month at a time: without a group
    # the (status, matures_day, customer_id) index answers alone. A customer has
    # one officer and one industry, so groups' counts add up; under --by
    # guarantee a customer with loans of two kinds is counted in each, and once
    # in the total.
    for k in range(len(spans)):
        window = {**params, "lo": params[f"lo{k}"], "hi": params[f"hi{k}"]}
        whole = 0
        for group, count, people in conn.execute(
            f"""SELECT {grp}, COUNT(*), COUNT(DISTINCT l.customer_id) FROM loans l {join}
WHERE l.status IN ({open_list}) AND l.matures_day BETWEEN :lo AND :hi{scope}
GROUP BY 1""",
            window,
        ):
            loans[(k, group)] += count
            customers[(k, group)] += people
            whole += people
        if by == "guarantee":
            whole = conn.execute(
                f"""SELECT COUNT(DISTINCT l.customer_id) FROM loans l
WHERE l.status IN ({open_list}) AND l.matures_day BETWEEN :lo AND :hi{scope}""",
                window,
            ).fetchone()[0]
        total_customers[k] = whole

    renewals = measured_renewals(conn, today, grace_days, officer)
    overall = _combine(None, renewals)
    by_officer = {r.officer: r for r in renewals}

    def factor(entry: Renewal | None) -> float:
        """Rate × size ratio; an officer without measured closes takes the scope's."""
        rate = entry.rate if entry is not None and entry.rate is not None else overall.rate
        ratio = entry.size_ratio if entry is not None else None
        if ratio is None:
            ratio = overall.size_ratio if overall.size_ratio is not None else 1.0
        return (rate or 0.0) * ratio

    def ladder(group: str | None, whole: bool, target: int | None, renew: float) -> Ladder:
        def cell(table: dict[Cell, int], k: int) -> int:
            if whole:
                return sum(v for (m, _), v in table.items() if m == k)
            return table.get((k, group), 0)

        balance = sum(balances.values()) if whole else balances.get(group, 0)
        goal = balance if target is None else target
        rows: list[LadderMonth] = []
        matured = 0
        previous_gap = max(0, goal - balance)
        cliff = None
        for k, (first_day, last_day) in enumerate(spans):
            month_fen = cell(maturing, k)
            matured += month_fen
            remaining = max(0, balance - matured)
            forecast = remaining + round(renew * matured)
            cumulative = max(0, goal - forecast)
            below = forecast < cliff_share * balance
            if below and cliff is None:
                cliff = first_day.strftime("%Y-%m")
            rows.append(
                LadderMonth(
                    month=first_day.strftime("%Y-%m"),
                    start=first_day,
                    end=last_day,
                    loans=cell(loans, k),
                    customers=total_customers[k] if whole else cell(customers, k),
                    maturing_fen=month_fen,
                    remaining_fen=remaining,
                    share=remaining / balance if balance else None,
                    renewals_fen=round(renew * month_fen),
                    forecast_fen=forecast,
                    target_fen=goal,
                    gap_fen=cumulative - previous_gap,
                    cumulative_gap_fen=cumulative,
                    below_cliff=below,
                )
            )
            previous_gap = cumulative
        return Ladder(group, balance, goal, rows, cliff)

    total = ladder(None, True, target_fen, factor(overall))
    groups: list[Ladder] = []
    if by is not None:
        names = {g for _, g in maturing} | {g for _, g in loans} | set(balances)
        for name in sorted(names, key=lambda g: (g is None, str(g))):
            # An officer's ladder renews at the officer's own measured rate.
            renew = factor(by_officer.get(name)) if by == "officer" else factor(overall)
            groups.append(ladder(name, False, None, renew))
    return Runoff(
        today=today,
        officer=officer,
        by=by,
        grace_days=grace_days,
        cliff_share=cliff_share,
        renewal=overall,
        renewals=renewals,
        total=total,
        groups=groups,
    )


# ---------------------------------------------------------------------------
# Retention over periods


@dataclass(frozen=True)
class RetentionPeriod:
    """Client counts of one period (``officer`` None: everyone in scope).

    "At start" is the state at the end of the day before the period, "at end"
    the state at the end of its last day (today's for a period not over yet).
    A borrower is a customer with an active loan: disbursed, not yet closed (a
    closed or written-off loan ends on its close day, else on its maturity)."""

    label: str
    start: dt.date
    end: dt.date
    officer: str | None
    active_start: int
    active_end: int
    new_borrowers: int  # first loan ever disbursed in the period
    closed: int  # customers whose loan closed in the period (decided; written-off excluded)
    dropouts: int  # … with no new loan within the grace days of their last close in it
    closers: int  # customers who had closed at least one loan by the period's end
    repeaters: int  # … of them with two or more loans disbursed by then
    noloan_start: int  # customers who had borrowed, with no active loan, at start
    noloan_end: int
    won_back: int  # customers who took a loan in the period after a time with none

    @property
    def retention_rate(self) -> float | None:
        if not self.active_start:
            return None
        return (self.active_end - self.new_borrowers) / self.active_start

    @property
    def dropout_rate(self) -> float | None:
        return self.dropouts / self.closed if self.closed else None

    @property
    def repeat_rate(self) -> float | None:
        return self.repeaters / self.closers if self.closers else None


def period_label(period: str, start: dt.date) -> str:
    if period == "year":
        return str(start.year)
    if period == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return start.strftime("%Y-%m")


_PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}
_DEFAULT_PERIODS = {"month": 12, "quarter": 4, "year": 3}


def period_start(period: str, day: dt.date) -> dt.date:
    """The first day of the period holding ``day``."""
    if period == "year":
        return day.replace(month=1, day=1)
    if period == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(day=1)


def periods_between(
    period: str, start: dt.date | None, end: dt.date
) -> list[tuple[str, dt.date, dt.date]]:
    """Calendar periods from the one holding ``start`` to the one holding ``end``;
    the last ends at ``end``. Without ``start``: the last 12 months, 4 quarters or 3 years."""
    step = _PERIOD_MONTHS[period]
    last = period_start(period, end)
    first = (
        period_start(period, start)
        if start is not None
        else add_months(last, -step * (_DEFAULT_PERIODS[period] - 1))
    )
    found = []
    current = first
    while current <= last:
        following = add_months(current, step)
        found.append(
            (period_label(period, current), current, min(end, following - dt.timedelta(days=1)))
        )
        current = following
    return found


def _bucket_sql(column: str, count: int) -> str:
    """Which boundary a day falls under: 0 up to :b0, k in (:b{k-1}, :b{k}], else count."""
    whens = " ".join(f"WHEN {column} <= :b{k} THEN {k}" for k in range(count))
    return f"(CASE {whens} ELSE {count} END)"


_INF = 1 << 40  # the end of a loan still open
#: A window longer than this reads its closes from loans_for_ranking (see retention).
_CLOSES_SCAN_DAYS = 120
_KINDS = ("start", "end", "new", "back", "closer", "repeat")


def _borrower_events(
    conn: sqlite3.Connection, bounds: Sequence[int], by_officer: bool
) -> dict[str | None, dict[str, list[int]]]:
    """Per officer, per kind: how many events of the customers' loans (disbursed by
    the last bound) fall in each bucket, the first bound on or after the event's
    day (``len(bounds)``: past the last).

    Kinds: ``start``/``end`` of an active spell, ``new`` (first loan ever),
    ``back`` (a spell after a time with none), ``closer`` (first close) and
    ``repeat`` (closed one and had a second loan by then).

    A customer's loans are taken in order of disbursement (then end, NULL
    first); a loan starts a spell when it is disbursed after every earlier
    loan ended. An open loan never ends, so nothing after a customer's first
    open loan starts or ends a spell: only the closed and written-off loans
    (a fifth of a big book) are read one by one, already in that order, and of
    the open ones each customer's first disbursement day (one seek each).

    The second open loan is read only where it can decide the repeat: a
    repeater counts from its first close or its second loan, whichever is
    later, and the second open loan can be the second loan only when the first
    open one came before every ended loan; then both come before that ended
    loan's disbursement, which is never after its close - unless a store holds
    a close before its disbursement (imports refuse one), the only case that
    pays a seek."""
    last = bounds[-1]
    size = len(bounds) + 1
    open_list = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    ended_list = ", ".join(f"'{s}'" for s in STATUSES if s not in OPEN_STATUSES)
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: 400,000 rows on a big book
    ended: dict[str, list[tuple[str, int, int | None, int | None]]] = {
        cid: list(loans)
        for cid, loans in groupby(
            cursor.execute(
                f"""SELECT l.customer_id, l.disbursed_day, COALESCE(l.closed_day, l.matures_day),
    CASE WHEN l.status = 'closed' THEN l.closed_day END
FROM loans l
WHERE l.status IN ({ended_list}) AND l.disbursed_day <= :last
ORDER BY 1, 2, 3""",
                {"last": last},
            ),
            itemgetter(0),
        )
    }
    people = cursor.execute(
        f"""SELECT c.customer_id, {"c.officer" if by_officer else "NULL"},
    (SELECT l.disbursed_day FROM loans l INDEXED BY loans_by_customer_day
        WHERE l.customer_id = c.customer_id AND l.disbursed_day <= :last
          AND l.status IN ({open_list})
        ORDER BY l.disbursed_day LIMIT 1)
FROM customers c""",
        {"last": last},
    ).fetchall()

    tables: dict[str | None, dict[str, list[int]]] = {}
    # Each officer's counters, in the order of _KINDS.
    counters: dict[str | None, tuple[list[int], ...]] = {}

    def counters_of(officer: str | None) -> tuple[list[int], ...]:
        lists = tuple([0] * size for _ in _KINDS)
        tables[officer] = dict(zip(_KINDS, lists, strict=True))
        counters[officer] = lists
        return lists

    # Customers with open loans only: one spell from the first, never ended or closed.
    only_open: dict[str | None, Counter[int]] = defaultdict(Counter)
    # Closers whose second loan may be their second open one: (officer, first close, E0).
    pending: dict[str, tuple[str | None, int, int]] = {}
    for cid, officer, open1 in people:
        loans = ended.get(cid)
        if loans is None:
            if open1 is not None:
                only_open[officer][open1] += 1
            continue
        lists = counters.get(officer) or counters_of(officer)
        starts, ends, new, back, closer, repeat = lists
        reach: int | None = None  # the latest end of the loans so far
        for _, a, zz, _ in loans:
            if open1 is not None and a > open1:
                break
            if reach is None:
                k = bisect_left(bounds, a)
                starts[k] += 1
                new[k] += 1
            elif a > reach:
                k = bisect_left(bounds, a)
                starts[k] += 1
                back[k] += 1
                ends[bisect_left(bounds, reach)] += 1
            if zz is not None and (reach is None or zz > reach):
                reach = zz
        if open1 is not None:
            # The first open loan comes after every ended loan disbursed the same day.
            if reach is None:
                k = bisect_left(bounds, open1)
                starts[k] += 1
                new[k] += 1
            elif open1 > reach:
                k = bisect_left(bounds, open1)
                starts[k] += 1
                back[k] += 1
                ends[bisect_left(bounds, reach)] += 1
        elif reach is not None and reach < _INF:
            ends[bisect_left(bounds, reach)] += 1
        if len(loans) == 1:
            first_close = loans[0][3]
            if first_close is None:
                continue
        else:
            closes = [cz for _, _, _, cz in loans if cz is not None]
            if not closes:
                continue
            first_close = min(closes)
        closer[bisect_left(bounds, first_close)] += 1
        # The customer's second loan: the second smallest disbursement day.
        e0 = loans[0][1]
        if open1 is None:
            second = loans[1][1] if len(loans) > 1 else None
        elif open1 >= e0:
            second = min(open1, loans[1][1]) if len(loans) > 1 else open1
        elif first_close >= e0:
            second = e0  # or the second open loan, earlier still: first_close decides
        else:
            pending[cid] = (officer, first_close, e0)
            continue
        if second is not None:
            repeat[bisect_left(bounds, max(first_close, second))] += 1
    for officer, days in only_open.items():
        starts, _, new, *_ = counters.get(officer) or counters_of(officer)
        for day, count in days.items():
            k = bisect_left(bounds, day)
            starts[k] += count
            new[k] += count
    if pending:
        for cid, open2 in cursor.execute(
            f"""SELECT j.value, (
    SELECT l.disbursed_day FROM loans l INDEXED BY loans_by_customer_day
        WHERE l.customer_id = j.value AND l.disbursed_day <= :last AND l.status IN ({open_list})
        ORDER BY l.disbursed_day LIMIT 1 OFFSET 1)
FROM json_each(:ids) j""",
            {"last": last, "ids": json.dumps(list(pending), ensure_ascii=False)},
        ):
            officer, first_close, e0 = pending[cid]
            second = e0 if open2 is None else min(e0, open2)
            tables[officer]["repeat"][bisect_left(bounds, max(first_close, second))] += 1
    return tables


def retention(
    conn: sqlite3.Connection,
    today: dt.date,
    *,
    period: str = "month",
    start: dt.date | None = None,
    end: dt.date | None = None,
    by_officer: bool = False,
    grace_days: int = 60,
) -> list[RetentionPeriod]:
    """Client retention per period (and per officer: the customer's officer today).

    Active spells: a customer's loans are merged into spells with a loan
    active throughout (a loan disbursed the day another ends continues it);
    counting spell starts and ends up to each boundary gives the borrowers
    active there (see :func:`_borrower_events`)."""
    if period not in PERIODS:
        raise ValueError(period)
    end = end or today
    spans = periods_between(period, start, end)
    t = day_number(today)
    # A date always has a day number.
    days = [day_number(e) or 0 for _, _, e in spans]
    bounds = [(day_number(spans[0][1]) or 0) - 1, *days]
    n = len(bounds)
    params: dict[str, Any] = {f"b{k}": b for k, b in enumerate(bounds)}
    params.update({"t": t, "grace": grace_days, "last": bounds[-1], "first": bounds[0]})
    counts: dict[tuple[str, str | None], list[int]] = defaultdict(lambda: [0] * (n + 1))
    officers: set[str | None] = set()
    for officer, table in _borrower_events(conn, bounds, by_officer).items():
        officers.add(officer)
        for kind, buckets in table.items():
            counts[(kind, officer)] = buckets

    # The closes of a few months are a few thousand rows of the table through
    # loans_by_closed; those of a year or more are cheaper read in order from the
    # closed loans of loans_for_ranking, which covers them (on a 1,000,000-loan
    # book: 0.3 s of random table reads for 12 months against 0.15 s).
    closes_from = (
        "loans l INDEXED BY loans_for_ranking WHERE l.status = 'closed'"
        " AND l.closed_day > :first AND l.closed_day <= :last"
        if bounds[-1] - bounds[0] > _CLOSES_SCAN_DAYS
        else "loans l WHERE l.closed_day > :first AND l.closed_day <= :last"
        " AND +l.status = 'closed'"
    )
    dropout_sql = f"""
WITH closes AS (
    SELECT l.customer_id AS cid, {_bucket_sql("l.closed_day", n)} AS b,
        MAX(l.closed_day) AS last_close
    FROM {closes_from}
    GROUP BY 1, 2
), judged AS MATERIALIZED (
    SELECT cid, b, last_close, EXISTS (
        SELECT 1 FROM loans n INDEXED BY loans_by_customer_day
        WHERE n.customer_id = closes.cid
          AND n.disbursed_day >= closes.last_close
          AND n.disbursed_day <= closes.last_close + :grace AND n.disbursed_day <= :t
    ) AS renewed
    FROM closes
)
SELECT {"c.officer" if by_officer else "NULL"}, j.b, COUNT(*), SUM(NOT j.renewed)
FROM judged j {"JOIN customers c ON c.customer_id = j.cid" if by_officer else ""}
WHERE j.renewed OR j.last_close + :grace <= :t
GROUP BY 1, 2"""
    for officer, bucket, closed, dropped in conn.execute(dropout_sql, params):
        counts[("closed", officer)][bucket] += closed
        counts[("dropout", officer)][bucket] += dropped
        officers.add(officer)

    def cumulative(kind: str, officer: str | None, k: int) -> int:
        return sum(counts[(kind, officer)][: k + 1])

    result = []
    groups = sorted(officers, key=lambda o: (o is None, str(o))) if by_officer else [None]
    for officer in groups:
        for i, (label, first_day, last_day) in enumerate(spans):

            def active(k: int) -> int:
                return cumulative("start", officer, k) - cumulative("end", officer, k)  # noqa: B023

            def borrowed(k: int) -> int:
                return cumulative("new", officer, k)  # noqa: B023

            result.append(
                RetentionPeriod(
                    label=label,
                    start=first_day,
                    end=last_day,
                    officer=officer,
                    active_start=active(i),
                    active_end=active(i + 1),
                    new_borrowers=counts[("new", officer)][i + 1],
                    closed=counts[("closed", officer)][i + 1],
                    dropouts=counts[("dropout", officer)][i + 1],
                    closers=cumulative("closer", officer, i + 1),
                    repeaters=cumulative("repeat", officer, i + 1),
                    noloan_start=borrowed(i) - active(i),
                    noloan_end=borrowed(i + 1) - active(i + 1),
                    won_back=counts[("back", officer)][i + 1],
                )
            )
    return result
