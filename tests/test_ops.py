"""Operations: `retain doctor`, `retain backup`, `retain restore`, and the
append-only audit trail that doctor checks."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from retain.health import check_temporaries
from tests.conftest import CUSTOMER_HEADER, TODAY, Cli
from tests.test_log import book  # noqa: F401  (fixture)

CHECKS = [
    "store", "integrity", "foreign_keys", "schema", "audit_trail", "data_age", "modes", "wal",
    "temporaries",
]  # fmt: skip


def lines(result_stdout: str) -> dict[str, str]:
    """doctor's text output: check name -> status."""
    found = {}
    for line in result_stdout.splitlines():
        status, name = line.split()[:2]
        found[name] = status
    return found


def raw(db: Path | str) -> Any:
    """A connection to the store at ``db`` (a file, or a PostgreSQL store's URL)."""
    return Cli(db).connect()


def count(db: Path | str, table: str) -> int:
    with contextlib.closing(raw(db)) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- the audit trail is append-only ------------------------------------------------


def test_the_audit_trail_refuses_update_and_delete(
    book: Cli,  # noqa: F811
    make_csv: Callable[..., Path],
) -> None:
    changed = make_csv(
        "changed.csv", [CUSTOMER_HEADER, ["C2", "李秀英", "13912349999", "", "烟酒", "李强", ""]]
    )
    assert book("import", "customers", str(changed)).exit_code == 0
    assert count(book.db, "changes") >= 1
    with contextlib.closing(raw(book.db)) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE changes SET new_value = 'forged'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM changes")
        # Appending is what it is for.
        conn.execute(
            "INSERT INTO changes (entity, entity_id, field, old_value, new_value, recorded_at)"
            " VALUES ('contact', '1', 'note', 'x', NULL, '2026-12-01T09:00:00')"
        )
    assert "forged" not in {
        r[0] for r in raw(book.db).execute("SELECT new_value FROM changes").fetchall()
    }


def test_undo_and_reimports_still_write_the_audit_trail(
    book: Cli,  # noqa: F811
    make_csv: Callable[..., Path],
) -> None:
    assert book("log", "C1", "--channel", "call", "--outcome", "reached").exit_code == 0
    before = count(book.db, "changes")
    result = book("contacts", "undo")
    assert result.exit_code == 0, result.stderr
    assert count(book.db, "changes") > before
    changed = make_csv(
        "changed.csv", [CUSTOMER_HEADER, ["C3", "张伟", "15012349999", "", "服装加工", "王芳", ""]]
    )
    assert book("import", "customers", str(changed)).exit_code == 0
    # An import that fails part-way rolls back, which is no DELETE: still refused by nothing.
    broken = make_csv("broken.csv", [["nothing", "useful"], ["1", "2"]])
    assert book("import", "customers", str(broken)).exit_code in (1, 2)
    if not book.on_postgres:  # doctor checks a SQLite file (PostgreSQL: the server's tools)
        assert book("doctor").exit_code == 0


# --- doctor --------------------------------------------------------------------


# About the SQLite store file: doctor of the store file.
@pytest.mark.sqlite_only
def test_doctor_on_a_healthy_store_says_ok_to_every_check(book: Cli) -> None:  # noqa: F811
    result = book("doctor")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert lines(result.stdout) == dict.fromkeys(CHECKS, "ok")


# About the SQLite store file: doctor of the store file.
@pytest.mark.sqlite_only
def test_doctor_json_is_one_object_with_every_check(book: Cli) -> None:  # noqa: F811
    result = book("doctor", "--format", "json")
    assert result.exit_code == 0
    payload = result.json()
    assert payload["ok"] is True
    assert [c["check"] for c in payload["checks"]] == CHECKS
    assert {c["status"] for c in payload["checks"]} == {"ok"}
    assert all(set(c) == {"check", "status", "detail"} for c in payload["checks"])


def test_doctor_shows_no_personal_data(book: Cli) -> None:  # noqa: F811
    book("--today", "2027-03-01", "log", "C1", "--channel", "call")
    shown = book("doctor").stdout + book("doctor", "--format", "json").stdout
    for personal in ("13812348001", "王建国", "李秀英", "张伟", "C1"):
        assert personal not in shown


# About the SQLite store file: doctor of the store file (its permissions).
@pytest.mark.sqlite_only
def test_doctor_fails_a_store_readable_by_others_and_warns_on_a_loose_directory(
    book: Cli,  # noqa: F811
) -> None:
    os.chmod(book.db.parent, 0o755)
    result = book("doctor")
    assert result.exit_code == 0
    assert lines(result.stdout)["modes"] == "warn"
    assert "0755" in result.stdout
    os.chmod(book.db, 0o644)
    result = book("doctor", "--format", "json")
    assert result.exit_code == 1
    modes = next(c for c in result.json()["checks"] if c["check"] == "modes")
    assert modes["status"] == "fail" and "0644" in modes["detail"]
    # doctor only looks: it changed neither mode.
    assert mode(book.db) == 0o644 and mode(book.db.parent) == 0o755


# About the SQLite store file: doctor of the store file (a corrupted file).
@pytest.mark.sqlite_only
def test_doctor_fails_a_corrupted_store(book: Cli) -> None:  # noqa: F811
    size = book.db.stat().st_size
    assert not Path(f"{book.db}-wal").exists()  # every page is in the main file
    with book.db.open("r+b") as handle:
        # Scribble over every page but the first (the schema stays readable).
        handle.seek(4096)
        handle.write(b"\x5a" * (size - 4096))
    result = book("doctor")
    assert result.exit_code == 1
    assert lines(result.stdout)["integrity"] == "fail"
    assert "Traceback" not in result.stdout + result.stderr


# About the SQLite store file: doctor of the store file (a non-store file at --db).
@pytest.mark.sqlite_only
def test_doctor_fails_a_file_that_is_no_store(cli: Cli) -> None:
    cli.db.parent.mkdir()
    cli.db.write_text("not a database\n")
    result = cli("doctor")
    assert result.exit_code == 1
    assert lines(result.stdout) == {"store": "fail"}
    assert cli.db.read_text() == "not a database\n"
    missing = Cli(cli.db.with_name("missing.db"))("doctor")
    assert missing.exit_code == 1 and lines(missing.stdout) == {"store": "fail"}
    assert not cli.db.with_name("missing.db").exists()


# About the SQLite store file: doctor of the store file.
@pytest.mark.sqlite_only
def test_doctor_fails_a_missing_guard_and_a_newer_schema(book: Cli) -> None:  # noqa: F811
    with contextlib.closing(raw(book.db)) as conn:
        conn.execute("DROP TRIGGER changes_append_only_delete")
    result = book("doctor")
    assert result.exit_code == 1
    assert lines(result.stdout)["audit_trail"] == "fail"
    assert "changes_append_only_delete" in result.stdout
    with contextlib.closing(raw(book.db)) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES ('retain', 'm999_future', '2030-01-01')"
        )
    result = book("doctor")
    assert lines(result.stdout)["schema"] == "fail"
    assert "m999_future" in result.stdout


# About the SQLite store file: doctor of the store file (temporaries beside it).
@pytest.mark.sqlite_only
def test_doctor_warns_about_stale_data_and_leftover_temporaries(book: Cli) -> None:  # noqa: F811
    result = book("doctor", today="2026-12-20")
    assert result.exit_code == 0  # a warning is no failure
    assert lines(result.stdout)["data_age"] == "warn"
    assert "stale_after_days" in result.stdout
    leftover = book.db.parent / "backups" / ".retain-backup-abc123.tmp"
    leftover.parent.mkdir()
    leftover.write_bytes(b"half a copy")
    result = book("doctor")
    assert lines(result.stdout)["temporaries"] == "warn"
    assert "1 leftover" in result.stdout and ".retain-backup-abc123" not in result.stdout


def test_the_temporaries_check_takes_any_paths(tmp_path: Path) -> None:
    """The hook for other temporaries (rejects, stdin copies): paths in, one check out."""
    assert check_temporaries([]).status == "ok"
    found = check_temporaries(iter([tmp_path / ".retain-rejects-1", tmp_path / "x" / "stdin"]))
    assert found.status == "warn"
    assert "2 leftover" in str(found.detail) and "rejects-1" not in str(found.detail)


# --- a store that is being written to ------------------------------------------------


@contextlib.contextmanager
def writer(db: Path, tmp_path: Path) -> Iterator[Path]:
    """A real process logging contacts in a loop until the block ends; yields
    the file it counts its commits in."""
    counter = tmp_path / "commits"
    script = (
        "import subprocess, sys, pathlib\n"
        "n = 0\n"
        "while True:\n"
        "    r = subprocess.run([sys.executable, '-m', 'retain', '--db', sys.argv[1], '--today',"
        f" '{TODAY}', 'log', 'C1', 'C2', '--channel', 'call', '--yes'], capture_output=True)\n"
        "    n += r.returncode == 0\n"
        "    pathlib.Path(sys.argv[2]).write_text(str(n))\n"
    )
    env = {**os.environ, "RETAIN_LANG": "en"}
    proc = subprocess.Popen([sys.executable, "-c", script, str(db), str(counter)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not (counter.exists() and counter.read_text() not in ("", "0")):
            assert time.monotonic() < deadline, "the writer never committed"
            assert proc.poll() is None
            time.sleep(0.05)
        yield counter
    finally:
        proc.kill()
        proc.wait()


# About the SQLite store file: backup/restore of the store file.
@pytest.mark.sqlite_only
def test_backup_doctor_and_restore_while_another_process_writes(
    book: Cli,  # noqa: F811
    tmp_path: Path,
) -> None:
    with writer(book.db, tmp_path) as commits:
        copies = []
        for _ in range(3):
            result = book("backup")
            assert result.exit_code == 0, result.stderr
            copies.append(Path(result.stdout.strip()))
            assert book("doctor").exit_code == 0
            time.sleep(0.3)
        result = book("restore", str(copies[0]), "--yes")
        assert result.exit_code == 0, result.stderr
        done = int(commits.read_text())
        time.sleep(0.5)
    assert done >= 1
    for copy in copies:
        assert mode(copy) == 0o600
        with contextlib.closing(sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("SELECT COUNT(*) FROM customers").fetchone()[0] == 3
            assert conn.execute("SELECT COUNT(*) FROM loans").fetchone()[0] == 5
    contacts = [count(copy, "contacts") for copy in copies]
    assert contacts == sorted(contacts) and contacts[0] >= 2
    assert book("doctor").exit_code == 0
    assert mode(book.db) == 0o600


# --- backup --------------------------------------------------------------------


# About the SQLite store file: backup/restore of the store file.
@pytest.mark.sqlite_only
def test_backup_goes_into_a_private_backups_directory(book: Cli) -> None:  # noqa: F811
    result = book("backup")
    assert result.exit_code == 0, result.stderr
    copy = Path(result.stdout.strip())
    assert copy.parent == book.db.parent / "backups"
    assert copy.name.startswith("retain-") and copy.suffix == ".db"
    assert mode(copy.parent) == 0o700 and mode(copy) == 0o600
    assert not list(copy.parent.glob(".retain-backup-*"))
    assert "integrity ok" in result.stderr
    assert count(copy, "customers") == 3


# About the SQLite store file: backup/restore of the store file.
@pytest.mark.sqlite_only
def test_backup_keep_rotates_its_own_backups_only(book: Cli) -> None:  # noqa: F811
    made = [Path(book("backup").stdout.strip()) for _ in range(4)]
    assert len(set(made)) == 4
    other = made[0].parent / "mine.db"
    other.write_bytes(b"not one of retain's backups")
    result = book("backup", "--keep", "2")
    assert result.exit_code == 0, result.stderr
    newest = Path(result.stdout.strip())
    left = sorted(p.name for p in newest.parent.iterdir())
    assert left == sorted([made[-1].name, newest.name, "mine.db"])
    assert "deleted 3 older backup(s)" in result.stderr
    assert book("backup", "--keep", "0").exit_code == 2


# About the SQLite store file: backup/restore of the store file.
@pytest.mark.sqlite_only
def test_backup_to_a_path_refuses_to_overwrite_without_force(
    book: Cli,  # noqa: F811
    tmp_path: Path,
) -> None:
    target = tmp_path / "elsewhere" / "copy.db"
    assert book("backup", str(target)).exit_code == 0
    assert count(target, "loans") == 5
    target.write_bytes(b"my notes")
    result = book("backup", str(target))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and "--force" in result.stderr
    assert target.read_bytes() == b"my notes"
    assert book("backup", str(target), "--force").exit_code == 0
    assert count(target, "loans") == 5 and mode(target) == 0o600
    into_dir = book("backup", str(target.parent))
    assert Path(into_dir.stdout.strip()).parent == target.parent


# About the SQLite store file: backup/restore of the store file.
@pytest.mark.sqlite_only
def test_backup_refuses_what_is_not_a_store(cli: Cli, tmp_path: Path) -> None:
    result = cli("backup")
    assert result.exit_code == 1 and "no store" in result.stderr
    assert not cli.db.exists()
    foreign = tmp_path / "notes.db"
    with contextlib.closing(raw(foreign)) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    result = Cli(foreign)("backup")
    assert result.exit_code == 1 and "not a retain store" in result.stderr
    assert not (tmp_path / "backups").exists()


# --- restore -------------------------------------------------------------------


# About the SQLite store file: backup/restore of the store file.
@pytest.mark.sqlite_only
def test_restore_round_trip_keeps_the_current_store_beside_it(book: Cli) -> None:  # noqa: F811
    copy = Path(book("backup").stdout.strip())
    assert book("log", "C1", "--channel", "visit", "--note", "after the backup").exit_code == 0
    assert count(book.db, "contacts") == 1
    result = book("restore", str(copy), "--yes")
    assert result.exit_code == 0, result.stderr
    assert count(book.db, "contacts") == 0
    assert book("history", "C1", "--format", "json").json() == []
    kept = list(book.db.parent.glob("retain.db.before-restore-*"))
    assert len(kept) == 1 and count(kept[0], "contacts") == 1
    assert mode(book.db) == 0o600 and mode(kept[0]) == 0o600
    assert not list(book.db.parent.glob(".retain-restore-*"))
    assert book("doctor").exit_code == 0
    # And the restored store is a working store.
    assert book("log", "C2", "--channel", "call").exit_code == 0
    # A second restore (within the same second, too) keeps the first one's kept file.
    assert book("restore", str(copy), "--yes").exit_code == 0
    kept = sorted(book.db.parent.glob("retain.db.before-restore-*"))
    assert len(kept) == 2 and [count(k, "contacts") for k in kept] == [1, 1]


# About the SQLite store file: backup/restore of the store file.
@pytest.mark.sqlite_only
def test_restore_into_a_new_place(book: Cli, tmp_path: Path) -> None:  # noqa: F811
    copy = Path(book("backup").stdout.strip())
    fresh = Cli(tmp_path / "new" / "retain.db")
    assert fresh("restore", str(copy), "--yes").exit_code == 0
    assert count(fresh.db, "loans") == 5
    assert mode(fresh.db.parent) == 0o700


def _fingerprint(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(db.parent.iterdir()) if p.is_file()}


# About the SQLite store file: backup/restore of the store file.
@pytest.mark.sqlite_only
def test_restore_refuses_a_newer_schema_changing_nothing(book: Cli) -> None:  # noqa: F811
    copy = Path(book("backup").stdout.strip())
    with contextlib.closing(raw(copy)) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES ('retain', 'm999_future', '2030-01-01')"
        )
    before = _fingerprint(book.db)
    result = book("restore", str(copy), "--yes")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "newer retain" in result.stderr
    assert "m999_future" in result.stderr
    assert _fingerprint(book.db) == before


# About the SQLite store file: backup/restore of the store file.
@pytest.mark.sqlite_only
@pytest.mark.parametrize("kind", ["text", "foreign sqlite", "corrupt", "missing"])
def test_restore_refuses_what_is_not_a_good_store(
    book: Cli,  # noqa: F811
    tmp_path: Path,
    kind: str,
) -> None:
    bad = tmp_path / "bad.db"
    if kind == "text":
        bad.write_text("客户编号,客户名称\n")
    elif kind == "foreign sqlite":
        with contextlib.closing(raw(bad)) as conn:
            conn.execute("CREATE TABLE notes (text TEXT)")
    elif kind == "corrupt":
        copy = Path(book("backup").stdout.strip())
        shutil.copyfile(copy, bad)
        with bad.open("r+b") as handle:
            handle.seek(4096)
            handle.write(b"\x5a" * (bad.stat().st_size - 4096))
    before = _fingerprint(book.db)
    result = book("restore", str(bad), "--yes")
    assert result.exit_code == (2 if kind == "missing" else 1)
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert _fingerprint(book.db) == before
    assert count(book.db, "loans") == 5


# About the SQLite store file: backup/restore of the store file.
@pytest.mark.sqlite_only
def test_restore_asks_first(book: Cli) -> None:  # noqa: F811
    copy = Path(book("backup").stdout.strip())
    assert book("log", "C1", "--channel", "call").exit_code == 0
    result = book("restore", str(copy))
    assert result.exit_code == 2 and "--yes" in result.stderr
    refused = book("restore", str(copy), input="n\n", env={"RETAIN_TTY": "1"})
    assert refused.exit_code == 1
    assert count(book.db, "contacts") == 1
    agreed = book("restore", str(copy), input="y\n", env={"RETAIN_TTY": "1"})
    assert agreed.exit_code == 0, agreed.stderr
    assert count(book.db, "contacts") == 0


# About the SQLite store file: backup/restore of the store file.
@pytest.mark.sqlite_only
def test_restore_replaces_a_corrupted_store(book: Cli) -> None:  # noqa: F811
    copy = Path(book("backup").stdout.strip())
    size = book.db.stat().st_size
    with book.db.open("r+b") as handle:
        handle.seek(4096)
        handle.write(b"\x5a" * (size - 4096))
    assert book("doctor").exit_code == 1
    result = book("restore", str(copy), "--yes")
    assert result.exit_code == 0, result.stderr
    assert book("doctor").exit_code == 0
    assert count(book.db, "loans") == 5
    assert len(list(book.db.parent.glob("retain.db.before-restore-*"))) == 1


# About the SQLite store file: backup/restore of the store file.
@pytest.mark.sqlite_only
def test_restore_never_replaces_a_file_that_is_no_store(
    book: Cli,  # noqa: F811
    tmp_path: Path,
) -> None:
    copy = Path(book("backup").stdout.strip())
    notes = tmp_path / "notes.db"
    with contextlib.closing(raw(notes)) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    before = notes.read_bytes()
    result = Cli(notes)("restore", str(copy), "--yes")
    assert result.exit_code == 1 and "not a retain store" in result.stderr
    assert notes.read_bytes() == before
    assert not list(tmp_path.glob(".retain-restore-*"))


# About the SQLite store file: backup/restore of the store file.
@pytest.mark.sqlite_only
def test_backup_and_restore_refuse_the_store_itself(book: Cli) -> None:  # noqa: F811
    before = book.db.read_bytes()
    for args in (("backup", str(book.db), "--force"), ("restore", str(book.db), "--yes")):
        result = book(*args)
        assert result.exit_code == 2 and "the store itself" in result.stderr
    assert book.db.read_bytes() == before


# About the SQLite store file: doctor of the store file.
@pytest.mark.sqlite_only
def test_doctor_on_an_older_store_warns_and_leaves_it_old(book: Cli) -> None:  # noqa: F811
    with contextlib.closing(raw(book.db)) as conn:
        conn.execute("DROP TRIGGER changes_append_only_update")
        conn.execute("DROP TRIGGER changes_append_only_delete")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm014_ops_audit_append_only'")
    result = book("doctor")
    assert result.exit_code == 0
    assert lines(result.stdout)["schema"] == "warn"
    assert lines(result.stdout)["audit_trail"] == "warn"
    assert lines(book("doctor").stdout)["schema"] == "warn"  # doctor did not upgrade it
    assert book("history", "C1").exit_code == 0  # any other command does
    assert lines(book("doctor").stdout) == dict.fromkeys(CHECKS, "ok")


# About the SQLite store file: doctor of the store file.
@pytest.mark.sqlite_only
def test_doctor_speaks_chinese_but_keeps_its_codes(book: Cli) -> None:  # noqa: F811
    result = book("doctor", "--lang", "zh")
    assert result.exit_code == 0
    assert lines(result.stdout) == dict.fromkeys(CHECKS, "ok")
    assert "完整性检查" in result.stdout


# About the SQLite store file: doctor of the store file (temporaries beside it).
@pytest.mark.sqlite_only
def test_doctor_reports_what_a_killed_import_left_and_the_next_import_cleans_it(
    book: Cli,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A SIGKILLed run cannot remove its private directory; doctor counts it (by
    name never), and the next run that works in the same place removes it."""
    import os
    import tempfile

    root = Path(tempfile.gettempdir())
    dead = root / ".retain-tmp-999999999-abcd"  # no such pid, no lock held
    dead.mkdir(mode=0o700)
    (dead / "stdin").write_text("C1,王建国,13812348001\n", encoding="utf-8")
    old = os.stat(dead).st_mtime - 3600
    os.utime(dead, (old, old))
    result = book("doctor")
    assert lines(result.stdout)["temporaries"] == "warn"
    assert "1 leftover" in result.stdout and "999999999" not in result.stdout
    customers = tmp_path / "c.csv"
    customers.write_text("客户编号,客户名称\nC9,赵六\n", encoding="utf-8")
    assert (
        book(
            "import",
            "customers",
            "-",
            "--input-format",
            "csv",
            input=customers.read_text(encoding="utf-8"),
        ).exit_code
        == 0
    )
    assert not dead.exists()
    assert lines(book("doctor").stdout)["temporaries"] == "ok"
