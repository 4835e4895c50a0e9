"""``retain import holdings``: the bank's other products each customer holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.importing.normalise import Invalid, norm_product
from retain.rules import PRODUCTS
from tests.conftest import CUSTOMER_HEADER, Cli

HEADER = ["客户编号", "产品类型", "账号", "余额", "开户日期", "销户日期"]

ZH = {
    "活期": "deposit",
    "定期": "term_deposit",
    "借记卡": "card",
    "信用卡": "credit_card",
    "理财": "wealth",
    "保险": "insurance",
    "代发工资": "payroll",
    "手机银行": "mobile_banking",
}


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


def stored(cli: Cli) -> list[tuple[object, ...]]:
    rows = cli.sql(
        "SELECT holding_key, customer_id, product, account, balance_fen, opened_on,"
        " closed_on FROM holdings ORDER BY holding_key"
    )
    return [tuple(row) for row in rows]


def test_a_holdings_file_is_imported_with_chinese_headers_and_product_words(
    customers: Cli, make_csv: Callable[..., Path]
) -> None:
    path = make_csv(
        "holdings.csv",
        [
            HEADER,
            ["C1", "活期", "6222 0212 3456", "12,345.60", "2020-01-05", ""],
            ["C1", "借记卡", "6222 0212 3456", "", "2020-01-05", ""],
            ["C1", "理财", "", "50000", "2026-03-01", ""],
            ["C2", "信用卡", "", "", "", ""],
            ["C2", "定期", "", "10000", "2025-01-01", "2026-01-01"],
        ],
    )
    result = customers("import", "holdings", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["added"] == 5
    assert stored(customers) == [
        ("C1/wealth/2026-03-01", "C1", "wealth", None, 5_000_000, "2026-03-01", None),
        ("C2/credit_card/", "C2", "credit_card", None, None, None, None),
        ("C2/term_deposit/2025-01-01", "C2", "term_deposit", None, 1_000_000, "2025-01-01",
         "2026-01-01"),
        ("card/acct:622202123456", "C1", "card", "622202123456", None, "2020-01-05", None),
        ("deposit/acct:622202123456", "C1", "deposit", "622202123456", 1_234_560,
         "2020-01-05", None),
    ]  # fmt: skip


def test_reimporting_the_same_file_changes_nothing_and_a_new_balance_is_an_update(
    customers: Cli, make_csv: Callable[..., Path]
) -> None:
    rows = [HEADER, ["C1", "活期", "A1", "100", "2020-01-05", ""]]
    path = make_csv("holdings.csv", rows)
    assert customers("import", "holdings", str(path)).exit_code == 0
    again = customers("import", "holdings", str(path), "--format", "json").json()
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 1)
    path = make_csv("holdings.csv", [HEADER, ["C1", "活期", "A1", "250", "2020-01-05", ""]])
    changed = customers("import", "holdings", str(path), "--format", "json").json()
    assert (changed["added"], changed["updated"]) == (0, 1)
    assert stored(customers)[0][4] == 25_000


def test_bad_rows_go_to_the_rejects_file_and_the_good_ones_are_committed(
    customers: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    path = make_csv(
        "holdings.csv",
        [
            HEADER,
            ["C1", "活期", "A1", "100", "2020-01-05", ""],
            ["C9", "活期", "A2", "100", "", ""],  # no such customer
            ["C1", "股票", "A3", "100", "", ""],  # not a product
            ["C2", "理财", "A4", "100", "2026-05-01", "2026-04-01"],  # closes before it opens
            ["C2", "理财", "A5", "100", "2026-12-02", ""],  # opens after today
            ["C1", "活期", "A1", "100", "2020-01-05", ""],  # the same holding again
        ],
    )
    result = customers("import", "holdings", str(path), "--format", "json")
    assert result.exit_code == 3
    report = result.json()
    assert report["added"] == 1
    reasons = {r["row"]: (r["field"], r["reason"]) for r in report["rejects"]}
    assert reasons[3] == (
        "customer_id",
        "customer C9 does not exist; import customers or loans first",
    )
    assert reasons[4][0] == "product_type" and "unknown product '股票'" in reasons[4][1]
    assert reasons[5] == ("closed_on", "before opened_on")
    assert reasons[6] == ("opened_on", "after today (2026-12-01)")
    assert reasons[7][0] == "account"
    assert (tmp_path / "holdings.rejects.csv").exists()
    assert [row[0] for row in stored(customers)] == ["deposit/acct:A1"]


def test_as_of_bounds_the_dates_and_stdin_works(customers: Cli, tmp_path: Path) -> None:
    text = "customer_id,product,balance,opened_on\nC1,wealth,100,2026-11-28\n"
    result = customers(
        "import", "holdings", "-", "--input-format", "csv", "--as-of", "2026-11-27",
        "--format", "json", "--rejects", str(tmp_path / "rejects.csv"), input=text,
    )  # fmt: skip
    assert result.exit_code == 3
    assert result.json()["rejects"][0]["reason"] == "after today (2026-11-27)"
    result = customers(
        "import", "holdings", "-", "--input-format", "csv", "--format", "json", input=text
    )
    assert result.exit_code == 0, result.stderr
    assert stored(customers)[0][:3] == ("C1/wealth/2026-11-28", "C1", "wealth")


def test_a_failed_import_commits_nothing(customers: Cli, make_csv: Callable[..., Path]) -> None:
    path = make_csv("holdings.csv", [["客户编号", "余额"], ["C1", "100"]])
    result = customers("import", "holdings", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "product_type" in result.stderr
    assert stored(customers) == []


@pytest.mark.parametrize(("word", "product"), sorted(ZH.items()))
def test_the_chinese_product_words(word: str, product: str) -> None:
    assert norm_product(word) == product


@given(st.sampled_from(PRODUCTS), st.sampled_from(["", " ", "\u3000"]), st.booleans())
def test_every_product_name_is_read_in_any_case_and_spacing(
    name: str, pad: str, upper: bool
) -> None:
    text = name.replace("_", " " if upper else "-")
    assert norm_product(pad + (text.upper() if upper else text) + pad) == name


@given(st.sampled_from(sorted(ZH)), st.sampled_from(["", " ", "\u3000", "\ufeff"]))
def test_chinese_words_with_padding_and_full_width_spaces(word: str, pad: str) -> None:
    assert norm_product(pad + word + pad) == ZH[word]


@given(st.text(max_size=12))
def test_any_text_is_a_product_or_an_invalid_value_and_normalising_is_idempotent(
    text: str,
) -> None:
    try:
        found = norm_product(text)
    except Invalid:
        return
    assert found in PRODUCTS
    assert norm_product(found) == found


def test_a_mapping_file_may_translate_product_values(
    customers: Cli, make_csv: Callable[..., Path], tmp_path: Path
) -> None:
    mapping = tmp_path / "bank.toml"
    mapping.write_text('[values.product_type]\n"金卡" = "借记卡"\n', encoding="utf-8")
    path = make_csv("holdings.csv", [["客户编号", "产品"], ["C1", "金卡"]])
    result = customers("import", "holdings", str(path), "--map", str(mapping))
    assert result.exit_code == 0, result.stderr
    assert stored(customers)[0][2] == "card"
