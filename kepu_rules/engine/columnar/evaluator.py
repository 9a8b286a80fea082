"""The columnar backend: the reference interpreter with its per-row loops pushed down to DuckDB.

A rule's outcome is built by the same Explainer as in the Python backend; what changes is who
decides, row by row, the `where` of a collection, the body of a quantifier and the condition of a
coverage at the top of a rule. Those three loops are where the time goes at scale (each of 12,000
communities counting its activities), and each becomes one SQL query that sorts the rows into those
that pass, fail or cannot be decided. Explaining the failing items (what each has and needs, with
provenance) then runs in the interpreter over those items only. Over an entity a source left in the
store (kepu_rules.facts.deferred) the rows are Row objects only once something reads them.

Anything the compiler does not take, and any query DuckDB refuses, falls back to the interpreter,
so both backends give the same outcomes by construction wherever SQL is not used, and by the
differential tests (tests/engine/test_columnar.py) wherever it is.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any, overload

from kepu_rules.dsl import ir as I
from kepu_rules.dsl.checker import CheckedRuleset
from kepu_rules.engine.columnar.compiler import Compiler, NotCompilable, Scope
from kepu_rules.engine.columnar.tables import ColumnarFacts, ColumnarStore
from kepu_rules.engine.evaluate import EvalContext, Outcome, evaluate_rule
from kepu_rules.engine.explain import Explainer
from kepu_rules.engine.interpreter import Env, Interpreter, quant_verdict
from kepu_rules.facts.deferred import RowsAt
from kepu_rules.facts.table import FactBase, Row
from kepu_rules.registry import FunctionDef

Verdict = bool | None
#: Rows whose condition holds, cannot be decided, fails.
_THREE_WAYS = ["v0 IS TRUE", "v0 IS NULL", "v0 IS FALSE"]


class ColumnarInterpreter(Interpreter):
    """An Interpreter whose top-level row loops run as SQL over a ColumnarFacts."""

    def __init__(self, db: ColumnarFacts, params: dict[str, Any], as_of: Any, functions: dict[str, FunctionDef]) -> None:
        super().__init__(db.facts, params, as_of, functions)
        self.db = db
        self.queries = 0  # how many loops ran in SQL (for tests and benchmarks)
        self.fallbacks = 0  # how many were left to the interpreter

    def _groups(self, rows: I.RowsOf, conditions: list[I.Node | None],
                groups: list[str]) -> list[Sequence[Row]] | None:
        """The rows of `rows` (unanchored, within any window) in each group, in FactBase order: a group
        is an SQL test of the conditions' verdicts v0, v1, ... (TRUE, FALSE or NULL), such as
        `v0 IS TRUE`. None when the conditions cannot be compiled (the caller then loops in Python).

        Rows of a deferred entity come as RowsAt over rids that are only counted until read: counting
        is all most rules do with the rows that pass, and a list of 100,000s of rids costs more to bring
        into Python than the query that finds them."""
        import duckdb

        if rows.anchor is not None:
            return None
        self.require_rows(rows)
        compiler = Compiler(self.db, lambda node: Interpreter.ev(self, node, ()), self.functions, self.windows)
        scope = Scope(rows.entity, "t0")
        deferred = self.facts.deferred.get(rows.entity)
        try:
            table = self.db.table(rows.entity)
            verdicts = "".join(f", CAST({compiler.expr(c, [scope]) if c is not None else 'TRUE'} AS BOOLEAN) AS v{i}"
                               for i, c in enumerate(conditions))
            window = compiler.window(scope)
            inner = f"SELECT t0._rid{verdicts} FROM {table.name} t0" + (f" WHERE {window}" if window else "")
            if deferred is not None:
                counts = ", ".join(f"count(*) FILTER (WHERE {g})" for g in groups)
                found = self.db.store.fetchone(f"SELECT {counts} FROM ({inner})")
            else:
                lists = ", ".join(f"list(_rid ORDER BY _rid) FILTER (WHERE {g})" for g in groups)
                found = self.db.store.fetchone(f"SELECT {lists} FROM ({inner})")
        except (NotCompilable, duckdb.Error):
            self.fallbacks += 1
            return None
        self.queries += 1
        assert found is not None
        if deferred is not None:
            store = self.db.store
            return [RowsAt(deferred, QueriedRids(store, f"SELECT _rid FROM ({inner}) WHERE {g}", n) if n else [])
                    for g, n in zip(groups, found, strict=True)]
        all_rows = self.facts.all(rows.entity)
        return [[all_rows[rid] for rid in v or []] for v in found]

    def base_rows(self, node: I.RowsOf, env: Env) -> Sequence[Row]:
        deferred = self.facts.deferred.get(node.entity)
        if node.anchor is None and deferred is not None:
            self.require_rows(node)
            if node.entity not in self.windows:
                return RowsAt(deferred, range(len(deferred)))
            found = self._groups(node, [], ["TRUE"])
            if found is not None:
                return found[0]
        return super().base_rows(node, env)

    def project(self, rows: Sequence[Row], name: str) -> list[Any]:
        if isinstance(rows, RowsAt):  # rows of a deferred entity: their values, without building them
            return rows.values(name)
        return super().project(rows, name)

    # -- the three loops -----------------------------------------------------------------------

    def split(self, node: I.RowsOf, env: Env) -> tuple[Sequence[Row], Sequence[Row], Sequence[Row]]:
        if env or node.where is None:
            return super().split(node, env)
        found = self._groups(node, [node.where], _THREE_WAYS)
        if found is None:
            return super().split(node, env)
        yes, unknown, no = found
        return yes, unknown, no

    def quant_items(self, n: I.QuantN, env: Env) -> tuple[Verdict, Sequence[Row], Sequence[Row], Sequence[Row]]:
        if env or n.body is None:
            return super().quant_items(n, env)
        found = self._groups(n.rows, [n.rows.where, n.body],
                             ["v0 IS TRUE AND v1 IS TRUE", "v0 IS NULL", "v0 IS TRUE AND v1 IS NULL", "v0 IS TRUE AND v1 IS FALSE"])
        if found is None:
            return super().quant_items(n, env)
        passing, unknown_where, unknown_body, failing = found
        # The interpreter lists rows whose `where` is undecided first, then those whose body is.
        undecided = [*unknown_where, *unknown_body] if unknown_where else unknown_body
        return quant_verdict(n.kind, passing, undecided, failing)

    def coverage(self, n: I.Aggregate, env: Env) -> tuple[Any, Sequence[Row], Sequence[Row], Sequence[Row]]:
        if env or not isinstance(n.arg, I.RowsOf) or n.cond is None:
            return super().coverage(n, env)
        rows = I.RowsOf(n.arg.type, n.arg.src, n.arg.entity, n.arg.anchor, n.arg.path, None, n.arg.may_be_empty)
        found = self._groups(rows, [n.cond], _THREE_WAYS)
        if found is None:
            return super().coverage(n, env)
        yes, unknown, no = found
        total = len(yes) + len(unknown) + len(no)
        share = Fraction(len(yes), total) if total and not unknown else None
        return share, yes, unknown, no


class QueriedRids(Sequence[int]):
    """The rids a query selects, ascending: `n` of them, fetched only when one is read."""

    def __init__(self, store: ColumnarStore, query: str, n: int) -> None:
        self._store = store
        self._query = query  # SELECT _rid FROM ... (any order)
        self._n = n
        self._rids: list[int] | None = None

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...

    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        return self._fetch()[index]

    def __iter__(self) -> Iterator[int]:
        return iter(self._fetch())

    def _fetch(self) -> list[int]:
        if self._rids is None:
            found = self._store.fetchone(f"SELECT list(_rid ORDER BY _rid) FROM ({self._query})")
            self._rids = list(found[0]) if found is not None and found[0] is not None else []
            assert len(self._rids) == self._n
        return self._rids


def fields_read(ruleset: CheckedRuleset) -> dict[str, set[str]]:
    """entity -> the fields any rule reads (only those are loaded into DuckDB)."""
    wanted: dict[str, set[str]] = {}
    for rule in ruleset.rules.values():
        for root in (rule.body, rule.applies, rule.warn_at):
            for node in _walk(root):
                if isinstance(node, I.FieldOf):
                    wanted.setdefault(node.entity, set()).add(node.field)
                elif isinstance(node, I.Project) and isinstance(node.rows, I.RowsOf):
                    wanted.setdefault(node.rows.entity, set()).add(node.field)
                elif isinstance(node, I.PeriodN):
                    for entity, date_field in node.dated:
                        wanted.setdefault(entity, set()).add(date_field)
                elif isinstance(node, I.RowsOf):
                    wanted.setdefault(node.entity, set())
                    for hop in node.path:
                        wanted.setdefault(hop.entity, set()).add(hop.field)
    return wanted


def _walk(node: I.Node | None) -> Iterator[I.Node]:
    if node is None:
        return
    yield node
    for child in I.children(node):
        yield from _walk(child)


class ColumnarEvaluator:
    """The DuckDB backend. Needs the `duckdb` package; outcomes are those of PythonEvaluator.

    `store` is the one sources read into (kepu_rules.engine.assess); without it, the facts' rows are
    copied into a store of the evaluation's own."""

    name = "columnar"

    def __init__(self, store: ColumnarStore | None = None) -> None:
        self.store = store
        self.queries = 0
        self.fallbacks = 0

    def evaluate(self, ruleset: CheckedRuleset, facts: FactBase, context: EvalContext) -> list[Outcome]:
        db = ColumnarFacts(facts, fields_read(ruleset), self.store)
        try:
            interp = ColumnarInterpreter(db, context.params, context.as_of, context.functions)
            explainer = Explainer(interp)
            outcomes = [evaluate_rule(rule, interp, explainer) for rule in ruleset.rules.values()]
            self.queries += interp.queries
            self.fallbacks += interp.fallbacks
            return outcomes
        finally:
            if self.store is None:  # a store sources read into lives as long as their deferred rows
                db.close()
