"""The store never touches what is not its own (issue 10, items 5, 6 and 11).

Read commands never create or convert a file; anything at --db that is not a
retain store is refused with one line and left byte-for-byte as it was; a
read-only store can be read and refuses writes; a writer that waits in vain for
another says what holds the store."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from retain.migrations import MIGRATIONS
from retain.store import SCHEMA_VERSION, note_path
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, Result

READS: tuple[tuple[str, ...], ...] = (
    ("due", "--format", "json"),
    ("calls",),
    ("overdue",),
    ("export", "reminders", "--days", "30"),
)


def one_error(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def snapshot(path: Path) -> tuple[bytes, int, int, list[str]]:
    """The file's bytes, mode and mtime, and what lies beside it."""
    info = os.stat(path)
    return (
        path.read_bytes(),
        stat.S_IMODE(info.st_mode),
        info.st_mtime_ns,
        sorted(p.name for p in path.parent.iterdir()),
    )


@pytest.fixture
def customers_csv(make_csv: Callable[..., Path]) -> Path:
    return make_csv(
        "贷款台账.csv",
        [CUSTOMER_HEADER, ["C1", "王建国", "13812348001", "", "粮油", "王芳", ""]],
    )


@pytest.fixture
def filled(cli: Cli, customers_csv: Path, make_csv: Callable[..., Path]) -> Cli:
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            ["L1", "C1", "100000", "2025-12-06", "2026-12-06", "信用", "正常", "", "40000", ""],
        ],
    )
    for kind, path in (("customers", customers_csv), ("loans", loans)):
        result = cli("import", kind, str(path))
        assert result.exit_code == 0, result.stderr
    return cli


def writes(customers_csv: Path) -> tuple[tuple[str, ...], ...]:
    return (
        ("import", "customers", str(customers_csv)),
        ("log", "C1"),
        ("export", "reminders", "--new-only", "--days", "30"),
    )


def foreign_db(path: Path, *, wal: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('someone else''s data')")
    conn.commit()
    conn.close()
    os.chmod(path, 0o644)
    return path


# ---------------------------------------------------------------------------
# Item 5: foreign files are refused and untouched


@pytest.mark.parametrize("wal", [False, True])
def test_foreign_sqlite_file_refused_and_untouched(
    tmp_path: Path, customers_csv: Path, wal: bool
) -> None:
    db = foreign_db(tmp_path / "other" / "notes.db", wal=wal)
    cli = Cli(db)
    before = snapshot(db)
    for args in (*READS, *writes(customers_csv)):
        line = one_error(cli(*args))
        assert f"{db} is not a retain store" in line, (args, line)
        assert snapshot(db) == before, args
    conn = sqlite3.connect(db)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert names == ["notes"]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    finally:
        conn.close()


def test_foreign_file_refused_in_chinese(tmp_path: Path) -> None:
    db = foreign_db(tmp_path / "notes.db")
    line = one_error(Cli(db)("due", env={"RETAIN_LANG": "zh"}))
    assert "不是 retain 数据库" in line


def test_zero_byte_file_is_not_a_store(tmp_path: Path, customers_csv: Path) -> None:
    db = tmp_path / "empty.db"
    db.touch()
    os.chmod(db, 0o644)
    before = snapshot(db)
    cli = Cli(db)
    for args in (*READS, *writes(customers_csv)):
        assert "is not a retain store" in one_error(cli(*args)), args
        assert snapshot(db) == before
    assert db.stat().st_size == 0


def test_text_file_refused_and_untouched(tmp_path: Path, customers_csv: Path) -> None:
    db = tmp_path / "notes.txt"
    db.write_text("shopping: rice, oil\n", encoding="utf-8")
    os.chmod(db, 0o664)
    before = snapshot(db)
    cli = Cli(db)
    for args in (*READS, *writes(customers_csv)):
        assert "is not a retain store" in one_error(cli(*args)), args
        assert snapshot(db) == before


def test_read_command_on_missing_store_creates_nothing(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "nowhere" / "retain.db")
    for args in READS:
        line = one_error(cli(*args))
        assert "no store at" in line and "import" in line
    assert not (tmp_path / "nowhere").exists()


def test_log_on_missing_store_creates_nothing(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "nowhere" / "retain.db")
    assert "no store at" in one_error(cli("log", "C1"))
    assert not (tmp_path / "nowhere").exists()


# About the SQLite store file: the file and its folder after an import.
@pytest.mark.sqlite_only
def test_import_creates_store_leaving_no_temporary(cli: Cli, customers_csv: Path) -> None:
    assert cli("import", "customers", str(customers_csv)).exit_code == 0
    assert sorted(p.name for p in cli.db.parent.iterdir()) == ["retain.db"]
    assert mode(cli.db) == 0o600


# ---------------------------------------------------------------------------
# PRAGMA user_version


def user_version(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


# About the SQLite store file: the schema version in the file header (PRAGMA user_version).
@pytest.mark.sqlite_only
def test_user_version_records_the_schema(filled: Cli) -> None:
    assert len(MIGRATIONS) == SCHEMA_VERSION
    assert user_version(filled.db) == len(MIGRATIONS)


# About the SQLite store file: the schema version in the file header (PRAGMA user_version).
@pytest.mark.sqlite_only
def test_store_of_earlier_version_gets_user_version(filled: Cli) -> None:
    conn = sqlite3.connect(filled.db)
    conn.execute("PRAGMA user_version = 0")
    conn.close()
    assert filled("log", "C1").exit_code == 0
    assert user_version(filled.db) == len(MIGRATIONS)


# About the SQLite store file: a newer file header's user_version, the file's bytes untouched.
@pytest.mark.sqlite_only
def test_newer_user_version_refused_untouched(filled: Cli, customers_csv: Path) -> None:
    conn = sqlite3.connect(filled.db)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    before = snapshot(filled.db)
    for args in (("due",), ("import", "customers", str(customers_csv))):
        assert "newer retain" in one_error(filled(*args))
        assert snapshot(filled.db) == before


# ---------------------------------------------------------------------------
# Item 6: never chmod or write what is not a store; read-only stores


def test_fifo_refused_without_blocking_or_chmod(tmp_path: Path, customers_csv: Path) -> None:
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo, 0o644)
    os.chmod(fifo, 0o644)
    cli = Cli(fifo)
    for args in (("due",), ("import", "customers", str(customers_csv))):
        line = one_error(cli(*args))
        assert "FIFO" in line and "not a retain store" in line
        assert stat.S_ISFIFO(os.stat(fifo).st_mode)
        assert mode(fifo) == 0o644


def test_directory_refused(tmp_path: Path, customers_csv: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    cli = Cli(folder)
    for args in (("due",), ("import", "customers", str(customers_csv))):
        assert "is a directory, not a retain store" in one_error(cli(*args))
    assert mode(folder) == 0o755
    assert list(folder.iterdir()) == []


def test_dev_null_refused_and_not_chmodded(customers_csv: Path) -> None:
    null = Path(os.devnull)
    before = os.stat(null)
    cli = Cli(null)
    try:
        for args in (("due",), ("import", "customers", str(customers_csv))):
            assert "is a device, not a retain store" in one_error(cli(*args))
        after = os.stat(null)
        assert (after.st_mode, after.st_uid) == (before.st_mode, before.st_uid)
    finally:
        # A regression run as root must not leave the machine's /dev/null 0600.
        if mode(null) != stat.S_IMODE(before.st_mode):
            os.chmod(null, stat.S_IMODE(before.st_mode))


# About the SQLite store file: a read-only file.
@pytest.mark.sqlite_only
def test_read_only_store_reads_and_refuses_writes(filled: Cli, customers_csv: Path) -> None:
    expected = filled("due", "--format", "json").stdout
    os.chmod(filled.db, 0o400)
    data = filled.db.read_bytes()
    result = filled("due", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected
    for args in (*READS, ("noloan",), ("history", "C1"), ("show", "C1")):
        assert filled(*args).exit_code == 0, args
    for args in writes(customers_csv):
        line = one_error(filled(*args))
        assert "is read-only" in line and "reading commands work" in line, args
    assert mode(filled.db) == 0o400
    assert filled.db.read_bytes() == data


# About the SQLite store file: a read-only folder around the file.
@pytest.mark.sqlite_only
def test_read_only_directory_reads_and_refuses_writes(filled: Cli, customers_csv: Path) -> None:
    folder = filled.db.parent
    os.chmod(folder, 0o500)
    try:
        assert filled("due", "--format", "json").exit_code == 0
        line = one_error(filled("log", "C1"))
        assert "is read-only" in line
        assert mode(folder) == 0o500
        assert mode(filled.db) == 0o600
    finally:
        os.chmod(folder, 0o700)


# About the SQLite store file: a read-only file.
@pytest.mark.sqlite_only
def test_read_only_store_refusal_in_chinese(filled: Cli) -> None:
    os.chmod(filled.db, 0o400)
    assert "只读" in one_error(filled("log", "C1", env={"RETAIN_LANG": "zh"}))


# About the SQLite store file: the file's permissions.
@pytest.mark.sqlite_only
def test_group_readable_store_is_tightened_not_loosened(filled: Cli) -> None:
    os.chmod(filled.db, 0o640)
    assert filled("log", "C1").exit_code == 0
    assert mode(filled.db) == 0o600


# ---------------------------------------------------------------------------
# Item 11: the busy timeout and the lock-holder note


def set_busy_timeout(tmp_path: Path, seconds: float) -> None:
    """The setting, in this test's config file (RETAIN_CONFIG)."""
    config = Path(os.environ["RETAIN_CONFIG"])
    config.write_text(f"[store]\nbusy_timeout_s = {seconds}\n", encoding="utf-8")


HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from retain.store import Holder, Store

    holder = Holder(sys.argv[2], sys.argv[3] or None)
    store = Store(Path(sys.argv[1]), create=False, holder=holder)
    with store.write() as conn:
        print("holding", flush=True)
        sys.stdin.readline()
    store.close()
    """
)


def hold(db: Path, command: str, file: str = "") -> subprocess.Popen[str]:
    """A real second process holding the store's write lock, as ``command`` does."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db), command, file],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    assert proc.stdout.readline().strip() == "holding"
    return proc


def release(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.communicate("\n", timeout=30)


@pytest.fixture
def holder(filled: Cli) -> Iterator[subprocess.Popen[str]]:
    """An import of 贷款台账.csv holding the store."""
    proc = hold(filled.db, "import", "贷款台账.csv")
    try:
        yield proc
    finally:
        release(proc)


# About the SQLite store file: SQLite's write lock and the lock-holder note file.
@pytest.mark.sqlite_only
def test_busy_writer_names_the_holder(
    filled: Cli, holder: subprocess.Popen[str], tmp_path: Path
) -> None:
    set_busy_timeout(tmp_path, 0.3)
    note = note_path(filled.db)
    assert mode(note) == 0o600
    held = json.loads(note.read_text(encoding="utf-8"))
    assert held["pid"] == holder.pid and held["command"] == "import"
    started = dt.datetime.fromisoformat(held["started"]).astimezone().strftime("%H:%M")
    line = one_error(filled("log", "C1"))
    assert line == (
        f"Error: an import of 贷款台账.csv started {started} is writing; try again when it finishes"
    )
    zh = one_error(filled("log", "C1", env={"RETAIN_LANG": "zh"}))
    assert f"{started} 开始的 贷款台账.csv 导入正在写入" in zh
    # Readers are not held up by a writer.
    assert filled("due", "--format", "json").exit_code == 0


# About the SQLite store file: SQLite's write lock and the lock-holder note file.
@pytest.mark.sqlite_only
def test_busy_writer_names_another_command(filled: Cli, tmp_path: Path) -> None:
    set_busy_timeout(tmp_path, 0.2)
    proc = hold(filled.db, "log")
    try:
        line = one_error(filled("contacts", "undo", "1"))
        assert "`retain log` started " in line
        assert f"(process {proc.pid}) is writing; try again when it finishes" in line
    finally:
        release(proc)


# About the SQLite store file: the lock-holder note file.
@pytest.mark.sqlite_only
def test_note_removed_when_the_writer_finishes(
    filled: Cli, holder: subprocess.Popen[str], tmp_path: Path
) -> None:
    assert note_path(filled.db).exists()
    holder.communicate("\n", timeout=30)
    assert not note_path(filled.db).exists()
    assert filled("log", "C1").exit_code == 0
    assert not note_path(filled.db).exists()


# About the SQLite store file: the lock-holder note file.
@pytest.mark.sqlite_only
def test_stale_note_of_a_dead_writer_is_ignored(filled: Cli, tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    note = {"command": "import", "file": "旧台账.csv", "pid": int(dead.stdout),
            "started": "2026-11-30T09:12:00+08:00"}  # fmt: skip
    note_path(filled.db).write_text(json.dumps(note), encoding="utf-8")
    assert filled("log", "C1").exit_code == 0
    assert not note_path(filled.db).exists()


# About the SQLite store file: SQLite's write lock (busy timeout).
@pytest.mark.sqlite_only
def test_busy_without_note_says_the_store_is_busy(filled: Cli, tmp_path: Path) -> None:
    set_busy_timeout(tmp_path, 0.2)
    other = sqlite3.connect(filled.db, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        line = one_error(filled("log", "C1"))
        assert "is being written by another program (waited 0.2 s)" in line
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_busy_timeout_setting_bounded(cli: Cli, tmp_path: Path) -> None:
    result = cli("config", "show", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["store"]["busy_timeout_s"] == 30
    for bad in ("0", "-1", "1e308", "inf"):
        set_busy_timeout(tmp_path, float(bad))
        assert "store.busy_timeout_s" in one_error(cli("calls"), 2), bad
