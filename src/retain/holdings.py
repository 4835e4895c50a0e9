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
_TEMP_TABLES = ("cov_cust", "cov_tier", "cov_need")
#: Width of a product's lane in a customer's tally (:data:`_HELD_SQL`): a
#: 6-bit counter of their open holdings of it under one guard bit; 9 products x
#: 7 bits fit a signed 64-bit integer. A customer with fewer open holdings than
#: ``_TALLY_CAP`` cannot carry a counter into its guard bit.
_TALLY_BITS = 7
_TALLY_CAP = 1 << (_TALLY_BITS - 1)
#: A product's bit in a customer's mask of open products (coverage): the low
#: bit of its lane, so that the mask comes from the tally in two operations.
_BITS = {product: 1 << (_TALLY_BITS * i) for i, product in enumerate(PRODUCTS)}
_TALLY = " ".join(f"WHEN {p!r} THEN {bit}" for p, bit in _BITS.items())
#: Adding 63 to every lane sets a lane's guard bit exactly when its counter is
#: not 0 (a counter below 64 cannot carry into the next lane).
_ADD = sum((_TALLY_CAP - 1) * bit for bit in _BITS.values())
_GUARD = sum(_TALLY_CAP * bit for bit in _BITS.values())
#: Per customer holding anything open: their open holdings, AUM (fen), distinct
#: products and mask. One pass in the order of the covering index
#: ``holdings_by_customer`` (no sort) summing a counter per product (one SUM,
#: not a DISTINCT aggregate's sorter per customer nor a MAX per product). The
#: mask is the lanes' guard bits shifted down; the number of products is the
#: mask modulo 127 (2^7 = 1 mod 127 sums the lanes, at most 9 < 127): two
#: expressions per customer, not one per product. The CAST is SQLite's no-op and
#: keeps the sum an integer on PostgreSQL (its SUM of bigints is a numeric).
_HELD_SQL = f"""
    SELECT customer_id, holdings, aum, mask % {(1 << _TALLY_BITS) - 1}, mask
    FROM (
        SELECT h.customer_id, COUNT(*) AS holdings, COALESCE(SUM({_AUM}), 0) AS aum,
            ((CAST(SUM(CASE h.product {_TALLY} END) AS INTEGER) + {_ADD}) & {_GUARD})
            >> {_TALLY_BITS - 1} AS mask
        FROM holdings h INDEXED BY holdings_by_customer WHERE {_OPEN}
        GROUP BY h.customer_id
    )"""
#: The exact products and mask of a customer whose counters could overflow.
_EXACT_SQL = f"""
    UPDATE temp.cov_cust SET
        n = (SELECT COUNT(DISTINCT h.product) FROM holdings h
            WHERE h.customer_id = cov_cust.customer_id AND {_OPEN}),
        mask = (SELECT SUM(DISTINCT CASE h.product {_TALLY} END)
            FROM holdings h WHERE h.customer_id = cov_cust.customer_id AND {_OPEN})
    WHERE holdings >= {_TALLY_CAP}"""


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
        SELECT c.industry, held.product, COUNT(*), MAX(m.members)
        FROM held JOIN customers c ON c.customer_id = held.customer_id
        JOIN members m ON m.industry = c.industry
        GROUP BY c.industry, held.product
        """
    )


#: The settings coverage reads, at their defaults in :mod:`retain.config`:
#: ``coverage.peer_share``, ``rhythm.win_back_months`` and :func:`good_max_days`
#: of the default arrears table. Without a config file they are what a run
#: uses, known without building the config (its pydantic models cost a run
#: about a tenth of a second); tests/test_startup.py checks them against it.
DEFAULT_PEER_SHARE = 0.5
DEFAULT_RECENT_MONTHS = 12
DEFAULT_GOOD_MAX = 0


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
    """Customers who are good on day ``:t`` (see the module's docstring).

    One pass over ``loans_tier_facts`` (customer first, covering every column
    read here but the closed day), grouped in the index's order: no sort. One
    mark per loan, its customer's best kept: 2 bars them (written off, or open
    beyond the first arrears class), 1 qualifies (on the book), 0 neither. A
    customer with an open loan is decided by it; only one whose loans are all
    closed (mark 0) is asked for a close within the window, by one search of
    ``loans_for_ranking`` (status, customer, ..., closed day), so no closed day
    is read from the table. Measured at 1M loans: 0.31 s CPU, against 0.66 s
    for a scan of the status-led index and a sort by customer."""
    return f"""
        SELECT g.customer_id FROM (
            SELECT l.customer_id, MAX(CASE WHEN l.status = 'written_off' THEN 2
                WHEN {is_open_sql("l")} THEN
                    (CASE WHEN {dpd_sql("l", ":t")} > {int(arrears_good_max)} THEN 2 ELSE 1 END)
                ELSE 0 END) AS mark
            FROM loans l INDEXED BY loans_tier_facts
            GROUP BY l.customer_id
        ) g
        WHERE g.mark = 1 OR (g.mark = 0 AND EXISTS (
            SELECT 1 FROM loans r INDEXED BY loans_for_ranking
            WHERE r.status = 'closed' AND r.customer_id = g.customer_id
                AND r.closed_day >= :since))"""


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
    (``retain.tiers.tiered_sql``), its parameters and the tiers' names.

    One pass over the holdings index folds each customer's open products into a
    bit mask (:data:`_BITS`); a customer has a gap when their industry's mask of
    products above the peer share (a handful of rows of ``holding_peers``) is not
    inside theirs. So the groups, their gap counts and the order of the gap list
    come from SQL over one row per customer, never a customers x products join
    or Python per customer; only the gaps shown are built in Python."""
    if by not in GROUPS:  # pragma: no cover - the CLI offers only these
        raise ValueError(by)
    params: dict[str, object] = {
        "t": day_number(today),
        "since": day_number(add_months(today, -recent_months)),
        "xs_share": peer_share,
    }
    # Per industry, the products more than the peer share hold, best first (the
    # share as SQLite computes it, so ties and order match the cross_sell term).
    ranked: dict[str, list[tuple[str, float]]] = {}
    for peer, product, share in conn.execute(
        "SELECT peer, product, holders * 1.0 / members FROM holding_peers"
        " WHERE holders > members * :xs_share",
        params,
    ):
        ranked.setdefault(peer, []).append((product, share))
    for products in ranked.values():
        products.sort(key=lambda ps: (-ps[1], ps[0]))
    for table in _TEMP_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    # One row per customer holding anything or good: what the groups and the
    # gaps read, by one primary-key lookup.
    conn.execute(
        "CREATE TEMP TABLE cov_cust (customer_id TEXT PRIMARY KEY, holdings INTEGER,"
        " aum INTEGER, n INTEGER, mask INTEGER, good INTEGER) WITHOUT ROWID"
    )
    conn.execute(f"INSERT INTO temp.cov_cust (customer_id, holdings, aum, n, mask) {_HELD_SQL}")
    conn.execute(_EXACT_SQL)
    conn.execute(
        f"INSERT INTO temp.cov_cust (customer_id, good) SELECT customer_id, 1"
        f" FROM ({_good_sql(good_max)}) WHERE true"
        " ON CONFLICT (customer_id) DO UPDATE SET good = 1",
        params,
    )
    conn.execute("CREATE TEMP TABLE cov_tier (customer_id TEXT PRIMARY KEY, tier TEXT)")
    if tiers is not None:
        tier_sql, tier_params, names = tiers
        named = " ".join(f"WHEN {i} THEN :tier_name{i}" for i in range(len(names)))
        conn.execute(
            f"INSERT INTO temp.cov_tier SELECT customer_id, CASE tier {named} END"
            f" FROM ({tier_sql}) WHERE tier IS NOT NULL",
            {**params, **tier_params, **{f"tier_name{i}": n for i, n in enumerate(names)}},
        )
    conn.execute(
        "CREATE TEMP TABLE cov_need (peer TEXT, rank INTEGER, bit INTEGER, share REAL,"
        " need INTEGER, PRIMARY KEY (peer, rank)) WITHOUT ROWID"
    )
    for peer, products in ranked.items():
        need = sum(_BITS[p] for p, _ in products)
        conn.executemany(
            "INSERT INTO temp.cov_need VALUES (?, ?, ?, ?, ?)",
            [(peer, i, _BITS[p], share, need) for i, (p, share) in enumerate(products)],
        )
    # A customer's products their industry's need lacks (its rank 0 row carries it).
    missing_sql = "(n.need & ~COALESCE(h.mask, 0))"
    column = {"officer": "c.officer", "industry": "c.industry", "tier": "ct.tier"}[by]
    tier_join = ""
    if tiers is not None:
        tier_join = "LEFT JOIN temp.cov_tier ct ON ct.customer_id = c.customer_id"
    counts = conn.execute(
        f"""
        SELECT {column} AS grp, COUNT(*), COUNT(h.n),
            COUNT(CASE WHEN h.n = 1 THEN 1 END), COUNT(CASE WHEN h.n = 2 THEN 1 END),
            COUNT(CASE WHEN h.n >= 3 THEN 1 END), COALESCE(SUM(h.n), 0),
            COALESCE(SUM(h.aum), 0), COUNT(h.good),
            COUNT(CASE WHEN h.good AND {missing_sql} != 0 THEN 1 END)
        FROM customers c LEFT JOIN temp.cov_cust h ON h.customer_id = c.customer_id
        LEFT JOIN temp.cov_need n ON n.peer = c.industry AND n.rank = 0
        {tier_join}
        GROUP BY grp
        """
    ).fetchall()
    gap_rows = conn.execute(
        f"""
        SELECT c.customer_id, c.name, c.officer, c.industry, COALESCE(h.mask, 0),
            COALESCE(h.aum, 0),
            (SELECT r.share FROM temp.cov_need r WHERE r.peer = c.industry
                AND r.bit & COALESCE(h.mask, 0) = 0 ORDER BY r.rank LIMIT 1) AS best
        FROM temp.cov_cust h JOIN customers c ON c.customer_id = h.customer_id
        JOIN temp.cov_need n ON n.peer = c.industry AND n.rank = 0
        WHERE h.good AND {missing_sql} != 0
        ORDER BY best DESC, c.customer_id
        {"" if limit is None else "LIMIT :limit"}
        """,
        {} if limit is None else {"limit": limit},
    ).fetchall()
    for table in _TEMP_TABLES:
        conn.execute(f"DROP TABLE temp.{table}")
    # What a gap says depends only on the industry and the mask: worked out once
    # per pair (at most industries x 2^products), not once per customer.
    said: dict[tuple[str, int], tuple[tuple[str, ...], str, float, tuple[str, ...]]] = {}
    gaps = []
    for customer_id, name, officer, industry, mask, aum, _best in gap_rows:
        known = said.get((industry, mask))
        if known is None:
            lacking = [(p, share) for p, share in ranked[industry] if not mask & _BITS[p]]
            known = (
                tuple(p for p in PRODUCTS if mask & _BITS[p]),
                lacking[0][0],
                lacking[0][1],
                tuple(p for p, _ in lacking),
            )
            said[(industry, mask)] = known
        held, suggested, share, missing = known
        gaps.append(Gap(customer_id, name, officer, industry, held, aum, suggested, share, missing))
    # tiers in their config order, other groups by name; no group last
    rank = {name: i for i, name in enumerate(tiers[2])} if tiers is not None else {}
    groups = []
    products_all = 0
    for grp, customers, holders, p1, p2, p3, products, aum, good, gap_count in sorted(
        counts, key=lambda r: (r[0] is None, rank.get(r[0], 0), r[0] or "")
    ):
        products_all += products
        groups.append(
            Group(
                grp,
                customers,
                customers - holders,
                p1,
                p2,
                p3,
                products / customers if customers else None,
                aum,
                good,
                gap_count,
            )
        )
    count = sum(g.customers for g in groups)
    gaps_total = sum(g.gaps for g in groups)
    total = Group(
        None,
        count,
        sum(g.products_0 for g in groups),
        sum(g.products_1 for g in groups),
        sum(g.products_2 for g in groups),
        sum(g.products_3_plus for g in groups),
        products_all / count if count else None,
        sum(g.aum_fen for g in groups),
        sum(g.good for g in groups),
        gaps_total,
    )
    return Coverage(today, by, peer_share, total, groups, gaps, gaps_total)


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
