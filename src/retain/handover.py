"""``retain handover``: move customers from one officer to another, all at once.

A customer moves with everything that is worked on today: its loans (they have
no officer of their own: they follow the customer), its open follow-up (the
customer row's ``next_on``), its open promises to pay and the open prospects it
referred (with ``--all``, every open prospect of the officer). What happened
stays as it was: contacts keep the officer who made them, judged promises the
officer who got them.

The assignment history closes each customer's interval on the handover day and
opens the new officer's (``via = 'handover'``); the audit trail gets one row per
customer (kind ``handover``). All of it in one transaction; a dry run rolls it
back.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from retain.days import day_number
from retain.errors import RetainError
from retain.officers import audit, norm_name, officer_status
from retain.rules import is_open_sql

SHOWN = 200  # customers listed by name in the result; the counts cover all


@dataclass(frozen=True)
class Selection:
    """Which of the officer's customers move: ids, an industry, a group (its id),
    or all of them."""

    customer_ids: tuple[str, ...] = ()
    industry: str | None = None
    group_id: int | None = None
    everything: bool = False


@dataclass
class Moved:
    source: str
    target: str
    day: dt.date
    customers: int = 0
    loans: int = 0  # open loans
    balance_fen: int = 0
    follow_ups: int = 0
    promises: int = 0
    prospects: int = 0
    listed: list[tuple[str, str]] = field(default_factory=list)  # (id, name), first SHOWN


def _chosen(conn: sqlite3.Connection, source: str, selection: Selection) -> list[tuple[str, str]]:
    if selection.customer_ids:
        ids = list(dict.fromkeys(selection.customer_ids))
        marks = ",".join("?" * len(ids))
        rows = conn.execute(
            f"SELECT customer_id, name, officer FROM customers WHERE customer_id IN ({marks})",
            ids,
        ).fetchall()
        found = {str(r[0]): r for r in rows}
        unknown = [i for i in ids if i not in found]
        if unknown:
            raise RetainError(key="handover.unknown_customers", ids=", ".join(unknown[:10]))
        others = [i for i in ids if found[i][2] != source]
        if others:
            raise RetainError(key="handover.not_theirs", ids=", ".join(others[:10]), officer=source)
        return [(i, str(found[i][1])) for i in ids]
    if selection.industry is not None:
        rows = conn.execute(
            "SELECT customer_id, name FROM customers WHERE officer = ? AND industry = ?"
            " ORDER BY customer_id",
            (source, selection.industry.strip()),
        ).fetchall()
    elif selection.group_id is not None:
        from retain.groups import member_filter_sql

        rows = conn.execute(
            "SELECT c.customer_id, c.name FROM customers c WHERE c.officer = ?"
            f" AND {member_filter_sql('c.customer_id', '?')} ORDER BY c.customer_id",
            (source, selection.group_id),
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT customer_id, name FROM customers WHERE officer = ? ORDER BY customer_id",
            (source,),
        ).fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


def handover(
    conn: sqlite3.Connection,
    source_raw: str,
    target_raw: str,
    selection: Selection,
    day: dt.date,
    note: str | None,
) -> Moved:
    """Move the chosen customers from ``source`` to ``target`` as of ``day``, in the
    caller's transaction (which a dry run rolls back)."""
    source, target = norm_name(source_raw), norm_name(target_raw)
    if officer_status(conn, source) is None:
        raise RetainError(key="officer.unknown", name=source)
    status = officer_status(conn, target)
    if status is None:
        raise RetainError(key="handover.unknown_target", name=target)
    if status == "inactive":
        raise RetainError(key="handover.inactive_target", name=target)
    if source == target:
        raise RetainError(key="handover.same", name=source)
    number = day_number(day)
    assert number is not None
    chosen = _chosen(conn, source, selection)
    moved = Moved(source, target, day, listed=chosen[:SHOWN])
    if not chosen:
        return moved
    ids = [cid for cid, _ in chosen]
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS handover_ids (id TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM temp.handover_ids")
    conn.executemany("INSERT INTO temp.handover_ids (id) VALUES (?)", [(i,) for i in ids])
    later = conn.execute(
        "SELECT customer_id FROM assignments WHERE to_day IS NULL AND from_day > ?"
        " AND customer_id IN (SELECT id FROM temp.handover_ids) LIMIT 1",
        (number,),
    ).fetchone()
    if later is not None:
        raise RetainError(
            key="handover.before_current", customer=str(later[0]), day=day.isoformat()
        )
    within = "customer_id IN (SELECT id FROM temp.handover_ids)"
    loans = conn.execute(
        f"SELECT COUNT(*), COALESCE(SUM(balance_fen), 0) FROM loans l"
        f" WHERE {is_open_sql('l')} AND l.{within}"
    ).fetchone()
    moved.customers, moved.loans, moved.balance_fen = len(ids), int(loans[0]), int(loans[1])
    moved.follow_ups = int(
        conn.execute(
            f"SELECT COUNT(*) FROM customers WHERE next_day IS NOT NULL AND {within}"
        ).fetchone()[0]
    )
    moved.promises = conn.execute(
        f"UPDATE promises SET officer = ? WHERE status = 'open' AND {within}", (target,)
    ).rowcount
    open_prospect = "officer = ? AND stage NOT IN ('disbursed', 'lost') AND forgotten_day IS NULL"
    if selection.everything:
        moved.prospects = conn.execute(
            f"UPDATE prospects SET officer = ? WHERE {open_prospect}", (target, source)
        ).rowcount
    else:
        moved.prospects = conn.execute(
            f"UPDATE prospects SET officer = ? WHERE {open_prospect}"
            " AND referrer_customer_id IN (SELECT id FROM temp.handover_ids)",
            (target, source),
        ).rowcount
    conn.execute(f"UPDATE customers SET officer = ? WHERE {within}", (target,))
    _reassign(conn, number, target, note)
    audit(conn, "handover", "customers", [(cid, "officer", source, target) for cid in ids])
    return moved


def _reassign(conn: sqlite3.Connection, number: int, target: str, note: str | None) -> None:
    within = "customer_id IN (SELECT id FROM temp.handover_ids)"
    # An interval that began on the handover day itself ends as it began: it goes.
    conn.execute(
        f"DELETE FROM assignments WHERE to_day IS NULL AND from_day = ? AND {within}", (number,)
    )
    conn.execute(f"UPDATE assignments SET to_day = ? WHERE to_day IS NULL AND {within}", (number,))
    conn.execute(
        "INSERT INTO assignments (customer_id, officer, from_day, via, note)"
        " SELECT id, ?, ?, 'handover', ? FROM temp.handover_ids",
        (target, number, note),
    )


def customer_ids(values: Sequence[str]) -> tuple[str, ...]:
    """``--customer`` values, each possibly comma-separated."""
    return tuple(v.strip() for raw in values for v in raw.split(",") if v.strip())
