"""Properties of the row rules (retain.importing.validate).

A valid row validates to the same canonical record however its cells are
spelled (full-width digits, ¥/thousands separators/万元, date forms, Chinese or
English enum words, phone and ID number punctuation); one invalid cell in an
otherwise valid row always rejects that row for that field alone.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from retain.dates import add_months
from retain.importing.normalise import GUARANTEE_ZH, GUARANTEES, STATUS_ZH, STATUSES
from retain.importing.validate import (
    CUSTOMER_DETAIL_FIELDS,
    DEFAULT_CEILING_FEN,
    Rejected,
    Rules,
    validate_customer,
    validate_loan,
)

TODAY = dt.date(2026, 12, 1)
CUSTOMER_COLUMNS = frozenset({"customer_id", *CUSTOMER_DETAIL_FIELDS})
LOAN_COLUMNS = frozenset(
    {
        "loan_id",
        "customer_id",
        "principal",
        "disbursed_on",
        "matures_on",
        "guarantee",
        "status",
        "closed_on",
        "balance",
        "rate",
        "days_past_due",
        "product",
    }
)
CUSTOMER_RULES = Rules(today=TODAY, present=CUSTOMER_COLUMNS)
# No principal floor, no earliest date: these properties are about spellings (the
# limits have their own tests in tests/test_import_reasons.py).
NO_LIMITS = {"floor_fen": 1, "earliest": dt.date(1900, 1, 1)}
LOAN_RULES = Rules(today=TODAY, present=LOAN_COLUMNS, **NO_LIMITS)  # type: ignore[arg-type]
# A loans file that also carries its customers' columns.
COMBINED_RULES = Rules(
    today=TODAY,
    present=LOAN_COLUMNS | CUSTOMER_COLUMNS,
    **NO_LIMITS,  # type: ignore[arg-type]
)

Spell = Callable[[Any], object]
Draw = Callable[..., Any]  # st.DrawFn or st.DataObject.draw


def full_width(text: str) -> str:
    """ASCII letters, digits and punctuation as their full-width forms (NFKC undoes it)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def padded(text: str) -> str:
    return f" \u3000{text}\t "


def spelled(draw: Draw, value: Any, spellings: list[Spell]) -> object:
    return draw(st.sampled_from(spellings))(value)


# ---------------------------------------------------------------------------
# canonical values and their spellings

IDS = st.from_regex(r"[A-Za-z0-9_-]{1,32}", fullmatch=True)
ID_SPELLINGS: list[Spell] = [lambda s: s, padded, full_width]

NAMES = st.text(
    alphabet=st.sampled_from("王李张刘陈杨黄赵吴周䶮𠀀ABCabc·"), min_size=1, max_size=64
)
# Free text as stored: no edge whitespace, inner spaces kept.
TEXTS = st.builds(
    lambda first, rest: (first + rest).rstrip(),
    st.sampled_from("批发零售餐饮经营贷ABCabc-=+"),
    st.text(alphabet=st.sampled_from("批发零售餐饮经营贷 ABCabc-=+"), max_size=199),
)
PHONES = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
PHONE_SPELLINGS: list[Spell] = [
    lambda p: p,
    lambda p: f"{p[:3]} {p[3:7]} {p[7:]}",
    lambda p: f"{p[:3]}-{p[3:7]}-{p[7:]}",
    lambda p: f"({p[:3]}) {p[3:]}",
    lambda p: f"+86 {p}",
    lambda p: f"0086{p}",
    lambda p: f"86{p}",
    lambda p: f"'{p}",
    lambda p: full_width(p),
    int,
]
IDN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    region = draw(st.from_regex(r"[1-6][0-9]{5}", fullmatch=True))
    birth = draw(st.dates(dt.date(1900, 1, 1), TODAY))
    seq = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    first17 = f"{region}{birth:%Y%m%d}{seq}"
    total = sum(int(c) * w for c, w in zip(first17, IDN_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


IDN_SPELLINGS: list[Spell] = [
    lambda s: s,
    lambda s: s.lower(),
    lambda s: f"'{s}",
    lambda s: f"{s[:6]} {s[6:14]} {s[14:]}",
    full_width,
]


def _yuan(fen: int, grouped: bool = False) -> str:
    whole, cents = divmod(fen, 100)
    text = f"{whole:,}" if grouped else str(whole)
    return f"{text}.{cents:02d}"


def _wan(fen: int) -> str:
    return format(Decimal(fen).scaleb(-6).normalize(), "f") + "万"


MONEY_SPELLINGS: list[Spell] = [
    lambda f: _yuan(f),
    lambda f: _yuan(f, grouped=True),
    lambda f: "¥" + _yuan(f, grouped=True),
    lambda f: "￥" + _yuan(f),
    lambda f: "RMB " + _yuan(f),
    lambda f: "人民币" + _yuan(f) + "元",
    lambda f: _yuan(f, grouped=True) + "元",
    _wan,
    lambda f: _wan(f) + "元",
    lambda f: full_width(_yuan(f, grouped=True)),
    lambda f: float(_yuan(f)),
    lambda f: padded(_yuan(f)),
]
WHOLE_YUAN_SPELLINGS: list[Spell] = [lambda f: f // 100, lambda f: str(f // 100)]

EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_SPELLINGS: list[Spell] = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}-{d.month}-{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}年{d.month:02d}月{d.day:02d}号",
    lambda d: f"{d:%Y%m%d}",
    lambda d: int(f"{d:%Y%m%d}"),
    lambda d: f"{d.isoformat()} 00:00:00",
    lambda d: f"{d.isoformat()}T09:30",
    lambda d: d,
    lambda d: dt.datetime(d.year, d.month, d.day),
    lambda d: (d - EXCEL_EPOCH).days,
    lambda d: float((d - EXCEL_EPOCH).days),
    lambda d: full_width(d.isoformat()),
    lambda d: full_width(f"{d.year}年{d.month}月{d.day}日"),
]


def guarantee_spellings(g: str) -> list[str]:
    zh = GUARANTEE_ZH[g]
    return [g, g.upper(), g.title(), f"{g} loan", zh, f"{zh}担保", f"{zh}贷款", padded(zh)]


def status_spellings(s: str) -> list[str]:
    zh = STATUS_ZH[s]
    words = [s, s.upper(), s.replace("_", " ").title(), s.replace("_", "-"), zh, padded(zh)]
    if s != "active":
        words.append(f"已{zh}")
    return words


RATE_SPELLINGS: list[Spell] = [lambda r: r, lambda r: f"{r}%", lambda r: f"{r} %", full_width]


# ---------------------------------------------------------------------------
# customers


@st.composite
def customers(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "customer_id": draw(IDS),
        "name": draw(NAMES),
        "phone": draw(st.none() | PHONES),
        "id_number": draw(st.none() | id_numbers()),
        "industry": draw(st.none() | TEXTS),
        "officer": draw(st.none() | TEXTS),
        "segment": draw(st.none() | TEXTS),
    }


def spell_customer(draw: Draw, c: dict[str, Any]) -> dict[str, object]:
    def optional(value: Any, spellings: list[Spell]) -> object:
        if value is None:
            return draw(st.sampled_from([None, "", "  ", "\u3000"]))
        return spelled(draw, value, spellings)

    return {
        "customer_id": spelled(draw, c["customer_id"], ID_SPELLINGS),
        "name": draw(st.sampled_from([c["name"], f" {c['name']} ", f"\u3000{c['name']}"])),
        "phone": optional(c["phone"], PHONE_SPELLINGS),
        "id_number": optional(c["id_number"], IDN_SPELLINGS),
        "industry": optional(c["industry"], [lambda s: s, lambda s: f"  {s}  "]),
        "officer": optional(c["officer"], [lambda s: s]),
        "segment": optional(c["segment"], [lambda s: s]),
    }


@settings(max_examples=300, deadline=None)
@given(data=st.data(), customer=customers())
def test_a_valid_customer_row_validates_to_its_canonical_record(
    data: st.DataObject, customer: dict[str, Any]
) -> None:
    cells = spell_customer(data.draw, customer)
    assert validate_customer(cells, CUSTOMER_RULES) == customer


@settings(max_examples=100, deadline=None)
@given(customer=customers())
def test_only_the_file_s_columns_are_in_the_record(customer: dict[str, Any]) -> None:
    rules = Rules(today=TODAY, present=frozenset({"customer_id", "name", "phone"}))
    assert validate_customer(customer, rules) == {
        k: customer[k] for k in ("customer_id", "name", "phone")
    }


BAD_CUSTOMER_CELLS: dict[str, list[object]] = {
    "customer_id": ["", "4.27E+22", "a b", "x" * 33, dt.date(2026, 1, 1), True],
    "name": ["", "  ", "a\x00b", "名" * 65],
    "phone": ["12345", "23812345678", "010-12345678", "138123456789", True],
    "id_number": [
        "110105194912310022",  # wrong check character
        "110105194902300021",  # no such birth date
        "110105491231002",  # 15 digits
        "1.10105E+17",
        "110105290012310021",  # born after today
    ],
    "industry": ["x" * 201, "a\x07b"],
    "officer": ["x" * 201],
    "segment": ["a\x1fb"],
}


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    customer=customers(),
    bad=st.sampled_from([(f, v) for f, vs in BAD_CUSTOMER_CELLS.items() for v in vs]),
)
def test_one_invalid_customer_cell_rejects_the_row_for_that_field(
    data: st.DataObject, customer: dict[str, Any], bad: tuple[str, object]
) -> None:
    field, value = bad
    cells = spell_customer(data.draw, customer)
    cells[field] = value
    result = validate_customer(cells, CUSTOMER_RULES)
    assert isinstance(result, Rejected)
    assert result.fields == field
    assert result.key == (None if field == "customer_id" else customer["customer_id"])
    assert str(result.reason) and result.reason.render("zh")


# ---------------------------------------------------------------------------
# loans


@st.composite
def loans(draw: st.DrawFn) -> dict[str, Any]:
    disbursed = draw(st.dates(dt.date(2000, 1, 1), TODAY))
    matures = disbursed + dt.timedelta(days=draw(st.integers(1, 12_000)))
    status = draw(st.sampled_from(STATUSES))
    closed: dt.date | None = None
    if status == "closed" or (status == "written_off" and draw(st.booleans())):
        closed = disbursed + dt.timedelta(days=draw(st.integers(0, (TODAY - disbursed).days)))
    money = st.integers(1, DEFAULT_CEILING_FEN)
    rate = draw(st.none() | st.decimals(0, 100, places=2).map(lambda d: format(d.normalize(), "f")))
    return {
        "loan_id": draw(IDS),
        "customer_id": draw(IDS),
        "principal": draw(money),
        "disbursed_on": disbursed.isoformat(),
        "matures_on": matures.isoformat(),
        "guarantee": draw(st.sampled_from(GUARANTEES)),
        "status": status,
        "closed_on": closed.isoformat() if closed else None,
        "balance": draw(st.none() | st.just(0) | money),
        "rate": rate,
        "days_past_due": draw(st.none() | st.integers(0, 3650)),
        "product": draw(st.none() | TEXTS),
    }


def spell_loan(draw: Draw, loan: dict[str, Any]) -> dict[str, object]:
    def blank() -> object:
        return draw(st.sampled_from([None, "", " ", "\u3000"]))

    def money(fen: int | None) -> object:
        if fen is None:
            return blank()
        if fen == 0:
            return draw(st.sampled_from([0, "0", "0.00", "¥0", "0元", "０"]))
        spellings = MONEY_SPELLINGS + (WHOLE_YUAN_SPELLINGS if fen % 100 == 0 else [])
        return spelled(draw, fen, spellings)

    def date(iso: str | None) -> object:
        if iso is None:
            return blank()
        return spelled(draw, dt.date.fromisoformat(iso), DATE_SPELLINGS)

    dpd = loan["days_past_due"]
    return {
        "loan_id": spelled(draw, loan["loan_id"], ID_SPELLINGS),
        "customer_id": spelled(draw, loan["customer_id"], ID_SPELLINGS),
        "principal": money(loan["principal"]),
        "disbursed_on": date(loan["disbursed_on"]),
        "matures_on": date(loan["matures_on"]),
        "guarantee": draw(st.sampled_from(guarantee_spellings(loan["guarantee"]))),
        "status": draw(st.sampled_from(status_spellings(loan["status"]))),
        "closed_on": date(loan["closed_on"]),
        "balance": money(loan["balance"]),
        "rate": blank() if loan["rate"] is None else spelled(draw, loan["rate"], RATE_SPELLINGS),
        "days_past_due": blank()
        if dpd is None
        else draw(st.sampled_from([dpd, str(dpd), float(dpd), full_width(str(dpd))])),
        "product": blank() if loan["product"] is None else padded(loan["product"]),
    }


@settings(max_examples=300, deadline=None)
@given(data=st.data(), loan=loans())
def test_a_valid_loan_row_validates_to_its_canonical_record(
    data: st.DataObject, loan: dict[str, Any]
) -> None:
    cells = spell_loan(data.draw, loan)
    assert validate_loan(cells, LOAN_RULES) == loan


@settings(max_examples=200, deadline=None)
@given(data=st.data(), loan=loans(), customer=customers())
def test_a_loan_row_carries_its_customer(
    data: st.DataObject, loan: dict[str, Any], customer: dict[str, Any]
) -> None:
    customer = {**customer, "customer_id": loan["customer_id"]}
    customer_cells = spell_customer(data.draw, customer)
    del customer_cells["customer_id"]  # one column feeds both
    cells = {**spell_loan(data.draw, loan), **customer_cells}
    assert validate_loan(cells, COMBINED_RULES) == {**loan, "customer": customer}


@settings(max_examples=200, deadline=None)
@given(data=st.data(), loan=loans(), months=st.integers(1, 360), wan=st.booleans())
def test_term_months_gives_the_maturity_and_wan_columns_scale(
    data: st.DataObject, loan: dict[str, Any], months: int, wan: bool
) -> None:
    present = (LOAN_COLUMNS - {"matures_on"}) | {"term_months"}
    wan_fields = frozenset({"principal"} if wan else ())
    rules = Rules(today=TODAY, present=present, wan_fields=wan_fields, **NO_LIMITS)  # type: ignore[arg-type]
    cells = spell_loan(data.draw, loan)
    del cells["matures_on"]
    cells["term_months"] = data.draw(st.sampled_from([months, str(months), f" {months} "]))
    if wan:
        cells["principal"] = format(Decimal(loan["principal"]).scaleb(-6).normalize(), "f")
    matures = add_months(dt.date.fromisoformat(loan["disbursed_on"]), months).isoformat()
    expected = {**loan, "matures_on": matures, "term_months": months}
    assert validate_loan(cells, rules) == expected


BAD_LOAN_CELLS: dict[str, list[object]] = {
    "loan_id": ["", "4.27E+22", "a/b", "x" * 33, dt.datetime(2026, 1, 1)],
    "customer_id": ["", "1.5e10", "客户1"],
    "principal": ["", "-5", "0", "十万", "待定", "1.234", "¥abc", "20,000,000.01", 1e300, False],
    "disbursed_on": ["", "2026-02-30", "5/1/2026", "tomorrow", -1.0],
    "matures_on": ["", "2026-13-01", "soon", "0/0/0"],
    "guarantee": ["", "unknown", "信用卡", 1],
    "status": ["", "maybe", "进行中"],
    "balance": ["-1", "abc", "1.001", "1e5"],
    "rate": ["101", "-1", "abc", "100.5%"],
    "days_past_due": ["-2", "1.5", "x", True],
    "product": ["x" * 201, "a\x00b"],
}


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    loan=loans(),
    bad=st.sampled_from([(f, v) for f, vs in BAD_LOAN_CELLS.items() for v in vs]),
)
def test_one_invalid_loan_cell_rejects_the_row_for_that_field(
    data: st.DataObject, loan: dict[str, Any], bad: tuple[str, object]
) -> None:
    field, value = bad
    cells = spell_loan(data.draw, loan)
    cells[field] = value
    result = validate_loan(cells, LOAN_RULES)
    assert isinstance(result, Rejected), result
    assert result.fields == field, (result.fields, str(result.reason))
    assert result.key == (None if field == "loan_id" else loan["loan_id"])


@settings(max_examples=200, deadline=None)
@given(data=st.data(), loan=loans())
def test_closed_on_follows_the_status(data: st.DataObject, loan: dict[str, Any]) -> None:
    cells = spell_loan(data.draw, loan)
    if loan["status"] in ("active", "overdue"):
        cells["closed_on"] = loan["disbursed_on"]  # an open loan with a closing date
    elif loan["status"] == "closed":
        cells["closed_on"] = None  # a closed loan without one
    else:
        cells["closed_on"] = (TODAY + dt.timedelta(days=1)).isoformat()  # closed in the future
    result = validate_loan(cells, LOAN_RULES)
    assert isinstance(result, Rejected)
    assert result.fields == "closed_on"


@settings(max_examples=100, deadline=None)
@given(data=st.data(), loan=loans())
def test_several_faults_name_each_field_once_in_order(
    data: st.DataObject, loan: dict[str, Any]
) -> None:
    cells = spell_loan(data.draw, loan)
    cells.update(loan_id="a b", principal="待定", status="maybe", rate="abc")
    result = validate_loan(cells, LOAN_RULES)
    assert isinstance(result, Rejected)
    assert result.fields == "loan_id; principal; status; rate"
    assert str(result.reason).startswith("loan_id: ")


@settings(max_examples=100, deadline=None)
@given(data=st.data(), loan=loans())
def test_validation_is_pure(data: st.DataObject, loan: dict[str, Any]) -> None:
    cells = spell_loan(data.draw, loan)
    before = dict(cells)
    assert validate_loan(cells, LOAN_RULES) == validate_loan(cells, LOAN_RULES)
    assert cells == before


def test_full_width_helper_is_undone_by_nfkc() -> None:
    assert unicodedata.normalize("NFKC", full_width("¥1,234.50 2026/1/5")) == "¥1,234.50 2026/1/5"
