"""Row rules: one source row's raw cells → a typed record, or the row's faults.

Pure: no SQL, no I/O, no store. What a file decides once (which columns it
has, its ``(万元)`` columns, the principal ceiling, the date order, the value
aliases of its mapping, today) is bound in :class:`Rules`;
:func:`validate_customer` and :func:`validate_loan` then run once per row, the
hot path of a million-row import. They loop over normalisers bound once per
file and return plain dicts typed as :class:`CustomerRecord` /
:class:`LoanRecord` (no per-row model objects). A loans file's rows go through
:class:`LoanColumns`, which checks a chunk a column at a time and gives each
row what :func:`validate_loan` gives it.

What needs the store or the rest of the file (a repeated id, a customer
repeated with other details, a loan whose customer does not exist) is the
loader's business, not a row rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from typing import NamedTuple, NotRequired, TypedDict, cast

from retain.i18n import Joined, Msg, Text, msg
from retain.importing.columns import CUSTOMER_FIELDS
from retain.importing.normalise import (
    Invalid,
    norm_date,
    norm_guarantee,
    norm_id,
    norm_id_number,
    norm_money,
    norm_name,
    norm_nonneg_int,
    norm_officer,
    norm_phone,
    norm_product,
    norm_rate,
    norm_status,
    norm_text,
    plain_ids,
)

DEFAULT_CEILING_FEN = 1_000_000_000  # 10,000,000.00 yuan
DEFAULT_FLOOR_FEN = 10_000  # 100.00 yuan: less is a typo, not a loan
DEFAULT_EARLIEST = dt.date(1990, 1, 1)  # no ledger of today holds an older loan

#: Customer fields besides the id, in store order (``name`` first: always required).
CUSTOMER_DETAIL_FIELDS = tuple(f for f in CUSTOMER_FIELDS if f != "customer_id")
#: Loan fields checked even when the file lacks their column (they are required).
LOAN_REQUIRED = ("customer_id", "principal", "disbursed_on", "guarantee", "status")


class CustomerRecord(TypedDict):
    """A valid customer row. A key is absent when the file has no such column
    (the store keeps what it has); ``None`` is a blank cell (clears the value)."""

    customer_id: str
    name: str
    phone: NotRequired[str | None]
    id_number: NotRequired[str | None]
    industry: NotRequired[str | None]
    officer: NotRequired[str | None]
    segment: NotRequired[str | None]


class LoanRecord(TypedDict):
    """A valid loan row: money in integer fen, dates ISO, enums canonical.

    ``matures_on`` is always there (derived from ``term_months`` when the file
    gives a term instead). Optional keys are absent when the file has no such
    column. ``customer`` is the customer a loans file may carry in the same row.
    """

    loan_id: str
    customer_id: str
    principal: int
    disbursed_on: str
    matures_on: str
    guarantee: str
    status: str
    term_months: NotRequired[int | None]
    closed_on: NotRequired[str | None]
    balance: NotRequired[int | None]
    rate: NotRequired[str | None]
    days_past_due: NotRequired[int | None]
    product: NotRequired[str | None]
    collateral_insurance_expires: NotRequired[str | None]
    collateral_certificate_expires: NotRequired[str | None]
    next_due_on: NotRequired[str | None]
    next_due_amount: NotRequired[int | None]
    next_due_period: NotRequired[int | None]
    customer: NotRequired[CustomerRecord]


#: A valid schedule row: (loan_id, period, due_on, principal_fen, interest_fen,
#: paid_on, paid_fen); dates ISO, money in fen. A tuple, not a dict: a schedule
#: has a dozen rows per loan, so this is the hottest path of all the imports.
Instalment = tuple[str, int, str, int, int, str | None, int | None]


class GuarantorRecord(TypedDict):
    """A valid guarantors row. ``guarantor_key`` identifies the guarantor of the
    loan: by ID number, or by name when the row has none."""

    guarantor_key: str
    loan_id: str
    name: str
    phone: NotRequired[str | None]
    relation: NotRequired[str | None]
    id_number: NotRequired[str | None]


class HoldingRecord(TypedDict):
    """A valid holdings row: money in fen, dates ISO, the product canonical.
    ``holding_key`` identifies it (see :func:`holding_key`)."""

    holding_key: str
    customer_id: str
    product_type: str
    account: NotRequired[str | None]
    balance: NotRequired[int | None]
    opened_on: NotRequired[str | None]
    closed_on: NotRequired[str | None]


class Fault(NamedTuple):
    """One failed rule: the field it concerns and why (renders in en or zh)."""

    field: str
    reason: Text


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row that fails its rules. ``key`` is the row's own id when that id is
    itself valid, so that a later row repeating it is still caught."""

    key: str | None
    faults: tuple[Fault, ...]

    @property
    def fields(self) -> str:
        """The failed fields, each once, in order: ``"phone; id_number"``."""
        return "; ".join(dict.fromkeys(f.field for f in self.faults))

    @property
    def reason(self) -> Text:
        """One fault as it is; several each prefixed with their field, joined by "; "."""
        if len(self.faults) == 1:
            return self.faults[0].reason
        return Joined(
            tuple(
                Msg("reject.field_fault", {"field": msg(f"import.field.{f}"), "reason": r})
                for f, r in self.faults
            )
        )


Check = Callable[[object], object]

_MISS = object()
MEMO_LIMIT = 4096  # distinct cells remembered per field: dates, codes, rates, officers


def _memo(check: Check) -> Check:
    """``check`` remembering its result for each text cell it has accepted.

    Ledgers repeat most cells (a few thousand dates, a handful of statuses,
    rates, officers): a dict lookup instead of parsing again (measured: about a
    quarter of the validation time). The checks are pure for a file's rules;
    faults are not remembered, so each faulty row still gets its own reason.
    """
    cache: dict[str, object] = {}
    get = cache.get

    def memo(value: object) -> object:
        if type(value) is not str:
            return check(value)
        hit = get(value, _MISS)
        if hit is not _MISS:
            return hit
        result = check(value)
        if len(cache) < MEMO_LIMIT:
            cache[value] = result
        return result

    return memo


@dataclass(frozen=True)
class Rules:
    """What one file decides for all its rows; build once, validate many rows.

    ``present`` holds the fields the file supplies (its columns and the mapping's
    defaults): an optional field outside it is neither checked nor written.
    """

    today: dt.date
    present: frozenset[str]
    wan_fields: frozenset[str] = frozenset()
    ceiling_fen: int = DEFAULT_CEILING_FEN
    floor_fen: int = DEFAULT_FLOOR_FEN
    earliest: dt.date = DEFAULT_EARLIEST
    date_order: str | None = None
    guarantee_aliases: Mapping[str, str] | None = None
    status_aliases: Mapping[str, str] | None = None
    product_aliases: Mapping[str, str] | None = None
    # Derived in __post_init__ (bound once per file: the per-row loops stay lean).
    today_iso: str = field(init=False, repr=False)
    earliest_iso: str = field(init=False, repr=False)
    customer_fields: tuple[str, ...] = field(init=False, repr=False)
    customer_checks: tuple[tuple[str, Check], ...] = field(init=False, repr=False)
    loan_checks: tuple[tuple[str, Check], ...] = field(init=False, repr=False)
    schedule_checks: tuple[tuple[str, Check], ...] = field(init=False, repr=False)
    schedule_fns: tuple[Check, ...] = field(init=False, repr=False)
    holding_checks: tuple[tuple[str, Check], ...] = field(init=False, repr=False)
    #: a loans file with a name column creates or updates its customers too
    loans_carry_customers: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        today_iso = self.today.isoformat()
        fields = (
            "name",
            *(f for f in CUSTOMER_DETAIL_FIELDS if f != "name" and f in self.present),
        )
        by_field: dict[str, Check] = {
            "name": norm_name,
            "phone": norm_phone,
            "id_number": partial(norm_id_number, today=today_iso),
            "officer": _memo(norm_officer),
        }
        set_ = partial(object.__setattr__, self)
        set_("today_iso", today_iso)
        set_("earliest_iso", self.earliest.isoformat())
        set_("customer_fields", fields)
        # names, phones and ID numbers are mostly distinct: nothing to remember
        set_(
            "customer_checks",
            tuple((f, by_field.get(f) or _memo(norm_text)) for f in fields),
        )
        set_("loan_checks", self._loan_checks())
        set_("schedule_checks", self._schedule_checks())
        set_("schedule_fns", tuple(check for _, check in self.schedule_checks))
        set_("loans_carry_customers", "name" in self.present)
        set_("holding_checks", self._holding_checks())

    def _loan_checks(self) -> tuple[tuple[str, Check], ...]:
        order = self.date_order
        ceiling = self.ceiling_fen
        wan = self.wan_fields
        date = _memo(partial(norm_date, date_order=order))
        every: tuple[tuple[str, Check], ...] = (
            ("customer_id", norm_id),
            (
                "principal",
                _memo(
                    _at_least(
                        _required(partial(norm_money, wan="principal" in wan, ceiling_fen=ceiling)),
                        self.floor_fen,
                    )
                ),
            ),
            ("disbursed_on", _required(date)),
            ("matures_on", date),
            ("term_months", _memo(_at_most_months(norm_nonneg_int, TERM_MAX_MONTHS))),
            ("guarantee", _memo(partial(norm_guarantee, aliases=self.guarantee_aliases))),
            ("status", _memo(partial(norm_status, aliases=self.status_aliases))),
            ("closed_on", date),
            (
                "balance",
                partial(norm_money, wan="balance" in wan, ceiling_fen=ceiling, allow_zero=True),
            ),
            ("rate", _memo(norm_rate)),
            ("days_past_due", _memo(norm_nonneg_int)),
            ("product", _memo(norm_text)),
            ("collateral_insurance_expires", date),
            ("collateral_certificate_expires", date),
            ("next_due_on", date),
            (
                "next_due_amount",
                partial(
                    norm_money, wan="next_due_amount" in wan, ceiling_fen=ceiling, allow_zero=True
                ),
            ),
            ("next_due_period", _memo(_at_least_one(norm_nonneg_int))),
        )
        return tuple((f, fn) for f, fn in every if f in LOAN_REQUIRED or f in self.present)

    def _schedule_checks(self) -> tuple[tuple[str, Check], ...]:
        # Each check remembers its accepted cells, "required" included: a
        # schedule repeats its dates and amounts on most rows.
        date = partial(norm_date, date_order=self.date_order)
        wan = self.wan_fields

        def money(name: str) -> Check:
            return partial(
                norm_money, wan=name in wan, ceiling_fen=self.ceiling_fen, allow_zero=True
            )

        return (
            ("period", _memo(_required(_at_least_one(norm_nonneg_int)))),
            ("due_on", _memo(_required(date))),
            ("principal_due", _memo(_required(money("principal_due")))),
            ("interest_due", _memo(_required(money("interest_due")))),
            ("paid_on", _memo(date)),
            ("paid_amount", _memo(money("paid_amount"))),
        )

    def _holding_checks(self) -> tuple[tuple[str, Check], ...]:
        date = _memo(partial(norm_date, date_order=self.date_order))
        every: tuple[tuple[str, Check], ...] = (
            ("product_type", _memo(partial(norm_product, aliases=self.product_aliases))),
            ("account", _norm_account),
            (
                "balance",
                partial(
                    norm_money,
                    wan="balance" in self.wan_fields,
                    ceiling_fen=self.ceiling_fen,
                    allow_zero=True,
                ),
            ),
            ("opened_on", date),
            ("closed_on", date),
        )
        return tuple((f, fn) for f, fn in every if f == "product_type" or f in self.present)


def _norm_account(value: object) -> str | None:
    """An account or product number: text without inner spaces (6222 0212 … as printed)."""
    text = norm_text(value)
    return None if text is None else "".join(text.split())


def _at_least_one(check: Check) -> Check:
    def at_least_one(value: object) -> object:
        result = check(value)
        if result == 0:
            raise Invalid(code="period_min")
        return result

    return at_least_one


def _required(check: Check) -> Check:
    def required(value: object) -> object:
        result = check(value)
        if result is None:
            raise Invalid(code="required")
        return result

    return required


# The longest term a loan can have (50 years): a term beyond it is a misread cell
# (a date such as 20250105 in the term column), not a loan.
TERM_MAX_MONTHS = 600


def _at_most_months(check: Check, most: int) -> Check:
    def at_most(value: object) -> object:
        result = check(value)
        if isinstance(result, int) and result > most:
            raise Invalid(code="term_max", most=most)
        return result

    return at_most


def _at_least(check: Check, floor_fen: int) -> Check:
    def at_least(value: object) -> object:
        result = check(value)
        if isinstance(result, int) and result < floor_fen:
            raise Invalid(
                code="amount_floor", floor=f"{floor_fen / 100:,.2f}".rstrip("0").rstrip(".")
            )
        return result

    return at_least


def validate_customer(values: Mapping[str, object], rules: Rules) -> CustomerRecord | Rejected:
    """A customers-file row (canonical field → raw cell) → its record or its faults."""
    faults: list[Fault] = []
    try:
        key: str | None = norm_id(values.get("customer_id"))
    except Invalid as exc:
        key = None
        faults.append(Fault("customer_id", exc.message))
    out = _customer_details(values, rules, faults)
    out["customer_id"] = key
    if faults:
        return Rejected(key, tuple(faults))
    return cast(CustomerRecord, out)  # no fault: every check above set its key


def validate_loan(values: Mapping[str, object], rules: Rules) -> LoanRecord | Rejected:
    """A loans-file row (canonical field → raw cell) → its record or its faults.

    Faults come in a fixed order: the loan id, each loan field, the rules across
    fields (dates, status), then the customer columns the row may carry.
    """
    faults: list[Fault] = []
    get = values.get
    try:
        key: str | None = norm_id(get("loan_id"))
    except Invalid as exc:
        key = None
        faults.append(Fault("loan_id", exc.message))
    out: dict[str, object] = {"loan_id": key}
    for name, check in rules.loan_checks:
        try:
            out[name] = check(get(name))
        except Invalid as exc:
            faults.append(Fault(name, exc.message))
    _across_fields(out, faults, rules.today_iso, rules.earliest_iso)
    # A blank name leaves the customer as it is: the loan then needs one in the store.
    if rules.loans_carry_customers and not _blank(get("name")):
        customer = _customer_details(values, rules, faults)
        customer["customer_id"] = out.get("customer_id")
        out["customer"] = customer
    if faults:
        return Rejected(key, tuple(faults))
    return cast(LoanRecord, out)  # no fault: every required check set its key


# A cell its field's check refused (column-wise checks: see LoanColumns).
_BAD: object = object()
_TEXT_CELLS = frozenset({str, type(None)})
COLUMN_TABLE_LIMIT = 8192  # checked cells kept per column (then it starts afresh)
_MATURITIES_LIMIT = 65536  # (disbursed, term) → maturity, kept for a file


def _cell_checked(cell: object, check: Check) -> object:
    try:
        return check(cell)
    except Invalid:
        return _BAD


def check_column(cells: list[object], check: Check, table: dict[object, object]) -> list[object]:
    """``check`` of each cell, ``_BAD`` where it fails. Text and blank cells are
    checked once per distinct cell: ``table`` keeps a column's checked cells from
    chunk to chunk (dates, amounts, codes recur across a file), except for a
    column whose cells are mostly new (ids, balances), checked once per chunk.
    Any other cell (a workbook's numbers and dates: ``1 == 1.0 == True``, so no
    table keyed by cells) is checked on its own."""
    if not set(map(type, cells)) <= _TEXT_CELLS:
        return [_cell_checked(cell, check) for cell in cells]
    distinct = set(cells)
    new = distinct.difference(table)
    if len(new) * 2 > len(cells):
        local = {cell: _cell_checked(cell, check) for cell in distinct}
        return list(map(local.__getitem__, cells))
    if len(table) + len(new) > COLUMN_TABLE_LIMIT:
        table.clear()
        new = distinct
    for cell in new:
        table[cell] = _cell_checked(cell, check)
    return list(map(table.__getitem__, cells))


class LoanColumns:
    """:func:`validate_loan` of many rows at once, a column at a time.

    Each column's cells go through their field's check once per distinct cell
    (:func:`check_column`); a row whose cells all pass and which breaks none of
    the rules across fields gets the record :func:`validate_loan` would give it,
    built from the checked columns. Any other row (a refused cell, a rule across
    fields broken, a customer column with a fault) takes :func:`validate_loan`
    itself, which gives it its rejection, faults in their order, or its record.
    One instance per file: the columns' tables hold that file's rules' results.
    """

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.checks: tuple[tuple[str, Check], ...] = (("loan_id", norm_id), *rules.loan_checks)
        self.names = tuple(name for name, _ in self.checks)
        self.tables: tuple[dict[object, object], ...] = tuple({} for _ in self.checks)
        self._maturities: dict[tuple[str, int], str] = {}

    def _column(self, rows: Sequence[dict[str, object]], at: int) -> list[object]:
        name, check = self.checks[at]
        cells = list(map(dict.get, rows, repeat(name)))
        if check is norm_id and plain_ids(cells):
            return cells  # the loan and customer ids, each as it is
        return check_column(cells, check, self.tables[at])

    def __call__(self, rows: Sequence[dict[str, object]]) -> list[LoanRecord | Rejected]:
        """The record or the rejection of each row (canonical field → raw cell), in order."""
        n = len(rows)
        rules = self.rules
        names = self.names
        columns = [self._column(rows, at) for at in range(len(names))]
        bad: set[int] = set()
        for column in columns:
            if _BAD in column:
                bad.update(i for i, value in enumerate(column) if value is _BAD)
        absent: list[object] = [None] * n

        def column_of(name: str) -> list[object]:
            return columns[names.index(name)] if name in names else absent

        disbursed_c = column_of("disbursed_on")
        matures_c = column_of("matures_on")
        term_c = column_of("term_months")
        status_c = column_of("status")
        closed_c = column_of("closed_on")
        due_c = column_of("next_due_on")
        amount_c = column_of("next_due_amount")
        period_c = column_of("next_due_period")
        carry = rules.loans_carry_customers
        today, earliest = rules.today_iso, rules.earliest_iso
        maturities = self._maturities
        results: list[LoanRecord | Rejected] = []
        append = results.append
        # (no typing.cast in this loop: it is a call per row; the checks' types are known)
        for i, values in enumerate(zip(*columns, strict=True)):
            if i in bad:
                append(validate_loan(rows[i], rules))
                continue
            disbursed: str = disbursed_c[i]  # type: ignore[assignment]
            matures: str | None = matures_c[i]  # type: ignore[assignment]
            term = term_c[i]
            status = status_c[i]
            closed: str | None = closed_c[i]  # type: ignore[assignment]
            derived = False
            if matures is None:
                if not term:
                    append(validate_loan(rows[i], rules))  # matures_required, term_min
                    continue
                found = maturities.get((disbursed, term))  # type: ignore[arg-type]
                if found is None:
                    from retain.dates import add_months

                    day = add_months(dt.date.fromisoformat(disbursed), cast(int, term))
                    found = day.isoformat()
                    if len(maturities) < _MATURITIES_LIMIT:
                        maturities[(disbursed, cast(int, term))] = found
                matures = found
                derived = True
            due: str | None = due_c[i]  # type: ignore[assignment]
            if (
                term == 0
                or disbursed < earliest
                or matures < earliest
                or (closed and closed < earliest)
                or disbursed > today
                or matures <= disbursed
                or (closed and (status in ("active", "overdue") or closed < disbursed))
                or (status == "closed" and closed is None)
                or (closed and closed > today)
                or (
                    amount_c[i] is not None or period_c[i] is not None
                    if due is None
                    else amount_c[i] is None or due <= disbursed or due > matures
                )
            ):
                append(validate_loan(rows[i], rules))
                continue
            out: dict[str, object] = dict(zip(names, values, strict=True))
            if derived:
                out["matures_on"] = matures
            if carry and not _blank(rows[i].get("name")):
                faults: list[Fault] = []
                customer = _customer_details(rows[i], rules, faults)
                if faults:
                    append(validate_loan(rows[i], rules))
                    continue
                customer["customer_id"] = out["customer_id"]
                out["customer"] = customer
            append(cast(LoanRecord, out))
        return results


def guarantor_key(loan_id: str, name: str, id_number: str | None) -> str:
    """The stored key of a loan's guarantor: by ID number, else by name."""
    return f"{loan_id}/id:{id_number}" if id_number else f"{loan_id}/name:{name}"


def validate_guarantor(values: Mapping[str, object], rules: Rules) -> GuarantorRecord | Rejected:
    """A guarantors-file row → its record or its faults. Name, phone and ID
    number follow the customers' rules exactly; the relation is free text."""
    faults: list[Fault] = []
    try:
        loan_id: str | None = norm_id(values.get("loan_id"))
    except Invalid as exc:
        loan_id = None
        faults.append(Fault("loan_id", exc.message))
    out = _customer_details(values, rules, faults)
    if "relation" in rules.present:
        try:
            out["relation"] = norm_text(values.get("relation"))
        except Invalid as exc:
            faults.append(Fault("relation", exc.message))
    out["loan_id"] = loan_id
    key = None
    name = out.get("name")
    if loan_id is not None and isinstance(name, str):
        key = guarantor_key(loan_id, name, cast("str | None", out.get("id_number")))
    if faults or key is None:
        return Rejected(key, tuple(faults))
    out["guarantor_key"] = key
    return cast(GuarantorRecord, out)


class ProspectRecord(TypedDict):
    """A valid prospects row; ``referrer`` as written (checked against the store
    by the loader), ``need`` in fen, ``channel`` a code (``other`` when blank)."""

    name: str
    channel: str
    phone: NotRequired[str | None]
    id_number: NotRequired[str | None]
    industry: NotRequired[str | None]
    officer: NotRequired[str | None]
    referrer: NotRequired[str | None]
    need: NotRequired[int | None]
    source: NotRequired[str | None]
    note: NotRequired[str | None]


def validate_prospect(values: Mapping[str, object], rules: Rules) -> ProspectRecord | Rejected:
    """A prospects-file row → its record or its faults. Name, phone, ID number,
    industry and officer follow the customers' rules exactly."""
    from retain.errors import UsageError
    from retain.prospects import channel_of

    faults: list[Fault] = []
    out = _customer_details(values, rules, faults)
    out["channel"] = "other"
    raw = values.get("channel")
    if "channel" in rules.present and not _blank(raw):
        try:
            out["channel"] = channel_of(str(raw))
        except UsageError:
            faults.append(Fault("channel", msg("reject.prospect_channel", value=repr(str(raw)))))
    checks: tuple[tuple[str, Check], ...] = (
        ("referrer", norm_text),
        (
            "need",
            partial(norm_money, wan="need" in rules.wan_fields, ceiling_fen=rules.ceiling_fen),
        ),
        ("source", norm_text),
        ("note", norm_text),
    )
    for name, check in checks:
        if name in rules.present:
            try:
                out[name] = check(values.get(name))
            except Invalid as exc:
                faults.append(Fault(name, exc.message))
    if faults:
        return Rejected(None, tuple(faults))
    return cast(ProspectRecord, out)


def holding_key(customer_id: str, product: str, account: str | None, opened: str | None) -> str:
    """The stored key of a holding: its product and account number when the file
    gives one, else its customer, product and opening day."""
    if account:
        return f"{product}/acct:{account}"
    return f"{customer_id}/{product}/{opened or ''}"


def validate_holding(values: Mapping[str, object], rules: Rules) -> HoldingRecord | Rejected:
    """A holdings-file row → its record or its faults. The dates may not lie after
    the file's day (``rules.today``: the as-of day) nor before the earliest date,
    and a holding cannot close before it opened."""
    faults: list[Fault] = []
    get = values.get
    try:
        customer: str | None = norm_id(get("customer_id"))
    except Invalid as exc:
        customer = None
        faults.append(Fault("customer_id", exc.message))
    out: dict[str, object] = {"customer_id": customer}
    for name, check in rules.holding_checks:
        try:
            out[name] = check(get(name))
        except Invalid as exc:
            faults.append(Fault(name, exc.message))
    opened = cast("str | None", out.get("opened_on"))
    closed = cast("str | None", out.get("closed_on"))
    for name, day in (("opened_on", opened), ("closed_on", closed)):
        if day and day < rules.earliest_iso:
            faults.append(Fault(name, msg("reject.before_earliest", earliest=rules.earliest_iso)))
        if day and day > rules.today_iso:
            faults.append(Fault(name, msg("reject.after_today", today=rules.today_iso)))
    if opened and closed and closed < opened:
        faults.append(Fault("closed_on", msg("reject.closed_before_opened")))
    product = out.get("product_type")
    key = None
    if customer is not None and isinstance(product, str):
        key = holding_key(customer, product, cast("str | None", out.get("account")), opened)
    if faults or key is None:
        return Rejected(key, tuple(faults))
    out["holding_key"] = key
    return cast(HoldingRecord, out)


def _blank(value: object) -> bool:
    return value is None or (type(value) is str and not value.strip())


def _customer_details(
    values: Mapping[str, object], rules: Rules, faults: list[Fault]
) -> dict[str, object]:
    get = values.get
    out: dict[str, object] = {}
    for name, check in rules.customer_checks:
        try:
            out[name] = check(get(name))
        except Invalid as exc:
            faults.append(Fault(name, exc.message))
    return out


def _across_fields(
    out: dict[str, object], faults: list[Fault], today_iso: str, earliest_iso: str
) -> None:
    """Maturity from the term when needed; dates against each other, the status, today
    and the earliest plausible date."""
    disbursed = cast("str | None", out.get("disbursed_on"))
    matures = cast("str | None", out.get("matures_on"))
    term = cast("int | None", out.get("term_months"))
    status = out.get("status")
    closed = cast("str | None", out.get("closed_on"))
    failed = {f.field for f in faults}
    if term == 0:
        faults.append(Fault("term_months", msg("reject.term_min")))
    if matures is None and "matures_on" not in failed:
        if term and disbursed:
            from retain.dates import add_months

            matures = add_months(dt.date.fromisoformat(disbursed), term).isoformat()
            out["matures_on"] = matures
        elif not term and "term_months" not in failed:
            faults.append(Fault("matures_on", msg("reject.matures_required")))
    failed = {f.field for f in faults}
    for name, day in (("disbursed_on", disbursed), ("matures_on", matures), ("closed_on", closed)):
        if day and day < earliest_iso:
            faults.append(Fault(name, msg("reject.before_earliest", earliest=earliest_iso)))
    if disbursed and disbursed > today_iso:
        faults.append(Fault("disbursed_on", msg("reject.after_today", today=today_iso)))
    if disbursed and matures and matures <= disbursed:
        faults.append(Fault("matures_on", msg("reject.matures_before")))
    if status in ("active", "overdue") and closed:
        faults.append(
            Fault("closed_on", msg("reject.closed_not_blank", status=msg(f"status.{status}")))
        )
    if status == "closed" and closed is None and "closed_on" not in failed:
        faults.append(Fault("closed_on", msg("reject.closed_required")))
    if closed and disbursed and closed < disbursed:
        faults.append(Fault("closed_on", msg("reject.closed_before")))
    if closed and closed > today_iso:
        faults.append(Fault("closed_on", msg("reject.after_today", today=today_iso)))
    _next_due(out, faults, disbursed, matures)


def _next_due(
    out: dict[str, object], faults: list[Fault], disbursed: str | None, matures: str | None
) -> None:
    """The next instalment is a date and its amount together (a reminder must say
    both), between disbursement and maturity; its period only with them."""
    failed = {f.field for f in faults}
    if failed & {"next_due_on", "next_due_amount", "next_due_period"}:
        return
    due = cast("str | None", out.get("next_due_on"))
    amount = out.get("next_due_amount")
    if due is None:
        for name in ("next_due_amount", "next_due_period"):
            if out.get(name) is not None:
                faults.append(Fault(name, msg("reject.next_due_without_date")))
        return
    if amount is None:
        faults.append(Fault("next_due_amount", msg("reject.next_due_amount_required")))
    if disbursed and due <= disbursed:
        faults.append(Fault("next_due_on", msg("reject.next_due_before")))
    if matures and due > matures:
        faults.append(Fault("next_due_on", msg("reject.next_due_after")))


def validate_instalment(values: Mapping[str, object], rules: Rules) -> Instalment | Rejected:
    """A schedule row (canonical field → raw cell) → its instalment or its faults.

    The key of a rejected row is ``loan_id\x1fperiod`` when both are valid, so
    that a later row repeating the pair is still caught. A good row takes the
    straight path (the checks in a row, no fault list); any fault sends the row
    down the path that collects them all, in field order.
    """
    get = values.get
    period_c, due_c, principal_c, interest_c, paid_on_c, paid_c = rules.schedule_fns
    try:
        loan = norm_id(get("loan_id"))
        period = period_c(get("period"))
        due = due_c(get("due_on"))
        principal = principal_c(get("principal_due"))
        interest = interest_c(get("interest_due"))
        paid_on = paid_on_c(get("paid_on"))
        paid = paid_c(get("paid_amount"))
    except Invalid:
        return _instalment_faults(values, rules)
    # (no typing.cast here: it is a call per row; the checks' types are known)
    if (
        (paid_on is None) is not (paid is None)
        or due < rules.earliest_iso  # type: ignore[operator]
        or (paid_on is not None and not rules.earliest_iso <= paid_on <= rules.today_iso)  # type: ignore[operator]
    ):
        return _instalment_faults(values, rules)
    return (loan, period, due, principal, interest, paid_on, paid)  # type: ignore[return-value]


def _instalment_faults(values: Mapping[str, object], rules: Rules) -> Instalment | Rejected:
    """:func:`validate_instalment` for a row with a fault: every fault, in order."""
    faults: list[Fault] = []
    get = values.get
    try:
        loan: str | None = norm_id(get("loan_id"))
    except Invalid as exc:
        loan = None
        faults.append(Fault("loan_id", exc.message))
    out: dict[str, object] = {}
    for name, check in rules.schedule_checks:
        try:
            out[name] = check(get(name))
        except Invalid as exc:
            faults.append(Fault(name, exc.message))
    period = out.get("period")
    due = cast("str | None", out.get("due_on"))
    paid_on = cast("str | None", out.get("paid_on"))
    paid = out.get("paid_amount")
    failed = {f.field for f in faults}
    if (paid_on is None) != (paid is None) and not failed & {"paid_on", "paid_amount"}:
        if paid_on is None:
            faults.append(Fault("paid_on", msg("reject.paid_on_required")))
        else:
            faults.append(Fault("paid_amount", msg("reject.paid_amount_required")))
    for name, day in (("due_on", due), ("paid_on", paid_on)):
        if day and day < rules.earliest_iso:
            faults.append(Fault(name, msg("reject.before_earliest", earliest=rules.earliest_iso)))
    if paid_on and paid_on > rules.today_iso:
        faults.append(Fault("paid_on", msg("reject.after_today", today=rules.today_iso)))
    if faults:
        key = f"{loan}\x1f{period}" if loan is not None and period is not None else None
        return Rejected(key, tuple(faults))
    return (
        cast(str, loan),
        cast(int, period),
        cast(str, due),
        cast(int, out["principal_due"]),
        cast(int, out["interest_due"]),
        paid_on,
        cast("int | None", paid),
    )
