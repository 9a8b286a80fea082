"""The self-assessment as GitHub-flavoured Markdown: verdict, score tables, every gap with evidence, what passes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from kepu_rules.i18n import Lang, Msg
from kepu_rules.reports.base import Reporter, ReportOptions
from kepu_rules.reports.model import GroupScore, ItemResult, Report, RuleResult, Status
from kepu_rules.reports.text import (
    STATUS_MARKS,
    STATUS_ORDER,
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
    verdict_parts,
)

ITEM_LIMIT = 100  # a printed report lists items in full up to a point; `kepu explain` has them all

# Every ASCII character Markdown or inline HTML could read as syntax; CommonMark lets any of them be escaped.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
# What turns the start of a paragraph into a list, a heading underline or a thematic break.
_BLOCK_START = re.compile(r"([-+=]|\d+[.)])")


def md(text: str) -> str:
    """User text made inert in Markdown, on one line (a newline becomes `<br>`, which GFM allows in tables)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "<br>".join(_SPECIAL.sub(r"\\\1", part) for part in text.split("\n"))


def md_block(text: str) -> str:
    """User text as a paragraph of its own: like `md`, and its start cannot open a list or a rule."""
    escaped = md(text).lstrip()
    m = _BLOCK_START.match(escaped)
    if m is None:
        return escaped
    return escaped[: m.end() - 1] + "\\" + escaped[m.end() - 1 :]


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    """A GFM table of already-escaped cells; `align` holds one of l, r, c per column (default left)."""
    marks = {"l": "---", "r": "---:", "c": ":---:"}
    seps = [marks[align[i]] if i < len(align) else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(seps) + " |"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return lines


def fence(text: str, info: str = "text") -> list[str]:
    """A fenced block whose fence is longer than any run of backticks inside, so the text cannot close it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    bar = "`" * max(3, longest + 1)
    return [bar + info, *text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), bar]


@dataclass(frozen=True, slots=True)
class _Ctx:
    report: Report
    options: ReportOptions
    lang: Lang

    def t(self, key: str, **values: object) -> str:
        return label(key, self.lang, **values)

    def th(self, *keys: str) -> list[str]:
        return [md(self.t(k)) for k in keys]

    def kv(self, key: str, value: str) -> str:
        """`**补齐**：value`, the value already escaped."""
        return f"**{md(self.t(key))}**{self.t('colon')}{value}"


def _heading(ctx: _Ctx) -> list[str]:
    r = ctx.report
    title = ctx.t("report_title", title=ruleset_title(r, ctx.lang))
    version = f" {md(r.ruleset.version)}" if r.ruleset.version else ""
    facts = [ctx.kv("district", md(r.district) or "–"), ctx.kv("date", r.as_of.isoformat()),
             ctx.kv("ruleset", md(r.ruleset.id) + version)]
    return [f"# {md(title)}", "", ctx.t("sep").join(facts)]


def _summary(ctx: _Ctx) -> list[str]:
    s = ctx.report.summary
    parts = verdict_parts(ctx.report, ctx.lang)
    lines = [f"## {md(ctx.t('summary'))}", "", f"**{md(parts[0])}**" + ctx.t("sep") + ctx.t("sep").join(
        md(p) for p in parts[1:])]
    if s.nearest_due is not None:
        lines += ["", md(ctx.t("nearest_due", date=s.nearest_due.isoformat()))]
    if s.message:
        lines += ["", "> " + md_block(s.message)]
    rows = _status_rows(ctx)
    if rows:
        lines += ["", *md_table(ctx.th("status", "count"), rows, "lr")]
    return lines


def _status_rows(ctx: _Ctx) -> list[list[str]]:
    """Counts by status, from the results (the summary's counts may name statuses this version does not know)."""
    rows = []
    for status in STATUS_ORDER:
        n = sum(1 for r in ctx.report.results if r.status is status)
        if n:
            rows.append([f"{STATUS_MARKS[status]} {md(status_label(status, ctx.lang))}", str(n)])
    return rows


def _score_table(ctx: _Ctx, first_col: str, groups: list[GroupScore]) -> list[str]:
    rows = [[md(g.name), fmt_num(g.score), fmt_num(g.max_score), percent(g.score, g.max_score),
             md(join_ids(g.gaps, ctx.lang))] for g in groups]
    return md_table(ctx.th(first_col, "score_col", "max_col", "rate_col", "gaps_col"), rows, "lrrrl")


def _scores(ctx: _Ctx) -> list[str]:
    s = ctx.report.summary
    if not s.sections and not s.owners:
        return []
    lines = [f"## {md(ctx.t('scores'))}"]
    if s.sections:
        lines += ["", f"### {md(ctx.t('by_section'))}", "", *_score_table(ctx, "section", s.sections)]
    if s.owners:
        lines += ["", f"### {md(ctx.t('by_owner'))}", "", *_score_table(ctx, "owner_col", s.owners)]
    return lines


def _facts_line(ctx: _Ctx, rule: RuleResult) -> str:
    facts = [ctx.kv("status", f"{md(status_label(rule.status, ctx.lang))} · {md(severity_label(rule.severity, ctx.lang))}"),
             ctx.kv("points", md(fmt_points(rule)))]
    if rule.owner:
        facts.append(ctx.kv("owner_col", md(rule.owner)))
    if rule.due is not None:
        facts.append(ctx.kv("due_col", rule.due.isoformat()))
    return ctx.t("sep").join(facts)


def _items_table(ctx: _Ctx, rule: RuleResult, items: list[ItemResult]) -> list[str]:
    shown = items[:ITEM_LIMIT]
    entity = md(items[0].entity) or md(ctx.t("item"))
    with_need = any(i.need is not None for i in shown)
    header = [entity, *ctx.th("detail", "evidence")] + (ctx.th("need_col") if with_need else [])
    rows = []
    for item in shown:
        row = [md(item.key), md(item.detail), md(item_source(item))]
        if with_need:
            row.append(fmt_num(item.need) if item.need is not None else "")
        rows.append(row)
    lines = md_table(header, rows, "lllr")
    if len(items) > ITEM_LIMIT:
        lines += ["", md(ctx.t("more", n=len(items) - ITEM_LIMIT, id=rule.id))]
    return lines


def _gap(ctx: _Ctx, rule: RuleResult, level: str = "###") -> list[str]:
    mark = STATUS_MARKS[rule.status]
    lines = [f"{level} {mark} {md(rule.id)} {md(rule_title(rule, ctx.lang))}", "", _facts_line(ctx, rule)]
    if rule.measured_text or rule.target_text or rule.measured is not None:
        measured = rule.measured_text or (fmt_num(rule.measured) if rule.measured is not None else "–")
        target = rule.target_text or (fmt_num(rule.target) if rule.target is not None else "–")
        lines += ["", ctx.kv("measured", md(measured)) + ctx.t("sep") + ctx.kv("target", md(target))]
    if rule.message:
        prefix = {Status.UNKNOWN: "could_not_check", Status.ERROR: "error"}.get(rule.status)
        text = ctx.t(prefix, msg=rule.message) if prefix else rule.message
        lines += ["", md_block(text)]
    for items, key in ((rule.failing, "failing_short"), (rule.unknown_items, "unknown_n")):
        if items:
            lines += ["", md(ctx.t(key, entity=items[0].entity, n=len(items))), "", *_items_table(ctx, rule, items)]
    lines += _notes(ctx, rule)
    return lines


def _notes(ctx: _Ctx, rule: RuleResult) -> list[str]:
    lines: list[str] = []
    if rule.repair:
        lines += ["", ctx.kv("repair_col", md(rule.repair))]
    if rule.hint:
        lines += ["", ctx.kv("hint_col", md(rule.hint))]
    if rule.waiver is not None and rule.waiver.expired:
        w = rule.waiver
        lines += ["", "> " + md_block(ctx.t("waiver_expired", date=w.expires.isoformat() if w.expires else "–",
                                      approver=w.approver, reason=w.reason))]
    where = [md(rule.source) if rule.source else "", md(rule.location)]
    if any(where):
        lines += ["", ctx.kv("source_clause", " · ".join(w for w in where if w))]
    return lines


def _scorecard(ctx: _Ctx) -> list[str]:
    title, header, rows = scorecard_rows(ctx.report, ctx.lang)
    if not title:
        return []
    return [f"## {md(title)}", "", *md_table([md(h) for h in header], [[md(c) for c in r] for r in rows], "rlrrl")]


def _gaps(ctx: _Ctx) -> list[str]:
    gaps = ctx.report.gaps()
    lines = [f"## {md(ctx.t('gaps'))}（{len(gaps)}）" if ctx.lang == "zh" else f"## {md(ctx.t('gaps'))} ({len(gaps)})"]
    if not gaps:
        return [*lines, "", md(ctx.t("no_gaps"))]
    by = ctx.options.group_by
    if by in ("owner", "section"):
        for group in group_rules(ctx.report, by, ctx.lang):
            lines += ["", f"### {md(group.name)}"]
            for rule in group.rules:
                lines += ["", *_gap(ctx, rule, "####")]
        return lines
    if by:
        return lines + _gaps_by_entity(ctx, by)
    for rule in gaps:
        lines += ["", *_gap(ctx, rule)]
    return lines


def _gaps_by_entity(ctx: _Ctx, entity: str) -> list[str]:
    """The 通报 layout: for each street, which rules it fails and what it needs."""
    groups, unmapped = group_items(ctx.report, entity)
    lines: list[str] = []
    for group in groups:
        rows = []
        for rule, items in group.rules:
            keys = join_ids([i.key for i in items[:ITEM_LIMIT]], ctx.lang)
            details = join_ids(list(dict.fromkeys(i.detail for i in items if i.detail))[:3], ctx.lang)
            need = sum(i.need for i in items if i.need is not None)
            rows.append([f"{STATUS_MARKS[rule.status]} {md(rule.id)} {md(rule_title(rule, ctx.lang))}",
                         md(keys), md(details), fmt_num(need) if need else "",
                         md(join_ids([item_source(i) for i in items[:3] if item_source(i)], ctx.lang))])
        header = [*ctx.th("rule", "item", "detail", "need_col", "evidence")]
        lines += ["", f"### {md(group.name)}", "", *md_table(header, rows, "lllrl")]
    if unmapped:
        lines += ["", f"### {md(ctx.t('district_wide', entity=entity))}"]
        for rule in unmapped:
            lines += ["", *_gap(ctx, rule, "####")]
    return lines


def _passing(ctx: _Ctx) -> list[str]:
    rules = [r for r in ctx.report.results if r.status is Status.PASS]
    if not rules:
        return []
    rows = [[f"{STATUS_MARKS[r.status]} {md(r.id)}", md(rule_title(r, ctx.lang)), md(r.section),
             md(fmt_points(r))] for r in rules]
    return [f"## {md(ctx.t('passing'))}", "", *md_table(ctx.th("id", "title", "section", "points"), rows, "lllr")]


def _others(ctx: _Ctx) -> list[str]:
    rules = [r for r in ctx.report.results if r.status in (Status.NOT_APPLICABLE, Status.WAIVED)]
    if not rules:
        return []
    rows = []
    for r in rules:
        why = r.message
        if r.status is Status.WAIVED and r.waiver is not None:
            why = f"{r.waiver.reason}（{r.waiver.approver}）" if ctx.lang == "zh" else f"{r.waiver.reason} ({r.waiver.approver})"
        rows.append([f"{STATUS_MARKS[r.status]} {md(r.id)}", md(rule_title(r, ctx.lang)),
                     md(status_label(r.status, ctx.lang)), md(why)])
    return [f"## {md(ctx.t('others'))}", "", *md_table(ctx.th("id", "title", "status", "message"), rows)]


def _waivers(ctx: _Ctx) -> list[str]:
    if not ctx.report.waivers:
        return []
    rows = []
    for w in ctx.report.waivers:
        expires = w.expires.isoformat() if w.expires else "–"
        state = f"**{md(ctx.t('expired'))}**" if w.expired else ""
        rows.append([md(w.rule), md(w.key or ""), md(w.reason), md(w.approver), expires, state,
                     md(w.location)])
    header = ctx.th("rule", "item", "reason", "approver", "expires", "status", "location")
    return [f"## {md(ctx.t('waivers'))}", "", *md_table(header, rows)]


def _warnings(ctx: _Ctx) -> list[str]:
    if not ctx.report.diagnostics:
        return []
    text = "\n".join(d.text or f"{d.location}: {d.severity}: {d.message}" for d in ctx.report.diagnostics)
    return [f"## {md(ctx.t('warnings'))}", "", *fence(text)]


def _footer(ctx: _Ctx) -> list[str]:
    r = ctx.report
    parts = [f"{ctx.t('generated')} {md(r.generated_at)}" if r.generated_at else "", md(r.schema_),
             md(r.ruleset.path)]
    return ["---", "", " · ".join(p for p in parts if p)]


class MarkdownReporter(Reporter):
    """A report to paste into an issue or print: tables for scores, a section per gap with its evidence."""

    format: ClassVar[str] = "markdown"
    extension: ClassVar[str] = ".md"
    description: ClassVar[Msg] = Msg("Markdown 自评报告（GitHub 风格表格）", "Markdown self-assessment report (GFM tables)")

    def render(self, report: Report, options: ReportOptions) -> str:
        ctx = _Ctx(report, options, lang_of(report))
        parts = [_heading(ctx), _summary(ctx), _scores(ctx), _scorecard(ctx), _gaps(ctx), _passing(ctx), _others(ctx),
                 _waivers(ctx), _warnings(ctx), _footer(ctx)]
        return "\n\n".join("\n".join(p) for p in parts if p) + "\n"
