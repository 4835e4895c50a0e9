"""The calls ``prospect`` term: prospects due a call are listed beside customers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.test_pipeline import import_book, ok, seed_prospect


def listed(cli: Cli, *args: str, today: str | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(cli("calls", *args, "--format", "json", today=today)).json()
    return found


def ids(cli: Cli, *args: str, today: str | None = None) -> list[str]:
    return [row["customer_id"] for row in listed(cli, *args, today=today)]


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    import_book(cli, make_csv)
    return cli


def test_a_new_prospect_is_listed_after_the_first_contact_days(book: Cli) -> None:
    seed_prospect(book.db, 1, "circle", "王芳", [("new", "2026-12-01")], name="孙八")
    assert "P1" not in ids(book, today="2026-12-01")
    assert "P1" not in ids(book, today="2026-12-02")
    rows = listed(book, today="2026-12-03")
    row = next(r for r in rows if r["customer_id"] == "P1")
    assert (row["name"], row["reasons"], row["score"], row["prospect"]) == (
        "孙八",
        "prospect",
        20,
        20,
    )
    assert row["officer"] == "王芳"
    assert row["overdue"] == 0
    table = ok(book("calls", "--format", "table", today="2026-12-03")).stdout
    assert "new prospect, not contacted for 2 days" in table
    assert "孙八 (P1)" in table


def test_a_prospect_whose_next_date_has_come(book: Cli) -> None:
    seed_prospect(
        book.db, 2, "referral", "李强", [("new", "2026-11-20"), ("contacted", "2026-11-21")],
        next_on="2026-12-05", last_contact="2026-11-21",
    )  # fmt: skip
    assert "P2" not in ids(book, today="2026-12-04")
    zh = ok(book("calls", "--format", "table", today="2026-12-05", env={"RETAIN_LANG": "zh"}))
    assert "潜在客户 约定跟进 2026-12-05" in zh.stdout
    assert "联系潜在客户" in zh.stdout


def test_prospects_follow_the_filters(book: Cli) -> None:
    seed_prospect(book.db, 1, "circle", "王芳", [("new", "2026-11-01")])
    seed_prospect(book.db, 2, "circle", "李强", [("new", "2026-11-01")])
    assert [i for i in ids(book, "--officer", "李强") if i.startswith("P")] == ["P2"]
    assert ids(book, "--reason", "prospect") == ["P1", "P2"]
    assert ids(book, "--reason", "潜在客户", "--limit", "1") == ["P1"]
    assert not [i for i in ids(book, "--reason", "maturing") if i.startswith("P")]


def test_closed_lost_and_forgotten_prospects_are_not_called(book: Cli) -> None:
    seed_prospect(book.db, 1, "circle", None, [("new", "2026-11-01"), ("lost", "2026-11-02")])
    seed_prospect(
        book.db, 2, "circle", None, [("new", "2026-11-01"), ("disbursed", "2026-11-20")],
        next_on="2026-11-25",
    )  # fmt: skip
    assert ids(book, "--reason", "prospect") == []


def test_prospects_rank_among_customers_by_points(book: Cli) -> None:
    seed_prospect(book.db, 1, "circle", None, [("new", "2026-11-01")])
    rows = listed(book)
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert "P1" in [r["customer_id"] for r in rows]


def test_prospects_never_get_reminders(book: Cli) -> None:
    seed_prospect(book.db, 1, "circle", None, [("new", "2026-11-01")])
    for audience in ("officer", "customer"):
        out = ok(
            book("export", "reminders", "--days", "30", "--audience", audience, "--format", "json")
        )
        assert "P1" not in out.stdout


def test_the_weight_and_rhythm_are_settings(book: Cli, tmp_path: Path) -> None:
    seed_prospect(book.db, 1, "circle", None, [("new", "2026-11-29")])
    assert "P1" in ids(book)
    config = tmp_path / "c.toml"
    config.write_text("[rhythm]\nprospect_first_contact_days = 5\n", encoding="utf-8")
    env = {"RETAIN_CONFIG": str(config)}
    out = ok(book("calls", "--format", "json", env=env)).json()
    assert "P1" not in [r["customer_id"] for r in out]
    config.write_text("[weights]\nprospect = 0\n", encoding="utf-8")
    out = ok(book("calls", "--format", "json", env=env)).json()
    assert "P1" not in [r["customer_id"] for r in out]


def test_day_by_day_through_the_real_commands(book: Cli) -> None:
    """Added on day 0; not on calls day 1; on calls day 2; gone once contacted."""
    added = ok(book("prospect", "add", "周九", "--channel", "圈", "--officer", "王芳"))
    pid = added.stdout.strip()
    assert pid.startswith("P")
    assert pid not in ids(book, today="2026-12-01")
    assert pid not in ids(book, today="2026-12-02")
    row = next(r for r in listed(book, today="2026-12-03") if r["customer_id"] == pid)
    assert row["reasons"] == "prospect" and row["name"] == "周九"
    ok(book("prospect", "move", pid, "contacted", today="2026-12-03"))
    assert pid not in ids(book, today="2026-12-03")
    assert pid not in ids(book, today="2026-12-20")


def test_a_logged_call_settles_it_until_the_next_date(book: Cli) -> None:
    """The officer's own log, not a stage move: an unanswered call leaves the
    prospect on the list; a reached call with --next takes it off until then."""
    pid = ok(book("prospect", "add", "郑十一", "--officer", "王芳")).stdout.strip()
    assert pid in ids(book, today="2026-12-03")
    ok(book("log", pid, "--outcome", "no_answer", today="2026-12-03"))
    assert pid in ids(book, today="2026-12-03")
    ok(book("log", pid, "--outcome", "reached", "--next", "2026-12-10", today="2026-12-04"))
    assert pid not in ids(book, today="2026-12-04")
    assert pid not in ids(book, today="2026-12-09")
    assert pid in ids(book, today="2026-12-10")
    # Not called on its date: it stays on the list the days after.
    assert pid in ids(book, today="2026-12-11")


def test_a_next_date_given_on_add(book: Cli) -> None:
    pid = ok(book("prospect", "add", "吴十", "--next", "2026-12-05")).stdout.strip()
    assert pid not in ids(book, today="2026-12-04")
    assert pid in ids(book, today="2026-12-05")
    ok(book("prospect", "move", pid, "lost", "--reason", "无需求", today="2026-12-05"))
    assert pid not in ids(book, today="2026-12-05")
