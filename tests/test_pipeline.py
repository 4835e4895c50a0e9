"""``retain pipeline``: prospects per channel and officer, on a hand-computed example."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.days import day_number
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, Result


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


def _day(text: str) -> int:
    found = day_number(dt.date.fromisoformat(text))
    assert found is not None
    return found


def seed_prospect(
    db: Path | str,
    prospect_id: int,
    channel: str,
    officer: str | None,
    stages: list[tuple[str, str]],
    *,
    lost_reason: str | None = None,
    customer_id: str | None = None,
    referrer_customer_id: str | None = None,
    referrer_prospect_id: int | None = None,
    name: str = "",
    need_fen: int | None = None,
    next_on: str | None = None,
    last_contact: str | None = None,
) -> None:
    """A prospect with its stage history, as the m022 schema keeps them.

    The history carries chosen past days, which ``prospect move`` (with
    ``--today``) would give one command at a time; written here so that every
    figure of the example below can be computed by hand from this list."""
    entered = stages[0][1]
    stage, stage_on = stages[-1]
    with contextlib.closing(Cli(db).connect()) as conn:
        conn.execute(
            "INSERT INTO prospects (prospect_id, name, channel, referrer_customer_id,"
            " referrer_prospect_id, need_fen, officer, stage, stage_day, lost_reason,"
            " entered_on, entered_day, next_on, next_day, last_contact_day, customer_id,"
            " created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'now', 'now')",
            (
                prospect_id,
                name or f"潜客{prospect_id}",
                channel,
                referrer_customer_id,
                referrer_prospect_id,
                need_fen,
                officer,
                stage,
                _day(stage_on),
                lost_reason,
                entered,
                _day(entered),
                next_on,
                _day(next_on) if next_on else None,
                _day(last_contact) if last_contact else None,
                customer_id,
            ),
        )
        conn.executemany(
            "INSERT INTO prospect_stages (prospect_id, seq, stage, day, reason, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, 'now')",
            [
                (prospect_id, seq, s, _day(on), lost_reason if s == "lost" else None)
                for seq, (s, on) in enumerate(stages, start=1)
            ],
        )


def import_book(cli: Cli, make_csv: Callable[..., Path]) -> None:
    """C1 an old customer; C2 and C3 borrowed in November 2026."""
    customers = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", "", "粮油", "王芳", ""],
            ["C2", "李秀英", "13912348002", "", "烟酒", "王芳", ""],
            ["C3", "张伟", "15012348003", "", "服装", "李强", ""],
        ],
    )
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            ["L1", "C1", "100000", "2026-01-06", "2027-01-06", "信用", "正常", "", "90000", ""],
            # C2 borrowed before entering the pipeline (not its work), then after.
            ["L2", "C2", "20000", "2025-01-01", "2025-12-31", "信用", "结清", "2025-12-31", "0", ""],
            ["L3", "C2", "50000", "2026-11-20", "2027-11-20", "信用", "正常", "", "40000", ""],
            ["L4", "C3", "30000", "2026-11-25", "2027-11-25", "保证", "正常", "", "", ""],
        ],
    )  # fmt: skip
    ok(cli("import", "customers", str(customers)))
    ok(cli("import", "loans", str(loans)))


@pytest.fixture
def funnel(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    import_book(cli, make_csv)
    db = cli.db
    seed_prospect(
        db, 1, "referral", "王芳",
        [("new", "2026-11-01"), ("contacted", "2026-11-03"), ("applied", "2026-11-05"),
         ("approved", "2026-11-08"), ("disbursed", "2026-11-20")],
        customer_id="C2", referrer_customer_id="C1",
    )  # fmt: skip
    seed_prospect(
        db, 2, "referral", "王芳",
        [("new", "2026-11-02"), ("contacted", "2026-11-04"), ("applied", "2026-11-06"),
         ("lost", "2026-11-10")],
        lost_reason="rate",
    )  # fmt: skip
    seed_prospect(db, 3, "referral", "王芳", [("new", "2026-11-05")])
    # Skips "applied": approving it means it got there.
    seed_prospect(
        db, 4, "circle", "李强",
        [("new", "2026-11-10"), ("contacted", "2026-11-11"), ("approved", "2026-11-20"),
         ("disbursed", "2026-11-25")],
        customer_id="C3",
    )  # fmt: skip
    seed_prospect(
        db, 5, "circle", "李强", [("new", "2026-11-12"), ("lost", "2026-11-13")],
        lost_reason="unreachable",
    )  # fmt: skip
    seed_prospect(db, 6, "referral", "王芳", [("new", "2026-09-01")])
    return cli


def rows(cli: Cli, *args: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(cli("pipeline", *args, "--format", "json")).json()
    return found


REFERRAL = {
    "channel": "referral", "officer": "王芳", "entered": 3, "contacted": 2, "applied": 2,
    "approved": 1, "disbursed": 1, "open": 1, "lost": 1, "lost_no_need": 0, "lost_rate": 1,
    "lost_declined_by_us": 0, "lost_competitor": 0, "lost_unreachable": 0, "lost_other": 0,
    "conversion": 0.3333, "median_days_to_disbursal": 19.0, "disbursed_amount": 50000.0,
    "balance": 40000.0,
}  # fmt: skip
CIRCLE = {
    "channel": "circle", "officer": "李强", "entered": 2, "contacted": 1, "applied": 1,
    "approved": 1, "disbursed": 1, "open": 0, "lost": 1, "lost_no_need": 0, "lost_rate": 0,
    "lost_declined_by_us": 0, "lost_competitor": 0, "lost_unreachable": 1, "lost_other": 0,
    "conversion": 0.5, "median_days_to_disbursal": 15.0, "disbursed_amount": 30000.0,
    "balance": 30000.0,
}  # fmt: skip


def test_the_hand_computed_example_per_channel_and_officer(funnel: Cli) -> None:
    assert rows(funnel, "--from", "2026-10-01") == [REFERRAL, CIRCLE]


def test_the_window_picks_the_cohort_by_entry(funnel: Cli) -> None:
    everyone = rows(funnel)
    assert [r["entered"] for r in everyone] == [4, 2]
    assert everyone[0]["open"] == 2 and everyone[0]["conversion"] == 0.25
    assert rows(funnel, "--from", "2026-11-05", "--to", "2026-11-11") == [
        {**REFERRAL, **dict.fromkeys(("contacted", "applied", "approved", "disbursed",
            "lost", "lost_rate", "balance", "disbursed_amount"), 0), "entered": 1, "open": 1,
         "conversion": 0.0, "median_days_to_disbursal": None},
        {**CIRCLE, "entered": 1, "lost": 0, "lost_unreachable": 0, "conversion": 1.0},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "channel"),
    [("referral", "referral"), ("转介绍", "referral"), ("点", "referral"), ("圈", "circle"),
     ("圈层", "circle"), ("circle", "circle")],
)  # fmt: skip
def test_channel_in_english_chinese_and_dian_xian_quan_mian(
    funnel: Cli, value: str, channel: str
) -> None:
    found = rows(funnel, "--channel", value, "--from", "2026-10-01")
    assert [r["channel"] for r in found] == [channel]


def test_officer_filter(funnel: Cli) -> None:
    assert rows(funnel, "--officer", "李强") == [CIRCLE]


def test_csv_carries_the_same_counts(funnel: Cli) -> None:
    lines = ok(funnel("pipeline", "--format", "csv", "--from", "2026-10-01")).stdout.splitlines()
    assert lines[0].startswith("channel,officer,entered,contacted,applied,approved,disbursed")
    assert lines[1].startswith("referral,王芳,3,2,2,1,1,1,1,0,1,")
    assert lines[1].endswith(",0.3333,19.0000,50000.00,40000.00")


def test_the_table_has_the_total_and_a_funnel(funnel: Cli) -> None:
    out = ok(funnel("pipeline", "--format", "table", "--from", "2026-10-01")).stdout
    total = next(line for line in out.splitlines() if line.strip().startswith("Total"))
    assert total.split()[1:9] == ["5", "3", "3", "2", "2", "2", "40.0%", "17"]
    assert "70,000.00" in total  # balance 40,000 + 30,000
    funnel_lines = out[out.index("Funnel") :].splitlines()
    assert funnel_lines[1].split()[:3] == ["New", "5", "100.0%"]
    assert funnel_lines[5].split()[:3] == ["Disbursed", "2", "40.0%"]
    assert "█" in funnel_lines[1]
    assert "Lost: 2 (rate 1, unreachable 1)" in out


def test_the_table_in_chinese(funnel: Cli) -> None:
    out = ok(
        funnel("pipeline", "--format", "table", "--from", "2026-10-01", env={"RETAIN_LANG": "zh"})
    ).stdout
    assert "转介绍" in out and "圈层" in out and "已放款" in out
    assert "流失：2（利率 1、联系不上 1）" in out


def test_an_empty_pipeline_says_so(cli: Cli, make_csv: Callable[..., Path]) -> None:
    customers = make_csv(
        "c.csv", [CUSTOMER_HEADER, ["C1", "王建国", "13812348001", "", "", "", ""]]
    )
    ok(cli("import", "customers", str(customers)))
    assert rows(cli) == []
    assert "No prospects entered" in ok(cli("pipeline", "--format", "table")).stdout


@pytest.mark.parametrize(
    "args",
    [("--channel", "telegram"), ("--from", "2026-12-01", "--to", "2026-11-01"), ("--to", "soon")],
)
def test_bad_options_are_one_usage_error(funnel: Cli, args: tuple[str, ...]) -> None:
    result = funnel("pipeline", *args)
    assert result.exit_code == 2
    assert [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert "Traceback" not in result.stderr


def test_through_the_real_commands_with_a_conversion(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    """prospect add/move, then a loans import converts one: the counts follow."""
    import_book(cli, make_csv)
    one = ok(cli("prospect", "add", "周九", "--phone", "13712340001", "--channel", "点",
                 "--referrer", "C1", "--officer", "王芳", today="2026-11-01")).stdout.strip()  # fmt: skip
    two = ok(cli("prospect", "add", "吴十", "--channel", "转介绍", "--officer", "王芳",
                 today="2026-11-02")).stdout.strip()  # fmt: skip
    ok(cli("prospect", "move", one, "applied", today="2026-11-05"))
    ok(cli("prospect", "move", two, "lost", "--reason", "同业", today="2026-11-06"))
    customers = make_csv(
        "c2.csv", [CUSTOMER_HEADER, ["C9", "周九", "13712340001", "", "", "王芳", ""]]
    )
    loans = make_csv(
        "l2.csv",
        [LOAN_HEADER, ["L9", "C9", "80000", "2026-11-11", "2027-11-11", "信用", "正常", "", "", ""]],
    )  # fmt: skip
    ok(cli("import", "customers", str(customers), today="2026-11-11"))
    ok(cli("import", "loans", str(loans), today="2026-11-11"))
    found = rows(cli)
    assert len(found) == 1
    assert {k: found[0][k] for k in ("channel", "entered", "contacted", "applied", "approved",
            "disbursed", "lost", "lost_competitor", "conversion", "median_days_to_disbursal",
            "disbursed_amount", "balance")} == {
        "channel": "referral", "entered": 2, "contacted": 1, "applied": 1, "approved": 1,
        "disbursed": 1, "lost": 1, "lost_competitor": 1, "conversion": 0.5,
        "median_days_to_disbursal": 10.0, "disbursed_amount": 80000.0, "balance": 80000.0,
    }  # fmt: skip
    tree = ok(cli("referrals", "C1", "--format", "json")).json()
    assert [(r["id"], r["customer_id"], r["stage"]) for r in tree] == [
        ("C1", "C1", None),
        (one, "C9", "disbursed"),
    ]


STAGE_CHAIN = ("new", "contacted", "applied", "approved", "disbursed")
LOST_REASON_CODES = ("no_need", "rate", "declined_by_us", "competitor", "unreachable", "other")
# One prospect: channel, officer, entry (days before today), the stages it went
# through after new (a forward path, stages may be skipped), lost with a reason or not.
prospect_strategy = st.tuples(
    st.sampled_from(("referral", "circle", "alliance")),
    st.sampled_from(("王芳", "李强")),
    st.integers(min_value=0, max_value=60),
    st.sets(st.sampled_from(STAGE_CHAIN[1:])),
    st.one_of(st.none(), st.sampled_from(LOST_REASON_CODES)),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(prospect_strategy, max_size=12))
def test_counts_match_a_count_by_hand_of_any_histories(
    funnel: Cli, prospects: list[tuple[str, str, int, set[str], str | None]]
) -> None:
    """Whatever the histories: each group's counts are those counted directly
    from the list, the funnel never widens, and entered = open + disbursed + lost."""
    funnel.sql("DELETE FROM prospect_stages")
    funnel.sql("DELETE FROM prospects")
    today = dt.date(2026, 12, 1)
    expected: dict[tuple[str, str], dict[str, int]] = {}
    for pid, (channel, officer, ago, later, lost) in enumerate(prospects, start=1):
        path = [s for s in STAGE_CHAIN[1:] if s in later]
        if lost is not None and "disbursed" in path:
            path.remove("disbursed")  # nothing is lost once disbursed
        entered = today - dt.timedelta(days=ago)
        steps = [(s, entered.isoformat()) for s in ["new", *path]]
        if lost is not None:
            steps.append(("lost", entered.isoformat()))
        seed_prospect(funnel.db, pid, channel, officer, steps, lost_reason=lost)
        counts = expected.setdefault((channel, officer), dict.fromkeys(
            ("entered", *STAGE_CHAIN[1:], "lost", "open"), 0))  # fmt: skip
        counts["entered"] += 1
        top = max((STAGE_CHAIN.index(s) for s in path), default=0)
        for stage in STAGE_CHAIN[1 : top + 1]:
            counts[stage] += 1
        counts["lost"] += lost is not None
        counts["open"] += lost is None and top < 4
    found = rows(funnel)
    got = {(r["channel"], r["officer"]): {k: r[k] for k in expected.get(
        (r["channel"], r["officer"]), {})} for r in found}  # fmt: skip
    assert got == expected
    for r in found:
        chain = [r["entered"], r["contacted"], r["applied"], r["approved"], r["disbursed"]]
        assert chain == sorted(chain, reverse=True)
        assert r["entered"] == r["open"] + r["disbursed"] + r["lost"]
        assert r["lost"] == sum(r[f"lost_{reason}"] for reason in LOST_REASON_CODES)


def test_a_reopened_prospect_keeps_the_furthest_stage(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    import_book(cli, make_csv)
    pid = ok(cli("prospect", "add", "郑一", "--channel", "线", today="2026-11-01")).stdout.strip()
    ok(cli("prospect", "move", pid, "applied", today="2026-11-03"))
    ok(cli("prospect", "move", pid, "lost", "--reason", "利率", today="2026-11-04"))
    ok(cli("prospect", "move", pid, "contacted", today="2026-11-20"))
    [row] = rows(cli)
    assert (row["channel"], row["contacted"], row["applied"], row["approved"]) == (
        "supply_chain",
        1,
        1,
        0,
    )
    assert (row["lost"], row["open"]) == (0, 1)


# About SQLite's own schema steps run on a SQLite store file: a PostgreSQL store
# gets its schema from schema.sql, never from these steps.
@pytest.mark.sqlite_only
def test_the_migration_fills_the_counts_from_the_history(funnel: Cli) -> None:
    """m027 (then m030, m033) on a store whose prospects were written before it:
    the same counts."""
    from retain.migrations import (
        m027_pipeline_furthest_stage,
        m030_pipeline_conversion_indexes,
        m033_activity_loans_by_customer_day,
    )

    before = rows(funnel)
    with sqlite3.connect(funnel.db) as conn:
        conn.executescript(
            """
            DROP INDEX prospects_disbursed;
            DROP INDEX loans_by_customer_day;
            DROP TRIGGER prospect_stages_furthest;
            DROP INDEX prospects_for_pipeline;
            DROP INDEX prospects_first_contact;
            ALTER TABLE prospects DROP COLUMN furthest_rank;
            ALTER TABLE prospects DROP COLUMN disbursed_day;
            """
        )
        m027_pipeline_furthest_stage(conn)
        m030_pipeline_conversion_indexes(conn)
        m033_activity_loans_by_customer_day(conn)
    assert rows(funnel) == before
    assert before[0]["applied"] == 2 and before[0]["median_days_to_disbursal"] == 19.0
