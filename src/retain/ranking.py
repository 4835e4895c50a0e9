"""The daily call list: a score per customer as a weighted sum of named terms.

Like Taskwarrior's urgency, every term has a name, a rule and a value, and
``retain calls --explain`` shows them. The terms are computed once, in one
SQL query (so the list and the explanation can never disagree); weights and
rhythms come from the config as parameters. Dates are compared as integer day
numbers (see migration m002), so the SQL needs no date functions.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import sqlite3
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from typing import Any

from retain.config import Config
from retain.dates import add_months
from retain.days import day_number
from retain.groups import member_filter_sql
from retain.guarantors import guarantor_text
from retain.holdings import good_max_days, suggestion_sql
from retain.i18n import Joined, Msg, Text, Verbatim, msg
from retain.rules import bad_min_days, class_case, dpd_sql, is_open_sql
from retain.seasons import SEASON_CODE, season_code_sql
from retain.terms import GOOD_SQL, TERM_NAMES, TERMS, CallRow, bounded_rest, term

# A fact a pass does without, as a typed NULL: a bare NULL column of a CTE is
# text in PostgreSQL, which then refuses to compare it with a day number.
NULL_DAY = "CAST(NULL AS INTEGER)"


@dataclass(frozen=True)
class CallFilter:
    officer: str | None = None
    group_id: int | None = None  # --group: only its member customers
    reasons: tuple[str, ...] = ()  # term names
    limit: int | None = 20
    customer_id: str | None = None  # explain one customer: no list filters


def _tier_case(config: Config, days_left: str) -> str:
    """The reminder tier a loan is in: the smallest tier not below its days left."""
    tiers = sorted(config.rhythm.maturity_tiers)
    parts = [f"WHEN {days_left} <= {int(t)} THEN {int(t)}" for t in tiers[:-1]]
    return f"(CASE {' '.join(parts)} ELSE {int(tiers[-1])} END)" if parts else str(int(tiers[-1]))


def _rhythm_params(config: Config) -> dict[str, Any]:
    """Every numeric rhythm setting as ``:r_<name>``, for the terms' SQL."""
    rhythm = config.rhythm
    return {
        f"r_{name}": value
        for name in type(rhythm).model_fields
        if isinstance(value := getattr(rhythm, name), int)
    }


def _query(
    config: Config,
    today: dt.date,
    spec: CallFilter,
    *,
    only_ids: list[str] | None = None,
    ids_from: str | None = None,
    urgent_only: bool = False,
    pairs_from: str | None = None,
    until: dt.date | None = None,
    only_terms: Collection[str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The scoring query, as CTEs ending in ``scored``.

    ``only_terms``: the other terms score 0, except those that keep a customer
    off the quiet days (see :func:`listed_sql`).

    ``until``: the last day the pairs may score (the seasons' windows are
    written out up to it).

    ``pairs_from``, a table of ``customer_id, day, wb_since`` rows keyed by
    (customer_id, day), scores each of those customers as if that day were today
    (``wb_since`` the win-back cut-off of that day): many days in one statement,
    one ``scored`` row per pair, ``today_day`` saying which (``today`` unused).

    ``only_ids`` limits it to some customers (exact scores, found by index);
    ``ids_from`` does the same with a table of them (``customer_id``), which
    costs less to prepare than thousands of parameters;
    ``urgent_only`` reads only overdue and soon-maturing loans (and instalments
    due soon): the urgent terms are then exact, the bounded ones lower bounds.
    """
    rhythm = config.rhythm
    arrears = config.arrears
    secured = list(rhythm.secured_guarantees) or ["__none__"]
    secured_marks = ", ".join(f":secured{i}" for i in range(len(secured)))
    weights_of_class = [entry.weight for entry in arrears.classes]
    ranks = list(range(len(arrears.classes)))
    class_weight, weight_params = class_case(arrears, "o.dpd", weights_of_class, "cw")
    class_rank_now, rank_params = class_case(arrears, "o.dpd", ranks, "cr")
    class_rank_then, _ = class_case(arrears, "COALESCE(c.dpd_at_contact, 0)", ranks, "cr")
    today_day = day_number(today)
    assert today_day is not None
    params: dict[str, Any] = {
        "t": today_day,
        "lead": rhythm.lead_days,
        "wb_since": day_number(add_months(today, -rhythm.win_back_months)),
        "bad_min": bad_min_days(arrears),
        "good_max": good_max_days(arrears),
        "xs_share": config.coverage.peer_share,
        "sep": GUARANTOR_SEP,
        **_rhythm_params(config),
        **config.weights.sql_params(),
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
    elif ids_from is not None:
        one = f"AND l.customer_id IN (SELECT customer_id FROM {ids_from})"
        one_c = f"AND c.customer_id IN (SELECT customer_id FROM {ids_from})"
    closed_filter = one
    urgent_loans = ""
    # Instalments are read exactly in every pass (an urgent term): the id filter only.
    instalment_filter = one
    instalment_loans = ""
    instalment_days = "l.next_due_day >= :t AND l.next_due_day <= :t + :r_instalment_lead_days"
    # Today: one day for everyone, or each pair's day (``wk``, the pairs).
    t = ":t"
    day_of, loans_l, by_day, o_day, m_day, r_day, e_day, i_day = (
        "",
        "loans l",
        "",
        "",
        "",
        "",
        "",
        "",
    )
    wb_since = ":wb_since"
    wk = ""
    if pairs_from is not None:
        t = "wk.day"
        wk = f"{pairs_from} wk"
        # The pairs outside, in key order: each customer's loans are read by
        # index once per pair, and the groups come out in order (no sort).
        day_of, by_day = "wk.day AS day, ", ", wk.day"
        loans_l = f"{wk} CROSS JOIN loans l ON l.customer_id = wk.customer_id"
        o_day, m_day, r_day, e_day, i_day = (f" AND {a}.day = wk.day" for a in "omrei")
        wb_since = "wk.wb_since"
        closed_filter = f"AND l.customer_id IN (SELECT customer_id FROM {pairs_from})"
        # The instalments falling due in the window, through the next-due
        # index, each matched with its customer's pairs whose lead window holds
        # it: not every pair's loans read from the table again (at most one
        # instalment per loan is next due, and only scheduled loans have one).
        instalment_loans = (
            f"loans l CROSS JOIN {wk} ON wk.customer_id = l.customer_id"
            " AND wk.day BETWEEN l.next_due_day - :r_instalment_lead_days AND l.next_due_day"
        )
        instalment_days = (
            "l.next_due_day > :t AND l.next_due_day <= "
            + (":until_day" if until is not None else f"(SELECT MAX(day) FROM {pairs_from})")
            + " + :r_instalment_lead_days"
        )
        if until is not None:
            params["until_day"] = day_number(until)
    if urgent_only:
        # Win-back and recovery are bounded, not computed, in this pass.
        closed_filter = one + " AND 0 = 1"
        # Only the open-loan pass needs the filter: the maturing loans are in
        # it by their window, and testing days past due there would take every
        # one of them from the table instead of the maturity index.
        urgent_loans = " AND (l.matures_day <= :t + :lead OR l.days_past_due > 0)"
        one_c += (
            " AND c.customer_id IN (SELECT customer_id FROM open_loans"
            " UNION SELECT customer_id FROM instalments"
            " UNION SELECT customer_id FROM customers WHERE next_day <= :t)"
        )
    tier = _tier_case(config, f"(l.matures_day - {t})")
    tiered, tier_params = _tiered(config, ids, ids_from, pairs_from, urgent_only)
    params.update(tier_params)

    def in_window(column: str) -> str:
        return f"{column} BETWEEN {t} AND {t} + :r_collateral_lead_days"

    last_check = (
        f"({t} - (({t} - l.disbursed_day - :r_post_loan_first_days) % :r_post_loan_every_days))"
    )
    dpd = dpd_sql("l", t)
    season_code, season_params = NULL_DAY, dict[str, Any]()
    if not urgent_only:
        # Only the bounded season term reads it; the urgent pass does without.
        season_code, season_params = season_code_sql(config.seasons, today, until or today, t)
        if season_code == "NULL":
            season_code = NULL_DAY
    params.update(season_params)
    points = ",\n        ".join(
        f"{_today_is(term.points_sql.format(class_weight=class_weight, season=season_code), t)}"
        f" AS {term.name}"
        if (term.urgent or not urgent_only)
        and (only_terms is None or term.name in only_terms or term.keeps_off_quiet)
        else f"0 AS {term.name}"
        for term in TERMS
    )
    total = " + ".join(term.name for term in TERMS)
    keeps_off_quiet = "".join(f" AND {t.name} = 0" for t in TERMS if t.keeps_off_quiet)
    # Facts only bounded terms read: the urgent pass, whose bounded terms are 0,
    # does without them. A fact an urgent term reads goes beside dpd instead.
    bounded = {
        "check_day": f"""MAX(CASE WHEN {t} >= l.disbursed_day + :r_post_loan_first_days
            AND (l.first_seen_day IS NULL
                OR l.first_seen_day - l.disbursed_day <= :r_post_loan_every_days
                OR {last_check} > l.first_seen_day)
            THEN {last_check} END)""",
        "checks_after": """MAX(CASE WHEN l.first_seen_day - l.disbursed_day
            > :r_post_loan_every_days THEN l.first_seen_day END)""",
        "secured_since": f"""MIN(CASE WHEN l.guarantee IN ({secured_marks})
            THEN l.disbursed_day END)""",
    }
    unread = _unread_facts(only_terms)
    # A reminder pass reads a few columns of each row: computed where read
    # rather than every column copied into two tables first.
    inline = "NOT MATERIALIZED " if only_terms is not None else ""
    bounded_facts = ",\n        ".join(
        f"{NULL_DAY if name in unread else expr} AS {name}" for name, expr in bounded.items()
    )
    # The cross_sell term's product and the day its contact fell due (a good
    # customer's last contact + the rhythm, else their first loan's disbursement).
    cross_sell_facts = f"""CASE WHEN {GOOD_SQL} THEN
            {suggestion_sql("c.customer_id", "c.industry")} END AS cross_sell_product,
        CASE WHEN {GOOD_SQL} THEN COALESCE(c.last_contact_day + :w_cross_sell_every_days,
            (SELECT MIN(s.disbursed_day) FROM loans s WHERE s.customer_id = c.customer_id))
            END AS cross_sell_since"""
    if "cross_sell" in unread:
        cross_sell_facts = "NULL AS cross_sell_product, NULL AS cross_sell_since"
    if urgent_only:
        bounded_facts = (
            f"{NULL_DAY} AS check_day, {NULL_DAY} AS checks_after, {NULL_DAY} AS secured_since"
        )
        cross_sell_facts = "NULL AS cross_sell_product, NULL AS cross_sell_since"
    # The overdue spell's start. The call list looks it up per customer (only
    # where the column is read), which keeps the open-loan pass on its covering
    # index. Scoring woken pairs, each pair's open loans are read anyway: the
    # same minimum over the same loans (open, past due that day) is taken there,
    # not looked up again per pair past due (with no open loan past due that
    # day, both are NULL).
    since_expr = "COALESCE({a}.overdue_since_day, {a}.matures_day + 1)"
    since_of_open = ""
    overdue_since = f"""CASE WHEN o.dpd > 0 THEN (
            SELECT MIN({since_expr.format(a="s")}) FROM loans s
            WHERE s.customer_id = c.customer_id AND {is_open_sql("s")} AND {dpd_sql("s", t)} > 0
        ) END"""
    if wk:
        since_of_open = (
            f"\n        MIN(CASE WHEN ({dpd}) > 0 THEN {since_expr.format(a='l')} END)"
            " AS overdue_since,"
        )
        overdue_since = "o.overdue_since"
    # The key grouped by, selected as it is: PostgreSQL takes l.customer_id for
    # another column than wk.customer_id, though the join makes them equal.
    grouped = "wk.customer_id AS customer_id" if wk else "l.customer_id"
    sql = f"""
WITH tiered AS (
    -- The customer's tier (the first [[tiers]] rule that holds, facts as of :t)
    -- and its contact rhythm: only for the stay_in_touch term, so computed only
    -- when a tier has a rhythm, and not in the urgent pass.
    {tiered}
),
open_loans AS (
    SELECT {grouped}, {day_of}MAX({dpd}) AS dpd,{since_of_open}
        -- The latest scheduled check (first N days after disbursement, then every
        -- M). A loan first imported more than M days after its disbursement starts
        -- its schedule after that first import: its earlier checks never count.
        {bounded_facts}
    FROM {loans_l}
    WHERE {is_open_sql("l")} {one}{urgent_loans}
    GROUP BY {"wk.customer_id" if wk else "l.customer_id"}{by_day}
),
maturing AS (
    -- Loans maturing within the lead window whose current reminder window
    -- (30/15/7/1 days before maturity) opened after the customer's last contact:
    -- the soonest of them sets the points. Found through the maturity index.
    SELECT {grouped}, {day_of}MIN(l.matures_day - {t}) AS days_left,
        MAX(l.matures_day - {tier}) AS window_open
    FROM {loans_l} JOIN customers c ON c.customer_id = l.customer_id
    WHERE {is_open_sql("l")} AND l.matures_day >= {t}
        AND l.matures_day <= {t} + :lead {one}
        AND (c.last_contact_day IS NULL OR c.last_contact_day < l.matures_day - {tier})
    GROUP BY {"wk.customer_id" if wk else "l.customer_id"}{by_day}
),
collateral AS (
    -- The soonest collateral expiry (insurance, certificate) of an open loan
    -- within its reminder window, coded day × 2 + kind (0 insurance, 1
    -- certificate) so that the day and its kind travel together. Found through
    -- the partial indexes of the few loans that carry such dates.
    SELECT customer_id, {"day, " if wk else ""}CASE WHEN cert IS NULL OR ins < cert THEN ins
        ELSE cert END AS code
    FROM (
        SELECT {grouped}, {day_of}
            MIN(CASE WHEN {in_window("l.collateral_insurance_day")}
                THEN l.collateral_insurance_day * 2 END) AS ins,
            MIN(CASE WHEN {in_window("l.collateral_certificate_day")}
                THEN l.collateral_certificate_day * 2 + 1 END) AS cert
        FROM {loans_l}
        WHERE {is_open_sql("l")} AND ({in_window("l.collateral_insurance_day")}
            OR {in_window("l.collateral_certificate_day")}) {one}
            {"AND 0" if "collateral" in unread else ""}
        GROUP BY {"wk.customer_id" if wk else "l.customer_id"}{by_day}
    )
),
instalments AS (
    -- The soonest unpaid instalment falling due within its lead window, today
    -- included, through the next-due index (the unary + keeps the planner off
    -- the status index: most loans are open, few have an instalment due).
    SELECT {grouped}, {day_of}MIN(l.next_due_day) AS instalment_day
    FROM {instalment_loans or loans_l}
    WHERE +{is_open_sql("l")} AND {instalment_days} AND l.next_due_fen > 0
        {instalment_filter}
    GROUP BY {"wk.customer_id" if wk else "l.customer_id"}{by_day}
),
written_off AS (
    -- Written-off loans stay to collect (账销案存): the latest write-off, dated
    -- by its close, else by the import that first brought it.
    SELECT l.customer_id,
        MAX(COALESCE(l.closed_day, l.first_seen_day, l.matures_day)) AS written_off_day
    FROM loans l
    WHERE l.status = 'written_off' {closed_filter}
    GROUP BY l.customer_id
),
recently_closed AS (
    SELECT {grouped}, {day_of}MAX(l.closed_day) AS closed_day
    FROM {loans_l}
    WHERE l.status = 'closed' AND l.closed_day >= {wb_since} {one if wk else closed_filter}
    GROUP BY {"wk.customer_id" if wk else "l.customer_id"}{by_day}
),
candidates AS {inline}(
    SELECT c.customer_id, c.name, c.phone, c.officer, c.last_contact_at, c.last_channel,
        c.last_outcome, c.last_contact_day, c.next_on, c.next_day, c.dpd_at_contact,
        c.failed_attempts, c.last_attempt_at, c.phone_unusable_since, c.declined_day,
        o.dpd, m.days_left, m.window_open, o.check_day, o.checks_after, o.secured_since,
        {t} AS today_day,
        -- The overdue spell began as reported by the import, else the day after
        -- maturity: the earliest over the customer's overdue loans.
        {overdue_since} AS overdue_since,
        CASE WHEN o.customer_id IS NULL THEN r.closed_day END AS closed_day,
        w.written_off_day, c.broken_promise_day, c.broken_promise_due_day, c.broken_promise_fen,
        -- Only where it is named (the action), and the only fact needing a
        -- guarantor: read per customer past the threshold.
        CASE WHEN {"0" if "guarantor" in unread else "1"} AND o.dpd > 0
            AND o.dpd >= :r_guarantor_after_days THEN (
            SELECT g.name || :sep || COALESCE(g.relation, '') || :sep || COALESCE(g.phone, '')
            FROM loans s JOIN guarantors g ON g.loan_id = s.loan_id
            WHERE s.customer_id = c.customer_id AND {is_open_sql("s")}
                AND {dpd_sql("s", t)} >= :r_guarantor_after_days
            -- the most overdue loan first: its spell began first (as overdue_since)
            ORDER BY COALESCE(s.overdue_since_day, s.matures_day + 1), s.loan_id, g.rowid
            LIMIT 1
        ) END AS guarantor,
        e.code / 2 AS collateral_day,
        e.code % 2 AS collateral_kind,
        i.instalment_day, ti.tier, ti.every AS tier_every,
        -- What is due that day, of the lowest loan id due then: looked up only
        -- where the column is read (the list's rows, not its first pass).
        CASE WHEN {"0" if "instalment_fen" in unread else "1"} AND i.instalment_day IS NOT NULL
        THEN (
            SELECT s.next_due_fen FROM loans s WHERE s.customer_id = c.customer_id
                AND {is_open_sql("s")} AND s.next_due_day = i.instalment_day
                AND s.next_due_fen > 0 ORDER BY s.loan_id LIMIT 1
        ) END AS instalment_fen,
        CASE WHEN {"0" if "instalment_period" in unread else "1"}
            AND i.instalment_day IS NOT NULL THEN (
            SELECT s.next_due_period FROM loans s WHERE s.customer_id = c.customer_id
                AND {is_open_sql("s")} AND s.next_due_day = i.instalment_day
                AND s.next_due_fen > 0 ORDER BY s.loan_id LIMIT 1
        ) END AS instalment_period,
        {cross_sell_facts},
        {season_code} / {SEASON_CODE} AS season_day,
        {season_code} % {SEASON_CODE} AS season_index,
        CASE WHEN o.dpd > 0 THEN {class_rank_now} ELSE 0 END AS class_rank,
        {class_rank_then} AS class_rank_at_contact,
        {points}
    FROM {f"{wk} CROSS JOIN customers c ON c.customer_id = wk.customer_id" if wk else "customers c"}
    LEFT JOIN open_loans o ON o.customer_id = c.customer_id{o_day}
    LEFT JOIN maturing m ON m.customer_id = c.customer_id{m_day}
    LEFT JOIN recently_closed r ON r.customer_id = c.customer_id{r_day}
    LEFT JOIN written_off w ON w.customer_id = c.customer_id
    LEFT JOIN collateral e ON e.customer_id = c.customer_id{e_day}
    LEFT JOIN instalments i ON i.customer_id = c.customer_id{i_day}
    LEFT JOIN tiered ti ON ti.customer_id = c.customer_id
    WHERE (o.customer_id IS NOT NULL OR r.customer_id IS NOT NULL OR w.customer_id IS NOT NULL
        OR i.customer_id IS NOT NULL OR c.next_day <= {t} OR ti.every IS NOT NULL
        {"" if season_code == NULL_DAY else f"OR {season_code} IS NOT NULL"}) {one_c}
),
scored AS {inline}(
    SELECT *, {total} AS score,
        CASE WHEN last_contact_day IS NOT NULL AND today_day - last_contact_day < :r_quiet_days
            {keeps_off_quiet} AND class_rank <= class_rank_at_contact THEN 1 ELSE 0 END AS quiet
    FROM candidates
)
"""
    return sql, params


#: Facts of the scoring query that only some terms' SQL reads (or none: the
#: guarantor and the instalment's amount and period are for the list's texts),
#: with the names that read them (regular expressions, matched as words).
_FACT_READERS: dict[str, tuple[str, ...]] = {
    "check_day": ("check_day",),
    "checks_after": ("checks_after",),
    "secured_since": ("secured_since",),
    "cross_sell": ("cross_sell_product", "cross_sell_since"),
    "collateral": (r"e\.code", "collateral_day", "collateral_kind"),
    "guarantor": ("guarantor",),
    "instalment_fen": ("instalment_fen",),
    "instalment_period": ("instalment_period",),
}


def _unread_facts(only_terms: Collection[str] | None) -> frozenset[str]:
    """The facts (``_FACT_READERS``) that no scored term's points or episode read,
    when only some terms are scored (a reminder export): left NULL, not computed
    for every row. Read from the terms' own SQL, so a new term is covered."""
    if only_terms is None:
        return frozenset()
    text = "\n".join(
        f"{entry.points_sql}\n{entry.episode_sql}"
        for entry in TERMS
        if entry.name in only_terms or entry.keeps_off_quiet
    )
    return frozenset(
        fact
        for fact, names in _FACT_READERS.items()
        if not any(re.search(rf"\b{name}\b", text) for name in names)
    )


def _tiered(
    config: Config,
    ids: list[str] | None,
    ids_from: str | None,
    pairs_from: str | None,
    urgent_only: bool,
) -> tuple[str, dict[str, Any]]:
    """The ``tiered`` CTE's body: ``customer_id, tier, every`` (see :mod:`retain.tiers`)."""
    from retain.tiers import tiered_sql

    everies = [rule.contact_every_days for rule in config.tiers]
    if urgent_only or all(every is None for every in everies):
        # Typed NULLs: PostgreSQL takes an untyped NULL column for text.
        return (
            "SELECT CAST(NULL AS TEXT) AS customer_id, CAST(NULL AS INTEGER) AS tier,"
            " CAST(NULL AS INTEGER) AS every WHERE 0",
            {},
        )
    only = None
    if ids is not None:
        only = "(" + (", ".join(f":id{i}" for i in range(len(ids))) or "NULL") + ")"
    elif ids_from is not None:
        only = f"(SELECT customer_id FROM {ids_from})"
    elif pairs_from is not None:
        only = f"(SELECT customer_id FROM {pairs_from})"
    sql, params = tiered_sql(config, only)
    cases = " ".join(
        f"WHEN {index} THEN :tevery{index}"
        for index, every in enumerate(everies)
        if every is not None
    )
    params.update({f"tevery{i}": every for i, every in enumerate(everies) if every is not None})
    return (
        f"SELECT customer_id, tier, CASE tier {cases} END AS every FROM ({sql})"
        " WHERE tier IS NOT NULL",
        params,
    )


def _today_is(sql: str, today: str) -> str:
    """A term's SQL with its ``:t`` (today) as ``today``: a column when many days
    are scored at once."""
    return sql if today == ":t" else re.sub(r":t\b", today, sql)


def _list_sql(
    spec: CallFilter, params: dict[str, Any], columns: str = "*", *, ordered: bool = True
) -> str:
    where = ["score > 0", "quiet = 0"]
    if spec.officer is not None:
        where.append("officer = :officer")
        params["officer"] = spec.officer
    if spec.group_id is not None:
        where.append(member_filter_sql("scored.customer_id"))
        params["group_id"] = spec.group_id
    wanted = [name for name in spec.reasons if name in TERM_NAMES]
    if wanted:
        where.append("(" + " OR ".join(f"{name} > 0" for name in wanted) + ")")
    order = "ORDER BY score DESC, customer_id" if ordered else ""
    return f"SELECT {columns} FROM scored WHERE {' AND '.join(where)} {order}"


_NOT_COLUMNS = ("points", "rank", "prospect_entered_day")
_ROW_FIELDS = tuple(f.name for f in fields(CallRow) if f.name not in _NOT_COLUMNS)
assert [f.name for f in fields(CallRow)][len(_ROW_FIELDS)] == "points"


def _rows(
    conn: sqlite3.Connection, sql: str, params: dict[str, Any], first_rank: int | None = None
) -> Iterator[CallRow]:
    """The query's rows as :class:`CallRow`; ranked from ``first_rank`` when given."""
    cursor = conn.execute(sql, params)
    cursor.row_factory = None
    names = [d[0] for d in cursor.description]
    # Positions looked up once: this runs for every listed customer on every day
    # of a reminder window.
    fact_at = [names.index(name) for name in _ROW_FIELDS]
    term_at = [(term.name, names.index(term.name)) for term in TERMS]
    # Positional (_ROW_FIELDS are CallRow's fields in order, up to points), which
    # mypy cannot check against a list.
    make_row: Any = CallRow
    try:
        for rank, values in enumerate(cursor, start=first_rank or 0):
            row: CallRow = make_row(
                *[values[i] for i in fact_at], {name: int(values[i]) for name, i in term_at}
            )
            row.quiet = bool(row.quiet)
            if first_rank is not None:
                row.rank = rank
            yield row
    finally:
        cursor.close()


def _shortlist(
    conn: sqlite3.Connection, config: Config, today: dt.date, spec: CallFilter, limit: int
) -> list[str] | None:
    """Customers who can still make the top ``limit``, or None to score everyone.

    Urgent terms come only from overdue or soon-maturing loans, instalments due
    soon and promised dates, which indexes find quickly; every bounded term is at
    most its bound. So a customer is a contender only if the urgent terms plus
    all the bounds reach the ``limit``-th best lower bound, and everyone without
    an urgent reason is out when that bound beats the bounds alone.
    """
    urgent = [t.name for t in TERMS if t.urgent]
    if spec.reasons and not set(spec.reasons) <= set(urgent):
        return None
    rest = bounded_rest(config)
    sql, params = _query(config, today, spec, urgent_only=True)
    listed = _list_sql(spec, params, columns=f"customer_id, score, {' + '.join(urgent)}")
    rows = conn.execute(sql + listed, params).fetchall()
    if len(rows) < limit:
        return None
    floor = rows[limit - 1][1]  # the true scores can only be higher
    if floor <= rest:
        return None  # someone with no urgent reason could still tie or beat it
    return [customer_id for customer_id, _, points in rows if points + rest >= floor]


#: The urgent terms :func:`_worst_arrears_shortlist` knows how to bound. Another
#: urgent term makes it step aside (the list is still exact, through
#: :func:`_shortlist`) until it is taught that term's bound.
_BOUNDED_URGENT = frozenset({"overdue", "maturing", "follow_up", "broken_promise", "instalment"})
#: How many of the loans longest past due set the floor (at least
#: WORST_PER_PLACE per place on the list): enough that the top of a book's
#: arrears is among them, few enough to score them at once.
WORST_LOANS = 2000
WORST_PER_PLACE = 20
#: The scan reads this many times as many loans (not scored): the customers
#: far enough behind to reach the floor are looked for among them first.
WORST_MORE = 4


def _overdue_points_at_most(config: Config, days: int) -> float:
    """More than the ``overdue`` term can give a customer ``days`` past due or fewer
    (rounding included): the class weight is the largest of the classes so far."""
    weights = config.weights
    capped = min(days, int(weights.value("overdue_day_cap")))
    class_weight = max(c.weight for c in config.arrears.classes if c.min_days <= days)
    return weights.value("overdue") + weights.value("overdue_per_day") * capped + class_weight + 1


def _worst_arrears_shortlist(
    conn: sqlite3.Connection, config: Config, today: dt.date, spec: CallFilter, limit: int
) -> list[str] | None:
    """Customers who can still make the top ``limit``, found from the worst arrears
    instead of every open loan; None when that cannot decide (then :func:`_shortlist`).

    The customers of the loans longest past due, with every customer whose
    follow-up date has come, are scored exactly on the urgent terms: the
    ``limit``-th best of them is a floor that the top ``limit`` reach (the
    bounded terms only add). Anyone else has at most the maturing term's and
    the bounded terms' most points on top of their overdue points, which grow
    with days past due: so only customers with a loan at least some days past
    due can still reach the floor. The scan that found the worst loans read
    further, so it most often holds them all (else a second scan finds them);
    their maturing loans and instalments due are looked up per customer.
    """
    urgent = {t.name for t in TERMS if t.urgent}
    if not urgent <= _BOUNDED_URGENT or not set(spec.reasons) <= urgent:
        return None
    params: dict[str, Any] = {
        "t": day_number(today),
        "k": max(WORST_LOANS, WORST_PER_PLACE * limit),
    }
    # More of them than set the floor, in the same scan: the customers far
    # enough behind to reach the floor are then most often among these
    # already, which spares a second pass over every open loan.
    params["more"] = params["k"] * WORST_MORE
    dpd = dpd_sql("l", ":t")
    worst_more = conn.execute(
        f"SELECT l.customer_id, COALESCE({dpd}, 0) AS dpd FROM loans l WHERE {is_open_sql('l')}"
        " ORDER BY dpd DESC LIMIT :more",
        params,
    ).fetchall()
    worst = worst_more[: params["k"]]
    # Follow-ups that have come and unanswered broken promises are scored
    # exactly, whatever their arrears: few customers, found by their indexes.
    following = [row[0] for row in conn.execute(_FOLLOWING_SQL, params)]
    seen = {customer_id for customer_id, _ in worst} | set(following)
    with _id_table(conn, seen) as table:
        sql, query_params = _query(config, today, spec, ids_from=table, urgent_only=True)
        listed = _list_sql(spec, query_params, columns="customer_id, score, dpd")
        scored = conn.execute(sql + listed, query_params).fetchall()
    if len(scored) < limit:
        return None
    floor = scored[limit - 1][1]  # exact urgent points: the true scores can only be higher
    weights = config.weights
    lead = config.rhythm.lead_days
    rest = bounded_rest(config)
    maturing_most = weights.value("maturing") + weights.value("maturing_per_day") * lead + 1
    # An instalment falling due soon adds at most its weight; the few with one
    # due are found by its index below, so it only bounds those customers.
    instalment_lead = config.rhythm.instalment_lead_days
    instalment_most = 0.0
    if (
        "instalment" in urgent
        and conn.execute(
            _INSTALMENT_DUE_SQL, {"t": params["t"], "lead": instalment_lead}
        ).fetchone()
    ):
        instalment_most = weights.value("instalment") + 1
    # The instalment term gives its weight less the maturing term's points, at
    # least 1: the two together give the larger of them (plus 1), not the sum.
    both_most = max(maturing_most + 1, instalment_most) if instalment_most else maturing_most
    if both_most + rest >= floor:
        return None  # someone with no loan past due could still tie or beat it
    # The fewest days past due that can still reach the floor, with a loan in
    # its maturity window and without one.
    with_maturing = _fewest_past_due(config, floor - maturing_most)
    without = _fewest_past_due(config, floor)
    rest_at: dict[int, float] = {}  # by days past due: a few values for thousands of rows
    keep = set()
    for customer_id, points, dpd in scored:
        days = dpd or 0
        if days not in rest_at:
            rest_at[days] = bounded_rest(config, days)
        if points + rest_at[days] >= floor:
            keep.add(customer_id)
    keep.update(following)
    # The far-behind customers beyond the exact pass: a loan at least
    # ``with_maturing`` days past due and one maturing within its lead, or one
    # ``without`` days past due; with an instalment due, the same two with its
    # points added. None: never enough.
    both = alone = None
    if instalment_most:
        both = _fewest_past_due(config, floor - both_most)
        alone = _fewest_past_due(config, floor - instalment_most)
    lows = [d for d in (with_maturing, without, both, alone) if d is not None]
    if lows:
        behind = _far_behind(conn, params["t"], worst_more, params["more"], min(lows))
        behind = {c: d for c, d in behind.items() if c not in seen}
        looked_up = instalment_lead if both is not None else None
        due = _due_soon(conn, today, list(behind), lead, looked_up)
        for customer_id, most in behind.items():
            maturing, instalment = due[customer_id]
            if (
                with_maturing is not None
                and most >= with_maturing
                and (maturing or (without is not None and most >= without))
            ) or (
                instalment
                and both is not None
                and most >= both
                and (maturing or (alone is not None and most >= alone))
            ):
                keep.add(customer_id)
    return sorted(keep)


_INSTALMENT_DUE_SQL = """
    SELECT 1 FROM loans
    WHERE next_due_day BETWEEN :t AND :t + :lead AND next_due_fen > 0 LIMIT 1
"""
_FOLLOWING_SQL = """
    SELECT customer_id FROM customers WHERE next_day <= :t
    UNION
    SELECT customer_id FROM customers WHERE broken_promise_day <= :t
        AND (last_contact_day IS NULL OR last_contact_day < broken_promise_day)
"""


def _fewest_past_due(config: Config, points: float) -> int | None:
    """The fewest days past due at which the overdue term and the bounded terms
    still open to a customer that far behind may reach ``points``; None if never.

    Some bounded terms give nothing past due (``Term.gone_past_due``): once a
    first count of days leaves them out, the count can only rise, so it is
    raised until it holds (every customer below it is short at every step)."""
    days = _fewest_days(config, points - bounded_rest(config, 1))
    while days is not None:
        more = _fewest_days(config, points - bounded_rest(config, days))
        if more is None or more <= days:
            return None if more is None else days
        days = more
    return None


def _fewest_days(config: Config, points: float) -> int | None:
    """The fewest days past due at which the overdue term may give ``points``, None
    if it never does (its bound grows with the days, up to the cap and the last
    class)."""
    low, high = (
        1,
        1 + max(int(config.weights.value("overdue_day_cap")), config.arrears.classes[-1].min_days),
    )
    if _overdue_points_at_most(config, high) < points:
        return None
    while low < high:
        middle = (low + high) // 2
        if _overdue_points_at_most(config, middle) >= points:
            high = middle
        else:
            low = middle + 1
    return low


def _far_behind(
    conn: sqlite3.Connection, today_day: int, worst: list[Any], scanned: int, least: int
) -> dict[str, int]:
    """Customers with an open loan at least ``least`` days past due, with the most
    days past due of those loans: from ``worst`` (the loans longest past due, a
    scan stopped after ``scanned``) when it holds every such loan, else one scan
    of the covering index."""
    if len(worst) < scanned or worst[-1][1] < least:
        rows: Iterable[Any] = (row for row in worst if row[1] >= least)
    else:
        dpd = dpd_sql("l", ":t")
        rows = conn.execute(
            f"SELECT l.customer_id, {dpd} AS dpd FROM loans l"
            f" WHERE {is_open_sql('l')} AND {dpd} >= :least",
            {"t": today_day, "least": least},
        )
    most: dict[str, int] = {}
    for customer_id, days in rows:
        if days > most.get(customer_id, -1):
            most[customer_id] = days
    return most


def _due_soon(
    conn: sqlite3.Connection,
    today: dt.date,
    customer_ids: list[str],
    lead: int,
    instalment_lead: int | None,
) -> dict[str, tuple[bool, bool]]:
    """For each customer: an open loan maturing within ``lead`` days, and one with
    an instalment due within ``instalment_lead`` days (None: not looked up).
    Each looked up by the customer's own loans: a few customers, where the
    customers with an instalment due are a tenth of the book."""
    if not customer_ids:
        return {}
    params = {
        "t": day_number(today),
        "lead": lead,
        "ilead": instalment_lead,
        "ids": json.dumps(customer_ids),
    }
    # (the unary + keeps the planner on the customer's loans, off the next-due
    # index, which would read every loan with an instalment due for each)
    found = conn.execute(
        f"""SELECT x.value,
            EXISTS (SELECT 1 FROM loans m WHERE {is_open_sql("m")} AND m.customer_id = x.value
                AND m.matures_day >= :t AND m.matures_day <= :t + :lead),
            :ilead IS NOT NULL AND EXISTS (SELECT 1 FROM loans n
                WHERE n.customer_id = x.value AND {is_open_sql("n")}
                AND +n.next_due_day BETWEEN :t AND :t + :ilead AND n.next_due_fen > 0)
        FROM json_each(:ids) x""",
        params,
    )
    return {row[0]: (bool(row[1]), bool(row[2])) for row in found}


def ranked_calls(
    conn: sqlite3.Connection, config: Config, today: dt.date, spec: CallFilter
) -> list[CallRow]:
    """Customers (and prospects, ``P<n>``) to call today, best first, ranked from 1;
    each row carries its terms."""
    wanted = spec.reasons
    prospects: list[CallRow] = []
    if spec.customer_id is None and (not wanted or "prospect" in wanted):
        prospects = _prospect_rows(conn, config, today, spec)
    if wanted and set(wanted) <= {"prospect"}:
        customers: list[CallRow] = []
    else:
        # The prospect term gives a customer nothing: it would only widen the scan.
        others = tuple(name for name in wanted if name != "prospect")
        customers = _ranked_customers(conn, config, today, replace(spec, reasons=others))
    if not prospects:
        return customers
    # At equal points the customers come first (by id), then the prospects,
    # the longest waiting first: both orders are their own queries' orders.
    merged = sorted(
        [*customers, *prospects],
        key=lambda row: (
            -row.score,
            row.prospect_entered_day is not None,
            row.customer_id if row.prospect_entered_day is None else "",
            row.next_day or 0,
            int(row.customer_id[1:]) if row.prospect_entered_day is not None else 0,
        ),
    )
    if spec.limit is not None:
        merged = merged[: spec.limit]
    for rank, row in enumerate(merged, start=1):
        row.rank = rank
    return merged


# Open prospects due a call, by the day it fell due, then id (each index's own
# order: its key, then the rowid): the next date has come, or a new one with no
# next date (a date the officer set is the plan, and the day it comes is the
# call) was never contacted N days after entry. Forgotten ones are never called.
_PROSPECTS_NEXT_SQL = """
    SELECT prospect_id, name, phone, officer, next_on, next_day, entered_day,
        last_contact_day
    FROM prospects
    WHERE stage NOT IN ('disbursed', 'lost') AND next_day <= :t
        AND forgotten_day IS NULL {officer}
    ORDER BY next_day, prospect_id {limit}
"""
_PROSPECTS_FIRST_SQL = """
    SELECT prospect_id, name, phone, officer, NULL, entered_day + :first, entered_day,
        last_contact_day
    FROM prospects
    WHERE stage = 'new' AND last_contact_day IS NULL AND next_day IS NULL
        AND forgotten_day IS NULL AND entered_day <= :t - :first {officer}
    ORDER BY entered_day, prospect_id {limit}
"""


def _prospect_rows(
    conn: sqlite3.Connection, config: Config, today: dt.date, spec: CallFilter
) -> list[CallRow]:
    """The prospects due a call today, as call-list rows (``P<n>``), the same
    points each (``weights.prospect``), the longest waiting first: at most the
    list's length from each of the two indexes, so their number costs nothing."""
    points = round(config.weights.value("prospect"))
    if points <= 0:
        return []
    params: dict[str, Any] = {
        "t": day_number(today),
        "first": config.rhythm.prospect_first_contact_days,
    }
    officer = limit = ""
    if spec.officer is not None:
        officer = "AND officer = :officer"
        params["officer"] = spec.officer
    if spec.limit is not None:
        limit = "LIMIT :limit"
        params["limit"] = spec.limit
    found_rows = [
        *conn.execute(_PROSPECTS_NEXT_SQL.format(officer=officer, limit=limit), params),
        *conn.execute(_PROSPECTS_FIRST_SQL.format(officer=officer, limit=limit), params),
    ]
    found_rows.sort(key=lambda r: (r[5], r[0]))
    if spec.limit is not None:
        found_rows = found_rows[: spec.limit]
    today_day = params["t"]
    found = []
    for pid, name, phone, who, next_on, due_day, entered, last in found_rows:
        row = CallRow(
            **dict.fromkeys(_ROW_FIELDS),  # type: ignore[arg-type]
            points={name_: 0 for name_ in TERM_NAMES},
        )
        row.customer_id = f"P{pid}"
        row.name = name or ""
        row.phone, row.officer, row.next_on, row.next_day = phone, who, next_on, due_day
        row.last_contact_day = last
        row.failed_attempts = 0
        row.class_rank = row.class_rank_at_contact = 0
        row.today_day = today_day
        row.quiet = False
        row.points["prospect"] = points
        row.score = points
        row.prospect_entered_day = entered
        found.append(row)
    return found


def due_prospects(conn: sqlite3.Connection, config: Config, today: dt.date) -> list[CallRow]:
    """Every prospect due a call today, in the order the list puts them among themselves."""
    return _prospect_rows(conn, config, today, CallFilter(limit=None))


def customers_listed_at_least(
    conn: sqlite3.Connection, config: Config, today: dt.date, score: int
) -> int:
    """How many customers today's full list has at ``score`` points or more: at
    equal points the customers come before the prospects."""
    sql, params = _query(config, today, CallFilter(limit=None))
    params.update(s=score)
    found = conn.execute(
        sql + "SELECT COUNT(*) FROM scored WHERE score > 0 AND quiet = 0 AND score >= :s", params
    ).fetchone()[0]
    return int(found)


def _ranked_customers(
    conn: sqlite3.Connection, config: Config, today: dt.date, spec: CallFilter
) -> list[CallRow]:
    shortlist = None
    if spec.limit is not None and spec.customer_id is None:
        shortlist = _worst_arrears_shortlist(conn, config, today, spec, spec.limit)
        if shortlist is None:
            shortlist = _shortlist(conn, config, today, spec, spec.limit)
    if shortlist is None:
        return _ranked(conn, config, today, spec, None)
    with _id_table(conn, shortlist) as table:
        return _ranked(conn, config, today, spec, table)


def _ranked(
    conn: sqlite3.Connection,
    config: Config,
    today: dt.date,
    spec: CallFilter,
    ids_from: str | None,
) -> list[CallRow]:
    sql, params = _query(config, today, spec, ids_from=ids_from)
    sql += _list_sql(spec, params)
    if spec.limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = spec.limit
    return list(_rows(conn, sql, params, first_rank=1))


_id_tables = itertools.count()


@contextmanager
def _id_table(conn: sqlite3.Connection, ids: Iterable[str]) -> Iterator[str]:
    """A temporary table of these customer ids, dropped after use."""
    name = f"temp.retain_call_ids_{next(_id_tables)}"
    conn.execute(f"CREATE TABLE {name} (customer_id TEXT PRIMARY KEY) WITHOUT ROWID")
    try:
        # One statement, not one per id: outside a transaction each INSERT is its
        # own commit, which cost the call list about a sixth of its time.
        conn.execute(
            f"INSERT OR IGNORE INTO {name} (customer_id) SELECT value FROM json_each(?)",
            (json.dumps(list(ids)),),
        )
        yield name
    finally:
        conn.execute(f"DROP TABLE {name}")


def listed_sql(
    config: Config,
    today: dt.date,
    spec: CallFilter,
    columns: str,
    *,
    pairs_from: str | None = None,
    until: dt.date | None = None,
    reasons_only: bool = False,
) -> tuple[str, dict[str, Any]]:
    """Every customer ``spec`` lists today, unranked and without its limit, as
    SQL: the scoring CTEs, then ``listed`` (``columns`` over ``scored``'s
    columns), for a caller to finish with its own statement over ``listed``.
    ``pairs_from`` scores many (customer, day) pairs at once (see :func:`_query`):
    what reminders are made of.

    ``reasons_only`` scores only ``spec.reasons`` (and the terms that keep a
    customer off the quiet days), the others 0: the same rows are listed, since
    a row is listed only if one of its reasons has points and no term's points
    are below 0 (the weights are not), but ``score`` is then not the call
    list's, so ``columns`` may read only those reasons' points and episodes
    and the customer's own facts: a fact no scored term's SQL names is NULL
    (:func:`_unread_facts`)."""
    wanted = [name for name in spec.reasons if name in TERM_NAMES]
    sql, params = _query(
        config,
        today,
        spec,
        pairs_from=pairs_from,
        until=until,
        only_terms=wanted if reasons_only and wanted else None,
    )
    listed = _list_sql(spec, params, columns, ordered=False)
    return f"{sql}, listed AS MATERIALIZED ({listed})\n", params


@dataclass(frozen=True)
class TermLine:
    term: str
    points: int
    rule: Text  # the rule behind the points, or "does not apply today"


@dataclass(frozen=True)
class Explanation:
    """How a customer's score is made today, term by term, and where it puts them."""

    customer_id: str
    row: CallRow | None  # None: nothing applies to this customer today
    rank: int | None  # position on today's full list, None when not on it
    capacity: int  # the daily list's length (calls.daily_capacity)
    terms: list[TermLine]
    verdict: Text
    notes: list[Text]  # unanswered attempts, an unusable phone
    action: Text | None  # the suggested action, when listed

    @property
    def score(self) -> int:
        return self.row.score if self.row is not None else 0

    @property
    def listed(self) -> bool:
        """On today's list within its capacity."""
        return self.rank is not None and self.rank <= self.capacity

    @property
    def reasons(self) -> Text | None:
        """The reasons that apply, strongest first, as the list shows them."""
        if self.row is None or self.row.score <= 0:
            return None
        return reasons_text(self.row)


def reasons_text(row: CallRow) -> Text:
    """The list's reasons column: ``逾期 27天 · 到期 3天``, then the unanswered
    attempts since the last real contact (``2次未接通``)."""
    parts: list[Text] = [term(name).reason_text(row) for name in row.reasons]
    if row.failed_attempts > 0:
        parts.append(attempts_text(row.failed_attempts))
    return Joined(tuple(parts), sep="sep.dot")


def attempts_text(count: int) -> Msg:
    return msg("calls.attempts_one" if count == 1 else "calls.attempts", count=count)


GUARANTOR_SEP = "\x1f"


def action_text(row: CallRow, config: Config, *, reveal: bool = False) -> Text:
    """What to do: update a phone known to be wrong first, then visit someone who
    has not answered ``rhythm.visit_after_failed_calls`` attempts, else the
    strongest reason's action; an overdue loan's action names its guarantor once
    it is ``rhythm.guarantor_after_days`` past due (phone masked unless
    ``reveal``)."""
    if row.phone_unusable_since is not None:
        return msg("calls.phone_unusable")
    count = row.failed_attempts
    if count >= config.rhythm.visit_after_failed_calls:
        return msg("calls.visit_one" if count == 1 else "calls.visit", count=count)
    codes = row.reasons
    if codes and codes[0] == "overdue" and row.guarantor is not None:
        name, relation, phone = row.guarantor.split(GUARANTOR_SEP)
        named = guarantor_text(name, relation or None, phone or None, reveal=reveal)
        return msg("action.overdue_guarantor", guarantor=named)
    return msg(f"action.{codes[0]}") if codes else Verbatim("")


def notes(row: CallRow, config: Config) -> list[Text]:
    """What ``--explain`` and ``show`` add about the contact attempts and the phone."""
    found: list[Text] = []
    if row.phone_unusable_since is not None:
        found.append(msg("explain.phone_unusable", since=row.phone_unusable_since))
    count = row.failed_attempts
    if count > 0:
        key = "explain.attempts_one" if count == 1 else "explain.attempts"
        found.append(msg(key, count=count, last=str(row.last_attempt_at)[:16]))
        after = config.rhythm.visit_after_failed_calls
        found.append(
            msg("explain.visit_now" if count >= after else "explain.visit_later", after=after)
        )
    return found


def explain(
    conn: sqlite3.Connection,
    config: Config,
    today: dt.date,
    customer_id: str,
    *,
    reveal: bool = False,
) -> Explanation:
    sql, params = _query(config, today, CallFilter(customer_id=customer_id, limit=None))
    found = list(_rows(conn, sql + "SELECT * FROM scored", params))
    row = found[0] if found else None
    rank = None
    if row is not None and row.score > 0 and not row.quiet:
        full_sql, full_params = _query(config, today, CallFilter(limit=None))
        full_params.update(s=row.score, me=customer_id)
        ahead = conn.execute(
            full_sql + "SELECT COUNT(*) FROM scored WHERE score > 0 AND quiet = 0"
            " AND (score > :s OR (score = :s AND customer_id < :me))",
            full_params,
        ).fetchone()[0]
        rank = int(ahead) + 1
    lines = []
    for entry in TERMS:
        points = row.points[entry.name] if row is not None else 0
        rule: Text = msg("rule.none")
        if row is not None and points > 0:
            rule = entry.explain(row, config)
        elif row is not None and entry.idle is not None:
            rule = entry.idle(row, config) or rule
        lines.append(TermLine(entry.name, points, rule))
    capacity = config.calls.daily_capacity
    verdict: Text
    if row is None or row.score <= 0:
        verdict = msg("explain.nothing")
    elif row.quiet:
        when = str(row.last_contact_at)[:16]
        verdict = msg("explain.quiet", when=when, days=config.rhythm.quiet_days)
    elif rank is not None and rank > capacity:
        verdict = msg("explain.over_capacity", rank=rank, capacity=capacity)
    else:
        verdict = msg("explain.rank", rank=rank)
    found_notes = notes(row, config) if row is not None else []
    action = action_text(row, config, reveal=reveal) if row is not None and row.score > 0 else None
    return Explanation(customer_id, row, rank, capacity, lines, verdict, found_notes, action)
