"""``retain runoff`` and ``retain retention``: where the book is going."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from retain.cli.common import State, handle_errors, state
from retain.cli.options import ForceOption, OfficerOption, OutputOption, check_output

if TYPE_CHECKING:
    from retain.portfolio import Ladder, RetentionPeriod, Runoff


class SheetFormat(StrEnum):
    """The formats of a report that is one object in JSON and a sheet of rows otherwise."""

    auto = "auto"
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ndjson = "ndjson"


SheetFormatOption = Annotated[
    SheetFormat,
    typer.Option(
        "--format",
        "-f",
        help="auto = a table on a terminal, TSV in a pipe; json is one object "
        "with the definitions, csv/tsv/ndjson the rows.",
        case_sensitive=False,
    ),
]

RUNOFF_HELP = """The maturity ladder of the next months, and the new lending it takes
to hold the book (业绩断层).

For each calendar month (the first one from today): the open loans reaching
maturity and their borrowers; the balance maturing — for a loan with a
repayment schedule the unpaid principal of its instalments due that month,
for any other loan its whole balance in its maturity month; the balance
remaining at the month's end if nothing is renewed, and its share of today's
balance. Amounts already past due stay in the balance (they are collected,
not renewed).

The forecast adds the renewals the store's own history predicts: the renewal
rate (customers whose loan closed in the last 12 months and who took a new
loan within retention.renewal_grace_days, default 60, ÷ customers whose loan
closed; written-off loans are not closes) times the size ratio (new loans ÷
the loans they renewed) times the balance matured. The gap is the new lending
needed to be back at today's balance (or --target-balance); the first month
whose forecast is below retention.cliff_share (default 80%) of today's balance
is "the cliff". Every figure's formula is printed under the table, and is in
the JSON as definitions.

Example:

    retain runoff

    retain runoff --officer 王芳 --months 6 --target-balance 5000000

    retain runoff --by guarantee --format json
"""

RETENTION_HELP = """Client retention over periods: who stayed, dropped out, borrowed
again and came back. Clients are counted, not loans.

A borrower is a customer with an active loan (disbursed, not yet closed; a
written-off loan ends on its close day, else its maturity). At start = at the
end of the day before the period; at end = at the end of its last day. Each
rate's definition is printed under the table and is in the JSON as
definitions. --from and --to default to the last 12 months (4 quarters, 3
years) up to today; the last period ends at --to.

Example:

    retain retention

    retain retention --period quarter --from 2026-01-01 --by officer

    retain retention --period year --format json
"""

MONTH_FIELDS = (
    ("group", "text"),
    ("month", "text"),
    ("loans", "int"),
    ("customers", "int"),
    ("maturing", "money"),
    ("remaining", "money"),
    ("share", "ratio"),
    ("renewals", "money"),
    ("forecast", "money"),
    ("target", "money"),
    ("gap", "money"),
    ("cumulative_gap", "money"),
    ("below_cliff", "bool"),
)
RENEWAL_FIELDS = (
    ("officer", "text"),
    ("closed", "int"),
    ("renewed", "int"),
    ("rate", "ratio"),
    ("size_ratio", "ratio"),
)
RUNOFF_KEYS = (
    "as_of",
    "data_as_of",
    "officer",
    "by",
    "months_ahead",
    "balance",
    "target_balance",
    "renewal_grace_days",
    "renewal_rate",
    "renewal_size_ratio",
    "cliff_share",
    "cliff_month",
    "renewals",
    "months",
    "definitions",
)
RUNOFF_DEFINITIONS = (
    "loans",
    "customers",
    "maturing",
    "remaining",
    "share",
    "renewal_rate",
    "renewal_size_ratio",
    "renewals",
    "forecast",
    "target",
    "gap",
    "cumulative_gap",
    "cliff",
)
PERIOD_FIELDS = (
    ("period", "text"),
    ("start", "date"),
    ("end", "date"),
    ("officer", "text"),
    ("active_start", "int"),
    ("active_end", "int"),
    ("new_borrowers", "int"),
    ("retention_rate", "ratio"),
    ("closed", "int"),
    ("dropouts", "int"),
    ("dropout_rate", "ratio"),
    ("closers", "int"),
    ("repeaters", "int"),
    ("repeat_rate", "ratio"),
    ("noloan_start", "int"),
    ("noloan_end", "int"),
    ("won_back", "int"),
)
RETENTION_KEYS = (
    "as_of",
    "data_as_of",
    "period",
    "from",
    "to",
    "by",
    "renewal_grace_days",
    "periods",
    "definitions",
)
RETENTION_DEFINITIONS = (
    "active",
    "new_borrowers",
    "retention_rate",
    "dropout_rate",
    "repeat_rate",
    "noloan",
    "won_back",
)


class RunoffBy(StrEnum):
    officer = "officer"
    industry = "industry"
    guarantee = "guarantee"


class RetentionBy(StrEnum):
    officer = "officer"


class PeriodChoice(StrEnum):
    month = "month"
    quarter = "quarter"
    year = "year"


def runoff_definitions(lang: str, grace: int, cliff_share: float) -> dict[str, str]:
    """Each figure of the ladder with its formula, in the user's language."""
    from retain.i18n import t

    cliff = f"{cliff_share:.0%}"
    return {n: t(f"runoff.def.{n}", lang, grace=grace, cliff=cliff) for n in RUNOFF_DEFINITIONS}


def retention_definitions(lang: str, grace: int) -> dict[str, str]:
    """Each retention figure with its formula, in the user's language."""
    from retain.i18n import t

    return {n: t(f"retention.def.{n}", lang, grace=grace) for n in RETENTION_DEFINITIONS}


# ---------------------------------------------------------------------------
# retain runoff


def runoff(
    ctx: typer.Context,
    months: Annotated[
        int, typer.Option("--months", min=1, max=120, help="How many calendar months ahead.")
    ] = 12,
    officer: OfficerOption = None,
    by: Annotated[
        RunoffBy | None,
        typer.Option(
            "--by",
            help="Also a ladder per officer, industry or guarantee type.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    target_balance: Annotated[
        float | None,
        typer.Option(
            "--target-balance",
            metavar="YUAN",
            min=0,
            max=1e13,
            help="The balance to hold, in yuan (default: today's balance).",
            show_default=False,
        ),
    ] = None,
    fmt: SheetFormatOption = SheetFormat.auto,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from retain.config import load_config
    from retain.portfolio import runoff as build

    st = state(ctx)
    check_output(output, force)
    settings = load_config().retention
    target_fen = None if target_balance is None else round(target_balance * 100)
    with st.store() as store:
        book = build(
            store.conn,
            st.today,
            months=months,
            officer=officer,
            by=None if by is None else by.value,
            target_fen=target_fen,
            grace_days=settings.renewal_grace_days,
            cliff_share=settings.cliff_share,
        )
    out_format = _sheet_format(fmt, output)
    if out_format == "table":
        _render_runoff(book, st)
        return
    _write(
        out_format,
        output,
        force,
        st,
        rows=list(_month_rows(book)),
        fields=MONTH_FIELDS,
        obj=lambda: _runoff_json(book, st),
    )


def _sheet_format(fmt: SheetFormat, output: Path | None) -> str:
    from retain.cli.options import OutputFormat, resolve_format

    if output is not None:
        from retain.sinks import format_for

        requested = None if fmt in (SheetFormat.auto, SheetFormat.table) else fmt.value
        return "file:" + format_for(output, requested, ("csv", "tsv", "json", "ndjson", "xlsx"))
    if fmt is SheetFormat.auto:
        return resolve_format(OutputFormat.auto)
    return fmt.value


def _write(
    out_format: str,
    output: Path | None,
    force: bool,
    st: State,
    *,
    rows: list[dict[str, Any]],
    fields: Sequence[tuple[str, str]],
    obj: Any,
) -> None:
    """JSON is one object (figures, rows and definitions); the other formats
    carry the rows, to stdout or into the --output file."""
    from retain.cli.options import OutputFormat, emit
    from retain.output import Field

    shown = [Field(name, kind) for name, kind in fields]  # type: ignore[arg-type]
    if out_format in ("json", "file:json"):
        text = obj()
        if output is None:
            sys.stdout.write(text)
            return
        from retain.sinks import atomic_file

        with atomic_file(output) as out:
            out.handle.write(text)
            out.publish(replace=force)
        return
    file_format = out_format.removeprefix("file:")
    emit(rows, shown, OutputFormat(file_format), output, st.lang, force=force)


def _month_rows(book: Runoff) -> Iterator[dict[str, Any]]:
    for ladder in (book.total, *book.groups):
        for month in ladder.months:
            yield {
                "group": ladder.group if ladder is not book.total else None,
                "month": month.month,
                "loans": month.loans,
                "customers": month.customers,
                "maturing": month.maturing_fen,
                "remaining": month.remaining_fen,
                "share": month.share,
                "renewals": month.renewals_fen,
                "forecast": month.forecast_fen,
                "target": month.target_fen,
                "gap": month.gap_fen,
                "cumulative_gap": month.cumulative_gap_fen,
                "below_cliff": month.below_cliff,
            }


def _ratio(value: float | None) -> str:
    return "null" if value is None else f"{value:.4f}"


def _runoff_json(book: Runoff, st: State) -> str:
    import json

    from retain.output import Field, json_object, yuan

    months = [Field(n, k) for n, k in MONTH_FIELDS]  # type: ignore[arg-type]
    renewals = [Field(n, k) for n, k in RENEWAL_FIELDS]  # type: ignore[arg-type]
    renewal_rows = [
        json_object(
            {
                "officer": r.officer,
                "closed": r.closed,
                "renewed": r.renewed,
                "rate": r.rate,
                "size_ratio": r.size_ratio,
            },
            renewals,
        )
        for r in book.renewals
    ]
    month_rows = [json_object(row, months) for row in _month_rows(book)]
    definitions = runoff_definitions(st.lang, book.grace_days, book.cliff_share)

    def listed(items: list[str]) -> str:
        return "[" + ",".join(f"\n    {item}" for item in items) + ("\n  ]" if items else "]")

    pairs = {
        "as_of": json.dumps(book.today.isoformat()),
        "data_as_of": json.dumps(st.data_as_of),
        "officer": json.dumps(book.officer, ensure_ascii=False),
        "by": json.dumps(book.by),
        "months_ahead": str(len(book.total.months)),
        "balance": yuan(book.total.balance_fen),
        "target_balance": yuan(book.total.target_fen),
        "renewal_grace_days": str(book.grace_days),
        "renewal_rate": _ratio(book.renewal.rate),
        "renewal_size_ratio": _ratio(book.renewal.size_ratio),
        "cliff_share": repr(book.cliff_share),
        "cliff_month": json.dumps(book.total.cliff_month),
        "renewals": listed(renewal_rows),
        "months": listed(month_rows),
        "definitions": json.dumps(definitions, ensure_ascii=False, indent=4).replace(
            "\n}", "\n  }"
        ),
    }
    return "{\n" + ",\n".join(f'  "{key}": {pairs[key]}' for key in RUNOFF_KEYS) + "\n}\n"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _render_runoff(book: Runoff, st: State) -> None:
    from retain.cli.render import console
    from retain.i18n import t

    lang = st.lang
    _render_ladder(book, book.total, st)
    out = console()
    rate = book.renewal
    if rate.rate is None:
        out.print(t("runoff.no_history", lang, grace=book.grace_days), markup=False)
    else:
        out.print(
            t(
                "runoff.measured",
                lang,
                rate=_percent(rate.rate),
                renewed=rate.renewed,
                closed=rate.closed,
                ratio=f"{rate.size_ratio or 1.0:.2f}",
                grace=book.grace_days,
            ),
            markup=False,
        )
    if len(book.renewals) > 1:
        _render_renewals(book, st)
    for ladder in book.groups:
        out.print()
        _render_ladder(book, ladder, st)
    out.print()
    out.print(t("runoff.definitions", lang), markup=False)
    for text in runoff_definitions(lang, book.grace_days, book.cliff_share).values():
        out.print(f"  {text}", markup=False)
    out.print()
    _render_chart(book.total, st)


def _render_ladder(book: Runoff, ladder: Ladder, st: State) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import t
    from retain.output import yuan_grouped

    lang = st.lang
    today = book.today.isoformat()
    balance = yuan_grouped(ladder.balance_fen)
    if ladder is book.total:
        title = (
            t("runoff.title_officer", lang, today=today, officer=book.officer, balance=balance)
            if book.officer is not None
            else t("runoff.title", lang, today=today, balance=balance)
        )
    else:
        name = ladder.group if ladder.group is not None else t("runoff.no_group", lang)
        title = t("runoff.group_title", lang, group=name, balance=balance)
    rows = [
        [
            m.month,
            str(m.loans),
            str(m.customers),
            yuan_grouped(m.maturing_fen),
            yuan_grouped(m.remaining_fen),
            _percent(m.share),
            yuan_grouped(m.renewals_fen),
            yuan_grouped(m.forecast_fen),
            yuan_grouped(m.gap_fen),
            yuan_grouped(m.cumulative_gap_fen),
            t("runoff.cliff_mark", lang) if m.month == ladder.cliff_month else "",
        ]
        for m in ladder.months
    ]
    columns = [
        Column(t("runoff.col.month", lang), key=True),
        Column(t("runoff.col.loans", lang), "right", key=True),
        Column(t("runoff.col.customers", lang), "right", key=True),
        Column(t("runoff.col.maturing", lang), "right", key=True),
        Column(t("runoff.col.remaining", lang), "right", key=True),
        Column(t("runoff.col.share", lang), "right", key=True),
        Column(t("runoff.col.renewals", lang), "right", key=True),
        Column(t("runoff.col.forecast", lang), "right", key=True),
        Column(t("runoff.col.gap", lang), "right", key=True),
        Column(t("runoff.col.cumulative_gap", lang), "right", key=True),
        Column("", key=True),
    ]
    target = yuan_grouped(ladder.target_fen)
    footer = [t("runoff.target", lang, target=target)]
    if ladder.cliff_month is not None:
        footer.append(
            t(
                "runoff.cliff",
                lang,
                month=ladder.cliff_month,
                share=f"{book.cliff_share:.0%}",
            )
        )
    else:
        footer.append(
            t("runoff.no_cliff", lang, months=len(ladder.months), share=f"{book.cliff_share:.0%}")
        )
    print_table(title, columns, rows, footer_lines=footer)


def _render_renewals(book: Runoff, st: State) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import t

    lang = st.lang
    rows = [
        [
            r.officer or "",
            str(r.closed),
            str(r.renewed),
            _percent(r.rate),
            "" if r.size_ratio is None else f"{r.size_ratio:.2f}",
        ]
        for r in book.renewals
    ]
    print_table(
        t("runoff.renewals_title", lang),
        [
            Column(t("col.officer", lang)),
            Column(t("runoff.col.closed", lang), "right", key=True),
            Column(t("runoff.col.renewed", lang), "right", key=True),
            Column(t("runoff.col.rate", lang), "right", key=True),
            Column(t("runoff.col.size_ratio", lang), "right", key=True),
        ],
        rows,
    )


def _render_chart(ladder: Ladder, st: State) -> None:
    """One bar per month: █ the balance left if nothing is renewed, ▒ what the
    forecast renewals add, ┃ the target. Rich measures CJK labels as two cells;
    without colour (NO_COLOR, a pipe) the glyphs alone tell the parts apart."""
    from rich.cells import cell_len
    from rich.text import Text

    from retain.cli.render import console
    from retain.i18n import t
    from retain.output import yuan_grouped

    out = console()
    lang = st.lang
    if not ladder.months:
        return
    scale = max(ladder.target_fen, ladder.balance_fen, *(m.forecast_fen for m in ladder.months))
    values = [yuan_grouped(m.forecast_fen) for m in ladder.months]
    value_width = max(cell_len(v) for v in values)
    width = max(10, min(60, out.width - 8 - value_width - 4))
    out.print(t("runoff.chart_title", lang), markup=False)
    legend = Text()
    legend.append("█", style="red")
    legend.append(" " + t("runoff.chart.remaining", lang) + "  ")
    legend.append("▒", style="green")
    legend.append(" " + t("runoff.chart.renewals", lang) + "  ")
    legend.append("┃", style="bold")
    legend.append(" " + t("runoff.chart.target", lang))
    out.print(legend)

    def cells(fen: int) -> int:
        return 0 if scale <= 0 else round(fen / scale * width)

    target_at = min(width, cells(ladder.target_fen))
    for month, value in zip(ladder.months, values, strict=True):
        solid = cells(month.remaining_fen)
        shaded = max(0, cells(month.forecast_fen) - solid)
        line = Text(f"{month.month}  ")
        bar = ["█"] * solid + ["▒"] * shaded + [" "] * (width - solid - shaded)
        bar.append(" ")
        bar[target_at] = "┃"
        for glyph in bar:
            style = {"█": "red", "▒": "green", "┃": "bold"}.get(glyph)
            line.append(glyph, style=style)
        line.append("  " + value.rjust(value_width))
        out.print(line)


# ---------------------------------------------------------------------------
# retain retention


def retention(
    ctx: typer.Context,
    period: Annotated[
        PeriodChoice,
        typer.Option("--period", help="The length of a period.", case_sensitive=False),
    ] = PeriodChoice.month,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DATE",
            help="From the period holding DATE (default: 12 months, 4 quarters or 3 years back).",
            show_default=False,
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="DATE",
            help="Up to DATE: the last period ends there (default: today).",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        RetentionBy | None,
        typer.Option(
            "--by",
            help="Also the figures per officer (the customer's officer today).",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    fmt: SheetFormatOption = SheetFormat.auto,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from retain.config import load_config
    from retain.dates import parse_day
    from retain.errors import UsageError
    from retain.portfolio import retention as build

    st = state(ctx)
    start = parse_day(from_, st.today) if from_ is not None else None
    end = parse_day(to, st.today) if to is not None else st.today
    if start is not None and start > end:
        raise UsageError(key="retention.range", start=start.isoformat(), end=end.isoformat())
    check_output(output, force)
    grace = load_config().retention.renewal_grace_days
    with st.store() as store:
        found = build(
            store.conn,
            st.today,
            period=period.value,
            start=start,
            end=end,
            by_officer=by is not None,
            grace_days=grace,
        )
    out_format = _sheet_format(fmt, output)
    if out_format == "table":
        _render_retention(found, st, grace)
        return
    rows = [_period_row(p) for p in found]
    _write(
        out_format,
        output,
        force,
        st,
        rows=rows,
        fields=PERIOD_FIELDS,
        obj=lambda: _retention_json(
            rows, st, period.value, found, None if by is None else by.value, grace
        ),
    )


def _period_row(p: RetentionPeriod) -> dict[str, Any]:
    return {
        "period": p.label,
        "start": p.start.isoformat(),
        "end": p.end.isoformat(),
        "officer": p.officer,
        "active_start": p.active_start,
        "active_end": p.active_end,
        "new_borrowers": p.new_borrowers,
        "retention_rate": p.retention_rate,
        "closed": p.closed,
        "dropouts": p.dropouts,
        "dropout_rate": p.dropout_rate,
        "closers": p.closers,
        "repeaters": p.repeaters,
        "repeat_rate": p.repeat_rate,
        "noloan_start": p.noloan_start,
        "noloan_end": p.noloan_end,
        "won_back": p.won_back,
    }


def _retention_json(
    rows: list[dict[str, Any]],
    st: State,
    period: str,
    found: Sequence[RetentionPeriod],
    by: str | None,
    grace: int,
) -> str:
    import json

    from retain.output import Field, json_object

    fields = [Field(n, k) for n, k in PERIOD_FIELDS]  # type: ignore[arg-type]
    items = [json_object(row, fields) for row in rows]
    definitions = retention_definitions(st.lang, grace)
    pairs = {
        "as_of": json.dumps(st.today.isoformat()),
        "data_as_of": json.dumps(st.data_as_of),
        "period": json.dumps(period),
        "from": json.dumps(found[0].start.isoformat() if found else None),
        "to": json.dumps(found[-1].end.isoformat() if found else None),
        "by": json.dumps(by),
        "renewal_grace_days": str(grace),
        "periods": "[" + ",".join(f"\n    {i}" for i in items) + ("\n  ]" if items else "]"),
        "definitions": json.dumps(definitions, ensure_ascii=False, indent=4).replace(
            "\n}", "\n  }"
        ),
    }
    return "{\n" + ",\n".join(f'  "{key}": {pairs[key]}' for key in RETENTION_KEYS) + "\n}\n"


def _render_retention(found: Sequence[RetentionPeriod], st: State, grace: int) -> None:
    from retain.cli.render import Column, console, print_table
    from retain.i18n import t

    lang = st.lang
    officers = sorted({p.officer for p in found}, key=lambda o: (o is not None, str(o)))
    groups: list[str | None] = officers if any(p.officer for p in found) else [None]
    for officer in groups:
        rows = [
            [
                p.label,
                str(p.active_start),
                str(p.active_end),
                str(p.new_borrowers),
                _percent(p.retention_rate),
                f"{p.dropouts}/{p.closed}",
                _percent(p.dropout_rate),
                f"{p.repeaters}/{p.closers}",
                _percent(p.repeat_rate),
                str(p.noloan_start),
                str(p.noloan_end),
                str(p.won_back),
            ]
            for p in found
            if p.officer == officer
        ]
        title = (
            t("retention.title_officer", lang, officer=officer)
            if officer is not None
            else t("retention.title", lang, today=st.today.isoformat())
        )
        print_table(
            title,
            [
                Column(t("retention.col.period", lang), key=True),
                Column(t("retention.col.active_start", lang), "right", key=True),
                Column(t("retention.col.active_end", lang), "right", key=True),
                Column(t("retention.col.new", lang), "right", key=True),
                Column(t("retention.col.retention", lang), "right", key=True),
                Column(t("retention.col.dropouts", lang), "right", key=True),
                Column(t("retention.col.dropout_rate", lang), "right", key=True),
                Column(t("retention.col.repeaters", lang), "right", key=True),
                Column(t("retention.col.repeat_rate", lang), "right", key=True),
                Column(t("retention.col.noloan_start", lang), "right", key=True),
                Column(t("retention.col.noloan_end", lang), "right", key=True),
                Column(t("retention.col.won_back", lang), "right", key=True),
            ],
            rows,
        )
    out = console()
    out.print(t("runoff.definitions", lang), markup=False)
    for text in retention_definitions(lang, grace).values():
        out.print(f"  {text}", markup=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("runoff", help=RUNOFF_HELP)(handle_errors(runoff))
    app.command("retention", help=RETENTION_HELP)(handle_errors(retention))
