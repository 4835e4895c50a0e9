"""Rich tables for people. Only the CLI imports this module."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table


@dataclass(frozen=True)
class Column:
    header: str
    justify: str = "left"  # "left" | "right"


def console(stderr: bool = False) -> Console:
    from retain.cli.common import is_terminal

    stream = sys.stderr if stderr else sys.stdout
    tty = is_terminal(stream)
    return Console(
        file=stream,
        force_terminal=tty,
        no_color=not tty or "NO_COLOR" in os.environ,
        highlight=False,
        soft_wrap=False,
        width=None if tty else 200,
    )


def print_table(
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    footer_lines: Sequence[str] = (),
    stderr: bool = False,
    show_header: bool = True,
) -> None:
    table = Table(
        title=title,
        title_justify="left",
        header_style="bold",
        show_lines=False,
        show_header=show_header,
    )
    for column in columns:
        table.add_column(column.header, justify=column.justify, no_wrap=column.justify == "right")  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*row)
    out = console(stderr)
    out.print(table)
    for line in footer_lines:
        out.print(line, markup=False)
