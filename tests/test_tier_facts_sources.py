"""``retain tiers`` joins only the fact sources its rules, balance and split read
(issue 14): a rule on any one fact still finds it, whichever source it is in.

The reference is every fact of every customer (``facts_sql`` with all sources)
and the rules evaluated in Python (``tier_rules.evaluate``); a source left out
wrongly makes the command fail or miscount.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from retain.config import Config
from retain.tier_rules import evaluate, parse
from retain.tiers import fact_kinds, facts, facts_sql
from tests.conftest import Cli
from tests.test_tiers import configure, tier_book

__all__ = ["tier_book"]  # the fixture, used by name

TODAY_DAY = 20788  # 2026-12-01

#: For each fact, a rule some customers of the book meet and others do not.
WHEN = {
    "industry": "industry == '烟酒'",
    "officer": "officer == '王芳'",
    "loans_count": "loans_count >= 2",
    "total_borrowed": "total_borrowed > 100000",
    "balance": "balance >= 80000",
    "max_days_past_due": "max_days_past_due > 30",
    "years_as_customer": "years_as_customer > 2",
    "worst_class": "worst_class == '正常'",
    "referrals_converted": "referrals_converted >= 1",
    "products_held": "products_held >= 2",
    "aum": "aum > 100000",
    "group": "group == '东门市场'",
}


@pytest.fixture
def full_book(tier_book: Cli, make_csv: Callable[..., Path]) -> Cli:
    """The tier book with holdings, groups and a converted referral: every source has rows."""
    holdings = make_csv(
        "holdings.csv",
        [
            ["客户编号", "产品类型", "账号", "余额", "开户日期", "销户日期"],
            ["A4", "活期", "6222001", "200000", "2025-01-05", ""],
            ["A4", "理财", "W001", "150000", "2026-03-01", ""],
            ["A2", "活期", "6222002", "1000", "2025-01-05", ""],
            ["A2", "信用卡", "4392002", "9000", "2025-06-01", ""],
        ],
    )  # fmt: skip
    assert tier_book("import", "holdings", str(holdings)).exit_code == 0
    assert tier_book("group", "add", "东门市场", today="2026-11-01").exit_code == 0
    assert tier_book("group", "join", "东门市场", "A3", "A4", today="2026-11-01").exit_code == 0
    with closing(tier_book.connect()) as conn:
        conn.execute(
            "INSERT INTO prospects (channel, referrer_customer_id, stage, stage_day, entered_on,"
            " entered_day, created_at, updated_at) VALUES ('referral', 'A5', 'disbursed', 20000,"
            " '2026-11-01', 20000, 'x', 'x')"
        )
    return tier_book


def expected(cli: Cli, when: str, by: str | None = None) -> Counter[tuple[str | None, Any]]:
    sql, params = facts_sql(Config())
    rows = [dict(r) for r in cli.sql(sql, {**params, "t": TODAY_DAY})]
    rule = parse(when, fact_kinds())
    return Counter(
        ("T" if evaluate(rule, row) is True else None, row[by] if by else None) for row in rows
    )


def counted(cli: Cli, tmp_path: Path, when: str, *by: str) -> Counter[tuple[str | None, Any]]:
    config = f'[[tiers]]\nname = "T"\nwhen = "{when}"\n'
    result = cli("tiers", *by, "--format", "json", env=configure(tmp_path, config))
    assert result.exit_code == 0, result.stderr
    return Counter({(r["tier"], r["group"]): r["customers"] for r in result.json()["tiers"]})


def test_every_fact_has_a_rule_here() -> None:
    assert set(WHEN) == {fact.name for fact in facts()}


@pytest.mark.parametrize("fact", sorted(WHEN))
def test_a_rule_on_one_fact_finds_its_source(full_book: Cli, tmp_path: Path, fact: str) -> None:
    found = counted(full_book, tmp_path, WHEN[fact])
    assert found == expected(full_book, WHEN[fact])
    assert 0 < found[("T", None)] < 5  # the rule splits the book


@pytest.mark.parametrize("by", ["group", "officer", "industry"])
def test_the_split_finds_its_source_when_no_rule_reads_it(
    full_book: Cli, tmp_path: Path, by: str
) -> None:
    when = WHEN["aum"]
    assert counted(full_book, tmp_path, when, "--by", by) == expected(full_book, when, by)


def test_the_whole_book_reads_the_loans_from_their_index(full_book: Cli) -> None:
    """The speed of ``tiers`` on a big book rests on this plan (m031)."""
    from retain.tiers import tiered_sql

    sql, params = tiered_sql(Config(), needed={"balance"})
    values = {**params, "t": TODAY_DAY}
    if full_book.on_postgres:
        # PostgreSQL's planner picks its own path (the translator drops INDEXED BY);
        # what holds on both stores is that no source the rules do not read is joined.
        from retain.postgres.translate import translate

        done = translate(sql)
        with closing(full_book.connect()) as conn:
            rows = conn.raw.execute(f"EXPLAIN {done.sql}", [values[k] for k in done.keys])
            plan = " | ".join(str(row[0]) for row in rows)
        assert "loans" in plan
    else:
        with closing(full_book.connect()) as conn:
            plan = " | ".join(
                str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", values)
            )
        assert "SCAN l USING COVERING INDEX loans_tier_facts" in plan
    assert "holdings" not in plan and "group_members" not in plan
