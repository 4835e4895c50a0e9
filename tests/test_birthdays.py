"""Birthdays from ID numbers: ``retain birthdays`` and the ``birthday`` reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.birthdays import birth_date, celebrated, next_birthday
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, valid_id_number

B1 = valid_id_number("11010519801203002")  # 3 Dec 1980
B2 = valid_id_number("11010519880229004")  # 29 Feb 1988
B3 = valid_id_number("11010519751220001")  # 20 Dec 1975


@pytest.fixture
def born(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    customers = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER,
            ["B1", "王建国", "13812348001", B1, "粮油", "王芳", ""],
            ["B2", "李秀英", "13912348002", B2, "烟酒", "李强", ""],
            ["B3", "张伟", "15012348003", B3, "服装", "王芳", ""],
            ["B4", "赵敏", "15012348004", "", "服装", "王芳", ""],
        ],
    )
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            ["L1", "B1", "100000", "2026-06-01", "2027-06-01", "信用", "正常", "", "", ""],
            ["L2", "B2", "100000", "2026-06-01", "2028-06-01", "信用", "正常", "", "", ""],
        ],
    )  # fmt: skip
    for kind, path in (("customers", customers), ("loans", loans)):
        result = cli("import", kind, str(path))
        assert result.exit_code == 0, result.stderr
    return cli


def listed(cli: Cli, *args: str, today: str = "2026-12-01") -> list[dict[str, object]]:
    result = cli("birthdays", *args, "--format", "json", today=today)
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, object]] = result.json()
    return rows


def test_birthdays_of_the_next_week_masked(born: Cli) -> None:
    rows = listed(born)
    assert [(r["customer_id"], r["birthday"], r["days_left"]) for r in rows] == [
        ("B1", "2026-12-03", 2)
    ]
    assert rows[0]["phone"] == "138****8001"
    assert rows[0]["id_number"] == B1[:3] + "*" * 11 + B1[-4:]
    assert "1980" not in str(rows[0])  # the birth year never shows
    assert [r["customer_id"] for r in listed(born, "--days", "30")] == ["B1", "B3"]
    assert [r["customer_id"] for r in listed(born, "--days", "30", "--officer", "李强")] == []


def test_29_february_is_28_february_in_a_common_year(born: Cli) -> None:
    rows = listed(born, today="2027-02-25")
    assert [(r["customer_id"], r["birthday"]) for r in rows] == [("B2", "2027-02-28")]
    rows = listed(born, today="2028-02-25")
    assert [(r["customer_id"], r["birthday"]) for r in rows] == [("B2", "2028-02-29")]
    assert listed(born, "--days", "0", today="2028-02-28") == []


def test_the_table(born: Cli) -> None:
    result = born("birthdays", "--format", "table")
    assert result.exit_code == 0, result.stderr
    assert "2026-12-03" in result.stdout and "138****8001" in result.stdout
    assert B1 not in result.stdout


def greetings(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "config.toml"
    path.write_text("[rhythm]\nbirthday_greetings = true\n", encoding="utf-8")
    return {"RETAIN_CONFIG": str(path)}


def points(cli: Cli, today: str, env: dict[str, str]) -> dict[str, int]:
    result = cli("calls", "--format", "json", today=today, env=env)
    assert result.exit_code == 0, result.stderr
    return {row["customer_id"]: row["birthday"] for row in result.json()}


def test_the_birthday_reason_is_off_by_default(born: Cli, tmp_path: Path) -> None:
    assert points(born, "2026-12-03", {}).get("B1", 0) == 0
    on = greetings(tmp_path)
    assert points(born, "2026-12-03", on)["B1"] == 5
    assert points(born, "2026-12-02", on).get("B1", 0) == 0
    assert points(born, "2027-02-28", on)["B2"] == 5
    assert points(born, "2028-02-28", on).get("B2", 0) == 0
    assert points(born, "2028-02-29", on)["B2"] == 5


def test_a_greeting_reminder_quotes_only_the_date(born: Cli, tmp_path: Path) -> None:
    on = greetings(tmp_path)
    result = born(
        "export", "reminders", "--days", "7", "--format", "json", "--kinds", "birthday", env=on
    )
    assert result.exit_code == 0, result.stderr
    rows = result.json()
    assert [(r["customer_id"], r["reason"]) for r in rows] == [("B1", "birthday")]
    assert B1 not in result.stdout and "1980" not in result.stdout
    customer = born(
        "export", "reminders", "--days", "7", "--format", "json", "--audience", "customer",
        "--kinds", "birthday", "--allow-stale", env=on, today="2026-12-01",
    )  # fmt: skip
    assert customer.exit_code == 0, customer.stderr
    assert "生日快乐" in customer.stdout


@given(st.dates(dt.date(1900, 1, 1), dt.date(2026, 12, 1)), st.integers(1900, 2200))
def test_a_birthday_is_celebrated_once_a_year(born_on: dt.date, year: int) -> None:
    day = celebrated(born_on, year)
    assert day.year == year
    assert (day.month, day.day) == (born_on.month, born_on.day) or (
        (born_on.month, born_on.day, day.month, day.day) == (2, 29, 2, 28)
    )
    first = next_birthday(born_on, dt.date(year, 1, 1))
    assert first == day


@given(st.dates(dt.date(1900, 1, 1), dt.date(2026, 12, 1)))
def test_the_birth_date_comes_from_the_id_number(born_on: dt.date) -> None:
    idn = valid_id_number("110105" + born_on.strftime("%Y%m%d") + "001")
    assert birth_date(idn) == born_on
