"""One catalogue, two languages: nothing user-facing ships in one language only."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from retain.contacts import CHANNELS, OUTCOMES
from retain.i18n import CATALOGUE
from retain.messages import MESSAGES, translate
from retain.ranking import TERMS
from tests.conftest import Cli

SRC = Path(__file__).resolve().parents[1] / "src" / "retain"
CJK = re.compile(r"[\u4e00-\u9fff]")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_key_has_both_languages_with_the_same_placeholders(key: str) -> None:
    en, zh = CATALOGUE[key]
    assert en.strip() and zh.strip()
    assert placeholders(en) == placeholders(zh)


@pytest.mark.parametrize(("english", "chinese"), MESSAGES)
def test_every_message_pattern_has_chinese_with_the_same_parts(english: str, chinese: str) -> None:
    assert CJK.search(chinese)
    assert placeholders(chinese) <= placeholders(english)


def _sources() -> list[tuple[Path, ast.AST]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(SRC.rglob("*.py"))]


def _literal(node: ast.AST) -> str | None:
    """A string argument as the user would see it, variable parts as 'X'."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                parts.append("X")
        return "".join(parts)
    return None


def test_every_key_used_in_the_code_exists() -> None:
    used: set[str] = set()
    for _, tree in _sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                used.add(node.args[0].value)
    # Keys built at run time, from the values they are built from.
    used |= {
        f"{prefix}.{term}" for prefix in ("term", "reason", "action", "rule") for term in TERMS
    }
    used |= {f"channel.{c}" for c in CHANNELS} | {f"outcome.{o}" for o in OUTCOMES}
    used |= {f"kind.{k}" for k in ("customers", "loans")}
    used |= {f"import.{c}" for c in ("added", "updated", "unchanged", "rejected", "skipped")}
    missing = sorted(k for k in used if k not in CATALOGUE)
    assert missing == []


def test_every_message_the_core_raises_has_chinese() -> None:
    untranslated = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in ("Invalid", "RetainError", "UsageError"):
                continue
            text = _literal(node.args[0])
            if text is None or text.startswith(("A ", "The ")):  # docstrings of classes
                continue
            # A message whose head is a variable is shown with the head it gets.
            if path.name == "columns.py" and text.startswith("X: "):
                text = "mapping file m.toml: " + text[3:]
            elif path.name == "read.py" and text.startswith("X: "):
                text = "f.json line 3 (object 2): " + text[3:]
            if translate(text, "zh") == text:
                untranslated.append(f"{path.name}: {text}")
    assert untranslated == []


def test_rejected_row_reasons_are_chinese(cli: Cli, make_csv: object, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("customer_id,name,phone\nC1,张三,123\n", encoding="utf-8")
    result = cli("import", "customers", str(path), env={"RETAIN_LANG": "zh"})
    assert result.exit_code == 3
    assert "第 2 行，手机号码：不是有效的手机号码" in result.stderr
    rejects = (tmp_path / "c.rejects.csv").read_text(encoding="utf-8-sig")
    assert "不是有效的手机号码" in rejects
    english = cli("import", "customers", str(path), env={"RETAIN_LANG": "en"})
    assert "row 2, phone: not a valid mobile number" in english.stderr
    assert not CJK.search(english.stderr.replace("张三", ""))


@pytest.mark.parametrize(
    ("args", "zh_text", "en_text"),
    [
        (("calls",), "错误：没有数据库", "Error: no store at"),
        (("--today", "bad", "calls"), "错误：无效日期", "Error: invalid date"),
        (("import", "customers", "nope.csv"), "错误：文件不存在", "Error: no such file"),
    ],
)
def test_errors_follow_the_language(
    tmp_path: Path, args: tuple[str, ...], zh_text: str, en_text: str
) -> None:
    cli = Cli(tmp_path / "missing" / "r.db")
    zh = cli(*args, env={"RETAIN_LANG": "zh"})
    en = cli(*args, env={"RETAIN_LANG": "en"})
    assert zh.stderr.startswith(zh_text) and zh.stderr.count("\n") == 1
    assert en.stderr.startswith(en_text) and not CJK.search(en.stderr)
    assert zh.exit_code == en.exit_code != 0


def test_unknown_customer_in_log_is_chinese(seeded: Cli) -> None:
    result = seeded("log", "C404", env={"RETAIN_LANG": "zh"})
    assert result.exit_code == 1
    assert result.stderr == "错误：未知的客户编号：C404；未记录任何内容\n"


def test_the_locale_chooses_chinese(seeded: Cli) -> None:
    result = seeded(
        "due",
        "--format",
        "table",
        env={"RETAIN_LANG": "", "LANG": "zh_CN.UTF-8", "RETAIN_TTY": "1"},
    )
    assert "到期贷款" in result.stdout


@pytest.mark.parametrize(
    ("command", "zh_title", "en_title"),
    [
        (("due",), "到期贷款", "Loans maturing"),
        (("calls",), "待联系客户", "Calls for"),
        (("overdue",), "逾期", "Overdue"),
        (("noloan",), "无贷户", "Customers with no open loan"),
    ],
)
def test_list_titles_follow_the_language(
    seeded: Cli, command: tuple[str, ...], zh_title: str, en_title: str
) -> None:
    env = {"RETAIN_TTY": "1", "NO_COLOR": "1"}
    zh = seeded(*command, "--format", "table", env={**env, "RETAIN_LANG": "zh"})
    en = seeded(*command, "--format", "table", env={**env, "RETAIN_LANG": "en"})
    assert zh_title in zh.stdout
    assert en_title in en.stdout
