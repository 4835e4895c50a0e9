"""Where retain's own files are by default, found without importing the config.

Kept apart from :mod:`retain.config` (pydantic models, default tiers and
seasons) so that a command can learn whether there is a config file at all
before it pays for reading one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def app_dir() -> str:
    """retain's directory for its own files: ``click.get_app_dir("retain")``,
    worked out as click does (tests/test_paths_app_dir.py compares them), without
    importing click (a command's start-up paid about 5 ms of CPU for it)."""
    if sys.platform.startswith("win"):
        folder = os.environ.get("APPDATA")
        return os.path.join(os.path.expanduser("~") if folder is None else folder, "retain")
    if sys.platform == "darwin":
        return os.path.join(os.path.expanduser("~/Library/Application Support"), "retain")
    return os.path.join(
        os.environ.get("XDG_CONFIG_HOME", os.path.expanduser("~/.config")), "retain"
    )


def config_path() -> Path:
    """The config file: ``RETAIN_CONFIG``, else config.toml in the user config directory."""
    raw = os.environ.get("RETAIN_CONFIG")
    if raw:
        return Path(raw).expanduser()
    return Path(app_dir()) / "config.toml"


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
