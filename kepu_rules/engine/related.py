"""Drill-down helpers: an item's own row and every row related to it, each row carrying its provenance."""

from __future__ import annotations

from kepu_rules.facts.table import FactBase, Row, Value

#: The ref-field slot of the item's own row in `related_rows`: it refers to nothing, it *is* the item.
OWN_ROW = ""


def find_row(facts: FactBase, entity: str, key: Value) -> Row | None:
    """The row of `entity` named by `key` as reports show it.

    Reports carry keys as text, while a FactBase indexes typed keys (an integer key is `3`, not `"3"`);
    rows of an entity without a key are named by their provenance (`台账.xlsx › 科普标识!A4`), so both
    spellings are tried.
    """
    name = _entity_name(facts, entity)
    row = facts.lookup(name, key)
    if row is not None:
        return row
    text = str(key)
    for candidate in facts.all(name):
        if candidate.key is not None and str(candidate.key) == text:
            return candidate
        if candidate.key is None and candidate.provenance.render() == text:
            return candidate
    return None


def related_rows(facts: FactBase, entity: str, key: Value) -> list[tuple[str, str, list[Row]]]:
    """Everything a failing item's evidence is made of, as `(entity, ref field, rows)` groups.

    The first group is the item's own row, `(entity, OWN_ROW, [row])`, when the item has one. Then, for
    every reference field of any entity that points at `entity`, the rows whose field names the item
    (`("科普标识", "街道", [...])` for a street). A group may be empty: "no signs refer to 北坦街道" is
    exactly the evidence a user needs. Entities no source provides are left out, since "no rows" would
    then be a guess.
    """
    name = _entity_name(facts, entity)
    own = find_row(facts, name, key)
    groups: list[tuple[str, str, list[Row]]] = []
    if own is not None:
        groups.append((name, OWN_ROW, [own]))
    if own is not None and own.key is None:
        # A keyless row cannot be referred to, so there is nothing more to find.
        return groups
    target = own.key if own is not None else key
    for other, definition in facts.schema.entities.items():
        if not facts.has(other):
            continue
        for ref in definition.refs_to(name):
            groups.append((other, ref.name, list(facts.children(other, ref.name, target))))
    return groups


def referenced_rows(facts: FactBase, row: Row) -> list[tuple[str, Row]]:
    """The rows `row` points at through its reference fields, as `(field, row)`: a 社区's 街道, say."""
    definition = facts.schema.entities.get(row.entity)
    if definition is None:
        return []
    out: list[tuple[str, Row]] = []
    for ref in definition.ref_fields():
        value = row.get(ref.name)
        if value is None or ref.target is None:
            continue
        target = facts.lookup(ref.target, value)
        if target is not None:
            out.append((ref.name, target))
    return out


def _entity_name(facts: FactBase, entity: str) -> str:
    """The entity's declared name, also when a report names it by an alias."""
    found = facts.schema.entity(entity)
    return found.name if found is not None else entity
