"""The terminal summary: gaps first, with evidence and repair, then what passes, scores, waivers and warnings."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from kepu_rules.diagnostics import display_width
from kepu_rules.i18n import Lang, Msg
from kepu_rules.reports.base import Reporter, ReportOptions
from kepu_rules.reports.model import GroupScore, ItemResult, Report, RuleResult, Severity, Status, Verdict

# ---------------------------------------------------------------------------------------------------------
# Shared vocabulary. The other formats import these, so every output names a status or a verdict alike.
# ---------------------------------------------------------------------------------------------------------

LABELS: dict[str, tuple[str, str]] = {
    # statuses and verdicts
    "status.pass": ("通过", "pass"),
    "status.fail": ("未达标", "fail"),
    "status.warn": ("预警", "warning"),
    "status.unknown": ("无法核查", "could not check"),
    "status.error": ("出错", "error"),
    "status.not_applicable": ("不适用", "not applicable"),
    "status.waived": ("已豁免", "waived"),
    "verdict.pass": ("达标", "PASS"),
    "verdict.fail": ("未达标", "FAIL"),
    "verdict.incomplete": ("无法判定", "INCOMPLETE"),
    "severity.veto": ("一票否决", "veto"),
    "severity.required": ("必备", "required"),
    "severity.scored": ("计分", "scored"),
    "severity.advisory": ("提示", "advisory"),
    # the header
    "assessment": ("自评", "self-assessment"),
    "verdict": ("结论：{verdict}", "Verdict: {verdict}"),
    "score": ("得分 {score} / {max}", "score {score} / {max}"),
    "pass_mark": ("（达标线 {mark}）", " (pass mark {mark})"),
    "veto_ok": ("一票否决项：全部通过", "veto items: all pass"),
    "veto_failed": ("一票否决项：{ids} 未通过", "veto items failed: {ids}"),
    "veto_not_checked": ("一票否决项：{ids} 无法核查", "veto items not checked: {ids}"),
    "required_failed": ("必备项：{ids} 未达标", "required items failed: {ids}"),
    "incomplete": ("待核查：{ids}", "still to check: {ids}"),
    "unknown_count": ("无法核查：{n} 项", "could not check: {n}"),
    "nearest_due": ("最近期限：{date}", "nearest due date: {date}"),
    "sep": ("　", "  "),
    "list_sep": ("、", ", "),
    # a gap
    "owner": ("责任：{owner}", "owner: {owner}"),
    "due": ("期限：{date}", "due: {date}"),
    "no_owner": ("未指定责任单位", "no owner"),
    "no_section": ("未分板块", "no section"),
    "failing_of": ("{total} 个{entity}中 {n} 个未达标：", "{n} of {total} {entity} fail:"),
    "failing_n": ("{n} 个{entity}未达标：", "{n} {entity} fail:"),
    "failing_short": ("未达标的{entity}（{n} 个）：", "failing {entity} ({n}):"),
    "unknown_n": ("{n} 个{entity}无法核查：", "{n} {entity} could not be checked:"),
    "more": ("… 另有 {n} 个（kepu explain {id} 查看全部）", "… and {n} more (see kepu explain {id})"),
    "could_not_check": ("无法核查：{msg}", "could not check: {msg}"),
    "no_data": ("缺少数据", "data missing"),
    "error": ("出错：{msg}", "error: {msg}"),
    "measured_target": ("实测 {measured}，目标 {target}", "measured {measured}, target {target}"),
    "repair": ("补齐：{text}", "to fix: {text}"),
    "hint": ("建议：{text}", "hint: {text}"),
    "need": ("需补 {n}", "needs {n} more"),
    "waiver_expired": ("豁免已于 {date} 过期，未生效（{approver}：{reason}）",
                       "waiver expired on {date}, not honoured ({approver}: {reason})"),
    "waiver_active": ("豁免：{reason}（{approver}{until}）", "waived: {reason} ({approver}{until})"),
    "until": ("，至 {date}", ", until {date}"),
    # parts of the summary
    "no_gaps": ("没有待改进的项目。", "Nothing to fix."),
    "count_line": ("{label} {n} 项：{ids}", "{n} {label}: {ids}"),
    "and_more_ids": ("等", "…"),
    "by_section": ("按板块得分", "Score by section"),
    "by_owner": ("按责任单位得分", "Score by owner"),
    "gaps_in": ("待改进：{ids}", "to fix: {ids}"),
    "expired_on": ("{reason}（{approver}，{date} 到期）", "{reason} ({approver}, expired {date})"),
    "expired_waivers": ("已过期的豁免（未生效）", "Expired waivers (not honoured)"),
    "warnings": ("提示与警告", "Warnings"),
    "reads": ("读取的数据", "Data read"),
    "read_line": ("{where}：{n} 行（{entity}）", "{where}: {n} rows ({entity})"),
    "bracket": ("【{name}】", "[{name}] "),
    "gaps_n": ("待改进 {n} 项", "{n} to fix"),
    "district_wide": ("全区（不分{entity}）", "district-wide (not by {entity})"),
    "sub_items": ("{n} 个{entity}：{keys}", "{n} {entity}: {keys}"),
    # the --by scorecard
    "scorecard": ("按{by}：达标情况与排名", "Scorecard by {by}"),
    "rank_col": ("名次", "Rank"),
    "holding_col": ("达标检查", "Checks met"),
    "open_col": ("待改进对象", "Open items"),
    "gap_rules_col": ("未达标规则", "Rules not met"),
    "no_gap": ("无待改进", "nothing to fix"),
    "by.owner": ("责任单位", "owner"),
    "by.section": ("板块", "section"),
    # rendered by the other formats
    "report_title": ("{title} 自评报告", "{title}: self-assessment report"),
    "district": ("创建单位", "District"),
    "date": ("自评日期", "Assessment date"),
    "ruleset": ("评价标准", "Criteria"),
    "generated": ("生成时间", "Generated"),
    "summary": ("结论", "Summary"),
    "status": ("状态", "Status"),
    "count": ("数量", "Count"),
    "section": ("板块", "Section"),
    "owner_col": ("责任单位", "Owner"),
    "score_col": ("得分", "Score"),
    "max_col": ("满分", "Max"),
    "rate_col": ("得分率", "Rate"),
    "gaps_col": ("待改进", "To fix"),
    "gaps": ("待改进项", "Gaps"),
    "passing": ("已通过", "Passing"),
    "others": ("不适用与豁免", "Not applicable and waived"),
    "waivers": ("豁免", "Waivers"),
    "rule": ("规则", "Rule"),
    "id": ("编号", "ID"),
    "title": ("名称", "Title"),
    "points": ("得分", "Points"),
    "measured": ("实测", "Measured"),
    "target": ("目标", "Target"),
    "message": ("说明", "Explanation"),
    "item": ("对象", "Item"),
    "detail": ("情况", "Detail"),
    "evidence": ("依据", "Evidence"),
    "need_col": ("需补", "Needs"),
    "due_col": ("期限", "Due"),
    "repair_col": ("补齐", "To fix"),
    "hint_col": ("建议", "Hint"),
    "colon": ("：", ": "),
    "severity": ("类别", "Severity"),
    "source_clause": ("出处", "Source"),
    "location": ("位置", "Location"),
    "reason": ("理由", "Reason"),
    "approver": ("批准人", "Approver"),
    "expires": ("到期", "Expires"),
    "expired": ("已过期", "expired"),
    "pass_mark_label": ("达标线", "Pass mark"),
    "scores": ("分项得分", "Scores"),
    # CI annotations and JUnit (github, junit)
    "defined_at": ("规则定义于 {where}", "rule defined at {where}"),
    "input_error": ("kepu 输入错误", "kepu input error"),
    "input_suite": ("kepu 输入检查", "kepu input"),
    "cell_at": ("工作表 {sheet} 单元格 {cell}", "sheet {sheet}, cell {cell}"),
}


def lang_of(report: Report) -> Lang:
    """The report's language; anything not English reads as Chinese, the default of the project."""
    return "en" if report.lang.lower().startswith("en") else "zh"


def label(key: str, lang: Lang, **values: object) -> str:
    """A label in the report's language, with `{name}` placeholders filled."""
    zh, en = LABELS[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


STATUS_ORDER: tuple[Status, ...] = (
    Status.FAIL, Status.ERROR, Status.UNKNOWN, Status.WARN, Status.PASS, Status.WAIVED, Status.NOT_APPLICABLE,
)
STATUS_MARKS: dict[Status, str] = {
    Status.PASS: "✓",
    Status.FAIL: "✗",
    Status.WARN: "!",
    Status.UNKNOWN: "?",
    Status.ERROR: "E",
    Status.NOT_APPLICABLE: "–",
    Status.WAIVED: "W",
}
GAP_STATUSES = frozenset({Status.FAIL, Status.WARN, Status.UNKNOWN, Status.ERROR})

_ANSI: dict[str, str] = {
    "pass": "32", "fail": "31", "warn": "33", "unknown": "35", "error": "1;31",
    "not_applicable": "2", "waived": "36", "bold": "1", "dim": "2",
}
_VERDICT_STYLE = {Verdict.PASS: "pass", Verdict.FAIL: "fail", Verdict.INCOMPLETE: "warn"}


def status_label(status: Status, lang: Lang) -> str:
    return label(f"status.{status.value}", lang)


def verdict_label(verdict: Verdict, lang: Lang) -> str:
    return label(f"verdict.{verdict.value}", lang)


def severity_label(severity: Severity, lang: Lang) -> str:
    return label(f"severity.{severity.value}", lang)


def fmt_num(value: float) -> str:
    """A score as people write it: `5`, `7.3`, `78.5` (half-up to one decimal, no trailing zero)."""
    if value != value or value in (float("inf"), float("-inf")):  # NaN/inf: show, never crash
        return str(value)
    if abs(value) >= 1e15:  # beyond any score; Decimal would need more digits than its context has
        return f"{value:.6g}"
    rounded = Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def fmt_points(rule: RuleResult) -> str:
    """`7.3 / 10`; `– / 4` when nothing could be scored."""
    return f"{points_earned(rule)} / {fmt_num(rule.max_points)}"


def points_earned(rule: RuleResult) -> str:
    if rule.status in (Status.UNKNOWN, Status.ERROR, Status.NOT_APPLICABLE):
        return "–"
    return fmt_num(rule.points)


def percent(score: float, max_score: float) -> str:
    if max_score <= 0:
        return "–"
    return f"{fmt_num(100 * score / max_score)}%"


def rule_title(rule: RuleResult, lang: Lang) -> str:
    return rule.title_en if lang == "en" and rule.title_en else rule.title


def ruleset_title(report: Report, lang: Lang) -> str:
    rs = report.ruleset
    title = rs.title_en if lang == "en" and rs.title_en else rs.title
    if rs.version:
        title += f"（{rs.version}）" if lang == "zh" else f" ({rs.version})"
    return title


def item_source(item: ItemResult) -> str:
    """The evidence of an item as one text; the first few source refs when no main source was rendered."""
    if item.source:
        return item.source
    return "; ".join(ref.text for ref in item.sources[:3])


def join_ids(ids: Iterable[str], lang: Lang) -> str:
    return label("list_sep", lang).join(ids)


def verdict_parts(report: Report, lang: Lang) -> list[str]:
    """The segments of the verdict line: verdict, score vs pass mark, veto, required, what could not be checked."""
    s = report.summary
    score = label("score", lang, score=fmt_num(s.score), max=fmt_num(s.max_score))
    if s.pass_mark is not None:
        score += label("pass_mark", lang, mark=fmt_num(s.pass_mark))
    parts = [label("verdict", lang, verdict=verdict_label(s.verdict, lang)), score]
    if s.veto_failures:
        parts.append(label("veto_failed", lang, ids=join_ids(s.veto_failures, lang)))
    elif report.vetoes_not_checked():
        parts.append(label("veto_not_checked", lang, ids=join_ids(report.vetoes_not_checked(), lang)))
    elif any(r.severity is Severity.VETO for r in report.results):
        parts.append(label("veto_ok", lang))
    if s.required_failures:
        parts.append(label("required_failed", lang, ids=join_ids(s.required_failures, lang)))
    if s.incomplete:
        parts.append(label("incomplete", lang, ids=join_ids(s.incomplete, lang)))
    unknown = sum(1 for r in report.results if r.status is Status.UNKNOWN)
    if unknown:
        parts.append(label("unknown_count", lang, n=unknown))
    return parts


def report_heading(report: Report, lang: Lang) -> str:
    """`全国科普示范区创建标准（2021-2025） · 示例区 · 自评 2026-11-22`."""
    parts = [ruleset_title(report, lang)]
    if report.district:
        parts.append(report.district)
    parts.append(f"{label('assessment', lang)} {report.as_of.isoformat()}")
    return " · ".join(parts)


# ---------------------------------------------------------------------------------------------------------
# Grouping, shared with markdown and html: by owner, by section, or by an entity such as 街道.
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleGroup:
    """Gap rules under one owner or section, with that group's score when the summary has one."""

    name: str
    score: GroupScore | None
    rules: list[RuleResult]


@dataclass(frozen=True, slots=True)
class ItemGroup:
    """What one entity item (a street) fails: per rule, the items in it that fail or could not be checked."""

    name: str
    rules: list[tuple[RuleResult, list[ItemResult]]]


def group_rules(report: Report, by: str, lang: Lang) -> list[RuleGroup]:
    """Gaps under each owner or section, in the summary's order, then any the summary does not list."""
    scores = report.summary.owners if by == "owner" else report.summary.sections
    fallback = label("no_owner" if by == "owner" else "no_section", lang)
    buckets: dict[str, list[RuleResult]] = {}
    for rule in report.gaps():
        name = (rule.owner if by == "owner" else rule.section) or fallback
        buckets.setdefault(name, []).append(rule)
    by_name = {g.name: g for g in scores}
    names = [g.name for g in scores if g.name in buckets] + [n for n in buckets if n not in by_name]
    return [RuleGroup(n, by_name.get(n), buckets[n]) for n in names]


def group_items(report: Report, entity: str) -> tuple[list[ItemGroup], list[RuleResult]]:
    """Failing and unchecked items by the `entity` item they belong to, in order of first appearance.

    Returns the groups and the gap rules none of whose items belong to any such item (district-wide gaps).
    """
    buckets: dict[str, dict[str, tuple[RuleResult, list[ItemResult]]]] = {}
    unmapped: list[RuleResult] = []
    for rule in report.gaps():
        mapped = False
        for item in [*rule.failing, *rule.unknown_items]:
            key = item.key if item.entity == entity else item.groups.get(entity)
            if key is None:
                continue
            mapped = True
            per_rule = buckets.setdefault(key, {})
            per_rule.setdefault(rule.id, (rule, []))[1].append(item)
        if not mapped:
            unmapped.append(rule)
    groups = [ItemGroup(name, list(per_rule.values())) for name, per_rule in buckets.items()]
    return groups, unmapped


# ---------------------------------------------------------------------------------------------------------
# Terminal layout helpers.
# ---------------------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Text from ledgers made safe for a terminal: an escape sequence in a cell must not repaint the screen."""
    text = text.replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def one_line(text: str) -> str:
    return " ".join(clean(text).split("\n"))


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def rpad(text: str, width: int) -> str:
    return " " * max(0, width - display_width(text)) + text


def fit(text: str, width: int) -> str:
    """Cut a text to `width` cells, marking the cut with `…`, never splitting a wide character."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def table(rows: Sequence[Sequence[str]], gap: str = "   ") -> list[str]:
    """Columns aligned by display width; the last column is not padded, so lines carry no trailing space."""
    if not rows:
        return []
    ncols = max(len(r) for r in rows)
    widths = [max((display_width(r[i]) for r in rows if i < len(r)), default=0) for i in range(ncols)]
    lines = []
    for row in rows:
        cells = [pad(c, widths[i]) if i < len(row) - 1 else c for i, c in enumerate(row)]
        lines.append(gap.join(cells).rstrip())
    return lines


def bar(score: float, max_score: float, width: int = 10) -> str:
    # floor, so a bar looks full only when the score is: 97 % must not pass for 100 %
    filled = 0 if max_score <= 0 else math.floor(width * max(0.0, min(1.0, score / max_score)))
    return "█" * filled + "░" * (width - filled)


TITLE_WIDTH = 60  # cells for "✗ A1 title"; longer titles are cut, `kepu explain` shows them whole
ITEM_LIMIT = 10
ID_LIMIT = 20
INDENT = "     "


@dataclass(frozen=True, slots=True)
class _Ctx:
    report: Report
    options: ReportOptions
    lang: Lang

    def t(self, key: str, **values: object) -> str:
        return label(key, self.lang, **values)

    def paint(self, text: str, style: str) -> str:
        if not self.options.color or not text:
            return text
        return f"\x1b[{_ANSI[style]}m{text}\x1b[0m"

    def mark(self, status: Status) -> str:
        return self.paint(STATUS_MARKS[status], status.value)


@dataclass(frozen=True, slots=True)
class _Columns:
    """Widths shared by every rule line, so points and owners line up down the whole report."""

    title: int
    earned: int
    max: int

    @classmethod
    def of(cls, rules: Sequence[RuleResult], lang: Lang) -> _Columns:
        heads = [_head_text(r, lang) for r in rules] or [""]
        return cls(
            title=min(TITLE_WIDTH, max(display_width(h) for h in heads)),
            earned=max((display_width(points_earned(r)) for r in rules), default=1),
            max=max((display_width(fmt_num(r.max_points)) for r in rules), default=1),
        )


def _head_text(rule: RuleResult, lang: Lang) -> str:
    return f"{STATUS_MARKS[rule.status]} {one_line(rule.id)} {one_line(rule_title(rule, lang))}"


def _rule_line(ctx: _Ctx, rule: RuleResult, cols: _Columns, *, show_owner: bool = True) -> str:
    """`✗ A1 title      0 / 5   责任：各街道`: mark, id and title, points aligned on the slash, owner, due."""
    head = fit(_head_text(rule, ctx.lang), cols.title)
    head = pad(head, cols.title)
    # the mark is the first character: colour it after padding so escape codes never count as width
    head = ctx.mark(rule.status) + head[1:]
    points = f"{rpad(points_earned(rule), cols.earned)} / {pad(fmt_num(rule.max_points), cols.max)}"
    line = f"{head}   {points}"
    extras = []
    if show_owner and rule.owner:
        extras.append(ctx.t("owner", owner=one_line(rule.owner)))
    if rule.due is not None:
        extras.append(ctx.t("due", date=rule.due.isoformat()))
    if extras:
        line += "   " + ctx.t("sep").join(extras)
    return line.rstrip()


def _message_lines(ctx: _Ctx, rule: RuleResult) -> list[str]:
    msg = clean(rule.message).strip()
    if rule.status is Status.UNKNOWN:
        return ctx.t("could_not_check", msg=msg or ctx.t("no_data")).split("\n")
    if rule.status is Status.ERROR:
        return ctx.t("error", msg=msg).split("\n")
    if msg:
        return msg.split("\n")
    if rule.measured_text or rule.target_text:
        return [ctx.t("measured_target", measured=one_line(rule.measured_text) or "–",
                      target=one_line(rule.target_text) or "–")]
    return []


def _counts_heading(ctx: _Ctx, rule: RuleResult) -> str:
    """`8 个街道中 2 个未达标：`, from the counts behind the rule."""
    entity = one_line(rule.failing[0].entity)
    n = rule.counts.failing or len(rule.failing)
    if rule.counts.total:
        return ctx.t("failing_of", total=rule.counts.total, n=n, entity=entity)
    return ctx.t("failing_n", n=n, entity=entity)


def _explanation(ctx: _Ctx, rule: RuleResult) -> list[str]:
    """The rule's sentence, then the heading of its failing items; the counts are said once, not twice."""
    lines = _message_lines(ctx, rule)
    if not rule.failing:
        return lines
    counts = _counts_heading(ctx, rule)
    said = [line.rstrip("：:。. ") for line in lines]
    if not lines or said == [counts.rstrip("：:")]:
        return [counts]
    n = rule.counts.failing or len(rule.failing)
    return [*lines, ctx.t("failing_short", entity=one_line(rule.failing[0].entity), n=n)]


def _item_rows(ctx: _Ctx, rule: RuleResult, items: list[ItemResult]) -> list[str]:
    limit = len(items) if ctx.options.verbose else ITEM_LIMIT
    rows = []
    for item in items[:limit]:
        detail = one_line(item.detail)
        if not detail and item.need is not None:
            detail = ctx.t("need", n=fmt_num(item.need))
        rows.append([one_line(item.key), detail, one_line(item_source(item))])
    lines = ["  " + line for line in table(rows)]
    if len(items) > limit:
        lines.append("  " + ctx.t("more", n=len(items) - limit, id=one_line(rule.id)))
    return lines


def _gap_body(ctx: _Ctx, rule: RuleResult) -> list[str]:
    lines = _explanation(ctx, rule)
    if rule.failing:
        lines += _item_rows(ctx, rule, rule.failing)
    if rule.unknown_items:
        entity = one_line(rule.unknown_items[0].entity)
        lines.append(ctx.t("unknown_n", n=len(rule.unknown_items), entity=entity))
        lines += _item_rows(ctx, rule, rule.unknown_items)
    if rule.repair:
        lines += ctx.t("repair", text=clean(rule.repair).strip()).split("\n")
    if rule.hint and ctx.options.verbose:
        lines += ctx.t("hint", text=clean(rule.hint).strip()).split("\n")
    if rule.waiver is not None and rule.waiver.expired:
        lines.append(_waiver_note(ctx, rule))
    return lines


def _waiver_note(ctx: _Ctx, rule: RuleResult) -> str:
    w = rule.waiver
    assert w is not None
    if w.expired:
        return ctx.t("waiver_expired", date=w.expires.isoformat() if w.expires else "–",
                     approver=one_line(w.approver), reason=one_line(w.reason))
    until = ctx.t("until", date=w.expires.isoformat()) if w.expires else ""
    return ctx.t("waiver_active", reason=one_line(w.reason), approver=one_line(w.approver), until=until)


def _gap_block(ctx: _Ctx, rule: RuleResult, cols: _Columns, *, show_owner: bool = True) -> list[str]:
    lines = [_rule_line(ctx, rule, cols, show_owner=show_owner)]
    lines += [(INDENT + line).rstrip() for line in _gap_body(ctx, rule)]
    return lines


# ---------------------------------------------------------------------------------------------------------
# The parts of the summary, top to bottom.
# ---------------------------------------------------------------------------------------------------------


def _header(ctx: _Ctx) -> list[str]:
    lines = [ctx.paint(one_line(report_heading(ctx.report, ctx.lang)), "bold")]
    parts = verdict_parts(ctx.report, ctx.lang)
    style = _VERDICT_STYLE[ctx.report.summary.verdict]
    parts[0] = ctx.paint(one_line(parts[0]), style)
    lines.append(ctx.t("sep").join(one_line(p) if i else p for i, p in enumerate(parts)))
    due = ctx.report.summary.nearest_due
    notes = [ctx.t("nearest_due", date=due.isoformat())] if due is not None else []
    notes += [clean(ctx.report.summary.message).strip()] if ctx.report.summary.message.strip() else []
    if notes:
        lines += ctx.t("sep").join(notes).split("\n")
    return lines


def _gaps(ctx: _Ctx, cols: _Columns) -> list[str]:
    gaps = ctx.report.gaps()
    if not gaps:
        return [ctx.paint(ctx.t("no_gaps"), "pass")]
    by = ctx.options.group_by
    if by in ("owner", "section"):
        return _gaps_by_rules(ctx, cols, by)
    if by:
        return _gaps_by_entity(ctx, by)
    return [line for rule in gaps for line in _gap_block(ctx, rule, cols)]


def _group_score(ctx: _Ctx, group: RuleGroup) -> str:
    if group.score is None:
        return ""
    return ctx.t("score", score=fmt_num(group.score.score), max=fmt_num(group.score.max_score))


def _group_head(ctx: _Ctx, name: str, *parts: str) -> str:
    head = ctx.t("bracket", name=one_line(name)) + ctx.t("sep").join(p for p in parts if p)
    return ctx.paint(head, "bold")


def _gaps_by_rules(ctx: _Ctx, cols: _Columns, by: str) -> list[str]:
    lines: list[str] = []
    for group in group_rules(ctx.report, by, ctx.lang):
        if lines:
            lines.append("")
        lines.append(_group_head(ctx, group.name, _group_score(ctx, group), ctx.t("gaps_n", n=len(group.rules))))
        for rule in group.rules:
            lines += _gap_block(ctx, rule, cols, show_owner=by != "owner")
    return lines


def _gaps_by_entity(ctx: _Ctx, entity: str) -> list[str]:
    groups, unmapped = group_items(ctx.report, entity)
    lines: list[str] = []
    heads = [_head_text(rule, ctx.lang) for g in groups for rule, _ in g.rules]
    width = min(TITLE_WIDTH, max((display_width(h) for h in heads), default=0))
    for group in groups:
        if lines:
            lines.append("")
        lines.append(_group_head(ctx, group.name, ctx.t("gaps_n", n=len(group.rules))))
        rows = [_entity_row(ctx, rule, items, entity, width) for rule, items in group.rules]
        lines += ["  " + line for line in table(rows)]
    if unmapped:
        if lines:
            lines.append("")
        lines.append(_group_head(ctx, ctx.t("district_wide", entity=entity), ctx.t("gaps_n", n=len(unmapped))))
        cols = _Columns.of(unmapped, ctx.lang)
        for rule in unmapped:
            lines += _gap_block(ctx, rule, cols)
    return lines


def _entity_row(ctx: _Ctx, rule: RuleResult, items: list[ItemResult], entity: str, width: int) -> list[str]:
    """One rule under one street: the street's own value and evidence, or the sub-items in it that fail."""
    head = pad(fit(_head_text(rule, ctx.lang), width), width)
    status = Status.UNKNOWN if all(i in rule.unknown_items for i in items) else rule.status
    head = ctx.mark(status) + head[1:]
    own = [i for i in items if i.entity == entity]
    if own:
        item = own[0]
        detail = one_line(item.detail)
        if item.need is not None:
            need = ctx.t("need", n=fmt_num(item.need))
            detail = f"{detail}（{need}）" if detail and ctx.lang == "zh" else f"{detail} ({need})" if detail else need
        return [head, detail, one_line(item_source(item))]
    sub_entity = one_line(items[0].entity)
    keys = [one_line(i.key) for i in items[:ITEM_LIMIT]]
    text = join_ids(keys, ctx.lang) + ("…" if len(items) > ITEM_LIMIT else "")
    return [head, ctx.t("sub_items", n=len(items), entity=sub_entity, keys=text)]


def _others(ctx: _Ctx, cols: _Columns) -> list[str]:
    """Passing, not-applicable and waived rules: one count line each, or one line per rule when verbose."""
    lines: list[str] = []
    for status in (Status.PASS, Status.NOT_APPLICABLE, Status.WAIVED):
        rules = [r for r in ctx.report.results if r.status is status]
        if not rules:
            continue
        if ctx.options.verbose:
            lines += _other_lines(ctx, rules, cols)
            continue
        ids = [one_line(r.id) for r in rules[:ID_LIMIT]]
        text = join_ids(ids, ctx.lang)
        if len(rules) > ID_LIMIT:
            text += ctx.t("and_more_ids")
        line = ctx.t("count_line", label=status_label(status, ctx.lang), n=len(rules), ids=text)
        lines.append(f"{ctx.mark(status)} {line}")
    return lines


def _other_lines(ctx: _Ctx, rules: list[RuleResult], cols: _Columns) -> list[str]:
    lines = []
    for rule in rules:
        lines.append(_rule_line(ctx, rule, cols))
        if rule.status is Status.WAIVED and rule.waiver is not None:
            lines.append(INDENT + _waiver_note(ctx, rule))
        elif rule.status is Status.NOT_APPLICABLE and rule.message:
            lines.append(INDENT + one_line(rule.message))
    return lines


def _scores(ctx: _Ctx, title_key: str, groups: list[GroupScore]) -> list[str]:
    if not groups:
        return []
    rows = []
    for g in groups:
        row = [one_line(g.name), f"{fmt_num(g.score)} / {fmt_num(g.max_score)}",
               percent(g.score, g.max_score), bar(g.score, g.max_score)]
        if g.gaps:
            row.append(ctx.t("gaps_in", ids=join_ids([one_line(i) for i in g.gaps], ctx.lang)))
        rows.append(row)
    return [ctx.paint(ctx.t(title_key), "bold"), *("  " + line for line in table(rows))]


def _expired_waivers(ctx: _Ctx) -> list[str]:
    expired = [w for w in ctx.report.waivers if w.expired]
    if not expired:
        return []
    rows = []
    for w in expired:
        who = " ".join(one_line(p) for p in (w.rule, w.key or "") if p)
        until = w.expires.isoformat() if w.expires else "–"
        note = ctx.t("expired_on", reason=one_line(w.reason), approver=one_line(w.approver), date=until)
        rows.append([f"{ctx.mark(Status.WAIVED)} {who}", note, one_line(w.location)])
    return [ctx.paint(ctx.t("expired_waivers"), "bold"), *("  " + line for line in table(rows))]


def _reads(ctx: _Ctx) -> list[str]:
    """With -v: how many rows each file or sheet gave, so a ledger read short is seen at once."""
    if not ctx.options.verbose or not ctx.report.reads:
        return []
    lines = [ctx.paint(ctx.t("reads"), "bold")]
    lines += ["  " + ctx.t("read_line", where=one_line(r.where or r.file or r.source), n=r.rows, entity=one_line(r.entity))
              for r in ctx.report.reads]
    return lines


def _warnings(ctx: _Ctx) -> list[str]:
    if not ctx.report.diagnostics:
        return []
    lines = [ctx.paint(ctx.t("warnings"), "bold")]
    for d in ctx.report.diagnostics:
        text = clean(d.text or f"{d.location}: {d.severity}: {d.message}")
        lines += ["  " + line.rstrip() for line in text.split("\n")]
    return lines


def scorecard_rows(report: Report, lang: Lang) -> tuple[str, list[str], list[list[str]]]:
    """The --by scorecard as a title, a header and rows of plain text (each format escapes them)."""
    card = report.scorecard
    if card is None:
        return "", [], []
    by = label(f"by.{card.by}", lang) if card.by in ("owner", "section") else card.by
    header = [label(k, lang) for k in ("rank_col", "item", "holding_col", "open_col", "gap_rules_col")]
    rows = [[str(e.rank), e.name, f"{e.holding} / {e.checks}", str(e.open_items),
             join_ids([g.rule for g in e.gaps], lang) if e.gaps else label("no_gap", lang)] for e in card.entries]
    return label("scorecard", lang, by=by), header, rows


def _scorecard(ctx: _Ctx) -> list[str]:
    title, header, rows = scorecard_rows(ctx.report, ctx.lang)
    if not title:
        return []
    return [ctx.paint(one_line(title), "bold"), *("  " + line for line in
                                                  table([[one_line(c) for c in r] for r in [header, *rows]]))]


class TextReporter(Reporter):
    """The terminal summary `kepu check` prints by default."""

    format: ClassVar[str] = "text"
    extension: ClassVar[str] = ".txt"
    description: ClassVar[Msg] = Msg("终端摘要：先列差距、证据与补齐办法，再列得分", "terminal summary: gaps with "
                                     "evidence and repair first, then scores")

    def render(self, report: Report, options: ReportOptions) -> str:
        ctx = _Ctx(report, options, lang_of(report))
        # one column layout for every rule line, so the gaps and the verbose passing list align alike
        shown = report.gaps() + ([r for r in report.results if r.status not in GAP_STATUSES]
                                 if options.verbose else [])
        cols = _Columns.of(shown, ctx.lang)
        parts = [
            _header(ctx),
            _scorecard(ctx),
            _gaps(ctx, cols),
            _others(ctx, cols),
            _scores(ctx, "by_section", report.summary.sections),
            _scores(ctx, "by_owner", report.summary.owners),
            _expired_waivers(ctx),
            _reads(ctx),
            _warnings(ctx),
        ]
        return "\n\n".join("\n".join(p) for p in parts if p) + "\n"


def strip_ansi(text: str) -> str:
    """The text without colour codes (tests compare colourless layouts)."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)

