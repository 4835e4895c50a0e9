"""The daily re-import's fast paths give what the plain paths give.

A re-import settles unchanged rows from their raw cells, a chunk at a time
(retain.importing.load): their digests are computed in one loop, their stored
digests read by a range of ids when the file is in id order (else id by id),
and repeated ids found with one statement per chunk. A CSV's rows are built in
C. Each shortcut is checked here against what it replaces.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.importing.digest import RowDigests
from retain.importing.read import SourceRow
from retain.importing.validate import Rules
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli

MONDAY = "2026-03-09"


def _loan(n: int) -> list[str]:
    return [f"L{n:03d}", f"C{n % 3 + 1}", "50000", "2025-09-01", "2026-09-01", "信用", "正常", ""]


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    customers = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", "", "粮油", "王芳", ""],
            ["C2", "李强", "13912348002", "", "烟酒", "王芳", ""],
            ["C3", "张伟", "13712348003", "", "五金", "王芳", ""],
        ],
    )
    assert cli("import", "customers", str(customers), today=MONDAY).exit_code == 0
    return cli


HEADER = LOAN_HEADER[:8]


def _import(cli: Cli, path: Path, *, code: int = 0) -> Any:
    result = cli("import", "loans", str(path), "--format", "json", today=MONDAY)
    assert result.exit_code == code, result.stdout + result.stderr
    return result.json()


def _counts(report: Any) -> tuple[int, int, int, int]:
    return report["added"], report["updated"], report["unchanged"], report["rejected"]


@pytest.mark.parametrize("order", ["sorted", "reversed", "shuffled"])
def test_a_reimport_in_any_order_finds_every_row_unchanged(
    book: Cli, make_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, order: str
) -> None:
    """Stored digests are read by a range of ids while the file is in id order;
    a file in another order (a range holding far more loans than the chunk) is
    read id by id: either way every unchanged row is found, none is missed."""
    import retain.importing.load as load

    monkeypatch.setattr(load, "DIGEST_CHUNK", 4)
    loans = [_loan(n) for n in range(1, 41)]
    _import(book, make_csv("loans.csv", [HEADER, *loans]))
    again = list(loans)
    if order == "reversed":
        again.reverse()
    elif order == "shuffled":
        random.Random(20261201).shuffle(again)
    changed = list(again[17])
    changed[2] = "60000"
    again[17] = changed
    report = _import(book, make_csv("again.csv", [HEADER, *again]))
    assert _counts(report) == (0, 1, 39, 0)
    audited = book.sql("SELECT entity_id, field FROM changes WHERE field = 'principal'")
    assert [tuple(r) for r in audited] == [(changed[0], "principal")]


def test_a_repeated_id_within_and_across_chunks_names_its_first_row(
    book: Cli, make_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The duplicate check (one statement per chunk unless a key repeats an
    earlier chunk's): a repeat in the same chunk and one three chunks later both
    name the row that holds the id first."""
    import retain.importing.load as load

    monkeypatch.setattr(load, "DIGEST_CHUNK", 3)
    loans = [_loan(n) for n in range(1, 13)]
    _import(book, make_csv("loans.csv", [HEADER, *loans]))
    rows = [*loans[:2], loans[0], *loans[2:], loans[1]]  # rows 2..15
    report = _import(book, make_csv("again.csv", [HEADER, *rows]), code=3)
    assert _counts(report) == (0, 0, 12, 2)
    assert [(r["row"], r["field"]) for r in report["rejects"]] == [(4, "loan_id"), (15, "loan_id")]
    assert [r["reason"] for r in report["rejects"]] == [
        "same loan_id as row 2",
        "same loan_id as row 3",
    ]


cells = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from("a1\x1e\x1f,王 \ud800")),
    st.integers(),
    st.floats(allow_nan=False),
)


texts = st.text(alphabet=st.sampled_from("a1\x1e\x1f,王 \ud800"))
chunks = st.one_of(
    st.lists(st.lists(cells, max_size=6), max_size=8),
    # a CSV's: all text (the one-loop path), now and then a separator or a surrogate
    st.lists(st.lists(texts, min_size=1, max_size=6), max_size=8),
)


@settings(max_examples=500, deadline=None)
@given(chunks)
def test_digests_of_a_chunk_are_those_of_its_rows(rows: list[list[Any]]) -> None:
    digests = RowDigests(Rules(today=dt.date(2026, 3, 9), present=frozenset()), ("x",), 1)
    source = [SourceRow(n, row) for n, row in enumerate(rows, 2)]
    assert digests.of_rows(source) == [digests.of(row) for row in rows]


def test_a_csv_that_cannot_be_read_names_the_row(book: Cli, tmp_path: Path) -> None:
    """Rows are numbered in C (a counter zipped with the reader): the error still
    names the row where reading failed, as Excel numbers it."""
    path = tmp_path / "broken.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\n")
        fh.write(",".join(_loan(1)) + "\n")
        fh.write(",".join(_loan(2)) + "\n")
        fh.write('L003,"C1,' + "x" * (17 * 1024 * 1024) + "\n")
    result = book("import", "loans", str(path), today=MONDAY)
    assert result.exit_code != 0
    assert "row 4 (line 4)" in result.stderr, result.stderr
    assert "never closed" in result.stderr
