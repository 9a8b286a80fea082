"""The reference interpreter: a plain, obviously correct walk over the checked IR.

Truth is three-valued (True, False, None = could not tell because a value is missing), numbers are
exact (int and Fraction), and an entity that no source provides, or whose sources gave no row, raises
`MissingData` when a rule reads its rows (unless the rule wrote `E (may be empty)`), which the rule
reports as `unknown`. A faster backend must agree with this one on every outcome.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from kepu_rules.dsl import ir as I
from kepu_rules.facts.table import FactBase, Row
from kepu_rules.i18n import Msg
from kepu_rules.registry import FunctionDef

Env = tuple[Row, ...]


class MissingData(Exception):
    """An entity or scalar fact the rule needs has no source, or an entity whose rows it reads has none:
    the rule cannot be checked."""

    def __init__(self, kind: str, name: str, where: Msg | None = None) -> None:
        super().__init__(name)
        self.kind = kind  # "entity" | "empty" | "fact" | "param"
        self.name = name
        self.where = where  # for "empty": the sources that were read

    def message(self) -> Msg:
        if self.kind == "entity":
            return Msg(f"没有数据源提供“{self.name}”", f"no data source provides {self.name}")
        if self.kind == "empty":
            where = self.where if self.where is not None and self.where.zh else None
            return Msg(f"未读到任何 {self.name} 行", f"no {self.name} rows were read") + \
                (Msg(f"（{where.zh}）", f" ({where.en})") if where is not None else Msg("", ""))
        if self.kind == "fact":
            return Msg(f"指标“{self.name}”没有数值", f"scalar fact {self.name} has no value")
        return Msg(f"参数“{self.name}”没有值", f"param {self.name} has no value")


class EvalError(Exception):
    """The data make a rule impossible to evaluate (division by zero, a bad date): status `error`."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.en)
        self.msg = message


@dataclass(frozen=True, slots=True)
class Window:
    """A date window restricting an entity's rows while a period bucket is evaluated."""

    field: str
    start: dt.date
    end: dt.date  # inclusive


def kleene_and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def kleene_or(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def all_of(values: Iterator[bool | None]) -> bool | None:
    result: bool | None = True
    for v in values:
        if v is False:
            return False
        if v is None:
            result = None
    return result


def compare(op: str, a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    a, b = _comparable(a), _comparable(b)
    if op == "==":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    if op == ">=":
        return bool(a >= b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a < b)


def _comparable(v: Any) -> Any:
    # An item compares by its key; `街道 = "北坦街道"` is how rules name one street.
    return v.key if isinstance(v, Row) else v


def quant_verdict(kind: str, holds: Sequence[Row], undecided: Sequence[Row],
                  fails: Sequence[Row]) -> tuple[bool | None, Sequence[Row], Sequence[Row], Sequence[Row]]:
    """(verdict, passing, undecided, failing) of each/no/some, from the rows whose body holds, could
    not be decided, or fails."""
    if kind == "each":
        return (False if fails else None if undecided else True), holds, undecided, fails
    if kind == "no":
        # For `no`, a row whose body holds is the offending one.
        return (False if holds else None if undecided else True), fails, undecided, holds
    return (True if holds else None if undecided else False), holds, undecided, fails


def period_buckets(unit: str, years: list[int]) -> list[tuple[str, dt.date, dt.date]]:
    """Labelled (label, first day, last day) buckets of the given years."""
    out: list[tuple[str, dt.date, dt.date]] = []
    for y in years:
        if unit == "year":
            out.append((str(y), dt.date(y, 1, 1), dt.date(y, 12, 31)))
        elif unit == "quarter":
            for q in range(4):
                last = dt.date(y, 3 * q + 3, calendar.monthrange(y, 3 * q + 3)[1])
                out.append((f"{y}Q{q + 1}", dt.date(y, 3 * q + 1, 1), last))
        else:
            for m in range(1, 13):
                out.append((f"{y}-{m:02d}", dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])))
    return out


def shift_date(d: dt.date, amount: int | Fraction, unit: str) -> dt.date:
    """`d` moved back by `amount` units (calendar-aware for years and months)."""
    n = int(amount)
    if unit == "days":
        return d - dt.timedelta(days=n)
    months = n * 12 if unit == "years" else n
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    m += 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


class Interpreter:
    """Evaluates checked nodes against one FactBase."""

    def __init__(self, facts: FactBase, params: dict[str, Any], as_of: dt.date, functions: dict[str, FunctionDef],
                 *, row_predicates: bool = True) -> None:
        self.facts = facts
        self.params = params
        self.as_of = as_of
        self.functions = functions
        self.windows: dict[str, Window] = {}
        # Per-row conditions run as closures (kepu_rules/engine/row_predicates.py); False walks the IR
        # for every row, which tests compare against.
        self.row_predicates = row_predicates
        self._predicates: dict[int, tuple[I.Node, Callable[[Interpreter, Env], Any]]] = {}

    def predicate(self, node: I.Node) -> Callable[[Interpreter, Env], Any]:
        """`lambda interp, env: interp.ev(node, env)`, built once per node, faster for the common shapes."""
        if not self.row_predicates:
            return lambda interp, env: interp.ev(node, env)
        found = self._predicates.get(id(node))
        if found is None or found[0] is not node:
            from kepu_rules.engine.row_predicates import build

            found = self._predicates[id(node)] = (node, build(node, self))
        return found[1]

    # -- rows ----------------------------------------------------------------------------------

    def require_rows(self, node: I.RowsOf) -> None:
        """Raise MissingData unless every entity `node` reads rows of has a source and, unless the rule
        says it may be empty, at least one row: a criterion over no rows at all is not checked, it would
        hold (or fail) vacuously."""
        for entity in (node.entity, *(hop.entity for hop in node.path)):
            if not self.facts.has(entity):
                raise MissingData("entity", entity)
            if not node.may_be_empty and self.facts.count(entity) == 0 and entity not in self.facts.dated_out:
                raise MissingData("empty", entity, self.facts.origins(entity))

    def base_rows(self, node: I.RowsOf, env: Env) -> Sequence[Row]:
        """Rows of the entity related to the anchor, within any active period window (no `where`)."""
        self.require_rows(node)
        if node.anchor is None:
            rows = self.facts.all(node.entity)
        else:
            anchor = self.ev(node.anchor, env)
            if anchor is None:
                return []
            items = [anchor]
            for hop in node.path:
                items = [child for it in items for child in self.facts.children(hop.entity, hop.field, self.key(it))]
            rows = items
        window = self.windows.get(node.entity)
        if window is not None:
            name, start, end = window.field, window.start, window.end
            rows = [r for r in rows if (d := r.values.get(name)) is not None and start <= d <= end]
        return rows

    def split(self, node: I.RowsOf, env: Env) -> tuple[Sequence[Row], Sequence[Row], Sequence[Row]]:
        """Rows meeting the `where` condition, rows it could not decide, and rows failing it."""
        rows = self.base_rows(node, env)
        if node.where is None:
            return rows, [], []
        yes: list[Row] = []
        unknown: list[Row] = []
        no: list[Row] = []
        where = self.predicate(node.where)
        column_test = getattr(where, "column_test", None)
        if column_test is not None:  # `field op constant`: the same test, without a call per row
            name, test, value = column_test
            for row in rows:
                v = row.values.get(name)
                (unknown if v is None else yes if test(v, value) else no).append(row)
            return yes, unknown, no
        column_range = getattr(where, "column_range", None)
        if column_range is not None:  # `field between constants`, likewise
            name, low, high = column_range
            for row in rows:
                v = row.values.get(name)
                (unknown if v is None else yes if low <= v <= high else no).append(row)
            return yes, unknown, no
        for row in rows:
            verdict = where(self, (row, *env))
            (yes if verdict is True else unknown if verdict is None else no).append(row)
        return yes, unknown, no

    @staticmethod
    def key(row: Row) -> Any:
        return row.key

    # -- expressions ---------------------------------------------------------------------------

    def ev(self, node: I.Node, env: Env = ()) -> Any:
        return _DISPATCH[type(node)](self, node, env)

    def _const(self, n: I.Const, env: Env) -> Any:
        return n.value

    def _today(self, n: I.TodayN, env: Env) -> Any:
        return self.as_of

    def _param(self, n: I.ParamRef, env: Env) -> Any:
        if n.name not in self.params:
            raise MissingData("param", n.name)
        return self.params[n.name]

    def _fact(self, n: I.FactRef, env: Env) -> Any:
        fact = self.facts.scalars.get(n.name)
        if fact is None:
            raise MissingData("fact", n.name)
        return fact.value

    def _scope(self, n: I.ScopeItem, env: Env) -> Any:
        return env[n.depth]

    def _field(self, n: I.FieldOf, env: Env) -> Any:
        item = self.ev(n.item, env)
        if item is None:
            return None
        value = item.get(n.field)
        if n.is_ref and value is not None:
            if not self.facts.has(n.target or ""):
                raise MissingData("entity", n.target or "")
            return self.facts.lookup(n.target or "", value)
        return value

    def _rows(self, n: I.RowsOf, env: Env) -> Any:
        yes, unknown, _ = self.split(n, env)
        if unknown:
            return None  # which rows belong is undecided
        return yes

    def _project(self, n: I.Project, env: Env) -> Any:
        rows = self.ev(n.rows, env)
        if rows is None:
            return None
        return self.project(rows, n.field)

    def project(self, rows: Sequence[Row], name: str) -> list[Any]:
        """The value of field `name` in each row."""
        return [r.values.get(name) for r in rows]

    def _list(self, n: I.ListN, env: Env) -> Any:
        return [self.ev(i, env) for i in n.items]

    def _aggregate(self, n: I.Aggregate, env: Env) -> Any:
        if n.func == "coverage":
            return self.coverage(n, env)[0]
        if n.func == "count" and isinstance(n.arg, I.RowsOf):
            yes, unknown, _ = self.split(n.arg, env)
            return None if unknown else len(yes)
        values = self.ev(n.arg, env)
        if values is None:
            return None
        if n.func in ("count", "size"):
            return len(values)
        if n.func in ("count_distinct", "distinct"):
            if any(v is None for v in values):
                return None
            distinct = list(dict.fromkeys(_comparable(v) for v in values))
            return len(distinct) if n.func == "count_distinct" else distinct
        if any(v is None for v in values):
            return None
        if n.func == "sum":
            return sum(values, 0)
        if not values:
            return None
        if n.func == "avg":
            return Fraction(sum(values, 0)) / len(values)
        return min(values) if n.func == "min" else max(values)

    def coverage(self, n: I.Aggregate, env: Env) -> tuple[Fraction | None, Sequence[Row], Sequence[Row], Sequence[Row]]:
        """(share meeting the condition, rows meeting it, undecided rows, rows failing it)."""
        assert isinstance(n.arg, I.RowsOf) and n.cond is not None
        rows = self.base_rows(n.arg, env)
        yes: list[Row] = []
        unknown: list[Row] = []
        no: list[Row] = []
        cond = self.predicate(n.cond)
        for row in rows:
            verdict = cond(self, (row, *env))
            (yes if verdict is True else unknown if verdict is None else no).append(row)
        share = Fraction(len(yes), len(rows)) if rows and not unknown else None
        return share, yes, unknown, no

    def _call(self, n: I.CallN, env: Env) -> Any:
        fdef = self.functions[n.func]
        args = [raw if raw is not None else self.ev(node, env) for node, raw in zip(n.args, n.raw, strict=True)]
        try:
            return fdef.fn(*args)
        except (ArithmeticError, ValueError) as err:
            raise EvalError(Msg(f"函数 {n.func} 出错：{err}", f"function {n.func} failed: {err}")) from None

    def _arith(self, n: I.ArithN, env: Env) -> Any:
        a, b = self.ev(n.left, env), self.ev(n.right, env)
        if a is None or b is None:
            return None
        if n.op == "+":
            return a + b
        if n.op == "-":
            return a - b
        if n.op == "*":
            return a * b
        if b == 0:
            raise EvalError(Msg("除数为 0", "division by zero"))
        result = Fraction(a) / Fraction(b)
        return int(result) if result.denominator == 1 else result

    def _neg(self, n: I.NegN, env: Env) -> Any:
        v = self.ev(n.operand, env)
        return None if v is None else -v

    def _compare(self, n: I.CompareN, env: Env) -> Any:
        return compare(n.op, self.ev(n.left, env), self.ev(n.right, env))

    def _boolop(self, n: I.BoolOp, env: Env) -> Any:
        left = self.ev(n.left, env)
        # Short-circuit only on a decided value, so an unknown left side still lets the right decide.
        if n.op == "and":
            return False if left is False else kleene_and(left, self.ev(n.right, env))
        return True if left is True else kleene_or(left, self.ev(n.right, env))

    def _not(self, n: I.NotN, env: Env) -> Any:
        v = self.ev(n.operand, env)
        return None if v is None else not v

    def _in(self, n: I.InN, env: Env) -> Any:
        item, options = self.ev(n.item, env), self.ev(n.options, env)
        if item is None or options is None:
            return None
        found = _comparable(item) in [_comparable(o) for o in options]
        return found != n.negated

    def _contains(self, n: I.ContainsN, env: Env) -> Any:
        container, item = self.ev(n.container, env), self.ev(n.item, env)
        if container is None or item is None:
            return None
        if n.mode == "text":
            return item in container
        present = {_comparable(v) for v in container if v is not None}
        has_missing = any(v is None for v in container)
        wanted = [item] if n.mode == "one" else item
        hits = [_comparable(w) in present for w in wanted]
        decided = all(hits) if n.mode in ("one", "all") else any(hits)
        if decided:
            return True
        return None if has_missing else False

    def _between(self, n: I.BetweenN, env: Env) -> Any:
        v, lo, hi = self.ev(n.value, env), self.ev(n.low, env), self.ev(n.high, env)
        return kleene_and(compare(">=", v, lo), compare("<=", v, hi))

    def _within(self, n: I.WithinN, env: Env) -> Any:
        v, ref = self.ev(n.value, env), self.ev(n.ref, env)
        if v is None or ref is None:
            return None
        return bool(shift_date(ref, n.amount, n.unit) <= v <= ref)

    def _missing(self, n: I.MissingN, env: Env) -> Any:
        missing = self.ev(n.value, env) is None
        return missing != n.negated

    def _quant(self, n: I.QuantN, env: Env) -> Any:
        return self.quant_items(n, env)[0]

    def quant_items(self, n: I.QuantN, env: Env) -> tuple[bool | None, Sequence[Row], Sequence[Row], Sequence[Row]]:
        """(verdict, rows that pass, undecided rows, rows that fail) — what a row failing means depends on kind."""
        yes, unknown, _ = self.split(n.rows, env)
        if n.body is None:
            if n.kind == "no":
                return (False if yes else None if unknown else True), [], unknown, yes
            return (True if yes else None if unknown else False), yes, unknown, []
        passing: list[Row] = []
        undecided: list[Row] = list(unknown)
        failing: list[Row] = []
        body = self.predicate(n.body)
        for row in yes:
            holds = body(self, (row, *env))
            (passing if holds is True else undecided if holds is None else failing).append(row)
        return quant_verdict(n.kind, passing, undecided, failing)

    def _countq(self, n: I.CountQN, env: Env) -> Any:
        return self.count_range(n, env)[0]

    def count_range(self, n: I.CountQN, env: Env) -> tuple[bool | None, int, int, Any, Sequence[Row], Sequence[Row]]:
        """(verdict, definite count, possible count, N, matching rows, undecided rows)."""
        yes, unknown, _ = self.split(n.rows, env)
        target = self.ev(n.n, env)
        lo, hi = len(yes), len(yes) + len(unknown)
        if target is None:
            return None, lo, hi, target, yes, unknown
        test: Callable[[int], bool] = {
            "at_least": lambda c: c >= target, "at_most": lambda c: c <= target, "exactly": lambda c: c == target,
        }[n.op]
        if lo == hi:
            return test(lo), lo, hi, target, yes, unknown
        if n.op == "exactly":
            verdict = None if lo <= target <= hi else False
        else:
            a, b = test(lo), test(hi)
            verdict = a if a == b else None
        return verdict, lo, hi, target, yes, unknown

    def _period(self, n: I.PeriodN, env: Env) -> Any:
        return all_of(v for _, v in self.period_results(n, env))

    def period_years(self, n: I.PeriodN, env: Env) -> list[int]:
        if n.of_year is not None:
            y = self.ev(n.of_year, env)
            return [] if y is None else [int(y)]
        start, end = self.ev(n.start, env) if n.start else None, self.ev(n.end, env) if n.end else None
        if start is None or end is None:
            return []
        return list(range(int(start), int(end) + 1))

    def period_results(self, n: I.PeriodN, env: Env) -> list[tuple[str, bool | None]]:
        """The verdict of each bucket that has begun by the assessment date (a later one is not yet due)."""
        out: list[tuple[str, bool | None]] = []
        for label, start, end in period_buckets(n.unit, self.period_years(n, env)):
            if start > self.as_of:
                continue
            with self.window(n, start, end):
                out.append((label, self.ev(n.body, env)))
        return out

    @contextmanager
    def window(self, n: I.PeriodN, start: dt.date, end: dt.date) -> Iterator[None]:
        saved = dict(self.windows)
        for entity, field in n.dated:
            self.windows[entity] = Window(field, start, end)
        try:
            yield
        finally:
            self.windows = saved


_DISPATCH: dict[type, Callable[[Interpreter, Any, Env], Any]] = {
    I.Const: Interpreter._const, I.TodayN: Interpreter._today, I.ParamRef: Interpreter._param,
    I.FactRef: Interpreter._fact, I.ScopeItem: Interpreter._scope, I.FieldOf: Interpreter._field,
    I.RowsOf: Interpreter._rows, I.Project: Interpreter._project, I.ListN: Interpreter._list,
    I.Aggregate: Interpreter._aggregate, I.CallN: Interpreter._call, I.ArithN: Interpreter._arith,
    I.NegN: Interpreter._neg, I.CompareN: Interpreter._compare, I.BoolOp: Interpreter._boolop,
    I.NotN: Interpreter._not, I.InN: Interpreter._in, I.ContainsN: Interpreter._contains,
    I.BetweenN: Interpreter._between, I.WithinN: Interpreter._within, I.MissingN: Interpreter._missing,
    I.QuantN: Interpreter._quant, I.CountQN: Interpreter._countq, I.PeriodN: Interpreter._period,
}
