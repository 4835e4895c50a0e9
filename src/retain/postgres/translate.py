"""SQLite's SQL, as PostgreSQL reads it.

The store's queries are written once, in SQLite's dialect, and tuned there. A
PostgreSQL store runs the same text after this translation (sqlglot's SQLite →
PostgreSQL transpiler plus the rules below), once per distinct statement and
process: the SQL is a constant of the code, so the cache stays small.

What sqlglot leaves to us, each a difference a query of ours meets:
- index hints (``INDEXED BY``) are SQLite's planner's business, dropped;
- a comparison is an integer 0/1 in SQLite and a boolean in PostgreSQL: summed
  or added it is cast to an integer, and an integer used as a condition is
  compared with 0;
- ``INSERT OR IGNORE`` is ``ON CONFLICT DO NOTHING``;
- ``json_each`` over a JSON array or object is ``retain_json_each`` (schema.sql);
- ``temp.t`` is ``pg_temp.t``; ``INTEGER`` is ``BIGINT``; ``group_concat``
  aggregates text; ``round(x, n)`` rounds a numeric; ``total`` is a float sum;
- placeholders (``?`` and ``:name``) become psycopg's ``%s`` in the order the
  translated text has them, with a literal ``%`` doubled.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp

# Tables whose INTEGER PRIMARY KEY is SQLite's rowid, so that an INSERT's
# cursor.lastrowid is that key: PostgreSQL returns it with RETURNING.
IDENTITY_KEYS = {
    "_sqlite_migrations": "id",
    "imports": "import_id",
    "contacts": "contact_id",
    "export_runs": "export_id",
    "changes": "change_id",
    "promises": "promise_id",
    "prospects": "prospect_id",
    "prospect_contacts": "contact_id",
    "assignments": "assignment_id",
    "groups": "group_id",
}

_CATALOG_DDL = re.compile(r"\s*CREATE (?:UNIQUE )?INDEX \S+ ON \S+ USING ", re.IGNORECASE)
_HINT = re.compile(r"\s+(?:NOT\s+INDEXED|INDEXED\s+BY\s+\w+)", re.IGNORECASE)
_SENTINEL = re.compile(r"__retain_p(\d+)__")
_CONFLICT_ORDER = re.compile(r"(ON CONFLICT\s*\([^)]*?)\s+NULLS (?:FIRST|LAST)")
_WITHOUT_ROWID = re.compile(r"\)\s*WITHOUT\s+ROWID\s*$", re.IGNORECASE)

# Nodes whose value is a truth value in PostgreSQL (and 0/1 in SQLite).
_TRUTHS: tuple[type[Any], ...] = (
    exp.Predicate,
    exp.Connector,
    exp.Not,
    exp.Boolean,
    exp.Exists,
)
# Where PostgreSQL wants a number: a truth value there is cast to an integer.
_NUMERIC_PARENTS: tuple[type[Any], ...] = (
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.IntDiv,
    exp.Mod,
    exp.BitwiseOr,
    exp.BitwiseAnd,
    exp.BitwiseXor,
    exp.BitwiseLeftShift,
    exp.BitwiseRightShift,
    exp.Sum,
    exp.Avg,
    exp.Max,
    exp.Min,
    exp.Neg,
)


@dataclass(frozen=True)
class Translated:
    """A statement in PostgreSQL's dialect, and where its parameters come from:
    ``keys[i]`` is the index (``?``) or name (``:name``) of the i-th ``%s``."""

    sql: str
    keys: tuple[int | str, ...]
    returning: str | None = None  # the identity key an INSERT returns, for lastrowid


_cache: dict[str, Translated] = {}
# sqlglot says on stderr when it keeps a statement as an opaque command (DDL it
# does not model): that text is passed on as it is, nothing for a user to see.
logging.getLogger("sqlglot").setLevel(logging.ERROR)


def translate(sql: str) -> Translated:
    found = _cache.get(sql)
    if found is None:
        found = _cache[sql] = _translate(sql)
    return found


_CONTROL = {
    "BEGIN": "BEGIN",
    "BEGIN IMMEDIATE": "BEGIN",
    "COMMIT": "COMMIT",
    "ROLLBACK": "ROLLBACK",
}


def _translate(sql: str) -> Translated:
    control = _CONTROL.get(" ".join(sql.split()).upper().rstrip(";"))
    if control is not None:
        return Translated(control, ())
    if _CATALOG_DDL.match(sql):
        return Translated(sql, ())  # read back from PostgreSQL's catalog (sqlite_master)
    text = _named_marks(_WITHOUT_ROWID.sub(")", _HINT.sub("", sql.strip().rstrip(";"))))
    tree = sqlglot.parse_one(text, read="sqlite")
    tree = tree.transform(_rewrite, copy=False)
    _cross_joins_on(tree)
    _derived_aliases(tree)
    _conditions(tree)
    _round_half_up(tree)
    _rowids(tree)
    _selected_truths(tree)
    _constant_groups(tree)
    sources = _number_sentinels(tree)
    returning = _returning(tree)
    out = tree.sql(dialect="postgres")
    out = _CONFLICT_ORDER.sub(r"\1", out)
    while _CONFLICT_ORDER.search(out):
        out = _CONFLICT_ORDER.sub(r"\1", out)
    out = out.replace("%", "%%")
    keys: list[int | str] = []

    def placeholder(match: re.Match[str]) -> str:
        keys.append(sources[int(match.group(1))])
        return "%s"

    out = _SENTINEL.sub(placeholder, out)
    return Translated(out, tuple(keys), returning)


def _named_marks(text: str) -> str:
    """Each ``?`` named by its position (``:_p0``, ``:_p1`` …), so that where a
    value comes from survives sqlglot moving clauses about."""
    from sqlglot.dialects.sqlite import SQLite
    from sqlglot.tokens import TokenType  # type: ignore[attr-defined]

    marks = [t.start for t in SQLite().tokenize(text) if t.token_type == TokenType.PLACEHOLDER]
    for number, start in reversed(list(enumerate(marks))):
        text = f"{text[:start]}:_p{number}{text[start + 1 :]}"
    return text


def _number_sentinels(tree: exp.Expression) -> list[int | str]:
    """Each placeholder becomes a sentinel naming where its value comes from:
    the order of the ``%s`` is read off the output."""
    sources: list[int | str] = []
    for node in list(tree.find_all(exp.Placeholder)):
        name = str(node.this)
        key: int | str = int(name[2:]) if name.startswith("_p") and name[2:].isdigit() else name
        sources.append(key)
        node.replace(exp.var(f"__retain_p{len(sources) - 1}__"))
    return sources


def _returning(tree: exp.Expression) -> str | None:
    if not isinstance(tree, exp.Insert) or tree.args.get("returning"):
        return None
    target = tree.this
    table = target.this if isinstance(target, exp.Schema) else target
    if not isinstance(table, exp.Table) or table.name not in IDENTITY_KEYS:
        return None
    if not isinstance(tree.expression, exp.Values):
        return None
    key = IDENTITY_KEYS[table.name]
    tree.set("returning", exp.Returning(expressions=[exp.column(key)]))
    return key


def _as_int(node: Any) -> exp.Expression:
    # INT, not BIGINT: PostgreSQL casts a boolean to integer only (SUM of it is a bigint).
    return exp.Cast(this=exp.paren(node, copy=False), to=exp.DataType.build("INT"))


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.INT:
        return exp.DataType.build("BIGINT")
    if isinstance(node, exp.Table) and node.args.get("db") and node.db.lower() == "temp":
        node.set("db", exp.to_identifier("pg_temp"))
        return node
    if isinstance(node, exp.Insert) and str(node.args.get("alternative") or "").upper() == "IGNORE":
        node.set("alternative", None)
        node.set("conflict", exp.OnConflict(action=exp.var("DO NOTHING")))
        return node
    if isinstance(node, exp.GroupConcat):
        node.set("this", exp.cast(node.this, "TEXT"))
        if node.args.get("separator") is None:
            node.set("separator", exp.Literal.string(","))
        return node
    if isinstance(node, exp.Round) and node.args.get("decimals") is not None:
        node.set("this", exp.cast(node.this, "NUMERIC"))
        return node
    if isinstance(node, exp.Anonymous):
        name = str(node.this).lower()
        if name == "json_each":
            node.set("this", "retain_json_each")
        elif name == "total":
            return exp.Coalesce(
                this=exp.Sum(this=exp.cast(node.expressions[0], "DOUBLE PRECISION")),
                expressions=[exp.Literal.number("0.0")],
            )
        return node
    if isinstance(node, exp.Is) and isinstance(node.this, exp.Placeholder):
        # ``? IS NULL``: a NULL parameter has no type PostgreSQL could infer there.
        node.set("this", exp.cast(node.this, "TEXT"))
        return node
    if isinstance(node, exp.Like):
        return exp.ILike(this=node.this, expression=node.expression)
    return node


def _truth(node: Any) -> bool:
    inner = node.unnest() if isinstance(node, exp.Paren) else node
    return isinstance(inner, _TRUTHS)


def _conditions(tree: exp.Expression) -> None:
    """A truth value where a number is wanted is cast, a number where a truth
    value is wanted is compared with 0: SQLite has no boolean type."""
    # Children first: a node replaced by its copy keeps its rewritten children.
    for node in reversed(list(tree.walk())):
        parent = node.parent
        if parent is None:
            continue
        if _truth(node) and isinstance(parent, _NUMERIC_PARENTS):
            node.replace(_as_int(node.copy()))
            continue
        wants_truth = (
            (isinstance(parent, (exp.Where, exp.Having)) and node.arg_key == "this")
            or (isinstance(parent, exp.If) and node.arg_key == "this" and not _simple_case(parent))
            or (isinstance(parent, exp.Join) and node.arg_key == "on")
            or isinstance(parent, (exp.Connector, exp.Not))
        )
        if wants_truth and not _truth(node) and not isinstance(node, exp.Paren):
            node.replace(exp.paren(exp.NEQ(this=node.copy(), expression=exp.Literal.number(0))))


def _round_half_up(tree: exp.Expression) -> None:
    """SQLite's ``round(x)`` rounds halves away from zero (132.5 to 133) and gives
    a float; PostgreSQL's round of a double rounds halves to even (132): the
    value is rounded as a numeric, then made a double again."""
    for node in list(tree.find_all(exp.Round)):
        if node.args.get("decimals") is None and not isinstance(node.this, exp.Cast):
            rounded = exp.Round(this=exp.cast(node.this.copy(), "NUMERIC"))
            node.replace(exp.cast(rounded, "DOUBLE PRECISION"))


def _simple_case(node: exp.If) -> bool:
    """A WHEN of ``CASE x WHEN v …`` holds a value compared with x, not a condition."""
    return isinstance(node.parent, exp.Case) and node.parent.this is not None


def _cross_joins_on(tree: exp.Expression) -> None:
    """SQLite's ``CROSS JOIN t ON …`` is an inner join whose order the planner
    keeps (a hint, as INDEXED BY); PostgreSQL allows no ON on a CROSS JOIN."""
    for join in tree.find_all(exp.Join):
        if join.args.get("kind") == "CROSS" and join.args.get("on") is not None:
            join.set("kind", None)


def _derived_aliases(tree: exp.Expression) -> None:
    """A subquery in FROM or JOIN needs a name in PostgreSQL (before 16), not in SQLite."""
    number = 0
    for node in list(tree.find_all(exp.Subquery)):
        if isinstance(node.parent, (exp.From, exp.Join)) and not node.alias:
            number += 1
            node.set("alias", exp.TableAlias(this=exp.to_identifier(f"_retain_d{number}")))


def _selected_truths(tree: exp.Expression) -> None:
    """A truth value selected as a column is an integer 0/1, as in SQLite: a CTE's
    or subquery's column is then added, summed or tested as a number later on,
    and an INSERT … SELECT stores it in an integer column."""
    for select in list(tree.find_all(exp.Select)):
        for item in select.expressions:
            value = item.this if isinstance(item, exp.Alias) else item
            if _truth(value):
                value.replace(_as_int(value.copy()))


def _constant_groups(tree: exp.Expression) -> None:
    """``GROUP BY x, NULL`` (a split that is not asked for) groups by nothing
    more in SQLite; PostgreSQL refuses a non-integer constant there."""
    for group in tree.find_all(exp.Group):
        if all(isinstance(item, exp.Null) for item in group.expressions):
            continue  # GROUP BY NULL alone: no row on an empty input, unlike no GROUP BY
        for item in list(group.expressions):
            if isinstance(item, exp.Null):
                item.pop()


def _rowids(tree: exp.Expression) -> None:
    """SQLite's ``rowid`` of a table whose INTEGER PRIMARY KEY it is, is that key
    (PostgreSQL has a ``rowid`` column only where no such key exists: loans,
    guarantors)."""
    for column in list(tree.find_all(exp.Column)):
        if column.name.lower() != "rowid":
            continue
        scope = column.find_ancestor(exp.Select, exp.Update, exp.Delete)
        if scope is None:
            continue
        tables = {table.alias_or_name: table.name for table in scope.find_all(exp.Table)}
        if column.table:
            name = tables.get(column.table)
        else:
            names = set(tables.values())
            name = names.pop() if len(names) == 1 else None
        if name in IDENTITY_KEYS:
            column.set("this", exp.to_identifier(IDENTITY_KEYS[name]))
