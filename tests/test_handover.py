"""``retain handover`` and imports after one, through the real CLI, over several days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import CUSTOMER_HEADER, Cli
from tests.test_officers import make_book, officers_json, tuples


@pytest.fixture
def book(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    make_book(cli, make_csv)
    assert cli("officer", "add", "李娜", today="2026-11-02").exit_code == 0
    return cli


def handover(cli: Cli, *args: str, today: str = "2026-11-10") -> dict[str, Any]:
    result = cli("handover", "--from", "张伟", "--to", "李娜", *args, "--format", "json",
                 today=today)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    body: dict[str, Any] = result.json()
    return body


def officer_of(cli: Cli) -> dict[str, str]:
    return {row[0]: row[1] for row in cli.sql("SELECT customer_id, officer FROM customers")}


def iso(day: int | None) -> str | None:
    return None if day is None else (dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat()


def test_handover_of_a_subset_moves_only_those(book: Cli) -> None:
    moved = handover(book, "--customer", "C1")
    assert moved["customers"] == 1 and moved["customer_ids"] == ["C1"]
    assert moved["loans"] == 1 and moved["balance"] == 40000.0
    assert officer_of(book) == {"C1": "李娜", "C2": "张伟", "C3": "张伟", "C4": "王芳"}


def test_handover_by_industry(book: Cli) -> None:
    moved = handover(book, "--industry", "餐饮")
    assert sorted(moved["customer_ids"]) == ["C1", "C2"]
    assert officer_of(book)["C3"] == "张伟"


def test_handover_by_group_moves_only_the_source_officers_members(book: Cli) -> None:
    assert book("group", "add", "东门市场", today="2026-11-05").exit_code == 0
    # C4 is 王芳's: in the group, but not 张伟's to hand over.
    assert book("group", "join", "东门市场", "C1", "C3", "C4", today="2026-11-05").exit_code == 0
    moved = handover(book, "--group", "东门市场")
    assert sorted(moved["customer_ids"]) == ["C1", "C3"]
    assert officer_of(book) == {"C1": "李娜", "C2": "张伟", "C3": "李娜", "C4": "王芳"}
    unknown = book("handover", "--from", "张伟", "--to", "李娜", "--group", "西门市场")
    assert unknown.exit_code == 1 and unknown.stderr.startswith("Error:")
    both = book("handover", "--from", "张伟", "--to", "李娜", "--group", "东门市场", "--all")
    assert both.exit_code == 2 and "--group G" in both.stderr


def test_handover_of_all_moves_open_promises_and_prospects_and_records_history(
    book: Cli,
) -> None:
    promise = book(
        "log", "C2", "--outcome", "promised", "--next", "2026-11-20", "--amount", "3000",
        "--officer", "张伟", today="2026-11-05",
    )  # fmt: skip
    assert promise.exit_code == 0, promise.stderr
    follow = book("log", "C1", "--outcome", "reached", "--next", "2026-11-30", today="2026-11-05")
    assert follow.exit_code == 0, follow.stderr
    conn = tuples(book)
    with conn:
        conn.execute(
            "INSERT INTO prospects (name, channel, officer, stage, stage_day, entered_on,"
            " entered_day, created_at, updated_at) VALUES"
            " ('甲', 'walk_in', '张伟', 'new', 20400, '2025-11-07', 20400, 'x', 'x'),"
            " ('乙', 'walk_in', '张伟', 'lost', 20400, '2025-11-07', 20400, 'x', 'x')"
        )
    moved = handover(book, "--all", "--note", "张伟调岗")
    assert moved["customers"] == 3 and moved["loans"] == 2
    assert moved["follow_ups"] == 2 and moved["promises"] == 1 and moved["prospects"] == 1
    assert officer_of(book) == {"C1": "李娜", "C2": "李娜", "C3": "李娜", "C4": "王芳"}
    assert conn.execute("SELECT officer FROM promises").fetchall() == [("李娜",)]
    prospects = dict(conn.execute("SELECT name, officer FROM prospects").fetchall())
    assert prospects == {"甲": "李娜", "乙": "张伟"}  # a lost prospect is history
    # contacts keep the officer who made them
    assert ("张伟",) in conn.execute("SELECT officer FROM contacts").fetchall()
    # now 张伟 can go
    assert book("officer", "deactivate", "张伟").exit_code == 0
    history = book("history", "C1", today="2026-11-12").stdout
    assert "Officers over time" in history
    assert "张伟" in history and "2026-11-02" in history and "2026-11-10" in history
    assert "李娜" in history and "handover" in history and "张伟调岗" in history
    show = book("show", "C2", today="2026-11-12").stdout
    assert "Officers over time" in show and "now" in show


def test_dry_run_changes_nothing(book: Cli) -> None:
    result = book("handover", "--from", "张伟", "--to", "李娜", "--all", "--dry-run",
                  today="2026-11-10")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "C1" in result.stdout and "3 customer(s)" in result.stdout
    assert "Dry run" in result.stdout
    assert officer_of(book)["C1"] == "张伟"
    conn = tuples(book)
    assert conn.execute("SELECT COUNT(*) FROM assignments WHERE via = 'handover'").fetchone() == (
        0,
    )
    assert conn.execute("SELECT COUNT(*) FROM changes WHERE kind = 'handover'").fetchone() == (0,)


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--to", "Nobody", "--all"], 1, "no officer Nobody"),
        (["--to", "李娜"], 2, "--customer"),
        (["--to", "李娜", "--all", "--industry", "餐饮"], 2, "one of them"),
        (["--to", "李娜", "--customer", "C4"], 1, "not customers of 张伟: C4"),
        (["--to", "李娜", "--customer", "C9"], 1, "no customer C9"),
        (["--to", "张伟", "--all"], 1, "themselves"),
        (["--to", "李娜", "--all", "--as-of", "2026-12-01"], 2, "after today"),
    ],
)
def test_refusals(book: Cli, args: list[str], code: int, says: str) -> None:
    result = book("handover", "--from", "张伟", *args, today="2026-11-10")
    assert result.exit_code == code
    assert result.stderr.startswith("Error: ") and says in result.stderr
    assert officer_of(book)["C1"] == "张伟"


def test_a_deactivated_target_is_refused(book: Cli) -> None:
    assert book("officer", "add", "刘洋").exit_code == 0
    assert book("officer", "deactivate", "刘洋").exit_code == 0
    result = book("handover", "--from", "张伟", "--to", "刘洋", "--all")
    assert result.exit_code == 1 and "deactivated" in result.stderr


def test_an_import_after_a_handover_keeps_the_new_officer(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    handover(book, "--customer", "C1,C2", "--as-of", "2026-11-10", today="2026-11-11")
    stale = make_csv(
        "customers-old.csv",
        [
            CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", "", "餐饮", "张伟", ""],
            ["C2", "李秀英", "13912348002", "", "餐饮", "张伟", ""],
            ["C3", "赵敏", "15012348003", "", "服装", "王芳", ""],  # a real change
        ],
    )
    # the bank's export as of the handover day, imported the day after
    result = book("import", "customers", str(stale), "--as-of", "2026-11-10", "--format", "json",
                  today="2026-11-11")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["officers_kept"] == 2
    assert [n["row"] for n in report["notes"]] == [2, 3]
    assert "handed over to 李娜" in report["notes"][0]["note"]
    assert officer_of(book) == {"C1": "李娜", "C2": "李娜", "C3": "王芳", "C4": "王芳"}
    table = book("import", "customers", str(stale), "--as-of", "2026-11-10", today="2026-11-11")
    assert "2 customer(s) keep the officer of a later handover" in table.stdout
    # a file as of a later day: the bank moved them back; the file wins
    later = book("import", "customers", str(stale), "--format", "json", today="2026-11-20")
    assert later.json()["officers_kept"] == 0
    assert officer_of(book)["C1"] == "张伟"
    conn = tuples(book)
    rows = [
        (officer, iso(from_day), via)
        for officer, from_day, via in conn.execute(
            "SELECT officer, from_day, via FROM assignments"
            " WHERE customer_id = 'C1' ORDER BY from_day"
        ).fetchall()
    ]
    assert rows == [
        ("张伟", "2026-11-02", "import"),
        ("李娜", "2026-11-10", "handover"),
        ("张伟", "2026-11-20", "import"),
    ]


def test_officer_from_file_lets_the_file_win(book: Cli, make_csv: Callable[..., Path]) -> None:
    handover(book, "--customer", "C1", today="2026-11-10")
    stale = make_csv(
        "customers-old.csv",
        [CUSTOMER_HEADER, ["C1", "王建国", "13812348001", "", "餐饮", "张伟", ""]],
    )
    result = book("import", "customers", str(stale), "--officer-from-file", "--format", "json",
                  today="2026-11-10")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.json()["officers_kept"] == 0
    assert officer_of(book)["C1"] == "张伟"


def test_a_handover_cannot_go_back_before_the_current_officer(book: Cli) -> None:
    handover(book, "--customer", "C1", today="2026-11-10")
    result = book("handover", "--from", "李娜", "--to", "王芳", "--customer", "C1",
                  "--as-of", "2026-11-05", today="2026-11-12")  # fmt: skip
    assert result.exit_code == 1 and "cannot go back" in result.stderr


def test_officers_after_a_handover(book: Cli) -> None:
    handover(book, "--all")
    found = officers_json(book)
    assert found["张伟"]["customers"] == 0 and found["李娜"]["customers"] == 3


def test_an_older_file_that_wins_never_overlaps_the_history(
    book: Cli, make_csv: Callable[..., Path]
) -> None:
    handover(book, "--customer", "C1", today="2026-11-10")
    assert book("officer", "add", "王芳").exit_code == 0
    handover_again = book("handover", "--from", "李娜", "--to", "王芳", "--customer", "C1",
                          today="2026-11-12")  # fmt: skip
    assert handover_again.exit_code == 0, handover_again.stderr
    stale = make_csv(
        "customers-old.csv",
        [CUSTOMER_HEADER, ["C1", "王建国", "13812348001", "", "餐饮", "张伟", ""]],
    )
    result = book("import", "customers", str(stale), "--officer-from-file",
                  "--as-of", "2026-11-05", today="2026-11-14")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert officer_of(book)["C1"] == "张伟"
    conn = tuples(book)
    assert [
        (officer, iso(from_day), iso(to_day))
        for officer, from_day, to_day in conn.execute(
            "SELECT officer, from_day, to_day FROM assignments"
            " WHERE customer_id = 'C1' ORDER BY from_day"
        ).fetchall()
    ] == [
        ("张伟", "2026-11-02", "2026-11-10"),
        ("李娜", "2026-11-10", "2026-11-12"),
        ("张伟", "2026-11-12", None),  # from the open interval's day, not the file's
    ]


NAMES = ("张伟", "李娜", "王芳")


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(NAMES),
            st.sampled_from(NAMES),
            st.sets(st.sampled_from(("C1", "C2", "C3")), max_size=3),
            st.integers(min_value=0, max_value=3),
        ),
        max_size=8,
    )
)
def test_intervals_stay_contiguous_and_end_at_the_current_officer(
    moves: list[tuple[str, str, set[str], int]],
) -> None:
    """Whatever handovers run (some refused), each customer's intervals follow one
    another without gap or overlap, and the open one is the customer's officer."""
    import datetime as dt

    from retain.errors import RetainError
    from retain.handover import Selection
    from retain.handover import handover as move
    from retain.store import Store

    with Store.scratch() as store:
        conn = store.conn
        with store.write():
            conn.executemany(
                "INSERT INTO customers (customer_id, name, officer, created_at, updated_at)"
                " VALUES (?, ?, '张伟', 'x', 'x')",
                [(c, c) for c in ("C1", "C2", "C3")],
            )
            conn.executemany(
                "INSERT INTO assignments (customer_id, officer, from_day, via)"
                " VALUES (?, '张伟', 20000, 'import')",
                [(c,) for c in ("C1", "C2", "C3")],
            )
        day = dt.date.fromordinal(dt.date(2024, 10, 4).toordinal())
        for source, target, ids, step in moves:
            day += dt.timedelta(days=step)
            selection = Selection(customer_ids=tuple(sorted(ids)), everything=not ids)
            try:
                with store.write() as tx:
                    move(tx, source, target, selection, day, None)
            except RetainError:
                pass
        for cid in ("C1", "C2", "C3"):
            rows = conn.execute(
                "SELECT officer, from_day, to_day FROM assignments WHERE customer_id = ?"
                " ORDER BY from_day, assignment_id",
                (cid,),
            ).fetchall()
            assert [r[2] is None for r in rows] == [False] * (len(rows) - 1) + [True]
            for before, after in zip(rows, rows[1:], strict=False):
                assert before[2] == after[1] and before[1] < before[2]
            officer = conn.execute(
                "SELECT officer FROM customers WHERE customer_id = ?", (cid,)
            ).fetchone()[0]
            assert rows[-1][0] == officer
