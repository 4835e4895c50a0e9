"""The rules of the data hold the same in every command: one arrears table, one
days-past-due, one period grammar, term names in either language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.dates import parse_day, parse_period_start
from retain.errors import UsageError
from tests.conftest import LOAN_HEADER, Cli

ONE_CLASS = """
[arrears]
bad_from = "全部"
[[arrears.classes]]
name = "全部"
name_en = "all"
min_days = 0
weight = 7
"""


def _config(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return {"RETAIN_CONFIG": str(path)}


def test_a_one_class_arrears_table_works_in_every_command(seeded: Cli, tmp_path: Path) -> None:
    env = _config(tmp_path, ONE_CLASS)
    overdue = seeded("overdue", "--format", "json", env=env)
    assert overdue.exit_code == 0, overdue.stderr
    rows = overdue.json()
    assert [r["loan_id"] for r in rows] == ["L4"]
    assert rows[0]["class"] == "all" and rows[0]["customer_class"] == "all"

    calls = seeded("calls", "--format", "json", env=env)
    assert calls.exit_code == 0, calls.stderr
    c1 = next(r for r in calls.json() if r["customer_id"] == "C1")
    # 125 + 0.5 × 1 day + the one class's weight of 7 = 132.5, rounded half up
    assert c1["overdue"] == 133

    export = seeded("export", "reminders", "--format", "json", "--days", "3", env=env)
    assert export.exit_code == 0, export.stderr
    assert any(r["reason"] == "overdue" and r["customer_id"] == "C1" for r in export.json())

    explain = seeded("calls", "--explain", "C1", "--format", "json", env=env)
    assert explain.exit_code == 0, explain.stderr
    overdue_rule = next(t for t in explain.json()["terms"] if t["term"] == "overdue")["rule"]
    assert "class all" in overdue_rule

    show = seeded("show", "C1", env=env)
    assert show.exit_code == 0, show.stderr
    assert "all" in show.stdout


def test_term_names_are_accepted_in_chinese(seeded: Cli) -> None:
    by_name = seeded("calls", "--reason", "maturing", "--format", "json").json()
    by_label = seeded("calls", "--reason", "到期", "--format", "json").json()
    assert by_label == by_name and by_name  # the same customers, not an empty match
    assert all(row["maturing"] > 0 for row in by_name)

    english = seeded("export", "reminders", "--kinds", "overdue", "--format", "json").json()
    chinese = seeded("export", "reminders", "--kinds", "逾期", "--format", "json").json()
    assert chinese == english and {r["reason"] for r in english} == {"overdue"}


def test_the_audience_is_accepted_in_chinese(seeded: Cli) -> None:
    english = seeded("export", "reminders", "--audience", "customer", "--format", "json")
    chinese = seeded("export", "reminders", "--audience", "客户", "--format", "json")
    assert english.exit_code == chinese.exit_code == 0
    assert chinese.json() == english.json() and set(english.json()[0]) == {
        "reminder_id",
        "date",
        "name",
        "phone",
        "message",
    }
    officer = seeded("export", "reminders", "--audience", "客户经理", "--format", "json").json()
    assert officer and "reason" in officer[0] and "****" in officer[0]["phone"]
    wrong = seeded("export", "reminders", "--audience", "老板")
    assert wrong.exit_code == 2 and wrong.stderr.startswith("Error: ")


def test_an_unknown_term_names_the_accepted_ones(seeded: Cli) -> None:
    result = seeded("calls", "--reason", "催收")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and "overdue" in result.stderr
    assert "Traceback" not in result.stderr


TODAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90d", dt.date(2026, 9, 2)),
        ("90", dt.date(2026, 9, 2)),
        ("90天", dt.date(2026, 9, 2)),
        ("９０天", dt.date(2026, 9, 2)),
        ("12w", dt.date(2026, 9, 8)),
        ("12周", dt.date(2026, 9, 8)),
        ("6m", dt.date(2026, 6, 1)),
        ("6个月", dt.date(2026, 6, 1)),
        ("６月", dt.date(2026, 6, 1)),
    ],
)
def test_one_period_grammar(text: str, expected: dt.date) -> None:
    assert parse_period_start(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+3d", dt.date(2026, 12, 4)),
        ("+３d", dt.date(2026, 12, 4)),
        ("+3天", dt.date(2026, 12, 4)),
        ("-1周", dt.date(2026, 11, 24)),
        ("+2个月", dt.date(2027, 2, 1)),
        ("２０２６-１２-０５", dt.date(2026, 12, 5)),
    ],
)
def test_relative_days_read_the_same_units(text: str, expected: dt.date) -> None:
    assert parse_day(text, TODAY) == expected


@given(
    count=st.integers(min_value=0, max_value=2000),
    unit=st.sampled_from(["d", "天", "日", "w", "周", "星期"]),
    full_width=st.booleans(),
)
def test_days_and_weeks_back_and_forth_agree(count: int, unit: str, full_width: bool) -> None:
    digits = str(count)
    if full_width:
        digits = digits.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    days = count * (7 if unit in ("w", "周", "星期") else 1)
    assert parse_period_start(digits + unit, TODAY) == TODAY - dt.timedelta(days=days)
    assert parse_day("+" + digits + unit, TODAY) == TODAY + dt.timedelta(days=days)
    assert parse_day("-" + digits + unit, TODAY) == TODAY - dt.timedelta(days=days)


@pytest.mark.parametrize("text", ["", "d", "+5d", "-5", "3y", "5 天天", "十天"])
def test_a_period_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(UsageError):
        parse_period_start(text, TODAY)


def test_noloan_reads_chinese_periods_through_the_cli(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    loans = make_csv(
        "loans.csv",
        [
            [*LOAN_HEADER, "客户名称"],
            [
                "L1",
                "C1",
                "1000",
                "2025-01-01",
                "2026-01-01",
                "信用",
                "结清",
                "2026-11-01",
                "0",
                "",
                "甲",
            ],
            [
                "L2",
                "C2",
                "1000",
                "2025-01-01",
                "2026-01-01",
                "信用",
                "结清",
                "2026-06-01",
                "0",
                "",
                "乙",
            ],
        ],
    )
    assert cli("import", "loans", str(loans)).exit_code == 0
    english = cli("noloan", "--closed-within", "90d", "--format", "json")
    chinese = cli("noloan", "--closed-within", "９０天", "--format", "json")
    assert english.exit_code == chinese.exit_code == 0
    assert [r["customer_id"] for r in chinese.json()] == ["C1"]
    assert chinese.json() == english.json()
