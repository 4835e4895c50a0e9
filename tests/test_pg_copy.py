"""`retain db copy`: a whole store into an empty one, SQLite ⇄ PostgreSQL, verified
per table before it commits (issue 16 §1).

The PostgreSQL half needs the test server (tests.pgstores.server_url()); without
one it is skipped with the reason, except in CI, where it fails. The SQLite ⇄
SQLite tests need no server."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, valid_id_number
from tests.pgstores import empty_store

GUARANTOR_HEADER = ["借据编号", "借款人", "担保人", "担保人电话", "与借款人关系", "担保人证件号"]
SCHEDULE_HEADER = ["借据号", "期数", "应还日期", "应还本金", "应还利息", "实还日期", "实还金额"]
PHONES = ("13812348001", "13912348002", "15012348003", "13712349009", "13600001111")


def _server() -> str:
    from tests.pgstores import server_url

    try:
        return server_url()
    except RuntimeError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must test the PostgreSQL store: {exc}")
        pytest.skip(f"no PostgreSQL test server: {exc}")


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    """A database of this module's own (not the `cli` fixture's, which is the
    PostgreSQL store when the suite runs on PostgreSQL), with retain's schema."""
    import psycopg

    from retain.postgres import schema
    from tests.pgstores import database_url

    server = _server()
    name = f"retain_copy_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"
            " LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    url = database_url(server, name)
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        schema.apply(conn)
    yield url
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg(pg_database: str) -> str:
    """The module's database, emptied: ids start at 1 as in a new store."""
    empty_store(pg_database)
    return pg_database


def csv_file(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def book(tmp_path: Path) -> Cli:
    """A SQLite store with a row in every kind of table: customers, loans,
    instalments, guarantors, contacts, promises, prospects, groups, holdings,
    officers, a handover and the audit trail of a re-import."""
    cli = Cli(tmp_path / "personal" / "retain.db")
    customers = [
        CUSTOMER_HEADER,
        ["C1", "王建国", PHONES[0], valid_id_number("11010519491231002"), "粮油", "王芳", "批发市场商户"],
        ["C2", "李秀英", PHONES[1], "", "烟酒", "李强", ""],
        ["C3", "䶮记", PHONES[2], "", "服装加工", "王芳", ""],
        ["C9", "赵六", PHONES[3], "", "烟酒", "", ""],
    ]  # fmt: skip
    loans = [
        LOAN_HEADER,
        ["L5", "C3", "30000", "2025-06-01", "2026-12-10", "质押", "结清", "2026-11-01", "0", ""],
        ["L1", "C1", "100000", "2025-12-06", "2026-12-06", "信用", "正常", "", "40000", ""],
        ["L2", "C1", "20000", "2025-06-01", "2026-10-22", "抵押", "逾期", "", "20000", "40"],
        ["L4", "C2", "50000", "2025-12-04", "2026-12-04", "保证", "正常", "", "", ""],
        ["L3", "C3", "80000", "2026-11-28", "2027-11-28", "质押", "正常", "", "", ""],
    ]  # fmt: skip
    schedule = [
        SCHEDULE_HEADER,
        ["L3", "1", "2026-12-28", "6000", "400", "", ""],
        ["L3", "2", "2027-01-28", "6000", "380", "", ""],
        ["L1", "1", "2026-11-06", "8000", "500", "2026-11-05", "8500"],
    ]
    guarantors = [
        GUARANTOR_HEADER,
        ["L4", "李秀英", "周强", "13600001111", "配偶", ""],
        ["L1", "王建国", "钱七", "", "朋友", ""],
    ]
    steps: list[tuple[str, ...]] = [
        ("import", "customers", str(csv_file(cli_dir(cli) / "c.csv", customers))),
        ("import", "loans", str(csv_file(cli_dir(cli) / "l.csv", loans))),
        ("import", "schedule", str(csv_file(cli_dir(cli) / "s.csv", schedule))),
        ("import", "guarantors", str(csv_file(cli_dir(cli) / "g.csv", guarantors))),
        (
            "import",
            "holdings",
            str(
                csv_file(
                    cli_dir(cli) / "h.csv", [["客户编号", "产品"], ["C9", "活期"], ["C1", "理财"]]
                )
            ),
        ),
        ("log", "C1", "--channel", "call", "--next", "+1d", "--note", "在店里"),
        ("log", "C1", "--outcome", "promised", "--next", "+3d", "--amount", "500"),
        ("log", "C2", "--channel", "visit", "--outcome", "no_answer"),
        ("prospect", "add", "孙八", "--referrer", "C1"),
        ("officer", "add", "李娜"),
        ("group", "add", "东门市场"),
        ("group", "join", "东门市场", "C1", "C2"),
        ("handover", "--from", "李强", "--to", "李娜", "--customer", "C2"),
    ]
    for step in steps:
        result = cli(*step)
        assert result.exit_code == 0, (step, result.stderr)
    # A re-import that changes a name and a phone: rows in the audit trail.
    customers[4] = ["C9", "赵六六", "13712349019", "", "烟酒", "", ""]
    again = cli("import", "customers", str(csv_file(cli_dir(cli) / "c2.csv", customers)))
    assert again.exit_code == 0, again.stderr
    return cli


def cli_dir(cli: Cli) -> Path:
    directory = Path(str(cli.db)).parent.parent
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def copy(cli: Cli, source: object, destination: object, *more: str) -> Any:
    return cli("db", "copy", "--from", str(source), "--to", str(destination), *more)


def table_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of a SQLite store (loans and guarantors with their
    rowid), in rowid or key order."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite%' AND name <> '_sqlite_migrations' ORDER BY name"
            )
        ]
        found = {}
        for name in names:
            rowid = "rowid, " if name in ("loans", "guarantors") else ""
            found[name] = list(conn.execute(f'SELECT {rowid}* FROM "{name}" ORDER BY 1, 2, 3'))
        return found
    finally:
        conn.close()


# ---------------------------------------------------------------------------
# SQLite to SQLite: no server needed


def test_a_sqlite_store_copied_to_a_new_file_has_every_row_as_is(book: Cli, tmp_path: Path) -> None:
    target = tmp_path / "laptop" / "copy.db"
    result = copy(book, book.db, target, "--format", "json")
    assert result.exit_code == 0, result.stderr
    checks = result.json()
    assert {c["table"] for c in checks} >= {"customers", "loans", "instalments", "changes"}
    assert all(c["ok"] for c in checks)
    rows = {c["table"]: c["rows"] for c in checks}
    assert rows["guarantors"] == 2 and rows["instalments"] == 3 and rows["changes"] > 0
    assert table_rows(target) == table_rows(Path(str(book.db)))
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert "Copied" in result.stderr and "every table" in result.stderr


def test_the_output_names_tables_never_a_phone(book: Cli, tmp_path: Path) -> None:
    for fmt in ("table", "csv", "json"):
        result = copy(book, book.db, tmp_path / f"copy-{fmt}.db", "--format", fmt)
        assert result.exit_code == 0, result.stderr
        shown = result.stdout + result.stderr
        assert not any(phone in shown for phone in PHONES) and "****" not in shown
    header = copy(book, book.db, tmp_path / "c.db", "-f", "csv").stdout.splitlines()[0]
    assert header == "table,rows,checksum,ok"


def test_a_non_empty_sqlite_destination_is_refused_untouched(book: Cli, tmp_path: Path) -> None:
    other = Cli(tmp_path / "other.db")
    made = other(
        "import", "customers", str(csv_file(tmp_path / "o.csv", [CUSTOMER_HEADER, ["X1", "某", "", "", "", "", ""]]))
    )  # fmt: skip
    assert made.exit_code == 0
    before = table_rows(tmp_path / "other.db")
    result = copy(book, book.db, tmp_path / "other.db")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "not empty" in result.stderr and "customers" in result.stderr
    assert table_rows(tmp_path / "other.db") == before


def test_a_copy_onto_itself_or_from_nothing_is_refused(book: Cli, tmp_path: Path) -> None:
    same = copy(book, book.db, book.db)
    assert same.exit_code == 1 and "same store" in same.stderr
    missing = copy(book, tmp_path / "none.db", tmp_path / "new.db")
    assert missing.exit_code == 1 and "no store" in missing.stderr
    assert not (tmp_path / "new.db").exists()


def test_a_destination_that_is_not_a_store_is_refused(book: Cli, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", encoding="utf-8")
    result = copy(book, book.db, notes)
    assert result.exit_code == 1 and "not a retain store" in result.stderr
    assert notes.read_text(encoding="utf-8") == "my notes\n"


# ---------------------------------------------------------------------------
# SQLite ⇄ PostgreSQL

SAME_ON_BOTH: tuple[tuple[str, ...], ...] = (
    ("due", "--days", "400", "--format", "json"),
    ("overdue", "--format", "json"),
    ("calls", "--format", "json"),
    ("calls", "--format", "tsv"),
    ("show", "C1"),
    ("show", "C2"),
    ("history", "C1", "--format", "json"),
    ("audit", "--format", "json"),
    ("trend", "--format", "json"),
    ("officers", "--format", "tsv"),
    ("promises", "--format", "json"),
    ("prospect", "list", "--format", "json"),
    ("group", "list", "--format", "json"),
    ("export", "reminders", "--format", "csv"),
)


# Commands the query adapter cannot run on PostgreSQL yet on this branch ("subquery
# in FROM must have an alias", retain.postgres.translate: the lead's part): their
# outputs are compared all the same, and must match once the adapter runs them.
def test_a_book_copied_to_postgresql_reads_the_same(book: Cli, pg: str) -> None:
    result = copy(book, book.db, pg, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert all(c["ok"] for c in result.json())
    on_pg = Cli(pg)
    for args in SAME_ON_BOTH:
        mine, theirs = book(*args), on_pg(*args)
        assert mine.exit_code == 0 and mine.stdout.strip(), (args, mine.stderr)
        assert (theirs.exit_code, theirs.stdout) == (mine.exit_code, mine.stdout), theirs.stderr


def test_due_with_instalments_reads_the_same_after_the_copy(book: Cli, pg: str) -> None:
    assert copy(book, book.db, pg).exit_code == 0
    args = ("due", "--days", "400", "--instalments", "--format", "tsv")
    mine, theirs = book(*args), Cli(pg)(*args)
    assert "\tinstalment\t" in mine.stdout or "instalment" in mine.stdout
    assert (theirs.exit_code, theirs.stdout) == (mine.exit_code, mine.stdout), theirs.stderr


def test_a_contact_logged_after_the_copy_gets_the_next_id(book: Cli, pg: str) -> None:
    assert copy(book, book.db, pg).exit_code == 0
    on_pg = Cli(pg)
    for cli in (book, on_pg):
        assert cli("log", "C3", "--channel", "call").exit_code == 0
        assert cli("prospect", "add", "周九").exit_code == 0
    ids = (
        "SELECT max(contact_id), max(prospect_id), max(change_id) FROM contacts, prospects, changes"
    )
    assert tuple(on_pg.sql(ids)[0]) == tuple(book.sql(ids)[0])
    loans = "SELECT loan_id FROM loans ORDER BY rowid"
    assert [r[0] for r in on_pg.sql(loans)] == [r[0] for r in book.sql(loans)]


def test_copied_back_to_sqlite_every_table_is_the_original(
    book: Cli, pg: str, tmp_path: Path
) -> None:
    there = copy(book, book.db, pg, "--format", "json")
    assert there.exit_code == 0, there.stderr
    back_path = tmp_path / "road" / "laptop.db"
    back = copy(book, pg, back_path, "--format", "json")
    assert back.exit_code == 0, back.stderr
    assert back.json() == there.json()
    assert table_rows(back_path) == table_rows(Path(str(book.db)))


def test_a_non_empty_postgresql_store_is_refused_nothing_written(book: Cli, pg: str) -> None:
    assert copy(book, book.db, pg).exit_code == 0
    on_pg = Cli(pg)
    before = on_pg.sql("SELECT count(*) FROM contacts")[0][0]
    assert book("log", "C3", "--channel", "call").exit_code == 0
    again = copy(book, book.db, pg)
    assert again.exit_code == 1
    assert again.stderr.count("\n") == 1 and "not empty" in again.stderr
    assert on_pg.sql("SELECT count(*) FROM contacts")[0][0] == before


def test_a_checksum_mismatch_rolls_everything_back(book: Cli, pg: str) -> None:
    """A destination that alters what it is given (here a trigger) is caught by the
    checksum: exit 1 naming the table, not one row left behind."""
    on_pg = Cli(pg)
    conn = on_pg.connect()
    conn.raw.execute(
        "CREATE FUNCTION pgcopy_test_alter() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN NEW.product := coalesce(NEW.product, '') || '!'; RETURN NEW; END $$;"
        " CREATE TRIGGER pgcopy_test_alter BEFORE INSERT ON loans FOR EACH ROW"
        " WHEN (NEW.loan_id = 'L4') EXECUTE FUNCTION pgcopy_test_alter()"
    )
    try:
        result = copy(book, book.db, pg, "--format", "json")
    finally:
        conn.raw.execute(
            "DROP TRIGGER pgcopy_test_alter ON loans; DROP FUNCTION pgcopy_test_alter()"
        )
        conn.close()
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "loans" in result.stderr
    assert "rolled back" in result.stderr
    bad = [c["table"] for c in result.json() if not c["ok"]]
    assert bad == ["loans"]
    assert on_pg.sql("SELECT count(*) FROM customers")[0][0] == 0
    assert on_pg.sql("SELECT count(*) FROM loans")[0][0] == 0


def test_a_password_in_the_url_is_refused(book: Cli, tmp_path: Path) -> None:
    result = copy(book, book.db, "postgresql://officer:secret@localhost/retain")
    assert result.exit_code == 1
    assert "PGPASSWORD" in result.stderr and "secret" not in result.stderr


def test_an_uninitialised_postgresql_database_is_refused(
    book: Cli, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    from tests.pgstores import database_url

    server = _server()
    name = f"retain_copy_bare_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        result = copy(book, book.db, database_url(server, name))
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert result.exit_code == 1 and "db init" in result.stderr


def test_a_store_at_another_schema_version_is_refused(book: Cli, tmp_path: Path) -> None:
    """Both stores must have this retain's schema steps: an older one would copy
    into columns that mean something else (the user opens it with retain first)."""
    conn = sqlite3.connect(str(book.db))
    with conn:
        conn.execute(
            "DELETE FROM _sqlite_migrations WHERE id = (SELECT max(id) FROM _sqlite_migrations)"
        )
    conn.close()
    result = copy(book, book.db, tmp_path / "new.db")
    assert result.exit_code == 1
    assert "schema step" in result.stderr and "nothing was written" in result.stderr
    assert not (tmp_path / "new.db").exists()
