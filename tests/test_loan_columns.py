"""A loans file checked a column at a time (``LoanColumns``) gives each row what
``validate_loan`` gives it row by row: the same record (same keys, in the same
order) or the same rejection (key, fields, faults in order, reasons in both
languages), on messy rows, across chunks that share the columns' tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.importing import validate as validate_module
from retain.importing.validate import LoanColumns, Rejected, Rules, validate_loan

TODAY = dt.date(2026, 12, 1)

IDS = st.sampled_from(["L1", "L2", "L3", "C-9", "a_b", "", " L4 ", "L 5", "x" * 33, "1e5", None])
DATES = st.sampled_from(
    [
        "2020-01-05",
        "2024-02-29",
        "2023-02-29",
        "2026-12-01",
        "2026-12-02",
        "2030-06-30",
        "1989-12-31",
        "2026/1/5",
        "2026.1.5",
        "2026年1月5日",
        "２０２５－０３－０１",
        "20250105",
        "45000",
        "5/1/2026",
        "2026-13-01",
        "2025-03-01 10:30",
        "tomorrow",
        "",
        "  ",
        None,
    ]
)
NON_TEXT = st.sampled_from(
    [
        45000,
        45000.0,
        20250105,
        True,
        1.5,
        -3,
        dt.date(2024, 5, 6),
        dt.datetime(2031, 5, 6, 7, 8),
        dt.date(1985, 1, 1),
    ]
)
MONEY = st.sampled_from(
    [
        "100000",
        "100,000.00",
        "¥2,500.5",
        "￥3000元",
        "RMB 900",
        "5万",
        "1.5万元",
        "人民币12万",
        "0",
        "0.00",
        "-100",
        "99",
        "十万",
        "待定",
        "12.345",
        "2000万",
        "１２０００",
        "",
        None,
    ]
)
GUARANTEE = st.sampled_from(
    ["credit", "信用", "保证担保", "抵押贷款", "Mortgage", "pledge", "none", "", None]
)
STATUS = st.sampled_from(
    ["active", "正常", "逾期", "overdue", "已结清", "closed", "written off", "核销", "unknown", ""]
)
INTS = st.sampled_from(
    ["12", "0", "36", "600", "601", "20250105", "3.0", "-2", "x", "", None, "１２"]
)
RATES = st.sampled_from(["4.35", "4.35%", "0", "101", "-1", "abc", "", None])
TEXT = st.sampled_from(["经营贷", "  消费贷 ", "a\x01b", "x" * 201, "", None])
NAMES = st.sampled_from(["张三", " 李四 ", "", None, "n" * 65])
PHONES = st.sampled_from(["13800138000", "138-0013-8000", "12345", "0371-67891234", "", None])
ID_NUMBERS = st.sampled_from(["11010519491231002X", "110105194912310021", "123", "", None])

CELLS: dict[str, st.SearchStrategy[Any]] = {
    "loan_id": IDS,
    "customer_id": IDS,
    "principal": MONEY,
    "disbursed_on": DATES,
    "matures_on": DATES,
    "term_months": INTS,
    "guarantee": GUARANTEE,
    "status": STATUS,
    "closed_on": DATES,
    "balance": MONEY,
    "rate": RATES,
    "days_past_due": INTS,
    "product": TEXT,
    "collateral_insurance_expires": DATES,
    "collateral_certificate_expires": DATES,
    "next_due_on": DATES,
    "next_due_amount": MONEY,
    "next_due_period": INTS,
    "name": NAMES,
    "phone": PHONES,
    "id_number": ID_NUMBERS,
    "officer": TEXT,
}
OPTIONAL = sorted(set(CELLS) - {"loan_id", "customer_id", "principal", "disbursed_on"})


# Good rows to vary, so that most rows are (near-)valid as in real files: an
# open loan, a closed one, one whose maturity comes from its term, one without
# a next instalment.
base: dict[str, object] = {
    "loan_id": "L1",
    "customer_id": "C1",
    "principal": "100000",
    "disbursed_on": "2024-01-05",
    "matures_on": "2027-01-05",
    "term_months": "36",
    "guarantee": "credit",
    "status": "active",
    "closed_on": "",
    "balance": "50000",
    "rate": "4.35",
    "days_past_due": "",
    "product": "经营贷",
    "collateral_insurance_expires": "",
    "collateral_certificate_expires": "2028-01-01",
    "next_due_on": "2025-02-05",
    "next_due_amount": "3000",
    "next_due_period": "2",
    "name": "张三",
    "phone": "13800138000",
    "id_number": "",
    "officer": "Li Na",
}
# … a closed one, and one whose maturity comes from its term
closed = {**base, "status": "closed", "closed_on": "2026-06-01", "next_due_on": ""}
closed |= {"next_due_amount": "", "next_due_period": ""}
termed = {**base, "matures_on": "", "term_months": "12", "next_due_on": "2024-12-05"}
plain = {**base, "next_due_on": "", "next_due_amount": "", "next_due_period": ""}
BASES = (base, closed, termed, plain)


def _cell(field: str) -> st.SearchStrategy[Any]:
    # mostly text (a CSV's), sometimes a workbook's number or date
    return st.one_of(CELLS[field], CELLS[field], CELLS[field], NON_TEXT)


@st.composite
def files(draw: st.DrawFn) -> tuple[Rules, list[list[dict[str, object]]]]:
    # every optional column half the time (a rule across fields needs its columns)
    optional = OPTIONAL if draw(st.booleans()) else draw(st.sets(st.sampled_from(OPTIONAL)))
    present = frozenset(
        {"loan_id", "customer_id", "principal", "disbursed_on", "guarantee", "status"}
        | set(optional)
    )
    rules = Rules(
        today=TODAY,
        present=present,
        wan_fields=frozenset(draw(st.sets(st.sampled_from(["principal", "balance"])))),
        floor_fen=draw(st.sampled_from([1, 10_000])),
        earliest=draw(st.sampled_from([dt.date(1990, 1, 1), dt.date(1900, 1, 1)])),
        date_order=draw(st.sampled_from([None, "dmy", "mdy", "ymd"])),
        status_aliases=draw(st.sampled_from([None, {"unknown": "closed", "none": "bogus"}])),
    )
    base, closed, termed, plain = BASES
    chunks = []
    for _ in range(draw(st.integers(1, 3))):
        rows = []
        for _ in range(draw(st.integers(1, 30))):
            start = draw(st.sampled_from(BASES))
            changed = draw(st.lists(st.sampled_from(sorted(present)), unique=True, max_size=3))
            row = {k: v for k, v in start.items() if k in present}
            for field in changed:
                row[field] = draw(_cell(field))
            rows.append(row)
        chunks.append(rows)
    return rules, chunks


def _shown(result: object) -> object:
    if isinstance(result, Rejected):
        return (
            "rejected",
            result.key,
            result.fields,
            [(f.field, f.reason.render("en"), f.reason.render("zh")) for f in result.faults],
            result.reason.render("en"),
            result.reason.render("zh"),
        )
    assert isinstance(result, dict)
    return ("record", list(result.items()), list(result.get("customer", {}).items()))


@settings(max_examples=400, deadline=None)
@given(file=files(), small_tables=st.booleans())
def test_column_wise_is_row_by_row(
    file: tuple[Rules, list[list[dict[str, object]]]],
    small_tables: bool,
) -> None:
    rules, chunks = file
    with pytest.MonkeyPatch.context() as patched:
        if small_tables:  # the tables fill and start afresh between chunks
            patched.setattr(validate_module, "COLUMN_TABLE_LIMIT", 3)
        columns = LoanColumns(rules)
        for rows in chunks:
            got = columns(rows)
            want = [validate_loan(row, rules) for row in rows]
            assert [_shown(r) for r in got] == [_shown(r) for r in want]


def test_a_derived_maturity_and_a_carried_customer() -> None:
    rules = Rules(
        today=TODAY,
        present=frozenset(
            {"loan_id", "customer_id", "principal", "disbursed_on", "term_months"}
            | {"guarantee", "status", "name", "phone"}
        ),
    )
    rows: list[dict[str, object]] = [
        {
            "loan_id": f"L{i}",
            "customer_id": "C1",
            "principal": "5万",
            "disbursed_on": "2026年1月31日",
            "term_months": "1",
            "guarantee": "信用",
            "status": "正常",
            "name": name,
            "phone": phone,
        }
        for i, (name, phone) in enumerate([("张三", "13800138000"), ("", "x"), ("李四", "bad")])
    ]
    got = LoanColumns(rules)(rows)
    assert [_shown(r) for r in got] == [_shown(validate_loan(row, rules)) for row in rows]
    first = got[0]
    assert isinstance(first, dict)
    assert first["matures_on"] == "2026-02-28"
    assert first["customer"] == {"name": "张三", "phone": "13800138000", "customer_id": "C1"}
    assert "customer" not in got[1]  # a blank name leaves the customer as it is
    assert isinstance(got[2], Rejected)


ALL_PRESENT = frozenset(CELLS) - {"name", "phone", "id_number", "officer"}


@pytest.mark.parametrize(
    "present",
    [ALL_PRESENT, ALL_PRESENT | {"name", "phone"}, ALL_PRESENT - {"matures_on"}],
    ids=["loans", "with customers", "terms only"],
)
@pytest.mark.parametrize("order", [None, "dmy"])
def test_every_single_cell_change(present: frozenset[str], order: str | None) -> None:
    """Each good row with each one cell replaced by each messy value: every rule
    across fields is met alone (a date after today, a closed loan without its
    day, an instalment after maturity …)."""
    rules = Rules(today=TODAY, present=present, date_order=order)
    values: dict[str, list[object]] = {}
    for field, strategy in CELLS.items():
        values[field] = list(strategy.elements)  # type: ignore[attr-defined]
    non_text = list(NON_TEXT.elements)  # type: ignore[attr-defined]
    rows: list[dict[str, object]] = []
    for start in BASES:
        row = {k: v for k, v in start.items() if k in present}
        rows.append(row)
        for field in sorted(present):
            for value in [*values[field], *non_text]:
                rows.append({**row, field: value})
    columns = LoanColumns(rules)
    got = columns(rows)
    want = [validate_loan(row, rules) for row in rows]
    assert [_shown(r) for r in got] == [_shown(r) for r in want]
    assert sum(isinstance(r, dict) for r in got) > len(rows) // 4  # many take the fast path
    assert [_shown(r) for r in columns(rows[::-1])] == [_shown(r) for r in want[::-1]]


@settings(max_examples=300, deadline=None)
@given(
    cells=st.lists(
        st.one_of(
            st.text(alphabet="Ab9_-\n .", min_size=0, max_size=34),
            st.sampled_from(["L1", "x" * 32, "x" * 33, "A\nB", "", None, 5]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_plain_ids_is_norm_id_of_each_cell(cells: list[object]) -> None:
    """A column of ids passes at once exactly when norm_id keeps each cell as it is."""
    from retain.importing.normalise import Invalid, norm_id, plain_ids

    def same(cell: object) -> bool:
        try:
            return norm_id(cell) == cell
        except Invalid:
            return False

    assert plain_ids(cells) == all(same(cell) for cell in cells)
