"""Which items of a grouping entity (a street) each rule reaches, for per-street scorecards.

The report keeps only failing items, so a street with no gap would vanish from a grouping built on
them. Here the fact base answers instead: every key of the `by` entity, and for each rule that checks
items one by one (`each`/`no` over an entity linked to `by`), the keys that hold at least one such item.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kepu_rules.dsl import ir as I

if TYPE_CHECKING:
    from kepu_rules.engine.assess import Assessment
    from kepu_rules.facts.table import FactBase, Row

def item_entity(body: I.Node) -> str | None:
    """The entity a rule checks item by item, or None for a district-wide rule (a count, a fact)."""
    if isinstance(body, I.QuantN) and body.kind in ("each", "no") and body.rows.anchor is None:
        return body.rows.entity
    return None


def group_key(facts: FactBase, row: Row, by: str) -> str | None:
    """The `by` item a row belongs to through its references, or the row's own key when it is one."""
    if row.entity == by:
        return None if row.key is None else str(row.key)
    return facts.enclosing(row).get(by)


def reach(assessment: Assessment, by: str) -> tuple[list[str], dict[str, set[str]]]:
    """The keys of `by` in ledger order, and per rule id the keys holding an item that rule checks.

    A rule that fails on items of `by` reaches those keys as well (a coverage rule lists its failing
    communities without being an `each`); the report adds those when it builds the scorecard.
    """
    facts = assessment.facts
    keys = [str(k) for k in facts.keys(by) if k is not None]
    cache: dict[str, set[str]] = {}
    reached: dict[str, set[str]] = {}
    for rid, rule in assessment.ruleset.rules.items():
        entity = item_entity(rule.body)
        if entity is None or not facts.has(entity):
            continue
        if entity not in cache:
            found = {group_key(facts, row, by) for row in facts.all(entity)}
            cache[entity] = {k for k in found if k is not None}
        if cache[entity]:
            reached[rid] = cache[entity]
    return keys, reached
