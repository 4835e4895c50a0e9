"""Groups (类群): add/join/leave/list/show, the customers file's group column,
and ``--group NAME`` on every list (issue 14, section 2)."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import LOAN_HEADER, Cli

EN_CUSTOMER_HEADER = ["customer_id", "name", "phone", "id_number", "industry", "officer", "segment"]
MARKET = "东门市场"


def add_prospect(cli: Cli, name: str) -> str:
    """A prospect row as m022 stores it (the prospects branch adds the command)."""
    with contextlib.closing(cli.connect()) as conn:
        cursor = conn.execute(
            "INSERT INTO prospects (name, phone, channel, stage, stage_day, entered_on,"
            " entered_day, industry, created_at, updated_at)"
            " VALUES (?, '13700000000', 'walk_in', 'contacted', 0, '2026-11-01', 0, '烟酒',"
            " 'x', 'x')",
            (name,),
        )
        return f"P{cursor.lastrowid}"


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    """Six customers around 2026-12-01: C1 (maturing in 5 days and 40 days past
    due), C2 (maturing in 3 days), C3 (nothing due), C4 and C6 (no open loan),
    C5 (overdue 20 days)."""
    customers = make_csv(
        "customers.csv",
        [
            EN_CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", "", "粮油", "王芳", ""],
            ["C2", "李秀英", "13912348002", "", "烟酒", "李强", ""],
            ["C3", "张伟", "15012348003", "", "服装加工", "王芳", ""],
            ["C4", "赵敏", "15012348004", "", "烟酒", "王芳", ""],
            ["C5", "钱多", "15012348005", "", "烟酒", "王芳", ""],
            ["C6", "孙立", "15012348006", "", "烟酒", "王芳", ""],
        ],
    )
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            ["L1", "C1", "100000", "2025-12-06", "2026-12-06", "信用", "正常", "", "40000", ""],
            ["L2", "C1", "20000", "2025-06-01", "2026-10-22", "抵押", "逾期", "", "20000", "40"],
            ["L4", "C2", "50000", "2025-12-04", "2026-12-04", "保证", "正常", "", "", ""],
            ["L5", "C3", "80000", "2026-11-28", "2027-11-28", "质押", "正常", "", "", ""],
            ["L6", "C4", "30000", "2025-06-01", "2026-06-01", "信用", "结清", "2026-06-01", "0", ""],
            ["L7", "C5", "30000", "2025-06-01", "2026-11-11", "信用", "逾期", "", "30000", "20"],
            ["L8", "C6", "30000", "2025-05-01", "2026-05-01", "信用", "结清", "2026-05-01", "0", ""],
        ],
    )  # fmt: skip
    for kind, path in (("customers", customers), ("loans", loans)):
        result = cli("import", kind, str(path))
        assert result.exit_code == 0, result.stderr
    return cli


@pytest.fixture
def grouped(book: Cli) -> Cli:
    """东门市场 holds C1 and C4 (customers) and one prospect."""
    assert book("group", "add", MARKET, "--kind", "市场").exit_code == 0
    prospect = add_prospect(book, "周小摊")
    result = book("group", "join", MARKET, "C1", "C4", prospect)
    assert result.exit_code == 0, result.stderr
    return book


def ids(result_stdout: str, key: str = "customer_id") -> list[str]:
    return [row[key] for row in csv.DictReader(io.StringIO(result_stdout), delimiter="\t")]


def test_add_list_show(grouped: Cli) -> None:
    listed = grouped("group", "list", "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    assert listed.json() == [
        {"name": MARKET, "kind": "market", "customers": 2, "prospects": 1, "balance": 60000.0}
    ]
    shown = grouped("group", "show", MARKET, "--format", "json").json()
    assert [(r["member_id"], r["member_kind"]) for r in shown] == [
        ("C1", "customer"),
        ("C4", "customer"),
        ("P1", "prospect"),
    ]
    c1 = shown[0]
    # L1 (40,000 balance) and L2 (20,000, 40 days past due): the past-due part is L2's.
    assert (c1["balance"], c1["arrears"], c1["max_days_past_due"]) == (60000.0, 20000.0, 40)
    assert c1["phone"] == "138****8001"  # masked unless --reveal
    assert shown[2]["stage"] == "contacted"
    assert shown[2]["balance"] is None
    table = grouped("group", "show", MARKET, env={"RETAIN_TTY": "1"})
    assert "2 customers, balance 60,000.00 yuan, past due 20,000.00 yuan; 1 prospects" in (
        table.stdout.replace("\n", " ")
    )


def test_names_are_one_after_nfkc_and_trim(grouped: Cli) -> None:
    # Full-width letters and spaces around the name: the same group.
    assert grouped("group", "add", "ＡＢ市场").exit_code == 0
    again = grouped("group", "add", " AB市场 ")
    assert again.exit_code == 1
    assert again.stderr.startswith("Error: group AB市场 exists already")
    assert grouped("group", "join", " ＡＢ市场", "C2").exit_code == 0


def test_bad_kind_is_a_usage_error(book: Cli) -> None:
    result = book("group", "add", "X", "--kind", "mall")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: unknown group kind mall")


def test_join_from_stdin_and_leave(grouped: Cli) -> None:
    result = grouped("group", "join", MARKET, "-", input="C2\nC1\n")
    assert result.exit_code == 0, result.stderr
    assert "1 joined (1 already members)" in result.stdout
    left = grouped("group", "leave", MARKET, "C2", "P1")
    assert left.exit_code == 0
    assert "2 left the group" in left.stdout
    shown = grouped("group", "show", MARKET, "--format", "json").json()
    assert [r["member_id"] for r in shown] == ["C1", "C4"]


def test_an_unknown_member_changes_nothing(grouped: Cli) -> None:
    result = grouped("group", "join", MARKET, "C2", "C99")
    assert result.exit_code == 1
    assert "C99 is neither a customer nor a prospect" in result.stderr
    shown = grouped("group", "show", MARKET, "--format", "json").json()
    assert "C2" not in [r["member_id"] for r in shown]


@pytest.mark.parametrize(
    "command",
    [
        ("due",),
        ("calls",),
        ("noloan",),
        ("overdue",),
        ("export", "reminders"),
        ("group", "show"),
    ],
)
def test_an_unknown_group_is_refused(grouped: Cli, command: tuple[str, ...]) -> None:
    args = [*command, "西门市场"] if command[0] == "group" else [*command, "--group", "西门市场"]
    result = grouped(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no group 西门市场")
    assert "Traceback" not in result.stderr


def test_due_by_group(grouped: Cli) -> None:
    everyone = grouped("due", "--days", "30", "--format", "tsv")
    assert ids(everyone.stdout, "loan_id") == ["L4", "L1"]
    result = grouped("due", "--days", "30", "--group", MARKET, "--format", "tsv")
    assert ids(result.stdout, "loan_id") == ["L1"]
    instalments = grouped(
        "due", "--instalments", "--group", MARKET, "--format", "tsv", "--days", "30"
    )
    assert ids(instalments.stdout, "loan_id") == ["L1"]


def test_calls_by_group(grouped: Cli) -> None:
    everyone = ids(grouped("calls", "--format", "tsv").stdout)
    assert {"C1", "C2", "C5"} <= set(everyone)
    result = grouped("calls", "--group", MARKET, "--format", "tsv")
    assert ids(result.stdout) == ["C1", "C4"]  # C4: win back
    # Through the shortlist (a small limit) too.
    assert ids(grouped("calls", "--group", MARKET, "--limit", "1", "--format", "tsv").stdout) == [
        "C1"
    ]


def test_noloan_by_group(grouped: Cli) -> None:
    assert ids(grouped("noloan", "--format", "tsv").stdout) == ["C4", "C6"]
    assert ids(grouped("noloan", "--group", MARKET, "--format", "tsv").stdout) == ["C4"]


def test_overdue_by_group(grouped: Cli) -> None:
    assert ids(grouped("overdue", "--format", "tsv").stdout, "loan_id") == ["L2", "L7"]
    result = grouped("overdue", "--group", MARKET, "--format", "tsv")
    assert ids(result.stdout, "loan_id") == ["L2"]
    summary = grouped("overdue", "--summary", "--group", MARKET, "--format", "json").json()
    assert summary["total_count"] == 2  # C1's two open loans


def test_export_reminders_by_group(grouped: Cli) -> None:
    everyone = grouped("export", "reminders", "--days", "7", "--format", "json").json()
    assert {r["customer_id"] for r in everyone} >= {"C1", "C2", "C5"}
    result = grouped("export", "reminders", "--days", "7", "--group", MARKET, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert {r["customer_id"] for r in result.json()} == {"C1", "C4"}


def test_customers_file_group_column_joins(cli: Cli, make_csv: Callable[..., Path]) -> None:
    customers = make_csv(
        "customers.csv",
        [
            ["客户编号", "客户名称", "手机号码", "类群"],
            ["C1", "王建国", "13812348001", "东门市场"],
            ["C2", "李秀英", "13912348002", "东门市场"],
            ["C3", "张伟", "15012348003", ""],
        ],
    )
    result = cli("import", "customers", str(customers), "--format", "json")
    assert result.exit_code == 0, result.stderr
    notes = [n["note"] for n in result.json()["notes"]]
    assert notes == ["group 东门市场 created (kind other): retain group show 东门市场"]
    listed = cli("group", "list", "--format", "json").json()
    assert listed == [
        {"name": "东门市场", "kind": "other", "customers": 2, "prospects": 0, "balance": 0.0}
    ]
    # Imported again: nobody joins twice, and the group is not new.
    again = cli("import", "customers", str(customers), "--format", "json")
    assert again.json()["notes"] == []
    assert cli("group", "list", "--format", "json").json()[0]["customers"] == 2
