"""Where retain's own files are by default, found without importing the config.

Kept apart from :mod:`retain.config` (pydantic models, default tiers and
seasons) so that a command can learn whether there is a config file at all
before it pays for reading one.
"""

from __future__ import annotations

import os
from pathlib import Path


def config_path() -> Path:
    """The config file: ``RETAIN_CONFIG``, else config.toml in the user config directory."""
    raw = os.environ.get("RETAIN_CONFIG")
    if raw:
        return Path(raw).expanduser()
    import click

    return Path(click.get_app_dir("retain")) / "config.toml"


def config_missing(path: Path) -> bool:
    """No file at ``path``: the config is then all defaults (as
    :func:`retain.config.read_config_data` reads it). Anything else, unreadable
    included, is for the config's own reader to judge and report."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False
    return False
