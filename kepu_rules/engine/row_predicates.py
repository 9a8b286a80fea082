"""Row predicates as Python closures, for the interpreter's per-row loops.

The interpreter evaluates a `where`, a quantifier's body or a coverage condition once per row, and
most of them are a field compared with a constant, a date window or a list membership. Walking the
IR for each of 10,000 rows spends most of its time in dispatch; these closures do the same steps
with the same functions (`compare`, Kleene `and`/`or`), bound once per node. Any node they do not
cover becomes a call back into `Interpreter.ev`, so the result is the interpreter's by construction;
tests/engine/test_row_predicates.py checks that on generated rules and facts.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kepu_rules.dsl import ir as I
from kepu_rules.facts.table import Row

if TYPE_CHECKING:
    from kepu_rules.engine.interpreter import Env, Interpreter

Predicate = Callable[["Env"], Any]

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
}


def _plain_field(n: I.Node) -> bool:
    """A non-reference field of a bound row: its value is never an item."""
    return isinstance(n, I.FieldOf) and not n.is_ref and isinstance(n.item, I.ScopeItem)


def build(node: I.Node, interp: Interpreter) -> Predicate:
    """A closure computing `interp.ev(node, env)` for any env."""
    from kepu_rules.engine.interpreter import compare, kleene_and, kleene_or

    def generic(n: I.Node) -> Predicate:
        ev = interp.ev
        return lambda env: ev(n, env)

    def const(n: I.Node) -> tuple[bool, Any]:
        """(True, value) when n's value is the same for every row and known now."""
        if isinstance(n, I.Const):
            return True, n.value
        if isinstance(n, I.ParamRef) and n.name in interp.params:
            return True, interp.params[n.name]
        if isinstance(n, I.TodayN):
            return True, interp.as_of
        if isinstance(n, I.ListN):
            items = [const(i) for i in n.items]
            if all(known for known, _ in items):
                return True, [v for _, v in items]
        return False, None

    def go(n: I.Node) -> Predicate:
        known, value = const(n)
        if known:
            return lambda env: value
        if isinstance(n, I.ScopeItem):
            depth = n.depth
            return lambda env: env[depth]
        if isinstance(n, I.FieldOf) and not n.is_ref:
            name = n.field
            if isinstance(n.item, I.ScopeItem):
                depth = n.item.depth
                return lambda env: env[depth].values.get(name)
            item = go(n.item)

            def field_of(env: Env) -> Any:
                it = item(env)
                return None if it is None else it.get(name)
            return field_of
        if isinstance(n, I.CompareN):
            op, left = n.op, go(n.left)
            known, right_value = const(n.right)
            if known:
                if right_value is None:
                    return lambda env: None
                if _plain_field(n.left) and not isinstance(right_value, Row):
                    # A value against a constant: `compare` without its checks for items.
                    test, depth, name = _COMPARISONS[op], n.left.item.depth, n.left.field  # type: ignore[attr-defined]

                    def field_vs_const(env: Env) -> Any:
                        v = env[depth].values.get(name)
                        return None if v is None else test(v, right_value)
                    return field_vs_const
                return lambda env: compare(op, left(env), right_value)
            right = go(n.right)
            return lambda env: compare(op, left(env), right(env))
        if isinstance(n, I.BoolOp):
            left, right = go(n.left), go(n.right)
            # Short-circuit only on a decided value, as Interpreter._boolop does.
            if n.op == "and":
                def both(env: Env) -> Any:
                    a = left(env)
                    return False if a is False else kleene_and(a, right(env))
                return both

            def either(env: Env) -> Any:
                a = left(env)
                return True if a is True else kleene_or(a, right(env))
            return either
        if isinstance(n, I.NotN):
            operand = go(n.operand)

            def negate(env: Env) -> Any:
                v = operand(env)
                return None if v is None else not v
            return negate
        if isinstance(n, I.MissingN):
            value, negated = go(n.value), n.negated
            return lambda env: (value(env) is None) != negated
        if isinstance(n, I.BetweenN):
            value, low, high = go(n.value), go(n.low), go(n.high)
            (low_known, lo), (high_known, hi) = const(n.low), const(n.high)
            if _plain_field(n.value) and low_known and high_known and lo is not None and hi is not None:
                depth, name = n.value.item.depth, n.value.field  # type: ignore[attr-defined]

                def field_between(env: Env) -> Any:
                    v = env[depth].values.get(name)
                    return None if v is None else lo <= v <= hi
                return field_between

            def between(env: Env) -> Any:
                v = value(env)
                return kleene_and(compare(">=", v, low(env)), compare("<=", v, high(env)))
            return between
        if isinstance(n, I.InN):
            known, options = const(n.options)
            if known and options is not None and all(not isinstance(o, Row) for o in options):
                item, members, negated = go(n.item), list(options), n.negated

                def member(env: Env) -> Any:
                    v = item(env)
                    if v is None:
                        return None
                    return ((v.key if isinstance(v, Row) else v) in members) != negated
                return member
        return generic(n)

    return go(node)
