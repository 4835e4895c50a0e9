"""``retain group``: groups (类群) of customers and prospects, and ``--group NAME``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

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

if TYPE_CHECKING:
    import sqlite3

app = typer.Typer(
    help="""Groups (类群) of customers and prospects: a market, an association, a supply
chain, a village, an employer. Every list takes --group NAME.

Example:

    retain group add 东门批发市场 --kind market

    retain group join 东门批发市场 C1 C2 P3
""",
    no_args_is_help=True,
)

GROUP_LIST_FIELDS = (
    ("name", "text"),
    ("kind", "text"),
    ("customers", "int"),
    ("prospects", "int"),
    ("balance", "money"),
)

GROUP_SHOW_FIELDS = (
    ("member_id", "text"),
    ("member_kind", "text"),  # customer or prospect
    ("name", "text"),
    ("phone", "text"),
    ("officer", "text"),
    ("industry", "text"),
    ("balance", "money"),  # open balance; null for a prospect
    ("arrears", "money"),  # the part of it on loans past due
    ("max_days_past_due", "int"),
    ("stage", "text"),  # a prospect's stage
    ("joined_on", "date"),
    DATA_AS_OF,
)


def group_filter(conn: sqlite3.Connection, name: str | None) -> int | None:
    """``--group NAME`` as the group's id for the core's filters; unknown → exit 1."""
    if name is None:
        return None
    from retain.groups import group_id

    return group_id(conn, name)


def _ids(ids: list[str]) -> list[str]:
    if "-" in ids:
        ids = [i for i in ids if i != "-"] + [line.strip() for line in sys.stdin if line.strip()]
    return ids


def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The group's name.", show_default=False)],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            metavar="KIND",
            help="market|association|supply_chain|village|employer|other "
            "(市场/协会/供应链/村/单位/其他).",
        ),
    ] = "other",
) -> None:
    """Create a group.

    Example:

        retain group add 东门批发市场 --kind 市场
    """
    from retain.groups import add_group, normalise_name, parse_kind
    from retain.i18n import t
    from retain.importing.upsert import now_stamp

    st = state(ctx)
    stored_kind = parse_kind(kind)
    with st.store(writer="group add", stale="ignore") as store:
        for attempt in store.transactions():
            with attempt as conn:
                add_group(conn, name, stored_kind, now_stamp())
    kind_text = t(f"group.kind.{stored_kind}", st.lang)
    typer.echo(t("group.added", st.lang, name=normalise_name(name), kind=kind_text))


def join(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(help="The group's name.", show_default=False)],
    ids: Annotated[
        list[str],
        typer.Argument(
            help="Customer ids or prospect ids (P17), or - to read them from stdin.",
            show_default=False,
        ),
    ],
) -> None:
    """Add customers or prospects to a group (joined today). An unknown id
    refuses the whole command: nothing is added.

    Example:

        retain group join 东门批发市场 C1 C2 P3

        retain noloan --format ids | retain group join 东门批发市场 -
    """
    from retain.groups import group_id, resolve_members
    from retain.groups import join as join_group
    from retain.i18n import t

    st = state(ctx)
    wanted = _ids(ids)  # read once: stdin cannot be read again by a second try
    with st.store(writer="group join", stale="ignore") as store:
        for attempt in store.transactions():
            with attempt as conn:
                gid = group_id(conn, group)
                members = resolve_members(conn, wanted)
                joined, already = join_group(conn, gid, members, st.today)
    typer.echo(t("group.joined", st.lang, count=joined, already=already))


def leave(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(help="The group's name.", show_default=False)],
    ids: Annotated[
        list[str],
        typer.Argument(
            help="Customer ids or prospect ids (P17), or - to read them from stdin.",
            show_default=False,
        ),
    ],
) -> None:
    """Remove customers or prospects from a group.

    Example:

        retain group leave 东门批发市场 C2
    """
    from retain.groups import group_id, resolve_members
    from retain.groups import leave as leave_group
    from retain.i18n import t

    st = state(ctx)
    wanted = _ids(ids)  # read once: stdin cannot be read again by a second try
    with st.store(writer="group leave", stale="ignore") as store:
        for attempt in store.transactions():
            with attempt as conn:
                gid = group_id(conn, group)
                removed = leave_group(conn, gid, resolve_members(conn, wanted))
    typer.echo(t("group.left", st.lang, count=removed))


def list_(
    ctx: typer.Context,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """Every group: kind, customers, prospects and the customers' open balance.

    Example:

        retain group list --format json
    """
    from retain.groups import list_groups

    st = state(ctx)
    check_output(output, force)
    out_format = "file" if output is not None else resolve_format(fmt)
    with st.store(stale="ignore") as store:
        rows = list_groups(store.conn)
    if out_format == "table":
        _render_list(rows, st)
    else:
        emit_masked(rows, GROUP_LIST_FIELDS, fmt, output, True, st.lang, force=force)


def show(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(help="The group's name.", show_default=False)],
    reveal: RevealOption = False,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """A group's customers (open balance, arrears, most days past due), then its
    prospects (stage): a market where three stalls borrow is a place to find the
    fourth. Phones are masked unless --reveal.

    Example:

        retain group show 东门批发市场
    """
    from retain.groups import group_kind, group_members

    st = state(ctx)
    check_output(output, force)
    out_format = "file" if output is not None else resolve_format(fmt)
    with st.store() as store:
        gid = group_filter(store.conn, group)
        assert gid is not None
        name, kind = group_kind(store.conn, gid)
        rows = group_members(store.conn, gid, st.today)
    if out_format == "table":
        _render_show(rows, st, name, kind, reveal)
    else:
        emit_masked(
            rows,
            GROUP_SHOW_FIELDS,
            fmt,
            output,
            reveal,
            st.lang,
            force=force,
            data_as_of=st.data_as_of,
        )


def _render_list(rows: list[dict[str, Any]], st: State) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import t
    from retain.output import yuan_grouped

    lang = st.lang
    shown = [
        [
            row["name"],
            t(f"group.kind.{row['kind']}", lang),
            str(row["customers"]),
            str(row["prospects"]),
            yuan_grouped(row["balance"]),
        ]
        for row in rows
    ]
    columns = [
        Column(t("group.col.name", lang), key=True),
        Column(t("group.col.kind", lang)),
        Column(t("group.col.customers", lang), "right"),
        Column(t("group.col.prospects", lang), "right"),
        Column(t("col.balance", lang), "right"),
    ]
    footer = [t("group.list_empty", lang)] if not rows else []
    print_table(t("group.list_title", lang), columns, shown, footer_lines=footer)


def _render_show(rows: list[dict[str, Any]], st: State, name: str, kind: str, reveal: bool) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import t
    from retain.output import mask_phone, yuan_grouped

    lang = st.lang
    customers = [r for r in rows if r["member_kind"] == "customer"]
    prospects = [r for r in rows if r["member_kind"] == "prospect"]
    shown = [
        [
            row["member_id"],
            row["name"] or "",
            row["phone"] if reveal else mask_phone(row["phone"]),
            "" if row["balance"] is None else yuan_grouped(row["balance"]),
            "" if row["arrears"] is None else yuan_grouped(row["arrears"]),
            "" if not row["max_days_past_due"] else str(row["max_days_past_due"]),
            row["stage"] or "",
            row["officer"] or "",
            row["industry"] or "",
            row["joined_on"],
        ]
        for row in rows[:TABLE_DEFAULT_LIMIT]
    ]
    columns = [
        Column(t("group.col.member", lang), key=True),
        Column(t("col.name", lang)),
        Column(t("col.phone", lang), key=True),
        Column(t("col.balance", lang), "right", key=True),
        Column(t("group.col.arrears", lang), "right"),
        Column(t("col.days", lang), "right"),
        Column(t("group.col.stage", lang)),
        Column(t("col.officer", lang)),
        Column(t("col.industry", lang)),
        Column(t("group.col.joined_on", lang)),
    ]
    footer = [
        t(
            "group.show_summary",
            lang,
            customers=len(customers),
            balance=yuan_grouped(sum(r["balance"] for r in customers)),
            arrears=yuan_grouped(sum(r["arrears"] for r in customers)),
            prospects=len(prospects),
        )
    ]
    title = t("group.show_title", lang, name=name, kind=t(f"group.kind.{kind}", lang))
    print_table(title, columns, shown, footer_lines=footer)


app.command("add")(handle_errors(add))
app.command("join")(handle_errors(join))
app.command("leave")(handle_errors(leave))
app.command("list")(handle_errors(list_))
app.command("show")(handle_errors(show))


def register(parent: typer.Typer) -> None:
    """Add ``retain group`` to the main app."""
    parent.add_typer(app, name="group")
