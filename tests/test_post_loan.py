"""Item 9 of issue 8: post-loan checks.

- a contact within ``rhythm.post_loan_early_days`` (7) before a scheduled check
  satisfies it;
- a loan first imported more than one check period (90 days) after its
  disbursement starts its schedule at the next check date after that first
  import, so a new store does not begin with every borrower due a check today;
- ``export reminders --kinds post_loan_check`` agrees with ``calls`` day by day.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.books import day, json_of
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli


def load(
    cli: Cli, make_csv: Callable[..., Path], loans: list[list[object]], *import_args: str
) -> None:
    ids = sorted({str(row[1]) for row in loans})
    customers = make_csv(
        "customers.csv",
        [CUSTOMER_HEADER]
        + [
            [cid, f"客户{cid}", f"1381234{i:04d}", "", "粮油", "王芳", ""]
            for i, cid in enumerate(ids)
        ],
    )
    loans_csv = make_csv("loans.csv", [LOAN_HEADER, *loans])
    assert cli("import", "customers", str(customers)).exit_code == 0
    result = cli("import", "loans", str(loans_csv), *import_args)
    assert result.exit_code == 0, result.stderr


def credit_loan(loan_id: str, customer_id: str, disbursed: int) -> list[object]:
    """An ordinary credit loan maturing far ahead: only checks can list it."""
    return [
        loan_id,
        customer_id,
        "50000",
        day(disbursed),
        day(disbursed + 730),
        "信用",
        "正常",
        "",
        "",
        "",
    ]


def checks(cli: Cli, today: str) -> dict[str, int]:
    rows = json_of(cli, "calls", "--limit", "1000", today=today)
    return {row["customer_id"]: row["post_loan_check"] for row in rows if row["post_loan_check"]}


# --- a contact shortly before a check satisfies it ---------------------------


def test_a_contact_up_to_7_days_before_a_check_satisfies_it(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    # Disbursed 12 days ago: the first check (15 days after) falls on day 3.
    load(cli, make_csv, [credit_loan("L1", "C1", -12), credit_loan("L2", "C2", -12)])
    assert checks(cli, day(3)) == {"C1": 15, "C2": 15}
    # C1 called 5 days before the check, C2 10 days before.
    for cid, at in (("C1", -2), ("C2", -7)):
        assert cli("log", cid, "--at", day(at)).exit_code == 0
    assert checks(cli, day(3)) == {"C2": 15}
    # The next check, 90 days later, is due again for both.
    assert checks(cli, day(93)) == {"C1": 15, "C2": 15}


def test_the_early_window_is_a_rhythm_setting(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    load(cli, make_csv, [credit_loan("L1", "C1", -12)])
    assert cli("log", "C1", "--at", day(-2)).exit_code == 0
    config = tmp_path / "early.toml"
    config.write_text("[rhythm]\npost_loan_early_days = 3\n", encoding="utf-8")
    env = {"RETAIN_CONFIG": str(config)}
    result = cli("calls", "--format", "json", today=day(3), env=env)
    assert [row["customer_id"] for row in result.json()] == ["C1"]
    shown = cli("config", "show", "--defaults")
    assert "post_loan_early_days = 7" in shown.stdout


def test_no_reminder_for_a_check_already_satisfied_early(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(cli, make_csv, [credit_loan("L1", "C1", -12), credit_loan("L2", "C2", -12)])
    assert cli("log", "C1", "--at", day(-2)).exit_code == 0
    reminders = json_of(cli, "export", "reminders", "--days", "10", "--kinds", "post_loan_check")
    assert [(r["customer_id"], r["date"]) for r in reminders] == [("C2", day(3))]


# --- a loan imported long after its disbursement -------------------------------


def test_a_new_store_does_not_begin_with_every_borrower_due_a_check(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    # Checks of a loan disbursed 400 days ago fall on -385, -295, -205, -115, -25, 65 …
    # C2's loan, 50 days old (less than a check period), keeps its schedule.
    load(cli, make_csv, [credit_loan("L1", "C1", -400), credit_loan("L2", "C2", -50)])
    assert checks(cli, day(0)) == {"C2": 15}
    assert checks(cli, day(64)) == {"C2": 15}
    assert checks(cli, day(65)) == {"C1": 15, "C2": 15}


def test_explain_says_the_schedule_starts_after_the_first_import(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(cli, make_csv, [credit_loan("L1", "C1", -400)])
    payload = json_of(cli, "calls", "--explain", "C1", today=day(65))
    rule = {t["term"]: t["rule"] for t in payload["terms"]}["post_loan_check"]
    assert rule == (
        f"15: check due since {day(65)} (15 days after disbursement, then every 90;"
        f" a contact up to 7 days before counts); schedule starts after first import"
        f" on {day(0)}"
    )
    zh = cli("--lang", "zh", "calls", "--explain", "C1", "--format", "json", today=day(65))
    rule_zh = {t["term"]: t["rule"] for t in zh.json()["terms"]}["post_loan_check"]
    assert f"首次导入（{day(0)}）后开始计算" in rule_zh


def test_first_import_day_is_the_as_of_day_and_a_later_import_keeps_it(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    # Friday's export imported on Monday: first seen on Friday (day -3).
    load(cli, make_csv, [credit_loan("L1", "C1", -400)], "--as-of", day(-3))
    payload = json_of(cli, "calls", "--explain", "C1", today=day(65))
    rule = {t["term"]: t["rule"] for t in payload["terms"]}["post_loan_check"]
    assert rule.endswith(f"schedule starts after first import on {day(-3)}")
    # Re-importing on a later day does not move the first import.
    loans_csv = make_csv("loans.csv", [LOAN_HEADER, credit_loan("L1", "C1", -400)])
    assert cli("import", "loans", str(loans_csv), today=day(30)).exit_code == 0
    payload = json_of(cli, "calls", "--explain", "C1", today=day(65))
    rule = {t["term"]: t["rule"] for t in payload["terms"]}["post_loan_check"]
    assert rule.endswith(f"schedule starts after first import on {day(-3)}")


# --- reminders agree with the call list day by day ------------------------------


def test_check_reminders_agree_with_the_daily_call_lists(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    loans = [credit_loan(f"L{d}", f"C{d}", -d) for d in (5, 14, 86, 89, 91, 100, 200, 400)]
    load(cli, make_csv, loans)
    assert cli("log", "C86", "--at", day(-2)).exit_code == 0
    window = 70
    listed: dict[str, str] = {}
    for offset in range(window + 1):
        for cid in checks(cli, day(offset)):
            listed.setdefault(cid, day(offset))
    reminders = json_of(
        cli, "export", "reminders", "--days", str(window), "--kinds", "post_loan_check"
    )
    firsts: dict[str, str] = {}
    for r in reminders:
        firsts.setdefault(r["customer_id"], r["date"])
    assert firsts == listed
    # Old loans wait for their first check after the import (C400: 65, C200: 85,
    # beyond the window); C89, younger than a check period, keeps its schedule; C86's
    # call two days ago satisfied its check of day -71, so its next is day 19.
    assert (listed["C400"], listed["C100"], listed["C91"]) == (day(65), day(5), day(14))
    assert "C200" not in listed
    assert (listed["C89"], listed["C86"]) == (day(0), day(19))


# --- the migration fills the first import day of existing loans -----------------


def test_the_migration_fills_the_first_import_day_from_the_import_that_created_each_loan(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    from retain.migrations import fill_first_seen

    load(cli, make_csv, [credit_loan("L1", "C1", -400)], "--as-of", day(-3))
    conn = cli.connect()
    try:
        conn.execute("UPDATE loans SET first_seen_day = NULL")
        fill_first_seen(conn)
        found: Any = conn.execute("SELECT first_seen_day FROM loans").fetchone()[0]
        as_of = conn.execute("SELECT as_of_day FROM imports WHERE kind = 'loans'").fetchone()[0]
    finally:
        conn.close()
    assert found == as_of
