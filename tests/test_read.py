"""Reading input files into rows and records."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from retain.errors import RetainError, UsageError
from retain.importing.columns import Kind, Mapping
from retain.importing.read import (
    INPUT_FORMATS,
    Record,
    SourceRow,
    detect_encoding,
    detect_format,
    open_rows,
    read_records,
)

LOAN_HEADER = ["贷款编号", "客户编号", "客户名称", "贷款金额", "放款日期", "到期日期"]
LOAN_HEADER += ["担保方式", "贷款状态"]


def write_csv(
    path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def rows_of(path: Path | None, input_format: str | None = None) -> list[SourceRow]:
    with open_rows(path, input_format) as rows:
        return list(rows)


def records_of(
    path: Path | None,
    kind: Kind = "loans",
    mapping: Mapping | None = None,
    input_format: str | None = None,
) -> tuple[list[Record], int, list[int]]:
    """Records, skipped count, and the header row number."""
    with open_rows(path, input_format) as rows:
        layout, records, skips = read_records(
            rows, kind, mapping or Mapping.empty(), source_name=str(path)
        )
        return list(records), skips.skipped, [layout.row_no]


def loan(i: int, name: str = "王小明") -> list[str]:
    return [f"L{i:03}", f"C{i:03}", name, "50,000", "2026-01-05", "2027-01-05", "信用", "正常"]


# --- formats ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.csv", "csv"),
        ("a.CSV", "csv"),
        ("a.tsv", "tsv"),
        ("a.tab", "tsv"),
        ("a.json", "json"),
        ("a.ndjson", "ndjson"),
        ("a.jsonl", "ndjson"),
        ("a.xlsx", "xlsx"),
        ("a.XLSM", "xlsx"),
    ],
)
def test_detect_format_from_extension(name: str, expected: str) -> None:
    assert detect_format(Path(name), None) == expected
    assert expected in INPUT_FORMATS


def test_detect_format_txt_sniffs_delimiter(tmp_path: Path) -> None:
    tsv = tmp_path / "a.txt"
    tsv.write_text("title, with comma\n客户编号\t客户名称\tx\nC1\t王, 五\ty\n", encoding="utf-8")
    assert detect_format(tsv, None) == "tsv"
    comma = tmp_path / "b.txt"
    comma.write_text("客户编号,客户名称\nC1,王五\n", encoding="utf-8")
    assert detect_format(comma, None) == "csv"


def test_detect_format_errors() -> None:
    assert detect_format(Path("ledger.xls"), None) == "xls"  # read with python-calamine
    with pytest.raises(UsageError, match="--input-format"):
        detect_format(Path("ledger.dat"), None)
    with pytest.raises(UsageError, match="--input-format"):
        detect_format(Path("ledger"), None)
    with pytest.raises(UsageError, match="unknown input format"):
        detect_format(Path("a.csv"), "xml")
    assert detect_format(Path("ledger.dat"), "CSV") == "csv"
    assert detect_format(None, "xlsx") == "xlsx"
    with pytest.raises(UsageError, match="stdin needs --input-format"):
        detect_format(None, None)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RetainError, match="no such file"):
        rows_of(tmp_path / "nope.csv")


# --- encodings and CSV ------------------------------------------------------


def test_gb18030_csv_with_title_total_rows_and_rare_names(tmp_path: Path) -> None:
    rare = "䶮"  # not in GBK
    emoji = "刘😀强"
    path = write_csv(
        tmp_path / "loans.csv",
        [
            ["2026年1月 贷款台账（某某支行）"],
            [],
            LOAN_HEADER,
            loan(1, f"李{rare}"),
            loan(2, emoji),
            ["", "", "", "", "", "", "", ""],
            ["合计", "", "", "100,000", "", "", "", ""],
            ["  总计：2笔"],
        ],
        encoding="gb18030",
    )
    assert detect_encoding(path, str(path)) == "gb18030"
    records, skipped, header_row = records_of(path)
    assert header_row == [3]
    assert [r.row_no for r in records] == [4, 5]
    assert records[0].values["name"] == f"李{rare}"
    assert records[1].values["name"] == emoji
    assert records[0].values["principal"] == "50,000"
    assert skipped == 3


def test_utf8_with_bom(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [["客户编号", "客户名称"], ["C1", "张三"]], "utf-8-sig")
    assert detect_encoding(path, "c.csv") == "utf-8-sig"
    rows = rows_of(path)
    assert rows[0].cells == ["客户编号", "客户名称"]  # no BOM in the first header
    records, _, _ = records_of(path, "customers")
    assert records[0].values == {"customer_id": "C1", "name": "张三"}


def test_utf8_without_bom(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [["客户编号", "客户名称"], ["C1", "䶮😀"]])
    assert detect_encoding(path, "c.csv") == "utf-8"
    records, _, _ = records_of(path, "customers")
    assert records[0].values["name"] == "䶮😀"


def test_neither_utf8_nor_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes("客户编号,客户名称\r\nC1,".encode() + b"\xff\xfe\x80\r\n")
    with pytest.raises(RetainError) as info:
        rows_of(path)
    message = str(info.value)
    assert "neither UTF-8, GB18030 nor Big5" in message
    offset = len("客户编号,客户名称\r\nC1,".encode())
    assert f"offset {offset}" in message
    assert "\n" not in message


def test_whole_file_is_checked_not_just_the_start(tmp_path: Path) -> None:
    # 3 MB of ASCII, then GB18030 text: only the end tells the encoding
    body = "C1,Zhang San\r\n" * 250_000
    path = tmp_path / "big.csv"
    path.write_bytes(("customer_id,name\r\n" + body + "C2,张三丰\r\n").encode("gb18030"))
    assert detect_encoding(path, "big.csv") == "gb18030"
    assert rows_of(path)[-1].cells == ["C2", "张三丰"]
    # and an undecodable byte far into the file is reported at its true offset
    prefix = ("customer_id,name\r\n" + body + "C2,").encode()
    path.write_bytes(prefix + b"\xff\r\n")
    with pytest.raises(RetainError, match=f"byte 0xFF at offset {len(prefix)} is not UTF-8"):
        rows_of(path)


def test_multiline_quoted_field_keeps_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        '客户编号,客户名称,备注\r\nC1,张三,"第一行\r\n第二行\r\n第三行"\r\n\r\nC2,李四,x\r\n',
        encoding="utf-8",
        newline="",
    )
    rows = rows_of(path)
    assert [r.row_no for r in rows] == [1, 2, 3, 4]  # Excel rows: a blank line is a row
    assert rows[1].cells[2] == "第一行\r\n第二行\r\n第三行"
    records, skipped, _ = records_of(path, "customers")
    assert [r.row_no for r in records] == [2, 4]
    assert skipped == 1


def test_short_rows_are_padded_and_unterminated_quote_fails(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [["客户编号", "备注", "客户名称"], ["C1", "x"]])
    records, _, _ = records_of(path, "customers")
    assert records[0].values == {"customer_id": "C1", "name": None}
    assert records[0].cells == ["C1", "x"]
    bad = tmp_path / "q.csv"
    bad.write_text('客户编号,客户名称\nC1,"open\n' + "x" * 100 + "\n", encoding="utf-8")
    rows = rows_of(bad)  # an unterminated quote ends at end of file, one row
    assert len(rows) == 2


def test_tsv(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "loans.tsv", [LOAN_HEADER, loan(1, "王, 五")], "gb18030", delimiter="\t"
    )
    records, _, _ = records_of(path)
    assert records[0].values["name"] == "王, 五"
    assert records[0].values["loan_id"] == "L001"


def test_xlsx_zip_given_as_csv_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "really.csv"
    Workbook().save(path)
    with pytest.raises(RetainError, match="--input-format xlsx"):
        rows_of(path)


# --- records ----------------------------------------------------------------


def test_missing_header_lists_missing_columns(tmp_path: Path) -> None:
    header = [h for h in LOAN_HEADER if h not in ("担保方式", "到期日期")]
    path = write_csv(tmp_path / "l.csv", [["台账"], header, ["L1"]])
    with pytest.raises(RetainError) as info:
        records_of(path)
    message = str(info.value)
    assert message.startswith(f"no header row found in {path}:")
    assert "matures_on (到期日期) or term_months (贷款期限)" in message
    assert "guarantee (担保方式)" in message
    assert "principal" not in message
    assert "row 2" in message


def test_header_must_be_within_first_50_rows(tmp_path: Path) -> None:
    rows = [[f"说明 {i}"] for i in range(50)] + [["客户编号", "客户名称"], ["C1", "张三"]]
    path = write_csv(tmp_path / "c.csv", rows)
    with pytest.raises(RetainError, match="the first 50 rows lack required column"):
        records_of(path, "customers")
    with pytest.raises(RetainError, match="has no rows"):
        records_of(write_csv(tmp_path / "e.csv", []), "customers")


def test_defaults_fill_missing_fields_and_skip_counter_is_live(tmp_path: Path) -> None:
    header = [h for h in LOAN_HEADER if h != "担保方式"]
    data = [row[:6] + row[7:] for row in (loan(1), loan(2))]
    path = write_csv(tmp_path / "l.csv", [header, data[0], [], header, data[1], ["合计"]])
    mapping = Mapping(defaults={"guarantee": "credit", "officer": "张经理", "segment": "x"})
    with open_rows(path, None) as rows:
        layout, records, skips = read_records(rows, "loans", mapping, source_name="l.csv")
        assert "guarantee" not in layout.field_index
        first = next(records)
        assert first.values["guarantee"] == "credit"
        assert first.values["officer"] == "张经理"  # a customer field, valid in a loans file
        assert skips.skipped == 0
        second = next(records)
        assert second.row_no == 5
        assert skips.blank == 1 and skips.repeated_headers == 1
        assert list(records) == []
        assert skips.skipped == 3 and skips.totals == 1
    customers, _, _ = records_of(
        write_csv(tmp_path / "c.csv", [["客户编号", "客户名称"], ["C1", "王"]]),
        "customers",
        Mapping(defaults={"principal": "1"}),
    )
    assert customers[0].values == {"customer_id": "C1", "name": "王"}  # loan default ignored


def test_rejects_file_reimports(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "c.rejects.csv",
        [["客户编号", "客户名称", "_row", "_field", "_reason"], ["C1", "王", "7", "name", "x"]],
        "utf-8-sig",
    )
    records, _, _ = records_of(path, "customers")
    assert records[0].values == {"customer_id": "C1", "name": "王"}
    assert records[0].cells[2:] == ["7", "name", "x"]


# --- XLSX -------------------------------------------------------------------


def make_workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "台账"
    ws["A1"] = "2026年1月 贷款台账"
    ws.merge_cells("A1:H1")
    # row 2 left empty
    for col, header in enumerate(LOAN_HEADER, 1):
        ws.cell(row=3, column=col, value=header)
    ws.append(["L001", "C001", "李䶮", 50000, dt.date(2026, 1, 5), dt.datetime(2027, 1, 5)])
    ws["G4"], ws["H4"] = "信用", "正常"
    # row 5 empty
    ws.append([])  # appends at row 5
    ws["A6"], ws["B6"], ws["C6"] = "L002", "C002", "刘😀"
    ws["D6"], ws["E6"], ws["F6"] = "１２３４５", 46027, 46392.0
    ws["G6"], ws["H6"] = "抵押", "正常"
    ws["A8"], ws["D8"] = "合计", 62345
    other = wb.create_sheet("说明")
    other["A1"] = "客户编号"
    other["B1"] = "客户名称"
    wb.active = 1  # the second sheet is active: still only the first is read
    wb.save(path)
    return path


def test_xlsx_merged_title_native_dates_and_true_row_numbers(
    tmp_path: Path, xlsx_reader: str
) -> None:
    path = make_workbook(tmp_path / "loans.xlsx")
    rows = rows_of(path)
    assert [r.row_no for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].cells == ["2026年1月 贷款台账"]  # merged cells: value in the first only
    assert rows[1].cells == []
    records, skipped, header_row = records_of(path)
    assert header_row == [3]
    assert [r.row_no for r in records] == [4, 6]
    first, second = records
    assert first.values["principal"] == 50000
    # openpyxl gives a date cell as a midnight date-time, calamine as a date:
    # the normaliser reads both as the day.
    day = dt.datetime if xlsx_reader == "openpyxl" else dt.date
    assert first.values["disbursed_on"] == day(2026, 1, 5)
    assert first.values["matures_on"] == day(2027, 1, 5)
    assert first.values["name"] == "李䶮"
    assert second.values["principal"] == "１２３４５"
    assert second.values["disbursed_on"] == 46027
    assert second.values["matures_on"] == 46392.0
    assert second.values["name"] == "刘😀"
    assert skipped == 3  # empty rows 5 and 7, total row 8


def test_xlsx_trailing_empty_cells_trimmed(tmp_path: Path, xlsx_reader: str) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["客户编号", "客户名称"])
    ws.append(["C1"])
    ws["F5"] = "far"
    wb.save(tmp_path / "c.xlsx")
    rows = rows_of(tmp_path / "c.xlsx")
    assert [r.cells for r in rows] == [
        ["客户编号", "客户名称"],
        ["C1"],
        [],
        [],
        [None, None, None, None, None, "far"],
    ]


def test_corrupt_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(RetainError, match=r"cannot read .*broken\.xlsx as XLSX"):
        rows_of(path)
    truncated = tmp_path / "truncated.xlsx"
    with zipfile.ZipFile(truncated, "w") as archive:
        archive.writestr("hello.txt", "no workbook here")
    with pytest.raises(RetainError, match="as XLSX"):
        rows_of(truncated)


# --- JSON -------------------------------------------------------------------


def test_json_array_union_of_keys(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    data = [
        {"customer_id": "C1", "name": "王", "vip": True},
        {"customer_id": "C2", "phone": 13800138000, "name": None},
    ]
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    rows = rows_of(path)
    assert rows[0] == SourceRow(1, ["customer_id", "name", "vip", "phone"])
    assert rows[1] == SourceRow(2, ["C1", "王", True, None])
    assert rows[2] == SourceRow(3, ["C2", None, None, 13800138000])
    records, _, _ = records_of(path, "customers")
    assert records[1].values == {"customer_id": "C2", "name": None, "phone": 13800138000}


def test_json_rows_object_and_large_streamed_file(tmp_path: Path) -> None:
    objects = [
        {"客户编号": f"C{i}", "客户名称": "张三" * (i % 7), "余额": i * 1.5} for i in range(5000)
    ]
    doc = {"exported_at": 12345678901234567890, "rows": objects, "count": 5000}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="gb18030")
    records, _, _ = records_of(path, "customers")
    assert len(records) == 5000
    assert records[4999].values == {"customer_id": "C4999", "name": "张三" * (4999 % 7)}
    assert records[4999].row_no == 5001
    assert records[4999].cells[2] == 4999 * 1.5


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[{"a": 1},\n {"a": 2\n ]', "line 3"),
        ("[1, 2]", "expected an object"),
        ('{"data": []}', '"rows"'),
        ('{"a": 1}\n{"a": 2}\n', "ndjson"),
        ('"text"', "expected a JSON array"),
    ],
)
def test_bad_json(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RetainError) as info:
        rows_of(path)  # fails on entry, before any row
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_json_error_line_far_into_the_file(tmp_path: Path) -> None:
    text = json.dumps([{"客户编号": f"C{i}", "客户名称": "王"} for i in range(20000)], indent=1)
    cut = text.index("},", len(text) // 2)
    path = tmp_path / "bad.json"
    path.write_text(text[:cut] + "}}" + text[cut + 1 :], encoding="utf-8")
    line = text[:cut].count("\n") + 1
    with pytest.raises(RetainError, match=f"at line {line}: expected ',' or ']'"):
        rows_of(path)


def test_empty_json_array(tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    path.write_text("[ ]", encoding="utf-8")
    assert rows_of(path) == []


def test_ndjson(tmp_path: Path) -> None:
    path = tmp_path / "c.ndjson"
    path.write_text(
        '{"客户编号": "C1", "客户名称": "王"}\n\n   \n{"客户编号": "C2", "手机号码": "138"}\n',
        encoding="utf-8",
    )
    rows = rows_of(path)
    assert rows[0].cells == ["客户编号", "客户名称", "手机号码"]
    assert [r.row_no for r in rows] == [1, 2, 3]
    assert rows[2].cells == ["C2", None, "138"]
    bad = tmp_path / "bad.ndjson"
    bad.write_text('{"a": 1}\n{"a": 2,}\n', encoding="utf-8")
    with pytest.raises(RetainError, match="line 2"):
        rows_of(bad)


# --- stdin ------------------------------------------------------------------


def fake_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_stdin_csv_gb18030(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "客户编号,客户名称\r\nC1,李䶮\r\n"
    fake_stdin(monkeypatch, text.encode("gb18030"))
    records, _, _ = records_of(None, "customers", input_format="csv")
    assert records[0].values == {"customer_id": "C1", "name": "李䶮"}


def test_stdin_xlsx(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, xlsx_reader: str) -> None:
    fake_stdin(monkeypatch, make_workbook(tmp_path / "l.xlsx").read_bytes())
    records, _, _ = records_of(None, input_format="xlsx")
    assert [r.row_no for r in records] == [4, 6]


def test_stdin_needs_input_format(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, b"a,b\n")
    with pytest.raises(UsageError, match="--input-format"), open_rows(None, None):
        pass


# --- round trips ------------------------------------------------------------

cell_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.lists(cell_text, min_size=1, max_size=4), min_size=1, max_size=5),
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_csv_cells_round_trip(tmp_path: Path, table: list[list[str]], encoding: str) -> None:
    # a fixed first column keeps the first byte from being a BOM and, for GB18030,
    # makes sure the file is not accidentally valid UTF-8; the encoding is given,
    # since short GB18030 text may also be valid Big5 (tests/test_encodings.py)
    rows = [["客户"] + cells for cells in table]
    path = write_csv(tmp_path / f"rt-{encoding}.csv", rows, encoding)
    with open_rows(path, None, encoding=encoding) as stream:
        read = list(stream)
    assert [r.cells for r in read] == rows
    assert [r.row_no for r in read] == list(range(1, len(rows) + 1))


def _lines(rows: Iterator[SourceRow]) -> int:
    return sum(1 for _ in rows)


def test_rows_stream_lazily(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [["客户编号", "客户名称"]] + [["C", "x"]] * 10)
    with open_rows(path, None) as rows:
        assert next(rows).row_no == 1
        assert _lines(rows) == 10


@pytest.mark.parametrize("size", [1, 3, 1000])
def test_batches_give_the_records_and_skips_that_iterating_gives(tmp_path: Path, size: int) -> None:
    """A CSV read a chunk at a time as columns (what ``import schedule`` reads):
    the same records, row numbers, values and skipped rows as one record at a
    time, whether a chunk is plainly data (taken as columns) or holds a blank,
    short, total or repeated-header row, or a loan id that could begin a total
    (row by row)."""
    from retain.importing.read import read_rows

    header = ["loan_id", "period", "due_on", "principal_due", "interest_due", "paid_on", "paid_amount"]  # fmt: skip
    rows = [
        ["note above the header"],
        header,
        ["L1", "1", "2026-01-10", "100", "5", "2026-01-10", "105"],
        ["L1", "2", "2026-02-10", "100", "5", "", ""],
        [],
        ["L2", "1", "2026-01-10", "100", "5"],  # short: padded
        ["合计", "", "", "300", "15", "", ""],
        header,
        ["T9", "1", "2026-03-10", "100", "5", "", ""],  # 'T' may begin "Total"
        ["Total", "", "", "", "", "", ""],
        ["  ", "", "", "", "", "", ""],
        [" L3", "1", "2026-03-10", "100", "5", "", "", "extra"],
        ["L4", "1", "2026-03-10", "100", "5", "", ""],
        ["L4", "2", "2026-04-10", "100", "5", "", ""],
    ]
    path = write_csv(tmp_path / "schedule.csv", rows)

    def read(
        by_batch: bool,
    ) -> tuple[list[tuple[int, list[object], dict[str, object]]], tuple[int, int, int, int]]:
        with open_rows(path, None) as source:
            _, reader, skips = read_rows(source, "schedule", Mapping.empty(), source_name="s")
            if by_batch:
                got = []
                for batch in reader.batches(size):
                    assert len(batch.cells) == len(batch)
                    for i in range(len(batch)):
                        record = batch.record(i)
                        assert record.row_no == batch.row_nos[i]
                        columns = {n: batch.column(n)[i] for n in header}
                        assert columns == {n: record.values.get(n) for n in header}
                        got.append((record.row_no, record.cells, record.values))
            else:
                got = [(r.row_no, r.cells, r.values) for r in reader]
            counts = (skips.skipped, skips.blank, skips.totals, skips.repeated_headers)
            return got, counts

    assert read(True) == read(False)
    records, counts = read(False)
    assert [r[0] for r in records] == [3, 4, 6, 9, 12, 13, 14]
    assert counts == (5, 2, 2, 1)
