"""Rich tables for people. Only the CLI imports this module."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table


@dataclass(frozen=True)
class Column:
    header: str
    justify: str = "left"  # "left" | "right"
    key: bool = False  # ids, dates, amounts: never shortened, other columns give way


def console(stderr: bool = False) -> Console:
    from retain.cli.common import is_terminal

    stream = sys.stderr if stderr else sys.stdout
    tty = is_terminal(stream)
    plain = not tty or bool(os.environ.get("NO_COLOR"))
    return Console(
        file=stream,
        force_terminal=tty,
        # NO_COLOR (no-color.org) and pipes get no escape codes at all, not just no colours.
        color_system=None if plain else "auto",
        no_color=plain,
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
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    for index, column in enumerate(columns):
        widest = max((cell_len(row[index]) for row in rows), default=cell_len(column.header))
        widest = max(widest, cell_len(column.header))
        table.add_column(
            column.header,
            justify=column.justify,  # type: ignore[arg-type]
            # Key cells stay whole on one line; text columns wrap to make room.
            no_wrap=column.key,
            overflow="ellipsis" if column.key else "fold",
            min_width=widest if column.key else None,
        )
    for row in rows:
        table.add_row(*row)
    out = console(stderr)
    out.print(table)
    for line in footer_lines:
        out.print(line, markup=False)


def fit_columns(
    columns: list[Any], rows: list[list[str]], expendable: list[int], always: Sequence[int] = ()
) -> tuple[list[Any], list[list[str]]]:
    """Leave out expendable columns (by index, most expendable first) until the table
    fits the terminal at its natural width; ``always`` are left out in any case."""
    width = console().width
    keep = [i for i in range(len(columns)) if i not in always]

    def natural(i: int) -> int:
        return max([cell_len(columns[i].header), *(cell_len(row[i]) for row in rows)])

    for index in expendable:
        if sum(natural(i) + 2 for i in keep) <= width:
            break
        if index in keep:
            keep.remove(index)
    return [columns[i] for i in keep], [[row[i] for i in keep] for row in rows]
