"""README sections generated from the code, so the manual cannot drift from it.

README.md holds ``[[[cog …]]]`` blocks (inside HTML comments) that call this
module; cog (https://nedbatchelder.com/code/cog/) replaces the text after each
block with what the block prints. tests/test_docs.py runs ``cog --check``, so
adding an option or an output field without regenerating the README fails the
suite. Regenerate with::

    python -m retain.cli.docgen          # rewrites README.md in place
    python -m retain.cli.docgen --check  # what the test does

- :func:`synopsis` renders command lines from the click command tree that
  ``retain`` really parses (option names, metavars, defaults, choices).
- :func:`json_schemas` renders the "JSON schemas" table from the field lists the
  commands write their output with. A few outputs are built inline by their
  command and have no such list; their fields are written in :data:`INLINE_SCHEMAS`
  and tests/test_docs.py checks them against the command's real output.

Nothing here is imported by ``retain`` itself: it costs the CLI no start-up time.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from importlib import import_module
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------------------
# Synopses from the command tree


def command_tree() -> Any:
    """The click command ``retain`` runs (typer builds it from the app)."""
    import typer

    from retain.cli import app

    return typer.main.get_command(app)


def find_command(path: Sequence[str]) -> Any:
    command = command_tree()
    for name in path:
        subcommands = getattr(command, "commands", None) or {}
        if name not in subcommands:
            raise KeyError(f"no command `retain {' '.join(path)}`")
        command = subcommands[name]
    return command


def _choices(param: Any) -> tuple[str, ...] | None:
    """The values click accepts, for typer's own parameters and for plain click."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None:
        found = descriptor.choices if descriptor.is_choice else None
    else:
        found = getattr(getattr(param, "type", None), "choices", None)
    if not found:
        return None
    return tuple(str(c.value if isinstance(c, Enum) else c) for c in found)


def _is_flag(param: Any) -> bool:
    return bool(getattr(param, "is_flag", False) or getattr(param, "count", False))


def _annotation(param: Any) -> Any:
    descriptor = getattr(param, "type_descriptor", None)
    return getattr(descriptor, "annotation", None)


def _long_name(param: Any) -> str:
    names = [str(n) for n in param.opts]
    return next((n for n in names if n.startswith("--")), names[0])


# Options declared without a metavar= get a readable one here (an option's own
# metavar= wins: move these into the declarations when the CLI help is next
# touched). Every name must be an option of some command: tests/test_docs.py.
METAVARS: dict[str, str] = {
    "--db": "PATH",
    "--today": "DATE",
    "--officer": "NAME",
    "--industry": "NAME",
    "--guarantee": "NAME",
    "--min-amount": "YUAN",
    "--reason": "TERM",
    "--note": "TEXT",
    "--next": "DATE",
    "--loan": "LOAN_ID",
    "--at": "DATETIME",
    "--template": "NAME",
}

# Options that check their values in the code rather than through click choices:
# (command, option) → the constant the command checks against.
CHECKED_VALUES: dict[tuple[str, str], str] = {
    ("", "--lang"): "retain.i18n.LANGS",
    ("log", "--channel"): "retain.contacts.CHANNELS",
    ("log", "--outcome"): "retain.contacts.OUTCOMES",
    ("export reminders", "--format"): "retain.exports.EXPORT_FORMATS",
    ("export reminders", "--audience"): "retain.templates.AUDIENCES",
}


def _constant(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    return getattr(import_module(module), name)


def _option_metavar(param: Any, values: Iterable[str] | None) -> str:
    """What stands after the option: its metavar, its choices, its default, or a name."""
    if param.metavar:
        return str(param.metavar)
    if values is not None:
        return "|".join(values)
    choices = _choices(param)
    if choices:
        return "|".join(choices)
    default = param.default
    if default is not None and not callable(default) and getattr(param, "show_default", True):
        return str(default.value if isinstance(default, Enum) else default)
    long_name = _long_name(param)
    if long_name in METAVARS:
        return METAVARS[long_name]
    annotation = _annotation(param)
    if annotation is int:
        return "N"
    if annotation is Path:
        return "FILE"
    return long_name.lstrip("-").replace("-", "_").upper()


def _argument_piece(param: Any) -> str:
    name = str(param.metavar or param.name.upper())
    if param.nargs == -1:
        name += "…"
    return name if param.required else f"[{name}]"


def _option_piece(param: Any, values: Iterable[str] | None) -> str:
    long_name = _long_name(param)
    text = long_name if _is_flag(param) else f"{long_name} {_option_metavar(param, values)}"
    if not getattr(param, "required", False):
        text = f"[{text}]"
    return text + "…" if param.multiple else text


def synopsis(command: str) -> str:
    """One line per command: ``retain due [--days 30] [--officer NAME] …``.

    ``command`` is the path after ``retain`` (``"import customers"``); a group
    gives a line for each of its commands, ``""`` the global options.
    """
    path = command.split()
    target = find_command(path)
    subcommands = getattr(target, "commands", None)
    if subcommands and path:
        return "".join(synopsis(f"{command} {name}") for name in subcommands)
    values = {
        option: tuple(_constant(dotted))
        for (where, option), dotted in CHECKED_VALUES.items()
        if where == command
    }
    pieces = ["retain", *path]
    arguments = []
    for param in target.params:
        if getattr(param, "hidden", False):
            continue
        if param.param_type_name == "argument":
            arguments.append(_argument_piece(param))
        else:
            pieces.append(_option_piece(param, values.get(_long_name(param))))
    pieces[len(path) + 1 : len(path) + 1] = arguments  # arguments come right after the name
    if subcommands:
        pieces.append("COMMAND …")
    return " ".join(pieces) + "\n"


def synopses(*commands: str) -> str:
    """Several synopses as one fenced block."""
    lines = "".join(synopsis(c) for c in commands)
    return f"```\n{lines}```\n"


def every_command() -> list[str]:
    """The path of every runnable command (not groups), e.g. ``"export reminders"``."""
    found: list[str] = []

    def walk(command: Any, path: list[str]) -> None:
        subcommands = getattr(command, "commands", None)
        if not subcommands:
            found.append(" ".join(path))
            return
        for name, sub in subcommands.items():
            if not getattr(sub, "hidden", False):
                walk(sub, [*path, name])

    walk(command_tree(), [])
    return found


# ---------------------------------------------------------------------------
# JSON schemas


@dataclass(frozen=True)
class Schema:
    """What one command prints with ``--format json``, for the README table."""

    command: str  # as the table shows it: "calls --explain ID"
    fields: tuple[str, ...]
    one_object: bool = False  # a single object rather than an array of rows
    nested: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # key → its objects' keys
    args: tuple[str, ...] = ()  # how tests/test_docs.py runs it: the command line after `retain`


def field_names(specs: Iterable[Any]) -> tuple[str, ...]:
    """Names from the field lists the commands use: names, (name, kind) or Field."""
    names = []
    for spec in specs:
        if isinstance(spec, str):
            names.append(spec)
        elif isinstance(spec, tuple):
            names.append(str(spec[0]))
        else:
            names.append(str(spec.name))
    return tuple(names)


# Outputs written from a field list: the list the command itself writes with.
CONSTANT_SCHEMAS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("due", "retain.cli.due.DUE_FIELDS", ("due", "--days", "400")),
    (
        "due --instalments",
        "retain.cli.due.INSTALMENT_FIELDS",
        ("due", "--days", "400", "--instalments"),
    ),
    ("overdue", "retain.cli.arrears.OVERDUE_FIELDS", ("overdue",)),
    ("noloan", "retain.cli.noloan.NOLOAN_KINDS", ("noloan",)),
    ("calls", "retain.cli.calls.CALL_FIELDS", ("calls",)),
    ("trend", "retain.cli.trend.TREND_FIELDS", ("trend",)),
    ("pipeline", "retain.cli.pipeline.PIPELINE_FIELDS", ("pipeline",)),
    ("referrals", "retain.cli.referrals.REFERRER_FIELDS", ("referrals",)),
    ("referrals CUSTOMER_ID", "retain.cli.referrals.TREE_FIELDS", ("referrals", "{customer_id}")),
    ("promises", "retain.cli.promises.PROMISE_FIELDS", ("promises",)),
    ("prospect list", "retain.cli.prospects.PROSPECT_FIELDS", ("prospect", "list")),
    ("officers", "retain.cli.officers.OFFICER_FIELDS", ("officers",)),
    ("audit", "retain.cli.officers.AUDIT_FIELDS", ("audit",)),
    ("group list", "retain.cli.groups.GROUP_LIST_FIELDS", ("group", "list")),
    ("season", "retain.cli.season.SEASON_FIELDS", ("season", "--weeks", "104")),
    (
        "export reminders (officer)",
        "retain.exports.OFFICER_FIELDS",
        ("export", "reminders", "--days", "30", "--audience", "officer"),
    ),
    (
        "export reminders (customer)",
        "retain.exports.CUSTOMER_FIELDS",
        ("export", "reminders", "--days", "30", "--audience", "customer"),
    ),
    ("birthdays", "retain.cli.birthdays.BIRTHDAY_FIELDS", ("birthdays", "--days", "366")),
)


def _constant_names(dotted: str) -> tuple[str, ...]:
    """The names of a field list the command itself writes with."""
    return field_names(_constant(dotted))


# Outputs their command assembles inline: written here, checked against the real
# output by tests/test_docs.py.
INLINE_SCHEMAS: tuple[Schema, ...] = (
    Schema(
        "overdue --summary",
        (
            "as_of",
            "data_as_of",
            "officer",
            "classes",
            "total_count",
            "total_balance",
            "par30",
            "par90",
            "par30_balance",
            "par90_balance",
            "definition",
            "previous",
        ),
        one_object=True,
        # previous: null or one object (day, total_balance, par30, par90), in the README.
        nested={"classes": ("class", "min_days", "max_days", "count", "balance")},
        args=("overdue", "--summary"),
    ),  # fmt: skip
    Schema(
        "calls --explain ID",
        (
            "customer_id",
            "score",
            "rank",
            "listed",
            "action",
            "failed_attempts",
            "phone_unusable_since",
            "notes",
            "data_as_of",
            "terms",
        ),
        one_object=True,
        nested={"terms": ("term", "points", "rule")},
        args=("calls", "--explain", "{customer_id}"),
    ),  # fmt: skip
    Schema(
        "history ID",
        (
            "contact_id",
            "at",
            "channel",
            "outcome",
            "note",
            "next_on",
            "loan_id",
            "officer",
            "promise_amount",
            "promise_status",
            "promise_judged_on",
        ),
        args=("history", "{customer_id}"),
    ),
    Schema(
        "import … --format json",
        (
            "file",
            "kind",
            "dry_run",
            "added",
            "updated",
            "unchanged",
            "rejected",
            "skipped",
            "customers_added",
            "customers_updated",
            "officers_kept",
            "rejects_file",
            "rejects",
            "encoding",
            "sheet",
            "notes",
        ),
        one_object=True,
        nested={"rejects": ("row", "field", "reason")},  # notes: row, note
        args=("import", "customers", "{customers_file}"),
    ),  # fmt: skip
    Schema(
        "handover",
        _constant_names("retain.cli.officers.HANDOVER_FIELDS"),
        one_object=True,
        args=("handover", "--from", "王芳", "--to", "李强", "--all", "--dry-run"),
    ),
    Schema(
        "doctor --format json",
        ("ok", "checks"),
        one_object=True,
        nested={"checks": ("check", "status", "detail")},
        args=("doctor",),
    ),
    Schema(
        "runoff",
        _constant_names("retain.cli.portfolio.RUNOFF_KEYS"),
        one_object=True,
        nested={
            "renewals": _constant_names("retain.cli.portfolio.RENEWAL_FIELDS"),
            "months": _constant_names("retain.cli.portfolio.MONTH_FIELDS"),
        },
        args=("runoff",),
    ),
    Schema(
        "coverage",
        _constant_names("retain.cli.coverage.COVERAGE_KEYS"),
        one_object=True,
        nested={
            "groups": _constant_names("retain.cli.coverage.GROUP_FIELDS"),
            "gaps": _constant_names("retain.cli.coverage.GAP_FIELDS"),
        },
        args=("coverage",),
    ),
    Schema(
        "tiers",
        _constant_names("retain.cli.tiers.TIERS_KEYS"),
        one_object=True,
        nested={
            "tiers": _constant_names("retain.cli.tiers.TIER_FIELDS"),
            "industries": _constant_names("retain.cli.tiers.INDUSTRY_FIELDS"),
        },
        args=("tiers",),
    ),
    Schema(
        "retention",
        _constant_names("retain.cli.portfolio.RETENTION_KEYS"),
        one_object=True,
        nested={
            "periods": _constant_names("retain.cli.portfolio.PERIOD_FIELDS"),
        },
        args=("retention",),
    ),
    Schema(
        "activity",
        _constant_names("retain.cli.activity.ACTIVITY_KEYS"),
        one_object=True,
        # each officer's targets (measure, done, quota, met, share) and the missed
        # list (MISSED_KEYS: the shared book has none) are in the README's prose;
        # tests/test_activity.py checks the missed list's fields.
        nested={"officers": _constant_names("retain.cli.activity.OFFICER_KEYS")},
        args=("activity",),
    ),
)

_ORDER = (
    "due", "due --instalments", "overdue", "overdue --summary", "noloan", "calls",
    "calls --explain ID", "history ID", "promises", "prospect list", "group list", "season",
    "officers", "handover", "audit", "trend",
    "export reminders (officer)", "export reminders (customer)", "import … --format json",
    "doctor --format json", "runoff", "retention", "tiers", "birthdays", "coverage", "activity",
)  # fmt: skip


def schemas() -> list[Schema]:
    """Every documented JSON output, in the README's order."""
    found = [
        Schema(command, field_names(_constant(dotted)), args=args)
        for command, dotted, args in CONSTANT_SCHEMAS
    ]
    found += INLINE_SCHEMAS
    rank = {command: i for i, command in enumerate(_ORDER)}
    return sorted(found, key=lambda s: rank.get(s.command, len(rank)))


def _describe(schema: Schema) -> str:
    parts: list[str] = []
    run: list[str] = []
    for name in schema.fields:
        if name in schema.nested:
            if run:
                parts.append(f"`{', '.join(run)}`")
                run = []
            parts.append(f"`{name}` (`{', '.join(schema.nested[name])}`)")
        else:
            run.append(name)
    if run:
        parts.append(f"`{', '.join(run)}`")
    text = ", ".join(parts)
    return f"one object: {text}" if schema.one_object else text


def json_schemas() -> str:
    """The README's "JSON schemas" table."""
    lines = ["| command | fields |", "|---|---|"]
    for schema in schemas():
        name, _, note = schema.command.partition(" (")  # `export reminders` (officer)
        shown = f"`{name}` ({note}" if note else f"`{name}`"
        lines.append(f"| {shown} | {_describe(schema)} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Settings


def _figure(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int | float) else str(value)


def setting_ranges() -> str:
    """The README's table of numeric settings: default and accepted range."""
    from retain.config import numeric_settings

    lines = ["| setting | default | range |", "|---|---|---|"]
    for key, default, bounds in numeric_settings():
        if ".classes." in key:
            shown = "per class"
        elif key.startswith("tiers."):
            shown = "per tier (none)"
        elif isinstance(default, list):
            shown = "[" + ", ".join(_figure(v) for v in default) + "] (each)"
        else:
            shown = _figure(default)
        lines.append(f"| `{key}` | {shown} | {_figure(bounds.low)} – {_figure(bounds.high)} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Regenerate / check


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m retain.cli.docgen [--check] [README.md]``: run cog over the README.

    The file defaults to README.md in the current directory (run it from the
    checkout: an installed retain does not know where its sources are).
    """
    from cogapp import Cog  # the test extra: pip install -e '.[test]'

    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    files = [a for a in args if a != "--check"] or ["README.md"]
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        sys.stderr.write(f"Error: no {missing[0]} here: run from the checkout, or name the file\n")
        return 2
    mode = ["--check", "--diff"] if check else ["-r"]
    fail_msg = "README.md is out of date: run python -m retain.cli.docgen"
    options = [f"--check-fail-msg={fail_msg}", "--verbosity=1", "-n", "utf-8"]
    status: int = Cog().main(["cog", *mode, *options, *files])
    return status


if __name__ == "__main__":
    raise SystemExit(main())
