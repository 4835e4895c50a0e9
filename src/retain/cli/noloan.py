"""``retain noloan``: customers with no open loan (无贷户) to win back."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
