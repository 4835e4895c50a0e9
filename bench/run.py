"""Benchmark retain against plain reference tools; prints a Markdown table.

    python bench/run.py                                   # 1M loans, 200k customers
    python bench/run.py --loans 100000 --customers 20000  # a quick check
    python bench/run.py --keep /tmp/retain-bench          # keep stores and outputs

Every measurement runs whole processes (``subprocess``; wall time with
``time.perf_counter``, peak RSS from ``os.wait4``), ``--runs`` times each,
alternating retain and the reference, and reports the MEDIAN. Untimed set-up
(a fresh store per import run, warm-up runs) happens between runs.

The data comes from ``bench/generate.py`` and is cached in ``bench/out/``
(git-ignored) keyed by size, seed, today and the generator's own hash. The
table is also written to ``bench/out/results.md``.

References:

* import, the floor (the main column): the ``sqlite3`` CLI's ``.import --csv
  --skip 1`` of the same CSV (one transaction) into a plain table with retain's
  column types only (no constraints, no primary key, no index) and the CLI's
  default pragmas: the least it costs to get those rows into SQLite. Three
  retain figures use it: a fresh import (the store holds the customers), a
  re-import of the same file, and a re-import of a variant with 1% of the rows
  changed (``loans-1pct.csv``, made deterministically next to the data).
* import, the indexed reference (second column): ``.import``
  into a table with retain's typed column definitions (read at run time from a
  store retain itself created, so they follow its migrations; restricted to
  the CSV's columns, in CSV order) and retain's indexes on those columns, with
  retain's pragmas (WAL, ``synchronous=FULL``, ``foreign_keys=ON``).
* due: ``sqlite3 -csv -header`` running the plain join behind
  ``retain.queries.due_loans`` (same join, WHERE and ORDER BY; raw values: money
  in fen, full phones, no days_left) on retain's own store, which has the index.
* --help: a one-command bare Typer app (``bench/bare_typer.py``, Typer's
  defaults: Rich help) on the same Python; reported beside it, not a target, the
  same app configured like retain (``bench/bare_typer_like_retain.py``: plain
  help, no completion), whose difference from retain is retain's own code.
* calls, noloan: an absolute ceiling on retain's wall time; the reference
  column shows the bare Typer app's start-up for scale (no ratio).

To add a measurement, append a :class:`Measurement` in :func:`measurements`.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import hashlib
import importlib.util
import io
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"

# File field → store column, where they differ (retain.importing.upsert.LOAN_COLUMNS).
STORE_COLUMNS = {"principal": "principal_fen", "balance": "balance_fen"}
# retain.store.Store._configure, so the reference pays for the same durability.
REFERENCE_PRAGMAS = ("PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON")
DUE_DAYS = 30
IMPORT_RSS_TARGET_MB = 150.0


# ---------------------------------------------------------------------------
# tools and machine


def venv_python() -> str:
    candidate = ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def retain_exe() -> str:
    candidate = ROOT / ".venv" / "bin" / "retain"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("retain")
    if found is None:
        sys.exit("retain is not installed: expected .venv/bin/retain (pip install -e .)")
    return found


def require_sqlite3() -> str:
    found = shutil.which("sqlite3")
    if found is None:
        print(
            "The sqlite3 command-line shell is needed for the reference measurements.\n"
            "Install it, e.g.:  sudo apt-get install sqlite3   (Debian/Ubuntu)\n"
            "                   brew install sqlite            (macOS)",
            file=sys.stderr,
        )
        sys.exit(2)
    return found


def _output(cmd: Sequence[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def machine_lines(python: str, sqlite3_cli: str) -> list[str]:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    py = _output(
        [python, "-c", "import sys, sqlite3; print(sys.version.split()[0], sqlite3.sqlite_version)"]
    ).split()
    commit = _output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = _output(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"])
    dirty_note = f" + {len(dirty.splitlines())} uncommitted file(s) under src/" if dirty else ""
    return [
        f"- date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {platform.platform()}; {cpu}; nproc {nproc}",
        f"- python: {py[0] if py else '?'} ({python}); its sqlite library "
        f"{py[1] if len(py) > 1 else '?'}",
        f"- sqlite3 CLI: {_output([sqlite3_cli, '--version']).split(' ')[0]} ({sqlite3_cli})",
        f"- retain: commit {commit}{dirty_note}",
    ]


# ---------------------------------------------------------------------------
# data


def _load_module(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look the module up while it loads
    spec.loader.exec_module(module)
    return module


def ensure_data(loans: int, customers: int, seed: int, today: dt.date) -> Path:
    """Generate the CSVs once per (size, seed, today, generator version)."""
    generator = BENCH / "generate.py"
    version = hashlib.sha256(generator.read_bytes()).hexdigest()[:12]
    directory = OUT / f"data-{loans}l-{customers}c-s{seed}-{today.isoformat()}"
    stamp = directory / "COMPLETE"
    if stamp.exists() and stamp.read_text().strip() == version:
        print(f"data: cached in {directory}", file=sys.stderr)
        return directory
    print(f"data: generating {loans:,} loans, {customers:,} customers …", file=sys.stderr)
    stamp.unlink(missing_ok=True)
    gen = _load_module("retain_bench_generate", generator)
    start = time.perf_counter()
    gen.generate(gen.Spec(loans=loans, customers=customers, out=directory, seed=seed, today=today))
    print(f"data: generated in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    stamp.write_text(version + "\n")
    return directory


def csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


# ---------------------------------------------------------------------------
# reference schema: retain's own column definitions, restricted to a CSV header


def store_schema(store: Path) -> sqlite3.Connection:
    """An empty in-memory copy of the schema of a store retain created (the real one)."""
    schema = sqlite3.connect(":memory:")
    with contextlib.closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True)) as source:
        statements = source.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
            " ORDER BY rowid"
        ).fetchall()
    for (sql,) in statements:
        schema.execute(sql)
    return schema


def _split_top_level(body: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return [" ".join(p.split()) for p in parts if p.strip()]


_TABLE_CONSTRAINTS = ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN")


def typed_table_sql(schema: sqlite3.Connection, table: str, header: Sequence[str]) -> list[str]:
    """CREATE TABLE (and CREATE INDEX) statements for ``table`` with only ``header``'s columns.

    Each column keeps retain's definition (type, NOT NULL, CHECK, REFERENCES) but
    takes the CSV's name (principal_fen → principal). Indexes whose columns are
    all present are kept too, so the reference maintains the same B-trees.
    """
    row = schema.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    if row is None:
        raise SystemExit(f"no table {table!r} in retain's store")
    create = row[0]
    body = create[create.index("(") + 1 : create.rindex(")")]
    definitions: dict[str, str] = {}
    for part in _split_top_level(body):
        name, _, rest = part.partition(" ")
        if name.upper() not in _TABLE_CONSTRAINTS:
            definitions[name] = rest
    renamed = {STORE_COLUMNS.get(h, h): h for h in header}
    columns = []
    for field_name in header:
        column = STORE_COLUMNS.get(field_name, field_name)
        if column not in definitions:
            raise SystemExit(f"CSV column {field_name!r} has no column {column!r} in {table}")
        rest = definitions[column]
        if column != field_name:
            rest = re.sub(rf"\b{re.escape(column)}\b", field_name, rest)
        columns.append(f"    {field_name} {rest}")
    statements = [f"CREATE TABLE {table} (\n" + ",\n".join(columns) + "\n)"]
    for _, index, _unique, origin, *_ in schema.execute(f"PRAGMA index_list({table})"):
        if origin != "c":  # automatic (PRIMARY KEY / UNIQUE) indexes come with the table
            continue
        cols = [r[2] for r in schema.execute(f"PRAGMA index_info({index})")]
        if all(c in renamed for c in cols):
            statements.append(
                f"CREATE INDEX {index} ON {table} ({', '.join(renamed[c] for c in cols)})"
            )
    return statements


def plain_table_sql(schema: sqlite3.Connection, table: str, header: Sequence[str]) -> list[str]:
    """The floor's table: ``header``'s columns with retain's declared types only."""
    create = typed_table_sql(schema, table, header)[0]
    body = create[create.index("(") + 1 : create.rindex(")")]
    columns = []
    for part in _split_top_level(body):
        name, _, rest = part.partition(" ")
        columns.append(f"    {name} {rest.split()[0]}")
    return [f"CREATE TABLE {table} (\n" + ",\n".join(columns) + "\n)"]


CHANGED_EVERY = 100  # the variant file changes one data row in this many


def changed_variant(loans_csv: Path) -> Path:
    """``loans-1pct.csv``: the loans file with every 100th row's balance changed
    (down by 100 yuan, or the product renamed when the balance is too small), so
    a re-import updates exactly 1% of the loans. Made once, deterministically."""
    target = loans_csv.with_name("loans-1pct.csv")
    stamp = loans_csv.with_name("loans-1pct.done")
    if stamp.exists() and target.exists():
        return target
    with (
        loans_csv.open(encoding="utf-8", newline="") as src,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.reader(src)
        writer = csv.writer(out, lineterminator="\n")
        header = next(reader)
        writer.writerow(header)
        balance, product = header.index("balance"), header.index("product")
        for i, row in enumerate(reader):
            if i % CHANGED_EVERY == CHANGED_EVERY // 2:
                value = row[balance]
                if value and float(value) >= 200:
                    row[balance] = f"{float(value) - 100:.2f}"
                else:
                    row[product] = (row[product] or "贷款") + "（调整）"
            writer.writerow(row)
    stamp.write_text("1\n")
    return target


def due_reference_sql(today: dt.date, days: int) -> str:
    """The plain join behind ``retain due`` (sort=maturity, no filters), as text.

    The same rows in the same order as ``retain.queries.due_loans``, with the
    same columns, but raw: money in fen, no masking, no days_left arithmetic:
    what the ``sqlite3`` CLI costs to find and print them (issue 9's reference).
    """
    end = today + dt.timedelta(days=days)
    return (
        "SELECT l.loan_id, l.customer_id, c.name, c.phone,"
        " c.officer, c.industry, l.guarantee, l.status,"
        " l.principal_fen, l.balance_fen, l.disbursed_on, l.matures_on, l.matures_day"
        " FROM loans l JOIN customers c ON c.customer_id = l.customer_id"
        " WHERE l.status IN ('active', 'overdue')"
        f" AND l.matures_day >= {day_number(today)} AND l.matures_day <= {day_number(end)}"
        " ORDER BY l.matures_on, l.loan_id"
    )


def day_number(day: dt.date) -> int:
    """retain's day numbers: days since 1970-01-01."""
    return (day - dt.date(1970, 1, 1)).days


def overdue_reference_sql(today: dt.date) -> str:
    """The SELECT of ``retain.arrears.overdue_loans`` (no filters, English class
    names), with money, phone masking and classes done in SQL as retain prints them."""
    t = day_number(today)
    dpd = (
        f"COALESCE(l.days_past_due, CASE WHEN l.matures_day < {t}"
        f" THEN {t} - l.matures_day ELSE 0 END)"
    )
    classes = (
        "CASE WHEN {c} <= 0 THEN 'normal' WHEN {c} <= 90 THEN 'special mention'"
        " WHEN {c} <= 180 THEN 'substandard' WHEN {c} <= 360 THEN 'doubtful' ELSE 'loss' END"
    )
    return (
        "WITH p AS (SELECT l.loan_id, l.customer_id, l.guarantee, l.status, l.principal_fen,"
        f" l.balance_fen, l.matures_on, {dpd} AS days_past_due FROM loans l"
        " WHERE l.status NOT IN ('closed', 'written_off')"
        f" AND ({dpd} > 0 OR l.status = 'overdue')),"
        " w AS (SELECT customer_id, MAX(days_past_due) AS worst FROM p GROUP BY customer_id)"
        " SELECT p.loan_id, p.customer_id, c.name,"
        " CASE WHEN c.phone IS NULL OR c.phone = '' THEN ''"
        "  WHEN length(c.phone) < 8 THEN substr('**********', 1, length(c.phone))"
        "  ELSE substr(c.phone, 1, 3) || substr('**********', 1, length(c.phone) - 7)"
        "   || substr(c.phone, -4) END AS phone,"
        " c.officer, p.guarantee, p.status,"
        " printf('%.2f', p.principal_fen / 100.0) AS principal,"
        " CASE WHEN p.balance_fen IS NULL THEN NULL"
        "  ELSE printf('%.2f', p.balance_fen / 100.0) END AS balance,"
        " p.matures_on, p.days_past_due,"
        f" {classes.format(c='p.days_past_due')} AS class,"
        f" {classes.format(c='w.worst')} AS customer_class,"
        " c.last_contact_at AS last_contact"
        " FROM p JOIN w ON w.customer_id = p.customer_id"
        " JOIN customers c ON c.customer_id = p.customer_id"
        " ORDER BY p.days_past_due DESC, p.loan_id"
    )


# ---------------------------------------------------------------------------
# running processes


@dataclass
class Sample:
    seconds: float
    max_rss_mb: float


# Runs argv[2:] as a child and writes "<wall seconds> <child's ru_maxrss KiB>" to argv[1].
# Why a launcher: on Linux a child's ru_maxrss starts at the peak RSS of the process it
# was forked from (the copied address space counts at exec), so children of this
# script would all report at least this script's own peak (100s of MB after a check
# has parsed a big CSV). The launcher is a minimal Python (-I -S, ~10 MB), so the
# floor is low and the same for every command. The clock runs from just before the
# fork to the reaping of the child: the whole process, not the launcher's start-up.
LAUNCHER = """\
import os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(out, "w") as fh:
    fh.write(f"{seconds!r} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_once(cmd: Sequence[str], *, cwd: Path) -> Sample:
    """Run ``cmd`` to completion, stdout to /dev/null: wall time and its own peak RSS."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "sample"
        launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER, str(report), *cmd]
        done = subprocess.run(
            launcher, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, env=_child_env()
        )
        if done.returncode != 0:
            err.seek(0)
            tail = err.read()[-2000:].decode("utf-8", "replace")
            raise RuntimeError(f"exit {done.returncode}: {' '.join(cmd)}\n{tail}")
        seconds, max_rss_kib = report.read_text().split()
    return Sample(float(seconds), int(max_rss_kib) / 1024)  # ru_maxrss is in KiB on Linux


def capture(cmd: Sequence[str], *, cwd: Path) -> str:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, env=_child_env())
    if done.returncode != 0:
        raise RuntimeError(
            f"exit {done.returncode}: {' '.join(cmd)}\n{done.stderr.decode(errors='replace')}"
        )
    return done.stdout.decode("utf-8")


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETAIN_")}
    env["RETAIN_LANG"] = "en"
    return env


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def copy_db(source: Path, target: Path) -> None:
    remove_db(target)
    shutil.copyfile(source, target)
    wal = Path(f"{source}-wal")
    if wal.exists() and wal.stat().st_size > 0:  # not checkpointed: part of the database
        shutil.copyfile(wal, f"{target}-wal")


# ---------------------------------------------------------------------------
# measurements


@dataclass
class Measurement:
    """One line of the table: retain's command against a reference command.

    ``target`` is the highest acceptable retain/reference ratio of median wall
    times (None: reported only). ``abs_target_s`` is instead a ceiling on retain's
    median wall time in seconds (the reference is then shown for scale only).
    ``rss_target_mb`` adds a peak-memory line.
    Callables are untimed: ``prepare`` once before the first run,
    ``before_retain`` / ``before_reference`` before every run of that side,
    ``check`` once after the runs (returns a line to print; raise on failure).
    """

    name: str
    retain_cmd: Sequence[str]
    reference_cmd: Sequence[str]
    target: float | None
    rss_target_mb: float | None = None
    warmup: int = 0
    prepare: Callable[[], None] | None = None
    before_retain: Callable[[], None] | None = None
    before_reference: Callable[[], None] | None = None
    check: Callable[[], str] | None = None
    abs_target_s: float | None = None  # a wall-time ceiling for retain alone
    # A second reference, reported beside the first (no target): the import's
    # indexed reference, while the floor is the main one.
    second_cmd: Sequence[str] | None = None
    before_second: Callable[[], None] | None = None


@dataclass
class Result:
    measurement: Measurement
    retain: list[Sample] = field(default_factory=list)
    reference: list[Sample] = field(default_factory=list)
    second: list[Sample] = field(default_factory=list)
    check_line: str | None = None
    check_failed: bool = False


@dataclass
class Bench:
    """Paths and commands shared by the measurements, and their untimed fixtures."""

    data: Path
    work: Path
    today: dt.date
    retain: str
    python: str
    sqlite3: str
    loans: int
    customers: int

    def __post_init__(self) -> None:
        self.customers_csv = self.data / "customers.csv"
        self.loans_csv = self.data / "loans.csv"
        self.changed_csv = changed_variant(self.loans_csv)
        self.ensure_customers_template()
        self.schema = store_schema(self.customers_template)

    def r(self, db: Path, *args: str) -> list[str]:
        """A retain command line with the global options first."""
        return [self.retain, "--db", str(db), "--today", self.today.isoformat(), *args]

    # -- untimed fixtures, built on first use ---------------------------------
    @property
    def customers_template(self) -> Path:
        """A store holding the customers only: copied before each loans import."""
        return self.work / "customers-template.db"

    @property
    def loaded_template(self) -> Path:
        """A store holding the customers and loans.csv's loans: copied before each re-import."""
        return self.work / "loaded-template.db"

    def ensure_loaded_template(self) -> None:
        if not self.loaded_template.exists():
            self.ensure_customers_template()
            copy_db(self.customers_template, self.loaded_template)
            capture(
                self.r(self.loaded_template, "import", "loans", str(self.loans_csv)), cwd=self.work
            )

    def floor_create(self, path: Path, table: str, csv_path: Path) -> None:
        """A fresh floor db: one plain typed table, the sqlite3 CLI's default pragmas."""
        remove_db(path)
        statements = plain_table_sql(self.schema, table, csv_header(csv_path))
        subprocess.run(
            [self.sqlite3, str(path)],
            input=";\n".join(statements) + ";\n",
            text=True,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def floor_import(self, path: Path, csv_path: Path, table: str) -> list[str]:
        return [self.sqlite3, str(path), f".import --csv --skip 1 {csv_path} {table}"]

    @property
    def import_store(self) -> Path:
        return self.work / "import.db"

    @property
    def query_store(self) -> Path:
        """The full store (customers + loans) that the query commands read."""
        return self.work / "query.db"

    @property
    def ref_customers_template(self) -> Path:
        return self.work / "ref-customers-template.db"

    def ensure_customers_template(self) -> None:
        if not self.customers_template.exists():
            capture(
                self.r(self.customers_template, "import", "customers", str(self.customers_csv)),
                cwd=self.work,
            )

    def ensure_query_store(self) -> None:
        path = self.query_store
        if path.exists():
            return
        if self.loaded_template.exists():  # the loans of loans.csv (not of the 1% variant)
            copy_db(self.loaded_template, path)
            return
        if self.import_store.exists():  # the last loans import run left a full store
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{self.import_store}{suffix}").exists():
                    os.replace(f"{self.import_store}{suffix}", f"{path}{suffix}")
            return
        self.ensure_customers_template()
        copy_db(self.customers_template, path)
        capture(self.r(path, "import", "loans", str(self.loans_csv)), cwd=self.work)

    def ensure_ref_customers_template(self) -> None:
        path = self.ref_customers_template
        if not path.exists():
            self.ref_create(path, [("customers", self.customers_csv), ("loans", self.loans_csv)])
            capture(self.ref_import(path, self.customers_csv, "customers"), cwd=self.work)

    # -- reference databases -------------------------------------------------
    def ref_create(self, path: Path, tables: Sequence[tuple[str, Path]]) -> None:
        """A fresh reference db: typed tables for these CSVs, in WAL mode like retain."""
        remove_db(path)
        statements = ["PRAGMA journal_mode = WAL"]
        for table, csv_path in tables:
            statements += typed_table_sql(self.schema, table, csv_header(csv_path))
        subprocess.run(
            [self.sqlite3, str(path)],
            input=";\n".join(statements) + ";\n",
            text=True,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def ref_import(self, path: Path, csv_path: Path, table: str) -> list[str]:
        return [
            self.sqlite3,
            str(path),
            *REFERENCE_PRAGMAS,
            f".import --csv --skip 1 {csv_path} {table}",
        ]


def count_rows(db: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def csv_rows(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[1:]  # without the header


def measurements(b: Bench) -> list[Measurement]:
    """Every line of the table, in order. Add new measurements here."""
    work = b.work
    ref_customers = work / "ref-customers.db"
    retain_customers = work / "customers.db"
    ref_loans = work / "ref-loans.db"
    floor_loans = work / "floor-loans.db"
    due_csv_args = ("due", "--days", str(DUE_DAYS), "--format", "csv")
    due_sql = due_reference_sql(b.today, DUE_DAYS)

    def check_import() -> str:
        got = count_rows(b.import_store, "loans")
        ref = count_rows(ref_loans, "loans")
        if got != b.loans or ref != b.loans:
            raise AssertionError(
                f"loans stored: retain {got:,}, reference {ref:,}, file {b.loans:,}"
            )
        return f"import loans: retain and reference both hold {got:,} loans"

    def check_reimport(path: Path, changed: int) -> Callable[[], str]:
        def check() -> str:
            lines = capture(
                [
                    b.sqlite3,
                    str(b.import_store),
                    "SELECT count(*) FROM loans;",
                    "SELECT updated, unchanged FROM imports ORDER BY import_id DESC LIMIT 1;",
                ],
                cwd=work,
            ).split()
            got, (updated, unchanged) = int(lines[0]), map(int, lines[1].split("|"))
            if got != b.loans or updated != changed or updated + unchanged != b.loans:
                raise AssertionError(
                    f"{path.name}: {got:,} loans stored, {updated:,} updated, "
                    f"{unchanged:,} unchanged; expected {changed:,} updated"
                )
            return f"re-import {path.name}: {updated:,} updated, {unchanged:,} unchanged"

        return check

    changed_rows = (b.loans + CHANGED_EVERY // 2) // CHANGED_EVERY

    def floor(csv_path: Path) -> dict[str, object]:
        """The floor as the main reference, the indexed import as the second."""
        return {
            "reference_cmd": b.floor_import(floor_loans, csv_path, "loans"),
            "before_reference": lambda: b.floor_create(floor_loans, "loans", csv_path),
            "second_cmd": b.ref_import(ref_loans, csv_path, "loans"),
            "before_second": lambda: copy_db(b.ref_customers_template, ref_loans),
        }

    def check_due() -> str:
        mine = csv_rows(capture(b.r(b.query_store, *due_csv_args), cwd=work))
        theirs = csv_rows(
            capture([b.sqlite3, "-csv", "-header", str(b.query_store), due_sql], cwd=work)
        )
        if len(mine) != len(theirs):
            raise AssertionError(f"due rows: retain {len(mine):,} != reference {len(theirs):,}")
        # The reference prints raw values (fen, full phones): compare which loans, in order.
        same = (
            "same loans, same order"
            if [r[0] for r in mine] == [r[0] for r in theirs]
            else "same count, loans or order DIFFER"
        )
        return (
            f"due --days {DUE_DAYS}: retain {len(mine):,} rows, reference {len(theirs):,} ({same})"
        )

    overdue_sql = overdue_reference_sql(b.today)

    def check_overdue() -> str:
        mine = csv_rows(
            capture(b.r(b.query_store, "--lang", "en", "overdue", "--format", "csv"), cwd=work)
        )
        theirs = csv_rows(
            capture([b.sqlite3, "-csv", "-header", str(b.query_store), overdue_sql], cwd=work)
        )
        if len(mine) != len(theirs):
            raise AssertionError(f"overdue rows: retain {len(mine):,} != reference {len(theirs):,}")
        # The reference computes the columns retain had when it was written;
        # later columns (guarantors, the promise's) are compared by nothing.
        width = len(theirs[0]) if theirs else 0
        same = "identical" if [r[:width] for r in mine] == theirs else "same count, contents DIFFER"
        return (
            f"overdue: retain {len(mine):,} rows, reference {len(theirs):,}"
            f" ({same} in the reference's {width} columns)"
        )

    return [
        Measurement(
            name=f"import customers ({b.customers:,} rows, fresh store)",
            retain_cmd=b.r(retain_customers, "import", "customers", str(b.customers_csv)),
            reference_cmd=b.ref_import(ref_customers, b.customers_csv, "customers"),
            target=None,
            before_retain=lambda: remove_db(retain_customers),
            before_reference=lambda: b.ref_create(ref_customers, [("customers", b.customers_csv)]),
        ),
        Measurement(
            name=f"import loans ({b.loans:,} rows, store with the customers) vs the floor",
            retain_cmd=b.r(b.import_store, "import", "loans", str(b.loans_csv)),
            target=6.0,
            rss_target_mb=IMPORT_RSS_TARGET_MB,
            prepare=lambda: (b.ensure_customers_template(), b.ensure_ref_customers_template()),
            before_retain=lambda: copy_db(b.customers_template, b.import_store),
            check=check_import,
            **floor(b.loans_csv),  # type: ignore[arg-type]
        ),
        Measurement(
            name=f"re-import loans, the same file ({b.loans:,} rows unchanged) vs the floor",
            retain_cmd=b.r(b.import_store, "import", "loans", str(b.loans_csv)),
            target=3.0,
            rss_target_mb=IMPORT_RSS_TARGET_MB,
            prepare=lambda: (b.ensure_loaded_template(), b.ensure_ref_customers_template()),
            before_retain=lambda: copy_db(b.loaded_template, b.import_store),
            check=check_reimport(b.loans_csv, 0),
            **floor(b.loans_csv),  # type: ignore[arg-type]
        ),
        Measurement(
            name=f"re-import loans, 1% changed ({changed_rows:,} of {b.loans:,} rows) vs the floor",
            retain_cmd=b.r(b.import_store, "import", "loans", str(b.changed_csv)),
            target=4.0,
            rss_target_mb=IMPORT_RSS_TARGET_MB,
            prepare=lambda: (b.ensure_loaded_template(), b.ensure_ref_customers_template()),
            before_retain=lambda: copy_db(b.loaded_template, b.import_store),
            check=check_reimport(b.changed_csv, changed_rows),
            **floor(b.changed_csv),  # type: ignore[arg-type]
        ),
        Measurement(
            name=f"due --days {DUE_DAYS} --format csv",
            retain_cmd=b.r(b.query_store, *due_csv_args),
            reference_cmd=[b.sqlite3, "-csv", "-header", str(b.query_store), due_sql],
            target=3.0,
            warmup=1,
            prepare=b.ensure_query_store,
            check=check_due,
        ),
        Measurement(
            name="--help (start-up)",
            retain_cmd=[b.retain, "--help"],
            reference_cmd=[b.python, str(BENCH / "bare_typer.py"), "--help"],
            target=1.3,
            warmup=1,
        ),
        Measurement(
            name="--help vs a bare app configured like retain (reported only)",
            retain_cmd=[b.retain, "--help"],
            reference_cmd=[b.python, str(BENCH / "bare_typer_like_retain.py"), "--help"],
            target=None,
            warmup=1,
        ),
        Measurement(
            name="calls (20 best of all customers) --format csv",
            retain_cmd=b.r(b.query_store, "calls", "--format", "csv"),
            reference_cmd=[b.python, str(BENCH / "bare_typer.py"), "--help"],
            target=None,
            abs_target_s=1.0,
            warmup=1,
            prepare=b.ensure_query_store,
        ),
        Measurement(
            name="noloan --limit 100 --format csv",
            retain_cmd=b.r(b.query_store, "noloan", "--limit", "100", "--format", "csv"),
            reference_cmd=[b.python, str(BENCH / "bare_typer.py"), "--help"],
            target=None,
            abs_target_s=1.0,
            warmup=1,
            prepare=b.ensure_query_store,
        ),
        Measurement(
            name="overdue --format csv",
            retain_cmd=b.r(b.query_store, "--lang", "en", "overdue", "--format", "csv"),
            reference_cmd=[b.sqlite3, "-csv", "-header", str(b.query_store), overdue_sql],
            target=3.0,
            warmup=1,
            prepare=b.ensure_query_store,
            check=check_overdue,
        ),
    ]


def run_measurement(m: Measurement, runs: int, work: Path) -> Result:
    result = Result(m)
    if m.prepare is not None:
        m.prepare()
    for _ in range(m.warmup):
        if m.before_retain is not None:
            m.before_retain()
        run_once(m.retain_cmd, cwd=work)
        if m.before_reference is not None:
            m.before_reference()
        run_once(m.reference_cmd, cwd=work)
    for i in range(runs):
        if m.before_retain is not None:
            m.before_retain()
        mine = run_once(m.retain_cmd, cwd=work)
        if m.before_reference is not None:
            m.before_reference()
        ref = run_once(m.reference_cmd, cwd=work)
        result.retain.append(mine)
        result.reference.append(ref)
        second = ""
        if m.second_cmd is not None:
            if m.before_second is not None:
                m.before_second()
            other = run_once(m.second_cmd, cwd=work)
            result.second.append(other)
            second = f", second reference {other.seconds:.3f} s"
        print(
            f"  run {i + 1}/{runs}: retain {mine.seconds:.3f} s ({mine.max_rss_mb:.0f} MB), "
            f"reference {ref.seconds:.3f} s ({ref.max_rss_mb:.0f} MB){second}",
            file=sys.stderr,
        )
    if m.check is not None:
        try:
            result.check_line = m.check()
        except AssertionError as exc:
            result.check_line = f"FAILED: {exc}"
            result.check_failed = True
        print(f"  check: {result.check_line}", file=sys.stderr)
    return result


# ---------------------------------------------------------------------------
# report


def _seconds(value: float) -> str:
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def table(results: Sequence[Result]) -> list[str]:
    lines = [
        "| measurement | retain | reference | ratio | target | meets? "
        "| indexed reference | ratio to it |",
        "|---|---:|---:|---:|---:|:---:|---:|---:|",
    ]
    for res in results:
        m = res.measurement
        mine = statistics.median(s.seconds for s in res.retain)
        ref = statistics.median(s.seconds for s in res.reference)
        ratio = mine / ref if ref > 0 else float("inf")
        target = f"≤ {m.target:g}×" if m.target is not None else "—"
        meets = "—" if m.target is None else ("yes" if ratio <= m.target else "**NO**")
        ratio_text = f"{ratio:.2f}×"
        if m.abs_target_s is not None:  # retain alone; the reference is only for scale
            target = f"≤ {m.abs_target_s:g} s"
            meets = "yes" if mine <= m.abs_target_s else "**NO**"
            ratio_text = "—"
        second = "| — | —"
        if res.second:
            other = statistics.median(s.seconds for s in res.second)
            second = f"| {_seconds(other)} | {mine / other:.2f}×"
        lines.append(
            f"| {m.name} | {_seconds(mine)} | {_seconds(ref)} | {ratio_text} | {target} | {meets} "
            f"{second} |"
        )
        if m.rss_target_mb is not None:
            mine_mb = statistics.median(s.max_rss_mb for s in res.retain)
            ref_mb = statistics.median(s.max_rss_mb for s in res.reference)
            ok = "yes" if mine_mb <= m.rss_target_mb else "**NO**"
            lines.append(
                f"| peak RSS: {m.name} | {mine_mb:.0f} MB | {ref_mb:.0f} MB | "
                f"{mine_mb / ref_mb:.1f}× | ≤ {m.rss_target_mb:g} MB | {ok} | — | — |"
            )
    return lines


def details(results: Sequence[Result]) -> list[str]:
    lines = []
    for res in results:
        mine = ", ".join(f"{s.seconds:.3f}" for s in res.retain)
        ref = ", ".join(f"{s.seconds:.3f}" for s in res.reference)
        other = ", ".join(f"{s.seconds:.3f}" for s in res.second)
        more = f"; second reference [{other}] s" if other else ""
        lines.append(f"- {res.measurement.name}: retain [{mine}] s; reference [{ref}] s{more}")
        if res.check_line:
            lines.append(f"  - check: {res.check_line}")
    return lines


# ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per side (median)")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 12, 1))
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="put the stores and reference dbs in DIR and keep them (default: a temporary "
        "directory under bench/out/, removed at the end)",
    )
    parser.add_argument(
        "--only", metavar="TEXT", help="run only the measurements whose name contains TEXT"
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.loans < 1 or args.customers < 1:
        parser.error("--runs, --loans and --customers must be at least 1")

    sqlite3_cli = require_sqlite3()
    python = venv_python()
    retain = retain_exe()
    OUT.mkdir(parents=True, exist_ok=True)
    data = ensure_data(args.loans, args.customers, args.seed, args.today)

    if args.keep is not None:
        work = args.keep.resolve()
        work.mkdir(parents=True, exist_ok=True)
        for stale in ("query.db", "customers-template.db", "ref-customers-template.db"):
            remove_db(work / stale)
    else:
        work = Path(tempfile.mkdtemp(prefix="work-", dir=OUT))
    machine = machine_lines(python, sqlite3_cli)
    print("\n".join(machine), file=sys.stderr)
    try:
        bench = Bench(
            data=data,
            work=work,
            today=args.today,
            retain=retain,
            python=python,
            sqlite3=sqlite3_cli,
            loans=args.loans,
            customers=args.customers,
        )
        results = []
        for m in measurements(bench):
            if args.only and args.only not in m.name:
                continue
            print(f"{m.name} …", file=sys.stderr)
            results.append(run_measurement(m, args.runs, work))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    title = (
        f"# retain benchmark: {args.loans:,} loans, {args.customers:,} customers, "
        f"median of {args.runs} run(s), today {args.today.isoformat()}"
    )
    report = [
        title,
        "",
        *machine,
        "",
        *table(results),
        "",
        "Runs (wall seconds) and checks:",
        "",
        *details(results),
        "",
    ]
    text = "\n".join(report)
    print(text)
    (OUT / "results.md").write_text(text, encoding="utf-8")
    print(f"(written to {OUT / 'results.md'})", file=sys.stderr)
    return 1 if any(r.check_failed for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
