"""What the customer said (issue 8, item 5): outcomes drive the call list.

- 未接通 (no_answer) and 空号 (wrong_number) are attempts, not contacts: they satisfy
  no contact rule and no quiet days; the customer stays on the list with the
  attempts in the reasons, and after ``rhythm.visit_after_failed_calls`` unanswered
  attempts the suggested action is a visit.
- 空号: the phone is unusable until a different one arrives; ``calls`` says so.
- 拒绝 (declined): win-back pauses for ``rhythm.declined_pause_days``.

Today is 2026-12-01 (the Cli fixture's default) unless a test says otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, Result
from tests.test_calls import ANSI, calls, cust, ids, load, loan, row_of

# C1: 57 days past due.   C2: matures in 5 days.   C3: no open loan, closed 2026-06-01.
# C4: disbursed 2026-11-01, its first post-loan check fell due 2026-11-16.
BOOK_CUSTOMERS = [
    cust("C1", "王建国", "13812348001"),
    cust("C2", "李秀英", "13912348002"),
    cust("C3", "张伟", "15012348003"),
    cust("C4", "赵敏", "15112348004"),
]
BOOK_LOANS = [
    loan("L1", "C1", "2025-10-01", "2026-10-05", status="逾期", dpd=57),
    loan("L2", "C2", "2025-12-06", "2026-12-06"),
    loan("L3", "C3", "2025-06-01", "2026-06-01", status="结清", closed="2026-06-01"),
    loan("L4", "C4", "2026-11-01", "2027-11-01"),
]


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    return load(cli, make_csv, BOOK_CUSTOMERS, BOOK_LOANS)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def log(cli: Cli, customer: str, *args: str, today: str | None = None) -> Result:
    return ok(cli("log", customer, *args, today=today))


def table(cli: Cli, *args: str, today: str | None = None, lang: str = "en") -> str:
    result = cli("--lang", lang, *args, today=today, env={"RETAIN_TTY": "1", "COLUMNS": "240"})
    assert result.exit_code == 0, result.stderr
    return ANSI.sub("", result.stdout)


def points(rows: list[dict[str, Any]], customer: str, term: str) -> int:
    value: int = row_of(rows, customer)[term]
    return value


# ---------------------------------------------------------------------------
# 未接通: an attempt is not a contact


def test_an_unanswered_call_leaves_an_overdue_customer_on_the_list(book: Cli) -> None:
    log(book, "C1", "--outcome", "未接通", "--at", "2026-12-01 09:00")
    assert "C1" in ids(calls(book))
    # ... on the next days too: the quiet days count from real contacts only.
    assert "C1" in ids(calls(book, today="2026-12-02"))
    # A real contact does take them off for the quiet days.
    log(book, "C1", "--outcome", "reached", "--at", "2026-12-01 11:00")
    assert "C1" not in ids(calls(book))
    assert "C1" not in ids(calls(book, today="2026-12-03"))


def test_attempts_are_counted_in_the_reasons(book: Cli) -> None:
    log(book, "C1", "--outcome", "no_answer", "--at", "2026-11-30 09:00")
    log(book, "C1", "--outcome", "no_answer", "--at", "2026-12-01 09:00")
    row = row_of(calls(book), "C1")
    assert row["failed_attempts"] == 2
    assert row["last_attempt"] == "2026-12-01 09:00:00"
    # Term names only, for scripts. (L1 was first imported over a check period after
    # its disbursement: its checks start after the import, so none is due yet.)
    assert row["reasons"] == "overdue"
    text = table(book, "calls")
    assert "overdue 57d · 2 attempts, no answer" in text
    assert "2次未接通" in table(book, "calls", lang="zh")
    # A real contact starts the count again.
    log(book, "C1", "--outcome", "promised", "--next", "2026-12-02", "--at", "2026-12-01 10:00")
    row = row_of(calls(book, today="2026-12-02"), "C1")
    assert row["failed_attempts"] == 0 and row["last_attempt"] is None
    assert "attempt" not in table(book, "calls", today="2026-12-02")


def test_one_attempt_says_attempt(book: Cli) -> None:
    log(book, "C1", "--outcome", "no_answer", "--at", "2026-12-01 09:00")
    assert "overdue 57d · 1 attempt, no answer" in table(book, "calls")


def test_after_three_unanswered_calls_the_action_is_a_visit(book: Cli) -> None:
    plain = row_of(calls(book), "C1")["action"]
    for when in ("2026-11-29 09:00", "2026-11-30 09:00"):
        log(book, "C1", "--outcome", "no_answer", "--at", when)
    assert row_of(calls(book), "C1")["action"] == plain
    log(book, "C1", "--outcome", "no_answer", "--at", "2026-12-01 09:00")
    assert row_of(calls(book), "C1")["action"] == "visit: 3 attempts unanswered"
    zh = calls(book, env={"RETAIN_LANG": "zh"})
    assert row_of(zh, "C1")["action"] == "上门拜访（3次未接通）"


def test_visit_after_failed_calls_is_a_setting(
    book: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[rhythm]\nvisit_after_failed_calls = 1\n", encoding="utf-8")
    monkeypatch.setenv("RETAIN_CONFIG", str(config))
    log(book, "C1", "--outcome", "no_answer", "--at", "2026-12-01 09:00")
    assert row_of(calls(book), "C1")["action"] == "visit: 1 attempt unanswered"


@pytest.mark.parametrize("outcome", ["no_answer", "wrong_number"])
def test_attempts_satisfy_no_contact_rule(book: Cli, outcome: str) -> None:
    before = calls(book)
    for customer in ("C1", "C2", "C3", "C4"):
        log(book, customer, "--outcome", outcome, "--at", "2026-12-01 09:00")
    after = calls(book)
    for customer, term in (
        ("C1", "overdue"),
        ("C2", "maturing"),
        ("C3", "win_back"),
        ("C4", "post_loan_check"),
    ):
        assert points(after, customer, term) == points(before, customer, term) > 0
    # Whereas a real contact satisfies them (the overdue term keeps its points
    # but the customer is quiet for three days).
    for customer in ("C1", "C2", "C3", "C4"):
        log(book, customer, "--outcome", "reached", "--at", "2026-12-01 10:00")
    assert calls(book) == []


def test_an_attempt_does_not_satisfy_a_promised_follow_up(book: Cli) -> None:
    log(book, "C4", "--outcome", "promised", "--next", "2026-12-03", "--at", "2026-12-01 09:00")
    log(book, "C4", "--outcome", "no_answer", "--at", "2026-12-03 09:00", today="2026-12-03")
    row = row_of(calls(book, today="2026-12-04"), "C4")
    assert row["follow_up"] > 0 and row["next_on"] == "2026-12-03"
    # An attempt that names a new date reschedules the follow-up explicitly.
    log(book, "C4", "--outcome", "no_answer", "--next", "2026-12-07", "--at", "2026-12-04 09:00",
        today="2026-12-04")  # fmt: skip
    assert "C4" not in ids(calls(book, today="2026-12-04"))  # nothing else is due
    assert row_of(calls(book, today="2026-12-07"), "C4")["next_on"] == "2026-12-07"


def test_history_and_show_still_list_attempts(book: Cli) -> None:
    log(book, "C1", "--outcome", "reached", "--at", "2026-11-20 09:00")
    log(book, "C1", "--outcome", "no_answer", "--at", "2026-12-01 09:00")
    rows = book("history", "C1", "--format", "json").json()
    assert [r["outcome"] for r in rows] == ["no_answer", "reached"]
    card = table(book, "show", "C1")
    assert re.search(r"2026-12-01 09:00\s+call\s+no answer", card)
    assert re.search(r"2026-11-20 09:00\s+call\s+reached", card)
    assert "1 attempt, no answer" in card


def test_explain_shows_the_attempts_and_the_visit(book: Cli) -> None:
    for when in ("2026-11-29 09:00", "2026-11-30 09:00", "2026-12-01 09:00"):
        log(book, "C1", "--outcome", "no_answer", "--at", when)
    text = table(book, "calls", "--explain", "C1")
    assert "3 attempts with no answer since the last contact (last 2026-12-01 09:00)" in text
    assert "suggested action: visit (after 3 unanswered)" in text
    payload = book("calls", "--explain", "C1", "--format", "json").json()
    assert payload["failed_attempts"] == 3
    assert payload["action"] == "visit: 3 attempts unanswered"


# ---------------------------------------------------------------------------
# 空号: the phone is unusable until a different one arrives


def test_wrong_number_shows_phone_unusable_on_calls(book: Cli) -> None:
    log(book, "C2", "--outcome", "空号", "--at", "2026-11-30 09:00")
    row = row_of(calls(book), "C2")
    assert row["phone_unusable_since"] == "2026-11-30"
    assert row["action"] == "phone unusable — update"
    assert row_of(calls(book), "C1")["phone_unusable_since"] is None
    assert "phone unusable — update" in table(book, "calls")
    assert "号码无效，请更新" in table(book, "calls", lang="zh")


def test_show_says_since_when_the_phone_is_unusable(book: Cli) -> None:
    log(book, "C2", "--outcome", "wrong_number", "--at", "2026-11-30 09:00")
    card = table(book, "show", "C2")
    assert re.search(r"Phone\s+139\*\*\*\*8002 \(unusable since 2026-11-30 — update\)", card)
    zh = table(book, "show", "C2", lang="zh")
    assert "（2026-11-30 起无效，请更新）" in zh
    assert "unusable" not in table(book, "show", "C1")


def test_explain_says_the_phone_is_unusable(book: Cli) -> None:
    log(book, "C2", "--outcome", "wrong_number", "--at", "2026-11-30 09:00")
    text = table(book, "calls", "--explain", "C2")
    assert "phone unusable since 2026-11-30 (wrong number): update it" in text


# ---------------------------------------------------------------------------
# 拒绝: win-back pauses


def test_declined_pauses_win_back_for_180_days(book: Cli) -> None:
    assert points(calls(book), "C3", "win_back") == 10
    log(book, "C3", "--outcome", "拒绝", "--at", "2026-12-01 09:00")
    # 60 days later the win-back rhythm would call again; the refusal holds it.
    for today in ("2027-01-30", "2027-03-01", "2027-05-29"):
        assert "C3" not in ids(calls(book, today=today)), today
        explained = book("calls", "--explain", "C3", "--format", "json", today=today).json()
        win_back = [t for t in explained["terms"] if t["term"] == "win_back"][0]
        assert win_back["points"] == 0
        assert "paused until 2027-05-30: declined on 2026-12-01" in win_back["rule"]
    assert points(calls(book, today="2027-05-30"), "C3", "win_back") == 10


def test_other_outcomes_do_not_pause_win_back(book: Cli) -> None:
    log(book, "C3", "--outcome", "reached", "--at", "2026-12-01 09:00")
    assert points(calls(book, today="2027-01-30"), "C3", "win_back") == 10


def test_declined_pause_is_a_setting(
    book: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[rhythm]\ndeclined_pause_days = 90\n", encoding="utf-8")
    monkeypatch.setenv("RETAIN_CONFIG", str(config))
    log(book, "C3", "--outcome", "declined", "--at", "2026-12-01 09:00")
    assert "C3" not in ids(calls(book, today="2027-02-28"))
    assert points(calls(book, today="2027-03-01"), "C3", "win_back") == 10


def test_win_back_reminders_resume_at_the_pause_end(book: Cli) -> None:
    log(book, "C3", "--outcome", "declined", "--at", "2026-12-01 09:00")
    result = ok(
        book("export", "reminders", "--kinds", "win_back", "--days", "10", "--format", "json",
             today="2027-05-25")
    )  # fmt: skip
    rows = result.json()
    assert [(r["customer_id"], r["date"]) for r in rows] == [("C3", "2027-05-30")]
    # The same reminder, with the same id, seen from inside the window.
    again = ok(
        book("export", "reminders", "--kinds", "win_back", "--days", "3", "--format", "json",
             today="2027-05-30")
    ).json()  # fmt: skip
    assert [r["reminder_id"] for r in again] == [rows[0]["reminder_id"]]
    # Nothing before the pause ends.
    none = ok(
        book("export", "reminders", "--kinds", "win_back", "--days", "30", "--format", "json",
             today="2027-01-20")
    ).json()  # fmt: skip
    assert none == []


def test_explain_rule_of_win_back_names_the_pause(book: Cli) -> None:
    explained = book("calls", "--explain", "C3", "--format", "json").json()
    win_back = [t for t in explained["terms"] if t["term"] == "win_back"][0]
    assert "a refusal pauses it 180 days" in win_back["rule"]


# A SQLite store from before m010 upgraded in place: a PostgreSQL store is made
# at the current schema and never runs SQLite's migration steps.
@pytest.mark.sqlite_only
def test_the_migration_fills_the_attempt_columns_from_the_log(book: Cli) -> None:
    """A store whose log predates the attempt columns gets them from its contacts."""
    import sqlite3

    import sqlite_utils

    from retain.migrations import m010_outcomes_attempts_and_removals

    log(book, "C1", "--outcome", "reached", "--at", "2026-11-20 09:00")
    log(book, "C1", "--outcome", "no_answer", "--at", "2026-11-30 09:00")
    log(book, "C1", "--outcome", "no_answer", "--at", "2026-12-01 09:00")
    log(book, "C3", "--outcome", "declined", "--at", "2026-12-01 09:00")
    expected = calls(book)
    conn = sqlite3.connect(book.db)
    # As the store was before: the latest contact of any outcome, no attempt columns.
    conn.executescript(
        """
        UPDATE customers SET last_contact_at = '2026-12-01 09:00:00', last_outcome = 'no_answer';
        ALTER TABLE customers DROP COLUMN failed_attempts;
        ALTER TABLE customers DROP COLUMN last_attempt_at;
        ALTER TABLE customers DROP COLUMN declined_day;
        ALTER TABLE changes DROP COLUMN recorded_at;
        """
    )
    m010_outcomes_attempts_and_removals(sqlite_utils.Database(conn))
    conn.commit()
    conn.close()
    assert calls(book) == expected
    assert row_of(expected, "C1")["failed_attempts"] == 2
    assert "C3" not in ids(expected)
