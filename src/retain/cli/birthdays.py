"""``retain birthdays``: customers whose birthday comes in the next days."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from retain.cli.common import handle_errors, state
from retain.cli.options import (
    FormatOption,
    OfficerOption,
    OutputFormat,
    emit_masked,
    resolve_format,
)

HELP = """Customers whose birthday is celebrated from today to --days ahead,
soonest first, read from their ID numbers (身份证号).

The phone and the ID number are masked; the birthday is the day it is
celebrated this time (someone born on 29 February: 28 February in a common
year). The birth year and age are never shown. With
rhythm.birthday_greetings = true the call list also lists customers on their
birthday (the birthday reason) and `export reminders` can send a greeting
(export.templates ….birthday).

Example:

    retain birthdays

    retain birthdays --days 30 --officer 王芳

    retain birthdays --format json
"""

BIRTHDAY_FIELDS = (
    ("customer_id", "text"),
    ("name", "text"),
    ("phone", "text"),
    ("id_number", "text"),
    ("officer", "text"),
    ("birthday", "date"),
    ("days_left", "int"),
)


def birthdays(
    ctx: typer.Context,
    days: Annotated[
        int, typer.Option("--days", min=0, max=366, help="How many days ahead (0: today).")
    ] = 7,
    officer: OfficerOption = None,
    fmt: FormatOption = OutputFormat.auto,
) -> None:
    from retain.birthdays import upcoming
    from retain.output import mask_id_number

    st = state(ctx)
    with st.store() as store:
        found = upcoming(store.conn, st.today, days, officer)
    rows: list[dict[str, Any]] = [
        {
            "customer_id": b.customer_id,
            "name": b.name,
            "phone": b.phone,
            # Never the whole number: it holds the birth year.
            "id_number": mask_id_number(b.id_number),
            "officer": b.officer,
            "birthday": b.birthday.isoformat(),
            "days_left": b.days_left,
        }
        for b in found
    ]
    if resolve_format(fmt) == "table":
        _render(rows, st.lang, st.today.isoformat(), days)
        return
    emit_masked(rows, BIRTHDAY_FIELDS, fmt, None, False, st.lang)


def _render(rows: list[dict[str, Any]], lang: str, today: str, days: int) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import t
    from retain.output import mask_phone

    print_table(
        t("birthdays.title", lang, today=today, days=days),
        [
            Column(t("col.customer_id", lang), key=True),
            Column(t("col.name", lang)),
            Column(t("col.phone", lang), key=True),
            Column(t("col.id_number", lang), key=True),
            Column(t("col.officer", lang)),
            Column(t("col.birthday", lang), key=True),
            Column(t("col.days_left", lang), "right", key=True),
        ],
        [
            [
                r["customer_id"],
                r["name"],
                mask_phone(r["phone"]),
                r["id_number"],
                r["officer"] or "",
                r["birthday"],
                str(r["days_left"]),
            ]
            for r in rows
        ],
        footer_lines=[t("birthdays.count", lang, count=len(rows))],
    )


def register(app: typer.Typer) -> None:
    app.command("birthdays", help=HELP)(handle_errors(birthdays))
