"""Translator rules added for the people/pipeline/store tests on PostgreSQL."""

from __future__ import annotations

import pytest

pytest.importorskip("sqlglot")

from retain.postgres.translate import translate  # noqa: E402


def test_a_subquery_in_from_or_join_without_an_alias_gets_one() -> None:
    out = translate(
        "SELECT 1 FROM (SELECT officer FROM customers) WHERE officer = ?"
        " UNION SELECT 2 FROM (SELECT 2) JOIN (SELECT 3 AS x) ON 1"
    ).sql
    assert out.count(" AS _retain_sq") == 3
    assert "(SELECT officer FROM customers) AS _retain_sq" in out


def test_a_subquery_with_an_alias_keeps_it() -> None:
    out = translate("SELECT m.a FROM (SELECT 1 AS a) AS m").sql
    assert "AS m" in out and "_retain_sq" not in out


def test_a_scalar_subquery_gets_no_alias() -> None:
    out = translate("SELECT (SELECT 1) + 1, x FROM t WHERE x IN (SELECT y FROM u)").sql
    assert "_retain_sq" not in out
