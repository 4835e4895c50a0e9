"""``retain audit``: the audit trail (``changes``) as people read it.

Every row is one field of one record: what an import changed, what ``contacts
undo`` removed, a handover, an officer's rename or deactivation. Rows before
m023 have no ``kind``: an import's when they belong to one, else a correction
of the contact log. Phones and ID numbers are masked unless asked otherwise:
the trail is read by managers who need the who and the when, not the number.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from retain.output import mask_id_number, mask_phone

KINDS: tuple[str, ...] = ("import", "log", "handover", "officer", "config", "forget")
_KIND_SQL = "COALESCE(c.kind, CASE WHEN c.import_id IS NOT NULL THEN 'import' ELSE 'log' END)"
_PHONE_FIELDS = frozenset({"phone"})
_ID_FIELDS = frozenset({"id_number"})


@dataclass(frozen=True)
class AuditFilter:
    customer_id: str | None = None
    since: str | None = None  # ISO date: changes recorded on or after it (UTC)
    kind: str | None = None


_CUSTOMER_SQL = """(
    (c.entity = 'customers' AND c.entity_id = :cid)
    OR (c.entity = 'loans' AND c.entity_id IN (SELECT loan_id FROM loans WHERE customer_id = :cid))
    OR (c.entity IN ('instalments', 'guarantors')
        AND substr(c.entity_id, 1, instr(c.entity_id, '/') - 1)
            IN (SELECT loan_id FROM loans WHERE customer_id = :cid))
    OR (c.entity IN ('contact', 'promise', 'prospect') AND EXISTS (
        SELECT 1 FROM changes x WHERE x.entity = c.entity AND x.entity_id = c.entity_id
            AND x.field = 'customer_id' AND x.old_value = :cid))
)"""


def list_changes(
    conn: sqlite3.Connection, spec: AuditFilter, *, reveal: bool
) -> list[dict[str, Any]]:
    """The trail, newest first, as ``retain audit`` shows it."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if spec.kind is not None:
        where.append(f"{_KIND_SQL} = :kind")
        params["kind"] = spec.kind
    if spec.customer_id is not None:
        where.append(_CUSTOMER_SQL)
        params["cid"] = spec.customer_id
    if spec.since is not None:
        where.append("COALESCE(c.recorded_at, i.started_at) >= :since")
        params["since"] = spec.since
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = conn.execute(
        f"""
        SELECT c.change_id, COALESCE(c.recorded_at, i.started_at) AS at, {_KIND_SQL} AS kind,
            c.actor, i.file_name, c.entity, c.entity_id, c.field, c.old_value, c.new_value
        FROM changes c LEFT JOIN imports i ON i.import_id = c.import_id
        {clause}
        ORDER BY c.change_id DESC
        """,
        params,
    ).fetchall()
    return [_row(r, reveal) for r in rows]


def _row(r: sqlite3.Row | tuple[Any, ...], reveal: bool) -> dict[str, Any]:
    field, old, new = r[7], r[8], r[9]
    if not reveal and field in _PHONE_FIELDS:
        old, new = (None if v is None else mask_phone(v) for v in (old, new))
    if not reveal and field in _ID_FIELDS:
        old, new = (None if v is None else mask_id_number(v) for v in (old, new))
    return {
        "change_id": r[0],
        "at": r[1],
        "kind": r[2],
        "actor": r[3],
        "file": r[4],
        "entity": r[5],
        "entity_id": r[6],
        "field": field,
        "old_value": old,
        "new_value": new,
    }


def config_value(config: Any, key: str) -> str | None:
    """The text of a dotted setting (``weights.overdue``) in a config, None if absent."""
    node: Any = config.model_dump(by_alias=True, mode="json")
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return None if node is None else str(node)


def record_config(conn: sqlite3.Connection, key: str, old: str | None, new: str | None) -> None:
    """``config set`` changed a setting: one row of kind ``config`` (entity_id the key)."""
    from retain.officers import audit

    audit(conn, "config", "config", [(key, "value", old, new)])
