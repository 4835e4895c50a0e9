"""``retain report``: the monthly review, one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from retain.cli.common import handle_errors, state
from retain.cli.options import ForceOption, OfficerOption

HELP = """Write the monthly review of --month to --output: one self-contained HTML
page (no network, no JavaScript, inline SVG charts; prints on A4) to hand to
the manager, in the --lang language.

It shows the month's contacts, win-backs and retention metrics (the figures
of retain retention --period month), and the book as it is today (the store
keeps only its latest state; run it early in the next month): the runoff of
the 12 months from today's month with the forecast, the gap, the target and
the cliff (the figures of retain runoff on the same day), the top customers
to renew in the month after the reviewed one (today's month for an older
one), arrears by class, and the PAR trend from the snapshots each loans
import records (12 months to today).
Phones are masked; ID numbers never appear. The file is written atomically,
mode 0600; an existing file is replaced only with --force.

Example:

    retain report --month 2026-11 --output review.html

    retain --lang zh report --month 2026-11 --officer 王芳 -o 王芳-11月.html
"""


def report(
    ctx: typer.Context,
    month: Annotated[
        str,
        typer.Option("--month", metavar="YYYY-MM", help="The month to review.", show_default=False),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="The HTML file to write (mode 0600).", show_default=False
        ),
    ],
    officer: OfficerOption = None,
    force: ForceOption = False,
) -> None:
    from retain.config import load_config
    from retain.errors import UsageError
    from retain.i18n import t
    from retain.review import month_bounds, review
    from retain.sinks import atomic_file, refuse_existing

    st = state(ctx)
    try:
        first, _ = month_bounds(month.strip())
    except ValueError:
        raise UsageError(key="report.month", value=month) from None
    if first > st.today:
        raise UsageError(key="report.month", value=month)
    refuse_existing(output, force)
    config = load_config()
    with st.store() as store:
        figures = review(
            store.conn,
            config.arrears,
            first.strftime("%Y-%m"),
            st.today,
            officer,
            st.data_as_of,
            grace_days=config.retention.renewal_grace_days,
            cliff_share=config.retention.cliff_share,
            quota=config.quota,
            lead_days=config.rhythm.lead_days,
        )
    from retain.review_page import render

    page = render(figures, st.lang)
    with atomic_file(output) as target:
        target.handle.write(page)
        target.publish(replace=force)
    typer.echo(t("report.written", st.lang, path=str(output)), err=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("report", help=HELP)(handle_errors(report))
