"""``retain noloan``: customers with no open loan (无贷户) to win back."""

from __future__ import annotations

from contextlib import closing
from dataclasses import replace
from typing import Annotated, Any

import typer

from retain.cli.common import State, handle_errors, state
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

HELP = """List customers with no active or overdue loan (无贷户): those whose last
loan closed, most recently closed first, then those who never borrowed (by
customer id).

days_since counts from the last close to today; loans and total_borrowed
cover all past loans. worst_class is the worst arrears class ever, from the
highest imported days_past_due of any loan (a written-off loan counts as the
worst class). Customers with a written-off loan, or a worst class at or
beyond arrears.bad_from in the config (default 次级, 91+ days), are left out
unless --include-bad.

Example:

    retain noloan --closed-within 90d

    retain noloan --min-loans 2 --officer 王芳 --limit 50

    retain noloan --closed-within 6m --format ids | retain log - -c sms
"""

NOLOAN_KINDS = (
    ("customer_id", "text"),
    ("name", "text"),
    ("phone", "text"),
    ("officer", "text"),
    ("industry", "text"),
    ("segment", "text"),
    ("last_closed_on", "date"),
    ("days_since", "int"),
    ("loans", "int"),
    ("total_borrowed", "money"),
    ("worst_class", "text"),
    ("last_contact", "text"),
    DATA_AS_OF,
)


def noloan(
    ctx: typer.Context,
    closed_within: Annotated[
        str | None,
        typer.Option(
            "--closed-within",
            metavar="PERIOD",
            help=(
                "Only customers whose last loan closed within PERIOD of today: 90d, 12w, "
                "6m or a number of days. Leaves out those who never borrowed."
            ),
            show_default=False,
        ),
    ] = None,
    min_loans: Annotated[
        int,
        typer.Option(
            "--min-loans",
            min=0,
            help="Only customers with at least N past loans (1 or more: no never-borrowed).",
        ),
    ] = 0,
    include_bad: Annotated[
        bool,
        typer.Option(
            "--include-bad",
            help="Also customers with a written-off loan or a worst class ≥ arrears.bad_from.",
        ),
    ] = False,
    officer: OfficerOption = None,
    group: GroupOption = None,
    limit: LimitOption = None,
    reveal: RevealOption = False,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from retain.arrears import NoLoanFilter, class_labels, noloan_customers
    from retain.config import load_config
    from retain.dates import parse_period_start

    st = state(ctx)
    check_output(output, force)
    arrears = load_config().arrears
    since = parse_period_start(closed_within, st.today) if closed_within is not None else None
    out_format = "file" if output is not None else resolve_format(fmt)
    table_limit = limit or TABLE_DEFAULT_LIMIT
    spec = NoLoanFilter(
        closed_since=since,
        min_loans=min_loans,
        include_bad=include_bad,
        officer=officer,
        # A table asks for one more than it shows, to know whether there are more.
        limit=table_limit + 1 if out_format == "table" else limit,
    )
    labels = class_labels(arrears, st.lang)
    found = noloan_customers
    with st.store() as store:
        spec = replace(spec, group_id=group_filter(store.conn, group))
        rows = found(store.conn, arrears, st.today, spec, labels)
        with closing(rows):
            if out_format == "table":
                bad_from = labels[arrears.rank_of(arrears.bad_from)]
                _render_table(
                    list(rows), st, table_limit, reveal, officer, None if include_bad else bad_from
                )
            else:
                emit_masked(
                    rows,
                    NOLOAN_KINDS,
                    fmt,
                    output,
                    reveal,
                    st.lang,
                    force=force,
                    data_as_of=st.data_as_of,
                )


def _render_table(
    rows: list[dict[str, Any]],
    st: State,
    limit: int,
    reveal: bool,
    officer: str | None,
    bad_from: str | None,
) -> None:
    from retain.cli.render import Column, fit_columns, print_table
    from retain.i18n import t
    from retain.output import mask_phone, yuan_grouped

    lang = st.lang
    shown = [
        [
            row["last_closed_on"] or (t("noloan.never", lang) if not row["loans"] else ""),
            "" if row["days_since"] is None else str(row["days_since"]),
            row["customer_id"],
            row["name"],
            row["phone"] if reveal else mask_phone(row["phone"]),
            yuan_grouped(row["total_borrowed"]),
            row["worst_class"] or "",
            str(row["loans"]),
            row["industry"] or "",
            row["officer"] or "",
            str(row["last_contact"] or "")[:10],
            row["segment"] or "",
        ]
        for row in rows[:limit]
    ]
    columns = [
        Column(t("noloan.col.last_closed", lang), key=True),
        Column(t("noloan.col.days_since", lang), "right", key=True),
        Column(t("col.customer_id", lang), key=True),
        Column(t("col.name", lang)),
        Column(t("col.phone", lang), key=True),
        Column(t("noloan.col.total_borrowed", lang), "right", key=True),
        Column(t("noloan.col.worst_class", lang)),
        Column(t("noloan.col.loans", lang), "right"),
        Column(t("col.industry", lang)),
        Column(t("col.officer", lang)),
        Column(t("col.last_contact", lang)),
        Column(t("col.segment", lang)),
    ]
    # On a narrow terminal: segment goes first (the officer at once for one
    # officer's list), then the officer, last contact, industry, loans.
    columns, shown = fit_columns(
        columns, shown, [11, 9, 10, 8, 7], always=[9] if officer is not None else []
    )
    today = st.today.isoformat()
    title = (
        t("noloan.title_officer", lang, today=today, officer=officer)
        if officer is not None
        else t("noloan.title", lang, today=today)
    )
    if not rows:
        footer = [t("noloan.empty", lang)]
    elif len(rows) > limit:
        footer = [t("noloan.truncated", lang, limit=limit)]
    else:
        footer = [t("noloan.summary", lang, count=len(rows))]
    if bad_from is not None:
        footer.append(t("noloan.bad_left_out", lang, cls=bad_from))
    print_table(title, columns, shown, footer_lines=footer)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("noloan", help=HELP)(handle_errors(noloan))
