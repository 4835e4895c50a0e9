"""Rules of the SQLite → PostgreSQL translation added for the import tests
(from the import fixes): each checked on the text, and on the server when the
suite runs on PostgreSQL."""

from __future__ import annotations

import pytest

from retain.postgres.translate import translate
from tests.conftest import Cli


def test_a_subquery_in_from_without_a_name_gets_one() -> None:
    out = translate("SELECT * FROM (SELECT 1 AS a UNION ALL SELECT 2 AS a) WHERE a > ?").sql
    assert "AS _retain_d1" in out


def test_a_joined_subquery_without_a_name_gets_its_own() -> None:
    out = translate(
        "SELECT * FROM (SELECT 1 AS a) JOIN (SELECT 1 AS b) ON a = b"
        " WHERE a IN (SELECT 1 FROM (SELECT 1))"
    ).sql
    assert "AS _retain_d1" in out and "AS _retain_d2" in out and "AS _retain_d3" in out


def test_a_named_subquery_keeps_its_name() -> None:
    out = translate("SELECT s.a FROM (SELECT 1 AS a) AS s").sql
    assert "_retain_d" not in out and "AS s" in out


def test_unnamed_subqueries_run_on_postgresql(cli: Cli) -> None:
    if not cli.on_postgres:
        pytest.skip("runs the translated SQL on PostgreSQL")
    rows = cli.sql(
        "SELECT * FROM (SELECT 1 AS a UNION ALL SELECT 2 AS a)"
        " JOIN (SELECT 2 AS b) ON a = b WHERE a > ?",
        (0,),
    )
    assert [tuple(r) for r in rows] == [(2, 2)]


def test_a_bool_parameter_is_bound_as_sqlite_binds_it(cli: Cli) -> None:
    if not cli.on_postgres:
        pytest.skip("runs the translated SQL on PostgreSQL")
    rows = cli.sql("SELECT ? = 1, ? = 0, ? + 1", (True, False, True))
    assert [tuple(r) for r in rows] == [(1, 1, 2)]


def test_a_cross_join_with_on_is_an_inner_join() -> None:
    out = translate("SELECT 1 FROM a AS w CROSS JOIN loans AS l ON l.c = w.c").sql
    assert "CROSS" not in out and "JOIN loans AS l ON l.c = w.c" in out
    plain = translate("SELECT 1 FROM a CROSS JOIN b").sql
    assert "CROSS JOIN b" in plain


def test_a_cross_join_with_on_runs_on_postgresql(cli: Cli) -> None:
    if not cli.on_postgres:
        pytest.skip("runs the translated SQL on PostgreSQL")
    rows = cli.sql(
        "SELECT a.x, b.y FROM (SELECT 1 AS x UNION ALL SELECT 2) AS a"
        " CROSS JOIN (SELECT 2 AS y) AS b ON a.x = b.y"
    )
    assert [tuple(r) for r in rows] == [(2, 2)]
