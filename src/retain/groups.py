"""Groups (类群): markets, associations, supply chains, villages, employers.

A group's members are customers (their bank customer number) or prospects
(``P<n>``, migration m022). The lists' ``--group`` filter is an EXISTS on
``group_members_by_customer``; :func:`member_filter_sql` writes it once for
every list. Money stays integer fen; the CLI formats it.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from retain.days import day_number
from retain.errors import RetainError, UsageError
from retain.rules import dpd_sql, is_open_sql, outstanding_sql

KINDS = ("market", "association", "supply_chain", "village", "employer", "other")
#: Chinese (and a few English) spellings of each kind, as officers write them.
KIND_ALIASES: dict[str, str] = {
    "市场": "market",
    "专业市场": "market",
    "批发市场": "market",
    "协会": "association",
    "商会": "association",
    "supply-chain": "supply_chain",
    "supplychain": "supply_chain",
    "供应链": "supply_chain",
    "产业链": "supply_chain",
    "村": "village",
    "村庄": "village",
    "村组": "village",
    "社区": "village",
    "单位": "employer",
    "企业": "employer",
    "雇主": "employer",
    "代发单位": "employer",
    "其他": "other",
    "其它": "other",
}

_PROSPECT_ID = re.compile(r"[Pp](\d+)")


def normalise_name(name: str) -> str:
    """A group's name as stored: NFKC (full-width letters and digits become
    ordinary ones) and trimmed, so two spellings of one market are one group."""
    text = unicodedata.normalize("NFKC", name).strip()
    if not text:
        raise UsageError(key="group.empty_name")
    return text


def parse_kind(text: str) -> str:
    """``market``, ``市场`` … → the stored kind; anything else is a usage error."""
    value = unicodedata.normalize("NFKC", text).strip()
    lowered = value.lower()
    if lowered in KINDS:
        return lowered
    if lowered in KIND_ALIASES:
        return KIND_ALIASES[lowered]
    raise UsageError(key="group.bad_kind", value=text, kinds="|".join(KINDS))


def add_group(conn: sqlite3.Connection, name: str, kind: str, now: str) -> None:
    """Create the group; an existing name is refused (nothing changes)."""
    stored = normalise_name(name)
    if _group_id(conn, stored) is not None:
        raise RetainError(key="group.exists", name=stored)
    conn.execute(
        "INSERT INTO groups (name, kind, created_at) VALUES (?, ?, ?)", (stored, kind, now)
    )


def ensure_groups(
    conn: sqlite3.Connection, names: Iterable[str], now: str
) -> tuple[dict[str, int], set[str]]:
    """The id of each named group, creating the unknown ones (kind ``other``):
    what a customers file's ``group`` column does. Returns (stored name → id,
    the names created)."""
    ids: dict[str, int] = {}
    created: set[str] = set()
    for name in names:
        stored = normalise_name(name)
        if stored in ids:
            continue
        found = _group_id(conn, stored)
        if found is None:
            cursor = conn.execute(
                "INSERT INTO groups (name, kind, created_at) VALUES (?, 'other', ?)",
                (stored, now),
            )
            found = int(cursor.lastrowid or 0)
            created.add(stored)
        ids[stored] = found
    return ids, created


def _group_id(conn: sqlite3.Connection, stored: str) -> int | None:
    row = conn.execute("SELECT group_id FROM groups WHERE name = ?", (stored,)).fetchone()
    return None if row is None else int(row[0])


def group_id(conn: sqlite3.Connection, name: str) -> int:
    """The group called ``name`` (after NFKC and trimming); unknown → error (exit 1)."""
    stored = normalise_name(name)
    found = _group_id(conn, stored)
    if found is None:
        raise RetainError(key="group.unknown", name=stored)
    return found


@dataclass(frozen=True)
class Member:
    customer_id: str | None = None
    prospect_id: int | None = None

    @property
    def label(self) -> str:
        return self.customer_id if self.customer_id is not None else f"P{self.prospect_id}"


def resolve_members(conn: sqlite3.Connection, ids: Sequence[str]) -> list[Member]:
    """Each id as a customer or a prospect (``P17``); any unknown id refuses the
    whole command (exit 1), naming it, so that nothing is half done."""
    members: list[Member] = []
    for raw in ids:
        text = unicodedata.normalize("NFKC", raw).strip()
        if not text:
            continue
        if conn.execute("SELECT 1 FROM customers WHERE customer_id = ?", (text,)).fetchone():
            members.append(Member(customer_id=text))
            continue
        matched = _PROSPECT_ID.fullmatch(text)
        if matched is not None:
            number = int(matched.group(1))
            found = conn.execute(
                "SELECT 1 FROM prospects WHERE prospect_id = ? AND forgotten_day IS NULL",
                (number,),
            ).fetchone()
            if found:
                members.append(Member(prospect_id=number))
                continue
        raise RetainError(key="group.unknown_member", id=text)
    if not members:
        raise UsageError(key="group.no_members")
    return list(dict.fromkeys(members))


def join(
    conn: sqlite3.Connection, gid: int, members: Sequence[Member], today: dt.date
) -> tuple[int, int]:
    """Add the members (joined today); returns (joined, already members)."""
    joined = 0
    for member in members:
        cursor = conn.execute(
            "INSERT OR IGNORE INTO group_members (group_id, customer_id, prospect_id, joined_on)"
            " VALUES (?, ?, ?, ?)",
            (gid, member.customer_id, member.prospect_id, today.isoformat()),
        )
        joined += cursor.rowcount
    return joined, len(members) - joined


def join_customers(
    conn: sqlite3.Connection, pairs: Iterable[tuple[str, int]], today: dt.date
) -> int:
    """(customer id, group id) pairs from an import; returns how many were new."""
    added = 0
    for customer_id, gid in pairs:
        cursor = conn.execute(
            "INSERT OR IGNORE INTO group_members (group_id, customer_id, joined_on)"
            " VALUES (?, ?, ?)",
            (gid, customer_id, today.isoformat()),
        )
        added += cursor.rowcount
    return added


def leave(conn: sqlite3.Connection, gid: int, members: Sequence[Member]) -> int:
    """Remove the members from the group; returns how many were in it."""
    removed = 0
    for member in members:
        if member.customer_id is not None:
            cursor = conn.execute(
                "DELETE FROM group_members WHERE group_id = ? AND customer_id = ?",
                (gid, member.customer_id),
            )
        else:
            cursor = conn.execute(
                "DELETE FROM group_members WHERE group_id = ? AND prospect_id = ?",
                (gid, member.prospect_id),
            )
        removed += cursor.rowcount
    return removed


def member_filter_sql(customer_column: str, param: str = ":group_id") -> str:
    """The ``--group`` filter of every list: the customer is in the group.
    ``param`` is the placeholder of the group's id (``?`` or ``:name``)."""
    return (
        "EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = "
        f"{param} AND gm.customer_id = {customer_column})"
    )


def list_groups(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every group with its counts and its customers' open balance, by name."""
    sql = f"""
SELECT g.name, g.kind,
    (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.group_id
        AND m.customer_id IS NOT NULL) AS customers,
    (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.group_id
        AND m.prospect_id IS NOT NULL) AS prospects,
    (SELECT COALESCE(SUM({outstanding_sql("l")}), 0) FROM group_members m
        JOIN loans l ON l.customer_id = m.customer_id
        WHERE m.group_id = g.group_id AND {is_open_sql("l")}) AS balance
FROM groups g ORDER BY g.name"""
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def group_members(conn: sqlite3.Connection, gid: int, today: dt.date) -> list[dict[str, Any]]:
    """The group's customers (open balance, the part of it past due, most days
    past due), then its prospects (stage), each by id."""
    t = day_number(today)
    customers_sql = f"""
SELECT m.customer_id AS member_id, 'customer' AS member_kind, c.name, c.phone, c.officer,
    c.industry,
    COALESCE(SUM(CASE WHEN {is_open_sql("l")} THEN {outstanding_sql("l")} END), 0) AS balance,
    COALESCE(SUM(CASE WHEN {is_open_sql("l")} AND {dpd_sql("l", ":t")} > 0
        THEN {outstanding_sql("l")} END), 0) AS arrears,
    COALESCE(MAX(CASE WHEN {is_open_sql("l")} THEN {dpd_sql("l", ":t")} END), 0)
        AS max_days_past_due,
    NULL AS stage, m.joined_on
FROM group_members m JOIN customers c ON c.customer_id = m.customer_id
LEFT JOIN loans l ON l.customer_id = m.customer_id
WHERE m.group_id = :gid AND m.customer_id IS NOT NULL
GROUP BY m.customer_id, c.name, c.phone, c.officer, c.industry, m.joined_on
ORDER BY m.customer_id"""
    prospects_sql = """
SELECT 'P' || p.prospect_id AS member_id, 'prospect' AS member_kind, p.name, p.phone,
    p.officer, p.industry, NULL AS balance, NULL AS arrears, NULL AS max_days_past_due,
    p.stage, m.joined_on
FROM group_members m JOIN prospects p ON p.prospect_id = m.prospect_id
WHERE m.group_id = :gid AND m.prospect_id IS NOT NULL AND p.forgotten_day IS NULL
ORDER BY p.prospect_id"""
    rows: list[dict[str, Any]] = []
    for sql in (customers_sql, prospects_sql):
        cursor = conn.execute(sql, {"gid": gid, "t": t})
        names = [d[0] for d in cursor.description]
        rows.extend(dict(zip(names, row, strict=True)) for row in cursor)
    return rows


def group_kind(conn: sqlite3.Connection, gid: int) -> tuple[str, str]:
    """(name, kind) of a group id."""
    row = conn.execute("SELECT name, kind FROM groups WHERE group_id = ?", (gid,)).fetchone()
    return str(row[0]), str(row[1])
