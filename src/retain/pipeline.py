"""The prospecting pipeline: per channel and officer, how far prospects went.

A cohort is the prospects *entered* in a window (``entered_day``); each is
counted once in its (channel, officer) group, whatever happened to it later.
A prospect *reached* a stage when its stage history (``prospect_stages``) or
its current stage holds that stage or a later one of
``new → contacted → applied → approved → disbursed`` (``lost`` is not later:
a prospect lost after applying reached ``applied``). Counts are as of now:
the window picks the cohort, not the stage changes.

Money is the linked customer's loans (``prospects.customer_id``) disbursed on
or after the prospect's entry: ``disbursed`` their principal, ``balance`` what
the open ones still owe. Loans the customer had before entering the pipeline
are not the pipeline's work.
"""

from __future__ import annotations

import sqlite3
import statistics
from dataclasses import dataclass, field
from typing import Any

from retain.rules import is_open_sql, outstanding_sql

STAGES = ("new", "contacted", "applied", "approved", "disbursed")
LOST_REASONS = ("no_need", "rate", "declined_by_us", "competitor", "unreachable", "other")
CHANNELS = ("referral", "supply_chain", "circle", "alliance", "walk_in", "other")


@dataclass
class PipelineRow:
    """One (channel, officer) group of the cohort, or the total of all groups."""

    channel: str | None  # None: the total
    officer: str | None
    entered: int = 0
    reached: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    lost: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LOST_REASONS, 0))
    open: int = 0  # neither disbursed nor lost today
    days_to_disbursal: list[int] = field(default_factory=list)
    disbursed_fen: int = 0
    balance_fen: int = 0

    @property
    def lost_total(self) -> int:
        return sum(self.lost.values())

    @property
    def conversion(self) -> float | None:
        """Entry → disbursed, None for an empty group."""
        return self.reached["disbursed"] / self.entered if self.entered else None

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days_to_disbursal) if self.days_to_disbursal else None

    def add(self, other: PipelineRow) -> None:
        self.entered += other.entered
        self.open += other.open
        for stage in STAGES:
            self.reached[stage] += other.reached[stage]
        for reason in LOST_REASONS:
            self.lost[reason] += other.lost[reason]
        self.days_to_disbursal.extend(other.days_to_disbursal)
        self.disbursed_fen += other.disbursed_fen
        self.balance_fen += other.balance_fen


@dataclass(frozen=True)
class PipelineFilter:
    first_day: int | None = None  # entered on or after (day number)
    last_day: int | None = None  # entered on or before
    officer: str | None = None
    channel: str | None = None


def _cohort(spec: PipelineFilter) -> tuple[str, dict[str, Any]]:
    where = ["1 = 1"]
    params: dict[str, Any] = {}
    if spec.first_day is not None:
        where.append("p.entered_day >= :first")
        params["first"] = spec.first_day
    if spec.last_day is not None:
        where.append("p.entered_day <= :last")
        params["last"] = spec.last_day
    if spec.officer is not None:
        where.append("p.officer = :officer")
        params["officer"] = spec.officer
    if spec.channel is not None:
        where.append("p.channel = :channel")
        params["channel"] = spec.channel
    return " AND ".join(where), params


def pipeline(conn: sqlite3.Connection, spec: PipelineFilter) -> list[PipelineRow]:
    """The cohort's groups, by channel (registry order) then officer.

    The furthest stage and the first disbursal day are kept on each prospect's
    row by a trigger on its stage history (migration m023), so the counts are
    one pass over the ``prospects_for_pipeline`` index, its groups streaming
    out in index order; the current stage counts too, so a row written without
    its history still counts where it stands."""
    where, params = _cohort(spec)
    sql = f"""
        SELECT p.channel, p.officer, p.furthest_rank, p.stage, p.lost_reason, COUNT(*)
        FROM prospects p WHERE {where}
        GROUP BY p.channel, p.officer, p.furthest_rank, p.stage, p.lost_reason
    """
    groups: dict[tuple[str, str | None], PipelineRow] = {}
    rank_of = {stage: rank for rank, stage in enumerate(STAGES)}
    for channel, officer, furthest, stage, lost_reason, count in conn.execute(sql, params):
        group = groups.get((channel, officer))
        if group is None:
            group = groups[(channel, officer)] = PipelineRow(channel, officer)
        group.entered += count
        top = max(int(furthest), rank_of.get(stage, -1))
        for reached in STAGES[: top + 1]:
            group.reached[reached] += count
        if stage == "lost":
            group.lost[lost_reason if lost_reason in group.lost else "other"] += count
        elif stage != "disbursed":
            group.open += count
    # The disbursed ones: days to disbursal (the first disbursal, else the
    # current stage's day), counted per day for the median; read from the
    # index of the disbursed alone (m030), a fifth of the prospects ...
    days_sql = f"""
        SELECT p.channel, p.officer,
            COALESCE(p.disbursed_day, p.stage_day) - p.entered_day AS days, COUNT(*)
        FROM prospects p INDEXED BY prospects_disbursed
        WHERE {where} AND p.stage = 'disbursed'
        GROUP BY p.channel, p.officer, days
    """
    for channel, officer, days, count in conn.execute(days_sql, params):
        if (channel, officer) in groups:
            groups[(channel, officer)].days_to_disbursal.extend([max(int(days), 0)] * count)
    # ... and the money of their customers' loans since entry: the disbursed
    # in customer order (CROSS JOIN keeps them outside), each a seek into the
    # loans index that covers what is summed (m030's, which the planner takes
    # for being covering), so the seeks walk that index forward and no loan
    # row is read.
    money_sql = f"""
        SELECT p.channel, p.officer, SUM(l.principal_fen),
            SUM(CASE WHEN {is_open_sql("l")} THEN {outstanding_sql("l")} ELSE 0 END)
        FROM prospects p INDEXED BY prospects_disbursed
        CROSS JOIN loans l ON l.customer_id = p.customer_id
            AND l.disbursed_day >= p.entered_day
        WHERE {where} AND p.customer_id IS NOT NULL AND p.stage = 'disbursed'
        GROUP BY p.channel, p.officer
    """
    for channel, officer, principal, balance in conn.execute(money_sql, params):
        if (channel, officer) in groups:
            groups[(channel, officer)].disbursed_fen += int(principal or 0)
            groups[(channel, officer)].balance_fen += int(balance or 0)
    order = {channel: i for i, channel in enumerate(CHANNELS)}
    return sorted(groups.values(), key=lambda g: (order.get(str(g.channel), 99), g.officer or ""))


def total(rows: list[PipelineRow]) -> PipelineRow:
    """All groups together (its median over every disbursed prospect)."""
    whole = PipelineRow(None, None)
    for row in rows:
        whole.add(row)
    return whole
