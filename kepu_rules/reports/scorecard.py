"""Per-group scorecards (`--by 街道`, `--by owner`): every group, its checks, its gaps and its rank.

Built from the report and, for an entity, the keys the fact base holds (kepu_rules.engine.reach), so a
street with no gap is still listed. Ranking: share of checks that hold, then fewer open items; groups
that tie share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

from collections.abc import Iterable

from kepu_rules.engine.scoring import owner_units
from kepu_rules.reports.model import (
    ItemResult,
    Report,
    RuleResult,
    Scorecard,
    ScorecardEntry,
    ScorecardGap,
    Status,
)
from kepu_rules.reports.text import group_items

GAP = frozenset({Status.FAIL, Status.WARN, Status.UNKNOWN, Status.ERROR})
RULE_GROUPS = ("owner", "section")


def rule_gap(rule: RuleResult, items: list[ItemResult], one_group: bool = False) -> ScorecardGap:
    """A rule's gap as a scorecard lists it. For one street's share of the items (`one_group`), the
    repair is the rule's hint, what a street does: the computed repair speaks of the whole district
    ("4 more communities", every street that lacks a sign) and read under one street it misleads."""
    repair = (rule.hint or rule.repair) if one_group else rule.repair
    return ScorecardGap(rule=rule.id, title=rule.title, status=rule.status, severity=rule.severity,
                        owner=rule.owner, due=rule.due, repair=repair,
                        entity=items[0].entity if items else "", items=[i.key for i in items])


def _ranked(rows: list[tuple[str, int, int, int, list[ScorecardGap]]]) -> list[ScorecardEntry]:
    def share(row: tuple[str, int, int, int, list[ScorecardGap]]) -> float:
        return row[2] / row[1] if row[1] else 1.0

    order = sorted(rows, key=lambda r: (-share(r), r[3]))
    entries: list[ScorecardEntry] = []
    for n, row in enumerate(order):
        prev = order[n - 1] if n else None
        tie = prev is not None and (share(prev), prev[3]) == (share(row), row[3])
        rank = entries[-1].rank if tie else n + 1
        entries.append(ScorecardEntry(name=row[0], rank=rank, checks=row[1], holding=row[2], open_items=row[3],
                                      gaps=row[4]))
    return entries


def by_rules(report: Report, by: str, fallback: str) -> Scorecard:
    """Owners or sections: each rule is one check of the group it names (a rule of 区科协、各街道 counts for both)."""
    groups: dict[str, list[RuleResult]] = {}
    listed = report.summary.owners if by == "owner" else report.summary.sections
    for g in listed:
        groups.setdefault(g.name, [])
    for rule in report.results:
        if rule.status is Status.NOT_APPLICABLE:
            continue
        names = owner_units(rule.owner) if by == "owner" else [rule.section] if rule.section else []
        for name in names or [fallback]:
            groups.setdefault(name, []).append(rule)
    rows = []
    for name, rules in groups.items():
        gaps = [r for r in rules if r.status in GAP]
        rows.append((name, len(rules), len(rules) - len(gaps),
                     sum(len(r.failing) + len(r.unknown_items) for r in gaps),
                     [rule_gap(r, [*r.failing, *r.unknown_items]) for r in gaps]))
    return Scorecard(by=by, entries=_ranked(rows))


def by_entity(report: Report, by: str, keys: Iterable[str], reached: dict[str, set[str]]) -> Scorecard:
    """Every key of the `by` entity; a rule checks a key when it reaches an item there (see reach())
    or fails on one."""
    keys = list(keys)
    checks: dict[str, set[str]] = {k: set() for k in keys}
    for rid, where in reached.items():
        for k in where:
            checks.setdefault(k, set()).add(rid)
    for rule in report.results:
        if rule.status is Status.NOT_APPLICABLE:
            for k in checks:
                checks[k].discard(rule.id)
    groups, unmapped = group_items(report, by)
    open_ = {group.name: group.rules for group in groups}  # per key, its gap rules most serious first
    for group in groups:
        checks.setdefault(group.name, set()).update(rule.id for rule, _items in group.rules)
    rows = []
    for key, rids in checks.items():
        mine = open_.get(key, [])
        gaps = [rule_gap(rule, items, one_group=True) for rule, items in mine]
        rows.append((key, len(rids), len(rids) - len(mine), sum(len(g.items) for g in gaps), gaps))
    return Scorecard(by=by, entries=_ranked(rows), district_wide=[rule.id for rule in unmapped])
