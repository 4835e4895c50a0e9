"""Reminder exports: messages from templates, calendar files, the export ledger.

The ledger records each reminder sent to an audience, in the same
transaction that puts the file in place, so a cron job that runs twice — or
again after a failure — never sends the same reminder twice. Everything here
streams: reminders are rendered, looked up in the ledger and staged for it a
batch at a time, as the file is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import sqlite3
import string
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from retain.config import Config
from retain.errors import UsageError
from retain.output import Field, yuan_grouped
from retain.reminders import Reminder

if TYPE_CHECKING:
    from retain.store import Store

EXPORT_FORMATS = ("csv", "xlsx", "json", "ndjson", "ics")
_BATCH = 500  # reminders looked up in, or staged for, the ledger per statement
_stages = itertools.count(1)

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
    raise UsageError(key="template.no_text", name=repr(name), language=lang, reason=reason)


def _days(count: int | None, lang: str) -> str:
    """A count of days with its unit: "1 day", "27 days", "27天"."""
    if count is None:
        return ""
    return _days_text(count, lang)


@functools.lru_cache(maxsize=4096)
def _days_text(count: int, lang: str) -> str:
    # Asked twice per reminder of an export, for a few hundred distinct counts.
    from retain.i18n import t

    return t("sms.days.one" if count == 1 else "sms.days.many", lang, count=count)


def message(reminder: Reminder, template: str, config: Config, reason_label: str, lang: str) -> str:
    return template.format(**_values(reminder, _fields(template), config, reason_label, lang))


@functools.lru_cache(maxsize=64)
def _fields(template: str) -> frozenset[str]:
    """The placeholders a template uses: only those are worked out per reminder
    (an export renders every reminder of the window)."""
    return frozenset(
        name.split(".")[0].split("[")[0]
        for _, name, _, _ in string.Formatter().parse(template)
        if name
    )


def _values(
    reminder: Reminder, used: frozenset[str], config: Config, reason_label: str, lang: str
) -> dict[str, str]:
    values = {
        "lender": config.export.lender,
        "name": reminder.name,
        "customer_id": reminder.customer_id,
        "officer": reminder.officer or "",
        "matures_on": reminder.matures_on or "",
        "loan_id": reminder.loan_id or "",
        "reason": reason_label,
    }
    if "amount" in used:
        values["amount"] = yuan_grouped(reminder.amount_fen)
    if "balance" in used:
        values["balance"] = yuan_grouped(
            reminder.balance_fen if reminder.balance_fen is not None else reminder.amount_fen
        )
    if "date" in used:
        values["date"] = reminder.date.isoformat()
    if "days_left" in used:
        values["days_left"] = "" if reminder.days_left is None else str(reminder.days_left)
    if "days_past_due" in used:
        values["days_past_due"] = (
            "" if reminder.days_past_due is None else str(reminder.days_past_due)
        )
    if "days_left_days" in used:
        values["days_left_days"] = _days(reminder.days_left, lang)
    if "days_past_due_days" in used:
        values["days_past_due_days"] = _days(reminder.days_past_due, lang)
    return values


def reminder_rows(
    reminders: Iterable[Reminder],
    config: Config,
    *,
    lang: str,
    audience: str,
    template: str,
    mask: Callable[[str | None], str | None],
    reasons: Sequence[str] = (),
    data_as_of: str | None = None,
) -> Iterator[dict[str, Any]]:
    """One output row per reminder, with its rendered message, as they come.

    Officer messages are in ``lang``, the operator's; customer messages in the
    customers' language, ``export.customer_lang``. The template set is checked
    here, for every one of ``reasons``, before the first row: a stream cannot
    take back the rows it has written. ``mask`` is applied to phones for the
    officer audience; the customer audience always carries the full number,
    since its purpose is dialling. ``data_as_of`` (the loan data's as-of day)
    goes to the officer only.
    """
    from retain.i18n import t
    from retain.terms import TERM_NAMES

    if audience == "customer":
        lang = config.export.customer_lang
    labels = {name: t(f"term.{name}", lang) for name in TERM_NAMES}
    texts = {
        reason: template_for(config, template, lang, reason, audience)
        for reason in reasons
        if audience != "customer" or config.export.may_text(reason)
    }
    return _rendered(reminders, config, lang, audience, template, labels, mask, texts, data_as_of)


def _rendered(
    reminders: Iterable[Reminder],
    config: Config,
    lang: str,
    audience: str,
    template: str,
    labels: dict[str, str],
    mask: Callable[[str | None], str | None],
    texts: dict[str, str],
    data_as_of: str | None,
) -> Iterator[dict[str, Any]]:

    for reminder in reminders:
        if audience == "customer" and not config.export.may_text(reminder.reason):
            continue  # never sent to a customer, whatever the template set says
        row = reminder.as_row()
        text = texts.get(reminder.reason) or template_for(
            config, template, lang, reminder.reason, audience
        )
        row["message"] = message(reminder, text, config, labels[reminder.reason], lang)
        if audience == "officer":
            row["phone"] = mask(reminder.phone) or None
            row["data_as_of"] = data_as_of
        yield row


def already_exported(conn: sqlite3.Connection, ids: Sequence[str], audience: str) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), _BATCH):
        chunk = list(ids[start : start + _BATCH])
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


def not_yet_exported(
    conn: sqlite3.Connection, reminders: Iterable[Reminder], audience: str
) -> Iterator[Reminder]:
    """``--new-only``: the reminders this audience was never sent, looked up a batch
    at a time so that the stream never has to be held whole."""
    batch: list[Reminder] = []
    for reminder in itertools.chain(reminders, [None]):
        if reminder is not None:
            batch.append(reminder)
            if len(batch) < _BATCH:
                continue
        sent = already_exported(conn, [r.reminder_id for r in batch], audience)
        yield from (r for r in batch if r.reminder_id not in sent)
        batch = []


class LedgerStage:
    """The reminders on their way into a file, staged for the export ledger.

    Rows pass through :meth:`tap` as they are written; their ledger entries wait
    in a temporary table (nothing durable), and :func:`recording_export` copies
    them into the ledger in the transaction that publishes the file: a run that
    fails or is killed before that leaves neither file nor ledger rows.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.table = f"temp.retain_ledger_stage_{next(_stages)}"
        self.count = 0
        conn.execute(
            f"CREATE TABLE {self.table} (reminder_id TEXT NOT NULL, customer_id TEXT NOT NULL,"
            " reason TEXT NOT NULL, due_on TEXT NOT NULL)"
        )

    def tap(self, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        pending: list[tuple[str, str, str, str]] = []
        for row in rows:
            pending.append((row["reminder_id"], row["customer_id"], row["reason"], row["date"]))
            if len(pending) >= _BATCH:
                self._flush(pending)
            yield row
        self._flush(pending)

    def _flush(self, pending: list[tuple[str, str, str, str]]) -> None:
        if pending:
            self.conn.executemany(f"INSERT INTO {self.table} VALUES (?, ?, ?, ?)", pending)
            self.count += len(pending)
            pending.clear()

    def close(self) -> None:
        self.conn.execute(f"DROP TABLE IF EXISTS {self.table}")


@contextlib.contextmanager
def recording_export(
    store: Store, stage: LedgerStage, *, audience: str, fmt: str, target: str
) -> Iterator[None]:
    """The ledger's transaction: what runs inside (publishing the file) commits with it."""
    with store.write() as conn:
        record_export(conn, stage, audience=audience, fmt=fmt, target=target)
        yield


def record_export(
    conn: sqlite3.Connection,
    stage: LedgerStage,
    *,
    audience: str,
    fmt: str,
    target: str,
) -> int:
    """Write the ledger; the caller holds the transaction and commits with the file."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    cursor = conn.execute(
        "INSERT INTO export_runs (at, audience, format, target, reminders) VALUES (?, ?, ?, ?, ?)",
        (stamp, audience, fmt, target, stage.count),
    )
    export_id = cursor.lastrowid
    conn.execute(
        "INSERT OR IGNORE INTO exported_reminders"
        " (reminder_id, audience, export_id, customer_id, reason, due_on)"
        f" SELECT reminder_id, ?, ?, customer_id, reason, due_on FROM {stage.table}"
        " ORDER BY rowid",
        (audience, export_id),
    )
    return int(export_id or 0)
