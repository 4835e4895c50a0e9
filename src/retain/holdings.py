"""Product coverage (产品覆盖度) and assets under management (AUM).

A customer's holdings (``retain import holdings``) are the bank's other
products: deposits, cards, wealth products, insurance, payroll, mobile banking.
A holding is open until its ``closed_on``. A customer's products are the
distinct product types held open; their AUM the sum of the open holdings'
balances, credit cards excepted (a card's balance is owed, not held).

Cross-sell gaps: a *good* customer lacking a product that more than
``coverage.peer_share`` of the customers of their peer group hold. The peer
group is the customer's industry (a customer with none has no peers). Good:

- a loan on the book, or one closed within ``rhythm.win_back_months``;
- every open loan in the first arrears class (正常: by default 0 days past due);
- no written-off loan.

The peers' counts live in ``holding_peers`` (rebuilt by every import of
customers, loans or holdings, see :func:`rebuild_peers`): the call list's
``cross_sell`` term reads them per customer, and so does ``coverage``, so both
suggest the same product.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from retain.dates import add_months
from retain.days import day_number
from retain.rules import NOT_AUM, PRODUCTS, dpd_sql, is_open_sql

if TYPE_CHECKING:
    from retain.config import ArrearsConfig

_OPEN = "h.closed_day IS NULL"
#: A holding's part of the AUM (fen): credit cards are owed, not held.
_AUM = f"CASE WHEN h.product NOT IN ({', '.join(repr(p) for p in NOT_AUM)}) THEN h.balance_fen END"
#: The groups coverage can be shown by.
GROUPS = ("industry", "officer", "tier")


def rebuild_peers(conn: sqlite3.Connection) -> None:
    """Refill ``holding_peers``: per industry and product, the customers holding
    it open and the customers of that industry. Within the caller's transaction."""
    conn.execute("DELETE FROM holding_peers")
    if conn.execute("SELECT 1 FROM holdings LIMIT 1").fetchone() is None:
        return
    conn.execute(
        f"""
        INSERT INTO holding_peers (peer, product, holders, members)
        WITH held AS (
            SELECT DISTINCT h.customer_id, h.product FROM holdings h WHERE {_OPEN}
        ),
        members AS (
            SELECT industry, COUNT(*) AS members FROM customers
            WHERE industry IS NOT NULL GROUP BY industry
        )
        SELECT c.industry, held.product, COUNT(*), m.members
        FROM held JOIN customers c ON c.customer_id = held.customer_id
        JOIN members m ON m.industry = c.industry
        GROUP BY c.industry, held.product
        """
    )


def good_max_days(arrears: ArrearsConfig) -> int:
    """The most days past due of the first arrears class (正常): a good customer's
    open loans are all within it."""
    first = arrears.classes[0].max_days
    return first if first is not None else 1 << 40


def suggestion_sql(customer: str, industry: str) -> str:
    """The product to suggest to the customer ``customer`` (a column) of industry
    ``industry``: the one most widely held by their peers, above ``:xs_share``,
    that they do not hold open; NULL if none. Ties: the product's name."""
    return f"""(SELECT p.product FROM holding_peers p
        WHERE p.peer = {industry} AND p.holders > p.members * :xs_share
            AND NOT EXISTS (SELECT 1 FROM holdings h WHERE h.customer_id = {customer}
                AND h.product = p.product AND h.closed_day IS NULL)
        ORDER BY p.holders * 1.0 / p.members DESC, p.product LIMIT 1)"""


@dataclass(frozen=True)
class Group:
    """Coverage of one group of customers (or of all of them: ``group`` None)."""

    group: str | None
    customers: int
    products_0: int
    products_1: int
    products_2: int
    products_3_plus: int
    average_products: float | None
    aum_fen: int
    good: int
    gaps: int


@dataclass(frozen=True)
class Gap:
    """A good customer lacking a product most of their peers hold."""

    customer_id: str
    name: str
    officer: str | None
    industry: str
    held: tuple[str, ...]
    aum_fen: int
    suggested: str
    peer_share: float  # of the suggested product among the peers
    missing: tuple[str, ...]  # every product above the threshold they lack, best first


@dataclass(frozen=True)
class Coverage:
    today: dt.date
    by: str
    peer_share: float
    total: Group
    groups: list[Group] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    gaps_total: int = 0


def _good_sql(arrears_good_max: int) -> str:
    """Customers who are good on day ``:t`` (see the module's docstring). The
    ranking index covers every column read: a scan of it, not of the table and
    not the customer index's hop per loan (measured at 1M loans: 0.9 s, not 7.6 s)."""
    return f"""
        SELECT l.customer_id FROM loans l INDEXED BY loans_for_ranking
        GROUP BY l.customer_id
        HAVING MAX(CASE WHEN {is_open_sql("l")}
                OR (l.status = 'closed' AND l.closed_day >= :since) THEN 1 ELSE 0 END) = 1
            AND MAX(CASE WHEN l.status = 'written_off'
                OR ({is_open_sql("l")} AND {dpd_sql("l", ":t")} > {int(arrears_good_max)})
                THEN 1 ELSE 0 END) = 0"""


def coverage(
    conn: sqlite3.Connection,
    today: dt.date,
    *,
    by: str,
    peer_share: float,
    recent_months: int,
    good_max: int,
    limit: int | None,
    tiers: tuple[str, dict[str, object], list[str]] | None = None,
) -> Coverage:
    """Products per customer, AUM and good customers per group; the gap list
    (its first ``limit`` rows, all if None; ``gaps_total`` counts them all).

    ``tiers`` (for ``by="tier"``): the SQL giving each customer's tier index
    (``retain.tiers.tiered_sql``), its parameters and the tiers' names."""
    if by not in GROUPS:  # pragma: no cover - the CLI offers only these
        raise ValueError(by)
    params = {
        "t": day_number(today),
        "since": day_number(add_months(today, -recent_months)),
        "xs_share": peer_share,
    }
    conn.execute("DROP TABLE IF EXISTS temp.cov_good")
    conn.execute(
        "CREATE TEMP TABLE cov_good (customer_id TEXT PRIMARY KEY) WITHOUT ROWID",
    )
    conn.execute(f"INSERT INTO temp.cov_good {_good_sql(good_max)}", params)
    conn.execute("DROP TABLE IF EXISTS temp.cov_tier")
    conn.execute("CREATE TEMP TABLE cov_tier (customer_id TEXT PRIMARY KEY, tier TEXT)")
    if tiers is not None:
        tier_sql, tier_params, names = tiers
        named = " ".join(f"WHEN {i} THEN :tier_name{i}" for i in range(len(names)))
        conn.execute(
            f"INSERT INTO temp.cov_tier SELECT customer_id, CASE tier {named} END"
            f" FROM ({tier_sql}) WHERE tier IS NOT NULL",
            {**params, **tier_params, **{f"tier_name{i}": n for i, n in enumerate(names)}},
        )
    gap_rows = conn.execute(
        f"""
        SELECT g.customer_id, c.name, c.officer, c.industry, ct.tier, p.product,
            p.holders * 1.0 / p.members AS share
        FROM temp.cov_good g JOIN customers c ON c.customer_id = g.customer_id
        LEFT JOIN temp.cov_tier ct ON ct.customer_id = g.customer_id
        JOIN holding_peers p ON p.peer = c.industry AND p.holders > p.members * :xs_share
        WHERE NOT EXISTS (SELECT 1 FROM holdings h WHERE h.customer_id = g.customer_id
            AND h.product = p.product AND {_OPEN})
        ORDER BY g.customer_id, share DESC, p.product
        """,
        params,
    ).fetchall()
    missing: dict[str, list[tuple[str, float]]] = {}
    about: dict[str, tuple[str, str | None, str, str | None]] = {}
    for customer_id, name, officer, industry, tier, product, share in gap_rows:
        missing.setdefault(customer_id, []).append((product, share))
        about[customer_id] = (name, officer, industry, tier)
    order = sorted(missing, key=lambda cid: (-missing[cid][0][1], cid))
    shown = order if limit is None else order[:limit]
    held = _held(conn, shown)
    gaps = [
        Gap(
            customer_id=cid,
            name=about[cid][0],
            officer=about[cid][1],
            industry=about[cid][2],
            held=held.get(cid, ((), 0))[0],
            aum_fen=held.get(cid, ((), 0))[1],
            suggested=missing[cid][0][0],
            peer_share=missing[cid][0][1],
            missing=tuple(p for p, _ in missing[cid]),
        )
        for cid in shown
    ]
    column = {"officer": "c.officer", "industry": "c.industry", "tier": "ct.tier"}[by]
    groups: dict[str | None, Group] = {}
    products_all = 0
    gap_counts: dict[str | None, int] = {}
    for cid in missing:
        key = about[cid][{"officer": 1, "industry": 2, "tier": 3}[by]]
        gap_counts[key] = gap_counts.get(key, 0) + 1
    # Two passes, each in the order of an index: everyone (with the good), then
    # the holders only (the holdings index, customer by customer); customers
    # with no product are the difference.
    counts = conn.execute(
        f"""
        SELECT {column} AS grp, COUNT(*), COUNT(g.customer_id)
        FROM customers c LEFT JOIN temp.cov_good g ON g.customer_id = c.customer_id
        LEFT JOIN temp.cov_tier ct ON ct.customer_id = c.customer_id
        GROUP BY grp
        """
    ).fetchall()
    held_by = {
        grp: rest
        for grp, *rest in conn.execute(
            f"""
            WITH per AS (
                SELECT h.customer_id, COUNT(DISTINCT h.product) AS n, SUM({_AUM}) AS aum
                FROM holdings h WHERE {_OPEN} GROUP BY h.customer_id
            )
            SELECT {column} AS grp, COUNT(*), SUM(CASE WHEN per.n = 1 THEN 1 ELSE 0 END),
                SUM(CASE WHEN per.n = 2 THEN 1 ELSE 0 END),
                SUM(CASE WHEN per.n >= 3 THEN 1 ELSE 0 END), SUM(per.n),
                COALESCE(SUM(per.aum), 0)
            FROM per JOIN customers c ON c.customer_id = per.customer_id
            LEFT JOIN temp.cov_tier ct ON ct.customer_id = c.customer_id
            GROUP BY grp
            """
        )
    }
    rows = []
    # tiers in their config order, other groups by name; no group last
    rank = {name: i for i, name in enumerate(tiers[2])} if tiers is not None else {}
    for grp, customers, good in sorted(
        counts, key=lambda r: (r[0] is None, rank.get(r[0], 0), r[0] or "")
    ):
        holders, p1, p2, p3, products, aum = held_by.get(grp, (0, 0, 0, 0, 0, 0))
        rows.append((grp, customers, customers - holders, p1, p2, p3, products, aum, good))
    conn.execute("DROP TABLE temp.cov_good")
    conn.execute("DROP TABLE temp.cov_tier")
    for grp, customers, p0, p1, p2, p3, products, aum, good in rows:
        products_all += products
        groups[grp] = Group(
            grp,
            customers,
            p0,
            p1,
            p2,
            p3,
            products / customers if customers else None,
            aum,
            good,
            gap_counts.get(grp, 0),
        )
    everyone = list(groups.values())
    count = sum(g.customers for g in everyone)
    total = Group(
        None,
        count,
        sum(g.products_0 for g in everyone),
        sum(g.products_1 for g in everyone),
        sum(g.products_2 for g in everyone),
        sum(g.products_3_plus for g in everyone),
        products_all / count if count else None,
        sum(g.aum_fen for g in everyone),
        sum(g.good for g in everyone),
        len(missing),
    )
    return Coverage(today, by, peer_share, total, everyone, gaps, len(missing))


def _held(
    conn: sqlite3.Connection, customer_ids: Sequence[str]
) -> dict[str, tuple[tuple[str, ...], int]]:
    """Each customer's open products (in :data:`PRODUCTS` order) and AUM."""
    found: dict[str, tuple[set[str], int]] = {}
    for start in range(0, len(customer_ids), 500):
        batch = list(customer_ids[start : start + 500])
        marks = ",".join("?" * len(batch))
        for cid, product, aum in conn.execute(
            f"SELECT h.customer_id, h.product, COALESCE(SUM({_AUM}), 0) FROM holdings h"
            f" WHERE h.customer_id IN ({marks}) AND {_OPEN} GROUP BY h.customer_id, h.product",
            batch,
        ):
            products, total = found.get(cid, (set(), 0))
            products.add(product)
            found[cid] = (products, total + aum)
    return {
        cid: (tuple(p for p in PRODUCTS if p in products), aum)
        for cid, (products, aum) in found.items()
    }


@dataclass(frozen=True)
class Products:
    """One customer's products line for ``show``."""

    held: tuple[str, ...]
    aum_fen: int
    suggested: str | None


def customer_products(conn: sqlite3.Connection, customer_id: str, *, peer_share: float) -> Products:
    """The customer's open products, AUM and the product their peers suggest
    (whether or not the customer is good: ``show`` tells the whole story)."""
    held, aum = _held(conn, [customer_id]).get(customer_id, ((), 0))
    row = conn.execute(
        f"SELECT {suggestion_sql('c.customer_id', 'c.industry')} FROM customers c"
        " WHERE c.customer_id = :id",
        {"id": customer_id, "xs_share": peer_share},
    ).fetchone()
    return Products(held, aum, row[0] if row else None)


def facts_select(only: str) -> str:
    """Per customer: ``products_held`` (distinct open product types) and ``aum``
    (yuan), for the tier rules' facts (:mod:`retain.tiers`); ``only`` is an
    ``AND …`` restriction on ``h.customer_id`` or empty."""
    return f"""SELECT h.customer_id, COUNT(DISTINCT h.product) AS products_held,
        COALESCE(SUM({_AUM}), 0) / 100.0 AS aum
    FROM holdings h WHERE {_OPEN}{only}
    GROUP BY h.customer_id"""
