"""Referrals (点, 转介绍): who brought whom, and what it brought.

A customer refers prospects (``prospects.referrer_customer_id``); a prospect
may refer others before it borrows (``referrer_prospect_id``); a prospect that
converted is linked to its customer (``prospects.customer_id``), whose own
referrals follow. A prospect's *loan amount* is its customer's loans disbursed
on or after the prospect's entry (as in ``retain pipeline``): ``disbursed`` their
principal, ``balance`` what the open ones still owe; before it converts, its
stated need (``need_fen``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from retain.rules import is_open_sql, outstanding_sql

# A loop in the data (A referred B who "referred" A) must not run forever; a
# real chain is never this deep.
MAX_DEPTH = 50

_MONEY = f"""
    (SELECT COALESCE(SUM(l.principal_fen), 0) FROM loans l
        WHERE l.customer_id = p.customer_id AND l.disbursed_day >= p.entered_day) AS disbursed,
    (SELECT COALESCE(SUM({outstanding_sql("l")}), 0) FROM loans l
        WHERE l.customer_id = p.customer_id AND l.disbursed_day >= p.entered_day
        AND {is_open_sql("l")}) AS balance"""

_PROSPECT = f"""
    SELECT p.prospect_id, p.name, p.stage, p.lost_reason, p.channel, p.customer_id,
        p.need_fen, p.entered_on, p.officer, {_MONEY}
    FROM prospects p"""


@dataclass
class Node:
    """A customer (the root, or a converted prospect's customer) or a prospect."""

    id: str  # C… for a customer, P<n> for a prospect
    name: str | None  # None: a forgotten prospect
    depth: int
    parent_id: str | None
    stage: str | None = None  # prospects only
    lost_reason: str | None = None
    channel: str | None = None
    customer_id: str | None = None  # what the prospect became
    need_fen: int | None = None
    entered_on: str | None = None
    disbursed_fen: int = 0
    balance_fen: int = 0
    children: list[Node] = field(default_factory=list)

    def walk(self) -> list[Node]:
        """This node and every one under it, depth first, in tree order."""
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found


def prospect_code(prospect_id: int) -> str:
    return f"P{prospect_id}"


def _prospect_node(row: sqlite3.Row | tuple[Any, ...], depth: int, parent: str) -> Node:
    pid, name, stage, lost_reason, channel, customer_id, need, entered, _officer, money, owed = row
    return Node(
        id=prospect_code(pid),
        name=name,
        depth=depth,
        parent_id=parent,
        stage=stage,
        lost_reason=lost_reason,
        channel=channel,
        customer_id=customer_id,
        need_fen=need,
        entered_on=entered,
        disbursed_fen=int(money),
        balance_fen=int(owed),
    )


def tree(conn: sqlite3.Connection, customer_id: str) -> Node | None:
    """Everyone ``customer_id`` brought in, and whom they brought; None for an
    unknown customer."""
    found = conn.execute(
        "SELECT name FROM customers WHERE customer_id = ?", (customer_id,)
    ).fetchone()
    if found is None:
        return None
    root = Node(id=customer_id, name=found[0], depth=0, parent_id=None)
    seen_customers = {customer_id}
    seen_prospects: set[int] = set()

    def grow(node: Node, *, by_customer: str | None, by_prospect: int | None) -> None:
        if node.depth >= MAX_DEPTH:
            return
        rows: list[Any] = []
        if by_customer is not None:
            rows += conn.execute(
                _PROSPECT
                + " WHERE p.referrer_customer_id = ? ORDER BY p.entered_day, p.prospect_id",
                (by_customer,),
            ).fetchall()
        if by_prospect is not None:
            rows += conn.execute(
                _PROSPECT
                + " WHERE p.referrer_prospect_id = ? ORDER BY p.entered_day, p.prospect_id",
                (by_prospect,),
            ).fetchall()
        for row in rows:
            pid = int(row[0])
            if pid in seen_prospects:
                continue
            seen_prospects.add(pid)
            child = _prospect_node(row, node.depth + 1, node.id)
            node.children.append(child)
            became = child.customer_id
            # A converted prospect's customer refers on in its own name; the
            # prospects it referred before converting stay under it too.
            follow = became if became is not None and became not in seen_customers else None
            if follow is not None:
                seen_customers.add(follow)
            grow(child, by_customer=follow, by_prospect=pid)

    grow(root, by_customer=customer_id, by_prospect=None)
    return root


@dataclass(frozen=True)
class Referrer:
    customer_id: str
    name: str
    officer: str | None
    referred: int
    converted: int
    disbursed_fen: int
    balance_fen: int


def top_referrers(
    conn: sqlite3.Connection, *, officer: str | None = None, limit: int | None = 20
) -> list[Referrer]:
    """Customers by the prospects they referred directly that converted, then by
    the balance those brought, then by how many they referred."""
    where = "1 = 1"
    params: dict[str, Any] = {}
    if officer is not None:
        where = "c.officer = :officer"
        params["officer"] = officer
    sql = f"""
        WITH referred AS (
            SELECT p.referrer_customer_id AS referrer, p.stage, {_MONEY}
            FROM prospects p WHERE p.referrer_customer_id IS NOT NULL
        )
        SELECT r.referrer, c.name, c.officer, COUNT(*),
            SUM(r.stage = 'disbursed'), SUM(r.disbursed), SUM(r.balance)
        FROM referred r JOIN customers c ON c.customer_id = r.referrer
        WHERE {where}
        GROUP BY r.referrer, c.name, c.officer
        ORDER BY SUM(r.stage = 'disbursed') DESC, SUM(r.balance) DESC, COUNT(*) DESC, r.referrer
    """
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return [
        Referrer(row[0], row[1], row[2], int(row[3]), int(row[4]), int(row[5]), int(row[6]))
        for row in conn.execute(sql, params)
    ]


def referrer_summary(conn: sqlite3.Connection, customer_id: str) -> Referrer | None:
    """The customer's own direct referrals, for the ``show`` card; None without any."""
    row = conn.execute(
        f"""SELECT COUNT(*), COALESCE(SUM(p.stage = 'disbursed'), 0),
                COALESCE(SUM(disbursed), 0), COALESCE(SUM(balance), 0)
            FROM (SELECT p.stage, {_MONEY} FROM prospects p
                WHERE p.referrer_customer_id = ?) p""",
        (customer_id,),
    ).fetchone()
    if not row or not row[0]:
        return None
    return Referrer(customer_id, "", None, int(row[0]), int(row[1]), int(row[2]), int(row[3]))
