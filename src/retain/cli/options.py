"""Option types shared by the list commands."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from itertools import repeat
from pathlib import Path
from typing import Annotated, Any

import typer


class OutputFormat(StrEnum):
    auto = "auto"
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ndjson = "ndjson"
    ids = "ids"


class RowsFormat(StrEnum):
    """The list formats without ``ids``: these rows are not customers."""

    auto = "auto"
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ndjson = "ndjson"


RowsFormatOption = Annotated[
    RowsFormat,
    typer.Option(
        "--format", "-f", help="auto = a table on a terminal, TSV in a pipe.", case_sensitive=False
    ),
]


FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="auto = a table on a terminal, TSV in a pipe.",
        case_sensitive=False,
    ),
]
RevealOption = Annotated[
    bool, typer.Option("--reveal", help="Show full phone numbers (masked by default).")
]
OfficerOption = Annotated[
    str | None, typer.Option("--officer", help="Only this officer's customers.", show_default=False)
]
GroupOption = Annotated[
    str | None,
    typer.Option(
        "--group",
        metavar="NAME",
        help="Only customers in this group (retain group list).",
        show_default=False,
    ),
]
LimitOption = Annotated[
    int | None,
    typer.Option(
        "--limit",
        min=1,
        help="At most N rows. Default: 200 in a table, all otherwise.",
        show_default=False,
    ),
]

TABLE_DEFAULT_LIMIT = 200

# The last field of every list read from the book, in JSON and NDJSON: the
# as-of day of the loan data it was computed from (null before any loans
# import), so that a script can tell how old its facts are. CSV/TSV/XLSX leave
# it out: they are positional (Excel, cut -f) and a constant column is noise.
DATA_AS_OF = ("data_as_of", "date")
AS_OF_FORMATS = ("json", "ndjson")


def resolve_format(fmt: OutputFormat) -> str:
    from retain.cli.common import is_terminal

    if fmt is OutputFormat.auto:
        return "table" if is_terminal() else "tsv"
    return fmt.value


OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to FILE (atomically, mode 0600): csv (with BOM, for Excel), tsv, json, "
        "ndjson, ids or xlsx, from --format or the extension.",
        show_default=False,
    ),
]


ForceOption = Annotated[
    bool,
    typer.Option(
        "--force", help="Replace the --output file if it exists (default: refuse, exit 2)."
    ),
]


def check_output(output: Path | None, force: bool) -> None:
    """Refuse an existing --output file before any work is done."""
    if output is not None:
        from retain.sinks import refuse_existing

        refuse_existing(output, force)


def emit(
    rows: Iterable[Mapping[str, Any]],
    fields: Sequence[Any],
    fmt: OutputFormat,
    output: Path | None,
    lang: str,
    *,
    force: bool = False,
    data_as_of: str | None = None,
) -> None:
    """Machine output to stdout, or to a file with localised headers for people.

    When ``fields`` carry :data:`DATA_AS_OF`, JSON rows get ``data_as_of``."""
    import sys

    from retain.output import write_rows

    if output is None:
        out_format = resolve_format(fmt)
        fields, rows = with_data_as_of(out_format, fields, rows, data_as_of)
        write_rows(out_format, rows, fields, sys.stdout)
        return
    from retain.sinks import FILE_FORMATS, format_for, write_file

    requested = None if fmt in (OutputFormat.auto, OutputFormat.table) else fmt.value
    file_format = format_for(output, requested, FILE_FORMATS)
    fields, rows = with_data_as_of(file_format, fields, rows, data_as_of)
    headers = [f.name for f in fields]
    if for_people(file_format, lang):
        headers = [file_header(h, lang) for h in headers]
        rows = (in_words(row, lang) for row in rows)
    write_file(output, file_format, rows, fields, headers=headers, replace=force)


def for_people(file_format: str, lang: str) -> bool:
    """Files people open (CSV/TSV/XLSX) speak Chinese under zh, headers and values;
    the machine formats keep English field names and codes, as documented."""
    return lang == "zh" and file_format in ("csv", "tsv", "xlsx")


def file_header(name: str, lang: str) -> str:
    """A column's header in a file for people: its label, or the field name."""
    from retain.i18n import CATALOGUE, t
    from retain.terms import TERM_NAMES

    if name in TERM_NAMES:  # a term's points on the call list
        return t("col.term_points", lang, term=t(f"term.{name}", lang))
    key = f"col.{name}"
    return t(key, lang) if key in CATALOGUE else name


def in_words(row: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The row with its codes in words: 信用 not credit, 正常 not active, 到期 not maturing."""
    from retain.i18n import label, t

    shown = dict(row)
    words = (
        ("guarantee", "guarantee"),
        ("status", "status"),
        ("reason", "term"),
        ("promise_status", "promise.status"),
    )
    for name, prefix in words:
        if shown.get(name):
            shown[name] = label(prefix, shown[name], lang)
    if shown.get("reasons"):
        codes = str(shown["reasons"]).split(",")
        shown["reasons"] = t("sep.comma", lang).join(label("term", c, lang) for c in codes)
    return shown


def emit_masked(
    rows: Iterable[dict[str, Any]],
    field_specs: Sequence[tuple[str, str]],
    fmt: OutputFormat,
    output: Path | None,
    reveal: bool,
    lang: str,
    *,
    force: bool = False,
    data_as_of: str | None = None,
) -> None:
    """:func:`emit` for a list whose ``phone`` is masked unless ``--reveal``."""
    from retain.output import Field, mask_phone

    fields = [Field(name, kind) for name, kind in field_specs]  # type: ignore[arg-type]
    if not reveal:
        rows = map(_with_masked_phone, rows, repeat(mask_phone))
    emit(rows, fields, fmt, output, lang, force=force, data_as_of=data_as_of)


def with_data_as_of(
    out_format: str,
    fields: Sequence[Any],
    rows: Iterable[Mapping[str, Any]],
    data_as_of: str | None,
) -> tuple[Sequence[Any], Iterable[Mapping[str, Any]]]:
    """The fields and rows a format shows: ``data_as_of`` filled in for JSON and
    NDJSON, dropped from the fields of the positional formats."""
    if not any(_name(f) == DATA_AS_OF[0] for f in fields):
        return fields, rows
    if out_format in AS_OF_FORMATS:
        return fields, _with_as_of(rows, data_as_of)
    return [f for f in fields if _name(f) != DATA_AS_OF[0]], rows


def _name(spec: Any) -> str:
    return str(spec[0] if isinstance(spec, tuple) else spec.name)


def _with_as_of(
    rows: Iterable[Mapping[str, Any]], data_as_of: str | None
) -> Iterable[Mapping[str, Any]]:
    for row in rows:
        shown = row if isinstance(row, dict) else dict(row)
        shown[DATA_AS_OF[0]] = data_as_of
        yield shown


def _with_masked_phone(row: dict[str, Any], mask: Any) -> dict[str, Any]:
    row["phone"] = mask(row["phone"]) or None
    return row
