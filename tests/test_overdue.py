"""``retain overdue``: the contract, rule by rule, through the real CLI on a real store.

Today is 2026-12-01 throughout (the ``cli`` fixture's --today).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, Result

FIELDS = [
    "loan_id", "customer_id", "name", "phone", "officer", "guarantee", "status", "principal",
    "balance", "matures_on", "days_past_due", "class", "customer_class", "last_contact",
    "guarantors",
    "promise_amount", "promise_on", "promise_status",
]  # fmt: skip
EN = ["normal", "special mention", "substandard", "doubtful", "loss"]
ZH = ["正常", "关注", "次级", "可疑", "损失"]


def load(
    cli: Cli,
    make_csv: Callable[..., Path],
    customers: Sequence[Sequence[object]],
    loans: Sequence[Sequence[object]],
) -> Cli:
    c = make_csv("ov_customers.csv", [CUSTOMER_HEADER, *customers])
    lo = make_csv("ov_loans.csv", [LOAN_HEADER, *loans])
    r = cli("import", "customers", str(c))
    assert r.exit_code == 0, r.stderr
    r = cli("import", "loans", str(lo))
    assert r.exit_code == 0, r.stderr
    return cli


def loan(
    loan_id: str,
    customer: str,
    matures: str,
    *,
    dpd: object = "",
    status: str = "正常",
    principal: str = "10000",
    balance: str = "5000",
    closed: str = "",
    disbursed: str = "2025-01-01",
) -> list[object]:
    return [loan_id, customer, principal, disbursed, matures, "信用", status, closed, balance, dpd]


def person(customer_id: str, officer: str = "王芳", phone: str = "") -> list[object]:
    phone = phone or f"1380000{int(customer_id[1:]):04d}"
    return [customer_id, f"客户{customer_id}", phone, "", "粮油", officer, ""]


def rows_of(result: Result) -> list[dict[str, object]]:
    assert result.exit_code == 0, result.stderr
    rows = result.json()
    assert isinstance(rows, list)
    return rows


def by_id(result: Result) -> dict[str, dict[str, object]]:
    return {str(row["loan_id"]): row for row in rows_of(result)}


def ids(result: Result) -> list[str]:
    return [str(row["loan_id"]) for row in rows_of(result)]


# ---------------------------------------------------------------------------
# Days past due


def test_imported_days_past_due_win_over_the_computed_ones(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    # Matured 2026-11-01 (30 days ago) but the loan system says 5 days.
    load(cli, make_csv, [person("C1")], [loan("L1", "C1", "2026-11-01", dpd=5, status="逾期")])
    assert by_id(cli("overdue", "--format", "json"))["L1"]["days_past_due"] == 5


def test_days_past_due_computed_from_maturity_when_not_imported(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(
        cli,
        make_csv,
        [person("C1")],
        [
            loan("PAST", "C1", "2026-11-21"),  # active, matured 10 days ago, no dpd
            loan("TODAY", "C1", "2026-12-01"),  # matures today: not past due
            loan("FUTURE", "C1", "2027-01-01"),  # active and not yet due: not listed
            loan("FLAGGED", "C1", "2027-01-01", status="逾期"),  # imported as overdue: 0 days
        ],
    )
    rows = by_id(cli("overdue", "--format", "json"))
    assert set(rows) == {"PAST", "FLAGGED"}
    assert rows["PAST"]["days_past_due"] == 10
    assert rows["PAST"]["status"] == "active"
    assert rows["FLAGGED"]["days_past_due"] == 0
    assert rows["FLAGGED"]["class"] == "normal"


def test_an_active_loan_with_imported_days_is_listed_before_maturity(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(cli, make_csv, [person("C1")], [loan("L1", "C1", "2027-06-01", dpd=12)])
    assert by_id(cli("overdue", "--format", "json"))["L1"]["days_past_due"] == 12


def test_closed_and_written_off_loans_are_off_the_book(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(
        cli,
        make_csv,
        [person("C1"), person("C2")],
        [
            loan("OPEN", "C1", "2026-11-01", dpd=30, status="逾期", balance="1000"),
            loan("CLOSED", "C1", "2026-10-01", dpd=40, status="结清", closed="2026-11-15"),
            loan("WRITTEN", "C2", "2025-06-01", dpd=400, status="核销", balance="9000"),
        ],
    )
    assert ids(cli("overdue", "--format", "json")) == ["OPEN"]
    summary = cli("overdue", "--summary", "--format", "json").json()
    assert summary["total_count"] == 1
    assert summary["total_balance"] == 1000.0
    # The written-off loan's 400 days would be "loss"; and C1 stays special mention.
    assert {c["class"]: c["count"] for c in summary["classes"]}["loss"] == 0
    assert by_id(cli("overdue", "--format", "json"))["OPEN"]["customer_class"] == "special mention"


# ---------------------------------------------------------------------------
# Classes

BOUNDARIES = [(0, 0), (1, 1), (90, 1), (91, 2), (180, 2), (181, 3), (360, 3), (361, 4)]


@pytest.fixture
def boundary_book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    """One overdue loan per boundary day count, each with its own borrower."""
    customers = [person(f"C{days}") for days, _ in BOUNDARIES]
    loans = [
        loan(f"D{days:03d}", f"C{days}", "2026-06-01", dpd=days, status="逾期")
        for days, _ in BOUNDARIES
    ]
    return load(cli, make_csv, customers, loans)


@pytest.mark.parametrize(("lang", "names"), [("en", EN), ("zh", ZH)])
def test_class_boundaries_and_names_follow_lang(
    boundary_book: Cli, lang: str, names: list[str]
) -> None:
    rows = by_id(boundary_book("--lang", lang, "overdue", "--format", "json"))
    for days, rank in BOUNDARIES:
        row = rows[f"D{days:03d}"]
        assert row["days_past_due"] == days
        assert row["class"] == names[rank], days
        assert row["customer_class"] == names[rank], days


def test_sorted_by_days_past_due_descending_then_loan_id(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(
        cli,
        make_csv,
        [person("C1")],
        [
            loan("B", "C1", "2026-06-01", dpd=5, status="逾期"),
            loan("A", "C1", "2026-06-01", dpd=5, status="逾期"),
            loan("C", "C1", "2026-06-01", dpd=200, status="逾期"),
            loan("D", "C1", "2026-11-30"),  # computed: 1 day
        ],
    )
    assert ids(cli("overdue", "--format", "json")) == ["C", "A", "B", "D"]


@pytest.mark.parametrize("name", ["次级", "substandard", "Substandard"])
def test_class_filter_takes_either_name(boundary_book: Cli, name: str) -> None:
    for lang in ("en", "zh"):
        result = boundary_book("--lang", lang, "overdue", "--class", name, "--format", "json")
        assert ids(result) == ["D180", "D091"]


def test_class_filter_open_ended_last_class(boundary_book: Cli) -> None:
    assert ids(boundary_book("overdue", "--class", "损失", "--format", "json")) == ["D361"]


def test_unknown_class_is_a_usage_error_naming_the_classes(boundary_book: Cli) -> None:
    result = boundary_book("overdue", "--class", "bad", "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert "次级/substandard" in result.stderr


def test_customer_class_is_the_borrowers_worst_open_loan(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    load(
        cli,
        make_csv,
        [person("C1"), person("C2")],
        [
            loan("MILD", "C1", "2026-06-01", dpd=10, status="逾期"),
            loan("SEVERE", "C1", "2026-06-01", dpd=200, status="逾期"),
            loan("CURRENT", "C1", "2027-06-01"),  # open, not due: class normal, not listed
            loan("OLD", "C2", "2025-06-01", dpd=500, status="结清", closed="2026-01-01"),
            loan("NOW", "C2", "2026-06-01", dpd=3, status="逾期"),
        ],
    )
    rows = by_id(cli("overdue", "--format", "json"))
    assert rows["MILD"]["class"] == "special mention"
    assert rows["MILD"]["customer_class"] == "doubtful"
    assert rows["SEVERE"]["customer_class"] == "doubtful"
    # A closed loan's past days do not count: C2 is only special mention now.
    assert rows["NOW"]["customer_class"] == "special mention"
    # Filters narrow the list, not the borrower's class.
    filtered = by_id(cli("--lang", "zh", "overdue", "--class", "关注", "--format", "json"))
    assert filtered["MILD"]["customer_class"] == "可疑"
    assert "SEVERE" not in filtered


def test_min_days(boundary_book: Cli) -> None:
    assert ids(boundary_book("overdue", "--min-days", "91", "--format", "json")) == [
        "D361", "D360", "D181", "D180", "D091",
    ]  # fmt: skip
    assert ids(boundary_book("overdue", "--min-days", "361", "--format", "json")) == ["D361"]
    assert ids(boundary_book("overdue", "--min-days", "362", "--format", "json")) == []
    assert len(ids(boundary_book("overdue", "--min-days", "0", "--format", "json"))) == 8


def test_negative_min_days_is_a_usage_error(boundary_book: Cli) -> None:
    assert boundary_book("overdue", "--min-days", "-1").exit_code == 2


def test_officer_and_limit(cli: Cli, make_csv: Callable[..., Path]) -> None:
    load(
        cli,
        make_csv,
        [person("C1", "王芳"), person("C2", "李强")],
        [
            loan("A", "C1", "2026-06-01", dpd=50, status="逾期"),
            loan("B", "C2", "2026-06-01", dpd=40, status="逾期"),
            loan("C", "C1", "2026-06-01", dpd=30, status="逾期"),
        ],
    )
    assert ids(cli("overdue", "--officer", "王芳", "--format", "json")) == ["A", "C"]
    assert ids(cli("overdue", "--limit", "2", "--format", "json")) == ["A", "B"]


# ---------------------------------------------------------------------------
# Summary: the open book by class, PAR30 and PAR90


@pytest.fixture
def par_book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    """An open book of 1,000,000.00 yuan; by hand:

    PAR30 = loans > 30 days: B 100,000 + D 150,000 + E 100,000 (its principal:
    no balance) = 350,000 → 0.35. PAR90 = loans > 90 days: D 150,000 → 0.15.
    C at exactly 30 days and E at exactly 90 days are not "more than".
    """
    return load(
        cli,
        make_csv,
        [person("C1", "王芳"), person("C2", "李强"), person("C3", "王芳")],
        [
            loan("A", "C1", "2027-06-01", principal="700000", balance="600000"),
            loan("B", "C2", "2026-06-01", dpd=31, status="逾期", balance="100000"),
            loan("C", "C3", "2026-06-01", dpd=30, status="逾期", balance="50000"),
            loan("D", "C1", "2026-06-01", dpd=91, status="逾期", balance="150000"),
            loan("E", "C3", "2026-09-02", principal="100000", balance=""),  # computed 90 days
            loan("Z", "C3", "2026-01-01", status="结清", closed="2026-02-01", balance="0"),
        ],
    )


def test_summary_json_par_by_hand(par_book: Cli) -> None:
    result = par_book("overdue", "--summary", "--format", "json")
    assert result.exit_code == 0, result.stderr
    summary = result.json()
    assert summary["par30"] == 0.35
    assert summary["par90"] == 0.15
    assert summary["total_balance"] == 1_000_000.0
    assert summary["total_count"] == 5
    assert summary["par30_balance"] == 350_000.0
    assert summary["par90_balance"] == 150_000.0
    assert [(c["class"], c["count"], c["balance"]) for c in summary["classes"]] == [
        ("normal", 1, 600_000.0),
        ("special mention", 3, 250_000.0),
        ("substandard", 1, 150_000.0),
        ("doubtful", 0, 0.0),
        ("loss", 0, 0.0),
    ]
    assert "÷" in summary["definition"] and "principal" in summary["definition"]
    assert '"total_balance": 1000000.00' in result.stdout


def test_summary_in_a_pipe_is_json_and_ndjson_is_one_line(par_book: Cli) -> None:
    assert par_book("overdue", "--summary").json()["par30"] == 0.35
    lines = par_book("overdue", "--summary", "--format", "ndjson").stdout.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == par_book("overdue", "--summary", "--format", "json").json()


@pytest.mark.parametrize("fmt", ["csv", "tsv", "ids"])
def test_summary_refuses_row_formats(par_book: Cli, fmt: str) -> None:
    result = par_book("overdue", "--summary", "--format", fmt)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")


def test_summary_officer_narrows_the_book(par_book: Cli) -> None:
    # 王芳: A 600,000 (0 days), D 150,000 (91), C 50,000 (30), E 100,000 (90) = 900,000.
    summary = par_book("overdue", "--summary", "--officer", "王芳", "--format", "json").json()
    assert summary["officer"] == "王芳"
    assert summary["total_balance"] == 900_000.0
    assert summary["par30"] == round(250_000 / 900_000, 4)
    assert summary["par90"] == round(150_000 / 900_000, 4)


def test_summary_of_an_empty_book(cli: Cli, make_csv: Callable[..., Path]) -> None:
    load(cli, make_csv, [person("C1")], [])
    summary = cli("overdue", "--summary", "--format", "json").json()
    assert summary["total_count"] == 0
    assert summary["par30"] is None and summary["par90"] is None


def test_table_shows_the_list_then_the_book_with_par_definitions(par_book: Cli) -> None:
    result = par_book("overdue", "--format", "table")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.splitlines()[0].strip() == "Overdue loans on 2026-12-01"
    assert "4 overdue loans, outstanding 400,000.00 yuan" in text
    assert "Open loans by class on 2026-12-01" in text
    assert (
        "PAR30 = balance of loans more than 30 days past due ÷ balance of all open loans"
        " = 350,000.00 ÷ 1,000,000.00 = 35.00%"
    ) in text
    assert "= 150,000.00 ÷ 1,000,000.00 = 15.00%" in text
    assert "or its principal where the store has no balance" in text


def test_table_chinese(par_book: Cli) -> None:
    result = par_book("--lang", "zh", "overdue", "--format", "table")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "2026-12-01 逾期贷款" in text
    assert (
        "PAR30 = 逾期30天以上贷款余额 ÷ 全部在贷余额 = 350,000.00 ÷ 1,000,000.00 = 35.00%" in text
    )
    assert "次级" in text and "关注" in text
    assert "substandard" not in text


def test_summary_only_table(par_book: Cli) -> None:
    result = par_book("overdue", "--summary", "--format", "table")
    assert result.exit_code == 0
    assert "Overdue loans on" not in result.stdout
    body = [line.split() for line in result.stdout.splitlines()]
    assert ["substandard", "91–180", "1", "150,000.00", "15.00%"] in body
    assert ["Total", "5", "1,000,000.00", "100.00%"] in body


def test_balance_falls_back_to_principal(par_book: Cli) -> None:
    rows = by_id(par_book("overdue", "--format", "json"))
    # Machine formats keep the store's values: no balance is null.
    assert rows["E"]["balance"] is None
    assert rows["E"]["principal"] == 100_000.0
    # The table shows and counts the principal, marked.
    text = par_book("overdue", "--format", "table").stdout
    e_line = next(line for line in text.splitlines() if " E " in line)
    assert "100,000.00*" in e_line
    assert "* no balance in the store: the principal is shown and counted" in text


def test_table_limit_notes_how_many_more(par_book: Cli) -> None:
    result = par_book("overdue", "--format", "table", "--limit", "1")
    assert "… 3 more not shown" in result.stdout
    assert "4 overdue loans" in result.stdout


def test_empty_table(cli: Cli, make_csv: Callable[..., Path]) -> None:
    load(cli, make_csv, [person("C1")], [])
    result = cli("overdue", "--format", "table")
    assert result.exit_code == 0
    assert "No overdue loans." in result.stdout
    assert cli("overdue", "--format", "json").json() == []


@pytest.mark.sqlite_only  # a store file that is not there (a server store always is)
def test_no_store_is_one_error_line(cli: Cli) -> None:
    for args in (("overdue", "--format", "json"), ("overdue", "--summary")):
        result = cli(*args)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


# ---------------------------------------------------------------------------
# Formats


def test_json_fields_exact_and_in_order(par_book: Cli) -> None:
    result = par_book("overdue", "--format", "json")
    rows = json.loads(result.stdout, object_pairs_hook=list)
    assert len(rows) == 4
    for pairs in rows:
        assert [key for key, _ in pairs] == [*FIELDS, "data_as_of"]
    assert dict(rows[0]) == {
        "loan_id": "D",
        "customer_id": "C1",
        "name": "客户C1",
        "phone": "138****0001",
        "officer": "王芳",
        "guarantee": "credit",
        "status": "overdue",
        "principal": 10000.0,
        "balance": 150000.0,
        "matures_on": "2026-06-01",
        "days_past_due": 91,
        "class": "substandard",
        "customer_class": "substandard",
        "last_contact": None,
        "guarantors": None,
        "promise_amount": None,
        "promise_on": None,
        "promise_status": None,
        "data_as_of": "2026-12-01",
    }
    assert '"balance": 150000.00' in result.stdout


def test_ndjson_matches_json(par_book: Cli) -> None:
    lines = par_book("overdue", "--format", "ndjson").stdout.splitlines()
    assert [json.loads(line) for line in lines] == par_book("overdue", "--format", "json").json()


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_delimited_parses_back(par_book: Cli, fmt: str, delimiter: str) -> None:
    result = par_book("overdue", "--format", fmt)
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline=""), delimiter=delimiter))
    assert list(rows[0]) == FIELDS
    assert [row["loan_id"] for row in rows] == ["D", "E", "B", "C"]
    e = rows[1]
    assert e["days_past_due"] == "90" and e["class"] == "special mention"
    assert e["balance"] == "" and e["principal"] == "100000.00"
    assert rows[0]["balance"] == "150000.00"


def test_auto_in_a_pipe_is_tsv(par_book: Cli) -> None:
    assert par_book("overdue").stdout.splitlines()[0] == "\t".join(FIELDS)


def test_ids_each_borrower_once_in_list_order(par_book: Cli) -> None:
    # D(C1) E(C3) B(C2) C(C3)
    assert par_book("overdue", "--format", "ids").stdout == "C1\nC3\nC2\n"


def test_phones_masked_unless_reveal(par_book: Cli) -> None:
    for fmt in ("json", "csv", "table"):
        assert "13800000001" not in par_book("overdue", "--format", fmt).stdout
    assert by_id(par_book("overdue", "--format", "json"))["D"]["phone"] == "138****0001"
    revealed = by_id(par_book("overdue", "--reveal", "--format", "json"))
    assert revealed["D"]["phone"] == "13800000001"
    assert "13800000001" in par_book("overdue", "--reveal", "--format", "table").stdout


# ---------------------------------------------------------------------------
# Config: an edited classes table


def test_config_classes_table_changes_the_classes(
    cli: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    config = tmp_path / "retain.toml"
    config.write_text(
        """
[arrears]
bad_from = "严重"

[[arrears.classes]]
name = "正常"
name_en = "current"
min_days = 0
max_days = 0

[[arrears.classes]]
name = "轻微"
name_en = "late"
min_days = 1
max_days = 30

[[arrears.classes]]
name = "严重"
name_en = "severe"
min_days = 31
""",
        encoding="utf-8",
    )
    env = {"RETAIN_CONFIG": str(config)}
    load(
        cli,
        make_csv,
        [person("C1"), person("C2")],
        [
            loan("L30", "C1", "2026-06-01", dpd=30, status="逾期"),
            loan("L31", "C2", "2026-06-01", dpd=31, status="逾期"),
        ],
    )
    rows = by_id(cli("overdue", "--format", "json", env=env))
    assert rows["L30"]["class"] == "late"
    assert rows["L31"]["class"] == "severe"
    zh = by_id(cli("--lang", "zh", "overdue", "--format", "json", env=env))
    assert zh["L31"]["class"] == "严重"
    assert ids(cli("overdue", "--class", "轻微", "--format", "json", env=env)) == ["L30"]
    summary = cli("overdue", "--summary", "--format", "json", env=env).json()
    assert [c["class"] for c in summary["classes"]] == ["current", "late", "severe"]
    # Without the file: the default five categories.
    assert by_id(cli("overdue", "--format", "json"))["L31"]["class"] == "special mention"


def test_invalid_config_is_one_error_line(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[arrears]\nbad_from = "nope"\n', encoding="utf-8")
    result = cli("overdue", "--format", "json", env={"RETAIN_CONFIG": str(config)})
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


# ---------------------------------------------------------------------------
# Last contact


def test_last_contact_after_a_logged_call(par_book: Cli) -> None:
    assert by_id(par_book("overdue", "--format", "json"))["B"]["last_contact"] is None
    logged = par_book("log", "C2", "--channel", "call", "--outcome", "reached")
    assert logged.exit_code == 0, logged.stderr
    rows = by_id(par_book("overdue", "--format", "json"))
    assert str(rows["B"]["last_contact"]).startswith("2026-12-01")
    assert rows["D"]["last_contact"] is None


def test_table_on_an_80_column_terminal_keeps_key_cells_whole(par_book: Cli) -> None:
    from rich.cells import cell_len

    for lang in ("en", "zh"):
        env = {"RETAIN_TTY": "1", "COLUMNS": "80", "NO_COLOR": "1"}
        result = par_book("--lang", lang, "overdue", env=env)
        assert result.exit_code == 0, result.stderr
        lines = result.stdout.splitlines()
        assert all(cell_len(line) <= 80 for line in lines)
        d_line = next(line for line in lines if " D " in line)
        for cell in ("91", "C1", "138****0001", "150,000.00"):
            assert cell in d_line, (lang, cell, d_line)
        assert "…" not in result.stdout
