"""``retain import customers|loans|schedule|guarantors|prospects|holdings FILE``."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from retain.cli.common import handle_errors, is_terminal, state

if TYPE_CHECKING:
    from retain.importing.load import ImportReport

app = typer.Typer(
    help=(
        "Import customers, loans, repayment schedules, guarantors, prospects or holdings from CSV, "
        "TSV, JSON, NDJSON, XLSX or XLS.\n\n"
        "Example:\n\n"
        "    retain import customers 客户清单.xlsx\n\n"
        "    retain import loans 贷款台账.csv --rejects fix-me.csv"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)

# A bar for a quick import is only flicker: it appears once an import has run
# this long (RETAIN_PROGRESS_AFTER_S overrides it, for the tests only).
PROGRESS_AFTER_S = 2.0


class SummaryFormat(StrEnum):
    table = "table"
    json = "json"


class InputFormat(StrEnum):
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ndjson = "ndjson"
    xlsx = "xlsx"
    xls = "xls"


FileArg = Annotated[
    str, typer.Argument(help="The file to import, or - for standard input.", show_default=False)
]
MapOption = Annotated[
    Path | None,
    typer.Option("--map", help="A TOML mapping file for a foreign export.", show_default=False),
]
RejectsOption = Annotated[
    Path | None,
    typer.Option(
        "--rejects",
        help="Where rejected rows go (replaced if it exists). Default: <input stem>.rejects.csv "
        "beside the input, or .rejects.2.csv … when that exists: never overwritten.",
        show_default=False,
    ),
]
DryRunOption = Annotated[
    bool,
    typer.Option("--dry-run", help="Check everything, write nothing, report what would happen."),
]
EncodingOption = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        metavar="NAME",
        help="Encoding of a text file (utf-8, gb18030, big5, utf-16 …). Default: detected; "
        "asked for when GB18030 and Big5 cannot be told apart.",
        show_default=False,
    ),
]
QuietOption = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="No progress bar and no summary table (rejected rows and the rejects file "
        "are still reported on stderr; --format json still prints its summary).",
    ),
]
SheetOption = Annotated[
    str | None,
    typer.Option(
        "--sheet",
        metavar="NAME|N",
        help="The workbook sheet to import, by name or number (1 = first). Default: the "
        "first sheet that has a header row.",
        show_default=False,
    ),
]
SummaryOption = Annotated[
    SummaryFormat, typer.Option("--format", "-f", help="How to print the summary.")
]
InputFormatOption = Annotated[
    InputFormat | None,
    typer.Option(
        "--input-format",
        help="Format of FILE; needed for stdin, else taken from the extension.",
        show_default=False,
    ),
]

CUSTOMERS_HELP = """Import customers (客户). Required columns: customer_id, name.

Exit codes: 0 all rows imported, 3 some rows rejected (the good ones are
committed), 1 error (nothing committed), 2 usage error.

Example:

    retain import customers 客户清单.xlsx

    retain import customers export.csv --map bank.toml --dry-run

    retain import customers 客戶.csv --encoding big5
"""

LOANS_HELP = """Import loans (贷款). Required columns: loan_id, customer_id, principal,
disbursed_on, matures_on (or term_months), guarantee, status. Customer columns
(name, phone, …) in the same file create or update the customers too.
Optional collateral_insurance_expires (抵押物保险到期日) and
collateral_certificate_expires (他项权证到期日) feed the collateral_expiry term.

Exit codes: 0 all rows imported, 3 some rows rejected (the good ones are
committed), 1 error (nothing committed), 2 usage error.

Example:

    retain import loans 贷款台账.csv

    retain import loans 台账.xlsx --sheet 贷款

    cat loans.ndjson | retain import loans - --input-format ndjson --format json
"""


GUARANTORS_HELP = """Import guarantors (担保人) of loans. Required columns: loan_id, name
(担保人); optional phone (担保人电话), relation (与借款人关系), id_number
(担保人证件号). A loan may have several guarantors: one row each, told apart
by ID number, or by name when there is none. The loans must be imported
first. Phones and ID numbers are checked as for customers. Guarantors are
named (phone masked) by overdue and show, never texted.

Exit codes: 0 all rows imported, 3 some rows rejected (the good ones are
committed), 1 error (nothing committed), 2 usage error.

Example:

    retain import guarantors 担保人清单.xlsx

    retain import guarantors guarantors.csv --dry-run --format json
"""


OfficerFromFileOption = Annotated[
    bool,
    typer.Option(
        "--officer-from-file",
        help="Take the file's officer even for customers handed over after the file's day "
        "(default: a later `retain handover` stands, and the report says so).",
    ),
]


@app.command("customers", help=CUSTOMERS_HELP)
@handle_errors
def import_customers(
    ctx: typer.Context,
    file: FileArg,
    mapping: MapOption = None,
    rejects: RejectsOption = None,
    dry_run: DryRunOption = False,
    fmt: SummaryOption = SummaryFormat.table,
    input_format: InputFormatOption = None,
    encoding: EncodingOption = None,
    sheet: SheetOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="The day the file's data is as of, for an export made earlier: a customer "
            "handed over on or after it keeps the new officer. Default: today.",
            show_default=False,
        ),
    ] = None,
    officer_from_file: OfficerFromFileOption = False,
    quiet: QuietOption = False,
) -> None:
    _run_import(
        ctx,
        "customers",
        file,
        mapping,
        rejects,
        dry_run,
        fmt,
        input_format,
        encoding,
        sheet,
        as_of,
        quiet=quiet,
        officer_from_file=officer_from_file,
    )


@app.command("loans", help=LOANS_HELP)
@handle_errors
def import_loans(
    ctx: typer.Context,
    file: FileArg,
    mapping: MapOption = None,
    rejects: RejectsOption = None,
    dry_run: DryRunOption = False,
    fmt: SummaryOption = SummaryFormat.table,
    input_format: InputFormatOption = None,
    encoding: EncodingOption = None,
    sheet: SheetOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="The day the file's data is as of, for an export made earlier (Friday's "
            "file imported on Monday): its days past due are a snapshot of that day and "
            "age from it. Default: today.",
            show_default=False,
        ),
    ] = None,
    officer_from_file: OfficerFromFileOption = False,
    quiet: QuietOption = False,
) -> None:
    _run_import(
        ctx,
        "loans",
        file,
        mapping,
        rejects,
        dry_run,
        fmt,
        input_format,
        encoding,
        sheet,
        as_of,
        quiet=quiet,
        officer_from_file=officer_from_file,
    )


SCHEDULE_HELP = """Import repayment schedules (还款计划): one row per loan and period.
Required columns: loan_id, period, due_on, principal_due, interest_due;
optional paid_on and paid_amount (both or neither). Each loan must already be
in the store. After the import each loan in the file gets its next unpaid
instalment and its days past due from its oldest unpaid instalment.

Exit codes: 0 all rows imported, 3 some rows rejected (the good ones are
committed), 1 error (nothing committed), 2 usage error.

Example:

    retain import schedule 还款计划.xlsx

    retain import schedule schedule.csv --as-of 2026-11-27 --format json
"""


@app.command("schedule", help=SCHEDULE_HELP)
@handle_errors
def import_schedule(
    ctx: typer.Context,
    file: FileArg,
    mapping: MapOption = None,
    rejects: RejectsOption = None,
    dry_run: DryRunOption = False,
    fmt: SummaryOption = SummaryFormat.table,
    input_format: InputFormatOption = None,
    encoding: EncodingOption = None,
    sheet: SheetOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="The day the schedule's payments are as of, for an export made earlier: "
            "instalments due before it and unpaid make the loan overdue. Default: today.",
            show_default=False,
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    _run_import(
        ctx,
        "schedule",
        file,
        mapping,
        rejects,
        dry_run,
        fmt,
        input_format,
        encoding,
        sheet,
        as_of,
        quiet=quiet,
    )


@app.command("guarantors", help=GUARANTORS_HELP)
@handle_errors
def import_guarantors(
    ctx: typer.Context,
    file: FileArg,
    mapping: MapOption = None,
    rejects: RejectsOption = None,
    dry_run: DryRunOption = False,
    fmt: SummaryOption = SummaryFormat.table,
    input_format: InputFormatOption = None,
    encoding: EncodingOption = None,
    sheet: SheetOption = None,
    quiet: QuietOption = False,
) -> None:
    _run_import(
        ctx,
        "guarantors",
        file,
        mapping,
        rejects,
        dry_run,
        fmt,
        input_format,
        encoding,
        sheet,
        quiet=quiet,
    )


PROSPECTS_HELP = """Import prospects (潜在客户): sign-up sheets from events, lists from
alliance partners. Required column: name (姓名/客户名称); optional phone
(手机号码/联系电话), id_number (身份证号), industry (所属行业), channel
(渠道/来源渠道: 转介绍/供应链/圈层/联盟/自然到访/其他 or 点/线/圈/面; blank =
other), referrer (介绍人/推荐人: a customer id or P7), officer (客户经理), need
(需求金额, yuan; 万元 works), source (来源), note (备注). Each enters as new on
the import's day (--as-of).

Each person once: a row repeating an earlier row's phone or ID number is
rejected; a person already on file (a customer or a prospect with the same
phone or ID number) is not imported again, but named in the summary and
counted unchanged. Importing the same sheet twice changes nothing.

Exit codes: 0 all rows imported, 3 some rows rejected (the good ones are
committed), 1 error (nothing committed), 2 usage error.

Example:

    retain import prospects 商会报名表.xlsx

    retain import prospects partners.csv --as-of 2026-11-28 --format json
"""


@app.command("prospects", help=PROSPECTS_HELP)
@handle_errors
def import_prospects(
    ctx: typer.Context,
    file: FileArg,
    mapping: MapOption = None,
    rejects: RejectsOption = None,
    dry_run: DryRunOption = False,
    fmt: SummaryOption = SummaryFormat.table,
    input_format: InputFormatOption = None,
    encoding: EncodingOption = None,
    sheet: SheetOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="The day the prospects entered (the event's day). Default: today.",
            show_default=False,
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    _run_import(
        ctx,
        "prospects",
        file,
        mapping,
        rejects,
        dry_run,
        fmt,
        input_format,
        encoding,
        sheet,
        as_of,
        quiet=quiet,
    )


HOLDINGS_HELP = """Import holdings (产品持有): the bank's other products each customer
holds. Required columns: customer_id (客户编号), product_type (产品类型/产品:
活期, 定期, 借记卡, 信用卡, 理财, 保险, 代发工资, 手机银行, 其他, or
deposit, term_deposit, card, credit_card, wealth, insurance, payroll,
mobile_banking, other); optional account (账号/产品编号), balance
(余额/金额), opened_on (开户日期), closed_on (销户日期: the holding is
closed). A holding is told apart by its product and account number, or by its
customer, product and opening date when there is none. The customers must be
in the store first. Holdings not in the file stay as they are.

Exit codes: 0 all rows imported, 3 some rows rejected (the good ones are
committed), 1 error (nothing committed), 2 usage error.

Example:

    retain import holdings 产品持有.xlsx

    retain import holdings holdings.csv --as-of 2026-11-27 --format json
"""


@app.command("holdings", help=HOLDINGS_HELP)
@handle_errors
def import_holdings(
    ctx: typer.Context,
    file: FileArg,
    mapping: MapOption = None,
    rejects: RejectsOption = None,
    dry_run: DryRunOption = False,
    fmt: SummaryOption = SummaryFormat.table,
    input_format: InputFormatOption = None,
    encoding: EncodingOption = None,
    sheet: SheetOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="The day the file's balances are as of, for an export made earlier: "
            "opening and closing dates after it are rejected. Default: today.",
            show_default=False,
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    _run_import(
        ctx,
        "holdings",
        file,
        mapping,
        rejects,
        dry_run,
        fmt,
        input_format,
        encoding,
        sheet,
        as_of,
        quiet=quiet,
    )


def _run_import(
    ctx: typer.Context,
    kind: str,
    file: str,
    mapping_path: Path | None,
    rejects: Path | None,
    dry_run: bool,
    fmt: SummaryFormat,
    input_format: InputFormat | None,
    encoding: str | None,
    sheet: str | None,
    as_of_text: str | None = None,
    *,
    quiet: bool = False,
    officer_from_file: bool = False,
) -> None:
    from retain.config import load_config
    from retain.errors import EXIT_REJECTED, UsageError
    from retain.importing.columns import Mapping, load_mapping
    from retain.importing.load import ImportSettings, import_file
    from retain.importing.read import MB, ReadLimits

    st = state(ctx)
    as_of = None
    if as_of_text is not None:
        from retain.dates import parse_day

        as_of = parse_day(as_of_text, st.today)
        if as_of > st.today:
            raise UsageError(key="import.as_of_future", day=as_of.isoformat())
    source = None if file == "-" else Path(file)
    if source is not None and not source.is_file():
        raise UsageError(key="import.no_file", path=file)
    if source is None and input_format is None:
        raise UsageError(key="import.stdin_format")
    mapping = load_mapping(mapping_path) if mapping_path else Mapping.empty()
    config = load_config()
    ceiling = mapping.principal_ceiling_fen or config.import_.principal_ceiling_fen
    settings = ImportSettings(
        kind=kind,  # type: ignore[arg-type]
        today=st.today,
        mapping=mapping,
        ceiling_fen=ceiling,
        floor_fen=config.import_.principal_floor_fen,
        earliest=config.import_.earliest_date,
        encoding=encoding,
        sheet=sheet,
        dry_run=dry_run,
        lang=st.lang,
        as_of=as_of,
        officer_from_file=officer_from_file,
        limits=ReadLimits(
            max_xml_bytes=config.import_.max_xlsx_xml_mb * MB,
            max_cells=config.import_.max_cells,
        ),
    )
    if dry_run and not st.store_exists():
        from retain.store import Store

        # A dry run writes nothing, anywhere: check against an empty store in memory.
        opened = Store.scratch()
    else:
        opened = st.store(
            create=True, writer="import", file=source.name if source is not None else None
        )
    with opened as store, _progress(st.lang, enabled=not quiet) as progress:
        report = import_file(
            store,
            source,
            settings,
            input_format=input_format.value if input_format else None,
            rejects_path=rejects,
            progress=progress,
        )
    _print_report(report, fmt, st.lang, table=not quiet)
    if report.rejected:
        raise typer.Exit(EXIT_REJECTED)


class _progress:
    """A Rich progress bar on stderr, once an import has run ~2 s with a person watching.

    stdout stays clean for ``--format json`` and pipes: the bar is drawn on stderr,
    only when stderr is a terminal, and not with ``--quiet``.
    """

    def __init__(self, lang: str, *, enabled: bool) -> None:
        self.enabled = enabled and is_terminal(sys.stderr)
        self.lang = lang
        self._bar: Any = None
        self._task: Any = None
        self._started = 0.0
        self._after = float(os.environ.get("RETAIN_PROGRESS_AFTER_S", PROGRESS_AFTER_S))

    def __enter__(self) -> Callable[[int], None] | None:
        if not self.enabled:
            return None
        self._started = time.monotonic()
        return self._update

    def _update(self, done: int) -> None:
        if self._bar is None:
            if time.monotonic() - self._started < self._after:
                return
            self._start()
        self._bar.update(self._task, completed=done)

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        from retain.i18n import t

        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn(t("import.progress_rows", self.lang)),
            TimeElapsedColumn(),
            transient=True,
            console=Console(stderr=True),
        )
        self._bar.start()
        self._task = self._bar.add_task(t("import.progress", self.lang), total=None)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def _field_labels(fields: str, lang: str) -> str:
    """ "phone; id_number" → "手机号码；身份证号" under zh (the field names under en)."""
    from retain.i18n import CATALOGUE, t

    names = fields.split("; ")
    shown = [t(f"import.field.{n}", lang) if f"import.field.{n}" in CATALOGUE else n for n in names]
    return t("sep.semicolon", lang).join(shown)


def _print_report(report: ImportReport, fmt: SummaryFormat, lang: str, *, table: bool) -> None:
    from retain.i18n import t

    if fmt is SummaryFormat.json:
        sys.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
    elif table:
        from retain.cli.render import Column, print_table

        counts = ["added", "updated", "unchanged", "rejected", "skipped"]
        title = t(
            "import.title",
            lang,
            file=Path(report.file_name).name,
            kind=t(f"kind.{report.kind}", lang),
        )
        footer = [t("import.dry_run", lang)] if report.dry_run else []
        if report.encoding is not None and report.encoding != "UTF-8":
            footer.append(t("import.encoding", lang, encoding=report.encoding))
        if report.sheet is not None and len(report.sheets) > 1:
            footer.append(
                t(
                    "import.sheet",
                    lang,
                    sheet=report.sheet,
                    sheets=t("sep.comma", lang).join(report.sheets),
                )
            )
        if report.customers_added or report.customers_updated:
            footer.append(
                t(
                    "import.customers",
                    lang,
                    added=report.customers_added,
                    updated=report.customers_updated,
                )
            )
        if report.officers_kept:
            footer.append(t("import.officers_kept", lang, count=report.officers_kept))
        print_table(
            title,
            [Column(t(f"import.{name}", lang), "right") for name in counts],
            [[f"{getattr(report, name):,}" for name in counts]],
            footer_lines=footer,
        )
    for note in report.notes[:20]:
        text = t("import.note_line", lang, row=note.row_no, note=note.message.render(lang))
        sys.stderr.write(text + "\n")
    for rejection in report.rejections[:20]:
        if "; " in rejection.field:  # each fault already names its field
            line = t(
                "import.reject_line_many",
                lang,
                row=rejection.row_no,
                reason=rejection.message.render(lang),
            )
        else:
            line = t(
                "import.reject_line",
                lang,
                row=rejection.row_no,
                field=_field_labels(rejection.field, lang),
                reason=rejection.message.render(lang),
            )
        sys.stderr.write(line + "\n")
    if report.rejected > 20:
        sys.stderr.write(t("import.more_rejects", lang, more=report.rejected - 20) + "\n")
    if report.rejects_wanted is not None:
        sys.stderr.write(t("import.rejects_kept", lang, kept=report.rejects_wanted) + "\n")
    if report.rejects_path is not None:
        sys.stderr.write(t("import.rejects_file", lang, path=report.rejects_path) + "\n")


def register(root: typer.Typer) -> None:
    """Add ``retain import`` to the main app."""
    root.add_typer(app, name="import")
