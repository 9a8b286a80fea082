"""The monthly 通报 (`kepu bulletin`): progress since the last record, the streets ranked with the change
in rank, each street's fixed and open items, rules that got worse, and the score over the recorded months.

Built from records (kepu_rules.history.records) and nothing else but the street list: which streets
exist, and which rules check items in them, comes from the ledgers as they are now (engine.reach), so a
street without a gap is ranked too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kepu_rules.config import BulletinSettings
from kepu_rules.history.diff import Diff, RuleChange, diff
from kepu_rules.reports.model import Report, ScorecardEntry, ScorecardGap
from kepu_rules.reports.scorecard import by_entity, rule_gap


@dataclass(frozen=True, slots=True)
class Street:
    """One street in the bulletin: its standing now, its rank last time, what it fixed and what is open."""

    entry: ScorecardEntry
    previous_rank: int | None  # None: not ranked in the previous record (or there is none)
    fixed: list[tuple[str, str]]  # (rule id, item key) failing at the previous record, not now

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive) or lost since the previous record."""
        return None if self.previous_rank is None else self.previous_rank - self.entry.rank


@dataclass(frozen=True, slots=True)
class TrendPoint:
    date: dt.date
    score: float
    max_score: float
    rebuilt: bool


@dataclass(frozen=True, slots=True)
class Bulletin:
    title: str
    issuer: str | None
    number: int
    by: str
    current: Report
    previous: Report | None
    change: Diff | None  # None without a previous record
    streets: list[Street]
    district_wide: list[ScorecardGap]  # open gaps that belong to no street
    worse: list[RuleChange]
    trend: list[TrendPoint] = field(default_factory=list)
    from_records: bool = True  # False: no record yet, the current state is a fresh run


def default_title(district: str, lang: str) -> str:
    if lang == "en":
        return f"{district}: progress towards the National Science Popularization Demonstration District"
    return f"{district}创建全国科普示范区工作进展通报"


def issue_number(settings: BulletinSettings, day: dt.date, position: int) -> int:
    """期号: fixed by `number`, else months since `first_month` (issue 1), else the record's position."""
    if settings.number is not None:
        return settings.number
    if settings.first_month is not None:
        year, month = map(int, settings.first_month.split("-"))
        return max(1, (day.year - year) * 12 + day.month - month + 1)
    return position


def _worse(d: Diff) -> list[RuleChange]:
    """Rules now failing that passed, and rules on the same side of the line that lost points or items."""
    found = []
    for c in d.rules:
        if c.kind == "newly_failing" or (c.kind == "changed" and c.old is not None and c.new is not None and (
                c.new.points < c.old.points or c.newly_failing)) or (c.kind == "added" and c.new is not None and c.newly_failing):
            found.append(c)
    return found


def build(records: list[tuple[dt.date, Report]], current: Report, settings: BulletinSettings, lang: str,
          keys: list[str], reached: dict[str, set[str]], *, from_records: bool = True) -> Bulletin:
    """The bulletin of `current` against the record before it; `records` are every record, oldest first."""
    before = [r for day, r in records if day < current.as_of]
    previous = before[-1] if before else None
    by = settings.by
    now = by_entity(current, by, keys, reached)
    then = by_entity(previous, by, keys, reached) if previous is not None else None
    ranks = {e.name: e.rank for e in then.entries} if then is not None else {}
    change = diff(previous, current, by) if previous is not None else None
    fixed: dict[str, list[tuple[str, str]]] = {}
    if change is not None:
        for c in change.rules:
            for entity, key in c.fixed:
                item = next((i for i in (c.old.failing if c.old else []) if (i.entity, i.key) == (entity, key)), None)
                street = key if entity == by else item.groups.get(by) if item is not None else None
                if street is not None:
                    fixed.setdefault(street, []).append((c.id, key))
    streets = [Street(e, ranks.get(e.name), sorted(fixed.get(e.name, []))) for e in now.entries]
    wide = [g for g in _rule_gaps(current) if g.rule in set(now.district_wide)]
    trend = [TrendPoint(day, r.summary.score, r.summary.max_score, bool(r.record and r.record.rebuilt))
             for day, r in records if day <= current.as_of]
    if not from_records or not trend or trend[-1].date != current.as_of:
        trend.append(TrendPoint(current.as_of, current.summary.score, current.summary.max_score, False))
    position = len([d for d, _ in records if d <= current.as_of]) or 1
    title = (settings.title_en if lang == "en" else settings.title) or default_title(current.district, lang)
    return Bulletin(title, settings.issuer, issue_number(settings, current.as_of, position), by, current, previous,
                    change, streets, wide, _worse(change) if change is not None else [], trend, from_records)


def _rule_gaps(report: Report) -> list[ScorecardGap]:
    return [rule_gap(r, [*r.failing, *r.unknown_items]) for r in report.gaps()]
