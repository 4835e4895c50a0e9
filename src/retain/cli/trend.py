"""``retain trend``: the portfolio's snapshots over the weeks, as a table and a chart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from retain.cli.common import State, handle_errors, state
from retain.cli.options import OfficerOption, OutputFormat, RowsFormat, resolve_format

if TYPE_CHECKING:
    from retain.snapshots import Snapshot

HELP = """Show how the book moved: one row per week (the latest snapshot of each
ISO week, Monday to Sunday) over the last --weeks weeks up to today, with a
bar chart and a sparkline of --metric.

Every loans import records a snapshot of the book as of its as-of day, per
officer (a re-import of the same day replaces it): customers, open loans,
balance, overdue balance (loans past due or imported as overdue), PAR30/PAR90
(balance more than 30/90 days past due ÷ balance, as in overdue --summary)
and customers with no open loan (无贷户). --officer shows one officer's book.

Example:

    retain trend

    retain trend --weeks 12 --metric par30 --officer 王芳

    retain trend --format json
"""


class Metric(StrEnum):
    balance = "balance"
    par30 = "par30"
    par90 = "par90"
    overdue = "overdue"
    customers = "customers"
    loans = "loans"
    noloan = "noloan"


TREND_FIELDS = (
    ("week", "text"),
    ("day", "date"),
    ("customers", "int"),
    ("loans", "int"),
    ("balance", "money"),
    ("overdue", "money"),
    ("par30", "text"),
    ("par90", "text"),
    ("noloan", "int"),
)

SPARKS = "▁▂▃▄▅▆▇█"
EIGHTHS = " ▏▎▍▌▋▊▉█"
BAR_WIDTH = 24


def trend(
    ctx: typer.Context,
    weeks: Annotated[
        int, typer.Option("--weeks", min=1, max=520, help="How many weeks back from today.")
    ] = 26,
    metric: Annotated[
        Metric,
        typer.Option("--metric", help="The figure the chart shows.", case_sensitive=False),
    ] = Metric.balance,
    officer: OfficerOption = None,
    trend_format: Annotated[
        RowsFormat,
        typer.Option(
            "--format",
            "-f",
            help="auto = a table on a terminal, TSV in a pipe.",
            case_sensitive=False,
        ),
    ] = RowsFormat.auto,
) -> None:
    from retain.snapshots import history, weekly

    st = state(ctx)
    fmt = OutputFormat(trend_format.value)
    out_format = resolve_format(fmt)
    first = st.today - dt.timedelta(days=7 * weeks - 1)
    with st.store(stale="ignore") as store:
        rows = weekly(history(store.conn, first, st.today, officer))
    if out_format == "table":
        _render(rows, st, weeks, metric.value, officer)
        return
    from retain.cli.options import emit

    emit(
        (_as_row(s) for s in rows),
        [_field(name, kind) for name, kind in TREND_FIELDS],
        fmt,
        None,
        st.lang,
    )


def _field(name: str, kind: str) -> Any:
    from retain.output import Field

    return Field(name, kind)  # type: ignore[arg-type]


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _as_row(s: Snapshot) -> dict[str, Any]:
    return {
        "week": _week(s.day),
        "day": s.day.isoformat(),
        "customers": s.customers,
        "loans": s.loans,
        "balance": s.balance_fen,
        "overdue": s.overdue_fen,
        "par30": _ratio(s.par(30)),
        "par90": _ratio(s.par(90)),
        "noloan": s.noloan,
    }


def sparkline(values: Sequence[float | None]) -> str:
    """One block per value, from the lowest (▁) to the highest (█); a gap for none."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    out = []
    for value in values:
        if value is None:
            out.append(" ")
        elif span == 0:
            out.append(SPARKS[3])
        else:
            out.append(SPARKS[round((value - low) / span * (len(SPARKS) - 1))])
    return "".join(out)


def bar(value: float | None, high: float, width: int = BAR_WIDTH) -> str:
    """A bar from zero, in eighths of a cell, ``width`` cells at ``high``."""
    if value is None or high <= 0 or value <= 0:
        return ""
    eighths = round(value / high * width * 8)
    whole, part = divmod(eighths, 8)
    return "█" * whole + (EIGHTHS[part] if part else "")


def _shown(metric: str, value: float | None, lang: str) -> str:
    from retain.i18n import t
    from retain.output import yuan_grouped

    if value is None:
        return t("trend.none", lang)
    if metric in ("par30", "par90"):
        return f"{value * 100:.2f}%"
    if metric in ("balance", "overdue"):
        return yuan_grouped(int(value))
    return str(int(value))


def _render(rows: list[Snapshot], st: State, weeks: int, metric: str, officer: str | None) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import t
    from retain.output import yuan_grouped
    from retain.snapshots import metric_value

    lang = st.lang
    label = t(f"trend.metric.{metric}", lang)
    title = t("trend.title", lang, weeks=weeks, today=st.today.isoformat(), metric=label)
    if officer is not None:
        title = t("trend.title_officer", lang, title=title, officer=officer)
    values = [metric_value(s, metric) for s in rows]
    high = max((v for v in values if v is not None), default=0.0)

    def percent(share: float | None) -> str:
        return t("trend.none", lang) if share is None else f"{share * 100:.2f}%"

    shown = [
        [
            _week(s.day),
            s.day.isoformat(),
            str(s.customers),
            str(s.loans),
            yuan_grouped(s.balance_fen),
            yuan_grouped(s.overdue_fen),
            percent(s.par(30)),
            percent(s.par(90)),
            str(s.noloan),
            bar(value, high),
        ]
        for s, value in zip(rows, values, strict=True)
    ]
    columns = [
        Column(t("trend.col.week", lang), key=True),
        Column(t("trend.col.day", lang), key=True),
        Column(t("trend.col.customers", lang), "right"),
        Column(t("trend.col.loans", lang), "right"),
        Column(t("col.balance", lang), "right", key=True),
        Column(t("trend.col.overdue", lang), "right"),
        Column("PAR30", "right", key=True),
        Column("PAR90", "right"),
        Column(t("trend.col.noloan", lang), "right"),
        Column(label),
    ]
    if not rows:
        footer = [t("trend.empty", lang)]
    else:
        footer = [
            t(
                "trend.spark",
                lang,
                metric=label,
                spark=sparkline(values),
                first=_shown(metric, values[0], lang),
                last=_shown(metric, values[-1], lang),
            ),
            t("trend.definition", lang),
        ]
    print_table(title, columns, shown, footer_lines=footer)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("trend", help=HELP)(handle_errors(trend))
