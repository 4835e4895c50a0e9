"""retain config path|show|set|edit, and how every command treats the file."""

from __future__ import annotations

import os
import stat
import sys
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from retain.config import Config
from tests.conftest import Cli


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "config.toml"


def run(cli: Cli, cfg: Path, *args: str, extra: dict[str, str] | None = None) -> object:
    return cli(*args, env={"RETAIN_CONFIG": str(cfg), **(extra or {})})


def test_path_prints_the_file(cli: Cli, cfg: Path) -> None:
    result = run(cli, cfg, "config", "path")
    assert result.exit_code == 0 and result.stdout.strip() == str(cfg)


def test_show_defaults_parse_back_to_the_defaults(cli: Cli, cfg: Path) -> None:
    text = run(cli, cfg, "config", "show", "--defaults").stdout
    assert Config.model_validate(tomllib.loads(text)) == Config()
    assert "# default length of `retain calls`" in text
    assert "[[arrears.classes]]" in text and 'name = "次级"' in text


def test_show_json(cli: Cli, cfg: Path) -> None:
    import json

    data = json.loads(run(cli, cfg, "config", "show", "--format", "json").stdout)
    assert data["calls"]["daily_capacity"] == 20
    assert data["import"]["principal_ceiling"] == 10_000_000


def test_set_creates_a_private_commented_file(cli: Cli, cfg: Path) -> None:
    old = os.umask(0)
    try:
        result = run(cli, cfg, "config", "set", "calls.daily_capacity", "15")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert stat.S_IMODE(cfg.parent.stat().st_mode) == 0o700
    text = cfg.read_text(encoding="utf-8")
    assert "daily_capacity = 15" in text and "# post-loan" not in text
    assert "# a post-loan check is due" in text  # every setting is documented
    assert tomllib.loads(text)["calls"]["daily_capacity"] == 15
    assert "daily_capacity = 15" in run(cli, cfg, "config", "show").stdout


def test_set_keeps_a_hand_written_files_comments(cli: Cli, cfg: Path) -> None:
    cfg.parent.mkdir()
    cfg.write_text("# mine, keep me\n[weights]\nmaturing = 40 # busy season\n", encoding="utf-8")
    assert run(cli, cfg, "config", "set", "weights.overdue", "60").exit_code == 0
    text = cfg.read_text(encoding="utf-8")
    assert "# mine, keep me" in text and "maturing = 40 # busy season" in text
    assert tomllib.loads(text)["weights"] == {"maturing": 40, "overdue": 60}


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("weights.overdue", "-1", "weights.overdue"),
        ("calls.daily_capacity", "abc", "calls.daily_capacity"),
        ("weights.bogus", "1", "weights.bogus"),
        ("rhythm.maturity_tiers", "[30, 30]", "rhythm"),
        ("nonsense", "1", "nonsense"),
    ],
)
def test_invalid_set_names_the_key_and_writes_nothing(
    cli: Cli, cfg: Path, key: str, value: str, named: str
) -> None:
    cfg.parent.mkdir()
    cfg.write_text("[calls]\ndaily_capacity = 5\n", encoding="utf-8")
    before = cfg.read_bytes()
    result = run(cli, cfg, "config", "set", key, value)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert named in result.stderr
    assert cfg.read_bytes() == before


def test_set_reads_toml_values(cli: Cli, cfg: Path) -> None:
    assert run(cli, cfg, "config", "set", "rhythm.maturity_tiers", "[30, 14, 7, 1]").exit_code == 0
    assert run(cli, cfg, "config", "set", "export.lender", "XX农商银行").exit_code == 0
    data = tomllib.loads(cfg.read_text(encoding="utf-8"))
    assert data["rhythm"]["maturity_tiers"] == [30, 14, 7, 1]
    assert data["export"]["lender"] == "XX农商银行"


def test_a_set_value_changes_the_call_list(seeded: Cli, cfg: Path) -> None:
    assert run(seeded, cfg, "config", "set", "calls.daily_capacity", "1").exit_code == 0
    rows = run(seeded, cfg, "calls", "--format", "json")
    assert rows.exit_code == 0 and len(rows.json()) == 1


def test_edit_uses_the_editor_and_checks_the_result(cli: Cli, cfg: Path, tmp_path: Path) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text(encoding='utf-8').replace("
        "'daily_capacity = 20', 'daily_capacity = 7'), encoding='utf-8')\n",
        encoding="utf-8",
    )
    command = f"{sys.executable} {editor}"
    assert run(cli, cfg, "config", "edit", extra={"EDITOR": command}).exit_code == 0
    assert tomllib.loads(cfg.read_text(encoding="utf-8"))["calls"]["daily_capacity"] == 7
    breaker = tmp_path / "breaker.py"
    breaker.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text(encoding='utf-8').replace("
        "'daily_capacity = 7', 'daily_capacity = -7'), encoding='utf-8')\n",
        encoding="utf-8",
    )
    broken = run(cli, cfg, "config", "edit", extra={"EDITOR": f"{sys.executable} {breaker}"})
    assert broken.exit_code == 2 and "calls.daily_capacity" in broken.stderr
    assert "daily_capacity = -7" in cfg.read_text(encoding="utf-8")  # kept for fixing


def test_missing_editor_is_an_error(cli: Cli, cfg: Path) -> None:
    result = run(cli, cfg, "config", "edit", extra={"EDITOR": "/nonexistent/editor"})
    assert result.exit_code == 1 and result.stderr.startswith("Error: ")


@pytest.mark.parametrize(
    "text", ["[weights]\noverdue = -1\n", "[weights\n", "[calls]\ndaily_capacity = 'x'\n"]
)
def test_a_broken_file_is_one_error_line_for_any_command(seeded: Cli, cfg: Path, text: str) -> None:
    cfg.parent.mkdir()
    cfg.write_text(text, encoding="utf-8")
    for args in (("config", "show"), ("calls",)):
        result = run(seeded, cfg, *args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith(f"Error: config {cfg}") and result.stderr.count("\n") == 1


def test_every_setting_has_a_description() -> None:
    missing = []
    for name, field in Config.model_fields.items():
        section = field.annotation
        assert isinstance(section, type) and issubclass(section, BaseModel)
        for sub_name, sub_field in section.model_fields.items():
            if not sub_field.description:
                missing.append(f"{field.alias or name}.{sub_name}")
    assert missing == []
