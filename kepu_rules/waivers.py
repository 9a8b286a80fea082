"""The waivers file: approved, dated exemptions from a rule (or from one item of it), with positioned errors."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

from kepu_rules.config import (
    DateValue,
    ErrorScope,
    NonEmptyText,
    did_you_mean,
    join_zh,
    none_as_empty,
    validation_diagnostics,
)
from kepu_rules.diagnostics import Diagnostic, KepuError, Location, Severity
from kepu_rules.i18n import Msg
from kepu_rules.reports.model import WaiverInfo
from kepu_rules.suggest import nearest
from kepu_rules.yamlpos import YamlDocument, YamlPath, load_yaml, quote_line


def _key_text(value: object) -> object:
    # Entity keys may be numbers (社区编号 101); the waiver names the item by its text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


class _WaiverEntry(BaseModel):
    """One waiver as written in the file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    rule: NonEmptyText
    entity: NonEmptyText | None = None
    key: Annotated[NonEmptyText | None, BeforeValidator(_key_text)] = None
    reason: NonEmptyText
    approver: NonEmptyText
    expires: DateValue


class _WaiverFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    waivers: Annotated[list[_WaiverEntry], BeforeValidator(none_as_empty)] = Field(default_factory=list)


_ENTRIES: TypeAdapter[list[_WaiverEntry]] = TypeAdapter(list[_WaiverEntry])

_HINTS = {
    "rule": Msg("被豁免的规则编号，例如 `rule: A1`", "the id of the waived rule, e.g. `rule: A1`"),
    "reason": Msg("写明豁免的理由，例如 `reason: 道路改造，标识待恢复`", "say why the rule is waived, e.g. `reason: 道路改造，标识待恢复`"),
    "approver": Msg("写明批准人，例如 `approver: 区科协 王主任`", "say who approved it, e.g. `approver: 区科协 王主任`"),
    "expires": Msg("豁免的截止日期，例如 `expires: 2026-12-31`", "the last day the waiver holds, e.g. `expires: 2026-12-31`"),
}


class Waiver(BaseModel):
    """An approved exemption: a rule, optionally one item (entity and key), why, who approved it, until when."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    rule: str
    entity: str | None = None
    key: str | None = None
    reason: str
    approver: str
    expires: date  # the last day the waiver holds
    location: Location
    # Where each field's value is, so the engine's "unknown rule" points at `rule: A9`, not the entry.
    field_locations: dict[str, Location] = Field(default_factory=dict, repr=False)

    def where(self, name: str) -> Location:
        return self.field_locations.get(name, self.location)

    def target(self) -> Msg:
        """What is waived, for messages: rule `A1`, or 街道 `北坦街道` of rule `A1`."""
        if self.entity is not None and self.key is not None:
            return Msg(join_zh(f"规则 `{self.rule}` 的", self.entity, f" `{self.key}`"), f"{self.entity} `{self.key}` of rule `{self.rule}`")
        return Msg(f"规则 `{self.rule}`", f"rule `{self.rule}`")


def load_waivers(path: Path) -> list[Waiver]:
    """Read a waivers file. A file with no waivers (empty, or `waivers: []`) is fine and gives []."""
    doc = load_yaml(path, allow_empty=True)
    if doc.data is None:
        return []
    # The file is `waivers:` and a list; a bare list is accepted too, as users write it both ways.
    bare = isinstance(doc.data, list)
    prefix: YamlPath = () if bare else ("waivers",)
    scope = ErrorScope(
        doc=doc, prefix=(), root_name=Msg.same(path.name),
        unknown_root=Msg(f"{path.name} 中有未知的键 `{{key}}`", f"unknown key `{{key}}` in {path.name}"),
        allowed=lambda rel: (list(_WaiverEntry.model_fields) if len(rel) == len(prefix) + 1
                             else ["waivers"] if rel == () else []),
        hints=_HINTS,
        names=lambda rel: (Msg(f"第 {rel[-1] + 1} 条豁免", f"waiver {rel[-1] + 1}")
                           if len(rel) == len(prefix) + 1 and isinstance(rel[-1], int) else None),
    )
    try:
        entries = _ENTRIES.validate_python(doc.data) if bare else _WaiverFile.model_validate(doc.data).waivers
    except ValidationError as exc:
        raise KepuError(validation_diagnostics(exc, doc.data, scope)) from None

    waivers: list[Waiver] = []
    problems: list[Diagnostic] = []
    first: dict[tuple[str, str | None, str | None], Waiver] = {}
    for i, entry in enumerate(entries):
        at: YamlPath = (*prefix, i)
        waiver = Waiver(**entry.model_dump(), location=doc.location(at),
                        field_locations={k: doc.location((*at, k)) for k in entry.model_fields_set})
        problems.extend(_check_item(doc, at, waiver))
        ident = (waiver.rule, waiver.entity, waiver.key)
        if ident in first:
            problems.append(doc.diagnostic(
                at, Msg(join_zh(waiver.target().zh, f"被豁免了两次（另见第 {first[ident].location.line} 行）"),
                        f"{waiver.target().en} is waived twice (also on line {first[ident].location.line})"),
                hint=Msg("删去其中一条", "remove one of them")))
        first.setdefault(ident, waiver)
        waivers.append(waiver)
    if problems:
        raise KepuError(problems)
    return waivers


def _check_item(doc: YamlDocument, at: YamlPath, waiver: Waiver) -> list[Diagnostic]:
    """`entity` and `key` go together: one names the kind of item, the other which item."""
    if waiver.key is not None and waiver.entity is None:
        return [doc.diagnostic((*at, "key"), Msg("只写了 `key`，缺少 `entity`", "`key` needs `entity`"), key=True,
                               hint=Msg("用 `entity` 写明这是哪类对象的键，例如 `entity: 街道`",
                                        "say what it is the key of, e.g. `entity: 街道`"))]
    if waiver.entity is not None and waiver.key is None:
        return [doc.diagnostic((*at, "entity"), Msg("只写了 `entity`，缺少 `key`", "`entity` needs `key`"), key=True,
                               hint=Msg("用 `key` 写明豁免哪一项，例如 `key: 北坦街道`；豁免整条规则时两者都不写",
                                        "say which item is waived, e.g. `key: 北坦街道`; to waive the whole rule, leave both out"))]
    return []


def is_expired(waiver: Waiver, as_of: date) -> bool:
    """A waiver holds through its `expires` day, and no longer."""
    return as_of > waiver.expires


def to_info(waiver: Waiver, as_of: date) -> WaiverInfo:
    """The waiver as the report shows it."""
    return WaiverInfo(rule=waiver.rule, entity=waiver.entity, key=waiver.key, reason=waiver.reason,
                      approver=waiver.approver, expires=waiver.expires, expired=is_expired(waiver, as_of),
                      location=waiver.location.render())


def check_waivers(waivers: Iterable[Waiver], rule_ids: set[str], entity_keys: Mapping[str, set[str]],
                  as_of: date | None = None) -> list[Diagnostic]:
    """Errors for waivers naming a rule, entity or item that does not exist (and, given `as_of`, a
    warning for each expired waiver, which is not applied).

    `entity_keys` maps every entity of the schema to the keys its facts have.
    """
    found: list[Diagnostic] = []
    lines: dict[tuple[str, int], str | None] = {}

    def at(loc: Location, message: Msg, *, severity: Severity = "error", hint: Msg | None = None) -> Diagnostic:
        if loc.line is not None and (loc.path, loc.line) not in lines:
            lines[(loc.path, loc.line)] = quote_line(loc)
        src = lines.get((loc.path, loc.line)) if loc.line is not None else None
        return Diagnostic(loc, message, severity=severity, source_line=src, hint=hint)

    for w in waivers:
        if w.rule not in rule_ids:
            guess = nearest_rule(w.rule, rule_ids)
            found.append(at(w.where("rule"), Msg(f"豁免项引用了不存在的规则 `{w.rule}`", f"waiver names unknown rule `{w.rule}`")
                            + did_you_mean(guess)))
        elif w.entity is not None and w.entity not in entity_keys:
            guess = nearest(w.entity, entity_keys)
            found.append(at(w.where("entity"), Msg(f"豁免项引用了不存在的实体 `{w.entity}`", f"waiver names unknown entity `{w.entity}`")
                            + did_you_mean(guess)))
        elif w.entity is not None and w.key is not None and w.key not in entity_keys[w.entity]:
            guess = nearest(w.key, entity_keys[w.entity])
            found.append(at(w.where("key"), Msg(join_zh("豁免项引用的", w.entity, f" `{w.key}` 不存在"), f"waiver names unknown {w.entity} `{w.key}`")
                            + did_you_mean(guess)))
        elif as_of is not None and is_expired(w, as_of):
            found.append(at(w.where("expires"),
                            Msg(join_zh(w.target().zh, f"的豁免已于 {w.expires.isoformat()} 到期，不再生效"),
                                f"the waiver for {w.target().en} expired on {w.expires.isoformat()} and is not applied"),
                            severity="warning",
                            hint=Msg("续期（改 `expires`）或删去这条豁免", "renew it (change `expires`) or remove it")))
    return found


_RULE_ID = re.compile(r"(\D*)(\d+)(.*)")


def nearest_rule(rule: str, rule_ids: Iterable[str]) -> str | None:
    """The rule id a misspelt one most likely means.

    Ids are short (A1, B12), so a one-digit slip halves difflib's ratio; when that finds nothing, the id
    with the same letters and the nearest number is the likeliest meant (A9 -> A8, or A1 if A has one rule).
    """
    ids = sorted(rule_ids)
    guess = nearest(rule, ids)
    if guess is not None:
        return guess
    m = _RULE_ID.fullmatch(rule)
    if m is None:
        return None
    close: list[tuple[int, str]] = []
    for rid in ids:
        other = _RULE_ID.fullmatch(rid)
        if other and other.group(1).casefold() == m.group(1).casefold() and other.group(3) == m.group(3):
            close.append((abs(int(other.group(2)) - int(m.group(2))), rid))
    return min(close)[1] if close else None
