"""``retain coverage``: products per customer, AUM, and cross-sell gaps (产品覆盖度)."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from retain.cli.common import State, handle_errors, state
from retain.cli.portfolio import SheetFormat, SheetFormatOption

if TYPE_CHECKING:
    from retain.holdings import Coverage, Gap, Group

HELP = """Product coverage (产品覆盖度): how many of the bank's products each
customer holds (0, 1, 2, 3 or more, from retain import holdings), their assets
under management (AUM: open holdings' balances, credit cards excepted) and the
good customers per group; then the cross-sell gaps.

A cross-sell gap is a good customer lacking a product that more than
coverage.peer_share (default 0.5) of the customers of their peer group hold;
the suggested product is the one most widely held among those. The peer group
is the customer's industry (a customer with none has no gaps). Good: a loan on
the book or closed within rhythm.win_back_months, every open loan in the first
arrears class (正常), and no written-off loan.

The table shows the groups and the first --limit gaps; json is one object
(groups, the first row the total, and gaps); csv/tsv/ndjson carry the groups'
rows, or with --gaps the gap list (one row per customer). --by tier groups
by the config's [[tiers]] (retain tiers); without any, an error (exit 2).

Example:

    retain coverage

    retain coverage --by officer --format json

    retain coverage --gaps --format csv > cross-sell.csv
"""

GROUP_FIELDS = (
    ("group", "text"),
    ("customers", "int"),
    ("products_0", "int"),
    ("products_1", "int"),
    ("products_2", "int"),
    ("products_3_plus", "int"),
    ("average_products", "ratio"),
    ("aum", "money"),
    ("good", "int"),
    ("gaps", "int"),
)
GAP_FIELDS = (
    ("customer_id", "text"),
    ("name", "text"),
    ("officer", "text"),
    ("industry", "text"),
    ("held", "text"),
    ("aum", "money"),
    ("suggested", "text"),
    ("peer_share", "ratio"),
    ("missing", "text"),
)
COVERAGE_KEYS = ("as_of", "data_as_of", "by", "peer_share", "groups", "gaps_total", "gaps")
GAPS_SHOWN = 50


class CoverageBy(StrEnum):
    industry = "industry"
    officer = "officer"
    tier = "tier"


def coverage(
    ctx: typer.Context,
    by: Annotated[
        CoverageBy,
        typer.Option("--by", help="Group the customers by industry, officer or tier.",
                     case_sensitive=False),
    ] = CoverageBy.industry,
    gaps: Annotated[
        bool,
        typer.Option("--gaps", help="csv/tsv/ndjson: the gap list instead of the groups."),
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            min=1,
            help=f"At most N gaps. Default: {GAPS_SHOWN} in a table, all otherwise.",
            show_default=False,
        ),
    ] = None,
    fmt: SheetFormatOption = SheetFormat.auto,
) -> None:  # fmt: skip
    from retain import holdings
    from retain.cli.portfolio import _sheet_format, _write
    from retain.paths import config_missing, config_path

    st = state(ctx)
    tiers = None
    peer_share = holdings.DEFAULT_PEER_SHARE
    recent_months = holdings.DEFAULT_RECENT_MONTHS
    good_max = holdings.DEFAULT_GOOD_MAX
    if by is CoverageBy.tier or not config_missing(config_path()):
        from retain.config import load_config
        from retain.errors import UsageError

        config = load_config()
        peer_share = config.coverage.peer_share
        recent_months = config.rhythm.win_back_months
        good_max = holdings.good_max_days(config.arrears)
        if by is CoverageBy.tier:
            if not config.tiers:
                raise UsageError(key="coverage.no_tiers")
            from retain.tiers import tiered_sql

            sql, params = tiered_sql(config)
            tiers = (sql, params, [rule.name for rule in config.tiers])
    out_format = _sheet_format(fmt, None)
    with st.store() as store:
        found = holdings.coverage(
            store.conn,
            st.today,
            by=by.value,
            peer_share=peer_share,
            recent_months=recent_months,
            good_max=good_max,
            limit=limit or GAPS_SHOWN if out_format == "table" else limit,
            tiers=tiers,
        )
    if out_format == "table":
        _render(found, st)
        return
    rows = [_gap_row(g) for g in found.gaps] if gaps else [_group_row(g) for g in _groups(found)]
    _write(
        out_format,
        None,
        False,
        st,
        rows=rows,
        fields=GAP_FIELDS if gaps else GROUP_FIELDS,
        obj=lambda: _json(found, st),
    )


def _groups(found: Coverage) -> list[Group]:
    return [found.total, *found.groups]


def _group_row(group: Group) -> dict[str, Any]:
    return {
        "group": group.group,
        "customers": group.customers,
        "products_0": group.products_0,
        "products_1": group.products_1,
        "products_2": group.products_2,
        "products_3_plus": group.products_3_plus,
        "average_products": group.average_products,
        "aum": group.aum_fen,
        "good": group.good,
        "gaps": group.gaps,
    }


def _gap_row(gap: Gap) -> dict[str, Any]:
    return {
        "customer_id": gap.customer_id,
        "name": gap.name,
        "officer": gap.officer,
        "industry": gap.industry,
        "held": ",".join(gap.held),
        "aum": gap.aum_fen,
        "suggested": gap.suggested,
        "peer_share": gap.peer_share,
        "missing": ",".join(gap.missing),
    }


def _json(found: Coverage, st: State) -> str:
    import json

    from retain.output import Field, json_object

    def listed(rows: list[str]) -> str:
        return "[" + ",".join(f"\n    {row}" for row in rows) + ("\n  ]" if rows else "]")

    groups = [Field(n, k) for n, k in GROUP_FIELDS]  # type: ignore[arg-type]
    pairs = {
        "as_of": json.dumps(found.today.isoformat()),
        "data_as_of": json.dumps(st.data_as_of),
        "by": json.dumps(found.by),
        "peer_share": repr(found.peer_share),
        "groups": listed([json_object(_group_row(g), groups) for g in _groups(found)]),
        "gaps_total": str(found.gaps_total),
        "gaps": listed(_gap_objects(found.gaps)),
    }
    return "{\n" + ",\n".join(f'  "{key}": {pairs[key]}' for key in COVERAGE_KEYS) + "\n}\n"


def _gap_objects(gaps: list[Gap]) -> list[str]:
    """``retain.output.json_object`` of each gap's row (:data:`GAP_FIELDS`), by
    hand: a big book has tens of thousands of gaps, and the products' part of a
    gap is the same for every customer of an industry holding the same ones."""
    from json.encoder import encode_basestring as text

    from retain.output import ratio_text, yuan

    def nullable(value: str | None) -> str:
        return "null" if value is None else text(value)

    said: dict[tuple[tuple[str, ...], str, float, tuple[str, ...]], tuple[str, str]] = {}
    out = []
    for gap in gaps:
        key = (gap.held, gap.suggested, gap.peer_share, gap.missing)
        parts = said.get(key)
        if parts is None:
            parts = (
                f'"held": {text(",".join(gap.held))}, "aum": ',
                f', "suggested": {text(gap.suggested)}, "peer_share": {ratio_text(gap.peer_share)}'
                f', "missing": {text(",".join(gap.missing))}}}',
            )
            said[key] = parts
        out.append(
            f'{{"customer_id": {text(gap.customer_id)}, "name": {nullable(gap.name)}, "officer": '
            f"{nullable(gap.officer)}, "
            f'"industry": {text(gap.industry)}, {parts[0]}{yuan(gap.aum_fen)}{parts[1]}'
        )
    return out


def _products(codes: tuple[str, ...] | list[str], lang: str) -> str:
    from retain.i18n import t

    return t("sep.comma", lang).join(t(f"product.{code}", lang) for code in codes)


def _render(found: Coverage, st: State) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import t
    from retain.output import yuan_grouped

    lang = st.lang
    rows = []
    for group in _groups(found):
        name = group.group if group is not found.total else t("coverage.total", lang)
        average = group.average_products
        rows.append(
            [
                name if name is not None else t("coverage.none", lang),
                f"{group.customers:,}",
                f"{group.products_0:,}",
                f"{group.products_1:,}",
                f"{group.products_2:,}",
                f"{group.products_3_plus:,}",
                "" if average is None else f"{average:.2f}",
                yuan_grouped(group.aum_fen),
                f"{group.good:,}",
                f"{group.gaps:,}",
            ]
        )
    headers = ("by_" + found.by, "customers", "p0", "p1", "p2", "p3", "average", "aum", "good",
               "gaps")  # fmt: skip
    print_table(
        t("coverage.title", lang, date=found.today.isoformat()),
        [
            Column(t(f"coverage.col.{h}", lang), "left" if i == 0 else "right")
            for i, h in enumerate(headers)
        ],
        rows,
    )
    share = f"{found.peer_share:.0%}"
    if not found.gaps:
        sys.stdout.write(t("coverage.no_gaps", lang, share=share) + "\n")
        return
    gap_rows = [
        [
            gap.customer_id,
            gap.name,
            gap.officer or "",
            gap.industry,
            _products(gap.held, lang),
            yuan_grouped(gap.aum_fen),
            t(f"product.{gap.suggested}", lang),
            f"{gap.peer_share:.0%}",
        ]
        for gap in found.gaps
    ]
    names = ("customer_id", "name", "officer", "industry", "held", "aum", "suggested", "peers")
    footer = [t("coverage.gaps_footer", lang, share=share)]
    if found.gaps_total > len(found.gaps):
        footer.append(t("coverage.more", lang, shown=len(found.gaps), total=found.gaps_total))
    print_table(
        t("coverage.gaps_title", lang, count=found.gaps_total),
        [Column(t(f"coverage.col.{n}", lang), "right" if n in ("aum", "peers") else "left")
         for n in names],
        gap_rows,
        footer_lines=footer,
    )  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("coverage", help=HELP)(handle_errors(coverage))
