"""A prospect's contacts corrected as a customer's are (issue 13, the day's work):
a likely double entry is caught before it is logged, and a contact logged by
mistake is removed with `contacts undo --prospect`, the stage it moved going
back with it. Driven through the real CLI over several days."""

from __future__ import annotations

from tests.conftest import Cli, Result
from tests.test_log import book as book  # a fixture
from tests.test_prospects import add, error, listed, ok, stages


def audit_rows(cli: Cli, entity: str) -> dict[str, str | None]:
    rows = cli.sql(
        "SELECT field, old_value FROM changes WHERE entity = ? AND new_value IS NULL",
        (entity,),
    )
    return {row[0]: row[1] for row in rows}


def history_ids(cli: Cli, pid: str) -> list[int]:
    return [row["contact_id"] for row in ok(cli("history", pid, "--format", "json")).json()]


def test_the_same_prospect_call_logged_twice_is_caught(cli: Cli) -> None:
    pid = add(cli, "张三", "--phone", "13812345678", today="2026-11-02")
    ok(cli("log", pid, "--outcome", "no_answer", "--at", "2026-11-02 09:00", today="2026-11-02"))
    # Five minutes later, the same channel and outcome: in a script, refused.
    again = cli("log", pid, "--outcome", "no_answer", "--at", "2026-11-02 09:05",
                today="2026-11-02")  # fmt: skip
    assert f"{pid} already has a call/no answer contact at 2026-11-02 09:00" in again.stderr
    assert "--yes" in error(again, 1)
    assert len(history_ids(cli, pid)) == 1
    # Said on purpose: logged.
    ok(cli("log", pid, "--outcome", "no_answer", "--at", "2026-11-02 09:05", "--yes",
           today="2026-11-02"))  # fmt: skip
    assert len(history_ids(cli, pid)) == 2
    # Another outcome, or the same one an hour later, is no double entry.
    ok(cli("log", pid, "--outcome", "reached", "--at", "2026-11-02 09:06", today="2026-11-02"))
    ok(cli("log", pid, "--outcome", "no_answer", "--at", "2026-11-02 10:30", today="2026-11-02"))
    assert len(history_ids(cli, pid)) == 4


def test_the_duplicate_warning_speaks_chinese(cli: Cli) -> None:
    pid = add(cli, "张三", "--phone", "13812345678", today="2026-11-02")
    ok(cli("log", pid, "--at", "2026-11-02 09:00", today="2026-11-02"))
    again = cli("--lang", "zh", "log", pid, "--at", "2026-11-02 09:01", today="2026-11-02")
    assert f"警告：{pid} 在 2026-11-02 09:00 已有一条" in again.stderr
    error(again, 1)


def test_undo_of_the_first_contact_takes_the_prospect_back_to_new(cli: Cli) -> None:
    pid = add(cli, "张三", "--phone", "13812345678", "--next", "+5d", today="2026-11-01")
    ok(cli("log", pid, "--outcome", "reached", "--next", "+3d", today="2026-11-02"))
    assert listed(cli)[pid]["stage"] == "contacted"
    # The next morning the officer sees it was meant for another prospect.
    done = ok(cli("contacts", "undo", "--prospect", pid, today="2026-11-03"))
    assert f"({pid})" in done.stderr and "Kept in the audit trail" in done.stderr
    row = listed(cli)[pid]
    # Back as it was: new since the 1st, never contacted, `add --next` due again.
    assert (row["stage"], row["stage_on"]) == ("new", "2026-11-01")
    assert (row["last_contact_on"], row["next_on"]) == (None, "2026-11-06")
    assert stages(cli, pid) == [("new", "2026-11-01", None, "manual")]
    assert history_ids(cli, pid) == []
    kept = audit_rows(cli, "prospect_contact")
    assert (kept["outcome"], kept["prospect_id"]) == ("reached", pid[1:])
    # Nothing is left to undo for this prospect.
    assert f"no contact of {pid} to undo" in error(
        cli("contacts", "undo", "--prospect", pid, today="2026-11-03"), 1
    )


def test_undo_keeps_the_stage_while_a_real_contact_remains(cli: Cli) -> None:
    pid = add(cli, "张三", "--phone", "13812345678", today="2026-11-01")
    ok(cli("log", pid, "--outcome", "reached", "--at", "2026-11-02 10:00", today="2026-11-02"))
    ok(cli("log", pid, "--channel", "visit", "--at", "2026-11-04 15:00", today="2026-11-04"))
    first = history_ids(cli, pid)[-1]  # newest first: the 2 Nov call is last
    # Removing the first contact dates the contacted stage from the one left.
    ok(cli("contacts", "undo", "--prospect", pid, str(first), today="2026-11-05"))
    assert stages(cli, pid) == [
        ("new", "2026-11-01", None, "manual"),
        ("contacted", "2026-11-04", None, "log"),
    ]
    row = listed(cli)[pid]
    assert (row["stage"], row["stage_on"], row["last_contact_on"]) == (
        "contacted",
        "2026-11-04",
        "2026-11-04",
    )


def test_undo_leaves_the_officers_later_moves_alone(cli: Cli) -> None:
    pid = add(cli, "张三", "--phone", "13812345678", today="2026-11-01")
    ok(cli("log", pid, today="2026-11-02"))
    ok(cli("prospect", "move", pid, "applied", today="2026-11-03"))
    ok(cli("contacts", "undo", "--prospect", pid, today="2026-11-04"))
    # The application happened; only the contact is gone.
    assert [s[0] for s in stages(cli, pid)] == ["new", "contacted", "applied"]
    assert listed(cli)[pid]["last_contact_on"] is None


def test_undo_by_id_is_checked_against_the_prospect(cli: Cli) -> None:
    one = add(cli, "张三", "--phone", "13812345678", today="2026-11-01")
    two = add(cli, "李四", "--phone", "13912345678", today="2026-11-01")
    ok(cli("log", one, today="2026-11-02"))
    theirs = history_ids(cli, one)[0]
    assert f"contact {theirs} is not one of {two}" in error(
        cli("contacts", "undo", "--prospect", two, str(theirs)), 1
    )
    assert "unknown prospect id: P99" in error(cli("contacts", "undo", "--prospect", "P99"), 1)
    assert history_ids(cli, one) == [theirs]


def test_plain_undo_never_removes_an_older_customer_contact_instead(cli: Cli, book: Cli) -> None:
    pid = add(cli, "张三", "--phone", "13812345678", today="2026-11-01")
    ok(cli("log", "C1", "--at", "2026-11-02 09:00", today="2026-11-02"))
    ok(cli("log", pid, "--at", "2026-11-02 09:30", today="2026-11-02"))
    # The last entry was the prospect's: plain undo says how to remove it and
    # leaves C1's call alone.
    refused = error(cli("contacts", "undo", today="2026-11-02"), 1)
    assert f"--prospect {pid}" in refused
    assert len(ok(cli("history", "C1", "--format", "json")).json()) == 1
    ok(cli("contacts", "undo", "--prospect", pid, today="2026-11-02"))
    # Now the last entry is C1's call again.
    ok(cli("contacts", "undo", today="2026-11-02"))
    assert ok(cli("history", "C1", "--format", "json")).json() == []


def test_undo_then_log_again_on_another_day(cli: Cli) -> None:
    """Logged on Monday, undone on Tuesday, logged right on Wednesday: the
    funnel counts one contacted prospect, dated Wednesday."""
    pid = add(cli, "张三", "--phone", "13812345678", today="2026-11-02")
    ok(cli("log", pid, today="2026-11-02"))
    assert contacted(cli, "2026-11-02") == 1
    ok(cli("contacts", "undo", "--prospect", pid, today="2026-11-03"))
    assert contacted(cli, "2026-11-03") == 0
    ok(cli("log", pid, "--note", "真的联系上了", today="2026-11-04"))
    assert stages(cli, pid) == [
        ("new", "2026-11-02", None, "manual"),
        ("contacted", "2026-11-04", None, "log"),
    ]
    assert contacted(cli, "2026-11-04") == 1


def contacted(cli: Cli, today: str) -> int:
    funnel: Result = ok(cli("pipeline", "--format", "json", today=today))
    return sum(int(row["contacted"]) for row in funnel.json())
