"""``retain export reminders``: reminders for cron, SMS gateways, calendars and Excel."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, closing, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from retain.cli.common import handle_errors, state
from retain.cli.groups import group_filter
from retain.cli.options import (
    ForceOption,
    GroupOption,
    OfficerOption,
    RevealOption,
    check_output,
)
from retain.terms import TERM_NAMES

if TYPE_CHECKING:
    from retain.cli.common import Staleness
    from retain.exports import Claim
    from retain.sending import CustomerPolicy, LeftOut

app = typer.Typer(
    help=(
        "Export reminders for cron jobs, SMS gateways, calendars and Excel.\n\n"
        "Example:\n\n"
        "    retain --today tomorrow export reminders --output reminders.ics"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)

HELP = """Reminders due from today to today + DAYS, from the same rules as `retain calls`.

Each reminder has a stable reminder_id (customer, reason and the start of the
episode), so a calendar updates its event instead of duplicating it, and
--new-only exports only reminders this audience has not been sent before. In
one write transaction it reads the export ledger, writes the output to a
temporary and claims its reminders as pending; then it puts the file in place
and marks them sent. A second run at the same time waits, then exports only
what the first did not claim; a run killed in between is settled by the next
one (its file in place: sent; no file: exported again). So a cron job that runs
twice, at once or after a failure, sends nothing twice. On stdout a claim is
marked sent once every row is written; a killed run's or a closed pipe's
reminders are sent again (at-least-once).

--audience customer is for an SMS gateway: it carries the full phone number and
only what the customer may see (reminder_id, date, name, phone, message), in
export.customer_lang. Only maturing, overdue, win_back and instalment go to
customers; each customer gets at most one text a day (the highest-ranked
reason), none without a usable phone, none of a reason texted in the last
export.customer_quiet_days, no maturing, overdue or instalment text before a
promised date, and texts only on working
days (a weekend's goes out on Friday; an overdue one waits for Monday). stderr
says what each rule left out. --audience officer masks phones unless --reveal.
ID numbers never appear.

When the newest loans import is more than data.stale_after_days (default 3)
days old, --audience customer refuses (exit 1, no file, nothing recorded)
unless --allow-stale: stale days past due must not reach a customer as fact.
A cron job seeing exit 1 should import a fresh export first.

Formats: csv (UTF-8 with BOM for Excel; localised headers under --lang zh),
xlsx, json, ndjson, ics (one all-day event per reminder with a 09:00 alarm).
The format comes from --format or the --output file's extension; without
--output the data goes to stdout. Files are written atomically, mode 0600.
Exit codes: 0 exported (even zero reminders), 1 error, 2 usage error.

Example:

    retain --today tomorrow export reminders --days 0 --audience customer \\
        --new-only --output sms-$(date +%F).csv

    retain export reminders --days 7 --kinds maturing,overdue --output 本周提醒.xlsx

    retain --lang zh export reminders --days 30 --output reminders.ics
"""


def reminders(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", "-d", min=0, help="Window length in days.")] = 7,
    kinds: Annotated[
        str | None,
        typer.Option(
            "--kinds",
            metavar="TERM,…",
            help="Comma-separated reasons to include, by term name or Chinese label "
            "(到期,逾期 …). Default: all for officers; for customers the ones that may "
            "be sent to them (maturing, overdue, win_back, instalment).",
            show_default=False,
        ),
    ] = None,
    officer: OfficerOption = None,
    group: GroupOption = None,
    audience: Annotated[
        str,
        typer.Option(
            "--audience", help="officer/客户经理 (masked phones) or customer/客户 (for SMS)."
        ),
    ] = "officer",
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="csv|xlsx|json|ndjson|ics. Default: from --output's extension, else csv.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (atomically).", show_default=False),
    ] = None,
    new_only: Annotated[
        bool,
        typer.Option("--new-only", help="Only reminders not exported to this audience before."),
    ] = False,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            help="Template set from the config (default: the audience's).",
            show_default=False,
        ),
    ] = None,
    reveal: RevealOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")] = False,
    force: ForceOption = False,
    allow_stale: Annotated[
        bool,
        typer.Option(
            "--allow-stale",
            help="Send to customers even when the loan data is older than "
            "data.stale_after_days (default: refuse, exit 1).",
        ),
    ] = False,
) -> None:
    from retain.config import load_config
    from retain.errors import UsageError
    from retain.exports import (
        EXPORT_FORMATS,
        claiming,
        not_yet_exported,
        publish_claimed,
        quoted_loans,
        reminder_rows,
        settle,
    )
    from retain.i18n import CATALOGUE, code_of, t
    from retain.output import mask_phone
    from retain.reminders import Reminder, upcoming
    from retain.sinks import format_for
    from retain.templates import AUDIENCES

    st = state(ctx)
    lang = st.lang
    named = code_of(audience, {a: CATALOGUE[f"audience.{a}"] for a in AUDIENCES})
    if named is None:
        raise UsageError(key="export.unknown_audience", value=repr(audience))
    audience = named
    config = load_config()
    wanted = _kinds(kinds, audience, config.export.customer_reasons)
    if output is not None:
        out_format = format_for(output, fmt, EXPORT_FORMATS)
        check_output(output, force)
    else:
        out_format = fmt or "csv"
        if out_format not in EXPORT_FORMATS:
            raise UsageError(
                key="export.unknown_format",
                value=repr(out_format),
                accepted="|".join(EXPORT_FORMATS),
            )
        if out_format == "xlsx":
            raise UsageError(key="export.xlsx_output")
    template_name = template or audience
    policy: CustomerPolicy | None = None
    # Stale data must not reach a customer as fact: refused before anything is
    # written or recorded, so the next run after a fresh import sends it all.
    stale: Staleness = "refuse" if audience == "customer" and not allow_stale else "warn"
    target = "-" if output is None else str(output)
    # A customer export settles a killed run's claims before reading the ledger: a write.
    writes = new_only or audience == "customer"
    with st.store(stale=stale, writer="export" if writes else None) as store:
        group_id = group_filter(store.conn, group)
        # --new-only: the ledger is read, and these reminders claimed, in one
        # write transaction (a concurrent run waits, then sees the claims); the
        # output is published after it commits (retain.exports, the order).
        claim_cm: AbstractContextManager[Claim | None] = (
            claiming(store, audience=audience, fmt=out_format, target=target)
            if new_only
            else nullcontext(None)
        )
        with claim_cm as claim:
            ahead = days
            if audience == "customer":
                from retain.sending import CustomerPolicy, fetch_days, working_days

                if claim is None:
                    settle(store)  # the customer rules read the ledger

                calendar = working_days(config)
                ahead = fetch_days(calendar, st.today, days)
                policy = CustomerPolicy(store.conn, config, st.today, days, calendar)
            with closing(
                upcoming(
                    store.conn,
                    config,
                    st.today,
                    ahead,
                    kinds=wanted,
                    officer=officer,
                    group_id=group_id,
                    quote=quoted_loans(config, template_name, audience, wanted),
                )
            ) as stream:
                found: Iterable[Reminder] = stream
                # What was sent before is set aside first: the customer policy then
                # picks each customer's one text of the day among what is left.
                if claim is not None:
                    found = not_yet_exported(store.conn, found, audience)
                if policy is not None:
                    found = policy.apply(found)
                rows = reminder_rows(
                    found,
                    config,
                    lang=lang,
                    audience=audience,
                    template=template_name,
                    mask=(lambda phone: phone) if reveal else mask_phone,
                    reasons=wanted,
                    data_as_of=st.data_as_of,
                )
                if claim is not None:
                    rows = claim.stage.tap(rows)
                written = _write(rows, out_format, output, audience, lang, force, claim)
        if claim is not None:
            publish_claimed(claim, written.publish)
    if not quiet:
        if policy is not None:
            for line in _left_out(policy.left, config.export.customer_quiet_days, lang):
                sys.stderr.write(line + "\n")
        shown = "stdout" if output is None else str(output)
        sys.stderr.write(t("export.done", lang, count=written.count, target=shown) + "\n")


def _kinds(kinds: str | None, audience: str, textable: Sequence[str]) -> tuple[str, ...]:
    """The reasons asked for; a customer is never sent one outside ``textable``
    (the config's ``export.customer_reasons``)."""
    from retain.errors import UsageError
    from retain.i18n import msg
    from retain.terms import term_of

    if audience == "customer":
        textable = tuple(name for name in TERM_NAMES if name in textable)
    if kinds is None:
        return tuple(textable) if audience == "customer" else TERM_NAMES
    given = [k.strip() for k in kinds.split(",") if k.strip()]
    unknown = [k for k in given if term_of(k) is None]
    if unknown or not given:
        shown = ", ".join(unknown) if unknown else msg("error.none")
        raise UsageError(key="export.unknown_kinds", value=shown, accepted=",".join(TERM_NAMES))
    wanted = tuple(dict.fromkeys(name for k in given if (name := term_of(k))))
    internal = [name for name in wanted if name not in textable]
    if audience == "customer" and internal:
        raise UsageError(
            key="export.not_for_customers",
            reason=", ".join(internal),
            accepted=",".join(textable),
        )
    return wanted


def _left_out(left: LeftOut, quiet_days: int, lang: str) -> list[str]:
    """One line per customer SMS rule that left something out."""
    from retain.i18n import t

    lines = []
    if left.no_phone:
        lines.append(t("export.left.no_phone", lang, count=len(left.no_phone)))
    if left.held:
        lines.append(t("export.left.held", lang, count=left.held))
    if left.quiet:
        lines.append(t("export.left.quiet", lang, count=left.quiet, days=quiet_days))
    if left.one_a_day:
        lines.append(t("export.left.one_a_day", lang, count=left.one_a_day))
    return lines


@dataclass
class _Written:
    """The output, complete: ``publish`` puts it in place (a file still at its
    temporary name, or stdout's rows still in a spool) or does nothing when it
    went out as it was written (no ledger to claim it first)."""

    count: int
    publish: Callable[[], object] = lambda: None


def _write(
    rows: Iterator[dict[str, Any]],
    out_format: str,
    output: Path | None,
    audience: str,
    lang: str,
    force: bool,
    claim: Claim | None,
) -> _Written:
    """Write the rows as they come. Without a claim, to their place at once (a file
    renamed into place when complete); with one, to a temporary, published by the
    caller once the claim has committed."""
    from retain.cli.options import with_data_as_of
    from retain.exports import fields_for
    from retain.i18n import t
    from retain.sinks import AtomicFile, Calendar, is_binary, write_file, write_to

    # The rows carry data_as_of already (officer): only JSON and NDJSON show it.
    fields, _ = with_data_as_of(out_format, fields_for(audience), rows, None)
    calendar = None
    if out_format == "ics":

        def summary(row: Mapping[str, Any]) -> str:
            if audience == "customer":
                return str(row["message"])
            return "{}: {} ({})".format(
                t("term." + row["reason"], lang), row["name"], row["customer_id"]
            )

        calendar = Calendar(summary, t("export.calendar", lang), lang)
    binary = is_binary(out_format)
    if output is None:
        if claim is None:
            sys.stdout.flush()
            stream = sys.stdout.buffer if binary else sys.stdout
            count = write_to(stream, out_format, rows, fields, calendar=calendar)
            stream.flush()
            return _Written(count)
        return _spooled(rows, out_format, fields, calendar)
    from retain.cli.options import file_header, for_people, in_words

    headers = [f.name for f in fields]
    shown: Iterable[Mapping[str, Any]] = rows
    if for_people(out_format, lang):
        headers = [file_header(name, lang) for name in headers]
        shown = (in_words(row, lang) for row in rows)
    sheet = t("export.sheet", lang)
    if claim is None:
        count = write_file(
            output,
            out_format,
            shown,
            fields,
            headers=headers,
            sheet_title=sheet,
            calendar=calendar,
            replace=force,
        )
        return _Written(count)
    out = AtomicFile(output, binary=binary, bom=out_format in ("csv", "tsv"))
    try:
        count = write_to(
            out.handle,
            out_format,
            shown,
            fields,
            headers=headers,
            sheet_title=sheet,
            calendar=calendar,
        )
        out.handle.flush()
        claim.written(out.tmp, output)
    except BaseException:
        out.discard()
        raise

    def publish() -> None:
        try:
            out.publish(replace=force)
        finally:
            if not out.published:
                out.discard()  # nothing left behind if the rename failed

    return _Written(count, publish)


def _spooled(
    rows: Iterator[dict[str, Any]],
    out_format: str,
    fields: Sequence[Any],
    calendar: Any,
) -> _Written:
    """stdout's rows, held in an anonymous temporary (no name: nothing is left if
    the run is killed) until the claim commits, so a slow reader of the pipe never
    holds the store's write lock."""
    import io
    import shutil
    import tempfile

    from retain.sinks import is_binary, write_to

    binary = is_binary(out_format)
    raw = tempfile.TemporaryFile()  # noqa: SIM115 - closed by publish(), or below on error
    spool: IO[Any] = raw if binary else io.TextIOWrapper(raw, encoding="utf-8", newline="")
    try:
        count = write_to(spool, out_format, rows, fields, calendar=calendar)
        spool.flush()
    except BaseException:
        spool.close()
        raise

    def publish() -> None:
        with spool:
            spool.seek(0)
            sys.stdout.flush()
            target: IO[Any] = sys.stdout.buffer if binary else sys.stdout
            shutil.copyfileobj(spool, target)
            target.flush()

    return _Written(count, publish)


app.command("reminders", help=HELP)(handle_errors(reminders))


def register(root: typer.Typer) -> None:
    """Add ``retain export`` to the main app."""
    root.add_typer(app, name="export")
