"""``retain config path|show|set|edit``: the settings file (see retain.config_file)."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from retain.cli.common import State, handle_errors, state

config_app = typer.Typer(
    help=(
        "Show or change the settings: call-list weights, contact rhythms, arrears "
        "classes, message templates. They live in one TOML file (`retain config path`); "
        "a missing file or key means the default.\n\n"
        "Example:\n\n"
        "    retain config show\n\n"
        "    retain config set calls.daily_capacity 15\n\n"
        "    retain config edit"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)


class ShowFormat(StrEnum):
    toml = "toml"
    json = "json"


PATH_HELP = """Print the config file's path, whether or not it exists yet.

The default is config.toml in the user config directory; RETAIN_CONFIG overrides it.

Example:

    retain config path

    RETAIN_CONFIG=./branch.toml retain calls
"""

SHOW_HELP = """Print the effective settings as commented TOML (or JSON).

The effective settings are the file merged over the defaults. Every key carries
its description as a comment, and its default when the value differs.
--defaults prints the built-in defaults, ready to save as the file.

Example:

    retain config show

    retain config show --defaults > "$(retain config path)"

    retain config show --format json
"""

SET_HELP = """Set one setting, checked before the file is written.

KEY is dotted: section.key (`retain config show` lists them all), or
export.templates.NAME.LANG.REASON for a message template. VALUE is read as
TOML when it is one (15, 0.5, true, "[30, 14, 7, 1]"), else as text. The file
keeps its other keys and comments; a missing file is created with every
setting, its comment and its default. The arrears classes table
(arrears.classes) has one row per class: change it with `retain config edit`.

Example:

    retain config set calls.daily_capacity 15

    retain config set weights.overdue 60

    retain config set rhythm.maturity_tiers "[30, 14, 7, 1]"

    retain config set export.lender XX农商银行
"""

EDIT_HELP = """Open the config file in $VISUAL or $EDITOR (else vi), then check it.

A missing file is first created with every setting, its comment and its default.
If the edited file is invalid, the error names the key; the file is kept so that
you can run `retain config edit` again to fix it.

Example:

    retain config edit

    EDITOR="code --wait" retain config edit
"""


@config_app.command("path", help=PATH_HELP)
@handle_errors
def path_() -> None:
    from retain.config import config_path

    sys.stdout.write(f"{config_path()}\n")


@config_app.command("show", help=SHOW_HELP)
@handle_errors
def show(
    ctx: typer.Context,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="The built-in defaults; the file is not read.")
    ] = False,
    fmt: Annotated[
        ShowFormat,
        typer.Option("--format", "-f", help="toml (commented) or json.", case_sensitive=False),
    ] = ShowFormat.toml,
) -> None:
    from retain.config import Config, config_path
    from retain.config_file import HEADER, effective, render_config, render_json

    lang = state(ctx).lang
    config = Config() if defaults else effective()
    if fmt is ShowFormat.json:
        sys.stdout.write(render_json(config))
        return
    title: tuple[str, ...] = HEADER
    effective_line = f"Effective settings: {config_path()} over the defaults."
    if lang == "zh":
        from retain import config_zh

        title = config_zh.HEADER
        effective_line = config_zh.EFFECTIVE.format(path=config_path())
    if not defaults:
        title = (*title, effective_line)
    sys.stdout.write(render_config(config, title=title, lang=lang))


@config_app.command(
    "set", help=SET_HELP, context_settings={"ignore_unknown_options": True}
)  # "weights.overdue -1" is a value, not an option
@handle_errors
def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY", help="A dotted key, e.g. weights.overdue.")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The new value.")],
) -> None:
    from retain.config_file import render_value, set_value
    from retain.i18n import t

    st = state(ctx)
    lang = st.lang
    before = _setting(key)
    target, written, created = set_value(key, value, lang=lang)
    if created:
        sys.stderr.write(t("config.created", lang, path=str(target)) + "\n")
    shown = render_value(written)
    sys.stderr.write(t("config.set", lang, name=key, value=shown, path=str(target)) + "\n")
    _record(st, key, before, _setting(key))


def _setting(key: str) -> str | None:
    """The setting's value in effect (file over defaults); None if it cannot be read."""
    from retain.audit import config_value
    from retain.config_file import effective
    from retain.errors import RetainError

    try:
        return config_value(effective(), key)
    except RetainError:
        return None


def _record(st: State, key: str, old: str | None, new: str | None) -> None:
    """Into the store's audit trail, when there is a store: a setting is no record
    of the store, so a missing or busy store only costs the trail's line (said)."""
    from retain.audit import record_config
    from retain.errors import RetainError
    from retain.i18n import t

    if old == new or not st.store_exists():
        return
    try:
        with st.store(stale="ignore", writer="config set") as store:
            for attempt in store.transactions():
                with attempt as conn:
                    record_config(conn, key, old, new)
    except RetainError as exc:
        line = t("config.not_audited", st.lang, reason=exc.render(st.lang))
        sys.stderr.write(line + "\n")


@config_app.command("edit", help=EDIT_HELP)
@handle_errors
def edit(ctx: typer.Context) -> None:
    from retain.config_file import edit_file
    from retain.i18n import t

    lang = state(ctx).lang
    target, created = edit_file(lang=lang)
    if created:
        sys.stderr.write(t("config.created", lang, path=str(target)) + "\n")
    sys.stderr.write(t("config.valid", lang, path=str(target)) + "\n")


def register(app: typer.Typer) -> None:
    """Add the ``config`` command group to the main app."""
    app.add_typer(config_app, name="config")
