"""A time-true assessment date: rows dated after it do not exist for the assessment.

The schema marks at most one date field per entity as `dated` (an activity's day, a sign's set-up date,
a bulletin's issue date). Between reading the sources and linking the facts, every table of a dated
entity keeps only its rows dated on or before the assessment date, so both engines see the same rows
and a past month can be rebuilt from today's ledgers. A row whose dating field is blank is kept: its
date is unknown, and leaving it out would hide it silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from kepu_rules.facts.schema import Schema
from kepu_rules.facts.table import FactBase, FactTable, Row, SourceData


def exists_on(row: Row, field: str, day: dt.date) -> bool:
    """Whether a row dated by `field` exists on `day` (it does when its date is blank)."""
    value = row.values.get(field)
    return not isinstance(value, dt.date) or value <= day


def as_of(data: Iterable[SourceData], schema: Schema, day: dt.date) -> list[SourceData]:
    """The sources' data as it stood on `day`: rows of dated entities dated after it left out."""
    return [SourceData([_table_as_of(t, schema, day) for t in chunk.tables], chunk.scalars) for chunk in data]


def dated_out(before: Iterable[SourceData], after: Iterable[SourceData]) -> set[str]:
    """Entities whose sources gave rows, none of which existed yet on the date: for the assessment they
    are known to have no rows (counts are 0), which differs from a ledger left empty (could not check)."""
    def counts(data: Iterable[SourceData]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in data:
            for table in chunk.tables:
                found[table.entity] = found.get(table.entity, 0) + len(table)
        return found

    had, has = counts(before), counts(after)
    return {name for name, n in had.items() if n and not has.get(name)}


def _table_as_of(table: FactTable, schema: Schema, day: dt.date) -> FactTable:
    entity = schema.entities.get(table.entity)
    dated = entity.dated_field if entity is not None else None
    if dated is None:
        return table
    if table.deferred is not None:
        kept = table.deferred.until(dated.name, day)
        if kept is not None:
            return replace(table, rows=[], deferred=kept)
    rows = [r for r in table.all_rows() if exists_on(r, dated.name, day)]
    return replace(table, rows=rows, deferred=None)


def facts_as_of(schema: Schema, data: list[SourceData], day: dt.date) -> FactBase:
    """Link the sources' data as it stood on `day` (see the module's docstring)."""
    kept = as_of(data, schema, day)
    facts = FactBase.build(schema, kept)
    facts.dated_out = dated_out(data, kept)
    return facts
