"""``retain config path|show|set|edit``."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from retain.cli.common import handle_errors

app = typer.Typer(
    help=(
        "Show or change settings: weights, contact rhythms, arrears classes, templates.\n\n"
        "Example:\n\n"
        "    retain config show\n\n"
        "    retain config set calls.daily_capacity 15"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)


class ShowFormat(StrEnum):
    toml = "toml"
    json = "json"


PATH_HELP = """Print the config file's path (RETAIN_CONFIG overrides it).

Example:

    retain config path
"""

SHOW_HELP = """Print the effective settings (the file over the defaults) as commented TOML.

Example:

    retain config show

    retain config show --defaults > ~/.config/retain/config.toml

    retain config show --format json
"""

SET_HELP = """Set one setting, after checking it; the file keeps your comments.

VALUE is read as TOML when it can be (15, 0.5, true, "[30, 15, 7, 1]"),
else as text. A missing file is created with every default and its comment.
Edit the arrears classes table and message templates with `retain config edit`.

Example:

    retain config set calls.daily_capacity 15

    retain config set weights.maturing 40

    retain config set rhythm.maturity_tiers "[30, 14, 7, 1]"

    retain config set export.lender XX农商银行
"""

EDIT_HELP = """Open the config file in $VISUAL or $EDITOR (created with the defaults
if missing), then check it.

Example:

    EDITOR=nano retain config edit
"""


@app.command("path", help=PATH_HELP)
@handle_errors
def path() -> None:
    from retain.config import config_path

    sys.stdout.write(f"{config_path()}\n")


@app.command("show", help=SHOW_HELP)
@handle_errors
def show(
    defaults: Annotated[
        bool, typer.Option("--defaults", help="The built-in defaults, ignoring the file.")
    ] = False,
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f", help="toml or json.")] = (
        ShowFormat.toml
    ),
) -> None:
    import json

    from retain.config import Config
    from retain.config_file import effective, render_defaults

    config = Config() if defaults else effective()
    if fmt is ShowFormat.json:
        data = config.model_dump(mode="json", by_alias=True)
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    elif defaults:
        sys.stdout.write(render_defaults())
    else:
        sys.stdout.write(_render_effective(config))


def _render_effective(config: object) -> str:
    """The defaults' commented layout with the effective values filled in."""
    import tomlkit

    from retain.config_file import render_defaults

    document = tomlkit.parse(render_defaults())
    data = config.model_dump(mode="json", by_alias=True)  # type: ignore[attr-defined]
    for section, values in data.items():
        for key, value in values.items():
            if value is None:
                continue
            if key == "classes":
                array = tomlkit.aot()
                for entry in value:
                    array.append(tomlkit.item({k: v for k, v in entry.items() if v is not None}))
                document[section][key] = array
            else:
                document[section][key] = value
    return tomlkit.dumps(document)


@app.command("set", help=SET_HELP, context_settings={"ignore_unknown_options": True})
@handle_errors
def set_(
    key: Annotated[str, typer.Argument(help="A dotted key, e.g. weights.overdue.")],
    value: Annotated[str, typer.Argument(help="The new value.")],
) -> None:
    from retain.config_file import set_value

    target = set_value(key, value)
    sys.stderr.write(f"{key} = {value} ({target})\n")


@app.command("edit", help=EDIT_HELP)
@handle_errors
def edit() -> None:
    import os
    import shlex
    import subprocess

    from retain.config_file import effective, ensure_file
    from retain.errors import RetainError

    target = ensure_file()
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        status = subprocess.call([*shlex.split(editor), str(target)])
    except OSError as exc:
        raise RetainError(f"cannot start editor {editor!r}: {exc.strerror}") from None
    if status != 0:
        raise RetainError(f"editor {editor!r} exited with {status}; the file was kept")
    effective(target)  # an invalid file is reported now, naming the key


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="config")
