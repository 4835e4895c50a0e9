"""The translator's own rules (tests/test_pg_translate_*.py hold the others)."""

from __future__ import annotations

import pytest

pytest.importorskip("sqlglot")

from retain.postgres.connection import _packed  # noqa: E402
from retain.postgres.translate import translate  # noqa: E402


def test_rowid_of_a_table_with_an_integer_key_is_that_key() -> None:
    assert translate("SELECT field FROM changes ORDER BY rowid").sql.endswith(
        "ORDER BY change_id NULLS FIRST"
    )
    assert "c.contact_id" in translate("SELECT c.rowid FROM contacts c").sql
    # loans and guarantors keep a rowid column of their own
    assert "g.rowid" in translate("SELECT g.rowid FROM guarantors g JOIN loans l ON 1").sql


def test_placeholders_follow_the_translated_text() -> None:
    done = translate("SELECT ?, '?', :x FROM t WHERE a = ? LIMIT ?")
    assert done.sql == "SELECT %s, '?', %s FROM t WHERE a = %s LIMIT %s"
    assert done.keys == (0, "x", 1, 2)


def test_a_list_of_placeholders_is_one_array_whatever_its_length() -> None:
    short, short_params = _packed("SELECT 1 FROM t WHERE a = ? AND id IN (?,?)", (1, "a", "b"))
    long, long_params = _packed(
        "SELECT 1 FROM t WHERE a = ? AND id IN (" + ",".join("?" * 500) + ")",
        (1, *(str(i) for i in range(500))),
    )
    assert short == long  # one text: one translation
    assert short_params == [1, ["a", "b"]]
    assert long_params[1] == [str(i) for i in range(500)]
    named, params = _packed("SELECT 1 FROM t WHERE id IN (:c0, :c1)", {"c0": 3, "c1": 4})
    assert "retain_each_integer(:c0__list)" in named and params["c0__list"] == [3, 4]


def test_index_hints_and_insert_or_ignore() -> None:
    done = translate("INSERT OR IGNORE INTO temp.seen (id) SELECT id FROM t INDEXED BY t_by_x")
    assert done.sql == "INSERT INTO pg_temp.seen (id) SELECT id FROM t ON CONFLICT DO NOTHING"


def test_an_insert_into_a_table_with_an_identity_returns_it() -> None:
    done = translate("INSERT INTO contacts (customer_id) VALUES (?)")
    assert done.sql.endswith("RETURNING contact_id") and done.returning == "contact_id"


def test_a_parameter_tested_for_null_has_a_type() -> None:
    done = translate("SELECT 1 FROM t WHERE NOT :lead IS NULL AND a < :lead")
    assert done.sql == "SELECT 1 FROM t WHERE NOT CAST(%s AS TEXT) IS NULL AND a < %s"
