"""Machine output formats: CSV, TSV, JSON, NDJSON and ids.

No Rich here: the table format lives in ``retain.cli.render``. Every list
command describes its columns once (:class:`Field`) and hands rows to
:func:`write_rows`; money arrives as integer fen and leaves as yuan with two
decimals, dates as ISO text. Phones and ID numbers are masked for people
(:func:`mask_phone`, :func:`mask_id_number`) unless ``--reveal`` is given.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Literal, TextIO

FORMATS = ("auto", "table", "csv", "tsv", "json", "ndjson", "ids")
Kind = Literal["text", "money", "date", "int", "ratio", "bool"]

# OWASP CSV injection: a spreadsheet runs these as formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind = "text"


def yuan(fen: int | None) -> str:
    """Integer fen as exact yuan text with two decimals: 123450 → '1234.50'."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def yuan_grouped(fen: int | None) -> str:
    """Yuan with thousands separators, for people: 123450000 → '1,234,500.00'."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def _mask(s: str | None) -> str:
    if not s:
        return ""
    if len(s) < 8:
        return "*" * len(s)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def mask_phone(phone: str | None) -> str:
    """ "13812348001" → "138****8001", "0371-67891234-801" → "0371-****1234-801";
    None → "". Display only, never stored.

    A landline keeps its area code (a city, like a mobile's first three digits)
    and extension (a desk, not a person) and shows the last 4 of its number."""
    if phone and phone[0] == "0" and phone.count("-") in (1, 2):
        area, number, *extension = phone.split("-")
        if len(number) > 4:
            return "-".join((area, "*" * (len(number) - 4) + number[-4:], *extension))
    return _mask(phone)


def mask_id_number(idn: str | None) -> str:
    """18-character ID number → first 3 + 11 ``*`` + last 4; None → "". Display only."""
    return _mask(idn)


def guard(text: str) -> str:
    """Neutralise a text cell a spreadsheet would run as a formula."""
    if text and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _cell_text(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "money":
        return yuan(value)
    if kind == "int":
        return str(value)
    if kind == "date":
        return str(value)
    if kind == "ratio":
        return ratio_text(value)
    if kind == "bool":
        return "true" if value else "false"
    return guard(str(value))


def ratio_text(value: float) -> str:
    """A share or rate to four decimals: 0.919403 → '0.9194'."""
    return f"{value:.4f}"


def write_delimited(
    rows: Iterable[Mapping[str, Any]],
    fields: Sequence[Field],
    out: TextIO,
    *,
    delimiter: str = ",",
    headers: Sequence[str] | None = None,
) -> int:
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers or [field.name for field in fields])
    cells = _row_cells(fields)
    write = writer.writerow
    count = 0
    for row in rows:
        write(cells(row))
        count += 1
    return count


# Every formula start is one character: a text cell needs a look at its first only.
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
_CONVERTED = ("ratio", "bool")


def _row_cells(fields: Sequence[Field]) -> Callable[[Mapping[str, Any]], list[Any]]:
    """A row's cells as :func:`_cell_text` gives them, for the csv writer.

    Per cell the same text, with less Python per row (a list of 100,000 rows
    spent more time here than in SQLite): the csv writer itself writes None as
    an empty cell and numbers and dates as ``str()`` does, so only money, text
    that is not a plain str or begins like a formula, ratios and booleans are
    converted here."""
    names = [field.name for field in fields]
    money = [i for i, field in enumerate(fields) if field.kind == "money"]
    text = [i for i, field in enumerate(fields) if field.kind == "text"]
    other = [(i, field.kind) for i, field in enumerate(fields) if field.kind in _CONVERTED]
    get = itemgetter(*names) if len(names) > 1 else None

    def cells(row: Mapping[str, Any]) -> list[Any]:
        values = list(get(row)) if get is not None else [row[name] for name in names]
        for i in money:
            value = values[i]
            if value is not None:
                if value >= 0:  # yuan() inline, the usual case
                    whole, cents = divmod(value, 100)
                    values[i] = f"{whole}.{cents:02d}"
                else:
                    values[i] = yuan(value)
        for i in text:
            value = values[i]
            if value.__class__ is not str or value[:1] in _FORMULA_FIRST:
                values[i] = _cell_text(value, "text")
        for i, kind in other:
            values[i] = _cell_text(values[i], kind)
        return values

    return cells


def _json_value(value: Any, kind: Kind) -> str:
    if value is None:
        return "null"
    if kind == "money":
        return yuan(value)
    if kind == "int":
        return str(int(value))
    if kind == "ratio":
        return ratio_text(value)
    if kind == "bool":
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def json_object(row: Mapping[str, Any], fields: Sequence[Field]) -> str:
    # Hand-assembled so money keeps exactly two decimals (12.50, not 12.5).
    parts = [f"{json.dumps(f.name)}: {_json_value(row[f.name], f.kind)}" for f in fields]
    return "{" + ", ".join(parts) + "}"


def write_json(rows: Iterable[Mapping[str, Any]], fields: Sequence[Field], out: TextIO) -> int:
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n  " if count else "\n  ")
        out.write(json_object(row, fields))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_ndjson(rows: Iterable[Mapping[str, Any]], fields: Sequence[Field], out: TextIO) -> int:
    count = 0
    for row in rows:
        out.write(json_object(row, fields))
        out.write("\n")
        count += 1
    return count


def write_ids(rows: Iterable[Mapping[str, Any]], out: TextIO, key: str = "customer_id") -> int:
    """Each customer id once, in list order: the input of ``retain log -``."""
    seen: set[str] = set()
    for row in rows:
        value = row[key]
        if value not in seen:
            seen.add(value)
            out.write(f"{value}\n")
    return len(seen)


def write_rows(
    fmt: str,
    rows: Iterable[Mapping[str, Any]],
    fields: Sequence[Field],
    out: TextIO,
    *,
    headers: Sequence[str] | None = None,
) -> int:
    """Write rows in one of the text formats; returns the row count."""
    if fmt == "csv":
        return write_delimited(rows, fields, out, delimiter=",", headers=headers)
    if fmt == "tsv":
        return write_delimited(rows, fields, out, delimiter="\t", headers=headers)
    if fmt == "json":
        return write_json(rows, fields, out)
    if fmt == "ndjson":
        return write_ndjson(rows, fields, out)
    if fmt == "ids":
        return write_ids(rows, out)
    raise ValueError(f"unknown format {fmt!r}")
