"""``retain db copy``: a whole store into an empty one, SQLite or PostgreSQL either
way (core: :mod:`retain.postgres.copy`)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from retain.cli.common import handle_errors, state
from retain.cli.options import RowsFormat, RowsFormatOption

if TYPE_CHECKING:
    from retain.postgres.copy import CopyResult

COPY_HELP = """Copy every row of one store into an empty other one: a personal SQLite
store into the branch's PostgreSQL store, or the branch store into a new SQLite
file for a laptop on the road (a path or a postgresql:// URL on either side).

Every table, row and column as is: ids, the loans' and guarantors' order, the
audit trail; new ids continue after the highest copied one. The destination
must be an empty store of the same schema version (a PostgreSQL store after
`retain db init`; a SQLite path that does not exist yet is created). It is
written in one transaction, and committed only when each table's row count and
checksum (SHA-256 over its rows in primary-key order) read back from it equal
the source's; otherwise nothing is written and the command exits 1 naming the
table. The source is only read, from one snapshot. The output names tables,
never a customer or a phone. A password in a URL is refused: use PGPASSWORD,
~/.pgpass or a service file.

Example:

    retain db copy --from ~/.config/retain/retain.db --to postgresql://wangfang@branch-db/retain

    retain db copy --from postgresql://wangfang@branch-db/retain --to ~/laptop.db --format json
"""

COPY_FIELDS = (
    ("table", "text"),
    ("rows", "int"),
    ("checksum", "text"),  # SHA-256 of the destination's rows, hex
    ("ok", "bool"),  # rows and checksum equal the source's
)


def copy(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Option(
            "--from",
            metavar="PATH|URL",
            help="The store to copy: a SQLite file or a postgresql:// URL.",
            show_default=False,
        ),
    ],
    destination: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="PATH|URL",
            help="The empty store to fill: a new SQLite file or an initialised postgresql:// URL.",
            show_default=False,
        ),
    ],
    fmt: RowsFormatOption = RowsFormat.auto,
) -> None:
    from retain.errors import RetainError
    from retain.i18n import t
    from retain.postgres.copy import copy_store

    st = state(ctx)
    result = copy_store(source, destination)
    rows = [
        {"table": c.table, "rows": c.rows, "checksum": c.sha, "ok": c.ok} for c in result.checks
    ]
    _show(rows, fmt, result, source, destination, st.lang)
    if not result.ok:
        bad = next(c.table for c in result.checks if not c.ok)
        raise RetainError(key="copy.mismatch", table=bad)
    sys.stderr.write(
        t(
            "copy.done",
            st.lang,
            rows=f"{result.rows:,}",
            tables=len(result.checks),
            seconds=f"{result.seconds:.1f}",
        )
        + "\n"
    )


def _show(
    rows: list[dict[str, Any]],
    fmt: RowsFormat,
    result: CopyResult,
    source: str,
    destination: str,
    lang: str,
) -> None:
    from retain.cli.options import OutputFormat, emit, resolve_format

    if resolve_format(OutputFormat(fmt.value)) != "table":
        from retain.output import Field

        fields = [Field(name, kind) for name, kind in COPY_FIELDS]  # type: ignore[arg-type]
        emit(rows, fields, OutputFormat(fmt.value), None, lang)
        return
    from retain.cli.render import Column, print_table
    from retain.i18n import t
    from retain.postgres import is_url, shown

    def named(target: str) -> str:
        return shown(target) if is_url(target) else target

    print_table(
        t("copy.title", lang, source=named(source), destination=named(destination)),
        [
            Column(t("copy.col.table", lang), key=True),
            Column(t("copy.col.rows", lang), "right"),
            Column(t("copy.col.checksum", lang)),
            Column(t("copy.col.ok", lang)),
        ],
        [
            [
                r["table"],
                f"{r['rows']:,}",
                r["checksum"][:12],
                t("copy.ok.yes" if r["ok"] else "copy.ok.no", lang),
            ]
            for r in rows
        ],
    )


def register(db: typer.Typer) -> None:
    """Add ``copy`` to the ``retain db`` group (cli/db.py)."""
    db.command("copy", help=COPY_HELP, no_args_is_help=True)(handle_errors(copy))
