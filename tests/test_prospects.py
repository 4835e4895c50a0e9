"""Prospects (issue 13): add, move, list, forget, conversion on a loans import,
and prospects in the day's work (log, history, show), through the real CLI."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.errors import UsageError
from retain.prospects import CHANNELS, STAGES, channel_of
from tests.conftest import LOAN_HEADER, Cli, Result, valid_id_number
from tests.test_log import EN_CUSTOMER_HEADER
from tests.test_log import book as book  # a fixture

ID_A = valid_id_number("11010519800101002")
ID_B = valid_id_number("11010519850505003")


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def error(result: Result, code: int) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("Error:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def add(cli: Cli, name: str, *args: str, today: str | None = None) -> str:
    return ok(cli("prospect", "add", name, *args, today=today)).stdout.strip()


def listed(cli: Cli, *args: str) -> dict[str, dict[str, Any]]:
    rows = ok(cli("prospect", "list", "--format", "json", *args)).json()
    return {row["id"]: row for row in rows}


def stages(cli: Cli, pid: str) -> list[tuple[str, str, str | None, str]]:
    rows = cli.sql(
        "SELECT stage, day, reason, via FROM prospect_stages WHERE prospect_id = ? ORDER BY seq",
        (int(pid[1:]),),
    )
    epoch = dt.date(1970, 1, 1)
    return [(r[0], (epoch + dt.timedelta(days=r[1])).isoformat(), r[2], r[3]) for r in rows]


# --- channels ------------------------------------------------------------------

CHANNEL_NAMES = [
    ("referral", "referral"),
    ("supply_chain", "supply_chain"),
    ("circle", "circle"),
    ("alliance", "alliance"),
    ("walk_in", "walk_in"),
    ("other", "other"),
    ("转介绍", "referral"),
    ("供应链", "supply_chain"),
    ("圈层", "circle"),
    ("联盟", "alliance"),
    ("自然到访", "walk_in"),
    ("其他", "other"),
    ("点", "referral"),
    ("线", "supply_chain"),
    ("圈", "circle"),
    ("面", "alliance"),
    ("Supply-Chain", "supply_chain"),
    ("walk-in", "walk_in"),
]


@pytest.mark.parametrize(("typed", "channel"), CHANNEL_NAMES)
def test_each_channel_in_english_and_chinese(cli: Cli, typed: str, channel: str) -> None:
    pid = add(cli, "张三", "--channel", typed)
    assert pid == "P1"
    assert listed(cli)["P1"]["channel"] == channel
    assert list(listed(cli, "--channel", typed)) == ["P1"]


def test_an_unknown_channel_is_a_usage_error(cli: Cli) -> None:
    line = error(cli("prospect", "add", "张三", "--channel", "朋友圈子"), 2)
    assert "referral/supply_chain/circle/alliance/walk_in/other" in line


@given(st.sampled_from(sorted(CHANNELS)), st.sampled_from(["", " ", "  "]), st.booleans())
def test_the_channel_normaliser_takes_any_spelling_of_a_name(
    name: str, pad: str, upper: bool
) -> None:
    for spelling in (name, *CHANNELS[name]):
        typed = pad + (spelling.upper() if upper else spelling) + pad
        assert channel_of(typed) == name
        assert channel_of(unicodedata.normalize("NFKD", typed)) == name


@given(st.text(max_size=6))
def test_the_channel_normaliser_names_a_channel_or_refuses(text: str) -> None:
    try:
        assert channel_of(text) in CHANNELS
    except UsageError as exc:
        assert "unknown channel" in str(exc)


# --- add -----------------------------------------------------------------------


def test_add_normalises_like_the_customer_importer(cli: Cli) -> None:
    pid = add(
        cli,
        " 张三 ",
        "--phone", "+86 138-1234-5678",
        "--id-number", ID_A.lower(),
        "--need", "30万",
        "--industry", "粮油",
        "--officer", "王芳",
        "--source", "商会年会",
        "--next", "+3d",
        "--note", "想扩店",
    )  # fmt: skip
    row = listed(cli, "--reveal")[pid]
    assert row["name"] == "张三" and row["phone"] == "13812345678"
    assert row["need"] == 300000.0 and row["next_on"] == "2026-12-04"
    assert row["stage"] == "new" and row["entered_on"] == "2026-12-01"
    [row] = cli.sql("SELECT id_number, need_fen FROM prospects")
    assert tuple(row) == (ID_A, 30_000_000)
    assert stages(cli, pid) == [("new", "2026-12-01", None, "manual")]


@pytest.mark.parametrize(
    ("option", "value"),
    [("--phone", "12345"), ("--id-number", "110105198001010020"), ("--need", "-5")],
)
def test_a_bad_phone_id_or_amount_is_a_usage_error(cli: Cli, option: str, value: str) -> None:
    line = error(cli("prospect", "add", "张三", option, value), 2)
    assert option in line


def test_the_referrer_is_a_customer_or_a_prospect(cli: Cli, book: Cli) -> None:
    first = add(cli, "张三", "--referrer", "C1", "--channel", "点")
    second = add(cli, "李四", "--referrer", first.lower())
    rows = listed(cli)
    assert rows[first]["referrer"] == "C1" and rows[second]["referrer"] == first
    assert "unknown referrer C9" in error(cli("prospect", "add", "王五", "--referrer", "C9"), 1)
    assert "unknown referrer P9" in error(cli("prospect", "add", "王五", "--referrer", "P9"), 1)


def test_the_same_person_is_not_added_twice(cli: Cli, book: Cli) -> None:
    add(cli, "张三", "--phone", "13812345678", "--id-number", ID_A)
    line = error(cli("prospect", "add", "张三丰", "--phone", "138 1234 5678"), 1)
    assert "P1" in line
    line = error(cli("prospect", "add", "张三丰", "--id-number", ID_A), 1)
    assert "P1" in line
    line = error(cli("prospect", "add", "王", "--phone", "13812348001"), 1)
    assert "already a customer: C1" in line
    assert list(listed(cli)) == ["P1"]


def test_phones_are_masked_in_every_format_unless_revealed(cli: Cli) -> None:
    add(cli, "张三", "--phone", "13812345678")
    for fmt in ("table", "csv", "json", "tsv"):
        shown = ok(cli("prospect", "list", "--format", fmt)).stdout
        assert "138****5678" in shown and "13812345678" not in shown
    assert "13812345678" in ok(cli("prospect", "list", "--format", "csv", "--reveal")).stdout


def test_list_filters_by_stage_officer_and_channel(cli: Cli) -> None:
    add(cli, "甲", "--officer", "王芳", "--channel", "圈")
    add(cli, "乙", "--officer", "李强", "--channel", "面")
    ok(cli("prospect", "move", "P2", "contacted"))
    assert list(listed(cli, "--stage", "contacted")) == ["P2"]
    assert list(listed(cli, "--stage", "已联系")) == ["P2"]
    assert list(listed(cli, "--officer", "王芳")) == ["P1"]
    assert list(listed(cli, "--channel", "alliance")) == ["P2"]
    zh = ok(cli("--lang", "zh", "prospect", "list", "--format", "table")).stdout
    assert "圈层" in zh and "联盟" in zh and "已联系" in zh


# --- move ----------------------------------------------------------------------


def test_stage_history_over_several_days(cli: Cli) -> None:
    pid = add(cli, "张三", today="2026-11-01")
    ok(cli("prospect", "move", pid, "contacted", today="2026-11-03"))
    ok(cli("prospect", "move", pid, "已申请", today="2026-11-10"))
    ok(cli("prospect", "move", pid, "lost", "--reason", "利率", "--on", "2026-11-12"))
    ok(cli("prospect", "move", pid, "approved", today="2026-12-01"))  # reopened
    assert stages(cli, pid) == [
        ("new", "2026-11-01", None, "manual"),
        ("contacted", "2026-11-03", None, "manual"),
        ("applied", "2026-11-10", None, "manual"),
        ("lost", "2026-11-12", "rate", "manual"),
        ("approved", "2026-12-01", None, "manual"),
    ]
    row = listed(cli)[pid]
    assert (row["stage"], row["stage_on"], row["lost_reason"]) == ("approved", "2026-12-01", None)


def test_lost_needs_a_reason_and_keeps_it(cli: Cli) -> None:
    pid = add(cli, "张三")
    assert "--reason" in error(cli("prospect", "move", pid, "lost"), 2)
    assert "--reason" in error(cli("prospect", "move", pid, "applied", "--reason", "rate"), 2)
    assert "unknown reason" in error(cli("prospect", "move", pid, "lost", "--reason", "x"), 2)
    for typed, code in (("无需求", "no_need"), ("competitor", "competitor")):
        ok(cli("prospect", "move", pid, "lost", "--reason", typed))
        assert listed(cli)[pid]["lost_reason"] == code
        ok(cli("prospect", "move", pid, "contacted"))
    assert [s[0] for s in stages(cli, pid)] == [
        "new", "lost", "contacted", "lost", "contacted",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "refused", "why"),
    [
        (["applied"], "contacted", "only move forward"),
        (["applied"], "applied", "already"),
        (["disbursed"], "lost", "disbursed"),
        (["disbursed"], "contacted", "disbursed"),
        (["lost"], "new", "not new"),
    ],
)
def test_refused_moves(cli: Cli, path: list[str], refused: str, why: str) -> None:
    pid = add(cli, "张三")
    for stage in path:
        extra = ["--reason", "rate"] if stage == "lost" else []
        ok(cli("prospect", "move", pid, stage, *extra))
    extra = ["--reason", "rate"] if refused == "lost" else []
    assert why in error(cli("prospect", "move", pid, refused, *extra), 1)
    assert len(stages(cli, pid)) == len(path) + 1


def test_move_days_stay_in_order(cli: Cli) -> None:
    pid = add(cli, "张三", today="2026-11-20")
    assert "after today" in error(cli("prospect", "move", pid, "contacted", "--on", "+1d"), 2)
    line = error(cli("prospect", "move", pid, "contacted", "--on", "2026-11-19"), 1)
    assert "before the current stage began (2026-11-20)" in line
    assert "unknown prospect id: P9" in error(cli("prospect", "move", "P9", "contacted"), 1)
    assert "unknown stage" in error(cli("prospect", "move", pid, "signed"), 2)


def test_move_and_errors_speak_chinese(cli: Cli) -> None:
    pid = add(cli, "张三")
    result = ok(cli("--lang", "zh", "prospect", "move", pid, "已联系"))
    assert "新 → 已联系" in result.stderr
    line = error(cli("--lang", "zh", "prospect", "move", pid, "lost"), 2)
    assert "需要 --reason" in line


# --- forget --------------------------------------------------------------------


def test_forget_clears_a_lost_prospect_and_keeps_the_counts(cli: Cli) -> None:
    pid = add(cli, "张三", "--phone", "13812345678", "--id-number", ID_A, "--channel", "圈",
              "--source", "商会", "--note", "n", "--next", "+2d", "--officer", "王芳")  # fmt: skip
    assert "only a lost prospect" in error(cli("prospect", "forget", pid), 1)
    ok(cli("prospect", "move", pid, "lost", "--reason", "no_need", today="2026-12-02"))
    ok(cli("prospect", "forget", pid, today="2026-12-03"))
    row = listed(cli, "--reveal")[pid]
    assert (row["name"], row["phone"], row["source"], row["next_on"]) == (None, None, None, None)
    assert (row["channel"], row["officer"], row["stage"]) == ("circle", "王芳", "lost")
    assert row["forgotten_on"] == "2026-12-03"
    assert [s[0] for s in stages(cli, pid)] == ["new", "lost"]
    [row] = cli.sql("SELECT id_number, note FROM prospects")
    assert tuple(row) == (None, None)
    audit = [
        tuple(r)
        for r in cli.sql("SELECT entity, entity_id, field, old_value, new_value FROM changes")
    ]
    assert audit == [("prospect", pid, "forget", None, "2026-12-03")]
    trail = json.loads(ok(cli("audit", "--kind", "forget", "--format", "json")).stdout)
    assert [(r["kind"], r["entity_id"]) for r in trail] == [("forget", pid)]
    assert "already forgotten" in error(cli("prospect", "forget", pid), 1)
    # The phone is free again: the person may come back as someone new.
    assert add(cli, "张三", "--phone", "13812345678") == "P2"
    table = ok(cli("prospect", "list", "--format", "table")).stdout
    assert "(forgotten)" in table


# --- conversion on a loans import ---------------------------------------------


def import_book(
    cli: Cli,
    make_csv: Callable[..., Path],
    customers: list[list[str]],
    loans: list[list[str]],
    *,
    as_of: str | None = None,
    tag: str = "",
) -> None:
    c = make_csv(f"customers{tag}.csv", [EN_CUSTOMER_HEADER, *customers])
    ok(cli("import", "customers", str(c)))
    if loans:
        l_ = make_csv(f"loans{tag}.csv", [LOAN_HEADER, *loans])
        extra = ["--as-of", as_of] if as_of else []
        ok(cli("import", "loans", str(l_), *extra))


def loan(loan_id: str, customer_id: str) -> list[str]:
    return [loan_id, customer_id, "50000", "2026-11-20", "2027-11-20", "信用", "正常", "", "", ""]


def test_a_loans_import_converts_by_phone_or_by_id_number(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    by_phone = add(cli, "张三", "--phone", "13812345678", today="2026-11-01")
    by_id = add(cli, "李四", "--phone", "13900000001", "--id-number", ID_B, today="2026-11-02")
    untouched = add(cli, "王五", "--phone", "13700000002", today="2026-11-03")
    ok(cli("prospect", "move", by_id, "applied", today="2026-11-10"))
    import_book(
        cli,
        make_csv,
        [
            ["C10", "张三", "13812345678", "", "", "王芳", ""],
            # The same ID number with a different phone: still the same person.
            ["C11", "李四", "13999999999", ID_B, "", "王芳", ""],
        ],
        [loan("L10", "C10"), loan("L11", "C11")],
        as_of="2026-11-25",
    )
    rows = listed(cli)
    assert (rows[by_phone]["stage"], rows[by_phone]["customer_id"]) == ("disbursed", "C10")
    assert (rows[by_id]["stage"], rows[by_id]["customer_id"]) == ("disbursed", "C11")
    assert rows[by_id]["stage_on"] == "2026-11-25"
    assert rows[untouched]["stage"] == "new"
    assert stages(cli, by_id)[-1] == ("disbursed", "2026-11-25", None, "loans_import")


def test_conversion_counts_once(cli: Cli, make_csv: Callable[..., Path]) -> None:
    first = add(cli, "张三", "--phone", "13812345678", today="2026-11-01")
    customers = [["C10", "张三", "13812345678", "", "", "", ""]]
    import_book(cli, make_csv, customers, [loan("L10", "C10")], as_of="2026-11-25")
    # Re-imported, and a second loan: the prospect stays converted once.
    import_book(cli, make_csv, customers, [loan("L10", "C10"), loan("L12", "C10")], tag="2")
    assert [s[0] for s in stages(cli, first)] == ["new", "disbursed"]
    # A later prospect with the same phone cannot be added: C10 is a customer now.
    assert "already a customer: C10" in error(
        cli("prospect", "add", "张三", "--phone", "13812345678"), 1
    )


def test_two_prospects_of_one_person_the_oldest_converts(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    older = add(cli, "张三", "--phone", "13812345678", today="2026-11-01")
    ok(cli("prospect", "move", older, "lost", "--reason", "other", today="2026-11-02"))
    # The same person recorded again, by ID number only: `add` cannot tell.
    newer = add(cli, "张三", "--id-number", ID_A, today="2026-11-03")
    ok(cli("prospect", "move", older, "contacted", today="2026-11-04"))
    import_book(
        cli,
        make_csv,
        [["C10", "张三", "13812345678", ID_A, "", "", ""]],
        [loan("L10", "C10")],
        as_of="2026-11-25",
    )
    rows = listed(cli)
    assert (rows[older]["stage"], rows[older]["customer_id"]) == ("disbursed", "C10")
    assert (rows[newer]["stage"], rows[newer]["customer_id"]) == ("new", None)


def test_a_customers_import_alone_converts_nobody(cli: Cli, make_csv: Callable[..., Path]) -> None:
    pid = add(cli, "张三", "--phone", "13812345678")
    import_book(cli, make_csv, [["C10", "张三", "13812345678", "", "", "", ""]], [])
    assert listed(cli)[pid]["stage"] == "new"


def test_lost_and_disbursed_prospects_are_not_converted(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    lost = add(cli, "张三", "--phone", "13812345678")
    ok(cli("prospect", "move", lost, "lost", "--reason", "rate"))
    import_book(
        cli, make_csv, [["C10", "张三", "13812345678", "", "", "", ""]], [loan("L10", "C10")]
    )
    assert listed(cli)[lost]["stage"] == "lost"


# --- prospects in the day's work: log, history, show ----------------------------


def test_the_first_real_contact_moves_a_new_prospect_to_contacted(cli: Cli) -> None:
    pid = add(cli, "张三", "--phone", "13812345678", "--next", "+5d", today="2026-11-01")
    ok(cli("log", pid, "--outcome", "no_answer", today="2026-11-02"))
    row = listed(cli)[pid]
    # An attempt is no contact: still new, and the follow-up date of `add` stands.
    assert (row["stage"], row["last_contact_on"], row["next_on"]) == ("new", None, "2026-11-06")
    ok(cli("log", pid, "--outcome", "已接通", "--next", "+7d", "--at", "2026-11-03 10:00",
           today="2026-11-04"))  # fmt: skip
    row = listed(cli)[pid]
    assert (row["stage"], row["stage_on"]) == ("contacted", "2026-11-03")
    assert (row["last_contact_on"], row["next_on"]) == ("2026-11-03", "2026-11-11")
    ok(cli("prospect", "move", pid, "applied", today="2026-11-05"))
    ok(cli("log", pid, "--channel", "上门", today="2026-11-06"))  # no new stage move
    assert stages(cli, pid) == [
        ("new", "2026-11-01", None, "manual"),
        ("contacted", "2026-11-03", None, "log"),
        ("applied", "2026-11-05", None, "manual"),
    ]
    row = listed(cli)[pid]
    assert (row["last_contact_on"], row["next_on"]) == ("2026-11-06", None)


def test_history_and_show_of_a_prospect_are_masked(cli: Cli) -> None:
    pid = add(cli, "张三", "--phone", "13812345678", "--id-number", ID_A, "--channel", "线",
              "--need", "20万")  # fmt: skip
    ok(cli("log", pid, "--outcome", "reached", "--note", "想扩店", "--officer", "王芳"))
    rows = ok(cli("history", pid, "--format", "json")).json()
    assert [(r["outcome"], r["note"], r["officer"]) for r in rows] == [
        ("reached", "想扩店", "王芳")
    ]
    assert set(rows[0]) == {
        "contact_id", "at", "channel", "outcome", "note", "next_on", "loan_id", "officer",
        "promise_amount", "promise_status", "promise_judged_on",
    }  # fmt: skip
    table = ok(cli("history", pid)).stdout
    assert "想扩店" in table and "contact log" in table
    card = ok(cli("show", pid)).stdout
    assert "138****5678" in card and "13812345678" not in card and ID_A not in card
    assert "supply chain" in card and "200,000.00" in card and "contacted" in card
    assert "13812345678" in ok(cli("show", pid, "--reveal")).stdout
    zh = ok(cli("--lang", "zh", "show", pid)).stdout
    assert "供应链" in zh and "已联系" in zh
    assert "unknown prospect id: P9" in error(cli("show", "P9"), 1)


def test_log_refuses_mixing_and_loans_for_prospects(cli: Cli, book: Cli) -> None:
    pid = add(cli, "张三")
    assert "not both" in error(cli("log", pid, "C1"), 2)
    assert "--loan and --amount" in error(cli("log", pid, "--loan", "L1"), 2)
    assert "unknown prospect id: P9" in error(cli("log", "P9"), 1)


def test_log_refuses_a_converted_or_forgotten_prospect(
    cli: Cli, make_csv: Callable[..., Path]
) -> None:
    converted = add(cli, "张三", "--phone", "13812345678")
    import_book(
        cli, make_csv, [["C10", "张三", "13812345678", "", "", "", ""]], [loan("L10", "C10")]
    )
    assert "log C10 instead" in error(cli("log", converted), 1)
    gone = add(cli, "李四", "--phone", "13900000001")
    ok(cli("log", gone, "--note", "家在城东"))
    ok(cli("prospect", "move", gone, "lost", "--reason", "unreachable"))
    ok(cli("prospect", "forget", gone))
    assert "forgotten" in error(cli("log", gone), 1)
    notes = [r["note"] for r in ok(cli("history", gone, "--format", "json")).json()]
    assert notes == [None]  # what was said may name the person: cleared too


# --- the stage rules as a property ---------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(sorted(STAGES)), st.integers(min_value=0, max_value=3)),
        max_size=12,
    )
)
def test_any_sequence_of_moves_keeps_the_history_true(moves: list[tuple[str, int]]) -> None:
    """Whatever is tried, the current stage is the history's last, the history's
    days never go back, the chain is never walked backwards except by reopening a
    lost prospect, and nothing leaves disbursed."""
    import contextlib
    import datetime as dt

    from retain.errors import RetainError
    from retain.prospects import (
        CHAIN,
        NewProspect,
        add_prospect,
        get_prospect,
        move_prospect,
        stage_history,
    )
    from retain.store import Store

    store = Store.scratch()
    today = dt.date(2026, 11, 1)
    add_prospect(store, NewProspect(name="张三"), today)
    for target, gap in moves:
        today += dt.timedelta(days=gap)
        with contextlib.suppress(RetainError):
            move_prospect(store, "P1", target, today, reason="rate" if target == "lost" else None)
    history = stage_history(store.conn, 1)
    row = get_prospect(store.conn, "P1")
    store.close()
    assert history[0]["stage"] == "new" and history[-1]["stage"] == row["stage"]
    assert [h["seq"] for h in history] == list(range(1, len(history) + 1))
    assert [h["on"] for h in history] == sorted(h["on"] for h in history)
    for before, after in zip(history, history[1:], strict=False):
        assert before["stage"] != "disbursed"
        assert after["stage"] != before["stage"]
        if before["stage"] != "lost" and after["stage"] != "lost":
            assert CHAIN.index(after["stage"]) > CHAIN.index(before["stage"])
        assert after["stage"] != "new"
    assert (row["lost_reason"] is not None) == (row["stage"] == "lost")
