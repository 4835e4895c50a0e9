"""``retain promises``: promises to pay (承诺还款) and each officer's kept-rate."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

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

if TYPE_CHECKING:
    from retain.promises import KeptRate

HELP = """Promises to pay (承诺还款) logged with `retain log --outcome promised
--next DATE --amount YUAN`, newest date first, and each officer's kept-rate.

A promise is open until the first loans import whose as-of day is after its
date judges it: kept when none of its loans is still overdue or the amount paid
since it was made reaches the promise (the fall of the balance, or the
schedule's payments up to its date), else broken. A newer promise on the same
loan supersedes an open one. The kept-rate is kept ÷ judged (kept + broken),
per officer: the one given to `log --officer`, else the customer's officer.

Example:

    retain promises --status broken

    retain promises --officer 王芳 --format json

    retain promises --status open --output promises.xlsx
"""


class PromiseStatus(StrEnum):
    open = "open"
    kept = "kept"
    broken = "broken"
    superseded = "superseded"


PROMISE_FIELDS = (
    ("customer_id", "text"),
    ("name", "text"),
    ("phone", "text"),
    ("officer", "text"),
    ("loan_ids", "text"),  # the loans it covers, space-separated
    ("amount", "money"),
    ("made_on", "date"),
    ("due_on", "date"),
    ("promise_status", "text"),  # open, kept, broken or superseded
    ("judged_on", "date"),
    ("paid", "money"),  # what was found paid when it was judged
    ("contact_id", "int"),
    ("officer_kept_rate", "text"),  # kept ÷ judged of its officer, null before any judging
    DATA_AS_OF,
)


def promises(
    ctx: typer.Context,
    status: Annotated[
        PromiseStatus | None,
        typer.Option(
            "--status",
            help="Only promises in this state: open|kept|broken|superseded.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    officer: Annotated[
        str | None,
        typer.Option(
            "--officer", help="Only this officer's promises (and kept-rate).", show_default=False
        ),
    ] = None,
    limit: LimitOption = None,
    reveal: RevealOption = False,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from retain.promises import PromiseFilter, kept_rates, list_promises

    st = state(ctx)
    check_output(output, force)
    out_format = "file" if output is not None else resolve_format(fmt)
    spec = PromiseFilter(status=status.value if status else None, officer=officer)
    with st.store() as store:
        rows = list_promises(store.conn, spec)
        rates = kept_rates(store.conn, officer)
    by_officer = {rate.officer: rate.rate for rate in rates}
    for row in rows:
        row["amount"], row["paid"] = row.pop("amount_fen"), row.pop("paid_fen")
        row["officer_kept_rate"] = by_officer.get(row["officer"])
        row["loan_ids"], row["promise_status"] = row.pop("loans"), row.pop("status")
    if out_format == "table":
        _render_table(rows, rates, st, limit or TABLE_DEFAULT_LIMIT, reveal, officer)
        return
    emit_masked(
        rows[:limit] if limit else rows,
        PROMISE_FIELDS,
        fmt,
        output,
        reveal,
        st.lang,
        force=force,
        data_as_of=st.data_as_of,
    )


def _rate_line(rate: KeptRate, lang: str) -> str:
    from retain.i18n import t

    who = rate.officer or t("promises.no_officer", lang)
    if rate.rate is None:
        return t("promises.rate_none", lang, officer=who)
    return t(
        "promises.rate",
        lang,
        officer=who,
        kept=rate.kept,
        judged=rate.judged,
        percent=f"{rate.rate:.0%}",
    )


def _render_table(
    rows: list[dict[str, Any]],
    rates: list[KeptRate],
    st: State,
    limit: int,
    reveal: bool,
    officer: str | None,
) -> None:
    from retain.cli.render import Column, fit_columns, print_table
    from retain.i18n import t
    from retain.output import mask_phone
    from retain.promises import promise_text

    lang = st.lang
    shown = [
        [
            row["customer_id"],
            row["name"],
            row["phone"] if reveal else mask_phone(row["phone"]),
            row["loan_ids"] or "",
            promise_text(row["amount"], row["due_day"]).render(lang),
            t(f"promise.status.{row['promise_status']}", lang),
            row["judged_on"] or "",
            row["officer"] or "",
        ]
        for row in rows[:limit]
    ]
    columns = [
        Column(t("col.customer_id", lang), key=True),
        Column(t("col.name", lang)),
        Column(t("col.phone", lang)),
        Column(t("col.loan_id", lang)),
        Column(t("promises.col.promise", lang), key=True),
        Column(t("col.status", lang), key=True),
        Column(t("promises.col.judged_on", lang)),
        Column(t("col.officer", lang)),
    ]
    # On a narrow terminal: the phone goes first, then the officer (at once for
    # one officer's list), then the judging day.
    columns, shown = fit_columns(columns, shown, [2, 7, 6], always=[7] if officer else [])
    footer = [t("promises.count", lang, count=len(rows))] if rows else [t("promises.empty", lang)]
    if len(rows) > limit:
        footer.append(t("list.more", lang, more=len(rows) - limit))
    footer += [_rate_line(rate, lang) for rate in rates]
    print_table(t("promises.title", lang), columns, shown, footer_lines=footer)


def register(app: typer.Typer) -> None:
    app.command("promises", help=HELP)(handle_errors(promises))
