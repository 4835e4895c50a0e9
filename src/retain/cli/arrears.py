"""``retain overdue``: arrears by days past due, classes and PAR."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any

import typer

from retain.cli.common import State, handle_errors, state
from retain.cli.groups import group_filter
from retain.cli.options import (
    DATA_AS_OF,
    TABLE_DEFAULT_LIMIT,
    ForceOption,
    FormatOption,
    GroupOption,
    LimitOption,
    OfficerOption,
    OutputFormat,
    OutputOption,
    RevealOption,
    check_output,
    emit_masked,
    resolve_format,
)

if TYPE_CHECKING:
    import sqlite3

    from retain.arrears import ArrearsSummary
    from retain.config import ArrearsConfig
    from retain.snapshots import Snapshot

HELP = """List open loans past due, most days first, with their arrears class.

Days past due are the loan's imported days_past_due; when the import had none,
today − maturity date for a loan past maturity, else 0. Listed are loans with
status active or overdue that are past due, and loans imported as overdue even
at 0 days (then class 正常/normal). Closed and written-off loans are off the
book: never counted in the book, and listed only with --include-written-off
(written-off loans are still collected, 账销案存): after the open loans, with
the days past due they were imported with and the class "written off" (已核销),
which is then their borrower's customer_class too. --class "written off" (or
已核销) lists only them.

Classes come from the config table arrears.classes (default 正常 0, 关注 1–90,
次级 91–180, 可疑 181–360, 损失 361+ days) and are named by --lang in every
format: name in zh, name_en in en. --class takes either name. customer_class
is the borrower's worst class over all their open loans.

A table ends with the open book by class (count, balance) and PAR30/PAR90 =
balance of open loans more than 30/90 days past due ÷ balance of all open
loans, where balance is the loan's balance, or its principal when the store
has none. --officer narrows that book; --class, --min-days and --limit only
narrow the list. --summary prints only the book (a table, or one JSON object);
CSV/TSV/JSON/NDJSON lists carry the rows only.

Example:

    retain overdue --min-days 31

    retain --lang zh overdue --class 次级 --officer 王芳

    retain overdue --summary --format json

    retain overdue --min-days 91 --format ids | retain log - -c call -r promised

    retain overdue --include-written-off --officer 王芳
"""

OVERDUE_FIELDS = (
    ("loan_id", "text"),
    ("customer_id", "text"),
    ("name", "text"),
    ("phone", "text"),
    ("officer", "text"),
    ("guarantee", "text"),
    ("status", "text"),
    ("principal", "money"),
    ("balance", "money"),
    ("matures_on", "date"),
    ("days_past_due", "int"),
    ("class", "text"),
    ("customer_class", "text"),
    ("last_contact", "text"),
    ("guarantors", "text"),
    ("promise_amount", "money"),  # the loan's latest promise to pay (承诺还款)
    ("promise_on", "date"),
    ("promise_status", "text"),  # open, kept, broken or superseded
    DATA_AS_OF,
)


def overdue(
    ctx: typer.Context,
    min_days: Annotated[
        int,
        typer.Option("--min-days", min=0, help="Only loans at least N days past due."),
    ] = 0,
    class_name: Annotated[
        str | None,
        typer.Option(
            "--class",
            metavar="NAME",
            help="Only loans in this class: its Chinese or English name (次级 or substandard).",
            show_default=False,
        ),
    ] = None,
    include_written_off: Annotated[
        bool,
        typer.Option(
            "--include-written-off",
            help="Also list written-off loans (账销案存), after the open ones, as 'written off'.",
        ),
    ] = False,
    officer: OfficerOption = None,
    group: GroupOption = None,
    limit: LimitOption = None,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary",
            help="Only the open book by class with PAR30/PAR90: a table, or JSON in a pipe.",
        ),
    ] = False,
    reveal: RevealOption = False,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from retain.arrears import (
        OverdueFilter,
        class_labels,
        class_rank,
        is_written_off_class,
        overdue_loans,
    )
    from retain.config import load_config
    from retain.errors import UsageError
    from retain.i18n import t

    st = state(ctx)
    check_output(output, force)
    arrears = load_config().arrears
    written_off_only = class_name is not None and is_written_off_class(class_name)
    rank = None
    if class_name is not None and not written_off_only:
        rank = class_rank(arrears, class_name)
    labels = class_labels(arrears, st.lang)
    out_format = "file" if output is not None else resolve_format(fmt)
    if summary and output is not None:
        raise UsageError(key="summary.stdout")
    if summary:
        if fmt is OutputFormat.auto and out_format != "table":
            out_format = "json"
        if out_format not in ("table", "json", "ndjson"):
            raise UsageError(key="summary.format")
    spec = OverdueFilter(
        min_days=min_days,
        class_rank=rank,
        officer=officer,
        limit=None if out_format == "table" else limit,
        include_written_off=include_written_off,
        written_off_only=written_off_only,
    )
    with st.store() as store:
        group_id = group_filter(store.conn, group)
        spec = replace(spec, group_id=group_id)
        if summary:
            _print_summary(store.conn, arrears, st, officer, out_format, group_id)
            return
        written_off = t("class.written_off", st.lang)
        with closing(
            overdue_loans(store.conn, arrears, st.today, spec, labels, written_off)
        ) as found:
            rows = _with_guarantors(store.conn, found, reveal, st.lang)
            if out_format == "table":
                _render_table(rows, st, limit or TABLE_DEFAULT_LIMIT, reveal, officer)
            else:
                columns = _columns()
                shaped = (dict(zip(columns, values, strict=True)) for values in rows)
                emit_masked(
                    shaped,
                    OVERDUE_FIELDS,
                    fmt,
                    output,
                    reveal,
                    st.lang,
                    force=force,
                    data_as_of=st.data_as_of,
                )
        if out_format == "table":
            _print_summary(store.conn, arrears, st, officer, "table", group_id)


def _columns() -> tuple[str, ...]:
    """The core's columns, then the guarantors :func:`_with_guarantors` adds."""
    from retain.arrears import OVERDUE_COLUMNS

    return (*OVERDUE_COLUMNS, "guarantors")


_GUARANTOR_BATCH = 500


def _with_guarantors(
    conn: sqlite3.Connection, rows: Iterable[tuple[Any, ...]], reveal: bool, lang: str
) -> Iterator[tuple[Any, ...]]:
    """Each row with its loan's guarantors (phones masked unless ``reveal``), or
    None; looked up a batch of rows at a time, so the list still streams."""
    from itertools import islice

    from retain.guarantors import guarantors_of, guarantors_text

    source = iter(rows)
    while batch := list(islice(source, _GUARANTOR_BATCH)):
        found = guarantors_of(conn, [values[0] for values in batch])
        for values in batch:
            mine = found.get(values[0])
            text = guarantors_text(mine, reveal=reveal).render(lang) if mine else None
            yield (*values, text)


def _render_table(
    rows: Iterable[tuple[Any, ...]], st: State, limit: int, reveal: bool, officer: str | None
) -> None:
    from retain.cli.render import Column, fit_columns, print_table
    from retain.i18n import t
    from retain.output import mask_phone, yuan_grouped

    lang = st.lang
    names = _columns()
    index = {name: i for i, name in enumerate(names)}
    kept: list[tuple[Any, ...]] = []
    count = 0
    outstanding = 0
    principal_at, balance_at = index["principal"], index["balance"]
    for values in rows:
        count += 1
        balance = values[balance_at]
        outstanding += values[principal_at] if balance is None else balance
        if len(kept) < limit:
            kept.append(values)
    fallback = False
    shown = []
    for values in kept:
        row = dict(zip(names, values, strict=True))
        if row["balance"] is None:
            fallback = True
            amount = yuan_grouped(row["principal"]) + "*"
        else:
            amount = yuan_grouped(row["balance"])
        shown.append(
            [
                str(row["days_past_due"]),
                row["class"],
                row["loan_id"],
                row["customer_id"],
                row["name"],
                row["phone"] if reveal else mask_phone(row["phone"]),
                amount,
                row["customer_class"],
                row["officer"] or "",
                str(row["last_contact"] or "")[:10],
                row["guarantors"] or "",
                _promise_cell(row, lang),
            ]
        )
    columns = [
        Column(t("overdue.col.dpd", lang), "right", key=True),
        Column(t("col.class", lang)),
        Column(t("col.loan_id", lang), key=True),
        Column(t("col.customer_id", lang), key=True),
        Column(t("col.name", lang)),
        Column(t("col.phone", lang), key=True),
        Column(t("overdue.col.outstanding", lang), "right", key=True),
        Column(t("overdue.col.customer_class", lang)),
        Column(t("col.officer", lang)),
        Column(t("col.last_contact", lang)),
        Column(t("col.guarantors", lang)),
        Column(t("promises.col.promise", lang)),
    ]
    # On a narrow terminal the officer goes first (or at once for one officer's
    # list), then the last contact, then the borrower's class, then the
    # guarantors, then the promise.
    columns, shown = fit_columns(
        columns, shown, [8, 9, 7, 10, 11], always=[8] if officer is not None else []
    )
    today = st.today.isoformat()
    title = (
        t("overdue.title_officer", lang, today=today, officer=officer)
        if officer is not None
        else t("overdue.title", lang, today=today)
    )
    if not count:
        footer = [t("overdue.empty", lang)]
    else:
        footer = [t("overdue.summary", lang, count=count, total=yuan_grouped(outstanding))]
        if count > limit:
            footer.append(t("list.more", lang, more=count - limit))
        if fallback:
            footer.append(t("overdue.fallback", lang))
    print_table(title, columns, shown, footer_lines=footer)


def _promise_cell(row: dict[str, Any], lang: str) -> str:
    """``3,000 on 5 Dec · broken``: the loan's latest promise and its fate."""
    import datetime as dt

    from retain.promises import promise_text

    if row["promise_amount"] is None:
        return ""
    due = dt.date.fromisoformat(row["promise_on"])
    return promise_text(row["promise_amount"], due, row["promise_status"]).render(lang)


def _percent(share: float | None, lang: str) -> str:
    from retain.i18n import t

    return t("overdue.not_available", lang) if share is None else f"{share * 100:.2f}%"


def _print_summary(
    conn: sqlite3.Connection,
    arrears: ArrearsConfig,
    st: State,
    officer: str | None,
    out_format: str,
    group_id: int | None = None,
) -> None:
    from retain.arrears import arrears_summary
    from retain.snapshots import previous

    book = arrears_summary(conn, arrears, st.today, officer, group_id)
    # The snapshot before the one the latest loans import took (or before today).
    # Snapshots are of the whole book or an officer's: a group has none to compare.
    since = (
        None
        if group_id is not None
        else previous(conn, st.data.as_of if st.data is not None else st.today, officer)
    )
    if out_format == "table":
        _render_summary(book, st, officer, since)
    else:
        text = _summary_json(book, st, officer, since, indent=out_format == "json")
        sys.stdout.write(text + "\n")


def _render_summary(
    book: ArrearsSummary, st: State, officer: str | None, since: Snapshot | None
) -> None:
    from retain.arrears import PAR_DAYS
    from retain.cli.render import Column, print_table
    from retain.i18n import t
    from retain.output import yuan_grouped

    lang = st.lang
    today = st.today.isoformat()

    def share(fen: int) -> str:
        return _percent(fen / book.balance_fen if book.balance_fen else None, lang)

    rows = []
    for entry in book.classes:
        if entry.max_days is None:
            span = t("overdue.range_open", lang, min=entry.min_days)
        elif entry.max_days == entry.min_days:
            span = str(entry.min_days)
        else:
            span = t("overdue.range", lang, min=entry.min_days, max=entry.max_days)
        rows.append(
            [
                entry.name if lang == "zh" else entry.name_en,
                span,
                str(entry.count),
                yuan_grouped(entry.balance_fen),
                share(entry.balance_fen),
            ]
        )
    rows.append(
        [
            t("overdue.total", lang),
            "",
            str(book.count),
            yuan_grouped(book.balance_fen),
            share(book.balance_fen),
        ]
    )
    title = (
        t("overdue.book_title_officer", lang, today=today, officer=officer)
        if officer is not None
        else t("overdue.book_title", lang, today=today)
    )
    footer = [
        t(
            "overdue.par",
            lang,
            days=days,
            part=yuan_grouped(book.par_fen(days)),
            total=yuan_grouped(book.balance_fen),
            share=_percent(book.par(days), lang),
        )
        for days in PAR_DAYS
    ]
    footer.append(t("overdue.balance_note", lang))
    footer.append(_change_line(book, since, lang))
    print_table(
        title,
        [
            Column(t("col.class", lang), key=True),
            Column(t("overdue.col.range", lang), key=True),
            Column(t("overdue.col.loans", lang), "right", key=True),
            Column(t("col.balance", lang), "right", key=True),
            Column(t("overdue.col.share", lang), "right", key=True),
        ],
        rows,
        footer_lines=footer,
    )


def _change_line(book: ArrearsSummary, since: Snapshot | None, lang: str) -> str:
    """The book against the previous snapshot: balance in yuan, PAR in percentage points."""
    from retain.i18n import t
    from retain.output import yuan_grouped

    if since is None:
        return t("overdue.no_previous", lang)

    def points(now: float | None, then: float | None) -> str:
        if now is None or then is None:
            return t("overdue.not_available", lang)
        change = round((now - then) * 100, 2)
        sign = "+" if change >= 0 else "-"
        return t("overdue.points", lang, sign=sign, points=f"{abs(change):.2f}")

    change = book.balance_fen - since.balance_fen
    return t(
        "overdue.since",
        lang,
        day=since.day.isoformat(),
        balance=("+" if change >= 0 else "") + yuan_grouped(change),
        par30=points(book.par(30), since.par(30)),
        par90=points(book.par(90), since.par(90)),
    )


def _summary_json(
    book: ArrearsSummary,
    st: State,
    officer: str | None,
    since: Snapshot | None,
    *,
    indent: bool,
) -> str:
    """One object; money hand-assembled so it keeps two decimals (12.50, not 12.5)."""
    import json

    from retain.i18n import t
    from retain.output import yuan

    lang = st.lang

    def ratio(value: float | None) -> str:
        return "null" if value is None else repr(round(value, 4))

    classes = [
        "{"
        + ", ".join(
            [
                f'"class": {json.dumps(c.name if lang == "zh" else c.name_en, ensure_ascii=False)}',
                f'"min_days": {c.min_days}',
                f'"max_days": {"null" if c.max_days is None else c.max_days}',
                f'"count": {c.count}',
                f'"balance": {yuan(c.balance_fen)}',
            ]
        )
        + "}"
        for c in book.classes
    ]
    pairs = [
        f'"as_of": "{st.today.isoformat()}"',
        f'"data_as_of": {json.dumps(st.data_as_of)}',
        f'"officer": {json.dumps(officer, ensure_ascii=False)}',
        f'"classes": [{", ".join(classes)}]' if not indent else None,
        f'"total_count": {book.count}',
        f'"total_balance": {yuan(book.balance_fen)}',
        f'"par30": {ratio(book.par(30))}',
        f'"par90": {ratio(book.par(90))}',
        f'"par30_balance": {yuan(book.par30_fen)}',
        f'"par90_balance": {yuan(book.par90_fen)}',
        f'"definition": {json.dumps(t("overdue.definition", lang), ensure_ascii=False)}',
        f'"previous": {_previous_json(since)}',
    ]
    if not indent:
        return "{" + ", ".join(p for p in pairs if p is not None) + "}"
    listed = "[\n" + ",\n".join(f"    {c}" for c in classes) + "\n  ]"
    pairs[3] = f'"classes": {listed}'
    return "{\n" + ",\n".join(f"  {p}" for p in pairs) + "\n}"


def _previous_json(since: Snapshot | None) -> str:
    """The previous snapshot's day, balance and PAR, or null."""
    from retain.output import yuan

    if since is None:
        return "null"

    def ratio(value: float | None) -> str:
        return "null" if value is None else repr(round(value, 4))

    return (
        f'{{"day": "{since.day.isoformat()}", "total_balance": {yuan(since.balance_fen)}, '
        f'"par30": {ratio(since.par(30))}, "par90": {ratio(since.par(90))}}}'
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("overdue", help=HELP)(handle_errors(overdue))
