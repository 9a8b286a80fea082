"""Row predicates as Python closures, for the interpreter's per-row loops.

The interpreter evaluates a `where`, a quantifier's body or a coverage condition once per row, and
most of them are a field compared with a constant, a date window or a list membership. Walking the
IR for each of 10,000 rows spends most of its time in dispatch; these closures do the same steps
with the same functions (`compare`, Kleene `and`/`or`), bound once per node. Any node they do not
cover becomes a call back into `Interpreter.ev`, so the result is the interpreter's by construction;
tests/engine/test_row_predicates.py checks that on generated rules and facts.

A predicate is called as `predicate(interp, env)` and keeps no reference to the interpreter: one
that did would make a cycle through the interpreter's cache of predicates, and a cycle keeps a
project's facts alive until the next full garbage collection, which kepu_rules/gc_policy.py puts off.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kepu_rules.dsl import ir as I
from kepu_rules.engine.interpreter import compare, kleene_and, kleene_or
from kepu_rules.facts.table import Row

if TYPE_CHECKING:
    from kepu_rules.engine.interpreter import Env, Interpreter

Predicate = Callable[["Interpreter", "Env"], Any]

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
}


def build(node: I.Node, interp: Interpreter) -> Predicate:
    """A closure computing `interp.ev(node, env)` for any env, given that interpreter."""
    return _Builder(interp).go(node)


def _plain_field(n: I.Node) -> bool:
    """A non-reference field of a bound row: its value is never an item."""
    return isinstance(n, I.FieldOf) and not n.is_ref and isinstance(n.item, I.ScopeItem)


class _Builder:
    def __init__(self, interp: Interpreter) -> None:
        self.params = interp.params
        self.as_of = interp.as_of

    def const(self, n: I.Node) -> tuple[bool, Any]:
        """(True, value) when n's value is the same for every row and known now."""
        if isinstance(n, I.Const):
            return True, n.value
        if isinstance(n, I.ParamRef) and n.name in self.params:
            return True, self.params[n.name]
        if isinstance(n, I.TodayN):
            return True, self.as_of
        if isinstance(n, I.ListN):
            items = [self.const(i) for i in n.items]
            if all(known for known, _ in items):
                return True, [v for _, v in items]
        return False, None

    def go(self, n: I.Node) -> Predicate:
        known, value = self.const(n)
        if known:
            return lambda it, env: value
        method = getattr(self, "x_" + type(n).__name__, None)
        built = method(n) if method is not None else None
        return built if built is not None else (lambda it, env: it.ev(n, env))

    def x_ScopeItem(self, n: I.ScopeItem) -> Predicate:
        depth = n.depth
        return lambda it, env: env[depth]

    def x_FieldOf(self, n: I.FieldOf) -> Predicate | None:
        if n.is_ref:
            return None
        name = n.field
        if isinstance(n.item, I.ScopeItem):
            depth = n.item.depth
            return lambda it, env: env[depth].values.get(name)
        item = self.go(n.item)

        def field_of(it: Interpreter, env: Env) -> Any:
            row = item(it, env)
            return None if row is None else row.get(name)
        return field_of

    def x_CompareN(self, n: I.CompareN) -> Predicate:
        op, left = n.op, self.go(n.left)
        known, right_value = self.const(n.right)
        if not known:
            right = self.go(n.right)
            return lambda it, env: compare(op, left(it, env), right(it, env))
        if right_value is None:
            return lambda it, env: None
        if _plain_field(n.left) and not isinstance(right_value, Row):
            # A value against a constant: `compare` without its checks for items.
            test, depth, name = _COMPARISONS[op], n.left.item.depth, n.left.field  # type: ignore[attr-defined]

            def field_vs_const(it: Interpreter, env: Env) -> Any:
                v = env[depth].values.get(name)
                return None if v is None else test(v, right_value)
            if depth == 0:
                # What Interpreter.split needs to run the test inline over a list of rows.
                field_vs_const.column_test = (name, test, right_value)  # type: ignore[attr-defined]
            return field_vs_const
        return lambda it, env: compare(op, left(it, env), right_value)

    def x_BoolOp(self, n: I.BoolOp) -> Predicate:
        left, right = self.go(n.left), self.go(n.right)
        # Short-circuit only on a decided value, as Interpreter._boolop does.
        if n.op == "and":
            def both(it: Interpreter, env: Env) -> Any:
                a = left(it, env)
                return False if a is False else kleene_and(a, right(it, env))
            return both

        def either(it: Interpreter, env: Env) -> Any:
            a = left(it, env)
            return True if a is True else kleene_or(a, right(it, env))
        return either

    def x_NotN(self, n: I.NotN) -> Predicate:
        operand = self.go(n.operand)

        def negate(it: Interpreter, env: Env) -> Any:
            v = operand(it, env)
            return None if v is None else not v
        return negate

    def x_MissingN(self, n: I.MissingN) -> Predicate:
        value, negated = self.go(n.value), n.negated
        return lambda it, env: (value(it, env) is None) != negated

    def x_BetweenN(self, n: I.BetweenN) -> Predicate:
        (low_known, lo), (high_known, hi) = self.const(n.low), self.const(n.high)
        if _plain_field(n.value) and low_known and high_known and lo is not None and hi is not None:
            depth, name = n.value.item.depth, n.value.field  # type: ignore[attr-defined]

            def field_between(it: Interpreter, env: Env) -> Any:
                v = env[depth].values.get(name)
                return None if v is None else lo <= v <= hi
            if depth == 0:
                field_between.column_range = (name, lo, hi)  # type: ignore[attr-defined]
            return field_between
        value, low, high = self.go(n.value), self.go(n.low), self.go(n.high)

        def between(it: Interpreter, env: Env) -> Any:
            v = value(it, env)
            return kleene_and(compare(">=", v, low(it, env)), compare("<=", v, high(it, env)))
        return between

    def x_InN(self, n: I.InN) -> Predicate | None:
        known, options = self.const(n.options)
        if not known or options is None or any(isinstance(o, Row) for o in options):
            return None
        item, members, negated = self.go(n.item), list(options), n.negated

        def member(it: Interpreter, env: Env) -> Any:
            v = item(it, env)
            if v is None:
                return None
            return ((v.key if isinstance(v, Row) else v) in members) != negated
        return member
