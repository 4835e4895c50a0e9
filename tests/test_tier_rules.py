"""The tier rules' expression language: parsing, errors with columns, SQL = Python."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.tier_rules import (
    OPS,
    And,
    Compare,
    Fact,
    In,
    Kind,
    Literal_,
    Node,
    Not,
    Or,
    RuleError,
    SqlParams,
    evaluate,
    facts_of,
    parse,
    render,
    to_sql,
)

FACTS: dict[str, Kind] = {"n": "number", "m": "number", "s": "text", "t": "text"}


def test_a_rule_of_the_issue_parses() -> None:
    facts: dict[str, Kind] = {
        "loans_count": "number",
        "worst_class": "text",
        "total_borrowed": "number",
    }
    tree = parse("loans_count >= 2 and worst_class == '正常' and total_borrowed >= 500000", facts)
    assert evaluate(tree, {"loans_count": 2, "worst_class": "正常", "total_borrowed": 5e5})
    assert not evaluate(tree, {"loans_count": 2, "worst_class": "关注", "total_borrowed": 5e5})


def test_precedence_not_and_or() -> None:
    tree = parse("not n > 1 or n == 5 and s in ['a', \"b\"]", FACTS)
    assert tree == Or(
        Not(Compare(Fact("n"), ">", Literal_(1))),
        And(Compare(Fact("n"), "==", Literal_(5)), In(Fact("s"), ("a", "b"), False)),
    )
    assert parse("s not in []", FACTS) == In(Fact("s"), (), True)
    assert parse("(n < 1.5)", FACTS) == Compare(Fact("n"), "<", Literal_(1.5))


@pytest.mark.parametrize(
    ("text", "problem", "column"),
    [
        ("n >= 2 and bogus == 1", "unknown_fact", 12),
        ("n >= 'x'", "mismatch", 6),
        ("s > 'x'", "text_order", 1),
        ("industry", "unknown_fact", 1),
        ("s", "bare_fact", 1),
        ("n >= 2 and", "ended", 11),
        ("n >= 2 m < 1", "trailing", 8),
        ("n == 'abc", "unclosed_string", 6),
        ("n == 1 ; drop", "unexpected", 8),
        ("(n == 1", "ended", 8),
        ("n in [1, m]", "list_literal", 10),
        ("n in ['a']", "mismatch", 7),
        ("n == 1e999", "bad_number", 6),
        ("__import__('os')", "unknown_fact", 1),
    ],
)
def test_an_invalid_rule_names_its_column(text: str, problem: str, column: int) -> None:
    with pytest.raises(RuleError) as caught:
        parse(text, FACTS)
    assert (caught.value.problem, caught.value.column) == (problem, column)


numbers = st.one_of(
    st.integers(-1000, 1000), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
)
texts = st.text(alphabet="ab正常' ", max_size=4).filter(lambda v: not ("'" in v and '"' in v))


def _number_side() -> st.SearchStrategy[Fact | Literal_]:
    return st.one_of(st.sampled_from([Fact("n"), Fact("m")]), numbers.map(Literal_))


def _text_side() -> st.SearchStrategy[Fact | Literal_]:
    return st.one_of(st.sampled_from([Fact("s"), Fact("t")]), texts.map(Literal_))


leaves = st.one_of(
    st.builds(Compare, _number_side(), st.sampled_from(OPS), _number_side()),
    st.builds(Compare, _text_side(), st.sampled_from(("==", "!=")), _text_side()),
    st.builds(
        In, st.sampled_from([Fact("n"), Fact("m")]), st.tuples(*[numbers] * 2), st.booleans()
    ),
    st.builds(In, st.sampled_from([Fact("s"), Fact("t")]), st.tuples(texts), st.booleans()),
    st.builds(In, st.sampled_from([Fact("s")]), st.just(()), st.booleans()),
)
trees: st.SearchStrategy[Node] = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(Not, inner), st.builds(And, inner, inner), st.builds(Or, inner, inner)
    ),
    max_leaves=8,
)
fact_values = st.fixed_dictionaries(
    {
        "n": st.one_of(st.none(), numbers),
        "m": st.one_of(st.none(), numbers),
        "s": st.one_of(st.none(), texts),
        "t": st.one_of(st.none(), texts),
    }
)


@given(trees)
def test_a_rule_written_back_parses_to_the_same_tree(tree: Node) -> None:
    assert parse(render(tree), FACTS) == tree


@settings(max_examples=300)
@given(trees, fact_values)
def test_sql_and_python_agree(tree: Node, facts: dict[str, Any]) -> None:
    """The compiled SQL decides as the Python evaluator, unknowns (NULL) included."""
    params = SqlParams("p")
    condition = to_sql(tree, params, 'f."{}"')
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE TABLE f (n, m, s, t)")
        conn.execute("INSERT INTO f VALUES (:n, :m, :s, :t)", facts)
        (found,) = conn.execute(f"SELECT {condition} FROM f", params.values).fetchone()
    expected = evaluate(tree, facts)
    assert (None if found is None else bool(found)) == expected


@given(trees, fact_values, fact_values)
def test_a_rule_reads_only_the_facts_it_names(
    tree: Node, facts: dict[str, Any], others: dict[str, Any]
) -> None:
    """What ``retain tiers`` relies on to join only the sources its rules read."""
    read = facts_of(tree)
    assert read <= set(re.findall(r"[a-z_]+", render(tree)))
    changed = {name: facts[name] if name in read else others[name] for name in FACTS}
    assert evaluate(tree, changed) == evaluate(tree, facts)


@given(st.text(max_size=40))
def test_any_text_parses_or_fails_with_a_column(text: str) -> None:
    try:
        parse(text, FACTS)
    except RuleError as exc:
        assert 1 <= exc.column <= len(text) + 1
