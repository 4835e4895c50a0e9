"""Guarantors (担保人) and collateral dates (issue 11 §4), through the real CLI.

- ``retain import guarantors``: the import contract (zh/en headers, rejects,
  idempotent, audited); several guarantors per loan, keyed by ID number or name.
- ``overdue`` and ``show`` name each overdue loan's guarantors, phone masked
  unless ``--reveal``; the ID number only with ``--reveal``.
- The overdue action names the guarantor from ``rhythm.guarantor_after_days``.
- ``collateral_expiry``: an officer-only call-list term ahead of a collateral
  insurance or certificate (他项权证) expiry.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CUSTOMER_HEADER, Cli, valid_id_number

ID_ZHANG = valid_id_number("11010519800101001")
ID_WANG = valid_id_number("11010519850505002")
LOAN_HEADER = [
    "借据编号", "客户编号", "贷款金额", "放款日期", "到期日期", "担保方式", "贷款状态", "逾期天数",
    "抵押物保险到期日", "他项权证到期日",
]  # fmt: skip
ZH_GUARANTOR_HEADER = ["借据编号", "借款人", "担保人", "担保人电话", "与借款人关系", "担保人证件号"]
EN_GUARANTOR_HEADER = ["loan_id", "name", "phone", "relation", "id_number"]


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    """On 2026-12-01: C1's L1 is 30 days past due, C2's L2 29 days; C3's
    mortgage L3 has its insurance expiring 2026-12-20 and its certificate
    2027-01-20."""
    customers = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", "", "粮油", "王芳", ""],
            ["C2", "李秀英", "13912348002", "", "烟酒", "王芳", ""],
            ["C3", "张伟", "15012348003", "", "建材", "王芳", ""],
        ],
    )
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            ["L1", "C1", "50000", "2025-06-01", "2026-11-01", "保证", "逾期", "30", "", ""],
            ["L2", "C2", "50000", "2025-06-01", "2026-11-02", "保证", "逾期", "29", "", ""],
            ["L3", "C3", "80000", "2025-06-01", "2027-06-01", "抵押", "正常", "", "2026-12-20",
             "2027-01-20"],
        ],
    )  # fmt: skip
    for kind, path in (("customers", customers), ("loans", loans)):
        result = cli("import", kind, str(path))
        assert result.exit_code == 0, result.stderr
    return cli


def _guarantors(make_csv: Callable[..., Path]) -> Path:
    return make_csv(
        "担保人.csv",
        [
            ZH_GUARANTOR_HEADER,
            ["L1", "王建国", "张三", "138 0000 0000", "配偶", ID_ZHANG],
            ["L1", "王建国", "李四", "13900001111", "朋友", ""],
            ["L2", "李秀英", "王五", "+86 137-0000-2222", "兄弟", ID_WANG],
        ],
    )


def _import(cli: Cli, path: Path, *args: str, today: str | None = None) -> dict[str, Any]:
    result = cli("import", "guarantors", str(path), "--format", "json", *args, today=today)
    assert result.exit_code in (0, 3), result.stderr
    summary: dict[str, Any] = result.json()
    return summary


def _stored(cli: Cli) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in cli.sql(
            "SELECT loan_id, name, phone, relation, id_number FROM guarantors ORDER BY rowid"
        )
    ]


def _calls(cli: Cli, *args: str, today: str | None = None) -> list[dict[str, Any]]:
    result = cli("--lang", "zh", "calls", "--format", "json", *args, today=today)
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, Any]] = result.json()
    return rows


def _row(rows: list[dict[str, Any]], customer_id: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["customer_id"] == customer_id), None)


def _collateral(cli: Cli, today: str | None = None) -> int:
    """C3's collateral_expiry points on the call list of ``today`` (0 when not listed)."""
    row = _row(_calls(cli, today=today), "C3")
    return 0 if row is None else int(row["collateral_expiry"])


# --- the import ---------------------------------------------------------------


def test_chinese_headers_import_several_guarantors_per_loan(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    summary = _import(book, _guarantors(make_csv))
    assert (summary["kind"], summary["added"], summary["rejected"]) == ("guarantors", 3, 0)
    # phones normalised as the customers'; the borrower column 借款人 is not the guarantor
    assert _stored(book) == [
        ("L1", "张三", "13800000000", "配偶", ID_ZHANG),
        ("L1", "李四", "13900001111", "朋友", None),
        ("L2", "王五", "13700002222", "兄弟", ID_WANG),
    ]


def test_english_headers_and_reimport_unchanged_then_changed_is_audited(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    path = make_csv(
        "guarantors.csv",
        [
            EN_GUARANTOR_HEADER,
            ["L1", "张三", "13800000000", "spouse", ID_ZHANG],
            ["L1", "李四", "13900001111", "friend", ""],
        ],
    )
    assert _import(book, path)["added"] == 2
    again = _import(book, path)
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 2)
    # the same guarantor (same ID number) with a new phone: one update, audited
    changed = make_csv(
        "guarantors2.csv",
        [EN_GUARANTOR_HEADER, ["L1", "张三", "13811112222", "spouse", ID_ZHANG]],
    )
    third = _import(book, changed)
    assert (third["added"], third["updated"]) == (0, 1)
    audit = [
        tuple(r)
        for r in book.sql(
            "SELECT entity, field, old_value, new_value FROM changes WHERE entity = 'guarantors'"
        )
    ]
    assert audit == [("guarantors", "phone", "13800000000", "13811112222")]
    assert len(_stored(book)) == 2


def test_bad_rows_go_to_the_rejects_file_and_the_good_ones_are_committed(
    book: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    path = make_csv(
        "guarantors.csv",
        [
            ZH_GUARANTOR_HEADER,
            ["L1", "王建国", "张三", "12345", "配偶", ""],  # not a phone
            ["L1", "王建国", "李四", "13900001111", "朋友", "110105198001010010"],  # check digit
            ["L9", "某人", "赵六", "13900003333", "朋友", ""],  # no such loan
            ["L2", "李秀英", "王五", "13700002222", "兄弟", ""],
            ["L2", "李秀英", "王五", "13700002222", "兄弟", ""],  # the same guarantor again
        ],
    )
    result = book("import", "guarantors", str(path))
    assert result.exit_code == 3
    assert _stored(book) == [("L2", "王五", "13700002222", "兄弟", None)]
    rejects = (tmp_path / "guarantors.rejects.csv").read_text(encoding="utf-8-sig")
    assert sorted(line.split(",")[0] for line in rejects.splitlines()[1:]) == [
        "L1",
        "L1",
        "L2",
        "L9",
    ]
    assert "L9" in result.stderr and "does not exist" in result.stderr


def test_a_file_without_the_required_columns_is_refused(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    path = make_csv("g.csv", [["借据编号", "与借款人关系"], ["L1", "配偶"]])
    result = book("import", "guarantors", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error:") and "name" in result.stderr
    assert "Traceback" not in result.stderr


def test_dry_run_writes_nothing(book: Cli, make_csv: Callable[..., Path]) -> None:
    summary = _import(book, _guarantors(make_csv), "--dry-run")
    assert (summary["dry_run"], summary["added"]) == (True, 3)
    assert _stored(book) == []


# --- overdue and show ---------------------------------------------------------


def test_overdue_lists_each_loans_guarantors_masked_and_revealed(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    _import(book, _guarantors(make_csv))
    rows = book("--lang", "zh", "overdue", "--format", "json").json()
    by_loan = {row["loan_id"]: row["guarantors"] for row in rows}
    assert by_loan == {
        "L1": "张三（配偶）138****0000；李四（朋友）139****1111",
        "L2": "王五（兄弟）137****2222",
    }
    assert ID_ZHANG not in book("overdue", "--format", "csv").stdout
    revealed = book("--lang", "zh", "overdue", "--format", "json", "--reveal").json()
    assert revealed[0]["guarantors"] == (
        f"张三（配偶）13800000000 证件号 {ID_ZHANG}；李四（朋友）13900001111"
    )
    table = book("--lang", "zh", "overdue", env={"RETAIN_TTY": "1", "COLUMNS": "250"}).stdout
    assert "担保人" in table and "张三（配偶）138****0000" in table


def test_show_gives_the_guarantors_of_overdue_loans(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    _import(book, _guarantors(make_csv))
    shown = book("--lang", "zh", "show", "C1").stdout
    assert "逾期贷款的担保人" in shown
    assert "张三（配偶）138****0000" in shown and "李四（朋友）139****1111" in shown
    assert ID_ZHANG not in shown
    revealed = book("--lang", "zh", "show", "C1", "--reveal").stdout
    assert "张三（配偶）13800000000" in revealed and ID_ZHANG in revealed
    # a customer without an overdue loan has no guarantors section
    assert "担保人" not in book("--lang", "zh", "show", "C3").stdout


def test_the_action_names_the_guarantor_at_30_days_past_due_not_at_29(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    _import(book, _guarantors(make_csv))
    today = _calls(book)
    assert _row(today, "C1")["action"] == "联系担保人 张三（配偶）138****0000"  # type: ignore[index]
    assert _row(today, "C2")["action"] == "电话催收，了解还款安排"  # type: ignore[index]
    # the next day C2's loan is 30 days past due
    tomorrow = _calls(book, "--reveal", today="2026-12-02")
    assert _row(tomorrow, "C2")["action"] == "联系担保人 王五（兄弟）13700002222"  # type: ignore[index]
    shown = book("--lang", "zh", "show", "C2", today="2026-12-02").stdout
    assert "建议行动: 联系担保人 王五（兄弟）137****2222" in shown


def test_the_guarantor_threshold_is_a_setting(
    book: Cli, make_csv: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(book, _guarantors(make_csv))
    config = tmp_path / "retain.toml"
    config.write_text("[rhythm]\nguarantor_after_days = 60\n", encoding="utf-8")
    monkeypatch.setenv("RETAIN_CONFIG", str(config))
    assert _row(_calls(book), "C1")["action"] == "电话催收，了解还款安排"  # type: ignore[index]
    config.write_text("[rhythm]\nguarantor_after_days = 100000\n", encoding="utf-8")
    refused = book("calls")
    assert refused.exit_code == 2 and "guarantor_after_days" in refused.stderr


def test_guarantors_are_never_texted(book: Cli, make_csv: Callable[..., Path]) -> None:
    _import(book, _guarantors(make_csv))
    sms = book("export", "reminders", "--audience", "customer", "--format", "csv")
    assert sms.exit_code == 0, sms.stderr
    assert "13812348001" in sms.stdout  # the borrower is
    for phone in ("13800000000", "13900001111", "13700002222"):
        assert phone not in sms.stdout


# --- collateral dates ---------------------------------------------------------


def test_collateral_expiry_on_the_call_list_across_days(book: Cli) -> None:
    # The insurance (2026-12-20) is 30 days ahead from 2026-11-20 on.
    assert _collateral(book, "2026-11-19") == 0
    assert _collateral(book, "2026-11-20") == 1
    assert _collateral(book) == 1
    table = book("--lang", "zh", "calls", env={"RETAIN_TTY": "1", "COLUMNS": "250"}).stdout
    assert "抵押物保险 12月20日到期" in table
    # the day after it, the certificate's window (from 2026-12-21) takes over
    assert _collateral(book, "2026-12-20") == 1
    assert _collateral(book, "2026-12-21") == 1
    later = book("calls", "--explain", "C3", today="2026-12-25")
    assert "collateral certificate of loan collateral expires 2027-01-20" in later.stdout


def test_collateral_expiry_stops_after_a_contact_and_after_the_expiry(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    assert book("log", "C3", "--outcome", "reached", "--at", "2026-12-01").exit_code == 0
    assert _collateral(book, "2026-12-05") == 0
    # the certificate's window opens after that contact: listed again
    assert _collateral(book, "2026-12-21") == 1
    # a loan with only an insurance date in the past gives nothing
    loans = make_csv(
        "loans2.csv",
        [LOAN_HEADER, ["L3", "C3", "80000", "2025-06-01", "2027-06-01", "抵押", "正常", "",
                       "2026-11-30", ""]],
    )  # fmt: skip
    changed = book("import", "loans", str(loans), "--format", "json")
    assert changed.json()["updated"] == 1  # a changed collateral date is a change
    assert _collateral(book, "2026-12-02") == 0


def test_collateral_expiry_in_officer_exports_never_in_customer_ones(book: Cli) -> None:
    officer = book("export", "reminders", "--audience", "officer", "--format", "json",
                   "--days", "30")  # fmt: skip
    assert officer.exit_code == 0, officer.stderr
    mine = [r for r in officer.json() if r["reason"] == "collateral_expiry"]
    # one per expiry: the insurance's window is open today, the certificate's opens 12-21
    assert [(r["customer_id"], r["date"]) for r in mine] == [
        ("C3", "2026-12-01"),
        ("C3", "2026-12-21"),
    ]
    customer = book("export", "reminders", "--audience", "customer", "--format", "json",
                    "--days", "30")  # fmt: skip
    assert customer.exit_code == 0
    assert all(r["name"] != "张伟" for r in customer.json())
    refused = book("export", "reminders", "--audience", "customer", "--kinds", "collateral_expiry")
    assert refused.exit_code == 2
