"""Facts: the entity schema, typed fact tables with provenance, and value coercion."""

from __future__ import annotations

from kepu_rules.facts.provenance import Provenance
from kepu_rules.facts.schema import EntityDef, FieldDef, FieldType, ScalarDef, Schema
from kepu_rules.facts.table import FactBase, FactTable, Row, ScalarFact, SourceData

__all__ = [
    "EntityDef",
    "FactBase",
    "FactTable",
    "FieldDef",
    "FieldType",
    "Provenance",
    "Row",
    "ScalarDef",
    "ScalarFact",
    "Schema",
    "SourceData",
]
