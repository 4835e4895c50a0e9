"""Customer SMS: which reminders go to customers, and on which day (issue 8, items 5–8).

Every test drives ``retain export reminders --audience customer`` (and ``calls``)
through the real CLI, with ``--today`` stepping through the days. Calendar facts
used below (China, 2026): 4–6 Dec are Fri–Sun; 1–7 Oct are the National Day
holiday (国庆节) with 30 Sep and 8 Oct working days; Sat 10 Oct is a 调休 make-up
working day.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, Result

Rows = list[dict[str, Any]]


# ---------------------------------------------------------------------------
# Helpers


@pytest.fixture
def load(cli: Cli, make_csv: Callable[..., Path]) -> Callable[..., Cli]:
    """Import customers (id, name, phone) and loans, as of ``today``."""
    count = {"n": 0}
    # These books are imported once and read over weeks to exercise the SMS rules;
    # the stale-data refusal has its own tests (test_stale.py) and the scripted
    # week below imports a fresh file every working day, as an officer does.
    ok(cli("config", "set", "data.stale_after_days", "60"))

    def loader(
        customers: Sequence[Sequence[str]], loans: Sequence[Sequence[str]], today: str
    ) -> Cli:
        count["n"] += 1
        people = [CUSTOMER_HEADER] + [
            [cid, name, phone, "", "粮油", "王芳", ""] for cid, name, phone in customers
        ]
        if customers:
            path = make_csv(f"c{count['n']}.csv", people)
            ok(cli("import", "customers", str(path), today=today))
        if loans:
            path = make_csv(f"l{count['n']}.csv", [LOAN_HEADER, *loans])
            ok(cli("import", "loans", str(path), today=today))
        return cli

    return loader


def loan(
    loan_id: str, cid: str, matures: str, *, dpd: str = "", disbursed: str = "2026-01-05"
) -> list[str]:
    status = "逾期" if dpd else "正常"
    return [loan_id, cid, "50000", disbursed, matures, "信用", status, "", "", dpd]


def configure(cli: Cli, *pairs: tuple[str, str]) -> None:
    for key, value in pairs:
        ok(cli("config", "set", key, value))


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def sms(cli: Cli, today: str, *args: str, lang: str = "zh") -> tuple[Rows, str]:
    """The customer export as JSON rows, and its summary on stderr."""
    result = ok(
        cli(
            "--lang", lang, "export", "reminders", "--audience", "customer", "--format", "json",
            "--days", "0", *args, today=today,
        )
    )  # fmt: skip
    rows: Rows = json.loads(result.stdout)
    return rows, result.stderr


def officer(cli: Cli, today: str, *args: str) -> Rows:
    result = ok(
        cli("export", "reminders", "--format", "json", "--quiet", "--days", "0", *args, today=today)
    )
    rows: Rows = json.loads(result.stdout)
    return rows


def names(rows: Rows) -> list[str]:
    return [row["name"] for row in rows]


def one_error(result: Result, code: int) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    return errors[0]


# ---------------------------------------------------------------------------
# Only customer-facing reasons


@pytest.mark.parametrize("kinds", ["post_loan_check", "maturing,revisit", "约定跟进"])
def test_officer_only_reasons_are_refused_for_customers(cli: Cli, kinds: str) -> None:
    result = cli("export", "reminders", "--audience", "customer", "--kinds", kinds)
    line = one_error(result, 2)
    internal = {"post_loan_check": "post_loan_check", "maturing,revisit": "revisit"}
    assert internal.get(kinds, "follow_up") in line
    assert "never sent to customers" in line and "overdue,maturing,win_back" in line
    zh = cli("--lang", "zh", "export", "reminders", "--audience", "客户", "--kinds", kinds)
    assert "不发给客户" in one_error(zh, 2)


def test_customers_get_only_customer_facing_reasons_by_default(load: Callable[..., Cli]) -> None:
    # Disbursed 15 days ago: a post-loan check is due today; maturing next year.
    cli = load(
        [("C1", "王建国", "13812348001")],
        [loan("L1", "C1", "2027-11-16", disbursed="2026-11-16")],
        "2026-12-01",
    )
    assert [r["reason"] for r in officer(cli, "2026-12-01")] == ["post_loan_check"]
    rows, _ = sms(cli, "2026-12-01")
    assert rows == []


def test_config_refuses_customer_texts_for_officer_only_reasons(cli: Cli) -> None:
    result = cli("config", "set", "export.templates.customer.zh.post_loan_check", "例行回访")
    line = one_error(result, 2)
    assert "templates.customer.zh.post_loan_check" in line


# ---------------------------------------------------------------------------
# One message per customer per day


def test_one_message_a_day_the_highest_ranked_reason(load: Callable[..., Cli]) -> None:
    # 王建国: 27 days past due on one loan, another maturing in 2 days.
    cli = load(
        [("C1", "王建国", "13812348001"), ("C2", "李秀英", "13912348002")],
        [loan("L1", "C1", "2026-12-03"), loan("L2", "C1", "2026-11-04", dpd="27"), loan("L3", "C2", "2026-12-03")],
        "2026-12-01",
    )  # fmt: skip
    by_reason = {(r["customer_id"], r["reason"]): r for r in officer(cli, "2026-12-01")}
    assert {("C1", "overdue"), ("C1", "maturing"), ("C2", "maturing")} <= set(by_reason)
    listed = ok(cli("calls", "--format", "json", today="2026-12-01")).json()
    top = next(row for row in listed if row["customer_id"] == "C1")["reasons"].split(",")[0]
    rows, summary = sms(cli, "2026-12-01")
    assert names(rows) == ["王建国", "李秀英"] or sorted(names(rows)) == ["李秀英", "王建国"]
    assert {r["reminder_id"] for r in rows if r["name"] == "王建国"} == {
        by_reason[("C1", top)]["reminder_id"]
    }
    assert "1 条提醒只留给客户经理：每位客户每天最多一条短信" in summary


def test_the_cron_command_twice_a_day_sends_one_text(
    load: Callable[..., Cli], tmp_path: Path
) -> None:
    """The --help example run twice: the second file is empty, even when a new
    reason appeared for the customer between the runs."""
    cli = load(
        [("C1", "王建国", "13812348001")], [loan("L1", "C1", "2026-11-04", dpd="27")], "2026-12-01"
    )
    first = tmp_path / "sms-1.csv"
    second = tmp_path / "sms-2.csv"
    args = ("export", "reminders", "--days", "0", "--audience", "customer", "--new-only")
    ok(cli(*args, "--output", str(first), today="2026-12-01"))
    assert first.read_text(encoding="utf-8-sig").count("\n") == 2  # header and one text
    # A new loan maturing tomorrow now outranks the overdue one.
    load([], [loan("L2", "C1", "2026-12-02")], "2026-12-01")
    assert {r["reason"] for r in officer(cli, "2026-12-01", "--kinds", "overdue,maturing")} == {
        "overdue",
        "maturing",
    }
    again = ok(cli(*args, "--output", str(second), today="2026-12-01"))
    assert second.read_text(encoding="utf-8-sig").strip().count("\n") == 0  # header only
    assert "one SMS per customer per day" in again.stderr
    # The next day the maturity text may go (a different reason).
    rows, _ = sms(cli, "2026-12-02", "--new-only")
    assert len(rows) == 1 and "到期" in rows[0]["message"]


# ---------------------------------------------------------------------------
# A usable phone


def test_customers_without_a_usable_phone_are_left_out_and_counted(
    load: Callable[..., Cli],
) -> None:
    customers = [
        ("C1", "王建国", "13812348001"),
        ("C2", "李秀英", ""),
        ("C3", "张伟", "15012348003"),
    ]
    loans = [loan(f"L{i}", f"C{i}", "2026-12-03") for i in (1, 2, 3)]
    cli = load(customers, loans, "2026-12-01")
    ok(cli("log", "C3", "--channel", "call", "--outcome", "wrong_number", today="2026-11-20"))
    rows, summary = sms(cli, "2026-12-01", lang="en")
    assert names(rows) == ["王建国"]
    assert "2 customer(s) have no usable mobile phone" in summary
    _, summary_zh = sms(cli, "2026-12-01")
    assert "2 位客户没有可用的手机号码" in summary_zh
    assert (
        len(officer(cli, "2026-12-01", "--kinds", "maturing")) == 3
    )  # the officer still sees them all
    # A different phone arrives for 张伟: texts may go to it again.
    load([("C3", "张伟", "15012349999")], [], "2026-12-01")
    rows, _ = sms(cli, "2026-12-01", lang="en")
    assert names(rows) == ["王建国", "张伟"]
    assert rows[1]["phone"] == "15012349999"


# ---------------------------------------------------------------------------
# Not the same reason again within the quiet days


def daily_cron(cli: Cli, days: Sequence[str]) -> list[tuple[str, str]]:
    sent = []
    for day in days:
        rows, _ = sms(cli, day, "--new-only")
        sent += [(day, row["message"]) for row in rows]
    return sent


DEC = [f"2026-12-{d:02d}" for d in range(1, 12)]


def test_the_same_reason_is_not_texted_again_within_the_quiet_days(
    load: Callable[..., Cli],
) -> None:
    # Matures Fri 11 Dec: windows open 26 Nov (15 days), 4 Dec (7 days), 10 Dec (1 day).
    cli = load([("C1", "王建国", "13812348001")], [loan("L1", "C1", "2026-12-11")], "2026-12-01")
    sent = daily_cron(cli, DEC)
    # 4 and 7 Dec are within 7 days of 1 Dec; 8 Dec is not; 10–11 Dec are within 7 of 8 Dec.
    assert [day for day, _ in sent] == ["2026-12-01", "2026-12-08"]
    _, summary = sms(cli, "2026-12-10")
    assert "1 条短信暂不发送：7天内已发过同类短信" in summary


def test_quiet_days_zero_sends_each_window(load: Callable[..., Cli]) -> None:
    cli = load([("C1", "王建国", "13812348001")], [loan("L1", "C1", "2026-12-11")], "2026-12-01")
    configure(cli, ("export.customer_quiet_days", "0"))
    assert [day for day, _ in daily_cron(cli, DEC)] == ["2026-12-01", "2026-12-04", "2026-12-10"]


def test_another_reason_is_not_quiet(load: Callable[..., Cli]) -> None:
    # Texted about the maturity on Thu 3 Dec; overdue from Fri 4 Dec: texted that day.
    cli = load([("C1", "王建国", "13812348001")], [loan("L1", "C1", "2026-12-03")], "2026-12-01")
    sent = daily_cron(cli, ["2026-12-03", "2026-12-04"])
    assert [(day, "逾期" in text) for day, text in sent] == [
        ("2026-12-03", False),
        ("2026-12-04", True),
    ]


# ---------------------------------------------------------------------------
# What the customer said


def test_a_promise_holds_overdue_texts_until_its_date(load: Callable[..., Cli]) -> None:
    cli = load(
        [("C1", "王建国", "13812348001"), ("C2", "李秀英", "13912348002")],
        [loan("L1", "C1", "2026-11-21", dpd="10"), loan("L2", "C2", "2026-11-21", dpd="10")],
        "2026-12-01",
    )
    ok(cli("log", "C1", "--channel", "call", "--outcome", "promised", "--next", "2026-12-04", today="2026-11-25"))  # fmt: skip
    rows, summary = sms(cli, "2026-12-01")
    assert names(rows) == ["李秀英"]
    assert "1 条短信暂不发送：客户已承诺还款或同意续贷" in summary
    assert names(sms(cli, "2026-12-04")[0]) == ["李秀英"]  # the promised day itself
    # The officer list keeps him: the follow-up is due on the promised day.
    assert "C1" in {r["customer_id"] for r in officer(cli, "2026-12-04")}
    rows, _ = sms(cli, "2026-12-07")
    assert sorted(names(rows)) == ["李秀英", "王建国"]


def test_agreeing_to_renew_holds_maturity_texts(load: Callable[..., Cli]) -> None:
    cli = load([("C1", "王建国", "13812348001")], [loan("L1", "C1", "2026-12-10")], "2026-12-01")
    ok(cli("log", "C1", "--channel", "visit", "--outcome", "同意续贷", "--next", "2026-12-08", today="2026-12-01"))  # fmt: skip
    assert sms(cli, "2026-12-04")[0] == []  # the 7-day window opens 3 Dec: held
    rows, _ = sms(cli, "2026-12-09")  # the 1-day window, after the agreed date
    assert names(rows) == ["王建国"]


# ---------------------------------------------------------------------------
# The customers' language


def test_customer_texts_follow_customer_lang_not_the_operators(load: Callable[..., Cli]) -> None:
    cli = load(
        [("C1", "王建国", "13812348001"), ("C2", "李秀英", "13912348002")],
        [loan("L1", "C1", "2026-11-30", dpd="1"), loan("L2", "C2", "2026-11-29", dpd="2")],
        "2026-12-01",
    )
    rows, summary = sms(cli, "2026-12-01", lang="en")
    assert [r["message"][:4] for r in rows] == ["【本行】", "【本行】"]  # Chinese by default
    assert "已逾期1天" in rows[0]["message"] and "Exported 2 reminder(s)" in summary
    assert (
        "days past due" in officer(cli, "2026-12-01", "--kinds", "overdue")[0]["message"]
    )  # the officer's --lang
    configure(cli, ("export.customer_lang", "en"))
    rows, _ = sms(cli, "2026-12-01", lang="zh")
    assert "your loan is 1 day past due." in rows[0]["message"]
    assert "your loan is 2 days past due." in rows[1]["message"]


def test_customer_lang_is_checked(cli: Cli) -> None:
    line = one_error(cli("config", "set", "export.customer_lang", "fr"), 2)
    assert "export.customer_lang" in line


def test_plural_placeholders_in_a_custom_template(load: Callable[..., Cli]) -> None:
    cli = load([("C1", "王建国", "13812348001")], [loan("L1", "C1", "2026-12-02")], "2026-12-01")
    configure(
        cli,
        ("export.customer_lang", "en"),
        ("export.templates.customer.en.maturing", "{name}: due in {days_left_days}"),
    )
    rows, _ = sms(cli, "2026-12-01")
    assert [r["message"] for r in rows] == ["王建国: due in 1 day"]


# ---------------------------------------------------------------------------
# Working days


def weekend_book(load: Callable[..., Cli]) -> Cli:
    """Only the 1-day maturity window: 王建国's loan matures Sun 6 Dec (window
    opens Sat 5 Dec); 李秀英's matures Fri 4 Dec (overdue from Sat 5 Dec)."""
    cli = load(
        [("C1", "王建国", "13812348001"), ("C2", "李秀英", "13912348002")],
        [loan("L1", "C1", "2026-12-06"), loan("L2", "C2", "2026-12-04")],
        "2026-12-01",
    )
    configure(cli, ("rhythm.maturity_tiers", "[1]"))
    return cli


def test_a_weekend_reminder_goes_out_on_friday(load: Callable[..., Cli]) -> None:
    cli = weekend_book(load)
    rows, _ = sms(cli, "2026-12-04")
    by_name = {r["name"]: r for r in rows}
    assert by_name["王建国"]["date"] == "2026-12-04"
    assert "2026-12-06到期" in by_name["王建国"]["message"]
    # The officer's reminder keeps its date.
    assert "C1" not in {r["customer_id"] for r in officer(cli, "2026-12-04", "--kinds", "maturing")}
    assert [
        r["date"]
        for r in officer(cli, "2026-12-05", "--kinds", "maturing")
        if r["customer_id"] == "C1"
    ] == ["2026-12-05"]
    # The Saturday run sends nothing new to him (the ledger has Friday's text).
    ok(cli("export", "reminders", "--days", "0", "--audience", "customer", "--new-only", "--quiet", "--format", "json", today="2026-12-04"))  # fmt: skip
    assert "王建国" not in names(sms(cli, "2026-12-05", "--new-only")[0])


def test_an_overdue_text_waits_for_the_next_working_day(load: Callable[..., Cli]) -> None:
    cli = weekend_book(load)
    assert "李秀英" not in [r["name"] for r in sms(cli, "2026-12-04")[0] if "逾期" in r["message"]]
    assert [r for r in sms(cli, "2026-12-05")[0] if "逾期" in r["message"]] == []
    assert [r for r in sms(cli, "2026-12-06")[0] if "逾期" in r["message"]] == []
    monday = [r for r in sms(cli, "2026-12-07")[0] if "逾期" in r["message"]]
    monday = [r for r in monday if r["name"] == "李秀英"]  # 王建国's is overdue from Mon 7 Dec
    assert [r["date"] for r in monday] == ["2026-12-07"]
    assert "已逾期3天" in monday[0]["message"]
    # Seen from Friday over a wider window: the same text, the same day and facts.
    ahead = [r for r in sms(cli, "2026-12-04", "--days", "3")[0] if r["name"] == "李秀英"]
    ahead = [r for r in ahead if "逾期" in r["message"]]
    assert [(r["reminder_id"], r["date"], r["message"]) for r in ahead] == [
        (monday[0]["reminder_id"], "2026-12-07", monday[0]["message"])
    ]


def test_any_day_keeps_every_date(load: Callable[..., Cli]) -> None:
    cli = weekend_book(load)
    configure(cli, ("export.send_on", "any_day"))
    assert "王建国" not in names(sms(cli, "2026-12-04")[0])
    assert [r["date"] for r in sms(cli, "2026-12-05")[0] if r["name"] == "王建国"] == ["2026-12-05"]
    line = one_error(cli("config", "set", "export.send_on", "weekdays"), 2)
    assert "export.send_on" in line


def golden_week_book(load: Callable[..., Cli]) -> Cli:
    cli = load(
        [("C1", "王建国", "13812348001"), ("C2", "李秀英", "13912348002"), ("C3", "张伟", "15012348003"), ("C4", "赵敏", "15112348004")],
        [loan("L1", "C1", "2026-10-03"), loan("L2", "C2", "2026-10-08"), loan("L3", "C3", "2026-10-09"), loan("L4", "C4", "2026-10-11")],
        "2026-09-28",
    )  # fmt: skip
    configure(cli, ("rhythm.maturity_tiers", "[1]"))
    return cli


def test_golden_week_reminders_go_out_before_the_holiday(load: Callable[..., Cli]) -> None:
    cli = golden_week_book(load)
    rows, _ = sms(cli, "2026-09-30")
    # Windows open 2 Oct and 7 Oct (holiday): both sent on Wed 30 Sep.
    assert [(r["name"], r["date"]) for r in rows] == [
        ("王建国", "2026-09-30"),
        ("李秀英", "2026-09-30"),
    ]
    # 张伟's window opens Thu 8 Oct, a working day: sent that day.
    assert "张伟" not in names(rows)
    assert [r["date"] for r in sms(cli, "2026-10-08")[0] if r["name"] == "张伟"] == ["2026-10-08"]


def test_a_make_up_saturday_is_a_working_day(load: Callable[..., Cli]) -> None:
    cli = golden_week_book(load)
    # 赵敏's window opens Sat 10 Oct, a 调休 working day: sent that day, not on Friday.
    assert "赵敏" not in names(sms(cli, "2026-10-09")[0])
    assert [r["date"] for r in sms(cli, "2026-10-10")[0] if r["name"] == "赵敏"] == ["2026-10-10"]


def test_calls_notes_the_holiday_ahead(load: Callable[..., Cli]) -> None:
    cli = golden_week_book(load)
    zh = ok(cli("--lang", "zh", "calls", "--format", "table", today="2026-09-30")).stdout
    assert "明天是国庆节，不是工作日；下一个工作日（2026-10-08）之前有 1 笔贷款到期" in zh
    en = ok(cli("--lang", "en", "calls", "--format", "table", today="2026-09-30")).stdout
    assert (
        "tomorrow is National Day, not a working day: 1 loan matures before the next working day, 2026-10-08"
        in en
    )
    friday = ok(
        cli("--lang", "en", "calls", "--format", "table", today="2026-10-03")
    ).stdout  # inside the holiday
    assert "not a working day: 0 loans mature" in friday
    weekend = ok(cli("--lang", "en", "calls", "--format", "table", today="2026-12-04")).stdout
    assert "tomorrow is Saturday, not a working day" in weekend
    for plain in ("2026-10-08", "2026-10-09"):  # Fri 9 Oct: Sat 10 Oct is a working day
        assert "not a working day" not in ok(cli("calls", "--format", "table", today=plain)).stdout


def test_the_holidays_package_is_imported_only_when_needed() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from retain.cli import app\n"
        "from typer.testing import CliRunner\n"
        "CliRunner().invoke(app, ['--help'])\n"
        "print('holidays' in sys.modules)\n"
    )
    env = {**os.environ, "RETAIN_LANG": "en"}
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert found.stdout.strip() == "False"


def test_the_cron_script_logs_each_line_retain_says(tmp_path: Path) -> None:
    """What the SMS rules left out reaches the cron log, one timestamped line each."""
    import re
    import subprocess

    fake = tmp_path / "fake-retain"
    fake.write_text(
        "#!/bin/sh\necho '2 位客户没有可用的手机号码' >&2\necho '已导出 3 条提醒到 x' >&2\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    script = Path(__file__).resolve().parent.parent / "examples" / "cron" / "morning-reminders.sh"
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "RETAIN_BIN": str(fake),
        "OUT_DIR": str(tmp_path / "out"),
    }
    env.pop("RETAIN_DB", None)
    done = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} morning-reminders: ")
    assert all(stamp.match(line) for line in lines), lines
    assert sum("没有可用的手机号码" in line for line in lines) == 2  # both runs


# ---------------------------------------------------------------------------
# A scripted week: Mon 21 – Sun 27 Sep 2026 (Fri 25 Sep is 中秋节), the cron
# command run twice each day, Friday's file re-imported on Monday with --as-of.

WEEK_CUSTOMERS = [
    ("A", "王建国", "13812348001"),  # matures Mon 28 Sep
    ("B", "李秀英", "13912348002"),  # matures Thu 24 Sep, overdue from the holiday
    ("C", "张伟", "15012348003"),  # matures Thu 24 Sep; a wrong number, found Tue
    ("D", "赵敏", "15112348004"),  # 5 days past due on Fri; promised to pay by Tue
    ("E", "钱多多", ""),  # no phone at all
    ("G", "孙丽", "15212348007"),  # matures Sun 27 Sep; reached on Sun 20 Sep
]
WEEK_LOANS = [
    loan("LA", "A", "2026-09-28"),
    loan("LB", "B", "2026-09-24"),
    loan("LC", "C", "2026-09-24"),
    loan("LD", "D", "2026-09-13", dpd="5"),
    loan("LE", "E", "2026-09-22"),
    loan("LG", "G", "2026-09-27"),
]


def test_a_week_of_cron_runs_sends_what_a_careful_officer_would(
    load: Callable[..., Cli], make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    import csv

    cli = load(WEEK_CUSTOMERS, WEEK_LOANS, "2026-09-18")  # Friday's export
    ok(cli("log", "D", "--channel", "call", "--outcome", "promised", "--next", "2026-09-22", today="2026-09-18"))  # fmt: skip
    ok(cli("log", "G", "--channel", "call", "--outcome", "reached", today="2026-09-20"))
    friday_file = make_csv("friday-loans.csv", [LOAN_HEADER, *WEEK_LOANS])
    out = tmp_path / "out"
    out.mkdir()
    sent: list[tuple[str, str, str]] = []
    for day in [f"2026-09-{d}" for d in range(21, 28)]:
        if day == "2026-09-21":  # Friday's file again, on Monday
            ok(cli("import", "loans", str(friday_file), "--as-of", "2026-09-18", today=day))
        if day == "2026-09-22":
            ok(cli("log", "C", "--channel", "call", "--outcome", "wrong_number", today=day))
        for run in (1, 2):
            target = out / f"sms-{day}.{run}.csv"
            ok(cli("export", "reminders", "--days", "0", "--audience", "customer", "--new-only", "--output", str(target), today=day))  # fmt: skip
            with target.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.DictReader(handle))
            if run == 2:
                assert rows == [], day  # the second run of a day sends nothing
            for row in rows:
                assert row["date"] == day
                kind = "overdue" if "逾期" in row["message"] else "maturing"
                sent.append((day, row["name"], kind))
    assert sent == [
        # Mon: the 7-day windows; 赵敏 promised to pay by Tue; 钱多多 has no phone.
        ("2026-09-21", "王建国", "maturing"),
        ("2026-09-21", "李秀英", "maturing"),
        ("2026-09-21", "张伟", "maturing"),
        # Wed: 赵敏's promise has passed. 李秀英's 1-day window is within the quiet
        # week; 张伟's phone is a wrong number.
        ("2026-09-23", "赵敏", "overdue"),
        # Thu: 孙丽's 1-day window opens Sat 26, before a holiday Friday.
        ("2026-09-24", "孙丽", "maturing"),
        # Fri–Sun: nothing. 李秀英's overdue text waits for Mon 28 Sep.
    ]
