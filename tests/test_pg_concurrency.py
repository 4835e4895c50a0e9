"""Ten officers logging contacts at once on one branch store lose nothing.

Each officer is a process of their own with their own database login (row-level
security: they see only their customers), logging contacts through the real CLI
as fast as it goes for RETAIN_SOAK_SECONDS (60 by default, the issue's figure).
Every log that exited 0 must be in the store exactly once, and a log that
failed must have left nothing (its one-line error is kept for the report)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, write_csv
from tests.pgserver import drop_database, fresh_database

OFFICERS = 10
CUSTOMERS_EACH = 3
SECONDS = float(os.environ.get("RETAIN_SOAK_SECONDS", "60"))

# One officer's loop, in a process of its own: the CLI in-process (as a cron job
# or a terminal would run it, one command at a time), its own connection per log.
WORKER = """
import json, sys, time
from typer.testing import CliRunner
from retain.cli import app

url, officer, seconds, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
customers = sys.argv[5:]
runner = CliRunner()
env = {"RETAIN_TTY": "0", "RETAIN_LANG": "en", "COLUMNS": "200"}
done, failed = [], []
end = time.monotonic() + seconds
n = 0
while time.monotonic() < end:
    note = f"{officer}-{n}"
    customer = customers[n % len(customers)]
    result = runner.invoke(
        app,
        ["--db", url, "--today", "2026-12-01", "log", customer, "--channel", "call",
         "--outcome", "reached", "--note", note, "--yes"],
        env=env,
    )
    (done if result.exit_code == 0 else failed).append(
        note if result.exit_code == 0 else [note, result.exit_code, result.stderr.strip()]
    )
    n += 1
with open(out, "w", encoding="utf-8") as fh:
    json.dump({"done": done, "failed": failed}, fh)
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "retain", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "RETAIN_TTY": "0", "RETAIN_LANG": "en"},
    )


def _login_url(url: str, login: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{login}@{host}", parts.path, parts.query, ""))


def test_ten_officers_logging_at_once_lose_nothing(pg_admin_url: str, tmp_path: Path) -> None:
    import psycopg

    owner = fresh_database("soak")
    suffix = str(os.getpid())
    logins = [f"soak_o{i}_{suffix}" for i in range(OFFICERS)]
    manager = f"soak_m_{suffix}"
    with psycopg.connect(pg_admin_url, autocommit=True) as admin:
        for login in [*logins, manager]:
            admin.execute(f'DROP ROLE IF EXISTS "{login}"')
            admin.execute(f'CREATE ROLE "{login}" LOGIN')
    try:
        assert _run("db", "init", owner).returncode == 0
        for i, login in enumerate(logins):
            assert _run("--db", owner, "db", "grant", login, "--officer", f"官{i}").returncode == 0
        assert _run("--db", owner, "db", "grant", manager, "--manager").returncode == 0

        ids = {i: [f"C{i}_{k}" for k in range(CUSTOMERS_EACH)] for i in range(OFFICERS)}
        customers = [CUSTOMER_HEADER] + [
            [cid, f"客户{cid}", f"138{i:04d}{k:04d}", "", "粮油", f"官{i}", ""]
            for i, cids in ids.items()
            for k, cid in enumerate(cids)
        ]
        loans = [LOAN_HEADER] + [
            [f"L{cid}", cid, "50000", "2026-01-10", "2027-01-10", "信用", "正常", "", "30000", "0"]
            for cids in ids.values()
            for cid in cids
        ]
        as_manager = Cli(_login_url(owner, manager))
        assert (
            as_manager(
                "import", "customers", str(write_csv(tmp_path / "c.csv", customers))
            ).exit_code
            == 0
        )
        assert (
            as_manager("import", "loans", str(write_csv(tmp_path / "l.csv", loans))).exit_code == 0
        )

        workers = []
        for i, login in enumerate(logins):
            out = tmp_path / f"worker{i}.json"
            argv = [_login_url(owner, login), f"o{i}", str(SECONDS), str(out), *ids[i]]
            proc = subprocess.Popen([sys.executable, "-c", WORKER, *argv])
            workers.append((proc, out))
        started = time.monotonic()
        for proc, _ in workers:
            assert proc.wait(timeout=SECONDS + 300) == 0
        elapsed = time.monotonic() - started

        done: list[str] = []
        failed: list[list[object]] = []
        for _, out in workers:
            report = json.loads(out.read_text(encoding="utf-8"))
            done += report["done"]
            failed += report["failed"]
        with psycopg.connect(owner) as conn:
            stored = [row[0] for row in conn.execute("SELECT note FROM contacts")]
        # Nothing lost, nothing doubled, nothing half-written by a failed log.
        assert sorted(stored) == sorted(done)
        assert failed == [], failed[:3]
        # Every officer got work done, for the whole time.
        assert {note.split("-")[0] for note in done} == {f"o{i}" for i in range(OFFICERS)}
        assert elapsed >= SECONDS
        print(f"{len(done)} contacts logged by {OFFICERS} officers in {elapsed:.0f} s")
    finally:
        drop_database(owner)
        with psycopg.connect(pg_admin_url, autocommit=True) as admin:
            for login in [*logins, manager]:
                admin.execute(f'DROP ROLE IF EXISTS "{login}"')


def test_url_for_login() -> None:
    assert _login_url("postgresql://postgres@/db?host=/tmp/x", "wang") == (
        "postgresql://wang@/db?host=/tmp/x"
    )
