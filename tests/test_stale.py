"""Stale data (issue 8, item 4): the as-of day of the newest loans import.

Every command that reads the book warns on stderr once the data is more than
``data.stale_after_days`` old; a customer export refuses unless --allow-stale;
the lists and the card carry the data's as-of day. Scripted over days with
--today: the import is on Monday 2026-03-09 (day 0).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import LOAN_HEADER, Cli, Result

DAY0 = "2026-03-09"  # a Monday
EN_CUSTOMER_HEADER = ["customer_id", "name", "phone", "id_number", "industry", "officer", "segment"]
LOANS = [
    LOAN_HEADER,
    # C1: 8 days past due as of the export's day.
    ["L1", "C1", "100000", "2025-03-01", "2026-03-01", "信用", "逾期", "", "40000", "8"],
    # C2: matures on 2026-03-20.
    ["L2", "C2", "50000", "2025-03-20", "2026-03-20", "保证", "正常", "", "50000", ""],
    # C3: no open loan.
    ["L3", "C3", "30000", "2024-06-01", "2025-06-01", "信用", "结清", "2025-06-01", "0", ""],
]
# Commands that read the book, each as the officer would run it.
READERS: list[tuple[str, ...]] = [
    ("due", "--days", "30"),
    ("overdue",),
    ("overdue", "--summary"),
    ("noloan",),
    ("calls",),
    ("calls", "--explain", "C1"),
    ("show", "C1"),
    ("history", "C1"),
    ("export", "reminders", "--days", "0"),
]


@pytest.fixture
def loans_file(make_csv: Callable[..., Path]) -> Path:
    return make_csv("loans.csv", LOANS)


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path], loans_file: Path) -> Cli:
    """Three customers and their loans, imported on day 0."""
    customers = make_csv(
        "customers.csv",
        [
            EN_CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", "", "粮油", "王芳", ""],
            ["C2", "李秀英", "13912348002", "", "烟酒", "李强", ""],
            ["C3", "张伟", "15012348003", "", "服装加工", "王芳", ""],
        ],
    )
    for kind, path in (("customers", customers), ("loans", loans_file)):
        result = cli("import", kind, str(path), today=DAY0)
        assert result.exit_code == 0, result.stderr
    return cli


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def warnings(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Warning:")]


def export_runs(cli: Cli) -> int:
    return int(cli.sql("SELECT COUNT(*) FROM export_runs")[0][0])


def sms(cli: Cli, target: Path, *extra: str, today: str) -> Result:
    """The README's cron line: today's customer reminders not sent before."""
    return cli(
        "export", "reminders", "--days", "0", "--audience", "customer", "--kinds", "overdue",
        "--new-only", "--output", str(target), *extra, today=today,
    )  # fmt: skip


# --- the warning -------------------------------------------------------------


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_no_warning_up_to_the_limit_then_one_line(book: Cli, args: tuple[str, ...]) -> None:
    for day in (DAY0, "2026-03-12"):  # 3 days old: not more than data.stale_after_days
        assert warnings(ok(book(*args, today=day))) == []
    found = warnings(ok(book(*args, today="2026-03-13")))
    assert found == [
        "Warning: the loan data is as of 2026-03-09, 4 days ago; "
        "import a fresh export (retain import loans …)"
    ]


def test_the_warning_in_chinese_and_for_one_day(book: Cli, tmp_path: Path) -> None:
    zh = ok(book("--lang", "zh", "due", today="2026-03-13"))
    assert warnings(zh) == [
        "Warning: 贷款数据截至 2026-03-09，已是 4 天前；请导入最新的导出文件（retain import loans …）"
    ]
    config = tmp_path / "config.toml"
    config.write_text("[data]\nstale_after_days = 0\n", encoding="utf-8")
    one = ok(book("due", today="2026-03-10", env={"RETAIN_CONFIG": str(config)}))
    assert warnings(one) == [
        "Warning: the loan data is as of 2026-03-09, 1 day ago; "
        "import a fresh export (retain import loans …)"
    ]


def test_the_limit_is_a_setting(book: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    env = {"RETAIN_CONFIG": str(config)}
    ok(book("config", "set", "data.stale_after_days", "10", env=env))
    assert warnings(ok(book("calls", today="2026-03-19", env=env))) == []
    assert len(warnings(ok(book("calls", today="2026-03-20", env=env)))) == 1
    shown = ok(book("config", "show", env=env)).stdout
    assert "stale_after_days = 10" in shown


def test_a_negative_limit_is_refused(book: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[data]\nstale_after_days = -1\n", encoding="utf-8")
    result = book("due", env={"RETAIN_CONFIG": str(config)})
    assert result.exit_code == 2
    assert "data.stale_after_days" in result.stderr


def test_commands_that_do_not_read_the_book_do_not_warn(
    book: Cli, loans_file: Path, make_csv: Callable[..., Path]
) -> None:
    late = "2026-06-30"
    assert warnings(ok(book("log", "C1", "--outcome", "reached", today=late))) == []
    assert warnings(ok(book("config", "show", today=late))) == []
    assert warnings(ok(book("due", "--help", today=late))) == []
    imported = ok(book("import", "loans", str(loans_file), today=late))
    assert warnings(imported) == []
    assert warnings(ok(book("due", today=late))) == []  # the import made it fresh


def test_no_loans_imported_yet_means_no_warning(cli: Cli, make_csv: Callable[..., Path]) -> None:
    customers = make_csv("customers.csv", [EN_CUSTOMER_HEADER, ["C9", "赵六", "", "", "", "", ""]])
    ok(cli("import", "customers", str(customers), today=DAY0))
    late = ok(cli("noloan", "--format", "json", today="2026-06-30"))
    assert warnings(late) == []
    assert late.json()[0]["data_as_of"] is None


def test_an_older_file_imported_with_as_of_warns_sooner_and_a_fresh_one_clears_it(
    book: Cli, loans_file: Path
) -> None:
    # Wednesday: last Friday's export, imported late. Its data is already 5 days old.
    ok(book("import", "loans", str(loans_file), "--as-of", "2026-03-06", today="2026-03-11"))
    found = warnings(ok(book("due", today="2026-03-11")))
    assert found == [
        "Warning: the loan data is as of 2026-03-06, 5 days ago; "
        "import a fresh export (retain import loans …)"
    ]
    ok(book("import", "loans", str(loans_file), today="2026-03-11"))
    assert warnings(ok(book("due", today="2026-03-11"))) == []
    assert warnings(ok(book("due", today="2026-03-14"))) == []
    assert len(warnings(ok(book("due", today="2026-03-15")))) == 1


def test_an_import_that_took_no_row_does_not_refresh(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    broken = make_csv(
        "broken.csv",
        [LOAN_HEADER, ["L9", "C1", "abc", "2025-03-01", "2026-03-01", "信用", "正常", "", "", ""]],
    )
    result = book("import", "loans", str(broken), today="2026-03-20")
    assert "rejected" in (result.stdout + result.stderr)
    found = warnings(ok(book("due", today="2026-03-20")))
    assert found and "as of 2026-03-09" in found[0]


# --- the customer export -------------------------------------------------------


def test_a_customer_export_of_stale_data_is_refused(book: Cli, tmp_path: Path) -> None:
    target = tmp_path / "sms-2026-03-19.csv"
    refused = sms(book, target, today="2026-03-19")
    assert refused.exit_code == 1
    errors = [line for line in refused.stderr.splitlines() if line.strip()]
    assert errors == [
        "Error: the loan data is as of 2026-03-09, 10 days ago: no message goes to customers "
        "from it; import a fresh export (retain import loans …), or pass --allow-stale"
    ]
    assert refused.stdout == ""
    assert not target.exists()
    assert export_runs(book) == 0
    # The officer's own export still works, with the warning.
    officer = ok(book("export", "reminders", "--days", "0", today="2026-03-19"))
    assert len(warnings(officer)) == 1
    # Once a fresh file is in, the next cron run sends what was held back.
    ok(book("import", "loans", str(tmp_path / "loans.csv"), today="2026-03-19"))
    sent = ok(sms(book, target, today="2026-03-19"))
    assert warnings(sent) == []
    assert "王建国" in target.read_text(encoding="utf-8-sig")
    assert export_runs(book) == 1


def test_a_fresh_customer_export_is_not_refused(book: Cli, tmp_path: Path) -> None:
    target = tmp_path / "sms.csv"
    result = ok(sms(book, target, today="2026-03-12"))
    assert result.stderr.count("Exported 1 reminder") == 1
    assert warnings(result) == []


def test_the_refusal_in_chinese(book: Cli) -> None:
    refused = book(
        "--lang", "zh", "export", "reminders", "--days", "0", "--audience", "客户",
        today="2026-03-19",
    )  # fmt: skip
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "Error: 贷款数据截至 2026-03-09，已是 10 天前：不据此向客户发送任何消息；"
        "请导入最新的导出文件（retain import loans …），或加 --allow-stale"
    )


def test_allow_stale_sends_and_still_warns(book: Cli, tmp_path: Path) -> None:
    target = tmp_path / "sms.csv"
    result = ok(sms(book, target, "--allow-stale", today="2026-03-19"))
    assert len(warnings(result)) == 1
    assert "王建国" in target.read_text(encoding="utf-8-sig")
    assert export_runs(book) == 1
    again = tmp_path / "again.csv"
    ok(sms(book, again, "--allow-stale", today="2026-03-19"))  # --new-only: nothing twice
    assert "王建国" not in again.read_text(encoding="utf-8-sig")


# --- the data's as-of day in the outputs -----------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("due", "--days", "30"),
        ("overdue",),
        ("noloan",),
        ("calls",),
        ("export", "reminders", "--days", "0"),
    ],
    ids=" ".join,
)
def test_every_json_row_carries_the_data_as_of_day(book: Cli, args: tuple[str, ...]) -> None:
    rows = ok(book(*args, "--format", "json", today="2026-03-11")).json()
    assert rows
    assert {row["data_as_of"] for row in rows} == {DAY0}
    ndjson = ok(book(*args, "--format", "ndjson", today="2026-03-11")).stdout
    assert f'"data_as_of": "{DAY0}"' in ndjson.splitlines()[0]


def test_positional_formats_are_unchanged(book: Cli, tmp_path: Path) -> None:
    # CSV/TSV/XLSX are read by position (Excel, cut -f): no constant column there.
    for fmt in ("csv", "tsv"):
        header = ok(book("due", "--format", fmt, today="2026-03-11")).stdout.splitlines()[0]
        assert "data_as_of" not in header and header.endswith("days_left")
    target = tmp_path / "reminders.csv"
    ok(book("export", "reminders", "--days", "0", "--output", str(target), today="2026-03-11"))
    assert "data_as_of" not in target.read_text(encoding="utf-8-sig").splitlines()[0]


def test_the_customer_file_for_the_gateway_is_unchanged(book: Cli) -> None:
    rows = ok(
        book(
            "export",
            "reminders",
            "--days",
            "0",
            "--audience",
            "customer",
            "--format",
            "json",
            today=DAY0,
        )  # fmt: skip
    ).json()
    assert rows and all("data_as_of" not in row for row in rows)


def test_summary_and_explain_carry_it(book: Cli) -> None:
    summary = ok(book("overdue", "--summary", "--format", "json", today="2026-03-11")).json()
    assert summary["as_of"] == "2026-03-11"  # the day the book is seen from
    assert summary["data_as_of"] == DAY0
    explained = ok(book("calls", "--explain", "C1", "--format", "json", today="2026-03-11"))
    assert explained.json()["data_as_of"] == DAY0


def test_the_card_says_how_old_the_data_is(book: Cli) -> None:
    card = ok(book("show", "C1", today="2026-03-11")).stdout
    assert "Data as of" in card and "2026-03-09 (2 days ago)" in card
    zh = ok(book("--lang", "zh", "show", "C1", today="2026-03-11")).stdout
    assert "数据截至" in zh and "2026-03-09（2 天前）" in zh
