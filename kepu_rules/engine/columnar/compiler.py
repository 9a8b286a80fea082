"""Checked IR → DuckDB SQL expressions, with the reference interpreter's three-valued semantics.

SQL's NULL logic is Kleene logic, which is what the interpreter uses for "could not tell", so
`and`/`or`/`not`/comparisons map one to one. Everything with a subtler meaning spells it out:
a count is unknown when a row's `where` is undecided, a sum when a value is missing, a quantifier
follows the interpreter's order of "fails" over "undecided". Nested rows become correlated scalar
subqueries, which DuckDB decorrelates into joins.

What is not compiled raises `NotCompilable` and is left to the interpreter: division and averages
(exact fractions), registered functions other than year/quarter/month, period windows, values of
type `any`, item comparisons of keyless entities, and anything a constant cannot be folded for.
Sub-expressions that do not depend on the current rows are folded by the interpreter itself and
inlined as literals, so params, scalar facts and `today` mean exactly what they mean there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from kepu_rules import functions as builtin_functions
from kepu_rules.dsl import ir as I
from kepu_rules.engine.columnar.tables import DECIMAL, ColumnarFacts, Unusable, decimal_text
from kepu_rules.engine.interpreter import EvalError, MissingData, Window, shift_date
from kepu_rules.facts.table import Row


class NotCompilable(Exception):
    """This node is evaluated by the reference interpreter instead."""


@dataclass(frozen=True, slots=True)
class Scope:
    """A row bound by a quantifier, `where` or coverage condition: its entity and SQL alias."""

    entity: str
    alias: str


@dataclass(frozen=True, slots=True)
class ItemSQL:
    """An item-valued expression: the entity and the SQL of its key."""

    entity: str
    key: str


_OPS = {"==": "=", "!=": "<>", ">=": ">=", "<=": "<=", ">": ">", "<": "<"}
_SQL_FUNCS: dict[str, tuple[Callable[..., Any], str]] = {
    "year": (builtin_functions.year, "year"),
    "quarter": (builtin_functions.quarter, "quarter"),
    "month": (builtin_functions.month, "month"),
}


def literal(value: Any) -> str:
    """A Python value as a typed SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise NotCompilable("integer out of range")
        return f"CAST({value} AS BIGINT)"
    if isinstance(value, Fraction):
        try:
            return f"CAST('{decimal_text(value)}' AS {DECIMAL})"
        except Unusable:
            raise NotCompilable("inexact number") from None
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"DATE '{value.isoformat()}'"
    raise NotCompilable(f"no literal for {type(value).__name__}")


def uses_scope(node: Any, bound: int = 0) -> bool:
    """Whether `node` reads a row bound outside it (a ScopeItem deeper than its own binders)."""
    if isinstance(node, I.ScopeItem):
        return node.depth >= bound
    if isinstance(node, I.RowsOf):
        return (node.anchor is not None and uses_scope(node.anchor, bound)) or \
            (node.where is not None and uses_scope(node.where, bound + 1))
    if isinstance(node, I.QuantN):
        return uses_scope(node.rows, bound) or (node.body is not None and uses_scope(node.body, bound + 1))
    if isinstance(node, I.Aggregate):
        return uses_scope(node.arg, bound) or (node.cond is not None and uses_scope(node.cond, bound + 1))
    if isinstance(node, I.PeriodN):
        return True  # a period sets windows for what it contains: never folded, never compiled
    if isinstance(node, I.Node):
        return any(uses_scope(child, bound) for child in I.children(node))
    return False


class Compiler:
    """Compiles nodes to SQL over the tables of one ColumnarFacts.

    `fold(node)` evaluates a row-independent node with the reference interpreter; it raises
    MissingData or EvalError as the interpreter would, which makes the node not compilable
    (the interpreter then decides when, or whether, that error surfaces).
    """

    def __init__(self, db: ColumnarFacts, fold: Callable[[I.Node], Any], functions: dict[str, Any],
                 windows: dict[str, Window] | None = None) -> None:
        self.db = db
        self.fold = fold
        self.functions = functions
        self.windows = windows or {}  # the period bucket being evaluated restricts these entities' rows
        self._aliases = 0

    def alias(self) -> str:
        self._aliases += 1
        return f"t{self._aliases}"

    # -- tables and columns --------------------------------------------------------------------

    def require(self, entity: str) -> None:
        if not self.db.facts.has(entity):
            raise NotCompilable(f"no data for {entity}")

    def column(self, entity: str, field: str) -> str:
        self.require(entity)
        table = self.db.table(entity)
        column = table.columns.get(field)
        if column is None:
            raise NotCompilable(f"column {entity}.{field} not loaded")
        return column

    def key_column(self, entity: str) -> str:
        self.require(entity)
        key = self.db.table(entity).key
        if key is None:
            raise NotCompilable(f"{entity} has no usable key")
        return key

    # -- values --------------------------------------------------------------------------------

    def folded(self, node: I.Node) -> Any:
        try:
            return self.fold(node)
        except (MissingData, EvalError):
            raise NotCompilable("constant cannot be folded") from None

    def expr(self, node: I.Node, scopes: list[Scope]) -> str:
        """A scalar (or boolean) expression."""
        if not uses_scope(node):
            if isinstance(node.type, I.Scalar):
                return literal(self.folded(node))
            if isinstance(node.type, I.ItemT):
                return self.item(node, scopes).key
            raise NotCompilable("a row-independent collection")
        if isinstance(node.type, I.Scalar) and node.type.kind == "any":
            raise NotCompilable("a value of type any")
        method = getattr(self, "x_" + type(node).__name__, None)
        if method is None:
            raise NotCompilable(type(node).__name__)
        return method(node, scopes)

    def item(self, node: I.Node, scopes: list[Scope]) -> ItemSQL:
        """An item-valued expression: a bound row, or the target of a reference."""
        if isinstance(node, I.ScopeItem):
            scope = scopes[node.depth]
            return ItemSQL(scope.entity, f"{scope.alias}.{self.key_column(scope.entity)}")
        if isinstance(node, I.FieldOf) and node.is_ref and node.target:
            self.require(node.target)
            return ItemSQL(node.target, self.field_of(node, scopes))
        if not uses_scope(node):
            value = self.folded(node)
            if value is None:
                return ItemSQL(getattr(node.type, "entity", ""), "NULL")
            if isinstance(value, Row):
                self.key_column(value.entity)
                return ItemSQL(value.entity, literal(value.key))
        raise NotCompilable("item expression")

    def field_of(self, node: I.FieldOf, scopes: list[Scope]) -> str:
        column = self.column(node.entity, node.field)
        if isinstance(node.item, I.ScopeItem):
            return f"{scopes[node.item.depth].alias}.{column}"
        owner = self.item(node.item, scopes)
        a = self.alias()
        table = self.db.table(owner.entity)
        return f"(SELECT {a}.{column} FROM {table.name} {a} WHERE {a}.{self.key_column(owner.entity)} = {owner.key})"

    def comparable(self, node: I.Node, scopes: list[Scope]) -> str:
        """A value as `compare` sees it: an item by its key."""
        if isinstance(node.type, I.ItemT):
            return self.item(node, scopes).key
        return self.expr(node, scopes)

    # -- scalar nodes --------------------------------------------------------------------------

    def x_FieldOf(self, node: I.FieldOf, scopes: list[Scope]) -> str:
        return self.field_of(node, scopes)

    def x_ArithN(self, node: I.ArithN, scopes: list[Scope]) -> str:
        if node.op not in "+-*":
            raise NotCompilable("division")
        if node.op == "*" and "integer" not in (node.left.type.kind, node.right.type.kind):  # type: ignore[union-attr]
            raise NotCompilable("decimal product")  # its scale would overflow DECIMAL(38, 18)
        return f"({self.expr(node.left, scopes)} {node.op} {self.expr(node.right, scopes)})"

    def x_NegN(self, node: I.NegN, scopes: list[Scope]) -> str:
        return f"(-{self.expr(node.operand, scopes)})"

    def x_CompareN(self, node: I.CompareN, scopes: list[Scope]) -> str:
        return f"({self.comparable(node.left, scopes)} {_OPS[node.op]} {self.comparable(node.right, scopes)})"

    def x_BoolOp(self, node: I.BoolOp, scopes: list[Scope]) -> str:
        return f"({self.expr(node.left, scopes)} {node.op.upper()} {self.expr(node.right, scopes)})"

    def x_NotN(self, node: I.NotN, scopes: list[Scope]) -> str:
        return f"(NOT {self.expr(node.operand, scopes)})"

    def x_MissingN(self, node: I.MissingN, scopes: list[Scope]) -> str:
        return f"({self.comparable(node.value, scopes)} IS {'NOT ' if node.negated else ''}NULL)"

    def x_BetweenN(self, node: I.BetweenN, scopes: list[Scope]) -> str:
        v = self.comparable(node.value, scopes)
        return f"({v} >= {self.comparable(node.low, scopes)} AND {v} <= {self.comparable(node.high, scopes)})"

    def x_WithinN(self, node: I.WithinN, scopes: list[Scope]) -> str:
        if uses_scope(node.ref):
            raise NotCompilable("a row-dependent reference date")
        ref = self.folded(node.ref)
        v = self.expr(node.value, scopes)
        if ref is None:
            return "CAST(NULL AS BOOLEAN)"
        start = shift_date(ref, node.amount, node.unit)
        return f"({v} >= {literal(start)} AND {v} <= {literal(ref)})"

    def x_InN(self, node: I.InN, scopes: list[Scope]) -> str:
        if uses_scope(node.options):
            raise NotCompilable("row-dependent options")
        options = self.folded(node.options)
        item = self.comparable(node.item, scopes)
        if options is None:
            return "CAST(NULL AS BOOLEAN)"
        keys = [o.key if isinstance(o, Row) else o for o in options]
        present = [literal(k) for k in keys if k is not None]
        test = f"({item} IN ({', '.join(present)}))" if present else "FALSE"
        if node.negated:
            test = f"(NOT {test})"
        return f"(CASE WHEN {item} IS NULL THEN NULL ELSE {test} END)"

    def x_CallN(self, node: I.CallN, scopes: list[Scope]) -> str:
        known = _SQL_FUNCS.get(node.func)
        fdef = self.functions.get(node.func)
        if known is None or fdef is None or fdef.fn is not known[0] or len(node.args) != 1 or node.raw[0] is not None:
            raise NotCompilable(f"function {node.func}")
        return f"CAST({known[1]}({self.expr(node.args[0], scopes)}) AS BIGINT)"

    # -- rows ----------------------------------------------------------------------------------

    def rows(self, node: I.RowsOf, scopes: list[Scope]) -> tuple[Scope, str, str]:
        """(the row's scope, `FROM … WHERE <relation>`, the `where` condition or TRUE)."""
        if (node.anchor is None) != (not node.path):
            raise NotCompilable("an anchor without a path, or a path without an anchor")
        self.require(node.entity)
        if not node.may_be_empty and any(self.db.facts.count(e) == 0 for e in (node.entity, *(h.entity for h in node.path))):
            # The interpreter reports that the rule could not be checked (Interpreter.require_rows).
            raise NotCompilable("rows of an entity no source gave a row of")
        table = self.db.table(node.entity)
        scope = Scope(node.entity, self.alias())
        joins, tests = "", []
        if node.anchor is not None:
            joins, test = self._path(node, scope, self.item(node.anchor, scopes))
            tests.append(test)
        window = self.window(scope)
        if window is not None:
            tests.append(window)
        source = f"FROM {table.name} {scope.alias}{joins}" + (f" WHERE {' AND '.join(tests)}" if tests else "")
        cond = self.expr(node.where, [scope, *scopes]) if node.where is not None else "TRUE"
        return scope, source, cond

    def window(self, scope: Scope) -> str | None:
        """The test keeping a row inside the active period bucket, if its entity has one."""
        window = self.windows.get(scope.entity)
        if window is None:
            return None
        column = f"{scope.alias}.{self.column(scope.entity, window.field)}"
        return f"({column} BETWEEN {literal(window.start)} AND {literal(window.end)})"

    def _path(self, node: I.RowsOf, scope: Scope, anchor: ItemSQL) -> tuple[str, str]:
        """Joins from the rows back along the path to the anchor. Each join meets a key, so it
        never repeats a row: the joined rows are exactly the rows the interpreter walks to."""
        joins: list[str] = []
        alias, entity = scope.alias, node.entity
        for inner, outer in zip(reversed(node.path[1:]), reversed(node.path[:-1]), strict=True):
            # `inner` links `entity` to the items of `outer`.
            self.require(outer.entity)
            a = self.alias()
            joins.append(f" JOIN {self.db.table(outer.entity).name} {a} ON {a}.{self.key_column(outer.entity)} = "
                         f"{alias}.{self.column(entity, inner.field)}")
            alias, entity = a, outer.entity
        first = node.path[0]
        return "".join(joins), f"{alias}.{self.column(entity, first.field)} = {anchor.key}"

    def x_QuantN(self, node: I.QuantN, scopes: list[Scope]) -> str:
        scope, source, w = self.rows(node.rows, scopes)
        if node.body is None:
            if node.kind == "each":
                raise NotCompilable("each without a body")
            found, none = ("FALSE", "TRUE") if node.kind == "no" else ("TRUE", "FALSE")
            return (f"(SELECT CASE WHEN bool_or(({w}) IS TRUE) THEN {found} WHEN bool_or(({w}) IS NULL) THEN NULL "
                    f"ELSE {none} END {source})")
        b = self.expr(node.body, [scope, *scopes])
        holds, fails = f"(({w}) IS TRUE AND ({b}) IS TRUE)", f"(({w}) IS TRUE AND ({b}) IS FALSE)"
        undecided = f"(({w}) IS NULL OR (({w}) IS TRUE AND ({b}) IS NULL))"
        decisive, decided, otherwise = {
            "each": (fails, "FALSE", "TRUE"), "no": (holds, "FALSE", "TRUE"), "some": (holds, "TRUE", "FALSE"),
        }[node.kind]
        return (f"(SELECT CASE WHEN bool_or({decisive}) THEN {decided} WHEN bool_or({undecided}) THEN NULL "
                f"ELSE {otherwise} END {source})")

    def x_CountQN(self, node: I.CountQN, scopes: list[Scope]) -> str:
        _scope, source, w = self.rows(node.rows, scopes)
        n = self.expr(node.n, scopes)
        lo, hi = f"count(*) FILTER (WHERE ({w}) IS TRUE)", f"count(*) FILTER (WHERE ({w}) IS NOT FALSE)"
        if node.op == "at_least":
            verdict = f"CASE WHEN {lo} >= {n} THEN TRUE WHEN {hi} >= {n} THEN NULL ELSE FALSE END"
        elif node.op == "at_most":
            verdict = f"CASE WHEN {hi} <= {n} THEN TRUE WHEN {lo} <= {n} THEN NULL ELSE FALSE END"
        else:
            verdict = f"CASE WHEN {lo} = {hi} THEN {lo} = {n} WHEN {lo} <= {n} AND {n} <= {hi} THEN NULL ELSE FALSE END"
        return f"(SELECT CASE WHEN {n} IS NULL THEN NULL ELSE {verdict} END {source})"

    def x_Aggregate(self, node: I.Aggregate, scopes: list[Scope]) -> str:
        if node.func in ("count", "size") and isinstance(node.arg, I.RowsOf):
            _scope, source, w = self.rows(node.arg, scopes)
            return (f"(SELECT CASE WHEN bool_or(({w}) IS NULL) THEN NULL "
                    f"ELSE count(*) FILTER (WHERE ({w}) IS TRUE) END {source})")
        if not isinstance(node.arg, I.Project) or not isinstance(node.arg.rows, I.RowsOf):
            raise NotCompilable(f"{node.func} over {type(node.arg).__name__}")
        scope, source, w = self.rows(node.arg.rows, scopes)
        v = f"{scope.alias}.{self.column(node.arg.rows.entity, node.arg.field)}"
        undecided = f"WHEN bool_or(({w}) IS NULL) THEN NULL"
        some_missing = f"WHEN bool_or(({w}) IS TRUE AND {v} IS NULL) THEN NULL"
        yes = f"FILTER (WHERE ({w}) IS TRUE)"
        if node.func in ("count", "size"):
            result = f"CASE {undecided} ELSE count(*) {yes} END"
        elif node.func == "count_distinct":
            result = f"CASE {undecided} {some_missing} ELSE count(DISTINCT {v}) {yes} END"
        elif node.func == "sum":
            if node.type.kind == "integer":  # type: ignore[union-attr]
                total = f"CAST(coalesce(sum({v}) {yes}, 0) AS HUGEINT)"
            else:
                total = f"coalesce(sum({v}) {yes}, CAST(0 AS {DECIMAL}))"
            result = f"CASE {undecided} {some_missing} ELSE {total} END"
        elif node.func in ("min", "max"):
            result = f"CASE {undecided} {some_missing} WHEN count(*) {yes} = 0 THEN NULL ELSE {node.func}({v}) {yes} END"
        else:
            raise NotCompilable(f"aggregate {node.func}")
        return f"(SELECT {result} {source})"

    def x_ContainsN(self, node: I.ContainsN, scopes: list[Scope]) -> str:
        if node.mode == "text":
            return f"contains({self.expr(node.container, scopes)}, {self.expr(node.item, scopes)})"
        container = node.container
        if not isinstance(container, I.Project) or not isinstance(container.rows, I.RowsOf):
            raise NotCompilable("contains over a computed list")
        scope, source, w = self.rows(container.rows, scopes)
        v = f"{scope.alias}.{self.column(container.rows.entity, container.field)}"
        if node.mode == "one":
            wanted_sql = [self.comparable(node.item, scopes)]
            item_null = wanted_sql[0]
        else:
            if uses_scope(node.item):
                raise NotCompilable("row-dependent wanted list")
            wanted = self.folded(node.item)
            if wanted is None:
                return "CAST(NULL AS BOOLEAN)"
            wanted_sql = [literal(x.key if isinstance(x, Row) else x) for x in wanted]
            item_null = "1"
        hits = [f"coalesce(bool_or(({w}) IS TRUE AND {v} = {x}), FALSE)" for x in wanted_sql]
        joiner = " OR " if node.mode == "any" else " AND "
        decided = joiner.join(hits) if hits else ("FALSE" if node.mode == "any" else "TRUE")
        return (f"(SELECT CASE WHEN {item_null} IS NULL THEN NULL WHEN bool_or(({w}) IS NULL) THEN NULL "
                f"WHEN {decided} THEN TRUE WHEN bool_or(({w}) IS TRUE AND {v} IS NULL) THEN NULL ELSE FALSE END {source})")
