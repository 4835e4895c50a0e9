"""``retain due``: the contract, rule by rule, through the real CLI on a real store."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from retain.cli import app
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, TODAY, Cli, Result, valid_id_number

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FIELDS = [
    "loan_id", "customer_id", "name", "phone", "officer", "industry", "guarantee", "status",
    "principal", "balance", "disbursed_on", "matures_on", "days_left",
]  # fmt: skip
FORMULA_NAME = "=cmd|' /C calc'!A0"
ID_C1 = valid_id_number("11010519491231002")
MACHINE_FORMATS = ("csv", "tsv", "json", "ndjson")


def load(
    cli: Cli,
    make_csv: Callable[..., Path],
    customers: Sequence[Sequence[object]],
    loans: Sequence[Sequence[object]],
    today: str | None = None,
) -> Cli:
    c = make_csv("book_customers.csv", [CUSTOMER_HEADER, *customers])
    lo = make_csv("book_loans.csv", [LOAN_HEADER, *loans])
    r = cli("import", "customers", str(c), today=today)
    assert r.exit_code == 0, r.stderr
    r = cli("import", "loans", str(lo), today=today)
    assert r.exit_code == 0, r.stderr
    return cli


def loan(
    loan_id: str,
    customer: str,
    principal: str,
    matures: str,
    guarantee: str = "信用",
    status: str = "正常",
    closed: str = "",
    balance: str = "",
    disbursed: str = "2025-06-01",
) -> list[object]:
    return [
        loan_id,
        customer,
        principal,
        disbursed,
        matures,
        guarantee,
        status,
        closed,
        balance,
        "",
    ]


def ids_of(result: Result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [row["loan_id"] for row in result.json()]


def parse_delimited(text: str, delimiter: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


def assert_one_error(result: Result, code: int) -> None:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert len(error_lines(result.stderr)) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


# ---------------------------------------------------------------------------
# A small loan book around 2026-12-01 (window 2026-12-01 … 2026-12-31).

BOOK_CUSTOMERS = [
    ["K1", "张三", "13800000001", "", "粮油", "王芳", ""],
    ["K2", "李四", "13900000002", "", "烟酒", "李强", ""],
    ["K3", "赵五", "15000000003", "", "粮油", "陈静", ""],
    ["K4", "钱六", "15100000004", "", "服装加工", "", ""],
]
BOOK_LOANS = [
    loan("A1", "K1", "100000", "2026-12-05", "信用"),
    loan("A2", "K2", "30000", "2026-12-03", "抵押"),
    loan("A3", "K3", "250000", "2026-12-20", "保证", "逾期", balance="250000"),
    loan("A4", "K4", "50000", "2026-12-10", "质押"),
    loan("A5", "K1", "49999.99", "2026-12-15", "抵押"),
    loan("A6", "K2", "80000", "2027-01-15", "信用"),
    loan("A7", "K3", "60000", "2026-12-08", "信用", "结清", closed="2026-11-20", balance="0"),
]
OFFICER = {"A1": "王芳", "A2": "李强", "A3": "陈静", "A4": None, "A5": "王芳"}


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    return load(cli, make_csv, BOOK_CUSTOMERS, BOOK_LOANS)


# ---------------------------------------------------------------------------
# The window


def test_window_is_inclusive_on_both_ends_and_soonest_first(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(
        cli,
        make_csv,
        [["C1", "王建国", "13812348001", "", "粮油", "王芳", ""]],
        [
            loan("PLUS11", "C1", "1000", "2026-12-12"),  # today + days + 1
            loan("PLUS10", "C1", "1000", "2026-12-11"),  # today + days
            loan("TODAY", "C1", "1000", "2026-12-01"),  # today
            loan("MINUS1", "C1", "1000", "2026-11-30", status="逾期"),  # today - 1
            loan("MID", "C1", "1000", "2026-12-05", status="逾期"),  # overdue counts
            loan("CLOSED", "C1", "1000", "2026-12-03", "信用", "结清", closed="2026-11-01"),
            loan("WRITTEN", "C1", "1000", "2026-12-04", "信用", "核销"),
        ],
    )
    result = cli("due", "--days", "10", "--format", "json")
    assert ids_of(result) == ["TODAY", "MID", "PLUS10"]
    assert [row["days_left"] for row in result.json()] == [0, 4, 10]


def test_default_window_is_30_days(book: Cli) -> None:
    # 2026-12-01 + 30 = 2026-12-31; A6 (2027-01-15) and closed A7 are out.
    assert ids_of(book("due", "--format", "json")) == ["A2", "A1", "A4", "A5", "A3"]
    assert ids_of(book("due", "--days", "0", "--format", "json")) == []
    assert ids_of(book("due", "--days", "3", "--format", "json")) == ["A2"]
    assert ids_of(book("due", "--days", "4", "--format", "json")) == ["A2", "A1"]


# ---------------------------------------------------------------------------
# Filters, sort, limit


def test_officer_filter(book: Cli) -> None:
    assert ids_of(book("due", "--officer", "王芳", "--format", "json")) == ["A1", "A5"]
    assert ids_of(book("due", "--officer", "无此人", "--format", "json")) == []


def test_industry_filter(book: Cli) -> None:
    assert ids_of(book("due", "--industry", "粮油", "--format", "json")) == ["A1", "A5", "A3"]


@pytest.mark.parametrize("value", ["mortgage", "抵押"])
def test_guarantee_filter_english_and_chinese(book: Cli, value: str) -> None:
    result = book("due", "--guarantee", value, "--format", "json")
    assert ids_of(result) == ["A2", "A5"]
    assert {row["guarantee"] for row in result.json()} == {"mortgage"}


def test_guarantee_filter_other_values(book: Cli) -> None:
    assert ids_of(book("due", "--guarantee", "pledge", "--format", "json")) == ["A4"]
    assert ids_of(book("due", "--guarantee", "保证", "--format", "json")) == ["A3"]


def test_unknown_guarantee_is_a_usage_error(book: Cli) -> None:
    result = book("due", "--guarantee", "collateral", "--format", "json")
    assert_one_error(result, 2)
    assert "collateral" in result.stderr


@pytest.mark.parametrize("value", ["5万", "50000", "50,000.00"])
def test_min_amount_in_yuan(book: Cli, value: str) -> None:
    # A5 is 49,999.99: one fen below the threshold.
    assert ids_of(book("due", "--min-amount", value, "--format", "json")) == ["A1", "A4", "A3"]


def test_bad_min_amount_is_a_usage_error(book: Cli) -> None:
    assert_one_error(book("due", "--min-amount", "lots", "--format", "json"), 2)


def test_sort_by_amount_largest_first(book: Cli) -> None:
    result = book("due", "--sort", "amount", "--format", "json")
    assert ids_of(result) == ["A3", "A1", "A4", "A5", "A2"]
    principals = [row["principal"] for row in result.json()]
    assert principals == sorted(principals, reverse=True)


def test_sort_by_officer(book: Cli) -> None:
    result = book("due", "--sort", "officer", "--format", "json")
    got = ids_of(result)
    assert [row["officer"] for row in result.json()] == [OFFICER[i] for i in got]
    named = sorted((OFFICER[i], i) for i in OFFICER if OFFICER[i] is not None)
    # Officers in order; within one officer soonest first; no officer last.
    assert got == ["A2", "A1", "A5", "A3", "A4"]
    assert got[:4] == [i for _, i in sorted(named, key=lambda p: (p[0], p[1]))]


def test_limit(book: Cli) -> None:
    assert ids_of(book("due", "--limit", "2", "--format", "json")) == ["A2", "A1"]
    lines = book("due", "--limit", "3", "--format", "ndjson").stdout.splitlines()
    assert [json.loads(line)["loan_id"] for line in lines] == ["A2", "A1", "A4"]
    rows = parse_delimited(book("due", "--limit", "1", "--format", "csv").stdout, ",")
    assert [row["loan_id"] for row in rows] == ["A2"]


def test_filters_combine(book: Cli) -> None:
    result = book(
        "due", "--industry", "粮油", "--min-amount", "10万", "--sort", "amount", "--format", "json"
    )
    assert ids_of(result) == ["A3", "A1"]


# ---------------------------------------------------------------------------
# JSON / NDJSON


def test_json_fields_exact_and_in_order(seeded: Cli) -> None:
    result = seeded("due", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout, object_pairs_hook=list)
    assert rows, "seeded store has loans due"
    for pairs in rows:
        assert [key for key, _ in pairs] == [*FIELDS, "data_as_of"]
    first = dict(rows[0])
    assert first == {
        "loan_id": "L1",
        "customer_id": "C1",
        "name": "王建国",
        "phone": "138****8001",
        "officer": "王芳",
        "industry": "粮油",
        "guarantee": "credit",
        "status": "active",
        "principal": 100000.0,
        "balance": 40000.0,
        "disbursed_on": "2025-12-01",
        "matures_on": "2026-12-01",
        "days_left": 0,
        "data_as_of": "2026-12-01",
    }
    assert isinstance(first["days_left"], int)
    assert isinstance(first["principal"], float)


def test_json_amounts_keep_two_decimals_and_null_balance(seeded: Cli) -> None:
    text = seeded("due", "--format", "json").stdout
    assert '"principal": 100000.00' in text
    assert '"balance": 40000.00' in text
    assert '"principal": 50000.00' in text
    rows = json.loads(text)
    l2 = next(row for row in rows if row["loan_id"] == "L2")
    assert l2["balance"] is None
    assert re.search(r'"balance": null', text)
    for row in rows:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["disbursed_on"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["matures_on"])


def test_json_fen_amounts(book: Cli) -> None:
    text = book("due", "--officer", "王芳", "--format", "json").stdout
    assert '"principal": 49999.99' in text
    assert '"principal": 100000.00' in text


def test_ndjson_one_object_per_line_same_fields(seeded: Cli) -> None:
    result = seeded("due", "--format", "ndjson")
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert [k for k, _ in json.loads(line, object_pairs_hook=list)] == [*FIELDS, "data_as_of"]
    assert '"principal": 100000.00' in lines[0]
    assert json.loads(lines[1])["balance"] is None
    assert [json.loads(line) for line in lines] == seeded("due", "--format", "json").json()


def test_json_empty_list_is_valid(book: Cli) -> None:
    result = book("due", "--days", "0", "--format", "json")
    assert result.exit_code == 0
    assert result.json() == []
    assert book("due", "--days", "0", "--format", "ndjson").stdout == ""


# ---------------------------------------------------------------------------
# ids


def test_ids_each_customer_once_in_list_order(book: Cli) -> None:
    # Maturity order: A2(K2) A1(K1) A4(K4) A5(K1) A3(K3) → K2 K1 K4 K3
    assert book("due", "--format", "ids").stdout == "K2\nK1\nK4\nK3\n"
    # Amount order: A3(K3) A1(K1) A4(K4) A5(K1) A2(K2) → K3 K1 K4 K2
    assert book("due", "--sort", "amount", "--format", "ids").stdout == "K3\nK1\nK4\nK2\n"


# ---------------------------------------------------------------------------
# auto, tables


def test_auto_is_tsv_when_not_a_terminal(seeded: Cli) -> None:
    for args in (("due",), ("due", "--format", "auto")):
        result = seeded(*args, env={"RETAIN_TTY": "0"})
        assert result.exit_code == 0
        assert result.stdout.splitlines()[0] == "\t".join(FIELDS)
        rows = parse_delimited(result.stdout, "\t")
        assert [row["loan_id"] for row in rows] == ["L1", "L2"]


def test_auto_is_a_table_on_a_terminal(seeded: Cli) -> None:
    result = seeded("due", env={"RETAIN_TTY": "1"})
    assert result.exit_code == 0
    text = ANSI.sub("", result.stdout)
    assert "Loans maturing 2026-12-01 – 2026-12-31" in text
    assert "\t" not in text
    assert "loan_id" not in text


def table_rows(text: str, loan_ids: str = r"[A-Z]+\d+") -> list[str]:
    """The body lines of a table: those naming a loan id (whatever the box style)."""
    pattern = re.compile(rf"(?<![\w*])(?:{loan_ids})(?!\w)")
    return [line for line in ANSI.sub("", text).splitlines() if pattern.search(line)]


def display_span(line: str, text: str) -> tuple[int, int]:
    """Start and end terminal column of ``text`` in ``line`` (CJK is two columns wide)."""
    index = line.index(text)
    start = cell_len(line[:index])
    return start, start + cell_len(text)


def test_table_english(seeded: Cli) -> None:
    result = seeded("due", "--format", "table")
    assert result.exit_code == 0
    text = result.stdout
    assert text.splitlines()[0].strip() == "Loans maturing 2026-12-01 – 2026-12-31 (30 days)"
    assert "王建国" in text
    assert "100,000.00" in text and "50,000.00" in text
    assert "100000.00" not in text
    summary = [line for line in text.splitlines() if "principal" in line and "loans" in line]
    assert summary == ["2 loans, principal 150,000.00 yuan"]


def test_table_chinese_title_and_labels(seeded: Cli) -> None:
    result = seeded("--lang", "zh", "due", "--format", "table")
    assert result.exit_code == 0
    text = result.stdout
    title = text.splitlines()[0]
    assert "到期" in title and "2026-12-01" in title
    assert "Loans maturing" not in text
    assert "王建国" in text and "䶮记" not in text  # C3's loan is outside the window
    assert "贷款金额" in text
    assert "信用" in text and "正常" in text
    assert "共 2 笔" in text and "150,000.00" in text


def test_table_amounts_right_aligned(seeded: Cli) -> None:
    rows = table_rows(seeded("due", "--format", "table").stdout, "L1|L2")
    assert len(rows) == 2
    l1_start, l1_end = display_span(rows[0], "100,000.00")
    l2_start, l2_end = display_span(rows[1], "50,000.00")
    # Right-aligned: both amounts end in the same column; the shorter one starts later.
    assert l1_end == l2_end
    assert l2_start == l1_start + 1
    assert "王建国" in rows[0]


def test_table_on_80_column_terminal_keeps_key_cells_whole(seeded: Cli) -> None:
    env = {"RETAIN_TTY": "1", "COLUMNS": "80", "NO_COLOR": "1"}
    result = seeded("due", env=env)
    assert result.exit_code == 0
    text = ANSI.sub("", result.stdout)
    for needle in ("L1", "L2", "2026-12-01", "2026-12-31", "100,000.00", "50,000.00", "王建国"):
        assert needle in text, needle
    assert "…" not in text


def test_table_lists_shows_more_note_with_limit(book: Cli) -> None:
    result = book("due", "--format", "table", "--limit", "2")
    rows = table_rows(result.stdout, r"A\d")
    assert len(rows) == 2
    assert "A2" in rows[0] and "A1" in rows[1]
    assert "3 more not shown" in result.stdout


def test_table_on_terminal_defaults_to_200_rows(cli: Cli, make_csv: Callable[..., Path]) -> None:
    start = dt.date(2026, 12, 1)
    loans = [
        loan(f"B{n:03d}", "C1", "1000", (start + dt.timedelta(days=n % 30)).isoformat())
        for n in range(205)
    ]
    load(cli, make_csv, [["C1", "王建国", "13812348001", "", "粮油", "王芳", ""]], loans)
    result = cli("due", env={"RETAIN_TTY": "1"})
    assert result.exit_code == 0
    text = ANSI.sub("", result.stdout)
    shown = table_rows(text, r"B\d{3}")
    assert len(shown) == 200
    assert "B000" in shown[0]
    assert "5 more not shown" in text
    # Machine formats are not limited by default.
    assert len(cli("due", "--format", "json").json()) == 205
    assert len(cli("due", "--format", "csv").stdout.splitlines()) == 206


def test_empty_table_says_so(book: Cli) -> None:
    result = book("due", "--days", "0", "--format", "table")
    assert result.exit_code == 0
    assert "No loans mature in the next 0 days." in result.stdout


# ---------------------------------------------------------------------------
# Privacy


ALL_FORMATS = ("table", "csv", "tsv", "json", "ndjson", "ids")


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_phones_masked_by_default(seeded: Cli, fmt: str) -> None:
    result = seeded("due", "--format", fmt)
    assert result.exit_code == 0
    assert "13812348001" not in result.stdout
    assert "13912348002" not in result.stdout
    if fmt != "ids":
        assert "138****8001" in result.stdout
        assert "139****8002" in result.stdout


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_reveal_shows_full_phones(seeded: Cli, fmt: str) -> None:
    result = seeded("due", "--reveal", "--format", fmt)
    assert result.exit_code == 0
    if fmt != "ids":
        assert "13812348001" in result.stdout
        assert "138****8001" not in result.stdout


@pytest.mark.parametrize("reveal", [(), ("--reveal",)])
@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_id_number_never_shown(seeded: Cli, fmt: str, reveal: tuple[str, ...], lang: str) -> None:
    (stored,) = seeded.sql("SELECT id_number FROM customers WHERE customer_id='C1'")[0]
    assert stored == ID_C1  # the store does hold it
    result = seeded("--lang", lang, "due", "--format", fmt, *reveal)
    assert result.exit_code == 0
    out = result.stdout + result.stderr
    assert ID_C1 not in out
    assert ID_C1[:3] + "*" * 11 + ID_C1[-4:] not in out  # not even masked
    assert "id_number" not in out


# ---------------------------------------------------------------------------
# CSV / TSV


def test_csv_is_rfc4180_and_round_trips(cli: Cli, make_csv: Callable[..., Path]) -> None:
    tricky = 'Wang "Boss", Ltd'
    load(
        cli,
        make_csv,
        [
            ["C1", tricky, "13812348001", "", "粮油, 杂货", "王芳", ""],
            ["C2", "䶮记", "13912348002", "", "烟酒", "李强", ""],
        ],
        [loan("L1", "C1", "100000", "2026-12-02"), loan("L2", "C2", "2,000.5", "2026-12-03")],
    )
    runner = CliRunner()
    raw = runner.invoke(
        app,
        ["--db", str(cli.db), "--today", TODAY, "due", "--format", "csv"],
        env={"RETAIN_TTY": "0", "RETAIN_LANG": "en"},
        catch_exceptions=False,
    )
    data = raw.stdout_bytes.decode("utf-8")
    assert data.endswith("\r\n")
    assert data.count("\r\n") == 3 and "\n" not in data.replace("\r\n", "")
    assert '"Wang ""Boss"", Ltd"' in data
    rows = parse_delimited(data, ",")
    assert list(rows[0]) == FIELDS
    assert rows[0]["name"] == tricky
    assert rows[0]["industry"] == "粮油, 杂货"
    assert rows[0]["principal"] == "100000.00"
    assert rows[1]["principal"] == "2000.50"
    assert rows[1]["balance"] == ""
    assert rows[1]["name"] == "䶮记"


def test_tsv_round_trips(seeded: Cli) -> None:
    rows = parse_delimited(seeded("due", "--format", "tsv").stdout, "\t")
    assert [row["loan_id"] for row in rows] == ["L1", "L2"]
    assert rows[0]["name"] == "王建国"
    assert rows[0]["principal"] == "100000.00"
    assert rows[0]["days_left"] == "0"


IMPORTABLE_STARTS = ["=", "+", "-", "@", "＝", "＋", "－", "＠"]
STORE_ONLY_STARTS = ["\t", "\r", "\n"]  # the importer trims/rejects these


@pytest.fixture
def formula_book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    customers = [
        [f"F{i}", f"{start}SUM(A1)", f"138000000{i:02d}", "", f"{start}行业", f"{start}经理", ""]
        for i, start in enumerate(IMPORTABLE_STARTS)
    ]
    customers.append(["SAFE", "普通客户", "13800000099", "", "粮油", "王芳", ""])
    customers += [
        [f"S{i}", f"placeholder{i}", f"139000000{i:02d}", "", "粮油", "王芳", ""]
        for i in range(len(STORE_ONLY_STARTS))
    ]
    loans = [loan(f"LF{i}", f"F{i}", "1000", "2026-12-02") for i in range(len(IMPORTABLE_STARTS))]
    loans.append(loan("LSAFE", "SAFE", "1000", "2026-12-02"))
    loans += [loan(f"LS{i}", f"S{i}", "1000", "2026-12-02") for i in range(len(STORE_ONLY_STARTS))]
    load(cli, make_csv, customers, loans)
    # TAB/CR/LF cannot come in through an import; put them in the real store directly
    # (an older retain or another tool may have written them).
    with cli.connect() as conn:
        for i, start in enumerate(STORE_ONLY_STARTS):
            conn.execute(
                "UPDATE customers SET name = ?, industry = ?, officer = ? WHERE customer_id = ?",
                (f"{start}SUM(A1)", f"{start}行业", f"{start}经理", f"S{i}"),
            )
    conn.close()
    return cli


def expected_starts() -> dict[str, str]:
    out = {f"LF{i}": s for i, s in enumerate(IMPORTABLE_STARTS)}
    out.update({f"LS{i}": s for i, s in enumerate(STORE_ONLY_STARTS)})
    return out


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_formula_cells_are_neutralised(formula_book: Cli, fmt: str, delimiter: str) -> None:
    result = formula_book("due", "--format", fmt)
    assert result.exit_code == 0
    rows = {row["loan_id"]: row for row in parse_delimited(result.stdout, delimiter)}
    for loan_id, start in expected_starts().items():
        row = rows[loan_id]
        assert row["name"] == f"'{start}SUM(A1)", (loan_id, row["name"])
        assert row["industry"] == f"'{start}行业"
        # Officer names are stored NFKC-normalised (matched so by `handover`):
        # a full-width ＝ arrives as =, and is neutralised all the same.
        assert row["officer"] == f"'{unicodedata.normalize('NFKC', start)}经理"
        assert row["principal"] == "1000.00"
    safe = rows["LSAFE"]
    assert safe["name"] == "普通客户" and safe["industry"] == "粮油"
    for row in rows.values():
        for key in ("principal", "days_left", "matures_on", "disbursed_on"):
            assert not row[key].startswith("'")
        assert not row["phone"].startswith("'")


def test_seeded_formula_name_prefixed_in_csv_verbatim_in_json(seeded: Cli) -> None:
    rows = parse_delimited(seeded("due", "--format", "csv").stdout, ",")
    l2 = next(row for row in rows if row["loan_id"] == "L2")
    assert l2["name"] == "'" + FORMULA_NAME
    assert l2["principal"] == "50000.00"
    tsv = parse_delimited(seeded("due", "--format", "tsv").stdout, "\t")
    assert next(r for r in tsv if r["loan_id"] == "L2")["name"] == "'" + FORMULA_NAME
    for fmt in ("json", "ndjson"):
        text = seeded("due", "--format", fmt).stdout
        objects = json.loads(text) if fmt == "json" else [json.loads(x) for x in text.splitlines()]
        by_id = {row["loan_id"]: row for row in objects}
        assert by_id["L2"]["name"] == FORMULA_NAME


def test_formula_text_verbatim_in_json(formula_book: Cli) -> None:
    rows = {row["loan_id"]: row for row in formula_book("due", "--format", "json").json()}
    for loan_id, start in expected_starts().items():
        assert rows[loan_id]["name"] == f"{start}SUM(A1)"
        # Officer names are stored NFKC-normalised (a full-width ＝ arrives as =).
        assert rows[loan_id]["officer"] == f"{unicodedata.normalize('NFKC', start)}经理"


# ---------------------------------------------------------------------------
# Colour


@pytest.mark.parametrize("fmt", ["auto", "table", *MACHINE_FORMATS, "ids"])
def test_no_ansi_when_not_a_terminal(seeded: Cli, fmt: str) -> None:
    result = seeded("due", "--format", fmt, env={"RETAIN_TTY": "0"})
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    assert "\x1b" not in result.stderr


def test_no_ansi_when_not_a_terminal_even_with_force_color(seeded: Cli) -> None:
    result = seeded("due", "--format", "table", env={"RETAIN_TTY": "0", "FORCE_COLOR": "1"})
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout


def test_terminal_table_without_no_color_is_styled(seeded: Cli) -> None:
    # Sanity check for the NO_COLOR test below: on a terminal Rich does style.
    env = {"RETAIN_TTY": "1", "TERM": "xterm-256color"}
    result = seeded("due", "--format", "table", env=env)
    assert "\x1b[" in result.stdout


def test_no_color_means_no_ansi_on_a_terminal(seeded: Cli) -> None:
    env = {"RETAIN_TTY": "1", "NO_COLOR": "1", "TERM": "xterm-256color"}
    result = seeded("due", "--format", "table", env=env)
    assert result.exit_code == 0
    assert "王建国" in result.stdout
    assert "\x1b" not in result.stdout


# ---------------------------------------------------------------------------
# --today


@pytest.fixture
def relative_book(cli: Cli, make_csv: Callable[..., Path]) -> tuple[Cli, dt.date]:
    """Loans maturing on real today - 7 … today + 3: relative --today is relative to now."""
    now = dt.date.today()
    loans = [
        loan(
            f"D{offset:+d}".replace("+", "P").replace("-", "M"),
            "C1",
            "1000",
            (now + dt.timedelta(days=offset)).isoformat(),
            status="逾期" if offset < 0 else "正常",
            disbursed=(now - dt.timedelta(days=400)).isoformat(),
        )
        for offset in (-7, -1, 0, 1, 2, 3)
    ]
    customers = [["C1", "王建国", "13812348001", "", "粮油", "王芳", ""]]
    load(cli, make_csv, customers, loans, today=now.isoformat())
    return cli, now


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("tomorrow", ["DP1"]),
        ("+3d", ["DP3"]),
        ("-1w", ["DM7"]),
        ("yesterday", ["DM1"]),
        ("today", ["DP0"]),
    ],
)
def test_relative_today_moves_the_window(
    relative_book: tuple[Cli, dt.date], today: str, expected: list[str]
) -> None:
    cli, _ = relative_book
    result = cli("due", "--days", "0", "--format", "json", today=today)
    assert ids_of(result) == expected


def test_relative_today_days_left(relative_book: tuple[Cli, dt.date]) -> None:
    cli, _ = relative_book
    result = cli("due", "--days", "2", "--format", "json", today="tomorrow")
    assert [(r["loan_id"], r["days_left"]) for r in result.json()] == [
        ("DP1", 0),
        ("DP2", 1),
        ("DP3", 2),
    ]


def invoke_without_today(cli: Cli, *args: str, env: dict[str, str]) -> Result:
    base = {"RETAIN_TTY": "0", "COLUMNS": "200", "RETAIN_LANG": "en"}
    base.update(env)
    result = cli.runner.invoke(app, ["--db", str(cli.db), *args], env=base, catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def test_retain_today_env(book: Cli) -> None:
    result = invoke_without_today(
        book, "due", "--days", "3", "--format", "json", env={"RETAIN_TODAY": "2026-12-01"}
    )
    assert ids_of(result) == ["A2"]
    result = invoke_without_today(
        book, "due", "--days", "0", "--format", "json", env={"RETAIN_TODAY": "2026-12-20"}
    )
    assert ids_of(result) == ["A3"]


def test_today_option_beats_env(book: Cli) -> None:
    result = invoke_without_today(
        book,
        "--today",
        "2026-12-05",
        "due",
        "--days",
        "0",
        "--format",
        "json",
        env={"RETAIN_TODAY": "2026-12-20"},
    )
    assert ids_of(result) == ["A1"]


@pytest.mark.parametrize("bad", ["garbage", "2026-13-01", "+3x", "2026/12/01x"])
def test_bad_today_is_a_usage_error(book: Cli, bad: str) -> None:
    result = book("due", "--format", "json", today=bad)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert result.stdout == ""


def test_bad_retain_today_env_is_a_usage_error(book: Cli) -> None:
    result = invoke_without_today(book, "due", env={"RETAIN_TODAY": "someday"})
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
