"""Canonical import fields, header aliases and mapping files.

An export from a core-banking system or a hand-kept Excel sheet names its
columns in many ways (``客户编号``, ``Customer ID``, ``贷款金额（万元）`` …).
This module turns one header row into a :class:`HeaderLayout` — which column
feeds which canonical field — and loads the optional TOML mapping file that
renames columns, sets options, supplies defaults and translates values.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

from retain.errors import UsageError
from retain.i18n import Joined, Msg, Text, msg
from retain.importing.normalise import DATE_ORDERS

Kind = Literal["customers", "loans", "schedule", "guarantors", "prospects", "holdings"]

CUSTOMER_FIELDS = ("customer_id", "name", "phone", "id_number", "industry", "officer", "segment")
LOAN_FIELDS = (
    "loan_id",
    "customer_id",
    "principal",
    "disbursed_on",
    "matures_on",
    "term_months",
    "guarantee",
    "status",
    "closed_on",
    "balance",
    "rate",
    "days_past_due",
    "product",
    "collateral_insurance_expires",
    "collateral_certificate_expires",
    # The next unpaid instalment, for systems that export no full schedule.
    "next_due_on",
    "next_due_amount",
    "next_due_period",
)
#: One instalment of a repayment schedule (还款计划): a row per loan and period.
SCHEDULE_FIELDS = (
    "loan_id",
    "period",
    "due_on",
    "principal_due",
    "interest_due",
    "paid_on",
    "paid_amount",
)
#: A guarantors file: one row per guarantor of a loan (a loan may have several).
GUARANTOR_FIELDS = ("loan_id", "name", "phone", "relation", "id_number")
#: A prospects file (sign-up sheets, partners' lists): one row per person.
PROSPECT_FIELDS = (
    "name",
    "phone",
    "id_number",
    "industry",
    "channel",
    "referrer",
    "officer",
    "need",
    "source",
    "note",
)
#: A holdings file: one row per product a customer holds (deposit, card, wealth …).
HOLDING_FIELDS = ("customer_id", "product_type", "account", "balance", "opened_on", "closed_on")
#: Not stored on the customer: a customers file's group (类群) makes the customer
#: join it (retain.groups), created with kind ``other`` when unknown.
CUSTOMER_EXTRA_FIELDS = ("group",)
ALL_FIELDS = tuple(
    dict.fromkeys(
        CUSTOMER_FIELDS
        + CUSTOMER_EXTRA_FIELDS
        + LOAN_FIELDS
        + SCHEDULE_FIELDS
        + GUARANTOR_FIELDS
        + PROSPECT_FIELDS
        + HOLDING_FIELDS
    )
)

#: Fields recognised in a file of each kind.  A loans file may also carry the
#: customer columns (a combined loan + customer export).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "customers": CUSTOMER_FIELDS + CUSTOMER_EXTRA_FIELDS,
    "loans": LOAN_FIELDS + tuple(f for f in CUSTOMER_FIELDS if f not in LOAN_FIELDS),
    "schedule": SCHEDULE_FIELDS,
    "guarantors": GUARANTOR_FIELDS,
    "prospects": PROSPECT_FIELDS,
    "holdings": HOLDING_FIELDS,
}

#: Required fields; each entry is a group of which at least one must be present.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "customers": (("customer_id",), ("name",)),
    "loans": (
        ("loan_id",),
        ("customer_id",),
        ("principal",),
        ("disbursed_on",),
        ("matures_on", "term_months"),
        ("guarantee",),
        ("status",),
    ),
    "schedule": (("loan_id",), ("period",), ("due_on",), ("principal_due",), ("interest_due",)),
    "guarantors": (("loan_id",), ("name",)),
    "prospects": (("name",),),
    "holdings": (("customer_id",), ("product_type",)),
}

#: How many physical rows are searched for the header row.
HEADER_SCAN_ROWS = 50

# Chinese aliases; the first one of each field is used in messages.
_CHINESE_ALIASES: dict[str, tuple[str, ...]] = {
    "customer_id": ("客户编号", "客户号", "客户代码", "客户ID"),
    "name": ("客户名称", "客户姓名", "姓名", "借款人", "借款人姓名", "借款人名称"),
    "phone": ("手机号码", "手机号", "联系电话", "电话", "手机", "电话号码"),
    "id_number": ("身份证号", "身份证号码", "证件号码", "证件号", "身份证"),
    "industry": ("所属行业", "行业", "行业类别"),
    "officer": ("客户经理", "管户经理", "管户客户经理"),
    "segment": ("客户分层", "客户类型", "客群"),
    "group": ("类群", "分组", "客户群"),
    "loan_id": ("贷款编号", "借据编号", "借据号"),
    "principal": ("贷款金额", "借据金额", "金额", "合同金额", "放款金额", "发放金额"),
    "disbursed_on": ("放款日期", "发放日期", "生效日期", "放款日", "发放日"),
    "matures_on": ("到期日期", "到期日", "贷款到期日"),
    "term_months": ("贷款期限", "期限"),
    "guarantee": ("担保方式", "担保类型"),
    "status": ("贷款状态", "状态", "借据状态"),
    "closed_on": ("结清日期", "结清日"),
    "balance": ("贷款余额", "剩余本金", "余额", "本金余额"),
    "rate": ("利率", "执行利率", "年利率", "贷款利率"),
    "days_past_due": ("逾期天数",),
    "collateral_insurance_expires": ("抵押物保险到期日", "保险到期日", "抵押物保险到期日期"),
    "collateral_certificate_expires": ("他项权证到期日", "他项权证到期日期", "权证到期日"),
    "relation": ("与借款人关系", "关系", "担保人关系", "担保关系"),
    "product": ("产品", "贷款产品", "产品名称"),
    "period": ("期数", "期次", "期号", "还款期数"),
    "due_on": ("应还日期", "还款日期", "应还款日期", "计划还款日期", "应还款日"),
    "principal_due": ("应还本金", "当期应还本金", "计划还款本金"),
    "interest_due": ("应还利息", "当期应还利息", "计划还款利息"),
    "paid_on": ("实还日期", "实际还款日期", "实还款日期"),
    "paid_amount": ("实还金额", "已还金额", "实际还款金额", "实还总额"),
    "next_due_on": (
        "下次还款日",
        "下期还款日",
        "本期应还日期",
        "下次还款日期",
        "下期还款日期",
        "下期应还日期",
        "本期还款日",
    ),
    "next_due_amount": ("下期应还", "本期应还金额", "下期应还金额", "本期应还", "下次还款金额"),
    "next_due_period": ("当前期数", "当前期次", "本期期数", "下期期数"),
    "product_type": ("产品类型", "产品种类", "业务类型"),
    "account": ("账号", "产品编号", "账户", "卡号", "账户号"),
    "opened_on": ("开户日期", "开户日", "签约日期", "购买日期"),
}

# English aliases beyond the canonical name and its spaced/joined variants.
_ENGLISH_ALIASES: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer no", "customer number", "client id"),
    "name": ("customer name", "client name", "full name", "borrower"),
    "phone": ("mobile", "phone number", "mobile phone", "telephone"),
    "id_number": ("id no", "id card", "national id"),
    "officer": ("loan officer", "account manager"),
    "group": ("customer group",),
    "loan_id": ("loan no", "loan number"),
    "principal": ("amount", "loan amount"),
    "disbursed_on": ("disbursement date", "disbursed date", "disbursed"),
    "matures_on": ("maturity date", "maturity", "due date"),
    "term_months": ("term", "term (months)"),
    "guarantee": ("guarantee type", "collateral"),
    "status": ("loan status",),
    "closed_on": ("closed date", "close date"),
    "balance": ("outstanding", "outstanding balance"),
    "rate": ("interest rate",),
    "days_past_due": ("dpd", "overdue days"),
    "product": ("product name",),
    "period": ("instalment", "installment", "period no"),
    "principal_due": ("principal due", "scheduled principal"),
    "interest_due": ("interest due", "scheduled interest"),
    "paid_on": ("paid date", "payment date", "repaid on", "date paid"),
    "paid_amount": ("amount paid", "paid", "repaid amount", "payment amount"),
    "next_due_on": ("next due date", "next instalment date", "next installment date"),
    "next_due_amount": (
        "next due",
        "next instalment",
        "next installment",
        "instalment amount",
    ),
    "next_due_period": ("instalment no", "installment no", "current period"),
    "collateral_insurance_expires": ("collateral insurance expires", "insurance expires"),
    "collateral_certificate_expires": ("collateral certificate expires", "certificate expires"),
    "relation": ("relationship", "relation to borrower"),
    "product_type": ("product kind", "holding type"),
    "account": ("account no", "account number", "product no", "card no"),
    "opened_on": ("open date", "opened date", "opening date"),
}

# Headers that name a field only in a file of one kind: in a guarantors file
# 担保人电话 is the guarantor's phone; elsewhere it is no field at all (a loans
# file's 电话 is the borrower's).
_KIND_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "guarantors": {
        "name": (
            "担保人",
            "担保人姓名",
            "担保人名称",
            "保证人",
            "保证人姓名",
            "guarantor",
            "guarantor name",
        ),
        "phone": (
            "担保人电话",
            "担保人手机",
            "担保人手机号",
            "担保人联系电话",
            "保证人电话",
            "guarantor phone",
        ),
        "id_number": (
            "担保人证件号",
            "担保人身份证号",
            "担保人证件号码",
            "担保人身份证",
            "保证人证件号",
            "guarantor id",
            "guarantor id number",
        ),
    },
    # A prospect's own columns; 来源 is where they came from, 来源渠道 the channel.
    "prospects": {
        "channel": ("渠道", "来源渠道", "获客渠道", "channel", "source channel"),
        "referrer": ("介绍人", "推荐人", "转介绍人", "referrer", "referred by"),
        "need": ("需求金额", "意向金额", "需求", "贷款需求", "need", "amount needed"),
        "source": ("来源", "来源说明", "活动", "source"),
        "note": ("备注", "说明", "note", "notes", "remark"),
    },
    # A schedule's "due date" is its instalment's (a loans file's is the
    # maturity); its 当前期数 is the row's period (a loans file's, the next
    # instalment's).
    # A holdings file's 产品 is the product type; its 余额/金额 the holding's
    # balance; its 销户日期 the day it closed.
    "holdings": {
        "product_type": ("产品", "product", "产品名称"),
        "balance": ("金额", "余额", "账户余额", "持有金额", "amount", "balance"),
        "closed_on": ("销户日期", "销户日", "closed", "close date"),
    },
    "schedule": {
        "due_on": ("应还日期", "due date", "due"),
        "period": ("期数", "当前期数", "instalment no", "installment no"),
    },
}

_WHITESPACE = re.compile(r"\s+")
# After NFKC full-width parentheses and percent signs are ASCII.
_UNIT_SUFFIX = re.compile(r"\s*\((元|万元|月|%)\)$")
_UNITS = {"元": "yuan", "万元": "wan", "月": "months", "%": "percent"}


def normalise_header(cell: object) -> str:
    """Return the comparison form of a header cell.

    ``str(cell)`` (``None`` → ``""``), Unicode NFKC, case-folded, stripped of
    surrounding whitespace (including U+3000 and NBSP) and with inner runs of
    whitespace collapsed to one space.  Idempotent.
    """
    text = "" if cell is None else str(cell)
    # NFKC and casefold do not commute for a few characters; repeat until stable
    # (at most a couple of rounds) so that the result is a fixed point.
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", text).casefold()
        folded = unicodedata.normalize("NFKC", folded)
        folded = " ".join(folded.split())
        if folded == text:
            break
        text = folded
    return text


def _split_unit(norm: str) -> tuple[str, str | None]:
    """Split a normalised header into (lookup key, unit) — ``贷款金额(万元)`` → (贷款金额, wan)."""
    key = norm.lstrip("*").strip()  # templates mark required columns with "*"
    unit = None
    match = _UNIT_SUFFIX.search(key)
    if match and match.start() > 0:
        unit = _UNITS[match.group(1)]
        key = key[: match.start()]
    return key, unit


def _header_key(text: object) -> str:
    return _split_unit(normalise_header(text))[0]


def _build_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}

    def add(alias: str, canonical: str) -> None:
        key = _header_key(alias)
        other = aliases.setdefault(key, canonical)
        if other != canonical:  # pragma: no cover - guards the tables above
            raise AssertionError(f"alias {alias!r} maps to both {other} and {canonical}")

    for name in ALL_FIELDS:
        for variant in (
            name,
            name.replace("_", " "),
            name.replace("_", ""),
            name.replace("_", "-"),
        ):
            add(variant, name)
        for alias in _CHINESE_ALIASES.get(name, ()) + _ENGLISH_ALIASES.get(name, ()):
            add(alias, name)
    return aliases


#: Lookup key (see :func:`normalise_header`, unit suffix removed) → canonical field.
ALIASES: dict[str, str] = _build_aliases()
#: The same for headers of one kind of file only (looked up first).
KIND_ALIASES: dict[str, dict[str, str]] = {
    kind: {_header_key(alias): name for name, aliases in table.items() for alias in aliases}
    for kind, table in _KIND_ALIASES.items()
}


def field_label(name: str, kind: str | None = None) -> str:
    """``principal`` → ``principal (贷款金额)`` for messages (``name (担保人)`` in a
    guarantors file)."""
    chinese = _KIND_ALIASES.get(kind or "", {}).get(name) or _CHINESE_ALIASES.get(name)
    return f"{name} ({chinese[0]})" if chinese else name


# ---------------------------------------------------------------------------
# Mapping files


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file; :meth:`empty` when none was given."""

    columns: dict[str, str] = field(default_factory=dict)
    date_order: str | None = None
    amount_unit: str = "yuan"
    principal_ceiling_fen: int | None = None
    defaults: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> Mapping:
        return cls()


_TABLES = ("columns", "options", "defaults", "values")
_OPTIONS = ("date_order", "amount_unit", "principal_ceiling")
_AMOUNT_UNITS = {"yuan": "yuan", "元": "yuan", "wan": "wan", "万元": "wan", "万": "wan"}
_VALUE_TABLES = ("status", "guarantee", "product_type")


def _did_you_mean(name: str, close: str | None) -> Text | str:
    return msg("error.mapping.did_you_mean", name=name, close=close) if close else name


def _listed(parts: Iterable[Text | str]) -> Joined:
    return Joined(tuple(parts), sep="sep.comma")


def _unknown(where: Msg, table: str, keys: Iterable[str], known: Sequence[str]) -> UsageError:
    parts = []
    for key in keys:
        close = difflib.get_close_matches(key, known, n=1)
        parts.append(_did_you_mean(key, close[0] if close else None))
    return UsageError(key="mapping.unknown_keys", where=where, table=table, keys=_listed(parts))


def _read_toml(path: Path, where: Msg) -> dict[str, object]:
    from retain.i18n import os_reason

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(key="mapping.no_file", where=where) from None
    except IsADirectoryError:
        raise UsageError(key="mapping.is_dir", where=where) from None
    except OSError as exc:
        raise UsageError(key="mapping.unreadable", where=where, detail=os_reason(exc)) from None
    # Notepad on Chinese Windows saves UTF-8 with a BOM or GBK ("ANSI"); accept both.
    text: str | None = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise UsageError(key="mapping.encoding", where=where)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = " ".join(str(exc).split())
        raise UsageError(key="mapping.toml", where=where, detail=detail) from None


def _table(data: dict[str, object], name: str, where: Msg) -> dict[str, object]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise UsageError(key="mapping.not_table", where=where, name=name)
    return value


def _field_table(data: dict[str, object], name: str, where: Msg) -> dict[str, object]:
    table = _table(data, name, where)
    unknown = [key for key in table if key not in ALL_FIELDS]
    if unknown:
        raise _unknown(where, f"[{name}]", unknown, ALL_FIELDS)
    return table


def _default_text(value: object) -> str | None:
    """A [defaults] value as the raw string a file cell would hold, or None if unsupported."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str | int | float | date | time) and not isinstance(value, datetime):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return None


def load_mapping(path: Path) -> Mapping:
    """Parse a TOML mapping file; any problem is a :class:`UsageError` naming the key."""
    where = msg("error.mapping.where", path=str(path))
    data = _read_toml(path, where)

    unknown_tables = [key for key in data if key not in _TABLES]
    if unknown_tables:
        parts = []
        for key in unknown_tables:
            close = difflib.get_close_matches(key, _TABLES, n=1)
            parts.append(_did_you_mean(f"[{key}]", f"[{close[0]}]" if close else None))
        raise UsageError(key="mapping.unknown_tables", where=where, tables=_listed(parts))

    columns: dict[str, str] = {}
    bad = []
    for key, value in _field_table(data, "columns", where).items():
        if isinstance(value, str) and value.strip():
            columns[key] = value
        else:
            bad.append(key)
    if bad:
        raise UsageError(key="mapping.columns", where=where, keys=", ".join(bad))

    options = _table(data, "options", where)
    unknown = [key for key in options if key not in _OPTIONS]
    if unknown:
        raise _unknown(where, "[options]", unknown, _OPTIONS)

    date_order = options.get("date_order")
    if date_order is not None:
        if not isinstance(date_order, str) or date_order.strip().lower() not in DATE_ORDERS:
            raise UsageError(
                key="mapping.date_order",
                where=where,
                choices=", ".join(DATE_ORDERS),
                value=repr(date_order),
            )
        date_order = date_order.strip().lower()

    unit_value = options.get("amount_unit", "yuan")
    amount_unit = (
        _AMOUNT_UNITS.get(unit_value.strip().lower()) if isinstance(unit_value, str) else None
    )
    if amount_unit is None:
        raise UsageError(key="mapping.amount_unit", where=where, value=repr(unit_value))

    ceiling_fen: int | None = None
    ceiling = options.get("principal_ceiling")
    if ceiling is not None:
        fen: Decimal | None = None
        if isinstance(ceiling, int | float) and not isinstance(ceiling, bool):
            try:
                fen = Decimal(str(ceiling)) * 100
            except InvalidOperation:  # pragma: no cover - str(float) is always a number
                fen = None
        if fen is None or not fen.is_finite() or fen <= 0 or fen != fen.to_integral_value():
            raise UsageError(key="mapping.ceiling", where=where, value=repr(ceiling))
        ceiling_fen = int(fen)

    defaults: dict[str, str] = {}
    bad = []
    for key, value in _field_table(data, "defaults", where).items():
        text = _default_text(value)
        if text is None or not text.strip():
            bad.append(key)
        else:
            defaults[key] = text
    if bad:
        raise UsageError(key="mapping.defaults", where=where, keys=", ".join(bad))

    values: dict[str, dict[str, str]] = {}
    value_tables = _table(data, "values", where)
    unknown = [key for key in value_tables if key not in _VALUE_TABLES]
    if unknown:
        raise UsageError(
            key="mapping.values_tables",
            where=where,
            tables=", ".join(f"[values.{k}]" for k in unknown),
        )
    for name, table in value_tables.items():
        if not isinstance(table, dict):
            raise UsageError(key="mapping.values_table", where=where, name=name)
        bad = [key for key, value in table.items() if not isinstance(value, str)]
        if bad:
            raise UsageError(
                key="mapping.values_text", where=where, name=name, keys=", ".join(map(repr, bad))
            )
        values[name] = {str(key): str(value) for key, value in table.items()}

    return Mapping(
        columns=columns,
        date_order=date_order,
        amount_unit=amount_unit,
        principal_ceiling_fen=ceiling_fen,
        defaults=defaults,
        values=values,
    )


# ---------------------------------------------------------------------------
# Header rows


@dataclass
class HeaderLayout:
    """Where each canonical field lives in a file."""

    row_no: int
    #: original header cells as text, for the rejects file
    headers: list[str]
    #: canonical field → column index (0-based)
    field_index: dict[str, int]
    #: fields whose header carried a ``(万元)`` unit
    wan_fields: frozenset[str] = frozenset()
    #: non-empty headers that feed no field (unknown, or a duplicate of an earlier column)
    ignored: list[str] = field(default_factory=list)
    #: fields whose header carried a ``(%)`` unit
    percent_fields: frozenset[str] = frozenset()


def _cell_text(cell: object) -> str:
    return "" if cell is None else str(cell)


def match_header(
    cells: Sequence[object], kind: Kind, mapping: Mapping, *, row_no: int = 0
) -> HeaderLayout:
    """Match every cell of a candidate header row; the layout may lack required fields."""
    fields = KIND_FIELDS[kind]
    explicit: dict[str, list[str]] = {}  # lookup key → fields mapped to it
    for name, header in mapping.columns.items():
        if name in fields:
            explicit.setdefault(_header_key(header), []).append(name)

    own_aliases = KIND_ALIASES.get(kind, {})
    headers = [_cell_text(cell) for cell in cells]
    # A field named by a header of this kind's own (担保人电话) takes no generic
    # alias: the 借款人 / 电话 columns beside it are the borrower's.
    claimed = {own_aliases[k] for k in map(_header_key, headers) if k in own_aliases}
    field_index: dict[str, int] = {}
    wan: set[str] = set()
    percent: set[str] = set()
    ignored: list[str] = []
    for index, text in enumerate(headers):
        norm = normalise_header(text)
        if not norm or norm.startswith("_"):
            continue
        key, unit = _split_unit(norm)
        if key in explicit:
            targets = explicit[key]
        else:
            alias = own_aliases.get(key)
            if alias is None and ALIASES.get(key) not in claimed:
                alias = ALIASES.get(key)
            # an explicitly mapped field does not also take its aliases
            targets = [alias] if alias in fields and alias not in mapping.columns else []
        taken = [name for name in targets if name not in field_index]
        if not taken:
            ignored.append(text)
            continue
        for name in taken:
            field_index[name] = index
            if unit == "wan":
                wan.add(name)
            elif unit == "percent":
                percent.add(name)
    return HeaderLayout(
        row_no=row_no,
        headers=headers,
        field_index=field_index,
        wan_fields=frozenset(wan),
        ignored=ignored,
        percent_fields=frozenset(percent),
    )


def _missing_groups(kind: Kind, mapping: Mapping, found: Iterable[str]) -> list[tuple[str, ...]]:
    present = set(found) | set(mapping.defaults)
    return [group for group in REQUIRED[kind] if not present.intersection(group)]


def missing_required(kind: Kind, mapping: Mapping, found: set[str]) -> list[str]:
    """Required fields absent from ``found`` (and not defaulted), labelled for a message.

    Each entry reads like ``principal (贷款金额)``; an explicitly mapped field adds
    the header it was mapped to; the alternatives read
    ``matures_on (到期日期) or term_months (贷款期限)``.
    """

    return [str(text) for text in missing_required_texts(kind, mapping, found)]


def missing_required_texts(kind: Kind, mapping: Mapping, found: set[str]) -> list[Text]:
    """:func:`missing_required` as texts to show in either language."""

    def label(name: str) -> Text | str:
        if name in mapping.columns:
            return msg("error.read.mapped", name=name, header=mapping.columns[name])
        return field_label(name, kind)

    return [
        Joined(tuple(label(name) for name in group), sep="sep.or")
        for group in _missing_groups(kind, mapping, found)
    ]


def resolve_header(
    cells: Sequence[object], kind: Kind, mapping: Mapping, *, row_no: int = 0
) -> HeaderLayout | None:
    """The layout if ``cells`` is a header row holding every required field, else None."""
    layout = match_header(cells, kind, mapping, row_no=row_no)
    if _missing_groups(kind, mapping, layout.field_index):
        return None
    return layout
