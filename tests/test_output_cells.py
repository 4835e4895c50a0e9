"""CSV/TSV cells: the fast row path writes what converting every cell would.

``write_delimited`` leaves to the csv writer what it converts the same way
(None, numbers, dates) and converts the rest itself; these tests hold it to
the plain definition, one ``_cell_text`` per cell, byte for byte.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from retain.output import FORMULA_STARTS, Field, _cell_text, write_delimited

KINDS = ("text", "money", "date", "int", "ratio", "bool")

# What each kind of field holds in the stores' rows (and some odd values).
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "text": st.one_of(
        st.none(),
        st.text(),
        st.sampled_from(FORMULA_STARTS).flatmap(lambda c: st.text().map(lambda t: c + t)),
        st.integers(),
        st.floats(allow_nan=False),
    ),
    "money": st.one_of(st.none(), st.integers(min_value=-(10**15), max_value=10**15)),
    "date": st.one_of(st.none(), st.dates().map(dt.date.isoformat), st.dates()),
    "int": st.one_of(st.none(), st.integers(), st.booleans()),
    "ratio": st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
    "bool": st.one_of(st.none(), st.booleans(), st.integers(0, 1)),
}


def plainly(rows: list[dict[str, Any]], fields: list[Field], delimiter: str) -> str:
    """The definition: every cell through ``_cell_text``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([f.name for f in fields])
    for row in rows:
        writer.writerow([_cell_text(row[f.name], f.kind) for f in fields])
    return out.getvalue()


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[Field], list[dict[str, Any]]]:
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=8))
    fields = [Field(f"c{i}", kind) for i, kind in enumerate(kinds)]  # type: ignore[arg-type]
    rows = draw(
        st.lists(
            st.fixed_dictionaries({f.name: VALUES[f.kind] for f in fields}),
            max_size=6,
        )
    )
    return fields, rows


@settings(max_examples=300, deadline=None)
@given(table=tables(), delimiter=st.sampled_from([",", "\t"]))
def test_cells_as_defined(table: tuple[list[Field], list[dict[str, Any]]], delimiter: str) -> None:
    fields, rows = table
    out = io.StringIO()
    count = write_delimited(rows, fields, out, delimiter=delimiter)
    assert count == len(rows)
    assert out.getvalue() == plainly(rows, fields, delimiter)


def test_formula_cells_guarded() -> None:
    fields = [Field("name"), Field("principal", "money"), Field("days", "int")]
    rows = [
        {"name": "=HYPERLINK(1)", "principal": -150, "days": -3},
        {"name": "－x", "principal": None, "days": None},
        {"name": -7, "principal": 5, "days": 0},
    ]
    out = io.StringIO()
    write_delimited(rows, fields, out)
    assert out.getvalue().splitlines() == [
        "name,principal,days",
        "'=HYPERLINK(1),-1.50,-3",
        "'－x,,",
        "'-7,0.05,0",
    ]
