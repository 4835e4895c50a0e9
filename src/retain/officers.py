"""Officers (客户经理): the names the store knows, and who managed a customer when.

A name is matched exactly after NFKC and trimming (:func:`norm_name`), so a
full-width ``Ｌｉ`` typed on a Chinese keyboard is the ``Li`` of the ledger.
Officers come from three places: ``retain officer add``, the officer column of
an import, and ``retain log --officer`` (and prospects); :func:`list_officers`
lists them all, the ones never added as active.

The assignment history (``assignments``, m023) is a list of intervals per
customer: ``from_day`` inclusive, ``to_day`` exclusive, NULL while current.
Imports open and close intervals when a file changes a customer's officer
(:func:`sync_assignments`); ``retain handover`` (:mod:`retain.handover`) does
it for the officers' own moves.
"""

from __future__ import annotations

import datetime as dt
import getpass
import sqlite3
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from retain.days import day_number, from_day_number
from retain.errors import RetainError, UsageError
from retain.rules import is_open_sql

STATUSES: tuple[str, ...] = ("active", "inactive")


def norm_name(name: str) -> str:
    """The name as stored and matched: NFKC, trimmed; empty is a usage error."""
    text = unicodedata.normalize("NFKC", name).strip()
    if not text:
        raise UsageError(key="officer.empty")
    return text


def actor() -> str:
    """Who is at the keyboard, for the audit trail of changes made by hand."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a container without passwd entry
        return ""


# Every officer column of the store, for a rename; the snapshots are keyed by
# officer and merged apart (:func:`_rename_snapshots`).
_OFFICER_COLUMNS: tuple[str, ...] = (
    "customers",
    "contacts",
    "promises",
    "prospects",
    "prospect_stages",
    "assignments",
)

_KNOWN_SQL = """
    SELECT officer FROM customers WHERE officer IS NOT NULL AND officer <> ''
    UNION SELECT officer FROM contacts WHERE officer IS NOT NULL AND officer <> ''
    UNION SELECT officer FROM prospects WHERE officer IS NOT NULL AND officer <> ''
    UNION SELECT officer FROM assignments
    UNION SELECT name FROM officers
"""


@dataclass(frozen=True)
class OfficerRow:
    name: str
    status: str
    added_on: str | None  # None: found in the data, never added
    customers: int
    loans: int  # open loans
    balance_fen: int  # of the open loans


def list_officers(conn: sqlite3.Connection) -> list[OfficerRow]:
    """Every officer the store knows, by name, with their book today."""
    rows = conn.execute(
        f"""
        WITH known(name) AS ({_KNOWN_SQL}),
        book AS (
            SELECT c.officer, COUNT(DISTINCT c.customer_id) AS customers,
                COUNT(l.loan_id) AS loans, COALESCE(SUM(l.balance_fen), 0) AS balance
            FROM customers c
            LEFT JOIN loans l ON l.customer_id = c.customer_id AND {is_open_sql("l")}
            WHERE c.officer IS NOT NULL GROUP BY c.officer
        )
        SELECT k.name, COALESCE(o.status, 'active'), o.added_on,
            COALESCE(b.customers, 0), COALESCE(b.loans, 0), COALESCE(b.balance, 0)
        FROM known k
        LEFT JOIN officers o ON o.name = k.name
        LEFT JOIN book b ON b.officer = k.name
        ORDER BY k.name
        """
    ).fetchall()
    return [OfficerRow(str(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in rows]


def officer_status(conn: sqlite3.Connection, name: str) -> str | None:
    """``active`` / ``inactive`` for a known officer, None for a name the store never saw."""
    row = conn.execute("SELECT status FROM officers WHERE name = ?", (name,)).fetchone()
    if row is not None:
        return str(row[0])
    found = conn.execute(f"SELECT 1 FROM ({_KNOWN_SQL}) WHERE officer = ?", (name,)).fetchone()
    return "active" if found is not None else None


def customers_of(conn: sqlite3.Connection, name: str) -> int:
    return int(
        conn.execute("SELECT COUNT(*) FROM customers WHERE officer = ?", (name,)).fetchone()[0]
    )


def audit(
    conn: sqlite3.Connection,
    kind: str,
    entity: str,
    rows: Sequence[tuple[str, str, str | None, str | None]],
) -> None:
    """Append (entity id, field, old, new) rows of a change made by hand."""
    from retain.importing.upsert import now_stamp

    when, who = now_stamp(), actor()
    conn.executemany(
        "INSERT INTO changes (import_id, entity, entity_id, field, old_value, new_value,"
        " recorded_at, kind, actor) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(entity, eid, field, old, new, when, kind, who) for eid, field, old, new in rows],
    )


def add_officer(conn: sqlite3.Connection, raw: str, today: dt.date) -> tuple[str, bool]:
    """Register an officer (or make an inactive one active again): (name, was new)."""
    name = norm_name(raw)
    row = conn.execute("SELECT status FROM officers WHERE name = ?", (name,)).fetchone()
    if row is not None and row[0] == "active":
        return name, False
    if row is None:
        conn.execute(
            "INSERT INTO officers (name, status, added_on) VALUES (?, 'active', ?)",
            (name, today.isoformat()),
        )
        audit(conn, "officer", "officer", [(name, "status", None, "active")])
    else:
        conn.execute("UPDATE officers SET status = 'active' WHERE name = ?", (name,))
        audit(conn, "officer", "officer", [(name, "status", "inactive", "active")])
    return name, True


def deactivate_officer(conn: sqlite3.Connection, raw: str, today: dt.date) -> str:
    """Mark an officer inactive (no handover to them); refused while they have customers."""
    name = norm_name(raw)
    status = officer_status(conn, name)
    if status is None:
        raise RetainError(key="officer.unknown", name=name)
    count = customers_of(conn, name)
    if count:
        raise RetainError(key="officer.has_customers", name=name, count=count)
    if status == "inactive":
        return name
    conn.execute(
        "INSERT INTO officers (name, status, added_on) VALUES (?, 'inactive', ?)"
        " ON CONFLICT (name) DO UPDATE SET status = 'inactive'",
        (name, today.isoformat()),
    )
    audit(conn, "officer", "officer", [(name, "status", "active", "inactive")])
    return name


@dataclass(frozen=True)
class Renamed:
    old: str
    new: str
    merged: bool  # the new name was already known: the two are one officer now
    rows: dict[str, int]  # table → rows renamed


def rename_officer(conn: sqlite3.Connection, raw_old: str, raw_new: str) -> Renamed:
    """Fix an officer's name everywhere, in the caller's transaction. Renaming onto
    a name the store already knows merges the two (a misspelling of a real name)."""
    old, new = norm_name(raw_old), norm_name(raw_new)
    if old == new:
        raise UsageError(key="officer.same_name", name=old)
    if officer_status(conn, old) is None:
        raise RetainError(key="officer.unknown", name=old)
    merged = officer_status(conn, new) is not None
    counts: dict[str, int] = {}
    for table in _OFFICER_COLUMNS:
        counts[table] = conn.execute(
            f"UPDATE {table} SET officer = ? WHERE officer = ?", (new, old)
        ).rowcount
    counts["portfolio_snapshots"] = _rename_snapshots(conn, old, new)
    row = conn.execute("SELECT status, added_on FROM officers WHERE name = ?", (old,)).fetchone()
    if row is not None:
        conn.execute("DELETE FROM officers WHERE name = ?", (old,))
        conn.execute(
            "INSERT INTO officers (name, status, added_on) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO NOTHING",
            (new, row[0], row[1]),
        )
    audit(conn, "officer", "officer", [(old, "name", old, new)])
    return Renamed(old, new, merged, counts)


def _rename_snapshots(conn: sqlite3.Connection, old: str, new: str) -> int:
    """Snapshots are one row per day and officer: where both names have a row the
    old one's figures add to the new one's (a customer has one officer)."""
    figures = (
        "customers",
        "loans",
        "balance_fen",
        "overdue_fen",
        "par30_fen",
        "par90_fen",
        "noloan",
    )
    sums = ", ".join(f"{f} = portfolio_snapshots.{f} + o.{f}" for f in figures)
    conn.execute(
        f"UPDATE portfolio_snapshots SET {sums}"
        " FROM (SELECT * FROM portfolio_snapshots WHERE officer = :old) AS o"
        " WHERE portfolio_snapshots.officer = :new AND o.day = portfolio_snapshots.day",
        {"old": old, "new": new},
    )
    conn.execute(
        "DELETE FROM portfolio_snapshots WHERE officer = :old"
        " AND day IN (SELECT day FROM portfolio_snapshots WHERE officer = :new)",
        {"old": old, "new": new},
    )
    return conn.execute(
        "UPDATE portfolio_snapshots SET officer = ? WHERE officer = ?", (new, old)
    ).rowcount


# -- the assignment history -------------------------------------------------------


@dataclass(frozen=True)
class Current:
    """A customer's open assignment interval."""

    officer: str
    via: str
    from_day: int


def open_assignments(conn: sqlite3.Connection, customer_ids: Sequence[str]) -> dict[str, Current]:
    """The open interval of each of ``customer_ids`` that has one (one indexed
    look-up per id: an import asks once per chunk)."""
    if not customer_ids:
        return {}
    marks = ",".join("?" * len(customer_ids))
    return {
        str(r[0]): Current(str(r[1]), str(r[2]), int(r[3]))
        for r in conn.execute(
            "SELECT customer_id, officer, via, from_day FROM assignments"
            f" WHERE to_day IS NULL AND customer_id IN ({marks})",
            list(customer_ids),
        )
    }


def move_assignments(
    conn: sqlite3.Connection, moves: Sequence[tuple[str, str | None, int | None]], day: int
) -> None:
    """An import changed these customers' officers: (customer, new officer or None,
    the open interval's first day or None). The new interval begins on ``day``, or
    on the open one's first day when that is later (an older file that wins with
    --officer-from-file: intervals never overlap); the open one closes there, or
    goes when it would be empty. A fresh customer is only an insert."""
    starts = [
        (cid, officer, max(day, since) if since is not None else day)
        for cid, officer, since in moves
    ]
    closing = [
        (cid, start)
        for (cid, _, start), (_, _, since) in zip(starts, moves, strict=True)
        if since is not None
    ]
    conn.executemany(
        "DELETE FROM assignments WHERE customer_id = ? AND to_day IS NULL AND from_day >= ?",
        closing,
    )
    conn.executemany(
        "UPDATE assignments SET to_day = ? WHERE customer_id = ? AND to_day IS NULL",
        [(start, cid) for cid, start in closing],
    )
    conn.executemany(
        "INSERT INTO assignments (customer_id, officer, from_day, via) VALUES (?, ?, ?, 'import')",
        [(cid, officer, start) for cid, officer, start in starts if officer],
    )


def assignment_history(conn: sqlite3.Connection, customer_id: str) -> list[dict[str, Any]]:
    """The customer's officers, oldest first: officer, from, to (None: current), via, note."""
    rows = conn.execute(
        "SELECT officer, from_day, to_day, via, note FROM assignments"
        " WHERE customer_id = ? ORDER BY from_day, assignment_id",
        (customer_id,),
    ).fetchall()
    return [
        {
            "officer": r[0],
            "from_on": from_day_number(r[1]).isoformat(),
            "to_on": None if r[2] is None else from_day_number(r[2]).isoformat(),
            "via": r[3],
            "note": r[4],
        }
        for r in rows
    ]


def officer_on(conn: sqlite3.Connection, customer_id: str, day: dt.date) -> str | None:
    """Who managed the customer on ``day`` (None: nobody recorded)."""
    number = day_number(day)
    row = conn.execute(
        "SELECT officer FROM assignments WHERE customer_id = ? AND from_day <= ?"
        " AND (to_day IS NULL OR to_day > ?) ORDER BY from_day DESC LIMIT 1",
        (customer_id, number, number),
    ).fetchone()
    return None if row is None else str(row[0])
