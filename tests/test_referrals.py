"""``retain referrals`` and the referrals line of ``show``: a three-level tree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.test_pipeline import import_book, ok, seed_prospect


@pytest.fixture
def tree(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    """C1 referred P11 (now C2) and P12 (lost); C2 referred P13 (now C3), and
    P11 had referred P14 before it borrowed; C3 referred P15."""
    import_book(cli, make_csv)
    db = cli.db
    seed_prospect(
        db, 11, "referral", "王芳", [("new", "2026-11-01"), ("disbursed", "2026-11-20")],
        customer_id="C2", referrer_customer_id="C1", name="李秀英",
    )  # fmt: skip
    seed_prospect(
        db, 12, "referral", "王芳", [("new", "2026-11-02"), ("lost", "2026-11-04")],
        lost_reason="rate", referrer_customer_id="C1", name="赵六",
    )  # fmt: skip
    seed_prospect(
        db, 13, "referral", "李强", [("new", "2026-11-10"), ("disbursed", "2026-11-25")],
        customer_id="C3", referrer_customer_id="C2", name="张伟",
    )  # fmt: skip
    seed_prospect(
        db, 14, "referral", "王芳", [("new", "2026-11-06"), ("contacted", "2026-11-07")],
        referrer_prospect_id=11, name="钱七",
    )  # fmt: skip
    seed_prospect(
        db, 15, "referral", "李强", [("new", "2026-11-28")],
        referrer_customer_id="C3", name="孙八", need_fen=2_000_000,
    )  # fmt: skip
    return cli


def test_the_tree_three_levels_deep(tree: Cli) -> None:
    found: list[dict[str, Any]] = ok(tree("referrals", "C1", "--format", "json")).json()
    assert [(r["depth"], r["id"], r["parent_id"]) for r in found] == [
        (0, "C1", None),
        (1, "P11", "C1"),
        (2, "P13", "P11"),
        (3, "P15", "P13"),
        (2, "P14", "P11"),
        (1, "P12", "C1"),
    ]
    by_id = {r["id"]: r for r in found}
    assert by_id["P11"] | {} == {
        "depth": 1, "id": "P11", "parent_id": "C1", "name": "李秀英", "stage": "disbursed",
        "lost_reason": None, "channel": "referral", "customer_id": "C2", "need": None,
        "disbursed_amount": 50000.0, "balance": 40000.0,
    }  # fmt: skip
    assert (by_id["P13"]["customer_id"], by_id["P13"]["balance"]) == ("C3", 30000.0)
    assert (by_id["P15"]["stage"], by_id["P15"]["need"]) == ("new", 20000.0)
    assert (by_id["P12"]["stage"], by_id["P12"]["lost_reason"]) == ("lost", "rate")


def test_the_tree_as_a_table(tree: Cli) -> None:
    out = ok(tree("referrals", "C1", "--format", "table")).stdout
    lines = out.splitlines()
    assert lines[0] == "C1 王建国"
    assert lines[1].startswith("├─ P11 李秀英 · Disbursed · now customer C2")
    assert "disbursed 50,000.00, balance 40,000.00" in lines[1]
    assert lines[2].startswith("│  ├─ P13 张伟 · Disbursed · now customer C3")
    assert lines[3].startswith("│  │  └─ P15 孙八 · New · needs 20,000.00")
    assert lines[4].startswith("│  └─ P14 钱七 · Contacted")
    assert lines[5] == "└─ P12 赵六 · lost: rate"
    assert "5 referred in all (2 directly), 2 converted, balance 70,000.00" in out
    zh = ok(tree("referrals", "C1", "--format", "table", env={"RETAIN_LANG": "zh"})).stdout
    assert "└─ P12 赵六 · 流失：利率" in zh


def test_a_branch_of_the_tree(tree: Cli) -> None:
    found = ok(tree("referrals", "C2", "--format", "json")).json()
    assert [(r["depth"], r["id"]) for r in found] == [(0, "C2"), (1, "P13"), (2, "P15")]


def test_top_referrers(tree: Cli) -> None:
    found = ok(tree("referrals", "--format", "json")).json()
    assert [(r["customer_id"], r["referred"], r["converted"], r["balance"]) for r in found] == [
        ("C1", 2, 1, 40000.0),
        ("C2", 1, 1, 30000.0),
        ("C3", 1, 0, 0.0),
    ]
    assert [
        r["customer_id"] for r in ok(tree("referrals", "--limit", "1", "--format", "json")).json()
    ] == ["C1"]
    assert [
        r["customer_id"]
        for r in ok(tree("referrals", "--officer", "李强", "--format", "json")).json()
    ] == ["C3"]
    table = ok(tree("referrals", "--format", "table")).stdout
    assert "Top referrers" in table and "40,000.00" in table


def test_show_card_has_the_referrals_line(tree: Cli) -> None:
    card = ok(tree("show", "C1")).stdout
    line = next(x for x in card.splitlines() if "Referrals" in x)
    assert "2 referred, 1 converted, balance 40,000.00" in line
    assert "1 referred, 1 converted, balance 30,000.00" in ok(tree("show", "C2")).stdout
    assert "转介绍" in ok(tree("show", "C1", env={"RETAIN_LANG": "zh"})).stdout


def test_no_referrals_line_without_referrals(cli: Cli, make_csv: Callable[..., Path]) -> None:
    import_book(cli, make_csv)
    assert "Referrals" not in ok(cli("show", "C1")).stdout
    assert "No customer has referred anyone yet." in ok(cli("referrals", "-f", "table")).stdout
    assert "No referrals yet." in ok(cli("referrals", "C1", "-f", "table")).stdout


def test_a_customer_who_referred_no_one(tree: Cli) -> None:
    found = ok(tree("referrals", "C3", "--format", "json")).json()
    assert [r["id"] for r in found] == ["C3", "P15"]
    out = ok(tree("referrals", "C3", "--format", "table")).stdout
    assert "1 referred in all (1 directly), 0 converted" in out


def test_an_unknown_customer_is_one_error(tree: Cli) -> None:
    result = tree("referrals", "C404")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: unknown customer id: C404")
