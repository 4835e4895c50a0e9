"""Translator and connection rules added for the call-list tests on PostgreSQL.

The translation is checked as text (no server needed); the bool parameter on
the test server when the suite runs in PostgreSQL mode.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("sqlglot")
pytest.importorskip("psycopg")

from retain.postgres.translate import translate  # noqa: E402
from tests.conftest import Cli  # noqa: E402
from tests.test_calls import cust, load  # noqa: E402


def test_a_subquery_in_from_or_join_gets_a_name() -> None:
    done = translate("SELECT a FROM (SELECT 1 AS a) JOIN (SELECT 2 AS b) ON 1").sql
    assert done.startswith("SELECT a FROM (SELECT 1 AS a) AS _retain_d")
    assert ") AS _retain_d2 ON" in done


def test_a_named_subquery_and_an_in_subquery_are_left_alone() -> None:
    assert translate("SELECT a FROM (SELECT 1 AS a) x").sql == "SELECT a FROM (SELECT 1 AS a) AS x"
    assert "_retain_d" not in translate("SELECT a FROM t WHERE a IN (SELECT 1)").sql


def test_round_without_digits_rounds_half_away_from_zero_as_a_float() -> None:
    done = translate("SELECT ROUND(:x) FROM t").sql
    assert done == "SELECT CAST(ROUND(CAST(%s AS DECIMAL)) AS DOUBLE PRECISION) FROM t"


def test_round_to_digits_keeps_its_own_rule() -> None:
    assert (
        translate("SELECT ROUND(x, 2) FROM t").sql == "SELECT ROUND(CAST(x AS DECIMAL), 2) FROM t"
    )


def test_round_and_bool_parameters_read_as_on_sqlite(cli: Cli, make_csv: Any) -> None:
    """138.5 rounds to 139 (PostgreSQL's float round gives 138); a Python bool
    binds as 1/0 as sqlite3 binds it, so ``:flag = 1`` compares integers."""
    load(cli, make_csv, [cust("C1")])  # makes the store
    rows = cli.sql(
        "SELECT ROUND(:half), ROUND(-:half), :flag = 1, :flag + 1, :off = 0",
        {"half": 138.5, "flag": True, "off": False},
    )
    assert tuple(rows[0]) == (139.0, -139.0, 1, 2, 1)


def test_a_sum_of_comparisons_counts_them(cli: Cli, make_csv: Any) -> None:
    """SQLite sums 0/1 truths; PostgreSQL casts a boolean to integer, not bigint."""
    load(cli, make_csv, [cust("C1"), cust("C2"), cust("C3")])
    rows = cli.sql("SELECT SUM(customer_id >= 'C2'), SUM(customer_id = 'C9') FROM customers")
    assert tuple(rows[0]) == (2, 0)


def test_a_cross_join_with_a_condition_is_an_inner_join() -> None:
    done = translate("SELECT 1 FROM a wk CROSS JOIN loans l ON l.x = wk.x").sql
    assert done == "SELECT 1 FROM a AS wk JOIN loans AS l ON l.x = wk.x"
    assert "CROSS JOIN" in translate("SELECT 1 FROM a CROSS JOIN b").sql
