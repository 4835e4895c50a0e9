"""``retain log``, ``history`` and ``show``: the contact log, through the real CLI."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LOAN_HEADER, Cli, Result, valid_id_number

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
ID_C1 = valid_id_number("11010519491231002")
HISTORY_FIELDS = [
    "contact_id", "at", "channel", "outcome", "note", "next_on", "loan_id", "officer",
    "promise_amount", "promise_status", "promise_judged_on",
]  # fmt: skip
EN_CUSTOMER_HEADER = ["customer_id", "name", "phone", "id_number", "industry", "officer", "segment"]
EN_LOAN_HEADER = [
    "loan_id", "customer_id", "principal", "disbursed_on", "matures_on", "guarantee", "status",
    "closed_on", "balance", "days_past_due",
]  # fmt: skip


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    """Three customers around 2026-12-01 (English headers for the customers)."""
    customers = make_csv(
        "customers.csv",
        [
            EN_CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", ID_C1, "粮油", "王芳", "批发市场商户"],
            ["C2", "李秀英", "13912348002", "", "烟酒", "李强", ""],
            # 五金, not one of the shipped example seasons' industries (服装 has a
            # season before 春节): these tests are about the log, not campaigns.
            ["C3", "张伟", "15012348003", "", "五金", "王芳", ""],
        ],
    )
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            # C1: one loan maturing in 5 days, one 40 days past due, one closed.
            ["L1", "C1", "100000", "2025-12-06", "2026-12-06", "信用", "正常", "", "40000", ""],
            ["L2", "C1", "20000", "2025-06-01", "2026-10-22", "抵押", "逾期", "", "20000", "40"],
            ["L3", "C1", "30000", "2024-06-01", "2025-06-01", "信用", "结清", "2025-06-01", "0", ""],
            # C2: maturing in 3 days.
            ["L4", "C2", "50000", "2025-12-04", "2026-12-04", "保证", "正常", "", "", ""],
            # C3: nothing due soon, disbursed 3 days ago.
            ["L5", "C3", "80000", "2026-11-28", "2027-11-28", "质押", "正常", "", "", ""],
        ],
    )  # fmt: skip
    for kind, path in (("customers", customers), ("loans", loans)):
        result = cli("import", kind, str(path))
        assert result.exit_code == 0, result.stderr
    return cli


def history(cli: Cli, customer_id: str) -> list[dict[str, Any]]:
    result = cli("history", customer_id, "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, Any]] = result.json()
    return rows


def contact_count(cli: Cli) -> int:
    return int(cli.sql("SELECT COUNT(*) FROM contacts")[0][0])


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


def assert_one_error(result: Result, code: int) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    return errors[0]


def table(cli: Cli, *args: str, today: str | None = None) -> str:
    result = cli(*args, today=today, env={"RETAIN_TTY": "1", "COLUMNS": "220"})
    assert result.exit_code == 0, result.stderr
    return ANSI.sub("", result.stdout)


# ---------------------------------------------------------------------------
# retain log


def test_log_writes_one_row_per_id(book: Cli) -> None:
    result = ok(book("log", "C1", "C2", "--note", "到期提醒", "--at", "2026-12-01 10:30"))
    assert result.stderr.strip() == "Logged 2 contact(s)."
    assert result.stdout == ""
    for cid in ("C1", "C2"):
        assert history(book, cid) == [
            {
                "contact_id": 1 if cid == "C1" else 2,
                "at": "2026-12-01 10:30:00",
                "channel": "call",
                "outcome": "reached",
                "note": "到期提醒",
                "next_on": None,
                "loan_id": None,
                "officer": None,
                "promise_amount": None,
                "promise_status": None,
                "promise_judged_on": None,
            }
        ]
    assert history(book, "C3") == []
    assert contact_count(book) == 2


def test_log_reads_ids_from_stdin_as_piped_from_due(book: Cli) -> None:
    due = ok(book("due", "--days", "5", "--format", "ids"))
    assert due.stdout.splitlines() == ["C2", "C1"]
    result = ok(book("log", "-", "--channel", "sms", "--outcome", "reached", input=due.stdout))
    assert result.stderr.strip() == "Logged 2 contact(s)."
    assert [h["channel"] for h in history(book, "C1")] == ["sms"]
    assert [h["channel"] for h in history(book, "C2")] == ["sms"]
    assert history(book, "C3") == []


def test_log_dash_mixes_with_ids_and_repeats_count_once(book: Cli) -> None:
    ok(book("log", "C3", "-", input="C1\n\nC1\r\n  C3  \n"))
    assert contact_count(book) == 2
    assert len(history(book, "C1")) == 1 and len(history(book, "C3")) == 1


def test_log_dash_with_nothing_on_stdin_is_a_usage_error(book: Cli) -> None:
    assert_one_error(book("log", "-", input=""), 2)
    assert contact_count(book) == 0


@pytest.mark.parametrize(
    ("given", "stored"),
    [("电话", "call"), ("上门", "visit"), ("短信", "sms"), ("微信", "wechat"), ("SMS", "sms"),
     ("visit", "visit")],
)  # fmt: skip
def test_chinese_channels_stored_canonically(book: Cli, given: str, stored: str) -> None:
    ok(book("log", "C1", "--channel", given))
    assert history(book, "C1")[0]["channel"] == stored


@pytest.mark.parametrize(
    ("given", "stored"),
    [("已接通", "reached"), ("未接通", "no_answer"), ("同意续贷", "renewing"),
     ("承诺还款", "promised"), ("拒绝", "declined"), ("空号", "wrong_number"),
     ("wrong_number", "wrong_number")],
)  # fmt: skip
def test_chinese_outcomes_stored_canonically(book: Cli, given: str, stored: str) -> None:
    ok(book("log", "C1", "--outcome", given))
    assert history(book, "C1")[0]["outcome"] == stored


@pytest.mark.parametrize("option", ["--channel", "--outcome"])
def test_unknown_channel_or_outcome_is_a_usage_error(book: Cli, option: str) -> None:
    error = assert_one_error(book("log", "C1", "C2", option, "传真"), 2)
    assert "传真" in error
    assert contact_count(book) == 0


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2026-12-10", "2026-12-10"),
        ("+3d", "2026-12-04"),
        ("+2w", "2026-12-15"),
        ("tomorrow", "2026-12-02"),
        ("next monday", "2026-12-07"),  # 2026-12-01 is a Tuesday
        ("next tuesday", "2026-12-08"),  # a week ahead, never today
        ("明天", "2026-12-02"),
        ("下周一", "2026-12-07"),
    ],
)
def test_next_accepts_dates_and_relative_days(book: Cli, given: str, stored: str) -> None:
    ok(book("log", "C1", "--outcome", "promised", "--next", given))
    assert history(book, "C1")[0]["next_on"] == stored


@pytest.mark.parametrize("given", ["someday", "2026-02-30", "+3x"])
def test_invalid_next_is_a_usage_error(book: Cli, given: str) -> None:
    error = assert_one_error(book("log", "C1", "--next", given), 2)
    assert given in error
    assert contact_count(book) == 0


def test_unknown_id_is_an_error_naming_it(book: Cli) -> None:
    error = assert_one_error(book("log", "C9"), 1)
    assert "C9" in error
    assert contact_count(book) == 0


def test_one_unknown_id_among_several_writes_nothing(book: Cli) -> None:
    error = assert_one_error(book("log", "C1", "NOPE", "C2", "--next", "+2d"), 1)
    assert "NOPE" in error and "C1" not in error
    assert contact_count(book) == 0
    assert history(book, "C1") == [] and history(book, "C2") == []
    # Same through stdin.
    assert_one_error(book("log", "-", input="C1\nNOPE\n"), 1)
    assert contact_count(book) == 0


def test_loan_of_the_customer_is_recorded(book: Cli) -> None:
    ok(book("log", "C1", "--loan", "L2", "--channel", "上门", "--outcome", "承诺还款"))
    assert history(book, "C1")[0]["loan_id"] == "L2"


def test_loan_of_another_customer_is_an_error(book: Cli) -> None:
    error = assert_one_error(book("log", "C2", "--loan", "L1"), 1)
    assert "L1" in error
    assert_one_error(book("log", "C1", "C2", "--loan", "L1"), 1)  # L1 is C1's, not C2's
    assert_one_error(book("log", "C1", "--loan", "NOLOAN"), 1)
    assert contact_count(book) == 0


def test_at_and_officer_are_stored(book: Cli) -> None:
    ok(book("log", "C1", "--at", "2026-11-28 14:05", "--officer", "王芳"))
    ok(book("log", "C2", "--at", "2026-11-27"))  # a day alone: 09:00
    assert history(book, "C1")[0]["at"] == "2026-11-28 14:05:00"
    assert history(book, "C1")[0]["officer"] == "王芳"
    assert history(book, "C2")[0]["at"] == "2026-11-27 09:00:00"


def test_default_at_is_on_the_today_date(book: Cli) -> None:
    ok(book("log", "C1", today="2026-12-03"))
    assert history(book, "C1")[0]["at"].startswith("2026-12-03 ")


# ---------------------------------------------------------------------------
# retain history


def test_history_lists_newest_first(book: Cli) -> None:
    ok(book("log", "C1", "--at", "2026-11-20 09:00", "--channel", "sms", "--note", "first"))
    ok(book("log", "C1", "--at", "2026-12-01 10:00", "--outcome", "promised", "--next", "+2d"))
    ok(book("log", "C1", "--at", "2026-11-25 16:30", "--channel", "visit"))  # entered late
    rows = history(book, "C1")
    assert [r["at"] for r in rows] == [
        "2026-12-01 10:00:00",
        "2026-11-25 16:30:00",
        "2026-11-20 09:00:00",
    ]
    assert list(rows[0]) == HISTORY_FIELDS
    assert rows[0]["next_on"] == "2026-12-03"
    assert rows[2]["note"] == "first"

    text = table(book, "history", "C1")
    assert "Contacts: 王建国 (C1)" in text
    lines = [line for line in text.splitlines() if re.search(r"20\d\d-\d\d-\d\d \d\d:\d\d", line)]
    assert [line.split()[1:3] for line in lines] == [
        ["2026-12-01", "10:00"],
        ["2026-11-25", "16:30"],
        ["2026-11-20", "09:00"],
    ]
    assert "promised" in lines[0] and "visit" in lines[1] and "SMS" in lines[2]
    zh = table(book, "--lang", "zh", "history", "C1")
    assert "联系记录: 王建国 (C1)" in zh
    assert "承诺还款" in zh and "上门" in zh and "短信" in zh


def test_history_with_no_contacts(book: Cli) -> None:
    assert history(book, "C3") == []
    assert "No contacts logged yet." in table(book, "history", "C3")


def test_history_of_an_unknown_customer_is_an_error(book: Cli) -> None:
    error = assert_one_error(book("history", "C9"), 1)
    assert "C9" in error


# ---------------------------------------------------------------------------
# retain show


def test_show_masks_phone_and_id_number(book: Cli) -> None:
    text = table(book, "show", "C1")
    assert "138****8001" in text and "13812348001" not in text
    masked_id = ID_C1[:3] + "*" * 11 + ID_C1[-4:]
    assert masked_id in text and ID_C1 not in text
    revealed = table(book, "show", "C1", "--reveal")
    assert "13812348001" in revealed and ID_C1 in revealed


def test_show_lists_every_loan_with_status_maturity_dpd_and_class(book: Cli) -> None:
    text = table(book, "show", "C1")
    assert "Customer C1" in text
    assert "王建国" in text and "批发市场商户" in text and "王芳" in text
    rows = {
        line.split()[0]: line.split() for line in text.splitlines() if re.match(r" ?L\d ", line)
    }
    assert set(rows) == {"L1", "L2", "L3"}
    assert rows["L1"][1] == "active" and "2026-12-06" in rows["L1"]
    assert rows["L1"][-2:] == ["0", "normal"]
    assert rows["L2"][1] == "overdue" and "2026-10-22" in rows["L2"]
    assert rows["L2"][-3:] == ["40", "special", "mention"]
    assert rows["L3"][1] == "closed" and "2025-06-01" in rows["L3"]
    assert re.search(r"Worst class\s+special mention", text)
    zh = table(book, "--lang", "zh", "show", "C1")
    assert "客户 C1" in zh
    zh_rows = {ln.split()[0]: ln.split() for ln in zh.splitlines() if re.match(r" ?L\d ", ln)}
    assert zh_rows["L2"][-2:] == ["40", "关注"]
    assert zh_rows["L1"][-2:] == ["0", "正常"]


def test_show_timeline_next_follow_up_and_why_listed(book: Cli) -> None:
    before = table(book, "show", "C1")
    assert "No contacts logged yet." in before
    assert "Today's list: On today's list at rank 1." in before
    # overdue 50 + 20 + 10 = 80, matures in 5d 30 + 50 = 80, post-loan check 15; revisit
    # (a mortgage, no contact since 2025-06-01) 12.
    assert "overdue 40d · matures in 5d · return visit (247)" in before

    ok(book("log", "C1", "--channel", "电话", "--outcome", "承诺还款", "--next", "+2d",
            "--note", "周五还款", "--at", "2026-12-01 10:00"))  # fmt: skip
    after = table(book, "show", "C1")
    assert re.search(r"Next follow-up\s+2026-12-03", after)
    assert re.search(r"2026-12-01 10:00\s+call\s+promised\s+2026-12-03\s+周五还款", after)
    assert (
        "Today's list: Left off today: contacted 2026-12-01 10:00, within the last 3 days." in after
    )

    due = table(book, "show", "C1", today="2026-12-03")
    assert "Today's list: On today's list at rank 1." in due
    assert "follow-up due 2026-12-03" in due

    zh = table(book, "--lang", "zh", "show", "C1", today="2026-12-03")
    assert "今日名单: 在今日名单中排第 1 位。" in zh
    assert "约定跟进 2026-12-03" in zh
    assert re.search(r"下次跟进\s+2026-12-03", zh)


def test_show_says_why_a_customer_is_not_listed(book: Cli) -> None:
    text = table(book, "show", "C3")  # a pledge disbursed 3 days ago: nothing due
    assert "Today's list: Not on today's list: no rule applies today." in text
    zh = table(book, "--lang", "zh", "show", "C3")
    assert "不在今日名单：今日没有适用的联系规则。" in zh


def test_show_unknown_customer_is_an_error(book: Cli) -> None:
    error = assert_one_error(book("show", "C9"), 1)
    assert "C9" in error


# ---------------------------------------------------------------------------
# The log drives the call list


def test_log_takes_the_customer_off_the_call_list(book: Cli) -> None:
    listed = ok(book("calls", "--format", "ids")).stdout.splitlines()
    assert listed == ["C1", "C2"]
    ok(book("log", "C1", "--channel", "wechat", "--outcome", "reached"))
    assert ok(book("calls", "--format", "ids")).stdout.splitlines() == ["C2"]
    rows = ok(book("calls", "--format", "json")).json()
    assert rows[0]["customer_id"] == "C2" and rows[0]["rank"] == 1


def test_history_rejects_an_unknown_format(book: Cli) -> None:
    assert_one_error(book("history", "C1", "--format", "xml"), 2)


# --- 空号: a phone logged as a wrong number is unusable until a different one arrives


def unusable_since(cli: Cli, customer_id: str) -> str | None:
    row = cli.sql(
        "SELECT phone_unusable_since FROM customers WHERE customer_id = ?", (customer_id,)
    )[0]
    return row[0]  # type: ignore[no-any-return]


def reimport(cli: Cli, make_csv: Callable[..., Path], phone: str) -> None:
    path = make_csv(
        "again.csv",
        [EN_CUSTOMER_HEADER, ["C2", "李秀英", phone, "", "烟酒", "李强", ""]],
    )
    ok(cli("import", "customers", str(path)))


def test_wrong_number_marks_the_phone_from_that_day(book: Cli) -> None:
    ok(book("log", "C2", "--outcome", "空号", "--at", "2026-11-30 09:00"))
    assert unusable_since(book, "C2") == "2026-11-30"
    assert unusable_since(book, "C1") is None
    # A second wrong-number call keeps the first day it was found dead.
    ok(book("log", "C2", "--outcome", "wrong_number", "--at", "2026-12-01 09:00"))
    assert unusable_since(book, "C2") == "2026-11-30"


def test_the_same_phone_reimported_stays_unusable(book: Cli, make_csv: Callable[..., Path]) -> None:
    ok(book("log", "C2", "--outcome", "wrong_number"))
    reimport(book, make_csv, "13912348002")
    assert unusable_since(book, "C2") is not None


def test_a_different_phone_makes_it_usable_again(book: Cli, make_csv: Callable[..., Path]) -> None:
    ok(book("log", "C2", "--outcome", "wrong_number"))
    reimport(book, make_csv, "13912349999")
    assert unusable_since(book, "C2") is None
