"""The PostgreSQL adapter's rules added for the export's SQL (issue 16): what the
translator writes, and what the connection binds. Pure text checks: no server."""

from __future__ import annotations

import pytest

pytest.importorskip("psycopg")
pytest.importorskip("sqlglot")

from retain.postgres.translate import translate  # noqa: E402


def test_a_subquery_in_from_without_an_alias_gets_one() -> None:
    out = translate(
        "SELECT a FROM (SELECT 1 AS a) CROSS JOIN (VALUES (0)) k"
        " JOIN (SELECT 2 AS b) ON a = b WHERE a IN (SELECT 1)"
    ).sql
    assert "(SELECT 1 AS a) AS _retain_d1" in out
    assert "(SELECT 2 AS b) AS _retain_d2" in out
    assert "(VALUES (0)) AS k" in out
    assert "IN (SELECT 1)" in out  # not in FROM: no alias


def test_a_subquery_with_an_alias_keeps_it() -> None:
    assert translate("SELECT a FROM (SELECT 1 AS a) x").sql == "SELECT a FROM (SELECT 1 AS a) AS x"


def test_a_cross_join_with_on_is_an_inner_join() -> None:
    out = translate("SELECT 1 FROM w wk CROSS JOIN loans l ON l.x = wk.x CROSS JOIN v o").sql
    assert "AS wk JOIN loans AS l ON l.x = wk.x CROSS JOIN v AS o" in out


def test_a_bool_parameter_is_bound_as_an_integer() -> None:
    from psycopg.adapt import Transformer
    from psycopg.pq import Format

    from retain.postgres.connection import _BoolAsIntDumper, _bools_as_integers

    class Adapters:
        def __init__(self) -> None:
            self.registered: dict[type, type] = {}

        def register_dumper(self, kind: type, dumper: type) -> None:
            self.registered[kind] = dumper

    adapters = Adapters()
    _bools_as_integers(adapters)
    dumper = adapters.registered[bool]
    assert dumper is _BoolAsIntDumper
    done = dumper(bool, Transformer())
    assert (done.dump(True), done.dump(False)) == (b"1", b"0")
    assert done.format == Format.TEXT


def test_round_without_decimals_rounds_halves_away_from_zero() -> None:
    out = translate("SELECT CAST(ROUND(? + 0.5 * ?) AS INTEGER)").sql
    assert out == (
        "SELECT CAST(CAST(ROUND(CAST(%s + 0.5 * %s AS DECIMAL)) AS DOUBLE PRECISION) AS BIGINT)"
    )


def test_a_summed_comparison_is_cast_to_int4() -> None:
    """PostgreSQL has no cast from boolean to BIGINT, only to INT."""
    out = translate("SELECT COUNT(*), COALESCE(SUM(p.stage = 'disbursed'), 0) FROM p").sql
    assert "SUM(CAST((p.stage = 'disbursed') AS INT))" in out
