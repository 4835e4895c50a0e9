"""The customer rules' pick and order on one send day, against the obvious
algorithm (``retain.sending.CustomerPolicy``): each customer's highest-ranked
text of the day, the day's texts in registry order of their reasons, then by
customer id, whatever days they were due (a weekend's move onto Friday)."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3

import pytest

from retain.config import Config
from retain.reminders import Reminder
from retain.sending import CustomerPolicy, working_days
from retain.terms import TERM_NAMES

FRIDAY = dt.date(2026, 12, 4)  # 5-6 Dec: a weekend, sent on Friday
REASONS = ("overdue", "maturing", "win_back", "instalment", "season")


def _store() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE customers (customer_id TEXT, phone_kind TEXT, phone_unusable_since TEXT)"
    )
    conn.execute("CREATE TABLE contacts (customer_id TEXT, outcome TEXT, next_day INTEGER)")
    conn.execute(
        "CREATE TABLE exported_reminders (reminder_id TEXT, audience TEXT, customer_id TEXT,"
        " reason TEXT, due_on TEXT)"
    )
    return conn


def _reminder(rid: int, cid: str, reason: str, day: dt.date, score: int) -> Reminder:
    return Reminder(
        f"r{rid}", cid, f"name {cid}", "13800000000", "officer", reason, day,
        None, None, None, None, None, None, score,
    )  # fmt: skip


@pytest.mark.parametrize("seed", range(20))
def test_one_text_per_customer_in_registry_then_customer_order(seed: int) -> None:
    rng = random.Random(seed)
    customers = [f"C{n:03d}" for n in rng.sample(range(200), 40)]
    days = (FRIDAY, FRIDAY + dt.timedelta(days=1), FRIDAY + dt.timedelta(days=2))
    found = []
    for cid in customers:
        # Distinct reasons per customer (no quiet-day repeats within the day).
        for reason in rng.sample(REASONS, rng.randint(1, 3)):
            found.append((rng.choice(days), reason, cid, rng.choice((5, 10, 10, 30))))
    # As reminders.upcoming gives them: by date, then registry order, then customer.
    found.sort(key=lambda f: (f[0], TERM_NAMES.index(f[1]), f[2]))
    reminders = [_reminder(i, cid, reason, day, score) for i, (day, reason, cid, score)
                 in enumerate(found)]  # fmt: skip
    config = Config()
    policy = CustomerPolicy(_store(), config, FRIDAY, 0, working_days(config))
    sent = list(policy.apply(reminders))

    # An overdue text due at the weekend waits for Monday: a later window's.
    today = [r for r in reminders if r.date == FRIDAY or r.reason != "overdue"]
    expected = []
    for cid in sorted(set(customers)):
        mine = [r for r in today if r.customer_id == cid]
        if not mine:
            continue
        # The highest score, then registry order; the first of equals.
        expected.append(max(mine, key=lambda r: (r.score, -TERM_NAMES.index(r.reason))))
    expected.sort(key=lambda r: (TERM_NAMES.index(r.reason), r.customer_id))
    assert [r.reminder_id for r in sent] == [r.reminder_id for r in expected]
    assert all(r.date == FRIDAY for r in sent)
    assert policy.left.one_a_day == len(today) - len(expected)
