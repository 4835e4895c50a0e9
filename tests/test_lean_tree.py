"""retain.cli.app_for: a run builds only the command it invokes, and says and
does exactly what the whole app says and does (help, errors, --lang anywhere)."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import pytest
import typer.main
from typer.testing import CliRunner

from retain.cli import COMMAND_MODULES, ROOT_VALUE_OPTIONS, _root, app, app_for, invoked_name


def run(target: typer.Typer, args: Sequence[str]) -> tuple[int, str, str]:
    env = {"RETAIN_TTY": "0", "COLUMNS": "200", "RETAIN_LANG": "en"}
    result = CliRunner().invoke(target, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def top_level_names() -> list[str]:
    return [
        *(info.name for info in app.registered_commands if info.name),
        *(info.name for info in app.registered_groups if info.name),
    ]


def test_command_modules_register_what_they_say() -> None:
    listed = [name for _, names in COMMAND_MODULES for name in names]
    assert len(set(listed)) == len(listed)
    assert sorted(listed) == sorted(top_level_names())
    for module, names in COMMAND_MODULES:
        root = _root()
        importlib.import_module(f"retain.cli.{module}").register(root)
        found = [i.name for i in root.registered_commands + root.registered_groups]
        assert sorted(found) == sorted(names), module


def test_the_whole_app_is_built_once_and_lists_every_command() -> None:
    import retain.cli

    assert retain.cli.app is app
    listed = run(app, ["--help"])[1]
    for name in top_level_names():
        assert f"  {name} " in listed or f"  {name}\n" in listed, name


def test_root_value_options_are_the_roots() -> None:
    root = typer.main.get_command(app)
    takes_value = {
        opt
        for param in root.params
        if param.param_type_name == "option" and not getattr(param, "is_flag", False)
        for opt in param.opts
    }
    assert set(ROOT_VALUE_OPTIONS) == takes_value


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["coverage"], "coverage"),
        (["--db", "x.db", "--today", "2026-12-01", "--lang", "en", "coverage", "-h"], "coverage"),
        (["--db=x.db", "--lang=zh", "import", "loans", "f.csv"], "import"),
        (["--db", "--help", "due"], "due"),  # --help is --db's value, as click reads it
        (["--help", "due"], None),
        (["--version"], None),
        (["--db", "x.db"], None),
        (["--", "due"], None),
        (["-x", "due"], None),
        ([], None),
    ],
)
def test_invoked_name(args: list[str], name: str | None) -> None:
    assert invoked_name(args) == name


def test_only_the_invoked_command_is_built() -> None:
    lean = app_for(["--lang", "en", "coverage", "--by", "officer"])
    assert [info.name for info in lean.registered_commands] == ["coverage"]
    assert lean.registered_groups == []
    lean = app_for(["import", "loans", "f.csv"])
    assert lean.registered_commands == [] and len(lean.registered_groups) == 1
    assert len(app.registered_commands) > 20  # the app itself is left whole
    for args in (["--help"], [], ["nosuch"], ["cover"], ["--version"]):
        assert app_for(args) is app


def test_every_commands_help_is_the_same() -> None:
    for name in top_level_names():
        for args in ([name, "--help"], ["--lang", "zh", name, "-h"], [name, "--help", "--lang=zh"]):
            lean = app_for(args)
            assert lean is not app
            assert run(lean, args) == run(app, args), args


@pytest.mark.parametrize(
    "args",
    [
        ["coverage", "--by", "nope"],
        ["coverage", "--limit", "0"],
        ["coverage", "--format", "xml"],
        ["coverage", "--nosuch"],
        ["due", "--days", "x"],
        ["due", "extra"],
        ["calls", "--limit", "-1", "--lang", "zh"],
        ["import"],
        ["import", "nosuch"],
        ["import", "loans"],
        ["config", "--help"],
        ["group"],
        ["--today", "not-a-day", "due"],
        ["--lang", "xx", "due"],
    ],
)
def test_errors_are_the_same(args: list[str]) -> None:
    lean = app_for(args)
    assert lean is not app
    assert run(lean, args) == run(app, args)
