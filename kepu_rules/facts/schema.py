"""The entity schema: what entities, fields and scalar facts a ruleset talks about, with their types."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class FieldType(StrEnum):
    """The value types of the rule language; REF points at another entity by its key."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    PERCENT = "percent"
    BOOL = "bool"
    DATE = "date"
    REF = "ref"

    @property
    def is_numeric(self) -> bool:
        return self in (FieldType.INTEGER, FieldType.NUMBER, FieldType.PERCENT)


#: The keyword each type is written with, in English and Chinese.
TYPE_KEYWORDS: dict[FieldType, tuple[str, str]] = {
    FieldType.TEXT: ("text", "文本"),
    FieldType.INTEGER: ("integer", "整数"),
    FieldType.NUMBER: ("number", "数值"),
    FieldType.PERCENT: ("percent", "百分比"),
    FieldType.BOOL: ("bool", "是否"),
    FieldType.DATE: ("date", "日期"),
}


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field of an entity. `aliases` are the ledger headers that also name it."""

    name: str
    type: FieldType
    target: str | None = None  # the referenced entity, for REF fields
    is_key: bool = False
    required: bool = False
    aliases: tuple[str, ...] = ()
    label: str | None = None
    dated: bool = False  # this date dates the row: `--as-of` leaves out rows dated after it

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class EntityDef:
    """An entity (街道, 社区, 科普活动 ...): named fields, one of which may be its key."""

    name: str
    fields: dict[str, FieldDef]
    label: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def key(self) -> FieldDef | None:
        return next((f for f in self.fields.values() if f.is_key), None)

    def ref_fields(self) -> list[FieldDef]:
        return [f for f in self.fields.values() if f.type is FieldType.REF]

    def refs_to(self, entity: str) -> list[FieldDef]:
        return [f for f in self.fields.values() if f.type is FieldType.REF and f.target == entity]

    @property
    def dated_field(self) -> FieldDef | None:
        """The date field that dates this entity's rows (`dated` in the schema), if any."""
        return next((f for f in self.fields.values() if f.dated), None)

    def date_fields(self) -> list[FieldDef]:
        return [f for f in self.fields.values() if f.type is FieldType.DATE]

    def field_by_header(self, header: str) -> FieldDef | None:
        """The field a ledger column header names, by name or alias (ignoring surrounding spaces)."""
        h = header.strip()
        for f in self.fields.values():
            if h in f.names:
                return f
        return None


@dataclass(frozen=True, slots=True)
class ScalarDef:
    """A district-level figure (常住人口, 科普专项经费 ...), declared with `fact`."""

    name: str
    type: FieldType
    label: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Schema:
    """All entities and scalar facts of an effective ruleset."""

    entities: dict[str, EntityDef] = field(default_factory=dict)
    scalars: dict[str, ScalarDef] = field(default_factory=dict)

    def entity(self, name: str) -> EntityDef | None:
        found = self.entities.get(name)
        if found is not None:
            return found
        return next((e for e in self.entities.values() if name in e.aliases), None)

    def scalar(self, name: str) -> ScalarDef | None:
        found = self.scalars.get(name)
        if found is not None:
            return found
        return next((s for s in self.scalars.values() if name in s.aliases), None)
