"""The process's single "today" and the relative dates users type.

Every date rule in retain reads the same ``today`` so that output is
reproducible in tests and cron can ask "what is due tomorrow".
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass

from retain.errors import UsageError
from retain.i18n import CATALOGUE, msg

# One grammar for every span a user types: "+3d", "-1w", "2m", "90天", "3个月", "１２周".
_SPAN = re.compile(r"^([+-]?)\s*(\d{1,5})\s*(d|w|m|天|日|周|星期|个月|月)?$")
_UNITS = {
    None: "d", "d": "d", "天": "d", "日": "d",
    "w": "w", "周": "w", "星期": "w",
    "m": "m", "月": "m", "个月": "m",
}  # fmt: skip
_WEEKDAYS = {
    "monday": 0, "mon": 0, "周一": 0, "星期一": 0,
    "tuesday": 1, "tue": 1, "周二": 1, "星期二": 1,
    "wednesday": 2, "wed": 2, "周三": 2, "星期三": 2,
    "thursday": 3, "thu": 3, "周四": 3, "星期四": 3,
    "friday": 4, "fri": 4, "周五": 4, "星期五": 4,
    "saturday": 5, "sat": 5, "周六": 5, "星期六": 5,
    "sunday": 6, "sun": 6, "周日": 6, "星期日": 6, "星期天": 6,
}  # fmt: skip
_NAMED = {"today": 0, "今天": 0, "tomorrow": 1, "明天": 1, "yesterday": -1, "昨天": -1}

DATE_HELP = CATALOGUE["error.date.forms"][0]  # for --help, which stays English


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the month's last day (Jan 31 + 1m = Feb 28)."""
    from dateutil.relativedelta import relativedelta

    result: dt.date = day + relativedelta(months=months)
    return result


@dataclass(frozen=True)
class Span:
    """A signed number of days, weeks or calendar months."""

    count: int
    unit: str  # "d", "w" or "m"
    signed: bool  # written with + or -

    def from_day(self, day: dt.date, direction: int = 1) -> dt.date:
        count = self.count * direction
        if self.unit == "d":
            return day + dt.timedelta(days=count)
        if self.unit == "w":
            return day + dt.timedelta(weeks=count)
        return add_months(day, count)


def _normal(text: str) -> str:
    """Full-width digits and letters to ASCII, trimmed, lower case."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def parse_span(text: str) -> Span | None:
    """``+3d``, ``-1w``, ``2m``, ``90`` (days), ``90天``, ``3个月``, ``１２周``; else None."""
    match = _SPAN.match(_normal(text))
    if match is None:
        return None
    sign, digits, unit = match.groups()
    count = int(digits) * (-1 if sign == "-" else 1)
    return Span(count, _UNITS[unit], signed=bool(sign))


def parse_period_start(text: str, today: dt.date) -> dt.date:
    """The first day of a period back from today (``90d``, ``12w``, ``6m``, ``90天``).

    The window is that day … today, both ends inclusive.
    """
    span = parse_span(text)
    if span is None or span.signed:
        raise UsageError(key="period.invalid", value=repr(text))
    return span.from_day(today, -1)


def parse_day(text: str, today: dt.date) -> dt.date:
    """Parse an absolute or relative day; raise UsageError naming the accepted forms."""
    value = _normal(text)
    if value in _NAMED:
        return today + dt.timedelta(days=_NAMED[value])
    span = parse_span(value)
    if span is not None and span.signed:
        return span.from_day(today)
    if value.startswith("next ") or value.startswith("下"):
        name = value[5:].strip() if value.startswith("next ") else value[1:].strip()
        if name in _WEEKDAYS:
            ahead = (_WEEKDAYS[name] - today.weekday()) % 7 or 7
            return today + dt.timedelta(days=ahead)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            key="date.invalid", value=repr(text), forms=msg("error.date.forms")
        ) from None


def parse_datetime(text: str, today: dt.date) -> dt.datetime:
    """A moment for ``--at``: an ISO datetime, or a day (taken at 09:00)."""
    value = text.strip()
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return dt.datetime.combine(parse_day(value, today), dt.time(9, 0))
    if len(value) <= 10:
        return dt.datetime.combine(moment.date(), dt.time(9, 0))
    return moment.replace(tzinfo=None, microsecond=0)


def resolve_today(option: str | None) -> dt.date:
    """``--today`` wins, then ``RETAIN_TODAY``, then the system clock."""
    raw = option or os.environ.get("RETAIN_TODAY")
    real_today = dt.date.today()
    if not raw:
        return real_today
    return parse_day(raw, real_today)
