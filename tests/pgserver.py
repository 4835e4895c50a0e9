"""A real PostgreSQL server for the tests: a developer's own, or a throw-away cluster.

``admin_url()`` gives a libpq URL of a superuser on a running server, made once
per test session: ``RETAIN_TEST_PG`` when set, else a cluster of our own made
with ``initdb`` and ``pg_ctl`` from the Debian package (``/usr/lib/postgresql/
<version>/bin``, the newest; ``initdb`` on ``PATH`` otherwise). The cluster lives
in a fresh temporary directory and listens only on a unix socket there: no TCP
port, so parallel sessions (other checkouts, CI) never collide and nothing on
the network can reach it. Its data is thrown away, so fsync, synchronous commit
and full-page writes are off. It is stopped and removed when the session ends
(the ``pg_admin_url`` fixture's finaliser, and ``atexit`` for a session that
dies in between); a cluster whose session was killed outright is removed by the
next session that starts one.

initdb refuses to run as root, so as root the binaries run as the ``postgres`` OS
user (which the Debian package creates), by ``subprocess``'s ``user=``: the
same setuid/setgid that ``runuser -u postgres --`` does, without a shell to quote
for or util-linux to depend on.

Nothing here starts anything, or imports psycopg, until a test asks for a server.
Under ``CI=true`` no server is a failure, never a skip: CI installs the package
(``.ci/run``), and a PostgreSQL half that silently skipped would prove nothing.
"""

from __future__ import annotations

import atexit
import glob
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import pytest

ENV_URL = "RETAIN_TEST_PG"
# Where the Debian package puts each major version's server binaries.
SEARCH_GLOBS: tuple[str, ...] = ("/usr/lib/postgresql/*/bin",)
SUPERUSER = "postgres"
# The socket file is <dir>/.s.PGSQL.<port>; the directory is private, so the
# default port never collides with another cluster.
PORT = 5432
DIR_PREFIX = "retain-pg-"
OWNER_FILE = "owner.pid"
# Captured at import, before a test's monkeypatched TMPDIR: the cluster outlives
# any one test.
TMP_ROOT = Path(tempfile.gettempdir())
START_TIMEOUT_S = 60
_PREFIX = re.compile(r"[a-z_][a-z0-9_]{0,40}")


@dataclass
class _Cluster:
    bindir: Path
    root: Path
    run_as: tuple[int, int] | None  # (uid, gid) when we are root

    @property
    def data(self) -> Path:
        return self.root / "data"


@dataclass
class _State:
    tried: bool = False
    url: str | None = None
    why: str = ""
    cluster: _Cluster | None = None
    databases: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


_state = _State()


def admin_url() -> str | None:
    """A superuser's URL on a running server, or None (``reason()`` says why)."""
    state = _state
    with state.lock:
        if not state.tried:
            state.tried = True
            try:
                state.url = _connect_or_start(state)
            except _NoServer as exc:
                state.url, state.why = None, str(exc)
            except OSError as exc:  # a temporary directory we may not make or chown
                state.url, state.why = None, f"could not set up a cluster: {_line(exc)}"
            else:
                # A session that never tears the fixture down still cleans up.
                atexit.register(shutdown)
        return state.url


def reason() -> str:
    """Why ``admin_url()`` gave None, in one line ("" when it did not)."""
    return _state.why


def ci_requires_server() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def no_server() -> NoReturn:
    """Skips the calling test with the reason, or fails it under CI."""
    message = f"no PostgreSQL server: {reason()}"
    if ci_requires_server():
        pytest.fail(f"{message} (CI=true: the PostgreSQL tests must run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """A superuser's URL on a real server for this session; skip (fail under CI) if none."""
    url = admin_url()
    if url is None:
        no_server()
    try:
        yield url
    finally:
        shutdown()


def fresh_database(prefix: str) -> str:
    """The URL of a new, empty database (C collation, UTF8), dropped at session end."""
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"database prefix must be lower-case snake_case: {prefix!r}")
    url = admin_url()
    if url is None:
        no_server()
    import psycopg
    from psycopg import sql

    name = f"{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(url, autocommit=True) as conn:
        # From 15 on: copying template0's files (and a checkpoint, cheap without
        # fsync) takes about half the time of the default WAL-logged copy.
        strategy = " STRATEGY FILE_COPY" if conn.info.server_version >= 150000 else ""
        conn.execute(
            sql.SQL(
                "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
                + strategy
            ).format(sql.Identifier(name))
        )
    _state.databases.append(name)
    return with_database(url, name)


def drop_database(url: str) -> None:
    """Drops a database of ``fresh_database`` now: a per-test fixture's teardown,
    so a long session does not pile up a copy of template0 (7 MB) per test."""
    name = unquote(urlsplit(url).path.lstrip("/"))
    admin = admin_url()
    if admin is None or name not in _state.databases:
        raise ValueError(f"not a database of fresh_database: {name!r}")
    _drop_databases(admin, [name])
    _state.databases.remove(name)


def with_database(url: str, name: str) -> str:
    """``url`` with its database replaced by ``name`` (user, host, options kept)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(name, safe="")))


def shutdown() -> None:
    """Drops this session's databases, stops and removes our cluster. Idempotent."""
    global _state
    state = _state
    with state.lock:
        # Our own cluster goes whole; a developer's server keeps running without them.
        if state.url is not None and state.cluster is None and state.databases:
            _drop_databases(state.url, state.databases)
        if state.cluster is not None:
            _stop(state.cluster)
        _state = _State()


class _NoServer(Exception):
    pass


def _connect_or_start(state: _State) -> str:
    try:
        import psycopg
    except ImportError as exc:
        raise _NoServer(f"psycopg is not installed ({exc}): pip install -e '.[test]'") from exc
    given = os.environ.get(ENV_URL, "").strip()
    if given:
        if not given.startswith(("postgresql://", "postgres://")):
            raise _NoServer(f"{ENV_URL} must be a postgresql:// URL")
        try:
            with psycopg.connect(given, autocommit=True, connect_timeout=10) as conn:
                row = conn.execute(
                    "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
                ).fetchone()
        except psycopg.Error as exc:
            raise _NoServer(
                f"{ENV_URL} is set but its server does not answer: {_line(exc)}"
            ) from exc
        if row != (True,):
            # The tests create databases and roles, and read past row-level security.
            raise _NoServer(f"{ENV_URL} must be a superuser's URL")
        return given
    cluster = _start(_find_bindir())
    state.cluster = cluster
    return (
        f"postgresql://{SUPERUSER}@/postgres?host={quote(str(cluster.root), safe='/')}&port={PORT}"
    )


def _find_bindir() -> Path:
    found: list[tuple[tuple[int, ...], Path]] = []
    for pattern in SEARCH_GLOBS:
        for name in glob.glob(pattern):
            bindir = Path(name)
            if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
                version = tuple(int(p) for p in re.findall(r"\d+", bindir.parent.name))
                found.append((version, bindir))
    if found:
        return max(found)[1]
    on_path = shutil.which("initdb")
    if on_path is not None and shutil.which("pg_ctl") is not None:
        return Path(on_path).resolve().parent
    raise _NoServer(
        f"PostgreSQL server binaries (initdb, pg_ctl) not found in {', '.join(SEARCH_GLOBS)}"
        f" or on PATH: apt-get install postgresql, or set {ENV_URL} to a server of yours"
    )


def _start(bindir: Path) -> _Cluster:
    run_as: tuple[int, int] | None = None
    if os.geteuid() == 0:
        import pwd

        try:
            entry = pwd.getpwnam(SUPERUSER)
        except KeyError as exc:
            raise _NoServer(
                f"running as root and there is no {SUPERUSER!r} OS user to run initdb as"
            ) from exc
        run_as = (entry.pw_uid, entry.pw_gid)
    _reap_abandoned()
    root = Path(tempfile.mkdtemp(prefix=DIR_PREFIX, dir=_base_dir(run_as is not None)))
    cluster = _Cluster(bindir, root, run_as)
    try:
        (root / OWNER_FILE).write_text(f"{os.getpid()}\n", encoding="ascii")
        if run_as is not None:
            os.chown(root, *run_as)
        _initdb(cluster)
        with (cluster.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                "\n# retain tests: a throw-away cluster on a private unix socket\n"
                "listen_addresses = ''\n"
                f"unix_socket_directories = '{_conf_quote(str(root))}'\n"
                f"port = {PORT}\n"
                "fsync = off\n"
                "synchronous_commit = off\n"
                "full_page_writes = off\n"
            )
        log = root / "server.log"
        start = [
            "pg_ctl",
            "-D",
            str(cluster.data),
            "-l",
            str(log),
            "-w",
            "-t",
            str(START_TIMEOUT_S),
        ]
        _run(
            cluster,
            [*start, "start"],
            what="pg_ctl start",
            log=log,
        )
    except BaseException:
        _stop(cluster)
        raise
    return cluster


def _base_dir(as_root: bool) -> Path:
    # The postgres user must reach the directory: a root-only TMPDIR (pytest's
    # tmp_path is under one) will not do, /tmp will.
    if as_root and not all(os.stat(p).st_mode & 0o001 for p in (TMP_ROOT, *TMP_ROOT.parents)):
        return Path("/tmp")
    return TMP_ROOT


def _initdb(cluster: _Cluster) -> None:
    base = ["initdb", "-D", str(cluster.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
            "--no-sync"]  # fmt: skip
    try:
        _run(cluster, [*base, "--locale=C.UTF-8"], what="initdb")
    except _NoServer:
        # A system without the C.UTF-8 locale (macOS): plain C collates the same.
        shutil.rmtree(cluster.data, ignore_errors=True)
        _run(cluster, [*base, "--no-locale"], what="initdb")


def _run(cluster: _Cluster, argv: list[str], *, what: str, log: Path | None = None) -> None:
    argv = [str(cluster.bindir / argv[0]), *argv[1:]]
    # The server takes nothing from a developer's PG* variables (PGDATA, PGPORT ...).
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG") and k != "TMPDIR"}
    env["LC_ALL"] = "C"
    kwargs: dict[str, Any] = {}
    if cluster.run_as is not None:
        uid, gid = cluster.run_as
        kwargs = {"user": uid, "group": gid, "extra_groups": []}
    try:
        done = subprocess.run(
            argv,
            # The postgres user may not be able to read our working directory,
            # and initdb looks for its own executable from there.
            cwd=cluster.root,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S + 30,
            check=False,
            **kwargs,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise _NoServer(f"{what} could not run: {_line(exc)}") from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()
        if log is not None and log.exists():
            detail = log.read_text(encoding="utf-8", errors="replace").strip() or detail
        last = detail.splitlines()[-1] if detail else f"exit {done.returncode}"
        raise _NoServer(f"{what} failed: {last}")


def _stop(cluster: _Cluster) -> None:
    # Immediate shutdown: the data is thrown away, so no checkpoint is worth waiting for.
    if (cluster.data / "postmaster.pid").exists():
        try:
            stop = ["pg_ctl", "-D", str(cluster.data), "-m", "immediate", "-w", "stop"]
            _run(cluster, stop, what="pg_ctl stop")
        except _NoServer:
            _kill_postmaster(cluster.data)
    shutil.rmtree(cluster.root, ignore_errors=True)


def _kill_postmaster(data: Path) -> None:
    try:
        pid = int((data / "postmaster.pid").read_text(encoding="ascii").split()[0])
        os.kill(pid, signal.SIGQUIT)  # the postmaster's immediate shutdown
    except (OSError, ValueError, IndexError):
        return
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def _reap_abandoned() -> None:
    """Removes clusters of sessions that were killed before they could clean up."""
    for root in {*TMP_ROOT.glob(DIR_PREFIX + "*"), *Path("/tmp").glob(DIR_PREFIX + "*")}:
        try:
            owner = int((root / OWNER_FILE).read_text(encoding="ascii"))
        except (OSError, ValueError):
            continue
        if _alive(owner):
            continue
        _kill_postmaster(root / "data")
        shutil.rmtree(root, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    try:
        # A zombie (an init that is slow to reap, in a container) is dead to us.
        return (
            Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
            != "Z"
        )
    except (OSError, IndexError):
        return True


def _drop_databases(url: str, names: list[str]) -> None:
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            for name in names:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
    except psycopg.Error:
        pass  # a developer's server gone away: nothing left to drop on it


def _conf_quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "''")


def _line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
