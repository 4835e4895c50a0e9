"""``retain calls``: the ranked daily call list, and ``--explain``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from retain.cli.common import State, handle_errors, state
from retain.cli.groups import group_filter
from retain.cli.options import (
    DATA_AS_OF,
    ForceOption,
    FormatOption,
    GroupOption,
    LimitOption,
    OfficerOption,
    OutputFormat,
    OutputOption,
    RevealOption,
    check_output,
    emit,
    resolve_format,
)
from retain.terms import TERM_NAMES

if TYPE_CHECKING:
    from retain.config import Config
    from retain.store import Store
    from retain.terms import CallRow

HELP = """Whom to call today, and why: one row per customer, best first.

The score is a weighted sum of named terms (overdue, maturing, follow_up,
post_loan_check, revisit, win_back, recovery, broken_promise); weights and
contact rhythms live in the config (retain config show). Customers contacted in
the last few days are left off unless a promised follow-up has arrived or their
arrears class worsened; an unanswered call or a wrong number is not a contact.
Ties are broken by customer id, so the list is the same for the same store
and --today. Prospects due a call (term prospect) are listed among them as
P<n>.

Example:

    retain calls

    retain calls --officer 王芳 --reason maturing --limit 10

    retain calls --explain C0001

    retain calls --format ids | retain log - --channel sms --outcome reached

    retain calls --output 今日电话.xlsx
"""


CALL_FIELDS: tuple[tuple[str, str], ...] = (
    ("rank", "int"),
    ("score", "int"),
    ("customer_id", "text"),
    ("name", "text"),
    ("phone", "text"),
    ("officer", "text"),
    ("reasons", "text"),
    ("action", "text"),
    ("days_past_due", "int"),
    ("days_left", "int"),
    ("next_on", "date"),
    ("last_contact", "text"),
    ("failed_attempts", "int"),  # unanswered attempts since the last real contact
    ("last_attempt", "text"),
    ("phone_unusable_since", "date"),  # a wrong number (空号) was logged for this phone
    *((name, "int") for name in TERM_NAMES),  # each term's points
    DATA_AS_OF,
)


def calls(
    ctx: typer.Context,
    limit: LimitOption = None,
    officer: OfficerOption = None,
    group: GroupOption = None,
    reason: Annotated[
        list[str] | None,
        typer.Option(
            "--reason",
            help="Only customers with this reason (repeatable): a term name or its "
            "Chinese label (overdue/逾期, maturing/到期, follow_up, post_loan_check, "
            "revisit, win_back, recovery, broken_promise).",
            show_default=False,
        ),
    ] = None,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain",
            metavar="CUSTOMER_ID",
            help="Show how CUSTOMER_ID's score is made, term by term (a prospect: P7).",
            show_default=False,
        ),
    ] = None,
    reveal: RevealOption = False,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from retain.config import load_config
    from retain.errors import UsageError
    from retain.ranking import CallFilter, ranked_calls
    from retain.terms import term_of

    st = state(ctx)
    check_output(output, force)
    config = load_config()
    given = tuple(reason or ())
    reasons = tuple(term_of(r) or "" for r in given)
    unknown = [g for g, r in zip(given, reasons, strict=True) if not r]
    if unknown:
        raise UsageError(
            key="calls.unknown_reasons", value=", ".join(unknown), accepted=", ".join(TERM_NAMES)
        )
    with st.store() as store:
        if explain is not None:
            _explain(store, config, st, explain.strip(), fmt)
            return
        capacity = limit or config.calls.daily_capacity
        group_id = group_filter(store.conn, group)
        spec = CallFilter(officer=officer, group_id=group_id, reasons=reasons, limit=capacity)
        found = ranked_calls(store.conn, config, st.today, spec)
        table = output is None and resolve_format(fmt) == "table"
        note = _holiday_note(store, st, officer) if table else None
    rows = [_shape(row, config, st.lang, reveal) for row in found]
    if table:
        _render(rows, st, capacity, note)
    else:
        from retain.output import Field

        fields = [Field(name, kind) for name, kind in CALL_FIELDS]  # type: ignore[arg-type]
        emit(rows, fields, fmt, output, st.lang, force=force, data_as_of=st.data_as_of)


def _shape(row: CallRow, config: Config, lang: str, reveal: bool) -> dict[str, Any]:
    """A call-list row as the output shows it (points of each term as columns)."""
    from retain.output import mask_phone
    from retain.ranking import action_text, reasons_text
    from retain.terms import term

    codes = row.reasons
    applied = [term(code) for code in codes]
    return {
        "rank": row.rank,
        "score": row.score,
        "customer_id": row.customer_id,
        "name": row.name,
        "phone": row.phone if reveal else mask_phone(row.phone) or None,
        "officer": row.officer,
        "reasons": ",".join(codes),
        "reason_text": reasons_text(row).render(lang),
        "action": action_text(row, config, reveal=reveal).render(lang),
        # The facts a reason quotes, as its reminders do.
        "days_past_due": row.dpd if any(t.quotes_dpd for t in applied) else None,
        "days_left": row.days_left if any(t.quotes_days_left for t in applied) else None,
        "next_on": row.next_on,
        "last_contact": row.last_contact_at,
        "failed_attempts": row.failed_attempts,
        "last_attempt": row.last_attempt_at,
        "phone_unusable_since": row.phone_unusable_since,
        "last_channel": row.last_channel,
        "last_outcome": row.last_outcome,
        **row.points,
    }


def _holiday_note(store: Store, st: State, officer: str | None) -> str | None:
    """When tomorrow is not a working day: what matures before the next one."""
    import datetime as dt

    from retain.i18n import t
    from retain.workdays import WorkingDays, maturities_between

    calendar = WorkingDays()
    tomorrow = st.today + dt.timedelta(days=1)
    if calendar.is_working(tomorrow):
        return None
    following = calendar.next_after(tomorrow)
    last = following - dt.timedelta(days=1)
    count = maturities_between(store.conn, tomorrow, last, officer)
    name = calendar.name(tomorrow, st.lang) or t(
        "weekday.5" if tomorrow.weekday() == 5 else "weekday.6", st.lang
    )
    key = "calls.not_working.one" if count == 1 else "calls.not_working.many"
    return t(key, st.lang, name=name, count=count, next=following.isoformat())


def _render(rows: list[dict[str, Any]], st: State, capacity: int, note: str | None) -> None:
    from retain.cli.render import Column, fit_columns, print_table
    from retain.i18n import label, t

    lang = st.lang
    columns = [
        Column(t("col.rank", lang), "right", key=True),
        Column(t("col.score", lang), "right", key=True),
        Column(t("col.customer", lang)),
        Column(t("col.phone", lang), key=True),
        Column(t("col.officer", lang)),
        Column(t("col.reasons", lang)),
        Column(t("col.last_contact", lang)),
        Column(t("col.action", lang)),
    ]
    shown = [
        [
            str(row["rank"]),
            str(row["score"]),
            f"{row['name']} ({row['customer_id']})",
            row["phone"] or "",
            row["officer"] or "",
            row["reason_text"],
            _last_contact_text(row, lang, label),
            row["action"],
        ]
        for row in rows
    ]
    footer = [t("calls.empty", lang)] if not rows else []
    if note:
        footer.append(note)
    # On a narrow terminal: the last contact goes first, then the officer.
    columns, shown = fit_columns(columns, shown, [6, 4])
    print_table(
        t("calls.title", lang, today=st.today.isoformat()), columns, shown, footer_lines=footer
    )


def _last_contact_text(
    row: dict[str, Any], lang: str, label: Callable[[str, str | None, str], str]
) -> str:
    if not row.get("last_contact"):
        return ""
    day = str(row["last_contact"])[:10]
    channel = label("channel", row["last_channel"], lang)
    outcome = label("outcome", row["last_outcome"], lang)
    return f"{day} {channel}/{outcome}"


def _explain(store: Store, config: Config, st: State, customer_id: str, fmt: OutputFormat) -> None:
    import json

    from retain.contacts import customer
    from retain.prospects import get_prospect, is_prospect_id
    from retain.ranking import explain

    if is_prospect_id(customer_id):
        from retain.prospect_explain import explain_prospect

        prospect = get_prospect(store.conn, customer_id)  # raises for an unknown id
        info = {
            "name": prospect["name"] or "",
            "failed_attempts": 0,
            "phone_unusable_since": None,
        }
        result = explain_prospect(store.conn, config, st.today, customer_id)
        customer_id = result.customer_id  # as the list shows it: P7, not p07
    else:
        info = customer(store.conn, customer_id)  # raises for an unknown id
        result = explain(store.conn, config, st.today, customer_id)
    lang = st.lang
    if fmt in (OutputFormat.json, OutputFormat.ndjson):
        payload = {
            "customer_id": customer_id,
            "score": result.score,
            "rank": result.rank,
            "listed": result.listed,
            "action": result.action.render(lang) if result.action is not None else None,
            "failed_attempts": info["failed_attempts"],
            "phone_unusable_since": info["phone_unusable_since"],
            "notes": [note.render(lang) for note in result.notes],
            "data_as_of": st.data_as_of,
            "terms": [
                {"term": line.term, "points": line.points, "rule": line.rule.render(lang)}
                for line in result.terms
            ],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    from retain.cli.render import Column, print_table
    from retain.i18n import t

    rows = [
        [t(f"term.{line.term}", lang), str(line.points), line.rule.render(lang)]
        for line in result.terms
    ]
    rows.append([t("explain.total", lang), str(result.score), ""])
    print_table(
        t("explain.title", lang, name=info["name"], customer_id=customer_id, score=result.score),
        [
            Column(t("col.term", lang)),
            Column(t("col.points", lang), "right"),
            Column(t("col.rule", lang)),
        ],
        rows,
        footer_lines=[*(note.render(lang) for note in result.notes), result.verdict.render(lang)],
    )


def register(app: typer.Typer) -> None:
    app.command("calls", help=HELP)(handle_errors(calls))
