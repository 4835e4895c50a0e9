"""Item 10 of issue 8: written-off loans (账销案存) keep being collected.

- ``overdue --include-written-off`` lists them, with their own class label;
- the ``recovery`` term keeps customers with a written-off loan on the call list
  at a monthly rhythm (``rhythm.recovery_every_days``), for officers only;
- ``show`` gives such a customer's class (it was blank).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.books import day, json_of
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    customers = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER,
            ["W1", "核销户", "13812348001", "", "粮油", "王芳", ""],
            ["W2", "核销无日期", "13912348002", "", "粮油", "李强", ""],
            ["O1", "逾期户", "15012348003", "", "粮油", "王芳", ""],
        ],
    )
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            ["LW1", "W1", "80000", "2023-01-01", "2024-01-01", "信用", "核销", day(-200), "60000", "400"],
            ["LW2", "W2", "30000", "2023-06-01", "2024-06-01", "保证", "核销", "", "", ""],
            ["LO1", "O1", "50000", day(-60), day(-20), "信用", "逾期", "", "50000", "20"],
        ],
    )  # fmt: skip
    assert cli("import", "customers", str(customers)).exit_code == 0
    result = cli("import", "loans", str(loans))
    assert result.exit_code == 0, result.stderr
    return cli


# --- overdue --include-written-off -------------------------------------------------


def test_written_off_loans_are_listed_only_on_request(book: Cli) -> None:
    assert [r["loan_id"] for r in json_of(book, "overdue")] == ["LO1"]
    rows = json_of(book, "overdue", "--include-written-off")
    assert sorted(r["loan_id"] for r in rows) == ["LO1", "LW1", "LW2"]
    by_loan = {r["loan_id"]: r for r in rows}
    assert by_loan["LW1"]["class"] == by_loan["LW1"]["customer_class"] == "written off"
    assert by_loan["LW1"]["status"] == "written_off"
    assert by_loan["LO1"]["class"] == "special mention"
    zh = book("--lang", "zh", "overdue", "--include-written-off", "--format", "json").json()
    assert {r["loan_id"]: r["class"] for r in zh}["LW2"] == "已核销"


def test_written_off_loans_come_after_the_open_ones_in_the_table(book: Cli) -> None:
    result = book("overdue", "--include-written-off", env={"RETAIN_TTY": "1", "COLUMNS": "220"})
    assert result.exit_code == 0, result.stderr
    text = ANSI.sub("", result.stdout)
    assert "written off" in text
    assert text.index("LO1") < text.index("LW1")
    # The book by class and PAR stay the open book: written-off loans are off it.
    summary = json_of(book, "overdue", "--summary")
    assert summary["total_count"] == 1


def test_class_written_off_picks_them(book: Cli) -> None:
    rows = json_of(book, "overdue", "--class", "已核销")
    assert sorted(r["loan_id"] for r in rows) == ["LW1", "LW2"]
    rows = json_of(book, "overdue", "--class", "written off", "--officer", "李强")
    assert [r["loan_id"] for r in rows] == ["LW2"]


# --- the recovery term ---------------------------------------------------------------


def test_written_off_customers_stay_on_the_call_list_monthly(book: Cli) -> None:
    rows = {r["customer_id"]: r for r in json_of(book, "calls")}
    assert rows["W1"]["recovery"] == rows["W2"]["recovery"] == 5
    assert rows["W1"]["reasons"] == "recovery"
    assert rows["O1"]["recovery"] == 0
    # Collections first: the overdue customer ranks above them.
    assert rows["O1"]["rank"] == 1
    assert book("log", "W1", "--at", day(0)).exit_code == 0
    for offset in (4, 29):
        listed = [r["customer_id"] for r in json_of(book, "calls", today=day(offset))]
        assert "W1" not in listed and "W2" in listed, offset
    back = {r["customer_id"]: r for r in json_of(book, "calls", today=day(30))}
    assert back["W1"]["recovery"] == 5


def test_recovery_rhythm_is_a_setting_and_explain_names_it(book: Cli, tmp_path: Path) -> None:
    payload = json_of(book, "calls", "--explain", "W1")
    rules = {t["term"]: t["rule"] for t in payload["terms"] if t["points"]}
    assert rules == {"recovery": f"5: written-off loan since {day(-200)}; contact every 30 days"}
    config = tmp_path / "c.toml"
    config.write_text("[rhythm]\nrecovery_every_days = 10\n", encoding="utf-8")
    env = {"RETAIN_CONFIG": str(config)}
    assert book("log", "W1", "--at", day(0)).exit_code == 0
    listed = book("calls", "--format", "ids", today=day(10), env=env).stdout.split()
    assert "W1" in listed
    shown = book("calls", "--reason", "核销追偿", "--format", "ids", today=day(10), env=env)
    assert shown.stdout.split() == ["W1", "W2"]


def test_recovery_reminders_go_to_the_officer_not_the_customer(book: Cli) -> None:
    reminders = json_of(book, "export", "reminders", "--days", "0", "--kinds", "recovery")
    assert sorted(r["customer_id"] for r in reminders) == ["W1", "W2"]
    assert {r["reason"] for r in reminders} == {"recovery"}
    customer = book(
        "export", "reminders", "--days", "0", "--audience", "customer", "--format", "json"
    )
    assert "recovery" not in customer.stdout
    asked = book("export", "reminders", "--audience", "customer", "--kinds", "recovery")
    assert asked.exit_code == 2
    assert "recovery is for officers and is never sent to customers" in asked.stderr


def test_the_config_may_allow_recovery_texts(book: Cli, tmp_path: Path) -> None:
    """"No customer SMS for them unless the config allows it": a lender that does
    text written-off borrowers lists recovery in export.customer_reasons and
    writes the text itself (there is no default one)."""
    config = tmp_path / "c.toml"
    config.write_text(
        '[export]\ncustomer_reasons = ["overdue", "maturing", "win_back", "recovery"]\n',
        encoding="utf-8",
    )
    env = {"RETAIN_CONFIG": str(config)}
    args = ("export", "reminders", "--days", "0", "--audience", "customer", "--format", "json")
    missing = book(*args, env=env)
    assert missing.exit_code == 2 and "recovery" in missing.stderr  # no text to send
    with config.open("a", encoding="utf-8") as handle:
        handle.write('[export.templates.customer.zh]\nrecovery = "{name}您好，请联系{officer}。"\n')
    sent = book(*args, env=env)
    assert sent.exit_code == 0, sent.stderr
    texts = {r["name"]: r["message"] for r in sent.json()}
    assert texts["核销户"] == "核销户您好，请联系王芳。"
    assert texts["核销无日期"] == "核销无日期您好，请联系李强。"
    config.write_text('[export]\ncustomer_reasons = ["recover"]\n', encoding="utf-8")
    bad = book(*args, env=env)
    assert bad.exit_code == 2 and "customer_reasons" in bad.stderr


# --- show ----------------------------------------------------------------------------


def test_show_gives_the_class_of_a_written_off_customer(book: Cli) -> None:
    text = book("show", "W2", env={"RETAIN_TTY": "1", "COLUMNS": "220"}).stdout
    line = next(ln for ln in ANSI.sub("", text).splitlines() if "Worst class" in ln)
    assert "written off" in line
    zh = book("--lang", "zh", "show", "W1", env={"RETAIN_TTY": "1", "COLUMNS": "220"}).stdout
    assert zh.count("已核销") >= 2  # the customer's class and the loan's
