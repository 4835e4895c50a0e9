"""``retain referrals``: a customer's referral tree, or the top referrers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from retain.cli.common import State, handle_errors, state
from retain.cli.options import OutputFormat, RowsFormat, resolve_format

if TYPE_CHECKING:
    from retain.referrals import Node, Referrer

HELP = """Show who a customer brought in (转介绍, 点): the prospects they referred,
with each one's stage and loan amount; a prospect that became a customer
brings its own referrals along, as do the prospects a prospect referred, level
after level. The loan amount is the principal of the customer's loans
disbursed on or after the prospect's entry, and what the open ones still owe;
before conversion, the prospect's stated need.

Without CUSTOMER_ID: the top referrers, by the prospects they referred that
converted, then by the balance those brought, then by how many they referred.

Example:

    retain referrals

    retain referrals C0001

    retain referrals --officer 王芳 --format json
"""

TREE_FIELDS = (
    ("depth", "int"),
    ("id", "text"),
    ("parent_id", "text"),
    ("name", "text"),
    ("stage", "text"),
    ("lost_reason", "text"),
    ("channel", "text"),
    ("customer_id", "text"),
    ("need", "money"),
    ("disbursed_amount", "money"),
    ("balance", "money"),
)
REFERRER_FIELDS = (
    ("customer_id", "text"),
    ("name", "text"),
    ("officer", "text"),
    ("referred", "int"),
    ("converted", "int"),
    ("disbursed_amount", "money"),
    ("balance", "money"),
)


def referrals(
    ctx: typer.Context,
    customer_id: Annotated[
        str | None,
        typer.Argument(
            metavar="CUSTOMER_ID",
            help="The customer whose referrals to show (default: the top referrers).",
            show_default=False,
        ),
    ] = None,
    officer: Annotated[
        str | None,
        typer.Option(
            "--officer",
            help="Top referrers: only this officer's customers.",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option("--limit", min=1, help="Top referrers: at most N."),
    ] = 20,
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
    from retain.cli.options import emit
    from retain.errors import RetainError
    from retain.output import Field
    from retain.referrals import top_referrers, tree

    st = state(ctx)
    out_format = resolve_format(OutputFormat(fmt.value))
    with st.store(stale="ignore") as store:
        if customer_id is not None:
            root = tree(store.conn, customer_id)
            if root is None:
                raise RetainError(key="customer.unknown", customer=customer_id)
            if out_format == "table":
                _render_tree(root, st)
                return
            nodes = root.walk()
            fields = [Field(n, k) for n, k in TREE_FIELDS]  # type: ignore[arg-type]
            emit((_node_row(n) for n in nodes), fields, OutputFormat(fmt.value), None, st.lang)
            return
        found = top_referrers(store.conn, officer=officer, limit=limit)
    if out_format == "table":
        _render_top(found, st)
        return
    fields = [Field(n, k) for n, k in REFERRER_FIELDS]  # type: ignore[arg-type]
    emit((_referrer_row(r) for r in found), fields, OutputFormat(fmt.value), None, st.lang)


def _node_row(node: Node) -> dict[str, Any]:
    return {
        "depth": node.depth,
        "id": node.id,
        "parent_id": node.parent_id,
        "name": node.name,
        "stage": node.stage,
        "lost_reason": node.lost_reason,
        "channel": node.channel,
        "customer_id": node.customer_id if node.stage is not None else node.id,
        "need": node.need_fen,
        "disbursed_amount": node.disbursed_fen if node.depth else None,
        "balance": node.balance_fen if node.depth else None,
    }


def _referrer_row(r: Referrer) -> dict[str, Any]:
    return {
        "customer_id": r.customer_id,
        "name": r.name,
        "officer": r.officer,
        "referred": r.referred,
        "converted": r.converted,
        "disbursed_amount": r.disbursed_fen,
        "balance": r.balance_fen,
    }


def _node_text(node: Node, lang: str) -> str:
    from retain.i18n import t
    from retain.output import yuan_grouped

    name = node.name if node.name is not None else t("referrals.forgotten", lang)
    if node.depth == 0:
        return f"{node.id} {name}"
    stage = t(f"pipeline.stage.{node.stage}", lang) if node.stage != "lost" else ""
    if node.stage == "lost":
        reason = t(f"pipeline.lost.{node.lost_reason or 'other'}", lang)
        stage = t("referrals.lost", lang, reason=reason)
    parts = [f"{node.id} {name}", stage]
    if node.customer_id is not None:
        parts.append(t("referrals.became", lang, customer_id=node.customer_id))
    if node.disbursed_fen:
        parts.append(
            t(
                "referrals.money",
                lang,
                disbursed=yuan_grouped(node.disbursed_fen),
                balance=yuan_grouped(node.balance_fen),
            )
        )
    elif node.need_fen and node.stage not in ("disbursed", "lost"):
        parts.append(t("referrals.need", lang, need=yuan_grouped(node.need_fen)))
    return t("sep.dot", lang).join(parts)


def _render_tree(root: Node, st: State) -> None:
    from retain.cli.render import console
    from retain.i18n import t
    from retain.output import yuan_grouped

    lang = st.lang
    out = console()
    out.print(_node_text(root, lang), highlight=False, markup=False)

    def branch(node: Node, prefix: str) -> None:
        for i, child in enumerate(node.children):
            last = i == len(node.children) - 1
            out.print(
                prefix + ("└─ " if last else "├─ ") + _node_text(child, lang),
                highlight=False,
                markup=False,
            )
            branch(child, prefix + ("   " if last else "│  "))

    branch(root, "")
    everyone = root.walk()[1:]
    if not everyone:
        out.print(t("referrals.none", lang), highlight=False)
        return
    converted = [n for n in everyone if n.stage == "disbursed"]
    out.print(
        t(
            "referrals.summary",
            lang,
            count=len(everyone),
            direct=len(root.children),
            converted=len(converted),
            balance=yuan_grouped(sum(n.balance_fen for n in everyone)),
        ),
        highlight=False,
    )


def _render_top(found: list[Referrer], st: State) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import t
    from retain.output import yuan_grouped

    lang = st.lang
    rows = [
        [
            r.customer_id,
            r.name,
            r.officer or "",
            str(r.referred),
            str(r.converted),
            yuan_grouped(r.disbursed_fen),
            yuan_grouped(r.balance_fen),
        ]
        for r in found
    ]
    print_table(
        t("referrals.top_title", lang),
        [
            Column(t("col.customer_id", lang), key=True),
            Column(t("col.name", lang)),
            Column(t("col.officer", lang)),
            Column(t("referrals.col.referred", lang), "right"),
            Column(t("referrals.col.converted", lang), "right", key=True),
            Column(t("pipeline.col.disbursed_amount", lang), "right"),
            Column(t("col.balance", lang), "right", key=True),
        ],
        rows,
        footer_lines=[] if rows else [t("referrals.no_referrers", lang)],
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("referrals", help=HELP)(handle_errors(referrals))
