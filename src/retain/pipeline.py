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

def _rank_sql(column: str) -> str:
    """A stage's place in the funnel (lost: -1, below every stage)."""
    whens = " ".join(f"WHEN '{stage}' THEN {rank}" for rank, stage in enumerate(STAGES))
    return f"(CASE {column} {whens} ELSE -1 END)"


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
    """The cohort's groups, by channel (registry order) then officer."""
    where, params = _cohort(spec)
    reached = ", ".join(f"SUM(top >= {rank})" for rank in range(len(STAGES)))
    lost = ", ".join(
        f"SUM(stage = 'lost' AND COALESCE(lost_reason, 'other') = '{reason}')"
        for reason in LOST_REASONS
    )
    # The furthest stage each prospect reached: its history's and its current
    # stage's, one pass over the history's primary key.
    sql = f"""
        WITH cohort AS MATERIALIZED (
            SELECT p.prospect_id, p.channel, p.officer, p.stage, p.lost_reason,
                p.entered_day, p.customer_id
            FROM prospects p WHERE {where}
        ),
        tops AS (
            SELECT c.*, MAX({_rank_sql("c.stage")}, COALESCE((
                SELECT MAX({_rank_sql("s.stage")}) FROM prospect_stages s
                WHERE s.prospect_id = c.prospect_id), -1)) AS top
            FROM cohort c
        )
        SELECT channel, officer, COUNT(*), {reached}, {lost},
            SUM(stage NOT IN ('disbursed', 'lost'))
        FROM tops GROUP BY channel, officer
    """
    groups: dict[tuple[str, str | None], PipelineRow] = {}
    for row in conn.execute(sql, params):
        channel, officer, entered = row[0], row[1], row[2]
        rest = row[3:]
        found = PipelineRow(channel, officer, entered=entered)
        found.reached = dict(zip(STAGES, (int(v) for v in rest[: len(STAGES)]), strict=True))
        lost_counts = rest[len(STAGES) : len(STAGES) + len(LOST_REASONS)]
        found.lost = dict(zip(LOST_REASONS, (int(v) for v in lost_counts), strict=True))
        found.open = int(rest[-1])
        groups[(channel, officer)] = found
    # The disbursed ones: days to disbursal (the first disbursed stage, else the
    # current stage's day) and the money of their customers' loans since entry.
    disbursed_sql = f"""
        SELECT p.channel, p.officer,
            COALESCE((SELECT MIN(s.day) FROM prospect_stages s
                WHERE s.prospect_id = p.prospect_id AND s.stage = 'disbursed'),
                p.stage_day) - p.entered_day,
            (SELECT COALESCE(SUM(l.principal_fen), 0) FROM loans l
                WHERE l.customer_id = p.customer_id AND l.disbursed_day >= p.entered_day),
            (SELECT COALESCE(SUM({outstanding_sql("l")}), 0) FROM loans l
                WHERE l.customer_id = p.customer_id AND l.disbursed_day >= p.entered_day
                AND {is_open_sql("l")})
        FROM prospects p WHERE {where} AND p.stage = 'disbursed'
    """
    for channel, officer, days, principal, balance in conn.execute(disbursed_sql, params):
        group = groups.get((channel, officer))
        if group is None:  # pragma: no cover - the same cohort as above
            continue
        group.days_to_disbursal.append(max(int(days), 0))
        group.disbursed_fen += int(principal)
        group.balance_fen += int(balance)
    order = {channel: i for i, channel in enumerate(CHANNELS)}
    return sorted(groups.values(), key=lambda g: (order.get(str(g.channel), 99), g.officer or ""))


def total(rows: list[PipelineRow]) -> PipelineRow:
    """All groups together (its median over every disbursed prospect)."""
    whole = PipelineRow(None, None)
    for row in rows:
        whole.add(row)
    return whole
