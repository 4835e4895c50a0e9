"""``retain prospect add|move|list|forget``: prospects (潜在客户) and their stages."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from retain.cli.common import State, handle_errors, state
from retain.cli.options import (
    DATA_AS_OF,
    TABLE_DEFAULT_LIMIT,
    ForceOption,
    FormatOption,
    LimitOption,
    OutputFormat,
    OutputOption,
    RevealOption,
    check_output,
    emit_masked,
    resolve_format,
)

PROSPECT_HELP = """Prospects (潜在客户): people who have not borrowed yet, found by
点线圈面 (referrals, supply chains, circles, alliances), and their stages
new → contacted → applied → approved → disbursed, or lost.

Example:

    retain prospect add 张三 --phone 13812345678 --channel 点 --referrer C0001

    retain prospect move P1 applied

    retain prospect list --stage new
"""

ADD_HELP = """Record a prospect; prints its id (P1, P2 …).

--channel takes referral|supply_chain|circle|alliance|walk_in|other, their
Chinese names (转介绍/供应链/圈层/联盟/自然到访/其他) or 点/线/圈/面. The phone
and ID number are checked as a customers import checks them; a person already
on file (a customer or a prospect with the same phone or ID number) is refused.
--referrer is a customer id or a prospect id (P7). --need is in yuan (30万 works).

Example:

    retain prospect add 张三 --phone 13812345678 --channel 转介绍 --referrer C0001

    retain prospect add 李四 --channel 圈 --source "商会年会" --need 30万 --next +3d
"""

MOVE_HELP = """Move a prospect to another stage; the change is kept with its day.

Forward along new → contacted → applied → approved → disbursed (stages may be
skipped); from any open stage to lost, with --reason
no_need|rate|declined_by_us|competitor|unreachable|other (无需求/利率/我方拒绝/
同业/联系不上/其他). A lost prospect may be reopened to any stage but new. Never
backwards, never out of disbursed. A loans import moves a prospect to
disbursed by itself when the new customer's phone or ID number matches.

Example:

    retain prospect move P3 contacted

    retain prospect move P3 lost --reason 利率 --on 2026-11-28

    retain prospect move P3 applied       # reopened
"""

LIST_HELP = """Prospects, the newest first; phones masked unless --reveal.

Example:

    retain prospect list --stage new --officer 王芳

    retain prospect list --channel 圈 --format json
"""

FORGET_HELP = """Delete a lost prospect's personal data, on the person's request.

Name, phone, ID number, source, note and follow-up date are cleared; the
anonymous row (channel, stages and their days, officer, need) stays for the
pipeline's counts. Only a lost prospect can be forgotten (move it to lost
first). The store's audit trail (the `changes` table, entity `prospect`,
field `forget`) records when, not what.

Example:

    retain prospect forget P3
"""

PROSPECT_FIELDS = (
    ("id", "text"),
    ("name", "text"),
    ("phone", "text"),
    ("industry", "text"),
    ("channel", "text"),
    ("referrer", "text"),  # a customer id or P<n>
    ("source", "text"),
    ("need", "money"),
    ("officer", "text"),
    ("stage", "text"),
    ("stage_on", "date"),
    ("lost_reason", "text"),
    ("entered_on", "date"),
    ("next_on", "date"),
    ("last_contact_on", "date"),
    ("customer_id", "text"),  # the customer it became
    ("forgotten_on", "date"),
    DATA_AS_OF,
)


def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person's name.", show_default=False)],
    phone: Annotated[
        str | None, typer.Option("--phone", help="Mobile or landline.", show_default=False)
    ] = None,
    id_number: Annotated[
        str | None,
        typer.Option("--id-number", help="身份证号 (18 characters).", show_default=False),
    ] = None,
    industry: Annotated[
        str | None,
        typer.Option("--industry", help="What the business does.", show_default=False),
    ] = None,
    channel: Annotated[
        str,
        typer.Option(
            "--channel",
            help="referral|supply_chain|circle|alliance|walk_in|other, or 点/线/圈/面.",
        ),
    ] = "other",
    referrer: Annotated[
        str | None,
        typer.Option(
            "--referrer",
            metavar="ID",
            help="Who brought them: a customer id or a prospect id (P7).",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="TEXT",
            help="Where they came from (an event, a market, a partner).",
            show_default=False,
        ),
    ] = None,
    need: Annotated[
        str | None,
        typer.Option(
            "--need", metavar="YUAN", help="The loan they need, in yuan.", show_default=False
        ),
    ] = None,
    officer: Annotated[
        str | None, typer.Option("--officer", help="Their officer.", show_default=False)
    ] = None,
    next_on: Annotated[
        str | None,
        typer.Option(
            "--next", help="When to contact them: YYYY-MM-DD, +3d, tomorrow.", show_default=False
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="Free text.", show_default=False)
    ] = None,
) -> None:
    from retain.dates import parse_day
    from retain.errors import UsageError
    from retain.importing.normalise import (
        Invalid,
        norm_id_number,
        norm_money,
        norm_name,
        norm_phone,
        norm_text,
    )
    from retain.prospects import NewProspect, add_prospect, channel_of, shown_id

    st = state(ctx)
    today = st.today

    def checked(option: str, value: str | None, norm: Any) -> Any:
        if value is None:
            return None
        try:
            return norm(value)
        except Invalid as exc:
            raise UsageError(key="option", option=option, reason=exc.message) from None

    new = NewProspect(
        name=checked("NAME", name, norm_name),
        channel=channel_of(channel),
        phone=checked("--phone", phone, norm_phone),
        id_number=checked("--id-number", id_number, lambda v: norm_id_number(v, today.isoformat())),
        industry=checked("--industry", industry, norm_text),
        referrer=referrer,
        source=checked("--source", source, norm_text),
        need_fen=checked("--need", need, norm_money),
        officer=checked("--officer", officer, norm_text),
        next_on=parse_day(next_on, today) if next_on else None,
        note=checked("--note", note, norm_text),
    )
    with st.store(create=True, writer="prospect add") as store:
        number = add_prospect(store, new, today)
    sys.stdout.write(shown_id(number) + "\n")


def move(
    ctx: typer.Context,
    ident: Annotated[
        str, typer.Argument(metavar="ID", help="The prospect (P7).", show_default=False)
    ],
    stage: Annotated[
        str,
        typer.Argument(
            help="new|contacted|applied|approved|disbursed|lost (or 已联系/已申请 …).",
            show_default=False,
        ),
    ],
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason",
            metavar="REASON",
            help="Why it was lost (required with lost): "
            "no_need|rate|declined_by_us|competitor|unreachable|other.",
            show_default=False,
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--on", metavar="DATE", help="The day it happened (default: today).", show_default=False
        ),
    ] = None,
) -> None:
    from retain.dates import parse_day
    from retain.i18n import label, t
    from retain.prospects import lost_reason_of, move_prospect, shown_id, stage_of

    st = state(ctx)
    with st.store(stale="ignore", writer="prospect move") as store:
        moved = move_prospect(
            store,
            ident,
            stage_of(stage),
            st.today,
            reason=lost_reason_of(reason) if reason is not None else None,
            on=parse_day(on, st.today) if on else None,
        )
    done = t(
        "prospect.moved",
        st.lang,
        prospect=shown_id(moved.prospect_id),
        before=label("prospect.stage", moved.before, st.lang),
        after=label("prospect.stage", moved.after, st.lang),
        day=moved.day.isoformat(),
    )
    sys.stderr.write(done + "\n")


def list_command(
    ctx: typer.Context,
    stage: Annotated[
        str | None,
        typer.Option(
            "--stage", metavar="STAGE", help="Only prospects in this stage.", show_default=False
        ),
    ] = None,
    officer: Annotated[
        str | None,
        typer.Option("--officer", help="Only this officer's prospects.", show_default=False),
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option(
            "--channel",
            metavar="CHANNEL",
            help="Only prospects of this channel (点/线/圈/面 work).",
            show_default=False,
        ),
    ] = None,
    limit: LimitOption = None,
    reveal: RevealOption = False,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from retain.prospects import ProspectFilter, channel_of, list_prospects, stage_of

    st = state(ctx)
    check_output(output, force)
    out_format = "file" if output is not None else resolve_format(fmt)
    spec = ProspectFilter(
        stage=stage_of(stage) if stage else None,
        officer=officer,
        channel=channel_of(channel) if channel else None,
    )
    with st.store(stale="ignore") as store:
        rows = list_prospects(store.conn, spec)
    for row in rows:
        row["need"] = row.pop("need_fen")
    if out_format == "table":
        _render_table(rows, st, limit or TABLE_DEFAULT_LIMIT, reveal)
        return
    emit_masked(
        rows[:limit] if limit else rows,
        PROSPECT_FIELDS,
        fmt,
        output,
        reveal,
        st.lang,
        force=force,
        data_as_of=st.data_as_of,
    )


def _render_table(rows: list[dict[str, Any]], st: State, limit: int, reveal: bool) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import label, t
    from retain.output import mask_phone, yuan_grouped

    lang = st.lang
    shown = [
        [
            row["id"],
            row["name"] or t("prospect.forgotten", lang),
            row["phone"] if reveal else mask_phone(row["phone"]),
            label("prospect.channel", row["channel"], lang),
            row["referrer"] or "",
            label("prospect.stage", row["stage"], lang)
            + (
                f" ({label('prospect.reason', row['lost_reason'], lang)})"
                if row["lost_reason"]
                else ""
            ),
            row["stage_on"],
            yuan_grouped(row["need"]),
            row["next_on"] or "",
            row["officer"] or "",
        ]
        for row in rows[:limit]
    ]
    columns = [
        Column(t("prospect.col.id", lang), key=True),
        Column(t("col.name", lang)),
        Column(t("col.phone", lang)),
        Column(t("prospect.col.channel", lang)),
        Column(t("prospect.col.referrer", lang)),
        Column(t("prospect.col.stage", lang), key=True),
        Column(t("prospect.col.stage_on", lang)),
        Column(t("prospect.col.need", lang), "right"),
        Column(t("col.next_on", lang)),
        Column(t("col.officer", lang)),
    ]
    footer = [t("prospect.count", lang, count=len(rows))] if rows else [t("prospect.empty", lang)]
    if len(rows) > limit:
        footer.append(t("list.more", lang, more=len(rows) - limit))
    print_table(t("prospect.title", lang), columns, shown, footer_lines=footer)


def forget(
    ctx: typer.Context,
    ident: Annotated[
        str, typer.Argument(metavar="ID", help="The lost prospect (P7).", show_default=False)
    ],
) -> None:
    from retain.i18n import t
    from retain.prospects import forget_prospect, shown_id

    st = state(ctx)
    with st.store(stale="ignore", writer="prospect forget") as store:
        number = forget_prospect(store, ident, st.today)
    sys.stderr.write(t("prospect.forgotten_done", st.lang, prospect=shown_id(number)) + "\n")


prospect_app = typer.Typer(help=PROSPECT_HELP, no_args_is_help=True)
prospect_app.command("add", help=ADD_HELP)(handle_errors(add))
prospect_app.command("move", help=MOVE_HELP)(handle_errors(move))
prospect_app.command("list", help=LIST_HELP)(handle_errors(list_command))
prospect_app.command("forget", help=FORGET_HELP)(handle_errors(forget))


def register(app: typer.Typer) -> None:
    app.add_typer(prospect_app, name="prospect")
