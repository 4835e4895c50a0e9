"""The call-list terms: one entry each, and everything else derived from them.

A term is one reason to contact a customer today, worth some points; a
customer's score is the sum of the terms that apply (like Taskwarrior's
urgency). Each :class:`Term` holds all there is to know about its reason:

- ``points_sql``: its points, an SQL expression over the call-list query's
  sources (see ``ranking._query``: ``c`` the customer row with its last contact,
  ``o`` the open-loan aggregates, ``m`` the maturing loans, ``i`` the next
  instalments due soon, ``r`` the recent close) and parameters: every setting
  below as ``:w_<name>``, every rhythm setting as ``:r_<name>``, ``:t`` today's
  day number, ``:lead`` the longest maturity tier; ``{class_weight}`` is the
  arrears class weight of ``o.dpd``, ``{season}`` the code of the soonest open
  season concerning the customer (``seasons.season_code_sql``), else NULL;
- ``settings``: its weights, which become the config's ``[weights]`` section;
- ``bound``: None for an *urgent* term (computed exactly from overdue and
  soon-maturing loans, instalments due soon and promised dates in the call
  list's first pass), else the most points it can ever give, which the
  shortlist uses to prune;
- ``episode``: the day its current spell began, the stable part of a
  reminder's id;
- ``rule``: the values of its ``rule.<name>`` catalogue text for ``--explain``;
- ``customer_facing``: whether a reminder of it may be sent to a customer.

Its texts live in the catalogue (``retain.i18n``) under ``term.<name>``,
``reason.<name>``, ``action.<name>``, ``rule.<name>`` and, for reminder
messages, ``sms.officer.<name>`` (and ``sms.customer.<name>`` when customer
facing). CONTRIBUTING.md has the recipe for adding a term.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from retain.birthdays import birthday_today_sql
from retain.days import from_day_number
from retain.holdings import good_max_days, suggestion_sql
from retain.i18n import CATALOGUE, Bilingual, Msg, msg
from retain.promises import amount_text, short_date

if TYPE_CHECKING:
    from retain.config import Config


@dataclass(frozen=True)
class Setting:
    """One ``[weights]`` entry of the config, passed to the SQL as ``:w_<name>``."""

    name: str
    default: float
    description: str
    description_zh: str
    integer: bool = False  # a count of days rather than points


@dataclass
class CallRow:
    """One customer on the call list (or being explained), with every term's points.

    Day numbers (``*_day``) are days since 1970-01-01; None where the fact does
    not apply to this customer.
    """

    customer_id: str
    name: str
    phone: str | None
    officer: str | None
    last_contact_at: str | None
    last_channel: str | None
    last_outcome: str | None
    last_contact_day: int | None
    next_on: str | None
    next_day: int | None
    dpd: int | None  # worst days past due over the open loans
    overdue_since: int | None  # first day of the current overdue spell
    days_left: int | None  # of the soonest maturing loan in its reminder window
    window_open: int | None  # the day that maturity reminder window opened
    check_day: int | None  # the post-loan check now due
    checks_after: int | None  # checks start after this first import (a loan imported late)
    secured_since: int | None  # the first secured loan's disbursement
    closed_day: int | None  # the last close of a customer with no open loan
    failed_attempts: int  # unanswered attempts since the last real contact
    last_attempt_at: str | None  # the last attempt (no answer, wrong number) since then
    phone_unusable_since: str | None  # a wrong number was logged for this phone (ISO date)
    declined_day: int | None  # the customer's last refusal (拒绝)
    written_off_day: int | None  # the latest write-off (its close, else its first import)
    # The first guarantor of the most overdue loan, once it is
    # rhythm.guarantor_after_days past due: "name\x1frelation\x1fphone".
    guarantor: str | None
    collateral_day: int | None  # the soonest collateral expiry in its reminder window
    collateral_kind: int | None  # of that expiry: 0 insurance, 1 certificate
    broken_promise_day: int | None  # the day the latest broken promise was judged
    broken_promise_due_day: int | None  # that promise's date
    broken_promise_fen: int | None  # and its amount
    instalment_day: int | None  # the soonest instalment due within its lead window
    instalment_fen: int | None  # …its amount (of the lowest loan id due that day)
    instalment_period: int | None  # …its period (期数), when the data gives one
    cross_sell_product: str | None  # a good customer's product most of their industry hold
    cross_sell_since: int | None  # the day that cross-sell contact fell due
    tier: int | None  # the customer's tier (index into config.tiers), when one has a rhythm
    tier_every: int | None  # …that tier's contact_every_days
    season_day: int | None  # the day the lead window of a season concerning it opened
    season_index: int | None  # …that season's place in the config's [[seasons]]
    class_rank: int
    class_rank_at_contact: int
    today_day: int
    score: int
    quiet: bool
    points: dict[str, int]
    rank: int | None = None
    # A prospect's row (``P<n>``): the day it entered the pipeline. Not a column
    # of the customers' query: prospect rows are made by ``ranking._prospect_rows``.
    prospect_entered_day: int | None = None

    @property
    def reasons(self) -> list[str]:
        """The terms that apply, strongest first (ties in registry order)."""
        applied = [term.name for term in TERMS if self.points.get(term.name, 0) > 0]
        return sorted(applied, key=lambda name: -self.points[name])


# --- the terms' rule texts and episodes ----------------------------------------


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _iso(day: int | None) -> str:
    return from_day_number(day).isoformat() if day is not None else ""


def _need(value: int | None) -> int:
    """A fact the term's SQL guarantees whenever the term applies."""
    assert value is not None
    return value


def _overdue_rule(row: CallRow, config: Config) -> dict[str, object]:
    weights = config.weights
    days = _need(row.dpd)
    _, cls = config.arrears.classify(days)
    return {
        "base": _num(weights.value("overdue")),
        "per_day": _num(weights.value("overdue_per_day")),
        "days": days,
        "cap": _num(weights.value("overdue_day_cap")),
        "class_weight": cls.weight,
        "cls": Bilingual(cls.name_en, cls.name),
    }


def _maturing_rule(row: CallRow, config: Config) -> dict[str, object]:
    weights = config.weights
    return {
        "base": _num(weights.value("maturing")),
        "per_day": _num(weights.value("maturing_per_day")),
        "lead": config.rhythm.lead_days,
        "days": row.days_left,
        "opened": _iso(row.window_open),
    }


def _follow_up_rule(row: CallRow, config: Config) -> dict[str, object]:
    weights = config.weights
    return {
        "base": _num(weights.value("follow_up")),
        "per_day": _num(weights.value("follow_up_per_day")),
        "late": row.today_day - _need(row.next_day),
        "cap": _num(weights.value("late_day_cap")),
        "date": row.next_on,
    }


def _post_loan_rule(row: CallRow, config: Config) -> dict[str, object]:
    after: Msg | Bilingual = Bilingual("", "")
    if row.checks_after is not None:
        after = msg("rule.post_loan_after", date=_iso(row.checks_after))
    return {
        "base": _num(config.weights.value("post_loan_check")),
        "date": _iso(row.check_day),
        "first": config.rhythm.post_loan_first_days,
        "every": config.rhythm.post_loan_every_days,
        "early": config.rhythm.post_loan_early_days,
        "after": after,
    }


def _revisit_rule(row: CallRow, config: Config) -> dict[str, object]:
    return {
        "base": _num(config.weights.value("revisit")),
        "every": config.rhythm.revisit_every_days,
    }


def _win_back_rule(row: CallRow, config: Config) -> dict[str, object]:
    return {
        "base": _num(config.weights.value("win_back")),
        "date": _iso(row.closed_day),
        "every": config.rhythm.win_back_every_days,
        "months": config.rhythm.win_back_months,
        "pause": config.rhythm.declined_pause_days,
    }


def _win_back_pause_end(row: CallRow, config: Config) -> int | None:
    """The day a refusal's pause of win-back ends, None without a refusal."""
    if row.declined_day is None:
        return None
    return row.declined_day + config.rhythm.declined_pause_days


def _win_back_idle(row: CallRow, config: Config) -> Msg | None:
    end = _win_back_pause_end(row, config)
    if end is None or row.today_day >= end or row.closed_day is None:
        return None
    return msg("rule.win_back_paused", until=_iso(end), declined=_iso(row.declined_day))


def _recovery_rule(row: CallRow, config: Config) -> dict[str, object]:
    return {
        "base": _num(config.weights.value("recovery")),
        "date": _iso(row.written_off_day),
        "every": config.rhythm.recovery_every_days,
    }


def _recovery_episode(row: CallRow, config: Config) -> int:
    """At the write-off, then every N days after the last contact since."""
    written_off = _need(row.written_off_day)
    last = row.last_contact_day
    if last is None or last < written_off:
        return written_off
    return last + config.rhythm.recovery_every_days


def _revisit_episode(row: CallRow, config: Config) -> int:
    since = _need(row.secured_since)
    last = row.last_contact_day
    base = last if last is not None and last > since else since
    return base + config.rhythm.revisit_every_days


def _win_back_episode(row: CallRow, config: Config) -> int:
    """At the close, then every N days after the last contact since."""
    closed = _need(row.closed_day)
    last = row.last_contact_day
    start = closed if last is None or last < closed else last + config.rhythm.win_back_every_days
    # A refusal holds the spell back to the pause's end: the same day on every
    # day of the spell that follows it.
    end = _win_back_pause_end(row, config)
    return max(start, end) if end is not None else start


def _collateral_what(row: CallRow) -> Msg:
    return msg("collateral.certificate" if row.collateral_kind == 1 else "collateral.insurance")


def _collateral_reason(row: CallRow) -> Msg:
    """``抵押物保险 12月20日到期`` / ``collateral insurance expires 20 Dec``."""
    date = short_date(_need(row.collateral_day))
    return msg("reason.collateral_expiry", what=_collateral_what(row), date=date)


def _collateral_rule(row: CallRow, config: Config) -> dict[str, object]:
    return {
        "base": _num(config.weights.value("collateral_expiry")),
        "what": _collateral_what(row),
        "date": _iso(row.collateral_day),
        "lead": config.rhythm.collateral_lead_days,
    }


def _broken_promise_rule(row: CallRow, config: Config) -> dict[str, object]:
    return {
        "base": _num(config.weights.value("broken_promise")),
        "amount": amount_text(_need(row.broken_promise_fen)),
        "date": short_date(_need(row.broken_promise_due_day)),
        "judged": _iso(row.broken_promise_day),
    }


def _broken_promise_reason(row: CallRow) -> Msg:
    return msg(
        "reason.broken_promise",
        amount=amount_text(_need(row.broken_promise_fen)),
        date=short_date(_need(row.broken_promise_due_day)),
    )


def instalment_text(period: int | None, fen: int | None, day: int) -> Msg:
    """``instalment 3 of 3,000.00 due 5 Dec`` / ``第3期 应还 3,000.00 元 12月5日到期``."""
    from retain.output import yuan_grouped

    values = {"amount": yuan_grouped(fen), "date": short_date(day)}
    if period is None:
        return msg("reason.instalment_no_period", **values)
    return msg("reason.instalment", period=period, **values)


def _instalment_reason(row: CallRow) -> Msg:
    return instalment_text(row.instalment_period, row.instalment_fen, _need(row.instalment_day))


def _instalment_rule(row: CallRow, config: Config) -> dict[str, object]:
    return {
        "base": _num(config.weights.value("instalment")),
        "less": row.points.get("maturing", 0),
        "what": _instalment_reason(row),
        "lead": config.rhythm.instalment_lead_days,
    }


def _maturing_reason(row: CallRow) -> Msg:
    if row.days_left:
        return msg("reason.maturing", days=row.days_left)
    return msg("reason.maturing_today")


def _stay_in_touch_episode(row: CallRow, config: Config) -> int:
    """Never contacted: one spell from the start (day 0); else the rhythm's end."""
    if row.last_contact_day is None:
        return 0
    return row.last_contact_day + _need(row.tier_every)


def _stay_in_touch_reason(row: CallRow) -> Msg:
    if row.last_contact_day is None:
        return msg("reason.stay_in_touch_never")
    return msg("reason.stay_in_touch", days=row.today_day - row.last_contact_day)


def _stay_in_touch_rule(row: CallRow, config: Config) -> dict[str, object]:
    rule = config.tiers[_need(row.tier)]
    return {
        "base": _num(config.weights.value("stay_in_touch")),
        "tier": f"{rule.name} {rule.name_zh}".strip(),
        "when": rule.when,
        "every": _need(row.tier_every),
        "last": _iso(row.last_contact_day) or Bilingual("none", "无"),
    }


def _stay_in_touch_idle(row: CallRow, config: Config) -> Msg | None:
    """The tier and when its rhythm next runs out, for a customer not due today."""
    if row.tier is None or row.tier_every is None or row.last_contact_day is None:
        return None
    rule = config.tiers[row.tier]
    return msg(
        "rule.stay_in_touch_idle",
        tier=f"{rule.name} {rule.name_zh}".strip(),
        when=rule.when,
        date=_iso(row.last_contact_day + row.tier_every),
    )


def _scaled(applies: str, weight: str, days: str, cap: str, extra: str = "") -> str:
    """Points that grow with days, up to a cap: ``:w_<weight> + :w_<weight>_per_day
    × min(days, :w_<cap>) [+ extra]`` where ``applies``, else 0."""
    capped = f"(CASE WHEN {days} > :w_{cap} THEN :w_{cap} ELSE {days} END)"
    return (
        f"CASE WHEN {applies} THEN CAST(ROUND(:w_{weight} + :w_{weight}_per_day * {capped}"
        f"{extra}) AS INTEGER) ELSE 0 END"
    )


def _cross_sell_rule(row: CallRow, config: Config) -> dict[str, object]:
    return {
        "base": _num(config.weights.value("cross_sell")),
        "product": msg(f"product.{row.cross_sell_product}"),
        "share": f"{config.coverage.peer_share:.0%}",
        "every": int(config.weights.value("cross_sell_every_days")),
    }


def _cross_sell_reason(row: CallRow) -> Msg:
    return msg("reason.cross_sell", product=msg(f"product.{row.cross_sell_product}"))


#: A good customer (retain.holdings): an open loan all in the first arrears class,
#: or a recent close; no written-off loan; an industry to compare with.
GOOD_SQL = """((o.customer_id IS NOT NULL AND o.dpd <= :good_max)
    OR (o.customer_id IS NULL AND r.closed_day IS NOT NULL))
    AND w.customer_id IS NULL AND c.industry IS NOT NULL"""


def _prospect_reason(row: CallRow) -> Msg:
    """``约定跟进 12-03`` for a prospect's next date, else how long since entry."""
    if row.next_on is not None:
        return msg("reason.prospect", date=row.next_on)
    return msg("reason.prospect_new", days=row.today_day - _need(row.prospect_entered_day))


def _prospect_rule(row: CallRow, config: Config) -> dict[str, object]:
    return {
        "base": _num(config.weights.value("prospect")),
        "why": _prospect_reason(row),
        "first": config.rhythm.prospect_first_contact_days,
    }


def _season_rule(row: CallRow, config: Config) -> dict[str, object]:
    from retain.seasons import season_of

    season = season_of(config.seasons, row.season_index)
    opened = _need(row.season_day)
    lead = season.lead_days if season is not None else 0
    return {
        "base": _num(config.weights.value("season")),
        "name": season.name if season is not None else "?",
        "who": season.industry or season.group or "" if season is not None else "",
        "date": _iso(opened + lead),
        "opened": _iso(opened),
        "lead": lead,
    }


# --- the registry ---------------------------------------------------------------

# The loan a reminder quotes: the soonest maturing, the main one (most overdue,
# else latest), or the one whose instalment the reminder is about.
LoanQuoted = Literal["maturing", "main", "instalment"]

# The maturing term's points, which the instalment term also reads.
_MATURING_POINTS = """CASE WHEN m.days_left IS NOT NULL THEN
            CAST(ROUND(:w_maturing + :w_maturing_per_day * (:lead - m.days_left)) AS INTEGER)
            ELSE 0 END"""
# An instalment's weight less a maturity reminder's points the same day, at
# least 1: together they count the larger of the two (see TERMS).
_INSTALMENT_LESS = f"(CAST(ROUND(:w_instalment) AS INTEGER) - ({_MATURING_POINTS}))"


@dataclass(frozen=True)
class Term:
    name: str
    points_sql: str
    settings: tuple[Setting, ...]
    bound: Callable[[Config], float] | None
    episode: Callable[[CallRow, Config], int]
    # The same day in SQL, over the call-list query's ``scored`` columns (the
    # CallRow fields) and ``:r_<name>`` rhythms: reminders are collected in SQL.
    episode_sql: str
    rule: Callable[[CallRow, Config], dict[str, object]]
    customer_facing: bool
    reason: Callable[[CallRow], Msg] | None = None  # default: the plain reason.<name>
    loan: LoanQuoted = "main"  # the loan a reminder quotes: soonest maturing, or the main one
    quotes_dpd: bool = False  # its reminders carry days_past_due
    quotes_days_left: bool = False  # its reminders carry days_left
    keeps_off_quiet: bool = False  # lists a customer even if contacted in the quiet days
    aliases: tuple[str, ...] = field(default=())  # more accepted spellings (besides zh label)
    # Why it gives nothing today, when that is worth more than "does not apply".
    idle: Callable[[CallRow, Config], Msg | None] | None = None
    # A bounded term that gives nothing to a customer whose worst open loan is
    # at least this many days past due (None: it may apply at any arrears). The
    # shortlist leaves its bound out for customers that far behind: a day count
    # too low silently drops customers from the top of the list.
    gone_past_due: Callable[[Config], int] | None = None

    @property
    def urgent(self) -> bool:
        return self.bound is None

    def reason_text(self, row: CallRow) -> Msg:
        return self.reason(row) if self.reason is not None else msg(f"reason.{self.name}")

    def explain(self, row: CallRow, config: Config) -> Msg:
        return Msg(f"rule.{self.name}", self.rule(row, config))


# Collections first: the defaults of ``overdue`` and ``follow_up`` (125) lie
# above the most the other terms can add up together (maturing 30 + 2 × 30,
# post-loan check 15, revisit 12, recovery 5, collateral expiry 1: 123; win-back
# excludes the rest; an instalment only tops a maturity reminder up to its own
# 60, or by 1: 124; stay_in_touch 8 and birthday 5 never go with a maturity or
# an instalment reminder: 8 + 5 + 15 + 12 + 5 + 1 = 46),
# so with the defaults every overdue or promised customer outranks every other.
# An instalment (60) ranks with a maturity two weeks out: a part of the loan is
# due, not all of it; below a maturity in its last week (76 – 90), above the
# routine check and visits.
TERMS: tuple[Term, ...] = (
    Term(
        name="overdue",
        points_sql=_scaled("o.dpd > 0", "overdue", "o.dpd", "overdue_day_cap", " + {class_weight}"),
        settings=(
            Setting("overdue", 125, "any loan past due", "有贷款逾期"),
            Setting("overdue_per_day", 0.5, "per day past due…", "每逾期一天……"),
            Setting(
                "overdue_day_cap",
                360,
                "…counting at most this many days",
                "……最多计这么多天",
                integer=True,
            ),
        ),
        bound=None,
        episode=lambda row, config: _need(row.overdue_since),
        episode_sql="overdue_since",
        rule=_overdue_rule,
        customer_facing=True,
        reason=lambda row: msg("reason.overdue", days=row.dpd),
        quotes_dpd=True,
    ),
    Term(
        name="maturing",
        points_sql=_MATURING_POINTS,
        settings=(
            Setting(
                "maturing", 30, "a loan matures within the lead window", "有贷款在提前窗口内到期"
            ),
            Setting(
                "maturing_per_day", 2, "per day closer than the lead window", "比提前窗口每近一天"
            ),
        ),
        bound=None,
        episode=lambda row, config: _need(row.window_open),
        episode_sql="window_open",
        rule=_maturing_rule,
        customer_facing=True,
        reason=_maturing_reason,
        loan="maturing",
        quotes_days_left=True,
    ),
    Term(
        name="follow_up",
        points_sql=_scaled("c.next_day <= :t", "follow_up", "(:t - c.next_day)", "late_day_cap"),
        settings=(
            Setting(
                "follow_up", 125, "a promised follow-up date has arrived", "约定的跟进日期已到"
            ),
            Setting("follow_up_per_day", 1, "per day the follow-up is late", "跟进每晚一天"),
            Setting(
                "late_day_cap",
                30,
                "lateness counted for follow-ups, at most",
                "跟进迟到的天数最多计这么多天",
                integer=True,
            ),
        ),
        bound=None,
        episode=lambda row, config: _need(row.next_day),
        episode_sql="next_day",
        rule=_follow_up_rule,
        customer_facing=False,
        reason=lambda row: msg("reason.follow_up", date=row.next_on),
        keeps_off_quiet=True,
    ),
    Term(
        name="post_loan_check",
        # A contact up to post_loan_early_days before the check satisfies it.
        points_sql="""CASE WHEN o.check_day IS NOT NULL AND (c.last_contact_day IS NULL
                OR c.last_contact_day < o.check_day - :r_post_loan_early_days)
            THEN CAST(ROUND(:w_post_loan_check) AS INTEGER) ELSE 0 END""",
        settings=(Setting("post_loan_check", 15, "a post-loan check is due", "贷后检查到期"),),
        bound=lambda config: round(config.weights.value("post_loan_check")),
        episode=lambda row, config: _need(row.check_day),
        episode_sql="check_day",
        rule=_post_loan_rule,
        customer_facing=False,
    ),
    Term(
        name="revisit",
        points_sql="""CASE WHEN o.secured_since IS NOT NULL AND :t - (CASE
                WHEN c.last_contact_day > o.secured_since THEN c.last_contact_day
                ELSE o.secured_since END) >= :r_revisit_every_days
            THEN CAST(ROUND(:w_revisit) AS INTEGER) ELSE 0 END""",
        settings=(
            Setting(
                "revisit",
                12,
                "a secured borrower's return visit is due",
                "抵押、质押借款人的回访到期",
            ),
        ),
        bound=lambda config: round(config.weights.value("revisit")),
        episode=_revisit_episode,
        episode_sql="""(CASE WHEN last_contact_day > secured_since THEN last_contact_day
            ELSE secured_since END) + :r_revisit_every_days""",
        rule=_revisit_rule,
        customer_facing=False,
    ),
    Term(
        name="win_back",
        points_sql="""CASE WHEN o.customer_id IS NULL AND r.closed_day IS NOT NULL
                AND (c.last_contact_day IS NULL OR c.last_contact_day < r.closed_day
                     OR :t - c.last_contact_day >= :r_win_back_every_days)
                AND (c.declined_day IS NULL OR :t - c.declined_day >= :r_declined_pause_days)
                AND NOT EXISTS (SELECT 1 FROM loans b WHERE b.customer_id = c.customer_id
                    AND (b.status = 'written_off' OR b.days_past_due >= :bad_min))
            THEN CAST(ROUND(:w_win_back) AS INTEGER) ELSE 0 END""",
        settings=(
            Setting(
                "win_back",
                10,
                "a no-loan customer's win-back contact is due",
                "无贷户的挽回联系到期",
            ),
        ),
        bound=lambda config: round(config.weights.value("win_back")),
        # Only without an open loan.
        gone_past_due=lambda config: 1,
        episode=_win_back_episode,
        episode_sql="""CASE WHEN declined_day + :r_declined_pause_days > {start}
            THEN declined_day + :r_declined_pause_days ELSE {start} END""".format(
            start="""(CASE WHEN last_contact_day IS NULL OR last_contact_day < closed_day
                THEN closed_day ELSE last_contact_day + :r_win_back_every_days END)"""
        ),
        rule=_win_back_rule,
        customer_facing=True,
        idle=_win_back_idle,
    ),
    Term(
        name="recovery",
        points_sql="""CASE WHEN w.customer_id IS NOT NULL AND (c.last_contact_day IS NULL
                OR :t - c.last_contact_day >= :r_recovery_every_days)
            THEN CAST(ROUND(:w_recovery) AS INTEGER) ELSE 0 END""",
        settings=(
            Setting(
                "recovery",
                5,
                "a customer with a written-off loan is due a recovery contact",
                "有核销贷款（账销案存）的客户到了追偿联系的时候",
            ),
        ),
        bound=lambda config: round(config.weights.value("recovery")),
        episode=_recovery_episode,
        episode_sql="""CASE WHEN last_contact_day IS NULL OR last_contact_day < written_off_day
            THEN written_off_day ELSE last_contact_day + :r_recovery_every_days END""",
        rule=_recovery_rule,
        # Collections on a written-off loan are the officer's work, never an SMS.
        customer_facing=False,
    ),
    Term(
        name="collateral_expiry",
        # The window opens lead days before the expiry (the soonest of the
        # customer's open loans'); a contact since it opened settles it, as a
        # maturity reminder's does.
        points_sql="""CASE WHEN e.code IS NOT NULL AND (c.last_contact_day IS NULL
                OR c.last_contact_day < e.code / 2 - :r_collateral_lead_days)
            THEN CAST(ROUND(:w_collateral_expiry) AS INTEGER) ELSE 0 END""",
        settings=(
            Setting(
                "collateral_expiry",
                1,
                "collateral insurance or a lien certificate expires within the lead window",
                "抵押物保险或他项权证在提前窗口内到期",
            ),
        ),
        bound=lambda config: round(config.weights.value("collateral_expiry")),
        episode=lambda row, config: _need(row.collateral_day) - config.rhythm.collateral_lead_days,
        episode_sql="collateral_day - :r_collateral_lead_days",
        rule=_collateral_rule,
        # Papers between the lender and the registry: the officer's work, never an SMS.
        customer_facing=False,
        reason=_collateral_reason,
    ),
    Term(
        name="broken_promise",
        # From the judging until the customer is next contacted (a real contact,
        # on or after the judging day) or no loan is overdue any more. Only
        # overdue customers: exact in the urgent pass, so no bound.
        points_sql="""CASE WHEN c.broken_promise_day <= :t AND o.dpd > 0
                AND (c.last_contact_day IS NULL OR c.last_contact_day < c.broken_promise_day)
            THEN CAST(ROUND(:w_broken_promise) AS INTEGER) ELSE 0 END""",
        settings=(
            Setting(
                "broken_promise",
                250,
                "a promise to pay was broken (no contact since)",
                "承诺还款未兑现（此后尚未联系）",
            ),
        ),
        bound=None,
        episode=lambda row, config: _need(row.broken_promise_day),
        episode_sql="broken_promise_day",
        rule=_broken_promise_rule,
        # About the customer's own failure: the officer calls, no SMS goes out.
        customer_facing=False,
        reason=_broken_promise_reason,
        keeps_off_quiet=True,
    ),
    Term(
        name="instalment",
        points_sql=f"""CASE WHEN i.instalment_day IS NOT NULL
                AND CAST(ROUND(:w_instalment) AS INTEGER) > 0
            THEN (CASE WHEN {_INSTALMENT_LESS} > 1 THEN {_INSTALMENT_LESS} ELSE 1 END)
            ELSE 0 END""",
        settings=(
            Setting(
                "instalment",
                60,
                "an instalment falls due within its lead window (less a maturity"
                " reminder's points the same day, at least 1)",
                "有分期还款在提前窗口内到期（同日有到期提醒时减去其分值，至少为1）",
            ),
        ),
        # Urgent: the call list's first pass reads instalments due soon exactly,
        # through their own index (ranking's ``instalments``).
        bound=None,
        episode=lambda row, config: _need(row.instalment_day),
        episode_sql="instalment_day",
        rule=_instalment_rule,
        customer_facing=True,
        reason=_instalment_reason,
        loan="instalment",
    ),
    Term(
        name="cross_sell",
        # The cheap tests first: the peers' products are looked up last.
        points_sql=f"""CASE WHEN {GOOD_SQL}
                AND (c.last_contact_day IS NULL
                    OR :t - c.last_contact_day >= :w_cross_sell_every_days)
                AND {suggestion_sql("c.customer_id", "c.industry")} IS NOT NULL
            THEN CAST(ROUND(:w_cross_sell) AS INTEGER) ELSE 0 END""",
        settings=(
            Setting(
                "cross_sell",
                2,
                "a good customer lacks a product most of their industry hold (retain coverage)",
                "优质客户缺少同行业多数客户持有的产品（retain coverage）",
            ),
            Setting(
                "cross_sell_every_days",
                90,
                "…and has not been contacted for this many days",
                "……且这么多天未联系",
                integer=True,
            ),
        ),
        bound=lambda config: round(config.weights.value("cross_sell")),
        # Only a good customer: every open loan within the first arrears class.
        gone_past_due=lambda config: good_max_days(config.arrears) + 1,
        episode=lambda row, config: _need(row.cross_sell_since),
        episode_sql="cross_sell_since",
        rule=_cross_sell_rule,
        # A sales conversation is the officer's, never an SMS.
        customer_facing=False,
        reason=_cross_sell_reason,
    ),
    Term(
        name="stay_in_touch",
        # A tier's rhythm (contact_every_days, config [[tiers]]) since the last
        # real contact, or never contacted: a top customer is not forgotten
        # just because nothing is due. Its tier comes from the ``tiered`` CTE.
        # Only when no maturity or instalment reminder applies: the call is made
        # anyway then, and collections stay first (see above TERMS).
        points_sql="""CASE WHEN ti.every IS NOT NULL AND (c.last_contact_day IS NULL
                OR :t - c.last_contact_day >= ti.every)
                AND m.days_left IS NULL AND i.instalment_day IS NULL
            THEN CAST(ROUND(:w_stay_in_touch) AS INTEGER) ELSE 0 END""",
        settings=(
            Setting(
                "stay_in_touch",
                8,
                "the customer's tier is due a contact (its contact_every_days since the"
                " last real contact)",
                "客户所在分层的联系周期已到（距上次实际联系已满 contact_every_days 天）",
            ),
        ),
        # Nothing without a tier rhythm: the shortlist's bound stays as it was.
        bound=lambda config: (
            round(config.weights.value("stay_in_touch"))
            if any(rule.contact_every_days is not None for rule in config.tiers)
            else 0
        ),
        episode=_stay_in_touch_episode,
        episode_sql="""CASE WHEN last_contact_day IS NULL THEN 0
            ELSE last_contact_day + tier_every END""",
        rule=_stay_in_touch_rule,
        # A relationship call is the officer's, never an automatic SMS.
        customer_facing=False,
        reason=_stay_in_touch_reason,
        idle=_stay_in_touch_idle,
    ),
    Term(
        name="birthday",
        # Off unless rhythm.birthday_greetings: a greeting is a courtesy the
        # lender chooses to make, the birth date read from the ID number.
        # Not on a day with a maturity or instalment reminder (as stay_in_touch).
        points_sql=f"""CASE WHEN :r_birthday_greetings = 1
                AND m.days_left IS NULL AND i.instalment_day IS NULL
                AND {birthday_today_sql("c.id_number", ":t")}
            THEN CAST(ROUND(:w_birthday) AS INTEGER) ELSE 0 END""",
        settings=(
            Setting(
                "birthday",
                5,
                "the customer's birthday (only with rhythm.birthday_greetings = true)",
                "客户生日（仅当 rhythm.birthday_greetings = true）",
            ),
        ),
        bound=lambda config: (
            round(config.weights.value("birthday")) if config.rhythm.birthday_greetings else 0
        ),
        # The spell is the day itself.
        episode=lambda row, config: row.today_day,
        episode_sql="today_day",
        rule=lambda row, config: {"base": _num(config.weights.value("birthday"))},
        customer_facing=True,
    ),
    Term(
        name="prospect",
        # Prospects are not customers: they never score in the customers' query.
        # ``ranking._prospect_rows`` lists them beside it (row id P<n>): an open
        # prospect whose next date has come, or a new one with no next date
        # never contacted ``rhythm.prospect_first_contact_days`` after its entry.
        points_sql="0",
        settings=(
            Setting(
                "prospect",
                20,
                "a prospect's next date has come, or a new prospect is still not contacted",
                "潜在客户的跟进日期已到，或新录入的潜在客户仍未联系",
            ),
        ),
        # It gives a customer nothing, so it bounds nothing.
        bound=lambda config: 0,
        # A prospect row's next_day is the day its call fell due.
        episode=lambda row, config: _need(row.next_day),
        episode_sql="next_day",
        rule=_prospect_rule,
        # Officer-only: a prospect never gets a reminder or an SMS.
        customer_facing=False,
        reason=_prospect_reason,
        aliases=("prospects", "潜客"),
    ),
    Term(
        name="season",
        # During a season's lead window, a customer it concerns (industry or
        # group) with no loan past due: an offer, not a collection. Settled by a
        # contact since the window opened; a loan in its maturity window already
        # brings the customer, with more points, so the season stays out of it
        # (which keeps every overdue or promised customer above the rest).
        points_sql="""CASE WHEN {season} IS NOT NULL AND COALESCE(o.dpd, 0) = 0
                AND m.days_left IS NULL
                AND (c.last_contact_day IS NULL OR c.last_contact_day < {season} / 4096)
            THEN CAST(ROUND(:w_season) AS INTEGER) ELSE 0 END""",
        settings=(
            Setting(
                "season",
                20,
                "a season's lead window is open for the customer's industry or group",
                "客户所在行业或类群的季节性需求已进入提前窗口",
            ),
        ),
        bound=lambda config: round(config.weights.value("season")),
        # Only with no loan past due.
        gone_past_due=lambda config: 1,
        episode=lambda row, config: _need(row.season_day),
        episode_sql="season_day",
        rule=_season_rule,
        customer_facing=True,
    ),
    # New terms go above this line: see CONTRIBUTING.md, "Add a call-list term".
)

TERM_NAMES: tuple[str, ...] = tuple(term.name for term in TERMS)
CUSTOMER_FACING: tuple[str, ...] = tuple(t.name for t in TERMS if t.customer_facing)
_BY_NAME = {term.name: term for term in TERMS}


def term(name: str) -> Term:
    return _BY_NAME[name]


def settings() -> tuple[Setting, ...]:
    """Every term's weights, in registry order: the config's ``[weights]`` section."""
    return tuple(setting for term in TERMS for setting in term.settings)


def bounded_rest(config: Config, days_past_due: int = 0) -> float:
    """The most points the bounded (non-urgent) terms can add together, for a
    customer whose worst open loan is ``days_past_due`` days past due or more."""
    return sum(
        term.bound(config)
        for term in TERMS
        if term.bound is not None
        and (term.gone_past_due is None or days_past_due < term.gone_past_due(config))
    )


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold().replace("-", "_")


def term_of(value: str) -> str | None:
    """A term's name from its name, its English or Chinese label, or an alias."""
    wanted = _folded(value)
    for entry in TERMS:
        en, zh = CATALOGUE[f"term.{entry.name}"]
        names = (entry.name, en, zh, *entry.aliases)
        if wanted in {_folded(n) for n in names}:
            return entry.name
    return None
