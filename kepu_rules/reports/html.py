"""The printable self-assessment: one self-contained HTML file with embedded CSS and inline SVG charts."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from kepu_rules.diagnostics import display_width
from kepu_rules.i18n import Lang, Msg
from kepu_rules.reports.base import Reporter, ReportOptions
from kepu_rules.reports.model import GroupScore, ItemResult, Report, RuleResult, Status, Verdict
from kepu_rules.reports.text import (
    STATUS_MARKS,
    STATUS_ORDER,
    fit,
    fmt_num,
    fmt_points,
    group_items,
    group_rules,
    item_source,
    join_ids,
    label,
    lang_of,
    percent,
    rule_title,
    ruleset_title,
    scorecard_rows,
    severity_label,
    status_label,
    verdict_label,
    verdict_parts,
)

ITEM_LIMIT = 100  # a printed report lists items in full up to a point; `kepu explain` has them all

# C0 controls other than tab and newline are parse errors in HTML; a ledger cell may still hold one.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def esc(text: str) -> str:
    """User text for an element's content or an attribute: escaped, controls replaced."""
    return html.escape(_CONTROL.sub("\ufffd", text), quote=True)


def para(text: str) -> str:
    """User text whose line breaks matter (messages, repairs)."""
    return esc(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


# ---------------------------------------------------------------------------------------------------------
# Charts: inline SVG, sized by viewBox so they scale to the page and print crisply.
# ---------------------------------------------------------------------------------------------------------

CHART_WIDTH = 640
ROW_HEIGHT = 26
CHAR_PX = 7.0  # the width of one terminal cell at the chart's 13px font, close enough to lay out labels


def _ratio(value: float, of: float) -> float:
    if of <= 0 or value != value:
        return 0.0
    return max(0.0, min(1.0, value / of))


def _tone(ratio: float, good: float) -> str:
    """The colour class of a bar: reaching `good` is green, within two thirds of it amber, else red."""
    if ratio >= good:
        return "good"
    return "fair" if ratio >= good * 2 / 3 else "poor"


def bar_chart(title: str, groups: Sequence[GroupScore], good: float) -> str:
    """Horizontal bars of score against max, one per section or owner, labelled with both numbers."""
    label_cells = min(28, max((display_width(g.name) for g in groups), default=4))
    label_w = int(label_cells * CHAR_PX) + 12
    value_w = 96
    bar_w = CHART_WIDTH - label_w - value_w
    height = ROW_HEIGHT * len(groups) + 8
    rows = []
    for i, g in enumerate(groups):
        y = 4 + i * ROW_HEIGHT
        ratio = _ratio(g.score, g.max_score)
        rows.append(
            f'<g class="row {_tone(ratio, good)}">'
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{esc(fit(g.name, label_cells))}</text>'
            f'<rect class="track" x="{label_w}" y="{y + 5}" width="{bar_w}" height="14" rx="3"/>'
            f'<rect class="fill" x="{label_w}" y="{y + 5}" width="{ratio * bar_w:.1f}" height="14" rx="3"/>'
            f'<text x="{label_w + bar_w + 8}" y="{y + 16}">{esc(fmt_num(g.score))} / {esc(fmt_num(g.max_score))}'
            f"</text></g>"
        )
    return (f'<svg class="chart" viewBox="0 0 {CHART_WIDTH} {height}" role="img" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{esc(title)}</title>{"".join(rows)}</svg>')


def gauge(title: str, value: float, of: float, mark: float | None, tone: str,
          value_text: str, mark_text: str) -> str:
    """One bar from 0 to `of`, filled to `value`, with a tick at `mark` (the target or the pass mark)."""
    left, width = 8, CHART_WIDTH - 16
    fill = _ratio(value, of) * width
    parts = [f'<rect class="track" x="{left}" y="22" width="{width}" height="16" rx="4"/>',
             f'<rect class="fill" x="{left}" y="22" width="{fill:.1f}" height="16" rx="4"/>',
             f'<text x="{left}" y="14">{esc(value_text)}</text>']
    if mark is not None:
        x = left + _ratio(mark, of) * width
        anchor = "end" if x > CHART_WIDTH * 0.75 else "start"
        parts += [f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="16" y2="44"/>',
                  f'<text class="tick-label" x="{x + (-4 if anchor == "end" else 4):.1f}" y="56" '
                  f'text-anchor="{anchor}">{esc(mark_text)}</text>']
    return (f'<svg class="gauge {tone}" viewBox="0 0 {CHART_WIDTH} 62" role="img" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{esc(title)}</title>{"".join(parts)}</svg>')


def _rule_gauge(rule: RuleResult, lang: Lang) -> str:
    """A gauge for a rule that measures a value against a target (coverage, a budget, a count)."""
    if rule.measured is None or rule.target is None:
        return ""
    measured, target = rule.measured, rule.target
    # a ratio (coverage) is drawn on 0–100 %; any other quantity on a scale that shows both ends with room
    of = 1.0 if 0 <= measured <= 1 and 0 <= target <= 1 else max(measured, target, 0) * 1.25
    if of <= 0:
        return ""
    tone = {Status.PASS: "good", Status.WARN: "fair"}.get(rule.status, "poor")
    value_text = f"{label('measured', lang)} {rule.measured_text or fmt_num(measured)}"
    mark_text = f"{label('target', lang)} {rule.target_text or fmt_num(target)}"
    return gauge(f"{rule.id}: {value_text} / {mark_text}", measured, of, target, tone, value_text, mark_text)


# ---------------------------------------------------------------------------------------------------------
# The page.
# ---------------------------------------------------------------------------------------------------------

CSS = """
:root { --ink:#1d2329; --muted:#5f6b76; --line:#d9dee3; --paper:#fff; --soft:#f4f6f8;
  --pass:#2e7d32; --fail:#c62828; --warn:#b26a00; --unknown:#6a1b9a; --error:#8e0000; --na:#757575;
  --waived:#00796b; --good:#43a047; --fair:#f0a020; --poor:#e53935; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 980px; padding: 24px 28px 48px; color: var(--ink); background: var(--paper);
  font: 15px/1.6 "PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",
  system-ui,-apple-system,"Segoe UI",sans-serif; }
h1 { font-size: 26px; margin: 4px 0 8px; } h2 { font-size: 20px; margin: 32px 0 12px; padding-bottom: 4px;
  border-bottom: 2px solid var(--ink); } h3 { font-size: 16px; margin: 20px 0 8px; }
.eyebrow { color: var(--muted); margin: 0; }
.facts { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 8px 0 0; padding: 0; }
.facts div { display: flex; gap: 6px; } .facts dt { color: var(--muted); } .facts dd { margin: 0; }
nav { margin: 16px 0; font-size: 14px; } nav a { margin-right: 16px; color: var(--muted); }
.verdict { border: 1px solid var(--line); border-left: 8px solid var(--v); border-radius: 6px; padding: 16px 20px;
  margin-top: 20px; } .verdict.pass { --v: var(--pass); } .verdict.fail { --v: var(--fail); }
.verdict.incomplete { --v: var(--warn); }
.badge { display: inline-block; font-size: 22px; font-weight: 700; color: var(--v); margin-right: 16px; }
.score { font-size: 18px; } .notes { margin: 8px 0; padding-left: 20px; } .quote { color: var(--muted); }
.counts { list-style: none; display: flex; flex-wrap: wrap; gap: 8px; padding: 0; margin: 12px 0 0; }
.counts li { border: 1px solid var(--line); border-radius: 14px; padding: 1px 12px; font-size: 14px; }
.mark { display: inline-block; min-width: 1.2em; text-align: center; font-weight: 700; }
.st-pass .mark, .st-pass.mark { color: var(--pass); } .st-fail .mark, .st-fail.mark { color: var(--fail); }
.st-warn .mark, .st-warn.mark { color: var(--warn); } .st-unknown .mark, .st-unknown.mark { color: var(--unknown); }
.st-error .mark, .st-error.mark { color: var(--error); }
.st-not_applicable .mark, .st-not_applicable.mark { color: var(--na); }
.st-waived .mark, .st-waived.mark { color: var(--waived); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: 14px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; } td.num, th.num { text-align: right; white-space: nowrap; }
.chart, .gauge { display: block; width: 100%; height: auto; max-width: 720px; margin: 4px 0 8px; }
svg text { font-size: 13px; fill: var(--ink); } svg .track { fill: #e8ecef; }
.good .fill, .gauge.good .fill { fill: var(--good); } .fair .fill, .gauge.fair .fill { fill: var(--fair); }
.poor .fill, .gauge.poor .fill { fill: var(--poor); }
svg .tick { stroke: var(--ink); stroke-width: 2; } svg .tick-label { font-size: 12px; fill: var(--muted); }
.gap { border: 1px solid var(--line); border-left: 6px solid var(--s); border-radius: 6px; padding: 4px 16px 8px;
  margin: 14px 0; } .gap h3 { margin: 10px 0 4px; } .gap.st-fail { --s: var(--fail); }
.gap.st-warn { --s: var(--warn); } .gap.st-unknown { --s: var(--unknown); } .gap.st-error { --s: var(--error); }
.meta { color: var(--muted); font-size: 14px; margin: 0 0 6px; } .meta span + span::before { content: " · "; }
.rid { font-family: ui-monospace,Menlo,Consolas,monospace; }
.repair { background: #fff8e1; border-radius: 4px; padding: 6px 10px; } .hint { color: var(--muted); }
.where { color: var(--muted); font-size: 13px; } .more { color: var(--muted); font-size: 13px; }
.expired { color: var(--fail); font-weight: 600; }
pre { background: var(--soft); padding: 12px; border-radius: 4px; overflow-x: auto; font-size: 13px;
  white-space: pre-wrap; }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); padding-top: 8px; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; } nav { display: none; }
  h2 { break-after: avoid-page; } .gap, .verdict, .chart, table, tr { break-inside: avoid-page; }
  a { color: inherit; text-decoration: none; }
}
"""


@dataclass(frozen=True, slots=True)
class _Ctx:
    report: Report
    options: ReportOptions
    lang: Lang

    def t(self, key: str, **values: object) -> str:
        return label(key, self.lang, **values)

    @property
    def good(self) -> float:
        """The share of points that counts as good: the pass mark's share of the maximum, else 85 %."""
        s = self.report.summary
        if s.pass_mark is not None and s.max_score > 0:
            return max(0.0, min(1.0, s.pass_mark / s.max_score))
        return 0.85


def _mark(status: Status) -> str:
    return f'<span class="mark st-{status.value}" title="{status.value}">{STATUS_MARKS[status]}</span>'


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """A table of cells already rendered to HTML; `numeric` columns align right."""
    def cls(i: int) -> str:
        return ' class="num"' if i in numeric else ""

    head = "".join(f"<th{cls(i)}>{h}</th>" for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cover(ctx: _Ctx) -> str:
    r = ctx.report
    facts = [("district", r.district or "–"), ("date", r.as_of.isoformat()),
             ("ruleset", " ".join(p for p in (r.ruleset.id, r.ruleset.version or "") if p))]
    dl = "".join(f"<div><dt>{esc(ctx.t(k))}</dt><dd>{esc(v)}</dd></div>" for k, v in facts)
    title = ctx.t("report_title", title=r.district) if r.district else ctx.t("summary")
    return (f'<header><p class="eyebrow">{esc(ruleset_title(r, ctx.lang))}</p><h1>{esc(title)}</h1>'
            f'<dl class="facts">{dl}</dl></header>')


def _nav(ctx: _Ctx, sections: Sequence[tuple[str, str]]) -> str:
    links = "".join(f'<a href="#{anchor}">{esc(ctx.t(key))}</a>' for anchor, key in sections)
    return f"<nav>{links}</nav>"


def _verdict(ctx: _Ctx) -> str:
    s = ctx.report.summary
    parts = verdict_parts(ctx.report, ctx.lang)
    score = esc(parts[1])
    notes = "".join(f"<li>{esc(p)}</li>" for p in parts[2:])
    if s.nearest_due is not None:
        notes += f"<li>{esc(ctx.t('nearest_due', date=s.nearest_due.isoformat()))}</li>"
    mark = s.pass_mark
    score_gauge = gauge(parts[1], s.score, s.max_score, mark,
                        _tone(_ratio(s.score, s.max_score), ctx.good) if s.verdict is not Verdict.FAIL else "poor",
                        ctx.t("score", score=fmt_num(s.score), max=fmt_num(s.max_score)),
                        f"{ctx.t('pass_mark_label')} {fmt_num(mark)}" if mark is not None else "")
    counts = "".join(
        f'<li class="st-{st.value}">{_mark(st)} {esc(status_label(st, ctx.lang))} <b>{n}</b></li>'
        for st in STATUS_ORDER if (n := sum(1 for r in ctx.report.results if r.status is st))
    )
    message = f'<p class="quote">{para(s.message)}</p>' if s.message else ""
    return (f'<section id="summary" class="verdict {s.verdict.value}"><h2>{esc(ctx.t("summary"))}</h2>'
            f'<p><span class="badge">{esc(verdict_label(s.verdict, ctx.lang))}</span>'
            f'<span class="score">{score}</span></p>{score_gauge}'
            f'<ul class="notes">{notes}</ul>{message}<ul class="counts">{counts}</ul></section>')


def _score_block(ctx: _Ctx, title_key: str, first_col: str, groups: list[GroupScore]) -> str:
    if not groups:
        return ""
    title = ctx.t(title_key)
    rows = [[esc(g.name), esc(fmt_num(g.score)), esc(fmt_num(g.max_score)), esc(percent(g.score, g.max_score)),
             esc(join_ids(g.gaps, ctx.lang))] for g in groups]
    header = [esc(ctx.t(k)) for k in (first_col, "score_col", "max_col", "rate_col", "gaps_col")]
    return (f"<h3>{esc(title)}</h3>{bar_chart(title, groups, ctx.good)}"
            f"{_table(header, rows, numeric=(1, 2, 3))}")


def _scores(ctx: _Ctx) -> str:
    s = ctx.report.summary
    if not s.sections and not s.owners:
        return ""
    return (f'<section id="scores"><h2>{esc(ctx.t("scores"))}</h2>'
            f'{_score_block(ctx, "by_section", "section", s.sections)}'
            f'{_score_block(ctx, "by_owner", "owner_col", s.owners)}</section>')


def _meta(ctx: _Ctx, rule: RuleResult) -> str:
    spans = [f"{esc(status_label(rule.status, ctx.lang))}", esc(severity_label(rule.severity, ctx.lang)),
             f"{esc(ctx.t('points'))} {esc(fmt_points(rule))}"]
    if rule.owner:
        spans.append(esc(ctx.t("owner", owner=rule.owner)))
    if rule.due is not None:
        spans.append(esc(ctx.t("due", date=rule.due.isoformat())))
    return '<p class="meta">' + "".join(f"<span>{s}</span>" for s in spans) + "</p>"


def _items(ctx: _Ctx, rule: RuleResult, items: list[ItemResult], heading: str) -> str:
    shown = items[:ITEM_LIMIT]
    with_need = any(i.need is not None for i in shown)
    header = [esc(items[0].entity or ctx.t("item")), esc(ctx.t("detail")), esc(ctx.t("evidence"))]
    header += [esc(ctx.t("need_col"))] if with_need else []
    rows = []
    for item in shown:
        row = [esc(item.key), para(item.detail), esc(item_source(item))]
        if with_need:
            row.append(esc(fmt_num(item.need)) if item.need is not None else "")
        rows.append(row)
    more = ""
    if len(items) > ITEM_LIMIT:
        more = f'<p class="more">{esc(ctx.t("more", n=len(items) - ITEM_LIMIT, id=rule.id))}</p>'
    return f"<p>{esc(heading)}</p>{_table(header, rows, numeric=(3,))}{more}"


def _gap(ctx: _Ctx, rule: RuleResult, level: int = 3) -> str:
    title = f"{_mark(rule.status)} <span class=\"rid\">{esc(rule.id)}</span> {esc(rule_title(rule, ctx.lang))}"
    parts = [f"<h{level}>{title}</h{level}>", _meta(ctx, rule), _rule_gauge(rule, ctx.lang)]
    if rule.message:
        prefix = {Status.UNKNOWN: "could_not_check", Status.ERROR: "error"}.get(rule.status)
        parts.append(f'<p class="message">{para(ctx.t(prefix, msg=rule.message) if prefix else rule.message)}</p>')
    elif rule.measured_text or rule.target_text:
        parts.append(f"<p>{esc(ctx.t('measured_target', measured=rule.measured_text or '–', target=rule.target_text or '–'))}</p>")
    if rule.failing:
        parts.append(_items(ctx, rule, rule.failing,
                            ctx.t("failing_short", entity=rule.failing[0].entity, n=len(rule.failing))))
    if rule.unknown_items:
        parts.append(_items(ctx, rule, rule.unknown_items,
                            ctx.t("unknown_n", entity=rule.unknown_items[0].entity, n=len(rule.unknown_items))))
    parts.append(_notes(ctx, rule))
    return f'<article class="gap st-{rule.status.value}" id="rule-{esc(rule.id)}">{"".join(parts)}</article>'


def _notes(ctx: _Ctx, rule: RuleResult) -> str:
    parts = []
    if rule.repair:
        parts.append(f'<p class="repair"><strong>{esc(ctx.t("repair_col"))}{esc(ctx.t("colon"))}</strong>'
                     f"{para(rule.repair)}</p>")
    if rule.hint:
        parts.append(f'<p class="hint"><strong>{esc(ctx.t("hint_col"))}{esc(ctx.t("colon"))}</strong>'
                     f"{para(rule.hint)}</p>")
    if rule.waiver is not None and rule.waiver.expired:
        w = rule.waiver
        text = ctx.t("waiver_expired", date=w.expires.isoformat() if w.expires else "–", approver=w.approver,
                     reason=w.reason)
        parts.append(f'<p class="expired">{para(text)}</p>')
    where = [p for p in (rule.source or "", rule.location) if p]
    if where:
        parts.append(f'<p class="where">{esc(ctx.t("source_clause"))}{esc(ctx.t("colon"))}'
                     f'{" · ".join(esc(p) for p in where)}</p>')
    return "".join(parts)


def _scorecard(ctx: _Ctx) -> str:
    title, header, rows = scorecard_rows(ctx.report, ctx.lang)
    if not title:
        return ""
    table = _table([esc(h) for h in header], [[esc(c) for c in r] for r in rows], numeric=(0, 2, 3))
    return f'<h3 id="scorecard">{esc(title)}</h3>{table}'


def _gaps(ctx: _Ctx) -> str:
    gaps = ctx.report.gaps()
    count = f"（{len(gaps)}）" if ctx.lang == "zh" else f" ({len(gaps)})"
    head = f'<section id="gaps"><h2>{esc(ctx.t("gaps"))}{count}</h2>' + _scorecard(ctx)
    if not gaps:
        return f'{head}<p>{esc(ctx.t("no_gaps"))}</p></section>'
    by = ctx.options.group_by
    if by in ("owner", "section"):
        body = "".join(f"<h3>{esc(g.name)}</h3>" + "".join(_gap(ctx, r, 4) for r in g.rules)
                       for g in group_rules(ctx.report, by, ctx.lang))
    elif by:
        body = _gaps_by_entity(ctx, by)
    else:
        body = "".join(_gap(ctx, r) for r in gaps)
    return f"{head}{body}</section>"


def _gaps_by_entity(ctx: _Ctx, entity: str) -> str:
    """The 通报 layout: for each street, which rules it fails and what it needs."""
    groups, unmapped = group_items(ctx.report, entity)
    header = [esc(ctx.t(k)) for k in ("rule", "item", "detail", "need_col", "evidence")]
    out = []
    for group in groups:
        rows = []
        for rule, items in group.rules:
            need = sum(i.need for i in items if i.need is not None)
            rows.append([f"{_mark(rule.status)} {esc(rule.id)} {esc(rule_title(rule, ctx.lang))}",
                         esc(join_ids([i.key for i in items[:ITEM_LIMIT]], ctx.lang)),
                         esc(join_ids(list(dict.fromkeys(i.detail for i in items if i.detail))[:3], ctx.lang)),
                         esc(fmt_num(need)) if need else "",
                         esc(join_ids([s for i in items[:3] if (s := item_source(i))], ctx.lang))])
        out.append(f"<h3>{esc(group.name)}</h3>{_table(header, rows, numeric=(3,))}")
    if unmapped:
        out.append(f"<h3>{esc(ctx.t('district_wide', entity=entity))}</h3>")
        out += [_gap(ctx, r, 4) for r in unmapped]
    return "".join(out)


def _passing(ctx: _Ctx) -> str:
    rules = [r for r in ctx.report.results if r.status is Status.PASS]
    if not rules:
        return ""
    rows = [[f"{_mark(r.status)} {esc(r.id)}", esc(rule_title(r, ctx.lang)), esc(r.section), esc(fmt_points(r))]
            for r in rules]
    header = [esc(ctx.t(k)) for k in ("id", "title", "section", "points")]
    return f'<section id="passing"><h2>{esc(ctx.t("passing"))}</h2>{_table(header, rows, numeric=(3,))}</section>'


def _others(ctx: _Ctx) -> str:
    rules = [r for r in ctx.report.results if r.status in (Status.NOT_APPLICABLE, Status.WAIVED)]
    if not rules:
        return ""
    rows = []
    for r in rules:
        why = r.message
        if r.status is Status.WAIVED and r.waiver is not None:
            why = f"{r.waiver.reason}（{r.waiver.approver}）" if ctx.lang == "zh" else f"{r.waiver.reason} ({r.waiver.approver})"
        rows.append([f"{_mark(r.status)} {esc(r.id)}", esc(rule_title(r, ctx.lang)),
                     esc(status_label(r.status, ctx.lang)), para(why)])
    header = [esc(ctx.t(k)) for k in ("id", "title", "status", "message")]
    return f'<section id="others"><h2>{esc(ctx.t("others"))}</h2>{_table(header, rows)}</section>'


def _waivers(ctx: _Ctx) -> str:
    if not ctx.report.waivers:
        return ""
    rows = []
    for w in ctx.report.waivers:
        state = f'<span class="expired">{esc(ctx.t("expired"))}</span>' if w.expired else ""
        rows.append([esc(w.rule), esc(w.key or ""), para(w.reason), esc(w.approver),
                     esc(w.expires.isoformat()) if w.expires else "–", state, esc(w.location)])
    header = [esc(ctx.t(k)) for k in ("rule", "item", "reason", "approver", "expires", "status", "location")]
    return f'<section id="waivers"><h2>{esc(ctx.t("waivers"))}</h2>{_table(header, rows)}</section>'


def _warnings(ctx: _Ctx) -> str:
    if not ctx.report.diagnostics:
        return ""
    text = "\n".join(d.text or f"{d.location}: {d.severity}: {d.message}" for d in ctx.report.diagnostics)
    return f'<section id="warnings"><h2>{esc(ctx.t("warnings"))}</h2><pre>{esc(text)}</pre></section>'


def _footer(ctx: _Ctx) -> str:
    r = ctx.report
    parts = [f"{ctx.t('generated')} {r.generated_at}" if r.generated_at else "", r.schema_, r.ruleset.path]
    return f"<footer>{' · '.join(esc(p) for p in parts if p)}</footer>"


class HtmlReporter(Reporter):
    """A report to print or hand to the district's leaders; one file, no scripts, no external assets."""

    format: ClassVar[str] = "html"
    extension: ClassVar[str] = ".html"
    description: ClassVar[Msg] = Msg("可打印的 HTML 自评报告（内嵌图表，离线可用）",
                                     "printable HTML self-assessment report (inline charts, works offline)")

    def render(self, report: Report, options: ReportOptions) -> str:
        ctx = _Ctx(report, options, lang_of(report))
        sections = {"summary": _verdict(ctx), "scores": _scores(ctx), "gaps": _gaps(ctx),
                    "passing": _passing(ctx), "others": _others(ctx), "waivers": _waivers(ctx),
                    "warnings": _warnings(ctx)}
        nav = _nav(ctx, [(k, k) for k, v in sections.items() if v])
        title = f"{ruleset_title(report, ctx.lang)} · {report.district}" if report.district else ruleset_title(
            report, ctx.lang)
        html_lang = "zh-CN" if ctx.lang == "zh" else "en"
        body = _cover(ctx) + nav + "".join(sections.values()) + _footer(ctx)
        return (f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f'<meta name="generator" content="kepu-rules">\n'
                f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")
