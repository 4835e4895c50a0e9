"""Option types shared by the list commands."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class OutputFormat(StrEnum):
    auto = "auto"
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ndjson = "ndjson"
    ids = "ids"


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


def resolve_format(fmt: OutputFormat) -> str:
    from retain.cli.common import is_terminal

    if fmt is OutputFormat.auto:
        return "table" if is_terminal() else "tsv"
    return fmt.value
