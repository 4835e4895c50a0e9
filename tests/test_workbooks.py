"""Workbooks: the sheet with a header row, --sheet, formulas without a saved
value, and legacy .xls (issue 9, items 6 and 7 and 10)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.importing import read
from tests.conftest import CUSTOMER_HEADER, Cli

DATA = Path(__file__).parent / "data"


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def test_first_sheet_with_a_header_row_is_read_and_named(
    cli: Cli, tmp_path: Path, xlsx_reader: str
) -> None:
    path = workbook(
        tmp_path / "客户.xlsx",
        {
            "说明": [["本表由核心系统导出"], ["请勿修改"]],
            "客户": [CUSTOMER_HEADER, ["C1", "王建国", "13812348001", None, None, None, None]],
        },
    )
    result = cli("import", "customers", str(path))
    assert result.exit_code == 0, result.stderr
    assert "sheet 客户 (of 说明, 客户)" in result.stdout
    assert cli("import", "customers", str(path), "--format", "json").json()["sheet"] == "客户"


def test_sheet_option_by_name_or_number_and_errors_list_the_sheets(
    cli: Cli, tmp_path: Path, xlsx_reader: str
) -> None:
    row = ["C1", "王建国", "13812348001", None, None, None, None]
    path = workbook(
        tmp_path / "c.xlsx",
        {"说明": [["x"]], "旧": [CUSTOMER_HEADER, row], "新": [CUSTOMER_HEADER, row]},
    )
    result = cli("import", "customers", str(path), "--sheet", "3", "--format", "json")
    assert result.exit_code == 0 and result.json()["sheet"] == "新"
    result = cli("import", "customers", str(path), "--sheet", "新", "--format", "json")
    assert result.json()["sheet"] == "新"
    result = cli("import", "customers", str(path), "--sheet", "贷款")
    assert result.exit_code == 2
    assert "--sheet 贷款" in result.stderr and "说明, 旧, 新" in result.stderr
    only_notes = workbook(tmp_path / "n.xlsx", {"说明": [["x"]], "备注": [["y"]]})
    result = cli("import", "customers", str(only_notes))
    assert result.exit_code == 1
    assert "sheets: 说明, 备注" in result.stderr and "--sheet" in result.stderr
    assert cli("import", "customers", str(path), "--sheet", "说明").exit_code == 1


def test_sheet_option_on_a_text_file_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("customer_id,name\nC1,x\n", encoding="utf-8")
    assert cli("import", "customers", str(path), "--sheet", "1").exit_code == 2


def test_formula_without_saved_value_has_its_own_reason(cli: Cli, tmp_path: Path) -> None:
    # openpyxl writes formulas without cached values, like a file never opened in Excel
    path = workbook(
        tmp_path / "c.xlsx",
        {
            "客户": [
                ["客户编号", "客户名称", "备注"],
                ["C1", '=CONCAT("王","建国")', "=1+1"],
                ["C2", "李强", "=1+1"],  # an unused column's formula is no fault
            ]
        },
    )
    result = cli("import", "customers", str(path), "--format", "json")
    assert result.exit_code == 3
    assert result.json()["added"] == 1
    assert result.json()["rejects"] == [
        {
            "row": 2,
            "field": "name",
            "reason": "formula with no saved value: open and save the file in Excel",
        }
    ]


def test_legacy_xls_is_read_with_its_dates_and_numbers(cli: Cli) -> None:
    # tests/data/ledger.xls (made with xlwt): a 说明 sheet, then 贷款 with a title row
    result = cli("import", "loans", str(DATA / "ledger.xls"), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["sheet"] == "贷款" and result.json()["added"] == 2
    rows = [
        tuple(r)
        for r in cli.sql(
            "SELECT loan_id, principal_fen, disbursed_on, matures_on FROM loans ORDER BY 1"
        )
    ]
    (name,) = [tuple(r) for r in cli.sql("SELECT name FROM customers WHERE customer_id = 'C1'")]
    assert rows == [
        ("L1", 10_000_000, "2026-01-05", "2027-01-05"),
        ("L2", 5_000_050, "2025-12-31", "2026-12-31"),
    ]
    assert name == ("張三豐",)
    assert dt.date(2026, 1, 5).isoformat() == rows[0][2]


def test_a_broken_xls_says_how_to_convert_it(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 600)
    result = cli("import", "loans", str(path))
    assert result.exit_code == 1
    assert "libreoffice --headless --convert-to xlsx" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- .xlsx: calamine for small formula-free workbooks, openpyxl otherwise ------

CELL = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.decimals(min_value=-(10**9), max_value=10**9, places=2).map(float),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2099, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2099, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.booleans(),
    st.text(
        alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=12
    ).filter(lambda t: not t.startswith("=") and t.strip() == t),
    st.from_regex(r"0[0-9]{5,17}", fullmatch=True),  # ids whose leading zeros must stay
)


def _as_read(value: object) -> object:
    """What both readers mean by one cell: a whole float is its int (calamine gives
    numbers as floats), a midnight date-time its date (openpyxl gives a date cell
    as one); retain's normaliser reads each pair the same way."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _cells(book: read._Workbook) -> list[list[object]]:
    try:
        rows = [[_as_read(v) for v in row.cells] for row in book.rows(0)]
    finally:
        book.close()
    while rows and not rows[-1]:  # a sheet of blank rows is no data to either
        rows.pop()
    return rows


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=6), min_size=1, max_size=8))
def test_calamine_and_openpyxl_read_every_cell_alike(
    tmp_path: Path, rows: list[list[object]]
) -> None:
    path = workbook(tmp_path / "r.xlsx", {"表": rows})
    assert read._calamine_suits(path)
    by_calamine = _cells(read._XlsBook(path, path.name, read.ReadLimits(), error_key="read.xlsx"))
    by_openpyxl = _cells(read._XlsxBook(path, path.name, read.ReadLimits()))
    assert by_calamine == by_openpyxl


def test_a_workbook_with_formulas_or_too_big_is_streamed_by_openpyxl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = workbook(tmp_path / "p.xlsx", {"客户": [CUSTOMER_HEADER]})
    with_formula = workbook(tmp_path / "f.xlsx", {"客户": [CUSTOMER_HEADER, ["=1+1"]]})
    assert read._calamine_suits(plain)
    assert not read._calamine_suits(with_formula)  # calamine can't see a formula's saved value
    monkeypatch.setattr(read, "CALAMINE_MAX_XML_BYTES", 100)
    assert not read._calamine_suits(plain)  # calamine holds the whole sheet in memory


def test_both_readers_store_the_same_book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    header = [
        "借据号",
        "客户编号",
        "客户名称",
        "手机号码",
        "贷款金额",
        "贷款余额",
        "放款日期",
        "到期日期",
        "担保方式",
        "贷款状态",
        "逾期天数",
    ]
    rows: list[list[object]] = [header]
    for n in range(40):
        rows.append(
            [
                f"00{n:06d}",
                f"0{n % 7:05d}",
                f"客户{n % 7}",
                f"138{n % 7:08d}",
                50000 + n * 1000,
                12345.67 + n,
                dt.date(2026, 1, 1) + dt.timedelta(days=n),
                dt.datetime(2026, 12, 1) + dt.timedelta(days=n),
                "信用",
                "逾期" if n % 5 == 0 else "正常",
                3 if n % 5 == 0 else 0,
            ]
        )
    path = workbook(tmp_path / "贷款.xlsx", {"贷款": rows})
    seen = []
    for reader in ("calamine", "openpyxl"):
        if reader == "openpyxl":
            monkeypatch.setattr(read, "CALAMINE_MAX_XML_BYTES", -1)
        cli = Cli(tmp_path / reader / "retain.db")
        imported = cli("import", "loans", str(path))
        assert imported.exit_code == 0, imported.stderr
        due = cli("due", "--days", "60", "--format", "json", "--reveal")
        overdue = cli("overdue", "--format", "json", "--reveal")
        seen.append((due.json(), overdue.json()))
    assert seen[0] == seen[1]
    assert len(seen[0][0]) == 40 and seen[0][0][0]["loan_id"] == "00000000"
