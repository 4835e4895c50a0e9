"""Import one file: read → validate → upsert in one transaction → rejects file.

Rows stream through in chunks so memory stays flat however large the file.
Each row is validated on its own (:mod:`retain.importing.validate`, pure; a
loans file's chunk a column at a time, with the same outcome for each row);
each chunk is then checked against what the file already held (a repeated id,
a customer repeated with other details) and against the store (a loan's
customer must exist), and written (:mod:`retain.importing.upsert`: added /
updated / unchanged). The whole file is one ``BEGIN IMMEDIATE`` transaction;
rejected rows go to the rejects file (:mod:`retain.importing.rejects`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypedDict, cast

from retain.errors import RetainError
from retain.i18n import Text, msg
from retain.importing.columns import Kind
from retain.importing.normalise import Invalid, norm_id, plain_ids
from retain.importing.read import (
    ReadInfo,
    ReadLimits,
    Record,
    RecordReader,
    SourceRow,
    encoding_name,
    open_rows,
    read_rows,
)
from retain.importing.rejects import RejectsWriter, default_rejects_path
from retain.importing.schedule import ScheduleWriter
from retain.importing.upsert import ImportWriter, Row, Saved
from retain.importing.validate import (
    DEFAULT_CEILING_FEN,
    DEFAULT_EARLIEST,
    DEFAULT_FLOOR_FEN,
    CustomerRecord,
    GuarantorRecord,
    HoldingRecord,
    Instalment,
    LoanColumns,
    LoanRecord,
    ProspectRecord,
    Rejected,
    Rules,
    validate_customer,
    validate_guarantor,
    validate_holding,
    validate_loan,
    validate_prospect,
)
from retain.promises import judge_promises
from retain.prospects import convert_on_loans_import
from retain.scratch import clean_temporaries

if TYPE_CHECKING:
    from retain.importing.columns import HeaderLayout, Mapping
    from retain.importing.digest import RowDigests
    from retain.store import Store

CHUNK = 2000
DIGEST_CHUNK = 2000  # raw rows looked up at once; most of a re-import's are unchanged
SHOWN_REJECTS = 100


@dataclass
class Rejection:
    row_no: int
    field: str
    reason: str  # English, as in --format json
    message: Text  # the same reason, to render in the user's language


@dataclass
class Note:
    """Something about a row that was imported, worth the officer's attention."""

    row_no: int
    note: str  # English, as in --format json
    message: Text


class NoteJson(TypedDict):
    row: int
    note: str


class RejectJson(TypedDict):
    row: int
    field: str
    reason: str


class ReportJson(TypedDict):
    file: str
    kind: Kind
    dry_run: bool
    added: int
    updated: int
    unchanged: int
    rejected: int
    skipped: int
    customers_added: int
    customers_updated: int
    officers_kept: int
    rejects_file: str | None
    rejects: list[RejectJson]
    encoding: str | None
    sheet: str | None
    notes: list[NoteJson]


@dataclass
class ImportReport:
    """The outcome of one import, as the CLI renders it."""

    kind: Kind
    file_name: str
    dry_run: bool
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    customers_added: int = 0
    customers_updated: int = 0
    officers_kept: int = 0  # rows whose officer a later handover overrides
    rejections: list[Rejection] = field(default_factory=list)  # the first SHOWN_REJECTS
    rejects_path: Path | None = None
    rejects_wanted: Path | None = None  # the default name, when it was taken
    import_id: int | None = None
    encoding: str | None = None  # of a text file, as the report names it
    sheet: str | None = None  # of a workbook
    sheets: tuple[str, ...] = ()
    notes: list[Note] = field(default_factory=list)  # the first SHOWN_REJECTS

    def as_dict(self) -> ReportJson:
        return {
            "file": self.file_name,
            "kind": self.kind,
            "dry_run": self.dry_run,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "customers_added": self.customers_added,
            "customers_updated": self.customers_updated,
            "officers_kept": self.officers_kept,
            "rejects_file": str(self.rejects_path) if self.rejects_path else None,
            "rejects": [
                {"row": r.row_no, "field": r.field, "reason": r.reason} for r in self.rejections
            ],
            "encoding": self.encoding,
            "sheet": self.sheet,
            "notes": [{"row": n.row_no, "note": n.note} for n in self.notes],
        }


@dataclass(frozen=True)
class ImportSettings:
    kind: Kind
    today: dt.date
    mapping: Mapping
    ceiling_fen: int = DEFAULT_CEILING_FEN
    floor_fen: int = DEFAULT_FLOOR_FEN
    earliest: dt.date = DEFAULT_EARLIEST
    encoding: str | None = None  # --encoding
    sheet: str | None = None  # --sheet
    dry_run: bool = False
    lang: str = "en"  # of the rejects file's _reason column, which people read
    as_of: dt.date | None = None  # the day the data is as of; None: today
    limits: ReadLimits = ReadLimits()  # import.max_xlsx_xml_mb, import.max_cells
    officer_from_file: bool = False  # --officer-from-file: the file's officer beats a handover


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def rules_for(settings: ImportSettings, layout: HeaderLayout) -> Rules:
    """The row rules of one file: its columns (and mapping defaults), units, options."""
    mapping = settings.mapping
    wan = set(layout.wan_fields)
    if mapping.amount_unit == "wan":
        wan |= {
            "principal",
            "balance",
            "principal_due",
            "interest_due",
            "paid_amount",
            "next_due_amount",
            "need",
        }
    # A holdings file's dates may reach its as-of day, not past it.
    today = settings.as_of or settings.today if settings.kind == "holdings" else settings.today
    return Rules(
        today=today,
        present=frozenset(layout.field_index) | frozenset(mapping.defaults),
        wan_fields=frozenset(wan),
        ceiling_fen=settings.ceiling_fen,
        floor_fen=settings.floor_fen,
        earliest=settings.earliest,
        date_order=mapping.date_order,
        guarantee_aliases=mapping.values.get("guarantee"),
        status_aliases=mapping.values.get("status"),
        product_aliases=mapping.values.get("product_type"),
    )


def import_file(
    store: Store,
    source: Path | None,
    settings: ImportSettings,
    *,
    input_format: str | None = None,
    rejects_path: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import one file into the store; see the README's import contract."""
    name = str(source) if source is not None else "-"
    report = ImportReport(kind=settings.kind, file_name=name, dry_run=settings.dry_run)
    sha = file_sha256(source) if source is not None else None
    target = rejects_path or default_rejects_path(source)
    if not settings.dry_run:
        # what a killed run left beside the rejects file and in the temporary root
        clean_temporaries([target.parent])
    info = ReadInfo()
    with open_rows(
        source,
        input_format,
        encoding=settings.encoding,
        sheet=settings.sheet,
        kind=settings.kind,
        mapping=settings.mapping,
        info=info,
        limits=settings.limits,
    ) as rows:
        if info.encoding is not None:
            report.encoding = encoding_name(info.encoding)
        report.sheet, report.sheets = info.sheet, info.sheets
        layout, records, skips = read_rows(rows, settings.kind, settings.mapping, source_name=name)
        rules = rules_for(settings, layout)
        with RejectsWriter(
            target,
            layout.headers,
            enabled=not settings.dry_run,
            source_name=source.name if source is not None else "-",
            replace=rejects_path is not None,
        ) as rejects:
            writer = ImportWriter(
                store.conn,
                customer_fields=rules.customer_fields,
                present=rules.present,
                as_of=settings.as_of or settings.today,
            )
            loader = _Loader(settings, rules, writer, report, rejects, name)
            if settings.kind == "loans" and not rules.loans_carry_customers:
                # A file that carries customers writes them from every row: no skipping.
                from retain.importing.digest import RowDigests
                from retain.migrations import MIGRATIONS

                shape = (
                    tuple(layout.field_index.items()),
                    repr(sorted(settings.mapping.defaults.items())),
                )
                loader.digests = RowDigests(rules, writer.loan_fields, len(MIGRATIONS), shape)
                loader.key_at = layout.field_index.get("loan_id")
            # A schedule's rows are written only for loans it found in the store.
            with store.write(references_checked=settings.kind == "schedule"):
                report.import_id = writer.start(settings.kind, name, sha)
                if settings.kind == "loans" and not settings.dry_run:
                    writer.defer_loan_indexes()
                if settings.kind == "schedule":
                    loader.schedule = ScheduleWriter(
                        store.conn,
                        import_id=report.import_id,
                        as_of_day=writer.as_of_day,
                        reread=partial(_reread, info, settings, name),
                    )
                loader.run(records, progress)
                if loader.schedule is not None:
                    saved = loader.schedule.settle().saved
                    report.added, report.updated = saved.added, saved.updated
                    report.unchanged = loader.staged - saved.added - saved.updated
                if settings.kind in ("loans", "schedule") and not settings.dry_run:
                    # Promises are judged on the book this import leaves (balances
                    # or the schedule's payments), in its transaction: a
                    # rolled-back import judges nothing.
                    judge_promises(store.conn, settings.as_of or settings.today, settings.today)
                if settings.kind in ("customers", "loans", "holdings") and not settings.dry_run:
                    # what the cross_sell term reads: peers' products, as this import leaves them
                    from retain.holdings import rebuild_peers

                    rebuild_peers(store.conn)
                report.skipped = skips.skipped
                writer.finish(
                    report.added, report.updated, report.unchanged, report.rejected, report.skipped
                )
                if settings.kind == "loans" and not settings.dry_run:
                    # Prospects who borrowed become customers, in this transaction
                    # (after finish: the loans' deferred indexes are built).
                    convert_on_loans_import(store.conn, writer.as_of_day)
                    # In the import's transaction: the book and its snapshot commit together.
                    writer.record_snapshot()
                if settings.dry_run:
                    writer.discard()  # everything was checked against the real store
                else:
                    store.refresh_statistics()
                # The rejects file is in place before the COMMIT: if it cannot be
                # written the import rolls back (exit 1 = nothing committed).
                placed = rejects.publish()
                if loader.customers_file and placed is not None:
                    writer.set_rejects_file(str(placed))
            report.rejects_path = rejects.settle()
            if report.rejects_path is not None and report.rejects_path != target:
                report.rejects_wanted = target
    return report


@contextmanager
def _reread(info: ReadInfo, settings: ImportSettings, name: str) -> Iterator[RecordReader]:
    """The records of the file being imported, once more from its first row, read
    as the first time was (format, encoding, sheet)."""
    assert info.path is not None
    with open_rows(
        info.path,
        info.format,
        encoding=info.encoding,
        sheet=info.sheet,
        kind=settings.kind,
        mapping=settings.mapping,
        limits=settings.limits,
    ) as rows:
        yield read_rows(rows, settings.kind, settings.mapping, source_name=name)[1]


def checked_before(held: str, digest: str, day: int) -> bool:
    """Whether a stored ``row_digest`` (``<digest>/<day>``) is ``digest``, checked
    on or before day number ``day`` (see :mod:`retain.importing.digest`)."""
    stored, _, checked = held.partition("/")
    try:
        return stored == digest and int(checked) <= day
    except ValueError:  # not a stamp this code wrote: check the row
        return False


class _Row(NamedTuple):
    """One source row after its own rules: its id, and its records or its faults."""

    source: Record | SourceRow  # a SourceRow for a row found the same (no values)
    key: str | None
    rejected: Rejected | None
    loan: LoanRecord | None
    customer: CustomerRecord | None
    instalment: Instalment | None = None
    guarantor: GuarantorRecord | None = None
    prospect: ProspectRecord | None = None
    holding: HoldingRecord | None = None
    digest: str | None = None  # a loans row's stored digest (retain.importing.digest)
    same: bool = False  # the digest matches: the loan as stored, not validated again


# An unchanged loans row's _Row, built in C (a NamedTuple's own __new__ is
# Python: a microsecond a row on a daily re-import of a million).
_SAME_ROW = partial(tuple.__new__, _Row)


def _prospect_row(source: Record, rules: Rules) -> _Row:
    result = validate_prospect(source.values, rules)
    if isinstance(result, Rejected):
        return _Row(source, None, result, None, None)
    return _Row(source, None, None, None, None, prospect=result)


def _customer_row(source: Record, rules: Rules) -> _Row:
    result = validate_customer(source.values, rules)
    if isinstance(result, Rejected):
        return _Row(source, result.key, result, None, None)
    return _Row(source, result["customer_id"], None, None, result)


def _guarantor_row(source: Record, rules: Rules) -> _Row:
    result = validate_guarantor(source.values, rules)
    if isinstance(result, Rejected):
        return _Row(source, result.key, result, None, None)
    return _Row(source, result["guarantor_key"], None, None, None, guarantor=result)


def _holding_row(source: Record, rules: Rules) -> _Row:
    result = validate_holding(source.values, rules)
    if isinstance(result, Rejected):
        return _Row(source, result.key, result, None, None)
    return _Row(source, result["holding_key"], None, None, None, holding=result)


def _loan_row(source: Record, rules: Rules) -> _Row:
    result = validate_loan(source.values, rules)
    if isinstance(result, Rejected):
        return _Row(source, result.key, result, None, None)
    return _Row(source, result["loan_id"], None, result, result.get("customer"))


class _Loader:
    """Chunks of validated rows → the rules across rows → the writer, or the rejects."""

    def __init__(
        self,
        settings: ImportSettings,
        rules: Rules,
        writer: ImportWriter,
        report: ImportReport,
        rejects: RejectsWriter,
        file_name: str,
    ) -> None:
        self.rules = rules
        self.file_name = file_name
        self.writer = writer
        self.report = report
        self.rejects = rejects
        self.lang = settings.lang
        self.officer_from_file = settings.officer_from_file
        self.customers_file = settings.kind == "customers"
        self.key_field = "customer_id" if self.customers_file else "loan_id"
        self.key_label = (
            "import.field.customer_id" if self.customers_file else "import.field.loan_id"
        )
        self.validate = _customer_row if self.customers_file else _loan_row
        # a schedule file: its rows are staged here and settled after the last chunk
        self.schedule: ScheduleWriter | None = None
        self.staged = 0
        if settings.kind == "schedule":
            self.key_field, self.key_label = "period", "import.field.loan_period"
        if settings.kind == "guarantors":
            self.key_field, self.key_label = "guarantor", "import.field.guarantor"
            self.validate = _guarantor_row
        self.guarantors_file = settings.kind == "guarantors"
        self.prospects_file = settings.kind == "prospects"
        if self.prospects_file:
            self.validate = _prospect_row
        # a prospects file: (field, value) of each person so far → their row
        self.people: dict[tuple[str, str], int] = {}
        self.holdings_file = settings.kind == "holdings"
        if self.holdings_file:
            self.key_field, self.key_label = "account", "import.field.holding"
            self.validate = _holding_row
        self.rejected_customers: list[tuple[str, str, int, str, str | None]] = []
        self.digests: RowDigests | None = None  # a loans file: skip the unchanged rows
        # a loans file's rows are checked a column at a time
        self.loan_columns = LoanColumns(rules) if settings.kind == "loans" else None
        self.key_at: int | None = None  # the loan id's column, with the digests

    def run(self, records: RecordReader, progress: Callable[[int], None] | None) -> None:
        if self.schedule is not None:
            # checked a column at a time by the schedule's own loader
            self.schedule.load(records, self.rules, self.reject_record, CHUNK, progress)
            self.staged = self.schedule.staged
            return
        if self.digests is not None and self.key_at is not None:
            self._run_digested(self.digests, self.key_at, records, progress)
            return
        done = 0
        it: Iterator[Record] = iter(records)
        while batch := list(islice(it, CHUNK)):
            self.flush(self._validated(batch))
            done += len(batch)
            if progress is not None:
                progress(done)

    def _validated(self, records: list[Record]) -> list[_Row]:
        """Each record's row rules: a loans file's a column at a time, others' row by row."""
        if self.loan_columns is not None:
            return self._loan_rows(records, [None] * len(records))
        validate, rules = self.validate, self.rules
        return [validate(record, rules) for record in records]

    def _loan_rows(self, records: list[Record], digests: list[str | None]) -> list[_Row]:
        """:func:`_loan_row` of each record (with its row's digest, stored with
        its loan), checked a column at a time (:class:`LoanColumns`)."""
        assert self.loan_columns is not None
        rows: list[_Row] = []
        append = rows.append
        checked = self.loan_columns([record.values for record in records])
        for record, digest, result in zip(records, digests, checked, strict=True):
            if isinstance(result, Rejected):
                append(_Row(record, result.key, result, None, None))
            else:
                customer = result.get("customer")
                append(_Row(record, result["loan_id"], None, result, customer, digest=digest))
        return rows

    def _run_digested(
        self,
        digests: RowDigests,
        key_at: int,
        reader: RecordReader,
        progress: Callable[[int], None] | None,
    ) -> None:
        """:meth:`run` for a loans file: a chunk's raw rows are first looked up by
        their id cell and digest; only those the store does not hold as they are
        become records and get validated."""
        done = 0
        for batch in reader.source_chunks(DIGEST_CHUNK):
            chunk = self._checked(digests, key_at, reader, batch)
            self.flush(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done)

    def _checked(
        self, digests: RowDigests, key_at: int, reader: RecordReader, batch: list[SourceRow]
    ) -> list[_Row]:
        """The batch's rows, in order, less the rows skipped silently. A row is
        "the same" when its id is a stored loan's whose digest is the row's: the
        stored loan was accepted from these very cells (the layout, and so the id
        cell, is part of the digest), so it is not validated or compared again."""
        stamp = digests.stamp
        hexes = digests.of_rows(batch)
        cells = [row.cells[key_at] if len(row.cells) > key_at else None for row in batch]
        keys: list[str | None]
        if plain_ids(cells):
            keys = cells  # type: ignore[assignment]
        else:
            keys = []
            for cell in cells:
                try:
                    keys.append(norm_id(cell))
                except Invalid:
                    keys.append(None)
        found = self.writer.row_digests([k for k in keys if k is not None])
        stored = found.get
        suffix, day = digests.suffix, digests.day
        record_of = reader.record_of
        same_row = _SAME_ROW
        rows: list[_Row | None] = []
        append = rows.append
        # the rows to validate: where they go, their records and digests
        at: list[int] = []
        records: list[Record] = []
        stamps: list[str | None] = []
        for row, key, digest in zip(batch, keys, hexes, strict=True):
            held = stored(key) if key is not None else None
            if held is not None and (held == digest + suffix or checked_before(held, digest, day)):
                # its row number and cells are all a duplicate's report needs
                append(same_row((row, key, None, None, None, None, None, None, None, None, True)))
                continue
            record = record_of(row)
            if record is None:
                continue
            at.append(len(rows))
            append(None)
            records.append(record)
            stamps.append(stamp(digest))
        if not records:
            return cast(list[_Row], rows)
        if len(records) == len(rows):
            return self._loan_rows(records, stamps)
        for i, checked in zip(at, self._loan_rows(records, stamps), strict=True):
            rows[i] = checked
        return cast(list[_Row], rows)

    def reject(self, row: _Row, fault_field: str, reason: Text) -> None:
        report = self.report
        report.rejected += 1
        if len(report.rejections) < SHOWN_REJECTS:
            report.rejections.append(Rejection(row.source.row_no, fault_field, str(reason), reason))
        self.rejects.add(row.source.row_no, row.source.cells, fault_field, reason.render(self.lang))
        if self.customers_file and row.key is not None:
            self.rejected_customers.append(
                (row.key, Path(self.file_name).name, row.source.row_no, fault_field, "")
            )

    def reject_record(self, record: Record, fault_field: str, reason: Text) -> None:
        """:meth:`reject` for a row with no records of its own (a schedule's)."""
        self.reject(_Row(record, None, None, None, None), fault_field, reason)

    def note(self, row: _Row, message: Text) -> None:
        if len(self.report.notes) < SHOWN_REJECTS:
            self.report.notes.append(Note(row.source.row_no, str(message), message))

    def flush(self, chunk: list[_Row]) -> None:
        if self.prospects_file:
            self._flush_prospects(chunk)
            return
        good = self._first_of_each_key(chunk)
        if self.guarantors_file:
            good = self._with_existing_loans(good)
            guarantors = [r.guarantor for r in good if r.guarantor is not None]
            self._count(self.writer.save_guarantors(guarantors), len(guarantors))
            return
        if self.holdings_file:
            good = self._holders_exist(good)
            holdings = [r.holding for r in good if r.holding is not None]
            self._count(self.writer.save_holdings(holdings), len(holdings))
            return
        if self.digests is not None:
            # Rows found the same have had all they need (the duplicate check):
            # counted here, they skip the customer and loan passes below.
            before = len(good)
            good = [r for r in good if not r.same]
            self.report.unchanged += before - len(good)
        good = self._save_customers(good)
        if self.rejected_customers:
            # a repeated id's rejection is not the customer's: its first row stands
            self.writer.mark_rejected_customers(self.rejected_customers)
            self.rejected_customers = []
        if not self.customers_file:
            good = self._with_existing_customers(good)
            loans = [r.loan for r in good if r.loan is not None]
            if self.digests is None:
                self._count(self.writer.save_loans(loans), len(loans))
                return
            digests = {r.loan["loan_id"]: r.digest for r in good if r.loan is not None and r.digest}
            self._count(self.writer.save_loans(loans, digests), len(loans))

    def _flush_prospects(self, chunk: list[_Row]) -> None:
        """Each person once: a row repeating an earlier row's phone or ID number is
        rejected (the first wins, even a faulty one); a person already in the store
        (a customer or a prospect) is not imported again but noted and counted
        unchanged, so that importing the same sheet twice changes nothing."""
        from retain.prospects import NewProspect, existing_match, insert_prospect, resolve_referrer

        conn = self.writer.conn
        for row in chunk:
            record = row.prospect
            keys: list[tuple[str, str]] = []
            if row.rejected is None and record is not None:
                for name in ("id_number", "phone"):
                    value = record.get(name)
                    if isinstance(value, str):
                        keys.append((name, value))
            first = next((self.people[k] for k in keys if k in self.people), None)
            if first is not None:
                where = next(k[0] for k in keys if k in self.people)
                self.reject(
                    row,
                    where,
                    msg("reject.prospect_repeated", row=first, field=msg(f"import.field.{where}")),
                )
                continue
            for key in keys:
                self.people[key] = row.source.row_no
            if row.rejected is not None:
                self.reject(row, row.rejected.fields, row.rejected.reason)
                continue
            assert record is not None
            found = existing_match(conn, record.get("phone"), record.get("id_number"))
            if found is not None:
                self.note(
                    row,
                    msg(
                        f"import.note_prospect_{found.kind}",
                        ident=found.ident,
                        field=msg(f"import.field.{found.field}"),
                    ),
                )
                self.report.unchanged += 1
                continue
            referrer = record.get("referrer")
            if referrer:
                try:
                    resolve_referrer(conn, referrer)
                except RetainError:
                    self.reject(row, "referrer", msg("reject.prospect_referrer", referrer=referrer))
                    continue
            new = NewProspect(
                name=record["name"],
                channel=record["channel"],
                phone=record.get("phone"),
                id_number=record.get("id_number"),
                industry=record.get("industry"),
                referrer=referrer,
                source=record.get("source"),
                need_fen=record.get("need"),
                officer=record.get("officer"),
                note=record.get("note"),
            )
            insert_prospect(
                conn, new, self.writer.as_of_day, via="import", import_id=self.writer.import_id
            )
            self.report.added += 1

    def _count(self, saved: Saved, rows: int) -> None:
        self.report.added += saved.added
        self.report.updated += saved.updated
        self.report.unchanged += rows - saved.added - saved.updated

    def _first_of_each_key(self, chunk: list[_Row]) -> list[_Row]:
        """A repeated id is rejected (the first wins, even a faulty one); so are faults."""
        local: dict[str, int] = {}
        for row in chunk:
            if row.key is not None and row.key not in local:
                local[row.key] = row.source.row_no
        earlier = self.writer.mark_keys(local, chunk[0].source.row_no) if local else {}
        good: list[_Row] = []
        for row in chunk:
            if row.key is not None:
                first = earlier.get(row.key) or local[row.key]
                if first != row.source.row_no:
                    self.duplicate(row, first)
                    continue
            if row.rejected is not None:
                self.reject(row, row.rejected.fields, row.rejected.reason)
                continue
            good.append(row)
        return good

    def duplicate(self, row: _Row, first: int) -> None:
        """A repeated id: rejected, but not a reason to call its customer "rejected"."""
        before = len(self.rejected_customers)
        self.reject(
            row,
            self.key_field,
            msg("reject.duplicate", field=msg(self.key_label), row=first),
        )
        del self.rejected_customers[before:]

    def _save_customers(self, good: list[_Row]) -> list[_Row]:
        """Save each customer from its first row; a customer repeated in the file must
        carry the same details each time (else that row is rejected)."""
        ids = list({r.customer["customer_id"] for r in good if r.customer is not None})
        if not ids:
            return good
        known = self.writer.seen_customers(ids)
        kept: list[_Row] = []
        first: list[tuple[str, Row]] = []
        first_rows: dict[str, _Row] = {}
        marks: list[tuple[str, str, int]] = []
        for row in good:
            if row.customer is None:
                kept.append(row)
                continue
            cid = row.customer["customer_id"]
            values = self.writer.customer_values(row.customer)
            fingerprint = "\x1f".join(map(str, values))
            if cid in known:
                first_print, first_row = known[cid]
                if first_print != fingerprint:
                    self.reject(
                        row,
                        "customer_id",
                        msg("reject.customer_differs", customer=cid, row=first_row),
                    )
                    continue
            else:
                known[cid] = (fingerprint, row.source.row_no)
                marks.append((cid, fingerprint, row.source.row_no))
                first.append((cid, values))
                first_rows[cid] = row
            kept.append(row)
        self.writer.mark_customers(marks)
        new_ids = [cid for cid, _ in first]
        if not self.customers_file:
            self._rejected_before(kept, self.writer.rejected_new_customers(new_ids))
        first, moves = self._officers(first, first_rows)
        saved = self.writer.save_customers(first)
        if moves:
            from retain.officers import move_assignments

            move_assignments(self.writer.conn, moves, self.writer.as_of_day)
        if self.customers_file:
            self.writer.clear_rejected_customers(new_ids)
            self._count(saved, len(first))
            self._join_groups(kept)
        else:
            self.report.customers_added += saved.added
            self.report.customers_updated += saved.updated
        return kept

    def _officers(
        self, first: list[tuple[str, Row]], rows: dict[str, _Row]
    ) -> tuple[list[tuple[str, Row]], list[tuple[str, str | None, int | None]]]:
        """The customers to save, and the officer changes for the assignment history.

        A file as of a day on or before a customer's handover still names the
        old officer: the handover stands (and the row says so), unless
        --officer-from-file."""
        fields = self.writer.customer_fields
        if "officer" not in fields or not first:
            return first, []
        from retain.officers import open_assignments

        at = fields.index("officer")
        day = self.writer.as_of_day
        current = open_assignments(self.writer.conn, [cid for cid, _ in first])
        result: list[tuple[str, Row]] = []
        # (id, new officer, the first day of its open interval)
        moves: list[tuple[str, str | None, int | None]] = []
        for cid, values in first:
            now = current.get(cid)
            officer = values[at] or None
            if (
                now is not None
                and officer != now.officer
                and now.via == "handover"
                and now.from_day >= day
                and not self.officer_from_file
            ):
                self.report.officers_kept += 1
                message = msg(
                    "import.note_officer_kept",
                    customer=cid,
                    file=officer or "",
                    officer=now.officer,
                )
                self.note(rows[cid], message)
                values = (*values[:at], now.officer, *values[at + 1 :])
                officer = now.officer
            if officer != (now.officer if now is not None else None):
                since = now.from_day if now is not None else None
                moves.append((cid, cast("str | None", officer), since))
            result.append((cid, values))
        return result, moves

    def _join_groups(self, rows: list[_Row]) -> None:
        """A customers file's group column (类群/分组/客户群): each customer joins
        its group, created (kind other) when unknown, which the report notes at
        the first row naming it. A blank cell leaves the customer's groups alone."""
        wanted = [
            (row, row.customer["customer_id"], str(cell).strip())
            for row in rows
            if row.customer is not None
            and (cell := cast(Record, row.source).values.get("group")) is not None
        ]
        wanted = [entry for entry in wanted if entry[2]]
        if not wanted:
            return
        from retain.days import from_day_number
        from retain.groups import ensure_groups, join_customers, normalise_name
        from retain.importing.upsert import now_stamp

        conn = self.writer.conn
        ids, created = ensure_groups(conn, (name for _, _, name in wanted), now_stamp())
        pairs: list[tuple[str, int]] = []
        for row, customer_id, name in wanted:
            stored = normalise_name(name)
            if stored in created:
                created.discard(stored)
                self.note(row, msg("import.group_created", name=stored))
            pairs.append((customer_id, ids[stored]))
        join_customers(conn, pairs, from_day_number(self.writer.as_of_day))

    def _rejected_before(
        self, rows: list[_Row], rejected: dict[str, tuple[str, int, str, str]]
    ) -> None:
        """A note on each row that creates a customer a customers file rejected."""
        if not rejected:
            return
        noted: set[str] = set()
        for row in rows:
            customer = row.customer
            if customer is None or customer["customer_id"] not in rejected:
                continue
            cid = customer["customer_id"]
            if cid in noted:
                continue
            noted.add(cid)
            file_name, row_no, fields, rejects_file = rejected[cid]
            key = (
                "import.note_rejected_officer"
                if customer.get("officer")
                else "import.note_rejected"
            )
            self.note(
                row,
                msg(
                    key,
                    customer=cid,
                    file=file_name,
                    row=row_no,
                    field=fields,
                    rejects=rejects_file or file_name,
                ),
            )

    def _with_existing_loans(self, good: list[_Row]) -> list[_Row]:
        """A guarantor's loan must be in the store (imported by a loans file first)."""
        ids = list({r.guarantor["loan_id"] for r in good if r.guarantor is not None})
        found = self.writer.existing_loans(ids)
        kept = []
        for row in good:
            if row.guarantor is None or row.guarantor["loan_id"] in found:
                kept.append(row)
            else:
                loan = row.guarantor["loan_id"]
                self.reject(row, "loan_id", msg("reject.no_loan", loan=loan))
        return kept

    def _holders_exist(self, good: list[_Row]) -> list[_Row]:
        """A holding's customer must be in the store (imported by a customers or
        loans file first)."""
        ids = list({r.holding["customer_id"] for r in good if r.holding is not None})
        found = self.writer.existing_customers(ids)
        kept = []
        for row in good:
            if row.holding is None or row.holding["customer_id"] in found:
                kept.append(row)
            else:
                customer = row.holding["customer_id"]
                self.reject(row, "customer_id", msg("reject.no_holder", customer=customer))
        return kept

    def _with_existing_customers(self, good: list[_Row]) -> list[_Row]:
        """A loan must reference a customer in the store (perhaps saved by its own row)."""
        ids = list({r.loan["customer_id"] for r in good if r.loan is not None})
        if not ids:
            return good
        found = self.writer.existing_customers(ids)
        kept = []
        for row in good:
            if row.loan is None or row.loan["customer_id"] in found:
                kept.append(row)
            else:
                customer = row.loan["customer_id"]
                # a file with customer columns could have created it, had the name been there
                key = (
                    "reject.no_customer_name"
                    if self.rules.loans_carry_customers
                    else "reject.no_customer"
                )
                self.reject(row, "customer_id", msg(key, customer=customer))
        return kept
