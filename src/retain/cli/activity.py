"""``retain activity``: each officer's week (or month) against their quotas."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from retain.cli.common import State, handle_errors, state
from retain.cli.options import OutputFormat, resolve_format

if TYPE_CHECKING:
    from retain.activity import Activity, OfficerActivity, Streak, Target

HELP = """Show what each officer did in a week (or a month) against their quotas:
contacts by channel and outcome, customers reached, calls, visits, new
prospects, prospects converted, new customers (first loans), renewals,
win-backs, promises kept and broken, each quota with ✓/✗ and its share, a bar
chart per officer, and the due contacts not made: loans that matured in the
window with no contact in the rhythm.maturity_tiers lead days before.

Default: the current week (by --today). Weeks are ISO weeks (2026-W48; a
week that does not exist, as 2025-W53, is an error); quota.week_starts starts
them on another day. Quotas: [quota] in the config, per officer in
[[quota.officers]] tables. Contacts count for the officer recorded on them
(log --officer), else the customer's officer. --streak: the consecutive weeks
each officer met their visit quota, up to the current week (or --week).

Example:

    retain activity

    retain activity --week 2026-W48 --officer 王芳

    retain activity --month 2026-11 --format json

    retain activity --streak
"""


class ActivityFormat(StrEnum):
    auto = "auto"
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"


# One row per officer in CSV/TSV: the counts, then each quota (empty: none).
ACTIVITY_FIELDS = (
    ("officer", "text"),
    ("contacts", "int"),
    ("customers_reached", "int"),
    ("calls", "int"),
    ("visits", "int"),
    ("new_prospects", "int"),
    ("prospects_converted", "int"),
    ("new_customers", "int"),
    ("renewals", "int"),
    ("win_backs", "int"),
    ("promises_kept", "int"),
    ("promises_broken", "int"),
    ("missed", "int"),
    ("calls_quota", "int"),
    ("visits_quota", "int"),
    ("new_prospects_quota", "int"),
    ("new_customers_quota", "int"),
)
ACTIVITY_KEYS = ("period", "kind", "from", "to", "week_starts", "officers", "missed")
OFFICER_KEYS = (
    "officer",
    "contacts",
    "customers_reached",
    "calls",
    "visits",
    "new_prospects",
    "prospects_converted",
    "new_customers",
    "renewals",
    "win_backs",
    "promises_kept",
    "promises_broken",
    "missed",
    "by_channel",
    "by_outcome",
    "targets",
)
MISSED_KEYS = ("officer", "customer_id", "name", "loan_id", "matures_on", "last_contact_on")
STREAK_FIELDS = (
    ("officer", "text"),
    ("visits_quota", "int"),
    ("weeks", "int"),
    ("this_week_met", "bool"),
    ("since", "text"),
)
BAR_CELLS = 20  # the quota's length; more than the quota runs on, up to half again
SHOWN_MISSED = 30


def activity(
    ctx: typer.Context,
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            metavar="YYYY-Www",
            help="The ISO week, e.g. 2026-W48 (default: the current week).",
            show_default=False,
        ),
    ] = None,
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            metavar="YYYY-MM",
            help="A calendar month instead of a week.",
            show_default=False,
        ),
    ] = None,
    officer: Annotated[
        str | None,
        typer.Option("--officer", metavar="NAME", help="Only this officer.", show_default=False),
    ] = None,
    streak: Annotated[
        bool,
        typer.Option("--streak", help="Consecutive weeks each officer met their visit quota."),
    ] = False,
    activity_format: Annotated[
        ActivityFormat,
        typer.Option(
            "--format",
            "-f",
            help="auto = a table on a terminal, TSV in a pipe; json is one object "
            "(--streak: a list).",
            case_sensitive=False,
        ),
    ] = ActivityFormat.auto,
) -> None:
    from retain.activity import (
        activity as compute,
    )
    from retain.activity import (
        normal_officer,
        parse_month,
        parse_week,
        streaks,
        week_of,
    )
    from retain.config import load_config
    from retain.errors import UsageError

    st = state(ctx)
    config = load_config()
    quota = config.quota
    if week is not None and month is not None:
        raise UsageError(key="activity.week_and_month")
    if streak and month is not None:
        raise UsageError(key="activity.streak_month")
    if month is not None:
        window = parse_month(month)
    elif week is not None:
        window = parse_week(week, quota.week_starts)
    else:
        window = week_of(st.today, quota.week_starts)
    who = normal_officer(officer) if officer else None
    fmt = OutputFormat(activity_format.value)
    out_format = resolve_format(fmt)
    with st.store(stale="ignore") as store:
        if streak:
            found_streaks = streaks(store.conn, window, quota, who)
        else:
            found = compute(
                store.conn,
                window,
                st.today,
                quota,
                lead_days=config.rhythm.lead_days,
                grace_days=config.retention.renewal_grace_days,
                officer=who,
            )
    if streak:
        if out_format == "table":
            _render_streaks(found_streaks, window.label, st)
        else:
            _emit((_streak_row(s) for s in found_streaks), STREAK_FIELDS, fmt, st.lang)
        return
    if out_format == "table":
        _render(found, st, config.rhythm.lead_days, config.retention.renewal_grace_days)
    elif out_format == "json":
        import json
        import sys

        sys.stdout.write(
            json.dumps(_as_object(found, quota.week_starts), ensure_ascii=False, indent=2)
        )
        sys.stdout.write("\n")
    else:
        _emit((_as_row(o) for o in found.officers), ACTIVITY_FIELDS, fmt, st.lang)


def _emit(rows: Any, specs: Any, fmt: OutputFormat, lang: str) -> None:
    from retain.cli.options import emit
    from retain.output import Field

    emit(rows, [Field(name, kind) for name, kind in specs], fmt, None, lang)


def _quota(entry: OfficerActivity, measure: str) -> int | None:
    return next((t.quota for t in entry.targets if t.measure == measure), None)


def _as_row(entry: OfficerActivity) -> dict[str, Any]:
    row: dict[str, Any] = {"officer": entry.officer}
    row.update(entry.counts)
    for measure in ("calls", "visits", "new_prospects", "new_customers"):
        row[f"{measure}_quota"] = _quota(entry, measure)
    return row


def _target(target: Target) -> dict[str, Any]:
    return {
        "measure": target.measure,
        "done": target.done,
        "quota": target.quota,
        "met": target.met,
        "share": round(target.share, 4),
    }


def _as_object(found: Activity, week_starts: str) -> dict[str, Any]:
    window = found.window
    officers = []
    for entry in found.officers:
        item: dict[str, Any] = {"officer": entry.officer}
        item.update(entry.counts)
        item["by_channel"] = entry.by_channel
        item["by_outcome"] = entry.by_outcome
        item["targets"] = [_target(t) for t in entry.targets]
        officers.append(item)
    return {
        "period": window.label,
        "kind": window.kind,
        "from": window.first.isoformat(),
        "to": window.last.isoformat(),
        "week_starts": week_starts,
        "officers": officers,
        "missed": [
            {
                "officer": m.officer,
                "customer_id": m.customer_id,
                "name": m.name,
                "loan_id": m.loan_id,
                "matures_on": m.matures_on,
                "last_contact_on": m.last_contact_on,
            }
            for m in found.missed
        ],
    }


def _streak_row(s: Streak) -> dict[str, Any]:
    return {
        "officer": s.officer,
        "visits_quota": s.quota,
        "weeks": s.weeks,
        "this_week_met": s.current_met,
        "since": s.since,
    }


def bar(done: int, quota: int) -> str:
    """The quota is :data:`BAR_CELLS` cells: done in █, the rest of the quota in ░,
    beyond it █ again after a │ (capped at half the quota again)."""
    filled = min(round(done / quota * BAR_CELLS), BAR_CELLS * 3 // 2)
    if filled <= BAR_CELLS:
        return "█" * filled + "░" * (BAR_CELLS - filled)
    return "█" * BAR_CELLS + "│" + "█" * (filled - BAR_CELLS)


def _name(officer: str | None, lang: str) -> str:
    from retain.i18n import t

    return officer if officer is not None else t("activity.no_officer", lang)


def _cell(entry: OfficerActivity, measure: str, lang: str) -> str:
    from retain.i18n import t

    done = entry.counts[measure]
    target = next((x for x in entry.targets if x.measure == measure), None)
    if target is None:
        return str(done)
    return t(
        "activity.against",
        lang,
        done=done,
        quota=target.quota,
        mark=t("activity.met" if target.met else "activity.not_met", lang),
        share=f"{target.share:.0%}",
    )


def _render(found: Activity, st: State, lead_days: int, grace_days: int) -> None:
    from rich.cells import cell_len

    from retain.activity import MEASURES
    from retain.cli.render import Column, console, print_table
    from retain.i18n import label, t

    lang = st.lang
    window = found.window
    title = t(
        "activity.title",
        lang,
        period=window.label,
        first=window.first.isoformat(),
        last=window.last.isoformat(),
    )
    # One column per officer, one row per measure: a branch has a handful of
    # officers and a dozen measures, so this shape fits a terminal.
    columns = [Column(t("activity.col.measure", lang))] + [
        Column(_name(e.officer, lang), "right", key=True) for e in found.officers
    ]
    rows = [
        [t(f"activity.measure.{m}", lang)] + [_cell(e, m, lang) for e in found.officers]
        for m in MEASURES
    ]
    footer = [t("activity.definition", lang, grace=grace_days)]
    if not any(e.targets for e in found.officers):
        footer.append(t("activity.no_quota", lang))
    print_table(title, columns, rows, footer_lines=footer)
    out = console()
    sep = t("sep.comma", lang)
    for entry in found.officers:
        if not entry.counts["contacts"] and not entry.targets:
            continue
        out.print("")
        out.print(t("activity.chart", lang, officer=_name(entry.officer, lang)), markup=False)
        names = [t(f"activity.measure.{x.measure}", lang) for x in entry.targets]
        width = max((cell_len(n) for n in names), default=0)
        for name, target in zip(names, entry.targets, strict=True):
            mark = t("activity.met" if target.met else "activity.not_met", lang)
            pad = " " * (width - cell_len(name))
            out.print(
                f"  {name}{pad}  {bar(target.done, target.quota)}  "
                f"{target.done}/{target.quota} {mark} {target.share:.0%}",
                markup=False,
            )
        channels = sep.join(
            f"{label('channel', c, lang)} {n}" for c, n in entry.by_channel.items() if n
        )
        outcomes = sep.join(
            f"{label('outcome', o, lang)} {n}" for o, n in entry.by_outcome.items() if n
        )
        nothing = t("activity.nothing", lang)
        out.print("  " + t("activity.channels", lang, items=channels or nothing), markup=False)
        out.print("  " + t("activity.outcomes", lang, items=outcomes or nothing), markup=False)
    out.print("")
    if not found.missed:
        out.print(t("activity.missed_none", lang, lead=lead_days), markup=False)
        return
    shown = found.missed[:SHOWN_MISSED]
    more = len(found.missed) - len(shown)
    print_table(
        t("activity.missed_title", lang, lead=lead_days),
        [
            Column(t("col.officer", lang), key=True),
            Column(t("col.customer_id", lang), key=True),
            Column(t("col.name", lang)),
            Column(t("col.loan_id", lang), key=True),
            Column(t("activity.col.matured", lang), key=True),
            Column(t("activity.col.last_contact", lang), key=True),
        ],
        [
            [
                _name(m.officer, lang),
                m.customer_id,
                m.name,
                m.loan_id,
                m.matures_on,
                m.last_contact_on or "—",
            ]
            for m in shown
        ],
        footer_lines=[t("activity.missed_more", lang, count=more)] if more else [],
    )


def _render_streaks(found: list[Streak], period: str, st: State) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import t

    lang = st.lang
    if not found:
        typer.echo(t("activity.streak_none", lang))
        return
    rows = [
        [
            s.officer,
            str(s.quota),
            str(s.weeks),
            t("activity.met" if s.current_met else "activity.not_met", lang),
            s.since or "—",
        ]
        for s in found
    ]
    print_table(
        t("activity.streak_title", lang, period=period),
        [
            Column(t("col.officer", lang), key=True),
            Column(t("activity.col.quota", lang), "right"),
            Column(t("activity.col.weeks", lang), "right"),
            Column(t("activity.col.this_week", lang)),
            Column(t("activity.col.since", lang), key=True),
        ],
        rows,
        footer_lines=[t("activity.streak_note", lang)],
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("activity", help=HELP)(handle_errors(activity))
