"""``import schedule`` checks its rows a chunk and a column at a time
(importing/schedule.py): what it finds must be what a row-by-row check finds,
across chunk boundaries too (issue 11)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import Cli
from tests.test_schedule import ZH_HEADER, db_rows, ledger, schedule  # noqa: F401

CHUNK = 2000  # rows per chunk of importing.load


def _book() -> list[list[object]]:
    rows: list[list[object]] = [
        ["L1", 1, "2026-07-10", "10000", "500", "2026-07-10", "10500"],  # row 2: fine
        ["L1", 2, "2026-13-10", "10000", "500", "", ""],  # row 3: bad date, valid key
        ["L9", 1, "2026-07-10", "10000", "500", "", ""],  # row 4: unknown loan
        ["L1", 3, "2026-08-10", "10000", "500", "2026-12-02", "10500"],  # row 5: paid after today
    ]
    # L2's periods fill the first chunk and reach into the second
    rows += [["L2", p, "2026-10-05", "100", "3", "", ""] for p in range(1, CHUNK + 1)]
    rows += [
        ["L1", 1, "2026-07-10", "10000", "500", "", ""],  # repeats row 2 (a good row)
        ["L1", 2, "2026-09-10", "10000", "500", "", ""],  # repeats row 3 (a faulty row)
        ["L9", 1, "2026-07-10", "10000", "500", "", ""],  # repeats row 4 (no such loan)
        ["L2", 7, "2026-10-05", "100", "3", "", ""],  # repeats an L2 row of chunk 1
        ["L1", 4, "2026-13-10", "10000", "500", "", ""],  # the same bad date again
        ["L1", 5, "2026-11-10", "10000", "500", "2026-12-02", "10500"],  # paid after today
        ["L1", 6, "2026-12-10", "10000", "500", "", ""],  # fine
        ["L1", 6, "2026-12-10", "10000", "500", "", ""],  # repeats the row above
    ]
    return rows


def _rejects(summary: dict[str, Any]) -> dict[int, tuple[str, str]]:
    return {r["row"]: (r["field"], r["reason"]) for r in summary["rejects"]}


def test_repeats_and_faults_across_chunks(ledger: Cli, make_csv: Callable[..., Path]) -> None:
    path = schedule(make_csv, _book())
    first = CHUNK + 6  # the first row after L2's
    result = ledger("import", "schedule", str(path), "--format", "json")
    assert result.exit_code == 3, result.stderr
    summary = result.json()
    assert (summary["added"], summary["rejected"]) == (2 + CHUNK, 10)
    assert _rejects(summary) == {
        3: ("due_on", "not a real calendar date"),
        4: ("loan_id", "loan L9 does not exist; import loans first"),
        5: ("paid_on", "after today (2026-12-01)"),
        first: ("period", "same loan_id and period as row 2"),
        first + 1: ("period", "same loan_id and period as row 3"),
        first + 2: ("period", "same loan_id and period as row 4"),
        first + 3: ("period", f"same loan_id and period as row {5 + 7}"),
        first + 4: ("due_on", "not a real calendar date"),
        first + 5: ("paid_on", "after today (2026-12-01)"),
        first + 7: ("period", f"same loan_id and period as row {first + 6}"),
    }
    assert db_rows(ledger, "SELECT period FROM instalments WHERE loan_id = 'L1' ORDER BY 1") == [
        (1,),
        (6,),
    ]
    assert db_rows(ledger, "SELECT COUNT(*) FROM instalments WHERE loan_id = 'L2'") == [(CHUNK,)]
    # the same file again: the stored rows unchanged, the same rejections
    again = ledger("import", "schedule", str(path), "--format", "json")
    assert again.exit_code == 3, again.stderr
    summary = again.json()
    assert (summary["added"], summary["updated"], summary["unchanged"]) == (0, 0, 2 + CHUNK)
    assert summary["rejected"] == 10
