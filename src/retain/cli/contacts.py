"""``retain log``, ``history``, ``show`` and ``contacts undo``: the contact log and card."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from retain.cli.common import State, handle_errors, state
from retain.cli.options import RevealOption

if TYPE_CHECKING:
    import sqlite3

    from retain.config import Config
    from retain.contacts import ContactEntry, Duplicate
    from retain.holdings import Products


class HistoryFormat(StrEnum):
    table = "table"
    json = "json"


LOG_HELP = """Record a contact with one or more customers (all or nothing).

CUSTOMER_ID may be - to read ids from stdin, one per line. Chinese values are
accepted: 电话/上门/短信/微信; 已接通/未接通/同意续贷/承诺还款/拒绝/空号.

no_answer and wrong_number are attempts, not contacts: the customer stays on
the call list. The same customer, channel and outcome within 10 minutes of a
contact already logged looks like a double entry: on a terminal you are asked,
in a script nothing is logged (exit 1) unless --yes.

A prospect id (P7) logs a contact with a prospect: the first real contact of
a new prospect moves it to contacted; --loan and --amount are refused, and
customers and prospects are not mixed in one log.

--outcome promised with --next DATE and --amount YUAN records a promise to pay
(on --loan, else the customer's overdue loans), judged kept or broken by the
first loans import after DATE: see `retain promises`.

Example:

    retain log C0001 --channel call --outcome promised --next +3d --note "月底还款"

    retain log C0001 --outcome promised --next 2026-12-05 --amount 3000

    retain log C0002 --channel 上门 --outcome 同意续贷 --loan JJ20260002

    retain due --format ids | retain log - --channel sms --outcome reached

    retain log C0003 --outcome 未接通 --yes

    retain log P7 --outcome reached --next +3d --note "下周来看店"
"""

HISTORY_HELP = """The contact timeline of a customer, newest first, attempts included.

Each contact has an ID, for `retain contacts undo ID`. For a prospect (P7):
its contacts (the same JSON fields) and, in the table, its stage history.

Example:

    retain history C0001

    retain history P7

    retain history C0001 --format json
"""

SHOW_HELP = """A customer card: details (masked), loans with arrears class, contacts,
the next follow-up, and why the customer is or is not on today's call list.
For a prospect (P7): its details (masked), stage history and contacts.

Example:

    retain show C0001

    retain show P7

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
    amount: Annotated[
        str | None,
        typer.Option(
            "--amount",
            metavar="YUAN",
            help="With --outcome promised and --next: the amount promised, in yuan "
            "(a promise to pay, judged by the next loans import after its date).",
            show_default=False,
        ),
    ] = None,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            "-y",
            help="Log it even if it repeats a contact logged within 10 minutes.",
        ),
    ] = False,
) -> None:
    import datetime as dt

    from retain.contacts import ContactEntry, channel_of, duplicates, log_contacts, outcome_of
    from retain.dates import parse_datetime, parse_day
    from retain.errors import UsageError
    from retain.i18n import msg, t
    from retain.importing.normalise import Invalid, norm_money
    from retain.prospects import is_prospect_id, log_prospect_contacts

    st = state(ctx)
    ids = list(customer_ids)
    from_stdin = "-" in ids
    if from_stdin:
        ids = [i for i in ids if i != "-"] + [line.strip() for line in sys.stdin if line.strip()]
    today = st.today
    if at is not None:
        moment = parse_datetime(at, today)
        if moment.date() > today:
            raise UsageError(key="log.at_future", value=at, today=today.isoformat())
    else:
        moment = dt.datetime.combine(today, dt.datetime.now().time().replace(microsecond=0))
    the_outcome = outcome_of(outcome)
    follow_up = parse_day(next_on, today) if next_on else None
    amount_fen = None
    if amount is not None:
        if the_outcome != "promised":
            raise UsageError(key="log.amount_needs_promise")
        if follow_up is None:
            raise UsageError(key="log.amount_needs_next")
        try:
            amount_fen = norm_money(amount)
        except Invalid as exc:
            raise UsageError(key="option", option="--amount", reason=exc.message) from None
        if amount_fen is None:
            raise UsageError(key="option", option="--amount", reason=msg("promise.no_amount"))
        if follow_up < moment.date():
            raise UsageError(
                key="log.promise_past", date=follow_up.isoformat(), at=moment.date().isoformat()
            )
    prospect_ids = [i for i in ids if is_prospect_id(i)]
    if prospect_ids and len(prospect_ids) < len([i for i in ids if i.strip()]):
        raise UsageError(key="log.mixed")
    if prospect_ids and (loan is not None or amount is not None):
        raise UsageError(key="log.prospect_no_loan")
    from retain.importing.normalise import norm_officer

    entry = ContactEntry(
        channel=channel_of(channel),
        outcome=the_outcome,
        at=moment,
        note=note.strip() if note and note.strip() else None,
        next_on=follow_up,
        loan_id=loan.strip() if loan else None,
        officer=norm_officer(officer),  # as `officers` and `handover` match names
        amount_fen=amount_fen,
    )
    if prospect_ids:
        from retain.prospect_log import prospect_duplicates

        with st.store(stale="ignore", writer="log") as store:
            repeated = prospect_duplicates(store.conn, prospect_ids, entry)
            if repeated:
                _confirm_repeats(repeated, entry, st.lang, yes=yes, can_ask=not from_stdin)
            count = log_prospect_contacts(store, prospect_ids, entry)
        sys.stderr.write(t("log.done", st.lang, count=count) + "\n")
        return
    # Recording a contact shows nothing of the book: old loan data is no reason to warn.
    with st.store(stale="ignore", writer="log") as store:
        repeated = duplicates(store.conn, ids, entry)
        if repeated:
            _confirm_repeats(repeated, entry, st.lang, yes=yes, can_ask=not from_stdin)
        count = log_contacts(store, ids, entry, today, duplicates_ok=bool(repeated))
    sys.stderr.write(t("log.done", st.lang, count=count) + "\n")


def _confirm_repeats(
    repeated: list[Duplicate], entry: ContactEntry, lang: str, *, yes: bool, can_ask: bool
) -> None:
    """Warn about each likely double entry; go on only with --yes or a yes on a
    terminal. A script (or ids piped on stdin, which leaves no one to ask) is
    refused: a double no_answer would count one call as two."""
    from retain.cli.common import is_terminal
    from retain.contacts import DUPLICATE_MINUTES
    from retain.errors import RetainError
    from retain.i18n import label, t

    for found in repeated:
        warning = t(
            "log.duplicate_warning",
            lang,
            customer_id=found.customer_id,
            channel=label("channel", entry.channel, lang),
            outcome=label("outcome", entry.outcome, lang),
            at=found.at[:16],
        )
        sys.stderr.write(warning + "\n")
    if yes:
        return
    if can_ask and is_terminal(sys.stdin):
        try:
            if typer.confirm(t("log.confirm", lang), default=False, err=True):
                return
        except typer.Abort:
            pass
        raise RetainError(key="log.not_confirmed")
    shown = ", ".join(d.customer_id for d in repeated[:10]) + (" …" if len(repeated) > 10 else "")
    raise RetainError(key="log.duplicate", ids=shown, minutes=DUPLICATE_MINUTES)


def history(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="The customer.", show_default=False)],
    fmt: Annotated[HistoryFormat, typer.Option("--format", "-f", help="table or json.")] = (
        HistoryFormat.table
    ),
) -> None:
    import json

    from retain.contacts import contact_history, customer
    from retain.officers import assignment_history
    from retain.prospects import is_prospect_id

    st = state(ctx)
    if is_prospect_id(customer_id):
        _prospect_history(st, customer_id, fmt)
        return
    with st.store() as store:
        info = customer(store.conn, customer_id)
        contacts = contact_history(store.conn, customer_id)
        officers = assignment_history(store.conn, customer_id)
    if fmt is HistoryFormat.json:
        sys.stdout.write(json.dumps(contacts, ensure_ascii=False, indent=2) + "\n")
        return
    _print_timeline(info, contacts, st.lang)
    _print_officers(officers, st.lang)


def _print_officers(officers: list[dict[str, Any]], lang: str) -> None:
    """Who managed the customer when (the assignment history), oldest first."""
    from retain.cli.render import Column, print_table
    from retain.i18n import t

    if not officers:
        return
    print_table(
        t("show.officers", lang),
        [
            Column(t("col.officer", lang)),
            Column(t("col.from", lang)),
            Column(t("col.to", lang)),
            Column(t("col.via", lang)),
            Column(t("col.note", lang)),
        ],
        [
            [
                a["officer"],
                a["from_on"],
                a["to_on"] or t("show.officer_current", lang),
                t(f"via.{a['via']}", lang),
                a["note"] or "",
            ]
            for a in officers
        ],
    )


def _prospect_history(st: State, ident: str, fmt: HistoryFormat) -> None:
    """``history P17``: the prospect's contacts (the same JSON fields as a
    customer's), and in a table its stage history after them."""
    import json

    from retain.prospects import get_prospect, prospect_contacts, shown_id, stage_history

    with st.store(stale="ignore") as store:
        row = get_prospect(store.conn, ident)
        contacts = prospect_contacts(store.conn, row["prospect_id"])
        stages = stage_history(store.conn, row["prospect_id"])
    if fmt is HistoryFormat.json:
        sys.stdout.write(json.dumps(contacts, ensure_ascii=False, indent=2) + "\n")
        return
    info = {"name": row["name"] or "", "customer_id": shown_id(row["prospect_id"])}
    _print_timeline(info, contacts, st.lang)
    _print_stages(stages, st.lang)


def _print_stages(stages: list[dict[str, Any]], lang: str) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import label, t

    print_table(
        t("prospect.stages", lang),
        [
            Column(t("prospect.col.stage_on", lang)),
            Column(t("prospect.col.stage", lang)),
            Column(t("prospect.col.reason", lang)),
            Column(t("prospect.col.via", lang)),
            Column(t("col.officer", lang)),
        ],
        [
            [
                s["on"],
                label("prospect.stage", s["stage"], lang),
                label("prospect.reason", s["reason"], lang),
                label("prospect.via", s["via"], lang),
                s["officer"] or "",
            ]
            for s in stages
        ],
    )


def _prospect_card(st: State, ident: str, reveal: bool) -> None:
    """``show P17``: the prospect's details (masked), stages and contacts."""
    from retain.cli.render import Column, print_table
    from retain.days import from_day_number
    from retain.i18n import label, t
    from retain.output import mask_id_number, mask_phone, yuan_grouped
    from retain.prospects import get_prospect, prospect_contacts, shown_id, stage_history

    lang = st.lang
    with st.store(stale="ignore") as store:
        row = get_prospect(store.conn, ident)
        contacts = prospect_contacts(store.conn, row["prospect_id"])
        stages = stage_history(store.conn, row["prospect_id"])
    pid = shown_id(row["prospect_id"])
    referrer = (
        shown_id(row["referrer_prospect_id"])
        if row["referrer_prospect_id"] is not None
        else row["referrer_customer_id"]
    )
    stage = label("prospect.stage", row["stage"], lang)
    if row["lost_reason"]:
        stage += f" ({label('prospect.reason', row['lost_reason'], lang)})"
    last = row["last_contact_day"]
    details = [
        (t("col.name", lang), row["name"] or t("prospect.forgotten", lang)),
        (t("col.phone", lang), row["phone"] if reveal else mask_phone(row["phone"])),
        (
            t("field.id_number", lang),
            row["id_number"] if reveal else mask_id_number(row["id_number"]),
        ),
        (t("field.industry", lang), row["industry"] or ""),
        (t("prospect.col.channel", lang), label("prospect.channel", row["channel"], lang)),
        (t("prospect.col.referrer", lang), referrer or ""),
        (t("prospect.field.source", lang), row["source"] or ""),
        (t("prospect.col.need", lang), yuan_grouped(row["need_fen"])),
        (t("col.officer", lang), row["officer"] or ""),
        (t("prospect.col.stage", lang), stage),
        (t("prospect.field.entered_on", lang), row["entered_on"]),
        (t("prospect.field.last_contact", lang), from_day_number(last).isoformat() if last else ""),
        (t("col.next_on", lang), row["next_on"] or ""),
        (t("col.customer_id", lang), row["customer_id"] or ""),
        (t("col.note", lang), row["note"] or ""),
    ]
    print_table(
        t("prospect.card", lang, prospect=pid),
        [Column(""), Column("")],
        [[k, v or ""] for k, v in details],
        show_header=False,
    )
    _print_stages(stages, lang)
    _print_timeline({"name": row["name"] or "", "customer_id": pid}, contacts, lang)


def _promise_cell(contact: dict[str, Any], lang: str) -> str:
    """``3,000 on 5 Dec · broken`` for a contact that made a promise to pay."""
    import datetime as dt

    from retain.promises import promise_text

    if contact["promise_amount"] is None:
        return ""
    fen = round(contact["promise_amount"] * 100)
    due = dt.date.fromisoformat(contact["next_on"])
    return promise_text(fen, due, contact["promise_status"]).render(lang)


def _print_timeline(info: dict[str, Any], contacts: list[dict[str, Any]], lang: str) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import label, t

    rows = [
        [
            str(c["contact_id"]),
            str(c["at"])[:16],
            label("channel", c["channel"], lang),
            label("outcome", c["outcome"], lang),
            c["next_on"] or "",
            c["loan_id"] or "",
            _promise_cell(c, lang),
            c["note"] or "",
        ]
        for c in contacts
    ]
    print_table(
        f"{t('show.timeline', lang)}: {info['name']} ({info['customer_id']})",
        [
            Column(t("col.contact_id", lang), "right"),
            Column(t("col.at", lang)),
            Column(t("col.channel", lang)),
            Column(t("col.outcome", lang)),
            Column(t("col.next_on", lang)),
            Column(t("col.loan_id", lang)),
            Column(t("promises.col.promise", lang)),
            Column(t("col.note", lang)),
        ],
        rows,
        footer_lines=[] if rows else [t("show.no_contacts", lang)],
    )


# ``show``'s schedule: the unpaid-and-due and the late stay in full, with the
# next few to come; runs of periods paid on time, and the rest of the future, fold.
SCHEDULE_AHEAD = 3


def _schedule_lines(rows: list[dict[str, Any]], today_day: int) -> list[tuple[str, list[Any]]]:
    """(state, rows) lines of one loan's schedule, in period order: consecutive
    periods paid on time share a line, and so do those to come after the next
    :data:`SCHEDULE_AHEAD`; every other period has its own."""
    from retain.contacts import instalment_state

    lines: list[tuple[str, list[Any]]] = []
    ahead = 0
    for row in rows:
        state_now = instalment_state(row, today_day)
        if state_now == "unpaid":
            ahead += 1
        folds = state_now == "paid" or (state_now == "unpaid" and ahead > SCHEDULE_AHEAD)
        if folds and lines and lines[-1][0] == state_now:
            previous = lines[-1][1]
            if previous[-1]["period"] == row["period"] - 1 and previous[-1]["folds"]:
                previous.append({**row, "folds": True})
                continue
        lines.append((state_now, [{**row, "folds": folds}]))
    return lines


def _print_schedules(instalments: list[dict[str, Any]], today: Any, lang: str) -> None:
    from itertools import groupby

    from retain.cli.render import Column, print_table
    from retain.days import day_number
    from retain.i18n import t
    from retain.output import yuan_grouped

    today_day = day_number(today)
    assert today_day is not None
    for loan_id, group in groupby(instalments, key=lambda r: r["loan_id"]):
        shown = []
        for state_now, rows in _schedule_lines(list(group), today_day):
            first, last = rows[0], rows[-1]
            folded = len(rows) > 1
            shown.append(
                [
                    f"{first['period']}–{last['period']}" if folded else str(first["period"]),
                    f"{first['due_on']} – {last['due_on']}" if folded else first["due_on"],
                    yuan_grouped(sum(r["due"] for r in rows)),
                    "" if folded else first["paid_on"] or "",
                    yuan_grouped(sum(r["paid"] for r in rows)),
                    t(f"schedule.{state_now}", lang) + (f" ×{len(rows)}" if folded else ""),
                ]
            )
        print_table(
            t("show.schedule", lang, loan_id=loan_id),
            [
                Column(t("col.period", lang), "right"),
                Column(t("col.due_on", lang)),
                Column(t("col.amount_due", lang), "right"),
                Column(t("col.paid_on", lang)),
                Column(t("col.paid", lang), "right"),
                Column(t("col.state", lang)),
            ],
            shown,
        )


def _products_line(products: Products, lang: str) -> str:
    """Held products, AUM and the product the customer's industry suggests."""
    from retain.i18n import t
    from retain.output import yuan_grouped

    if not products.held:
        line = t("show.products_none", lang)
    else:
        held = t("sep.comma", lang).join(t(f"product.{p}", lang) for p in products.held)
        line = t("show.products_line", lang, held=held, aum=yuan_grouped(products.aum_fen))
    if products.suggested is None:
        return line
    suggested = t(f"product.{products.suggested}", lang)
    return t("show.products_suggest", lang, line=line, product=suggested)


def show(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="The customer.", show_default=False)],
    reveal: RevealOption = False,
) -> None:
    from retain.cli.render import Column, console, print_table
    from retain.config import load_config
    from retain.contacts import contact_history, customer, customer_loans, customer_schedule
    from retain.guarantors import guarantor_text, guarantors_of
    from retain.holdings import customer_products
    from retain.i18n import label, t
    from retain.importing.normalise import phone_kind
    from retain.officers import assignment_history
    from retain.output import mask_id_number, mask_phone, yuan_grouped
    from retain.prospects import is_prospect_id
    from retain.ranking import explain
    from retain.referrals import referrer_summary
    from retain.rules import is_open

    st = state(ctx)
    if is_prospect_id(customer_id):
        _prospect_card(st, customer_id, reveal)
        return
    lang = st.lang
    config = load_config()
    with st.store() as store:
        info = customer(store.conn, customer_id)
        loans = customer_loans(store.conn, customer_id, st.today)
        contacts = contact_history(store.conn, customer_id)
        instalments = customer_schedule(store.conn, customer_id)
        overdue_ids = [
            ln["loan_id"]
            for ln in loans
            if is_open(ln["status"])
            and ((ln["days_past_due"] or 0) > 0 or ln["status"] == "overdue")
        ]
        guarantors = guarantors_of(store.conn, overdue_ids)
        officers = assignment_history(store.conn, customer_id)
        result = explain(store.conn, config, st.today, customer_id, reveal=reveal)
        tier = _tier_text(store.conn, config, st, customer_id)
        products = customer_products(store.conn, customer_id, peer_share=config.coverage.peer_share)
        referred = referrer_summary(store.conn, customer_id)
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
    phone = info["phone"] if reveal else mask_phone(info["phone"])
    if phone_kind(info["phone"]) == "landline":
        phone = t("show.phone_landline", lang, phone=phone)  # why no SMS reaches them
    if info["phone_unusable_since"]:
        phone = t("show.phone_unusable", lang, phone=phone, since=info["phone_unusable_since"])
    worst = class_name(max(open_dpd)) if open_dpd else ""
    if any(ln["status"] == "written_off" for ln in loans):
        worst = t("class.written_off", lang)
    details = [
        (t("col.name", lang), info["name"]),
        (t("col.phone", lang), phone),
        (
            t("field.id_number", lang),
            info["id_number"] if reveal else mask_id_number(info["id_number"]),
        ),
        (t("field.segment", lang), info["segment"] or ""),
        *([(t("tiers.col.tier", lang), tier)] if tier is not None else []),
        (t("field.industry", lang), info["industry"] or ""),
        (t("col.officer", lang), info["officer"] or ""),
        (t("show.products", lang), _products_line(products, lang)),
        (t("field.class", lang), worst),
        (t("col.next_on", lang), info["next_on"] or ""),
        (t("show.data_as_of", lang), _data_age(st, lang)),
    ]
    if referred is not None:  # a loyal customer: brought others in
        referrals = t(
            "show.referrals_value",
            lang,
            referred=referred.referred,
            converted=referred.converted,
            balance=yuan_grouped(referred.balance_fen),
        )
        details.insert(-2, (t("show.referrals", lang), referrals))
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
    _print_schedules(instalments, st.today, lang)
    if overdue_ids:
        # Each overdue loan's guarantors; the ID number only with --reveal.
        guarantor_rows = [
            [
                g.loan_id,
                guarantor_text(g.name, g.relation, g.phone, reveal=reveal).render(lang),
                (g.id_number if reveal else mask_id_number(g.id_number)) or "",
            ]
            for loan_id in overdue_ids
            for g in guarantors.get(loan_id, [])
        ]
        print_table(
            t("show.guarantors", lang),
            [
                Column(t("col.loan_id", lang)),
                Column(t("col.guarantors", lang)),
                Column(t("field.id_number", lang)),
            ],
            guarantor_rows,
            footer_lines=[] if guarantor_rows else [t("show.no_guarantors", lang)],
        )
    _print_timeline(info, contacts, lang)
    _print_officers(officers, lang)
    out.print(f"{t('show.today', lang)}: {result.verdict.render(lang)}", markup=False)
    if result.reasons is not None:
        out.print(f"  {result.reasons.render(lang)} ({result.score})", markup=False)
    if result.action is not None:
        out.print(f"  {t('col.action', lang)}: {result.action.render(lang)}", markup=False)
    for note in result.notes:
        out.print(f"  {note.render(lang)}", markup=False)


CONTACTS_HELP = """Correct the contact log: undo a contact logged by mistake.

`retain log` records contacts, `retain history ID` lists them with their ids.

Example:

    retain contacts undo

    retain contacts undo 42
"""

UNDO_HELP = """Remove a contact logged by mistake.

Without CONTACT_ID, the last contact logged (in the order they were entered,
whatever their --at); else that one (`retain history ID` shows the ids).

The customer's call list follows at once (last contact, quiet days, follow-up
date, unanswered attempts; a wrong number no longer makes the phone unusable).
Every field of the removed contact is kept in the store's audit trail (the
`changes` table, entity `contact`), so it can be put back by hand. A promise to
pay it recorded is removed too (audit entity `promise`); the promises it had
superseded are open again.

A prospect's contacts (`retain log P7`) are undone with --prospect P7 (audit
entity `prospect_contact`). When the contact removed was the one that moved a
new prospect to contacted, that move follows the contacts left: it is dated by
the first real contact remaining, or taken back (audit entity `prospect_stage`)
when none remains. A plain undo never skips a newer prospect contact to remove
an older customer's: it is refused and names the prospect.

Example:

    retain contacts undo

    retain history C0001 --format json     # find the id

    retain contacts undo 42

    retain contacts undo --officer 王芳

    retain contacts undo --prospect P7
"""


def undo(
    ctx: typer.Context,
    contact_id: Annotated[
        int | None,
        typer.Argument(
            help="The contact to remove (default: the last one logged).", show_default=False
        ),
    ] = None,
    officer: Annotated[
        str | None,
        typer.Option(
            "--officer",
            help="Without CONTACT_ID: the last contact logged with this --officer.",
            show_default=False,
        ),
    ] = None,
    prospect: Annotated[
        str | None,
        typer.Option(
            "--prospect",
            metavar="P_ID",
            help="A contact with this prospect (P7): CONTACT_ID (`retain history P7` "
            "shows them), else its last one logged.",
            show_default=False,
        ),
    ] = None,
) -> None:
    from retain.contacts import undo_contact
    from retain.errors import RetainError, UsageError
    from retain.i18n import label, t
    from retain.prospect_log import newer_prospect_contact, undo_prospect_contact

    st = state(ctx)
    lang = st.lang
    if prospect is not None and officer is not None:
        raise UsageError(key="undo.prospect_and_officer")
    with st.store(stale="ignore", writer="contacts undo") as store:
        if prospect is not None:
            removed = undo_prospect_contact(store, prospect, contact_id)
        else:
            if contact_id is None:
                newer = newer_prospect_contact(store.conn, officer)
                if newer is not None:
                    raise RetainError(key="undo.prospect_newer", prospect=newer)
            removed = undo_contact(store, contact_id, officer)
    done = t(
        "undo.done",
        lang,
        contact_id=removed.contact_id,
        name=removed.name,
        customer_id=removed.customer_id,
        at=removed.at[:16],
        channel=label("channel", removed.channel, lang),
        outcome=label("outcome", removed.outcome, lang),
    )
    sys.stderr.write(done + "\n")


contacts_app = typer.Typer(help=CONTACTS_HELP, no_args_is_help=True)
contacts_app.command("undo", help=UNDO_HELP)(handle_errors(undo))


def _data_age(st: State, lang: str) -> str:
    """The loan data's as-of day and its age: the card's facts are as of that day."""
    from retain.cli.common import age_text
    from retain.i18n import t

    if st.data is None:
        return t("show.no_data", lang)
    day = st.data.as_of.isoformat()
    if st.data.days < 0:  # --today before the import: no age to tell
        return day
    return t("show.data_age", lang, day=day, age=age_text(st.data.days))


def register(app: typer.Typer) -> None:
    app.command("log", help=LOG_HELP)(handle_errors(log))
    app.command("history", help=HISTORY_HELP)(handle_errors(history))
    app.command("show", help=SHOW_HELP)(handle_errors(show))
    app.add_typer(contacts_app, name="contacts")


def _tier_text(conn: sqlite3.Connection, config: Config, st: State, customer_id: str) -> str | None:
    """The customer's tier for ``show`` (README, Tiers); None when no tier is configured."""
    from retain.days import day_number
    from retain.i18n import t
    from retain.tiers import tier_of

    if not config.tiers:
        return None
    today = day_number(st.today)
    assert today is not None
    index = tier_of(conn, config, customer_id, today)
    if index is None:
        return t("tiers.none", st.lang)
    rule = config.tiers[index]
    return f"{rule.name} {rule.name_zh}".strip()
