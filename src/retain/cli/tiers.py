"""``retain tiers``: customers and balance per tier (客户分层), good customers by industry."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from retain.cli.common import State, handle_errors, state
from retain.cli.options import GroupOption
from retain.cli.portfolio import SheetFormat, SheetFormatOption, _sheet_format, _write

if TYPE_CHECKING:
    from retain.config import Config
    from retain.tiers import TierReport

HELP = """Customers and balance per tier (客户分层), and the share of good
customers (优质客户占比) per industry, with a chart.

Tiers are the [[tiers]] rules of the config, tried in order: a customer's
tier is the first rule that holds over its facts (README, "Tiers"); a
customer no rule fits is counted under "no tier". Good customers are those of
the tiers marked good = true, or of the first tier when none is marked.
Balances are open loans' balances in yuan.

Example:

    retain tiers

    retain tiers --by officer

    retain tiers --group 东门市场

    retain tiers --format json
"""

TIER_FIELDS = (
    ("tier", "text"),
    ("name_zh", "text"),
    ("group", "text"),
    ("customers", "int"),
    ("balance", "money"),
    ("contact_every_days", "int"),
    ("good", "bool"),
)
INDUSTRY_FIELDS = (
    ("industry", "text"),
    ("customers", "int"),
    ("good", "int"),
    ("share", "ratio"),
)
TIERS_KEYS = ("as_of", "data_as_of", "by", "tiers", "industries")


class TiersBy(StrEnum):
    industry = "industry"
    officer = "officer"
    group = "group"


def tiers(
    ctx: typer.Context,
    by: Annotated[
        TiersBy | None,
        typer.Option(
            "--by",
            help="Also split each tier by industry, officer or group (the one joined first).",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    group: GroupOption = None,
    fmt: SheetFormatOption = SheetFormat.auto,
) -> None:
    from retain.config import load_config
    from retain.days import day_number
    from retain.tiers import tier_report

    st = state(ctx)
    config = load_config()
    today_day = day_number(st.today)
    assert today_day is not None
    with st.store() as store:
        from retain.cli.groups import group_filter

        report = tier_report(
            store.conn,
            config,
            today_day,
            by=None if by is None else by.value,
            group_id=group_filter(store.conn, group),
        )
    out_format = _sheet_format(fmt, None)
    if out_format == "table":
        _render(report, config, st, by)
        return
    rows = _tier_rows(report, config)
    _write(
        out_format,
        None,
        False,
        st,
        rows=rows,
        fields=TIER_FIELDS,
        obj=lambda: _json(report, config, st, by, rows),
    )


def _tier_rows(report: TierReport, config: Config) -> list[dict[str, Any]]:
    rows = []
    for line in report.lines:
        rule = None if line.tier is None else config.tiers[line.tier]
        rows.append(
            {
                "tier": None if rule is None else rule.name,
                "name_zh": None if rule is None else (rule.name_zh or None),
                "group": line.group,
                "customers": line.customers,
                "balance": line.balance_fen,
                "contact_every_days": None if rule is None else rule.contact_every_days,
                "good": line.tier in report.good_tiers,
            }
        )
    return rows


def _json(
    report: TierReport,
    config: Config,
    st: State,
    by: TiersBy | None,
    rows: list[dict[str, Any]],
) -> str:
    import json

    from retain.output import Field, json_object

    tier_fields = [Field(n, k) for n, k in TIER_FIELDS]  # type: ignore[arg-type]
    industry_fields = [Field(n, k) for n, k in INDUSTRY_FIELDS]  # type: ignore[arg-type]
    industries = [
        json_object(
            {"industry": s.industry, "customers": s.customers, "good": s.good, "share": s.share},
            industry_fields,
        )
        for s in report.industries
    ]

    def listed(items: list[str]) -> str:
        return "[" + ",".join(f"\n    {item}" for item in items) + ("\n  ]" if items else "]")

    pairs = {
        "as_of": json.dumps(st.today.isoformat()),
        "data_as_of": json.dumps(st.data_as_of),
        "by": json.dumps(None if by is None else by.value),
        "tiers": listed([json_object(row, tier_fields) for row in rows]),
        "industries": listed(industries),
    }
    assert tuple(pairs) == TIERS_KEYS
    return "{\n" + ",\n".join(f"  {json.dumps(k)}: {v}" for k, v in pairs.items()) + "\n}\n"


def _tier_label(tier: int | None, config: Config, lang: str) -> str:
    from retain.i18n import t

    if tier is None:
        return t("tiers.none", lang)
    rule = config.tiers[tier]
    return f"{rule.name} {rule.name_zh}".strip() if lang == "zh" or rule.name_zh else rule.name


def _render(report: TierReport, config: Config, st: State, by: TiersBy | None) -> None:
    from retain.cli.render import Column, console, print_table
    from retain.i18n import t
    from retain.output import yuan_grouped

    lang = st.lang
    out = console()
    if not config.tiers:
        out.print(t("tiers.no_rules", lang), markup=False)
    total = sum(line.customers for line in report.lines) or 1
    rows = [
        [
            _tier_label(line.tier, config, lang),
            *([line.group or t("runoff.no_group", lang)] if by is not None else []),
            str(line.customers),
            f"{line.customers / total * 100:.1f}%",
            yuan_grouped(line.balance_fen),
            ""
            if line.tier is None or config.tiers[line.tier].contact_every_days is None
            else str(config.tiers[line.tier].contact_every_days),
        ]
        for line in report.lines
    ]
    columns = [
        Column(t("tiers.col.tier", lang), key=True),
        *([Column(t(f"col.{by.value}", lang))] if by is not None else []),
        Column(t("tiers.col.customers", lang), "right", key=True),
        Column(t("tiers.col.share", lang), "right", key=True),
        Column(t("tiers.col.balance", lang), "right", key=True),
        Column(t("tiers.col.every", lang), "right", key=True),
    ]
    print_table(t("tiers.title", lang, today=st.today.isoformat()), columns, rows)
    if not report.good_tiers:
        return
    out.print()
    good = ", ".join(config.tiers[i].name for i in report.good_tiers)
    out.print(t("tiers.good_title", lang, tiers=good), markup=False)
    _render_shares(report, st)


def _render_shares(report: TierReport, st: State) -> None:
    """One bar per industry: its share of good customers (█ per 5%)."""
    from rich.cells import cell_len

    from retain.cli.render import console
    from retain.cli.trend import bar
    from retain.i18n import t

    out = console()
    lang = st.lang
    labels = [s.industry or t("runoff.no_group", lang) for s in report.industries]
    width = max((cell_len(label) for label in labels), default=0)
    for share, label in zip(report.industries, labels, strict=True):
        pad = " " * (width - cell_len(label))
        figures = t("tiers.good_line", lang, good=share.good, customers=share.customers)
        chart = bar(share.share, 1.0, 20).ljust(20)
        out.print(f"{label}{pad}  {share.share * 100:5.1f}%  {chart}  {figures}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("tiers", help=HELP)(handle_errors(tiers))
