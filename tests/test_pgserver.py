"""The PostgreSQL server the suite runs on (tests/pgserver.py): real, private, cleaned up.

Whole sessions (start, skip, fail, clean-up at exit) are run as a small pytest in
a subprocess, since what matters happens when a session begins and ends.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest

from tests import pgserver

ROOT = Path(__file__).resolve().parents[1]
OWN_CLUSTER = not os.environ.get(pgserver.ENV_URL)
IS_ROOT = os.geteuid() == 0


def _socket_dir(url: str) -> Path:
    return Path(parse_qs(urlsplit(url).query)["host"][0])


def _databases(url: str) -> set[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def _session(
    directory: Path,
    test_body: str,
    *,
    env: dict[str, str] | None = None,
    conftest_extra: str = "",
    user: pwd.struct_passwd | None = None,
) -> subprocess.CompletedProcess[str]:
    """Runs a one-file pytest session that uses tests/pgserver.py, as a user would."""
    (directory / "conftest.py").write_text(
        "from tests import pgserver\n"
        "from tests.pgserver import pg_admin_url  # noqa: F401\n" + textwrap.dedent(conftest_extra),
        encoding="utf-8",
    )
    (directory / "test_inner.py").write_text(textwrap.dedent(test_body), encoding="utf-8")
    full_env = {k: v for k, v in os.environ.items() if k not in (pgserver.ENV_URL, "CI")}
    full_env.update(
        {
            "PYTHONPATH": str(ROOT),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        }
    )
    full_env.update(env or {})
    kwargs: dict[str, object] = {}
    python = sys.executable
    if user is not None:
        kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        python = _python_for_anyone()
        full_env.update(
            {
                "HOME": str(directory),
                "TMPDIR": str(directory),
                "PYTHONPATH": f"{ROOT}{os.pathsep}{sysconfig.get_paths()['purelib']}",
            }
        )
    return subprocess.run(
        [python, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", str(directory)],
        cwd=directory,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )


def _reachable_by_anyone(path: Path) -> bool:
    """Others may read ``path`` and pass through every directory above it."""
    return bool(os.stat(path).st_mode & 0o004) and all(
        os.stat(p).st_mode & 0o001 for p in path.parents
    )


def _python_for_anyone() -> str:
    """This interpreter, or the system's of the same version when ours is in a
    root-only directory (pyenv under /root): the packages come from our venv."""
    ours = Path(sys.executable).resolve()
    if _reachable_by_anyone(ours):
        return str(ours)
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if system.exists() and _reachable_by_anyone(system):
        return str(system)
    pytest.skip(f"no Python another user may run ({ours} is in a private directory)")


RECORD_URLS = textwrap.dedent("""
    from pathlib import Path

    from tests import pgserver


    def test_uses_the_server(pg_admin_url):
        made = pgserver.fresh_database("pgserver_inner")
        Path("urls.txt").write_text(pg_admin_url + "\\n" + made, encoding="utf-8")
""")


def test_the_server_is_real_and_a_fresh_database_orders_text_as_sqlite_does(
    pg_admin_url: str,
) -> None:
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        assert conn.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone() == (True,)
        assert conn.execute("SHOW server_version_num").fetchone()[0] >= "150000"  # type: ignore[index]
    url = pgserver.fresh_database("pgserver_order")
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT datcollate, datctype, pg_encoding_to_char(encoding), current_database()"
            " FROM pg_database WHERE datname = current_database()"
        ).fetchone()
        assert row is not None
        assert row[:3] == ("C", "C", "UTF8")
        assert row[3].startswith("pgserver_order_")
        # SQLite's BINARY collation: byte order, upper case before lower case.
        assert conn.execute("SELECT 'a' < 'B', 'B' < 'a', '王' > 'z'").fetchone() == (
            False,
            True,
            True,
        )
        assert conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)


def test_fresh_databases_are_independent(pg_admin_url: str) -> None:
    first, second = pgserver.fresh_database("pgserver_a"), pgserver.fresh_database("pgserver_a")
    assert first != second
    assert urlsplit(first).query == urlsplit(pg_admin_url).query  # same server, same login
    with psycopg.connect(first, autocommit=True) as conn:
        conn.execute("CREATE TABLE customers (customer_id text PRIMARY KEY)")
        conn.execute("INSERT INTO customers VALUES ('C1')")
    with psycopg.connect(second, autocommit=True) as conn:
        assert conn.execute("SELECT to_regclass('customers')").fetchone() == (None,)


def test_a_database_can_be_dropped_before_the_session_ends(pg_admin_url: str) -> None:
    url = pgserver.fresh_database("pgserver_drop")
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url) as conn:  # a connection left open does not stop the drop
        pgserver.drop_database(url)
        assert name not in _databases(pg_admin_url)
        with pytest.raises(psycopg.OperationalError):
            conn.execute("SELECT 1")
    with pytest.raises(ValueError, match="not a database of fresh_database"):
        pgserver.drop_database(url)
    with pytest.raises(ValueError, match="not a database of fresh_database"):
        pgserver.drop_database(pgserver.with_database(pg_admin_url, "postgres"))


def test_a_database_prefix_must_be_a_plain_identifier() -> None:
    with pytest.raises(ValueError, match="prefix"):
        pgserver.fresh_database('x"; DROP DATABASE postgres; --')


@pytest.mark.skipif(not OWN_CLUSTER, reason="RETAIN_TEST_PG is set: a developer's own server")
def test_our_cluster_listens_on_a_private_socket_only_and_skips_fsync(pg_admin_url: str) -> None:
    socket_dir = _socket_dir(pg_admin_url)
    assert socket_dir.name.startswith(pgserver.DIR_PREFIX)
    with psycopg.connect(pg_admin_url) as conn:
        settings = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
            for name in (
                "listen_addresses",
                "fsync",
                "synchronous_commit",
                "full_page_writes",
                "server_encoding",
                "lc_collate",
            )
        }
    assert settings == {
        "listen_addresses": "",
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "server_encoding": "UTF8",
        "lc_collate": "C.UTF-8",
    }
    assert (socket_dir / f".s.PGSQL.{pgserver.PORT}").is_socket()
    assert socket_dir.stat().st_mode & 0o777 == 0o700


@pytest.mark.skipif(not (OWN_CLUSTER and IS_ROOT), reason="only as root, on our own cluster")
def test_as_root_the_cluster_runs_as_the_postgres_user(pg_admin_url: str) -> None:
    socket_dir = _socket_dir(pg_admin_url)
    postgres_uid = pwd.getpwnam("postgres").pw_uid
    assert socket_dir.stat().st_uid == postgres_uid
    pid = int((socket_dir / "data" / "postmaster.pid").read_text().split()[0])
    assert Path(f"/proc/{pid}").stat().st_uid == postgres_uid


def test_missing_binaries_give_a_one_line_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pgserver, "_state", pgserver._State())
    monkeypatch.setattr(pgserver, "SEARCH_GLOBS", (str(tmp_path / "postgresql" / "*" / "bin"),))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(pgserver.ENV_URL, raising=False)
    assert pgserver.admin_url() is None
    why = pgserver.reason()
    assert "initdb" in why and "not found" in why and "apt-get install postgresql" in why
    assert "\n" not in why
    assert pgserver.admin_url() is None  # cached: the search is not run again


def test_the_newest_installed_version_is_taken(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for version in ("9.6", "15", "16", "17"):
        bindir = tmp_path / "postgresql" / version / "bin"
        bindir.mkdir(parents=True)
        for name in ("initdb", "pg_ctl"):
            if version != "17":  # a version whose server package is not installed
                (bindir / name).touch()
    monkeypatch.setattr(pgserver, "SEARCH_GLOBS", (str(tmp_path / "postgresql" / "*" / "bin"),))
    assert pgserver._find_bindir() == tmp_path / "postgresql" / "16" / "bin"


def test_a_cluster_directory_that_cannot_be_made_is_a_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(**_: object) -> str:
        raise PermissionError(13, "Permission denied", "/tmp/retain-pg-x")

    monkeypatch.setattr(pgserver, "_state", pgserver._State())
    monkeypatch.delenv(pgserver.ENV_URL, raising=False)
    monkeypatch.setattr(pgserver.tempfile, "mkdtemp", refuse)
    monkeypatch.setattr(pgserver, "_find_bindir", lambda: Path("/usr/lib/postgresql/15/bin"))
    assert pgserver.admin_url() is None
    assert (
        pgserver.reason()
        == "could not set up a cluster: [Errno 13] Permission denied: '/tmp/retain-pg-x'"
    )


def test_a_developer_server_that_does_not_answer_gives_a_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pgserver, "_state", pgserver._State())
    monkeypatch.setenv(pgserver.ENV_URL, f"postgresql://postgres@/postgres?host={tmp_path}&port=1")
    assert pgserver.admin_url() is None
    assert pgserver.reason().startswith("RETAIN_TEST_PG is set but its server does not answer: ")
    assert "\n" not in pgserver.reason()


@pytest.mark.skipif(not OWN_CLUSTER, reason="a developer's server may not trust a new role")
def test_a_developer_server_must_be_reached_as_a_superuser(
    pg_admin_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = f"pgserver_plain_{os.urandom(4).hex()}"
    with psycopg.connect(pg_admin_url, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
        try:
            parts = urlsplit(pg_admin_url)
            plain = parts._replace(netloc=f"{role}@{parts.netloc.rpartition('@')[2]}").geturl()
            monkeypatch.setattr(pgserver, "_state", pgserver._State())
            monkeypatch.setenv(pgserver.ENV_URL, plain)
            assert pgserver.admin_url() is None
            assert pgserver.reason() == "RETAIN_TEST_PG must be a superuser's URL"
        finally:
            admin.execute(f"DROP ROLE {role}")


@pytest.mark.skipif(not OWN_CLUSTER, reason="RETAIN_TEST_PG is set: a developer's own server")
def test_a_session_stops_and_removes_its_cluster_at_the_end(
    tmp_path: Path, pg_admin_url: str
) -> None:
    done = _session(tmp_path, RECORD_URLS + "\n\ndef test_fails():\n    assert False\n")
    assert "1 failed, 1 passed" in done.stdout, done.stdout + done.stderr
    admin, made = (tmp_path / "urls.txt").read_text(encoding="utf-8").splitlines()
    socket_dir = _socket_dir(admin)
    assert socket_dir.name.startswith(pgserver.DIR_PREFIX)
    assert urlsplit(made).path.startswith("/pgserver_inner_")
    assert not socket_dir.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(admin, connect_timeout=2).close()


def test_a_session_on_a_developer_server_drops_its_databases(
    pg_admin_url: str, tmp_path: Path
) -> None:
    done = _session(tmp_path, RECORD_URLS, env={pgserver.ENV_URL: pg_admin_url})
    assert "1 passed" in done.stdout, done.stdout + done.stderr
    admin, made = (tmp_path / "urls.txt").read_text(encoding="utf-8").splitlines()
    assert admin == pg_admin_url
    assert urlsplit(made).path.lstrip("/") not in _databases(pg_admin_url)
    assert _databases(pg_admin_url) >= {"postgres"}  # the server itself is left running


NO_BINARIES = """
    pgserver.SEARCH_GLOBS = ("/nonexistent/postgresql/*/bin",)
"""
NEEDS_SERVER = """
    def test_needs_a_server(pg_admin_url):
        pass


    def test_needs_none():
        pass
"""


def test_without_a_server_the_postgresql_tests_skip_and_say_why(tmp_path: Path) -> None:
    done = _session(tmp_path, NEEDS_SERVER, conftest_extra=NO_BINARIES, env={"PATH": str(tmp_path)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed, 1 skipped" in done.stdout
    assert (
        "no PostgreSQL server: PostgreSQL server binaries (initdb, pg_ctl) not found" in done.stdout
    )


def test_under_ci_no_server_fails_instead_of_skipping(tmp_path: Path) -> None:
    done = _session(
        tmp_path,
        NEEDS_SERVER,
        conftest_extra=NO_BINARIES,
        env={"PATH": str(tmp_path), "CI": "true"},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 passed, 1 error" in done.stdout
    assert "skipped" not in done.stdout
    assert "CI=true: the PostgreSQL tests must run" in done.stdout


@pytest.mark.skipif(not IS_ROOT, reason="needs root to run a session as another user")
def test_a_user_who_is_not_root_runs_initdb_as_themselves(
    tmp_path: Path, pg_admin_url: str
) -> None:
    # The path every developer without root takes: no chown, no user switch.
    if shutil.which("initdb") is None and not any(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        pytest.skip("no PostgreSQL binaries")
    for needed in (ROOT / "tests" / "pgserver.py", Path(sysconfig.get_paths()["purelib"])):
        if not _reachable_by_anyone(needed):
            pytest.skip(f"another user may not read {needed}")
    nobody = pwd.getpwnam("nobody")
    directory = Path(tempfile.mkdtemp(prefix="pgserver-nobody-", dir="/tmp"))
    try:
        os.chown(directory, nobody.pw_uid, nobody.pw_gid)
        done = _session(directory, RECORD_URLS, user=nobody)
        assert "1 passed" in done.stdout, done.stdout + done.stderr
        admin = (directory / "urls.txt").read_text(encoding="utf-8").splitlines()[0]
        socket_dir = _socket_dir(admin)
        assert socket_dir.parent == directory  # its own TMPDIR
        assert not socket_dir.exists()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.skipif(not OWN_CLUSTER, reason="RETAIN_TEST_PG is set: no cluster of our own")
def test_the_cluster_of_a_killed_session_is_removed_by_the_next(
    tmp_path: Path, pg_admin_url: str
) -> None:
    script = "import os\nfrom tests import pgserver\nprint(pgserver.admin_url())\nos._exit(0)\n"
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    admin = done.stdout.strip()
    socket_dir = _socket_dir(admin)
    pid = int((socket_dir / "data" / "postmaster.pid").read_text().split()[0])
    assert socket_dir.exists()  # no atexit: left behind, still running
    pgserver._reap_abandoned()
    assert not socket_dir.exists()
    assert not pgserver._alive(pid)  # the postmaster is gone (at most a zombie)


def test_the_backup_and_restore_of_docs_team_md_keep_rows_and_policies(
    pg_admin_url: str, tmp_path: Path
) -> None:
    """docs/team.md's createdb, pg_dump -Fc and pg_restore lines, as written there
    (less sudo), on a database with row-level security owned by a non-superuser."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        bindir = pgserver._find_bindir()
    except pgserver._NoServer as exc:
        pytest.skip(str(exc))
    params = conninfo_to_dict(pg_admin_url)
    env = {
        **os.environ,
        "PGHOST": str(params.get("host", "")),
        "PGPORT": str(params.get("port", "5432")),
    }
    env["PGUSER"] = str(params.get("user", "postgres"))
    tag = os.urandom(4).hex()
    owner, officer, name = f"pgserver_owner_{tag}", f"pgserver_wang_{tag}", f"pgserver_retain_{tag}"
    restored = f"{name}_restored"
    dump = tmp_path / "retain.dump"

    def run(*argv: str) -> None:
        done = subprocess.run(
            [str(bindir / argv[0]), *argv[1:]], env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr

    def createdb(database: str) -> None:
        run(
            "createdb",
            f"--owner={owner}",
            "--template=template0",
            "--encoding=UTF8",
            "--lc-collate=C",
            "--lc-ctype=C",
            database,
        )

    with psycopg.connect(pg_admin_url, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {owner} LOGIN CREATEROLE")
        admin.execute(f"CREATE ROLE {officer} LOGIN")
        try:
            createdb(name)
            with psycopg.connect(
                pgserver.with_database(pg_admin_url, name), autocommit=True
            ) as conn:
                conn.execute(f"SET ROLE {owner}")
                conn.execute(
                    "CREATE TABLE customers (customer_id text PRIMARY KEY, officer text NOT NULL)"
                )
                conn.execute("INSERT INTO customers VALUES ('C1', '王芳'), ('C2', '李强')")
                conn.execute("ALTER TABLE customers ENABLE ROW LEVEL SECURITY")
                conn.execute("ALTER TABLE customers FORCE ROW LEVEL SECURITY")
                conn.execute(
                    f"CREATE POLICY own ON customers TO {officer} USING (officer = '王芳')"
                )
                conn.execute(f"GRANT SELECT ON customers TO {officer}")
            run("pg_dump", "-Fc", "-f", str(dump), name)
            createdb(restored)
            run("pg_restore", "--exit-on-error", "-d", restored, str(dump))
            with psycopg.connect(
                pgserver.with_database(pg_admin_url, restored), autocommit=True
            ) as conn:
                assert conn.execute(
                    "SELECT customer_id, officer FROM customers ORDER BY 1"
                ).fetchall() == [("C1", "王芳"), ("C2", "李强")]
                assert conn.execute(
                    "SELECT tableowner FROM pg_tables WHERE tablename = 'customers'"
                ).fetchone() == (owner,)
                conn.execute(f"SET ROLE {officer}")
                assert conn.execute("SELECT customer_id FROM customers").fetchall() == [("C1",)]
        finally:
            for database in (name, restored):
                admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            admin.execute(f"DROP ROLE IF EXISTS {officer}")
            admin.execute(f"DROP ROLE IF EXISTS {owner}")
