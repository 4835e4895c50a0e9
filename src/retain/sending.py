"""What may be texted to a customer, and on which day.

``export reminders --audience customer`` feeds the reminders of the window
(soonest first, as :func:`retain.reminders.upcoming` gives them) through
:class:`CustomerPolicy`, which:

1. moves each to its *send day*: a reminder due on a weekend, a 法定节假日 or a
   调休 day off goes out on the working day before — never before today, and
   never before the fact it states is true (an overdue text waits for the next
   working day instead); ``export.send_on = "any_day"`` keeps every date;
2. leaves out, per send day, and counts in :class:`LeftOut`:
   - customers without a usable phone (none stored, or logged as 空号);
   - maturing, overdue and instalment texts to a customer who promised to repay (承诺还款)
     or agreed to renew (同意续贷) with a ``--next`` date not yet passed;
   - a reason texted to the customer within ``export.customer_quiet_days``
     (the export ledger, and this run's earlier days), whatever the episode;
   - all but one text per customer per send day: the highest-scoring reason,
     or the one the ledger says already went out that day.

The exclusions come before the choice of one a day, so a text the customer
must not get does not silence one they may. Reminders are grouped by send day
as they arrive: the window is never held in memory, only the few days whose
texts may still move onto an earlier day. The customers without a usable phone
and the promises are read once per run (few of either); the export ledger per
send day, and only when it holds a customer text near the window.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

from retain.config import Config
from retain.days import day_number
from retain.reminders import Reminder
from retain.terms import TERM_NAMES
from retain.workdays import WorkingDays

# Reasons whose text states a fact that begins on the reminder's date ("your
# loan is 3 days past due"): never sent before it, so a non-working day moves
# them forward instead of back.
NOT_BEFORE_DUE = frozenset({"overdue"})
# Reasons a promise to repay or renew by a date holds back until that date.
HELD_BY_PROMISE = frozenset({"maturing", "overdue", "instalment"})
PROMISES = ("promised", "renewing")

_ORDER = {name: index for index, name in enumerate(TERM_NAMES)}
_CHUNK = 500


@dataclass
class LeftOut:
    """What each rule left out of a customer export."""

    no_phone: set[str] = field(default_factory=set)  # customers
    held: int = 0
    quiet: int = 0
    one_a_day: int = 0


def _day_no(day: dt.date) -> int:
    number = day_number(day)
    assert number is not None
    return number


def working_days(config: Config) -> WorkingDays:
    return WorkingDays(any_day=config.export.send_on == "any_day")


def fetch_days(calendar: WorkingDays, today: dt.date, days: int) -> int:
    """How many days ahead to read reminders for a send window of ``days``:
    up to the day before the working day that follows it, so Friday's run sees
    what falls due on Saturday and Sunday."""
    end = today + dt.timedelta(days=days)
    last = calendar.next_after(end) - dt.timedelta(days=1)
    return (last - today).days


def send_day(reminder: Reminder, today: dt.date, calendar: WorkingDays) -> dt.date:
    due = reminder.date
    if calendar.is_working(due):
        return due
    if reminder.reason in NOT_BEFORE_DUE:
        return calendar.next_after(due)
    return max(calendar.previous(due), today)


def _moved(reminder: Reminder, day: dt.date) -> Reminder:
    """The reminder as sent on ``day``: its date, and the counts it quotes, as of then."""
    if day == reminder.date:
        return reminder
    shift = (day - reminder.date).days
    # Every other field as it was: a field left out here once dropped a season
    # text's season (its own message, its {season}) when the text moved.
    return reminder._replace(
        date=day,
        days_past_due=None if reminder.days_past_due is None else reminder.days_past_due + shift,
        days_left=None if reminder.days_left is None else reminder.days_left - shift,
    )


def _rank(reminder: Reminder) -> tuple[int, int]:
    """The one text of a customer's day: the highest score, then registry order."""
    return (reminder.score, -_ORDER[reminder.reason])


# A reminder's customer id, and its (customer id, reason): C-level keys.
_CUSTOMER = itemgetter(Reminder._fields.index("customer_id"))
_CUSTOMER_REASON = itemgetter(
    Reminder._fields.index("customer_id"), Reminder._fields.index("reason")
)


class CustomerPolicy:
    """Applies the customer SMS rules to reminders sorted by date (see the module)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        config: Config,
        today: dt.date,
        days: int,
        calendar: WorkingDays,
    ) -> None:
        self.conn = conn
        self.today = today
        self.end = today + dt.timedelta(days=days)
        self.calendar = calendar
        self.quiet_days = config.export.customer_quiet_days
        self.left = LeftOut()
        # (customer, reason) texted on each of this run's recent send days.
        self._recent: deque[tuple[dt.date, set[tuple[str, str]]]] = deque()
        # Read once for the run, not per send day: few customers lack a usable
        # phone or hold a promise, and the store does not change meanwhile.
        self._no_phone = self._without_phone()
        self._promised = self._promised_until()
        self._has_ledger = self._ledger_in_window()

    def apply(self, reminders: Iterable[Reminder]) -> Iterator[Reminder]:
        pending: dict[dt.date, list[Reminder]] = {}
        arriving: dt.date | None = None
        end = self.end
        # Send days per (due day, reason): asked once per pair, not per reminder.
        days: dict[tuple[dt.date, str], dt.date] = {}
        for reminder in reminders:
            due = reminder.date
            if due != arriving:
                # Sorted by date: what a day's reminders complete, the first of
                # them does (a send day they add is never complete on their date).
                arriving = due
                for day in sorted(pending):
                    if not self._complete(day, due):
                        break
                    yield from self._send(day, pending.pop(day))
            key = (due, reminder.reason)
            send = days.get(key)
            if send is None:
                send = days[key] = send_day(reminder, self.today, self.calendar)
            if send > end:
                continue  # sent after this window: a later run's
            group = pending.get(send)
            if group is None:
                group = pending[send] = []
            group.append(reminder if send == due else _moved(reminder, send))
        for day in sorted(pending):
            yield from self._send(day, pending.pop(day))

    def _complete(self, day: dt.date, arriving: dt.date) -> bool:
        """No reminder due on ``arriving`` or later can still move onto ``day``."""
        if self.calendar.any_day:
            return arriving > day
        return arriving >= self.calendar.next_after(day)

    def _send(self, day: dt.date, group: list[Reminder]) -> Iterator[Reminder]:
        no_phone = self._no_phone
        day_no = _day_no(day)
        promised = self._promised
        left = self.left
        ledger: dict[str, list[tuple[str, dt.date, str]]] = {}
        if self._has_ledger:
            ledger = self._ledger(sorted({r.customer_id for r in group}), day)
        while self._recent and (day - self._recent[0][0]).days >= self.quiet_days:
            self._recent.popleft()
        # What this run texted on the send days before, within the quiet days.
        recent: set[tuple[str, str]] = set()
        if self.quiet_days > 0:
            recent = recent.union(*(sent for past, sent in self._recent if past < day))
        by_customer: dict[str, list[Reminder]] = {}
        quiet = self.quiet_days > 0
        held = texted = 0
        for reminder in group:
            cid = reminder.customer_id
            reason = reminder.reason
            if cid in no_phone:
                left.no_phone.add(cid)
            elif reason in HELD_BY_PROMISE and promised.get(cid, -1) >= day_no:
                held += 1
            # (The ledger is asked only when it has texts near the window: most
            # runs look in this run's own recent texts only.)
            elif quiet and (
                (cid, reason) in recent
                or (ledger and self._texted_lately(reminder, day, ledger, recent))
            ):
                texted += 1
            else:
                candidates = by_customer.get(cid)
                if candidates is None:
                    by_customer[cid] = [reminder]
                else:
                    candidates.append(reminder)
        left.held += held
        left.quiet += texted
        # The day's texts in registry order of their reasons, then by customer:
        # gathered per reason, each sorted by customer id.
        by_reason: dict[str, list[Reminder]] = {}
        dropped = 0
        for cid, candidates in by_customer.items():
            if len(candidates) == 1 and cid not in ledger:
                one = candidates[0]
            else:
                # A text for the day that went out in an earlier run is the day's one.
                already = (
                    {rid for rid, due, _ in ledger[cid] if due == day} if cid in ledger else ()
                )
                allowed = (
                    [r for r in candidates if r.reminder_id in already] if already else candidates
                )
                dropped += len(candidates) - min(len(allowed), 1)
                if not allowed:
                    continue
                one = allowed[0] if len(allowed) == 1 else max(allowed, key=_rank)
            texts = by_reason.get(one.reason)
            if texts is None:
                by_reason[one.reason] = [one]
            else:
                texts.append(one)
        left.one_a_day += dropped
        chosen: list[Reminder] = []
        for reason in sorted(by_reason, key=_ORDER.__getitem__):
            texts = by_reason[reason]
            texts.sort(key=_CUSTOMER)
            chosen += texts
        self._recent.append((day, set(map(_CUSTOMER_REASON, chosen))))
        yield from chosen

    def _texted_lately(
        self,
        reminder: Reminder,
        day: dt.date,
        ledger: dict[str, list[tuple[str, dt.date, str]]],
        recent: set[tuple[str, str]],
    ) -> bool:
        if self.quiet_days == 0:
            return False
        for rid, due, reason in ledger.get(reminder.customer_id, ()):
            # The same reminder is not "again": --new-only decides about it.
            same = reason == reminder.reason and rid != reminder.reminder_id
            if same and abs((day - due).days) < self.quiet_days:
                return True
        return (reminder.customer_id, reminder.reason) in recent

    # --- the store, read per send day ------------------------------------------

    def _chunks(self, ids: Sequence[str]) -> Iterator[tuple[str, dict[str, str]]]:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join(f":c{i}" for i in range(len(chunk)))
            yield marks, {f"c{i}": cid for i, cid in enumerate(chunk)}

    def _without_phone(self) -> set[str]:
        """Customers without a usable mobile phone (none, a landline, or 空号)."""
        return {
            row[0]
            for row in self.conn.execute(
                "SELECT customer_id FROM customers"
                " WHERE phone_kind IS NOT 'mobile' OR phone_unusable_since IS NOT NULL"
            )
        }

    def _promised_until(self) -> dict[str, int]:
        """Per customer who promised (承诺还款 / 同意续贷 with --next), the last
        day the promise holds texts back (a day number), from today on."""
        outcomes = ",".join("?" * len(PROMISES))
        return {
            str(cid): int(until)
            for cid, until in self.conn.execute(
                "SELECT customer_id, MAX(next_day) FROM contacts"
                f" WHERE outcome IN ({outcomes}) AND next_day >= ? GROUP BY customer_id",
                (*PROMISES, day_number(self.today)),
            )
        }

    def _ledger_in_window(self) -> bool:
        """Whether the ledger has any customer text the window's days can meet:
        if not, no send day needs to look."""
        reach = dt.timedelta(days=max(self.quiet_days - 1, 0))
        row = self.conn.execute(
            "SELECT 1 FROM exported_reminders WHERE audience = 'customer'"
            " AND due_on BETWEEN ? AND ? LIMIT 1",
            ((self.today - reach).isoformat(), (self.end + reach).isoformat()),
        ).fetchone()
        return row is not None

    def _ledger(
        self, ids: Sequence[str], day: dt.date
    ) -> dict[str, list[tuple[str, dt.date, str]]]:
        """Texts to these customers on the days near ``day``: (id, send day, reason)."""
        reach = dt.timedelta(days=max(self.quiet_days - 1, 0))
        span = {"lo": (day - reach).isoformat(), "hi": (day + reach).isoformat()}
        found: dict[str, list[tuple[str, dt.date, str]]] = {}
        if not self._has_ledger:
            return found
        for marks, params in self._chunks(ids):
            for cid, rid, due, reason in self.conn.execute(
                "SELECT customer_id, reminder_id, due_on, reason FROM exported_reminders"
                f" WHERE audience = 'customer' AND customer_id IN ({marks})"
                " AND due_on BETWEEN :lo AND :hi",
                {**params, **span},
            ):
                found.setdefault(cid, []).append((rid, dt.date.fromisoformat(due), reason))
        return found
