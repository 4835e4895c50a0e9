"""Reminder exports: messages from templates, calendar files, the export ledger.

The ledger records each reminder sent to an audience, so a cron job that runs
twice — at once, or again after a failure or a kill — never sends the same
reminder twice. ``--new-only`` goes in this order (:func:`claiming`,
:func:`publish_claimed`):

1. ``BEGIN IMMEDIATE``; settle the pending claims of runs that died
   (:func:`settle_claims`); read the ledger, pick the reminders and write the
   output to a temporary, staging its ledger rows; record the run as
   ``pending`` with the output's path and the temporary's file identity;
   ``COMMIT``. A second run waits for the lock, then sees these claims.
2. Publish: rename the temporary into place (or copy stdout's spool out).
3. Mark the run ``sent``; if publishing failed, release its claims.

A run killed between 1 and 3 leaves a pending run: the next one marks it
``sent`` when its file is at its path (the same file: device and inode), and
releases it otherwise, so it is exported again. stdout cannot be looked at
afterwards: its claims are released, and stdout is at-least-once.

Everything here streams: reminders are rendered, looked up in the ledger and
staged for it a batch at a time, as the output is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retain.config import Config
from retain.errors import UsageError
from retain.output import Field, yuan_grouped
from retain.processes import owner_alive, owner_token
from retain.reminders import Reminder
from retain.seasons import season_of
from retain.templates import placeholders, render_template

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
    Field("period", "int"),  # an instalment reminder's instalment: period, amount, due date
    Field("amount_due", "money"),
    Field("due_on", "date"),
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


#: The placeholders that read the loan a reminder quotes (its instalment's too).
LOAN_PLACEHOLDERS = frozenset(
    {"loan_id", "amount", "balance", "matures_on", "period", "amount_due", "due_on"}
)


def quoted_loans(
    config: Config, template: str, audience: str, reasons: Sequence[str]
) -> frozenset[str] | None:
    """The kinds of loan (``Term.loan``) an export's rows read, for
    ``reminders.upcoming(quote=...)``: every kind (None) for the officer, whose
    rows show the loan; for a customer, whose rows show only the message, the
    kinds of the reasons whose text names a loan's fact (a season's own
    messages included). The template set is checked as :func:`reminder_rows`
    checks it."""
    if audience != "customer":
        return None
    from retain.terms import term

    lang = config.export.customer_lang
    kinds: set[str] = set()
    for reason in reasons:
        if not config.export.may_text(reason):
            continue
        texts = [template_for(config, template, lang, reason, audience)]
        if reason == "season":
            texts += [s.message_zh if lang == "zh" else s.message_en for s in config.seasons]
        if any(placeholders(text) & LOAN_PLACEHOLDERS for text in texts if text):
            kinds.add(term(reason).loan)
    return frozenset(kinds)


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
    return render_template(
        template, _values(reminder, placeholders(template), config, reason_label, lang)
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
        "period": "" if reminder.period is None else str(reminder.period),
        "due_on": reminder.due_on or "",
    }
    if "season" in used:
        found = season_of(config.seasons, reminder.season_index)
        values["season"] = found.name if found is not None else ""
    if "amount" in used:
        values["amount"] = yuan_grouped(reminder.amount_fen)
    if "amount_due" in used:
        values["amount_due"] = yuan_grouped(reminder.amount_due_fen)
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
    customer = audience == "customer"
    # Per reason, asked once per run rather than once per reminder: whether it
    # may be texted, and its template.
    textable: dict[str, bool] = {}
    chosen: dict[str, str] = {}
    for reminder in reminders:
        reason = reminder.reason
        if customer:
            allowed = textable.get(reason)
            if allowed is None:
                allowed = textable[reason] = config.export.may_text(reason)
            if not allowed:
                continue  # never sent to a customer, whatever the template set says
        if customer:
            # Only what the customer's fields and the ledger read: a row per
            # text of the window, so not the officer's sixteen columns.
            row = {
                "reminder_id": reminder.reminder_id,
                "date": reminder.date.isoformat(),
                "reason": reason,
                "customer_id": reminder.customer_id,
                "name": reminder.name,
                "phone": reminder.phone,
            }
        else:
            row = reminder.as_row()
        text = _own_season_text(reminder, config, lang, audience) if reason == "season" else ""
        if not text:
            text = chosen.get(reason, "")
            if not text:
                text = texts.get(reason) or template_for(config, template, lang, reason, audience)
                chosen[reason] = text
        row["message"] = message(reminder, text, config, labels[reason], lang)
        if not customer:
            row["phone"] = mask(reminder.phone) or None
            row["data_as_of"] = data_as_of
        yield row


def _own_season_text(reminder: Reminder, config: Config, lang: str, audience: str) -> str:
    """A season reminder to a customer: its season's own message, if it has one."""
    if reminder.reason != "season" or audience != "customer":
        return ""
    found = season_of(config.seasons, reminder.season_index)
    if found is None:
        return ""
    return found.message_zh if lang == "zh" else found.message_en


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
    in a temporary table (nothing durable), and :func:`claiming` copies them into
    the ledger, as pending, when the output is complete: a run that fails or is
    killed before that leaves neither file nor ledger rows.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.table = f"temp.retain_ledger_stage_{next(_stages)}"
        self.count = 0
        conn.execute(
            f"CREATE TABLE {self.table} (reminder_id TEXT NOT NULL, customer_id TEXT NOT NULL,"
            " reason TEXT NOT NULL, due_on TEXT NOT NULL, seq INTEGER PRIMARY KEY)"
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
            # The file's order numbered (SQLite's rowid, named: PostgreSQL has none).
            numbered = [(*row, self.count + i) for i, row in enumerate(pending, 1)]
            self.conn.executemany(f"INSERT INTO {self.table} VALUES (?, ?, ?, ?, ?)", numbered)
            self.count += len(pending)
            pending.clear()

    def close(self) -> None:
        self.conn.execute(f"DROP TABLE IF EXISTS {self.table}")


FAULT_EXIT = 86
FAULT_POINTS = ("before_publish", "after_publish")


def fault(point: str) -> None:
    """Tests only: ``RETAIN_TEST_FAULT=<point>`` ends the process here at once, as a
    kill would (no cleanup, no commit), to prove the order above (CONTRIBUTING.md)."""
    if os.environ.get("RETAIN_TEST_FAULT") == point:
        os._exit(FAULT_EXIT)


def file_identity(path: Path) -> str | None:
    """The file at ``path`` (device and inode; a rename keeps them), or None."""
    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return f"{info.st_dev}:{info.st_ino}"


def settle_claims(conn: sqlite3.Connection) -> None:
    """Runs that died after claiming: sent if their file is at its path, else
    released (their ledger rows deleted: exported again). A live run's claims are
    its own. The caller holds the write transaction."""
    pending = conn.execute(
        "SELECT export_id, path, file_id, staged, owner FROM export_runs WHERE status = 'pending'"
    ).fetchall()
    for export_id, path, file_id, staged, owner in pending:
        if owner and owner_alive(str(owner)):
            continue
        if path and file_id and file_identity(Path(path)) == file_id:
            conn.execute("UPDATE export_runs SET status = 'sent' WHERE export_id = ?", (export_id,))
            continue
        _release(conn, int(export_id))
        if staged:
            with contextlib.suppress(OSError):
                os.unlink(staged)  # the killed run's complete file, never published


def settle(store: Store) -> None:
    """Before a read of the ledger outside :func:`claiming` (the customer rules of an
    export without ``--new-only``): settle what a killed run left, when there is any.
    Best effort: a store that cannot be written now is read as it is, its pending
    claims counted as sent (the cautious reading for "texted lately")."""
    if store.conn.execute("SELECT 1 FROM export_runs WHERE status = 'pending'").fetchone():
        with contextlib.suppress(sqlite3.Error), store.write() as conn:
            settle_claims(conn)


def _release(conn: sqlite3.Connection, export_id: int) -> None:
    conn.execute("DELETE FROM exported_reminders WHERE export_id = ?", (export_id,))
    conn.execute("UPDATE export_runs SET status = 'released' WHERE export_id = ?", (export_id,))


class Claim:
    """One ``--new-only`` run's hold on its reminders, from the ledger read to ``sent``."""

    def __init__(
        self, store: Store, stage: LedgerStage, *, audience: str, fmt: str, target: str
    ) -> None:
        self.store = store
        self.stage = stage
        self.audience = audience
        self.fmt = fmt
        self.target = target
        self.path: str | None = None
        self.file_id: str | None = None
        self.staged: str | None = None
        self.export_id = 0

    def written(self, staged: Path, target: Path) -> None:
        """The output is complete at ``staged``, to be renamed to ``target``."""
        self.staged = os.path.abspath(staged)
        self.path = os.path.abspath(target)
        self.file_id = file_identity(staged)

    def sent(self) -> None:
        for attempt in self.store.transactions():
            with attempt as conn:
                conn.execute(
                    "UPDATE export_runs SET status = 'sent', staged = NULL WHERE export_id = ?",
                    (self.export_id,),
                )

    def release(self) -> None:
        for attempt in self.store.transactions():
            with attempt as conn:
                _release(conn, self.export_id)


@contextlib.contextmanager
def claiming(store: Store, *, audience: str, fmt: str, target: str) -> Iterator[Claim]:
    """Step 1 above, in one ``BEGIN IMMEDIATE``: inside, the caller reads the ledger
    (:func:`not_yet_exported`, the customer rules), taps its rows through
    ``claim.stage`` and writes its output to a temporary; on leaving, the run is
    recorded as pending and committed. Any error rolls it all back."""
    with store.write() as conn:
        settle_claims(conn)
        stage = LedgerStage(conn)
        try:
            claim = Claim(store, stage, audience=audience, fmt=fmt, target=target)
            yield claim
            claim.export_id = record_export(conn, claim)
        finally:
            stage.close()


def publish_claimed(claim: Claim, publish: Callable[[], object]) -> None:
    """Steps 2 and 3 above, after the claim has committed."""
    fault("before_publish")
    try:
        publish()
        if claim.path is not None:
            _sync_directory(Path(claim.path).parent)
    except BaseException:
        claim.release()
        raise
    fault("after_publish")
    claim.sent()


def _sync_directory(directory: Path) -> None:
    """The rename on disk before the run is marked sent: after a power cut a run
    marked sent must have its file in place."""
    with contextlib.suppress(OSError):  # some file systems cannot sync a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def record_export(conn: sqlite3.Connection, claim: Claim) -> int:
    """The run (pending) and its ledger rows; the caller holds the transaction."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    cursor = conn.execute(
        "INSERT INTO export_runs (at, audience, format, target, reminders, status, path,"
        " file_id, staged, owner) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)",
        (
            stamp,
            claim.audience,
            claim.fmt,
            claim.target,
            claim.stage.count,
            claim.path,
            claim.file_id,
            claim.staged,
            owner_token(),
        ),
    )
    export_id = cursor.lastrowid
    conn.execute(
        "INSERT OR IGNORE INTO exported_reminders"
        " (reminder_id, audience, export_id, customer_id, reason, due_on)"
        f" SELECT reminder_id, ?, ?, customer_id, reason, due_on FROM {claim.stage.table}"
        " ORDER BY seq",
        (claim.audience, export_id),
    )
    return int(export_id or 0)
