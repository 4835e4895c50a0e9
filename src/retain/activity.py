"""Officers' activity against their quotas (``retain activity``): plain data, no rendering.

A window is an activity week (an ISO week, or the same seven days started on
another day: ``quota.week_starts``) or a calendar month. Every figure is
credited to an officer:

- contacts, calls and visits: the officer recorded on the contact row (who
  made it, ``log --officer``); a contact logged without one goes to the
  customer's officer;
- prospects: the prospect's officer; a conversion (stage ``disbursed``) the
  officer recorded on that stage, else the prospect's;
- promises kept/broken: the officer who took the promise, else the customer's;
- loans (new customers, renewals, win-backs) and the missed maturities: the
  customer's officer (a loan row records none).

Calls and visits count every one logged, attempts included (a visit to a
closed shop is still a visit made); "customers reached" counts real contacts
only (:data:`retain.contacts.ATTEMPTS` excluded).

All SQL is portable: parameters and day numbers, no date functions.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sqlite3
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from retain.config import WEEKDAYS, QuotaConfig
from retain.contacts import ATTEMPTS, CHANNELS, OUTCOMES
from retain.days import day_number, from_day_number
from retain.errors import UsageError
from retain.rules import OPEN_STATUSES, STATUSES

# The measures a quota can be set on, in the order they are shown, with the
# quota setting of each (per week or per month).
QUOTA_OF = {
    "calls": "calls_per_week",
    "visits": "visits_per_week",
    "new_prospects": "prospects_per_week",
    "new_customers": "new_customers_per_month",
}
MEASURES = (
    "contacts",
    "customers_reached",
    "calls",
    "visits",
    "new_prospects",
    "prospects_converted",
    "new_customers",
    "renewals",
    "win_backs",
    "promises_kept",
    "promises_broken",
    "missed",
)
_ATTEMPTS = ", ".join(f"'{a}'" for a in ATTEMPTS)
_OPEN = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
_ALL = ", ".join(f"'{s}'" for s in STATUSES)
# Who a contact counts for: the officer recorded on it, else the customer's.
_CONTACT_OFFICER = (
    "COALESCE(k.officer, (SELECT c.officer FROM customers c WHERE c.customer_id = k.customer_id))"
)
# Every officer a customer is assigned to, one index look-up each (a skip
# scan of customers_by_officer) instead of a pass over every customer.
_KNOWN_OFFICERS = """
WITH RECURSIVE known(name) AS (
    SELECT MIN(officer) FROM customers WHERE officer IS NOT NULL
    UNION ALL
    SELECT (SELECT MIN(c.officer) FROM customers c WHERE c.officer > known.name)
    FROM known WHERE known.name IS NOT NULL
)
SELECT name FROM known WHERE name IS NOT NULL"""


@dataclass(frozen=True)
class Window:
    kind: str  # "week" | "month"
    label: str  # 2026-W48 | 2026-11
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _start_index(week_starts: str) -> int:
    return WEEKDAYS.index(week_starts)


def week_window(year: int, week: int, week_starts: str = "monday") -> Window:
    """Week ``week`` of ISO year ``year``: from the configured start day on or
    before that ISO week's Monday, seven days. ValueError if the week does not exist."""
    monday = dt.date.fromisocalendar(year, week, 1)
    first = monday - dt.timedelta(days=(7 - _start_index(week_starts)) % 7)
    return Window("week", f"{year}-W{week:02d}", first, first + dt.timedelta(days=6))


def week_of(day: dt.date, week_starts: str = "monday") -> Window:
    """The activity week holding ``day``."""
    start = _start_index(week_starts)
    first = day - dt.timedelta(days=(day.weekday() - start) % 7)
    # Named after the ISO week of the Monday it holds (its first day when it starts on Monday).
    year, week, _ = (first + dt.timedelta(days=(7 - start) % 7)).isocalendar()
    return week_window(year, week, week_starts)


_WEEK = re.compile(r"(\d{4})-?w(\d{1,2})")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def parse_week(text: str, week_starts: str = "monday") -> Window:
    """``2026-W48`` (or ``2026W48``, any case); UsageError naming the week if the
    year has no such ISO week (2025-W53)."""
    normal = unicodedata.normalize("NFKC", text).strip().lower()
    found = _WEEK.fullmatch(normal)
    if found is None:
        raise UsageError(key="activity.bad_week", value=text)
    year, week = int(found.group(1)), int(found.group(2))
    try:
        return week_window(year, week, week_starts)
    except ValueError:
        last = dt.date(year, 12, 28).isocalendar()[1]
        raise UsageError(key="activity.no_such_week", value=text, year=year, weeks=last) from None


def parse_month(text: str) -> Window:
    normal = unicodedata.normalize("NFKC", text).strip()
    found = _MONTH.fullmatch(normal)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise UsageError(key="activity.bad_month", value=text)
    year, month = int(found.group(1)), int(found.group(2))
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return Window("month", f"{year}-{month:02d}", first, following - dt.timedelta(days=1))


def quota_for(setting: str, value: int, window: Window) -> int | None:
    """The quota over ``window``: a weekly one as it is for a week and scaled by
    days/7 (rounded half up) for a month; a monthly one for a month only (a
    week is too short to judge it). None: no quota."""
    if value <= 0:
        return None
    if setting.endswith("_per_week"):
        if window.kind == "week":
            return value
        return math.floor(value * window.days / 7 + 0.5)
    return value if window.kind == "month" else None


@dataclass(frozen=True)
class Target:
    measure: str
    done: int
    quota: int

    @property
    def met(self) -> bool:
        return self.done >= self.quota

    @property
    def share(self) -> float:
        return self.done / self.quota


@dataclass
class OfficerActivity:
    officer: str | None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))
    by_channel: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    by_outcome: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    targets: list[Target] = field(default_factory=list)


@dataclass(frozen=True)
class Missed:
    """A loan that matured in the window with no real contact of its customer
    in the maturity lead window before (``rhythm.maturity_tiers``' widest)."""

    officer: str | None
    customer_id: str
    name: str
    loan_id: str
    matures_on: str
    last_contact_on: str | None  # the customer's latest real contact before maturity


@dataclass(frozen=True)
class Activity:
    window: Window
    officers: list[OfficerActivity]
    missed: list[Missed]


def _num(day: dt.date) -> int:
    number = day_number(day)
    assert number is not None
    return number


def normal_officer(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip()


def _scope(officer: str | None, expression: str, params: dict[str, Any]) -> str:
    if officer is None:
        return ""
    params["officer"] = officer
    return f" AND {expression} = :officer"


def activity(
    conn: sqlite3.Connection,
    window: Window,
    today: dt.date,
    quota: QuotaConfig,
    *,
    lead_days: int,
    grace_days: int,
    officer: str | None = None,
) -> Activity:
    """Every officer's figures over ``window`` (one officer's with ``officer``)."""
    params: dict[str, Any] = {
        "lo": _num(window.first),
        "hi": _num(window.last),
        "t": _num(today),
        "lead": lead_days,
        "grace": grace_days,
    }
    rows: dict[str | None, OfficerActivity] = {}

    def row(name: str | None) -> OfficerActivity:
        if name not in rows:
            rows[name] = OfficerActivity(name)
        return rows[name]

    # Contacts: the covering (at_day, officer, channel, outcome, customer_id)
    # index. The customer's officer is looked up only for a contact logged
    # without one: COALESCE evaluates its second argument only when the first
    # is NULL, where a LEFT JOIN looked a customer up for every contact.
    who = _CONTACT_OFFICER
    where = _scope(officer, who, params)
    contacts_sql = f"""
SELECT {who}, k.channel, k.outcome, COUNT(*)
FROM contacts k
WHERE k.at_day >= :lo AND k.at_day <= :hi{where}
GROUP BY 1, 2, 3"""
    for name, channel, outcome, count in conn.execute(contacts_sql, params):
        entry = row(name)
        entry.counts["contacts"] += count
        entry.by_channel[channel] = entry.by_channel.get(channel, 0) + count
        entry.by_outcome[outcome] = entry.by_outcome.get(outcome, 0) + count
        if channel == "call":
            entry.counts["calls"] += count
        elif channel == "visit":
            entry.counts["visits"] += count
    reached_sql = f"""
SELECT {who}, COUNT(DISTINCT k.customer_id)
FROM contacts k
WHERE k.at_day >= :lo AND k.at_day <= :hi AND k.outcome NOT IN ({_ATTEMPTS}){where}
GROUP BY 1"""
    for name, count in conn.execute(reached_sql, params):
        row(name).counts["customers_reached"] = count

    p_where = _scope(officer, "p.officer", params)
    prospects_sql = f"""
SELECT p.officer, COUNT(*) FROM prospects p
WHERE p.entered_day >= :lo AND p.entered_day <= :hi{p_where}
GROUP BY 1"""
    for name, count in conn.execute(prospects_sql, params):
        row(name).counts["new_prospects"] = count
    s_who = "COALESCE(s.officer, p.officer)"
    converted_sql = f"""
SELECT {s_who}, COUNT(DISTINCT s.prospect_id)
FROM prospect_stages s JOIN prospects p ON p.prospect_id = s.prospect_id
WHERE s.day >= :lo AND s.day <= :hi AND s.stage = 'disbursed'{_scope(officer, s_who, params)}
GROUP BY 1"""
    for name, count in conn.execute(converted_sql, params):
        row(name).counts["prospects_converted"] = count

    pr_who = "COALESCE(p.officer, c.officer)"
    promises_sql = f"""
SELECT {pr_who}, p.status, COUNT(*)
FROM promises p JOIN customers c ON c.customer_id = p.customer_id
WHERE p.judged_day >= :lo AND p.judged_day <= :hi AND p.status IN ('kept', 'broken')
    {_scope(officer, pr_who, params)}
GROUP BY 1, 2"""
    for name, status, count in conn.execute(promises_sql, params):
        row(name).counts[f"promises_{status}"] = count

    _loans(conn, params, officer, row)
    missed = _missed(conn, params, officer)
    for item in missed:
        row(item.officer).counts["missed"] += 1

    # Every officer the store knows shows, with nothing done: a quiet week is news.
    if officer is None:
        known = conn.execute(_KNOWN_OFFICERS).fetchall()
        for (name,) in known:
            row(name)
        for own in quota.officers:
            row(own.name)
    else:
        row(officer)

    for entry in rows.values():
        targets = quota.targets(entry.officer)
        for measure, setting in QUOTA_OF.items():
            wanted = quota_for(setting, targets[setting], window)
            if wanted is not None and entry.officer is not None:
                entry.targets.append(Target(measure, entry.counts[measure], wanted))
    ordered = sorted(rows.values(), key=lambda r: (r.officer is None, r.officer or ""))
    return Activity(window, ordered, missed)


def _loans(
    conn: sqlite3.Connection,
    params: dict[str, Any],
    officer: str | None,
    row: Any,
) -> None:
    """Loans disbursed in the window, each one of:

    - a new customer's: no other loan of the customer was disbursed before it
      (nor earlier the same day);
    - a renewal: a loan of the customer closed within ``grace`` days before it
      (on its day or up to grace days earlier; as ``measured_renewals``);
    - a win-back: the customer borrowed before, had no open loan on its day, and
      the last close was longer ago than the grace days (a closed-out customer).

    Another loan beside an open one is none of them. New customers and
    win-backs count customers; renewals count loans. A loan of the window is
    judged by its flags: 1 an earlier loan (not new), 2 a loan closed within
    the grace days (a renewal when not new), 4 a loan still open or closed
    lately (no win-back); only the loans that count (all but 1 + 4) have their
    customer's officer looked up. All three are one look-up per loan in the
    (customer_id, disbursed_day, status, closed_day) index, the customer's
    loans up to its day, never a loan row: a month of a big book disburses
    tens of thousands of loans. A loan closed before it was disbursed (the
    import refuses one; an old store may hold one) is past that range: its
    customers (``closing``, almost always none) are asked again in full.
    Most loans of a busy window sit beside an earlier open one (1 + 4): when
    the customer closed no loan lately (``closes``), the first such loan
    found in the index decides it, its other loans unread."""
    where = _scope(officer, "c.officer", params)
    sql = f"""
WITH closes AS MATERIALIZED (
    SELECT l.customer_id, l.disbursed_day, l.closed_day FROM loans l
    WHERE l.status = 'closed' AND l.closed_day >= :lo - :grace AND l.closed_day <= :hi
), closing AS MATERIALIZED (
    SELECT customer_id FROM closes
    WHERE disbursed_day IS NULL OR disbursed_day > closed_day
), judged AS MATERIALIZED (
    SELECT f.customer_id AS cid, CASE WHEN f.customer_id NOT IN (SELECT customer_id FROM closes)
        AND EXISTS (SELECT 1 FROM loans p INDEXED BY loans_by_customer_day
            WHERE p.customer_id = f.customer_id AND p.disbursed_day < f.disbursed_day
            AND p.status IN ({_OPEN}))
    THEN 5 ELSE COALESCE((
        SELECT MAX(CASE WHEN p.disbursed_day < f.disbursed_day
                OR (p.disbursed_day = f.disbursed_day AND p.rowid < f.rowid)
                THEN 1 ELSE 0 END)
            + MAX(CASE WHEN p.status = 'closed' AND p.closed_day <= f.disbursed_day
                AND p.closed_day >= f.disbursed_day - :grace
                THEN 2 ELSE 0 END)
            + MAX(CASE WHEN p.status IN ({_OPEN}) OR p.closed_day IS NULL
                OR p.closed_day >= f.disbursed_day - :grace
                THEN 4 ELSE 0 END)
        FROM loans p INDEXED BY loans_by_customer_day
        WHERE p.customer_id = f.customer_id AND p.disbursed_day <= f.disbursed_day
            AND p.rowid <> f.rowid AND p.status IN ({_ALL})
    ), 0) | CASE WHEN f.customer_id IN (SELECT customer_id FROM closing)
        AND EXISTS (SELECT 1 FROM loans p INDEXED BY loans_for_ranking
            WHERE p.status = 'closed' AND p.customer_id = f.customer_id
            AND p.rowid <> f.rowid AND p.closed_day <= f.disbursed_day
            AND p.closed_day >= f.disbursed_day - :grace)
        THEN 2 ELSE 0 END END AS flags
    FROM loans f INDEXED BY loans_by_disbursed
    WHERE f.disbursed_day >= :lo AND f.disbursed_day <= :hi
)
SELECT c.officer,
    COUNT(DISTINCT CASE WHEN j.flags & 1 = 0 THEN j.cid END),
    SUM(CASE WHEN j.flags & 3 = 3 THEN 1 ELSE 0 END),
    COUNT(DISTINCT CASE WHEN j.flags = 1 THEN j.cid END)
FROM judged j JOIN customers c ON c.customer_id = j.cid
WHERE j.flags <> 5{where}
GROUP BY 1"""
    for name, new, renewed, back in conn.execute(sql, params):
        entry = row(name)
        entry.counts["new_customers"] = int(new or 0)
        entry.counts["renewals"] = int(renewed or 0)
        entry.counts["win_backs"] = int(back or 0)
    if officer is None:
        # A loan that counts for none still shows its officer's column; every
        # named officer shows anyway, so only the customers with none matter.
        unassigned = conn.execute(
            """
SELECT 1 FROM customers c
WHERE c.officer IS NULL AND EXISTS (
    SELECT 1 FROM loans l INDEXED BY loans_by_customer_day
    WHERE l.customer_id = c.customer_id
        AND l.disbursed_day >= :lo AND l.disbursed_day <= :hi)
LIMIT 1""",
            params,
        ).fetchone()
        if unassigned is not None:
            row(None)


def _missed(conn: sqlite3.Connection, params: dict[str, Any], officer: str | None) -> list[Missed]:
    """Loans that matured in the window, up to today, that were on the book when
    their maturity window opened (known to the store by then, not closed
    before), and whose customer had no real contact from ``lead`` days before
    maturity to the maturity day itself: the maturity reminders that expired
    without a contact."""
    where = _scope(officer, "c.officer", params)
    # A contact's `at` is "YYYY-MM-DD hh:mm:ss": the lead window's bounds as text
    # let the (customer_id, at) index find it.
    sql = f"""
SELECT c.officer, c.customer_id, c.name, l.loan_id, l.matures_on, l.matures_day
FROM loans l JOIN customers c ON c.customer_id = l.customer_id
WHERE l.status IN ({_ALL}) AND l.matures_day >= :lo AND l.matures_day <= :hi
    AND l.matures_day <= :t
    AND (l.closed_day IS NULL OR l.closed_day >= l.matures_day - :lead)
    AND (l.first_seen_day IS NULL OR l.first_seen_day <= l.matures_day){where}
ORDER BY c.officer IS NULL, c.officer, l.matures_day, c.customer_id, l.loan_id"""
    found: list[Missed] = []
    for name, customer_id, customer_name, loan_id, matures_on, matures_day in conn.execute(
        sql, params
    ):
        opens = from_day_number(matures_day - params["lead"]).isoformat()
        ends = from_day_number(matures_day + 1).isoformat()
        contacted = conn.execute(
            "SELECT 1 FROM contacts WHERE customer_id = ? AND at >= ? AND at < ?"
            f" AND outcome NOT IN ({_ATTEMPTS}) LIMIT 1",
            (customer_id, opens, ends),
        ).fetchone()
        if contacted is not None:
            continue
        last = conn.execute(
            "SELECT MAX(at) FROM contacts WHERE customer_id = ? AND at < ?"
            f" AND outcome NOT IN ({_ATTEMPTS})",
            (customer_id, ends),
        ).fetchone()[0]
        found.append(
            Missed(
                name, customer_id, customer_name, loan_id, matures_on, last[:10] if last else None
            )
        )
    return found


# ---------------------------------------------------------------------------
# Streaks


@dataclass(frozen=True)
class Streak:
    officer: str
    quota: int  # visits per week
    weeks: int  # consecutive weeks met, up to the last week
    current_met: bool  # the last week (still running when it holds today) is met
    since: str | None  # the first week of the streak


def streaks(
    conn: sqlite3.Connection,
    last: Window,
    quota: QuotaConfig,
    officer: str | None = None,
) -> list[Streak]:
    """Per officer with a visit quota: the consecutive weeks, up to ``last``, in
    which they logged at least their quota of visits. ``last`` counts when it is
    met already; when it is not (a week still running), the streak ends the week
    before it instead of being broken. Quotas are today's: the config keeps no
    history of them."""
    start = _start_index(quota.week_starts)
    end_day = _num(last.last)
    # Day number 0 (1970-01-01) was a Thursday (weekday 3): weeks starting on
    # weekday `start` are numbered (day + 3 - start) // 7.
    params: dict[str, Any] = {"shift": 3 - start, "hi": end_day}
    # The visits with an officer are counted per day and officer as they come
    # in the (at_day, officer, …) index, no sort of a year's visits; only
    # those logged without one look their customer's officer up.
    where = _scope(officer, "v.who", params)
    sql = f"""
SELECT v.who, (v.day + :shift) / 7, SUM(v.n)
FROM (
    SELECT k.at_day AS day, k.officer AS who, COUNT(*) AS n
    FROM contacts k INDEXED BY contacts_by_day
    WHERE k.at_day <= :hi AND k.officer IS NOT NULL AND k.channel = 'visit'
    GROUP BY k.at_day, k.officer
    UNION ALL
    SELECT k.at_day, (SELECT c.officer FROM customers c WHERE c.customer_id = k.customer_id), 1
    FROM contacts k INDEXED BY contacts_by_day
    WHERE k.at_day <= :hi AND k.officer IS NULL AND k.channel = 'visit'
) v
WHERE 1 = 1{where}
GROUP BY 1, 2"""
    visits: dict[str | None, dict[int, int]] = defaultdict(dict)
    for name, week, count in conn.execute(sql, params):
        visits[name][int(week)] = int(count)
    names: set[str] = {n for n in visits if n is not None}
    if officer is None:
        names |= {n for (n,) in conn.execute(_KNOWN_OFFICERS)}
        names |= {row.name for row in quota.officers}
    else:
        names = {officer}
    last_week = (end_day + 3 - start) // 7
    found = []
    for name in sorted(names):
        wanted = quota.targets(name)["visits_per_week"]
        if wanted <= 0:
            continue
        done = visits.get(name, {})
        current_met = done.get(last_week, 0) >= wanted
        week = last_week if current_met else last_week - 1
        count = 0
        while done.get(week, 0) >= wanted:
            count += 1
            week -= 1
        since = None
        if count:
            first_day = from_day_number((week + 1) * 7 - 3 + start)
            since = week_of(first_day, quota.week_starts).label
        found.append(Streak(name, wanted, count, current_met, since))
    return found
