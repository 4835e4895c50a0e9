"""The ``retain`` command line: global options, error handling, command groups.

Commands parse options, call the core and render; they never write SQL.
Heavy modules (Rich tables, openpyxl, the importer) are imported inside the
command that needs them so that ``retain --help`` stays fast.
"""

from __future__ import annotations

import gc
import importlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import Annotated

import typer

from retain.cli import coerce, common
from retain.cli.common import State, handle_errors
from retain.cli.lang import LangGroup
from retain.dates import DATE_HELP

coerce.install()  # option values coerced without pydantic where that is plain: cli/coerce.py


def _version(value: bool) -> None:
    if value:
        from retain import __version__  # looked up only when asked for

        typer.echo(f"retain {__version__}")
        raise typer.Exit()


def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="RETAIN_DB",
            help="The store file. Default: retain.db in the user data directory.",
            show_default=False,
        ),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            envvar="RETAIN_TODAY",
            help=f"The one 'today' of every date rule: {DATE_HELP}.",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            envvar="RETAIN_LANG",
            help="en or zh for tables, messages and --help; may come anywhere on the line. "
            "Default: from LC_ALL/LANG.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    st = State(db_option=db, today_option=today, lang_option=lang)
    common.ACTIVE = st
    if today is not None or ctx.invoked_subcommand is not None:
        # Check --today before anything opens the store: a bad date is a usage error.
        handle_errors(lambda: st.today)()
    ctx.obj = st


def _root() -> typer.Typer:
    """The root app: its options, no command yet."""
    root = typer.Typer(
        name="retain",
        cls=LangGroup,  # settles --lang (anywhere on the line) before click parses: see cli/lang.py
        help=(
            "Customer retention for loan officers: which loans mature soon, who is overdue, "
            "whom to call today and why.\n\n"
            "Example:\n\n"
            "    retain import loans 贷款台账.xlsx\n\n"
            "    retain due --days 30"
        ),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    root.callback()(main_options)
    return root


#: The command modules in the order of ``retain --help``, each with the top-level
#: commands and groups its ``register(app)`` adds (tests/test_lean_tree.py checks them).
COMMAND_MODULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("importing", ("import",)),
    ("due", ("due",)),
    ("arrears", ("overdue",)),
    ("noloan", ("noloan",)),
    ("calls", ("calls",)),
    ("contacts", ("log", "history", "show", "contacts")),
    ("promises", ("promises",)),
    ("config", ("config",)),
    ("export", ("export",)),
    ("ops", ("doctor", "backup", "restore")),
    ("trend", ("trend",)),
    ("report", ("report",)),
    ("portfolio", ("runoff", "retention")),
    ("prospects", ("prospect",)),
    ("officers", ("officers", "officer", "handover", "audit")),
    ("coverage", ("coverage",)),
    ("tiers", ("tiers",)),
    ("birthdays", ("birthdays",)),
    ("activity", ("activity",)),
    ("pipeline", ("pipeline",)),
    ("referrals", ("referrals",)),
    ("groups", ("group",)),
    ("season", ("season",)),
    ("db", ("db",)),
)


def _register(root: typer.Typer, module: str) -> None:
    importlib.import_module(f"retain.cli.{module}").register(root)


def _whole_app() -> typer.Typer:
    root = _root()
    for module, _ in COMMAND_MODULES:
        _register(root, module)
    return root


_APP: typer.Typer | None = None


def __getattr__(name: str) -> typer.Typer:
    """``retain.cli.app``, the whole app (tests, docgen), built on first use: the
    ``retain`` script builds only the command it runs (:func:`app_for`)."""
    global _APP
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _APP is None:
        _APP = _whole_app()
    return _APP


#: The root options that take a value (main_options): what :func:`app_for` skips
#: to find the command's name. tests/test_lean_tree.py checks it against the tree.
ROOT_VALUE_OPTIONS = ("--db", "--today", "--lang")


def invoked_name(args: Sequence[str]) -> str | None:
    """The top-level command ``args`` invoke (the first word after the root
    options and their values), or None when that is not plain: ``--help``,
    ``--version``, ``--``, an unknown option, no command."""
    index = 0
    while index < len(args):
        token = args[index]
        if token in ROOT_VALUE_OPTIONS:
            index += 2
        elif token.startswith("--") and token.partition("=")[0] in ROOT_VALUE_OPTIONS:
            index += 1
        elif token.startswith("-"):
            return None
        else:
            return token
    return None


def app_for(args: Sequence[str]) -> typer.Typer:
    """The app to run ``args`` with: the root with only the command they invoke.

    The whole app imports every command module and Typer builds the click
    command of every command on every run (each function's signature and
    annotations read, each option made); a run invokes one. With only that one
    the run is the same — its options, its help, its errors, ``--lang``
    anywhere — but for what lists the commands (``retain --help``, an unknown
    command's error), which runs the whole app: so does anything
    :func:`invoked_name` cannot tell."""
    name = invoked_name(args)
    for module, names in COMMAND_MODULES:
        if name in names:
            lean = _root()
            _register(lean, module)
            lean.registered_commands = [i for i in lean.registered_commands if i.name == name]
            lean.registered_groups = [i for i in lean.registered_groups if i.name == name]
            return lean
    return __getattr__("app")


class Terminated(BaseException):
    """SIGTERM, raised like Ctrl-C's KeyboardInterrupt so that every ``finally``
    runs: the transaction rolls back and the temporaries are removed."""


def _on_sigterm(signum: int, frame: object) -> None:
    # a second SIGTERM must not cut the clean-up short (SIGKILL still works)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated


def _finish_stdout(code: int) -> int:
    """Flush stdout before the interpreter does: on a full disk the flush at exit
    would print "Exception ignored …" and still exit 0. One line instead, exit 1."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        if isinstance(exc, BrokenPipeError):
            return code
        if code == 0:
            from retain.i18n import os_reason

            sys.stderr.write(f"Error: {os_reason(exc).render(common.current_lang())}\n")
            return 1
    return code


#: Container objects allocated before the collector looks at the youngest
#: generation (Python's default is 700). A command is one short process whose
#: objects are mostly rows that die with their chunk of a file or a query: with
#: room for a few chunks they die before a collection looks at them, instead
#: of being scanned and promoted while still alive. Measured: about 0.8 s of
#: CPU of a 1,000,000-row re-import (README, Performance). Cycles are still
#: collected, later.
YOUNG_GENERATION = 100_000


def main() -> None:
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _on_sigterm)
    young, *older = gc.get_threshold()
    gc.set_threshold(max(young, YOUNG_GENERATION), *older)
    try:
        app_for(sys.argv[1:])()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        sys.exit(_finish_stdout(code))
    except KeyboardInterrupt:
        from retain.i18n import t

        sys.stderr.write(t("error.interrupted", common.current_lang()) + "\n")
        sys.exit(130)
    except Terminated:
        from retain.i18n import t

        sys.stderr.write(t("error.terminated", common.current_lang()) + "\n")
        sys.exit(143)
    sys.exit(_finish_stdout(0))
