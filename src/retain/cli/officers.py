"""``retain officers``, ``officer add|rename|deactivate``, ``handover`` and ``audit``."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from retain.cli.common import handle_errors, state
from retain.cli.options import (
    TABLE_DEFAULT_LIMIT,
    ForceOption,
    LimitOption,
    OutputFormat,
    OutputOption,
    RevealOption,
    RowsFormat,
    RowsFormatOption,
    check_output,
    emit,
    resolve_format,
)

if TYPE_CHECKING:
    from retain.handover import Moved

OFFICERS_HELP = """The officers the store knows, with their customers, open loans and
balance: those added with `retain officer add` and every name found in an
import's officer column, a logged contact or a prospect.

Example:

    retain officers

    retain officers --format json
"""

OFFICER_HELP = """Add, rename or deactivate an officer.

Names are matched exactly after NFKC and trimming (full-width letters and stray
spaces do not make a second officer).

Example:

    retain officer add 李娜

    retain officer rename "王 芳" 王芳

    retain officer deactivate 张伟
"""

ADD_HELP = """Register an officer (or make an inactive one active again), so that
customers can be handed over to them before any file names them.

Example:

    retain officer add 李娜
"""

RENAME_HELP = """Fix an officer's name everywhere, in one transaction: customers,
contacts, promises, prospects, snapshots and the assignment history. Renaming
onto a name the store already knows merges the two (a misspelling of a real
name); the snapshots of a day add up.

Example:

    retain officer rename "王 芳" 王芳
"""

DEACTIVATE_HELP = """Mark an officer inactive: nothing can be handed over to them.
Refused (exit 1) while they still have customers: hand them over first.

Example:

    retain handover --from 张伟 --to 李娜 --all

    retain officer deactivate 张伟
"""

HANDOVER_HELP = """Move customers from one officer to another, in one transaction:
the customers with their loans, open follow-ups, open promises to pay and the
open prospects they referred (with --all: every open prospect of the officer).
Contacts already made keep the officer who made them.

Choose the customers with --customer (repeatable, or comma-separated),
--industry, --group (the source officer's customers in that group), or --all.
The assignment history records who managed each customer from when (`retain
show`, `retain history`); the audit trail records the move (`retain audit
--kind handover`). A later import whose file is as of a day on or before the
handover keeps the new officer (`import … --officer-from-file` to
let the file win).

Refused (exit 1): an unknown or deactivated target, a customer who is not the
source officer's.

Example:

    retain handover --from 张伟 --to 李娜 --all --note "张伟调岗"

    retain handover --from 张伟 --to 王芳 --industry 餐饮 --dry-run

    retain handover --from 张伟 --to 王芳 --group 东门市场

    retain handover --from 张伟 --to 王芳 --customer C0001 --customer C0002 --as-of 2026-12-01
"""

AUDIT_HELP = """The audit trail, newest first: who changed what, when, old → new.

Imports (field by field), contact-log corrections (`contacts undo`), handovers,
officer changes. Phones and ID numbers are masked unless --reveal. The trail is
append-only: the store refuses to change or delete it (`retain doctor` checks).

Example:

    retain audit --customer C0001

    retain audit --kind handover --since 2026-11-01

    retain audit --since 2026-11-30 --format json
"""

OFFICER_FIELDS = (
    ("officer", "text"),
    ("officer_status", "text"),  # active or inactive
    ("added_on", "date"),  # null: found in the data, never added
    ("customers", "int"),
    ("loans", "int"),  # open loans
    ("balance", "money"),  # of the open loans
)

AUDIT_FIELDS = (
    ("change_id", "int"),
    ("at", "text"),  # UTC, ISO 8601
    ("kind", "text"),  # import, log, handover, officer, config or forget
    ("actor", "text"),  # the login name, for changes made by hand
    ("file", "text"),  # the imported file, for an import's changes
    ("entity", "text"),
    ("entity_id", "text"),
    ("field", "text"),
    ("old_value", "text"),
    ("new_value", "text"),
)

HANDOVER_FIELDS = (
    ("from_officer", "text"),
    ("to_officer", "text"),
    ("as_of", "date"),
    ("dry_run", "bool"),
    ("customers", "int"),
    ("loans", "int"),
    ("balance", "money"),
    ("follow_ups", "int"),
    ("promises", "int"),
    ("prospects", "int"),
    ("customer_ids", "text"),  # a list in JSON
)


class AuditKind(StrEnum):
    import_ = "import"
    log = "log"
    handover = "handover"
    officer = "officer"
    config = "config"
    forget = "forget"


class HandoverFormat(StrEnum):
    table = "table"
    json = "json"


def officers(
    ctx: typer.Context,
    fmt: RowsFormatOption = RowsFormat.auto,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from retain.officers import list_officers

    st = state(ctx)
    check_output(output, force)
    with st.store() as store:
        found = list_officers(store.conn)
    rows = [
        {
            "officer": o.name,
            "officer_status": o.status,
            "added_on": o.added_on,
            "customers": o.customers,
            "loans": o.loans,
            "balance": o.balance_fen,
        }
        for o in found
    ]
    if output is None and resolve_format(OutputFormat(fmt.value)) == "table":
        _officers_table(rows, st.lang)
        return
    from retain.output import Field

    fields = [Field(name, kind) for name, kind in OFFICER_FIELDS]  # type: ignore[arg-type]
    emit(rows, fields, OutputFormat(fmt.value), output, st.lang, force=force)


def _officers_table(rows: list[dict[str, Any]], lang: str) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import t
    from retain.output import yuan_grouped

    shown = [
        [
            r["officer"],
            t(f"officers.status.{r['officer_status']}", lang),
            r["added_on"] or t("officers.found", lang),
            str(r["customers"]),
            str(r["loans"]),
            yuan_grouped(r["balance"]),
        ]
        for r in rows
    ]
    print_table(
        t("officers.title", lang),
        [
            Column(t("col.officer", lang), key=True),
            Column(t("col.status", lang)),
            Column(t("officers.col.added_on", lang)),
            Column(t("officers.col.customers", lang), "right"),
            Column(t("officers.col.loans", lang), "right"),
            Column(t("col.balance", lang), "right"),
        ],
        shown,
        footer_lines=[] if rows else [t("officers.empty", lang)],
    )


NameArg = Annotated[str, typer.Argument(help="The officer's name.", show_default=False)]


def officer_add(ctx: typer.Context, name: NameArg) -> None:
    from retain.i18n import t
    from retain.officers import add_officer

    st = state(ctx)
    with st.store(stale="ignore", writer="officer add") as store:
        for attempt in store.transactions():
            with attempt as conn:
                added, new = add_officer(conn, name, st.today)
    sys.stderr.write(t("officer.added" if new else "officer.already", st.lang, name=added) + "\n")


def officer_rename(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="The name as it is now.", show_default=False)],
    new: Annotated[str, typer.Argument(help="The right name.", show_default=False)],
) -> None:
    from retain.i18n import t
    from retain.officers import rename_officer

    st = state(ctx)
    with st.store(stale="ignore", writer="officer rename") as store:
        for attempt in store.transactions():
            with attempt as conn:
                done = rename_officer(conn, old, new)
    key = "officer.merged" if done.merged else "officer.renamed"
    rows = sum(done.rows.values())
    sys.stderr.write(t(key, st.lang, old=done.old, new=done.new, rows=rows) + "\n")


def officer_deactivate(ctx: typer.Context, name: NameArg) -> None:
    from retain.i18n import t
    from retain.officers import deactivate_officer

    st = state(ctx)
    with st.store(stale="ignore", writer="officer deactivate") as store:
        for attempt in store.transactions():
            with attempt as conn:
                done = deactivate_officer(conn, name, st.today)
    sys.stderr.write(t("officer.deactivated", st.lang, name=done) + "\n")


def handover(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Option("--from", help="The officer who hands over.", show_default=False)
    ],
    target: Annotated[
        str,
        typer.Option("--to", help="The officer who takes over (active).", show_default=False),
    ],
    customers: Annotated[
        list[str] | None,
        typer.Option(
            "--customer",
            metavar="ID",
            help="These customers (repeatable, or comma-separated).",
            show_default=False,
        ),
    ] = None,
    industry: Annotated[
        str | None,
        typer.Option(
            "--industry",
            help="The source officer's customers of this industry.",
            show_default=False,
        ),
    ] = None,
    group: Annotated[
        str | None,
        typer.Option(
            "--group",
            metavar="NAME",
            help="The source officer's customers in this group (retain group list).",
            show_default=False,
        ),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="All of the source officer's customers.")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="The day the new officer takes over. Default: today.",
            show_default=False,
        ),
    ] = None,
    note: Annotated[
        str | None,
        typer.Option("--note", help="Why, kept in the assignment history.", show_default=False),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would move; change nothing.")
    ] = False,
    fmt: Annotated[
        HandoverFormat, typer.Option("--format", "-f", help="table or json.")
    ] = HandoverFormat.table,
) -> None:
    from retain.errors import UsageError
    from retain.handover import Selection, customer_ids
    from retain.handover import handover as move

    st = state(ctx)
    ids = customer_ids(customers or [])
    given = (bool(ids), industry is not None, group is not None, everything)
    chosen = sum(1 for one in given if one)
    if chosen != 1:
        raise UsageError(key="handover.choose")
    day = st.today
    if as_of is not None:
        from retain.dates import parse_day

        day = parse_day(as_of, st.today)
        if day > st.today:  # the store's officer would change before the day it says
            raise UsageError(key="handover.future", day=day.isoformat())
    from retain.cli.groups import group_filter

    with st.store(stale="ignore", writer="handover") as store:
        for attempt in store.transactions():
            with attempt as conn:
                selection = Selection(
                    customer_ids=ids,
                    industry=industry,
                    group_id=group_filter(conn, group),
                    everything=everything,
                )
                moved = move(conn, source, target, selection, day, note)
                if dry_run:
                    conn.execute("ROLLBACK")
                    conn.execute("BEGIN")
    _print_moved(moved, dry_run, fmt, st.lang)


def _print_moved(moved: Moved, dry_run: bool, fmt: HandoverFormat, lang: str) -> None:
    import json

    from retain.i18n import t
    from retain.output import yuan_grouped

    if fmt is HandoverFormat.json:
        body = {
            "from_officer": moved.source,
            "to_officer": moved.target,
            "as_of": moved.day.isoformat(),
            "dry_run": dry_run,
            "customers": moved.customers,
            "loans": moved.loans,
            "balance": round(moved.balance_fen / 100, 2),
            "follow_ups": moved.follow_ups,
            "promises": moved.promises,
            "prospects": moved.prospects,
            "customer_ids": [cid for cid, _ in moved.listed],
        }
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        return
    from retain.cli.render import Column, print_table

    footer = [
        t(
            "handover.summary",
            lang,
            source=moved.source,
            target=moved.target,
            day=moved.day.isoformat(),
            customers=moved.customers,
            loans=moved.loans,
            balance=yuan_grouped(moved.balance_fen),
            follow_ups=moved.follow_ups,
            promises=moved.promises,
            prospects=moved.prospects,
        )
    ]
    if moved.customers > len(moved.listed):
        footer.append(t("list.more", lang, more=moved.customers - len(moved.listed)))
    if dry_run:
        footer.append(t("handover.dry_run", lang))
    print_table(
        t("handover.title", lang, source=moved.source, target=moved.target),
        [Column(t("col.customer_id", lang), key=True), Column(t("col.name", lang))],
        [[cid, name] for cid, name in moved.listed],
        footer_lines=footer,
    )


def audit(
    ctx: typer.Context,
    customer: Annotated[
        str | None,
        typer.Option(
            "--customer", metavar="ID", help="Only this customer's records.", show_default=False
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            help="Only changes recorded on or after DATE.",
            show_default=False,
        ),
    ] = None,
    kind: Annotated[
        AuditKind | None,
        typer.Option(
            "--kind",
            help="Only this kind: import|log|handover|officer|config|forget.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    limit: LimitOption = None,
    reveal: RevealOption = False,
    fmt: RowsFormatOption = RowsFormat.auto,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from retain.audit import AuditFilter, list_changes

    st = state(ctx)
    check_output(output, force)
    since_day = None
    if since is not None:
        from retain.dates import parse_day

        since_day = parse_day(since, st.today).isoformat()
    spec = AuditFilter(customer_id=customer, since=since_day, kind=kind.value if kind else None)
    with st.store() as store:
        rows = list_changes(store.conn, spec, reveal=reveal)
    if output is None and resolve_format(OutputFormat(fmt.value)) == "table":
        _audit_table(rows, limit or TABLE_DEFAULT_LIMIT, st.lang)
        return
    from retain.output import Field

    fields = [Field(name, kind_) for name, kind_ in AUDIT_FIELDS]  # type: ignore[arg-type]
    emit(
        rows[:limit] if limit else rows,
        fields,
        OutputFormat(fmt.value),
        output,
        st.lang,
        force=force,
    )


def _audit_table(rows: list[dict[str, Any]], limit: int, lang: str) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import t

    shown = [
        [
            str(r["at"] or "")[:16].replace("T", " "),
            t(f"audit.kind.{r['kind']}", lang),
            r["actor"] or r["file"] or "",
            f"{r['entity']} {r['entity_id']}",
            r["field"],
            f"{r['old_value'] if r['old_value'] is not None else '∅'}"
            f" → {r['new_value'] if r['new_value'] is not None else '∅'}",
        ]
        for r in rows[:limit]
    ]
    footer = [t("audit.count", lang, count=len(rows))] if rows else [t("audit.empty", lang)]
    if len(rows) > limit:
        footer.append(t("list.more", lang, more=len(rows) - limit))
    print_table(
        t("audit.title", lang),
        [
            Column(t("audit.col.at", lang), key=True),
            Column(t("audit.col.kind", lang)),
            Column(t("audit.col.who", lang)),
            Column(t("audit.col.record", lang), key=True),
            Column(t("audit.col.field", lang)),
            Column(t("audit.col.change", lang)),
        ],
        shown,
        footer_lines=footer,
    )


officer_app = typer.Typer(help=OFFICER_HELP, no_args_is_help=True)
officer_app.command("add", help=ADD_HELP)(handle_errors(officer_add))
officer_app.command("rename", help=RENAME_HELP)(handle_errors(officer_rename))
officer_app.command("deactivate", help=DEACTIVATE_HELP)(handle_errors(officer_deactivate))


def register(app: typer.Typer) -> None:
    app.command("officers", help=OFFICERS_HELP)(handle_errors(officers))
    app.add_typer(officer_app, name="officer")
    app.command("handover", help=HANDOVER_HELP)(handle_errors(handover))
    app.command("audit", help=AUDIT_HELP)(handle_errors(audit))
