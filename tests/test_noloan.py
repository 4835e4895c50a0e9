"""``retain noloan``: customers with no open loan (无贷户), rule by rule, through the real CLI.

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
    "customer_id", "name", "phone", "officer", "industry", "segment", "last_closed_on",
    "days_since", "loans", "total_borrowed", "worst_class", "last_contact",
]  # fmt: skip


def load(
    cli: Cli,
    make_csv: Callable[..., Path],
    customers: Sequence[Sequence[object]],
    loans: Sequence[Sequence[object]],
) -> Cli:
    c = make_csv("nl_customers.csv", [CUSTOMER_HEADER, *customers])
    lo = make_csv("nl_loans.csv", [LOAN_HEADER, *loans])
    r = cli("import", "customers", str(c))
    assert r.exit_code == 0, r.stderr
    r = cli("import", "loans", str(lo))
    assert r.exit_code == 0, r.stderr
    return cli


def person(customer_id: str, officer: str = "王芳", segment: str = "") -> list[object]:
    number = int(customer_id[1:])
    return [customer_id, f"客户{number}", f"1390000{number:04d}", "", "烟酒", officer, segment]


def closed(
    loan_id: str, customer: str, on: str, *, principal: str = "10000", dpd: object = ""
) -> list[object]:
    return [loan_id, customer, principal, "2025-01-01", "2026-01-01", "信用", "结清", on, "0", dpd]


def open_loan(loan_id: str, customer: str, status: str = "正常") -> list[object]:
    return [loan_id, customer, "10000", "2026-01-01", "2027-01-01", "信用", status, "", "8000", ""]


def written_off(loan_id: str, customer: str) -> list[object]:
    return [
        loan_id,
        customer,
        "20000",
        "2024-01-01",
        "2025-01-01",
        "信用",
        "核销",
        "",
        "20000",
        "400",
    ]


# K01, K09 never borrowed; K02 and K10 closed 11 days ago (a tie: by id); K08 closed
# 30 days ago after 30 days late (关注); K03 two loans, last closed 61 days ago;
# K04 renewed (closed + active) and K05 overdue: they have an open loan;
# K06 has a written-off loan; K07 closed after 95 days past due (次级).
CUSTOMERS = [person(f"K{n:02d}", "李强" if n in (3, 9) else "王芳") for n in range(1, 11)]
LOANS = [
    closed("P02", "K02", "2026-11-20"),
    closed("P10", "K10", "2026-11-20", principal="5,000.5"),
    closed("P08", "K08", "2026-11-01", dpd=30),
    closed("P03a", "K03", "2026-06-01", principal="30000"),
    closed("P03b", "K03", "2026-10-01", principal="20000"),
    closed("P04", "K04", "2026-11-25"),
    open_loan("O04", "K04"),
    open_loan("O05", "K05", "逾期"),
    closed("P06", "K06", "2026-11-28"),
    written_off("W06", "K06"),
    closed("P07", "K07", "2026-09-01", dpd=95),
]
DEFAULT_ORDER = ["K02", "K10", "K08", "K03", "K01", "K09"]


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    return load(cli, make_csv, CUSTOMERS, LOANS)


def rows_of(result: Result) -> list[dict[str, object]]:
    assert result.exit_code == 0, result.stderr
    rows = result.json()
    assert isinstance(rows, list)
    return rows


def ids(result: Result) -> list[str]:
    return [str(row["customer_id"]) for row in rows_of(result)]


def by_id(result: Result) -> dict[str, dict[str, object]]:
    return {str(row["customer_id"]): row for row in rows_of(result)}


# ---------------------------------------------------------------------------
# Who, and in which order


def test_never_borrowed_and_closed_only_listed_open_loans_not(book: Cli) -> None:
    listed = set(ids(book("noloan", "--format", "json")))
    assert {"K01", "K09", "K02", "K03"} <= listed
    assert "K04" not in listed  # renewed: a closed loan and an active one
    assert "K05" not in listed  # overdue loan


def test_order_most_recently_closed_first_never_borrowed_last(book: Cli) -> None:
    assert ids(book("noloan", "--format", "json")) == DEFAULT_ORDER


def test_fields_exact_and_values(book: Cli) -> None:
    result = book("noloan", "--format", "json")
    rows = json.loads(result.stdout, object_pairs_hook=list)
    for pairs in rows:
        assert [key for key, _ in pairs] == [*FIELDS, "data_as_of"]
    got = by_id(result)
    assert got["K03"] == {
        "customer_id": "K03",
        "name": "客户3",
        "phone": "139****0003",
        "officer": "李强",
        "industry": "烟酒",
        "segment": None,
        "last_closed_on": "2026-10-01",
        "days_since": 61,
        "loans": 2,
        "total_borrowed": 50000.0,
        "worst_class": "normal",
        "last_contact": None,
        "data_as_of": "2026-12-01",
    }
    assert '"total_borrowed": 5000.50' in result.stdout
    assert got["K02"]["days_since"] == 11
    assert got["K08"]["worst_class"] == "special mention"
    never = got["K01"]
    assert never["last_closed_on"] is None and never["days_since"] is None
    assert never["loans"] == 0 and never["total_borrowed"] is None
    assert never["worst_class"] is None


def test_worst_class_in_chinese(book: Cli) -> None:
    got = by_id(book("--lang", "zh", "noloan", "--format", "json"))
    assert got["K08"]["worst_class"] == "关注"
    assert got["K03"]["worst_class"] == "正常"


# ---------------------------------------------------------------------------
# Filters


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("30d", ["K02", "K10", "K08"]),  # since 2026-11-01, inclusive
        ("30", ["K02", "K10", "K08"]),  # a plain number is days
        ("29d", ["K02", "K10"]),
        ("4w", ["K02", "K10"]),  # 28 days
        ("9w", ["K02", "K10", "K08", "K03"]),  # 63 days
        ("2m", ["K02", "K10", "K08", "K03"]),  # since 2026-10-01, inclusive
        ("1m", ["K02", "K10", "K08"]),
        ("0d", []),
    ],
)
def test_closed_within(book: Cli, period: str, expected: list[str]) -> None:
    assert ids(book("noloan", "--closed-within", period, "--format", "json")) == expected


@pytest.mark.parametrize("period", ["soon", "-3d", "3y", ""])
def test_bad_period_is_a_usage_error(book: Cli, period: str) -> None:
    result = book("noloan", "--closed-within", period, "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


def test_min_loans(book: Cli) -> None:
    assert ids(book("noloan", "--min-loans", "0", "--format", "json")) == DEFAULT_ORDER
    assert ids(book("noloan", "--min-loans", "1", "--format", "json")) == [
        "K02", "K10", "K08", "K03",
    ]  # fmt: skip
    assert ids(book("noloan", "--min-loans", "2", "--format", "json")) == ["K03"]
    assert ids(book("noloan", "--min-loans", "3", "--format", "json")) == []


def test_bad_customers_excluded_unless_include_bad(book: Cli) -> None:
    default = ids(book("noloan", "--format", "json"))
    assert "K06" not in default  # a written-off loan
    assert "K07" not in default  # 95 days past due once: 次级
    result = book("noloan", "--include-bad", "--format", "json")
    assert ids(result) == ["K06", "K02", "K10", "K08", "K03", "K07", "K01", "K09"]
    got = by_id(result)
    assert got["K06"]["worst_class"] == "loss"  # written off → the worst class
    assert got["K06"]["loans"] == 2
    assert got["K07"]["worst_class"] == "substandard"
    assert ids(book("noloan", "--include-bad", "--min-loans", "2", "--format", "json")) == [
        "K06", "K03",
    ]  # fmt: skip


def test_customer_with_only_an_undated_write_off(cli: Cli, make_csv: Callable[..., Path]) -> None:
    load(cli, make_csv, [person("K01"), person("K02")], [written_off("W", "K02")])
    assert ids(cli("noloan", "--format", "json")) == ["K01"]
    rows = by_id(cli("noloan", "--include-bad", "--format", "json"))
    assert list(rows) == ["K01", "K02"]
    assert rows["K02"]["loans"] == 1 and rows["K02"]["last_closed_on"] is None
    assert ids(cli("noloan", "--include-bad", "--min-loans", "1", "--format", "json")) == ["K02"]
    assert ids(cli("noloan", "--include-bad", "--closed-within", "1m", "--format", "json")) == []


def test_bad_from_comes_from_the_config(book: Cli, tmp_path: Path) -> None:
    config = tmp_path / "retain.toml"
    config.write_text('[arrears]\nbad_from = "关注"\n', encoding="utf-8")
    result = book("noloan", "--format", "json", env={"RETAIN_CONFIG": str(config)})
    assert "K08" not in ids(result)  # 30 days once: 关注 is now bad
    assert "K02" in ids(result)


def test_officer_filter(book: Cli) -> None:
    assert ids(book("noloan", "--officer", "李强", "--format", "json")) == ["K03", "K09"]
    assert ids(book("noloan", "--officer", "无此人", "--format", "json")) == []


def test_limit_stops_early_in_order(book: Cli) -> None:
    assert ids(book("noloan", "--limit", "2", "--format", "json")) == ["K02", "K10"]
    assert ids(book("noloan", "--limit", "5", "--format", "json")) == DEFAULT_ORDER[:5]
    assert ids(book("noloan", "--limit", "100", "--format", "json")) == DEFAULT_ORDER


# ---------------------------------------------------------------------------
# Formats


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_delimited_parses_back(book: Cli, fmt: str, delimiter: str) -> None:
    result = book("noloan", "--format", fmt)
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline=""), delimiter=delimiter))
    assert list(rows[0]) == FIELDS
    assert [row["customer_id"] for row in rows] == DEFAULT_ORDER
    assert rows[1]["total_borrowed"] == "5000.50"
    assert rows[4]["last_closed_on"] == "" and rows[4]["loans"] == "0"


def test_ndjson_and_ids(book: Cli) -> None:
    lines = book("noloan", "--format", "ndjson").stdout.splitlines()
    assert [json.loads(line) for line in lines] == book("noloan", "--format", "json").json()
    assert book("noloan", "--format", "ids").stdout == "".join(f"{c}\n" for c in DEFAULT_ORDER)


def test_phones_masked_unless_reveal(book: Cli) -> None:
    for fmt in ("json", "csv", "table"):
        assert "13900000002" not in book("noloan", "--format", fmt).stdout
    assert by_id(book("noloan", "--reveal", "--format", "json"))["K02"]["phone"] == "13900000002"


def test_table(book: Cli) -> None:
    result = book("noloan", "--format", "table")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.splitlines()[0].strip() == "Customers with no open loan on 2026-12-01"
    assert "never borrowed" in text
    assert "6 customers" in text
    assert "Left out: customers with a written-off loan or a worst class of substandard" in text
    assert "139****0002" in text and "13900000002" not in text


def test_table_chinese_and_truncated(book: Cli) -> None:
    result = book("--lang", "zh", "noloan", "--format", "table", "--limit", "2")
    text = result.stdout
    assert "2026-12-01 无贷户" in text
    assert "客户2" in text and "客户8" not in text
    assert "仅显示前 2 户" in text
    assert "次级" in text  # the left-out note names bad_from in Chinese


def test_table_include_bad_drops_the_left_out_note(book: Cli) -> None:
    text = book("noloan", "--include-bad", "--format", "table").stdout
    assert "Left out" not in text
    assert "8 customers" in text


def test_empty(cli: Cli, make_csv: Callable[..., Path]) -> None:
    load(cli, make_csv, [], [])
    assert cli("noloan", "--format", "json").json() == []
    assert "No customers without an open loan match." in cli("noloan", "--format", "table").stdout


# ---------------------------------------------------------------------------
# Last contact


def test_last_contact_after_a_logged_call(book: Cli) -> None:
    logged = book("log", "K02", "--channel", "call", "--outcome", "reached")
    assert logged.exit_code == 0, logged.stderr
    got = by_id(book("noloan", "--format", "json"))
    assert str(got["K02"]["last_contact"]).startswith("2026-12-01")
    assert got["K10"]["last_contact"] is None


def test_table_on_an_80_column_terminal_keeps_key_cells_whole(book: Cli) -> None:
    from rich.cells import cell_len

    for lang in ("en", "zh"):
        env = {"RETAIN_TTY": "1", "COLUMNS": "80", "NO_COLOR": "1"}
        result = book("--lang", lang, "noloan", env=env)
        assert result.exit_code == 0, result.stderr
        lines = result.stdout.splitlines()
        assert all(cell_len(line) <= 80 for line in lines)
        k03 = next(line for line in lines if "K03" in line)
        for cell in ("2026-10-01", "61", "139****0003", "50,000.00"):
            assert cell in k03, (lang, cell, k03)
