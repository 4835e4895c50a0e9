"""A loans re-import skips the rows the store holds as they are (row digests, issues 9, 11).

Each loan keeps a digest of the row it was imported from (its raw cells and
everything that decides how they are read); a re-imported row with the same
digest is counted unchanged without being validated again. These books are
the ones only a right digest gets right: any changed cell is seen, the
spell of an overdue loan still comes from its first snapshot whatever the
--as-of, and a change of rules (a config setting, an earlier --today, the
file's columns) checks every row again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.importing.digest import RowDigests
from retain.importing.normalise import Unusable
from retain.importing.validate import Rules
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli

MONDAY = "2026-03-09"
L1 = ["L1", "C1", "50000", "2025-09-01", "2026-09-01", "信用", "逾期", "", "50000", "10"]
L2 = ["L2", "C2", "80000", "2025-10-01", "2026-10-01", "保证", "正常", "", "80000", ""]


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    customers = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", "", "粮油", "王芳", ""],
            ["C2", "李强", "13912348002", "", "烟酒", "王芳", ""],
        ],
    )
    assert cli("import", "customers", str(customers), today=MONDAY).exit_code == 0
    return cli


def _import(cli: Cli, path: Path, today: str = MONDAY, *extra: str, code: int = 0) -> Any:
    result = cli("import", "loans", str(path), "--format", "json", *extra, today=today)
    assert result.exit_code == code, result.stdout + result.stderr
    return result.json()


def _counts(report: Any) -> tuple[int, int, int, int]:
    return report["added"], report["updated"], report["unchanged"], report["rejected"]


def _audited(cli: Cli) -> list[str]:
    return [r[0] for r in cli.sql("SELECT field FROM changes ORDER BY change_id")]


def _dpd(cli: Cli, today: str) -> int:
    rows = cli("overdue", "--format", "json", today=today).json()
    return int(next(r for r in rows if r["loan_id"] == "L1")["days_past_due"])


# One other valid cell per column of L1 (not its id: another id is another loan),
# and the field the audit trail names for it.
CHANGED = [
    (1, "C2", "customer_id"),
    (2, "60000", "principal"),
    (3, "2025-09-02", "disbursed_on"),
    (4, "2026-09-02", "matures_on"),
    (5, "保证", "guarantee"),
    (8, "40000", "balance"),
    (9, "11", "days_past_due"),
]


@pytest.mark.parametrize(("column", "value", "field"), CHANGED)
def test_a_changed_cell_in_any_column_is_an_update(
    book: Cli, make_csv: Callable[..., Path], column: int, value: str, field: str
) -> None:
    path = make_csv("loans.csv", [LOAN_HEADER, L1, L2])
    assert _counts(_import(book, path)) == (2, 0, 0, 0)
    assert _counts(_import(book, path)) == (0, 0, 2, 0)
    changed = list(L1)
    changed[column] = value
    path = make_csv("loans.csv", [LOAN_HEADER, changed, L2])
    assert _counts(_import(book, path)) == (0, 1, 1, 0)
    assert field in _audited(book)
    # and the changed file again is unchanged
    assert _counts(_import(book, path)) == (0, 0, 2, 0)


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [(6, "结清", "closed_on"), (7, "2026-03-01", "closed_on"), (2, "abc", "principal")],
)
def test_a_changed_cell_that_breaks_a_rule_is_rejected(
    book: Cli, make_csv: Callable[..., Path], column: int, value: str, field: str
) -> None:
    path = make_csv("loans.csv", [LOAN_HEADER, L1, L2])
    _import(book, path)
    _import(book, path)
    broken = list(L1)
    broken[column] = value
    report = _import(book, make_csv("bad.csv", [LOAN_HEADER, broken, L2]), code=3)
    assert _counts(report) == (0, 0, 1, 1)
    assert field in report["rejects"][0]["field"]


def test_a_cell_written_otherwise_with_the_same_value_is_unchanged(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    _import(book, make_csv("loans.csv", [LOAN_HEADER, L1, L2]))
    again = list(L1)
    again[2], again[3] = " 50,000.00 ", "2025/9/1"
    assert _counts(_import(book, make_csv("other.csv", [LOAN_HEADER, again, L2]))) == (0, 0, 2, 0)
    assert _audited(book) == []


def test_the_same_file_with_a_later_as_of_still_ages_from_its_first_snapshot(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    path = make_csv("loans.csv", [LOAN_HEADER, L1, L2])
    _import(book, path)
    assert _dpd(book, MONDAY) == 10
    for today, as_of in (("2026-03-12", "2026-03-11"), ("2026-03-16", "-1d")):
        report = _import(book, path, today, "--as-of", as_of)
        assert _counts(report) == (0, 0, 2, 0)
        assert _dpd(book, today) == 10 + (dt.date.fromisoformat(today).day - 9)
    # a new figure as of a later day starts from that day's snapshot
    newer = list(L1)
    newer[9] = "3"
    assert _counts(_import(book, make_csv("n.csv", [LOAN_HEADER, newer, L2]), "2026-03-16")) == (
        0,
        1,
        1,
        0,
    )
    assert _dpd(book, "2026-03-16") == 3


def test_a_stricter_config_checks_unchanged_rows_again(
    book: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    path = make_csv("loans.csv", [LOAN_HEADER, L1, L2])
    _import(book, path)
    config = tmp_path / "config.toml"
    config.write_text("[import]\nprincipal_floor = 60000\n", encoding="utf-8")
    result = book(
        "import", "loans", str(path), "--format", "json", env={"RETAIN_CONFIG": str(config)}
    )
    assert result.exit_code == 3
    report = result.json()
    assert _counts(report) == (0, 0, 1, 1)
    assert report["rejects"][0]["row"] == 2 and report["rejects"][0]["field"] == "principal"


def test_an_earlier_today_checks_unchanged_rows_again(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    fresh = list(L2)
    fresh[3] = MONDAY  # disbursed today
    path = make_csv("loans.csv", [LOAN_HEADER, L1, fresh])
    assert _counts(_import(book, path)) == (2, 0, 0, 0)
    assert _counts(_import(book, path, "2026-03-10")) == (0, 0, 2, 0)
    report = _import(book, path, "2026-03-08", code=3)
    assert _counts(report) == (0, 0, 1, 1)
    assert report["rejects"][0]["field"] == "disbursed_on"


def test_columns_named_otherwise_are_read_again(book: Cli, make_csv: Callable[..., Path]) -> None:
    """The same cells under swapped headers are other values (here: a loan that
    matures before it is disbursed), not the row the store holds."""
    path = make_csv("loans.csv", [LOAN_HEADER, L1, L2])
    _import(book, path)
    swapped = list(LOAN_HEADER)
    swapped[3], swapped[4] = swapped[4], swapped[3]
    report = _import(book, make_csv("swapped.csv", [swapped, L1, L2]), code=3)
    assert report["rejected"] == 2


def test_a_repeated_id_is_still_rejected_on_a_reimport(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    _import(book, make_csv("loans.csv", [LOAN_HEADER, L1, L2]))
    report = _import(book, make_csv("twice.csv", [LOAN_HEADER, L1, L2, L1]), code=3)
    assert _counts(report) == (0, 0, 2, 1)
    assert report["rejects"][0]["row"] == 4 and report["rejects"][0]["field"] == "loan_id"


cells = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from("a1\x1e\x1f,王 ")),
    st.integers(),
    st.floats(allow_nan=False),
)
rows = st.lists(cells, max_size=6)


@settings(max_examples=300, deadline=None)
@given(rows, rows)
def test_different_cells_have_different_digests(a: list[Any], b: list[Any]) -> None:
    digests = RowDigests(Rules(today=dt.date(2026, 3, 9), present=frozenset()), ("x",), 1)
    # the same cells: as many, each the same type and value
    same = repr(a) == repr(b)
    assert (digests.of(a) == digests.of(b)) == same


def test_a_cell_without_a_faithful_repr_never_matches() -> None:
    """An unusable cell (a formula without a value) shows its address in its repr,
    which another object may reuse: such a row is always checked in full."""
    digests = RowDigests(Rules(today=dt.date(2026, 3, 9), present=frozenset()), ("x",), 1)
    assert digests.of(["L1", Unusable("formula")]) != digests.of(["L1", Unusable("formula")])
    when = dt.datetime(2026, 3, 9, 8, 30)
    assert digests.of(["L1", when, 1.5]) == digests.of(["L1", when, 1.5])


def test_an_unchanged_row_still_claims_its_id_across_chunks(
    book: Cli, make_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unchanged rows are settled from their raw cells, batch by batch: a later
    row (another batch) repeating the id of an unchanged row is still a repeat,
    and the blank and total rows between them are still skipped and counted."""
    import retain.importing.load as load

    monkeypatch.setattr(load, "DIGEST_CHUNK", 2)
    _import(book, make_csv("loans.csv", [LOAN_HEADER, L1, L2]))
    changed = list(L1)
    changed[8] = "40000"
    blank = [""] * len(LOAN_HEADER)
    total = ["合计", "", "130000"] + [""] * (len(LOAN_HEADER) - 3)
    report = _import(
        book,
        make_csv("again.csv", [LOAN_HEADER, L1, blank, L2, total, LOAN_HEADER, changed, L2]),
        code=3,
    )
    assert _counts(report) == (0, 0, 2, 2)
    assert report["skipped"] == 3
    assert [(r["row"], r["field"]) for r in report["rejects"]] == [(7, "loan_id"), (8, "loan_id")]
    assert _audited(book) == []


def test_a_row_after_a_rejected_one_with_its_id_is_a_repeat_even_unchanged(
    book: Cli, make_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first row of an id wins even when it is faulty: an unchanged row
    repeating it is rejected, not counted unchanged."""
    import retain.importing.load as load

    monkeypatch.setattr(load, "DIGEST_CHUNK", 2)
    _import(book, make_csv("loans.csv", [LOAN_HEADER, L1, L2]))
    faulty = list(L1)
    faulty[2] = "lots"
    report = _import(book, make_csv("again.csv", [LOAN_HEADER, L2, faulty, L1]), code=3)
    assert _counts(report) == (0, 0, 1, 2)
    assert [(r["row"], r["field"]) for r in report["rejects"]] == [(3, "principal"), (4, "loan_id")]


def test_loans_changing_different_fields_each_keep_their_own(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    """An update sets only the columns that changed, grouped by which: loans of
    one chunk changing different fields each get their own new values, and
    their other fields stay as stored."""
    _import(book, make_csv("loans.csv", [LOAN_HEADER, L1, L2]))
    one, two = list(L1), list(L2)
    one[8] = "40000"
    two[2], two[5] = "90000", "信用"
    report = _import(book, make_csv("again.csv", [LOAN_HEADER, one, two]))
    assert _counts(report) == (0, 2, 0, 0)
    stored = [
        tuple(r)
        for r in book.sql(
            "SELECT loan_id, principal_fen, balance_fen, guarantee, status FROM loans"
            " ORDER BY loan_id"
        )
    ]
    audit = [
        tuple(r)
        for r in book.sql(
            "SELECT entity_id, field, old_value, new_value FROM changes ORDER BY change_id"
        )
    ]
    assert stored == [
        ("L1", 5_000_000, 4_000_000, "credit", "overdue"),
        ("L2", 9_000_000, 8_000_000, "credit", "active"),
    ]
    assert audit == [
        ("L1", "balance", "5000000", "4000000"),
        ("L2", "principal", "8000000", "9000000"),
        ("L2", "guarantee", "guarantee", "credit"),
    ]
