"""``retain tiers`` and tier rules over a hand-built book, through the real CLI."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli

RULES = """
[[tiers]]
name = "A"
name_zh = "核心客户"
when = "loans_count >= 2 and worst_class == '正常' and total_borrowed >= 500000"
contact_every_days = 30

[[tiers]]
name = "B"
name_zh = "成长客户"
when = "balance > 0 and worst_class in ['正常'] or referrals_converted >= 1"
contact_every_days = 90

[[tiers]]
name = "C"
when = "max_days_past_due > 0"
"""


def configure(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return {"RETAIN_CONFIG": str(path)}


@pytest.fixture
def tier_book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    """Five customers on 2026-12-01, their tiers worked out by hand:

    A1 烟酒: 2 loans, 600,000 borrowed, balance 250,000, never late  -> A
    A2 烟酒: 1 loan, balance 80,000, never late                      -> B
    A3 粮油: 1 loan 40 days past due (关注), balance 50,000           -> C
    A4 粮油: no loan (referred nobody yet)                           -> none
    A5 粮油: 2 open loans, 600,000 borrowed, balance 500,000         -> A
    """
    customers = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER,
            ["A1", "王建国", "13812348001", "", "烟酒", "王芳", ""],
            ["A2", "李秀英", "13912348002", "", "烟酒", "李强", ""],
            ["A3", "张伟", "15012348003", "", "粮油", "王芳", ""],
            ["A4", "赵敏", "15012348004", "", "粮油", "李强", ""],
            ["A5", "钱多", "15012348005", "", "粮油", "王芳", ""],
        ],
    )
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            ["L1", "A1", "300000", "2022-01-10", "2023-01-10", "信用", "结清", "2023-01-10", "0", ""],
            ["L2", "A1", "300000", "2026-01-10", "2027-06-10", "信用", "正常", "", "250000", ""],
            ["L3", "A2", "100000", "2026-03-01", "2027-03-01", "保证", "正常", "", "80000", ""],
            ["L4", "A3", "50000", "2025-06-01", "2026-10-22", "信用", "逾期", "", "50000", "40"],
            ["L5", "A5", "300000", "2026-02-01", "2027-02-01", "抵押", "正常", "", "300000", ""],
            ["L6", "A5", "300000", "2026-05-01", "2027-05-01", "抵押", "正常", "", "200000", ""],
        ],
    )  # fmt: skip
    for kind, path in (("customers", customers), ("loans", loans)):
        result = cli("import", kind, str(path))
        assert result.exit_code == 0, result.stderr
    return cli


def test_tiers_count_customers_and_balance_per_tier(tier_book: Cli, tmp_path: Path) -> None:
    result = tier_book("tiers", "--format", "json", env=configure(tmp_path, RULES))
    assert result.exit_code == 0, result.stderr
    report = result.json()
    lines = {row["tier"]: (row["customers"], row["balance"]) for row in report["tiers"]}
    assert lines == {
        "A": (2, 750000.0),
        "B": (1, 80000.0),
        "C": (1, 50000.0),
        None: (1, 0.0),
    }
    # The first tier is the good one (none is marked good): A1 and A5.
    shares = {row["industry"]: (row["good"], row["customers"]) for row in report["industries"]}
    assert shares == {"烟酒": (1, 2), "粮油": (1, 3)}
    assert [row["industry"] for row in report["industries"]] == ["烟酒", "粮油"]
    assert report["industries"][0]["share"] == 0.5


def test_the_table_shows_tiers_and_a_chart_of_good_shares(tier_book: Cli, tmp_path: Path) -> None:
    result = tier_book("tiers", "--format", "table", env=configure(tmp_path, RULES))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "A 核心客户" in out and "750,000.00" in out and "(no tier)" in out
    assert "Share of good customers (tier A) per industry" in out
    line = next(x for x in out.splitlines() if x.startswith("烟酒"))
    assert "50.0%" in line and "██████████" in line and "1 of 2" in line


def test_tiers_by_officer_and_good_flag(tier_book: Cli, tmp_path: Path) -> None:
    marked = RULES.replace("contact_every_days = 90\n", "contact_every_days = 90\ngood = true\n")
    result = tier_book(
        "tiers", "--by", "officer", "--format", "json", env=configure(tmp_path, marked)
    )
    assert result.exit_code == 0, result.stderr
    report = result.json()
    by = {(r["tier"], r["group"]): r["customers"] for r in report["tiers"]}
    assert by == {("A", "王芳"): 2, ("B", "李强"): 1, ("C", "王芳"): 1, (None, "李强"): 1}
    assert {r["tier"]: r["good"] for r in report["tiers"]} == {
        "A": False,
        "B": True,
        "C": False,
        None: False,
    }
    shares = {row["industry"]: row["good"] for row in report["industries"]}
    assert shares == {"烟酒": 1, "粮油": 0}


def test_a_converted_referral_is_a_fact(tier_book: Cli, tmp_path: Path) -> None:
    with closing(tier_book.connect()) as conn:
        conn.execute(
            "INSERT INTO prospects (channel, referrer_customer_id, stage, stage_day, entered_on,"
            " entered_day, created_at, updated_at) VALUES ('referral', 'A4', 'disbursed', 20000,"
            " '2026-11-01', 20000, 'x', 'x')"
        )
    result = tier_book("tiers", "--format", "json", env=configure(tmp_path, RULES))
    lines = {row["tier"]: row["customers"] for row in result.json()["tiers"]}
    assert lines == {"A": 2, "B": 2, "C": 1}


def test_csv_has_one_row_per_tier(tier_book: Cli, tmp_path: Path) -> None:
    result = tier_book("tiers", "--format", "csv", env=configure(tmp_path, RULES))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("tier,name_zh,group,customers,balance")
    assert len(lines) == 5


def test_without_rules_everyone_has_no_tier(tier_book: Cli) -> None:
    result = tier_book("tiers", "--format", "table")
    assert result.exit_code == 0, result.stderr
    assert "No tiers are configured" in result.stdout
    assert "(no tier)" in result.stdout


@pytest.mark.parametrize(
    ("when", "shown"),
    [
        ("balance > 0 and bogus > 1", "tiers.2.when: unknown fact 'bogus'"),
        ("balance >", "tiers.2.when: the rule ends where a fact, a number or a string"),
        ("industry > 'x'", "tiers.2.when: text compares only with ==, != or in, not >"),
    ],
)
def test_an_invalid_rule_is_one_line_at_load(
    tier_book: Cli, tmp_path: Path, when: str, shown: str
) -> None:
    # The third rule (pydantic counts from 0, as arrears.classes.N elsewhere).
    config = RULES.replace('"max_days_past_due > 0"', f'"{when}"')
    result = tier_book("tiers", env=configure(tmp_path, config))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: config ")
    assert shown in result.stderr and " at column " in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_invalid_rule_in_chinese(tier_book: Cli, tmp_path: Path) -> None:
    config = '[[tiers]]\nname = "X"\nwhen = "loans_count >= 2 and 行业 == 1"\n'
    result = tier_book("--lang", "zh", "tiers", env=configure(tmp_path, config))
    assert result.exit_code == 2
    assert "无法识别的字符" in result.stderr and "第 22 列" in result.stderr


def stay(cli: Cli, env: dict[str, str], today: str) -> dict[str, int]:
    result = cli("calls", "--format", "json", "--limit", "50", today=today, env=env)
    assert result.exit_code == 0, result.stderr
    return {row["customer_id"]: row["stay_in_touch"] for row in result.json()}


def test_stay_in_touch_follows_the_tier_rhythm(tier_book: Cli, tmp_path: Path) -> None:
    """On the list while never contacted, off after a logged call, back after 30 days."""
    env = configure(tmp_path, RULES)
    day1 = stay(tier_book, env, "2026-12-01")
    # A1 and A5 (tier A, every 30 days), A2 (tier B, every 90): never contacted.
    assert {cid for cid, points in day1.items() if points} == {"A1", "A2", "A5"}
    assert day1["A1"] == 8
    assert "A3" not in day1 or day1["A3"] == 0  # tier C has no rhythm
    result = tier_book("log", "A1", "--at", "2026-12-01 10:00", today="2026-12-01", env=env)
    assert result.exit_code == 0, result.stderr
    assert stay(tier_book, env, "2026-12-02").get("A1", 0) == 0
    idle = tier_book("calls", "--explain", "A1", today="2026-12-02", env=env)
    assert "tier A 核心客户 (rule: loans_count >= 2" in idle.stdout
    assert "next contact due 2026-12-31" in idle.stdout
    assert stay(tier_book, env, "2026-12-30").get("A1", 0) == 0
    assert stay(tier_book, env, "2026-12-31")["A1"] == 8
    explained = tier_book("calls", "--explain", "A1", today="2026-12-31", env=env)
    assert explained.exit_code == 0, explained.stderr
    assert "tier A 核心客户 (rule: loans_count >= 2 and worst_class == '正常'" in explained.stdout
    assert "every 30 days; last real contact 2026-12-01" in explained.stdout


def test_no_rhythm_no_stay_in_touch(tier_book: Cli) -> None:
    assert all(points == 0 for points in stay(tier_book, {}, "2026-12-01").values())


def test_stay_in_touch_gives_way_to_a_maturity_reminder(tier_book: Cli, tmp_path: Path) -> None:
    """A customer called about a maturing loan anyway: the rhythm adds nothing then."""
    env = configure(tmp_path, RULES)
    # A5's first loan matures on 2027-02-01: in its 30-day window from 2027-01-02.
    assert stay(tier_book, env, "2027-01-01")["A5"] == 8
    assert stay(tier_book, env, "2027-01-02")["A5"] == 0


def test_stay_in_touch_reminders_come_when_the_rhythm_runs_out(
    tier_book: Cli, tmp_path: Path
) -> None:
    """The reminder stream wakes a customer on the day their tier's rhythm runs out."""
    env = configure(tmp_path, RULES)
    for cid in ("A1", "A2", "A5"):
        logged = tier_book("log", cid, "--at", "2026-11-20 10:00", today="2026-12-01", env=env)
        assert logged.exit_code == 0, logged.stderr
    result = tier_book(
        "export", "reminders", "--days", "40", "--kinds", "stay_in_touch", "--format", "json",
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    found = [(r["customer_id"], r["date"]) for r in result.json()]
    # A1 and A5 (every 30 days) on 2026-12-20; A2 (every 90) not within 40 days.
    assert found == [("A1", "2026-12-20"), ("A5", "2026-12-20")]


def test_a_rhythm_out_of_range_is_refused(tier_book: Cli, tmp_path: Path) -> None:
    config = RULES.replace("contact_every_days = 30", "contact_every_days = 0")
    result = tier_book("tiers", env=configure(tmp_path, config))
    assert result.exit_code == 2
    assert "tiers.0.contact_every_days: must be from 1 to 3,650, not 0" in result.stderr


def test_a_tier_name_twice_is_refused(tier_book: Cli, tmp_path: Path) -> None:
    result = tier_book("tiers", env=configure(tmp_path, RULES.replace('"B"', '"A"')))
    assert result.exit_code == 2
    assert "tier A is defined twice" in result.stderr


def test_the_facts_of_the_hand_built_book(tier_book: Cli) -> None:
    """Each documented fact, worked out by hand for 2026-12-01 (day 20788)."""
    from retain.config import Config
    from retain.tiers import facts_sql

    sql, params = facts_sql(Config())
    with closing(tier_book.connect()) as conn:
        rows = {r["customer_id"]: dict(r) for r in conn.execute(sql, {**params, "t": 20788})}
    a1, a3, a4 = rows["A1"], rows["A3"], rows["A4"]
    assert (a1["loans_count"], a1["total_borrowed"], a1["balance"]) == (2, 600000, 250000)
    assert (a1["max_days_past_due"], a1["worst_class"], a1["industry"]) == (0, "正常", "烟酒")
    # First disbursement 2022-01-10: 1786 days before 2026-12-01.
    assert a1["years_as_customer"] == pytest.approx(1786 / 365.25)
    assert (a3["max_days_past_due"], a3["worst_class"], a3["officer"]) == (40, "关注", "王芳")
    assert (a4["loans_count"], a4["balance"], a4["worst_class"]) == (0, 0, None)
    assert (a4["referrals_converted"], a4["products_held"], a4["aum"], a4["group"]) == (
        0,
        0,
        0,
        None,
    )


def test_show_names_the_tier(tier_book: Cli, tmp_path: Path) -> None:
    env = configure(tmp_path, RULES)
    shown = tier_book("show", "A1", env=env)
    assert shown.exit_code == 0, shown.stderr
    assert re.search(r"Tier\s+A 核心客户", shown.stdout)
    assert re.search(r"Tier\s+\(no tier\)", tier_book("show", "A4", env=env).stdout)
    assert "Tier" not in tier_book("show", "A1").stdout  # none configured: no line


def test_worst_class_by_its_english_name_and_a_misspelt_one(tier_book: Cli, tmp_path: Path) -> None:
    english = RULES.replace("worst_class == '正常'", "worst_class == 'normal'")
    result = tier_book("tiers", "--format", "json", env=configure(tmp_path, english))
    assert result.exit_code == 0, result.stderr
    assert {r["tier"]: r["customers"] for r in result.json()["tiers"]}["A"] == 2
    wrong = RULES.replace("worst_class == '正常'", "worst_class == '正長'")
    refused = tier_book("tiers", env=configure(tmp_path, wrong))
    assert refused.exit_code == 2
    assert "tiers.0.when: '正長' is not an arrears class" in refused.stderr


def test_holdings_and_groups_are_facts(
    tier_book: Cli, tmp_path: Path, make_csv: Callable[..., Path]
) -> None:
    """A4 has no loan; its products, AUM and first group make it a tier of its own."""
    holdings = make_csv(
        "holdings.csv",
        [
            ["客户编号", "产品类型", "账号", "余额", "开户日期", "销户日期"],
            ["A4", "活期", "6222001", "200000", "2025-01-05", ""],
            ["A4", "理财", "W001", "150000", "2026-03-01", ""],
            ["A4", "信用卡", "4392001", "9000", "2025-06-01", ""],  # owed, not AUM
            ["A4", "定期", "T001", "500000", "2024-01-01", "2026-06-01"],  # closed
            ["A2", "活期", "6222002", "1000", "2025-01-05", ""],
        ],
    )  # fmt: skip
    assert tier_book("import", "holdings", str(holdings)).exit_code == 0
    for group, today in (("东门市场", "2026-11-01"), ("西门市场", "2026-11-20")):
        assert tier_book("group", "add", group, today=today).exit_code == 0
        assert tier_book("group", "join", group, "A4", "A2", today=today).exit_code == 0
    rules = """
[[tiers]]
name = "D"
when = "products_held == 3 and aum == 350000 and group == '东门市场'"
"""
    result = tier_book("tiers", "--format", "json", env=configure(tmp_path, rules))
    assert result.exit_code == 0, result.stderr
    lines = {row["tier"]: row["customers"] for row in result.json()["tiers"]}
    # A2 is in the same groups but holds one product: no tier.
    assert lines.get("D") == 1
    explained = tier_book("show", "A4", env=configure(tmp_path, rules))
    assert explained.exit_code == 0 and "D" in explained.stdout


def test_tiers_of_one_group_and_by_group(tier_book: Cli, tmp_path: Path) -> None:
    env = configure(tmp_path, RULES)
    assert tier_book("group", "add", "烟酒协会", today="2026-11-01").exit_code == 0
    assert tier_book("group", "join", "烟酒协会", "A1", "A3", today="2026-11-01").exit_code == 0
    result = tier_book("tiers", "--group", "烟酒协会", "--format", "json", env=env)
    assert result.exit_code == 0, result.stderr
    assert {r["tier"]: r["customers"] for r in result.json()["tiers"]} == {"A": 1, "C": 1}
    split = tier_book("tiers", "--by", "group", "--format", "json", env=env).json()
    by = {(r["tier"], r["group"]): r["customers"] for r in split["tiers"]}
    assert by == {("A", "烟酒协会"): 1, ("A", None): 1, ("B", None): 1, ("C", "烟酒协会"): 1,
                  (None, None): 1}  # fmt: skip
    unknown = tier_book("tiers", "--group", "西门市场", env=env)
    assert unknown.exit_code == 1 and unknown.stderr.startswith("Error:")
