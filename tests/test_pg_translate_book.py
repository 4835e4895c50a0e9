"""Translator rules for SQLite idioms of the reports (runoff, retention, coverage,
tiers): each rule's PostgreSQL text, and the same statement run on this test's
store (SQLite, or PostgreSQL under RETAIN_TEST_STORE=postgresql) with the same rows."""

from __future__ import annotations

from tests.conftest import Cli


def pg(sql: str) -> str:
    from retain.postgres.translate import translate

    return translate(sql).sql


def test_a_cross_join_with_on_is_an_inner_join(seeded: Cli) -> None:
    sql = (
        "SELECT a.x, b.y FROM (SELECT 1 AS x UNION ALL SELECT 2) a"
        " CROSS JOIN (SELECT 2 AS x, 'b' AS y) b ON b.x = a.x"
    )
    assert "CROSS JOIN" not in pg(sql)
    assert "CROSS JOIN" in pg("SELECT 1 FROM (SELECT 1 AS x) a CROSS JOIN (SELECT 2 AS y) b")
    assert [tuple(row) for row in seeded.sql(sql)] == [(2, "b")]


def test_a_subquery_in_from_without_a_name_gets_one(seeded: Cli) -> None:
    sql = (
        "SELECT x FROM (SELECT 1 AS x UNION ALL SELECT 3) JOIN (SELECT 3 AS y) ON y = x ORDER BY x"
    )
    out = pg(sql)
    assert "_retain_d1" in out and "_retain_d2" in out
    assert "AS named" in pg("SELECT x FROM (SELECT 1 AS x) named")
    assert [tuple(row) for row in seeded.sql(sql)] == [(3,)]


def test_the_values_of_a_simple_case_are_not_conditions(seeded: Cli) -> None:
    sql = "SELECT CASE p WHEN 'deposit' THEN 1 WHEN 'card' THEN 16 END FROM (SELECT 'card' AS p) h"
    assert "<> 0" not in pg(sql)
    assert "(x <> 0)" in pg("SELECT CASE WHEN x THEN 1 END FROM t")
    assert [tuple(row) for row in seeded.sql(sql)] == [(16,)]


def test_a_summed_truth_is_an_integer(seeded: Cli) -> None:
    sql = "SELECT SUM(x IN (2, 3)), SUM(NOT x > 1) FROM (SELECT 1 AS x UNION ALL SELECT 2) s"
    assert "BIGINT" not in pg(sql)
    assert [tuple(row) for row in seeded.sql(sql)] == [(1, 1)]


def test_a_selected_truth_is_a_number_in_the_outer_query(seeded: Cli) -> None:
    sql = """
        WITH judged AS (
            SELECT x, EXISTS (SELECT 1 WHERE x > 1) AS renewed, x = 3 AS third
            FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3) s
        )
        SELECT COUNT(*), SUM(NOT j.renewed), SUM(j.third), MAX(j.renewed + j.third)
        FROM judged j WHERE j.renewed OR j.x = 1
    """
    assert [tuple(row) for row in seeded.sql(sql)] == [(3, 1, 1, 2)]


def test_a_selected_truth_reads_as_zero_or_one(seeded: Cli) -> None:
    rows = seeded.sql("SELECT 1 > 0, 1 < 0, NULL = 1")
    assert [tuple(row) for row in rows] == [(1, 0, None)]


def test_a_null_in_group_by_groups_by_nothing_more(seeded: Cli) -> None:
    sql = "SELECT x, NULL, COUNT(*) FROM (SELECT 1 AS x UNION ALL SELECT 1) s GROUP BY x, NULL"
    assert "GROUP BY x" in pg(sql) and "NULL," not in pg(sql).split("GROUP BY")[1]
    assert [tuple(row) for row in seeded.sql(sql)] == [(1, None, 2)]
