"""Who sees what in a branch store on PostgreSQL (issue 16 §2): ``retain db init``,
``db grant|revoke|roles`` and row-level security, on a real server.

One database for the module, owned by a login of its own (not a superuser, as
on a branch server), with two officers' logins and a manager's; the manager
imports a small book. Roles are cluster-wide: every name carries this process's
id, and all of them are dropped at the end."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import CUSTOMER_HEADER, LOAN_HEADER, Cli, Result, write_csv

pytestmark = pytest.mark.postgres

PREFIX = f"rls{os.getpid()}"
OWNER, OFFICER_1, OFFICER_2, MANAGER = (f"{PREFIX}_{x}" for x in ("owner", "o1", "o2", "mgr"))
DATABASE = f"{PREFIX}_branch"


def _server() -> str:
    from tests.pgstores import server_url

    try:
        return server_url()
    except RuntimeError as exc:
        if os.environ.get("CI") == "true":
            raise  # CI must not skip the PostgreSQL half
        pytest.skip(f"no PostgreSQL server for the row-level security tests: {exc}")


def as_login(server: str, login: str, database: str) -> str:
    """The server URL with another login and database (no password: trust/.pgpass)."""
    parts = urlsplit(server)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{login}@{host}", f"/{database}", parts.query, ""))


@dataclass
class Branch:
    server: str
    owner: Cli
    officer_1: Cli  # 王芳: C1, C3
    officer_2: Cli  # 李强: C2, C4, C5
    manager: Cli
    config: Path

    def run(self, who: Cli, *args: str, **kwargs: Any) -> Result:
        return who(*args, env={"RETAIN_CONFIG": str(self.config)}, **kwargs)

    def url(self, login: str) -> str:
        return as_login(self.server, login, DATABASE)


def _admin(server: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement.encode())


def _drop_all(server: str) -> None:
    import psycopg

    _admin(server, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    for role in (OFFICER_1, OFFICER_2, MANAGER, f"{PREFIX}_spare", OWNER):
        _admin(server, f'DROP ROLE IF EXISTS "{role}"')
    # The group roles outlive a test run unless nothing else on the server uses them.
    for role in ("retain_officer", "retain_manager"):
        with contextlib.suppress(psycopg.Error):  # another database's grants name it
            _admin(server, f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture(scope="module")
def branch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Branch]:
    server = _server()
    _drop_all(server)
    _admin(
        server,
        f'CREATE ROLE "{OWNER}" LOGIN CREATEROLE',
        *(f'CREATE ROLE "{r}" LOGIN' for r in (OFFICER_1, OFFICER_2, MANAGER, f"{PREFIX}_spare")),
        f'CREATE DATABASE "{DATABASE}" OWNER "{OWNER}" TEMPLATE template0'
        " ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'",
    )
    try:
        tmp = tmp_path_factory.mktemp("branch")
        owner, officer_1, officer_2, manager = (
            Cli(as_login(server, who, DATABASE)) for who in (OWNER, OFFICER_1, OFFICER_2, MANAGER)
        )
        made = Branch(server, owner, officer_1, officer_2, manager, tmp / "no-config.toml")
        init = made.run(made.owner, "db", "init", made.url(OWNER))
        assert init.exit_code == 0, init.stderr
        for login, role in ((OFFICER_1, "王芳"), (OFFICER_2, "李强")):
            granted = made.run(made.owner, "db", "grant", login, "--officer", role)
            assert granted.exit_code == 0, granted.stderr
        granted = made.run(made.owner, "db", "grant", MANAGER, "--manager")
        assert granted.exit_code == 0, granted.stderr
        customers = write_csv(
            tmp / "customers.csv",
            [
                CUSTOMER_HEADER,
                ["C1", "王建国", "13812348001", "", "粮油", "王芳", ""],
                ["C2", "李秀英", "13912348002", "", "烟酒", "李强", ""],
                ["C3", "张伟", "15012348003", "", "五金", "王芳", ""],
                ["C4", "赵敏", "15012348004", "", "五金", "李强", ""],
                ["C5", "钱多", "15012348005", "", "五金", "李强", ""],
            ],
        )
        loans = write_csv(
            tmp / "loans.csv",
            [
                LOAN_HEADER,
                ["L1", "C1", "100000", "2025-12-06", "2026-12-06", "信用", "正常", "", "40000", ""],
                ["L2", "C1", "20000", "2025-06-01", "2026-10-22", "抵押", "逾期", "", "20000", "40"],
                ["L4", "C2", "50000", "2025-12-04", "2026-12-04", "保证", "正常", "", "", ""],
                ["L6", "C2", "30000", "2025-06-01", "2026-11-01", "信用", "逾期", "", "30000", "30"],
                ["L5", "C3", "80000", "2026-11-28", "2027-11-28", "质押", "正常", "", "", ""],
                ["L7", "C4", "60000", "2025-12-05", "2026-12-05", "信用", "正常", "", "", ""],
                ["L8", "C5", "60000", "2025-12-07", "2026-12-07", "信用", "正常", "", "", ""],
            ],
        )  # fmt: skip
        for kind, path in (("customers", customers), ("loans", loans)):
            imported = made.run(made.manager, "import", kind, str(path))
            assert imported.exit_code == 0, imported.stderr
        logged = made.run(made.manager, "log", "C2", "--note", "李强的客户")
        assert logged.exit_code == 0, logged.stderr
        yield made
    finally:
        _drop_all(server)


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.stderr
    return result.json()


def _needs_working(branch: Branch, *args: str) -> None:
    """The command works for the manager (every row): what an officer is denied
    is then the policy's doing, not a failing command's."""
    result = branch.run(branch.manager, *args)
    assert result.exit_code == 0, result.stderr


def _customers(rows: list[dict[str, Any]]) -> set[str]:
    return {str(row["customer_id"]) for row in rows}


def _raw(branch: Branch, login: str) -> Any:
    import psycopg

    return psycopg.connect(branch.url(login), autocommit=True)


# --- what an officer sees through the CLI -------------------------------------------


@contextlib.contextmanager
def _spare_database(branch: Branch, suffix: str, collation: str = "C") -> Iterator[str]:
    """A database of the owner's beside the branch's, as ``collation`` sorts
    text; its URL for the owner's login. Dropped after."""
    name = f"{PREFIX}_{suffix}"
    _admin(
        branch.server,
        f'CREATE DATABASE "{name}" OWNER "{OWNER}" TEMPLATE template0'
        f" ENCODING 'UTF8' LC_COLLATE '{collation}' LC_CTYPE '{collation}'",
    )
    try:
        yield as_login(branch.server, OWNER, name)
    finally:
        _admin(branch.server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_manager_sees_the_whole_branch(branch: Branch) -> None:
    due = _json(branch.run(branch.manager, "due", "--days", "30", "--format", "json"))
    assert _customers(due) >= {"C1", "C2"}


@pytest.mark.parametrize(
    "args",
    [
        ("due", "--days", "30", "--format", "json"),
        ("overdue", "--format", "json"),
        ("calls", "--format", "json"),
        ("export", "reminders", "--days", "30", "--format", "json"),
    ],
)
def test_an_officer_sees_only_their_own_customers(branch: Branch, args: tuple[str, ...]) -> None:
    _needs_working(branch, *args)
    mine = _customers(_json(branch.run(branch.officer_1, *args)))
    theirs = _customers(_json(branch.run(branch.officer_2, *args)))
    everyone = _customers(_json(branch.run(branch.manager, *args)))
    assert mine and theirs
    assert mine <= {"C1", "C3", "C4", "C5"} - {"C2"}  # C4, C5 move to 王芳 below
    assert theirs <= {"C2", "C4", "C5"}
    assert not mine & theirs
    assert everyone >= mine | theirs


def test_show_of_another_officers_customer_is_refused_like_an_unknown_one(
    branch: Branch,
) -> None:
    _needs_working(branch, "show", "C1")
    other = branch.run(branch.officer_1, "show", "C2")
    unknown = branch.run(branch.officer_1, "show", "C9")
    assert other.exit_code == unknown.exit_code != 0
    assert other.stderr.replace("C2", "C9") == unknown.stderr
    assert "李秀英" not in other.stdout + other.stderr
    assert branch.run(branch.officer_1, "show", "C1").exit_code == 0


def test_log_works_for_an_officers_own_customer_and_is_refused_for_another(
    branch: Branch,
) -> None:
    def contacts() -> int:
        with _raw(branch, OWNER) as conn:
            return int(conn.execute("SELECT count(*) FROM contacts").fetchone()[0])

    before = contacts()
    assert branch.run(branch.officer_1, "log", "C3", "--note", "回访").exit_code == 0
    assert contacts() == before + 1
    refused = branch.run(branch.officer_1, "log", "C2", "--note", "不该记")
    assert refused.exit_code != 0
    assert refused.stderr.startswith("Error: ") and refused.stderr.count("\n") == 1
    assert contacts() == before + 1


def test_a_prospect_an_officer_adds_is_theirs(branch: Branch) -> None:
    added = branch.run(branch.officer_1, "prospect", "add", "孙八", "--channel", "walk_in")
    assert added.exit_code == 0, added.stderr
    mine = _json(branch.run(branch.officer_1, "prospect", "list", "--format", "json"))
    assert [(p["name"], p["officer"]) for p in mine] == [("孙八", "王芳")]
    assert _json(branch.run(branch.officer_2, "prospect", "list", "--format", "json")) == []


# --- raw SQL through an officer's own login -----------------------------------------


@pytest.mark.parametrize(
    ("table", "where"),
    [
        ("customers", "customer_id = 'C2'"),
        ("loans", "loan_id = 'L4'"),
        ("contacts", "customer_id = 'C2'"),
    ],
)
def test_raw_sql_cannot_read_update_or_delete_another_officers_rows(
    branch: Branch, table: str, where: str
) -> None:
    with _raw(branch, OWNER) as owner:
        assert owner.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0] >= 1
    with _raw(branch, OFFICER_1) as conn:
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0] == 0
        assert conn.execute(f"UPDATE {table} SET created_at = 'x' WHERE {where}").rowcount == 0
        assert conn.execute(f"DELETE FROM {table} WHERE {where}").rowcount == 0
    with _raw(branch, OWNER) as owner:
        rows = owner.execute(f"SELECT created_at FROM {table} WHERE {where}").fetchall()
        assert rows and all(row[0] != "x" for row in rows)


def test_raw_sql_cannot_insert_a_contact_for_another_officers_customer(branch: Branch) -> None:
    import psycopg

    insert = (
        "INSERT INTO contacts (customer_id, at, at_day, channel, outcome, created_at)"
        " VALUES (%s, '2026-12-01T10:00', 20788, 'phone', 'reached', '2026-12-01')"
    )
    with _raw(branch, OFFICER_1) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(insert, ("C2",))
        conn.execute(insert, ("C1",))  # their own: allowed
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("UPDATE customers SET officer = '李强' WHERE customer_id = 'C1'")


def test_nobody_but_the_owner_can_rewrite_the_audit_trail(branch: Branch) -> None:
    import psycopg

    for login in (OFFICER_1, MANAGER):
        with _raw(branch, login) as conn:
            assert conn.execute("SELECT count(*) FROM changes").fetchone()[0] >= 0
            for statement in ("UPDATE changes SET field = 'x'", "DELETE FROM changes"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)


def test_an_officer_cannot_read_the_logins_table_or_set_their_way_in(branch: Branch) -> None:
    import psycopg

    with _raw(branch, OFFICER_1) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM officer_logins")
        conn.execute("SET application_name = 'retain_manager'")
        seen = conn.execute("SELECT DISTINCT officer FROM customers").fetchall()
        assert seen == [("王芳",)]
        # sqlite_master (what the store's code reads of the catalogue) stays readable
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0


# --- handover ---------------------------------------------------------------------


def _sees(branch: Branch, who: Cli) -> set[str]:
    return _customers(_json(branch.run(who, "due", "--days", "30", "--format", "json")))


def test_a_move_by_the_managers_login_shows_at_once(branch: Branch) -> None:
    """What a handover changes, written through the manager's own login: the
    policies let the manager move a customer and the officers see it at once."""
    assert "C5" in _sees(branch, branch.officer_2) and "C5" not in _sees(branch, branch.officer_1)
    with _raw(branch, MANAGER) as conn:
        moved = conn.execute("UPDATE customers SET officer = '王芳' WHERE customer_id = 'C5'")
        assert moved.rowcount == 1
    assert "C5" in _sees(branch, branch.officer_1)
    assert "C5" not in _sees(branch, branch.officer_2)


def test_a_handover_by_the_manager_shows_at_once(branch: Branch) -> None:
    def sees(who: Cli) -> set[str]:
        return _sees(branch, who)

    _needs_working(branch, "handover", "--from", "李强", "--to", "王芳", "--all", "--dry-run")
    assert "C4" in sees(branch.officer_2) and "C4" not in sees(branch.officer_1)
    refused = branch.run(
        branch.officer_2, "handover", "--from", "李强", "--to", "王芳", "--customer", "C4"
    )
    assert refused.exit_code != 0
    moved = branch.run(
        branch.manager, "handover", "--from", "李强", "--to", "王芳", "--customer", "C4"
    )
    assert moved.exit_code == 0, moved.stderr
    assert "C4" in sees(branch.officer_1)
    assert "C4" not in sees(branch.officer_2)
    assert branch.run(branch.officer_2, "log", "C4").exit_code != 0


# --- the db commands ----------------------------------------------------------------


def test_db_init_twice_changes_nothing(branch: Branch) -> None:
    again = branch.run(branch.owner, "db", "init", branch.url(OWNER))
    assert again.exit_code == 0, again.stderr
    assert "nothing changed" in again.stderr


def test_db_commands_need_the_owner(branch: Branch) -> None:
    for args in (
        ("db", "roles"),
        ("db", "grant", OFFICER_1, "--manager"),
        ("db", "init", branch.url(MANAGER)),
    ):
        result = branch.run(branch.manager, *args)
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
        assert f"owner ({OWNER})" in result.stderr


def test_db_roles_lists_logins_roles_and_officers(branch: Branch) -> None:
    rows = _json(branch.run(branch.owner, "db", "roles", "--format", "json"))
    assert [r for r in rows if r["login"].startswith(PREFIX)] == [
        {"login": MANAGER, "role": "manager", "officer": None, "login_exists": True},
        {"login": OFFICER_1, "role": "officer", "officer": "王芳", "login_exists": True},
        {"login": OFFICER_2, "role": "officer", "officer": "李强", "login_exists": True},
    ]
    csv = branch.run(branch.owner, "db", "roles", "--format", "csv")
    assert csv.stdout.splitlines()[0] == "login,role,officer,login_exists"


def test_grant_then_revoke_a_spare_login(branch: Branch) -> None:
    import psycopg

    spare = f"{PREFIX}_spare"
    granted = branch.run(branch.owner, "db", "grant", spare, "--officer", "王芳")
    assert granted.exit_code == 0, granted.stderr
    with _raw(branch, spare) as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] > 0
    # a manager made an officer keeps none of the manager's table privileges
    assert branch.run(branch.owner, "db", "grant", spare, "--manager").exit_code == 0
    assert branch.run(branch.owner, "db", "grant", spare, "--officer", "王芳").exit_code == 0
    with _raw(branch, spare) as conn:
        granted_groups = conn.execute(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
            " WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
        ).fetchall()
        assert granted_groups == [("retain_officer",)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM imports")
    revoked = branch.run(branch.owner, "db", "revoke", spare)
    assert revoked.exit_code == 0, revoked.stderr

    with _raw(branch, spare) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT count(*) FROM customers")
    again = branch.run(branch.owner, "db", "revoke", spare)
    assert "nothing changed" in again.stderr


def test_grant_of_a_missing_login_fails_in_one_line(branch: Branch) -> None:
    result = branch.run(branch.owner, "db", "grant", f"{PREFIX}_nobody", "--officer", "王芳")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: there is no login {PREFIX}_nobody on the server:"
        f" create it first (CREATE ROLE {PREFIX}_nobody LOGIN)\n"
    )


def test_grant_needs_exactly_one_of_officer_or_manager(branch: Branch) -> None:
    both = branch.run(branch.owner, "db", "grant", OFFICER_1, "--officer", "王芳", "--manager")
    neither = branch.run(branch.owner, "db", "grant", OFFICER_1)
    assert both.exit_code == neither.exit_code == 2


def test_a_database_not_in_byte_order_is_refused(branch: Branch) -> None:
    with _spare_database(branch, "utf8", collation="C.UTF-8") as url:
        result = branch.run(branch.owner, "db", "init", url)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "createdb -T template0 -E UTF8 --lc-collate=C --lc-ctype=C retain" in result.stderr


def test_db_commands_refuse_a_sqlite_store(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "retain.db")
    for args in (("db", "roles"), ("db", "grant", "x", "--manager"), ("db", "revoke", "x")):
        result = cli(*args)
        assert result.exit_code == 1
        assert (
            result.stderr.startswith("Error: retain db ")
            and "is for a PostgreSQL store" in result.stderr
        )
    init = cli("db", "init", str(tmp_path / "retain.db"))
    assert init.exit_code == 1 and "is for a PostgreSQL store" in init.stderr
    assert not (tmp_path / "retain.db").exists()


def test_a_password_in_the_url_is_refused_without_showing_it(branch: Branch) -> None:
    parts = urlsplit(branch.url(OWNER))
    url = urlunsplit(
        (parts.scheme, f"{OWNER}:s3cret@{parts.netloc.split('@')[-1]}", parts.path, parts.query, "")
    )
    result = branch.run(branch.owner, "db", "init", url)
    assert result.exit_code == 1 and "s3cret" not in result.stderr + result.stdout


def test_every_table_has_a_decision(branch: Branch) -> None:
    from retain.postgres.access import unclassified_tables

    with _raw(branch, OWNER) as conn:
        assert unclassified_tables(conn) == []


def test_every_table_of_a_customers_rows_has_both_policies(branch: Branch) -> None:
    from retain.postgres.access import OFFICER_ROWS

    with _raw(branch, OWNER) as conn:
        rows = conn.execute(
            "SELECT c.relname, c.relrowsecurity, array_agg(p.polname ORDER BY p.polname)"
            " FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid"
            " WHERE c.relname = ANY(%s) AND c.relnamespace = current_schema()::regnamespace"
            " GROUP BY c.relname, c.relrowsecurity",
            (list(OFFICER_ROWS),),
        ).fetchall()
    assert sorted(row[0] for row in rows) == sorted(OFFICER_ROWS)
    for table, enabled, policies in rows:
        assert enabled, table
        assert policies == ["retain_manager_rows", "retain_officer_rows"], table


def test_the_sqlite_error_classes_are_kept(branch: Branch) -> None:
    """Through the store's own connection, a policy violation is a sqlite3 error
    (the CLI's one-line ``Error: store: …``), never a traceback."""
    from retain.postgres.connection import PgConnection

    conn = PgConnection.connect(branch.url(OFFICER_1))
    try:
        with pytest.raises(sqlite3.Error):
            conn.execute("UPDATE customers SET officer = '李强' WHERE customer_id = 'C1'")
    finally:
        conn.close()


def test_a_store_of_an_older_schema_is_not_upgraded_yet(branch: Branch) -> None:
    import psycopg

    from retain.postgres.schema import BASELINE_LAST

    with _spare_database(branch, "old") as url:
        assert branch.run(branch.owner, "db", "init", url).exit_code == 0
        with psycopg.connect(url, autocommit=True) as conn:
            # a step schema.sql stands for is missing: no upgrade leads from there
            conn.execute("DELETE FROM _sqlite_migrations WHERE name = %s", (BASELINE_LAST,))
        result = branch.run(branch.owner, "db", "init", url)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "upgrading a PostgreSQL store is not available yet" in result.stderr


def _fill_a_baseline_store(url: str) -> None:
    """What an older retain made (schema.sql, up to m034), with one loan whose
    instalment a schedule import (id 7) wrote."""
    import psycopg

    from retain.migrations import MIGRATION_SET
    from retain.postgres.schema import baseline_steps, schema_sql

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(schema_sql())
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " SELECT %s, unnest(%s::text[]), '2026-11-30 00:00:00'",
            (MIGRATION_SET, baseline_steps()),
        )
        conn.execute(
            "INSERT INTO customers (customer_id, name, created_at, updated_at)"
            " VALUES ('C1', '王建国', '2026-11-01T08:00:00Z', '2026-11-01T08:00:00Z')"
        )
        conn.execute(
            "INSERT INTO loans (loan_id, customer_id, principal_fen, disbursed_on,"
            " disbursed_day, matures_on, matures_day, guarantee, status, created_at,"
            " updated_at) VALUES ('L1', 'C1', 100000, '2026-11-01', 20758, '2027-11-01',"
            " 21123, 'credit', 'active', '2026-11-01T08:00:00Z', '2026-11-01T08:00:00Z')"
        )
        conn.execute(
            "INSERT INTO imports (import_id, kind, file_name, started_at, finished_at,"
            " added, updated, unchanged, rejected, skipped) VALUES"
            " (7, 'schedule', 'march.csv', '2026-11-02T08:00:00Z', '2026-11-02T08:00:00Z',"
            " 1, 0, 0, 0, 0)"
        )
        conn.execute(
            "INSERT INTO instalments (loan_id, period, due_on, due_day, principal_fen,"
            " interest_fen, created_at, updated_at) VALUES ('L1', 1, '2026-12-01', 20788,"
            " 100000, 3000, '2026-11-02T08:00:01Z', '2026-11-02T08:00:01Z')"
        )


def test_db_init_upgrades_a_store_at_the_baseline_keeping_its_instalments(
    branch: Branch,
) -> None:
    # A store an older retain made is brought to the current schema by `db
    # init`: m035 turns an instalment's timestamps into the import that last
    # wrote it.
    import psycopg

    from retain.postgres.schema import UPGRADES

    with _spare_database(branch, "m034") as url:
        _fill_a_baseline_store(url)
        result = branch.run(branch.owner, "db", "init", url)
        assert result.exit_code == 0, result.stderr
        with psycopg.connect(url) as conn:
            columns = [
                row[0]
                for row in conn.execute(
                    "SELECT column_name FROM information_schema.columns"
                    " WHERE table_name = 'instalments' ORDER BY ordinal_position"
                )
            ]
            assert columns[-1] == "import_id"
            assert "created_at" not in columns and "updated_at" not in columns
            assert conn.execute(
                "SELECT loan_id, period, principal_fen, import_id FROM instalments"
            ).fetchall() == [("L1", 1, 100000, 7)]
            steps = {row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations")}
            assert set(UPGRADES) <= steps
