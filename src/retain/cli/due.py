"""``retain due``: which loans mature soon."""

from __future__ import annotations

from contextlib import closing
from dataclasses import replace
from enum import StrEnum
from typing import Annotated, Any

import typer

from retain.cli.common import State, state
from retain.cli.groups import group_filter
from retain.cli.options import (
    DATA_AS_OF,
    TABLE_DEFAULT_LIMIT,
    ForceOption,
    FormatOption,
    GroupOption,
    LimitOption,
    OfficerOption,
    OutputFormat,
    OutputOption,
    RevealOption,
    check_output,
    emit_masked,
    resolve_format,
)

HELP = """List open loans maturing between today and today + DAYS, soonest first.

Example:

    retain due --days 30 --officer 王芳

    retain --today 2026-12-01 due --days 7 --format csv > due.csv

    retain due --format ids | retain log - --channel sms

    retain --lang zh due --days 7 --output 本周到期.xlsx

    retain due --days 7 --instalments
"""


class DueSort(StrEnum):
    maturity = "maturity"
    amount = "amount"
    officer = "officer"


DUE_FIELDS = (
    ("loan_id", "text"),
    ("customer_id", "text"),
    ("name", "text"),
    ("phone", "text"),
    ("officer", "text"),
    ("industry", "text"),
    ("guarantee", "text"),
    ("status", "text"),
    ("principal", "money"),
    ("balance", "money"),
    ("disbursed_on", "date"),
    ("matures_on", "date"),
    ("days_left", "int"),
    DATA_AS_OF,
)

# ``due --instalments``: one row per loan and period, and one per maturity.
INSTALMENT_FIELDS = (
    ("loan_id", "text"),
    ("customer_id", "text"),
    ("name", "text"),
    ("phone", "text"),
    ("officer", "text"),
    ("kind", "text"),
    ("period", "int"),
    ("due_on", "date"),
    ("amount_due", "money"),
    ("days_left", "int"),
    DATA_AS_OF,
)


def due(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", "-d", min=0, help="Window length in days.")] = 30,
    officer: OfficerOption = None,
    group: GroupOption = None,
    industry: Annotated[
        str | None, typer.Option("--industry", help="Only this industry.", show_default=False)
    ] = None,
    guarantee: Annotated[
        str | None,
        typer.Option(
            "--guarantee",
            help="credit|guarantee|mortgage|pledge (or 信用/保证/抵押/质押).",
            show_default=False,
        ),
    ] = None,
    min_amount: Annotated[
        str | None,
        typer.Option(
            "--min-amount", help="Minimum principal in yuan (万 accepted).", show_default=False
        ),
    ] = None,
    sort: Annotated[DueSort, typer.Option("--sort", help="Order of the list.")] = DueSort.maturity,
    instalments: Annotated[
        bool,
        typer.Option(
            "--instalments",
            help="Also list the unpaid instalments due in the window, one row per loan and "
            "period, beside the maturities (kind instalment or maturity; amount_due is what "
            "is still owed).",
        ),
    ] = False,
    limit: LimitOption = None,
    reveal: RevealOption = False,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from retain.queries import DueFilter, due_instalments, due_loans

    st = state(ctx)
    check_output(output, force)
    wanted_guarantee = _guarantee(guarantee)
    min_fen = _min_fen(min_amount)
    out_format = "file" if output is not None else resolve_format(fmt)
    table_limit = limit or TABLE_DEFAULT_LIMIT
    spec = DueFilter(
        days=days,
        officer=officer,
        industry=industry,
        guarantee=wanted_guarantee,
        min_principal_fen=min_fen,
        sort=sort.value,
        limit=None if out_format == "table" else limit,
    )
    query = due_instalments if instalments else due_loans
    with st.store() as store:
        spec = replace(spec, group_id=group_filter(store.conn, group))
        rows = query(store.conn, st.today, spec)
        with closing(rows):
            if out_format == "table":
                render = _render_instalments if instalments else _render_table
                render(list(rows), st, days, table_limit, reveal)
            else:
                emit_masked(
                    rows,
                    INSTALMENT_FIELDS if instalments else DUE_FIELDS,
                    fmt,
                    output,
                    reveal,
                    st.lang,
                    force=force,
                    data_as_of=st.data_as_of,
                )


def _guarantee(value: str | None) -> str | None:
    """--guarantee's code. The importer's normalisers are imported only when an
    option needs them: they weigh on every plain ``due``."""
    if not value:
        return None
    from retain.importing.normalise import Invalid, norm_guarantee

    try:
        return norm_guarantee(value)
    except Invalid as exc:
        raise _bad("--guarantee", exc) from None


def _min_fen(value: str | None) -> int | None:
    """--min-amount in fen."""
    if not value:
        return None
    from retain.importing.normalise import Invalid, norm_money

    try:
        return norm_money(value, allow_zero=True)
    except Invalid as exc:
        raise _bad("--min-amount", exc) from None


def _bad(option: str, exc: Any) -> Exception:
    from retain.errors import UsageError

    return UsageError(key="option", option=option, reason=exc.message)


def _render_table(
    rows: list[dict[str, Any]], st: State, days: int, limit: int, reveal: bool
) -> None:
    import datetime as dt

    from retain.cli.render import Column, fit_columns, print_table
    from retain.i18n import label, t
    from retain.output import mask_phone, yuan_grouped

    lang = st.lang
    end = st.today + dt.timedelta(days=days)
    title = t("due.title", lang, start=st.today.isoformat(), end=end.isoformat(), days=days)
    columns = [
        Column(t("col.matures_on", lang), key=True),
        Column(t("col.days", lang), "right", key=True),
        Column(t("col.loan_id", lang), key=True),
        Column(t("col.name", lang)),
        Column(t("col.phone", lang), key=True),
        Column(t("col.principal", lang), "right", key=True),
        Column(t("col.guarantee", lang)),
        Column(t("col.status", lang)),
        Column(t("col.officer", lang)),
    ]
    shown = [
        [
            row["matures_on"],
            str(row["days_left"]),
            row["loan_id"],
            row["name"],
            row["phone"] if reveal else mask_phone(row["phone"]),
            yuan_grouped(row["principal"]),
            label("guarantee", row["guarantee"], lang),
            label("status", row["status"], lang),
            row["officer"] or "",
        ]
        for row in rows[:limit]
    ]
    total = sum(row["principal"] for row in rows)
    footer = [t("due.summary", lang, count=len(rows), total=yuan_grouped(total))]
    if len(rows) > limit:
        footer.append(t("list.more", lang, more=len(rows) - limit))
    if not rows:
        footer = [t("due.empty", lang, days=days)]
    # On a narrow terminal: the officer goes first, then the status, then the guarantee.
    columns, shown = fit_columns(columns, shown, [8, 7, 6])
    print_table(title, columns, shown, footer_lines=footer)


def _render_instalments(
    rows: list[dict[str, Any]], st: State, days: int, limit: int, reveal: bool
) -> None:
    import datetime as dt

    from retain.cli.render import Column, fit_columns, print_table
    from retain.i18n import t
    from retain.output import mask_phone, yuan_grouped

    lang = st.lang
    end = st.today + dt.timedelta(days=days)
    title = t(
        "due.instalments_title", lang, start=st.today.isoformat(), end=end.isoformat(), days=days
    )
    columns = [
        Column(t("col.due_on", lang), key=True),
        Column(t("col.days", lang), "right", key=True),
        Column(t("col.loan_id", lang), key=True),
        Column(t("col.period", lang), "right", key=True),
        Column(t("col.name", lang)),
        Column(t("col.phone", lang), key=True),
        Column(t("col.amount_due", lang), "right", key=True),
        Column(t("col.officer", lang)),
    ]
    shown = [
        [
            row["due_on"],
            str(row["days_left"]),
            row["loan_id"],
            t("due.maturity", lang) if row["kind"] == "maturity" else str(row["period"] or ""),
            row["name"],
            row["phone"] if reveal else mask_phone(row["phone"]),
            yuan_grouped(row["amount_due"]),
            row["officer"] or "",
        ]
        for row in rows[:limit]
    ]
    total = sum(row["amount_due"] for row in rows)
    footer = [t("due.instalments_summary", lang, count=len(rows), total=yuan_grouped(total))]
    if len(rows) > limit:
        footer.append(t("list.more", lang, more=len(rows) - limit))
    if not rows:
        footer = [t("due.instalments_empty", lang, days=days)]
    columns, shown = fit_columns(columns, shown, [7, 4])
    print_table(title, columns, shown, footer_lines=footer)


def register(app: typer.Typer) -> None:
    """Add this module's command to the main app."""
    from retain.cli.common import handle_errors

    app.command("due", help=HELP, no_args_is_help=False)(handle_errors(due))
