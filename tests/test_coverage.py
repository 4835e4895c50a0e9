"""``retain coverage``, the ``cross_sell`` term and the products line of ``show``,
on a book whose figures are worked out by hand below."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli

# 粮油 has five customers (C1-C4, C9), 烟酒 three (C5-C7); C8 has no industry.
# Open holdings: deposit C1 C2 C3 (3/5 of 粮油 = 60%), card C1 C3 C4 (60%),
# wealth C1 C2 (40%), credit card C1 (20%); in 烟酒 wealth C5 C6 (2/3), deposit C6
# (1/3). C4's deposit is closed. More than half (coverage.peer_share 0.5):
# deposit and card in 粮油, wealth in 烟酒.
# Good: C1 C2 C7 C8 (open loan, 0 days past due), C4 (closed 2026-06-01, within
# 12 months), C5 (maturing); not good: C3 (40 days past due), C6 (written off),
# C9 (never borrowed).
# Gaps: C7 lacks wealth (67%), C2 lacks card (60%), C4 lacks deposit (60%).


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    customers = make_csv(
        "customers.csv",
        [CUSTOMER_HEADER]
        + [
            [f"C{i}", f"客户{i}", f"1381234800{i}", "", industry, officer, ""]
            for i, industry, officer in (
                (1, "粮油", "王芳"), (2, "粮油", "王芳"), (3, "粮油", "李强"), (4, "粮油", "李强"),
                (5, "烟酒", "王芳"), (6, "烟酒", "李强"), (7, "烟酒", "李强"), (8, "", "王芳"),
                (9, "粮油", "王芳"),
            )
        ],
    )  # fmt: skip
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            ["L1", "C1", "100000", "2026-01-01", "2027-01-01", "信用", "正常", "", "", ""],
            ["L2", "C2", "100000", "2026-01-01", "2027-01-01", "信用", "正常", "", "", ""],
            ["L3", "C3", "100000", "2025-06-01", "2026-10-22", "信用", "逾期", "", "", "40"],
            ["L4", "C4", "100000", "2025-06-01", "2026-06-01", "信用", "结清", "2026-06-01", "0", ""],
            ["L5", "C5", "100000", "2026-01-01", "2026-12-20", "信用", "正常", "", "", ""],
            ["L6", "C6", "100000", "2025-01-01", "2026-01-01", "信用", "核销", "", "", ""],
            ["L7", "C7", "100000", "2026-01-01", "2027-06-01", "信用", "正常", "", "", ""],
            ["L8", "C8", "100000", "2026-01-01", "2027-01-01", "信用", "正常", "", "", ""],
        ],
    )  # fmt: skip
    holdings = make_csv(
        "holdings.csv",
        [
            ["客户编号", "产品类型", "余额", "开户日期", "销户日期"],
            ["C1", "活期", "1000", "2020-01-01", ""],
            ["C1", "借记卡", "", "2020-01-01", ""],
            ["C1", "理财", "50000", "2026-01-01", ""],
            ["C1", "信用卡", "800", "2021-01-01", ""],
            ["C2", "活期", "2000", "2020-01-01", ""],
            ["C2", "理财", "10000", "2026-01-01", ""],
            ["C3", "活期", "3000", "2020-01-01", ""],
            ["C3", "借记卡", "", "2020-01-01", ""],
            ["C4", "借记卡", "", "2020-01-01", ""],
            ["C4", "活期", "5000", "2020-01-01", "2026-01-01"],
            ["C5", "理财", "20000", "2026-01-01", ""],
            ["C6", "理财", "30000", "2026-01-01", ""],
            ["C6", "活期", "100", "2020-01-01", ""],
        ],
    )
    for kind, path in (("customers", customers), ("loans", loans), ("holdings", holdings)):
        result = cli("import", kind, str(path))
        assert result.exit_code == 0, result.stderr
    return cli


def coverage_json(cli: Cli, *args: str) -> dict[str, Any]:
    result = cli("coverage", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    found: dict[str, Any] = result.json()
    return found


def test_products_per_customer_aum_and_good_customers_by_industry(book: Cli) -> None:
    found = coverage_json(book)
    assert found["by"] == "industry" and found["peer_share"] == 0.5
    rows = {g["group"]: g for g in found["groups"]}
    assert found["groups"][0]["group"] is None  # the total first
    total = found["groups"][0]
    assert (total["customers"], total["products_0"], total["products_1"]) == (9, 3, 2)
    assert (total["products_2"], total["products_3_plus"]) == (3, 1)
    assert total["average_products"] == pytest.approx(12 / 9, abs=1e-4)
    assert total["aum"] == 116100.0  # credit cards and closed holdings left out
    assert (total["good"], total["gaps"]) == (6, 3)
    grain = rows["粮油"]
    assert [grain[k] for k in ("customers", "products_0", "products_1", "products_2")] == [
        5, 1, 1, 2,
    ]  # fmt: skip
    assert (grain["products_3_plus"], grain["aum"], grain["good"], grain["gaps"]) == (
        1, 66000.0, 3, 2,
    )  # fmt: skip
    liquor = rows["烟酒"]
    assert (liquor["customers"], liquor["aum"], liquor["good"], liquor["gaps"]) == (
        3, 50100.0, 2, 1,
    )  # fmt: skip


def test_the_gaps_are_good_customers_lacking_what_most_of_their_industry_holds(
    book: Cli,
) -> None:
    found = coverage_json(book)
    assert found["gaps_total"] == 3
    gaps = [(g["customer_id"], g["suggested"], g["peer_share"], g["held"]) for g in found["gaps"]]
    assert gaps == [
        ("C7", "wealth", pytest.approx(2 / 3, abs=1e-4), ""),
        ("C2", "card", 0.6, "deposit,wealth"),
        ("C4", "deposit", 0.6, "card"),
    ]


def test_a_higher_peer_share_leaves_fewer_gaps(book: Cli, tmp_path: Path) -> None:
    config = tmp_path / "no-config.toml"
    config.write_text("[coverage]\npeer_share = 0.65\n", encoding="utf-8")
    found = coverage_json(book)
    assert [g["customer_id"] for g in found["gaps"]] == ["C7"]


def test_by_officer_and_the_gap_list_as_csv(book: Cli) -> None:
    rows = {g["group"]: g for g in coverage_json(book, "--by", "officer")["groups"]}
    assert (rows["王芳"]["customers"], rows["王芳"]["gaps"]) == (5, 1)  # C2
    assert (rows["李强"]["customers"], rows["李强"]["gaps"]) == (4, 2)  # C4, C7
    result = book("coverage", "--gaps", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "customer_id,name,officer,industry,held,aum,suggested,peer_share,missing"
    assert [line.split(",")[0] for line in lines[1:]] == ["C7", "C2", "C4"]


def test_the_table_names_the_suggested_products_in_chinese(book: Cli) -> None:
    result = book("--lang", "zh", "coverage", "--format", "table")
    assert result.exit_code == 0, result.stderr
    assert "交叉营销缺口：3 位优质客户" in result.stdout
    line = next(line for line in result.stdout.splitlines() if line.lstrip().startswith("C2"))
    assert "借记卡" in line and "60%" in line


def test_by_tier_is_an_error_until_tiers_are_configured(book: Cli) -> None:
    result = book("coverage", "--by", "tier")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: customer tiers are not configured")


def test_by_tier_groups_by_the_first_tier_rule_that_holds(book: Cli, tmp_path: Path) -> None:
    (tmp_path / "no-config.toml").write_text(
        '[[tiers]]\nname = "A"\nwhen = "loans_count >= 1 and worst_class == \'正常\'"\n'
        '[[tiers]]\nname = "B"\nwhen = "loans_count >= 1"\n',
        encoding="utf-8",
    )
    found = coverage_json(book, "--by", "tier")
    rows = [(g["group"], g["customers"], g["good"], g["gaps"]) for g in found["groups"]]
    # A: every borrower whose worst days past due are 正常 (the tiers' fact: C6's
    # write-off reports none, so C6 is in A but not good); B: C3 (40 days); no
    # tier: C9 (never borrowed). The gaps (C2, C4, C7) are all in A.
    assert rows == [(None, 9, 6, 3), ("A", 7, 6, 3), ("B", 1, 0, 0), (None, 1, 0, 0)]


def test_a_book_without_holdings_has_no_gaps(cli: Cli, make_csv: Callable[..., Path]) -> None:
    path = make_csv("c.csv", [CUSTOMER_HEADER, ["C1", "客户1", "", "", "粮油", "", ""]])
    assert cli("import", "customers", str(path)).exit_code == 0
    found = coverage_json(cli)
    assert found["gaps"] == [] and found["groups"][0]["products_0"] == 1
    result = cli("coverage", "--format", "table")
    assert "No cross-sell gaps" in result.stdout


def calls_json(cli: Cli) -> dict[str, dict[str, Any]]:
    result = cli("calls", "--format", "json", "--limit", "50")
    assert result.exit_code == 0, result.stderr
    return {row["customer_id"]: row for row in result.json()}


def test_cross_sell_puts_good_customers_with_a_gap_on_the_call_list_below_arrears_and_maturity(
    book: Cli,
) -> None:
    listed = calls_json(book)
    points = {cid: row["cross_sell"] for cid, row in listed.items()}
    assert {cid for cid, p in points.items() if p} == {"C2", "C4", "C7"}
    assert points["C2"] == 2
    order = list(listed)
    # overdue C3 and maturing C5 rank above every customer there for a product
    for gap in ("C2", "C4", "C7"):
        assert order.index("C3") < order.index(gap)
        assert order.index("C5") < order.index(gap)


def test_a_contact_settles_cross_sell_until_its_rhythm_comes_round(book: Cli) -> None:
    assert book("log", "C7", "--channel", "visit", "--outcome", "reached", "--yes").exit_code == 0
    assert calls_json(book).get("C7", {}).get("cross_sell", 0) == 0
    early = book("calls", "--format", "json", "--limit", "50", today="2027-02-28")
    assert {r["customer_id"]: r["cross_sell"] for r in early.json()}.get("C7", 0) == 0
    later = book("calls", "--format", "json", "--limit", "50", today="2027-03-01")
    assert {r["customer_id"]: r["cross_sell"] for r in later.json()}["C7"] == 2


def test_show_has_a_products_line(book: Cli) -> None:
    result = book("show", "C2")
    assert result.exit_code == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if "Products" in line)
    assert line.split() == [
        "Products",
        "deposit,",
        "wealth",
        "product;",
        "AUM",
        "12,000.00;",
        "suggest",
        "debit",
        "card",
    ]
    result = book("--lang", "zh", "show", "C8")
    line = next(line for line in result.stdout.splitlines() if line.strip().startswith("产品"))
    assert line.split() == ["产品", "无"]
