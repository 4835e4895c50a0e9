"""The README's synopses and JSON schemas are generated from the code (cog) and
match what the commands really do."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from retain.cli import docgen
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def readme() -> str:
    return README.read_text(encoding="utf-8")


def test_readme_is_what_the_code_generates(capsys: pytest.CaptureFixture[str]) -> None:
    """`cog --check`: fails when an option, a command or a field changes and the
    README was not regenerated (python -m retain.cli.docgen)."""
    status = docgen.main(["--check", str(README)])
    out = capsys.readouterr()
    assert status == 0, out.out + out.err


def test_an_option_added_without_regenerating_fails_the_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_tree = docgen.command_tree

    def tree_with_a_new_due_option() -> Any:
        tree = real_tree()
        due = tree.commands["due"]
        template = next(p for p in due.params if p.param_type_name == "option" and not p.is_flag)
        added = copy.copy(template)
        added.name, added.opts, added.metavar = "branch", ["--branch"], "BRANCH"
        due.params.append(added)
        return tree

    monkeypatch.setattr(docgen, "command_tree", tree_with_a_new_due_option)
    assert "[--branch BRANCH]" in docgen.synopsis("due")
    assert docgen.main(["--check", str(README)]) != 0
    assert "--branch" in capsys.readouterr().out  # the diff shows what is missing


def generated_lines() -> list[str]:
    """The lines cog wrote into the README (between the markers)."""
    lines: list[str] = []
    inside = False
    for line in readme().splitlines():
        if "[[[cog" in line:
            inside = True
        elif "[[[end]]]" in line:
            inside = False
        elif inside:
            lines.append(line)
    return lines


@pytest.mark.parametrize("command", docgen.every_command())
def test_every_command_has_a_generated_synopsis(command: str) -> None:
    wanted = re.compile(rf"^retain {re.escape(command)}( |$)")
    assert any(wanted.match(line) for line in generated_lines()), (
        f"README.md has no synopsis of `retain {command}`: add a "
        f'[[[cog … d.synopses("{command.split()[0]}") ]]] block'
    )


def test_the_global_options_have_a_generated_synopsis() -> None:
    assert any(line.startswith("retain [--db") for line in generated_lines())


def test_the_json_schemas_table_is_generated() -> None:
    text = readme()
    table = text[text.index("## JSON schemas") : text.index("## Configuration")]
    assert "[[[cog" in table and docgen.json_schemas() in table


def all_options() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for command in ["", *docgen.every_command()]:
        found[command] = {o for p in docgen.find_command(command.split()).params for o in p.opts}
    return found


def test_metavar_names_are_real_options() -> None:
    every = set().union(*all_options().values())
    assert set(docgen.METAVARS) <= every


def test_checked_values_name_real_options_and_constants() -> None:
    options = all_options()
    for (command, option), dotted in docgen.CHECKED_VALUES.items():
        assert option in options[command], (command, option)
        assert list(docgen._constant(dotted)), dotted


def test_checked_values_are_what_the_command_accepts(seeded: Cli) -> None:
    """The values the synopsis lists for `log --channel` are accepted, others are not."""
    for channel in docgen._constant(docgen.CHECKED_VALUES[("log", "--channel")]):
        assert seeded("log", "C1", "--channel", channel).exit_code == 0, channel
    assert seeded("log", "C1", "--channel", "telegram").exit_code == 2


# ---------------------------------------------------------------------------
# Every documented JSON schema against the real output


@pytest.fixture
def book(seeded: Cli, make_csv: Callable[..., Path], tmp_path: Path) -> dict[str, str]:
    """The seeded store plus a paid-off customer, a contact, and an import file
    with a rejected row: every documented output has at least one row."""
    customers = make_csv(
        "more.csv",
        [
            CUSTOMER_HEADER,
            ["C9", "赵六", "13712349009", "", "烟酒", "", ""],
            ["C10", "孙八", "13712349010", "", "烟酒", "", ""],
        ],
    )
    loans = make_csv(
        "more-loans.csv",
        [LOAN_HEADER, ["L9", "C9", "9000", "2025-01-01", "2026-01-01", "信用", "结清", "2026-01-01", "0", ""]],
    )  # fmt: skip
    assert seeded("import", "customers", str(customers)).exit_code == 0
    assert seeded("import", "loans", str(loans)).exit_code == 0
    # 烟酒: C9 and C10 of three hold a deposit, C2 (good) does not: a cross-sell gap
    holdings = make_csv("holdings.csv", [["客户编号", "产品"], ["C9", "活期"], ["C10", "活期"]])
    assert seeded("import", "holdings", str(holdings)).exit_code == 0
    assert seeded("log", "C1", "--channel", "call", "--next", "+1d").exit_code == 0
    promised = ("--outcome", "promised", "--next", "+3d", "--amount", "500")
    assert seeded("log", "C1", *promised).exit_code == 0
    assert seeded("prospect", "add", "孙八", "--referrer", "C1").exit_code == 0
    assert seeded("officer", "add", "李娜").exit_code == 0  # a row of `audit`
    assert seeded("group", "add", "东门市场").exit_code == 0
    assert seeded("group", "join", "东门市场", "C1").exit_code == 0
    with_reject = make_csv(
        "with-reject.csv",
        [CUSTOMER_HEADER, ["C8", "钱七", "13612348008", "", "", "", ""], ["C7", "", "12", "", "", "", ""]],
    )  # fmt: skip
    return {"customer_id": "C1", "customers_file": str(with_reject)}


@pytest.mark.parametrize("schema", docgen.schemas(), ids=lambda s: s.command)
def test_documented_json_fields_are_the_real_ones(
    seeded: Cli, book: dict[str, str], schema: docgen.Schema
) -> None:
    args = [a.format(**book) for a in schema.args]
    if seeded.on_postgres and args[0] == "doctor":
        pytest.skip("doctor checks the SQLite store file")
    result = seeded(*args, "--format", "json")
    assert result.exit_code in (0, 3), result.stderr  # 3: the import rejected a row
    payload = result.json()
    objects = [payload] if schema.one_object else payload
    assert objects, f"`retain {' '.join(args)}` printed no rows to check"
    for obj in objects:
        assert list(obj) == list(schema.fields)
        for key, inner in schema.nested.items():
            assert obj[key], f"{key} is empty: nothing to check"
            for item in obj[key]:
                assert list(item) == list(inner), key


# ---------------------------------------------------------------------------
# The README's own example lines, run as written


def readme_sh_block(after: str) -> list[str]:
    """The lines of the first ```sh block after the text ``after``."""
    text = readme()
    start = text.index("```sh\n", text.index(after)) + len("```sh\n")
    return [line for line in text[start : text.index("```", start)].splitlines() if line.strip()]


def rows_in(tsv: str) -> list[dict[str, str]]:
    import csv

    return list(csv.DictReader(tsv.splitlines(), delimiter="\t"))


def ids_in(tsv: str) -> list[str]:
    return [row["customer_id"] for row in rows_in(tsv)]


def pipeline(words: list[str]) -> list[list[str]]:
    stages: list[list[str]] = [[]]
    for word in words:
        if word == "|":
            stages.append([])
        else:
            stages[-1].append(word)
    return stages


def test_the_readme_bundled_examples_day_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each line of "On the bundled examples" through the real CLI (pipes included),
    and what its comments promise: the three logged customers leave the list and
    come back on the 3rd with their follow-up due."""
    import shlex

    from typer.testing import CliRunner

    from retain.cli import app

    monkeypatch.chdir(ROOT)  # the README runs from the checkout: examples/…
    env = {"RETAIN_TTY": "0", "RETAIN_LANG": "en", "COLUMNS": "200"}
    outputs: list[str] = []
    piped: list[str] = []
    for line in readme_sh_block("On the bundled examples"):
        words = shlex.split(line.replace("$(mktemp -d)", str(tmp_path)), comments=True)
        if words[0] == "export":
            env.update(word.split("=", 1) for word in words[1:])
            continue
        stdin: str | None = None
        stages = pipeline(words)
        for number, stage in enumerate(stages):
            assert stage[0] == "retain", line
            result = CliRunner().invoke(app, stage[1:], input=stdin, env=env)
            assert result.exit_code == 0, (line, result.output)
            stdin = result.stdout
            if number == 0 and len(stages) > 1:
                piped = stdin.split()
        outputs.append(result.stdout)
    assert "RETAIN_DB" in env and str(tmp_path) in env["RETAIN_DB"]
    assert len(piped) == 3
    first, after_log, on_the_3rd = outputs[-4], outputs[-2], outputs[-1]
    assert ids_in(first)[:3] == piped
    assert not set(piped) & set(ids_in(after_log))
    back = {row["customer_id"]: row for row in rows_in(on_the_3rd)}
    for customer_id in piped:
        assert "follow_up" in back[customer_id]["reasons"].split(","), back[customer_id]
        assert back[customer_id]["next_on"] == "2026-12-03"


# ---------------------------------------------------------------------------
# Project files the README's "Development" section points to


def test_development_links_point_to_real_files() -> None:
    text = readme()
    development = text[text.index("## Development") :]
    links = re.findall(r"\]\(([^)#:]+)\)", development)
    assert {"CONTRIBUTING.md", "CHANGELOG.md", "LICENSE"} <= set(links)
    for link in links:
        assert (ROOT / link).is_file(), link
    assert "## Docs" in (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def test_pre_commit_hooks_run_tools_the_test_extras_install() -> None:
    """Each local hook's entry is a .venv tool that `pip install -e '.[test]'` provides."""
    import sys

    config = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    entries = re.findall(r"^\s+entry:\s*(\S+)", config, flags=re.MULTILINE)
    assert {Path(e).name for e in entries} >= {"ruff", "mypy", "python"}
    for entry in entries:
        assert entry.startswith(".venv/bin/"), entry
        assert (Path(sys.executable).parent / Path(entry).name).exists(), entry
    assert "language: system" in config and "retain.cli.docgen --check" in config


def test_the_safety_table_names_tests_that_exist() -> None:
    """Each guarantee in the README's Safety table points at the test that holds it."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Safety:", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"`(test_\w+)::(test_\w+)`", section)
    short = re.findall(r"`…::(test_\w+)`", section)
    assert len(named) >= 10
    for module, test in named:
        source = (ROOT / "tests" / f"{module}.py").read_text(encoding="utf-8")
        assert f"def {test}(" in source, f"{module}::{test}"
    every = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    for test in short:
        assert f"def {test}(" in every, test
