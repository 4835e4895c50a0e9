"""Seasons (季节性需求, issue 14 section 3): festival dates from the holidays
package, the [[seasons]] config and ``retain season`` on fixed days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.seasons import parse_season_date
from tests.conftest import LOAN_HEADER, Cli

EN_CUSTOMER_HEADER = ["customer_id", "name", "phone", "id_number", "industry", "officer", "segment"]


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        # The official calendar (国务院办公厅 holiday notices; 中国天文年历).
        ("春节", 2026, "2026-02-17"),
        ("中秋", 2026, "2026-09-25"),
        ("春节", 2027, "2027-02-06"),
        ("中秋", 2027, "2027-09-15"),
        ("春节", 2030, "2030-02-03"),
        ("中秋", 2030, "2030-09-12"),
        ("端午", 2026, "2026-06-19"),
        ("春节 -45", 2027, "2026-12-23"),
        ("中秋-30", 2026, "2026-08-26"),
        ("03-01", 2027, "2027-03-01"),
        ("09-01 -20", 2027, "2027-08-12"),
        ("02-29", 2027, "2027-02-28"),
    ],
)
def test_season_dates(text: str, year: int, expected: str) -> None:
    assert parse_season_date(text).on(year).isoformat() == expected


@pytest.mark.parametrize("text", ["", "13-01", "02-30", "元宵", "春节 -400", "03-01x"])
def test_bad_season_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_season_date(text)


@given(
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31)),
    st.sampled_from(["春节 -45", "中秋 -30", "端午", "03-01", "09-01 -20", "12-31 +10"]),
)
def test_next_date_is_the_first_on_or_after_today(today: dt.date, text: str) -> None:
    season = parse_season_date(text)
    found = season.next_on_or_after(today)
    assert found >= today
    # No date of the season lies between today and the one found.
    assert all(not (today <= season.on(y) < found) for y in range(today.year - 1, today.year + 3))


def config(tmp_path: Path, body: str) -> dict[str, str]:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return {"RETAIN_CONFIG": str(path)}


SEASONS = """
[[seasons]]
name = "烟酒春节备货"
industry = "烟酒"
date = "春节 -30"
lead_days = 20
message_zh = "{name}您好，春节将至。"
message_en = "Dear {name}, the Spring Festival is coming."

[[seasons]]
name = "市场秋季"
group = "东门市场"
date = "10-01"
lead_days = 10
"""


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    customers = make_csv(
        "customers.csv",
        [
            EN_CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", "", "烟酒批发", "王芳", ""],
            ["C2", "李秀英", "13912348002", "", "烟酒", "李强", ""],
            ["C3", "张伟", "15012348003", "", "烟酒", "王芳", ""],
            ["C4", "赵敏", "15012348004", "", "服装", "王芳", ""],
        ],
    )
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            # C1: matures before 春节 2027 - 30 (2027-01-07); largest loan 100,000.
            ["L1", "C1", "100000", "2026-01-01", "2026-12-20", "信用", "正常", "", "60000", ""],
            # C2: matures after it; room 80,000 - 20,000.
            ["L2", "C2", "80000", "2026-06-01", "2027-06-01", "信用", "正常", "", "20000", ""],
            # C3: past due: left out.
            ["L3", "C3", "50000", "2025-06-01", "2026-11-01", "信用", "逾期", "", "50000", "30"],
            ["L4", "C4", "50000", "2026-06-01", "2027-12-01", "信用", "正常", "", "", ""],
        ],
    )  # fmt: skip
    for kind, path in (("customers", customers), ("loans", loans)):
        result = cli("import", kind, str(path))
        assert result.exit_code == 0, result.stderr
    cli.sql(
        "INSERT INTO prospects (name, phone, channel, stage, stage_day, entered_on,"
        " entered_day, industry, created_at, updated_at)"
        " VALUES ('周小摊', '13700000000', 'walk_in', 'new', 0, '2026-11-01', 0, '烟酒',"
        " 'x', 'x')"
    )
    return cli


def test_season_list_on_a_fixed_day(book: Cli, tmp_path: Path) -> None:
    env = config(tmp_path, SEASONS)
    result = book("season", "--format", "json", env=env)
    assert result.exit_code == 0, result.stderr
    rows = result.json()
    assert [(r["season"], r["member_id"], r["rank"]) for r in rows] == [
        ("烟酒春节备货", "C1", 1),  # matures before the season
        ("烟酒春节备货", "C2", 2),
        ("烟酒春节备货", "P1", 3),
    ]
    first = rows[0]
    assert first["season_date"] == "2027-01-07"
    assert first["days_left"] == 37
    assert first["window_opens"] == "2026-12-18"
    assert (first["matures_before"], first["room"]) == (True, 40000.0)
    assert (rows[1]["matures_before"], rows[1]["room"]) == (False, 60000.0)
    assert first["phone"] == "138****8001"


def test_weeks_and_the_day_after(book: Cli, tmp_path: Path) -> None:
    env = config(tmp_path, SEASONS)
    # Four weeks from 2026-12-01 do not reach 2027-01-07.
    assert book("season", "--weeks", "4", "--format", "json", env=env).json() == []
    # The day after the date, the next one is a year away.
    after = book("season", "--weeks", "8", "--format", "json", env=env, today="2027-01-08")
    assert after.json() == []


def test_group_seasons(book: Cli, tmp_path: Path) -> None:
    env = config(tmp_path, SEASONS)
    assert book("group", "add", "东门市场").exit_code == 0
    assert book("group", "join", "东门市场", "C4", "P1").exit_code == 0
    rows = book("season", "--format", "json", env=env, today="2027-09-01").json()
    market = [r["member_id"] for r in rows if r["season"] == "市场秋季"]
    assert market == ["C4", "P1"]


def test_an_invalid_season_is_reported_at_load(book: Cli, tmp_path: Path) -> None:
    env = config(tmp_path, '[[seasons]]\nname = "x"\nindustry = "烟酒"\ndate = "元宵 -3"\n')
    result = book("season", env=env)
    assert result.exit_code == 2
    assert "date 元宵 -3 is not MM-DD" in result.stderr
    both = config(tmp_path, '[[seasons]]\nname = "x"\ndate = "03-01"\n')
    assert "give one of industry or group" in book("season", env=both).stderr


def test_default_seasons_ship_as_examples(book: Cli) -> None:
    shown = book("config", "show")
    assert shown.exit_code == 0, shown.stderr
    assert "烟酒春节备货" in shown.stdout
    assert "EXAMPLES to edit" in shown.stdout
