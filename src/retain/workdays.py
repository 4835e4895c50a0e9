"""Working days in China: weekends and 法定节假日 off, 调休 make-up days on.

Customer SMS go out on working days only (``export.send_on``); the calendar
comes from the ``holidays`` package (the State Council's published schedule,
make-up workdays included). The package is imported on first use only: it
costs about 0.1 s, which the commands that never ask must not pay.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from retain.days import day_number
from retain.rules import is_open_sql

SEND_ON = ("working_days", "any_day")
_ONE_DAY = dt.timedelta(days=1)


@dataclass
class WorkingDays:
    """Which days are working days; with ``any_day`` every day is one."""

    any_day: bool = False
    _years: dict[tuple[int, str], Any] = field(default_factory=dict)
    # Asked once per reminder of an export: remembered per day.
    _working: dict[dt.date, bool] = field(default_factory=dict)

    def _calendar(self, year: int, lang: str = "en") -> Any:
        key = (year, lang)
        if key not in self._years:
            import holidays

            language = "zh_CN" if lang == "zh" else "en_US"
            self._years[key] = holidays.country_holidays("CN", years=year, language=language)
        return self._years[key]

    def is_working(self, day: dt.date) -> bool:
        if self.any_day:
            return True
        known = self._working.get(day)
        if known is None:
            known = self._working[day] = bool(self._calendar(day.year).is_working_day(day))
        return known

    def previous(self, day: dt.date) -> dt.date:
        """``day`` itself if a working day, else the last working day before it."""
        while not self.is_working(day):
            day -= _ONE_DAY
        return day

    def next_after(self, day: dt.date) -> dt.date:
        """The first working day after ``day``."""
        day += _ONE_DAY
        while not self.is_working(day):
            day += _ONE_DAY
        return day

    def name(self, day: dt.date, lang: str) -> str | None:
        """The holiday's name (国庆节, or the 调休 day off), None for a plain weekend."""
        found = self._calendar(day.year, lang).get(day)
        return str(found) if found else None


def maturities_between(
    conn: sqlite3.Connection, first: dt.date, last: dt.date, officer: str | None = None
) -> int:
    """Open loans maturing from ``first`` to ``last``, both included."""
    sql = (
        "SELECT COUNT(*) FROM loans l JOIN customers c ON c.customer_id = l.customer_id"
        f" WHERE {is_open_sql('l')} AND l.matures_day BETWEEN :first AND :last"
    )
    params: dict[str, Any] = {"first": day_number(first), "last": day_number(last)}
    if officer is not None:
        sql += " AND c.officer = :officer"
        params["officer"] = officer
    return int(conn.execute(sql, params).fetchone()[0])
