"""The config file's comments follow the language it is created under."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from retain.config import Config, parse_config
from retain.config_file import _fields, _model_type, _rows_type, render_config
from retain.config_zh import DESCRIPTIONS
from tests.conftest import Cli, Result

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def described(model: type[BaseModel] = Config, prefix: str = "") -> list[str]:
    """The dotted path of every setting, section and table column in the model."""
    paths: list[str] = []
    for key, (_, info) in _fields(model).items():
        path = prefix + key
        paths.append(path)
        sub = _model_type(info.annotation) or _rows_type(info.annotation)
        if sub is not None:
            paths.extend(described(sub, path + "."))
    return paths


def comments(text: str) -> list[str]:
    """Every comment of a rendered file, without the values."""
    found = []
    for line in text.splitlines():
        if line.startswith("#"):
            found.append(line)
        elif "  # " in line:
            found.append(line.split("  # ", 1)[1])
    return found


def run(cli: Cli, cfg: Path, *args: str, lang: str, **env: str) -> Result:
    return cli("--lang", lang, *args, env={"RETAIN_CONFIG": str(cfg), **env})


@pytest.mark.parametrize("path", described())
def test_every_setting_has_a_chinese_comment(path: str) -> None:
    assert CJK.search(DESCRIPTIONS.get(path, "")), f"add {path!r} to retain/config_zh.py"


def test_no_chinese_comment_is_left_over() -> None:
    assert set(DESCRIPTIONS) <= set(described())


def test_the_chinese_file_is_the_same_config_in_other_words() -> None:
    zh, en = render_config(Config(), lang="zh"), render_config(Config())
    assert parse_config(tomllib.loads(zh), "zh.toml") == Config()
    assert tomllib.loads(zh) == tomllib.loads(en)
    assert all(CJK.search(line) for line in comments(zh) if line != "#" and len(line) > 12)
    assert not any(CJK.search(line) for line in comments(en)[:3])


def test_config_set_under_zh_creates_chinese_comments(cli: Cli, tmp_path: Path) -> None:
    cfg = tmp_path / "zh" / "config.toml"
    result = run(cli, cfg, "config", "set", "calls.daily_capacity", "15", lang="zh")
    assert result.exit_code == 0, result.stderr
    text = cfg.read_text(encoding="utf-8")
    assert text.startswith("# retain 设置。")
    assert "daily_capacity = 15  # retain calls 默认列出的人数" in text
    assert "quiet_days = 3  # 最近这么多天内联系过的客户不列出" in text
    assert "# 按逾期天数划分的贷款分类（五级分类）\n[arrears]" in text
    assert "# max_days 未设置" in text
    assert "leave off anyone" not in text
    assert tomllib.loads(text)["calls"]["daily_capacity"] == 15


def test_config_edit_under_zh_creates_chinese_comments(cli: Cli, tmp_path: Path) -> None:
    cfg = tmp_path / "zh" / "config.toml"
    result = run(cli, cfg, "config", "edit", lang="zh", EDITOR="true", VISUAL="")
    assert result.exit_code == 0, result.stderr
    assert "revisit_every_days = 90  # 对抵押、质押借款人的回访间隔" in cfg.read_text("utf-8")


def test_english_stays_english(cli: Cli, tmp_path: Path) -> None:
    cfg = tmp_path / "en" / "config.toml"
    assert run(cli, cfg, "config", "set", "weights.overdue", "60", lang="en").exit_code == 0
    text = cfg.read_text(encoding="utf-8")
    assert "quiet_days = 3  # leave off anyone contacted this recently" in text
    assert not [c for c in comments(text) if CJK.search(c) and "五级分类" not in c]


def test_an_existing_file_keeps_its_comments(cli: Cli, tmp_path: Path) -> None:
    cfg = tmp_path / "en" / "config.toml"
    assert run(cli, cfg, "config", "set", "weights.overdue", "60", lang="en").exit_code == 0
    before = cfg.read_text(encoding="utf-8")
    assert run(cli, cfg, "config", "set", "calls.daily_capacity", "15", lang="zh").exit_code == 0
    after = cfg.read_text(encoding="utf-8")
    assert after == before.replace("daily_capacity = 20", "daily_capacity = 15")
    cfg.write_text("# 我的注释\n[calls]\ndaily_capacity = 9  # 自己写的\n", encoding="utf-8")
    assert run(cli, cfg, "config", "set", "weights.overdue", "70", lang="en").exit_code == 0
    text = cfg.read_text(encoding="utf-8")
    assert "# 我的注释" in text and "daily_capacity = 9  # 自己写的" in text


def test_config_show_speaks_the_language(cli: Cli, tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[calls]\ndaily_capacity = 15\n", encoding="utf-8")
    zh = run(cli, cfg, "config", "show", lang="zh").stdout
    assert "daily_capacity = 15  # retain calls 默认列出的人数（默认：20）" in zh
    assert f"# 当前生效的设置：{cfg} 叠加在默认值之上。" in zh
    en = run(cli, cfg, "config", "show", lang="en").stdout
    assert "daily_capacity = 15  # default length of `retain calls` (default: 20)" in en
    assert tomllib.loads(zh) == tomllib.loads(en)
