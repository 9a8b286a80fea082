"""Hypothesis strategies for whole worlds: a random entity schema, rules over it, and facts that fit it.

tests/engine/generated.py writes rules over one fixed schema, the way the national criteria read.
Here the schema itself is drawn: one to four entities in a tree of references (each row of E2
points at a row of E1 ...), fields of every type (text, integer, number, percent, bool, date), and
rules that compare, count, cover, sum and quantify over them through one or two references. Values
are often missing. The columnar backend is held to the interpreter's outcomes on these worlds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

TYPES = ("text", "integer", "number", "percent", "bool", "date")
TEXTS = ("甲", "乙", "丙", "a b", "")


@dataclass(frozen=True)
class Entity:
    name: str
    parent: str | None
    fields: tuple[tuple[str, str], ...]  # (name, type)


@dataclass(frozen=True)
class World:
    entities: tuple[Entity, ...]

    def schema(self) -> str:
        lines = ['ruleset g "生成" version "1"', "param 门槛 = 50%"]
        for e in self.entities:
            parts = ["key 编号: text", *(f"{n}: {t}" for n, t in e.fields)]
            if e.parent:
                parts.append(f"{e.parent} -> {e.parent}")
            lines.append(f"entity {e.name} {{ {'; '.join(parts)} }}")
        return "\n".join(lines) + "\n"

    def entity(self, name: str) -> Entity:
        return next(e for e in self.entities if e.name == name)

    def children(self, name: str) -> list[Entity]:
        return [e for e in self.entities if e.parent == name]

    def descendants(self, name: str) -> list[Entity]:
        """Entities one or two references below `name`."""
        out = self.children(name)
        return out + [g for c in out for g in self.children(c.name)]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    count = draw(st.integers(1, 4))
    entities = []
    for i in range(count):
        parent = f"E{draw(st.integers(0, i - 1))}" if i else None
        types = draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=4))
        entities.append(Entity(f"E{i}", parent, tuple((f"x{i}_{k}", t) for k, t in enumerate(types))))
    return World(tuple(entities))


# -- values and literals --------------------------------------------------------------------------

def values(kind: str) -> st.SearchStrategy[Any]:
    present: st.SearchStrategy[Any] = {
        "text": st.sampled_from(TEXTS),
        "integer": st.integers(-3, 12),
        "number": st.one_of(st.integers(-3, 12), st.integers(-30, 120).map(lambda k: Fraction(k, 10)),
                            st.just(Fraction(1, 3))),  # a share no DECIMAL holds: left to the interpreter
        "percent": st.integers(0, 100).map(lambda k: Fraction(k, 100)),
        "bool": st.booleans(),
        "date": st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    }[kind]
    return st.one_of(present, present, present, st.none())


def literal(kind: str) -> st.SearchStrategy[str]:
    return {
        "text": st.sampled_from(TEXTS).map(lambda t: f'"{t}"'),
        "integer": st.integers(-3, 12).map(str),
        "number": st.integers(-30, 120).map(lambda k: str(Decimal(k) / 10)),
        "percent": st.integers(0, 100).map(lambda k: f"{k}%"),
        "date": st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)).map(lambda d: d.isoformat()),
    }[kind]


NUMERIC = ("integer", "number", "percent")
ORDERED = (*NUMERIC, "date")  # text has no order in the rule language (a type error)


@st.composite
def condition(draw: st.DrawFn, e: Entity, through: str = "") -> str:
    """A condition on one row of `e`, as a `where` or a body sees it (`through`: the reference to it)."""
    name, kind = draw(st.sampled_from(e.fields))
    name = through + name
    if kind == "bool":
        return draw(st.sampled_from([name, f"not {name}", f"{name} is missing", f"{name} is present"]))
    shapes = [f"{name} is missing", f"{name} is present"]
    op = draw(st.sampled_from(["=", "!=", ">=", "<", ">"] if kind in ORDERED else ["=", "!="]))
    shapes.append(f"{name} {op} {draw(literal(kind))}")
    shapes.append(f"{name} in [{draw(literal(kind))}, {draw(literal(kind))}]")
    if kind in NUMERIC or kind == "date":
        low, high = sorted([draw(literal(kind)), draw(literal(kind))], key=_sort_key)
        shapes.append(f"{name} between {low} and {high}")
    if kind in NUMERIC:
        shapes.append(f"{name} + 1 > {draw(literal(kind))}")
        shapes.append(f"{name} * 2 <= {draw(literal(kind))}")
    if kind == "date":
        shapes.append(f"{name} within 3 months before today")
        shapes.append(f"year({name}) = 2026 and quarter({name}) >= 3")
    if kind == "text":
        shapes.append(f'{name} contains "a"')
    return draw(st.sampled_from(shapes))


def _sort_key(text: str) -> Any:
    if text.endswith("%"):
        return Fraction(text[:-1])
    try:
        return Fraction(text)
    except ValueError:
        return text


@st.composite
def rule_body(draw: st.DrawFn, world: World) -> str:
    e = draw(st.sampled_from(world.entities))
    below = world.descendants(e.name)
    n = draw(st.integers(0, 3))
    # An entity may have no rows: a rule over it then could not be checked, unless it says it may be empty.
    m = draw(st.sampled_from(["", "", " (may be empty)"]))
    shapes = [
        condition(e).map(lambda c: f"each {e.name}{m} has {c}"),
        condition(e).map(lambda c: f"no {e.name}{m} where {c}"),
        condition(e).map(lambda c: f"some {e.name}{m} where {c}"),
        condition(e).map(lambda c: f"coverage({e.name}{m} where {c}) >= 门槛"),
        condition(e).map(lambda c: f"at most {n} {e.name}{m} where {c}"),
        st.tuples(condition(e), condition(e)).map(lambda cs: f"each {e.name} where {cs[0]} has {cs[1]}"),
    ]
    numeric = [(f, t) for f, t in e.fields if t in NUMERIC]
    if numeric:
        f, t = draw(st.sampled_from(numeric))
        agg = draw(st.sampled_from(["sum", "min", "max", "count_distinct", "avg"]))
        shapes.append(st.just(f"{agg}({e.name}.{f}) >= {n if agg == 'count_distinct' else draw(literal(t))}"))
    if below:
        d = draw(st.sampled_from(below))
        op = draw(st.sampled_from(["at least", "at most", "exactly"]))
        shapes.append(condition(d).map(lambda c: f"each {e.name}{m} has {op} {n} {d.name}{m} where {c}"))
        shapes.append(condition(d).map(lambda c: f"coverage({e.name} where some {d.name} where {c}) >= 门槛"))
        shapes.append(condition(d).map(lambda c: f"each {e.name} has count({d.name} where {c}) >= {n}"))
        numeric_below = [(f, t) for f, t in d.fields if t in NUMERIC]
        if numeric_below:
            f, t = draw(st.sampled_from(numeric_below))
            agg = draw(st.sampled_from(["sum", "min", "max", "count_distinct"]))
            least = n if agg == "count_distinct" else draw(literal(t))
            shapes.append(st.just(f"each {e.name} has {agg}({d.name}.{f}) >= {least} or {agg}({d.name}.{f}) is missing"))
    if e.parent:
        parent = world.entity(e.parent)
        shapes.append(condition(parent, f"{e.parent}.").map(lambda c: f"each {e.name} where {c} has {e.parent} is present"))
    body = draw(st.one_of(*shapes))
    combine = draw(st.sampled_from(["", "", "and", "or", "not"]))
    if combine == "not":
        return f"not ({body})"
    if combine:
        return f"({body}) {combine} ({draw(rule_body(world))})"
    return body


@st.composite
def world_rules(draw: st.DrawFn, world: World) -> str:
    return "\n".join(f'rule R{i} "规则{i}" {{ {draw(rule_body(world))} }}' for i in range(draw(st.integers(1, 3))))


@st.composite
def world_facts(draw: st.DrawFn, world: World) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    for e in world.entities:
        parents = [r["编号"] for r in tables[e.parent]] if e.parent else []
        rows = []
        for k in range(draw(st.integers(0, 7))):
            if e.parent and not parents:
                break
            row: dict[str, Any] = {"编号": f"{e.name}-{k}"}
            for name, kind in e.fields:
                row[name] = draw(values(kind))
            if e.parent:
                row[e.parent] = draw(st.one_of(st.sampled_from(parents), st.none()))
            rows.append(row)
        tables[e.name] = rows
    return tables
