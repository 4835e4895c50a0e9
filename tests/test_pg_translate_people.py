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
    assert out.count(" AS _retain_d") == 3
    assert "(SELECT officer FROM customers) AS _retain_d" in out


def test_a_subquery_with_an_alias_keeps_it() -> None:
    out = translate("SELECT m.a FROM (SELECT 1 AS a) AS m").sql
    assert "AS m" in out and "_retain_d" not in out


def test_a_scalar_subquery_gets_no_alias() -> None:
    out = translate("SELECT (SELECT 1) + 1, x FROM t WHERE x IN (SELECT y FROM u)").sql
    assert "_retain_d" not in out


def test_a_trigger_refusal_is_an_integrity_error_as_on_sqlite() -> None:
    """SQLite's RAISE(ABORT, …) in a trigger is sqlite3.IntegrityError; PL/pgSQL's
    RAISE EXCEPTION (the append-only guard of schema.sql) must be the same class."""
    import sqlite3

    psycopg = pytest.importorskip("psycopg")
    from retain.postgres.connection import _sqlite_error

    refused = _sqlite_error(psycopg.errors.RaiseException("the audit trail is append-only"))
    assert isinstance(refused, sqlite3.IntegrityError)
    assert str(refused) == "the audit trail is append-only"


def test_a_bool_parameter_is_bound_as_sqlite_binds_it() -> None:
    """sqlite3 binds True as 1: ``:flag = 1`` must hold on PostgreSQL too."""
    pytest.importorskip("psycopg")
    from retain.postgres.connection import _BoolAsIntDumper

    dumper = _BoolAsIntDumper(bool)
    assert (dumper.dump(True), dumper.dump(False)) == (b"1", b"0")


def test_a_summed_comparison_is_cast_to_a_type_a_boolean_casts_to() -> None:
    """PostgreSQL has boolean::integer but no boolean::bigint."""
    out = translate("SELECT COALESCE(SUM(p.stage = 'disbursed'), 0) FROM prospects p").sql
    assert "CAST((p.stage = 'disbursed') AS INT)" in out


def test_sqlites_cross_join_with_on_is_an_inner_join() -> None:
    out = translate(
        "SELECT 1 FROM prospects p CROSS JOIN loans l ON l.customer_id = p.customer_id"
    ).sql
    assert "CROSS" not in out and "JOIN loans AS l ON l.customer_id = p.customer_id" in out
    assert "CROSS JOIN" in translate("SELECT 1 FROM a CROSS JOIN b").sql
