"""``retain pipeline``: how far prospects went, per channel and officer, with a funnel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from retain.cli.common import State, handle_errors, state
from retain.cli.options import OutputFormat, RowsFormat, resolve_format

if TYPE_CHECKING:
    from retain.pipeline import PipelineRow

HELP = """Show the prospecting pipeline: per channel and officer, the prospects
entered between --from and --to (default: all up to today), how many reached
each stage (new, contacted, applied, approved, disbursed: a prospect that
reached a stage counts in every stage before it, lost ones included), the
conversion from entry to disbursed, the median days from entry to disbursal,
the lost ones by reason, and the money their customers borrowed: the principal
of the linked customer's loans disbursed on or after the prospect's entry, and
what the open ones still owe. A table shows the total and a funnel chart.

Example:

    retain pipeline

    retain pipeline --channel 转介绍 --from 2026-10-01 --to 2026-12-31

    retain pipeline --officer 王芳 --format json
"""


PIPELINE_FIELDS = (
    ("channel", "text"),
    ("officer", "text"),
    ("entered", "int"),
    ("contacted", "int"),
    ("applied", "int"),
    ("approved", "int"),
    ("disbursed", "int"),
    ("open", "int"),
    ("lost", "int"),
    ("lost_no_need", "int"),
    ("lost_rate", "int"),
    ("lost_declined_by_us", "int"),
    ("lost_competitor", "int"),
    ("lost_unreachable", "int"),
    ("lost_other", "int"),
    ("conversion", "ratio"),
    ("median_days_to_disbursal", "ratio"),
    ("disbursed_amount", "money"),
    ("balance", "money"),
)

BAR_WIDTH = 30


def pipeline(
    ctx: typer.Context,
    officer: Annotated[
        str | None,
        typer.Option("--officer", help="Only this officer's prospects.", show_default=False),
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option(
            "--channel",
            metavar="CHANNEL",
            help="Only this channel: referral, supply_chain, circle, alliance, walk_in, other, "
            "their Chinese names or 点/线/圈/面.",
            show_default=False,
        ),
    ] = None,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DATE",
            help="Prospects entered on or after DATE (default: all).",
            show_default=False,
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="DATE",
            help="Prospects entered on or before DATE (default: today).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        RowsFormat,
        typer.Option(
            "--format",
            "-f",
            help="auto = a table on a terminal, TSV in a pipe.",
            case_sensitive=False,
        ),
    ] = RowsFormat.auto,
) -> None:
    from retain.dates import parse_day
    from retain.days import day_number
    from retain.errors import UsageError
    from retain.pipeline import PipelineFilter
    from retain.pipeline import pipeline as build

    st = state(ctx)
    code: str | None = None
    if channel is not None:
        # Imported only here: retain.prospects brings the importers' modules,
        # a tenth of a second of start-up the plain report does not need.
        from retain.prospects import channel_of

        code = channel_of(channel)  # exit 2 for none of them
    start = parse_day(from_, st.today) if from_ is not None else None
    end = parse_day(to, st.today) if to is not None else st.today
    if start is not None and start > end:
        raise UsageError(key="pipeline.range", start=start.isoformat(), end=end.isoformat())
    spec = PipelineFilter(
        first_day=day_number(start) if start is not None else None,
        last_day=day_number(end),
        officer=officer,
        channel=code,
    )
    with st.store(stale="ignore") as store:
        rows = build(store.conn, spec)
    out_format = resolve_format(OutputFormat(fmt.value))
    if out_format == "table":
        _render(rows, st, start.isoformat() if start else None, end.isoformat())
        return
    from retain.cli.options import emit
    from retain.output import Field

    fields = [Field(name, kind) for name, kind in PIPELINE_FIELDS]  # type: ignore[arg-type]
    emit((as_row(r) for r in rows), fields, OutputFormat(fmt.value), None, st.lang)


def as_row(row: PipelineRow) -> dict[str, Any]:
    found: dict[str, Any] = {
        "channel": row.channel,
        "officer": row.officer,
        "entered": row.entered,
        **{stage: row.reached[stage] for stage in ("contacted", "applied", "approved")},
        "disbursed": row.reached["disbursed"],
        "open": row.open,
        "lost": row.lost_total,
        **{f"lost_{reason}": count for reason, count in row.lost.items()},
        "conversion": row.conversion,
        "median_days_to_disbursal": row.median_days,
        "disbursed_amount": row.disbursed_fen,
        "balance": row.balance_fen,
    }
    return found


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}%"


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _render(rows: list[PipelineRow], st: State, start: str | None, end: str) -> None:
    from retain.cli.render import Column, console, print_table
    from retain.cli.trend import bar
    from retain.i18n import t
    from retain.output import yuan_grouped
    from retain.pipeline import LOST_REASONS, STAGES, total

    lang = st.lang
    none = t("pipeline.none", lang)

    def shown(row: PipelineRow, channel: str, officer: str) -> list[str]:
        return [
            channel,
            officer,
            str(row.entered),
            str(row.reached["contacted"]),
            str(row.reached["applied"]),
            str(row.reached["approved"]),
            str(row.reached["disbursed"]),
            str(row.lost_total),
            _percent(row.conversion),
            _days(row.median_days),
            yuan_grouped(row.disbursed_fen),
            yuan_grouped(row.balance_fen),
        ]

    whole = total(rows)
    table = [
        shown(row, t(f"pipeline.channel.{row.channel}", lang), row.officer or none) for row in rows
    ]
    if len(rows) > 1:
        table.append(shown(whole, t("pipeline.total", lang), ""))
    columns = [
        Column(t("pipeline.col.channel", lang), key=True),
        Column(t("col.officer", lang)),
        Column(t("pipeline.col.entered", lang), "right"),
        *(Column(t(f"pipeline.stage.{s}", lang), "right") for s in STAGES[1:]),
        Column(t("pipeline.col.lost", lang), "right"),
        Column(t("pipeline.col.conversion", lang), "right", key=True),
        Column(t("pipeline.col.median_days", lang), "right"),
        Column(t("pipeline.col.disbursed_amount", lang), "right", key=True),
        Column(t("col.balance", lang), "right", key=True),
    ]
    window = (
        t("pipeline.window", lang, start=start, end=end)
        if start
        else t("pipeline.window_all", lang, end=end)
    )
    title = t("pipeline.title", lang, window=window)
    if not rows:
        print_table(title, columns, [], footer_lines=[t("pipeline.empty", lang)])
        return
    print_table(title, columns, table)
    out = console()
    out.print(t("pipeline.funnel", lang), highlight=False)
    labels = [t(f"pipeline.stage.{s}", lang) for s in STAGES]
    width = max(_width(label) for label in labels)
    for stage, label in zip(STAGES, labels, strict=True):
        count = whole.reached[stage]
        share = count / whole.entered if whole.entered else 0.0
        pad = " " * (width - _width(label))
        line = f"  {label}{pad}  {count:>7}  {_percent(share):>6}  "
        out.print(line + bar(count, whole.entered, BAR_WIDTH), highlight=False)
    if whole.lost_total:
        parts = [
            t("pipeline.lost_part", lang, reason=t(f"pipeline.lost.{r}", lang), count=n)
            for r in LOST_REASONS
            if (n := whole.lost[r])
        ]
        joined = t("sep.comma", lang).join(parts)
        out.print(t("pipeline.lost_line", lang, count=whole.lost_total, reasons=joined))
    out.print(t("pipeline.definition", lang), highlight=False)


def _width(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("pipeline", help=HELP)(handle_errors(pipeline))
