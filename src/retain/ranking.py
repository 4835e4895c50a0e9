"""The daily call list: a score per customer as a weighted sum of named terms.

Like Taskwarrior's urgency, every term has a name, a rule and a value, and
``retain calls --explain`` shows them. The terms are computed once, in one
SQL query (so the list and the explanation can never disagree); weights and
rhythms come from the config as parameters. Dates are compared as integer day
numbers (see migration m002), so the SQL needs no date functions.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from retain.config import Config
from retain.dates import add_months
from retain.days import day_number

TERMS = ("overdue", "maturing", "follow_up", "post_loan_check", "revisit", "win_back")


@dataclass(frozen=True)
class CallFilter:
    officer: str | None = None
    reasons: tuple[str, ...] = ()
    limit: int | None = 20
    customer_id: str | None = None  # explain one customer: no list filters


def _class_cases(config: Config, column: str, value_of: str) -> tuple[str, dict[str, Any]]:
    """A CASE over the arrears table mapping days past due to rank or weight."""
    parts = []
    params: dict[str, Any] = {}
    for rank, entry in enumerate(config.arrears.classes):
        if entry.max_days is None:
            continue
        parts.append(f"WHEN {column} <= :{value_of}_max{rank} THEN :{value_of}_val{rank}")
        params[f"{value_of}_max{rank}"] = entry.max_days
        params[f"{value_of}_val{rank}"] = rank if value_of == "rank" else entry.weight
    last = len(config.arrears.classes) - 1
    params[f"{value_of}_last"] = last if value_of == "rank" else config.arrears.classes[-1].weight
    return f"(CASE {' '.join(parts)} ELSE :{value_of}_last END)", params


def _tier_case(config: Config, days_left: str) -> str:
    """The reminder tier a loan is in: the smallest tier not below its days left."""
    tiers = sorted(config.rhythm.maturity_tiers)
    parts = [f"WHEN {days_left} <= {int(t)} THEN {int(t)}" for t in tiers[:-1]]
    return f"(CASE {' '.join(parts)} ELSE {int(tiers[-1])} END)" if parts else str(int(tiers[-1]))


def _query(
    config: Config,
    today: dt.date,
    spec: CallFilter,
    *,
    only_ids: list[str] | None = None,
    urgent_only: bool = False,
) -> tuple[str, dict[str, Any]]:
    """The scoring query, as CTEs ending in ``scored``.

    ``only_ids`` limits it to some customers (exact scores, found by index);
    ``urgent_only`` reads only overdue and soon-maturing loans: the overdue,
    maturing and follow-up terms are then exact, the others lower bounds.
    """
    rhythm = config.rhythm
    weights = config.weights
    secured = list(rhythm.secured_guarantees) or ["__none__"]
    secured_marks = ", ".join(f":secured{i}" for i in range(len(secured)))
    class_weight, weight_params = _class_cases(config, "o.dpd", "weight")
    class_rank_now, rank_params = _class_cases(config, "o.dpd", "rank")
    class_rank_then = class_rank_now.replace("o.dpd", "COALESCE(c.dpd_at_contact, 0)")
    bad_rank = config.arrears.rank_of(config.arrears.bad_from)
    bad_min_days = config.arrears.classes[bad_rank].min_days
    today_day = day_number(today)
    assert today_day is not None
    params: dict[str, Any] = {
        "t": today_day,
        "lead": rhythm.lead_days,
        "first": rhythm.post_loan_first_days,
        "every": rhythm.post_loan_every_days,
        "revisit_every": rhythm.revisit_every_days,
        "wb_every": rhythm.win_back_every_days,
        "wb_since": day_number(add_months(today, -rhythm.win_back_months)),
        "quiet": rhythm.quiet_days,
        "bad_min": bad_min_days,
        "w_overdue": weights.overdue,
        "w_overdue_day": weights.overdue_per_day,
        "overdue_cap": weights.overdue_day_cap,
        "w_maturing": weights.maturing,
        "w_maturing_day": weights.maturing_per_day,
        "w_follow_up": weights.follow_up,
        "w_follow_up_day": weights.follow_up_per_day,
        "late_cap": weights.late_day_cap,
        "w_post": weights.post_loan_check,
        "w_revisit": weights.revisit,
        "w_win_back": weights.win_back,
        **{f"secured{i}": g for i, g in enumerate(secured)},
        **weight_params,
        **rank_params,
    }
    ids = [spec.customer_id] if spec.customer_id else only_ids
    one = one_c = ""
    if ids is not None:
        marks = ", ".join(f":id{i}" for i in range(len(ids))) or "NULL"
        params.update({f"id{i}": value for i, value in enumerate(ids)})
        one = f"AND l.customer_id IN ({marks})"
        one_c = f"AND c.customer_id IN ({marks})"
    closed_filter = one
    if urgent_only:
        closed_filter = one + " AND 0 = 1"  # win-back is bounded, not computed, in this pass
        one += " AND (l.matures_day <= :t + :lead OR l.days_past_due > 0)"
        one_c += (
            " AND c.customer_id IN (SELECT customer_id FROM open_loans"
            " UNION SELECT customer_id FROM customers WHERE next_day <= :t)"
        )
    tier = _tier_case(config, "(l.matures_day - :t)")
    sql = f"""
WITH open_loans AS (
    SELECT l.customer_id,
        MAX(COALESCE(l.days_past_due,
            CASE WHEN l.matures_day < :t THEN :t - l.matures_day ELSE 0 END)) AS dpd,
        MAX(CASE WHEN :t >= l.disbursed_day + :first
            THEN :t - ((:t - l.disbursed_day - :first) % :every) END) AS check_day,
        MIN(CASE WHEN l.guarantee IN ({secured_marks}) THEN l.disbursed_day END) AS secured_since
    FROM loans l
    WHERE l.status IN ('active', 'overdue') {one}
    GROUP BY l.customer_id
),
maturing AS (
    -- Loans maturing within the lead window whose current reminder window
    -- (30/15/7/1 days before maturity) opened after the customer's last contact:
    -- the soonest of them sets the points. Found through the maturity index.
    SELECT l.customer_id, MIN(l.matures_day - :t) AS days_left,
        MAX(l.matures_day - {tier}) AS window_open
    FROM loans l JOIN customers c ON c.customer_id = l.customer_id
    WHERE l.status IN ('active', 'overdue') AND l.matures_day >= :t
        AND l.matures_day <= :t + :lead {one}
        AND (c.last_contact_day IS NULL OR c.last_contact_day < l.matures_day - {tier})
    GROUP BY l.customer_id
),
recently_closed AS (
    SELECT l.customer_id, MAX(l.closed_day) AS closed_day
    FROM loans l
    WHERE l.status = 'closed' AND l.closed_day >= :wb_since {closed_filter}
    GROUP BY l.customer_id
),
candidates AS (
    SELECT c.customer_id, c.name, c.phone, c.officer, c.last_contact_at, c.last_channel,
        c.last_outcome, c.last_contact_day AS lc, c.next_on, c.next_day, c.dpd_at_contact,
        o.dpd, m.days_left, m.window_open, o.check_day, o.secured_since, :t AS today_day,
        CASE WHEN o.customer_id IS NULL THEN r.closed_day END AS closed_day,
        CASE WHEN o.dpd > 0 THEN {class_rank_now} ELSE 0 END AS class_rank,
        {class_rank_then} AS class_rank_at_contact,
        CASE WHEN o.dpd > 0 THEN
            CAST(ROUND(:w_overdue + :w_overdue_day
                * (CASE WHEN o.dpd > :overdue_cap THEN :overdue_cap ELSE o.dpd END)
                + {class_weight}) AS INTEGER)
            ELSE 0 END AS overdue,
        CASE WHEN m.days_left IS NOT NULL THEN
            CAST(ROUND(:w_maturing + :w_maturing_day * (:lead - m.days_left)) AS INTEGER)
            ELSE 0 END AS maturing,
        CASE WHEN c.next_day <= :t THEN
            CAST(ROUND(:w_follow_up + :w_follow_up_day
                * (CASE WHEN :t - c.next_day > :late_cap THEN :late_cap
                        ELSE :t - c.next_day END)) AS INTEGER)
            ELSE 0 END AS follow_up,
        CASE WHEN o.check_day IS NOT NULL
                AND (c.last_contact_day IS NULL OR c.last_contact_day < o.check_day) THEN
            CAST(ROUND(:w_post) AS INTEGER) ELSE 0 END AS post_loan_check,
        CASE WHEN o.secured_since IS NOT NULL AND :t - (CASE
                WHEN c.last_contact_day > o.secured_since THEN c.last_contact_day
                ELSE o.secured_since END) >= :revisit_every THEN
            CAST(ROUND(:w_revisit) AS INTEGER) ELSE 0 END AS revisit,
        CASE WHEN o.customer_id IS NULL AND r.closed_day IS NOT NULL
                AND (c.last_contact_day IS NULL OR c.last_contact_day < r.closed_day
                     OR :t - c.last_contact_day >= :wb_every)
                AND NOT EXISTS (SELECT 1 FROM loans b WHERE b.customer_id = c.customer_id
                    AND (b.status = 'written_off' OR b.days_past_due >= :bad_min)) THEN
            CAST(ROUND(:w_win_back) AS INTEGER) ELSE 0 END AS win_back
    FROM customers c
    LEFT JOIN open_loans o ON o.customer_id = c.customer_id
    LEFT JOIN maturing m ON m.customer_id = c.customer_id
    LEFT JOIN recently_closed r ON r.customer_id = c.customer_id
    WHERE (o.customer_id IS NOT NULL OR r.customer_id IS NOT NULL OR c.next_day <= :t) {one_c}
),
scored AS (
    SELECT *, overdue + maturing + follow_up + post_loan_check + revisit + win_back AS score,
        CASE WHEN lc IS NOT NULL AND :t - lc < :quiet AND follow_up = 0
            AND class_rank <= class_rank_at_contact THEN 1 ELSE 0 END AS quiet
    FROM candidates
)
"""
    return sql, params


def _list_sql(spec: CallFilter, params: dict[str, Any], columns: str = "*") -> str:
    where = ["score > 0", "quiet = 0"]
    if spec.officer is not None:
        where.append("officer = :officer")
        params["officer"] = spec.officer
    if spec.reasons:
        where.append("(" + " OR ".join(f"{r} > 0" for r in spec.reasons if r in TERMS) + ")")
    order = "ORDER BY score DESC, customer_id"
    return f"SELECT {columns} FROM scored WHERE {' AND '.join(where)} {order}"


def _run(conn: sqlite3.Connection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor]


URGENT_TERMS = ("overdue", "maturing", "follow_up")


def _shortlist(
    conn: sqlite3.Connection, config: Config, today: dt.date, spec: CallFilter, limit: int
) -> list[str] | None:
    """Customers who can still make the top ``limit``, or None to score everyone.

    Overdue, maturing and follow-up terms come only from overdue or soon-maturing
    loans and promised dates, which indexes find quickly; every other term is
    bounded by its weight. So a customer is a contender only if those three terms
    plus the largest possible rest reach the ``limit``-th best lower bound, and
    everyone without an urgent reason is out when that bound beats the rest alone.
    """
    if spec.reasons and not set(spec.reasons) <= set(URGENT_TERMS):
        return None
    weights = config.weights
    rest = max(weights.post_loan_check + weights.revisit, weights.win_back)
    sql, params = _query(config, today, spec, urgent_only=True)
    listed = _list_sql(spec, params, columns="customer_id, score, overdue + maturing + follow_up")
    rows = conn.execute(sql + listed, params).fetchall()
    if len(rows) < limit:
        return None
    floor = rows[limit - 1][1]  # the true scores can only be higher
    if floor <= rest:
        return None  # someone with no urgent reason could still tie or beat it
    return [customer_id for customer_id, _, urgent in rows if urgent + rest >= floor]


def ranked_calls(
    conn: sqlite3.Connection, config: Config, today: dt.date, spec: CallFilter
) -> Iterator[dict[str, Any]]:
    """Customers to call today, best first; each row carries its terms."""
    shortlist = None
    if spec.limit is not None and spec.customer_id is None:
        shortlist = _shortlist(conn, config, today, spec, spec.limit)
    sql, params = _query(config, today, spec, only_ids=shortlist)
    sql += _list_sql(spec, params)
    if spec.limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = spec.limit
    for rank, row in enumerate(_run(conn, sql, params), start=1):
        row["rank"] = rank
        yield row


@dataclass(frozen=True)
class Explanation:
    row: dict[str, Any] | None  # None: nothing applies to this customer today
    rank: int | None  # position on today's full list, None when not on it


def explain(
    conn: sqlite3.Connection, config: Config, today: dt.date, customer_id: str
) -> Explanation:
    sql, params = _query(config, today, CallFilter(customer_id=customer_id, limit=None))
    cursor = conn.execute(sql + "SELECT * FROM scored", params)
    names = [d[0] for d in cursor.description]
    found = cursor.fetchone()
    if found is None:
        return Explanation(None, None)
    row = dict(zip(names, found, strict=True))
    if row["score"] <= 0 or row["quiet"]:
        return Explanation(row, None)
    full_sql, full_params = _query(config, today, CallFilter(limit=None))
    full_params.update(s=row["score"], me=customer_id)
    ahead = conn.execute(
        full_sql + "SELECT COUNT(*) FROM scored WHERE score > 0 AND quiet = 0"
        " AND (score > :s OR (score = :s AND customer_id < :me))",
        full_params,
    ).fetchone()[0]
    return Explanation(row, int(ahead) + 1)
