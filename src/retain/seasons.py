"""Seasons (季节性需求): an industry or a group needs money before a date.

A season's date is written ``MM-DD`` (``03-01`` spring planting) or as a
Chinese festival (``春节``, ``中秋``, ``端午``), either followed by an offset in
days (``春节 -45``: 45 days before the Spring Festival). Festival dates come
from the ``holidays`` package's Chinese lunisolar calendar, for any year it
covers (1901–2099): never from a table kept here.

:func:`upcoming_seasons` gives each season's next date; :func:`season_members`
the customers and prospects it concerns, with their current loans, ranked.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from retain.days import day_number, from_day_number
from retain.rules import dpd_sql, is_open_sql, outstanding_sql

if TYPE_CHECKING:
    from retain.config import SeasonConfig

#: Festival names (Chinese and English) → the lunisolar helper's method.
FESTIVALS: dict[str, str] = {
    "春节": "lunar_new_year_date",
    "spring festival": "lunar_new_year_date",
    "chinese new year": "lunar_new_year_date",
    "中秋": "mid_autumn_date",
    "中秋节": "mid_autumn_date",
    "mid-autumn": "mid_autumn_date",
    "端午": "dragon_boat_date",
    "端午节": "dragon_boat_date",
    "dragon boat": "dragon_boat_date",
}

_OFFSET = r"(?:\s*(?P<offset>[+\-]\s*\d+)\s*(?:天|d)?)?\s*"
_FIXED = re.compile(r"\s*(?P<month>\d{1,2})-(?P<day>\d{1,2})" + _OFFSET)
_FESTIVAL = re.compile(r"\s*(?P<anchor>[^\d+\-]+?)" + _OFFSET)


@dataclass(frozen=True)
class SeasonDate:
    """A parsed ``date`` setting: a festival or a fixed month-day, plus an offset."""

    festival: str | None  # the lunisolar method's name
    month: int
    day: int
    offset: int

    def on(self, year: int) -> dt.date:
        """The season's date whose anchor falls in ``year``."""
        if self.festival is not None:
            anchor = festival_date(self.festival, year)
        else:
            # 02-29 in a year without it: the 28th.
            day = self.day
            while True:
                try:
                    anchor = dt.date(year, self.month, day)
                    break
                except ValueError:
                    day -= 1
        return anchor + dt.timedelta(days=self.offset)

    def next_on_or_after(self, today: dt.date) -> dt.date:
        """The first date of this season on or after ``today``."""
        for year in (today.year - 1, today.year, today.year + 1, today.year + 2):
            date = self.on(year)
            if date >= today:
                return date
        raise AssertionError("an offset is bounded by a year")  # parse_season_date checks


def parse_season_date(text: str) -> SeasonDate:
    """``03-01``, ``春节 -45``, ``中秋-30``, ``09-01 -20`` → a :class:`SeasonDate`;
    ValueError (with the reason) for anything else."""
    fixed = _FIXED.fullmatch(text)
    festival_match = _FESTIVAL.fullmatch(text)
    matched = fixed or festival_match
    if matched is None:
        raise ValueError(text)
    offset = int(matched["offset"].replace(" ", "")) if matched["offset"] else 0
    if abs(offset) > 180:
        raise ValueError(text)
    if fixed is None:
        festival = FESTIVALS.get(matched["anchor"].strip().lower())
        if festival is None:
            raise ValueError(text)
        return SeasonDate(festival, 0, 0, offset)
    month, day = int(fixed["month"]), int(fixed["day"])
    try:
        dt.date(2024, month, day)  # a leap year: 02-29 is a date
    except ValueError:
        raise ValueError(text) from None
    return SeasonDate(None, month, day, offset)


@cache
def _lunisolar() -> Any:
    # The package's own lunisolar calendar (the one holidays.China uses for its
    # festivals), computed for 1901–2099.
    from holidays.calendars.chinese import _ChineseLunisolar

    return _ChineseLunisolar()


def festival_date(method: str, year: int) -> dt.date:
    """The festival's Gregorian date in ``year`` (春节 2026 → 2026-02-17)."""
    found: Callable[[int], tuple[dt.date | None, bool]] = getattr(_lunisolar(), method)
    date, _ = found(year)
    if date is None:
        raise ValueError(year)
    return date


@dataclass(frozen=True)
class Campaign:
    """A season's next occurrence."""

    index: int  # its place in the config's [[seasons]]
    name: str
    industry: str | None
    group: str | None
    date: dt.date
    lead_days: int
    message: dict[str, str]

    def window_opens(self) -> dt.date:
        return self.date - dt.timedelta(days=self.lead_days)

    def in_window(self, today: dt.date) -> bool:
        return self.window_opens() <= today <= self.date


def campaigns(seasons: Sequence[SeasonConfig], today: dt.date) -> list[Campaign]:
    """Every season's next date on or after today, soonest first."""
    found = [
        Campaign(
            index=i,
            name=season.name,
            industry=season.industry,
            group=season.group,
            date=parse_season_date(season.date).next_on_or_after(today),
            lead_days=season.lead_days,
            message={"zh": season.message_zh, "en": season.message_en},
        )
        for i, season in enumerate(seasons)
    ]
    return sorted(found, key=lambda c: (c.date, c.index))


def upcoming_seasons(seasons: Sequence[SeasonConfig], today: dt.date, days: int) -> list[Campaign]:
    """The campaigns whose date is within ``days`` of today, or whose lead
    window is open today."""
    end = today + dt.timedelta(days=days)
    return [c for c in campaigns(seasons, today) if c.date <= end or c.in_window(today)]


def _who(campaign: Campaign, alias: str, *, prospect: bool) -> tuple[str, dict[str, Any]]:
    """The condition that a customer (or prospect) is concerned by the campaign:
    its industry contains the season's (服装 matches 服装加工), or it is a
    member of the season's group."""
    params: dict[str, Any] = {}
    if campaign.industry is not None:
        params["industry"] = campaign.industry
        return f"instr(COALESCE({alias}.industry, ''), :industry) > 0", params
    params["group"] = campaign.group
    column = "prospect_id" if prospect else "customer_id"
    return (
        f"EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.group_id = gm.group_id"
        f" WHERE g.name = :group AND gm.{column} = {alias}.{column})"
    ), params


def season_members(
    conn: sqlite3.Connection, campaign: Campaign, today: dt.date
) -> list[dict[str, Any]]:
    """The customers and prospects a campaign concerns, ranked: customers whose
    loan matures before the season first (a renewal to time), then the most
    room for a top-up (their largest loan ever less today's balance), then
    prospects. Customers with a loan past due are left out: a season is an
    offer, not a collection."""
    t = day_number(today)
    who, params = _who(campaign, "c", prospect=False)
    params.update({"t": t, "season_day": day_number(campaign.date)})
    customers_sql = f"""
SELECT c.customer_id AS member_id, 'customer' AS member_kind, c.name, c.phone, c.officer,
    c.industry,
    COALESCE(SUM(CASE WHEN {is_open_sql("l")} THEN {outstanding_sql("l")} END), 0) AS balance,
    MIN(CASE WHEN {is_open_sql("l")} THEN l.matures_on END) AS matures_on,
    MIN(CASE WHEN {is_open_sql("l")} THEN l.matures_day END) AS matures_day,
    MAX(l.principal_fen) AS largest_loan,
    MAX(CASE WHEN {is_open_sql("l")} THEN {dpd_sql("l", ":t")} ELSE 0 END) AS dpd
FROM customers c LEFT JOIN loans l ON l.customer_id = c.customer_id
WHERE {who}
GROUP BY c.customer_id"""
    rows: list[dict[str, Any]] = []
    cursor = conn.execute(customers_sql, params)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        if row.pop("dpd") or 0:
            continue
        matures_day = row.pop("matures_day")
        row["matures_before"] = matures_day is not None and matures_day <= params["season_day"]
        largest = row.pop("largest_loan")
        row["room"] = max(int(largest) - int(row["balance"]), 0) if largest else None
        row["stage"] = None
        rows.append(row)
    rows.sort(key=lambda r: (not r["matures_before"], -(r["room"] or 0), r["member_id"]))
    who_p, params_p = _who(campaign, "p", prospect=True)
    prospects_sql = f"""
SELECT 'P' || p.prospect_id AS member_id, 'prospect' AS member_kind, p.name, p.phone,
    p.officer, p.industry, p.stage
FROM prospects p
WHERE p.forgotten_day IS NULL AND p.stage NOT IN ('disbursed', 'lost') AND {who_p}
ORDER BY p.prospect_id"""
    cursor = conn.execute(prospects_sql, params_p)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        row.update(balance=None, matures_on=None, matures_before=False, room=None)
        rows.append(row)
    return rows


#: A season's call-list code is ``window-opening day × SEASON_CODE + its index``
#: in the config's [[seasons]]: the day and the season travel together in one
#: SQL value (as the collateral expiry's day and kind do).
SEASON_CODE = 4096


def _occurrences(
    seasons: Sequence[SeasonConfig], first: dt.date, last: dt.date
) -> list[tuple[int, int, int]]:
    """``(window opens, date, index)`` day numbers of every season occurrence
    whose lead window meets ``first`` … ``last``, soonest date first."""
    found: set[tuple[int, int, int]] = set()
    for index, season in enumerate(seasons[:SEASON_CODE]):
        parsed = parse_season_date(season.date)
        for year in range(first.year - 1, last.year + 2):
            date = parsed.on(year)
            opens = date - dt.timedelta(days=season.lead_days)
            if opens <= last and date >= first:
                found.add((_day(opens), _day(date), index))
    return sorted(found, key=lambda o: (o[1], o[2]))


def _day(date: dt.date) -> int:
    number = day_number(date)
    assert number is not None
    return number


def _concerns_sql(season: SeasonConfig, index: int, params: dict[str, Any]) -> str:
    """That customer ``c`` is concerned by the season (as :func:`_who`)."""
    if season.industry is not None:
        params[f"s_ind{index}"] = season.industry
        return f"instr(COALESCE(c.industry, ''), :s_ind{index}) > 0"
    params[f"s_grp{index}"] = season.group
    return (
        "EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.group_id = gm.group_id"
        f" WHERE g.name = :s_grp{index} AND gm.customer_id = c.customer_id)"
    )


def season_code_sql(
    seasons: Sequence[SeasonConfig], first: dt.date, last: dt.date, today: str
) -> tuple[str, dict[str, Any]]:
    """An SQL expression over the customer ``c``: the code (see SEASON_CODE) of
    the soonest season whose lead window holds ``today`` (an SQL day number) and
    that concerns the customer, else NULL. Only the occurrences meeting
    ``first`` … ``last`` are written out: on most days none, and the
    expression is a constant NULL."""
    params: dict[str, Any] = {}
    arms = [
        f"WHEN {today} BETWEEN {opens} AND {date} AND {_concerns_sql(seasons[i], i, params)}"
        f" THEN {opens * SEASON_CODE + i}"
        for opens, date, i in _occurrences(seasons, first, last)
    ]
    if not arms:
        return "NULL", params
    return f"(CASE {' '.join(arms)} END)", params


def season_wake_sql(
    seasons: Sequence[SeasonConfig], first: int, last: int
) -> tuple[str | None, dict[str, Any]]:
    """``SELECT customer_id, day``: the customers a season concerns on the days
    from ``first`` to ``last`` when its lead window opens or has just closed
    (the reminders' wake days); None when no window opens or closes then."""
    params: dict[str, Any] = {}
    parts: list[str] = []
    start, end = from_day_number(first), from_day_number(last)
    for opens, date, i in _occurrences(seasons, start, end + dt.timedelta(days=1)):
        for day in (opens, date + 1):
            if first <= day <= last:
                who = _concerns_sql(seasons[i], i, params)
                parts.append(f"SELECT c.customer_id, {day} FROM customers c WHERE {who}")
    return (" UNION ALL ".join(parts) if parts else None), params


def season_of(seasons: Sequence[SeasonConfig], index: int | None) -> SeasonConfig | None:
    """The season a call-list code's index names, None if the config changed."""
    if index is None or not 0 <= index < len(seasons):
        return None
    return seasons[index]
