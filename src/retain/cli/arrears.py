"""``retain overdue``: arrears by days past due, classes and PAR."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
