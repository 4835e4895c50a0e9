"""Customer tiers (客户分层): facts per customer, and the config's rules over them.

Every fact comes from a *source*: one function giving an SQL ``SELECT`` of
``customer_id`` and the source's fact columns, one row per customer (or None
while the source's table does not exist yet: every fact of it is then its
``missing`` value). All sources are joined onto the customers in one query,
so a book's tiers take one pass over each table. Another module extends the
facts by adding a :class:`FactSource` to :data:`SOURCES` (holdings, groups).

The rules (``[[tiers]]`` of the config, :mod:`retain.tier_rules`) are compiled
to one ``CASE``: the first rule that holds gives the tier, none gives NULL
(shown as "no tier").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from retain.rules import class_case, dpd_sql, is_open_sql
from retain.tier_rules import Kind, Scalar, SqlParams, facts_of, parse, to_sql

if TYPE_CHECKING:
    from retain.config import Config, TierRule


@dataclass(frozen=True)
class FactDef:
    name: str
    kind: Kind
    unit: str  # for the README's table of facts
    description: str
    missing: str  # SQL literal when the customer has no row in the source


@dataclass(frozen=True)
class FactSource:
    name: str
    facts: tuple[FactDef, ...]
    # (config, ids) -> SELECT customer_id, <fact columns> ... one row per customer,
    # ``ids`` an SQL ``IN`` operand limiting the customers (None: everyone);
    # None when the source does not exist yet.
    select: Callable[[Config, str | None], str | None]
    # True: the facts are columns of the customers row (``fc``), no join.
    row: bool = False


def _only(column: str, ids: str | None) -> str:
    return f" AND {column} IN {ids}" if ids is not None else ""


def _loans(config: Config, ids: str | None) -> str:
    # Days past due: today's for an open loan, the last imported for a closed
    # one (a customer who was late once is not a top customer).
    dpd = (
        f"CASE WHEN {is_open_sql('l')} THEN {dpd_sql('l', ':t')}"
        " ELSE COALESCE(l.days_past_due, 0) END"
    )
    # Every column read is in the index loans_tier_facts (m031), in customer
    # order: the whole book is one pass over the index, grouped as it goes, with
    # no sort and no table row read (1M loans: ~0.9 s of CPU against ~2.1 s for a
    # table scan and a sort); a few customers are a search of it.
    return f"""SELECT l.customer_id, COUNT(*) AS loans_count,
        SUM(l.principal_fen) / 100.0 AS total_borrowed,
        SUM(CASE WHEN {is_open_sql("l")} THEN COALESCE(l.balance_fen, l.principal_fen)
            ELSE 0 END) / 100.0 AS balance,
        MAX({dpd}) AS max_days_past_due,
        (:t - MIN(l.disbursed_day)) / 365.25 AS years_as_customer
    FROM loans l WHERE 1{_only("l.customer_id", ids)}
    GROUP BY l.customer_id"""


def _referrals(config: Config, ids: str | None) -> str:
    return f"""SELECT p.referrer_customer_id AS customer_id, COUNT(*) AS referrals_converted
    FROM prospects p WHERE p.referrer_customer_id IS NOT NULL AND p.stage = 'disbursed'
        {_only("p.referrer_customer_id", ids)}
    GROUP BY p.referrer_customer_id"""


def _holdings(config: Config, ids: str | None) -> str:
    from retain.holdings import facts_select

    return facts_select(_only("h.customer_id", ids))


def _groups(config: Config, ids: str | None) -> str:
    # One value per customer for `group == '…'`: the group joined first (then by
    # name), so a rule reads the same every day whatever joins later.
    return f"""SELECT customer_id, "group" FROM (
        SELECT m.customer_id, g.name AS "group", ROW_NUMBER() OVER (
            PARTITION BY m.customer_id ORDER BY m.joined_on, g.name) AS n
        FROM group_members m JOIN groups g ON g.group_id = m.group_id
        WHERE m.customer_id IS NOT NULL{_only("m.customer_id", ids)}
    ) WHERE n = 1"""


def _not_yet(config: Config, ids: str | None) -> None:
    """No select of its own: the facts are the customers row's (``row``) or are
    computed after the join (``worst_class``)."""
    return None


#: worst_class is computed from max_days_past_due after the join (the arrears table).
WORST_CLASS = "worst_class"

SOURCES: list[FactSource] = [
    FactSource(
        "customer",
        (
            FactDef("industry", "text", "text", "the customer's industry (行业)", "NULL"),
            FactDef("officer", "text", "text", "the customer's officer", "NULL"),
        ),
        _not_yet,
        row=True,
    ),
    FactSource(
        "loans",
        (
            FactDef("loans_count", "number", "loans", "loans ever imported, closed included", "0"),
            FactDef("total_borrowed", "number", "yuan", "principal of every loan, summed", "0"),
            FactDef("balance", "number", "yuan", "open loans' balance (principal when none)", "0"),
            FactDef(
                "max_days_past_due",
                "number",
                "days",
                "most days past due of any loan: today's for an open loan, "
                "the last imported for a closed one",
                "0",
            ),
            FactDef(
                "years_as_customer",
                "number",
                "years",
                "years (fractional) since the first disbursement",
                "0",
            ),
        ),
        _loans,
    ),
    FactSource(
        "arrears",
        (
            FactDef(
                WORST_CLASS,
                "text",
                "class name",
                "the arrears class (arrears.classes name, e.g. 正常, 关注) of max_days_past_due",
                "NULL",
            ),
        ),
        _not_yet,
    ),
    FactSource(
        "referrals",
        (
            FactDef(
                "referrals_converted",
                "number",
                "prospects",
                "prospects this customer referred who reached the stage disbursed",
                "0",
            ),
        ),
        _referrals,
    ),
    FactSource(
        "holdings",
        (
            FactDef(
                "products_held",
                "number",
                "products",
                "product types held open (retain import holdings)",
                "0",
            ),
            FactDef("aum", "number", "yuan", "open holdings' balances, credit cards left out", "0"),
        ),
        _holdings,
    ),
    FactSource(
        "groups",
        (
            FactDef(
                "group",
                "text",
                "text",
                "the customer's group (类群); in several, the one joined first",
                "NULL",
            ),
        ),
        _groups,
    ),
]


def facts() -> list[FactDef]:
    return [fact for source in SOURCES for fact in source.facts]


def fact_kinds() -> dict[str, Kind]:
    return {fact.name: fact.kind for fact in facts()}


def facts_sql(
    config: Config, ids: str | None = None, needed: Collection[str] | None = None
) -> tuple[str, dict[str, Any]]:
    """One row per customer (``fc``) with every fact as a column named after it.

    ``needed``: only the sources of these facts are joined (the customers row's
    always are); the others' columns are left out, so a rule set that never
    reads the holdings does not aggregate them. None: every fact.
    Reads ``:t`` (today's day number), which the caller binds.
    """
    wanted = None if needed is None else set(needed)
    if wanted is not None and WORST_CLASS in wanted:
        wanted.add("max_days_past_due")  # worst_class is computed from it
    columns = ["fc.customer_id AS customer_id"]
    joins: list[str] = []
    params: dict[str, Any] = {}
    with_loans = False
    for index, source in enumerate(SOURCES):
        if source.name == "arrears":
            continue
        if source.row:
            columns += [f'fc."{f.name}" AS "{f.name}"' for f in source.facts]
            continue
        if wanted is not None and wanted.isdisjoint(f.name for f in source.facts):
            continue
        with_loans = with_loans or source.name == "loans"
        select = source.select(config, ids)
        alias = f"s{index}"
        if select is None:
            columns += [f'{f.missing} AS "{f.name}"' for f in source.facts]
            continue
        joins.append(f"LEFT JOIN ({select}) {alias} ON {alias}.customer_id = fc.customer_id")
        columns += [
            f'COALESCE({alias}."{f.name}", {f.missing}) AS "{f.name}"' for f in source.facts
        ]
    inner = f"""SELECT {", ".join(columns)}
    FROM customers fc {" ".join(joins)}
    WHERE 1{_only("fc.customer_id", ids)}"""
    if not with_loans:
        return inner, params
    names = [c.name for c in config.arrears.classes]
    worst, class_params = class_case(config.arrears, "f.max_days_past_due", names, "tfc")
    params.update(class_params)
    # No loan: no class (a rule on worst_class does not hold for them).
    sql = f"""SELECT f.*, CASE WHEN f.loans_count > 0 THEN {worst} END AS {WORST_CLASS}
    FROM ({inner}) f"""
    return sql, params


def tier_case(
    rules: list[TierRule], column: str = 'f."{}"', spelled: Mapping[Scalar, Scalar] = {}
) -> tuple[str, dict[str, Any]]:
    """The index of the first rule that holds (NULL for none), and its parameters;
    ``spelled``: literals as stored (a class's English name → its name)."""
    if not rules:
        return "NULL", {}
    kinds = fact_kinds()
    params = SqlParams("tr")
    whens = [
        f"WHEN {to_sql(parse(rule.when, kinds), params, column, spelled)} THEN {index}"
        for index, rule in enumerate(rules)
    ]
    return f"(CASE {' '.join(whens)} END)", dict(params.values)


def rule_facts(rules: list[TierRule]) -> set[str]:
    """The facts the rules read."""
    kinds = fact_kinds()
    return {name for rule in rules for name in facts_of(parse(rule.when, kinds))}


def tiered_sql(
    config: Config, ids: str | None = None, needed: Collection[str] | None = None
) -> tuple[str, dict[str, Any]]:
    """Every customer's facts and ``tier`` (index into config.tiers, NULL: none);
    ``needed``: as :func:`facts_sql`, the rules' own facts added."""
    if needed is not None:
        needed = {*needed, *rule_facts(config.tiers)}
    sql, params = facts_sql(config, ids, needed)
    # worst_class holds the Chinese names; a rule may use the English ones too.
    english: dict[Scalar, Scalar] = {c.name_en: c.name for c in config.arrears.classes}
    case, rule_params = tier_case(config.tiers, spelled=english)
    return f"SELECT f.*, {case} AS tier FROM ({sql}) f", {**params, **rule_params}


# --- retain tiers ----------------------------------------------------------------


@dataclass(frozen=True)
class TierLine:
    tier: int | None  # index into config.tiers; None: no rule matched
    group: str | None  # the --by value (officer, industry), None without --by
    customers: int
    balance_fen: int


@dataclass(frozen=True)
class IndustryShare:
    industry: str | None
    customers: int
    good: int

    @property
    def share(self) -> float:
        return self.good / self.customers if self.customers else 0.0


@dataclass(frozen=True)
class TierReport:
    lines: list[TierLine]
    industries: list[IndustryShare]
    good_tiers: tuple[int, ...]


BY_COLUMNS: Mapping[str, str] = {"industry": "industry", "officer": "officer", "group": "group"}


def good_tiers(rules: list[TierRule]) -> tuple[int, ...]:
    """The tiers counted as good: those marked ``good``, else the first."""
    marked = tuple(i for i, rule in enumerate(rules) if rule.good)
    return marked or ((0,) if rules else ())


def tier_report(
    conn: sqlite3.Connection,
    config: Config,
    today_day: int,
    *,
    by: str | None = None,
    group_id: int | None = None,
) -> TierReport:
    """Customers and balance per tier (split ``by`` a column), and the good
    share per industry; with ``group_id``, only that group's members."""
    # Only the sources the rules, the balance and the split read: a book's
    # holdings are a second million rows to aggregate when no rule needs them.
    needed = {"balance", "industry", *([BY_COLUMNS[by]] if by is not None else [])}
    sql, params = tiered_sql(config, needed=needed)
    params["t"] = today_day
    if group_id is not None:
        from retain.groups import member_filter_sql

        sql = f"SELECT * FROM ({sql}) tg WHERE {member_filter_sql('tg.customer_id')}"
        params["group_id"] = group_id
    group = f'"{BY_COLUMNS[by]}"' if by is not None else "NULL"
    good = good_tiers(config.tiers)
    marks = ", ".join(str(i) for i in good) or "NULL"
    # One pass: the per-tier lines and the per-industry good counts together.
    rows = conn.execute(
        f"""WITH t AS ({sql})
        SELECT tier, {group}, industry, COUNT(*), CAST(ROUND(SUM(balance) * 100) AS INTEGER),
            SUM(tier IN ({marks}))
        FROM t GROUP BY tier, {group}, industry""",
        params,
    ).fetchall()
    lines: dict[tuple[int | None, str | None], list[int]] = {}
    industries: dict[str | None, list[int]] = {}
    for tier, grouped, industry, customers, balance_fen, good_count in rows:
        line = lines.setdefault((tier, grouped), [0, 0])
        line[0] += customers
        line[1] += balance_fen or 0
        share = industries.setdefault(industry, [0, 0])
        share[0] += customers
        share[1] += good_count or 0

    def tier_order(key: tuple[int | None, str | None]) -> tuple[int, int, str]:
        tier, grouped = key
        return (len(config.tiers) if tier is None else tier, grouped is None, grouped or "")

    return TierReport(
        lines=[
            TierLine(tier, grouped, customers, balance)
            for (tier, grouped), (customers, balance) in sorted(
                lines.items(), key=lambda item: tier_order(item[0])
            )
        ],
        industries=sorted(
            (IndustryShare(name, c, g) for name, (c, g) in industries.items()),
            key=lambda s: (-s.share, -s.customers, s.industry is None, s.industry or ""),
        ),
        good_tiers=good,
    )


def tier_of(
    conn: sqlite3.Connection, config: Config, customer_id: str, today_day: int
) -> int | None:
    """One customer's tier (index into config.tiers), None when no rule holds."""
    if not config.tiers:
        return None
    sql, params = tiered_sql(config, "(:tier_customer)", needed=())
    row = conn.execute(
        f"SELECT tier FROM ({sql})", {**params, "t": today_day, "tier_customer": customer_id}
    ).fetchone()
    return None if row is None else row[0]
