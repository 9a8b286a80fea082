"""The Report model: one document every output format, the CLI and the TUI are rendered from.

It is versioned (`schema: kepu-report/1`); fields are only ever added within a version.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

REPORT_SCHEMA = "kepu-report/1"


class Status(StrEnum):
    """The outcome of one rule. `unknown` means it could not be checked: never pass, never fail."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    UNKNOWN = "unknown"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"
    WAIVED = "waived"


class Severity(StrEnum):
    VETO = "veto"  # 一票否决: failing it fails the whole assessment
    REQUIRED = "required"  # 必备: failing it fails the assessment
    SCORED = "scored"  # 计分: contributes points only
    ADVISORY = "advisory"  # 提示: reported, no points, never fails


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    INCOMPLETE = "incomplete"  # a veto or required rule could not be checked


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


class SourceRef(_Model):
    """Where a fact came from, as shown to users (`台账.xlsx › 科普标识!C7`) and in parts."""

    text: str
    source: str
    file: str
    sheet: str | None = None
    cell: str | None = None
    line: int | None = None


class ItemResult(_Model):
    """One entity item that fails (or could not be checked), with the value that fails and its evidence."""

    entity: str
    key: str
    detail: str = ""  # "0 处" / "1 处，不在沿街显要"
    source: str = ""  # the main provenance, rendered
    sources: list[SourceRef] = Field(default_factory=list)
    groups: dict[str, str] = Field(default_factory=dict)  # enclosing items by entity: {"街道": "北坦街道"}
    need: float | None = None  # how many more of something this item needs


class Counts(_Model):
    total: int = 0
    passing: int = 0
    failing: int = 0
    unknown: int = 0


class WaiverInfo(_Model):
    rule: str
    entity: str | None = None
    key: str | None = None
    reason: str
    approver: str
    expires: date | None = None
    expired: bool = False
    location: str = ""


class RuleResult(_Model):
    id: str
    title: str
    title_en: str | None = None
    section: str = ""
    status: Status
    severity: Severity = Severity.SCORED
    points: float = 0.0
    max_points: float = 0.0
    measured: float | None = None
    target: float | None = None
    measured_text: str = ""
    target_text: str = ""
    message: str = ""
    repair: str = ""
    owner: str | None = None
    due: date | None = None
    source: str | None = None  # the clause the rule comes from
    tier: str | None = None  # evidence tier: A, B, C, D, SEED
    tags: list[str] = Field(default_factory=list)
    hint: str | None = None
    counts: Counts = Field(default_factory=Counts)
    failing: list[ItemResult] = Field(default_factory=list)
    unknown_items: list[ItemResult] = Field(default_factory=list)
    waiver: WaiverInfo | None = None
    location: str = ""  # where the rule is written: file:line


class GroupScore(_Model):
    """Score of a section or an owner (责任单位)."""

    name: str
    score: float
    max_score: float
    counts: dict[str, int] = Field(default_factory=dict)
    gaps: list[str] = Field(default_factory=list)  # ids of rules that fail or warn


class Summary(_Model):
    verdict: Verdict
    score: float
    max_score: float
    pass_mark: float | None = None
    counts: dict[str, int] = Field(default_factory=dict)
    veto_failures: list[str] = Field(default_factory=list)
    required_failures: list[str] = Field(default_factory=list)
    incomplete: list[str] = Field(default_factory=list)
    sections: list[GroupScore] = Field(default_factory=list)
    owners: list[GroupScore] = Field(default_factory=list)
    nearest_due: date | None = None
    message: str = ""


class RulesetInfo(_Model):
    id: str
    title: str
    version: str | None = None
    title_en: str | None = None
    extends: list[str] = Field(default_factory=list)
    path: str = ""


class DiagnosticInfo(_Model):
    location: str
    severity: str
    message: str
    text: str  # the full rendering with source line and caret


class ReadInfo(_Model):
    """How many rows one source read for one entity from one file or sheet."""

    source: str
    entity: str
    file: str
    sheet: str | None = None
    rows: int
    where: str = ""  # the file, or file[sheet]


class RecordInfo(_Model):
    """How a report was kept in the project's history (`kepu check --record`, `kepu history backfill`)."""

    recorded_at: str  # when it was recorded (ISO date-time): the one field that changes on every run
    rebuilt: bool = False  # made later from the ledgers as they are, with the time-true --as-of
    kepu_version: str = ""


class ScorecardGap(_Model):
    """One rule a group (a street, an owner) does not meet: its items there and the repair."""

    rule: str
    title: str
    status: Status
    severity: Severity = Severity.SCORED
    owner: str | None = None
    due: date | None = None
    repair: str = ""
    entity: str = ""  # the entity of the items below (社区 within a 街道), or "" for a rule-level gap
    items: list[str] = Field(default_factory=list)  # keys of the failing or unchecked items in the group


class ScorecardEntry(_Model):
    """One group's standing: how many of its checks hold, its gaps, and its rank among the groups."""

    name: str
    rank: int
    checks: int  # rules that check this group (or items in it)
    holding: int  # of those, the ones with no failing or unchecked item in the group
    open_items: int  # failing or unchecked items in the group, over all rules
    gaps: list[ScorecardGap] = Field(default_factory=list)


class Scorecard(_Model):
    """`--by`: every group, those without a gap too, ranked by the share of their checks that hold."""

    by: str  # owner, section, or an entity such as 街道
    entries: list[ScorecardEntry] = Field(default_factory=list)
    district_wide: list[str] = Field(default_factory=list)  # gap rules that belong to no group


class Report(_Model):
    schema_: str = Field(default=REPORT_SCHEMA, alias="schema")
    lang: str = "zh"
    district: str = ""
    as_of: date
    generated_at: str = ""
    ruleset: RulesetInfo
    summary: Summary
    results: list[RuleResult]
    waivers: list[WaiverInfo] = Field(default_factory=list)
    diagnostics: list[DiagnosticInfo] = Field(default_factory=list)
    reads: list[ReadInfo] = Field(default_factory=list)
    params: dict[str, str] = Field(default_factory=dict)  # every param's value as used, as text
    record: RecordInfo | None = None  # set in a record of the project's history
    scorecard: Scorecard | None = None  # set with --by

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(by_alias=True, indent=indent)

    def vetoes_not_checked(self) -> list[str]:
        """Veto rules that could not be checked: the headline must not say that every veto passes."""
        return [r.id for r in self.results if r.severity is Severity.VETO and r.status in (Status.UNKNOWN, Status.ERROR)]

    def gaps(self) -> list[RuleResult]:
        """Rules that need work, most serious first: veto, required, then by points missing."""
        order = {Severity.VETO: 0, Severity.REQUIRED: 1, Severity.SCORED: 2, Severity.ADVISORY: 3}
        todo = [r for r in self.results if r.status in (Status.FAIL, Status.WARN, Status.UNKNOWN, Status.ERROR)]
        return sorted(todo, key=lambda r: (order[r.severity], -(r.max_points - r.points), r.id))
