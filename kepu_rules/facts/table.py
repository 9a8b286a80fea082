"""Typed fact tables: rows of one entity, each with its provenance, and the FactBase that links them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kepu_rules.diagnostics import Diagnostic, KepuError
from kepu_rules.facts.provenance import Provenance
from kepu_rules.facts.schema import FieldType, Schema
from kepu_rules.i18n import Msg, join

if TYPE_CHECKING:
    from kepu_rules.facts.deferred import Deferred

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
    """The rows of one entity read by one source; or, for the columnar engine, rows left in its store
    (`deferred`, with `rows` empty: see kepu_rules.facts.deferred).

    `file` (as named in provenance) and `sheet` say where the rows were read, so that every run can
    state how many rows each file or sheet gave (FactBase.reads, `kepu check -v`)."""

    entity: str
    rows: list[Row]
    source: str = ""
    deferred: Deferred | None = None
    file: str = ""
    sheet: str | None = None

    def all_rows(self) -> list[Row]:
        return self.deferred.all() if self.deferred is not None else self.rows

    def __iter__(self) -> Iterator[Row]:
        return iter(self.all_rows())

    def __len__(self) -> int:
        return len(self.deferred) if self.deferred is not None else len(self.rows)


@dataclass(frozen=True, slots=True)
class TableRead:
    """How many rows one source read for one entity from one file or sheet."""

    source: str
    entity: str
    file: str
    sheet: str | None
    rows: int

    def where(self) -> str:
        """The file, or `file[sheet]` as diagnostics name a sheet; the source's name if it gave no file."""
        shown = self.file or self.source
        return f"{shown}[{self.sheet}]" if self.sheet is not None else shown


@dataclass(slots=True)
class SourceData:
    """What one source yields: tables for one or more entities and scalar facts."""

    tables: list[FactTable] = field(default_factory=list)
    scalars: list[ScalarFact] = field(default_factory=list)


class FactBase:
    """All facts of one assessment, linked: keys unique, references resolved, indexes ready.

    An entity no source provides is *missing*; one whose sources gave zero rows is *empty*. Rules that
    read the rows of either are `unknown` (could not check), unless a rule says an empty entity is
    fine (`E (may be empty)`: then its counts are 0). An entity a source left in the columnar store
    (`deferred`) is read from there: its rows are built only when asked for.
    """

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._rows: dict[str, list[Row]] = {}
        self.deferred: dict[str, Deferred] = {}
        self._order: list[str] = []  # entities in the order sources gave them (problems are listed so)
        self.scalars: dict[str, ScalarFact] = {}
        # Entities whose rows all postdate the assessment date (kepu_rules.facts.asof): known to have none.
        self.dated_out: set[str] = set()
        self._by_key: dict[str, Mapping[Any, Row]] = {}
        self.reads: list[TableRead] = []  # rows per file or sheet, in the order sources gave them
        self._children: dict[tuple[str, str], Mapping[Any, list[Row]]] = {}

    @classmethod
    def build(cls, schema: Schema, data: Iterable[SourceData]) -> FactBase:
        """Merge source data, check keys and references; raise KepuError listing every problem."""
        base = cls(schema)
        problems: list[Diagnostic] = []
        for chunk in data:
            for table in chunk.tables:
                base._add(table)
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
        base._build_rows_of_bad_deferred_keys()
        problems += base._index_keys()
        problems += base._check_references()
        if any(p.is_error for p in problems):
            raise KepuError(problems)
        return base

    def _add(self, table: FactTable) -> None:
        # An entity stays deferred only while one table provides it: rows of two sources are merged
        # as Rows.
        name = table.entity
        self.reads.append(TableRead(table.source, name, table.file, table.sheet, len(table)))
        if not self.has(name):
            self._order.append(name)
        if table.deferred is not None and not self.has(name):
            self.deferred[name] = table.deferred
            return
        if name in self.deferred:
            self._rows[name] = self.all(name)
            del self.deferred[name]
        self._rows.setdefault(name, []).extend(table.all_rows())

    @property
    def rows(self) -> dict[str, list[Row]]:
        """Every entity's rows, in the order sources gave them (building those of deferred entities:
        prefer `all`, `count` and `keys`)."""
        return {name: self.all(name) for name in self._order}

    def has(self, entity: str) -> bool:
        """Whether any source provides this entity (possibly with zero rows)."""
        return entity in self._rows or entity in self.deferred

    def all(self, entity: str) -> list[Row]:
        found = self._rows.get(entity)
        if found is None:
            deferred = self.deferred.get(entity)
            if deferred is None:
                return []
            found = self._rows[entity] = deferred.all()
        return found

    def origins(self, entity: str) -> Msg:
        """The sources read for an entity and where in them: "数据源 台账，工作表 街道" / "source 台账, sheet 街道"."""
        parts: list[Msg] = []
        for read in self.reads:
            if read.entity != entity:
                continue
            source, file, sheet = read.source, read.file, read.sheet
            said = [Msg(f"数据源 {source}", f"source {source}")] if source else []
            if sheet is not None:
                said.append(Msg(f"工作表 {sheet}", f"sheet {sheet}"))
            elif file and file != source:
                said.append(Msg.same(file))
            parts.append(join(said, "，", ", "))
        return join([p for p in parts if p.zh], "；", "; ")

    def count(self, entity: str) -> int:
        deferred = self.deferred.get(entity)
        return len(deferred) if deferred is not None else len(self._rows.get(entity, []))

    def keys(self, entity: str) -> list[Value]:
        """The key values of an entity's rows (none for an entity without a key field)."""
        if entity in self.deferred and entity not in self._by_key:
            key = self.schema.entities[entity].key
            return list(self.deferred[entity].index(key.name)) if key is not None else []
        return list(self._by_key.get(entity, {}))

    def enclosing(self, row: Row, hops: int = 3) -> dict[str, str]:
        """The items enclosing a row through its references, up to `hops` references away (社区 → 街道 is
        one; 活动 → 社区 → 街道 two): entity name -> key, the nearest first. Reports group by it (`--by 街道`, the scorecard)."""
        out: dict[str, str] = {}
        frontier = [row]
        for _ in range(hops):
            nxt: list[Row] = []
            for r in frontier:
                ent = self.schema.entities.get(r.entity)
                if ent is None:
                    continue
                for f in ent.ref_fields():
                    value = r.get(f.name)
                    if value is None or f.target is None or f.target in out:
                        continue
                    out[f.target] = str(value)
                    target = self.lookup(f.target, value)
                    if target is not None:
                        nxt.append(target)
            frontier = nxt
        return out

    def lookup(self, entity: str, key: Value) -> Row | None:
        index = self._by_key.get(entity)
        if index is None and entity in self.deferred:
            deferred = self.deferred[entity]
            key_field = self.schema.entities[entity].key
            rids = deferred.index(key_field.name) if key_field is not None else {}
            index = self._by_key[entity] = _RowsByKey(deferred, rids)
        return index.get(key) if index is not None else None

    def key_of(self, row: Row) -> Value:
        entity = self.schema.entities.get(row.entity)
        key = entity.key if entity else None
        return row.get(key.name) if key else None

    def children(self, entity: str, ref_field: str, key: Value) -> list[Row]:
        """Rows of `entity` whose `ref_field` points at `key`; indexed on first use."""
        index = self._children.get((entity, ref_field))
        if index is None:
            deferred = self.deferred.get(entity)
            if deferred is not None and entity not in self._rows:
                # Built per key as asked: an explanation reads the children of its failing items only.
                index = _ChildrenByKey(deferred, deferred.index(ref_field))
            else:
                built: dict[Any, list[Row]] = {}
                for row in self._rows.get(entity, []):
                    built.setdefault(row.values.get(ref_field), []).append(row)
                index = built
            self._children[(entity, ref_field)] = index
        return index.get(key, [])

    def _build_rows_of_bad_deferred_keys(self) -> None:
        """Deferred entities whose keys are not unique and filled are built as Rows, so that the
        problems are reported, by `_index_keys`, exactly as for rows read in Python."""
        for name, deferred in list(self.deferred.items()):
            entity = self.schema.entities.get(name)
            key = entity.key if entity else None
            if key is None:
                continue
            if not deferred.filled_and_unique(key.name):
                self._rows[name] = deferred.all()
                del self.deferred[name]

    def _index_keys(self) -> list[Diagnostic]:
        problems: list[Diagnostic] = []
        for name in self._order:
            rows = self._rows.get(name)
            entity = self.schema.entities.get(name)
            key = entity.key if entity else None
            if key is None or rows is None:
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
        for name in self._order:
            entity = self.schema.entities.get(name)
            if entity is None:
                continue
            for f in entity.fields.values():
                if f.type is not FieldType.REF or f.target is None or not self.has(f.target):
                    # A target entity with no source: references cannot be checked, rules report unknown.
                    continue
                targets = self._by_key.get(f.target)
                if targets is None:
                    targets = self._by_key[f.target] = self._deferred_key_index(f.target)
                deferred = self.deferred.get(name)
                if deferred is not None:
                    if all(value in targets for value in deferred.index(f.name)):
                        continue
                    self._undefer(name)  # to report each dangling reference where it is
                ref_name = f.name
                for row in self._rows[name]:
                    value = row.values.get(ref_name)
                    if value is not None and value not in targets:
                        problems.append(Diagnostic(
                            row.where(f.name).location(),
                            Msg(f"{name} 的 {f.name} 引用了不存在的{f.target}“{value}”",
                                f"{name}.{f.name} refers to {f.target} {value!r}, which does not exist"),
                            hint=_nearest_hint(str(value), [str(k) for k in targets]),
                            code="dangling-reference"))
        return problems

    def _undefer(self, name: str) -> None:
        """Build a deferred entity's Rows after its keys were checked (so they are unique and filled):
        they are indexed here, as `_index_keys` indexes rows read in Python, so references to this
        entity checked later find its keys."""
        rows = self._rows[name] = self.deferred.pop(name).all()
        entity = self.schema.entities.get(name)
        key = entity.key if entity else None
        if key is None:
            return
        index: dict[Any, Row] = {}
        for row in rows:
            row.key = row.values.get(key.name)
            index[row.key] = row
        self._by_key[name] = index

    def _deferred_key_index(self, entity: str) -> Mapping[Any, Row]:
        deferred = self.deferred[entity]
        key = self.schema.entities[entity].key
        return _RowsByKey(deferred, deferred.index(key.name) if key is not None else {})


class _RowsByKey(Mapping[Any, Row]):
    """key -> Row of a deferred entity whose keys are unique: a row is built when first looked up."""

    def __init__(self, deferred: Deferred, rids: dict[Any, list[int]]) -> None:
        self._deferred = deferred
        self._rids = rids

    def __getitem__(self, key: Any) -> Row:
        return self._deferred.row(self._rids[key][0])

    def __contains__(self, key: object) -> bool:  # without building the row
        return key in self._rids

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rids)

    def __len__(self) -> int:
        return len(self._rids)


class _ChildrenByKey(Mapping[Any, list[Row]]):
    """reference value -> Rows of a deferred entity pointing at it: built per value when first asked."""

    def __init__(self, deferred: Deferred, rids: dict[Any, list[int]]) -> None:
        self._deferred = deferred
        self._rids = rids
        self._built: dict[Any, list[Row]] = {}

    def __getitem__(self, key: Any) -> list[Row]:
        found = self._built.get(key)
        if found is None:
            found = self._built[key] = self._deferred.rows(self._rids[key])
        return found

    def __contains__(self, key: object) -> bool:
        return key in self._rids

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rids)

    def __len__(self) -> int:
        return len(self._rids)


def _nearest_hint(value: str, choices: list[str]) -> Msg | None:
    from kepu_rules.suggest import nearest

    best = nearest(value, choices)
    return Msg(f"是不是“{best}”？", f"did you mean {best!r}?") if best else None
