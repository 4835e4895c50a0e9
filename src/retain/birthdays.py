"""Birthdays from ID numbers (身份证号): who has one in the next days.

A valid 18-character ID number carries the birth date in characters 7–14
(YYYYMMDD); the importer keeps only valid ones (15-digit legacy numbers are
refused, so they never reach here). Someone born on 29 February celebrates on
28 February in a year without one.

The call-list term ``birthday`` needs today's month and day in SQL, from a day
number and without date functions: :func:`month_day_sql` is the civil-from-days
arithmetic (H. Hinnant's ``civil_from_days``), integer operations only.
"""

from __future__ import annotations

import calendar
import datetime as dt
import sqlite3
from dataclasses import dataclass


def birth_date(id_number: str | None) -> dt.date | None:
    """The birth date of an 18-character ID number, None when it has none."""
    if not id_number or len(id_number) != 18 or not id_number[6:14].isdigit():
        return None
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def celebrated(born: dt.date, year: int) -> dt.date:
    """The day a birthday is celebrated in ``year``: 29 Feb is 28 Feb in a common year."""
    if born.month == 2 and born.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return born.replace(year=year)


def next_birthday(born: dt.date, today: dt.date) -> dt.date:
    """The first celebrated birthday on or after ``today``."""
    this_year = celebrated(born, today.year)
    return this_year if this_year >= today else celebrated(born, today.year + 1)


@dataclass(frozen=True)
class Birthday:
    customer_id: str
    name: str
    phone: str | None
    id_number: str
    officer: str | None
    birthday: dt.date  # the day it is celebrated
    days_left: int


def _month_days(today: dt.date, days: int) -> dict[str, list[dt.date]]:
    """``MMDD`` of a birth date → the days of the window it is celebrated on."""
    found: dict[str, list[dt.date]] = {}
    for offset in range(days + 1):
        day = today + dt.timedelta(days=offset)
        found.setdefault(f"{day.month:02d}{day.day:02d}", []).append(day)
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            found.setdefault("0229", []).append(day)
    return found


def window_month_days(first: int, last: int) -> list[tuple[int, str]]:
    """(day number, ``MMDD`` of the birth dates celebrated that day) from ``first``
    to ``last``: 29 Feb's are on 28 Feb in a common year."""
    start = dt.date(1970, 1, 1) + dt.timedelta(days=first)
    return [
        ((day - dt.date(1970, 1, 1)).days, md)
        for md, on in _month_days(start, max(0, last - first)).items()
        for day in on
    ]


def upcoming(
    conn: sqlite3.Connection, today: dt.date, days: int, officer: str | None = None
) -> list[Birthday]:
    """Customers whose birthday is celebrated from ``today`` to ``today + days``,
    soonest first. The month and day are matched in SQL (a window's few
    ``MMDD`` values), the rest in Python over the few found."""
    wanted = _month_days(today, days)
    marks = ", ".join(f":md{i}" for i in range(len(wanted)))
    params: dict[str, object] = {f"md{i}": md for i, md in enumerate(wanted)}
    where = ""
    if officer is not None:
        where = " AND officer = :officer"
        params["officer"] = officer
    rows = conn.execute(
        "SELECT customer_id, name, phone, id_number, officer FROM customers"
        f" WHERE length(id_number) = 18 AND substr(id_number, 11, 4) IN ({marks}){where}",
        params,
    ).fetchall()
    found: list[Birthday] = []
    for customer_id, name, phone, id_number, who in rows:
        born = birth_date(id_number)
        if born is None:
            continue
        for day in wanted[id_number[10:14]]:
            if day.year > born.year or (day.year == born.year and day >= born):
                found.append(
                    Birthday(customer_id, name, phone, id_number, who, day, (day - today).days)
                )
                break
    return sorted(found, key=lambda b: (b.birthday, b.customer_id))


# --- in SQL, from a day number ------------------------------------------------------


def month_day_sql(day: str) -> str:
    """``month * 100 + day`` of day number ``day`` (days since 1970-01-01, ≥ 0),
    plus 10000 when its year is a common year: integer arithmetic only."""
    z = f"({day} + 719468)"
    era = f"({z} / 146097)"
    doe = f"({z} - {era} * 146097)"
    yoe = f"(({doe} - {doe} / 1460 + {doe} / 36524 - {doe} / 146096) / 365)"
    doy = f"({doe} - (365 * {yoe} + {yoe} / 4 - {yoe} / 100))"
    mp = f"((5 * {doy} + 2) / 153)"
    d = f"({doy} - (153 * {mp} + 2) / 5 + 1)"
    m = f"(CASE WHEN {mp} < 10 THEN {mp} + 3 ELSE {mp} - 9 END)"
    y = f"({yoe} + {era} * 400 + (CASE WHEN {mp} >= 10 THEN 1 ELSE 0 END))"
    common = f"(CASE WHEN ({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0 THEN 0 ELSE 1 END)"
    return f"({m} * 100 + {d} + 10000 * {common})"


def birthday_today_sql(id_column: str, day: str) -> str:
    """Whether the ID number in ``id_column`` has its birthday celebrated on day ``day``
    (and the person was born by then)."""
    born = f"CAST(substr({id_column}, 11, 4) AS INTEGER)"
    today = month_day_sql(day)
    return (
        f"(length({id_column}) = 18 AND ({born} = {today} % 10000"
        f" OR ({born} = 229 AND {today} = 10228)))"
    )
