"""The store on disk: permissions, pragmas, migrations, money, the import log, its path."""

from __future__ import annotations

import gc
import hashlib
import os
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from retain.cli import app
from retain.errors import RetainError
from retain.migrations import MIGRATIONS
from retain.store import Store, default_db_path
from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, TODAY, Cli, Result, valid_id_number

CUSTOMERS = [
    CUSTOMER_HEADER,
    ["C1", "王建国", "13812348001", valid_id_number("11010519491231002"), "粮油", "王芳", ""],
    ["C2", "李四", "13912348002", "", "烟酒", "李强", ""],
    ["C3", "赵五", "15012348003", "", "服装加工", "王芳", ""],
]
LOANS = [
    LOAN_HEADER,
    ["L1", "C1", "100,000.00", "2025/12/01", "2026年12月1日", "信用", "正常", "", "40000", ""],
    ["L2", "C2", "2,000.5", "20251231", "2026.12.31", "保证", "正常", "", "", ""],
    ["L3", "C3", "5万", "2026-01-01", "2027-01-01", "抵押", "逾期", "", "12,345.67", "3"],
]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """The CLI without the fixture's --db: for testing how the store is chosen."""
    base = {"RETAIN_TTY": "0", "COLUMNS": "200", "RETAIN_LANG": "en", "RETAIN_TODAY": TODAY}
    base.update(env or {})
    result = CliRunner().invoke(app, list(args), env=base, catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def customers_csv(make_csv: Callable[..., Path]) -> Path:
    return make_csv("customers.csv", CUSTOMERS)


@pytest.fixture
def loans_csv(make_csv: Callable[..., Path]) -> Path:
    return make_csv("loans.csv", LOANS)


@pytest.fixture
def filled(cli: Cli, customers_csv: Path, loans_csv: Path) -> Cli:
    assert cli("import", "customers", str(customers_csv)).exit_code == 0
    assert cli("import", "loans", str(loans_csv)).exit_code == 0
    return cli


@pytest.fixture
def umask0() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def one_error(result: Result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


# ---------------------------------------------------------------------------
# Permissions


def test_store_dir_and_file_private_whatever_the_umask(
    umask0: None, tmp_path: Path, customers_csv: Path
) -> None:
    cli = Cli(tmp_path / "fresh" / "store" / "retain.db")
    assert not cli.db.parent.exists()
    result = cli("import", "customers", str(customers_csv))
    assert result.exit_code == 0, result.stderr
    assert mode(cli.db.parent) == 0o700
    assert mode(cli.db) == 0o600
    for suffix in ("-wal", "-shm"):
        side = Path(f"{cli.db}{suffix}")
        if side.exists():
            assert mode(side) == 0o600


# About the SQLite store file: the permissions of the file and its -wal/-shm files.
@pytest.mark.sqlite_only
def test_wal_and_shm_private_after_import_and_read(
    umask0: None, cli: Cli, customers_csv: Path, loans_csv: Path
) -> None:
    assert cli("import", "customers", str(customers_csv)).exit_code == 0
    # Keep a reader open so the -wal/-shm files outlive each command.
    holder = sqlite3.connect(cli.db)
    try:
        holder.execute("SELECT count(*) FROM customers").fetchone()
        sides = [Path(f"{cli.db}-wal"), Path(f"{cli.db}-shm")]
        result = cli("import", "loans", str(loans_csv))
        assert result.exit_code == 0, result.stderr
        for path in (cli.db, *sides):
            assert path.exists(), path
            assert mode(path) == 0o600, (path, oct(mode(path)))
        result = cli("due", "--format", "json")
        assert result.exit_code == 0, result.stderr
        for path in (cli.db, *sides):
            assert path.exists(), path
            assert mode(path) == 0o600, (path, oct(mode(path)))
    finally:
        holder.close()
    assert mode(cli.db.parent) == 0o700
    assert mode(cli.db) == 0o600


# About the SQLite store file: the permissions of the file and its folder.
@pytest.mark.sqlite_only
def test_read_command_keeps_store_private(umask0: None, filled: Cli) -> None:
    assert filled("due", "--format", "csv").exit_code == 0
    assert mode(filled.db) == 0o600
    assert mode(filled.db.parent) == 0o700
    for suffix in ("-wal", "-shm"):
        side = Path(f"{filled.db}{suffix}")
        if side.exists():
            assert mode(side) == 0o600


# ---------------------------------------------------------------------------
# Pragmas


# About the SQLite store file: the file's journal mode (WAL).
@pytest.mark.sqlite_only
def test_journal_mode_is_wal_and_persistent(filled: Cli) -> None:
    conn = sqlite3.connect(filled.db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_store_connection_pragmas(tmp_path: Path) -> None:
    store = Store(tmp_path / "s" / "retain.db")
    try:
        conn = store.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    finally:
        store.close()


def open_store(cli: Cli) -> Store:
    """This test's store as a command opens it, on either kind."""
    if cli.on_postgres:
        from retain.postgres.store import PgStore

        return PgStore(str(cli.db))
    return Store(Path(cli.db))


def test_foreign_keys_are_enforced(filled: Cli) -> None:
    store = open_store(filled)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            store.conn.execute(
                "INSERT INTO loans (loan_id, customer_id, principal_fen, disbursed_on,"
                " matures_on, guarantee, status, created_at, updated_at)"
                " VALUES ('LX', 'NOBODY', 100, '2026-01-01', '2027-01-01', 'credit', 'active',"
                " 'x', 'x')"
            )
    finally:
        store.close()


# ---------------------------------------------------------------------------
# Migrations


def migration_rows(db: Path | str) -> list[tuple[object, ...]]:
    conn = Cli(db).connect()
    try:
        return [
            tuple(row)
            for row in conn.execute(
                "SELECT id, migration_set, name, applied_at FROM _sqlite_migrations ORDER BY id"
            )
        ]
    finally:
        conn.close()


def test_migrations_recorded(filled: Cli) -> None:
    rows = migration_rows(filled.db)
    # Stores in the field recorded their steps under "retain": a new name would
    # make every existing store run its migrations again.
    assert [row[1] for row in rows] == ["retain"] * len(MIGRATIONS)
    assert [row[2] for row in rows] == [fn.__name__ for fn in MIGRATIONS]
    assert "m001_initial" in [row[2] for row in rows]


def test_reopen_applies_nothing_new(filled: Cli, customers_csv: Path) -> None:
    before = migration_rows(filled.db)
    assert filled("due", "--format", "json").exit_code == 0
    store = open_store(filled)
    assert store.applied_migrations() == [fn.__name__ for fn in MIGRATIONS]
    store.close()
    assert filled("import", "customers", str(customers_csv)).exit_code == 0
    assert migration_rows(filled.db) == before


def test_newer_store_is_refused_and_not_touched(filled: Cli, customers_csv: Path) -> None:
    mark_newer(filled.db)
    # The file's bytes are SQLite's business; on PostgreSQL the rows below tell.
    on_file = not filled.on_postgres
    if on_file:
        assert not Path(f"{filled.db}-wal").exists()
        data = Path(filled.db).read_bytes()
        mtime = Path(filled.db).stat().st_mtime_ns
    customers = [tuple(r) for r in filled.sql("SELECT * FROM customers ORDER BY customer_id")]

    for args in (("due", "--format", "json"), ("import", "customers", str(customers_csv))):
        result = filled(*args)
        assert result.exit_code == 1, (args, result.stdout, result.stderr)
        line = one_error(result)
        assert "newer retain" in line
        assert result.stdout == ""
        if on_file:
            assert Path(filled.db).read_bytes() == data
            assert Path(filled.db).stat().st_mtime_ns == mtime
        found = [tuple(r) for r in filled.sql("SELECT * FROM customers ORDER BY customer_id")]
        assert found == customers

    rows = migration_rows(filled.db)
    assert [row[2] for row in rows][-1] == "m999_from_the_future"


_marked: list[str] = []


@pytest.fixture(autouse=True)
def _unmark_newer() -> Iterator[None]:
    """A PostgreSQL test store is emptied before each test but keeps its schema
    steps: the step from the future goes when the test ends."""
    yield
    while _marked:
        Cli(_marked.pop()).sql("DELETE FROM _sqlite_migrations WHERE name = 'm999_from_the_future'")


def mark_newer(db: Path | str) -> None:
    if isinstance(db, str):
        _marked.append(db)
    conn = Cli(db).connect()
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
        ("retain", "m999_from_the_future", "2030-01-01 00:00:00+00:00"),
    )
    conn.commit()
    conn.close()


# About the SQLite store file: the file's bytes, mtime and folder after a refusal
# (test_newer_store_is_refused_and_not_touched checks the refusal on both stores).
@pytest.mark.sqlite_only
def test_newer_store_refused_by_installed_retain_leaves_nothing_behind(
    filled: Cli, tmp_path: Path
) -> None:
    mark_newer(filled.db)
    data = filled.db.read_bytes()
    mtime = filled.db.stat().st_mtime_ns
    before = sorted(p.name for p in filled.db.parent.iterdir())
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETAIN_")}
    env.update({"RETAIN_CONFIG": str(tmp_path / "none.toml"), "RETAIN_LANG": "en"})
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "retain"), "--db", str(filled.db), "due"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "newer retain" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert filled.db.read_bytes() == data
    assert filled.db.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in filled.db.parent.iterdir()) == before


# About the SQLite store file: no -wal/-shm files left by a refused store's connection.
@pytest.mark.sqlite_only
def test_refused_store_closes_its_connection(filled: Cli) -> None:
    mark_newer(filled.db)
    gc.disable()  # the leaked connection sits in a reference cycle: do not let GC hide it
    try:
        with pytest.raises(RetainError, match="newer retain"):
            Store(filled.db)
        assert not Path(f"{filled.db}-wal").exists()
        assert not Path(f"{filled.db}-shm").exists()
    finally:
        gc.enable()
        gc.collect()


# ---------------------------------------------------------------------------
# Money and dates


def typed(cli: Cli, columns: tuple[str, str]) -> list[tuple[object, ...]]:
    """Each loan's id, then each column's value and its type as SQLite's typeof()
    names it (a PostgreSQL store: pg_typeof, named as SQLite would)."""
    a, b = columns
    if not cli.on_postgres:
        query = f"SELECT loan_id, {a}, typeof({a}), {b}, typeof({b}) FROM loans ORDER BY loan_id"
        return [tuple(r) for r in cli.sql(query)]
    names = {"bigint": "integer", "text": "text"}
    conn = cli.connect()
    try:
        rows = conn.raw.execute(
            f"SELECT loan_id, {a}, pg_typeof({a})::text, {b}, pg_typeof({b})::text"
            " FROM loans ORDER BY loan_id"
        ).fetchall()
    finally:
        conn.close()
    return [
        (r[0], r[1], "null" if r[1] is None else names.get(r[2], r[2]),
         r[3], "null" if r[3] is None else names.get(r[4], r[4]))
        for r in rows
    ]  # fmt: skip


def test_money_is_integer_fen(filled: Cli) -> None:
    rows = typed(filled, ("principal_fen", "balance_fen"))
    assert rows == [
        ("L1", 10_000_000, "integer", 4_000_000, "integer"),
        ("L2", 200_050, "integer", None, "null"),
        ("L3", 5_000_000, "integer", 1_234_567, "integer"),
    ]


def test_dates_are_iso_text(filled: Cli) -> None:
    rows = typed(filled, ("disbursed_on", "matures_on"))
    assert rows == [
        ("L1", "2025-12-01", "text", "2026-12-01", "text"),
        ("L2", "2025-12-31", "text", "2026-12-31", "text"),
        ("L3", "2026-01-01", "text", "2027-01-01", "text"),
    ]


# ---------------------------------------------------------------------------
# The import log


def import_log(db: Path | str) -> list[dict[str, object]]:
    conn = Cli(db).connect()
    try:
        return [dict(row) for row in conn.execute("SELECT * FROM imports ORDER BY import_id")]
    finally:
        conn.close()


def test_import_log_row(filled: Cli, customers_csv: Path, loans_csv: Path) -> None:
    log = import_log(filled.db)
    assert len(log) == 2
    first, second = log
    assert first["kind"] == "customers"
    assert Path(str(first["file_name"])).name == "customers.csv"
    assert first["sha256"] == hashlib.sha256(customers_csv.read_bytes()).hexdigest()
    assert (first["added"], first["updated"], first["unchanged"], first["rejected"]) == (3, 0, 0, 0)
    assert first["skipped"] == 0
    assert second["kind"] == "loans"
    assert Path(str(second["file_name"])).name == "loans.csv"
    assert second["sha256"] == hashlib.sha256(loans_csv.read_bytes()).hexdigest()
    assert second["added"] == 3
    for row in log:
        assert re.fullmatch(r"[0-9a-f]{64}", str(row["sha256"]))
        assert row["started_at"] and row["finished_at"]


def test_import_log_counts_updates_and_rejects(filled: Cli, make_csv: Callable[..., Path]) -> None:
    again = make_csv(
        "customers2.csv",
        [
            CUSTOMER_HEADER,
            [
                "C1",
                "王建国",
                "13812348001",
                valid_id_number("11010519491231002"),
                "粮油",
                "王芳",
                "",
            ],
            ["C2", "李四", "13912348002", "", "烟酒", "王芳", ""],  # officer changed
            ["C4", "新客户", "13712348004", "", "粮油", "王芳", ""],
            ["", "无编号", "", "", "", "", ""],  # rejected: no id
        ],
    )
    result = filled("import", "customers", str(again))
    assert result.exit_code == 3
    last = import_log(filled.db)[-1]
    assert last["sha256"] == hashlib.sha256(again.read_bytes()).hexdigest()
    assert (last["added"], last["updated"], last["unchanged"], last["rejected"]) == (1, 1, 1, 1)


def test_dry_run_writes_no_import_log(filled: Cli, customers_csv: Path) -> None:
    before = import_log(filled.db)
    assert filled("import", "customers", str(customers_csv), "--dry-run").exit_code == 0
    assert import_log(filled.db) == before


# ---------------------------------------------------------------------------
# Choosing the store


def test_db_option_selects_the_store(tmp_path: Path, customers_csv: Path) -> None:
    target = tmp_path / "by-option" / "x.db"
    result = run("--db", str(target), "import", "customers", str(customers_csv))
    assert result.exit_code == 0, result.stderr
    assert target.is_file()
    assert import_log(target)[0]["added"] == 3
    listed = run("--db", str(target), "import", "customers", str(customers_csv))
    assert listed.exit_code == 0
    assert import_log(target)[-1]["unchanged"] == 3


def test_retain_db_env_selects_the_store(
    tmp_path: Path, customers_csv: Path, loans_csv: Path
) -> None:
    target = tmp_path / "by-env" / "y.db"
    env = {"RETAIN_DB": str(target)}
    assert run("import", "customers", str(customers_csv), env=env).exit_code == 0
    assert run("import", "loans", str(loans_csv), env=env).exit_code == 0
    assert target.is_file()
    assert import_log(target)[0]["added"] == 3
    result = run("due", "--format", "ids", env=env)
    assert result.stdout == "C1\nC2\n"


def test_db_option_beats_env(tmp_path: Path, customers_csv: Path) -> None:
    by_option = tmp_path / "a" / "opt.db"
    by_env = tmp_path / "b" / "env.db"
    env = {"RETAIN_DB": str(by_env)}
    result = run("--db", str(by_option), "import", "customers", str(customers_csv), env=env)
    assert result.exit_code == 0
    assert by_option.is_file()
    assert not by_env.exists()


@pytest.fixture
def fake_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    return home


def test_default_path_is_in_the_app_dir(fake_home: Path) -> None:
    path = default_db_path()
    assert path.name == "retain.db"
    assert path.parent == Path(typer.get_app_dir("retain"))
    assert fake_home in path.parents


def test_default_store_used_without_db(
    fake_home: Path, customers_csv: Path, loans_csv: Path
) -> None:
    target = default_db_path()
    assert fake_home in target.parents
    assert not target.exists()
    assert run("import", "customers", str(customers_csv)).exit_code == 0
    assert run("import", "loans", str(loans_csv)).exit_code == 0
    assert target.is_file()
    assert mode(target.parent) == 0o700
    assert run("due", "--format", "ids").stdout == "C1\nC2\n"
