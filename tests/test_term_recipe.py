"""CONTRIBUTING.md's "Add a call-list term" recipe, followed to the letter.

A copy of the source gets a throw-away term, ``long_silence`` (a borrower with
an open loan and no contact for 180 days; officer-only, bounded), in exactly
the files the recipe names, at their marker lines. The copy's CLI then must
carry the term everywhere the registry reaches: the call list and its JSON,
--reason (by name and by Chinese label), --explain, show, reminder exports and
their audiences, and the config's weights.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "retain"
EXAMPLES = ROOT / "examples"
TODAY = "2026-12-01"

TERM_ENTRY = '''    Term(
        name="long_silence",
        points_sql="""CASE WHEN o.customer_id IS NOT NULL AND (c.last_contact_day IS NULL
                OR :t - c.last_contact_day >= 180)
            THEN CAST(ROUND(:w_long_silence) AS INTEGER) ELSE 0 END""",
        settings=(Setting("long_silence", 5, "no contact for half a year", "半年未联系"),),
        bound=lambda config: round(config.weights.value("long_silence")),
        episode=lambda row, config: row.last_contact_day or 0,
        episode_sql="COALESCE(last_contact_day, 0)",
        rule=lambda row, config: {"base": config.weights.value("long_silence")},
        customer_facing=False,
    ),
'''
TERM_TEXTS = """    "term.long_silence": ("long silence", "久未联系"),
    "reason.long_silence": ("no contact for 180 days", "半年未联系"),
    "action.long_silence": ("call to keep in touch", "电话问候"),
    "rule.long_silence": ("{base}: no contact for 180 days", "{base}：180天未联系"),
    "sms.officer.long_silence": ("{date} keep in touch: {name} ({customer_id})", "{date} 久未联系：{name}（{customer_id}）"),
"""
MARKER = "go above this line"


def _recipe_files() -> list[str]:
    """The files the recipe's numbered steps name, in bold."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text.split("## Add a call-list term", 1)[1].split("\n## ", 1)[0]
    steps = re.findall(r"^\d+\. \*\*`([^`]+)`\*\*", section, flags=re.M)
    assert steps, "the recipe names its files as numbered bold steps"
    return steps


def _insert_above_marker(path: Path, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if MARKER in line)
    path.write_text("".join(lines[:at]) + text + "".join(lines[at:]), encoding="utf-8")


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the source with the recipe applied; returns its src folder."""
    src = tmp_path_factory.mktemp("recipe") / "src"
    shutil.copytree(SOURCE, src / "retain", ignore=shutil.ignore_patterns("__pycache__"))
    named = _recipe_files()
    assert named == ["src/retain/terms.py", "src/retain/i18n.py"]
    _insert_above_marker(src / "retain" / "terms.py", TERM_ENTRY)
    _insert_above_marker(src / "retain" / "i18n.py", TERM_TEXTS)
    return src


def test_the_recipe_touches_only_the_files_it_names(copy: Path) -> None:
    changed = []
    for path in sorted((copy / "retain").rglob("*.py")):
        relative = path.relative_to(copy)
        if not filecmp.cmp(path, ROOT / "src" / relative, shallow=False):
            changed.append(f"src/{relative}")
    assert changed == sorted(_recipe_files())


@pytest.fixture(scope="module")
def run(copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    home = tmp_path_factory.mktemp("store")
    env = {
        **os.environ,
        "PYTHONPATH": str(copy),
        "RETAIN_DB": str(home / "retain.db"),
        "RETAIN_CONFIG": str(home / "config.toml"),
        "RETAIN_TODAY": TODAY,
        "RETAIN_LANG": "en",
        "RETAIN_TTY": "0",
        "COLUMNS": "200",
    }

    def run(*args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "retain", *args],
            env={**env, "RETAIN_LANG": lang},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result

    assert run("import", "customers", str(EXAMPLES / "customers.csv")).returncode == 0
    assert run("import", "loans", str(EXAMPLES / "loans.csv")).returncode == 0
    # The copy really is what runs: the installed package has no such term.
    assert "long_silence" in run("calls", "--format", "json").stdout
    return run


def _json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_new_term_scores_on_the_call_list(run: Any) -> None:
    rows = _json(run("calls", "--limit", "1000", "--format", "json"))
    silent = [r for r in rows if r["long_silence"] > 0]
    assert silent and all(r["long_silence"] == 5 for r in silent)
    names = (
        "overdue", "maturing", "follow_up", "post_loan_check", "revisit", "win_back", "recovery",
        "collateral_expiry", "season",
    )  # fmt: skip
    for row in rows:
        assert row["score"] == sum(row[n] for n in (*names, "long_silence"))
    only = _json(run("calls", "--reason", "long_silence", "--limit", "1000", "--format", "json"))
    assert only and all(r["long_silence"] > 0 for r in only)
    assert (
        _json(run("calls", "--reason", "久未联系", "--limit", "1000", "--format", "json")) == only
    )
    # The shortlist's bound includes the new term: the top 5 is the full list cut at 5.
    assert _json(run("calls", "--limit", "5", "--format", "json")) == rows[:5]


def test_explain_and_show_give_its_rule(run: Any) -> None:
    rows = _json(run("calls", "--reason", "long_silence", "--format", "json"))
    customer = rows[0]["customer_id"]
    explained = _json(run("calls", "--explain", customer, "--format", "json"))
    line = next(t for t in explained["terms"] if t["term"] == "long_silence")
    assert line == {"term": "long_silence", "points": 5, "rule": "5.0: no contact for 180 days"}
    assert sum(t["points"] for t in explained["terms"]) == explained["score"]
    zh = run("calls", "--explain", customer, lang="zh")
    assert zh.returncode == 0 and "久未联系" in zh.stdout and "180天未联系" in zh.stdout
    shown = run("show", customer)
    assert shown.returncode == 0 and "no contact for 180 days" in shown.stdout


def test_reminders_carry_it_to_officers_only(run: Any) -> None:
    officer = _json(run("export", "reminders", "--days", "0", "--format", "json"))
    silent = [r for r in officer if r["reason"] == "long_silence"]
    assert silent
    assert all(
        r["message"].endswith(f"keep in touch: {r['name']} ({r['customer_id']})") for r in silent
    )
    customer = _json(
        run("export", "reminders", "--days", "0", "--audience", "customer", "--format", "json")
    )
    # Customers get only customer-facing reasons (at most one a day, which may
    # leave some of those to the officers too).
    facing = {
        r["reminder_id"]
        for r in officer
        if r["reason"] in ("overdue", "maturing", "win_back", "season")
    }
    assert customer and {r["reminder_id"] for r in customer} <= facing
    assert {r["reminder_id"] for r in customer}.isdisjoint(r["reminder_id"] for r in silent)
    asked = run("export", "reminders", "--audience", "customer", "--kinds", "long_silence")
    assert asked.returncode == 2 and "long_silence" in asked.stderr


def test_its_weight_is_a_config_setting(run: Any) -> None:
    shown = run("config", "show", "--defaults")
    assert shown.returncode == 0 and re.search(r"^long_silence = 5", shown.stdout, flags=re.M)
    assert run("config", "set", "weights.long_silence", "9").returncode == 0
    rows = _json(run("calls", "--reason", "long_silence", "--format", "json"))
    assert rows and all(r["long_silence"] == 9 for r in rows)
    refused = run("config", "set", "weights.long_silence", "-1")
    assert refused.returncode == 2 and refused.stderr.startswith("Error: ")
