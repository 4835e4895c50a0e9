"""Reminders for the days ahead, from exactly the rules of the call list.

A reminder exists exactly when ``retain calls`` would list that reason on that
day (the call-list query evaluated as if that day were today; no contacts are
known in the future). Consecutive days of one reason form one episode — a
maturity reminder window, an overdue spell, a promised follow-up, a scheduled
check — and each episode is one reminder, dated the first day it is listed in
the window. Its id hashes the customer, the reason and the episode's start, so
it is stable from run to run: a calendar updates the event instead of
duplicating it, and ``--new-only`` never sends it twice.

How it streams (a million loans, a month ahead): the call list is scored once
for everyone on the first day. After that a customer's listed reasons and their
episodes can only change on a day when one of the facts they are computed from
crosses a boundary — a maturity tier opening, an instalment's lead window
opening, a loan falling past due or into a
worse arrears class, a check on its schedule, a promised date, a rhythm (quiet
days, revisit, win-back …) running out since a contact, a close or a
disbursement. Those *wake days* are found in one pass of SQL (:func:`_wake_sql`),
and on each later day only the customers woken that day are scored, by the very
same query (``ranking.listed_sql``, with each term's ``episode_sql``; the rows
go from the query straight into the table below, never through Python), so the
terms registry stays the one place for each rule. Between two wake days nothing
can start, only grow or end.
The reminders found are kept in a temporary table, keyed by their id's parts
(the first day wins), and come out of it in order, a batch at a time: memory
does not grow with the book. ``tests/test_reminder_stream.py`` holds this to
the obvious algorithm (every customer, every day; ``tests/reference_reminders.py``)
on random books. A new term whose rule turns on at a day not covered by a wake
source below needs one added, and that test says so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import sqlite3
from collections.abc import Collection, Generator, Iterator
from typing import Any, NamedTuple

from retain.config import Config
from retain.dates import add_months
from retain.days import day_number, from_day_number
from retain.ranking import CallFilter, listed_sql
from retain.rules import dpd_sql, is_open_sql
from retain.seasons import season_wake_sql
from retain.terms import TERM_NAMES, term

KINDS = TERM_NAMES  # every call-list term is a kind of reminder
_BATCH = 500  # customers scored, reminders written or looked up per statement
_tables = itertools.count(1)


class Reminder(NamedTuple):
    # A named tuple, not a dataclass: an export makes one per reminder of the
    # window (450,000 for a month of 1M loans), and a frozen dataclass's
    # __init__ costs several times a tuple's.
    reminder_id: str
    customer_id: str
    name: str
    phone: str | None
    officer: str | None
    reason: str
    date: dt.date
    loan_id: str | None
    amount_fen: int | None
    balance_fen: int | None
    matures_on: str | None
    days_past_due: int | None
    days_left: int | None
    score: int
    # An instalment reminder's instalment: its period (期数), amount and due date.
    period: int | None = None
    amount_due_fen: int | None = None
    due_on: str | None = None
    # A season reminder's season: its place in the config's [[seasons]].
    season_index: int | None = None

    def as_row(self) -> dict[str, Any]:
        return {
            "reminder_id": self.reminder_id,
            "date": self.date.isoformat(),
            "reason": self.reason,
            "customer_id": self.customer_id,
            "name": self.name,
            "phone": self.phone,
            "officer": self.officer,
            "loan_id": self.loan_id,
            "amount": self.amount_fen,
            "balance": self.balance_fen,
            "matures_on": self.matures_on,
            "days_past_due": self.days_past_due,
            "days_left": self.days_left,
            "period": self.period,
            "amount_due": self.amount_due_fen,
            "due_on": self.due_on,
        }


def reminder_id(customer_id: str, reason: str, episode_day: int) -> str:
    key = f"{customer_id}\x1f{reason}\x1f{from_day_number(episode_day).isoformat()}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


_sha256 = hashlib.sha256


def upcoming(
    conn: sqlite3.Connection,
    config: Config,
    today: dt.date,
    days: int,
    *,
    kinds: tuple[str, ...] = KINDS,
    officer: str | None = None,
    group_id: int | None = None,
    quote: Collection[str] | None = None,
) -> Generator[Reminder, None, None]:
    """Reminders due from today to today + days, soonest first: by date, then
    reason (registry order), then customer id. A generator: rows come out in
    batches, so a caller can write them as they come.

    ``quote``: the kinds of loan (``Term.loan``: maturing, main, instalment)
    whose facts the caller reads; a reminder whose reason quotes another kind
    carries no loan (None: every kind). A customer SMS reads a loan only where
    its text names one."""
    wanted = tuple(k for k in kinds if k in TERM_NAMES)
    if not wanted:
        return
    first = _day(today)
    spec = CallFilter(officer=officer, group_id=group_id, reasons=wanted, limit=None)
    found = f"temp.retain_reminders_{next(_tables)}"
    woken = f"temp.retain_woken_{next(_tables)}"
    window = f"temp.retain_days_{next(_tables)}"
    conn.execute(
        f"CREATE TABLE {found} (customer_id TEXT NOT NULL, reason_order INTEGER NOT NULL,"
        " episode INTEGER NOT NULL, day INTEGER NOT NULL, name TEXT, phone TEXT, officer TEXT,"
        " score INTEGER, dpd INTEGER, days_left INTEGER, season_index INTEGER,"
        " PRIMARY KEY (customer_id, reason_order, episode)) WITHOUT ROWID"
    )
    try:
        _collect(conn, found, config, today, spec)
        if days > 0:
            # Customer first: the woken pairs are scored in one statement, each
            # customer's loans read once for all their wake days.
            conn.execute(
                f"CREATE TABLE {woken} (customer_id TEXT NOT NULL, day INTEGER NOT NULL,"
                " wb_since INTEGER NOT NULL, PRIMARY KEY (customer_id, day)) WITHOUT ROWID"
            )
            conn.execute(f"CREATE TABLE {window} (day INTEGER PRIMARY KEY, wb_since INTEGER)")
            months = config.rhythm.win_back_months
            conn.executemany(
                f"INSERT INTO {window} (day, wb_since) VALUES (?, ?)",
                [
                    (n, _day(add_months(from_day_number(n), -months)))
                    for n in range(first + 1, first + days + 1)
                ],
            )
            sql, params = _wake_sql(conn, config, first + 1, first + days, wanted)
            # In key order: the table is appended to, not written page by page
            # all over (hundreds of thousands of pairs spill the temp cache).
            conn.execute(
                f"WITH w (customer_id, day) AS ({sql})"
                f" INSERT OR IGNORE INTO {woken} (customer_id, day, wb_since)"
                f" SELECT w.customer_id, w.day, d.wb_since FROM w JOIN {window} d ON d.day = w.day"
                " ORDER BY w.customer_id, w.day",
                params,
            )
            until = from_day_number(first + days)
            _collect(conn, found, config, today, spec, pairs_from=woken, until=until)
        yield from _found(conn, found, today, QUOTED if quote is None else frozenset(quote))
    finally:
        # Also when abandoned half-way; by then the store may be closed.
        with contextlib.suppress(sqlite3.ProgrammingError):
            for table in (found, woken, window):
                conn.execute(f"DROP TABLE IF EXISTS {table}")


def _day(day: dt.date) -> int:
    number = day_number(day)
    assert number is not None
    return number


def _collect(
    conn: sqlite3.Connection,
    table: str,
    config: Config,
    day: dt.date,
    spec: CallFilter,
    *,
    pairs_from: str | None = None,
    until: dt.date | None = None,
) -> None:
    """Add the reminders listed on ``day`` for everyone, or with ``pairs_from``
    on each woken (customer, day) pair; an episode found on an earlier day keeps
    that day.

    One statement: the call list's rows never come to Python, each listed
    reason's episode is its term's ``episode_sql``."""
    order = {name: i for i, name in enumerate(KINDS)}
    kinds = [term(name) for name in spec.reasons]
    columns = ", ".join(
        ["customer_id", "today_day", "name", "phone", "officer", "dpd", "days_left", "season_index"]
        + [f"{kind.name} AS p{i}, ({kind.episode_sql}) AS e{i}" for i, kind in enumerate(kinds)]
    )
    # Only the reasons asked for are scored (a customer export: the customer
    # facing ones): the rows listed are the same, each reason's points its own.
    sql, params = listed_sql(
        config, day, spec, columns, pairs_from=pairs_from, until=until, reasons_only=True
    )
    # Typed NULLs: PostgreSQL takes a UNION's untyped NULL column for text.
    null = "CAST(NULL AS INTEGER)"
    facts = ("day", "name", "phone", "officer", "score", "dpd", "days_left", "season_index")
    named = ("customer_id", "reason_order", "episode", *facts)
    picks = " UNION ALL ".join(
        f"SELECT customer_id, {order[kind.name]}, e{i}, today_day, name, phone, officer, p{i},"
        f" {'dpd' if kind.quotes_dpd else null},"
        f" {'days_left' if kind.quotes_days_left else null},"
        f" {'season_index' if kind.name == 'season' else null} FROM listed WHERE p{i} > 0"
        for i, kind in enumerate(kinds)
    )
    if pairs_from is not None and not isinstance(conn, sqlite3.Connection):
        # PostgreSQL's upsert takes a key once per statement (SQLite's, row by
        # row): the many days' rows are cut to each episode's earliest first.
        # SQLite keeps its plan, the rows in no order.
        picks = (
            f"SELECT {', '.join(named)} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY"
            " customer_id, reason_order, episode ORDER BY day) AS nth"
            f" FROM ({picks}) AS picked({', '.join(named)})) AS firsts"
            " WHERE nth = 1"
        )
    # The pairs of many days come in no order: the earliest day of an episode
    # wins, with the facts of that day.
    conn.execute(
        f"INSERT INTO {table} (customer_id, reason_order, episode, {', '.join(facts)})"
        f" {sql} {picks} ON CONFLICT (customer_id, reason_order, episode) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in facts)
        # The stored day named by its table: PostgreSQL finds a bare one ambiguous.
        + f" WHERE excluded.day < {table.rsplit('.', 1)[-1]}.day",
        params,
    )


def _found(
    conn: sqlite3.Connection, table: str, today: dt.date, quote: frozenset[str]
) -> Iterator[Reminder]:
    """The reminders found, in order, with the loans they quote, a batch at a time.

    The quoted loans depend only on the customer and ``today``: they are picked
    once per customer, in SQL (:func:`_quoted_loans`), not once per batch, and
    only for the customers with a reminder quoting a kind in ``quote``."""
    details = f"temp.retain_quoted_{next(_tables)}"
    _quoted_loans(conn, table, details, today, quote)
    loan_columns = "loan_id, principal_fen, balance_fen, matures_on"
    cursor = conn.execute(
        "SELECT f.customer_id, f.reason_order, f.episode, f.day, f.name, f.phone, f.officer,"
        " f.score, f.dpd, f.days_left,"
        + ", ".join(f"d.m_{c}" for c in loan_columns.split(", "))
        + ", "
        + ", ".join(f"d.n_{c}" for c in loan_columns.split(", "))
        + ", "
        + ", ".join(f"i.{c}" for c in loan_columns.split(", "))
        + ", i.next_due_period, i.next_due_fen, i.next_due_on, f.season_index"
        + f" FROM {table} f LEFT JOIN {details} d ON d.customer_id = f.customer_id"
        # An instalment reminder quotes the loan whose instalment falls due on
        # its episode's day (the lowest loan id of several). Looked up for its
        # rows only: the planner takes the subquery for i's key, row by row.
        " LEFT JOIN loans i ON i.loan_id = CASE WHEN f.reason_order IN ("
        + (",".join(_orders_quoting(quote & {"instalment"})) or "-1")
        + ") THEN (SELECT l.loan_id FROM loans l WHERE l.customer_id = f.customer_id"
        f" AND {is_open_sql('l')} AND l.next_due_day = f.episode AND l.next_due_fen > 0"
        " ORDER BY l.loan_id LIMIT 1) END"
        " ORDER BY f.day, f.reason_order, f.customer_id"
    )
    names = KINDS
    quoted = [_QUOTED[term(name).loan] for name in KINDS]
    # A consumer may hold a whole day of reminders (the customer policy picks one
    # per customer and day): values repeated across rows — officers, dates — are
    # shared, not copied per row (a month of 1M loans: peak 199 → 166 MB).
    shared: dict[str | None, str | None] = {}
    days: dict[int, dt.date] = {}
    # ``reminder_id``'s key, inlined: the reason and the episode's ISO date made
    # once per (reason, episode), not once per reminder.
    keys: dict[tuple[int, int], str] = {}
    sha = _sha256
    share = shared.setdefault
    try:
        while batch := cursor.fetchmany(_BATCH):
            for values in batch:
                customer_id, reason_order, episode, day_no, name, phone, officer = values[:7]
                loan = values[quoted[reason_order]]
                date = days.get(day_no)
                if date is None:
                    date = days[day_no] = from_day_number(day_no)
                tail = keys.get((reason_order, episode))
                if tail is None:
                    tail = keys[(reason_order, episode)] = (
                        f"\x1f{names[reason_order]}\x1f{from_day_number(episode).isoformat()}"
                    )
                yield Reminder(
                    sha((customer_id + tail).encode("utf-8")).hexdigest()[:20],
                    customer_id,
                    name,
                    phone,
                    share(officer, officer),
                    names[reason_order],
                    date,
                    loan[0],
                    loan[1],
                    loan[2],
                    share(loan[3], loan[3]),
                    values[8],
                    values[9],
                    values[7],
                    values[22],
                    values[23],
                    share(values[24], values[24]),
                    values[25],
                )
    finally:
        with contextlib.suppress(sqlite3.ProgrammingError):
            cursor.close()
            conn.execute(f"DROP TABLE IF EXISTS {details}")


# Where each kind of quoted loan's columns are in a row of ``_found``'s query.
_QUOTED = {"maturing": slice(10, 14), "main": slice(14, 18), "instalment": slice(18, 22)}
QUOTED = frozenset(_QUOTED)  # every kind of loan a reminder may quote


def _orders_quoting(kinds: Collection[str]) -> list[str]:
    """The registry places (``reason_order``) of the reasons quoting these kinds of loan."""
    return [str(i) for i, name in enumerate(KINDS) if term(name).loan in kinds]


def _quoted_loans(
    conn: sqlite3.Connection, table: str, details: str, today: dt.date, quote: frozenset[str]
) -> None:
    """Per customer found with a reminder quoting one of ``quote``, the loans a
    reminder quotes: ``maturing`` the soonest-maturing open loan (ties: the
    lowest loan id), ``main`` the most overdue open loan, else the latest
    disbursed loan (ties: the soonest maturing, then the lowest loan id). Each
    an index lookup per customer; a kind not in ``quote`` is left NULL."""
    open_l = is_open_sql("l")
    # The quoted loans' columns are copied here, once per customer: the ordered
    # pass then reads them with the customer's row instead of looking both loans
    # up again for each of the customer's reminders.
    columns = ("loan_id", "principal_fen", "balance_fen", "matures_on")
    # Typed as in loans (PostgreSQL wants a type; SQLite's affinity keeps the values).
    types = ("TEXT", "INTEGER", "INTEGER", "TEXT")
    conn.execute(
        f"CREATE TABLE {details} (customer_id TEXT PRIMARY KEY, "
        + ", ".join(f"{k}_{c} {t}" for k in "mn" for c, t in zip(columns, types, strict=True))
        + ") WITHOUT ROWID"
    )
    maturing = main = "CAST(NULL AS INTEGER)"  # typed: PostgreSQL compares it with rowid
    if "maturing" in quote:
        # The soonest maturity from the covering index first, then the loans
        # maturing that day (mostly one): not every open loan read for its id.
        maturing = (
            "(SELECT l.rowid FROM loans l WHERE l.customer_id = f.customer_id"
            f" AND {open_l} AND l.matures_day = (SELECT MIN(s.matures_day) FROM loans s"
            f" WHERE s.customer_id = f.customer_id AND {is_open_sql('s')}"
            " AND s.matures_day >= :t) ORDER BY l.loan_id LIMIT 1)"
        )
    if "main" in quote:
        main = (
            "(SELECT l.rowid FROM loans l WHERE l.customer_id = f.customer_id"
            f" ORDER BY {open_l} DESC,"
            f" CASE WHEN {open_l} THEN COALESCE({dpd_sql('l', ':t')}, 0) ELSE 0 END DESC,"
            " l.disbursed_on DESC, l.matures_day, l.loan_id LIMIT 1)"
        )
    orders = ",".join(_orders_quoting(quote & {"maturing", "main"})) or "-1"
    conn.execute(
        f"INSERT INTO {details} SELECT q.customer_id, "
        + ", ".join(f"{k}.{c}" for k in "mn" for c in columns)
        + f" FROM (SELECT f.customer_id, {maturing} AS maturing, {main} AS main"
        f" FROM (SELECT DISTINCT customer_id FROM {table} WHERE reason_order IN ({orders})) f) q"
        " LEFT JOIN loans m ON m.rowid = q.maturing"
        " LEFT JOIN loans n ON n.rowid = q.main",
        {"t": _day(today)},
    )


#: Whether :func:`_wake_sql` leaves out the wake days that provably change no
#: reminder (see there): off only in the test comparing both.
_PRUNE = True


def _wake_sql(
    conn: sqlite3.Connection, config: Config, first: int, last: int, wanted: Collection[str]
) -> tuple[str, dict[str, Any]]:
    """``SELECT customer_id, day``: the customers whose listed ``wanted`` reasons
    may change on a day from ``first`` to ``last`` (duplicates and extra days
    are harmless; a missing one would lose a reminder).

    A term's condition turns on, or its episode changes, only where a day fact
    of the customer or its loans plus a fixed offset meets today: each source
    below is such a fact with the offsets the rules add to it, and the terms it
    serves (``None``: whether a customer is listed at all, i.e. every term). A
    term no source names gets every source.
    """
    tiers = sorted({int(t) for t in config.rhythm.maturity_tiers})
    class_mins = sorted({c.min_days for c in config.arrears.classes if c.min_days > 0})
    rhythm = config.rhythm
    # Every rhythm count (quiet days, revisit, win-back, check period …), as an
    # offset from a day fact: generic, so a new rhythm setting is covered too.
    rhythms = {
        value
        for name in type(rhythm).model_fields
        if isinstance(value := getattr(rhythm, name), int) and not isinstance(value, bool)
    }
    around = sorted({0, 1, *rhythms})
    params: dict[str, Any] = {
        "lo": first,
        "hi": last,
        "first_check": rhythm.post_loan_first_days,
        "every": rhythm.post_loan_every_days,
    }

    def values(offsets: Collection[int]) -> str:
        if not offsets:
            return "(SELECT 0 AS column1 WHERE 0)"
        return "(VALUES " + ", ".join(f"({int(v)})" for v in sorted(offsets)) + ")"

    def near(column: str, offsets: Collection[int]) -> str:
        """The day is near enough to the window for one of the offsets to reach
        it: tested once per row, before the offsets are tried (most rows are not)."""
        if not offsets:
            return "0"
        return f"{column} BETWEEN {first - max(offsets)} AND {last - min(offsets)}"

    matures_in = "l.matures_day BETWEEN :lo - o.column1 AND :hi - o.column1"
    edges = {m - 1 for m in class_mins}

    open_l = is_open_sql("l")
    checks = range((last - first) // max(1, rhythm.post_loan_every_days) + 1)
    # Class edges matter to the listing only through the quiet days (a customer
    # contacted lately is listed again when their arrears class worsens): only
    # customers whose quiet days can reach the window. A day of the window is
    # at least :lo, and it is quiet only while ``day - last_contact_day <
    # quiet_days`` (ranking's ``scored``): a customer last contacted on or
    # before :lo - quiet_days is quiet on none of its days, so a class edge
    # changes nothing of their listing (the points it changes are the day's,
    # and an episode keeps the facts of its first day). Few customers: read
    # from the customers first (CROSS JOIN: SQLite keeps that order), their
    # loans by index, not every open loan tested for a contact.
    recent = "c.last_contact_day > :lo - :quiet" if _PRUNE else "c.last_contact_day IS NOT NULL"
    params["quiet"] = rhythm.quiet_days
    sources: list[tuple[frozenset[str] | None, str]] = [
        # A maturity reminder tier opens (30/15/7/1 days before); the loan
        # matures and leaves the window. Through the maturity index.
        (
            # (stay_in_touch and birthday apply only without a maturity reminder)
            frozenset({"maturing", "stay_in_touch", "birthday"}),
            f"SELECT l.customer_id, l.matures_day + o.column1"
            f" FROM {values({*(-t for t in tiers), 1})} o"
            f" JOIN loans l ON {open_l} AND {matures_in}",
        ),
        # An instalment enters its lead window; it falls due and leaves it (the
        # customer's next instalment, if any, then counts). Through the next-due index.
        (
            frozenset({"instalment", "stay_in_touch", "birthday"}),
            f"SELECT l.customer_id, l.next_due_day + o.column1"
            f" FROM {values({-rhythm.instalment_lead_days, 1})} o"
            f" JOIN loans l ON +{open_l}"
            " AND l.next_due_day BETWEEN :lo - o.column1 AND :hi - o.column1",
        ),
        # A loan falls past due the day after maturity, or as its imported spell began.
        (
            frozenset({"overdue"}),
            f"SELECT l.customer_id, l.matures_day + 1 FROM loans l"
            f" WHERE {open_l} AND l.matures_day BETWEEN :lo - 1 AND :hi - 1"
            f" UNION ALL SELECT l.customer_id, l.overdue_since_day FROM loans l"
            f" WHERE {open_l} AND l.overdue_since_day BETWEEN :lo AND :hi",
        ),
        # A loan of a customer contacted lately crosses into a worse arrears class.
        (
            None,
            f"SELECT l.customer_id, l.matures_day + o.column1 FROM customers c"
            f" CROSS JOIN loans l ON l.customer_id = c.customer_id AND {open_l}"
            f" CROSS JOIN {values(class_mins)} o"
            f" WHERE {recent} AND l.matures_day + o.column1 BETWEEN :lo AND :hi"
            f" UNION ALL SELECT l.customer_id, l.overdue_since_day + o.column1 FROM customers c"
            f" CROSS JOIN loans l ON l.customer_id = c.customer_id AND {open_l}"
            f" CROSS JOIN {values(edges)} o"
            f" WHERE {recent} AND l.overdue_since_day + o.column1 BETWEEN :lo AND :hi",
        ),
        # Post-loan checks: each loan's first check day in the window on its
        # schedule (disbursement + first, then every N days), and the later ones.
        (
            frozenset({"post_loan_check"}),
            f"""SELECT customer_id, due + k.column1 * :every FROM (
                SELECT l.customer_id, CASE
                    WHEN l.disbursed_day + :first_check >= :lo THEN l.disbursed_day + :first_check
                    ELSE :lo + (:every - (:lo - l.disbursed_day - :first_check) % :every) % :every
                END AS due FROM loans l WHERE {open_l}
            ) CROSS JOIN {values(checks)} k
            WHERE due + k.column1 * :every BETWEEN :lo AND :hi""",
        ),
        # Rhythms counted from a disbursement (a secured borrower's revisit).
        (
            frozenset({"revisit"}),
            f"SELECT l.customer_id, l.disbursed_day + o.column1 FROM loans l"
            f" CROSS JOIN {values(around)} o"
            f" WHERE {open_l} AND {near('l.disbursed_day', around)}"
            f" AND l.disbursed_day + o.column1 BETWEEN :lo AND :hi",
        ),
        # A collateral expiry's window opens lead days before it and closes the
        # day after; through the partial indexes of the loans that have one.
        (
            frozenset({"collateral_expiry"}),
            " UNION ALL ".join(
                f"SELECT l.customer_id, l.{column} + o.column1"
                f" FROM {values({-rhythm.collateral_lead_days, 1})} o"
                f" JOIN loans l ON +{open_l}"
                f" AND l.{column} BETWEEN :lo - o.column1 AND :hi - o.column1"
                for column in ("collateral_insurance_day", "collateral_certificate_day")
            ),
        ),
        # Rhythms counted from a close (win-back), through the close index; only
        # for customers without an open loan. Win-back gives nothing to a
        # customer with one (its points need ``o.customer_id IS NULL``: no row
        # in ``open_loans``, which holds every open loan whatever the day), and
        # which loans are open does not change from day to day of the window
        # (each day is scored on the store as it is). So for a customer with an
        # open loan no day of the window lists win-back, and a pair this source
        # woke would only score again the terms that other sources wake for
        # (this one serves win-back alone): a tenth of the pairs of a month of
        # 1M loans (most closers still have a loan open).
        # ``tests/test_reminder_stream.py`` holds the pruned wake to the unpruned.
        (
            frozenset({"win_back"}),
            f"SELECT l.customer_id, l.closed_day + o.column1 FROM {values(around)} o"
            " JOIN loans l ON l.closed_day BETWEEN :lo - o.column1 AND :hi - o.column1"
            + (
                " WHERE NOT EXISTS (SELECT 1 FROM loans x WHERE x.customer_id = l.customer_id"
                f" AND {is_open_sql('x')})"
                if _PRUNE
                else ""
            ),
        ),
    ]
    # A tier's contact rhythm running out since the last contact (stay_in_touch).
    everies = {r.contact_every_days for r in config.tiers if r.contact_every_days is not None}
    if everies:
        sources.append(
            (
                frozenset({"stay_in_touch"}),
                f"SELECT c.customer_id, c.last_contact_day + o.column1 FROM customers c"
                f" CROSS JOIN {values(everies)} o"
                f" WHERE {near('c.last_contact_day', everies)}"
                f" AND c.last_contact_day + o.column1 BETWEEN :lo AND :hi",
            )
        )
    # A birthday (with greetings on): the customers whose birthday is celebrated
    # on a day of the window, matched by the birth date's MMDD in the ID number.
    if config.rhythm.birthday_greetings:
        from retain.birthdays import window_month_days

        pairs = window_month_days(first, last)
        rows = ", ".join(f"({day}, '{md}')" for day, md in pairs)
        sources.append(
            (
                frozenset({"birthday"}),
                f"SELECT c.customer_id, o.column1 FROM (VALUES {rows}) o"
                " JOIN customers c ON length(c.id_number) = 18"
                " AND substr(c.id_number, 11, 4) = o.column2",
            )
        )
    # Every day fact of the customer (the last contact, a promised date, and any
    # a later migration adds) with every rhythm: quiet days, revisits, win-back.
    for column in _day_columns(conn, "customers"):
        sources.append(
            (
                None,
                f"SELECT c.customer_id, c.{column} + o.column1 FROM customers c"
                f" CROSS JOIN {values(around)} o"
                f" WHERE {near(f'c.{column}', around)}"
                f" AND c.{column} + o.column1 BETWEEN :lo AND :hi",
            )
        )
    # A season's lead window opens, or closes after its date (config days).
    season_sql, season_params = season_wake_sql(config.seasons, first, last)
    params.update(season_params)
    sources.append(
        (frozenset({"season"}), season_sql or "SELECT customer_id, 0 FROM customers WHERE 0")
    )
    named = set().union(*(serves for serves, _ in sources if serves is not None))
    everything = not set(wanted) <= named
    parts = [sql for serves, sql in sources if everything or serves is None or serves & set(wanted)]
    return "SELECT * FROM (" + " UNION ALL ".join(parts) + ")", params


def _day_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """The table's day-number columns (``*_day``), from the schema itself."""
    return [
        str(row[1])
        for row in conn.execute(f"PRAGMA table_info({table})")
        if str(row[1]).endswith("_day")
    ]
