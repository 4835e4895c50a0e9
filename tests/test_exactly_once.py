"""Exactly-once exports (issue 10, items 1, 2 and 14): concurrent ``--new-only``
runs, kills around publishing, and the reminder id scheme the ledger is keyed by.

Runs here are real processes of the installed ``retain``: a lock only means
something between processes, and a kill (the test-only fault hook
``RETAIN_TEST_FAULT``, see CONTRIBUTING.md) ends a process, not a call.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from retain.days import day_number
from retain.reminders import reminder_id
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli

RETAIN = Path(sys.executable).with_name("retain")
TODAY = "2026-12-01"
FAULT_EXIT = 86  # what the fault hook exits with (retain.exports.FAULT_EXIT)
SMS = ("export", "reminders", "--days", "7", "--audience", "customer", "--new-only")


@pytest.fixture
def book(tmp_path: Path, make_csv: Callable[..., Path]) -> Cli:
    """400 customers, most with a maturity or an overdue loan in the week."""
    cli = Cli(tmp_path / "store" / "retain.db", today=TODAY)
    customers = [CUSTOMER_HEADER]
    loans = [LOAN_HEADER]
    start = dt.date.fromisoformat(TODAY)
    for i in range(400):
        cid = f"C{i:04d}"
        customers.append([cid, f"客户{i}", f"138{i:08d}", "", "粮油", "王芳", ""])
        matures = (start + dt.timedelta(days=i % 12)).isoformat()
        loans.append([f"L{i}", cid, "10000", "2026-01-05", matures, "信用", "正常", "", "", ""])
        if i % 4 == 0:
            loans.append(
                [f"M{i}", cid, "5000", "2025-01-05", "2026-10-01", "信用", "逾期", "", "", "61"]
            )
    assert cli("import", "customers", str(make_csv("c.csv", customers))).exit_code == 0
    assert cli("import", "loans", str(make_csv("l.csv", loans))).exit_code == 0
    return cli


def retain(cli: Cli, *args: str, fault: str | None = None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RETAIN_DB", "RETAIN_TODAY")}
    env.update(RETAIN_LANG="en", RETAIN_TTY="0")
    env.pop("RETAIN_TEST_FAULT", None)
    if fault:
        env["RETAIN_TEST_FAULT"] = fault
    return subprocess.Popen(
        [str(RETAIN), "--db", str(cli.db), "--today", cli.today, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=120)
    assert "Traceback" not in err, err
    return proc.returncode, out, err


def ids_in(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row["reminder_id"] for row in csv.DictReader(handle)]


def sql(cli: Cli, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(cli.db) as conn:
        return [tuple(row) for row in conn.execute(query)]


def clear_ledger(cli: Cli) -> None:
    with sqlite3.connect(cli.db) as conn:
        conn.execute("DELETE FROM exported_reminders")
        conn.execute("DELETE FROM export_runs")


def single_run(cli: Cli, tmp_path: Path) -> list[str]:
    """What one --new-only run alone exports; the ledger is cleared again after it."""
    target = tmp_path / "alone.csv"
    code, _, err = finish(retain(cli, *SMS, "-o", str(target)))
    assert code == 0, err
    clear_ledger(cli)
    ids = ids_in(target)
    target.unlink()
    assert len(ids) > 300
    return ids


# ---------------------------------------------------------------------------
# 1. Two --new-only runs at once


def test_two_concurrent_new_only_runs_never_send_a_reminder_twice(
    book: Cli, tmp_path: Path
) -> None:
    expected = single_run(book, tmp_path)
    for attempt in range(20):
        first, second = tmp_path / f"a{attempt}.csv", tmp_path / f"b{attempt}.csv"
        runs = [retain(book, *SMS, "-o", str(first)), retain(book, *SMS, "-o", str(second))]
        for code, _, err in [finish(run) for run in runs]:
            assert code == 0, err
        a, b = ids_in(first), ids_in(second)
        assert not set(a) & set(b), f"attempt {attempt}: sent twice"
        assert sorted(a + b) == sorted(expected), f"attempt {attempt}"
        assert sql(book, "SELECT status, COUNT(*) FROM export_runs GROUP BY status") == [
            ("sent", 2)
        ]
        clear_ledger(book)


# ---------------------------------------------------------------------------
# 2. Kills around publishing: claim (pending), commit, publish, mark sent


def test_killed_after_publishing_the_rerun_sends_nothing_twice(book: Cli, tmp_path: Path) -> None:
    expected = single_run(book, tmp_path)
    target = tmp_path / "sms.csv"
    code, _, _ = finish(retain(book, *SMS, "-o", str(target), fault="after_publish"))
    assert code == FAULT_EXIT
    assert sorted(ids_in(target)) == sorted(expected)  # the gateway may have it already
    assert sql(book, "SELECT status FROM export_runs") == [("pending",)]
    again = tmp_path / "sms.2.csv"
    code, _, err = finish(retain(book, *SMS, "-o", str(again)))
    assert code == 0, err
    assert ids_in(again) == []
    assert "Exported 0 reminder(s)" in err
    assert sql(book, "SELECT status, reminders FROM export_runs ORDER BY export_id") == [
        ("sent", len(expected)),
        ("sent", 0),
    ]


def test_killed_before_publishing_the_rerun_sends_everything_once(
    book: Cli, tmp_path: Path
) -> None:
    expected = single_run(book, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    code, _, _ = finish(retain(book, *SMS, "-o", str(out / "sms.csv"), fault="before_publish"))
    assert code == FAULT_EXIT
    assert not (out / "sms.csv").exists()
    assert sql(book, "SELECT status FROM export_runs") == [("pending",)]
    code, _, err = finish(retain(book, *SMS, "-o", str(out / "sms.2.csv")))
    assert code == 0, err
    assert sorted(ids_in(out / "sms.2.csv")) == sorted(expected)
    assert [p.name for p in out.iterdir()] == ["sms.2.csv"]  # the killed run's temporary is gone
    assert sql(book, "SELECT status FROM export_runs ORDER BY export_id") == [
        ("released",),
        ("sent",),
    ]
    code, _, err = finish(retain(book, *SMS, "-o", str(out / "sms.3.csv")))
    assert code == 0 and ids_in(out / "sms.3.csv") == []


def test_an_older_file_at_the_same_name_does_not_count_as_published(
    book: Cli, tmp_path: Path
) -> None:
    """With --force onto yesterday's file, a kill before publishing leaves yesterday's
    file there: it is not this run's file, so the claims are released."""
    expected = single_run(book, tmp_path)
    target = tmp_path / "sms.csv"
    target.write_text("yesterday\n", encoding="utf-8")
    code, _, _ = finish(retain(book, *SMS, "-o", str(target), "--force", fault="before_publish"))
    assert code == FAULT_EXIT
    assert target.read_text(encoding="utf-8") == "yesterday\n"
    code, _, err = finish(retain(book, *SMS, "-o", str(target), "--force"))
    assert code == 0, err
    assert sorted(ids_in(target)) == sorted(expected)


def test_the_in_process_cli_settles_a_killed_run_too(book: Cli, tmp_path: Path) -> None:
    """Anything reading the ledger settles first: here the in-process CLI after a kill."""
    target = tmp_path / "sms.csv"
    code, _, _ = finish(retain(book, *SMS, "-o", str(target), fault="after_publish"))
    assert code == FAULT_EXIT
    result = book(*SMS, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == []
    assert sql(book, "SELECT DISTINCT status FROM export_runs") == [("sent",)]


def test_stdout_is_at_least_once(book: Cli, tmp_path: Path) -> None:
    """A run killed after writing stdout but before marking it sent is sent again:
    stdout cannot be checked afterwards, and a reader can drop a reminder_id it
    has seen, but cannot recover one it never got."""
    expected = single_run(book, tmp_path)
    code, out, _ = finish(retain(book, *SMS, "--format", "json", fault="after_publish"))
    assert code == FAULT_EXIT
    assert out == "" or out.startswith("[")  # whatever reached the pipe before the kill
    code, out, err = finish(retain(book, *SMS, "--format", "ndjson"))
    assert code == 0, err
    import json

    assert sorted(json.loads(line)["reminder_id"] for line in out.splitlines()) == sorted(expected)
    code, out, _ = finish(retain(book, *SMS, "--format", "ndjson"))
    assert code == 0 and out == ""


def test_a_reader_that_goes_away_mid_stream_gets_everything_again(
    book: Cli, tmp_path: Path
) -> None:
    """``… --new-only | head -n 1``: the pipe closes before retain has written
    everything, so nothing is marked sent, and the next run sends it all."""
    officer = ("export", "reminders", "--days", "30", "--new-only", "--format", "ndjson")
    expected = book(*officer[:-3], "--format", "ndjson").stdout
    assert len(expected.encode()) > 4 * 65536  # more than a pipe holds: the write must fail
    command = " ".join([str(RETAIN), "--db", str(book.db), "--today", TODAY, *officer])
    piped = subprocess.run(
        ["sh", "-c", f"{command} | head -n 1"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={**os.environ, "RETAIN_LANG": "en"},
    )
    assert piped.returncode == 0 and len(piped.stdout.splitlines()) == 1
    assert "Traceback" not in piped.stderr and "Exception ignored" not in piped.stderr
    assert sql(book, "SELECT status FROM export_runs") == [("released",)]
    code, out, err = finish(retain(book, *officer))
    assert code == 0, err
    assert out == expected


def test_a_customer_preview_settles_a_killed_run_first(book: Cli, tmp_path: Path) -> None:
    """The customer rules read the ledger even without --new-only (texted lately,
    one a day): a killed run's claims are settled before they count."""
    expected = single_run(book, tmp_path)
    target = tmp_path / "sms.csv"
    code, _, _ = finish(retain(book, *SMS, "-o", str(target), fault="before_publish"))
    assert code == FAULT_EXIT
    preview = book(*SMS[:-1], "--format", "json")
    assert preview.exit_code == 0, preview.stderr
    assert sorted(r["reminder_id"] for r in preview.json()) == sorted(expected)
    assert sql(book, "SELECT status FROM export_runs") == [("released",)]


def test_a_live_runs_claims_are_left_alone(book: Cli, tmp_path: Path) -> None:
    """A pending claim of a run still going (here: this very process) is neither
    released nor marked sent by another run: its reminders stay claimed."""
    from retain.exports import owner_token

    with sqlite3.connect(book.db) as conn:
        conn.execute(
            "INSERT INTO export_runs (at, audience, format, target, reminders, status, path,"
            " owner) VALUES ('2026-12-01T06:30:00Z', 'customer', 'csv', 'x.csv', 1, 'pending',"
            " ?, ?)",
            (str(tmp_path / "x.csv"), owner_token()),
        )
        rid = "claimed-by-a-live-run"
        conn.execute(
            "INSERT INTO exported_reminders VALUES (?, 'customer', last_insert_rowid(), 'C0001',"
            " 'maturing', ?)",
            (rid, TODAY),
        )
    code, _, err = finish(retain(book, *SMS, "-o", str(tmp_path / "sms.csv")))
    assert code == 0, err
    assert sql(book, "SELECT status FROM export_runs ORDER BY export_id") == [
        ("pending",),
        ("sent",),
    ]
    assert sql(book, f"SELECT COUNT(*) FROM exported_reminders WHERE reminder_id = '{rid}'") == [
        (1,)
    ]


def test_runs_recorded_before_the_claims_migration_count_as_sent(book: Cli, tmp_path: Path) -> None:
    """A ledger written by an earlier version (committed with its file) is carried
    over as sent: an upgrade re-sends nothing."""
    first = tmp_path / "sms.csv"
    assert book(*SMS, "-o", str(first)).exit_code == 0
    sent = ids_in(first)
    with sqlite3.connect(book.db) as conn:  # back to the schema before m015
        conn.execute("DROP INDEX export_runs_pending")
        for column in ("status", "path", "file_id", "staged", "owner"):
            conn.execute(f"ALTER TABLE export_runs DROP COLUMN {column}")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm015_once_export_claims'")
    again = tmp_path / "sms.2.csv"
    result = book(*SMS, "-o", str(again))
    assert result.exit_code == 0, result.stderr
    assert sent and ids_in(again) == []
    assert sql(book, "SELECT status FROM export_runs ORDER BY export_id") == [
        ("sent",),
        ("sent",),
    ]


# ---------------------------------------------------------------------------
# 14. The id scheme the ledger is keyed by


def test_the_reminder_id_scheme_is_pinned() -> None:
    """The ledger stores these ids: a change to ``reminders.reminder_id`` (or to what
    an episode's start means) re-sends every reminder already sent, unless a
    migration carries the ledger over (CONTRIBUTING.md, "Change the reminder id
    scheme"). If this test fails, write that migration; then update the values."""
    maturing = reminder_id("C1", "maturing", day_number("2026-12-01") or 0)
    overdue = reminder_id("客户001", "overdue", day_number("2026-03-09") or 0)
    assert maturing == "8c24d9457b47daab4061"
    assert overdue == "2371e7486417ad109280"
