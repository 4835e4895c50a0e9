"""Prospects (issue 13): add, move, list, forget, conversion on a loans import,
and prospects in the day's work (log, history, show), through the real CLI."""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.errors import UsageError
from retain.prospects import CHANNELS, channel_of
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
    with sqlite3.connect(cli.db) as conn:
        rows = conn.execute(
            "SELECT stage, date(day * 86400, 'unixepoch'), reason, via FROM prospect_stages"
            " WHERE prospect_id = ? ORDER BY seq",
            (int(pid[1:]),),
        ).fetchall()
    return [tuple(r) for r in rows]


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
    with sqlite3.connect(cli.db) as conn:
        assert conn.execute("SELECT id_number, need_fen FROM prospects").fetchone() == (
            ID_A,
            30_000_000,
        )
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
    with sqlite3.connect(cli.db) as conn:
        assert conn.execute("SELECT id_number, note FROM prospects").fetchone() == (None, None)
        audit = conn.execute(
            "SELECT entity, entity_id, field, old_value, new_value FROM changes"
        ).fetchall()
    assert audit == [("prospect", pid, "forget", None, "2026-12-03")]
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
