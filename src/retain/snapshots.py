"""Portfolio snapshots: the book as of each loans import, per officer, for trends.

The store keeps only each loan's latest state, so yesterday's book cannot be
recomputed tomorrow: every loans import records, in its own transaction, the
figures of the book as of its as-of day (migration m017). A second import with
the same as-of day replaces that day's rows, so re-importing is idempotent.

Figures, per officer ('' for customers without one):

- ``customers``: customer records; ``noloan``: those with no open loan (无贷户,
  whoever never borrowed included, bad customers not left out);
- ``loans``: open loans (active or overdue); ``balance_fen``: their outstanding
  balance (the balance, or the principal when the store has none);
- ``overdue_fen``: outstanding of open loans past due (days past due > 0) or
  imported as overdue — the loans ``retain overdue`` lists;
- ``par30_fen`` / ``par90_fen``: outstanding of open loans more than 30 / 90
  days past due, as ``retain overdue --summary`` counts PAR.

Days past due are those of the rest of retain (:func:`retain.rules.dpd_sql`),
on the as-of day. Money is integer fen; the CLI decides how to show it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from retain.arrears import PAR_DAYS
from retain.days import from_day_number
from retain.rules import dpd_sql, off_book_sql, outstanding_sql

_EPOCH = dt.date(1970, 1, 1).toordinal()

_RECORD_SQL = f"""
INSERT INTO portfolio_snapshots (day, officer, import_id, customers, loans, balance_fen,
    overdue_fen, par30_fen, par90_fen, noloan)
WITH o AS (
    SELECT d.customer_id, COUNT(*) AS loans, SUM(d.outstanding) AS balance,
        SUM(CASE WHEN d.dpd > 0 OR d.status = 'overdue' THEN d.outstanding ELSE 0 END) AS od,
        SUM(CASE WHEN d.dpd > :par30 THEN d.outstanding ELSE 0 END) AS p30,
        SUM(CASE WHEN d.dpd > :par90 THEN d.outstanding ELSE 0 END) AS p90
    FROM (
        SELECT l.customer_id, l.status, {dpd_sql("l")} AS dpd,
            {outstanding_sql("l")} AS outstanding
        FROM loans l WHERE NOT {off_book_sql("l")}
    ) d
    GROUP BY d.customer_id
)
SELECT :t, COALESCE(c.officer, ''), :import_id, COUNT(*), COALESCE(SUM(o.loans), 0),
    COALESCE(SUM(o.balance), 0), COALESCE(SUM(o.od), 0), COALESCE(SUM(o.p30), 0),
    COALESCE(SUM(o.p90), 0), SUM(CASE WHEN o.customer_id IS NULL THEN 1 ELSE 0 END)
FROM customers c LEFT JOIN o ON o.customer_id = c.customer_id
GROUP BY COALESCE(c.officer, '')
"""


def record(conn: sqlite3.Connection, day: int, import_id: int) -> None:
    """The book as of day number ``day`` replaces that day's snapshot.

    Runs inside the import's transaction: a rolled-back import leaves none."""
    conn.execute("DELETE FROM portfolio_snapshots WHERE day = ?", (day,))
    conn.execute(
        _RECORD_SQL,
        {"t": day, "import_id": import_id, "par30": PAR_DAYS[0], "par90": PAR_DAYS[1]},
    )


@dataclass(frozen=True)
class Snapshot:
    """One day's book, over all officers or one."""

    day: dt.date
    customers: int
    loans: int
    balance_fen: int
    overdue_fen: int
    par30_fen: int
    par90_fen: int
    noloan: int

    def par(self, days: int) -> float | None:
        """PAR30 or PAR90 as a share of the balance; None without an open book."""
        if not self.balance_fen:
            return None
        return (self.par30_fen if days == 30 else self.par90_fen) / self.balance_fen


METRICS = ("balance", "par30", "par90", "overdue", "customers", "loans", "noloan")


def metric_value(snapshot: Snapshot, metric: str) -> float | None:
    """A ``--metric`` of a snapshot: money in fen, PAR as a share, counts."""
    if metric == "par30":
        return snapshot.par(30)
    if metric == "par90":
        return snapshot.par(90)
    values = {
        "balance": snapshot.balance_fen,
        "overdue": snapshot.overdue_fen,
        "customers": snapshot.customers,
        "loans": snapshot.loans,
        "noloan": snapshot.noloan,
    }
    return float(values[metric])


_SELECT = """
SELECT day, SUM(customers), SUM(loans), SUM(balance_fen), SUM(overdue_fen), SUM(par30_fen),
    SUM(par90_fen), SUM(noloan)
FROM portfolio_snapshots
WHERE day >= ? AND day <= ?{officer}
GROUP BY day
ORDER BY day{order}
"""


def _rows(
    conn: sqlite3.Connection,
    first: int,
    last: int,
    officer: str | None,
    *,
    latest_first: bool = False,
    limit: int | None = None,
) -> list[Snapshot]:
    params: list[object] = [first, last]
    where = ""
    if officer is not None:
        where = " AND officer = ?"
        params.append(officer)
    sql = _SELECT.format(officer=where, order=" DESC" if latest_first else "")
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    found = []
    for day, *figures in conn.execute(sql, params):
        date = from_day_number(int(day))
        found.append(Snapshot(date, *(int(v or 0) for v in figures)))
    return found


def history(
    conn: sqlite3.Connection, first: dt.date, last: dt.date, officer: str | None = None
) -> list[Snapshot]:
    """Snapshots from ``first`` to ``last`` (both inclusive), oldest first."""
    return _rows(conn, _day(first), _day(last), officer)


def previous(
    conn: sqlite3.Connection, before: dt.date, officer: str | None = None
) -> Snapshot | None:
    """The latest snapshot of a day before ``before``, or None."""
    found = _rows(conn, 0, _day(before) - 1, officer, latest_first=True, limit=1)
    return found[0] if found else None


def weekly(snapshots: Sequence[Snapshot]) -> list[Snapshot]:
    """The latest snapshot of each ISO week (Monday to Sunday), oldest first."""
    latest: dict[tuple[int, int], Snapshot] = {}
    for snapshot in snapshots:
        year, week, _ = snapshot.day.isocalendar()
        latest[(year, week)] = snapshot  # oldest first: the last one wins
    return list(latest.values())


def _day(date: dt.date) -> int:
    return date.toordinal() - _EPOCH
