"""Issue 11, part 2b: instalment reminders from a loans file's next instalment.

A loans file may carry the next unpaid instalment (下次还款日 / 下期应还 / 当前期数).
The ``instalment`` term lists the customer from ``rhythm.instalment_lead_days``
days before that due day up to the day itself; its reminders go out in every
export format, one per instalment (the due day is the reminder's episode).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CUSTOMER_HEADER, Cli

T0 = dt.date(2026, 12, 1)  # the Cli fixture's --today, a Tuesday

ZH_LOANS = [
    "借据编号", "客户编号", "贷款金额", "放款日期", "到期日期", "担保方式", "贷款状态",
    "下次还款日", "下期应还", "当前期数",
]  # fmt: skip
EN_LOANS = [
    "loan_id", "customer_id", "principal", "disbursed_on", "matures_on", "guarantee", "status",
    "next_due_on", "next_due_amount", "next_due_period",
]  # fmt: skip


def day(offset: int) -> str:
    return (T0 + dt.timedelta(days=offset)).isoformat()


def stored(cli: Cli, loan_id: str) -> tuple[Any, ...]:
    (row,) = cli.sql(
        "SELECT next_due_on, next_due_day, next_due_fen, next_due_period FROM loans"
        " WHERE loan_id = ?",
        (loan_id,),
    )
    return tuple(row)


def import_json(cli: Cli, kind: str, path: Path, today: str | None = None) -> dict[str, Any]:
    result = cli("import", kind, str(path), "--format", "json", today=today)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = result.json()
    return data


@pytest.fixture
def customers(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    path = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", "", "粮油", "王芳", ""],
            ["C2", "李秀英", "13912348002", "", "烟酒", "李强", ""],
        ],
    )
    assert cli("import", "customers", str(path)).exit_code == 0
    return cli


def loans_file(
    make_csv: Callable[..., Path], rows: list[list[object]], name: str = "l.csv"
) -> Path:
    return make_csv(name, [ZH_LOANS, *rows])


# C1: a monthly loan whose 3rd instalment of 3,000.00 falls due on 5 Dec (4 days
# ahead); C2: a loan maturing on 3 Dec, its last instalment due that day.
INSTALMENT = ["L1", "C1", "36000", "2026-09-05", "2027-09-05", "信用", "正常", day(4), "3000", "3"]
MATURING = ["L2", "C2", "12000", "2025-12-03", day(2), "信用", "正常", day(2), "1,000.00", "12"]


@pytest.fixture
def book(customers: Cli, make_csv: Callable[..., Path]) -> Cli:
    path = loans_file(make_csv, [INSTALMENT, MATURING])
    assert customers("import", "loans", str(path)).exit_code == 0
    return customers


# --- the import ------------------------------------------------------------------


def test_chinese_columns_are_stored(book: Cli) -> None:
    assert stored(book, "L1") == ("2026-12-05", 20792, 300000, 3)
    assert stored(book, "L2") == ("2026-12-03", 20790, 100000, 12)


def test_english_columns_are_stored(customers: Cli, make_csv: Callable[..., Path]) -> None:
    row = ["L1", "C1", "36000", "2026-09-05", "2027-09-05", "credit", "active", "2026/12/5"]
    path = make_csv("l.csv", [EN_LOANS, [*row, "¥3,000.50", "3"]])
    assert customers("import", "loans", str(path)).exit_code == 0
    assert stored(customers, "L1") == ("2026-12-05", 20792, 300050, 3)


def test_a_wan_column_and_a_period_alone_are_optional(
    customers: Cli, make_csv: Callable[..., Path]
) -> None:
    header = [*ZH_LOANS[:7], "下期还款日期", "本期应还金额(万元)"]
    row = ["L1", "C1", "36000", "2026-09-05", "2027-09-05", "信用", "正常", day(4), "0.3"]
    assert customers("import", "loans", str(make_csv("l.csv", [header, row]))).exit_code == 0
    assert stored(customers, "L1") == ("2026-12-05", 20792, 300000, None)


@pytest.mark.parametrize(
    ("cells", "field", "reason"),
    [
        ([day(4), "", ""], "next_due_amount", "required with next_due_on"),
        (["", "3000", ""], "next_due_amount", "needs next_due_on"),
        (["", "", "3"], "next_due_period", "needs next_due_on"),
        ([day(4), "-5", "3"], "next_due_amount", "negative amount"),
        ([day(4), "3000", "0"], "next_due_period", "must be at least 1"),
        (["2026-09-01", "3000", "1"], "next_due_on", "must be after disbursed_on"),
        (["2027-10-01", "3000", "1"], "next_due_on", "must not be after matures_on"),
        (["12月32日", "3000", "1"], "next_due_on", ""),
    ],
)
def test_bad_next_instalments_are_rejected(
    customers: Cli, make_csv: Callable[..., Path], cells: list[str], field: str, reason: str
) -> None:
    row = ["L1", "C1", "36000", "2026-09-05", "2027-09-05", "信用", "正常", *cells]
    result = customers("import", "loans", str(loans_file(make_csv, [row])), "--format", "json")
    assert result.exit_code == 3, result.stderr  # nothing imported
    report = result.json()
    assert report["rejected"] == 1
    rejected = report["rejects"][0]
    assert field in rejected["field"] and reason in rejected["reason"]


def test_a_zero_amount_is_stored_and_blank_cells_clear(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    cleared = [*INSTALMENT[:7], "", "", ""]
    zero = [*MATURING[:7], day(2), "0", "12"]
    report = import_json(book, "loans", loans_file(make_csv, [cleared, zero], "again.csv"))
    assert report["updated"] == 2
    assert stored(book, "L1") == (None, None, None, None)
    assert stored(book, "L2") == ("2026-12-03", 20790, 0, 12)


def test_a_file_without_the_columns_leaves_them_alone(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    plain = make_csv("plain.csv", [ZH_LOANS[:7], INSTALMENT[:7], MATURING[:7]])
    report = import_json(book, "loans", plain)
    assert report["unchanged"] == 2
    assert stored(book, "L1") == ("2026-12-05", 20792, 300000, 3)


def test_the_same_file_next_day_is_unchanged_and_a_new_period_is_audited(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    same = loans_file(make_csv, [INSTALMENT, MATURING], "same.csv")
    assert import_json(book, "loans", same, today=day(1))["unchanged"] == 2
    paid = [*INSTALMENT[:7], "2027-01-05", "3000", "4"]
    report = import_json(book, "loans", loans_file(make_csv, [paid, MATURING], "paid.csv"))
    assert report["updated"] == 1 and report["unchanged"] == 1
    # change_id is the changes table's rowid on SQLite, and a column on PostgreSQL
    changes = book.sql(
        "SELECT field, old_value, new_value FROM changes WHERE entity_id = 'L1' ORDER BY change_id"
    )
    assert [tuple(c) for c in changes] == [
        ("next_due_on", "2026-12-05", "2027-01-05"),
        ("next_due_period", "3", "4"),
        ("next_due_day", "20792", "20823"),
    ]


# --- the call-list term -----------------------------------------------------------


def calls_json(cli: Cli, today: str) -> dict[str, dict[str, Any]]:
    result = cli("calls", "--limit", "100", "--format", "json", today=today)
    assert result.exit_code == 0, result.stderr
    return {row["customer_id"]: row for row in result.json()}


def instalment_points(cli: Cli, today: str, customer: str = "C1") -> int:
    row = calls_json(cli, today).get(customer)
    return 0 if row is None else int(row["instalment"])


def test_the_term_lists_the_customer_from_the_lead_window_to_the_due_day(book: Cli) -> None:
    # 5 Dec is 4 days ahead on 1 Dec: outside the default 3-day lead window.
    assert instalment_points(book, day(0)) == 0
    for offset in (1, 2, 3, 4):
        row = calls_json(book, day(offset))["C1"]
        assert row["instalment"] == 60, offset
        assert row["reasons"].startswith("instalment")
        assert row["action"] == "remind of the instalment due"
        table = book("calls", today=day(offset), env={"RETAIN_TTY": "1"}).stdout
        assert "instalment 3 of 3,000.00 due 5 Dec" in table
    assert instalment_points(book, day(5)) == 0


def test_chinese_reason_and_explain(book: Cli) -> None:
    zh = book("--lang", "zh", "calls", today=day(2), env={"RETAIN_TTY": "1"})
    assert "第3期 应还 3,000.00 元 12月5日到期" in zh.stdout
    explained = book("calls", "--explain", "C1", "--format", "json", today=day(2)).json()
    line = next(t for t in explained["terms"] if t["term"] == "instalment")
    assert line["points"] == 60
    assert "instalment 3 of 3,000.00 due 5 Dec" in line["rule"]
    for outside in (day(0), day(5)):  # before its lead window, after its due day
        other = book("calls", "--explain", "C1", "--format", "json", today=outside).json()
        line = next(t for t in other["terms"] if t["term"] == "instalment")
        assert line == {"term": "instalment", "points": 0, "rule": "does not apply today"}


def test_a_maturity_the_same_days_counts_once(book: Cli) -> None:
    # C2's last instalment is its maturity (3 Dec), 1 day ahead: maturing
    # 30 + 2 × 29 = 88, the instalment only 1 more.
    row = calls_json(book, day(1))["C2"]
    assert (row["maturing"], row["instalment"]) == (88, 1)
    assert row["reasons"] == "maturing,instalment"


def test_the_lead_window_is_a_setting(book: Cli) -> None:
    assert book("config", "set", "rhythm.instalment_lead_days", "0").exit_code == 0
    assert instalment_points(book, day(3)) == 0
    assert calls_json(book, day(4))["C1"]["instalment"] == 60
    bad = book("config", "set", "rhythm.instalment_lead_days", "400")
    assert bad.exit_code == 2 and "must be from 0 to 365" in bad.stderr


# --- reminders ---------------------------------------------------------------------

OFFICER_TEXT = (
    "2026-12-02 instalment: 王建国 (C1) loan L1 instalment 3 of 3,000.00 yuan due 2026-12-05;"
    " remind to repay."
)
CUSTOMER_TEXT = (
    "【本行】尊敬的王建国，您的贷款第3期应还3,000.00元，将于2026-12-05到期，请提前存足款项。"
    "如有疑问请联系客户经理王芳。"
)


def export(cli: Cli, *args: str, today: str | None = None) -> Any:
    result = cli("export", "reminders", *args, today=today)
    assert result.exit_code == 0, result.stderr
    return result


def reminders(cli: Cli, *args: str, today: str | None = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = export(cli, *args, "--format", "json", today=today).json()
    return rows


def test_an_officer_reminder_carries_the_instalment(book: Cli) -> None:
    rows = reminders(book, "--days", "7", "--kinds", "instalment")
    mine = [r for r in rows if r["customer_id"] == "C1"]
    assert len(mine) == 1
    row = mine[0]
    assert (row["date"], row["reason"], row["loan_id"]) == ("2026-12-02", "instalment", "L1")
    assert (row["period"], row["amount_due"], row["due_on"]) == (3, 3000.0, "2026-12-05")
    assert row["message"] == OFFICER_TEXT


def test_each_instalment_of_a_window_is_found_as_its_lead_window_opens(
    customers: Cli, make_csv: Callable[..., Path]
) -> None:
    """The days after the first find the instalments due in the window through
    the next-due index, up to those whose lead window opens on its last day: one
    due two days past a 7-day window is reminded on its 6th day, with its loan."""
    late = ["L3", "C1", "24000", "2026-10-09", "2027-10-09", "信用", "正常", day(9), "2000", "2"]
    soon = [*INSTALMENT[:7], day(5), "3000", "3"]
    assert customers("import", "loans", str(loans_file(make_csv, [soon, late]))).exit_code == 0
    rows = reminders(customers, "--days", "7", "--kinds", "instalment")
    assert [(r["date"], r["loan_id"], r["period"], r["due_on"]) for r in rows] == [
        (day(2), "L1", 3, day(5)),
        (day(6), "L3", 2, day(9)),
    ]
    assert reminders(customers, "--days", "5", "--kinds", "instalment")[-1]["loan_id"] == "L1"


@pytest.mark.parametrize("fmt", ["csv", "json", "ndjson", "xlsx", "ics"])
def test_every_format_carries_the_instalment_text(book: Cli, tmp_path: Path, fmt: str) -> None:
    for audience, text in (("officer", OFFICER_TEXT), ("customer", CUSTOMER_TEXT)):
        out = tmp_path / f"{audience}.{fmt}"
        export(book, "--days", "7", "--kinds", "instalment", "--audience", audience,
               "-o", str(out))  # fmt: skip
        assert text in _messages(out, fmt), (audience, fmt)


def _messages(path: Path, fmt: str) -> list[str]:
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [row["message"] for row in csv.DictReader(handle)]
    if fmt == "json":
        return [row["message"] for row in json.loads(path.read_text("utf-8"))]
    if fmt == "ndjson":
        return [json.loads(line)["message"] for line in path.read_text("utf-8").splitlines()]
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        at = list(rows[0]).index("message")
        return [str(row[at]) for row in rows[1:]]
    import icalendar

    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return [str(event["description"]) for event in calendar.walk("VEVENT")]


def test_templates_may_use_the_instalment_placeholders(book: Cli) -> None:
    key = "export.templates.short.en.instalment"
    assert book("config", "set", key, "第{period}期{amount_due}元{due_on}").exit_code == 0
    rows = reminders(book, "--days", "7", "--kinds", "instalment", "--template", "short")
    assert [r["message"] for r in rows if r["customer_id"] == "C1"] == ["第3期3,000.00元2026-12-05"]
    bad = book("config", "set", key, "{period_due}")
    assert bad.exit_code == 2 and "period_due" in bad.stderr


def test_one_text_a_day_when_an_instalment_and_a_maturity_coincide(book: Cli) -> None:
    rows = reminders(book, "--days", "0", "--audience", "officer")
    reasons = {r["reason"] for r in rows if r["customer_id"] == "C2"}
    assert reasons == {"maturing", "instalment"}
    result = export(book, "--days", "0", "--audience", "customer", "--format", "json")
    texts = [r for r in result.json() if r["name"] == "李秀英"]
    assert len(texts) == 1
    assert "到期" in texts[0]["message"] and "第12期" not in texts[0]["message"]


def test_the_same_file_imported_the_next_day_keeps_the_reminder_id(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    first = reminders(book, "--days", "7", "--kinds", "instalment")
    path = loans_file(make_csv, [INSTALMENT, MATURING], "again.csv")
    assert book("import", "loans", str(path), today=day(1)).exit_code == 0
    second = reminders(book, "--days", "7", "--kinds", "instalment", today=day(1))
    ids = {r["customer_id"]: r["reminder_id"] for r in first}
    assert {r["customer_id"]: r["reminder_id"] for r in second} == ids
    assert ids["C1"] != ids["C2"]


def test_new_only_sends_each_period_once(book: Cli, make_csv: Callable[..., Path]) -> None:
    args = ("--days", "0", "--audience", "customer", "--new-only", "--kinds", "instalment")

    def sent(today: str) -> list[str]:
        return [r["message"] for r in reminders(book, *args, today=today) if r["name"] == "王建国"]

    assert sent(day(1)) == [CUSTOMER_TEXT]
    assert sent(day(2)) == []
    assert sent(day(3)) == []
    # A month later the file brings the next period (paid the 3rd, 4th due 5 Jan).
    january = "2027-01-04"  # a Monday, and the 5th is within the lead window
    paid = [*INSTALMENT[:7], "2027-01-05", "3000", "4"]
    path = loans_file(make_csv, [paid], "january.csv")
    assert book("import", "loans", str(path), today=january).exit_code == 0
    texts = sent(january)
    assert len(texts) == 1 and "第4期应还3,000.00元，将于2027-01-05到期" in texts[0]
    assert sent(january) == []


def test_a_config_written_before_the_term_still_loads(book: Cli, tmp_path: Path) -> None:
    """Every file `config set` wrote lists customer_reasons; without instalment it
    still loads, and instalments then go to officers only."""
    config = tmp_path / "old.toml"
    config.write_text(
        '[export]\ncustomer_reasons = ["maturing", "overdue", "win_back"]\n', encoding="utf-8"
    )
    env = {"RETAIN_CONFIG": str(config)}
    args = ("export", "reminders", "--days", "7", "--format", "json")
    sent = book(*args, "--audience", "customer", env=env)
    assert sent.exit_code == 0, sent.stderr
    assert all("第3期" not in row["message"] for row in sent.json())
    officer = book(*args, "--kinds", "instalment", env=env)
    assert officer.exit_code == 0 and OFFICER_TEXT in officer.stdout
