"""The checked form of a rule: every name bound (field, entity, param, fact), every node typed.

The checker builds it once per ruleset; evaluators (the reference interpreter, a columnar backend)
run it over many fact bases. Nodes keep the AST node they came from for explanations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from kepu_rules.dsl import ast as A

# ---------------------------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------------------------

ScalarKind = Literal["text", "integer", "number", "percent", "bool", "date", "any"]


@dataclass(frozen=True, slots=True)
class Scalar:
    kind: ScalarKind

    @property
    def numeric(self) -> bool:
        return self.kind in ("integer", "number", "percent", "any")

    def __str__(self) -> str:
        return self.kind


@dataclass(frozen=True, slots=True)
class ItemT:
    """One row of an entity (the current item, or the target of a reference)."""

    entity: str

    def __str__(self) -> str:
        return f"{self.entity} item"


@dataclass(frozen=True, slots=True)
class RowsT:
    """Rows of an entity."""

    entity: str

    def __str__(self) -> str:
        return f"{self.entity} rows"


@dataclass(frozen=True, slots=True)
class ListT:
    """A list of values (a literal list, or a field projected over rows)."""

    elem: Scalar

    def __str__(self) -> str:
        return f"list of {self.elem}"


Type = Scalar | ItemT | RowsT | ListT

TEXT, INTEGER, NUMBER, PERCENT, BOOL, DATE, ANY = (Scalar(k) for k in ("text", "integer", "number", "percent", "bool", "date", "any"))

# ---------------------------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    type: Type
    src: Any  # the AST node (an A.Expr) it was checked from


@dataclass(frozen=True, slots=True, eq=False)
class Const(Node):
    value: Any


@dataclass(frozen=True, slots=True, eq=False)
class TodayN(Node):
    pass


@dataclass(frozen=True, slots=True, eq=False)
class ParamRef(Node):
    name: str


@dataclass(frozen=True, slots=True, eq=False)
class FactRef(Node):
    name: str


@dataclass(frozen=True, slots=True, eq=False)
class ScopeItem(Node):
    """The item bound by an enclosing quantifier or `where`; depth 0 is the innermost scope."""

    depth: int


@dataclass(frozen=True, slots=True, eq=False)
class FieldOf(Node):
    """A field of an item. For a reference field the result is the referenced item."""

    item: Node
    entity: str
    field: str
    is_ref: bool = False
    target: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Hop:
    """One step of a relation: rows of `entity` whose `field` points at the previous step's item."""

    entity: str
    field: str


@dataclass(frozen=True, slots=True, eq=False)
class RowsOf(Node):
    """Rows of `entity`. With an anchor, only those related to the anchor item through `path`
    (read from the anchor outwards); optionally filtered by `where`, which sees each row as scope 0.
    Unless `may_be_empty`, rows of an entity no source gave a row of cannot be read: the rule could not
    be checked (see Interpreter.require_rows)."""

    entity: str
    anchor: Node | None = None
    path: tuple[Hop, ...] = ()
    where: Node | None = None
    may_be_empty: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class Project(Node):
    """The values of one field over rows (missing values left out)."""

    rows: Node
    field: str


@dataclass(frozen=True, slots=True, eq=False)
class ListN(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Aggregate(Node):
    """count, sum, avg, min, max, count_distinct, distinct, size, coverage over rows or values."""

    func: str
    arg: Node
    cond: Node | None = None  # coverage: the condition each row must meet


@dataclass(frozen=True, slots=True, eq=False)
class CallN(Node):
    func: str
    args: tuple[Node, ...]
    raw: tuple[Any, ...] = ()  # field names and other non-node arguments, by position


@dataclass(frozen=True, slots=True, eq=False)
class ArithN(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True, eq=False)
class NegN(Node):
    operand: Node


@dataclass(frozen=True, slots=True, eq=False)
class CompareN(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True, eq=False)
class BoolOp(Node):
    op: Literal["and", "or"]
    left: Node
    right: Node


@dataclass(frozen=True, slots=True, eq=False)
class NotN(Node):
    operand: Node


@dataclass(frozen=True, slots=True, eq=False)
class InN(Node):
    item: Node
    options: Node
    negated: bool


@dataclass(frozen=True, slots=True, eq=False)
class ContainsN(Node):
    container: Node
    item: Node
    mode: str


@dataclass(frozen=True, slots=True, eq=False)
class BetweenN(Node):
    value: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True, eq=False)
class WithinN(Node):
    value: Node
    amount: Any
    unit: str
    ref: Node


@dataclass(frozen=True, slots=True, eq=False)
class MissingN(Node):
    value: Node
    negated: bool


@dataclass(frozen=True, slots=True, eq=False)
class QuantN(Node):
    """each / no / some over rows; body sees each row as scope 0."""

    kind: str
    rows: RowsOf
    body: Node | None


@dataclass(frozen=True, slots=True, eq=False)
class CountQN(Node):
    op: str
    n: Node
    rows: RowsOf


@dataclass(frozen=True, slots=True, eq=False)
class PeriodN(Node):
    """each year/quarter/month: body holds in every bucket; `dated` names the date field per entity."""

    unit: str
    body: Node
    of_year: Node | None
    start: Node | None
    end: Node | None
    dated: tuple[tuple[str, str], ...] = field(default=())


def children(node: Node) -> list[Node]:
    """The nodes directly under `node` (its operands, rows, bodies), in field order."""
    out: list[Node] = []
    for name in node.__slots__:  # a slotted dataclass lists only its own fields here: not type and src
        value = getattr(node, name)
        if isinstance(value, Node):
            out.append(value)
        elif isinstance(value, tuple):
            out.extend(v for v in value if isinstance(v, Node))
    return out


@dataclass(slots=True)
class CheckedRule:
    """A rule ready to evaluate: its body and `applies when` condition checked, metadata resolved."""

    id: str
    body: Node
    applies: Node | None
    warn_at: Node | None
    entities: frozenset[str]  # every entity the rule reads
    facts: frozenset[str]  # every scalar fact the rule reads
    params: frozenset[str]
    src: A.Rule = field(repr=False, default=None)  # type: ignore[assignment]
