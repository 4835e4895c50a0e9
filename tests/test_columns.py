"""Header aliases, header-row resolution and mapping files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.errors import UsageError
from retain.importing.columns import (
    ALIASES,
    CUSTOMER_FIELDS,
    LOAN_FIELDS,
    Mapping,
    load_mapping,
    match_header,
    missing_required,
    normalise_header,
    resolve_header,
)

LOAN_HEADER_ZH = [
    "贷款编号",
    "客户编号",
    "贷款金额",
    "放款日期",
    "到期日期",
    "担保方式",
    "贷款状态",
]


def write(tmp_path: Path, text: str, name: str = "map.toml", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- normalise_header -------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("贷款金额（元）", "贷款金额(元)"),
        ("手机号码 ", "手机号码"),
        ("\u3000客户\u00a0 编号\t", "客户 编号"),
        ("Loan_ID", "loan_id"),
        ("ＣＵＳＴＯＭＥＲ", "customer"),
        (None, ""),
        (2024, "2024"),
    ],
)
def test_normalise_header(raw: object, expected: str) -> None:
    assert normalise_header(raw) == expected


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.booleans()))
def test_normalise_header_never_raises_and_is_idempotent(value: object) -> None:
    once = normalise_header(value)
    assert isinstance(once, str)
    assert normalise_header(once) == once
    assert once == once.strip()
    assert "  " not in once


def test_alias_table_covers_every_field() -> None:
    for name in CUSTOMER_FIELDS + LOAN_FIELDS:
        assert ALIASES[name] == name
        assert ALIASES[name.replace("_", " ")] == name
    assert ALIASES["customerid"] == "customer_id"  # "CustomerId" after casefold
    assert ALIASES["借据号"] == "loan_id"
    assert ALIASES["剩余本金"] == "balance"


# --- resolve_header ---------------------------------------------------------


def test_chinese_loan_header() -> None:
    layout = resolve_header(LOAN_HEADER_ZH, "loans", Mapping.empty(), row_no=3)
    assert layout is not None
    assert layout.row_no == 3
    assert layout.field_index == {
        "loan_id": 0,
        "customer_id": 1,
        "principal": 2,
        "disbursed_on": 3,
        "matures_on": 4,
        "guarantee": 5,
        "status": 6,
    }
    assert layout.headers == LOAN_HEADER_ZH
    assert layout.wan_fields == frozenset()


def test_english_variants_and_case() -> None:
    cells = ["Loan_ID", "CustomerId", "principal", "Disbursed On", "term-months"]
    cells += ["GUARANTEE", "Status"]
    layout = resolve_header(cells, "loans", Mapping.empty())
    assert layout is not None
    assert layout.field_index["customer_id"] == 1
    assert layout.field_index["term_months"] == 4


def test_units_full_width_and_whitespace() -> None:
    cells = [
        "贷款编号",
        "客户编号",
        "贷款金额（万元）",
        "放款日期",
        "贷款期限（月）",
        "担保方式",
        "状态",
        "贷款余额(元)",
        "执行利率（％）",
        "手机号码 ",
        "\u3000客户名称",
    ]
    layout = resolve_header(cells, "loans", Mapping.empty())
    assert layout is not None
    assert layout.wan_fields == frozenset({"principal"})
    assert layout.percent_fields == frozenset({"rate"})
    assert layout.field_index["term_months"] == 4
    assert layout.field_index["balance"] == 7
    assert layout.field_index["phone"] == 9  # customer fields are recognised in a loans file
    assert layout.field_index["name"] == 10
    assert layout.headers[9] == "手机号码 "  # originals kept for the rejects file


def test_required_star_prefix_from_templates() -> None:
    layout = resolve_header(["*客户编号", "*客户名称"], "customers", Mapping.empty())
    assert layout is not None
    assert layout.field_index == {"customer_id": 0, "name": 1}


def test_matures_on_or_term_months_is_required() -> None:
    without = [h for h in LOAN_HEADER_ZH if h != "到期日期"]
    assert resolve_header(without, "loans", Mapping.empty()) is None
    assert resolve_header([*without, "期限"], "loans", Mapping.empty()) is not None


def test_rejects_columns_and_unknown_columns_are_ignored() -> None:
    cells = ["客户编号", "客户名称", "备注", "", None, "_row", "_field", "_reason", "客户号"]
    layout = resolve_header(cells, "customers", Mapping.empty())
    assert layout is not None
    assert layout.field_index == {"customer_id": 0, "name": 1}
    # unknown and duplicate headers are reported; "_" columns and blanks are not
    assert layout.ignored == ["备注", "客户号"]
    assert layout.headers[5:8] == ["_row", "_field", "_reason"]


def test_first_of_duplicate_columns_wins() -> None:
    layout = resolve_header(["姓名", "客户编号", "客户名称"], "customers", Mapping.empty())
    assert layout is not None
    assert layout.field_index == {"name": 0, "customer_id": 1}


def test_loan_fields_not_recognised_in_customer_file() -> None:
    layout = match_header(["客户编号", "客户名称", "贷款金额"], "customers", Mapping.empty())
    assert "principal" not in layout.field_index
    assert layout.ignored == ["贷款金额"]


def test_title_and_data_rows_are_not_headers() -> None:
    m = Mapping.empty()
    assert resolve_header(["2026年1月贷款台账"], "loans", m) is None
    assert resolve_header(["L001", "C001", "50000", "2026-01-05"], "loans", m) is None
    assert resolve_header([], "customers", m) is None


def test_missing_required_labels() -> None:
    found = {"loan_id", "customer_id", "disbursed_on", "status"}
    missing = missing_required("loans", Mapping.empty(), found)
    assert missing == [
        "principal (贷款金额)",
        "matures_on (到期日期) or term_months (贷款期限)",
        "guarantee (担保方式)",
    ]
    defaults = Mapping(defaults={"guarantee": "credit"})
    assert "guarantee (担保方式)" not in missing_required("loans", defaults, found)
    mapped = Mapping(columns={"principal": "Amt"})
    assert missing_required("loans", mapped, found)[0] == 'principal (mapped to "Amt")'


# --- mapping files ----------------------------------------------------------

VALID = """
[columns]
loan_id = "LoanNumber"
customer_id = "MemberKey"
name = "MemberKey"
principal = "Amount（万元）"

[options]
date_order = "dmy"
amount_unit = "wan"
principal_ceiling = 10000000

[defaults]
guarantee = "credit"
term_months = 12

[values.status]
"Completed" = "closed"
"Active" = "active"

[values.guarantee]
"Unsecured" = "credit"
"""


def test_load_valid_mapping(tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, VALID))
    assert mapping.columns == {
        "loan_id": "LoanNumber",
        "customer_id": "MemberKey",
        "name": "MemberKey",
        "principal": "Amount（万元）",
    }
    assert mapping.date_order == "dmy"
    assert mapping.amount_unit == "wan"
    assert mapping.principal_ceiling_fen == 1_000_000_000
    assert mapping.defaults == {"guarantee": "credit", "term_months": "12"}
    assert mapping.values == {
        "status": {"Completed": "closed", "Active": "active"},
        "guarantee": {"Unsecured": "credit"},
    }


def test_empty_mapping() -> None:
    mapping = Mapping.empty()
    assert mapping.columns == {} and mapping.defaults == {} and mapping.values == {}
    assert mapping.date_order is None
    assert mapping.amount_unit == "yuan"
    assert mapping.principal_ceiling_fen is None


def test_mapping_one_header_feeds_two_fields_and_defaults_fill_required(tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, VALID))
    cells = ["loannumber", " memberkey ", "Amount(万元)", "放款日期", "状态", "Comment"]
    layout = resolve_header(cells, "loans", mapping)
    assert layout is not None
    assert layout.field_index == {
        "loan_id": 0,
        "customer_id": 1,
        "name": 1,
        "principal": 2,
        "disbursed_on": 3,
        "status": 4,
    }
    assert layout.wan_fields == frozenset({"principal"})
    assert layout.ignored == ["Comment"]
    # guarantee and term_months come from [defaults]; without them the row is no header
    assert resolve_header(cells, "loans", Mapping(columns=mapping.columns)) is None


def test_explicit_mapping_replaces_the_alias(tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, '[columns]\nprincipal = "合同金额"\n'))
    cells = [*LOAN_HEADER_ZH, "合同金额"]  # 贷款金额 (index 2) is an alias of principal
    layout = resolve_header(cells, "loans", mapping)
    assert layout is not None
    assert layout.field_index["principal"] == 7
    assert "贷款金额" in layout.ignored


def test_mapping_with_bom_and_gbk_encoding(tmp_path: Path) -> None:
    text = '[columns]\ncustomer_id = "会员号"\n'
    assert load_mapping(write(tmp_path, text, encoding="utf-8-sig")).columns["customer_id"] == (
        "会员号"
    )
    assert load_mapping(write(tmp_path, text, encoding="gb18030")).columns["customer_id"] == (
        "会员号"
    )


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ('[columns]\nlone_id = "X"\ncustmer_id = "Y"\n', ["[columns]", "lone_id", "custmer_id"]),
        ('[defaults]\nguarantie = "credit"\n', ["[defaults]", "guarantie"]),
        ('[options]\ndate_format = "dmy"\n', ["[options]", "date_format"]),
        ('[colums]\nloan_id = "X"\n', ["[colums]", "did you mean [columns]"]),
        ('[values.product]\n"A" = "b"\n', ["[values.product]"]),
        ('[options]\ndate_order = "ydm"\n', ["date_order", "ydm"]),
        ('[options]\namount_unit = "usd"\n', ["amount_unit", "usd"]),
        ("[options]\nprincipal_ceiling = -5\n", ["principal_ceiling"]),
        ('[options]\nprincipal_ceiling = "lots"\n', ["principal_ceiling"]),
        ("[columns]\nloan_id = 5\n", ["[columns]", "loan_id"]),
        ("[defaults]\nguarantee = true\n", ["[defaults]", "guarantee"]),
        ('[values.status]\n"Completed" = 1\n', ["[values.status]", "Completed"]),
        ('columns = "x"\n', ["[columns]", "table"]),
        ("[columns\nloan_id = 1\n", ["invalid TOML", "line 1"]),
    ],
)
def test_bad_mapping_files(tmp_path: Path, text: str, fragments: list[str]) -> None:
    path = write(tmp_path, text, name="x.toml")
    with pytest.raises(UsageError) as info:
        load_mapping(path)
    message = str(info.value)
    assert message.startswith(f"mapping file {path}:")
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_unknown_column_key_suggests(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"lone_id \(did you mean loan_id\?\)"):
        load_mapping(write(tmp_path, '[columns]\nlone_id = "LoanNumber"\n'))


def test_missing_and_undecodable_mapping_files(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        load_mapping(tmp_path / "nope.toml")
    with pytest.raises(UsageError, match="directory"):
        load_mapping(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xff\xff")
    with pytest.raises(UsageError, match="not UTF-8 or GB18030"):
        load_mapping(bad)
