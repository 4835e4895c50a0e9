"""Contacts can be corrected (issue 8, item 12): a likely double entry is caught,
and ``retain contacts undo`` takes a contact back out, keeping it in the audit trail.

A double entry is the same customer, channel and outcome with a time (``at``)
within 10 minutes of a contact already logged.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, Result
from tests.test_calls import calls, ids
from tests.test_outcomes import book as book  # noqa: F401  (the fixture)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def one_error(result: Result, code: int) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return errors[0]


def history(cli: Cli, customer: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = ok(cli("history", customer, "--format", "json")).json()
    return rows


def store_rows(cli: Cli, sql: str, *params: object) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in cli.sql(sql, params)]


def unusable_since(cli: Cli, customer: str) -> str | None:
    rows = store_rows(
        cli, "SELECT phone_unusable_since FROM customers WHERE customer_id = ?", customer
    )
    value: str | None = rows[0][0]
    return value


TTY = {"RETAIN_TTY": "1"}


# ---------------------------------------------------------------------------
# retain log: a double entry


def test_the_same_log_twice_in_a_script_is_refused(book: Cli) -> None:  # noqa: F811
    ok(book("log", "C1", "--outcome", "no_answer", "--at", "2026-12-01 09:00"))
    again = book("log", "C1", "--outcome", "no_answer", "--at", "2026-12-01 09:05")
    error = one_error(again, 1)
    assert "C1" in error and "--yes" in error and "10 minutes" in error
    assert "Warning: C1 already has a call/no answer contact at 2026-12-01 09:00." in again.stderr
    assert len(history(book, "C1")) == 1
    # --yes logs it anyway, still warning.
    forced = ok(book("log", "C1", "--outcome", "no_answer", "--at", "2026-12-01 09:05", "--yes"))
    assert "Warning: C1" in forced.stderr
    assert len(history(book, "C1")) == 2


def test_the_same_log_twice_with_the_default_time(book: Cli) -> None:  # noqa: F811
    ok(book("log", "C1", "C2", "--channel", "sms"))
    again = book("log", "C2", "C3", "--channel", "sms")
    assert "C2" in one_error(again, 1) and "C3" not in one_error(again, 1)
    assert history(book, "C3") == []  # all or nothing


def test_the_same_entered_late_twice_is_caught(book: Cli) -> None:  # noqa: F811
    ok(book("log", "C1", "--at", "2026-11-28 14:00", "--channel", "visit"))
    one_error(book("log", "C1", "--at", "2026-11-28 14:00", "--channel", "visit"), 1)


@pytest.mark.parametrize(
    "args",
    [
        ("--outcome", "reached", "--at", "2026-12-01 09:05"),  # another outcome
        ("--outcome", "no_answer", "--channel", "visit", "--at", "2026-12-01 09:05"),
        ("--outcome", "no_answer", "--at", "2026-12-01 09:11"),  # 11 minutes later
        ("--outcome", "no_answer", "--at", "2026-11-30 09:00"),  # the day before
    ],
)
def test_not_a_double_entry(book: Cli, args: tuple[str, ...]) -> None:  # noqa: F811
    ok(book("log", "C1", "--outcome", "no_answer", "--at", "2026-12-01 09:00"))
    result = ok(book("log", "C1", *args))
    assert "Warning" not in result.stderr


def test_on_a_terminal_it_asks(book: Cli) -> None:  # noqa: F811
    ok(book("log", "C1", "--outcome", "未接通", "--at", "2026-12-01 09:00"))
    no = book("log", "C1", "--outcome", "未接通", "--at", "2026-12-01 09:03", input="n\n", env=TTY)
    assert "Log it again? [y/N]" in no.stderr
    # (The test runner echoes the answer elsewhere, so the prompt keeps its line.)
    assert no.exit_code == 1 and no.stderr.endswith("[y/N]:Error: nothing logged\n")
    assert len(history(book, "C1")) == 1
    yes = book("log", "C1", "--outcome", "未接通", "--at", "2026-12-01 09:03", input="y\n", env=TTY)
    ok(yes)
    assert len(history(book, "C1")) == 2
    zh = book("--lang", "zh", "log", "C1", "-r", "未接通", "--at", "2026-12-01 09:04",
              input="\n", env=TTY)  # fmt: skip
    assert "警告：C1 在 2026-12-01 09:03 已有一条电话/未接通联系记录。" in zh.stderr
    assert "仍要再记录一次吗？" in zh.stderr
    assert zh.exit_code == 1 and zh.stderr.endswith("Error: 未记录\n")


def test_ids_from_stdin_cannot_be_asked(book: Cli) -> None:  # noqa: F811
    ok(book("log", "C1", "--at", "2026-12-01 09:00"))
    result = book("log", "-", "--at", "2026-12-01 09:00", input="C1\n", env=TTY)
    assert "--yes" in one_error(result, 1)
    ok(book("log", "-", "--at", "2026-12-01 09:00", "--yes", input="C1\n"))


# ---------------------------------------------------------------------------
# retain contacts undo


def test_history_json_carries_contact_ids(book: Cli) -> None:  # noqa: F811
    ok(book("log", "C1", "--at", "2026-11-30 09:00"))
    ok(book("log", "C1", "--at", "2026-12-01 09:00", "--channel", "visit"))
    rows = history(book, "C1")
    assert [r["contact_id"] for r in rows] == [2, 1]
    assert list(rows[0])[0] == "contact_id"


def test_undo_removes_the_last_logged_contact(book: Cli) -> None:  # noqa: F811
    ok(book("log", "C1", "--at", "2026-12-01 09:00"))
    ok(book("log", "C2", "--at", "2026-11-20 09:00"))  # entered late, but entered last
    result = ok(book("contacts", "undo"))
    assert result.stderr.strip() == (
        "Removed contact 2: 李秀英 (C2), 2026-11-20 09:00 call/reached. Kept in the audit trail."
    )
    assert history(book, "C2") == [] and len(history(book, "C1")) == 1
    ok(book("contacts", "undo"))
    assert history(book, "C1") == []
    assert "no contact to undo" in one_error(book("contacts", "undo"), 1)


def test_undo_a_given_contact(book: Cli) -> None:  # noqa: F811
    ok(book("log", "C1", "--at", "2026-11-30 09:00", "--note", "first"))
    ok(book("log", "C1", "--at", "2026-12-01 09:00", "--note", "second"))
    ok(book("contacts", "undo", "1"))
    assert [r["note"] for r in history(book, "C1")] == ["second"]
    assert "no contact 1" in one_error(book("contacts", "undo", "1"), 1)
    one_error(book("contacts", "undo", "x"), 2)


def test_undo_of_an_officer(book: Cli) -> None:  # noqa: F811
    ok(book("log", "C1", "--at", "2026-12-01 09:00", "--officer", "王芳"))
    ok(book("log", "C2", "--at", "2026-12-01 09:00", "--officer", "李强"))
    ok(book("contacts", "undo", "--officer", "王芳"))
    assert history(book, "C1") == [] and len(history(book, "C2")) == 1
    assert "王芳" in one_error(book("contacts", "undo", "--officer", "王芳"), 1)


def test_undo_puts_the_customer_back_on_the_list(book: Cli) -> None:  # noqa: F811
    ok(book("log", "C1", "--at", "2026-12-01 09:00"))
    assert "C1" not in ids(calls(book))
    ok(book("contacts", "undo"))
    assert "C1" in ids(calls(book))
    # Undoing an attempt takes it out of the count.
    ok(book("log", "C1", "-r", "no_answer", "--at", "2026-12-01 09:00"))
    ok(book("log", "C1", "-r", "no_answer", "--at", "2026-12-01 10:00"))
    ok(book("contacts", "undo"))
    row = [r for r in calls(book) if r["customer_id"] == "C1"][0]
    assert row["failed_attempts"] == 1 and row["last_attempt"] == "2026-12-01 09:00:00"


def test_undo_of_the_wrong_number_that_marked_the_phone(book: Cli) -> None:  # noqa: F811
    ok(book("log", "C2", "-r", "空号", "--at", "2026-11-30 09:00"))
    ok(book("contacts", "undo"))
    assert unusable_since(book, "C2") is None
    # With two wrong numbers, removing the first leaves the second's day.
    ok(book("log", "C2", "-r", "空号", "--at", "2026-11-30 09:00"))
    ok(book("log", "C2", "-r", "空号", "--at", "2026-12-01 09:00"))
    ok(book("contacts", "undo", "2"))
    assert unusable_since(book, "C2") == "2026-12-01"
    # Removing a later one leaves the day the first one set.
    ok(book("log", "C2", "-r", "空号", "--at", "2026-12-01 12:00"))
    ok(book("contacts", "undo"))
    assert unusable_since(book, "C2") == "2026-12-01"


def test_every_removal_is_kept_in_the_audit_trail(book: Cli) -> None:  # noqa: F811
    ok(book("log", "C1", "--at", "2026-12-01 09:00", "--note", "周五还款", "--next", "+2d",
            "--outcome", "promised", "--officer", "王芳"))  # fmt: skip
    before = store_rows(book, "SELECT * FROM contacts")
    names = [d[1] for d in store_rows(book, "PRAGMA table_info(contacts)")]
    ok(book("contacts", "undo"))
    audit = store_rows(
        book,
        "SELECT import_id, entity, entity_id, field, old_value, new_value, recorded_at"
        " FROM changes WHERE entity = 'contact' ORDER BY change_id",
    )
    assert {row[:3] for row in audit} == {(None, "contact", "1")}
    assert all(row[5] is None and row[6] for row in audit)
    kept = {row[3]: row[4] for row in audit}
    assert set(kept) == set(names)
    assert kept == {n: None if v is None else str(v) for n, v in zip(names, before[0], strict=True)}
    assert kept["note"] == "周五还款" and kept["next_on"] == "2026-12-03"


def test_contacts_help_has_an_example(book: Cli) -> None:  # noqa: F811
    for args in (("contacts", "--help"), ("contacts", "undo", "--help")):
        text = ok(book(*args)).stdout
        assert "Example:" in text and "retain contacts undo" in text
    zh = ok(book("--lang", "zh", "contacts", "undo", "--help")).stdout
    assert "示例" in zh and "审计" in zh


def test_history_table_shows_the_ids(
    book: Cli,  # noqa: F811
    make_csv: Callable[..., Path],
) -> None:
    ok(book("log", "C1", "--at", "2026-12-01 09:00"))
    text = book("history", "C1", env={"RETAIN_TTY": "1", "COLUMNS": "200"}).stdout
    assert any(line.split()[:2] == ["1", "2026-12-01"] for line in text.splitlines())
