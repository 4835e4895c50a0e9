"""A repayment schedule's rows, checked a column at a time, and its SQL:
instalments in bulk, then each loan's next due instalment and overdue spell,
set-based.

A chunk of rows is checked a column at a time: each column's distinct cells
go through their field's check once (a schedule repeats a loan's amounts on
its twelve rows and its dates across loans), the rest is list lookups. A row
with any fault takes :func:`~retain.importing.validate.validate_instalment`,
which gives it the very rejection a row-by-row check gives. Rows are staged
in a temporary table keyed by loan and period with their row numbers (one
``executemany`` per chunk), which also tells a repeated pair from earlier
chunks; :meth:`ScheduleWriter.settle` then compares the whole stage with the
store in a few statements: inserts, updates (with their audit rows) and the
loans' derived columns. Into an empty ``instalments`` table there is nothing
to compare with: the rows go straight in, its index is built after, and a
repeat from an earlier chunk is found in the table itself (the row it repeats
by reading the input again, :meth:`ScheduleWriter._first_rows`).

What a schedule decides for its loans (README, "Repayment schedules"):

- ``next_due_*``: the earliest instalment not fully paid (``paid_fen <
  principal_fen + interest_fen``) that falls due on or after the as-of day;
  ``next_due_fen`` is what is still owed on it.
- The overdue spell (Fineract's days in arrears): it begins the day after the
  oldest unpaid instalment that fell due before the as-of day
  (``overdue_since_day``), even before maturity; ``days_past_due`` is the
  snapshot of the as-of day, kept as it is while the spell's start stays put
  (so that re-importing the same schedule changes nothing). A loan with no
  such instalment is not overdue (0 days, no spell).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from retain.days import day_number
from retain.i18n import Text, msg
from retain.importing.normalise import Invalid, norm_id
from retain.importing.read import Batch, Record, RecordReader
from retain.importing.upsert import BUILD_CACHE_KIB, LOAD_CACHE_KIB, Saved, now_stamp
from retain.importing.validate import Check, Rejected, Rules, validate_instalment

#: How a rejected row is reported: (its record, the fields at fault, why).
Reject = Callable[[Record, str, Text], None]
#: The same file's records once more, from its first row (see ScheduleWriter._first_rows).
Reread = Callable[[], AbstractContextManager[RecordReader]]

# A cell its field's check refused (or a value outside the row rules' range).
_BAD: object = object()
_NONE_TYPE = type(None)
_FIELDS = ("loan_id", "period", "due_on", "principal_due", "interest_due", "paid_on", "paid_amount")


def _unpaid(alias: str) -> str:
    """An instalment not fully paid."""
    return f"COALESCE({alias}.paid_fen, 0) < {alias}.principal_fen + {alias}.interest_fen"


# Compared and audited, by their names in files; the day numbers follow their dates.
_AUDITED = (
    ("due_on", "due_on"),
    ("principal_due", "principal_fen"),
    ("interest_due", "interest_fen"),
    ("paid_on", "paid_on"),
    ("paid_amount", "paid_fen"),
)
_COLUMNS = (
    "loan_id",
    "period",
    "due_on",
    "due_day",
    "principal_fen",
    "interest_fen",
    "paid_on",
    "paid_day",
    "paid_fen",
)
# The loans' columns a schedule decides.
_DERIVED = (
    "next_due_on",
    "next_due_day",
    "next_due_fen",
    "next_due_period",
    "overdue_since_day",
    "days_past_due",
)
_DERIVED_WORD = re.compile(r"\b(?:" + "|".join(_DERIVED) + r")\b", re.IGNORECASE)
# The loans indexes holding those columns are built again rather than updated
# when at least this many loans change, and at least 1/REBUILD_SHARE of them.
REBUILD_MIN_LOANS = 20_000
REBUILD_SHARE = 4


@dataclass(frozen=True)
class Settled:
    """What a schedule import did: instalments added and updated, loans changed."""

    saved: Saved
    loans_changed: int


TABLE_LIMIT = 8192  # cells remembered per column (then it starts afresh): memory stays flat


def _column(
    cells: list[object],
    check: Check,
    ok: Callable[[object], bool] | None,
    table: dict[object, object],
) -> list[object]:
    """``check`` of each cell (``_BAD`` where it fails or ``ok`` refuses the value):
    text and blank cells once per distinct cell of the file (``table`` keeps them
    from chunk to chunk: dates recur across loans), any other cell on its own."""
    if set(map(type, cells)) <= {str, _NONE_TYPE}:
        new = set(cells).difference(table)
        if len(table) + len(new) > TABLE_LIMIT:
            table.clear()
            new = set(cells)
        for cell in new:
            table[cell] = _checked(cell, check, ok)
        return list(map(table.__getitem__, cells))
    # a workbook's numbers and dates: 1 == 1.0 == True, so no table keyed by cells
    return [_checked(cell, check, ok) for cell in cells]


def _checked(cell: object, check: Check, ok: Callable[[object], bool] | None) -> object:
    """One cell's checked value, or ``_BAD``."""
    try:
        value = check(cell)
    except Invalid:
        return _BAD
    return _BAD if ok is not None and not ok(value) else value


class ScheduleWriter:
    """One schedule file's writes, within the caller's transaction."""

    def __init__(
        self, conn: sqlite3.Connection, *, import_id: int, as_of_day: int, reread: Reread
    ) -> None:
        self.conn = conn
        self.import_id = import_id
        self.as_of_day = as_of_day
        self.stamp = now_stamp()
        self._reread = reread
        self._days: dict[object, int | None] = {None: None, _BAD: None}
        # each column's checked cells (a file's rules are fixed: pure checks)
        self._tables: tuple[dict[object, object], ...] = tuple({} for _ in _FIELDS)
        # Into an empty table: no comparison, no audit, the rows written straight
        # in (its secondary indexes built after, one sorted build each).
        self.fresh = conn.execute("SELECT 1 FROM instalments LIMIT 1").fetchone() is None
        self._deferred: list[str] = self._drop_instalment_indexes() if self.fresh else []
        self.staged = 0
        self._unstaged = 0  # keyed rows the file had that were not staged (rejected)
        self._rules: Rules | None = None
        self._chunk_rows = 1
        conn.execute("DROP TABLE IF EXISTS temp.sched_in")
        conn.execute("DROP TABLE IF EXISTS temp.sched_seen")
        if not self.fresh:
            # row_no: the row each staged pair came from, for a later repeat's rejection
            conn.execute(
                "CREATE TEMP TABLE sched_in (loan_id TEXT NOT NULL, period INTEGER NOT NULL,"
                " due_on TEXT NOT NULL, due_day INTEGER NOT NULL,"
                " principal_fen INTEGER NOT NULL, interest_fen INTEGER NOT NULL, paid_on TEXT,"
                " paid_day INTEGER, paid_fen INTEGER, row_no INTEGER NOT NULL,"
                " PRIMARY KEY (loan_id, period)) WITHOUT ROWID"
            )
        # the pairs of rejected rows: a later row repeating one is a repeat, not new
        conn.execute(
            "CREATE TEMP TABLE sched_seen (loan_id TEXT NOT NULL, period INTEGER NOT NULL,"
            " row_no INTEGER NOT NULL, PRIMARY KEY (loan_id, period)) WITHOUT ROWID"
        )

    # -- rows ------------------------------------------------------------------
    def load(
        self,
        records: RecordReader,
        rules: Rules,
        reject: Reject,
        chunk_rows: int,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Check and stage every record, ``chunk_rows`` at a time; the rows staged.

        What a row-by-row check does, in its order: in each chunk a repeated
        (loan, period) pair is rejected (the first wins, even a faulty one), then
        each faulty row, in row order; then the rows whose loan is not in the
        store."""
        done = 0
        self._rules, self._chunk_rows = rules, chunk_rows
        # (The collector's young generation is the CLI's, retain.cli.YOUNG_GENERATION:
        # a chunk's lists die before a collection looks at them.)
        for chunk in records.batches(chunk_rows):
            self._take(chunk, rules, reject)
            done += len(chunk)
            if progress is not None:
                progress(done)
        return self.staged

    def _day(self, cells: list[object]) -> list[int | None]:
        days = self._days
        for iso in set(cells).difference(days):
            days[iso] = day_number(iso)  # type: ignore[arg-type]
        return list(map(days.__getitem__, cells))

    def _take(self, chunk: Batch, rules: Rules, reject: Reject) -> None:
        cells = [chunk.column(name) for name in _FIELDS]
        period_c, due_c, principal_c, interest_c, paid_on_c, paid_c = rules.schedule_fns
        earliest, today = rules.earliest_iso, rules.today_iso
        tables = self._tables
        loan = _column(cells[0], norm_id, None, tables[0])
        period = _column(cells[1], period_c, None, tables[1])
        due = _column(cells[2], due_c, lambda d: d >= earliest, tables[2])  # type: ignore[operator]
        principal = _column(cells[3], principal_c, None, tables[3])
        interest = _column(cells[4], interest_c, None, tables[4])
        paid_on = _column(
            cells[5],
            paid_on_c,
            lambda d: d is None or earliest <= d <= today,  # type: ignore[operator]
            tables[5],
        )
        paid = _column(cells[6], paid_c, None, tables[6])
        columns = (loan, period, due, principal, interest, paid_on, paid)
        bad: set[int] = set()
        for column in columns:
            if _BAD in column:
                bad.update(i for i, value in enumerate(column) if value is _BAD)
        # paid_on and paid_amount: both or neither
        if [v is None for v in paid_on] != [v is None for v in paid]:
            pairs = zip(paid_on, paid, strict=True)
            bad.update(i for i, (a, b) in enumerate(pairs) if (a is None) != (b is None))
        row_nos = chunk.row_nos
        # Into an empty table a row ends with its import, into the stage with its row.
        tail = ([self.import_id] * len(row_nos),) if self.fresh else (row_nos,)
        keys: list[tuple[object, object] | None] = list(zip(loan, period, strict=True))
        if bad:
            for i in bad:
                if loan[i] is _BAD or period[i] is _BAD:
                    keys[i] = None
        rows: list[tuple[object, ...]] = list(
            zip(
                loan,
                period,
                due,
                self._day(due),
                principal,
                interest,
                paid_on,
                self._day(paid_on),
                paid,
                *tail,
                strict=True,
            )
        )
        keyed = loan if not bad else [k[0] for k in keys if k is not None]
        loans = list(dict.fromkeys(keyed))
        earlier = self._earlier(loans, keys)
        good: list[int] = []
        seen: list[tuple[object, object, int]] = []  # keyed rows rejected
        if not bad and not earlier and len(set(keys)) == len(keys):
            good = list(range(len(chunk)))
        else:
            local: dict[tuple[object, object], int] = {}
            for i, key in enumerate(keys):
                if key is not None:
                    first = earlier.get(key) or local.get(key)
                    if first is not None:
                        reject(
                            chunk.record(i),
                            "period",
                            msg(
                                "reject.duplicate",
                                field=msg("import.field.loan_period"),
                                row=first,
                            ),
                        )
                        continue
                    local[key] = row_nos[i]
                if i in bad:
                    record = chunk.record(i)
                    result = validate_instalment(record.values, rules)
                    if isinstance(result, Rejected):
                        reject(record, result.fields, result.reason)
                        if key is not None:
                            seen.append((*key, row_nos[i]))
                        continue
                    # (not reached: the columns refuse only what the rules refuse)
                    loan_id, number, due_on, principal_fen, interest_fen, paid_iso, paid_fen = (
                        result
                    )
                    rows[i] = (
                        loan_id,
                        number,
                        due_on,
                        day_number(due_on),
                        principal_fen,
                        interest_fen,
                        paid_iso,
                        day_number(paid_iso),
                        paid_fen,
                        *(column[i] for column in tail),
                    )
                good.append(i)
        found = self._existing_loans(loans)
        kept: list[tuple[object, ...]] = []
        if len(found) == len(loans):
            kept = rows if len(good) == len(rows) else [rows[i] for i in good]
        else:
            for i in good:
                row = rows[i]
                if row[0] in found:
                    kept.append(row)
                else:
                    reject(chunk.record(i), "loan_id", msg("reject.no_loan", loan=row[0]))
                    seen.append((row[0], row[1], row_nos[i]))
        if seen:
            self.conn.executemany("INSERT INTO temp.sched_seen VALUES (?, ?, ?)", seen)
            self._unstaged += len(seen)
        if self.fresh:
            self.conn.executemany(
                f"INSERT INTO instalments ({', '.join(_COLUMNS)}, import_id)"
                f" VALUES ({', '.join('?' * (len(_COLUMNS) + 1))})",
                kept,
            )
        else:
            self.conn.executemany(
                "INSERT INTO temp.sched_in VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", kept
            )
        self.staged += len(kept)

    def _earlier(
        self, loans: list[object], keys: list[tuple[object, object] | None]
    ) -> dict[tuple[object, object], int]:
        """The pairs of ``keys`` that earlier chunks had → the row each came from."""
        if not loans or (not self.staged and not self._unstaged):
            return {}
        wanted = set(keys)
        marks = ",".join("?" * len(loans))
        found: dict[tuple[object, object], int] = {}
        if self.fresh:
            # The rows written so far are in the table, without their row numbers.
            stored = {
                (loan_id, period)
                for loan_id, period in self.conn.execute(
                    f"SELECT loan_id, period FROM instalments WHERE loan_id IN ({marks})", loans
                )
            }
            if repeated := stored & wanted:
                found.update(self._first_rows(repeated))
        tables = (["temp.sched_seen"] if self._unstaged else []) + (
            [] if self.fresh else ["temp.sched_in"]
        )
        for table in tables:
            for loan_id, period, row_no in self.conn.execute(
                f"SELECT loan_id, period, row_no FROM {table} WHERE loan_id IN ({marks})", loans
            ):
                if (loan_id, period) in wanted:
                    found[(loan_id, period)] = row_no
        return found

    def _first_rows(self, keys: set[tuple[object, object]]) -> dict[tuple[object, object], int]:
        """The row each of ``keys`` (pairs written from earlier chunks) came from,
        read from the file again: a repeat across chunks is rare, and remembering
        every row's number would cost a stage of the whole file (12,000,000 rows:
        about 5 s). The first row holding a pair is the one written: an earlier
        one rejected would have kept the pair out."""
        assert self._rules is not None
        period_check = self._rules.schedule_fns[0]
        found: dict[tuple[object, object], int] = {}
        with self._reread() as records:
            for chunk in records.batches(self._chunk_rows):
                loans = _column(chunk.column("loan_id"), norm_id, None, self._tables[0])
                periods = _column(chunk.column("period"), period_check, None, self._tables[1])
                pairs = zip(zip(loans, periods, strict=True), chunk.row_nos, strict=True)
                for key, row_no in pairs:
                    if key in keys and key not in found:
                        found[key] = row_no
                if len(found) == len(keys):
                    break
        return found

    def _existing_loans(self, ids: list[object]) -> set[object]:
        """Those of ``ids`` that are loans in the store."""
        if not ids:
            return set()
        marks = ",".join("?" * len(ids))
        return {
            row[0]
            for row in self.conn.execute(
                f"SELECT loan_id FROM loans WHERE loan_id IN ({marks})", ids
            )
        }

    # -- writes ----------------------------------------------------------------
    def settle(self) -> Settled:
        """Write the staged rows (added / updated, audited) and the loans' derived columns."""
        saved = self._index_fresh() if self.fresh else self._upsert()
        changed = self._derive()
        # The stage is left to the connection's end (or the next schedule's start,
        # which drops it): dropping it frees its pages one by one, seconds for
        # millions of rows, while closing the connection deletes its file at once.
        return Settled(saved, changed)

    def _drop_instalment_indexes(self) -> list[str]:
        """Drop the instalments' secondary indexes; their definitions, in order."""
        found = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
            " AND tbl_name = 'instalments' AND sql IS NOT NULL ORDER BY rowid"
        ).fetchall()
        for name, _ in found:
            self.conn.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in found]

    def _index_fresh(self) -> Saved:
        """Into an empty table: its secondary indexes, one sorted build each (not
        one index insert per row)."""
        self._build(self._deferred)
        return Saved(self.staged, 0)

    def _upsert(self) -> Saved:
        conn = self.conn
        differs = " OR ".join(f"i.{column} IS NOT s.{column}" for _, column in _AUDITED)
        conn.execute("DROP TABLE IF EXISTS temp.sched_changed")
        conn.execute(
            "CREATE TEMP TABLE sched_changed AS SELECT s.*,"
            + ", ".join(f" i.{column} AS old_{column}" for _, column in _AUDITED)
            + " FROM temp.sched_in s JOIN instalments i"
            " ON i.loan_id = s.loan_id AND i.period = s.period"
            f" WHERE {differs}"
        )
        # Explicit casts: SQLite's TEXT columns convert each value themselves, but
        # PostgreSQL types each branch of the UNION and refuses text beside bigint.
        audit = " UNION ALL ".join(
            f"SELECT :id, 'instalments', loan_id || '/' || period, '{name}',"
            f" CAST(old_{column} AS TEXT), CAST({column} AS TEXT)"
            f" FROM temp.sched_changed WHERE old_{column} IS NOT {column}"
            for name, column in _AUDITED
        )
        conn.execute(
            "INSERT INTO changes (import_id, entity, entity_id, field, old_value, new_value)"
            f" {audit}",
            {"id": self.import_id},
        )
        assignments = ", ".join(f"{c} = c.{c}" for c in _COLUMNS[2:])
        updated = conn.execute(
            f"UPDATE instalments SET {assignments}, import_id = :id"
            " FROM temp.sched_changed c"
            " WHERE instalments.loan_id = c.loan_id AND instalments.period = c.period",
            {"id": self.import_id},
        ).rowcount
        added = conn.execute(
            f"INSERT INTO instalments ({', '.join(_COLUMNS)}, import_id)"
            f" SELECT {', '.join('s.' + c for c in _COLUMNS)}, :id"
            " FROM temp.sched_in s WHERE NOT EXISTS (SELECT 1 FROM instalments i"
            " WHERE i.loan_id = s.loan_id AND i.period = s.period)",
            {"id": self.import_id},
        ).rowcount
        conn.execute("DROP TABLE temp.sched_changed")
        return Saved(added, updated)

    def _drop_derived_indexes(self) -> list[str]:
        """Drop the loans indexes that hold a column a schedule decides; their
        definitions, in the order they were made."""
        found = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
            " AND tbl_name = 'loans' AND sql IS NOT NULL ORDER BY rowid"
        ).fetchall()
        dropped: list[str] = []
        for name, sql in found:
            if _DERIVED_WORD.search(sql):
                self.conn.execute(f'DROP INDEX "{name}"')
                dropped.append(sql)
        return dropped

    def _build(self, indexes: list[str]) -> None:
        """Build dropped indexes with a small page cache: a build sorts in memory
        up to the cache's size, on top of the cache itself (as
        :meth:`~retain.importing.upsert.ImportWriter.finish` does)."""
        self.conn.execute(f"PRAGMA cache_size = {-BUILD_CACHE_KIB}")
        try:
            for sql in indexes:
                self.conn.execute(sql)
        finally:
            self.conn.execute(f"PRAGMA cache_size = {-LOAD_CACHE_KIB}")

    def _derive(self) -> int:
        """Each loan of the file: its next unpaid instalment and its overdue spell."""
        conn = self.conn
        # An empty table before this file: every loan in it is the file's. Else the
        # file's loans, each sought in the instalments' key.
        touched = "" if self.fresh else "WHERE i.loan_id IN (SELECT loan_id FROM temp.sched_in)"
        conn.execute("DROP TABLE IF EXISTS temp.sched_loans")
        # One pass over each loan's instalments in key order (a GROUP BY, no sort)
        # finds the two days; the next instalment's period is then sought among
        # the few unpaid on its day (lowest period first): no ordered subquery,
        # and its sorter, per loan.
        conn.execute(
            f"""
            CREATE TEMP TABLE sched_loans AS
            WITH days AS (
                SELECT i.loan_id,
                    MIN(CASE WHEN {_unpaid("i")} AND i.due_day < :a THEN i.due_day END)
                        AS late_day,
                    MIN(CASE WHEN {_unpaid("i")} AND i.due_day >= :a THEN i.due_day END)
                        AS next_day
                FROM instalments i {touched} GROUP BY i.loan_id
            ),
            found AS (
                SELECT d.loan_id, d.late_day, CASE WHEN d.next_day IS NOT NULL THEN
                    (SELECT MIN(p.period) FROM instalments p WHERE p.loan_id = d.loan_id
                        AND p.due_day = d.next_day AND {_unpaid("p")}) END AS next_period
                FROM days d
            )
            SELECT f.loan_id, n.due_on AS next_due_on, n.due_day AS next_due_day,
                n.principal_fen + n.interest_fen - COALESCE(n.paid_fen, 0) AS next_due_fen,
                f.next_period AS next_due_period,
                f.late_day + 1 AS overdue_since_day,
                -- the as-of day's snapshot, kept while the spell's start stays put
                CASE WHEN f.late_day IS NULL THEN 0
                    WHEN l.overdue_since_day = f.late_day + 1 AND l.days_past_due > 0
                        THEN l.days_past_due
                    ELSE :a - f.late_day END AS days_past_due
            FROM found f JOIN loans l ON l.loan_id = f.loan_id
            LEFT JOIN instalments n ON n.loan_id = f.loan_id AND n.period = f.next_period
            """,
            {"a": self.as_of_day},
        )
        conn.execute("DROP TABLE IF EXISTS temp.loans_changed")
        differs = " OR ".join(f"l.{c} IS NOT s.{c}" for c in _DERIVED)
        conn.execute(
            "CREATE TEMP TABLE loans_changed AS SELECT s.*,"
            + ", ".join(f" l.{c} AS old_{c}" for c in _DERIVED)
            + f" FROM temp.sched_loans s JOIN loans l ON l.loan_id = s.loan_id WHERE {differs}"
        )

        # A loan's audit rows together, in the loans' order: the audit trail's
        # index on (entity, entity_id) is swept once, not once per column.
        def each(value: str) -> str:
            cases = " ".join(f"WHEN {i} THEN {value.format(c=c)}" for i, c in enumerate(_DERIVED))
            return f"CASE f.column1 {cases} END"

        fields = ", ".join(f"({i}, '{c}')" for i, c in enumerate(_DERIVED))
        conn.execute(
            "INSERT INTO changes (import_id, entity, entity_id, field, old_value, new_value)"
            f" SELECT :id, 'loans', s.loan_id, f.column2, {each('CAST(s.old_{c} AS TEXT)')},"
            f" {each('CAST(s.{c} AS TEXT)')}"
            f" FROM temp.loans_changed s CROSS JOIN (VALUES {fields}) f"
            " WHERE "
            + " OR ".join(
                f"(f.column1 = {i} AND s.old_{c} IS NOT s.{c})" for i, c in enumerate(_DERIVED)
            ),
            {"id": self.import_id},
        )
        changed: int = conn.execute("SELECT count(*) FROM temp.loans_changed").fetchone()[0]
        # Many loans changed (a first schedule for a book): the loans indexes
        # holding these columns are dropped and built again after the updates,
        # one sorted build each, instead of a delete and an insert per loan at
        # random places of indexes larger than the page cache.
        rebuilt: list[str] = []
        if changed >= REBUILD_MIN_LOANS:
            total: int = conn.execute("SELECT count(*) FROM loans").fetchone()[0]
            if changed * REBUILD_SHARE >= total:
                rebuilt = self._drop_derived_indexes()
        # A column set, even to its own value, rewrites every index holding it:
        # the spell's columns sit in two wide indexes of loans, and most loans
        # that change their next instalment keep their spell. So each group is
        # set only on the loans where it changed; with those indexes dropped, a
        # loan's row is written once, all its columns at a time.
        groups = (_DERIVED,) if rebuilt else (_DERIVED[:4], _DERIVED[4:])
        for group in groups:
            assignments = ", ".join(f"{c} = s.{c}" for c in group)
            differs = " OR ".join(f"s.old_{c} IS NOT s.{c}" for c in group)
            conn.execute(
                f"UPDATE loans SET {assignments}, updated_at = :stamp FROM temp.loans_changed s"
                f" WHERE loans.loan_id = s.loan_id AND ({differs})",
                {"stamp": self.stamp},
            )
        if rebuilt:
            self._build(rebuilt)
        conn.execute("DROP TABLE temp.loans_changed")
        conn.execute("DROP TABLE temp.sched_loans")
        return changed
