"""A write that meets another writer on a branch store is tried again, a bounded
number of times, then reported in one line with nothing written (issue 16 §2).

A real deadlock, made with a second connection that holds what the CLI needs and
then asks for what the CLI holds: PostgreSQL rolls the CLI's transaction back
and the log must still land, once. A serialisation failure on every try (from a
trigger on the real server) must end in the one-line error and leave nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from retain.transactions import WRITE_ATTEMPTS
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, write_csv
from tests.pgserver import drop_database, fresh_database

TODAY = "2026-12-01"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "retain", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "RETAIN_TTY": "0", "RETAIN_LANG": "en"},
        timeout=120,
    )


@pytest.fixture
def branch(pg_admin_url: str, tmp_path: Path) -> Iterator[str]:
    """A branch store made by ``db init``, with two customers and their loans."""
    owner = fresh_database("retry")
    try:
        assert _run("db", "init", owner).returncode == 0
        cli = Cli(owner)
        customers = [CUSTOMER_HEADER] + [
            [cid, f"客户{cid}", f"1380000000{k}", "", "粮油", "王", ""]
            for k, cid in enumerate(("C1", "C2"))
        ]
        loans = [LOAN_HEADER] + [
            [f"L{cid}", cid, "50000", "2026-01-10", "2027-01-10", "信用", "正常", "", "30000", "0"]
            for cid in ("C1", "C2")
        ]
        assert (
            cli("import", "customers", str(write_csv(tmp_path / "c.csv", customers))).exit_code == 0
        )
        assert cli("import", "loans", str(write_csv(tmp_path / "l.csv", loans))).exit_code == 0
        yield owner
    finally:
        drop_database(owner)


def _log(url: str, customer: str, note: str) -> subprocess.CompletedProcess[str]:
    return _run(
        "--db", url, "--today", TODAY, "log", customer, "--channel", "call",
        "--outcome", "reached", "--note", note, "--yes",
    )  # fmt: skip


def _notes(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        return sorted(row[0] for row in conn.execute("SELECT note FROM contacts"))


def test_a_log_caught_in_a_real_deadlock_is_tried_again_and_lands_once(branch: str) -> None:
    import psycopg

    # The other writer: holds customer C1's row, and waits long before it looks
    # for a deadlock itself, so that the CLI's own check (1 s) finds it and the
    # CLI's transaction is the one PostgreSQL rolls back.
    other = psycopg.connect(branch)
    other.execute("SET deadlock_timeout = '60s'")
    other.execute("SELECT 1 FROM customers WHERE customer_id = 'C1' FOR NO KEY UPDATE")
    logging = subprocess.Popen(
        [sys.executable, "-m", "retain", "--db", branch, "--today", TODAY, "log", "C1",
         "--channel", "call", "--outcome", "reached", "--note", "through a deadlock", "--yes"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "RETAIN_TTY": "0", "RETAIN_LANG": "en"},
    )  # fmt: skip
    try:
        # The CLI has taken the contact numbering's lock and waits for C1's row.
        with psycopg.connect(branch, autocommit=True) as watcher:
            for _ in range(600):
                waiting = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND pid <> %s",
                    (other.info.backend_pid,),
                ).fetchone()
                if waiting and waiting[0]:
                    break
                assert logging.poll() is None, logging.communicate()
                time.sleep(0.05)
            else:
                pytest.fail("the log never waited for the other writer's row")
        # Now the other writer asks for the lock the CLI holds: a deadlock.
        granted = threading.Event()

        def take_numbering_lock() -> None:
            other.execute("SELECT pg_advisory_xact_lock(hashtext('retain.contacts.contact_id'))")
            granted.set()

        taker = threading.Thread(target=take_numbering_lock)
        taker.start()
        taker.join(timeout=30)
        assert granted.is_set(), "PostgreSQL did not break the deadlock"
        other.commit()
    finally:
        other.close()
    out, err = logging.communicate(timeout=120)
    assert logging.returncode == 0, err
    assert "Error" not in err
    assert _notes(branch) == ["through a deadlock"]


def _fail_contacts(url: str, *, times: int, state: str) -> None:
    """A trigger on the real server that fails the first ``times`` inserts of a
    contact as a conflict would (counted by a sequence: a rollback keeps it)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SEQUENCE IF NOT EXISTS retry_tries")
        conn.execute(
            "CREATE OR REPLACE FUNCTION retry_fail() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN IF nextval('retry_tries') <= {times} THEN"
            f" RAISE EXCEPTION 'conflict for the test' USING ERRCODE = '{state}';"
            " END IF; RETURN NEW; END $$"
        )
        conn.execute(
            "CREATE OR REPLACE TRIGGER retry_fail BEFORE INSERT ON contacts"
            " FOR EACH ROW EXECUTE FUNCTION retry_fail()"
        )


def _tries(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT last_value FROM retry_tries").fetchone()
        assert row is not None
        return int(row[0])


def test_serialisation_failures_are_tried_again_up_to_the_bound(branch: str) -> None:
    _fail_contacts(branch, times=WRITE_ATTEMPTS - 1, state="serialization_failure")
    result = _log(branch, "C1", "fifth time lucky")
    assert result.returncode == 0, result.stderr
    assert _notes(branch) == ["fifth time lucky"]
    assert _tries(branch) == WRITE_ATTEMPTS  # four rolled back, the fifth landed


def test_a_conflict_on_every_try_is_one_line_and_writes_nothing(branch: str) -> None:
    _fail_contacts(branch, times=1000, state="deadlock_detected")
    result = _log(branch, "C2", "never lands")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: this write met another writer's at the same moment")
    assert f"tries: {WRITE_ATTEMPTS}" in lines[0]
    assert "nothing was written: run it again" in lines[0]
    assert "Traceback" not in result.stderr
    assert _notes(branch) == []
    assert _tries(branch) == WRITE_ATTEMPTS


def test_other_errors_are_not_tried_again(branch: str) -> None:
    # A constraint's refusal is no conflict: said at once, tried once.
    _fail_contacts(branch, times=1000, state="check_violation")
    result = _log(branch, "C1", "refused")
    assert result.returncode != 0
    assert _tries(branch) == 1
    assert _notes(branch) == []
