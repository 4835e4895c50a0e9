"""``calls --explain P7``: a prospect's place on today's list, or why it has none.

A prospect earns one term (``prospect``), so the explanation is short; what the
officer wants from it is the rank beside the customers and, when the prospect is
not listed, the day it will be (its next date, or its first-contact day) or the
reason it never will (lost, a customer now, forgotten).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from retain.config import Config
from retain.days import from_day_number
from retain.i18n import Text, msg
from retain.prospects import get_prospect, shown_id
from retain.ranking import (
    Explanation,
    TermLine,
    action_text,
    customers_listed_at_least,
    due_prospects,
)
from retain.terms import TERMS


def explain_prospect(
    conn: sqlite3.Connection, config: Config, today: dt.date, ident: str
) -> Explanation:
    prospect = get_prospect(conn, ident)  # raises for an unknown id
    shown = shown_id(int(prospect["prospect_id"]))
    capacity = config.calls.daily_capacity
    # The rank as `calls` gives it, counted rather than listed (ranking every
    # customer in Python took seconds on a big book): the customers at these
    # points or more, then the prospects due before this one.
    due = due_prospects(conn, config, today)
    place = next((i for i, r in enumerate(due) if r.customer_id == shown), None)
    row = None
    if place is not None:
        row = due[place]
        row.rank = customers_listed_at_least(conn, config, today, row.score) + place + 1
    lines = [
        TermLine(
            entry.name,
            row.points[entry.name] if row is not None else 0,
            entry.explain(row, config)
            if row is not None and row.points[entry.name] > 0
            else msg("rule.none"),
        )
        for entry in TERMS
    ]
    if row is not None:
        rank = row.rank
        verdict: Text = (
            msg("explain.over_capacity", rank=rank, capacity=capacity)
            if rank is not None and rank > capacity
            else msg("explain.rank", rank=rank)
        )
        return Explanation(shown, row, rank, capacity, lines, verdict, [], action_text(row, config))
    why = _why_not_listed(prospect, config)
    return Explanation(shown, None, None, capacity, lines, msg("explain.nothing"), [why], None)


def _why_not_listed(prospect: dict[str, Any], config: Config) -> Text:
    if prospect["forgotten_day"] is not None:
        return msg("explain.prospect_forgotten")
    if prospect["stage"] == "disbursed" and prospect["customer_id"]:
        return msg("explain.prospect_customer", customer_id=prospect["customer_id"])
    if prospect["stage"] in ("disbursed", "lost"):
        return msg(f"explain.prospect_{prospect['stage']}")
    if prospect["next_day"] is not None:
        return msg("explain.prospect_next", date=from_day_number(prospect["next_day"]).isoformat())
    if prospect["stage"] == "new" and prospect["last_contact_day"] is None:
        days = config.rhythm.prospect_first_contact_days
        due = from_day_number(int(prospect["entered_day"]) + days).isoformat()
        return msg("explain.prospect_first", days=days, date=due)
    return msg("explain.prospect_no_date")
