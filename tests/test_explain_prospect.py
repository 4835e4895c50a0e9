"""`calls --explain P<n>`: why a prospect is on today's list, or why not (issue 13).

An officer who sees P1 on the list asks why, as for a customer; one who misses
a prospect asks when it will come. Days scripted with --today.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.test_pipeline import import_book, ok, seed_prospect
from tests.test_prospects import error


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    import_book(cli, make_csv)
    return cli


def explained(cli: Cli, pid: str, today: str, lang: str = "en") -> dict[str, Any]:
    found: dict[str, Any] = ok(
        cli("calls", "--explain", pid, "--format", "json", today=today, env={"RETAIN_LANG": lang})
    ).json()
    return found


def test_a_new_prospect_day_by_day(book: Cli) -> None:
    seed_prospect(book.db, 1, "circle", "王芳", [("new", "2026-12-01")], name="孙八")
    before = explained(book, "P1", "2026-12-02")
    assert (before["score"], before["rank"], before["listed"]) == (0, None, False)
    assert before["notes"] == [
        "A new prospect not yet contacted is called 2 days after entry: on 2026-12-03."
    ]
    table = ok(book("calls", "--explain", "P1", today="2026-12-02")).stdout
    assert "Not on today's list: no rule applies today." in table
    # On the day it falls due: the same score and rank as the list shows.
    on_list = {r["customer_id"]: r for r in ok(book("calls", "--format", "json",
               today="2026-12-03")).json()}  # fmt: skip
    now = explained(book, "P1", "2026-12-03")
    assert (now["score"], now["rank"], now["listed"]) == (20, on_list["P1"]["rank"], True)
    assert now["customer_id"] == "P1"
    terms = {line["term"]: line for line in now["terms"]}
    assert terms["prospect"]["points"] == 20
    assert "new prospect, not contacted for 2 days" in terms["prospect"]["rule"]
    assert all(line["points"] == 0 for name, line in terms.items() if name != "prospect")
    table = ok(book("calls", "--explain", "P1", today="2026-12-03")).stdout
    assert "Why 孙八 (P1) scores 20" in table
    assert f"On today's list at rank {on_list['P1']['rank']}." in table


def test_a_prospect_waiting_for_its_next_date(book: Cli) -> None:
    seed_prospect(
        book.db, 2, "referral", "李强", [("new", "2026-11-20"), ("contacted", "2026-11-21")],
        next_on="2026-12-05", last_contact="2026-11-21",
    )  # fmt: skip
    zh = explained(book, "P2", "2026-12-04", lang="zh")
    assert zh["notes"] == ["约定 2026-12-05 跟进。"]
    assert explained(book, "P2", "2026-12-05")["listed"] is True


@pytest.mark.parametrize(
    ("history", "extra", "why"),
    [
        ([("new", "2026-11-01"), ("lost", "2026-11-05")], {"lost_reason": "no_need"},
         "The prospect is lost: `prospect move` reopens it."),
        ([("new", "2026-11-01"), ("disbursed", "2026-11-05")], {"customer_id": "C1"},
         "A customer now (C1): explain C1."),
    ],
)  # fmt: skip
def test_closed_prospects_are_never_listed_and_say_why(
    book: Cli, history: list[tuple[str, str]], extra: dict[str, str], why: str
) -> None:
    seed_prospect(book.db, 3, "circle", "王芳", history, **extra)
    found = explained(book, "P3", "2026-12-03")
    assert (found["score"], found["listed"], found["notes"]) == (0, False, [why])


def test_an_unknown_prospect_is_an_error(book: Cli) -> None:
    assert "unknown prospect id: P9" in error(book("calls", "--explain", "P9"), 1)
