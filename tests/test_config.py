"""retain config path|show|set|edit, and how every command treats the file."""

from __future__ import annotations

import json
import os
import shlex
import stat
import sys
import tomllib
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
from pydantic import BaseModel

from retain.config import Config, load_config
from retain.config_file import all_keys, render_config
from tests.conftest import Cli, Result


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "config.toml"


def run(cli: Cli, cfg: Path, *args: str, extra: dict[str, str] | None = None) -> Result:
    return cli(*args, env={"RETAIN_CONFIG": str(cfg), **(extra or {})})


def write(cfg: Path, text: str) -> bytes:
    cfg.parent.mkdir(exist_ok=True)
    cfg.write_text(text, encoding="utf-8")
    return cfg.read_bytes()


def script(tmp_path: Path, name: str, old: str, new: str) -> str:
    """An EDITOR command that replaces ``old`` by ``new`` in the file it is given."""
    path = tmp_path / name
    path.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        f"p.write_text(p.read_text(encoding='utf-8').replace({old!r}, {new!r}), encoding='utf-8')\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {path}"


# --- path ----------------------------------------------------------------------


def test_path_prints_the_file_even_before_it_exists(cli: Cli, cfg: Path) -> None:
    result = run(cli, cfg, "config", "path")
    assert result.exit_code == 0 and result.stdout == f"{cfg}\n"
    assert not cfg.exists()


def test_the_default_path_is_in_the_user_config_directory(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RETAIN_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    result = cli("config", "path")
    assert result.exit_code == 0
    assert Path(result.stdout.strip()) == tmp_path / "xdg" / "retain" / "config.toml"


# --- show ----------------------------------------------------------------------


def test_show_defaults_parse_back_to_the_defaults(cli: Cli, cfg: Path) -> None:
    write(cfg, "[calls]\ndaily_capacity = 3\n")  # --defaults ignores the file
    text = run(cli, cfg, "config", "show", "--defaults").stdout
    assert Config.model_validate(tomllib.loads(text)) == Config()
    assert "daily_capacity = 20  # default length of `retain calls`" in text
    assert "[[arrears.classes]]" in text and 'name = "次级"' in text
    assert "(default:" not in text


def test_show_defaults_saved_as_the_file_is_the_default_config(cli: Cli, cfg: Path) -> None:
    write(cfg, run(cli, cfg, "config", "show", "--defaults").stdout)
    assert load_config(cfg) == Config()
    assert run(cli, cfg, "config", "show", "--format", "json").json() == json.loads(
        run(cli, cfg, "config", "show", "--defaults", "--format", "json").stdout
    )


def test_show_comments_every_setting_with_its_description() -> None:
    text = render_config(Config())
    lines = text.splitlines()
    for key in all_keys():
        section, _, name = key.rpartition(".")
        if section.startswith("export.templates") or key == "export.templates":
            continue  # a mapping: its header comment describes it
        model: Any = Config
        for part in section.split("."):
            model = next(
                f.annotation for n, f in model.model_fields.items() if (f.alias or n) == part
            )
        description = model.model_fields[name].description
        assert any(line.startswith(f"{name} = ") and description in line for line in lines), key
    assert "# templates: message templates" in text


def test_show_is_the_effective_config_with_defaults_where_changed(cli: Cli, cfg: Path) -> None:
    write(cfg, '[calls]\ndaily_capacity = 15\n[export.templates.customer.zh]\noverdue = "请还款"\n')
    text = run(cli, cfg, "config", "show").stdout
    assert "daily_capacity = 15  # default length of `retain calls` (default: 20)" in text
    assert 'overdue = "请还款"' in text
    assert "maturing = " in text  # the default templates are still there
    assert str(cfg) in text.splitlines()[3]
    effective = load_config(cfg)
    saved = cfg.parent / "effective.toml"
    saved.write_text(text, encoding="utf-8")
    assert load_config(saved) == effective


def test_show_json(cli: Cli, cfg: Path) -> None:
    write(cfg, "[weights]\noverdue = 60\n")
    data = run(cli, cfg, "config", "show", "--format", "json").json()
    assert data["calls"]["daily_capacity"] == 20
    assert data["import"]["principal_ceiling"] == 10_000_000
    assert data["weights"]["overdue"] == 60
    assert data["arrears"]["classes"][4] == {
        "name": "损失",
        "name_en": "loss",
        "min_days": 361,
        "max_days": None,
        "weight": 40,
    }


# --- set -----------------------------------------------------------------------


def test_set_creates_a_private_commented_file(cli: Cli, cfg: Path) -> None:
    old = os.umask(0)
    try:
        result = run(cli, cfg, "config", "set", "calls.daily_capacity", "15")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert "Created" in result.stderr and "calls.daily_capacity = 15" in result.stderr
    assert result.stdout == ""
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert stat.S_IMODE(cfg.parent.stat().st_mode) == 0o700
    text = cfg.read_text(encoding="utf-8")
    assert "daily_capacity = 15  # default length of `retain calls`" in text
    assert "post_loan_check = 15  # a post-loan check is due" in text  # every setting shown
    assert "[[arrears.classes]]" in text
    expected = Config()
    expected.calls.daily_capacity = 15
    assert load_config(cfg) == expected
    assert "daily_capacity = 15" in run(cli, cfg, "config", "show").stdout
    assert [p.name for p in cfg.parent.iterdir()] == ["config.toml"]  # no temp file left


def test_set_keeps_a_hand_written_files_comments(cli: Cli, cfg: Path) -> None:
    write(cfg, "# mine, keep me\n[weights]\nmaturing = 40 # busy season\n\n[calls] # team\n")
    os.chmod(cfg, 0o644)
    assert run(cli, cfg, "config", "set", "weights.overdue", "60").exit_code == 0
    assert run(cli, cfg, "config", "set", "weights.maturing", "45").exit_code == 0
    text = cfg.read_text(encoding="utf-8")
    assert text.startswith("# mine, keep me\n[weights]\n")
    assert "maturing = 45 # busy season" in text and "[calls] # team" in text
    assert tomllib.loads(text)["weights"] == {"maturing": 45, "overdue": 60}
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600


def test_set_adds_a_missing_section_and_reads_dotted_keys(cli: Cli, cfg: Path) -> None:
    write(cfg, "weights.overdue = 1\n")
    assert run(cli, cfg, "config", "set", "weights.revisit", "2").exit_code == 0
    assert run(cli, cfg, "config", "set", "rhythm.quiet_days", "5").exit_code == 0
    data = tomllib.loads(cfg.read_text(encoding="utf-8"))
    assert data == {"weights": {"overdue": 1, "revisit": 2}, "rhythm": {"quiet_days": 5}}


def test_set_reads_toml_values_and_text(cli: Cli, cfg: Path) -> None:
    for key, value in [
        ("rhythm.maturity_tiers", "[30, 14, 7, 1]"),
        ("rhythm.secured_guarantees", '["mortgage"]'),
        ("weights.overdue_per_day", "0.75"),
        ("export.lender", "XX农商银行"),
        ("arrears.bad_from", "可疑"),
    ]:
        result = run(cli, cfg, "config", "set", key, value)
        assert result.exit_code == 0, result.stderr
    data = tomllib.loads(cfg.read_text(encoding="utf-8"))
    assert data["rhythm"]["maturity_tiers"] == [30, 14, 7, 1]
    assert data["rhythm"]["secured_guarantees"] == ["mortgage"]
    assert data["weights"]["overdue_per_day"] == 0.75
    assert data["export"]["lender"] == "XX农商银行"
    assert data["arrears"]["bad_from"] == "可疑"


def test_a_text_setting_takes_numbers_as_text(cli: Cli, cfg: Path) -> None:
    assert run(cli, cfg, "config", "set", "export.lender", "95588").exit_code == 0
    assert tomllib.loads(cfg.read_text(encoding="utf-8"))["export"]["lender"] == "95588"


def test_set_a_message_template(cli: Cli, cfg: Path) -> None:
    key = "export.templates.customer.zh.overdue"
    assert run(cli, cfg, "config", "set", key, "【{lender}】{name}，请尽快还款。").exit_code == 0
    templates = load_config(cfg).export.templates
    assert templates["customer"]["zh"]["overdue"] == "【{lender}】{name}，请尽快还款。"
    assert templates["customer"]["zh"]["maturing"].startswith("【{lender}】")  # others kept


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "weights.overdue",
            "-1",
            "Error: config {cfg}: weights.overdue: must be from 0 to 10,000, not -1\n",
        ),
        ("calls.daily_capacity", "abc", "calls.daily_capacity: Input should be a valid integer"),
        ("calls.daily_capacity", "1.5", "calls.daily_capacity: "),
        ("rhythm.maturity_tiers", "30", "rhythm.maturity_tiers: Input should be a valid list"),
        ("rhythm.maturity_tiers", "[30, 30]", "rhythm: maturity_tiers must not repeat a value"),
        ("arrears.bad_from", "bogus", "bad_from 'bogus' is not the name of a class"),
        ("export.templates.customer.zh.overdue", "{nope}", "unknown placeholder {nope}"),
        (
            "weights.bogus",
            "1",
            "Error: unknown config key weights.bogus (did you mean weights.overdue",
        ),
        ("nonsense", "1", "Error: unknown config key nonsense\n"),
        ("calls.daily_capacity.x", "1", "Error: unknown config key calls.daily_capacity.x"),
        ("weights", "1", "Error: weights is a group of settings: set one of its keys"),
        ("arrears.classes", "[]", "Error: arrears.classes is a table of rows"),
        ("arrears.classes.0.weight", "1", "`retain config edit`"),
    ],
)
def test_invalid_set_names_the_key_and_writes_nothing(
    cli: Cli, cfg: Path, key: str, value: str, message: str
) -> None:
    before = write(cfg, "# mine\n[calls]\ndaily_capacity = 5\n")
    result = run(cli, cfg, "config", "set", key, value)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert message.replace("{cfg}", str(cfg)) in result.stderr
    assert cfg.read_bytes() == before


def test_invalid_set_creates_no_file(cli: Cli, cfg: Path) -> None:
    assert run(cli, cfg, "config", "set", "weights.overdue", "-1").exit_code == 2
    assert not cfg.exists() and not cfg.parent.exists()


def test_set_into_a_symlinked_file_keeps_the_link(cli: Cli, cfg: Path, tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "retain.toml"
    real.parent.mkdir()
    real.write_text("[calls]\ndaily_capacity = 5\n", encoding="utf-8")
    cfg.parent.mkdir()
    cfg.symlink_to(real)
    assert run(cli, cfg, "config", "set", "calls.daily_capacity", "6").exit_code == 0
    assert cfg.is_symlink()
    assert tomllib.loads(real.read_text(encoding="utf-8")) == {"calls": {"daily_capacity": 6}}


def test_set_on_a_broken_file_reports_it_and_writes_nothing(cli: Cli, cfg: Path) -> None:
    before = write(cfg, "[weights\n")
    result = run(cli, cfg, "config", "set", "weights.overdue", "1")
    assert result.exit_code == 2 and result.stderr.startswith(f"Error: config {cfg}: invalid TOML")
    assert cfg.read_bytes() == before


def test_set_messages_in_chinese(cli: Cli, cfg: Path) -> None:
    result = run(cli, cfg, "config", "set", "weights.bogus", "1", extra={"RETAIN_LANG": "zh"})
    assert result.exit_code == 2 and result.stderr.startswith("Error: 未知的配置项 weights.bogus")
    done = run(cli, cfg, "config", "set", "weights.overdue", "1", extra={"RETAIN_LANG": "zh"})
    assert done.exit_code == 0 and "已设置 weights.overdue = 1" in done.stderr


def test_a_set_value_changes_the_call_list(seeded: Cli, cfg: Path) -> None:
    assert run(seeded, cfg, "config", "set", "calls.daily_capacity", "1").exit_code == 0
    rows = run(seeded, cfg, "calls", "--format", "json")
    assert rows.exit_code == 0 and len(rows.json()) == 1


# --- edit ----------------------------------------------------------------------


def test_edit_creates_the_file_and_checks_the_result(cli: Cli, cfg: Path, tmp_path: Path) -> None:
    editor = script(tmp_path, "editor.py", "daily_capacity = 20", "daily_capacity = 7")
    result = run(cli, cfg, "config", "edit", extra={"EDITOR": editor, "VISUAL": ""})
    assert result.exit_code == 0, result.stderr
    assert "Created" in result.stderr and "valid" in result.stderr
    assert load_config(cfg).calls.daily_capacity == 7
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert "# default length of `retain calls`" in cfg.read_text(encoding="utf-8")


def test_visual_wins_over_editor(cli: Cli, cfg: Path, tmp_path: Path) -> None:
    write(cfg, "[calls]\ndaily_capacity = 5\n")
    visual = script(tmp_path, "visual.py", "= 5", "= 6")
    editor = script(tmp_path, "editor.py", "= 5", "= 9")
    result = run(cli, cfg, "config", "edit", extra={"VISUAL": visual, "EDITOR": editor})
    assert result.exit_code == 0 and load_config(cfg).calls.daily_capacity == 6


def test_an_invalid_edit_is_reported_and_kept(cli: Cli, cfg: Path, tmp_path: Path) -> None:
    write(cfg, "[calls]\ndaily_capacity = 7\n")
    breaker = script(tmp_path, "breaker.py", "daily_capacity = 7", "daily_capacity = -7")
    broken = run(cli, cfg, "config", "edit", extra={"EDITOR": breaker})
    assert broken.exit_code == 2 and broken.stderr.count("\n") == 1
    assert broken.stderr.startswith(f"Error: config {cfg}: calls.daily_capacity: ")
    assert "daily_capacity = -7" in cfg.read_text(encoding="utf-8")  # kept for fixing
    fixer = script(tmp_path, "fixer.py", "= -7", "= 8")
    assert run(cli, cfg, "config", "edit", extra={"EDITOR": fixer}).exit_code == 0


def test_a_missing_editor_is_an_error(cli: Cli, cfg: Path) -> None:
    result = run(cli, cfg, "config", "edit", extra={"EDITOR": "/nonexistent/editor --wait"})
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot start editor /nonexistent/editor --wait")
    assert result.stderr.count("\n") == 1


def test_an_editor_that_fails_leaves_the_file(cli: Cli, cfg: Path) -> None:
    before = write(cfg, "[calls]\ndaily_capacity = 7\n")
    result = run(cli, cfg, "config", "edit", extra={"EDITOR": "false"})
    assert result.exit_code == 1 and "exited with 1" in result.stderr
    assert cfg.read_bytes() == before


# --- a broken file, for any command ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "[weights]\noverdue = -1\n",
            "weights.overdue: must be from 0 to 10,000, not -1",
        ),
        ("[weights\n", "invalid TOML"),
        (
            "[calls]\ndaily_capacity = 'x'\n",
            "calls.daily_capacity: Input should be a valid integer",
        ),
        ("[weights]\nbogus = 1\n", "weights.bogus: Extra inputs are not permitted"),
    ],
)
def test_a_broken_file_is_one_error_line_for_any_command(
    seeded: Cli, cfg: Path, text: str, problem: str
) -> None:
    write(cfg, text)
    for args in (("config", "show"), ("config", "show", "--format", "json"), ("calls",)):
        result = run(seeded, cfg, *args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith(f"Error: config {cfg}: {problem}"), result.stderr
        assert result.stderr.count("\n") == 1
    assert run(seeded, cfg, "config", "show", "--defaults").exit_code == 0
    assert run(seeded, cfg, "config", "path").exit_code == 0


# --- the model documents itself ---------------------------------------------------


def _models(model: type[BaseModel]) -> list[type[BaseModel]]:
    """``model`` and every model nested in it (sections, rows of tables)."""
    found = [model]
    for info in model.model_fields.values():
        annotation = info.annotation
        candidates = [annotation, *get_args(annotation)] if get_origin(annotation) else [annotation]
        for candidate in candidates:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                found.extend(_models(candidate))
    return found


def test_every_setting_has_a_description() -> None:
    """A new setting must say what it does: the description is its comment in the file."""
    models = _models(Config)
    assert {m.__name__ for m in models} >= {"Config", "WeightsConfig", "ArrearsClass"}
    missing = [
        f"{model.__name__}.{name}"
        for model in models
        for name, info in model.model_fields.items()
        if not (info.description or "").strip()
    ]
    assert missing == []


def config_set_examples(text: str) -> list[list[str]]:
    """Every `retain config set KEY VALUE` example line in ``text``, as arguments."""
    found = []
    for line in text.splitlines():
        if not line.strip().startswith("retain config set "):
            continue
        words = shlex.split(line, comments=True)
        if words[:3] == ["retain", "config", "set"] and words[3:] != ["KEY", "VALUE"]:
            found.append(words[1:])
    return found


def test_the_config_set_examples_of_the_readme_and_the_help_work(
    cli: Cli, cfg: Path, tmp_path: Path
) -> None:
    """Each example, run as written, is accepted and changes that setting."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    help_text = run(cli, cfg, "config", "set", "--help").stdout
    examples = config_set_examples(readme) + config_set_examples(help_text)
    assert len(config_set_examples(readme)) >= 3 and len(config_set_examples(help_text)) >= 3
    for args in examples:
        result = run(cli, cfg, *args)
        assert result.exit_code == 0, (args, result.stderr)
        key, value = args[2], args[3]
        shown: Any = json.loads(run(cli, cfg, "config", "show", "--format", "json").stdout)
        for part in key.split("."):
            shown = shown[part]
        try:
            expected: Any = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            expected = value
        assert shown == expected, (args, shown)


def test_a_config_not_in_utf8_is_a_config_error(seeded: Cli, tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes('[export]\nlender = "农商银行"\n'.encode("gbk"))
    result = seeded("calls", env={"RETAIN_CONFIG": str(path)})
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and "UTF-8" in result.stderr
