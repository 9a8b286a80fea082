"""Fact tables as DuckDB tables: one per entity, only the columns the rules read, loaded on first use.

Every table has `_rid`, the row's position in `FactBase.all(entity)`, so a query's per-row results
map back to the very Row objects the reference interpreter would use. The tables of deferred entities
are the ones their source loaded (kepu_rules.facts.deferred); the others are copied from Rows. Values keep their exact types:
numbers and percents become DECIMAL(38, 18); a column that cannot be held exactly (a Fraction with no
short decimal form, an integer past 64 bits, a value of the wrong Python type) is *unusable*, and any
rule reading it is left to the reference interpreter.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from kepu_rules.facts.schema import FieldDef, FieldType
from kepu_rules.facts.table import FactBase

if TYPE_CHECKING:
    import duckdb

DECIMAL = "DECIMAL(38, 18)"
_SCALE = 10**18
_INT64 = 2**63
_DECIMAL_LIMIT = 10**20  # DECIMAL(38, 18) keeps 20 digits before the point

_SQL_TYPES: dict[FieldType, str] = {
    FieldType.TEXT: "VARCHAR",
    FieldType.INTEGER: "BIGINT",
    FieldType.NUMBER: DECIMAL,
    FieldType.PERCENT: DECIMAL,
    FieldType.BOOL: "BOOLEAN",
    FieldType.DATE: "DATE",
}


class Unusable(Exception):
    """A value the columnar backend cannot hold exactly."""


def decimal_text(value: int | Fraction) -> str:
    """The exact decimal text of a number that fits DECIMAL(38, 18); raises Unusable otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise Unusable(repr(value))
    scaled = Fraction(value) * _SCALE
    if scaled.denominator != 1 or abs(scaled.numerator) >= 10**38:
        raise Unusable(repr(value))
    n = scaled.numerator
    sign, digits = ("-" if n < 0 else ""), str(abs(n)).rjust(19, "0")
    return f"{sign}{digits[:-18]}.{digits[-18:]}"


def value_kind(fdef: FieldDef, schema_keys: dict[str, FieldDef | None]) -> FieldType:
    """The type a field's values have: a reference holds its target's key values."""
    if fdef.type is not FieldType.REF:
        return fdef.type
    key = schema_keys.get(fdef.target or "")
    if key is None or key.type is FieldType.REF:
        raise Unusable(f"reference {fdef.name}")
    return key.type


def sql_type(fdef: FieldDef, schema_keys: dict[str, FieldDef | None]) -> str:
    return _SQL_TYPES[value_kind(fdef, schema_keys)]


def sql_type_of(kind: FieldType) -> str:
    """The SQL type values of this type are held in (not for REF: see value_kind)."""
    return _SQL_TYPES[kind]


_NONE = type(None)
_EXPECTED: dict[FieldType, type] = {
    FieldType.TEXT: str, FieldType.INTEGER: int, FieldType.BOOL: bool, FieldType.DATE: dt.date,
}


def sql_values(values: list[Any], kind: FieldType) -> list[Any]:
    """The values as DuckDB should receive them, or Unusable."""
    types = set(map(type, values)) - {_NONE}
    if kind in (FieldType.NUMBER, FieldType.PERCENT):
        if types <= {int} and all(-_DECIMAL_LIMIT < v < _DECIMAL_LIMIT for v in values if v is not None):
            return [None if v is None else str(v) for v in values]
        return [None if v is None else decimal_text(v) for v in values]
    if types - {_EXPECTED[kind]}:  # a subclass (bool for int, datetime for date) is a different value
        raise Unusable(f"{kind} column holds {sorted(t.__name__ for t in types)}")
    if kind is FieldType.INTEGER and types:
        present = [v for v in values if v is not None]
        if min(present) < -_INT64 or max(present) >= _INT64:
            raise Unusable("integer out of range")
    return values


@dataclass
class EntityTable:
    name: str  # the SQL table name
    key: str | None  # the SQL column of the key field, if the entity has one
    columns: dict[str, str] = field(default_factory=dict)  # field -> SQL column, usable ones only
    unusable: set[str] = field(default_factory=set)


class ColumnarStore:
    """The DuckDB database of one assessment. Sources that can load their rows into it (the csv source,
    through SourceContext.columnar) leave them there, deferred (kepu_rules.facts.deferred); the
    columnar engine copies the other entities' rows in as it needs them."""

    def __init__(self, wanted: dict[str, set[str]] | None = None) -> None:
        import duckdb

        self.con: duckdb.DuckDBPyConnection = duckdb.connect()
        # A DuckDB connection must not run two queries at once: the TUI reads deferred rows from its
        # UI thread while the assessment that made them ran in a worker.
        self.lock = threading.Lock()
        self.wanted = wanted  # entity -> the fields rules read (others need not be typed); None: all
        self._names = 0

    def name(self, prefix: str = "t") -> str:
        """A table name not used before in this store."""
        self._names += 1
        return f"{prefix}{self._names}"

    def fetchone(self, sql: str, params: list[Any] | None = None) -> Any:
        with self.lock:
            return self.con.execute(sql, params or []).fetchone()

    def fetchall(self, sql: str, params: list[Any] | None = None) -> list[Any]:
        with self.lock:
            return self.con.execute(sql, params or []).fetchall()

    def close(self) -> None:
        self.con.close()


class ColumnarFacts:
    """The fact base's entities as tables of a ColumnarStore: deferred ones as their source loaded
    them, the others copied from their rows on first use, one entity at a time."""

    def __init__(self, facts: FactBase, wanted: dict[str, set[str]] | None = None,
                 store: ColumnarStore | None = None) -> None:
        self.facts = facts
        self.store = store or ColumnarStore()
        self.con = self.store.con
        self.wanted = wanted  # entity -> fields the rules read; None loads every field
        self.tables: dict[str, EntityTable] = {}
        self._keys = {name: e.key for name, e in facts.schema.entities.items()}

    def table(self, entity: str) -> EntityTable:
        """The table of an entity the fact base has (callers check `facts.has` first)."""
        found = self.tables.get(entity)
        if found is None:
            deferred = self.facts.deferred.get(entity)
            if deferred is not None and deferred.connection is self.store.con:
                key = self.facts.schema.entities[entity].key
                found = EntityTable(deferred.table, deferred.columns.get(key.name) if key else None,
                                    dict(deferred.columns), set(deferred.unusable))
            else:
                found = self._load(entity)
            self.tables[entity] = found
        return found

    def _load(self, entity: str) -> EntityTable:
        edef = self.facts.schema.entities[entity]
        rows = self.facts.all(entity)
        name = self.store.name("e")
        key = edef.key
        table = EntityTable(name, None)
        wanted = self.wanted.get(entity, set()) if self.wanted is not None else set(edef.fields)
        if key is not None:
            wanted = wanted | {key.name}
        selects = ["CAST(unnest(range($1)) AS BIGINT) AS _rid"]
        params: list[Any] = [len(rows)]
        for fname in sorted(wanted):
            fdef = edef.fields.get(fname)
            if fdef is None:
                continue
            try:
                kind = value_kind(fdef, self._keys)
                values = sql_values([r.values.get(fname) for r in rows], kind)
                typ = sql_type(fdef, self._keys)
            except Unusable:
                table.unusable.add(fname)
                continue
            column = f"c{len(table.columns)}"
            params.append(values)
            selects.append(f"CAST(unnest(${len(params)}) AS {typ}) AS {column}")
            table.columns[fname] = column
        if key is not None and key.name in table.columns:
            table.key = table.columns[key.name]
        with self.store.lock:
            self.con.execute(f"CREATE TABLE {name} AS SELECT {', '.join(selects)}", params)
        return table

    def close(self) -> None:
        self.store.close()
