"""Guarantors (担保人) of loans, as ``overdue`` and ``show`` name them.

Imported by ``retain import guarantors`` (see :mod:`retain.importing`). They
are shown to the officer only: no reminder ever reads this table, so a
guarantor is never texted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from retain.i18n import Joined, Msg, Text, msg
from retain.output import mask_phone

#: Loan ids per query: well under SQLite's limit of bound parameters.
_BATCH = 500


@dataclass(frozen=True)
class Guarantor:
    loan_id: str
    name: str
    relation: str | None
    phone: str | None
    id_number: str | None


def guarantors_of(conn: sqlite3.Connection, loan_ids: Sequence[str]) -> dict[str, list[Guarantor]]:
    """The guarantors of each of ``loan_ids`` that has any, in import order."""
    found: dict[str, list[Guarantor]] = {}
    ids = list(dict.fromkeys(loan_ids))
    for start in range(0, len(ids), _BATCH):
        part = ids[start : start + _BATCH]
        marks = ",".join("?" * len(part))
        for row in conn.execute(
            "SELECT loan_id, name, relation, phone, id_number FROM guarantors"
            f" WHERE loan_id IN ({marks}) ORDER BY loan_id, rowid",
            part,
        ):
            found.setdefault(row[0], []).append(Guarantor(*row))
    return found


def guarantor_text(name: str, relation: str | None, phone: str | None, *, reveal: bool) -> Msg:
    """``张三（配偶）138****0000``: a guarantor as lists and actions name one, the
    phone masked unless ``reveal``."""
    shown = (phone if reveal else mask_phone(phone)) or ""
    if relation:
        return msg("guarantor.line", name=name, relation=relation, phone=shown)
    return msg("guarantor.line_no_relation", name=name, phone=shown)


def guarantors_text(found: Sequence[Guarantor], *, reveal: bool) -> Text:
    """A loan's guarantors on one line; with ``reveal`` their ID numbers too
    (never otherwise)."""
    parts: list[Text] = []
    for g in found:
        line: Text = guarantor_text(g.name, g.relation, g.phone, reveal=reveal)
        if reveal and g.id_number:
            line = msg("guarantor.with_id", guarantor=line, id_number=g.id_number)
        parts.append(line)
    return Joined(tuple(parts), sep="sep.semicolon")
