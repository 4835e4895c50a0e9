"""Shared fixtures: a fresh store per test and a way to run the real CLI."""

from __future__ import annotations

import csv
import functools
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from retain.cli import app
from tests.pgserver import pg_admin_url  # noqa: F401  (the session's PostgreSQL server)

TODAY = "2026-12-01"
GB_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_id_number(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, GB_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


class Cli:
    """Runs ``retain`` in-process against this test's private store: a SQLite file,
    or (``RETAIN_TEST_STORE=postgresql``) a fresh database on the test server."""

    def __init__(self, db: Path | str, today: str = TODAY) -> None:
        self.db = db
        self.today = today
        self.runner = CliRunner()

    @property
    def on_postgres(self) -> bool:
        return isinstance(self.db, str)

    def connect(self) -> Any:
        """A connection to this test's store for a test's own SQL (set-up and
        checks), sqlite3's or its PostgreSQL twin: the same SQL runs on both.
        Statements commit as they run; ``with conn:`` is not needed."""
        if isinstance(self.db, str):
            from retain.postgres.connection import PgConnection

            return PgConnection.connect(self.db)
        import sqlite3

        conn = sqlite3.connect(self.db, isolation_level=None)
        conn.row_factory = sqlite3.Row
        return conn

    def sql(self, query: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        """Run one statement on this test's store; its rows (sqlite3.Row-like)."""
        conn = self.connect()
        try:
            return list(conn.execute(query, params).fetchall())
        finally:
            conn.close()

    def __call__(
        self,
        *args: str,
        input: str | bytes | None = None,
        env: dict[str, str] | None = None,
        today: str | None = None,
    ) -> Result:
        full = ["--db", str(self.db), "--today", today or self.today, *args]
        base_env = {"RETAIN_TTY": "0", "COLUMNS": "200", "RETAIN_LANG": "en"}
        base_env.update(env or {})
        result = self.runner.invoke(app, full, input=input, env=base_env, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # `pytest -m postgres` runs (and `-m "not postgres"` leaves out) every test
    # that needs the server, however indirectly it asks for it.
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_server = callspec is not None and callspec.params.get("cli") == "postgresql"
        if on_server or "pg_admin_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("RETAIN_DB", "RETAIN_TODAY", "RETAIN_LANG", "RETAIN_CONFIG", "LC_ALL", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RETAIN_CONFIG", str(tmp_path / "no-config.toml"))
    # A temporary root of the test's own: leftovers of other runs in /tmp (which
    # `doctor` reports and imports clean) are not this test's business.
    private_tmp = tmp_path.parent / f"{tmp_path.name}-tmp"
    private_tmp.mkdir(exist_ok=True)
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    # Files a command writes beside its input or in the working directory (the
    # rejects file of an import from stdin) belong to the test, not the checkout.
    monkeypatch.chdir(tmp_path)


@pytest.fixture(params=["calamine", "openpyxl"])
def xlsx_reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs a test once per .xlsx reader: calamine reads small formula-free
    workbooks, openpyxl streams big ones and those with formulas."""
    if request.param == "openpyxl":
        from retain.importing import read

        monkeypatch.setattr(read, "CALAMINE_MAX_XML_BYTES", -1)
    return str(request.param)


def _base_nodeid(nodeid: str) -> str:
    return nodeid.split("[", 1)[0]


@functools.cache
def pg_pending() -> dict[str, str]:
    """Tests that do not pass on PostgreSQL yet (tests/pg_pending.txt: a node id
    without parameters, a tab, why): skipped there with the reason, so that the
    list is the open work, in one place."""
    listing = Path(__file__).with_name("pg_pending.txt")
    pending: dict[str, str] = {}
    for line in listing.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            nodeid, _, why = line.partition("\t")
            pending[nodeid.strip()] = why.strip() or "see tests/pg_pending.txt"
    return pending


def store_kinds() -> list[str]:
    """The stores the suite's ``cli`` fixture runs each test on: both by default
    (RETAIN_TEST_STORE=sqlite or =postgresql for one)."""
    raw = os.environ.get("RETAIN_TEST_STORE", "sqlite,postgresql")
    return [kind.strip() for kind in raw.split(",") if kind.strip()]


@pytest.fixture(params=store_kinds())
def cli(tmp_path: Path, request: pytest.FixtureRequest) -> Cli:
    """This test's store and CLI, once on SQLite and once on PostgreSQL."""
    if request.param == "postgresql":
        if request.node.get_closest_marker("sqlite_only"):
            pytest.skip("about the SQLite store file itself")
        pending = pg_pending().get(_base_nodeid(request.node.nodeid))
        if pending is not None:
            pytest.skip(f"not yet on PostgreSQL: {pending}")
        request.getfixturevalue("pg_admin_url")  # skipped with the reason, or failed under CI
        from tests.pgstores import fresh_store

        url, drop = fresh_store()
        request.addfinalizer(drop)
        return Cli(url)
    return Cli(tmp_path / "store" / "retain.db")


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


CUSTOMER_HEADER = [
    "客户编号",
    "客户名称",
    "手机号码",
    "身份证号",
    "所属行业",
    "客户经理",
    "客户分层",
]
LOAN_HEADER = [
    "借据编号", "客户编号", "贷款金额(元)", "放款日期", "到期日期", "担保方式", "贷款状态", "结清日期",
    "贷款余额", "逾期天数",
]  # fmt: skip


@pytest.fixture
def make_csv(tmp_path: Path) -> Callable[..., Path]:
    def make(name: str, rows: Sequence[Sequence[object]], **kwargs: Any) -> Path:
        return write_csv(tmp_path / name, rows, **kwargs)

    return make


@pytest.fixture
def seeded(cli: Cli, make_csv: Callable[..., Path]) -> Cli:
    """A store with three customers and a handful of loans around 2026-12-01."""
    customers = make_csv(
        "customers.csv",
        [
            CUSTOMER_HEADER,
            ["C1", "王建国", "13812348001", valid_id_number("11010519491231002"), "粮油", "王芳", "批发市场商户"],
            ["C2", "=cmd|' /C calc'!A0", "13912348002", "", "烟酒", "李强", ""],
            ["C3", "䶮记", "15012348003", "", "服装加工", "王芳", ""],
        ],
    )  # fmt: skip
    loans = make_csv(
        "loans.csv",
        [
            LOAN_HEADER,
            ["L1", "C1", "100,000.00", "2025-12-01", "2026-12-01", "信用", "正常", "", "40000", ""],
            ["L2", "C2", "50000", "2025-12-31", "2026-12-31", "保证", "正常", "", "", ""],
            ["L3", "C3", "80000", "2026-01-01", "2027-01-01", "抵押", "正常", "", "", ""],
            ["L4", "C1", "20000", "2025-06-01", "2026-11-30", "信用", "逾期", "", "20000", "1"],
            [
                "L5",
                "C3",
                "30000",
                "2025-06-01",
                "2026-12-10",
                "质押",
                "结清",
                "2026-11-01",
                "0",
                "",
            ],
        ],
    )
    assert cli("import", "customers", str(customers)).exit_code == 0
    assert cli("import", "loans", str(loans)).exit_code == 0
    return cli
