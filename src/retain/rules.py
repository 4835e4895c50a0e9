"""The rules of the data, each written once: statuses, guarantees, days past due, classes.

Every query builds its SQL from these pieces, so that "open", "days past due"
and "arrears class" mean the same in ``overdue``, ``calls``, reminders and
``show``. The SQL is portable: parameters and integer day numbers (migration
m002), no date functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from retain.config import ArrearsConfig

OPEN_STATUSES = ("active", "overdue")
OFF_BOOK_STATUSES = ("closed", "written_off")
STATUSES = OPEN_STATUSES + OFF_BOOK_STATUSES
GUARANTEES = ("credit", "guarantee", "mortgage", "pledge")
#: A customer's other products with the bank (``retain import holdings``), in the
#: order coverage lists them.
PRODUCTS = (
    "deposit",
    "term_deposit",
    "card",
    "credit_card",
    "wealth",
    "insurance",
    "payroll",
    "mobile_banking",
    "other",
)
#: Products whose balance the customer owes rather than holds: not assets under
#: management.
NOT_AUM = ("credit_card",)


def _quoted(values: Sequence[str]) -> str:
    # Only our own constants reach here, never user input.
    return ", ".join(f"'{value}'" for value in values)


def is_open_sql(alias: str = "l") -> str:
    """The loan is on the book: active or overdue."""
    return f"{alias}.status IN ({_quoted(OPEN_STATUSES)})"


def off_book_sql(alias: str = "l") -> str:
    """The loan is off the book: closed or written off.

    ``NOT`` this is the same set as :func:`is_open_sql` (the schema's CHECK allows
    only the four statuses), and lets SQLite scan the table instead of hopping
    through the status index when open loans are most of the book.
    """
    return f"{alias}.status IN ({_quoted(OFF_BOOK_STATUSES)})"


def is_open(status: str | None) -> bool:
    return status in OPEN_STATUSES


def dpd_sql(alias: str = "l", today: str = ":t") -> str:
    """Days past due of an open loan on day number ``today``.

    An imported days past due is a snapshot as of its import's as-of day, stored
    as the first day of the spell (``overdue_since_day``): it ages one day per
    day, ``today - overdue_since_day + 1`` (never below 0, for a ``--today``
    before the snapshot). A snapshot with no known start (imported before
    migration m005) stays as imported. Without an imported figure: the days
    since maturity for a loan past it, else 0. ``today`` is used twice.
    """
    a = alias
    return (
        f"CASE WHEN {a}.overdue_since_day IS NOT NULL THEN"
        f" (CASE WHEN {a}.overdue_since_day <= {today}"
        f" THEN {today} - {a}.overdue_since_day + 1 ELSE 0 END)"
        f" ELSE COALESCE({a}.days_past_due, CASE WHEN {a}.matures_day < {today}"
        f" THEN {today} - {a}.matures_day ELSE 0 END) END"
    )


def outstanding_sql(alias: str = "l") -> str:
    """What a loan still owes: its balance, or its principal when the store has none."""
    return f"COALESCE({alias}.balance_fen, {alias}.principal_fen)"


def class_case(
    arrears: ArrearsConfig, column: str, values: Sequence[Any], tag: str
) -> tuple[str, dict[str, Any]]:
    """A CASE giving ``values[rank]`` for the arrears class of ``column`` days.

    Bounds and values are parameters (``:{tag}max{rank}``, ``:{tag}val{rank}``).
    A table of one class has no bound to test and is just that class's value.
    """
    params: dict[str, Any] = {}
    parts = []
    for rank, entry in enumerate(arrears.classes):
        params[f"{tag}val{rank}"] = values[rank]
        if entry.max_days is not None:
            parts.append(f"WHEN {column} <= :{tag}max{rank} THEN :{tag}val{rank}")
            params[f"{tag}max{rank}"] = entry.max_days
    last = f":{tag}val{len(arrears.classes) - 1}"
    if not parts:
        return last, params
    return f"(CASE {' '.join(parts)} ELSE {last} END)", params


def bad_min_days(arrears: ArrearsConfig) -> int:
    """Days past due from which a customer counts as bad (``arrears.bad_from``)."""
    return arrears.classes[arrears.rank_of(arrears.bad_from)].min_days
