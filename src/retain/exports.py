"""Reminder exports: messages from templates, calendar files, the export ledger.

The ledger records each reminder sent to an audience, in the same
transaction that puts the file in place, so a cron job that runs twice — or
again after a failure — never sends the same reminder twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from retain.config import Config
from retain.errors import UsageError
from retain.output import Field, yuan_grouped
from retain.reminders import Reminder

if TYPE_CHECKING:
    from retain.store import Store

EXPORT_FORMATS = ("csv", "xlsx", "json", "ndjson", "ics")

OFFICER_FIELDS = (
    Field("reminder_id"),
    Field("date", "date"),
    Field("reason"),
    Field("customer_id"),
    Field("name"),
    Field("phone"),
    Field("officer"),
    Field("loan_id"),
    Field("amount", "money"),
    Field("balance", "money"),
    Field("matures_on", "date"),
    Field("days_past_due", "int"),
    Field("days_left", "int"),
    Field("message"),
    Field("data_as_of", "date"),  # the loan data's as-of day (retain.cli.options.DATA_AS_OF)
)
# What an SMS gateway needs, and nothing the customer should not see.
CUSTOMER_FIELDS = (
    Field("reminder_id"),
    Field("date", "date"),
    Field("name"),
    Field("phone"),
    Field("message"),
)


def fields_for(audience: str) -> Sequence[Field]:
    return CUSTOMER_FIELDS if audience == "customer" else OFFICER_FIELDS


def template_for(config: Config, name: str, lang: str, reason: str, audience: str) -> str:
    """The set's text, else the audience's default: a customer never gets officer text."""
    templates = config.export.templates
    if name not in templates:
        raise UsageError(
            key="template.unknown", name=repr(name), names=", ".join(sorted(templates))
        )
    for candidate in (name, audience):
        text = templates.get(candidate, {}).get(lang, {}).get(reason)
        if text:
            return text
    raise UsageError(key="template.no_text", name=repr(name), lang=lang, reason=reason)


def message(reminder: Reminder, template: str, config: Config, reason_label: str) -> str:
    values = {
        "lender": config.export.lender,
        "name": reminder.name,
        "customer_id": reminder.customer_id,
        "officer": reminder.officer or "",
        "amount": yuan_grouped(reminder.amount_fen),
        "balance": yuan_grouped(
            reminder.balance_fen if reminder.balance_fen is not None else reminder.amount_fen
        ),
        "matures_on": reminder.matures_on or "",
        "date": reminder.date.isoformat(),
        "days_left": "" if reminder.days_left is None else str(reminder.days_left),
        "days_past_due": "" if reminder.days_past_due is None else str(reminder.days_past_due),
        "loan_id": reminder.loan_id or "",
        "reason": reason_label,
    }
    return template.format(**values)


def reminder_rows(
    reminders: Iterable[Reminder],
    config: Config,
    *,
    lang: str,
    audience: str,
    template: str,
    reason_labels: dict[str, str],
    mask: Callable[[str | None], str | None],
    data_as_of: str | None = None,
) -> list[dict[str, Any]]:
    """One output row per reminder, with its rendered message.

    ``mask`` is applied to phones for the officer audience; the customer
    audience always carries the full number, since its purpose is dialling.
    ``data_as_of`` (the loan data's as-of day) goes to the officer only.
    """
    from retain.terms import term

    rows = []
    for reminder in reminders:
        if audience == "customer" and not term(reminder.reason).customer_facing:
            continue  # never sent to a customer, whatever the template set says
        row = reminder.as_row()
        text = template_for(config, template, lang, reminder.reason, audience)
        row["message"] = message(reminder, text, config, reason_labels[reminder.reason])
        if audience == "officer":
            row["phone"] = mask(reminder.phone) or None
            row["data_as_of"] = data_as_of
        rows.append(row)
    return rows


def already_exported(conn: sqlite3.Connection, ids: Sequence[str], audience: str) -> set[str]:
    found: set[str] = set()
    step = 500
    for start in range(0, len(ids), step):
        chunk = list(ids[start : start + step])
        marks = ",".join("?" * len(chunk))
        found.update(
            row[0]
            for row in conn.execute(
                "SELECT reminder_id FROM exported_reminders"
                f" WHERE audience = ? AND reminder_id IN ({marks})",
                [audience, *chunk],
            )
        )
    return found


@contextlib.contextmanager
def recording_export(
    store: Store, rows: Sequence[dict[str, Any]], *, audience: str, fmt: str, target: str
) -> Iterator[None]:
    """The ledger's transaction: what runs inside (publishing the file) commits with it."""
    with store.write() as conn:
        record_export(conn, rows, audience=audience, fmt=fmt, target=target)
        yield


def record_export(
    conn: sqlite3.Connection,
    rows: Sequence[dict[str, Any]],
    *,
    audience: str,
    fmt: str,
    target: str,
) -> int:
    """Write the ledger; the caller holds the transaction and commits with the file."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    cursor = conn.execute(
        "INSERT INTO export_runs (at, audience, format, target, reminders) VALUES (?, ?, ?, ?, ?)",
        (stamp, audience, fmt, target, len(rows)),
    )
    export_id = cursor.lastrowid
    conn.executemany(
        "INSERT OR IGNORE INTO exported_reminders"
        " (reminder_id, audience, export_id, customer_id, reason, due_on)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (r["reminder_id"], audience, export_id, r["customer_id"], r["reason"], r["date"])
            for r in rows
        ],
    )
    return int(export_id or 0)
