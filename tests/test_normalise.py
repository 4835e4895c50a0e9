"""Tests for retain.importing.normalise: one focused test per rule, plus properties."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from retain.importing.normalise import (
    GUARANTEE_ZH,
    GUARANTEES,
    STATUS_ZH,
    STATUSES,
    Invalid,
    clean,
    id_check_char,
    norm_date,
    norm_guarantee,
    norm_id,
    norm_id_number,
    norm_money,
    norm_name,
    norm_nonneg_int,
    norm_phone,
    norm_rate,
    norm_status,
    norm_text,
)

TODAY = "2026-01-10"


def valid_idn(first17: str) -> str:
    return first17 + id_check_char(first17)


def reason(fn: Callable[..., object], *args: object, **kwargs: object) -> str:
    with pytest.raises(Invalid) as info:
        fn(*args, **kwargs)
    assert isinstance(info.value, ValueError)
    return info.value.reason


# ---------------------------------------------------------------------------
# constants and Invalid


def test_every_value_and_its_chinese_name_normalise_to_the_value() -> None:
    """The tables the code shows values with are the ones the importer accepts."""
    assert set(GUARANTEE_ZH) == set(GUARANTEES)
    assert set(STATUS_ZH) == set(STATUSES)
    for value, zh in GUARANTEE_ZH.items():
        assert norm_guarantee(value) == value
        assert norm_guarantee(zh) == value
    for value, zh in STATUS_ZH.items():
        assert norm_status(value) == value
        assert norm_status(zh) == value


def test_invalid_carries_reason() -> None:
    err = Invalid("not a valid mobile number")
    assert isinstance(err, ValueError)
    assert err.reason == "not a valid mobile number"
    assert str(err) == "not a valid mobile number"


# ---------------------------------------------------------------------------
# clean


def test_clean_scalars() -> None:
    assert clean(None) == ""
    assert clean(123) == "123"
    assert clean(123.0) == "123"
    assert clean(-0.0) == "0"
    assert clean(12.5) == "12.5"
    assert clean(float("nan")) == "nan"
    assert clean(1e22) == "1e+22"
    assert clean(dt.date(2026, 1, 5)) == "2026-01-05"


def test_clean_nfkc_and_strip() -> None:
    assert clean("１３８１２３４８００１") == "13812348001"
    assert clean("\u3000 ＡＢＣ\u00a0\t") == "ABC"
    assert clean("\ufeffabc\u200b") == "abc"
    assert clean("  \u3000 ") == ""
    assert clean(" plain ascii ") == "plain ascii"


def test_clean_rejects_bool() -> None:
    reason(clean, True)
    reason(clean, False)


# ---------------------------------------------------------------------------
# norm_id


def test_norm_id_valid() -> None:
    assert norm_id("L0001234") == "L0001234"
    assert norm_id("  c_001-a ") == "c_001-a"
    assert norm_id("ｃ００１") == "c001"
    assert norm_id(1001) == "1001"
    assert norm_id(1001.0) == "1001"
    assert norm_id("x" * 32) == "x" * 32


def test_norm_id_invalid() -> None:
    assert reason(norm_id, None) == "required"
    assert reason(norm_id, "  ") == "required"
    assert "scientific notation" in reason(norm_id, "4.27E+22")
    assert "scientific notation" in reason(norm_id, 4.27e22)
    assert "32" in reason(norm_id, "x" * 33)
    for bad in ("a b", "客户1", "a.b", "a/b", 1001.5, True, dt.date(2026, 1, 5)):
        reason(norm_id, bad)


# ---------------------------------------------------------------------------
# norm_name / norm_text


def test_norm_name_verbatim() -> None:
    assert norm_name("  张三\u3000") == "张三"
    assert norm_name("\u00a0䶮\u00a0") == "䶮"
    assert norm_name("王😀五") == "王😀五"
    assert norm_name("ＡＢＣ") == "ＡＢＣ"  # no NFKC on names
    assert norm_name('=HYPERLINK("x")') == '=HYPERLINK("x")'
    assert norm_name("n" * 64) == "n" * 64


def test_norm_name_invalid() -> None:
    assert reason(norm_name, None) == "required"
    assert reason(norm_name, "\u3000 ") == "required"
    assert "64" in reason(norm_name, "n" * 65)
    assert "control" in reason(norm_name, "张\x00三")
    assert "control" in reason(norm_name, "张\t三")
    assert "control" in reason(norm_name, "张\x85三")
    reason(norm_name, True)


def test_norm_text() -> None:
    assert norm_text(None) is None
    assert norm_text(" \u3000") is None
    assert norm_text(" 餐饮 ") == "餐饮"
    assert norm_text("t" * 200) == "t" * 200
    assert "200" in reason(norm_text, "t" * 201)
    assert "control" in reason(norm_text, "a\x07b")


# ---------------------------------------------------------------------------
# phone


@pytest.mark.parametrize(
    "raw",
    [
        "13812348001",
        13812348001,
        13812348001.0,
        "１３８１２３４８００１",
        "+86 138-1234-8001",
        "+8613812348001",
        "008613812348001",
        "0086 138 1234 8001",
        "8613812348001",
        "'13812348001",
        "(138) 1234.8001",
        " 138 1234 8001\u3000",
    ],
)
def test_norm_phone_valid(raw: object) -> None:
    assert norm_phone(raw) == "13812348001"


@pytest.mark.parametrize(
    "raw",
    ["010-12345678", "8888 6666", "12812348001", "1381234800", "138123480012", "abc", 1.5],
)
def test_norm_phone_invalid(raw: object) -> None:
    # Landlines are accepted with their area code (tests/test_landlines.py).
    assert reason(norm_phone, raw) == "not a valid mobile or landline number (with area code)"
    reason(norm_phone, True)


def test_norm_phone_blank() -> None:
    assert norm_phone(None) is None
    assert norm_phone("  ") is None


# ---------------------------------------------------------------------------
# ID number


def test_id_check_char() -> None:
    assert id_check_char("11010519491231002") == "X"  # the GB 11643 example
    assert id_check_char("44030519900101123") in "0123456789X"
    reason(id_check_char, "1234")


def test_norm_id_number_valid() -> None:
    idn = valid_idn("11010519491231002")
    assert idn.endswith("X")
    assert norm_id_number(idn, TODAY) == idn
    assert norm_id_number(idn.lower(), TODAY) == idn  # lower-case x
    assert norm_id_number("'" + idn, TODAY) == idn
    assert norm_id_number(" 110105 19491231 002x ", TODAY) == idn
    other = valid_idn("44030520260110123")  # born today
    assert norm_id_number(other, TODAY) == other
    assert norm_id_number(valid_idn("99999919000101000"), TODAY) is not None  # region unchecked
    assert norm_id_number(None, TODAY) is None
    assert norm_id_number("", TODAY) is None


def test_norm_id_number_invalid() -> None:
    good = valid_idn("11010519491231002")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    assert "check" in reason(norm_id_number, wrong, TODAY)
    assert "scientific" in reason(norm_id_number, "4.40305E+17", TODAY)
    assert "15-digit" in reason(norm_id_number, "110105491231002", TODAY)
    assert "future" in reason(norm_id_number, valid_idn("44030520260111123"), TODAY)
    assert "impossible" in reason(norm_id_number, valid_idn("44030520230229123"), TODAY)
    assert "1900" in reason(norm_id_number, valid_idn("44030518991231123"), TODAY)
    reason(norm_id_number, 4.40305e17, TODAY)
    reason(norm_id_number, good[:17] + "Y", TODAY)


# ---------------------------------------------------------------------------
# money


@pytest.mark.parametrize(
    ("raw", "fen"),
    [
        ("12345.67", 1_234_567),
        ("¥1,234.50", 123_450),
        ("￥ 1，234.5元", 123_450),
        ("RMB 100", 10_000),
        ("cny100", 10_000),
        ("人民币 100 元", 10_000),
        ("12.5万", 12_500_000),
        ("12.5万元", 12_500_000),
        ("1.2345万", 1_234_500),
        ("1.234567万", 1_234_567),
        ("1.230", 123),
        (".5", 50),
        ("100", 10_000),
        (100, 10_000),
        (12.5, 1_250),
        (0.1, 10),
        ("１２３", 12_300),
    ],
)
def test_norm_money_valid(raw: object, fen: int) -> None:
    assert norm_money(raw) == fen


def test_norm_money_wan_column() -> None:
    assert norm_money("12.5", wan=True) == 12_500_000
    assert norm_money(12.5, wan=True) == 12_500_000
    assert norm_money(3, wan=True) == 3_000_000
    assert norm_money("1.2345", wan=True) == 1_234_500
    assert norm_money("500元", wan=True) == 50_000  # explicit unit wins
    assert norm_money("2万", wan=True) == 2_000_000


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("(1,000.00)", "negative"),
        ("-5", "negative"),
        ("¥-5", "negative"),
        (-5, "negative"),
        (-5.5, "negative"),
        ("十万", "not a valid amount"),
        ("待定", "not a valid amount"),
        ("abc", "not a valid amount"),
        ("0", "greater than zero"),
        ("0.00", "greater than zero"),
        (0, "greater than zero"),
        ("1.234", "decimal"),
        ("1.2345678万", "decimal"),
        ("1E+5", "scientific"),
        ("1.5e3", "scientific"),
        ("nan", "not a valid amount"),
        (float("nan"), "not a valid amount"),
        (float("inf"), "not a valid amount"),
        ("(100", "not a valid amount"),
        (True, "not a valid amount"),
    ],
)
def test_norm_money_invalid(raw: object, why: str) -> None:
    assert why in reason(norm_money, raw)


def test_norm_money_zero_allowed_and_blank() -> None:
    assert norm_money("0", allow_zero=True) == 0
    assert norm_money(0.0, allow_zero=True) == 0
    assert norm_money(None) is None
    assert norm_money(" \u3000") is None


def test_norm_money_ceiling() -> None:
    assert norm_money("10000000") == 1_000_000_000
    assert "ceiling" in reason(norm_money, "10000000.01")
    assert "ceiling" in reason(norm_money, "2000万")
    assert "ceiling" in reason(norm_money, "9" * 500)
    assert norm_money("500", ceiling_fen=50_000) == 50_000
    assert "ceiling" in reason(norm_money, "501", ceiling_fen=50_000)


# ---------------------------------------------------------------------------
# dates


@pytest.mark.parametrize(
    "raw",
    [
        "2026-01-05",
        46027,
        46027.0,
        46027.75,
        "46027",
        "20260105",
        20260105,
        "2026年1月5日",
        "2026 年 01 月 05 日",
        "2026年1月5日 08:30",
        "２０２６年１月５日",
        "2026/1/5",
        "2026/01/05 8:30",
        "2026.1.5",
        "2026-1-5",
        "2026-01-05 08:30:00",
        "2026-01-05 08:30",
        "2026-01-05T08:30:00",
        dt.datetime(2026, 1, 5, 8, 30),
        dt.date(2026, 1, 5),
    ],
)
def test_norm_date_valid(raw: object) -> None:
    assert norm_date(raw) == "2026-01-05"


def test_norm_date_excel_serial_range() -> None:
    assert norm_date(1) == "1899-12-31"
    assert norm_date(2958465) == "9999-12-31"
    assert "serial" in reason(norm_date, 0)
    assert "serial" in reason(norm_date, 2958466)
    reason(norm_date, -1.5)


def test_norm_date_ambiguous() -> None:
    for raw in ("5/1/2026", "05-01-2026", "5.1.2026", "25/12/2026"):
        assert reason(norm_date, raw) == (
            "ambiguous day/month order; set date_order in a mapping file"
        )
    assert norm_date("5/1/2026", date_order="dmy") == "2026-01-05"
    assert norm_date("5/1/2026", date_order="mdy") == "2026-05-01"
    assert norm_date("05.01.2026 10:30", date_order="dmy") == "2026-01-05"
    assert norm_date("1/5/2026 8:30 PM", date_order="mdy") == "2026-01-05"
    assert "ymd" in reason(norm_date, "5/1/2026", date_order="ymd")
    assert norm_date("2026/1/5", date_order="dmy") == "2026-01-05"
    assert "real calendar date" in reason(norm_date, "31/2/2026", date_order="dmy")


def test_norm_date_invalid() -> None:
    for raw in ("2026-02-29", "2026-02-30", "2026-13-01", "2026年2月30日", "20260230", "2026/0/1"):
        assert "real calendar date" in reason(norm_date, raw)
    assert norm_date("2024-02-29") == "2024-02-29"
    for bad in ("tomorrow", "26/1/5", "2026-01", "2026年1月", "1.5.26", True, float("nan")):
        reason(norm_date, bad)
    assert norm_date(None) is None
    assert norm_date("  ") is None


def test_norm_date_bad_date_order_is_programming_error() -> None:
    with pytest.raises(ValueError):
        norm_date("2026-01-05", date_order="dym")


# ---------------------------------------------------------------------------
# guarantee / status


def test_norm_guarantee() -> None:
    assert norm_guarantee("信用") == "credit"
    assert norm_guarantee("保证") == "guarantee"
    assert norm_guarantee("抵押") == "mortgage"
    assert norm_guarantee("质押") == "pledge"
    assert norm_guarantee("保证担保") == "guarantee"
    assert norm_guarantee("抵押贷款") == "mortgage"
    assert norm_guarantee("信用贷款") == "credit"
    assert norm_guarantee(" Mortgage ") == "mortgage"
    assert norm_guarantee("PLEDGE") == "pledge"
    assert norm_guarantee("ｃｒｅｄｉｔ") == "credit"
    assert reason(norm_guarantee, None) == "required"
    assert reason(norm_guarantee, "房产") == (
        "unknown guarantee '房产'; expected one of 信用/保证/抵押/质押 or "
        "credit/guarantee/mortgage/pledge"
    )
    reason(norm_guarantee, "担保")
    reason(norm_guarantee, True)


def test_norm_guarantee_aliases() -> None:
    aliases = {"房产": "抵押", "Car": "pledge", "信用": "guarantee"}
    assert norm_guarantee("房产", aliases) == "mortgage"
    assert norm_guarantee("car", aliases) == "pledge"
    assert norm_guarantee("CAR", aliases) == "pledge"
    assert norm_guarantee("信用", aliases) == "guarantee"  # exact alias overrides
    assert norm_guarantee("抵押", aliases) == "mortgage"
    assert "unknown guarantee" in reason(norm_guarantee, "x", {"x": "nonsense"})


def test_norm_status() -> None:
    assert norm_status("正常") == "active"
    assert norm_status("逾期") == "overdue"
    assert norm_status("结清") == "closed"
    assert norm_status("已结清") == "closed"
    assert norm_status("核销") == "written_off"
    assert norm_status("已核销") == "written_off"
    for raw in ("written_off", "Written-Off", "written off", "WRITTEN OFF"):
        assert norm_status(raw) == "written_off"
    assert norm_status("Active") == "active"
    assert norm_status("CLOSED") == "closed"
    assert reason(norm_status, "") == "required"
    msg = reason(norm_status, "关注")
    assert "正常/逾期/结清/核销" in msg and "active/overdue/closed/written_off" in msg


def test_norm_status_aliases() -> None:
    aliases = {"还款中": "正常", "Paid": "closed"}
    assert norm_status("还款中", aliases) == "active"
    assert norm_status("PAID", aliases) == "closed"
    assert "unknown status" in reason(norm_status, "x", {"x": "gone"})


# ---------------------------------------------------------------------------
# numbers


def test_norm_nonneg_int() -> None:
    assert norm_nonneg_int("12") == 12
    assert norm_nonneg_int(12) == 12
    assert norm_nonneg_int(12.0) == 12
    assert norm_nonneg_int("12.0") == 12
    assert norm_nonneg_int("０") == 0
    assert norm_nonneg_int(0) == 0
    assert norm_nonneg_int(None) is None
    assert norm_nonneg_int(" ") is None
    assert "whole number" in reason(norm_nonneg_int, "12.5")
    assert "whole number" in reason(norm_nonneg_int, 12.5)
    assert "negative" in reason(norm_nonneg_int, "-1")
    assert "negative" in reason(norm_nonneg_int, -1)
    assert "whole number" in reason(norm_nonneg_int, "abc")
    assert "too large" in reason(norm_nonneg_int, "9" * 5000)
    reason(norm_nonneg_int, float("nan"))
    reason(norm_nonneg_int, True)


def test_norm_rate() -> None:
    assert norm_rate("4.35") == "4.35"
    assert norm_rate("4.35%") == "4.35"
    assert norm_rate(" 4.350 ％") == "4.35"
    assert norm_rate(4.35) == "4.35"
    assert norm_rate(5) == "5"
    assert norm_rate("05.00") == "5"
    assert norm_rate("100") == "100"
    assert norm_rate("0") == "0"
    assert norm_rate(".5") == "0.5"
    assert norm_rate(None) is None
    assert "above 100" in reason(norm_rate, "100.01")
    assert "above 100" in reason(norm_rate, 101)
    assert "negative" in reason(norm_rate, "-1")
    assert "negative" in reason(norm_rate, -0.5)
    for bad in ("abc", "4.35%%", "1e2", float("inf"), True):
        reason(norm_rate, bad)


# ---------------------------------------------------------------------------
# properties: never any exception but Invalid, right result type

_DENSE = st.text(
    alphabet=list("0123456789 .,-/:+()'%年月日号时万元¥￥TeEXx人民币RMBcny\u3000１２０"),
    max_size=24,
)
CELLS = st.one_of(
    st.none(),
    st.text(),
    _DENSE,
    st.integers(),
    st.integers(min_value=-(10**6), max_value=10**9),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)


def _check(fn: Callable[[object], object], value: object, types: tuple[type, ...]) -> None:
    try:
        result = fn(value)
    except Invalid as exc:
        assert isinstance(exc.reason, str) and exc.reason
        return
    assert isinstance(result, types), (value, result)


NORMALISERS: list[tuple[str, Callable[[object], object], tuple[type, ...]]] = [
    ("clean", clean, (str,)),
    ("norm_id", norm_id, (str,)),
    ("norm_name", norm_name, (str,)),
    ("norm_text", norm_text, (str, type(None))),
    ("norm_phone", norm_phone, (str, type(None))),
    ("norm_id_number", lambda v: norm_id_number(v, TODAY), (str, type(None))),
    ("norm_money", norm_money, (int, type(None))),
    ("norm_money_wan", lambda v: norm_money(v, wan=True, allow_zero=True), (int, type(None))),
    ("norm_date", norm_date, (str, type(None))),
    ("norm_date_dmy", lambda v: norm_date(v, date_order="dmy"), (str, type(None))),
    ("norm_date_mdy", lambda v: norm_date(v, date_order="mdy"), (str, type(None))),
    ("norm_guarantee", norm_guarantee, (str,)),
    ("norm_guarantee_alias", lambda v: norm_guarantee(v, {"a": "信用"}), (str,)),
    ("norm_status", norm_status, (str,)),
    ("norm_status_alias", lambda v: norm_status(v, {"a": "closed"}), (str,)),
    ("norm_nonneg_int", norm_nonneg_int, (int, type(None))),
    ("norm_rate", norm_rate, (str, type(None))),
]


@pytest.mark.parametrize(("name", "fn", "types"), NORMALISERS, ids=[n[0] for n in NORMALISERS])
@settings(max_examples=300, deadline=None)
@given(value=CELLS)
def test_only_invalid_escapes(
    name: str, fn: Callable[[object], object], types: tuple[type, ...], value: object
) -> None:
    _check(fn, value, types)


@settings(max_examples=200, deadline=None)
@given(value=CELLS)
def test_result_shapes(value: object) -> None:
    """Whatever is accepted has the documented canonical shape."""
    try:
        phone = norm_phone(value)
    except Invalid:
        phone = None
    if phone is not None:
        mobile = len(phone) == 11 and phone.isascii() and phone.isdigit()
        assert mobile or re.fullmatch(r"0[0-9]{2,3}-[2-9][0-9]{6,7}(-[0-9]{1,6})?", phone)
    try:
        day = norm_date(value)
    except Invalid:
        day = None
    if day is not None:
        assert dt.date.fromisoformat(day).isoformat() == day
    try:
        fen = norm_money(value)
    except Invalid:
        fen = None
    if fen is not None:
        assert 0 < fen <= 1_000_000_000
    try:
        rate = norm_rate(value)
    except Invalid:
        rate = None
    if rate is not None:
        assert 0 <= float(rate) <= 100


# ---------------------------------------------------------------------------
# round-trip properties

_BIRTH = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 1, 10))


@settings(max_examples=300, deadline=None)
@given(
    region=st.from_regex(r"[0-9]{6}", fullmatch=True),
    birth=_BIRTH,
    seq=st.from_regex(r"[0-9]{3}", fullmatch=True),
    wrong=st.sampled_from("0123456789X"),
)
def test_id_number_round_trip(region: str, birth: dt.date, seq: str, wrong: str) -> None:
    first17 = region + birth.strftime("%Y%m%d") + seq
    assert len(first17) == 17
    check = id_check_char(first17)
    assert norm_id_number(first17 + check, TODAY) == first17 + check
    assert norm_id_number(first17 + check.lower(), TODAY) == first17 + check
    if wrong != check:
        with pytest.raises(Invalid):
            norm_id_number(first17 + wrong, TODAY)


_SEPS = st.sampled_from(["", " ", "-", ".", "\u3000", " - "])
_PREFIXES = st.sampled_from(["", "+86", "+86 ", "0086", "0086 ", "86", "(+86) ", "'", "'+86-"])


@settings(max_examples=300, deadline=None)
@given(
    phone=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    prefix=_PREFIXES,
    sep1=_SEPS,
    sep2=_SEPS,
    fullwidth=st.booleans(),
)
def test_phone_round_trip(phone: str, prefix: str, sep1: str, sep2: str, fullwidth: bool) -> None:
    text = f"{prefix}{phone[:3]}{sep1}{phone[3:7]}{sep2}{phone[7:]}"
    if fullwidth:
        text = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)
    assert norm_phone(text) == phone


_DATES = st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31))


@settings(max_examples=300, deadline=None)
@given(day=_DATES)
def test_date_round_trip(day: dt.date) -> None:
    iso = day.isoformat()
    y, m, d = day.year, day.month, day.day
    forms = [
        iso,
        f"{y}-{m}-{d}",
        f"{y}/{m}/{d}",
        f"{y}/{m:02d}/{d:02d}",
        f"{y}.{m}.{d}",
        f"{y}年{m}月{d}日",
        f"{y} 年 {m:02d} 月 {d:02d} 日",
        f"{y:04d}{m:02d}{d:02d}",
        f"{iso} 08:30:00",
        f"{iso}T23:59",
        f"{y}/{m}/{d} 8:05",
    ]
    for form in forms:
        assert norm_date(form) == iso, form
    assert norm_date(f"{d}/{m}/{y}", date_order="dmy") == iso
    assert norm_date(f"{m}/{d}/{y}", date_order="mdy") == iso
    assert norm_date(f"{d:02d}.{m:02d}.{y}", date_order="dmy") == iso
    assert norm_date(dt.datetime(y, m, d, 13, 45)) == iso
    assert norm_date(day) == iso
    serial = day.toordinal() - dt.date(1899, 12, 30).toordinal()
    if serial >= 1:
        assert norm_date(serial) == iso
        assert norm_date(serial + 0.5) == iso


@settings(max_examples=300, deadline=None)
@given(fen=st.integers(min_value=1, max_value=1_000_000_000), style=st.integers(0, 3))
def test_money_round_trip(fen: int, style: int) -> None:
    yuan, cents = divmod(fen, 100)
    text = [
        f"¥{yuan:,}.{cents:02d}",
        f"{yuan}.{cents:02d}",
        f"￥ {yuan:,}.{cents:02d} 元",
        f"RMB{yuan:,}.{cents:02d}",
    ][style]
    assert norm_money(text) == fen
    wan, rest = divmod(fen, 1_000_000)
    assert norm_money(f"{wan}.{rest:06d}万") == fen


@settings(max_examples=300, deadline=None)
@given(fen=st.integers(min_value=1, max_value=1_000_000_000))
def test_money_float_cell_round_trip(fen: int) -> None:
    value = fen / 100  # the float an XLSX cell would hold for this amount
    assert norm_money(value) == fen


def _is_edge(ch: str) -> bool:
    return ch.isspace() or ch in "\u200b\ufeff"


_NAME_CHARS = st.characters(blacklist_categories=("Cc", "Cs"))


@settings(max_examples=300, deadline=None)
@given(
    core=st.text(_NAME_CHARS, min_size=1, max_size=64),
    left=st.sampled_from(["", " ", "\u3000", "\u00a0", "\t", " \u3000 "]),
    right=st.sampled_from(["", " ", "\u3000", "\u00a0", "\n", "\r\n"]),
)
def test_name_round_trip(core: str, left: str, right: str) -> None:
    assume(not _is_edge(core[0]) and not _is_edge(core[-1]))
    assert norm_name(left + core + right) == core
    assert norm_text(left + core + right) == core


@settings(max_examples=300, deadline=None)
@given(text=st.text(_NAME_CHARS, max_size=80))
def test_name_from_any_text(text: str) -> None:
    """Any control-free text is either stored exactly (minus edge whitespace) or rejected."""
    try:
        result = norm_name(text)
    except Invalid as exc:
        assert exc.reason in ("required", "longer than 64 characters")
        return
    assert result in text
    assert all(_is_edge(c) for c in text[: text.index(result)])
    assert all(_is_edge(c) for c in text[text.index(result) + len(result) :])


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=30))
def test_clean_is_nfkc_and_trimmed(text: str) -> None:
    result = clean(text)
    assert result == result.strip()
    assert unicodedata.is_normalized("NFKC", result)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=0, max_value=10**18 - 1))
def test_nonneg_int_round_trip(n: int) -> None:
    assert norm_nonneg_int(str(n)) == n
    assert norm_nonneg_int(n) == n
    if n < 2**53:
        assert norm_nonneg_int(float(n)) == n


@settings(max_examples=200, deadline=None)
@given(hundredths=st.integers(min_value=0, max_value=10_000))
def test_rate_round_trip(hundredths: int) -> None:
    whole, frac = divmod(hundredths, 100)
    text = f"{whole}.{frac:02d}"
    expected = text.rstrip("0").rstrip(".")
    assert norm_rate(text) == expected
    assert norm_rate(text + "%") == expected
    assert math.isclose(float(expected), hundredths / 100)
