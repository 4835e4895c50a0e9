"""Repayment schedules: ``import schedule``, the overdue spell from the oldest
unpaid instalment, ``due --instalments`` and ``show``'s schedule (issue 11)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, valid_id_number

ZH_HEADER = ["借据号", "期数", "应还日期", "应还本金", "应还利息", "实还日期", "实还金额"]
EN_HEADER = ["Loan ID", "Period", "Due Date", "Principal Due", "Interest Due", "Paid On", "Amount Paid"]  # fmt: skip


def month(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    return day.replace(year=day.year + index // 12, month=index % 12 + 1)


def l1_rows(paid_through: int = 4, *, paid_5: str = "") -> list[list[object]]:
    """L1: 12 monthly instalments of 10,000 + 500 due the 10th, from 2026-07-10;
    the first ``paid_through`` paid on their due day; period 5 (2026-11-10) paid
    on ``paid_5`` if given."""
    rows: list[list[object]] = []
    for period in range(1, 13):
        due = month(dt.date(2026, 7, 10), period - 1)
        paid_on, paid = "", ""
        if period <= paid_through:
            paid_on, paid = due.isoformat(), "10500"
        if period == 5 and paid_5:
            paid_on, paid = paid_5, "10500"
        rows.append(["L1", period, due.isoformat(), "10000", "500", paid_on, paid])
    return rows


def l2_rows() -> list[list[object]]:
    """L2: 6 instalments of 10,000 + 300 due the 5th from 2026-10-05; period 2
    paid late (2026-11-08), period 1 on time."""
    rows: list[list[object]] = []
    for period in range(1, 7):
        due = month(dt.date(2026, 10, 5), period - 1)
        paid_on, paid = {1: ("2026-10-05", "10300"), 2: ("2026-11-08", "10300")}.get(
            period, ("", "")
        )
        rows.append(["L2", period, due.isoformat(), "10000", "300", paid_on, paid])
    return rows


@pytest.fixture
def ledger(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    """Two customers with one instalment loan each, around 2026-12-01."""
    customers = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", valid_id_number("11010519491231002"), "粮油", "王芳", ""],
            ["C2", "李秀英", "13912348002", "", "烟酒", "李强", ""],
        ],
    )  # fmt: skip
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            ["L1", "C1", "120000", "2026-06-10", "2027-06-10", "信用", "正常", "", "80000", ""],
            ["L2", "C2", "60000", "2026-09-05", "2027-03-05", "保证", "正常", "", "40000", ""],
        ],
    )  # fmt: skip
    for kind, path in (("customers", customers), ("loans", loans)):
        result = cli("import", kind, str(path))
        assert result.exit_code == 0, result.stderr
    return cli


def schedule(
    make_csv: Callable[..., Path],
    rows: list[list[object]],
    *,
    header: list[str] = ZH_HEADER,
    name: str = "schedule.csv",
    **kw: Any,
) -> Path:
    return make_csv(name, [header, *rows], **kw)


def db_rows(cli: Cli, sql: str, *params: object) -> list[tuple[object, ...]]:
    return [tuple(r) for r in cli.sql(sql, params)]


def overdue(cli: Cli, **kw: Any) -> dict[str, dict[str, Any]]:
    result = cli("overdue", "--format", "json", **kw)
    assert result.exit_code == 0, result.stderr
    return {row["loan_id"]: row for row in result.json()}


def import_schedule(cli: Cli, path: Path, *args: str, **kw: Any) -> dict[str, Any]:
    result = cli("import", "schedule", str(path), "--format", "json", *args, **kw)
    assert result.exit_code == 0, result.stderr
    summary: dict[str, Any] = result.json()
    return summary


# --- the import ---------------------------------------------------------------


def test_a_schedule_with_chinese_headers_is_imported(
    ledger: Cli, make_csv: Callable[..., Path]
) -> None:
    path = schedule(make_csv, l1_rows() + l2_rows(), encoding="gb18030")
    summary = import_schedule(ledger, path)
    assert summary["kind"] == "schedule"
    assert (summary["added"], summary["updated"], summary["rejected"]) == (18, 0, 0)
    assert summary["encoding"] == "GB18030"
    assert db_rows(
        ledger,
        "SELECT period, due_on, principal_fen, interest_fen, paid_on, paid_fen FROM instalments"
        " WHERE loan_id = 'L2' AND period IN (2, 3) ORDER BY period",
    ) == [
        (2, "2026-11-05", 1_000_000, 30_000, "2026-11-08", 1_030_000),
        (3, "2026-12-05", 1_000_000, 30_000, None, None),
    ]
    # each loan's next unpaid instalment on or after today
    assert db_rows(
        ledger,
        "SELECT loan_id, next_due_on, next_due_fen, next_due_period FROM loans ORDER BY loan_id",
    ) == [("L1", "2026-12-10", 1_050_000, 6), ("L2", "2026-12-05", 1_030_000, 3)]


def test_a_schedule_with_english_headers_and_a_workbook(
    ledger: Cli, tmp_path: Path, xlsx_reader: str
) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(EN_HEADER)
    for row in l2_rows():
        sheet.append(row)
    path = tmp_path / "schedule.xlsx"
    book.save(path)
    summary = import_schedule(ledger, path)
    assert (summary["added"], summary["rejected"]) == (6, 0)
    assert db_rows(ledger, "SELECT COUNT(*), SUM(paid_fen) FROM instalments") == [(6, 2_060_000)]


def test_faulty_rows_go_to_the_rejects_file_with_their_reason(
    ledger: Cli, make_csv: Callable[..., Path]
) -> None:
    rows: list[list[object]] = [
        ["L1", 1, "2026-07-10", "10000", "500", "2026-07-10", "10500"],
        ["L9", 1, "2026-07-10", "10000", "500", "", ""],  # unknown loan
        ["L1", 2, "2026-13-10", "10000", "500", "", ""],  # bad date
        ["L1", 3, "2026-09-10", "ten", "500", "", ""],  # bad amount
        ["L1", 1, "2026-07-10", "10000", "500", "", ""],  # duplicate (loan, period)
        ["L1", 4, "2026-10-10", "10000", "500", "", "10500"],  # paid without a date
        ["L1", 5, "2026-11-10", "10000", "500", "2026-11-10", ""],  # date without amount
        ["L1", 0, "2026-06-10", "10000", "500", "", ""],  # period 0
        ["L2", 1, "2026-10-05", "10000", "300", "", ""],  # fine
    ]
    path = schedule(make_csv, rows)
    result = ledger("import", "schedule", str(path), "--format", "json")
    assert result.exit_code == 3, result.stderr
    summary = result.json()
    assert (summary["added"], summary["rejected"]) == (2, 7)
    reasons = {r["row"]: (r["field"], r["reason"]) for r in summary["rejects"]}
    assert reasons[3] == ("loan_id", "loan L9 does not exist; import loans first")
    assert reasons[4][0] == "due_on"
    assert reasons[5][0] == "principal_due"
    assert reasons[6] == ("period", "same loan_id and period as row 2")
    assert reasons[7] == ("paid_on", "required when paid_amount is filled in")
    assert reasons[8] == ("paid_amount", "required when paid_on is filled in")
    assert reasons[9] == ("period", "must be at least 1")
    rejects = Path(summary["rejects_file"])
    with rejects.open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert sorted(r["借据号"] for r in written) == ["L1"] * 6 + ["L9"]
    assert db_rows(ledger, "SELECT loan_id, period FROM instalments ORDER BY 1, 2") == [
        ("L1", 1),
        ("L2", 1),
    ]


def test_a_dry_run_writes_nothing(ledger: Cli, make_csv: Callable[..., Path]) -> None:
    summary = import_schedule(ledger, schedule(make_csv, l1_rows()), "--dry-run")
    assert summary["added"] == 12
    assert db_rows(ledger, "SELECT COUNT(*) FROM instalments") == [(0,)]
    assert db_rows(ledger, "SELECT next_due_on FROM loans WHERE loan_id = 'L1'") == [(None,)]


def test_the_same_schedule_next_day_changes_nothing(
    ledger: Cli, make_csv: Callable[..., Path]
) -> None:
    path = schedule(make_csv, l1_rows() + l2_rows())
    import_schedule(ledger, path)
    reminders = ledger("export", "reminders", "--format", "json")
    assert reminders.exit_code == 0, reminders.stderr
    ids = sorted(r["reminder_id"] for r in reminders.json())
    assert ids  # L1 is overdue: there is something to keep stable
    audit = db_rows(ledger, "SELECT COUNT(*) FROM changes")
    again = import_schedule(ledger, path, today="2026-12-02")
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 18)
    assert db_rows(ledger, "SELECT COUNT(*) FROM changes") == audit
    later = ledger("export", "reminders", "--format", "json", today="2026-12-02")
    overdue_ids = {r["reminder_id"] for r in later.json() if r["reason"] == "overdue"}
    assert overdue_ids <= set(ids)
    assert overdue_ids


def test_a_changed_instalment_is_updated_and_audited(
    ledger: Cli, make_csv: Callable[..., Path]
) -> None:
    import_schedule(ledger, schedule(make_csv, l2_rows()))
    rows = l2_rows()
    rows[2][5:] = ["2026-12-01", "5000"]  # part of period 3 paid
    summary = import_schedule(ledger, schedule(make_csv, rows, name="s2.csv"))
    assert (summary["added"], summary["updated"], summary["unchanged"]) == (0, 1, 5)
    assert set(
        db_rows(
            ledger,
            "SELECT entity, entity_id, field, old_value, new_value FROM changes"
            " WHERE import_id = (SELECT MAX(import_id) FROM imports)",
        )
    ) == {
        ("instalments", "L2/3", "paid_on", None, "2026-12-01"),
        ("instalments", "L2/3", "paid_amount", None, "500000"),
        ("loans", "L2", "next_due_fen", "1030000", "530000"),
    }


# --- days past due from the oldest unpaid instalment ----------------------------


def test_an_unpaid_instalment_makes_the_loan_overdue_before_its_maturity(
    ledger: Cli, make_csv: Callable[..., Path]
) -> None:
    import_schedule(ledger, schedule(make_csv, l1_rows() + l2_rows()))
    rows = overdue(ledger)
    assert set(rows) == {"L1"}  # L2 paid period 2 late, but it is paid
    assert rows["L1"]["days_past_due"] == 21  # 2026-11-10 → 2026-12-01
    assert rows["L1"]["matures_on"] == "2027-06-10"
    # it ages by the day without another import
    assert overdue(ledger, today="2026-12-05")["L1"]["days_past_due"] == 25


def test_days_past_due_count_from_the_oldest_unpaid_instalment(
    ledger: Cli, make_csv: Callable[..., Path]
) -> None:
    # periods 4 and 5 unpaid: the spell began the day after 2026-10-10
    import_schedule(ledger, schedule(make_csv, l1_rows(paid_through=3)))
    assert overdue(ledger)["L1"]["days_past_due"] == 52


def test_an_export_made_earlier_counts_from_its_as_of_day(
    ledger: Cli, make_csv: Callable[..., Path]
) -> None:
    # as of 2026-11-10 period 5 falls due that day: not yet overdue
    import_schedule(ledger, schedule(make_csv, l1_rows()), "--as-of", "2026-11-10")
    assert "L1" not in overdue(ledger)
    assert db_rows(ledger, "SELECT next_due_on FROM loans WHERE loan_id = 'L1'") == [
        ("2026-11-10",)
    ]


def test_paying_the_instalment_cures_the_loan(ledger: Cli, make_csv: Callable[..., Path]) -> None:
    import_schedule(ledger, schedule(make_csv, l1_rows()))
    assert "L1" in overdue(ledger)
    paid = schedule(make_csv, l1_rows(paid_5="2026-12-02"), name="paid.csv")
    summary = import_schedule(ledger, paid, today="2026-12-03")
    assert summary["updated"] == 1
    assert overdue(ledger, today="2026-12-03") == {}
    assert db_rows(
        ledger, "SELECT days_past_due, overdue_since_day FROM loans WHERE loan_id = 'L1'"
    ) == [(0, None)]


def test_the_schedule_not_the_loans_file_dates_the_spell(
    ledger: Cli, make_csv: Callable[..., Path]
) -> None:
    import_schedule(ledger, schedule(make_csv, l1_rows()))
    # the loans file says 3 days past due; the schedule says since 2026-11-11
    loans = make_csv(
        "loans2.csv",
        [
            LOAN_HEADER,
            ["L1", "C1", "120000", "2026-06-10", "2027-06-10", "信用", "逾期", "", "80000", "3"],
            ["L2", "C2", "60000", "2026-09-05", "2027-03-05", "保证", "正常", "", "40000", "4"],
        ],
    )
    assert ledger("import", "loans", str(loans)).exit_code == 0
    rows = overdue(ledger)
    assert rows["L1"]["days_past_due"] == 21
    assert rows["L2"]["days_past_due"] == 4  # no schedule: the loans file's figure


# --- the normaliser ---------------------------------------------------------------


@given(st.integers(min_value=-5, max_value=10_000))
def test_a_period_is_a_whole_number_from_one(period: int) -> None:
    from retain.importing.columns import Mapping, match_header
    from retain.importing.load import ImportSettings, rules_for
    from retain.importing.validate import Rejected, validate_instalment

    settings = ImportSettings(kind="schedule", today=dt.date(2026, 12, 1), mapping=Mapping())
    layout = match_header(ZH_HEADER, "schedule", Mapping())
    rules = rules_for(settings, layout)
    values = dict(zip(
        ("loan_id", "period", "due_on", "principal_due", "interest_due"),
        ("L1", str(period), "2026-07-10", "1", "0"),
        strict=True,
    ))  # fmt: skip
    result = validate_instalment(values, rules)
    if period >= 1:
        assert result == ("L1", period, "2026-07-10", 100, 0, None, None)
    else:
        assert isinstance(result, Rejected)
        assert result.fields == "period"


# --- due --instalments --------------------------------------------------------------


def test_due_instalments_lists_each_unpaid_instalment_beside_maturities(
    ledger: Cli, make_csv: Callable[..., Path]
) -> None:
    import_schedule(ledger, schedule(make_csv, l1_rows() + l2_rows()))
    result = ledger("due", "--days", "10", "--instalments", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = [
        (r["loan_id"], r["kind"], r["period"], r["due_on"], r["amount_due"], r["days_left"])
        for r in result.json()
    ]
    assert rows == [
        ("L2", "instalment", 3, "2026-12-05", 10300.0, 4),
        ("L1", "instalment", 6, "2026-12-10", 10500.0, 9),
    ]
    assert result.json()[0]["phone"] == "139****8002"
    # a maturity in the window is listed too, with its balance
    wide = ledger("due", "--days", "100", "--instalments", "--format", "json").json()
    assert ("L2", "maturity", None, "2027-03-05") in {
        (r["loan_id"], r["kind"], r["period"], r["due_on"]) for r in wide
    }
    assert [r["period"] for r in wide if r["loan_id"] == "L2" and r["kind"] == "instalment"] == [
        3,
        4,
        5,
        6,
    ]


def test_due_instalments_table_and_csv(ledger: Cli, make_csv: Callable[..., Path]) -> None:
    import_schedule(ledger, schedule(make_csv, l1_rows() + l2_rows()))
    table = ledger("due", "--days", "10", "--instalments", env={"RETAIN_TTY": "1"})
    assert table.exit_code == 0, table.stderr
    assert "2 due, 20,800.00 yuan still owed" in table.stdout
    assert "139****8002" in table.stdout
    csv_out = ledger("due", "--days", "10", "--instalments", "--format", "csv")
    lines = list(csv.reader(csv_out.stdout.lstrip("\ufeff").splitlines()))
    assert lines[0][:9] == [
        "loan_id", "customer_id", "name", "phone", "officer", "kind", "period", "due_on",
        "amount_due",
    ]  # fmt: skip
    assert [line[0] for line in lines[1:]] == ["L2", "L1"]
    zh = ledger("--lang", "zh", "due", "--days", "10", "--instalments", env={"RETAIN_TTY": "1"})
    assert "共 2 笔，尚欠合计 20,800.00 元" in zh.stdout


def next_due_loans(make_csv: Callable[..., Path], l1_next: tuple[str, str]) -> Path:
    """The fixture's loans file again, with L1's 下次还款日 / 下期应还."""
    return make_csv(
        "loans-next.csv",
        [
            [*LOAN_HEADER, "下次还款日", "下期应还"],
            ["L1", "C1", "120000", "2026-06-10", "2027-06-10", "信用", "正常", "", "80000", "", *l1_next],
            ["L2", "C2", "60000", "2026-09-05", "2027-03-05", "保证", "正常", "", "40000", "", "", ""],
        ],
    )  # fmt: skip


def test_a_loan_without_a_schedule_contributes_its_next_due_instalment(
    ledger: Cli, make_csv: Callable[..., Path]
) -> None:
    import_schedule(ledger, schedule(make_csv, l2_rows()))
    # L1 has no schedule: its loans file says what falls due next
    result = ledger("import", "loans", str(next_due_loans(make_csv, ("2026-12-08", "2500"))))
    assert result.exit_code == 0, result.stderr
    rows = ledger("due", "--days", "10", "--instalments", "--format", "json").json()
    assert [(r["loan_id"], r["due_on"], r["amount_due"]) for r in rows] == [
        ("L2", "2026-12-05", 10300.0),
        ("L1", "2026-12-08", 2500.0),
    ]


def instalment_reasons(cli: Cli, customer: str, today: str) -> list[str]:
    result = cli("calls", "--explain", customer, "--format", "json", today=today)
    assert result.exit_code == 0, result.stderr
    return [t["rule"] for t in result.json()["terms"] if t["term"] == "instalment" and t["points"]]


def test_a_scheduled_loan_keeps_its_next_instalment_against_a_loans_file(
    ledger: Cli, make_csv: Callable[..., Path]
) -> None:
    # L1's schedule: period 6 (10,500 on 2026-12-10) is the next unpaid one
    import_schedule(ledger, schedule(make_csv, l1_rows(paid_through=5)))
    assert any(
        "10,500.00" in r and "10 Dec" in r for r in instalment_reasons(ledger, "C1", "2026-12-08")
    )
    # a loans file that says otherwise (a stale 下次还款日) does not move it ...
    loans = next_due_loans(make_csv, ("2027-01-10", "999"))
    first = ledger("import", "loans", str(loans), "--format", "json", today="2026-12-08")
    assert first.exit_code == 0, first.stderr
    assert first.json()["updated"] == 0  # L1's instalment is the schedule's; L2 unchanged
    assert any(
        "10,500.00" in r and "10 Dec" in r for r in instalment_reasons(ledger, "C1", "2026-12-08")
    )
    assert instalment_reasons(ledger, "C1", "2027-01-08") == []
    # ... and the same file the next day changes nothing either
    again = ledger("import", "loans", str(loans), "--format", "json", today="2026-12-09")
    assert (again.json()["updated"], again.json()["unchanged"]) == (0, 2)


def test_a_promise_is_judged_on_the_schedule_s_payments(
    ledger: Cli, make_csv: Callable[..., Path]
) -> None:
    # On 2026-12-01 L1's period 5 (2026-11-10) is unpaid: C1 is overdue and promises it
    import_schedule(ledger, schedule(make_csv, l1_rows(paid_through=4)))
    log = ledger("log", "C1", "--outcome", "promised", "--next", "2026-12-05", "--amount", "10500")
    assert log.exit_code == 0, log.stderr
    # 2026-12-08: the schedule says C1 paid period 5 on 2026-12-04 → kept
    paid = schedule(make_csv, l1_rows(paid_through=4, paid_5="2026-12-04"), name="s2.csv")
    import_schedule(ledger, paid, today="2026-12-08")
    judged = ledger("promises", "--format", "json", today="2026-12-08").json()
    assert [(p["customer_id"], p["promise_status"], p["paid"]) for p in judged] == [
        ("C1", "kept", 10500.0)
    ]


def test_a_promise_the_schedule_shows_unpaid_is_broken(
    ledger: Cli, make_csv: Callable[..., Path]
) -> None:
    import_schedule(ledger, schedule(make_csv, l1_rows(paid_through=4)))
    log = ledger("log", "C1", "--outcome", "promised", "--next", "2026-12-05", "--amount", "10500")
    assert log.exit_code == 0, log.stderr
    # the next schedule, on 2026-12-08, still shows period 5 unpaid → broken
    import_schedule(
        ledger, schedule(make_csv, l1_rows(paid_through=4), name="s2.csv"), today="2026-12-08"
    )
    judged = ledger("promises", "--format", "json", today="2026-12-08").json()
    assert [(p["customer_id"], p["promise_status"]) for p in judged] == [("C1", "broken")]
    top = ledger("calls", "--format", "json", "--limit", "1", today="2026-12-08").json()
    assert top[0]["customer_id"] == "C1" and top[0]["broken_promise"] > 0


# --- show --------------------------------------------------------------------------


def test_show_lists_the_schedule_compactly(ledger: Cli, make_csv: Callable[..., Path]) -> None:
    import_schedule(ledger, schedule(make_csv, l1_rows() + l2_rows()))
    result = ledger("show", "C1", env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Schedule of L1" in out
    lines = [" ".join(line.split()) for line in out.splitlines()]
    # periods 1–4 paid on time fold into one line; 5 is overdue; 6–8 in full; 9–12 fold
    assert any(
        line.startswith("1–4 2026-07-10 – 2026-10-10 42,000.00 42,000.00 paid ×4") for line in lines
    )
    assert "5 2026-11-10 10,500.00 0.00 overdue" in lines
    for period, due in ((6, "2026-12-10"), (7, "2027-01-10"), (8, "2027-02-10")):
        assert f"{period} {due} 10,500.00 0.00 unpaid" in lines
    assert "9–12 2027-03-10 – 2027-06-10 42,000.00 0.00 unpaid ×4" in lines
    # L2 (C2): period 2 was paid three days late
    other = [" ".join(line.split()) for line in ledger("show", "C2").stdout.splitlines()]
    assert "2 2026-11-05 10,300.00 2026-11-08 10,300.00 paid late" in other
    zh = ledger("--lang", "zh", "show", "C1", env={"COLUMNS": "160"}).stdout
    assert "L1 还款计划" in zh
    assert "逾期未还" in zh


def test_a_mapping_file_names_a_foreign_schedule_s_columns(
    ledger: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    mapping = tmp_path / "bank.toml"
    mapping.write_text(
        '[columns]\nloan_id = "合同号"\nperiod = "第几期"\npaid_amount = "本期已还"\n'
        '[options]\namount_unit = "万元"\n',
        encoding="utf-8",
    )
    header = ["合同号", "第几期", "应还日期", "应还本金", "应还利息", "实还日期", "本期已还"]
    path = schedule(
        make_csv, [["L2", 1, "2026-10-05", "1", "0.03", "2026-10-05", "1.03"]], header=header
    )
    summary = import_schedule(ledger, path, "--map", str(mapping))
    assert summary["added"] == 1
    assert db_rows(ledger, "SELECT principal_fen, interest_fen, paid_fen FROM instalments") == [
        (1_000_000, 30_000, 1_030_000)
    ]


def test_a_schedule_read_from_stdin(ledger: Cli) -> None:
    text = "\n".join(",".join(str(c) for c in row) for row in [EN_HEADER, *l2_rows()])
    result = ledger(
        "import", "schedule", "-", "--input-format", "csv", "--format", "json", input=text
    )
    assert result.exit_code == 0, result.stderr
    assert result.json()["added"] == 6


# --- a chunk and a column at a time (importing/schedule.py) ----------------------
# What the column-wise check finds must be what a row-by-row check finds, across
# chunk boundaries too: a repeat of a good, a faulty and a loanless row of an
# earlier chunk, the same bad cell twice.

LOAD_CHUNK = 2000  # rows per chunk of importing.load


def _chunked_book() -> list[list[object]]:
    rows: list[list[object]] = [
        ["L1", 1, "2026-07-10", "10000", "500", "2026-07-10", "10500"],  # row 2: fine
        ["L1", 2, "2026-13-10", "10000", "500", "", ""],  # row 3: bad date, valid key
        ["L9", 1, "2026-07-10", "10000", "500", "", ""],  # row 4: unknown loan
        ["L1", 3, "2026-08-10", "10000", "500", "2026-12-02", "10500"],  # row 5: paid after today
    ]
    # L2's periods fill the first chunk and reach into the second
    rows += [["L2", p, "2026-10-05", "100", "3", "", ""] for p in range(1, LOAD_CHUNK + 1)]
    rows += [
        ["L1", 1, "2026-07-10", "10000", "500", "", ""],  # repeats row 2 (a good row)
        ["L1", 2, "2026-09-10", "10000", "500", "", ""],  # repeats row 3 (a faulty row)
        ["L9", 1, "2026-07-10", "10000", "500", "", ""],  # repeats row 4 (no such loan)
        ["L2", 7, "2026-10-05", "100", "3", "", ""],  # repeats an L2 row of chunk 1
        ["L1", 4, "2026-13-10", "10000", "500", "", ""],  # the same bad date again
        ["L1", 5, "2026-11-10", "10000", "500", "2026-12-02", "10500"],  # paid after today
        ["L1", 6, "2026-12-10", "10000", "500", "", ""],  # fine
        ["L1", 6, "2026-12-10", "10000", "500", "", ""],  # repeats the row above
    ]
    return rows


def _chunk_rejects(summary: dict[str, Any]) -> dict[int, tuple[str, str]]:
    return {r["row"]: (r["field"], r["reason"]) for r in summary["rejects"]}


def test_repeats_and_faults_across_chunks(ledger: Cli, make_csv: Callable[..., Path]) -> None:
    path = schedule(make_csv, _chunked_book())
    first = LOAD_CHUNK + 6  # the first row after L2's
    result = ledger("import", "schedule", str(path), "--format", "json")
    assert result.exit_code == 3, result.stderr
    summary = result.json()
    assert (summary["added"], summary["rejected"]) == (2 + LOAD_CHUNK, 10)
    assert _chunk_rejects(summary) == {
        3: ("due_on", "not a real calendar date"),
        4: ("loan_id", "loan L9 does not exist; import loans first"),
        5: ("paid_on", "after today (2026-12-01)"),
        first: ("period", "same loan_id and period as row 2"),
        first + 1: ("period", "same loan_id and period as row 3"),
        first + 2: ("period", "same loan_id and period as row 4"),
        first + 3: ("period", f"same loan_id and period as row {5 + 7}"),
        first + 4: ("due_on", "not a real calendar date"),
        first + 5: ("paid_on", "after today (2026-12-01)"),
        first + 7: ("period", f"same loan_id and period as row {first + 6}"),
    }
    assert db_rows(ledger, "SELECT period FROM instalments WHERE loan_id = 'L1' ORDER BY 1") == [
        (1,),
        (6,),
    ]
    assert db_rows(ledger, "SELECT COUNT(*) FROM instalments WHERE loan_id = 'L2'") == [
        (LOAD_CHUNK,)
    ]
    # the same file again: the stored rows unchanged, the same rejections
    again = ledger("import", "schedule", str(path), "--format", "json")
    assert again.exit_code == 3, again.stderr
    summary = again.json()
    assert (summary["added"], summary["updated"], summary["unchanged"]) == (0, 0, 2 + LOAD_CHUNK)
    assert summary["rejected"] == 10


def _repeat_across_chunks_book() -> list[list[object]]:
    """L2's periods fill the first chunk; the second repeats one of them."""
    rows: list[list[object]] = [
        ["L2", p, "2026-10-05", "100", "3", "", ""] for p in range(1, LOAD_CHUNK + 1)
    ]
    return [*rows, ["L1", 1, "2026-07-10", "10000", "500", "", ""], rows[6]]


@pytest.mark.parametrize("source", ["stdin", "workbook"])
def test_a_repeat_across_chunks_names_its_first_row_from_stdin_and_a_workbook(
    ledger: Cli, tmp_path: Path, source: str
) -> None:
    # Into an empty instalments table the rows are written without their row
    # numbers; a repeat's first row is found by reading the input again: the
    # copy of stdin, the sheet that was read (not the first), the same encoding.
    book_rows = _repeat_across_chunks_book()
    if source == "stdin":
        text = "\n".join(",".join(str(c) for c in row) for row in [ZH_HEADER, *book_rows])
        result = ledger(
            "import", "schedule", "-", "--input-format", "csv", "--format", "json",
            input=text.encode("gb18030"),
        )  # fmt: skip
    else:
        import openpyxl

        book = openpyxl.Workbook()
        notes = book.active
        assert notes is not None
        notes.title = "说明"
        notes.append(["本表为还款计划"])
        sheet = book.create_sheet("还款计划")
        for row in [ZH_HEADER, *book_rows]:
            sheet.append(row)
        path = tmp_path / "schedule.xlsx"
        book.save(path)
        result = ledger("import", "schedule", str(path), "--sheet", "还款计划", "--format", "json")
    assert result.exit_code == 3, result.stderr
    summary = result.json()
    assert (summary["added"], summary["rejected"]) == (LOAD_CHUNK + 1, 1)
    assert _chunk_rejects(summary) == {
        LOAD_CHUNK + 3: ("period", "same loan_id and period as row 8"),
    }


@pytest.mark.parametrize("rebuild", [False, True], ids=["updated", "rebuilt"])
def test_loans_indexes_rebuilt_for_many_changed_loans_give_the_same_book(
    ledger: Cli, make_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, rebuild: bool
) -> None:
    """When a schedule changes many of the book's loans, the loans indexes holding
    the columns it decides are dropped and built again after the updates (not
    updated loan by loan): the same loans, the same indexes, the same answers."""
    import retain.importing.schedule as schedule_module

    if rebuild:  # two loans out of two changed: the rebuild path
        monkeypatch.setattr(schedule_module, "REBUILD_MIN_LOANS", 1)
    else:
        monkeypatch.setattr(schedule_module, "REBUILD_MIN_LOANS", 10**9)
    indexes = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'loans'"
    before = sorted(db_rows(ledger, indexes))
    import_schedule(ledger, schedule(make_csv, l1_rows() + l2_rows()))
    assert sorted(db_rows(ledger, indexes)) == before
    assert db_rows(
        ledger,
        "SELECT loan_id, next_due_on, next_due_fen, next_due_period, overdue_since_day IS NOT NULL,"
        " days_past_due FROM loans ORDER BY loan_id",
    ) == [("L1", "2026-12-10", 1_050_000, 6, 1, 21), ("L2", "2026-12-05", 1_030_000, 3, 0, 0)]
    assert overdue(ledger)["L1"]["days_past_due"] == 21
    due = ledger("due", "--instalments", "--days", "10", "--format", "json")
    assert due.exit_code == 0, due.stderr
    listed: list[dict[str, Any]] = due.json()
    assert {row["loan_id"] for row in listed} == {"L1", "L2"}


def test_the_migration_names_each_stored_instalments_last_import() -> None:
    # m035: the two timestamps of an instalment give way to the import that last
    # wrote it, the last schedule import started before its updated_at.
    import sqlite3

    import sqlite_utils

    from retain.migrations import MIGRATIONS, m035_instalments_written_by_import

    db = sqlite_utils.Database(sqlite3.connect(":memory:"))
    for step in MIGRATIONS[: MIGRATIONS.index(m035_instalments_written_by_import)]:
        step(db)
    db.conn.executemany(
        "INSERT INTO imports (import_id, kind, file_name, started_at, finished_at,"
        " added, updated, unchanged, rejected, skipped) VALUES (?, ?, ?, ?, ?4, 0, 0, 0, 0, 0)",
        [
            (1, "loans", "loans.csv", "2026-03-01T08:00:00Z"),
            (2, "schedule", "march.csv", "2026-03-01T08:05:00Z"),
            (3, "loans", "loans.csv", "2026-04-01T08:00:00Z"),
            (4, "schedule", "april.csv", "2026-04-01T08:05:00Z"),
        ],
    )
    db.conn.executemany(
        "INSERT INTO instalments (loan_id, period, due_on, due_day, principal_fen,"
        " interest_fen, created_at, updated_at) VALUES (?, ?, '2026-05-01', 20574, 100, 3, ?, ?)",
        [
            ("L1", 1, "2026-03-01T08:05:01Z", "2026-03-01T08:05:01Z"),  # added in March
            ("L1", 2, "2026-03-01T08:05:01Z", "2026-04-01T08:05:02Z"),  # changed in April
            ("L2", 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),  # before any import
        ],
    )
    m035_instalments_written_by_import(db)
    columns = [row[1] for row in db.execute("PRAGMA table_info(instalments)").fetchall()]
    assert "created_at" not in columns and "updated_at" not in columns
    assert columns[-1] == "import_id"
    assert db.execute(
        "SELECT loan_id, period, principal_fen, import_id FROM instalments ORDER BY 1, 2"
    ).fetchall() == [("L1", 1, 100, 2), ("L1", 2, 100, 4), ("L2", 1, 100, None)]


def test_each_instalment_names_the_import_that_last_wrote_it(
    ledger: Cli, make_csv: Callable[..., Path]
) -> None:
    first = import_schedule(ledger, schedule(make_csv, l2_rows()))
    rows = l2_rows()
    rows[2][5], rows[2][6] = "2026-11-30", "10300"  # period 3 paid since
    second = import_schedule(ledger, schedule(make_csv, rows, name="again.csv"))
    assert (second["added"], second["updated"]) == (0, 1)
    ids = [r[0] for r in db_rows(ledger, "SELECT import_id FROM imports ORDER BY import_id")]
    assert db_rows(
        ledger, "SELECT period, import_id FROM instalments WHERE loan_id = 'L2' ORDER BY 1"
    ) == [(p, ids[-1] if p == 3 else ids[-2]) for p in range(1, 7)]
    assert first["added"] == 6
