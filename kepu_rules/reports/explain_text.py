"""`kepu explain RULE`: one rule in full — its text, measure, every failing item with its evidence, the repair."""

from __future__ import annotations

from kepu_rules.diagnostics import display_width
from kepu_rules.engine.resolve import EffectiveRule
from kepu_rules.i18n import Lang
from kepu_rules.reports.model import ItemResult, RuleResult

_LABELS = {
    "status": ("状态", "status"), "section": ("章节", "section"), "severity": ("等级", "severity"),
    "points": ("得分", "points"), "owner": ("责任单位", "owner"), "due": ("期限", "due"), "source": ("依据", "source"),
    "tier": ("证据等级", "evidence tier"), "rule": ("规则", "rule"), "measured": ("实测", "measured"),
    "target": ("目标", "target"), "failing": ("未达标项", "failing items"), "unknown": ("无法判断", "could not check"),
    "repair": ("补齐", "repair"), "hint": ("建议", "hint"), "waiver": ("豁免", "waiver"), "expired": ("已过期，不予采纳", "expired, not honoured"),
    "defined": ("定义于", "defined at"), "changed": ("调整", "changed by"),
}


def _l(key: str, lang: Lang) -> str:
    zh, en = _LABELS[key]
    return zh if lang == "zh" else en


def _items(items: list[ItemResult]) -> list[str]:
    width = max((display_width(i.key) for i in items), default=0)
    lines = []
    for it in items:
        pad = " " * (width - display_width(it.key))
        lines.append(f"    {it.key}{pad}  {it.detail}".rstrip())
        for ref in it.sources:
            lines.append(f"        ← {ref.text}")
    return lines


def render_explanation(result: RuleResult, rule: EffectiveRule | None, lang: Lang) -> str:
    out = [f"{result.id} {result.title}"]
    if result.title_en and lang == "zh":
        out.append(f"   {result.title_en}")
    fields = [("status", result.status.value), ("section", result.section), ("severity", result.severity.value),
              ("points", f"{result.points:g} / {result.max_points:g}"), ("owner", result.owner), ("due", result.due),
              ("source", result.source), ("tier", result.tier), ("defined", result.location)]
    for key, value in fields:
        if value:
            out.append(f"  {_l(key, lang)}: {value}")
    if rule is not None:
        try:
            from kepu_rules.dsl.formatter import format_expr

            out.append(f"  {_l('rule', lang)}: {format_expr(rule.rule.body, lang)}")
        except ImportError:
            pass
        for change in rule.changes:
            out.append(f"  {_l('changed', lang)} {change.by}: {change.what.render(lang)}")
    out.append("")
    out.append(f"  {result.message}")
    if result.measured_text or result.target_text:
        out.append(f"  {_l('measured', lang)}: {result.measured_text or '–'}    {_l('target', lang)}: {result.target_text or '–'}")
    if result.failing:
        out.append(f"  {_l('failing', lang)} ({len(result.failing)}):")
        out.extend(_items(result.failing))
    if result.unknown_items:
        out.append(f"  {_l('unknown', lang)} ({len(result.unknown_items)}):")
        out.extend(_items(result.unknown_items))
    if result.repair:
        out.append(f"  {_l('repair', lang)}: {result.repair}")
    if result.hint:
        out.append(f"  {_l('hint', lang)}: {result.hint}")
    if result.waiver is not None:
        w = result.waiver
        state = f" ({_l('expired', lang)})" if w.expired else ""
        out.append(f"  {_l('waiver', lang)}: {w.reason} — {w.approver}, {w.expires}{state}  [{w.location}]")
    return "\n".join(out)
