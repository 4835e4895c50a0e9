"""``retain log``, ``retain history`` and ``retain show``: the contact log and card."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from retain.cli.common import handle_errors, state
from retain.cli.options import RevealOption


class HistoryFormat(StrEnum):
    table = "table"
    json = "json"


LOG_HELP = """Record a contact with one or more customers (all or nothing).

CUSTOMER_ID may be - to read ids from stdin, one per line. Chinese values are
accepted: 电话/上门/短信/微信; 已接通/未接通/同意续贷/承诺还款/拒绝/空号.

Example:

    retain log C0001 --channel call --outcome promised --next +3d --note "月底还款"

    retain log C0002 --channel 上门 --outcome 同意续贷 --loan JJ20260002

    retain due --format ids | retain log - --channel sms --outcome reached
"""

HISTORY_HELP = """The contact timeline of a customer, newest first.

Example:

    retain history C0001

    retain history C0001 --format json
"""

SHOW_HELP = """A customer card: details (masked), loans with arrears class, contacts,
the next follow-up, and why the customer is or is not on today's call list.

Example:

    retain show C0001

    retain --lang zh show C0001 --reveal
"""


def log(
    ctx: typer.Context,
    customer_ids: Annotated[
        list[str],
        typer.Argument(help="Customer ids, or - to read them from stdin.", show_default=False),
    ],
    channel: Annotated[
        str,
        typer.Option("--channel", "-c", help="call|visit|sms|wechat|other (电话/上门/短信/微信)."),
    ] = "call",
    outcome: Annotated[
        str,
        typer.Option(
            "--outcome",
            "-r",
            help="The result: reached|no_answer|renewing|repaying|promised|declined|"
            "wrong_number|other.",
        ),
    ] = "reached",
    note: Annotated[
        str | None, typer.Option("--note", "-n", help="Free text.", show_default=False)
    ] = None,
    next_on: Annotated[
        str | None,
        typer.Option(
            "--next",
            help="Promised follow-up: YYYY-MM-DD, +3d, +2w, tomorrow, next monday.",
            show_default=False,
        ),
    ] = None,
    loan: Annotated[
        str | None,
        typer.Option("--loan", help="The loan this contact was about.", show_default=False),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="When it happened (default: now, on --today's date).", show_default=False
        ),
    ] = None,
    officer: Annotated[
        str | None, typer.Option("--officer", help="Who made the contact.", show_default=False)
    ] = None,
) -> None:
    import datetime as dt

    from retain.contacts import ContactEntry, channel_of, log_contacts, outcome_of
    from retain.dates import parse_datetime, parse_day
    from retain.errors import UsageError
    from retain.i18n import t

    st = state(ctx)
    ids = list(customer_ids)
    if "-" in ids:
        ids = [i for i in ids if i != "-"] + [line.strip() for line in sys.stdin if line.strip()]
    today = st.today
    if at is not None:
        moment = parse_datetime(at, today)
        if moment.date() > today:
            raise UsageError(key="log.at_future", value=at, today=today.isoformat())
    else:
        moment = dt.datetime.combine(today, dt.datetime.now().time().replace(microsecond=0))
    entry = ContactEntry(
        channel=channel_of(channel),
        outcome=outcome_of(outcome),
        at=moment,
        note=note.strip() if note and note.strip() else None,
        next_on=parse_day(next_on, today) if next_on else None,
        loan_id=loan.strip() if loan else None,
        officer=officer,
    )
    with st.store() as store:
        count = log_contacts(store, ids, entry, today)
    sys.stderr.write(t("log.done", st.lang, count=count) + "\n")


def history(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="The customer.", show_default=False)],
    fmt: Annotated[HistoryFormat, typer.Option("--format", "-f", help="table or json.")] = (
        HistoryFormat.table
    ),
) -> None:
    import json

    from retain.contacts import contact_history, customer

    st = state(ctx)
    with st.store() as store:
        info = customer(store.conn, customer_id)
        contacts = contact_history(store.conn, customer_id)
    if fmt is HistoryFormat.json:
        sys.stdout.write(json.dumps(contacts, ensure_ascii=False, indent=2) + "\n")
        return
    _print_timeline(info, contacts, st.lang)


def _print_timeline(info: dict[str, Any], contacts: list[dict[str, Any]], lang: str) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import label, t

    rows = [
        [
            str(c["at"])[:16],
            label("channel", c["channel"], lang),
            label("outcome", c["outcome"], lang),
            c["next_on"] or "",
            c["loan_id"] or "",
            c["note"] or "",
        ]
        for c in contacts
    ]
    print_table(
        f"{t('show.timeline', lang)}: {info['name']} ({info['customer_id']})",
        [
            Column(t("col.at", lang)),
            Column(t("col.channel", lang)),
            Column(t("col.outcome", lang)),
            Column(t("col.next_on", lang)),
            Column(t("col.loan_id", lang)),
            Column(t("col.note", lang)),
        ],
        rows,
        footer_lines=[] if rows else [t("show.no_contacts", lang)],
    )


def show(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="The customer.", show_default=False)],
    reveal: RevealOption = False,
) -> None:
    from retain.cli.render import Column, console, print_table
    from retain.config import load_config
    from retain.contacts import contact_history, customer, customer_loans
    from retain.i18n import label, t
    from retain.output import mask_id_number, mask_phone, yuan_grouped
    from retain.ranking import explain
    from retain.rules import is_open

    st = state(ctx)
    lang = st.lang
    config = load_config()
    with st.store() as store:
        info = customer(store.conn, customer_id)
        loans = customer_loans(store.conn, customer_id, st.today)
        contacts = contact_history(store.conn, customer_id)
        result = explain(store.conn, config, st.today, customer_id)
    out = console()

    def class_name(days: int) -> str:
        _, cls = config.arrears.classify(days)
        return cls.name if lang == "zh" else cls.name_en

    def loan_class(loan: dict[str, Any]) -> str:
        if loan["status"] == "written_off":
            return t("class.written_off", lang)
        return class_name(loan["days_past_due"] or 0) if is_open(loan["status"]) else ""

    # The worst class: a written-off loan (still collected, 账销案存) is worse than
    # any class of an open loan; the card used to look at open loans only.
    open_dpd = [ln["days_past_due"] or 0 for ln in loans if is_open(ln["status"])]
    worst = class_name(max(open_dpd)) if open_dpd else ""
    if any(ln["status"] == "written_off" for ln in loans):
        worst = t("class.written_off", lang)
    details = [
        (t("col.name", lang), info["name"]),
        (t("col.phone", lang), info["phone"] if reveal else mask_phone(info["phone"])),
        (
            t("field.id_number", lang),
            info["id_number"] if reveal else mask_id_number(info["id_number"]),
        ),
        (t("field.segment", lang), info["segment"] or ""),
        (t("field.industry", lang), info["industry"] or ""),
        (t("col.officer", lang), info["officer"] or ""),
        (t("field.class", lang), worst),
        (t("col.next_on", lang), info["next_on"] or ""),
    ]
    print_table(
        t("show.title", lang, customer_id=customer_id),
        [Column(""), Column("")],
        [[k, v or ""] for k, v in details],
        show_header=False,
    )
    loan_rows = [
        [
            ln["loan_id"],
            label("status", ln["status"], lang),
            yuan_grouped(ln["principal"]),
            yuan_grouped(ln["balance"]),
            label("guarantee", ln["guarantee"], lang),
            ln["disbursed_on"],
            ln["matures_on"],
            ln["closed_on"] or "",
            str(ln["days_past_due"] or 0),
            loan_class(ln),
        ]
        for ln in loans
    ]
    print_table(
        t("show.loans", lang),
        [
            Column(t("col.loan_id", lang)),
            Column(t("col.status", lang)),
            Column(t("col.principal", lang), "right"),
            Column(t("col.balance", lang), "right"),
            Column(t("col.guarantee", lang)),
            Column(t("col.disbursed_on", lang)),
            Column(t("col.matures_on", lang)),
            Column(t("col.closed_on", lang)),
            Column(t("col.days_past_due", lang), "right"),
            Column(t("col.class", lang)),
        ],
        loan_rows,
    )
    _print_timeline(info, contacts, lang)
    out.print(f"{t('show.today', lang)}: {result.verdict.render(lang)}", markup=False)
    if result.reasons is not None:
        out.print(f"  {result.reasons.render(lang)} ({result.score})", markup=False)


def register(app: typer.Typer) -> None:
    app.command("log", help=LOG_HELP)(handle_errors(log))
    app.command("history", help=HISTORY_HELP)(handle_errors(history))
    app.command("show", help=SHOW_HELP)(handle_errors(show))
