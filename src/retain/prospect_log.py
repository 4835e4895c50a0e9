"""Correcting a prospect's contact log: the double-entry check and ``undo``.

A prospect's contacts live apart from customers' (``prospect_contacts``), but an
officer makes the same slips with both: the same call entered twice, a call
logged against the wrong person. They are caught and undone by the rules a
customer's contacts follow (:mod:`retain.contacts`), and undoing the contact
that moved a ``new`` prospect to ``contacted`` takes that move back too, so the
funnel never counts a conversation that did not happen.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from retain.contacts import Duplicate, Removed, is_repeat
from retain.days import day_number
from retain.errors import RetainError
from retain.importing.upsert import now_stamp
from retain.prospects import (
    STAGES,
    check_loggable,
    get_prospect,
    refresh_prospect_latest,
    shown_id,
)

if TYPE_CHECKING:
    from retain.contacts import ContactEntry
    from retain.store import Store

# The funnel's order: a stage's rank is how far along it is (``lost`` is no rank).
_RANK = {stage: rank for rank, stage in enumerate(s for s in STAGES if s != "lost")}


def prospect_duplicates(
    conn: sqlite3.Connection, idents: Sequence[str], entry: ContactEntry
) -> list[Duplicate]:
    """Contacts of these prospects with the entry's channel and outcome within
    :data:`retain.contacts.DUPLICATE_MINUTES` of its time (as
    :func:`retain.contacts.duplicates`;
    ``customer_id`` holds the shown id, ``P17``)."""
    day = day_number(entry.at.date())
    assert day is not None
    found: list[Duplicate] = []
    prospects = [get_prospect(conn, i) for i in idents]
    for row in prospects:  # a refusal says more than a warning about a repeat
        check_loggable(row)
    for pid in dict.fromkeys(int(row["prospect_id"]) for row in prospects):
        rows = conn.execute(
            "SELECT contact_id, at FROM prospect_contacts WHERE prospect_id = ?"
            " AND channel = ? AND outcome = ? AND at_day BETWEEN ? AND ? ORDER BY at, contact_id",
            (pid, entry.channel, entry.outcome, day - 1, day + 1),
        ).fetchall()
        near = [(cid, at) for cid, at in rows if is_repeat(at, entry)]
        if near:
            found.append(Duplicate(shown_id(pid), int(near[-1][0]), str(near[-1][1])))
    return found


def newer_prospect_contact(conn: sqlite3.Connection, officer: str | None) -> str | None:
    """The prospect (``P17``) whose contact was entered last, when it was entered
    no earlier than the last customer contact (of ``officer`` when given).

    A plain ``contacts undo`` removes the last customer contact; when the last
    entry was a prospect's, removing an older customer call instead would be a
    silent mistake, so the caller refuses and names the prospect.
    """
    where, params = ("WHERE officer = ?", (officer,)) if officer else ("", ())
    prospect = conn.execute(
        f"SELECT prospect_id, created_at FROM prospect_contacts {where}"
        " ORDER BY created_at DESC, contact_id DESC LIMIT 1",
        params,
    ).fetchone()
    if prospect is None:
        return None
    customer = conn.execute(f"SELECT MAX(created_at) FROM contacts {where}", params).fetchone()[0]
    if customer is not None and str(customer) > str(prospect[1]):
        return None
    return shown_id(int(prospect[0]))


def undo_prospect_contact(store: Store, ident: str, contact_id: int | None = None) -> Removed:
    """Remove one of a prospect's contacts: the given one, else its last entered.

    Every field goes to the audit trail (entity ``prospect_contact``). When the
    removed contact had moved the prospect from ``new`` to ``contacted`` and that
    is still its current stage, the move follows the contacts left: it is dated
    by the first real contact remaining, or taken out of the history (kept in
    the audit trail, entity ``prospect_stage``) when none remains. A move the
    officer made since (``applied`` …) stands: it happened.
    """
    conn = store.conn
    for attempt in store.transactions():
        with attempt:
            prospect = get_prospect(conn, ident)
            pid = int(prospect["prospect_id"])
            shown = shown_id(pid)
            if contact_id is not None:
                row = conn.execute(
                    "SELECT * FROM prospect_contacts WHERE contact_id = ?", (contact_id,)
                ).fetchone()
                if row is None:
                    raise RetainError(key="undo.unknown", contact_id=contact_id)
                if int(row["prospect_id"]) != pid:
                    raise RetainError(key="undo.not_of", contact_id=contact_id, prospect=shown)
            else:
                row = conn.execute(
                    "SELECT * FROM prospect_contacts WHERE prospect_id = ?"
                    " ORDER BY contact_id DESC LIMIT 1",
                    (pid,),
                ).fetchone()
                if row is None:
                    raise RetainError(key="undo.nothing_for", prospect=shown)
            contact = dict(row)
            stamp = now_stamp()
            # Not the note: the trail is append-only, and `prospect forget` must be
            # able to erase what was said about a person who is not a customer.
            kept = {name: value for name, value in contact.items() if name != "note"}
            _audit(conn, "prospect_contact", str(contact["contact_id"]), kept)
            conn.execute(
                "DELETE FROM prospect_contacts WHERE contact_id = ?", (contact["contact_id"],)
            )
            _follow_contacts(conn, pid, stamp)
            refresh_prospect_latest(conn, pid)
    return Removed(
        contact_id=int(contact["contact_id"]),
        customer_id=shown,
        name=str(prospect["name"] or ""),
        at=str(contact["at"]),
        channel=str(contact["channel"]),
        outcome=str(contact["outcome"]),
    )


def _follow_contacts(conn: sqlite3.Connection, pid: int, stamp: str) -> None:
    """Re-date or take back the ``contacted`` move the contact log made, when it
    is the prospect's current stage (the last row of its history)."""
    from retain.contacts import ATTEMPTS

    history = conn.execute(
        "SELECT * FROM prospect_stages WHERE prospect_id = ? ORDER BY seq", (pid,)
    ).fetchall()
    last = dict(history[-1])
    if last["stage"] != "contacted" or last["via"] != "log" or len(history) < 2:
        return
    before = dict(history[-2])
    marks = ",".join("?" * len(ATTEMPTS))
    first_real = conn.execute(
        f"SELECT MIN(at_day) FROM prospect_contacts WHERE prospect_id = ?"
        f" AND outcome NOT IN ({marks})",
        (pid, *ATTEMPTS),
    ).fetchone()[0]
    if first_real is not None:
        day = max(int(first_real), int(before["day"]))
        conn.execute(
            "UPDATE prospect_stages SET day = ? WHERE prospect_id = ? AND seq = ?",
            (day, pid, last["seq"]),
        )
        conn.execute(
            "UPDATE prospects SET stage_day = ?, updated_at = ? WHERE prospect_id = ?",
            (day, stamp, pid),
        )
        return
    _audit(conn, "prospect_stage", f"{pid}/{last['seq']}", last)
    conn.execute(
        "DELETE FROM prospect_stages WHERE prospect_id = ? AND seq = ?", (pid, last["seq"])
    )
    furthest = max(_RANK.get(str(r["stage"]), 0) for r in history[:-1])
    conn.execute(
        "UPDATE prospects SET stage = ?, stage_day = ?, lost_reason = ?, furthest_rank = ?,"
        " updated_at = ? WHERE prospect_id = ?",
        (
            before["stage"],
            before["day"],
            before["reason"] if before["stage"] == "lost" else None,
            furthest,
            stamp,
            pid,
        ),
    )


def _audit(conn: sqlite3.Connection, entity: str, entity_id: str, row: dict[str, Any]) -> None:
    """Every field of a removed row, as a correction of the log (kind ``log``)."""
    from retain.officers import audit

    audit(
        conn,
        "log",
        entity,
        [
            (entity_id, name, None if value is None else str(value), None)
            for name, value in row.items()
        ],
    )
