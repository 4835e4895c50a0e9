"""The import contract, rule by rule, through the real CLI on real files."""

from __future__ import annotations

import csv
import datetime as dt
import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, valid_id_number

ID_OK = valid_id_number("11010519491231002")


def db_rows(cli: Cli, sql: str, *params: object) -> list[tuple[object, ...]]:
    return [tuple(r) for r in cli.sql(sql, params)]


def read_rejects(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "rejects file must start with a UTF-8 BOM"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def customers_file(make_csv: Callable[..., Path], *rows: list[object], **kw: object) -> Path:
    return make_csv("customers.csv", [CUSTOMER_HEADER, *rows], **kw)


def loan_row(loan_id: str = "L1", customer: str = "C1", **over: object) -> list[object]:
    base = {
        "principal": "100000",
        "disbursed": "2026-01-05",
        "matures": "2027-01-05",
        "guarantee": "信用",
        "status": "正常",
        "closed": "",
        "balance": "",
        "dpd": "",
    }
    base.update({k: str(v) for k, v in over.items()})
    return [
        loan_id, customer, base["principal"], base["disbursed"], base["matures"],
        base["guarantee"], base["status"], base["closed"], base["balance"], base["dpd"],
    ]  # fmt: skip


@pytest.fixture
def with_customer(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    path = customers_file(make_csv, ["C1", "王建国", "13812348001", ID_OK, "粮油", "王芳", ""])
    assert cli("import", "customers", str(path)).exit_code == 0
    return cli


def import_loans(cli: Cli, make_csv: Callable[..., Path], *rows: list[object]) -> tuple[int, Path]:
    path = make_csv("loans.csv", [LOAN_HEADER, *rows])
    result = cli("import", "loans", str(path), "--format", "json")
    return result.exit_code, path


# -- encodings and layout -------------------------------------------------------


def test_gb18030_csv_with_title_and_total_rows_round_trips_names(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    path = make_csv(
        "gb.csv",
        [
            ["2026年11月 客户清单（导出）"],
            CUSTOMER_HEADER,
            ["C1", "王䶮", "13812348001", "", "粮油", "王芳", ""],
            ["C2", "李😀记", "", "", "", "", ""],
            ["合计", "2 户"],
        ],
        encoding="gb18030",
    )
    result = cli("import", "customers", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert (report["added"], report["rejected"], report["skipped"]) == (2, 0, 1)
    assert db_rows(cli, "SELECT name FROM customers ORDER BY customer_id") == [
        ("王䶮",),
        ("李😀记",),
    ]


def test_utf8_bom_and_wan_column_multiplies_by_ten_thousand(
    with_customer: Cli, make_csv: Callable[..., Path]
) -> None:
    header = [
        "借据编号",
        "客户编号",
        "贷款金额（万元）",
        "放款日期",
        "到期日期",
        "担保方式",
        "贷款状态",
    ]
    path = make_csv(
        "wan.csv",
        [header, ["L1", "C1", "12.5", "2026-01-05", "2027-01-05", "保证担保", "正常"]],
        encoding="utf-8-sig",
    )
    result = with_customer("import", "loans", str(path))
    assert result.exit_code == 0, result.stderr
    assert db_rows(with_customer, "SELECT principal_fen, guarantee FROM loans") == [
        (12_500_000, "guarantee")
    ]


def test_strict_utf8_without_bom(cli: Cli, make_csv: Callable[..., Path]) -> None:
    path = customers_file(make_csv, ["C1", "张三", "", "", "", "", ""], encoding="utf-8")
    assert cli("import", "customers", str(path)).exit_code == 0
    assert db_rows(cli, "SELECT name FROM customers") == [("张三",)]


def test_header_matching_ignores_width_and_spaces(
    with_customer: Cli, make_csv: Callable[..., Path]
) -> None:
    header = ["借据编号 ", "客户编号", "贷款金额（元）", "放款日期", "到期日", "担保方式", "状态"]
    path = make_csv(
        "h.csv", [header, ["L1", "C1", "¥1,234.50", "2026/1/5", "2027年1月5日", "credit", "active"]]
    )
    result = with_customer("import", "loans", str(path))
    assert result.exit_code == 0, result.stderr
    assert db_rows(with_customer, "SELECT principal_fen, disbursed_on, matures_on FROM loans") == [
        (123450, "2026-01-05", "2027-01-05")
    ]


def test_xlsx_with_merged_title_native_and_serial_dates_and_fullwidth(
    with_customer: Cli, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["XX农商银行 贷款台账"])
    sheet.merge_cells("A1:G1")
    sheet.append(["客户信息", None, "贷款信息"])
    sheet.merge_cells("A2:B2")
    sheet.append(
        ["借据编号", "客户编号", "贷款金额(元)", "放款日期", "到期日期", "担保方式", "贷款状态"]
    )
    sheet.append(["L1", "C1", 50000, dt.datetime(2026, 1, 5), dt.date(2027, 1, 5), "信用", "正常"])
    sheet.append(["L2", "C1", "８００００", 46027, "46392", "抵押", "正常"])
    sheet.append([])
    sheet.append(["L3", "C1", "abc", "2026-01-05", "2027-01-05", "信用", "正常"])
    book.create_sheet("ignored").append(["借据编号", "x"])
    path = tmp_path / "loans.xlsx"
    book.save(path)
    result = with_customer("import", "loans", str(path), "--format", "json")
    assert result.exit_code == 3
    report = result.json()
    assert report["added"] == 2
    assert report["rejects"] == [
        {"row": 7, "field": "principal", "reason": report["rejects"][0]["reason"]}
    ]
    assert db_rows(with_customer, "SELECT loan_id, principal_fen, disbursed_on, matures_on FROM loans ORDER BY loan_id") == [
        ("L1", 5_000_000, "2026-01-05", "2027-01-05"),
        ("L2", 8_000_000, "2026-01-05", "2027-01-05"),
    ]  # fmt: skip


def test_short_rows_get_blank_trailing_cells(cli: Cli, make_csv: Callable[..., Path]) -> None:
    path = make_csv("c.csv", [CUSTOMER_HEADER, ["C1", "张三"]])
    assert cli("import", "customers", str(path)).exit_code == 0
    assert db_rows(cli, "SELECT phone, officer FROM customers") == [(None, None)]


def test_blank_rows_and_totals_are_skipped_not_rejected(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    path = customers_file(
        make_csv, ["C1", "张三", "", "", "", "", ""], ["", "", ""], ["总计：1户"], ["  ", ""]
    )
    report = cli("import", "customers", str(path), "--format", "json").json()
    assert (report["added"], report["rejected"], report["skipped"]) == (1, 0, 3)


# -- validation and atomicity ---------------------------------------------------


def test_bad_rows_rejected_good_rows_committed_exit_3(
    with_customer: Cli, make_csv: Callable[..., Path]
) -> None:
    code, path = import_loans(
        with_customer, make_csv, loan_row("L1"), loan_row("L2", principal="十万"), loan_row("L3")
    )
    assert code == 3
    assert db_rows(with_customer, "SELECT loan_id FROM loans ORDER BY 1") == [("L1",), ("L3",)]
    rejects = read_rejects(path.with_name("loans.rejects.csv"))
    assert [(r["_row"], r["_field"]) for r in rejects] == [("3", "principal")]
    assert rejects[0]["借据编号"] == "L2" and rejects[0]["贷款金额(元)"] == "十万"


def test_all_rows_ok_exits_0_and_writes_no_rejects_file(
    with_customer: Cli, make_csv: Callable[..., Path]
) -> None:
    code, path = import_loans(with_customer, make_csv, loan_row("L1"))
    assert code == 0
    assert not path.with_name("loans.rejects.csv").exists()


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("L-0001_a", True),
        ("４.27E+22", False),
        ("4.27E+22", False),
        ("a" * 33, False),
        ("编号1", False),
    ],
)
def test_ids_must_be_plain_ascii(
    with_customer: Cli, make_csv: Callable[..., Path], value: str, ok: bool
) -> None:
    code, _ = import_loans(with_customer, make_csv, loan_row(value))
    assert code == (0 if ok else 3)


def test_duplicate_id_in_one_file_first_wins(
    with_customer: Cli, make_csv: Callable[..., Path]
) -> None:
    code, path = import_loans(
        with_customer, make_csv, loan_row("L1", principal="1000"), loan_row("L1", principal="2000")
    )
    assert code == 3
    assert db_rows(with_customer, "SELECT principal_fen FROM loans") == [(100000,)]
    assert read_rejects(path.with_name("loans.rejects.csv"))[0]["_row"] == "3"


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ('=HYPERLINK("x")', True),
        ("  王 五  ", True),
        ("a" * 65, False),
        ("bad\x07name", False),
        ("", False),
    ],
)
def test_name_rules(cli: Cli, make_csv: Callable[..., Path], name: str, ok: bool) -> None:
    path = customers_file(make_csv, ["C1", name, "", "", "", "", ""])
    assert cli("import", "customers", str(path)).exit_code == (0 if ok else 3)
    if ok:
        assert db_rows(cli, "SELECT name FROM customers") == [(name.strip(),)]


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("'13812348001", "13812348001"),
        ("+86 138-1234-8001", "13812348001"),
        ("0086(138)1234.8001", "13812348001"),
        ("8613812348001", "13812348001"),
        ("１３８１２３４８００１", "13812348001"),
        ("010-62345678", "010-62345678"),  # a landline (tests/test_landlines.py)
        ("62345678", None),  # without its area code
        ("12812348001", None),
    ],
)
def test_phone_rules(
    cli: Cli, make_csv: Callable[..., Path], phone: str, stored: str | None
) -> None:
    path = customers_file(make_csv, ["C1", "张三", phone, "", "", "", ""])
    result = cli("import", "customers", str(path))
    if stored is None:
        assert result.exit_code == 3
        assert "phone" in result.stderr
    else:
        assert result.exit_code == 0
        assert db_rows(cli, "SELECT phone FROM customers") == [(stored,)]


@pytest.mark.parametrize(
    ("idn", "ok"),
    [
        (ID_OK, True),
        (ID_OK.lower(), True),
        ("'" + ID_OK, True),
        (ID_OK[:-1] + ("0" if ID_OK[-1] != "0" else "1"), False),  # wrong check character
        ("110105491231002", False),  # legacy 15 digits
        ("4.40305E+17", False),
        (valid_id_number("11010520991231002"), False),  # born in the future
        (valid_id_number("99999919800101001"), True),  # region codes are not validated
    ],
)
def test_id_number_rules(cli: Cli, make_csv: Callable[..., Path], idn: str, ok: bool) -> None:
    path = customers_file(make_csv, ["C1", "张三", "", idn, "", "", ""])
    assert cli("import", "customers", str(path)).exit_code == (0 if ok else 3)


@pytest.mark.parametrize(
    ("principal", "fen"),
    [
        ("¥1,234.50", 123450),
        ("RMB 1000", 100000),
        ("人民币5000元", 500000),
        ("12.5万", 12_500_000),
        ("1.2345万元", 1_234_500),
        ("(1,000.00)", None),
        ("-100", None),
        ("0", None),
        ("十万", None),
        ("待定", None),
        ("1.234", None),
        ("10000000.01", None),
        ("10000000", 1_000_000_000),
    ],
)
def test_principal_rules(
    with_customer: Cli, make_csv: Callable[..., Path], principal: str, fen: int | None
) -> None:
    code, _ = import_loans(with_customer, make_csv, loan_row("L1", principal=principal))
    assert code == (0 if fen is not None else 3)
    if fen is not None:
        assert db_rows(with_customer, "SELECT principal_fen FROM loans") == [(fen,)]


@pytest.mark.parametrize(
    ("disbursed", "stored"),
    [
        ("2026-01-05", "2026-01-05"),
        ("2026-01-05 08:30:00", "2026-01-05"),
        ("2026/1/5", "2026-01-05"),
        ("2026.1.5", "2026-01-05"),
        ("2026年1月5日", "2026-01-05"),
        ("20260105", "2026-01-05"),
        ("46027", "2026-01-05"),
        ("5/1/2026", None),
        ("2026-02-29", None),
        ("2025-02-30", None),
    ],
)
def test_date_rules(
    with_customer: Cli, make_csv: Callable[..., Path], disbursed: str, stored: str | None
) -> None:
    code, _ = import_loans(with_customer, make_csv, loan_row("L1", disbursed=disbursed))
    assert code == (0 if stored else 3)
    if stored:
        assert db_rows(with_customer, "SELECT disbursed_on FROM loans") == [(stored,)]


def test_disbursed_not_after_today_and_maturity_after_disbursement(
    with_customer: Cli, make_csv: Callable[..., Path]
) -> None:
    code, path = import_loans(
        with_customer,
        make_csv,
        loan_row("L1", disbursed="2026-12-02"),
        loan_row("L2", disbursed="2026-06-01", matures="2026-06-01"),
        loan_row("L3", disbursed="2026-12-01", matures="2026-12-02"),
    )
    assert code == 3
    fields = [(r["_row"], r["_field"]) for r in read_rejects(path.with_name("loans.rejects.csv"))]
    assert fields == [("2", "disbursed_on"), ("3", "matures_on")]


def test_term_months_derives_maturity(with_customer: Cli, make_csv: Callable[..., Path]) -> None:
    header = [
        "借据编号",
        "客户编号",
        "贷款金额",
        "放款日期",
        "贷款期限(月)",
        "担保方式",
        "贷款状态",
    ]
    path = make_csv("t.csv", [header, ["L1", "C1", "1000", "2026-01-31", "1", "信用", "正常"]])
    assert with_customer("import", "loans", str(path)).exit_code == 0
    assert db_rows(with_customer, "SELECT matures_on, term_months FROM loans") == [
        ("2026-02-28", 1)
    ]


def test_a_term_beyond_50_years_is_a_rejected_cell_not_a_crash(
    with_customer: Cli, make_csv: Callable[..., Path]
) -> None:
    # A date typed into the term column (20250105 "months") once crashed the whole
    # import computing a maturity beyond the year 9999.
    header = [
        "借据编号",
        "客户编号",
        "贷款金额",
        "放款日期",
        "贷款期限(月)",
        "担保方式",
        "贷款状态",
    ]
    rows = [
        ["L1", "C1", "1000", "2026-01-31", "20250105", "信用", "正常"],
        ["L2", "C1", "1000", "2026-01-31", "601", "信用", "正常"],
        ["L3", "C1", "1000", "2026-01-31", "600", "信用", "正常"],
    ]
    path = make_csv("t.csv", [header, *rows])
    result = with_customer("import", "loans", str(path))
    assert result.exit_code == 3, result.stderr
    assert "unexpected" not in result.stderr
    rejects = read_rejects(path.with_name("t.rejects.csv"))
    assert [(r["_row"], r["_field"]) for r in rejects] == [
        ("2", "term_months"),
        ("3", "term_months"),
    ]
    assert {r["_reason"] for r in rejects} == {"at most 600 months (50 years)"}
    assert db_rows(with_customer, "SELECT loan_id, matures_on, term_months FROM loans") == [
        ("L3", "2076-01-31", 600)
    ]


@pytest.mark.parametrize(
    ("guarantee", "stored"),
    [
        ("保证担保", "guarantee"),
        ("抵押贷款", "mortgage"),
        ("质押", "pledge"),
        ("Credit", "credit"),
        ("房产", None),
    ],
)
def test_guarantee_rules(
    with_customer: Cli, make_csv: Callable[..., Path], guarantee: str, stored: str | None
) -> None:
    code, path = import_loans(with_customer, make_csv, loan_row("L1", guarantee=guarantee))
    if stored is None:
        assert code == 3
        reason = read_rejects(path.with_name("loans.rejects.csv"))[0]["_reason"]
        assert "信用" in reason and "mortgage" in reason
    else:
        assert db_rows(with_customer, "SELECT guarantee FROM loans") == [(stored,)]


@pytest.mark.parametrize(
    ("status", "closed", "stored"),
    [
        ("已结清", "2026-06-01", "closed"),
        ("结清", "", None),  # closed needs closed_on
        ("逾期", "2026-06-01", None),  # open loans must not have one
        ("核销", "", "written_off"),
        ("overdue", "", "overdue"),
        ("结清", "2025-12-31", None),  # before disbursement
        ("结清", "2026-12-02", None),  # after today
        ("冻结", "", None),
    ],
)
def test_status_and_closed_on_rules(
    with_customer: Cli, make_csv: Callable[..., Path], status: str, closed: str, stored: str | None
) -> None:
    code, _ = import_loans(with_customer, make_csv, loan_row("L1", status=status, closed=closed))
    assert code == (0 if stored else 3)
    if stored:
        assert db_rows(with_customer, "SELECT status FROM loans") == [(stored,)]


@pytest.mark.parametrize(
    ("dpd", "balance", "ok"),
    [("12", "0", True), ("-1", "", False), ("1.5", "", False), ("", "-5", False)],
)
def test_days_past_due_and_balance(
    with_customer: Cli, make_csv: Callable[..., Path], dpd: str, balance: str, ok: bool
) -> None:
    code, _ = import_loans(with_customer, make_csv, loan_row("L1", dpd=dpd, balance=balance))
    assert code == (0 if ok else 3)


def test_loan_needs_an_existing_customer(with_customer: Cli, make_csv: Callable[..., Path]) -> None:
    code, path = import_loans(with_customer, make_csv, loan_row("L1", customer="C404"))
    assert code == 3
    rejects = read_rejects(path.with_name("loans.rejects.csv"))
    assert rejects[0]["_field"] == "customer_id" and "C404" in rejects[0]["_reason"]


def test_combined_loan_and_customer_file(cli: Cli, make_csv: Callable[..., Path]) -> None:
    header = [*LOAN_HEADER[:7], "客户名称", "手机号码"]
    path = make_csv(
        "combined.csv",
        [
            header,
            [*loan_row("L1", "C1")[:7], "王五", "13812348001"],
            [*loan_row("L2", "C1")[:7], "王五", "13812348001"],  # same details: another loan
            [*loan_row("L3", "C1")[:7], "王六", "13812348001"],  # different details: rejected
            [*loan_row("L4", "C2", principal="bad")[:7], "赵七", ""],  # whole row rejected
            [*loan_row("L5", "C3")[:7], "钱八", "12345"],  # customer part fails
        ],
    )
    result = cli("import", "loans", str(path), "--format", "json")
    assert result.exit_code == 3
    report = result.json()
    assert (report["added"], report["rejected"], report["customers_added"]) == (2, 3, 1)
    assert db_rows(cli, "SELECT customer_id, name FROM customers") == [("C1", "王五")]
    assert db_rows(cli, "SELECT loan_id FROM loans ORDER BY 1") == [("L1",), ("L2",)]


def test_reimport_is_idempotent_and_changes_update_with_audit(
    with_customer: Cli, make_csv: Callable[..., Path]
) -> None:
    path = make_csv("loans.csv", [LOAN_HEADER, loan_row("L1"), loan_row("L2")])
    assert with_customer("import", "loans", str(path)).exit_code == 0
    again = with_customer("import", "loans", str(path), "--format", "json").json()
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 2)
    path = make_csv("loans.csv", [LOAN_HEADER, loan_row("L1", balance="500"), loan_row("L2")])
    changed = with_customer("import", "loans", str(path), "--format", "json").json()
    assert (changed["added"], changed["updated"], changed["unchanged"]) == (0, 1, 1)
    assert db_rows(with_customer, "SELECT entity_id, field, old_value, new_value FROM changes") == [
        ("L1", "balance", None, "50000")
    ]
    assert db_rows(with_customer, "SELECT count(*) FROM imports WHERE kind = 'loans'") == [(3,)]


def test_rejects_file_can_be_fixed_and_reimported(
    with_customer: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    rejects_path = tmp_path / "out" / "bad.csv"
    rejects_path.parent.mkdir()
    path = make_csv("loans.csv", [LOAN_HEADER, loan_row("L1", disbursed="5/1/2026")])
    result = with_customer("import", "loans", str(path), "--rejects", str(rejects_path))
    assert result.exit_code == 3
    assert stat.S_IMODE(rejects_path.stat().st_mode) == 0o600
    rows = read_rejects(rejects_path)
    assert list(rows[0]) == [*LOAN_HEADER, "_source", "_row", "_field", "_reason"]
    rows[0]["放款日期"] = "2026-01-05"
    with rejects_path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert with_customer("import", "loans", str(rejects_path)).exit_code == 0
    assert db_rows(with_customer, "SELECT disbursed_on FROM loans") == [("2026-01-05",)]


def test_messages_mask_personal_data(cli: Cli, make_csv: Callable[..., Path]) -> None:
    path = customers_file(
        make_csv,
        ["C1", "张三", "13812348001", ID_OK[:-1] + "Y", "", "", ""],
        ["C1", "张三", "13812348001", ID_OK, "", "", ""],
    )
    result = cli("import", "customers", str(path))
    assert result.exit_code == 3
    assert "13812348001" not in result.stderr + result.stdout
    assert ID_OK[:17] not in result.stderr + result.stdout


def test_dry_run_writes_nothing(with_customer: Cli, make_csv: Callable[..., Path]) -> None:
    path = make_csv("loans.csv", [LOAN_HEADER, loan_row("L1"), loan_row("L2", principal="x")])
    result = with_customer("import", "loans", str(path), "--dry-run", "--format", "json")
    assert result.exit_code == 3
    assert (result.json()["added"], result.json()["rejected"]) == (1, 1)
    assert db_rows(with_customer, "SELECT count(*) FROM loans") == [(0,)]
    assert not path.with_name("loans.rejects.csv").exists()


def test_stdin_import(cli: Cli) -> None:
    text = "customer_id,name\nC1,张三\nC2,李四\n"
    result = cli("import", "customers", "-", "--input-format", "csv", input=text.encode("gb18030"))
    assert result.exit_code == 0, result.stderr
    assert db_rows(cli, "SELECT count(*) FROM customers") == [(2,)]
    assert cli("import", "customers", "-").exit_code == 2


def test_ndjson_import(cli: Cli, make_csv: Callable[..., Path], tmp_path: Path) -> None:
    path = tmp_path / "c.ndjson"
    path.write_text('{"customer_id": "C1", "name": "张三", "phone": 13812348001}\n', "utf-8")
    assert cli("import", "customers", str(path)).exit_code == 0
    assert db_rows(cli, "SELECT phone FROM customers") == [("13812348001",)]


def test_mapping_file_for_a_foreign_export(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    mapping = tmp_path / "prosper.toml"
    mapping.write_text(
        """
[columns]
loan_id = "LoanNumber"
customer_id = "MemberKey"
name = "MemberKey"
principal = "LoanOriginalAmount"
disbursed_on = "LoanOriginationDate"
term_months = "Term"
status = "LoanStatus"
closed_on = "ClosedDate"
[options]
date_order = "mdy"
[defaults]
guarantee = "credit"
[values.status]
"Completed" = "closed"
"Past Due (1-15 days)" = "overdue"
"Current" = "active"
""",
        encoding="utf-8",
    )
    path = make_csv(
        "prosper.csv",
        [
            ["LoanNumber", "MemberKey", "LoanOriginalAmount", "LoanOriginationDate", "Term", "LoanStatus", "ClosedDate"],
            ["1001", "M1", "9425", "8/26/2025 0:00", "12", "Current", ""],
            ["1002", "M2", "10000", "2/27/2025 0:00", "12", "Completed", "2/1/2026 0:00"],
            ["1003", "M3", "3001", "1/5/2026 0:00", "6", "Past Due (1-15 days)", ""],
        ],
    )  # fmt: skip
    result = cli("import", "loans", str(path), "--map", str(mapping), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert db_rows(cli, "SELECT loan_id, status, disbursed_on, matures_on, closed_on FROM loans ORDER BY 1") == [
        ("1001", "active", "2025-08-26", "2026-08-26", None),
        ("1002", "closed", "2025-02-27", "2026-02-27", "2026-02-01"),
        ("1003", "overdue", "2026-01-05", "2026-07-05", None),
    ]  # fmt: skip
    assert db_rows(cli, "SELECT name FROM customers WHERE customer_id = 'M1'") == [("M1",)]


def test_mapping_unknown_keys_are_named(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    mapping = tmp_path / "bad.toml"
    mapping.write_text('[columns]\nlone_id = "X"\n[optoins]\n', encoding="utf-8")
    path = customers_file(make_csv, ["C1", "张三", "", "", "", "", ""])
    result = cli("import", "customers", str(path), "--map", str(mapping))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "lone_id" in result.stderr or "optoins" in result.stderr


def test_errors_are_one_line_with_documented_codes(cli: Cli, tmp_path: Path) -> None:
    missing = cli("import", "customers", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and missing.stderr.startswith("Error: ")
    junk = tmp_path / "junk.csv"
    junk.write_text("just,some,text\n1,2,3\n", encoding="utf-8")
    no_header = cli("import", "customers", str(junk))
    assert no_header.exit_code == 1
    assert no_header.stderr.startswith("Error: ") and no_header.stderr.count("\n") == 1
    assert "Traceback" not in no_header.stderr


def test_sigkill_mid_import_leaves_all_or_nothing(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    db = tmp_path / "s" / "retain.db"
    exe = str(Path(sys.executable).parent / "retain")
    customers = tmp_path / "c.csv"
    customers.write_text("customer_id,name\nC1,张三\n", encoding="utf-8")
    base = [exe, "--db", str(db), "--today", "2026-12-01"]
    subprocess.run([*base, "import", "customers", str(customers)], check=True, capture_output=True)
    loans = tmp_path / "big.csv"
    with loans.open("w", encoding="utf-8") as handle:
        handle.write("loan_id,customer_id,principal,disbursed_on,matures_on,guarantee,status\n")
        for n in range(300_000):
            handle.write(f"L{n},C1,1000,2026-01-05,2027-01-05,credit,active\n")
    proc = subprocess.Popen(
        [*base, "import", "loans", str(loans)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wal = Path(f"{db}-wal")
    deadline = time.monotonic() + 60
    # Kill once the import is visibly writing (the WAL grows past its start size).
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 2_000_000:
            break
        time.sleep(0.01)
    killed = proc.poll() is None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db) as conn:
        count = conn.execute("SELECT count(*) FROM loans").fetchone()[0]
    assert count in (0, 300_000)
    if killed:
        assert count == 0
