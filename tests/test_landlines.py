"""Landlines (issue 9, item 3): small businesses list a 座机, not a mobile.

The importer accepts a mainland landline with its area code (and an extension),
stores it as ``AREA-NUMBER[-EXT]`` (``0371-67891234-801``) with the phone's kind
(``customers.phone_kind``: ``mobile`` / ``landline``), shows it masked like a
mobile (``0371-****1234-801``) and never texts it: the customer SMS export counts
a landline customer under "no usable mobile phone". Officers still call it.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.importing.normalise import Invalid, norm_phone
from retain.output import mask_phone
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, Result

PHONE_REASON = "not a valid mobile or landline number (with area code)"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
CANONICAL = re.compile(
    r"1[3-9][0-9]{9}"
    r"|0(?:10|2[0-9])-[2-9][0-9]{7}(?:-[0-9]{1,6})?"
    r"|0[3-9][0-9]{2}-[2-9][0-9]{6,7}(?:-[0-9]{1,6})?"
)


def accepted(value: object) -> str | None:
    try:
        return norm_phone(value)
    except Invalid:
        return None


# ---------------------------------------------------------------------------
# The parser (retain.importing.normalise.norm_phone)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("0371-6789 1234", "0371-67891234"),
        ("(010)88886666", "010-88886666"),
        ("（010）8888 6666", "010-88886666"),
        ("0371-67891234-801", "0371-67891234-801"),
        ("0371-6789 1234-801", "0371-67891234-801"),
        ("0371-67891234转801", "0371-67891234-801"),
        ("0371 6789 1234 转 801", "0371-67891234-801"),
        ("010-88886666 分机 8012", "010-88886666-8012"),
        ("010-88886666 ext. 12", "010-88886666-12"),
        ("010-88886666 x12", "010-88886666-12"),
        ("+86 10 8888 6666", "010-88886666"),
        ("+86-371-6789-1234", "0371-67891234"),
        ("0086 (0)755 8888 6666", "0755-88886666"),
        ("'075588886666", "0755-88886666"),
        ("0898-6512345", "0898-6512345"),  # a 7-digit local number (smaller cities)
        ("0898-6512345-8", "0898-6512345-8"),
        ("021.6234.5678", "021-62345678"),
        ("13812348001", "13812348001"),  # mobiles as before
        ("+86 138-1234-8001", "13812348001"),
    ],
)
def test_landline_spellings_are_accepted_in_canonical_form(raw: str, stored: str) -> None:
    assert norm_phone(raw) == stored


@pytest.mark.parametrize(
    "raw",
    [
        "88886666",  # no area code: which city?
        "010-8888666",  # 010 and 02X numbers have 8 digits
        "010-888866661",
        "0371-123456",
        "0371-678912345",
        "0371-12345678",  # a local number never starts with 1 (or 0)
        "0371-02345678",
        "0123-6789123",  # not an area code
        "001-88886666",
        "0371-67891234-1234567",  # an extension has at most 6 digits
        "0371-67891234转",
        "0371-67891234 ext",
        "400-810-8888",  # a service number, not the customer's phone
        "0371-6789abcd",
        "013812348001",
    ],
)
def test_not_a_landline_is_still_rejected(raw: str) -> None:
    with pytest.raises(Invalid) as caught:
        norm_phone(raw)
    assert caught.value.reason == PHONE_REASON


AREAS_8 = st.from_regex(r"0(10|2[0-9])", fullmatch=True)
AREAS_7_8 = st.from_regex(r"0[3-9][0-9]{2}", fullmatch=True)


@st.composite
def landlines(draw: st.DrawFn) -> tuple[str, str, str]:
    """(area code, local number, extension or "")."""
    if draw(st.booleans()):
        area, number = draw(AREAS_8), draw(st.from_regex(r"[2-9][0-9]{7}", fullmatch=True))
    else:
        area = draw(AREAS_7_8)
        number = draw(st.from_regex(r"[2-9][0-9]{6,7}", fullmatch=True))
    ext = draw(st.just("") | st.from_regex(r"[0-9]{1,6}", fullmatch=True))
    return area, number, ext


AREA_SPELLINGS = ["{a}-", "{a} ", "{a}", "({a})", "（{a}）", "({a}) ", "+86 {b} ", "0086-{b}-"]
EXT_SPELLINGS = ["-{e}", " - {e}", "转{e}", " 转 {e}", "分机{e}", " ext. {e}", "x{e}", "#{e}"]


@settings(max_examples=300, deadline=None)
@given(
    phone=landlines(),
    area_spelling=st.sampled_from(AREA_SPELLINGS),
    ext_spelling=st.sampled_from(EXT_SPELLINGS),
    split=st.booleans(),
    fullwidth=st.booleans(),
    quote=st.booleans(),
)
def test_landline_round_trip(
    phone: tuple[str, str, str],
    area_spelling: str,
    ext_spelling: str,
    split: bool,
    fullwidth: bool,
    quote: bool,
) -> None:
    """However an export spells a landline, it is stored as AREA-NUMBER[-EXT]."""
    area, number, ext = phone
    local = f"{number[:-4]} {number[-4:]}" if split else number
    text = area_spelling.format(a=area, b=area[1:]) + local
    if ext:
        text += ext_spelling.format(e=ext)
    if fullwidth:
        text = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)
    if quote:
        text = "'" + text
    expected = f"{area}-{number}" + (f"-{ext}" if ext else "")
    assert norm_phone(text) == expected


PHONE_ALPHABET = st.sampled_from(list("0123456789 -()+.#x转分机ext'（）０１８"))


@settings(max_examples=500, deadline=None)
@given(text=st.text(PHONE_ALPHABET, max_size=24) | st.text(max_size=24))
def test_whatever_is_accepted_is_canonical_and_stable(text: str) -> None:
    """Never garbage: anything accepted is a canonical mobile or landline made of
    the cell's own digits (a ``+86`` landline gets back its leading 0), and
    parsing it again gives itself."""
    phone = accepted(text)
    if phone is None:
        return
    assert CANONICAL.fullmatch(phone), (text, phone)
    assert norm_phone(phone) == phone
    digits = "".join(c for c in unicodedata.normalize("NFKC", text) if c.isdigit())
    stored = phone.replace("-", "")
    assert _subsequence(stored, digits), (text, phone)


def _subsequence(small: str, big: str) -> bool:
    """``small`` is ``big`` with digits left out (and maybe a leading 0 added)."""
    it = iter("0" + big)
    return all(c in it for c in small)


@settings(max_examples=200, deadline=None)
@given(phone=landlines(), extra=st.from_regex(r"[0-9]", fullmatch=True), drop=st.booleans())
def test_a_digit_too_many_or_too_few_is_rejected(
    phone: tuple[str, str, str], extra: str, drop: bool
) -> None:
    area, number, _ = phone
    wrong = number[:-1] if drop else number + extra
    if len(area) == 4 and len(wrong) in (7, 8):
        wrong = wrong[:-2] if drop else wrong + extra  # 4-digit areas take 7 or 8
    assert accepted(f"{area}-{wrong}") is None


@settings(max_examples=200, deadline=None)
@given(phone=landlines())
def test_masked_landline_keeps_area_last_four_and_extension(phone: tuple[str, str, str]) -> None:
    area, number, ext = phone
    stored = f"{area}-{number}" + (f"-{ext}" if ext else "")
    masked = mask_phone(stored)
    assert masked == f"{area}-{'*' * (len(number) - 4)}{number[-4:]}" + (f"-{ext}" if ext else "")
    assert number not in masked


# ---------------------------------------------------------------------------
# Through the CLI


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def rows(cli: Cli, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in cli.sql(sql)]


@pytest.fixture
def shops(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    """A shop with a landline, one with a mobile, one with a landline and extension,
    each with a loan maturing on 2026-12-03 (texted on 2026-12-01)."""
    ok(cli("config", "set", "data.stale_after_days", "60"))
    customers = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER,
            ["C1", "老王粮油店", "0371-6789 1234", "", "粮油", "王芳", ""],
            ["C2", "李秀英", "13912348002", "", "烟酒", "王芳", ""],
            ["C3", "张记五金", "(010)88886666转801", "", "五金", "王芳", ""],
        ],
    )
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            *(
                [f"L{i}", f"C{i}", "50000", "2026-01-05", "2026-12-03", "信用", "正常", "", "", ""]
                for i in (1, 2, 3)
            ),
        ],
    )
    ok(cli("import", "customers", str(customers)))
    ok(cli("import", "loans", str(loans)))
    return cli


def test_import_accepts_landlines_and_stores_their_kind(shops: Cli) -> None:
    assert rows(shops, "SELECT customer_id, phone, phone_kind FROM customers ORDER BY 1") == [
        ("C1", "0371-67891234", "landline"),
        ("C2", "13912348002", "mobile"),
        ("C3", "010-88886666-801", "landline"),
    ]


def test_reimporting_the_same_landlines_changes_nothing(
    shops: Cli, make_csv: Callable[..., Path]
) -> None:
    path = make_csv(
        "again.csv",
        [CUSTOMER_HEADER, ["C1", "老王粮油店", "0371 67891234", "", "粮油", "王芳", ""]],
    )
    report = ok(shops("import", "customers", str(path), "--format", "json")).json()
    assert report["unchanged"] == 1 and report["updated"] == 0


def test_a_bad_landline_is_rejected_with_a_phone_reason(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    path = make_csv(
        "customers.csv", [CUSTOMER_HEADER, ["C1", "老王粮油店", "8888 6666", "", "", "", ""]]
    )
    result = cli("import", "customers", str(path))
    assert result.exit_code == 3
    assert f"row 2, phone: {PHONE_REASON}" in result.stderr


def test_show_masks_a_landline_and_says_it_takes_no_sms(shops: Cli) -> None:
    env = {"RETAIN_TTY": "1", "COLUMNS": "220"}
    text = ANSI.sub("", ok(shops("show", "C3", env=env)).stdout)
    assert "010-****6666-801" in text and "88886666" not in text
    assert "landline" in text
    revealed = ANSI.sub("", ok(shops("show", "C3", "--reveal", env=env)).stdout)
    assert "010-88886666-801" in revealed
    zh = ANSI.sub("", ok(shops("--lang", "zh", "show", "C1", env=env)).stdout)
    assert "0371-****1234" in zh and "固定电话" in zh


def test_calls_list_landline_customers_with_the_masked_number(shops: Cli) -> None:
    listed = json.loads(ok(shops("calls", "--format", "json")).stdout)
    phones = {row["customer_id"]: row["phone"] for row in listed}
    assert phones == {"C1": "0371-****1234", "C2": "139****8002", "C3": "010-****6666-801"}
    revealed = json.loads(ok(shops("calls", "--format", "json", "--reveal")).stdout)
    assert {row["phone"] for row in revealed} >= {"0371-67891234", "010-88886666-801"}
    table = ANSI.sub("", ok(shops("calls", env={"RETAIN_TTY": "1", "COLUMNS": "220"})).stdout)
    assert "0371-****1234" in table and "67891234" not in table


def test_lists_and_officer_exports_mask_landlines(shops: Cli) -> None:
    due = ok(shops("due", "--days", "30", "--format", "csv")).stdout
    assert "0371-****1234" in due and "67891234" not in due
    officer = json.loads(
        ok(shops("export", "reminders", "--format", "json", "--days", "3", "--quiet")).stdout
    )
    assert {row["phone"] for row in officer if row["customer_id"] == "C3"} == {"010-****6666-801"}


def test_no_sms_to_a_landline_counted_as_no_usable_mobile(shops: Cli) -> None:
    result = ok(
        shops(
            "export", "reminders", "--audience", "customer", "--format", "json", "--days", "0",
            today="2026-12-01",
        )
    )  # fmt: skip
    texts = json.loads(result.stdout)
    assert [(row["name"], row["phone"]) for row in texts] == [("李秀英", "13912348002")]
    assert "2 customer(s) have no usable mobile phone" in result.stderr


def test_a_landline_replaced_by_a_mobile_gets_texts_again(
    shops: Cli, make_csv: Callable[..., Path]
) -> None:
    path = make_csv(
        "new-phone.csv",
        [CUSTOMER_HEADER, ["C1", "老王粮油店", "13712348001", "", "粮油", "王芳", ""]],
    )
    ok(shops("import", "customers", str(path)))
    assert rows(shops, "SELECT phone_kind FROM customers WHERE customer_id = 'C1'") == [("mobile",)]
    result = ok(
        shops(
            "export", "reminders", "--audience", "customer", "--format", "json", "--days", "0",
            today="2026-12-01",
        )
    )  # fmt: skip
    assert sorted(row["name"] for row in json.loads(result.stdout)) == ["李秀英", "老王粮油店"]
    assert "1 customer(s) have no usable mobile phone" in result.stderr


# A SQLite store from before m013 upgraded in place: a PostgreSQL store is made
# at the current schema and never runs SQLite's migration steps.
@pytest.mark.sqlite_only
def test_migration_fills_the_kind_of_stored_phones(shops: Cli) -> None:
    """A store from before m013 (mobiles, and no phone) gets each phone's kind."""
    with sqlite3.connect(shops.db) as conn:
        conn.execute("UPDATE customers SET phone = '13812348001' WHERE customer_id != 'C2'")
        conn.execute("INSERT INTO customers (customer_id, name, created_at, updated_at)"
                     " VALUES ('C4', '无号码', 'x', 'x')")  # fmt: skip
        conn.execute("ALTER TABLE customers DROP COLUMN phone_kind")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm013_phone_kind'")
    ok(shops("calls", "--format", "json"))  # any command opens (and migrates) the store
    assert rows(shops, "SELECT customer_id, phone_kind FROM customers ORDER BY 1") == [
        ("C1", "mobile"),
        ("C2", "mobile"),
        ("C3", "mobile"),
        ("C4", None),
    ]
