"""What changed between two reports (two records, a record and a report file, or a record and now)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kepu_rules.reports.model import ItemResult, Report, RuleResult, Status

#: Statuses that need no work; the others (fail, warn, unknown, error) are gaps.
GOOD = frozenset({Status.PASS, Status.WAIVED, Status.NOT_APPLICABLE})

Item = tuple[str, str]  # (entity, key)


@dataclass(frozen=True, slots=True)
class RuleChange:
    """One rule at both dates; `old`/`new` is None where the rule is not in that report."""

    id: str
    title: str
    old: RuleResult | None
    new: RuleResult | None
    fixed: list[Item] = field(default_factory=list)  # failing before, not now
    newly_failing: list[Item] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """added, removed, newly_passing, newly_failing, or changed (same side of the line, something moved)."""
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        was, now = self.old.status in GOOD, self.new.status in GOOD
        if was != now:
            return "newly_passing" if now else "newly_failing"
        return "changed"


@dataclass(frozen=True, slots=True)
class ScoreChange:
    name: str
    old: float | None
    new: float | None
    old_max: float | None
    new_max: float | None

    @property
    def delta(self) -> float:
        return round((self.new or 0) - (self.old or 0), 2)


@dataclass(frozen=True, slots=True)
class GroupItems:
    """Open items of one group (a street) at both dates."""

    name: str
    old: int
    new: int
    fixed: int
    newly_failing: int


@dataclass(frozen=True, slots=True)
class Diff:
    old: Report
    new: Report
    by: str
    rules: list[RuleChange]
    total: ScoreChange
    sections: list[ScoreChange]
    owners: list[ScoreChange]
    groups: list[GroupItems]
    params: list[tuple[str, str | None, str | None]]
    ruleset_changed: bool

    def of_kind(self, kind: str) -> list[RuleChange]:
        return [r for r in self.rules if r.kind == kind]


def diff(old: Report, new: Report, by: str = "街道") -> Diff:
    """Compare two reports: rules, items by key, scores overall, per section, owner and `by` group."""
    before = {r.id: r for r in old.results}
    after = {r.id: r for r in new.results}
    order = [r.id for r in new.results] + [i for i in before if i not in after]
    changes: list[RuleChange] = []
    for rid in order:
        o, n = before.get(rid), after.get(rid)
        was, now = _failing(o), _failing(n)
        either = n or o
        change = RuleChange(rid, either.title if either is not None else rid, o, n,
                            sorted(set(was) - set(now)), sorted(set(now) - set(was)))
        if _moved(change):
            changes.append(change)
    return Diff(
        old, new, by, changes,
        ScoreChange("", old.summary.score, new.summary.score, old.summary.max_score, new.summary.max_score),
        _groups({g.name: g for g in old.summary.sections}, {g.name: g for g in new.summary.sections}),
        _groups({g.name: g for g in old.summary.owners}, {g.name: g for g in new.summary.owners}),
        _by_group(old, new, by),
        [(k, old.params.get(k), new.params.get(k)) for k in sorted({*old.params, *new.params})
         if old.params.get(k) != new.params.get(k)],
        (old.ruleset.id, old.ruleset.version) != (new.ruleset.id, new.ruleset.version))


def _failing(result: RuleResult | None) -> dict[Item, ItemResult]:
    if result is None or result.status in GOOD:
        return {}
    return {(i.entity, i.key): i for i in result.failing}


def _moved(c: RuleChange) -> bool:
    if c.old is None or c.new is None or c.fixed or c.newly_failing:
        return True
    return (c.old.status, c.old.points, c.old.measured_text) != (c.new.status, c.new.points, c.new.measured_text)


def _groups(old: dict[str, object], new: dict[str, object]) -> list[ScoreChange]:
    names = list(new) + [n for n in old if n not in new]
    found: list[ScoreChange] = []
    for name in names:
        o, n = old.get(name), new.get(name)
        found.append(ScoreChange(name, getattr(o, "score", None), getattr(n, "score", None),
                                 getattr(o, "max_score", None), getattr(n, "max_score", None)))
    return found


def _group_of(item: ItemResult, by: str) -> str | None:
    if item.entity == by:
        return item.key
    return item.groups.get(by)


def _items_by_group(report: Report, by: str) -> dict[str, set[tuple[str, str, str]]]:
    found: dict[str, set[tuple[str, str, str]]] = {}
    for r in report.results:
        for (entity, key), item in _failing(r).items():
            group = _group_of(item, by)
            if group is not None:
                found.setdefault(group, set()).add((r.id, entity, key))
    return found


def _by_group(old: Report, new: Report, by: str) -> list[GroupItems]:
    """Open items per group at both dates. A group with none at either date is still listed when it is a
    key of the `by` entity in some failing item; groups are ordered by name."""
    o, n = _items_by_group(old, by), _items_by_group(new, by)
    return [GroupItems(g, len(o.get(g, ())), len(n.get(g, ())), len(o.get(g, set()) - n.get(g, set())),
                       len(n.get(g, set()) - o.get(g, set()))) for g in sorted({*o, *n})]
