"""Prospects (潜在客户): people who have not borrowed yet, and their stages.

A prospect is shown as ``P<n>`` (``P17``). It enters as ``new`` and moves
along ``new → contacted → applied → approved → disbursed``, or is ``lost``
with a reason. Every move is a row of ``prospect_stages`` with its day, so the
pipeline counts from history, never from the current row alone.

Which moves are allowed (:func:`check_move`):

- forward along the chain, skipping stages (a walk-in may apply at once);
- from any open stage to ``lost`` (a reason is required);
- ``lost`` is reopened to any stage but ``new`` and ``lost``: people come back
  (a rate that was too high last spring is fine now), and the history keeps the
  earlier loss, so the pipeline still counts it;
- never backwards among the open stages (the history would then count a stage
  reached twice), and never out of ``disbursed``: the person is a customer now,
  and their life goes on in the customer's record.

Phones and ID numbers are normalised exactly as the customer importer does
(:mod:`retain.importing.normalise`), so that a loans import can recognise a
prospect who became a customer by either of them.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from retain.days import day_number, from_day_number
from retain.errors import RetainError, UsageError
from retain.i18n import msg
from retain.importing.upsert import now_stamp

if TYPE_CHECKING:
    from retain.contacts import ContactEntry
    from retain.store import Store

# The 点线圈面 of the article our users work by, and two plain sources.
CHANNELS: dict[str, tuple[str, ...]] = {
    "referral": ("转介绍", "点", "介绍", "推荐", "referrals"),
    "supply_chain": ("供应链", "线", "上下游", "supply-chain", "supplychain", "chain"),
    "circle": ("圈层", "圈", "商圈", "圈子", "circles"),
    "alliance": ("联盟", "面", "合作", "alliances", "partner"),
    "walk_in": ("自然到访", "到访", "上门咨询", "walk-in", "walkin"),
    "other": ("其他", "其它"),
}
STAGES: dict[str, tuple[str, ...]] = {
    "new": ("新", "新客户", "待联系"),
    "contacted": ("已联系", "联系", "跟进"),
    "applied": ("已申请", "申请"),
    "approved": ("已审批", "审批通过", "批准"),
    "disbursed": ("已放款", "放款"),
    "lost": ("已流失", "流失", "放弃"),
}
LOST_REASONS: dict[str, tuple[str, ...]] = {
    "no_need": ("无需求", "不需要", "no-need"),
    "rate": ("利率", "利率高", "价格"),
    "declined_by_us": ("我方拒绝", "未通过", "拒贷", "declined-by-us", "declined"),
    "competitor": ("同业", "竞争对手", "他行"),
    "unreachable": ("联系不上", "失联"),
    "other": ("其他", "其它"),
}
CHAIN = ("new", "contacted", "applied", "approved", "disbursed")
OPEN_STAGES = ("new", "contacted", "applied", "approved")
# The personal fields a `forget` clears; the rest (channel, stages, days,
# officer, need) is what the pipeline counts and says nothing of the person.
PERSONAL = (
    "name", "phone", "id_number", "source", "note",
    "next_on", "next_day", "planned_next_on", "planned_next_day",
)  # fmt: skip

_PID = re.compile(r"[Pp]([0-9]{1,12})")


def _canonical(value: str, table: Mapping[str, tuple[str, ...]], what: str) -> str:
    text = unicodedata.normalize("NFKC", value).strip().lower().replace(" ", "_")
    for name, aliases in table.items():
        if text == name or text in aliases or text.replace("_", "-") in aliases:
            return name
    accepted = msg(
        "error.log.accepted", names="/".join(table), aliases="/".join(a[0] for a in table.values())
    )
    raise UsageError(key=f"prospect.unknown_{what}", value=repr(value), accepted=accepted)


def channel_of(value: str) -> str:
    """``圈`` → ``circle``, ``转介绍`` → ``referral``, ``supply-chain`` → ``supply_chain``."""
    return _canonical(value, CHANNELS, "channel")


def stage_of(value: str) -> str:
    return _canonical(value, STAGES, "stage")


def lost_reason_of(value: str) -> str:
    return _canonical(value, LOST_REASONS, "reason")


def pid_of(text: str) -> int | None:
    """The number of a prospect id (``P17``, ``p17`` → 17), None for anything else."""
    found = _PID.fullmatch(text.strip())
    return int(found.group(1)) if found else None


def shown_id(prospect_id: int) -> str:
    return f"P{prospect_id}"


def is_prospect_id(text: str) -> bool:
    return pid_of(text) is not None


def check_move(current: str, target: str) -> str | None:
    """Why ``current → target`` is refused (a catalogue key under ``error.``), or None."""
    if target == current:
        return "prospect.same_stage"
    if current == "disbursed":
        return "prospect.from_disbursed"
    if current == "lost":
        return "prospect.reopen_new" if target == "new" else None
    if target == "lost":
        return None
    if CHAIN.index(target) < CHAIN.index(current):
        return "prospect.backwards"
    return None


@dataclass(frozen=True)
class NewProspect:
    """What ``prospect add`` (or one row of ``import prospects``) brings, normalised."""

    name: str
    channel: str = "other"
    phone: str | None = None
    id_number: str | None = None
    industry: str | None = None
    referrer: str | None = None  # a customer id or a P<n> id, as typed
    source: str | None = None
    need_fen: int | None = None
    officer: str | None = None
    next_on: dt.date | None = None
    note: str | None = None


def resolve_referrer(conn: sqlite3.Connection, referrer: str) -> tuple[str | None, int | None]:
    """(customer id, prospect number) of a referrer as typed; an unknown one is refused."""
    text = referrer.strip()
    number = pid_of(text)
    if number is not None:
        if (
            conn.execute("SELECT 1 FROM prospects WHERE prospect_id = ?", (number,)).fetchone()
            is None
        ):
            raise RetainError(key="prospect.unknown_referrer", referrer=text)
        return None, number
    if conn.execute("SELECT 1 FROM customers WHERE customer_id = ?", (text,)).fetchone() is None:
        raise RetainError(key="prospect.unknown_referrer", referrer=text)
    return text, None


@dataclass(frozen=True)
class Match:
    """An existing person with the same phone or ID number: ``kind`` customer or prospect."""

    kind: str
    ident: str  # a customer id, or P<n>
    field: str  # phone or id_number


def existing_match(
    conn: sqlite3.Connection, phone: str | None, id_number: str | None
) -> Match | None:
    """The customer or prospect who already has this phone or ID number (forgotten
    prospects have neither any more)."""
    for field, value in (("id_number", id_number), ("phone", phone)):
        if value is None:
            continue
        row = conn.execute(
            f"SELECT customer_id FROM customers WHERE {field} = ? LIMIT 1", (value,)
        ).fetchone()
        if row is not None:
            return Match("customer", str(row[0]), field)
        row = conn.execute(
            f"SELECT prospect_id FROM prospects WHERE {field} = ? ORDER BY prospect_id LIMIT 1",
            (value,),
        ).fetchone()
        if row is not None:
            return Match("prospect", shown_id(int(row[0])), field)
    return None


def insert_prospect(
    conn: sqlite3.Connection,
    new: NewProspect,
    day: int,
    *,
    via: str,
    import_id: int | None = None,
) -> int:
    """Write one prospect and its first stage (``new`` on ``day``); no checks but the
    referrer's. Inside the caller's transaction."""
    referrer_customer, referrer_prospect = (
        resolve_referrer(conn, new.referrer) if new.referrer else (None, None)
    )
    stamp = now_stamp()
    entered = from_day_number(day).isoformat()
    cursor = conn.execute(
        "INSERT INTO prospects (name, phone, id_number, industry, channel,"
        " referrer_customer_id, referrer_prospect_id, source, need_fen, officer, stage,"
        " stage_day, entered_on, entered_day, next_on, next_day, planned_next_on,"
        " planned_next_day, note, import_id, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new.name,
            new.phone,
            new.id_number,
            new.industry,
            new.channel,
            referrer_customer,
            referrer_prospect,
            new.source,
            new.need_fen,
            new.officer,
            day,
            entered,
            day,
            new.next_on.isoformat() if new.next_on else None,
            day_number(new.next_on),
            new.next_on.isoformat() if new.next_on else None,
            day_number(new.next_on),
            new.note,
            import_id,
            stamp,
            stamp,
        ),
    )
    prospect_id = cursor.lastrowid
    assert prospect_id is not None
    conn.execute(
        "INSERT INTO prospect_stages (prospect_id, seq, stage, day, via, officer, recorded_at)"
        " VALUES (?, 1, 'new', ?, ?, ?, ?)",
        (prospect_id, day, via, new.officer, stamp),
    )
    return int(prospect_id)


def add_prospect(store: Store, new: NewProspect, today: dt.date) -> int:
    """``prospect add``: one new prospect, entered today. The same person twice (by
    phone or ID number, against customers and prospects) is refused."""
    day = day_number(today)
    assert day is not None
    for attempt in store.transactions():
        with attempt as conn:
            found = existing_match(conn, new.phone, new.id_number)
            if found is not None:
                raise RetainError(
                    key=f"prospect.exists_{found.kind}",
                    ident=found.ident,
                    field=msg(f"import.field.{found.field}"),
                )
            added = insert_prospect(conn, new, day, via="manual")
    return added


def get_prospect(conn: sqlite3.Connection, text: str) -> dict[str, Any]:
    """The prospect ``P<n>`` names, as a row; unknown → Error (exit 1)."""
    number = pid_of(text)
    row = (
        conn.execute("SELECT * FROM prospects WHERE prospect_id = ?", (number,)).fetchone()
        if number is not None
        else None
    )
    if row is None:
        raise RetainError(key="prospect.unknown", prospect=text.strip())
    return dict(row)


def record_stage(
    conn: sqlite3.Connection,
    prospect_id: int,
    stage: str,
    day: int,
    *,
    via: str,
    reason: str | None = None,
    officer: str | None = None,
    customer_id: str | None = None,
) -> None:
    """Append a stage to the history and make it the current one."""
    conn.execute(
        "INSERT INTO prospect_stages (prospect_id, seq, stage, day, reason, via, officer,"
        " recorded_at) VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM prospect_stages"
        " WHERE prospect_id = ?), ?, ?, ?, ?, ?, ?)",
        (prospect_id, prospect_id, stage, day, reason, via, officer, now_stamp()),
    )
    conn.execute(
        "UPDATE prospects SET stage = ?, stage_day = ?, lost_reason = ?,"
        " customer_id = COALESCE(?, customer_id), updated_at = ? WHERE prospect_id = ?",
        (stage, day, reason if stage == "lost" else None, customer_id, now_stamp(), prospect_id),
    )


@dataclass(frozen=True)
class Moved:
    prospect_id: int
    before: str
    after: str
    day: dt.date


def move_prospect(
    store: Store,
    ident: str,
    target: str,
    today: dt.date,
    *,
    reason: str | None = None,
    on: dt.date | None = None,
    officer: str | None = None,
) -> Moved:
    """``prospect move``: one stage change, checked (:func:`check_move`), kept in the history.

    ``lost`` needs a reason and only ``lost`` takes one. The day (``on``, default
    today) is neither in the future nor before the current stage's day: the
    history stays in order, so time-in-stage is never negative.
    """
    when = on or today
    if when > today:
        raise UsageError(key="prospect.move_future", day=when.isoformat(), today=today.isoformat())
    if target == "lost" and reason is None:
        raise UsageError(key="prospect.lost_needs_reason")
    if target != "lost" and reason is not None:
        raise UsageError(key="prospect.reason_only_lost")
    day = day_number(when)
    assert day is not None
    for attempt in store.transactions():
        with attempt as conn:
            row = get_prospect(conn, ident)
            refused = check_move(row["stage"], target)
            if refused is not None:
                raise RetainError(
                    key=refused, prospect=shown_id(row["prospect_id"]), stage=row["stage"]
                )
            if day < row["stage_day"]:
                raise RetainError(
                    key="prospect.move_before",
                    day=when.isoformat(),
                    since=from_day_number(row["stage_day"]).isoformat(),
                )
            record_stage(
                conn,
                row["prospect_id"],
                target,
                day,
                via="manual",
                reason=reason,
                officer=officer or row["officer"],
            )
    return Moved(row["prospect_id"], row["stage"], target, when)


@dataclass(frozen=True)
class ProspectFilter:
    stage: str | None = None
    officer: str | None = None
    channel: str | None = None


def list_prospects(conn: sqlite3.Connection, spec: ProspectFilter) -> list[dict[str, Any]]:
    """Prospects, the newest entry first; a referrer as its customer id or P<n>."""
    where, params = ["1 = 1"], []
    for column, value in (
        ("stage", spec.stage),
        ("officer", spec.officer),
        ("channel", spec.channel),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    rows = conn.execute(
        "SELECT prospect_id, name, phone, id_number, industry, channel, referrer_customer_id,"
        " referrer_prospect_id, source, need_fen, officer, stage, stage_day, lost_reason,"
        " entered_on, next_on, last_contact_day, customer_id, forgotten_day"
        f" FROM prospects WHERE {' AND '.join(where)}"
        " ORDER BY entered_day DESC, prospect_id DESC",
        params,
    ).fetchall()
    return [_shown_row(dict(r)) for r in rows]


def _shown_row(row: dict[str, Any]) -> dict[str, Any]:
    referrer_prospect = row.pop("referrer_prospect_id")
    referrer_customer = row.pop("referrer_customer_id")
    row["id"] = shown_id(row.pop("prospect_id"))
    row["referrer"] = (
        shown_id(referrer_prospect) if referrer_prospect is not None else referrer_customer
    )
    row["stage_on"] = from_day_number(row.pop("stage_day")).isoformat()
    last = row.pop("last_contact_day")
    row["last_contact_on"] = from_day_number(last).isoformat() if last is not None else None
    forgotten = row.pop("forgotten_day")
    row["forgotten_on"] = from_day_number(forgotten).isoformat() if forgotten is not None else None
    return row


def stage_history(conn: sqlite3.Connection, prospect_id: int) -> list[dict[str, Any]]:
    """A prospect's stages, oldest first: ``stage``, ``on``, ``reason``, ``via``, ``officer``."""
    rows = conn.execute(
        "SELECT seq, stage, day, reason, via, officer FROM prospect_stages"
        " WHERE prospect_id = ? ORDER BY seq",
        (prospect_id,),
    ).fetchall()
    found = []
    for row in rows:
        entry = dict(row)
        entry["on"] = from_day_number(entry.pop("day")).isoformat()
        found.append(entry)
    return found


def forget_prospect(store: Store, ident: str, today: dt.date) -> int:
    """``prospect forget``: clear a lost prospect's personal data, on request.

    Only a lost prospect: one still open is being worked on, and a disbursed one
    is a customer whose data the book keeps by law. The row stays, without its
    personal fields and with ``forgotten_day``, so the pipeline's counts stay
    true; its stage history has no personal data and stays too. The audit trail
    (``changes``, entity ``prospect``, field ``forget``) records that and when,
    but not the values cleared: keeping them there would defeat the request.
    """
    day = day_number(today)
    assert day is not None
    for attempt in store.transactions():
        with attempt as conn:
            row = get_prospect(conn, ident)
            pid = shown_id(row["prospect_id"])
            if row["forgotten_day"] is not None:
                raise RetainError(key="prospect.already_forgotten", prospect=pid)
            if row["stage"] != "lost":
                raise RetainError(key="prospect.forget_not_lost", prospect=pid, stage=row["stage"])
            cleared = ", ".join(f"{name} = NULL" for name in PERSONAL)
            conn.execute(
                f"UPDATE prospects SET {cleared}, forgotten_day = ?, updated_at = ?"
                " WHERE prospect_id = ?",
                (day, now_stamp(), row["prospect_id"]),
            )
            # What was said in a contact may name the person too.
            conn.execute(
                "UPDATE prospect_contacts SET note = NULL WHERE prospect_id = ?",
                (row["prospect_id"],),
            )
            from retain.officers import audit

            # When and by whom, never what: the audit trail must not keep the data.
            audit(conn, "forget", "prospect", [(pid, "forget", None, today.isoformat())])
    return int(row["prospect_id"])


def convert_on_loans_import(conn: sqlite3.Connection, day: int) -> int:
    """Open prospects who became borrowers: ``disbursed`` (via ``loans_import``, on
    the import's as-of ``day``), linked to the customer. Returns how many.

    A customer matches by phone OR ID number. A prospect already linked is never
    converted again. When several open prospects match one customer, the oldest
    (the first entered) converts: the person was recorded more than once, and
    the first record is the one the referral started; the others stay as they
    are, for the officer to mark lost (most likely as a duplicate: reason other).
    Only customers with a loan count: a customers import alone is no disbursal.
    """
    open_list = ", ".join(f"'{s}'" for s in OPEN_STAGES)
    waiting = f"p.stage IN ({open_list}) AND p.customer_id IS NULL"
    if conn.execute(f"SELECT 1 FROM prospects p WHERE {waiting} LIMIT 1").fetchone() is None:
        return 0
    # Driven by the customers (no index on their phone or ID number), each
    # looked up in the prospects' indexes: one pass, whatever the prospects.
    matches = conn.execute(
        f"""
        SELECT customer_id, MIN(prospect_id) FROM (
            SELECT c.customer_id, p.prospect_id FROM customers c
                JOIN prospects p ON p.phone = c.phone WHERE {waiting}
            UNION ALL
            SELECT c.customer_id, p.prospect_id FROM customers c
                JOIN prospects p ON p.id_number = c.id_number WHERE {waiting}
        ) AS m
        WHERE EXISTS (SELECT 1 FROM loans l WHERE l.customer_id = m.customer_id)
            AND NOT EXISTS (SELECT 1 FROM prospects q WHERE q.customer_id = m.customer_id)
        GROUP BY customer_id ORDER BY MIN(prospect_id)
        """
    ).fetchall()
    done: set[int] = set()
    for customer_id, prospect_id in matches:
        if prospect_id in done:  # one person, two customer records: the first one links
            continue
        done.add(prospect_id)
        stage_day = conn.execute(
            "SELECT stage_day FROM prospects WHERE prospect_id = ?", (prospect_id,)
        ).fetchone()[0]
        record_stage(
            conn,
            prospect_id,
            "disbursed",
            max(day, int(stage_day)),
            via="loans_import",
            customer_id=customer_id,
        )
    return len(done)


def log_prospect_contacts(
    store: Store,
    idents: Sequence[str],
    entry: ContactEntry,
) -> int:
    """``retain log P17 …``: one contact per prospect; all or nothing.

    A real contact (not an attempt: see :data:`retain.contacts.ATTEMPTS`) of a
    ``new`` prospect moves it to ``contacted`` (via ``log``, on the contact's
    day): the first conversation is the first step of the funnel. The
    prospect's last contact day follows its latest real contact, and its
    follow-up date is the latest real contact's ``--next``, or an attempt's when
    it names one (as for customers). A disbursed prospect is a customer now
    (log the customer); a forgotten one has no one to log.
    """
    from retain.contacts import ATTEMPTS

    at_day = day_number(entry.at.date())
    assert at_day is not None
    stamp = now_stamp()
    real = entry.outcome not in ATTEMPTS
    for attempt in store.transactions():
        with attempt as conn:
            found = [get_prospect(conn, ident) for ident in idents]
            rows = list({row["prospect_id"]: row for row in found}.values())
            for row in rows:
                check_loggable(row)
            for row in rows:
                conn.execute(
                    "INSERT INTO prospect_contacts (prospect_id, at, at_day, channel, outcome,"
                    " note, next_on, next_day, officer, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        row["prospect_id"],
                        entry.at.strftime("%Y-%m-%d %H:%M:%S"),
                        at_day,
                        entry.channel,
                        entry.outcome,
                        entry.note,
                        entry.next_on.isoformat() if entry.next_on else None,
                        day_number(entry.next_on),
                        entry.officer,
                        stamp,
                    ),
                )
                if real and row["stage"] == "new":
                    record_stage(
                        conn,
                        row["prospect_id"],
                        "contacted",
                        max(at_day, int(row["stage_day"])),
                        via="log",
                        officer=entry.officer or row["officer"],
                    )
                refresh_prospect_latest(conn, int(row["prospect_id"]))
    return len(rows)


def check_loggable(row: Mapping[str, Any]) -> None:
    """A disbursed prospect is a customer now (log the customer); a forgotten one
    is no one to log."""
    pid = shown_id(row["prospect_id"])
    if row["forgotten_day"] is not None:
        raise RetainError(key="prospect.log_forgotten", prospect=pid)
    if row["stage"] == "disbursed" and row["customer_id"]:
        raise RetainError(key="prospect.log_disbursed", prospect=pid, customer=row["customer_id"])


def refresh_prospect_latest(conn: sqlite3.Connection, prospect_id: int) -> None:
    """The last real contact's day; the follow-up date of the latest contact that
    decides it (a real one, or an attempt naming its own). Without such a contact
    (none yet, or the last one undone) the date given to ``prospect add --next``
    stands."""
    attempts = ", ".join(f"'{a}'" for a in _attempts())
    conn.execute(
        "UPDATE prospects SET last_contact_day = (SELECT MAX(at_day) FROM prospect_contacts k"
        f" WHERE k.prospect_id = prospects.prospect_id AND k.outcome NOT IN ({attempts}))"
        " WHERE prospect_id = ?",
        (prospect_id,),
    )
    latest = conn.execute(
        "SELECT next_on, next_day FROM prospect_contacts WHERE prospect_id = ?"
        f" AND (outcome NOT IN ({attempts}) OR next_on IS NOT NULL)"
        " ORDER BY at DESC, contact_id DESC LIMIT 1",
        (prospect_id,),
    ).fetchone()
    if latest is not None:
        conn.execute(
            "UPDATE prospects SET next_on = ?, next_day = ?, updated_at = ? WHERE prospect_id = ?",
            (latest[0], latest[1], now_stamp(), prospect_id),
        )
    else:
        conn.execute(
            "UPDATE prospects SET next_on = planned_next_on, next_day = planned_next_day,"
            " updated_at = ? WHERE prospect_id = ?",
            (now_stamp(), prospect_id),
        )


def _attempts() -> tuple[str, ...]:
    from retain.contacts import ATTEMPTS

    return ATTEMPTS


def prospect_contacts(conn: sqlite3.Connection, prospect_id: int) -> list[dict[str, Any]]:
    """A prospect's contacts, newest first, with the fields of a customer's
    history (no loan, no promise: those stay null)."""
    rows = conn.execute(
        "SELECT contact_id, at, channel, outcome, note, next_on, officer"
        " FROM prospect_contacts WHERE prospect_id = ? ORDER BY at DESC, contact_id DESC",
        (prospect_id,),
    ).fetchall()
    found = []
    for row in rows:
        contact = dict(row)
        contact["loan_id"] = None
        contact["promise_amount"] = None
        contact["promise_status"] = None
        contact["promise_judged_on"] = None
        found.append(contact)
    return found
