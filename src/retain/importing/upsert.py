"""The import's SQL: its ``imports`` row, what the file held so far, and upserts.

All of it runs inside the caller's transaction (one per file). Keys seen
earlier in the file live in temporary tables, so a repeated id is caught
without keeping a million ids in Python. Upserts are idempotent: an unchanged
row is not written, a changed one is updated and each changed field is kept
in the ``changes`` audit trail.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, cast

from retain.days import day_number
from retain.importing.columns import GUARANTOR_FIELDS, LOAN_FIELDS

if TYPE_CHECKING:
    from retain.importing.validate import (
        CustomerRecord,
        GuarantorRecord,
        HoldingRecord,
        LoanRecord,
    )

# Loan fields written, in order, when the file supplies them (loan_id is the key).
LOAN_DATA_FIELDS = tuple(f for f in LOAN_FIELDS if f != "loan_id")
# Day numbers travel with their dates (see migration m002).
DAY_COLUMNS = {
    "disbursed_on": "disbursed_day",
    "matures_on": "matures_day",
    "closed_on": "closed_day",
    "collateral_insurance_expires": "collateral_insurance_day",
    "collateral_certificate_expires": "collateral_certificate_day",
    "next_due_on": "next_due_day",
}
# Loans-file fields a repayment schedule owns for the loans that have one.
SCHEDULE_OWNED = frozenset({"next_due_on", "next_due_day", "next_due_amount", "next_due_period"})
# Field name in files → column in the store, where they differ.
LOAN_COLUMNS = {
    "principal": "principal_fen",
    "balance": "balance_fen",
    "next_due_amount": "next_due_fen",
}

# Holdings-file field → column in the store, where they differ.
HOLDING_COLUMNS = {"product_type": "product", "balance": "balance_fen"}

Row = tuple[object, ...]
LOAD_CACHE_KIB = 65536  # the page cache while rows arrive
# While deferred indexes are built: a build sorts in memory up to the page
# cache's size, on top of the cache, and small sorted runs are also faster to
# make and merge (instalments_by_due over 12,000,000 rows: 4.2 s with 2 MB,
# 5.5 s with 8 MB, 9.3 s with 64 MB; the loans' 11 indexes of 1,000,000 loans:
# 7.0 s with 2 MB, 9.2 s with 8 MB).
BUILD_CACHE_KIB = 2048
SNAPSHOT_CACHE_KIB = 8192  # while the book's snapshot is grouped (see record_snapshot)


@dataclass(frozen=True)
class Saved:
    """What one upsert did: rows inserted, rows changed (the rest were unchanged)."""

    added: int = 0
    updated: int = 0


def now_stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


Fields = Mapping[str, object]  # a record, read by key


def _picker(fields: Sequence[str]) -> Callable[[Fields], Row]:
    """A function that picks these keys of a record as one tuple (even for one key)."""
    if len(fields) == 1:
        only = fields[0]
        return lambda record: (record[only],)
    return cast(Callable[[Fields], Row], itemgetter(*fields))


class ImportWriter:
    """One file's writes, within the caller's transaction.

    ``present`` is the set of fields the file supplies: only those columns are
    written, so a file without a phone column leaves stored phones alone.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        customer_fields: Sequence[str],
        present: Collection[str],
        as_of: dt.date,
    ) -> None:
        """``as_of``: the day the file's data is as of (its days past due are a
        snapshot of that day): the import day, or the export's day (``--as-of``)."""
        self.conn = conn
        # A big page cache keeps the loans indexes in memory while a large file's
        # rows arrive in random key order (measured: ~30% faster at 1M rows).
        conn.execute(f"PRAGMA cache_size = {-LOAD_CACHE_KIB}")
        self.stamp = now_stamp()
        self.import_id: int | None = None
        self.customer_fields = tuple(customer_fields)
        self._customer_values = _picker(self.customer_fields)
        data = [f for f in LOAN_DATA_FIELDS if f in present]
        if "matures_on" not in data:
            data.append("matures_on")  # derived from term_months
        self._loan_values = _picker(data)
        self._dated = tuple(f for f in data if f in DAY_COLUMNS)
        self._loan_dates = _picker(self._dated) if self._dated else lambda record: ()
        self._tracks_dpd = "days_past_due" in data
        as_of_day = day_number(as_of)
        assert as_of_day is not None
        self.as_of_day = as_of_day
        self.loan_fields = (
            *data,
            *(DAY_COLUMNS[f] for f in self._dated),
            *(("overdue_since_day",) if self._tracks_dpd else ()),
        )
        self._dpd_at = self.loan_fields.index("days_past_due") if self._tracks_dpd else -1
        # A guarantor always has its loan and name; other columns only when given.
        self.guarantor_fields = tuple(
            f for f in GUARANTOR_FIELDS if f in ("loan_id", "name") or f in present
        )
        self._guarantor_values = _picker(self.guarantor_fields)
        # A holding always has its customer and product; other columns only when given.
        holding = [
            f
            for f in ("customer_id", "product_type", "account", "balance", "opened_on", "closed_on")
            if f in ("customer_id", "product_type") or f in present
        ]
        self._holding_values = _picker(holding)
        self._holding_dated = tuple(f for f in ("opened_on", "closed_on") if f in holding)
        self.holding_fields = (*holding, *(f.replace("_on", "_day") for f in self._holding_dated))
        self._fresh_loans = False
        self._digests_by_range = True  # see row_digests
        self._days: dict[str | None, int | None] = {}
        self._deferred_indexes: list[str] = []

    def defer_loan_indexes(self) -> bool:
        """Into an empty loans table, load first and build its secondary indexes
        at the end (:meth:`finish`), in the same transaction: one sorted build
        per index instead of a random-order insert per row and index (measured:
        about a third of a fresh 1,000,000-loan import). An empty table also has
        no stored loan to compare with, so no lookup is needed. True if done."""
        if self.conn.execute("SELECT 1 FROM loans LIMIT 1").fetchone() is not None:
            return False
        indexes = self.conn.execute(
            "SELECT name, sql FROM sqlite_master"
            " WHERE type = 'index' AND tbl_name = 'loans' AND sql IS NOT NULL ORDER BY rowid"
        ).fetchall()
        for name, sql in indexes:
            self.conn.execute(f'DROP INDEX "{name}"')
            self._deferred_indexes.append(sql)
        self._fresh_loans = True
        return True

    # -- the import's own row and temporary tables -------------------------
    def start(self, kind: str, file_name: str, sha: str | None) -> int:
        """Record the import (counts filled in by :meth:`finish`); its id."""
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS seen_keys (id TEXT PRIMARY KEY, row_no INTEGER)"
        )
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS seen_customers"
            " (id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, row_no INTEGER NOT NULL)"
        )
        self.conn.execute("DELETE FROM temp.seen_keys")
        self.conn.execute("DELETE FROM temp.seen_customers")
        cursor = self.conn.execute(
            "INSERT INTO imports (kind, file_name, sha256, started_at, finished_at, as_of_day,"
            " added, updated, unchanged, rejected, skipped)"
            " VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0)",
            (kind, file_name, sha, self.stamp, self.stamp, self.as_of_day),
        )
        assert cursor.lastrowid is not None
        self.import_id = cursor.lastrowid
        return self.import_id

    def finish(self, added: int, updated: int, unchanged: int, rejected: int, skipped: int) -> None:
        self.conn.execute(
            "UPDATE imports SET finished_at = ?, added = ?, updated = ?, unchanged = ?,"
            " rejected = ?, skipped = ? WHERE import_id = ?",
            (now_stamp(), added, updated, unchanged, rejected, skipped, self.import_id),
        )
        # before the index builds: their memory is what peaks
        self.conn.execute("DROP TABLE IF EXISTS temp.seen_keys")
        self.conn.execute("DROP TABLE IF EXISTS temp.seen_customers")
        if self._deferred_indexes:
            # An index build sorts in memory up to the page cache's size, on top of
            # the cache itself: a smaller cache for the build keeps a 1,000,000-loan
            # import under 150 MB (measured: 182 MB with the large cache).
            self.conn.execute(f"PRAGMA cache_size = {-BUILD_CACHE_KIB}")
            for sql in self._deferred_indexes:
                self.conn.execute(sql)
            self.conn.execute(f"PRAGMA cache_size = {-LOAD_CACHE_KIB}")
        self._deferred_indexes = []

    def record_snapshot(self) -> None:
        """The book as of the as-of day (:mod:`retain.snapshots`), in this
        transaction. Its GROUP BY sorts up to the page cache's size on top of the
        cache, like an index build: with a small cache, so that a
        1,000,000-loan import's peak memory does not grow by the load cache."""
        from retain.snapshots import record

        assert self.import_id is not None, "start() first"
        self.conn.execute(f"PRAGMA cache_size = {-SNAPSHOT_CACHE_KIB}")
        try:
            record(self.conn, self.as_of_day, self.import_id)
        finally:
            self.conn.execute(f"PRAGMA cache_size = {-LOAD_CACHE_KIB}")

    def discard(self) -> None:
        """A dry run: undo everything so far (checked against the real store) and
        leave a transaction open for the caller to commit."""
        self.conn.execute("ROLLBACK")
        self.conn.execute("BEGIN")

    # -- what the file held so far, what the store holds ---------------------
    def mark_keys(self, keys: Mapping[str, int], first_row: int) -> dict[str, int]:
        """Remember the keys of a chunk (key → the row it first appears on in the
        chunk, every row of the chunk from ``first_row`` on); those that an
        earlier chunk already used → that chunk's row.

        One statement in the usual case (no key repeated across chunks): the
        insert skips keys already held, and only when it skipped some are they
        read back (their rows are older than this chunk's)."""
        if not keys:
            return {}
        # One JSON parameter: a chunk's thousands of keys cross into SQLite in C.
        encoded = json.dumps(keys)
        added = self.conn.execute(
            "INSERT INTO temp.seen_keys (id, row_no)"
            " SELECT key, CAST(value AS INTEGER) FROM json_each(?) WHERE true"
            " ON CONFLICT (id) DO NOTHING",
            (encoded,),
        ).rowcount
        if added == len(keys):
            return {}
        return dict(
            self.conn.execute(
                "SELECT id, row_no FROM temp.seen_keys"
                " WHERE id IN (SELECT key FROM json_each(?)) AND row_no < ?",
                (encoded, first_row),
            ).fetchall()
        )

    # -- customers a customers file rejected ----------------------------------
    def mark_rejected_customers(
        self, rows: Sequence[tuple[str, str, int, str, str | None]]
    ) -> None:
        """(customer id, file name, row, fields, rejects file) of rejected customers rows."""
        self.conn.executemany(
            "INSERT INTO rejected_customers (customer_id, file_name, row_no, field, rejects_file)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET"
            " file_name = excluded.file_name, row_no = excluded.row_no,"
            " field = excluded.field, rejects_file = excluded.rejects_file",
            rows,
        )

    def set_rejects_file(self, path: str) -> None:
        """The rejects file of this import, once it has its final name."""
        self.conn.execute(
            "UPDATE rejected_customers SET rejects_file = ? WHERE rejects_file = ''", (path,)
        )

    def clear_rejected_customers(self, ids: Sequence[str]) -> None:
        """Customers a file has now accepted are no longer "rejected"."""
        self.conn.executemany(
            "DELETE FROM rejected_customers WHERE customer_id = ?", [(i,) for i in ids]
        )

    def rejected_new_customers(self, ids: Sequence[str]) -> dict[str, tuple[str, int, str, str]]:
        """Of ``ids``, those not in the store that a customers file rejected:
        id → (file name, row, fields, rejects file)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {
            row[0]: (row[1], row[2], row[3], row[4] or "")
            for row in self.conn.execute(
                "SELECT customer_id, file_name, row_no, field, rejects_file"
                f" FROM rejected_customers WHERE customer_id IN ({marks})"
                " AND customer_id NOT IN (SELECT customer_id FROM customers)",
                list(ids),
            )
        }

    def seen_customers(self, ids: Sequence[str]) -> dict[str, tuple[str, int]]:
        """Customer id → (fingerprint, row number) of its first row in the file."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {
            row[0]: (row[1], row[2])
            for row in self.conn.execute(
                f"SELECT id, fingerprint, row_no FROM temp.seen_customers WHERE id IN ({marks})",
                list(ids),
            )
        }

    def mark_customers(self, marks: Iterable[tuple[str, str, int]]) -> None:
        """Remember (id, fingerprint, row number) of customers first met in this chunk."""
        self.conn.executemany(
            "INSERT INTO temp.seen_customers (id, fingerprint, row_no) VALUES (?, ?, ?)",
            list(marks),
        )

    def existing_loans(self, ids: Sequence[str]) -> set[str]:
        return self._select_in("SELECT loan_id FROM loans WHERE loan_id IN", ids)

    def existing_customers(self, ids: Sequence[str]) -> set[str]:
        return self._select_in("SELECT customer_id FROM customers WHERE customer_id IN", ids)

    def _select_in(self, sql: str, keys: Sequence[str]) -> set[str]:
        if not keys:
            return set()
        marks = ",".join("?" * len(keys))
        return {row[0] for row in self.conn.execute(f"{sql} ({marks})", list(keys))}

    # -- records → rows ------------------------------------------------------
    def customer_values(self, customer: CustomerRecord) -> Row:
        """The stored detail fields of a customer, in :attr:`customer_fields` order."""
        return self._customer_values(customer)

    def loan_values(self, loan: LoanRecord) -> Row:
        """The stored fields of a loan, in :attr:`loan_fields` order (day numbers included)."""
        record: Fields = loan
        values = self._loan_values(record)
        days = tuple(map(self._day, self._loan_dates(record)))  # type: ignore[arg-type]
        if not self._tracks_dpd:
            return values + days
        dpd = loan.get("days_past_due")
        # The spell's first day: the snapshot's day minus the days it reports.
        return (*values, *days, self.as_of_day - dpd + 1 if dpd else None)

    def _day(self, iso: str | None) -> int | None:
        """:func:`day_number`, remembered: a ledger holds a few thousand distinct dates."""
        days = self._days
        if iso in days:
            return days[iso]
        number = days[iso] = day_number(iso)
        return number

    # -- upserts ------------------------------------------------------------
    def save_customers(self, rows: Sequence[tuple[str, Row]]) -> Saved:
        """Upsert (customer_id, detail values) pairs."""
        fields = self.customer_fields
        return self._upsert("customers", "customer_id", fields, fields, rows)

    def save_guarantors(self, guarantors: Sequence[GuarantorRecord]) -> Saved:
        """Upsert guarantors by their key (loan and ID number, or loan and name)."""
        fields = self.guarantor_fields
        pick = self._guarantor_values
        rows = [(g["guarantor_key"], pick(cast(Fields, g))) for g in guarantors]
        return self._upsert("guarantors", "guarantor_key", fields, fields, rows)

    def save_holdings(self, holdings: Sequence[HoldingRecord]) -> Saved:
        """Upsert holdings by their key (product and account, or customer, product
        and opening day)."""
        fields = self.holding_fields
        columns = [HOLDING_COLUMNS.get(f, f) for f in fields]
        pick = self._holding_values
        dated = self._holding_dated
        rows = []
        for holding in holdings:
            record = cast(Fields, holding)
            days = tuple(self._day(cast("str | None", record[f])) for f in dated)
            rows.append((holding["holding_key"], (*pick(record), *days)))
        return self._upsert("holdings", "holding_key", fields, columns, rows)

    def row_digests(self, keys: Sequence[str]) -> dict[str, str]:
        """Loan id → its stored ``row_digest`` (``<digest>/<day>``), for those of
        ``keys`` that have one (and perhaps a few other loans: look keys up).

        Core systems export in id order, so a chunk's keys usually span a narrow
        range of the primary key: one range scan reads them (about half the cost
        of looking each up). When the range holds many more loans than the
        chunk (an export in another order), the keys are looked up one by one,
        and so are the next chunks'."""
        if not keys or self._fresh_loans:
            return {}
        if self._digests_by_range:
            limit = 2 * len(keys)
            found = self.conn.execute(
                "SELECT loan_id, row_digest FROM loans"
                " WHERE loan_id BETWEEN ? AND ? AND row_digest IS NOT NULL LIMIT ?",
                (min(keys), max(keys), limit + 1),
            ).fetchall()
            if len(found) <= limit:
                return dict(found)
            self._digests_by_range = False
        # One JSON parameter: a chunk's thousands of keys cross into SQLite in C.
        return dict(
            self.conn.execute(
                "SELECT loan_id, row_digest FROM loans"
                " WHERE loan_id IN (SELECT value FROM json_each(?)) AND row_digest IS NOT NULL",
                (json.dumps(keys),),
            ).fetchall()
        )

    def save_loans(
        self, loans: Sequence[LoanRecord], digests: Mapping[str, str] | None = None
    ) -> Saved:
        """Upsert loans; ``digests`` (loan id → its row's digest) are stored with
        them, on unchanged loans too (see :mod:`retain.importing.digest`)."""
        fields = self.loan_fields
        columns = [LOAN_COLUMNS.get(f, f) for f in fields]
        rows = [(loan["loan_id"], self.loan_values(loan)) for loan in loans]
        keep = self._same_snapshot if self._tracks_dpd else None
        # A loan with a repayment schedule takes its overdue spell and its next
        # instalment from it, not from the loans file's 逾期天数 or 下次还款日
        # (README, "Repayment schedules").
        owned = [i for i, f in enumerate(fields) if f in SCHEDULE_OWNED]
        if self._tracks_dpd:
            owned += [self._dpd_at, len(fields) - 1]  # days past due, overdue_since_day
        scheduled: set[str] = (
            set() if self._fresh_loans or not owned else self._scheduled([k for k, _ in rows])
        )
        if self._fresh_loans:  # the table was empty and the file's ids are distinct
            keep = None
        if scheduled:
            snapshot = keep

            def keep(key: object, old: Row, new: Row) -> Row:
                if key in scheduled:
                    return tuple(old[i] if i in owned else v for i, v in enumerate(new))
                return snapshot(key, old, new) if snapshot is not None else new

        # A new loan remembers the day it was first imported (its post-loan
        # checks start after it when it arrives long after its disbursement).
        first_seen = {"first_seen_day": self.as_of_day}
        return self._upsert(
            "loans",
            "loan_id",
            fields,
            columns,
            rows,
            keep=keep,
            on_insert=first_seen,
            digests=digests,
        )

    def _scheduled(self, keys: Sequence[str]) -> set[str]:
        """Those of ``keys`` that have a repayment schedule in the store."""
        return self._select_in("SELECT DISTINCT loan_id FROM instalments WHERE loan_id IN", keys)

    def _same_snapshot(self, key: object, old: Row, new: Row) -> Row:
        """A loan reported with the days past due it already has is the same
        snapshot (the same file again, on any day): its spell keeps its start, so
        nothing changes and its reminders keep their ids."""
        at = self._dpd_at
        if old[at] == new[at] and old[-1] is not None and new[-1] is not None:
            return (*new[:-1], old[-1])
        return new

    def _upsert(
        self,
        table: str,
        key: str,
        fields: Sequence[str],
        cols: Sequence[str],
        rows: Sequence[tuple[str, Row]],
        *,
        keep: Callable[[object, Row, Row], Row] | None = None,
        on_insert: Mapping[str, object] | None = None,
        digests: Mapping[str, str] | None = None,
    ) -> Saved:
        """Insert new keys, update changed ones (with their audit rows). ``keep``
        may carry over stored values that the file restates unchanged;
        ``on_insert`` gives columns written only when a key is new."""
        if not rows:
            return Saved()
        # The row digests ride as one more column, outside the comparison and the audit.
        digested = digests is not None
        read = (*cols, "row_digest") if digested else tuple(cols)
        existing: dict[object, Row] = {}
        if not (table == "loans" and self._fresh_loans):
            keys = [k for k, _ in rows]
            marks = ",".join("?" * len(keys))
            existing = {
                record[0]: record[1:]
                for record in self.conn.execute(
                    f"SELECT {key}, {', '.join(read)} FROM {table} WHERE {key} IN ({marks})", keys
                )
            }
        extra = dict(on_insert or {})
        extra_values = tuple(extra.values())
        inserts = []
        # by the columns they change: an UPDATE rewrites the entries of every
        # index on a column it sets, so a changed balance sets the balance only
        updates: dict[tuple[int, ...], list[Row]] = {}
        updated: set[object] = set()
        restamps: list[tuple[object, str]] = []
        audit: list[Row] = []
        for k, new in rows:
            old = existing.get(k)
            tail: tuple[object, ...] = ()
            if digested:
                assert digests is not None
                digest = digests.get(k)
                tail = (digest,)
                if old is not None:
                    stored, old = old[-1], old[:-1]
                    if digest is not None and stored != digest:
                        restamps.append((digest, k))
            if old is not None and keep is not None:
                new = keep(k, old, new)
            if old is None:
                inserts.append((k, *new, *extra_values, *tail, self.stamp, self.stamp))
            elif tuple(old) != new:
                changed = tuple(i for i, (o, n) in enumerate(zip(old, new, strict=True)) if o != n)
                updates.setdefault(changed, []).append(
                    (*(new[i] for i in changed), *tail, self.stamp, k)
                )
                updated.add(k)
                audit.extend(
                    (self.import_id, table, k, fields[i], _audit_text(old[i]), _audit_text(new[i]))
                    for i in changed
                )
        if digested:
            extra["row_digest"] = None
        if inserts:
            placeholders = ",".join("?" * (len(cols) + len(extra) + 3))
            written = ", ".join((*cols, *extra))
            self.conn.executemany(
                f"INSERT INTO {table} ({key}, {written}, created_at, updated_at)"
                f" VALUES ({placeholders})",
                inserts,
            )
        for changed, params in updates.items():
            assignments = ", ".join(
                f"{c} = ?" for c in (*(cols[i] for i in changed), *read[len(cols) :])
            )
            self.conn.executemany(
                f"UPDATE {table} SET {assignments}, updated_at = ? WHERE {key} = ?", params
            )
        if audit:
            self.conn.executemany(
                "INSERT INTO changes (import_id, entity, entity_id, field, old_value, new_value)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                audit,
            )
        if restamps and updated:
            restamps = [r for r in restamps if r[1] not in updated]
        if restamps:
            # unchanged loans learn their row's digest: the next import skips them
            self.conn.executemany(f"UPDATE {table} SET row_digest = ? WHERE {key} = ?", restamps)
        return Saved(len(inserts), len(updated))


def _audit_text(value: object) -> str | None:
    return None if value is None else str(value)
