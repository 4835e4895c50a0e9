"""The language of the command line, decided before click parses a word of it.

``--lang`` is a root option, but people type it anywhere (``retain calls --lang
zh``, ``retain export reminders --lang zh …``), and ``--help`` must already be
in that language: click renders help eagerly, while parsing, long before the
root callback runs. So the decision is made one step earlier, in the root
group's ``main()``:

- :class:`LangGroup` is the ``cls`` of the root Typer app. Typer builds a fresh
  click command tree from the app on every run and calls its ``main(args)`` —
  the ``retain`` script (``retain.cli.main`` → ``app()``) and the tests
  (``CliRunner().invoke(app, …)``) alike, so this one hook serves both paths
  and the tests drive exactly what users run.
- :func:`split_lang` walks argv with the real command tree: it follows
  subcommand names, skips the value of every option that takes one (so
  ``log C1 --note --lang`` keeps its note), stops at ``--``, and takes out every
  ``--lang X`` / ``--lang=X`` (the last wins). The value is put back in front,
  where the root option reads it.
- The value (or ``RETAIN_LANG``) must name a language retain speaks
  (:func:`retain.i18n.lang_code`); anything else is a usage error: one
  ``Error: …`` line, exit 2, before any command runs.
- For Chinese, :func:`retain.cli.help_zh.localise` swaps the help texts of the
  whole tree; the module is imported only then, so English start-up pays
  nothing for it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from typer.core import TyperGroup

LANG_OPTION = "--lang"


def _options(command: Any) -> dict[str, int]:
    """Option string → the number of values it takes, for one command."""
    found: dict[str, int] = {}
    for param in command.params:
        if getattr(param, "param_type_name", "") != "option":
            continue
        takes = 0 if getattr(param, "is_flag", False) or getattr(param, "count", False) else 1
        for opt in (*param.opts, *param.secondary_opts):
            found[opt] = takes * max(int(param.nargs), 1)
    return found


def split_lang(root: Any, args: Sequence[str]) -> tuple[list[str], str | None]:
    """``args`` without any ``--lang X``/``--lang=X``, and the last value given.

    The values of other options and everything after ``--`` are left alone; an
    unknown option is taken for a flag (click reports it later).
    """
    out: list[str] = []
    value: str | None = None
    command = root
    options = _options(command)
    index = 0
    while index < len(args):
        token = args[index]
        if token == "--":
            out.extend(args[index:])
            break
        if token == LANG_OPTION and index + 1 < len(args):
            value = args[index + 1]
            index += 2
            continue
        if token.startswith(LANG_OPTION + "="):
            value = token[len(LANG_OPTION) + 1 :]
            index += 1
            continue
        out.append(token)
        index += 1
        if token.startswith("--"):
            if "=" not in token:
                skip = options.get(token, 0)
                out.extend(args[index : index + skip])
                index += skip
        elif token.startswith("-") and token != "-":
            # A cluster of short options (-qf csv, -ccall): the first that takes a
            # value takes the rest of the token, or else the next argument.
            for position, char in enumerate(token[1:], start=1):
                skip = options.get("-" + char, 0)
                if skip:
                    if position == len(token) - 1:
                        out.extend(args[index : index + skip])
                        index += skip
                    break
        else:
            sub = getattr(command, "commands", {}).get(token)
            if sub is not None:
                command, options = sub, _options(sub)
            elif getattr(command, "commands", None) is not None:
                out.extend(args[index:])  # not a command: click says so
                break
    return out, value


def choose_lang(root: Any, args: Sequence[str]) -> tuple[list[str], str]:
    """The arguments for click (``--lang`` moved to the front) and the language;
    exits 2 with one ``Error: …`` line when the language is unknown."""
    from retain.i18n import detect_lang, lang_code, t

    rest, option = split_lang(root, args)
    raw: str | None
    if option is not None:
        source, raw = LANG_OPTION, option
    else:  # an empty RETAIN_LANG means unset, as it does for click
        source, raw = "RETAIN_LANG", os.environ.get("RETAIN_LANG") or None
    if raw is not None and lang_code(raw) is None:
        shown = t("error.lang.unknown", detect_lang(None), value=repr(raw), source=source)
        sys.stderr.write(f"Error: {shown}\n")
        sys.stderr.flush()
        raise SystemExit(2)
    if option is not None:
        rest = [LANG_OPTION, option, *rest]
    return rest, detect_lang(option)


class LangGroup(TyperGroup):
    """The root group: settles the language, then lets click run as usual."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        argv, lang = choose_lang(self, sys.argv[1:] if args is None else args)
        if lang == "zh" or getattr(self, "_retain_help_lang", "en") != "en":
            from retain.cli.help_zh import localise

            localise(self, lang)
        return super().main(
            argv, prog_name, complete_var, standalone_mode, windows_expand_args, **extra
        )
