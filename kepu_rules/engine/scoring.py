"""Waivers, points and the verdict: outcomes become the Report every output is rendered from."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from fractions import Fraction
from typing import TYPE_CHECKING

from kepu_rules.engine.evaluate import Outcome
from kepu_rules.engine.explain import Item
from kepu_rules.engine.resolve import EffectiveRule
from kepu_rules.engine.values import format_value
from kepu_rules.i18n import Lang, Msg
from kepu_rules.reports.model import (
    Counts,
    GroupScore,
    ItemResult,
    ReadInfo,
    Report,
    RuleResult,
    RulesetInfo,
    Severity,
    SourceRef,
    Status,
    Summary,
    Verdict,
)
from kepu_rules.waivers import Waiver, is_expired, to_info

if TYPE_CHECKING:
    from kepu_rules.engine.assess import Assessment

_GAP = (Status.FAIL, Status.WARN)
_CANNOT_CHECK = (Status.UNKNOWN, Status.ERROR)


def apply_waivers(outcome: Outcome, waivers: list[Waiver], as_of: dt.date) -> tuple[Outcome, Waiver | None]:
    """The outcome with honoured waivers applied, and the waiver that applies to the whole rule (if any).

    A waiver for one item removes that item from the failing ones; a rule whose every failing item is
    waived, or that is waived as a whole, is `waived`. Expired waivers are not honoured.
    """
    mine = [w for w in waivers if w.rule == outcome.rule_id]
    whole = next((w for w in mine if w.entity is None), None)
    if whole is not None:
        if not is_expired(whole, as_of) and outcome.status in (*_GAP, *_CANNOT_CHECK):
            return replace(outcome, status=Status.WAIVED), whole
        return outcome, whole
    honoured = {(w.entity, w.key) for w in mine if not is_expired(w, as_of)}
    if not honoured or outcome.status not in _GAP:
        return outcome, mine[0] if mine else None
    remaining = [i for i in outcome.failing if (i.entity, i.key) not in honoured]
    if len(remaining) == len(outcome.failing):
        return outcome, mine[0]
    status = Status.WAIVED if not remaining else outcome.status
    return replace(outcome, failing=remaining, status=status), mine[0]


def points_earned(rule: EffectiveRule, outcome: Outcome) -> tuple[float, float]:
    """(earned, possible) under the rule's scoring mode; advisory and not-applicable rules are worth 0."""
    possible = float(rule.points)
    if rule.severity == "advisory" or outcome.status is Status.NOT_APPLICABLE:
        return 0.0, 0.0
    if outcome.status in (Status.PASS, Status.WAIVED):
        return possible, possible
    if outcome.status in _CANNOT_CHECK:
        return 0.0, possible
    scoring = rule.scoring
    if scoring.mode == "proportional":
        return round(possible * float(max(Fraction(0), min(Fraction(1), outcome.fraction))), 2), possible
    if scoring.mode == "deduct":
        failing = max(1, len(outcome.failing))
        return max(0.0, possible - float(scoring.deduct or 0) * failing), possible
    return 0.0, possible


def _item(item: Item) -> ItemResult:
    refs = [SourceRef(text=p.render(), source=p.source, file=p.file, sheet=p.sheet, cell=p.cell, line=p.line) for p in item.provenance]
    return ItemResult(entity=item.entity, key=item.key, detail="", source=refs[0].text if refs else "", sources=refs,
                      groups=dict(item.groups), need=float(item.need) if item.need is not None else None)


def _rule_result(rule: EffectiveRule, outcome: Outcome, waiver: Waiver | None, as_of: dt.date, lang: Lang) -> RuleResult:
    earned, possible = points_earned(rule, outcome)
    failing = []
    for it in outcome.failing:
        res = _item(it)
        res.detail = it.detail.render(lang)
        failing.append(res)
    unknown = []
    for it in outcome.unknown_items:
        res = _item(it)
        res.detail = it.detail.render(lang)
        unknown.append(res)
    r = rule.rule
    span = r.span
    title = r.title if lang == "zh" or not r.title_en else r.title_en
    meta = rule.meta
    tags = meta("tags")
    message = outcome.message.render(lang)
    if outcome.status is Status.WAIVED and waiver is not None:
        message = Msg(f"已豁免：{waiver.reason}（{waiver.approver}，至 {waiver.expires}）",
                      f"waived: {waiver.reason} ({waiver.approver}, until {waiver.expires})").render(lang)
    return RuleResult(
        id=r.id, title=title, title_en=r.title_en, section=rule.section, status=outcome.status,
        severity=Severity(rule.severity), points=earned, max_points=possible,
        measured=_num(outcome.measured), target=_num(outcome.target),
        measured_text=format_value(outcome.measured, outcome.percent) if outcome.measured is not None else "",
        target_text=format_value(outcome.target, outcome.percent) if outcome.target is not None else "",
        message=message, repair=outcome.repair.render(lang) if outcome.repair and outcome.status in _GAP else "",
        owner=_str(meta("owner")), due=rule.due, source=_str(meta("source")), tier=_str(meta("tier")),
        tags=list(tags) if isinstance(tags, tuple) else [], hint=_str(meta("hint")),
        counts=Counts(total=outcome.total, passing=outcome.passing, failing=len(outcome.failing), unknown=len(outcome.unknown_items)),
        failing=failing, unknown_items=unknown, waiver=to_info(waiver, as_of) if waiver else None,
        location=f"{span.path}:{span.line}" if span.line else "",
    )


def owner_units(owner: str | None) -> list[str]:
    """The responsible units of a rule: "区科协、各街道" names two, and each answers for the rule."""
    if not owner:
        return []
    return [u.strip() for u in re.split(r"[、,，;；/]", owner) if u.strip()]


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, Fraction, float)):
        return None
    return round(float(value), 6)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _group(name: str, results: list[RuleResult]) -> GroupScore:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    return GroupScore(name=name, score=round(sum(r.points for r in results), 2), max_score=round(sum(r.max_points for r in results), 2),
                      counts=counts, gaps=[r.id for r in results if r.status in (*_GAP, *_CANNOT_CHECK)])


def verdict_of(results: list[RuleResult], score: float, max_score: float, pass_mark: float | None) -> tuple[Verdict, list[str], list[str], list[str]]:
    """pass, fail or incomplete; with the failing veto and required rules and the ones that could not be checked."""
    veto = [r.id for r in results if r.severity is Severity.VETO and r.status is Status.FAIL]
    required = [r.id for r in results if r.severity is Severity.REQUIRED and r.status is Status.FAIL]
    incomplete = [r.id for r in results if r.severity in (Severity.VETO, Severity.REQUIRED) and r.status in _CANNOT_CHECK]
    under = pass_mark is not None and (score / max_score * 100 if max_score else 100.0) < pass_mark
    if veto or required or under:
        return Verdict.FAIL, veto, required, incomplete
    if incomplete or not results:
        # No rule assessed (an empty ruleset, every rule dropped): nothing backs a pass.
        return Verdict.INCOMPLETE, veto, required, incomplete
    return Verdict.PASS, veto, required, incomplete


def build_report(assessment: Assessment, lang: Lang, pass_mark: float | None) -> Report:
    rs = assessment.ruleset.resolved
    by_id = {o.rule_id: o for o in assessment.outcomes}
    results: list[RuleResult] = []
    for rule in rs.rules:
        outcome = by_id.get(rule.id)
        if outcome is None:
            continue
        outcome, waiver = apply_waivers(outcome, assessment.waivers, assessment.as_of)
        results.append(_rule_result(rule, outcome, waiver, assessment.as_of, lang))
    score = round(sum(r.points for r in results), 2)
    max_score = round(sum(r.max_points for r in results), 2)
    verdict, veto, required, incomplete = verdict_of(results, score, max_score, pass_mark)
    counts: dict[str, int] = {s.value: 0 for s in Status}
    for r in results:
        counts[r.status.value] += 1
    sections = [_group(name, [r for r in results if r.section == name]) for name in rs.sections]
    unassigned = "未指定" if lang == "zh" else "unassigned"
    by_owner: dict[str, list[RuleResult]] = {}
    for r in results:
        for unit in owner_units(r.owner) or [unassigned]:
            by_owner.setdefault(unit, []).append(r)
    owners = [_group(o, rs_) for o, rs_ in by_owner.items()]
    dues = [r.due for r in results if r.due is not None and r.status in (*_GAP, *_CANNOT_CHECK)]
    summary = Summary(verdict=verdict, score=score, max_score=max_score, pass_mark=pass_mark, counts=counts,
                      veto_failures=veto, required_failures=required, incomplete=incomplete, sections=sections,
                      owners=[g for g in owners if g.max_score or g.gaps], nearest_due=min(dues) if dues else None,
                      message=_summary_message(verdict, score, max_score, pass_mark, veto, required, incomplete).render(lang))
    waivers = [to_info(w, assessment.as_of) for w in assessment.waivers]
    info = RulesetInfo(id=rs.id, title=rs.title if lang == "zh" or not rs.title_en else rs.title_en, version=rs.version,
                       title_en=rs.title_en, extends=rs.chain[:-1], path=rs.path)
    from kepu_rules.reports.model import DiagnosticInfo

    diagnostics = [DiagnosticInfo(location=d.location.render(), severity=d.severity, message=d.message.render(lang), text=d.render(lang))
                   for d in assessment.warnings]
    return Report(lang=lang, district=assessment.config.district, as_of=assessment.as_of,
                  generated_at=dt.datetime.now().isoformat(timespec="seconds"), ruleset=info, summary=summary,
                  results=results, waivers=waivers, diagnostics=diagnostics,
                  reads=[ReadInfo(source=r.source, entity=r.entity, file=r.file, sheet=r.sheet, rows=r.rows, where=r.where())
                         for r in assessment.facts.reads],
                  params=_param_texts(assessment))


def _param_texts(assessment: Assessment) -> dict[str, str]:
    """Every param's value as text (a percent param as 80%), so two records can show what changed."""
    types = assessment.ruleset.param_types
    return {name: format_value(value, getattr(types.get(name), "kind", None) == "percent")
            for name, value in sorted(assessment.params.items())}


def _summary_message(verdict: Verdict, score: float, max_score: float, pass_mark: float | None,
                     veto: list[str], required: list[str], incomplete: list[str]) -> Msg:
    if verdict is Verdict.PASS:
        return Msg("达标", "passes")
    reasons: list[Msg] = []
    if veto:
        reasons.append(Msg(f"一票否决项未通过：{'、'.join(veto)}", f"veto items fail: {', '.join(veto)}"))
    if required:
        reasons.append(Msg(f"必备项未达标：{'、'.join(required)}", f"required items fail: {', '.join(required)}"))
    if pass_mark is not None and max_score and score / max_score * 100 < pass_mark:
        reasons.append(Msg(f"得分率 {score / max_score * 100:.1f} 低于达标线 {pass_mark:g}",
                           f"score {score / max_score * 100:.1f}% is under the pass mark {pass_mark:g}"))
    if incomplete:
        reasons.append(Msg(f"无法核查的必备/否决项：{'、'.join(incomplete)}", f"veto/required items not checked: {', '.join(incomplete)}"))
    if not reasons and verdict is Verdict.INCOMPLETE:
        reasons.append(Msg("规则集没有可评估的规则", "the ruleset has no rules to assess"))
    head = Msg("未达标：", "does not pass: ") if verdict is Verdict.FAIL else Msg("无法得出结论：", "incomplete: ")
    from kepu_rules.i18n import join

    return head + join(reasons, "；", "; ")
