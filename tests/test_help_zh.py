"""The command line speaks both languages: --help, --lang anywhere, short options."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from retain.cli import app
from retain.cli.help_zh import (
    COMMAND_OPTIONS,
    COMMANDS,
    OPTIONS,
    display_width,
    localise,
    param_help,
    param_key,
    walk,
)
from retain.cli.lang import split_lang
from tests.conftest import Cli, Result

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def tree() -> list[tuple[str, Any]]:
    return walk(typer.main.get_command(app))


def help_page(*args: str, **env: str) -> tuple[int, str, str]:
    base = {"RETAIN_LANG": "", "LANG": "", "LC_ALL": "", "COLUMNS": "100"}
    result = CliRunner().invoke(app, list(args), env={**base, **env}, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


# --- every text has its Chinese ------------------------------------------------------


def test_the_walk_sees_every_command() -> None:
    paths = {path for path, _ in tree()}
    assert {"", "due", "calls", "log", "import loans", "config set", "export reminders"} <= paths
    assert len(paths) >= 18


@pytest.mark.parametrize("path", [path for path, _ in tree()])
def test_every_command_has_chinese_help(path: str) -> None:
    text = COMMANDS.get(path)
    assert text is not None, f"add COMMANDS[{path!r}] to retain/cli/help_zh.py"
    assert CJK.search(text)
    if path:  # the root has its examples too; every command shows how it is used
        assert "示例：" in text and "retain " in text


@pytest.mark.parametrize(
    ("path", "key"),
    [(path, param_key(p)) for path, command in tree() for p in command.params],
)
def test_every_option_and_argument_has_chinese_help(path: str, key: str) -> None:
    text = param_help(path, key)
    assert text is not None, f"add {key} to OPTIONS or COMMAND_OPTIONS[{path!r}] in help_zh.py"
    assert CJK.search(text)


def test_a_shared_chinese_text_means_what_every_english_one_says() -> None:
    """An option that takes its Chinese from OPTIONS has the same English help in
    every command; where the English differs, the command needs its own entry."""
    english: dict[str, set[str]] = defaultdict(set)
    for path, command in tree():
        for param in command.params:
            key = param_key(param)
            if key not in COMMAND_OPTIONS.get(path, {}):
                english[key].add(str(param.help))
    differing = {key: texts for key, texts in english.items() if len(texts) > 1}
    assert differing == {}


def test_no_chinese_text_is_left_over() -> None:
    paths = {path: command for path, command in tree()}
    assert set(COMMANDS) <= set(paths)
    used = set()
    for path, own in COMMAND_OPTIONS.items():
        keys = {param_key(p) for p in paths[path].params}
        assert set(own) <= keys, path
    for path, command in paths.items():
        used |= {param_key(p) for p in command.params} - set(COMMAND_OPTIONS.get(path, {}))
    assert set(OPTIONS) <= used


# --- the language of --help ------------------------------------------------------------


def test_retain_lang_zh_gives_chinese_help() -> None:
    code, out, err = help_page("calls", "--help", RETAIN_LANG="zh")
    assert code == 0 and err == ""
    assert "今天该给谁打电话，以及原因：每位客户一行，最该联系的在前。" in out
    assert "用法：retain calls [OPTIONS]" in out
    assert "选项：" in out and "显示本帮助并退出。" in out
    assert "逐项说明 CUSTOMER_ID 的得分是怎样算出的" in out
    assert "retain calls --explain C0001                            # C0001 的得分逐项说明" in out
    assert "[默认：auto]" in out
    assert "Whom to call" not in out and "Options:" not in out


@pytest.mark.parametrize("env", [{"LANG": "zh_CN.UTF-8"}, {"LC_ALL": "zh_CN.UTF-8", "LANG": "C"}])
def test_a_chinese_locale_gives_chinese_help(env: dict[str, str]) -> None:
    code, out, _ = help_page("calls", "--help", **env)
    assert code == 0 and "今天该给谁打电话" in out


def test_english_is_the_default() -> None:
    code, out, _ = help_page("calls", "--help")
    assert code == 0
    assert "Whom to call today, and why: one row per customer, best first." in out
    assert "Options:" in out and "Show this message and exit." in out
    assert "今天该给谁打电话" not in out
    _, root, _ = help_page("--help", LANG="en_US.UTF-8")
    assert "Customer retention for loan officers" in root


@pytest.mark.parametrize(
    "args",
    [
        ("--lang", "zh", "calls", "--help"),
        ("calls", "--lang", "zh", "--help"),
        ("calls", "--help", "--lang", "zh"),
        ("calls", "--lang=zh", "-h"),
        ("--lang", "en", "calls", "--lang", "zh", "--help"),  # the last one wins
    ],
)
def test_lang_before_help_anywhere(args: tuple[str, ...]) -> None:
    code, out, _ = help_page(*args)
    assert code == 0 and "今天该给谁打电话" in out


def test_lang_en_wins_over_a_chinese_locale() -> None:
    code, out, _ = help_page("export", "reminders", "--help", "--lang", "en", LANG="zh_CN.UTF-8")
    assert code == 0 and "Reminders due from today" in out and "选项" not in out


def test_group_lists_show_chinese_summaries() -> None:
    _, out, _ = help_page("--help", RETAIN_LANG="zh")
    assert "面向客户经理的客户维护工具" in out
    assert re.search(r"^  calls +今天该给谁打电话，以及原因$", out, re.M)
    assert re.search(r"^  export +导出提醒", out, re.M)
    _, sub, _ = help_page("import", "--help", RETAIN_LANG="zh")
    assert re.search(r"^  loans +导入贷款$", sub, re.M)


@pytest.mark.parametrize("path", [path for path, _ in tree()])
def test_chinese_help_fits_the_terminal(path: str) -> None:
    """Chinese characters take two columns: prose is wrapped to fit; example lines
    are kept whole. (CliRunner renders help 80 columns wide.)"""
    code, out, _ = help_page(*path.split(), "--help", RETAIN_LANG="zh")
    assert code == 0
    examples = False
    for line in out.splitlines():
        if line.strip() == "示例：":
            examples = True
        elif line and not line.startswith("  "):
            examples = False  # the next section
        if examples or not CJK.search(line):
            continue
        # a word longer than the width may stand alone on its line
        longest = max(display_width(word) for word in line.split())
        assert display_width(line) <= 80 or longest > 30, line


@pytest.mark.parametrize(("lang", "imported"), [("en", False), ("zh", True)])
def test_the_chinese_texts_are_loaded_only_for_chinese(lang: str, imported: bool) -> None:
    """English start-up (retain --help is benchmarked) does not pay for them."""
    code = (
        "import sys\n"
        "from retain.cli import main\n"
        "sys.argv = ['retain', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('retain.cli.help_zh' in sys.modules, file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "RETAIN_LANG": lang},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr.strip() == str(imported)
    assert ("今天该给谁打电话" in done.stdout) is imported


def test_localise_restores_english() -> None:
    fresh = {path: (c.help, [p.help for p in c.params]) for path, c in tree()}
    command = typer.main.get_command(app)
    localise(command, "zh")
    assert CJK.search(command.help)
    localise(command, "en")
    assert {path: (c.help, [p.help for p in c.params]) for path, c in walk(command)} == fresh
    assert all("context_class" not in c.__dict__ for _, c in walk(command))


# --- unknown languages are usage errors ---------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "source"),
    [
        (("--lang", "fr", "calls"), {}, "--lang"),
        (("calls", "--lang", "fr"), {}, "--lang"),
        (("calls", "--lang=english", "--help"), {}, "--lang"),
        (("calls",), {"RETAIN_LANG": "fr"}, "RETAIN_LANG"),
        (("--help",), {"RETAIN_LANG": "de_DE"}, "RETAIN_LANG"),
    ],
)
def test_an_unknown_language_is_a_usage_error(
    cli: Cli, args: tuple[str, ...], env: dict[str, str], source: str
) -> None:
    result = cli(*args, env=env)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: unknown language ") and f"in {source}" in result.stderr
    assert result.stderr.count("\n") == 1


def test_the_unknown_language_error_speaks_the_other_language(cli: Cli) -> None:
    result = cli("--lang", "fr", "calls", env={"RETAIN_LANG": "zh"})
    assert result.exit_code == 2
    assert result.stderr == "Error: --lang 中的语言 'fr' 无效：可用 en 或 zh\n"


def _ran(cli: Cli, result: Result, no_store: str) -> bool:
    """The command itself ran: on an empty server store it lists nobody; with no
    SQLite file yet it says so, in the language asked for."""
    if cli.on_postgres:
        return result.exit_code == 0 and result.stderr == ""
    return result.stderr.startswith(no_store)


def test_lang_overrides_an_unknown_retain_lang(cli: Cli) -> None:
    result = cli("--lang", "en", "calls", env={"RETAIN_LANG": "fr"})
    assert "unknown language" not in result.stderr
    assert _ran(cli, result, "Error: no store at")


@pytest.mark.parametrize("value", ["zh", "ZH", "zh_CN", "zh_CN.UTF-8", "zh-Hans"])
def test_locale_like_values_are_accepted(cli: Cli, value: str) -> None:
    assert _ran(cli, cli("--lang", value, "calls"), "Error: 没有数据库")


# --- --lang after the subcommand ----------------------------------------------------------


def test_lang_after_the_subcommand(seeded: Cli) -> None:
    table = {"RETAIN_TTY": "1", "NO_COLOR": "1"}
    zh = seeded("calls", "--lang", "zh", "--format", "table", env=table)
    assert zh.exit_code == 0 and "今日" in zh.stdout
    en = seeded("calls", "--format", "table", env=table)
    assert not CJK.search(en.stdout.split("\n", 1)[0])
    due = seeded("due", "--days", "30", "--format", "table", "--lang=zh", env=table)
    assert "到期贷款" in due.stdout


def test_lang_after_export_reminders(seeded: Cli, tmp_path: Any) -> None:
    target = tmp_path / "r.csv"
    result = seeded("export", "reminders", "--lang", "zh", "--days", "30", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    header = target.read_text(encoding="utf-8-sig").splitlines()[0]
    assert "客户编号" in header
    assert CJK.search(result.stderr)  # the summary too


def test_a_value_that_looks_like_lang_is_left_alone(seeded: Cli) -> None:
    for hour, note_args in enumerate(
        (["--note", "--lang zh"], ["--note", "--lang"], ["-n", "--lang"])
    ):
        result = seeded("log", "C1", "--at", f"2026-12-01 0{hour}:00", *note_args)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == "Logged 1 contact(s).\n"  # still English
    notes = [c["note"] for c in seeded("history", "C1", "--format", "json").json()]
    assert notes == ["--lang", "--lang", "--lang zh"]


def test_lang_after_a_double_dash_is_an_argument(seeded: Cli) -> None:
    result = seeded("log", "C1", "--", "--lang", "zh")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: unknown customer id(s): --lang, zh")


@pytest.mark.parametrize(
    ("argv", "rest", "value"),
    [
        (["calls", "--lang", "zh"], ["calls"], "zh"),
        (["--lang=zh", "calls"], ["calls"], "zh"),
        (["log", "C1", "--note", "--lang", "zh"], ["log", "C1", "--note", "--lang", "zh"], None),
        (["log", "C1", "-n", "--lang"], ["log", "C1", "-n", "--lang"], None),
        (["log", "C1", "-n--lang", "--lang", "en"], ["log", "C1", "-n--lang"], "en"),
        (["log", "C1", "-c", "sms", "--lang", "zh"], ["log", "C1", "-c", "sms"], "zh"),
        (["--db", "--lang", "calls"], ["--db", "--lang", "calls"], None),
        (["log", "--", "--lang", "zh"], ["log", "--", "--lang", "zh"], None),
        (["config", "set", "x", "--lang", "zh"], ["config", "set", "x"], "zh"),
        (["nope", "--lang", "zh"], ["nope", "--lang", "zh"], None),
        (["calls", "--lang"], ["calls", "--lang"], None),
    ],
)
def test_split_lang(argv: list[str], rest: list[str], value: str | None) -> None:
    assert split_lang(typer.main.get_command(app), argv) == (rest, value)


# --- short options ----------------------------------------------------------------------


def test_a_short_option_means_one_thing_everywhere() -> None:
    meaning: dict[str, set[str]] = defaultdict(set)
    for _, command in tree():
        for param in command.params:
            if getattr(param, "param_type_name", "") != "option":
                continue
            shorts = [o for o in param.opts if not o.startswith("--")]
            for short in shorts:
                meaning[short].add(param_key(param))
    clashes = {short: longs for short, longs in meaning.items() if len(longs) > 1}
    assert clashes == {}
    assert meaning["-o"] == {"--output"}
    assert meaning["-r"] == {"--outcome"}


def test_outcome_has_its_short_option(seeded: Cli) -> None:
    assert seeded("log", "C1", "-c", "sms", "-r", "promised").exit_code == 0
    assert seeded("history", "C1", "--format", "json").json()[0]["outcome"] == "promised"
