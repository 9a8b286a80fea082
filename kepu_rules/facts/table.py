"""Typed fact tables: rows of one entity, each with its provenance, and the FactBase that links them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from kepu_rules.diagnostics import Diagnostic, KepuError
from kepu_rules.facts.provenance import Provenance
from kepu_rules.facts.schema import FieldType, Schema
from kepu_rules.i18n import Msg

Value = Any  # str | int | Fraction | bool | datetime.date | None; None means missing, never zero


class Row:
    """One fact: typed values by field name, where it came from, and where each value came from.

    Where each value came from is either in `cells` (field -> provenance: a sheet cell, a merged range's
    anchor) or, for line-oriented files, derived from `columns` (field -> column number, one mapping
    shared by every row of a table): a CSV row then costs one provenance, not one per cell.
    """

    __slots__ = ("cells", "columns", "entity", "key", "provenance", "values")

    def __init__(
        self,
        entity: str,
        values: dict[str, Value],
        provenance: Provenance,
        cells: dict[str, Provenance] | None = None,
        columns: Mapping[str, int] | None = None,
    ) -> None:
        self.entity = entity
        self.key: Value = None  # set by FactBase when the entity has a key field
        self.values = values
        self.provenance = provenance
        self.cells = cells or {}
        self.columns = columns

    def get(self, name: str) -> Value:
        return self.values.get(name)

    def where(self, name: str) -> Provenance:
        """The provenance of one value: its cell if known, else the row's."""
        found = self.cells.get(name)
        if found is not None:
            return found
        if self.columns is not None and (column := self.columns.get(name)) is not None:
            return self.provenance.with_cell(column=column)
        return self.provenance

    def __repr__(self) -> str:
        return f"Row({self.entity}, {self.values!r}, {self.provenance.render()})"


@dataclass(slots=True)
class ScalarFact:
    """A district-level figure and where it was read."""

    name: str
    value: Value
    provenance: Provenance


@dataclass(slots=True)
class FactTable:
    """The rows of one entity read by one source."""

    entity: str
    rows: list[Row]
    source: str = ""

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(slots=True)
class SourceData:
    """What one source yields: tables for one or more entities and scalar facts."""

    tables: list[FactTable] = field(default_factory=list)
    scalars: list[ScalarFact] = field(default_factory=list)


class FactBase:
    """All facts of one assessment, linked: keys unique, references resolved, indexes ready.

    An entity no source provides is *missing* (rules over it are `unknown`), which differs from an
    entity whose source has zero rows (counts are 0).
    """

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.rows: dict[str, list[Row]] = {}
        self.scalars: dict[str, ScalarFact] = {}
        self._by_key: dict[str, dict[Any, Row]] = {}
        self._children: dict[tuple[str, str], dict[Any, list[Row]]] = {}

    @classmethod
    def build(cls, schema: Schema, data: Iterable[SourceData]) -> FactBase:
        """Merge source data, check keys and references; raise KepuError listing every problem."""
        base = cls(schema)
        problems: list[Diagnostic] = []
        for chunk in data:
            for table in chunk.tables:
                base.rows.setdefault(table.entity, []).extend(table.rows)
            for scalar in chunk.scalars:
                previous = base.scalars.get(scalar.name)
                if previous is not None and previous.value != scalar.value:
                    problems.append(Diagnostic(
                        scalar.provenance.location(),
                        Msg(f"指标 {scalar.name} 有两个不同的值：{scalar.value} 与 {previous.value}（{previous.provenance.render()}）",
                            f"scalar fact {scalar.name} has two different values: {scalar.value} and "
                            f"{previous.value} ({previous.provenance.render()})"),
                        code="duplicate-scalar"))
                base.scalars[scalar.name] = scalar
        problems += base._index_keys()
        problems += base._check_references()
        if any(p.is_error for p in problems):
            raise KepuError(problems)
        return base

    def has(self, entity: str) -> bool:
        """Whether any source provides this entity (possibly with zero rows)."""
        return entity in self.rows

    def all(self, entity: str) -> list[Row]:
        return self.rows.get(entity, [])

    def lookup(self, entity: str, key: Value) -> Row | None:
        return self._by_key.get(entity, {}).get(key)

    def key_of(self, row: Row) -> Value:
        entity = self.schema.entities.get(row.entity)
        key = entity.key if entity else None
        return row.get(key.name) if key else None

    def children(self, entity: str, ref_field: str, key: Value) -> list[Row]:
        """Rows of `entity` whose `ref_field` points at `key`; indexed on first use."""
        index = self._children.get((entity, ref_field))
        if index is None:
            index = {}
            for row in self.rows.get(entity, []):
                index.setdefault(row.values.get(ref_field), []).append(row)
            self._children[(entity, ref_field)] = index
        return index.get(key, [])

    def _index_keys(self) -> list[Diagnostic]:
        problems: list[Diagnostic] = []
        for name, rows in self.rows.items():
            entity = self.schema.entities.get(name)
            key = entity.key if entity else None
            if key is None:
                continue
            index: dict[Any, Row] = {}
            key_name = key.name
            for row in rows:
                value = row.values.get(key_name)
                if value is None:
                    problems.append(Diagnostic(
                        row.where(key.name).location(),
                        Msg(f"{name} 的主键 {key.name} 为空", f"{name} has an empty key {key.name}"),
                        code="empty-key"))
                    continue
                first = index.get(value)
                if first is not None:
                    problems.append(Diagnostic(
                        row.where(key.name).location(),
                        Msg(f"{name} “{value}” 重复出现（首次出现于 {first.where(key.name).render()}）",
                            f"duplicate {name} key {value!r} (first seen at {first.where(key.name).render()})"),
                        code="duplicate-key"))
                    continue
                index[value] = row
                row.key = value
            self._by_key[name] = index
        return problems

    def _check_references(self) -> list[Diagnostic]:
        problems: list[Diagnostic] = []
        for name, rows in self.rows.items():
            entity = self.schema.entities.get(name)
            if entity is None:
                continue
            for f in entity.fields.values():
                if f.type is not FieldType.REF or f.target is None:
                    continue
                targets = self._by_key.get(f.target)
                if targets is None:
                    # The target entity has no source: references cannot be checked, rules report unknown.
                    continue
                ref_name = f.name
                for row in rows:
                    value = row.values.get(ref_name)
                    if value is not None and value not in targets:
                        problems.append(Diagnostic(
                            row.where(f.name).location(),
                            Msg(f"{name} 的 {f.name} 引用了不存在的{f.target}“{value}”",
                                f"{name}.{f.name} refers to {f.target} {value!r}, which does not exist"),
                            hint=_nearest_hint(str(value), [str(k) for k in targets]),
                            code="dangling-reference"))
        return problems


def _nearest_hint(value: str, choices: list[str]) -> Msg | None:
    from kepu_rules.suggest import nearest

    best = nearest(value, choices)
    return Msg(f"是不是“{best}”？", f"did you mean {best!r}?") if best else None
