"""``retain season``: upcoming seasonal campaigns (季节性需求) and whom they concern."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from retain.cli.common import State, handle_errors, state
from retain.cli.options import (
    DATA_AS_OF,
    TABLE_DEFAULT_LIMIT,
    ForceOption,
    FormatOption,
    OutputFormat,
    OutputOption,
    RevealOption,
    check_output,
    emit_masked,
    resolve_format,
)

HELP = """Upcoming seasonal campaigns (季节性需求) from the config's [[seasons]]
table: each season whose date falls within --weeks of today (or whose lead
window is open), with the customers and prospects it concerns.

A season's date is MM-DD or a Chinese festival (春节, 中秋, 端午, dates from the
holidays package's lunisolar calendar) with an offset in days (春节 -45). It
concerns the customers whose industry contains the season's industry (服装
matches 服装加工), or the members of its group, and the open prospects of the
same. Customers with a loan past due are left out. Per campaign, customers come
first: those whose loan matures before the season's date (a renewal to time),
then the most room for a top-up (their largest loan ever less today's balance);
then prospects.

Example:

    retain season

    retain season --weeks 12 --format json
"""

SEASON_FIELDS = (
    ("season", "text"),
    ("season_date", "date"),
    ("days_left", "int"),
    ("window_opens", "date"),
    ("rank", "int"),
    ("member_id", "text"),
    ("member_kind", "text"),  # customer or prospect
    ("name", "text"),
    ("phone", "text"),
    ("officer", "text"),
    ("industry", "text"),
    ("balance", "money"),  # open balance; null for a prospect
    ("matures_on", "date"),  # the soonest maturity of an open loan
    ("matures_before", "bool"),  # that loan matures on or before the season's date
    ("room", "money"),  # largest loan ever − balance: room for a top-up
    ("stage", "text"),  # a prospect's stage
    DATA_AS_OF,
)


def season(
    ctx: typer.Context,
    weeks: Annotated[
        int, typer.Option("--weeks", "-w", min=0, max=104, help="How far ahead to look.")
    ] = 8,
    reveal: RevealOption = False,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from retain.config import load_config
    from retain.seasons import season_members, upcoming_seasons

    st = state(ctx)
    check_output(output, force)
    config = load_config()
    out_format = "file" if output is not None else resolve_format(fmt)
    found = upcoming_seasons(config.seasons, st.today, weeks * 7)
    rows: list[dict[str, Any]] = []
    with st.store() as store:
        for campaign in found:
            for rank, member in enumerate(season_members(store.conn, campaign, st.today), 1):
                rows.append(
                    {
                        "season": campaign.name,
                        "season_date": campaign.date.isoformat(),
                        "days_left": (campaign.date - st.today).days,
                        "window_opens": campaign.window_opens().isoformat(),
                        "rank": rank,
                        **member,
                    }
                )
    if out_format == "table":
        _render(rows, st, [c.name for c in found], weeks, reveal)
    else:
        emit_masked(
            rows,
            SEASON_FIELDS,
            fmt,
            output,
            reveal,
            st.lang,
            force=force,
            data_as_of=st.data_as_of,
        )


def _render(
    rows: list[dict[str, Any]], st: State, names: list[str], weeks: int, reveal: bool
) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import t
    from retain.output import mask_phone, yuan_grouped

    lang = st.lang
    yes = t("season.yes", lang)
    shown = [
        [
            row["season"],
            row["season_date"],
            str(row["days_left"]),
            row["member_id"],
            row["name"] or "",
            row["phone"] if reveal else mask_phone(row["phone"]),
            "" if row["balance"] is None else yuan_grouped(row["balance"]),
            (row["matures_on"] or "") + (f" ({yes})" if row["matures_before"] else ""),
            "" if row["room"] is None else yuan_grouped(row["room"]),
            row["stage"] or "",
            row["officer"] or "",
        ]
        for row in rows[:TABLE_DEFAULT_LIMIT]
    ]
    columns = [
        Column(t("season.col.season", lang), key=True),
        Column(t("season.col.date", lang), key=True),
        Column(t("col.days_left", lang), "right"),
        Column(t("group.col.member", lang), key=True),
        Column(t("col.name", lang)),
        Column(t("col.phone", lang), key=True),
        Column(t("col.balance", lang), "right"),
        Column(t("season.col.matures", lang)),
        Column(t("season.col.room", lang), "right"),
        Column(t("group.col.stage", lang)),
        Column(t("col.officer", lang)),
    ]
    footer = [t("season.summary", lang, campaigns=len(names), count=len(rows))]
    if not names:
        footer = [t("season.none", lang, weeks=weeks)]
    title = t("season.title", lang, today=st.today.isoformat(), weeks=weeks)
    print_table(title, columns, shown, footer_lines=footer)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("season", help=HELP)(handle_errors(season))
