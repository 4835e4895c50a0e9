"""A repayment schedule's SQL: instalments in bulk, then each loan's next due
instalment and overdue spell, set-based.

Rows of a file are staged in a temporary table (one ``executemany`` per chunk,
no per-row lookup in Python); :meth:`ScheduleWriter.settle` then compares the
whole stage with the store in a few statements: inserts, updates (with their
audit rows) and the loans' derived columns. Into an empty ``instalments``
table the rows go straight in: there is nothing to compare with.

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

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from retain.days import day_number
from retain.importing.upsert import Saved, now_stamp
from retain.importing.validate import Instalment

_UNPAID = "COALESCE(i.paid_fen, 0) < i.principal_fen + i.interest_fen"

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


@dataclass(frozen=True)
class Settled:
    """What a schedule import did: instalments added and updated, loans changed."""

    saved: Saved
    loans_changed: int


class ScheduleWriter:
    """One schedule file's writes, within the caller's transaction."""

    def __init__(self, conn: sqlite3.Connection, *, import_id: int, as_of_day: int) -> None:
        self.conn = conn
        self.import_id = import_id
        self.as_of_day = as_of_day
        self.stamp = now_stamp()
        self._days: dict[str | None, int | None] = {None: None}
        # Into an empty table: no comparison, no audit, straight in.
        self.fresh = conn.execute("SELECT 1 FROM instalments LIMIT 1").fetchone() is None
        self._deferred: list[str] = []
        if self.fresh:
            # one sorted build per secondary index at the end, not one insert per row
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name = 'instalments' AND sql IS NOT NULL ORDER BY rowid"
            ).fetchall():
                conn.execute(f'DROP INDEX "{name}"')
                self._deferred.append(sql)
        self.added = 0
        conn.execute("DROP TABLE IF EXISTS temp.sched_in")
        conn.execute(
            "CREATE TEMP TABLE sched_in (loan_id TEXT NOT NULL, period INTEGER NOT NULL,"
            " due_on TEXT NOT NULL, due_day INTEGER NOT NULL, principal_fen INTEGER NOT NULL,"
            " interest_fen INTEGER NOT NULL, paid_on TEXT, paid_day INTEGER, paid_fen INTEGER,"
            " PRIMARY KEY (loan_id, period)) WITHOUT ROWID"
        )

    def existing_loans(self, ids: Sequence[str]) -> set[str]:
        """Those of ``ids`` that are loans in the store."""
        if not ids:
            return set()
        marks = ",".join("?" * len(ids))
        return {
            row[0]
            for row in self.conn.execute(
                f"SELECT loan_id FROM loans WHERE loan_id IN ({marks})", list(ids)
            )
        }

    def _day(self, iso: str | None) -> int | None:
        days = self._days
        if iso in days:
            return days[iso]
        number = days[iso] = day_number(iso)
        return number

    def add(self, rows: Sequence[Instalment]) -> None:
        """Stage (or, into an empty table, insert) one chunk of valid, distinct rows."""
        if not rows:
            return
        day = self._day
        values = [
            (loan, period, due, day(due), principal, interest, paid_on, day(paid_on), paid)
            for loan, period, due, principal, interest, paid_on, paid in rows
        ]
        if self.fresh:
            stamp = self.stamp
            self.conn.executemany(
                f"INSERT INTO instalments ({', '.join(_COLUMNS)}, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(*v, stamp, stamp) for v in values],
            )
            self.added += len(values)
            return
        self.conn.executemany(
            "INSERT INTO temp.sched_in VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values
        )

    def settle(self) -> Settled:
        """Write the staged rows (added / updated, audited) and the loans' derived columns."""
        saved = Saved(self.added, 0) if self.fresh else self._upsert()
        for sql in self._deferred:
            self.conn.execute(sql)
        self._deferred = []
        changed = self._derive()
        self.conn.execute("DROP TABLE IF EXISTS temp.sched_in")
        return Settled(saved, changed)

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
        audit = " UNION ALL ".join(
            f"SELECT :id, 'instalments', loan_id || '/' || period, '{name}',"
            f" old_{column}, {column} FROM temp.sched_changed WHERE old_{column} IS NOT {column}"
            for name, column in _AUDITED
        )
        conn.execute(
            "INSERT INTO changes (import_id, entity, entity_id, field, old_value, new_value)"
            f" {audit}",
            {"id": self.import_id},
        )
        assignments = ", ".join(f"{c} = c.{c}" for c in _COLUMNS[2:])
        updated = conn.execute(
            f"UPDATE instalments SET {assignments}, updated_at = :stamp"
            " FROM temp.sched_changed c"
            " WHERE instalments.loan_id = c.loan_id AND instalments.period = c.period",
            {"stamp": self.stamp},
        ).rowcount
        added = conn.execute(
            f"INSERT INTO instalments ({', '.join(_COLUMNS)}, created_at, updated_at)"
            f" SELECT {', '.join('s.' + c for c in _COLUMNS)}, :stamp, :stamp"
            " FROM temp.sched_in s WHERE NOT EXISTS (SELECT 1 FROM instalments i"
            " WHERE i.loan_id = s.loan_id AND i.period = s.period)",
            {"stamp": self.stamp},
        ).rowcount
        conn.execute("DROP TABLE temp.sched_changed")
        return Saved(added, updated)

    def _derive(self) -> int:
        """Each loan of the file: its next unpaid instalment and its overdue spell."""
        conn = self.conn
        # an empty table before this file: every loan in it is the file's
        source = "instalments" if self.fresh else "temp.sched_in"
        conn.execute("DROP TABLE IF EXISTS temp.sched_loans")
        conn.execute(
            f"""
            CREATE TEMP TABLE sched_loans AS
            WITH touched AS (SELECT DISTINCT loan_id FROM {source}),
            found AS (
                SELECT t.loan_id,
                    (SELECT MIN(i.due_day) FROM instalments i WHERE i.loan_id = t.loan_id
                        AND {_UNPAID} AND i.due_day < :a) AS late_day,
                    (SELECT i.period FROM instalments i WHERE i.loan_id = t.loan_id
                        AND {_UNPAID} AND i.due_day >= :a
                        ORDER BY i.due_day, i.period LIMIT 1) AS next_period
                FROM touched t
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
        audit = " UNION ALL ".join(
            f"SELECT :id, 'loans', loan_id, '{c}', old_{c}, {c}"
            f" FROM temp.loans_changed WHERE old_{c} IS NOT {c}"
            for c in _DERIVED
        )
        conn.execute(
            "INSERT INTO changes (import_id, entity, entity_id, field, old_value, new_value)"
            f" {audit}",
            {"id": self.import_id},
        )
        assignments = ", ".join(f"{c} = s.{c}" for c in _DERIVED)
        changed = conn.execute(
            f"UPDATE loans SET {assignments}, updated_at = :stamp FROM temp.loans_changed s"
            " WHERE loans.loan_id = s.loan_id",
            {"stamp": self.stamp},
        ).rowcount
        conn.execute("DROP TABLE temp.loans_changed")
        conn.execute("DROP TABLE temp.sched_loans")
        return changed
