"""The ``when`` language of tier rules: a tiny, safe expression language.

A rule reads facts about a customer (``retain.tiers.FACTS``) and is compiled
to SQL (parameterised) so that every customer's tier comes from one query; it
is never handed to ``eval``. The grammar, loosest first::

    expr    := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := value (OP value | ["not"] "in" list)
    value   := NUMBER | STRING | FACT | "(" expr ")"
    list    := "[" [literal ("," literal)*] "]"
    OP      := == != < <= > >=

Strings are quoted with ' or " (no escapes: a rule never needs one). A number
fact compares with numbers, a text fact with strings (``==``/``!=``/``in``
only). Unknown facts, a type mismatch or a bare fact (``industry`` alone) are
errors that name their column (1-based). A fact without a value (NULL) makes
its comparison unknown, as in SQL: ``not`` keeps it unknown, and a rule matches
only when its whole expression is true.

A well-kept library was considered (``simpleeval``, ``lark``); the language is
small enough that ~200 lines with property tests cost less than a dependency,
and compiling to SQL needs the tree anyway.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Kind = Literal["number", "text"]
Scalar = float | int | str
Op = Literal["==", "!=", "<", "<=", ">", ">="]
OPS: tuple[Op, ...] = ("==", "!=", "<", "<=", ">", ">=")


class RuleError(ValueError):
    """What is wrong with a rule and where (1-based column of the rule text)."""

    def __init__(self, problem: str, column: int, **values: object) -> None:
        self.problem = problem  # a catalogue key suffix: error.tier_rule.<problem>
        self.column = column
        self.values = values
        super().__init__(f"{problem} {values} at column {column}")


# --- the tree ------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    name: str


@dataclass(frozen=True)
class Literal_:
    value: Scalar


@dataclass(frozen=True)
class Compare:
    left: Fact | Literal_
    op: Op
    right: Fact | Literal_


@dataclass(frozen=True)
class In:
    left: Fact | Literal_
    values: tuple[Scalar, ...]
    negated: bool


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True)
class Or:
    left: Node
    right: Node


Node = Compare | In | Not | And | Or


# --- tokens --------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>==|!=|<=|>=|<|>)
    | (?P<punct>[()\[\],])
    )""",
    re.VERBOSE,
)
_KEYWORDS = frozenset({"and", "or", "not", "in"})


@dataclass(frozen=True)
class _Token:
    kind: str  # number, string, name, keyword, op, punct, end
    text: str
    column: int


def _tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            found.append(_Token("end", "", at + 1))
            return found
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            if text[at] in "'\"":
                raise RuleError("unclosed_string", at + 1)
            raise RuleError("unexpected", at + 1, text=text[at])
        kind = match.lastgroup or ""
        value = match.group(kind)
        column = match.start(kind) + 1
        if kind == "name" and value.casefold() in _KEYWORDS:
            kind, value = "keyword", value.casefold()
        found.append(_Token(kind, value, column))
        at = match.end()


# --- parsing -------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, facts: Mapping[str, Kind]) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.facts = facts

    @property
    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def is_(self, kind: str, text: str | None = None) -> bool:
        token = self.peek
        return token.kind == kind and (text is None or token.text == text)

    def expect(self, kind: str, text: str) -> _Token:
        if not self.is_(kind, text):
            self.fail_here(text)
        return self.take()

    def fail_here(self, wanted: str) -> None:
        token = self.peek
        if token.kind == "end":
            raise RuleError("ended", token.column, wanted=wanted)
        raise RuleError("expected", token.column, wanted=wanted, found=token.text)

    def rule(self) -> Node:
        node = self.or_()
        if not self.is_("end"):
            raise RuleError("trailing", self.peek.column, found=self.peek.text)
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.is_("keyword", "or"):
            self.take()
            node = Or(node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.is_("keyword", "and"):
            self.take()
            node = And(node, self.not_())
        return node

    def not_(self) -> Node:
        if self.is_("keyword", "not"):
            self.take()
            return Not(self.not_())
        return self.compare()

    def compare(self) -> Node:
        if self.is_("punct", "("):
            self.take()
            node = self.or_()
            self.expect("punct", ")")
            return node
        start = self.peek
        left = self.value()
        if self.is_("op"):
            op_token = self.take()
            right_token = self.peek
            right = self.value()
            op: Op = op_token.text  # type: ignore[assignment]
            self.check_kinds(left, right, op, start, right_token)
            return Compare(left, op, right)
        negated = False
        if self.is_("keyword", "not") and self.tokens[self.at + 1].text == "in":
            self.take()
            negated = True
        if self.is_("keyword", "in"):
            self.take()
            values, columns = self.list_()
            for value, column in zip(values, columns, strict=True):
                if _kind_of_value(value) != self.kind(left):
                    raise RuleError("mismatch", column, fact=_shown(left), kind=self.kind(left))
            return In(left, tuple(values), negated)
        if isinstance(left, Fact):
            raise RuleError("bare_fact", start.column, fact=left.name)
        self.fail_here("==")
        raise AssertionError  # (fail_here raised)

    def value(self) -> Fact | Literal_:
        token = self.peek
        if token.kind == "number":
            self.take()
            number = float(token.text)
            if number != number or number in (float("inf"), float("-inf")):
                raise RuleError("bad_number", token.column, found=token.text)
            whole = token.text.lstrip("-").isdigit()
            return Literal_(int(token.text) if whole else number)
        if token.kind == "string":
            self.take()
            return Literal_(token.text[1:-1])
        if token.kind == "name":
            self.take()
            if token.text not in self.facts:
                raise RuleError(
                    "unknown_fact", token.column, fact=token.text, known=", ".join(self.facts)
                )
            return Fact(token.text)
        self.fail_here("a fact, a number or a string")
        raise AssertionError

    def list_(self) -> tuple[list[Scalar], list[int]]:
        self.expect("punct", "[")
        values: list[Scalar] = []
        columns: list[int] = []
        if self.is_("punct", "]"):
            self.take()
            return values, columns
        while True:
            token = self.peek
            item = self.value()
            if not isinstance(item, Literal_):
                raise RuleError("list_literal", token.column)
            values.append(item.value)
            columns.append(token.column)
            if self.is_("punct", ","):
                self.take()
                continue
            self.expect("punct", "]")
            return values, columns

    def kind(self, side: Fact | Literal_) -> Kind:
        if isinstance(side, Fact):
            return self.facts[side.name]
        return _kind_of_value(side.value)

    def check_kinds(
        self, left: Fact | Literal_, right: Fact | Literal_, op: Op, start: _Token, at: _Token
    ) -> None:
        if self.kind(left) != self.kind(right):
            fact = left if isinstance(left, Fact) else right
            raise RuleError("mismatch", at.column, fact=_shown(fact), kind=self.kind(fact))
        if self.kind(left) == "text" and op not in ("==", "!="):
            raise RuleError("text_order", start.column, op=op)


def _kind_of_value(value: Scalar) -> Kind:
    return "text" if isinstance(value, str) else "number"


def _shown(side: Fact | Literal_) -> str:
    return side.name if isinstance(side, Fact) else repr(side.value)


def parse(text: str, facts: Mapping[str, Kind]) -> Node:
    """The rule's tree, or :class:`RuleError` naming the column at fault."""
    return _Parser(text, facts).rule()


# --- evaluation ----------------------------------------------------------------

Truth = bool | None  # None: unknown (a fact without a value), as SQL's NULL


def _side(side: Fact | Literal_, facts: Mapping[str, Scalar | None]) -> Scalar | None:
    return facts[side.name] if isinstance(side, Fact) else side.value


def _compare(left: Scalar, op: Op, right: Scalar) -> bool:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    assert not isinstance(left, str) and not isinstance(right, str)
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right


def evaluate(node: Node, facts: Mapping[str, Scalar | None]) -> Truth:
    """The rule's truth for one customer's facts, with SQL's three values."""
    if isinstance(node, Compare):
        left, right = _side(node.left, facts), _side(node.right, facts)
        if left is None or right is None:
            return None
        return _compare(left, node.op, right)
    if isinstance(node, In):
        value = _side(node.left, facts)
        if value is None:
            return None
        return (value in node.values) != node.negated
    if isinstance(node, Not):
        inner = evaluate(node.operand, facts)
        return None if inner is None else not inner
    if isinstance(node, And):
        a, b = evaluate(node.left, facts), evaluate(node.right, facts)
        if a is False or b is False:
            return False
        return None if a is None or b is None else True
    a, b = evaluate(node.left, facts), evaluate(node.right, facts)
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


class SqlParams:
    """Collects a compiled rule's literals as named parameters (``:<prefix><n>``)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.values: dict[str, Scalar] = {}

    def add(self, value: Scalar) -> str:
        name = f"{self.prefix}{len(self.values)}"
        self.values[name] = value
        return ":" + name


def literals_of(node: Node, fact: str) -> list[Scalar]:
    """The literals ``fact`` is compared with anywhere in the rule."""
    if isinstance(node, Compare):
        sides = (node.left, node.right)
        if any(isinstance(s, Fact) and s.name == fact for s in sides):
            return [s.value for s in sides if isinstance(s, Literal_)]
        return []
    if isinstance(node, In):
        return list(node.values) if node.left == Fact(fact) else []
    if isinstance(node, Not):
        return literals_of(node.operand, fact)
    return literals_of(node.left, fact) + literals_of(node.right, fact)


def facts_of(node: Node) -> set[str]:
    """The facts the rule reads (so a query computes only those sources)."""
    if isinstance(node, Compare):
        return {s.name for s in (node.left, node.right) if isinstance(s, Fact)}
    if isinstance(node, In):
        return {node.left.name} if isinstance(node.left, Fact) else set()
    if isinstance(node, Not):
        return facts_of(node.operand)
    return facts_of(node.left) | facts_of(node.right)


def to_sql(
    node: Node, params: SqlParams, column: str = "{}", spelled: Mapping[Scalar, Scalar] = {}
) -> str:
    """The rule as an SQL condition; ``column`` formats a fact's name into its column;
    ``spelled`` turns a literal into the value stored (an English class name)."""

    def side(s: Fact | Literal_) -> str:
        if isinstance(s, Fact):
            return column.format(s.name)
        return params.add(spelled.get(s.value, s.value))

    if isinstance(node, Compare):
        op = "=" if node.op == "==" else node.op
        return f"({side(node.left)} {op} {side(node.right)})"
    if isinstance(node, In):
        if not node.values:
            # x IN () is false for every x but NULL stays unknown: as evaluate.
            return f"(CASE WHEN {side(node.left)} IS NULL THEN NULL ELSE {int(node.negated)} END)"
        marks = ", ".join(params.add(spelled.get(v, v)) for v in node.values)
        return f"({side(node.left)} {'NOT IN' if node.negated else 'IN'} ({marks}))"
    if isinstance(node, Not):
        return f"(NOT {to_sql(node.operand, params, column, spelled)})"
    word = "AND" if isinstance(node, And) else "OR"
    left = to_sql(node.left, params, column, spelled)
    return f"({left} {word} {to_sql(node.right, params, column, spelled)})"


def render(node: Node) -> str:
    """The rule written back as text (fully parenthesised): parses to the same tree."""

    def side(s: Fact | Literal_) -> str:
        return s.name if isinstance(s, Fact) else _literal(s.value)

    if isinstance(node, Compare):
        return f"{side(node.left)} {node.op} {side(node.right)}"
    if isinstance(node, In):
        items = ", ".join(_literal(v) for v in node.values)
        return f"{side(node.left)} {'not in' if node.negated else 'in'} [{items}]"
    if isinstance(node, Not):
        return f"not ({render(node.operand)})"
    word = "and" if isinstance(node, And) else "or"
    return f"({render(node.left)}) {word} ({render(node.right)})"


def _literal(value: Scalar) -> str:
    if isinstance(value, str):
        return f'"{value}"' if "'" in value else f"'{value}'"
    return repr(value)
