"""The TUI's own words in Chinese and English, and the status marks and colours every widget shares."""

from __future__ import annotations

from kepu_rules.i18n import Lang
from kepu_rules.reports.model import Severity, Status, Verdict

#: One mark per status, the same as the text report's, so the terminal and the TUI read alike.
STATUS_MARK: dict[Status, str] = {
    Status.PASS: "✓", Status.FAIL: "✗", Status.WARN: "!", Status.UNKNOWN: "?",
    Status.ERROR: "E", Status.NOT_APPLICABLE: "–", Status.WAIVED: "W",
}

#: Rich styles by status; named colours so every theme keeps them legible.
STATUS_STYLE: dict[Status, str] = {
    Status.PASS: "green", Status.FAIL: "bold red", Status.WARN: "yellow", Status.UNKNOWN: "magenta",
    Status.ERROR: "bold red", Status.NOT_APPLICABLE: "dim", Status.WAIVED: "cyan",
}

#: Statuses that need work: the "gaps" filter and `n`/`N` navigation stop on these.
GAP_STATUSES = frozenset({Status.FAIL, Status.WARN, Status.UNKNOWN, Status.ERROR})

_STATUS_NAME: dict[Status, tuple[str, str]] = {
    Status.PASS: ("通过", "pass"), Status.FAIL: ("未通过", "fail"), Status.WARN: ("警告", "warn"),
    Status.UNKNOWN: ("无法核查", "unknown"), Status.ERROR: ("出错", "error"),
    Status.NOT_APPLICABLE: ("不适用", "not applicable"), Status.WAIVED: ("已豁免", "waived"),
}

_SEVERITY_NAME: dict[Severity, tuple[str, str]] = {
    Severity.VETO: ("一票否决", "veto"), Severity.REQUIRED: ("必备", "required"),
    Severity.SCORED: ("计分", "scored"), Severity.ADVISORY: ("提示", "advisory"),
}

_VERDICT_NAME: dict[Verdict, tuple[str, str]] = {
    Verdict.PASS: ("达标", "PASS"), Verdict.FAIL: ("未达标", "FAIL"), Verdict.INCOMPLETE: ("无法判定", "INCOMPLETE"),
}

_WORDS: dict[str, tuple[str, str]] = {
    "app_title": ("科普示范区自评", "kepu self-assessment"),
    "loading": ("正在评估…", "assessing…"),
    "reloading": ("文件有变动，正在重新评估…", "files changed, re-assessing…"),
    "score": ("得分", "score"),
    "pass_mark": ("达标线", "pass mark"),
    "veto": ("一票否决项", "veto items"),
    "veto_ok": ("全部通过", "all pass"),
    "veto_failed": ("未通过", "failed"),
    "veto_not_checked": ("无法核查", "not checked"),
    "nearest_due": ("最近期限", "next due"),
    "self_assessed": ("自评", "as of"),
    "search": ("搜索编号或标题", "search id or title"),
    "all_statuses": ("全部状态", "all statuses"),
    "gaps": ("待改进", "gaps"),
    "all_owners": ("全部责任单位", "all owners"),
    "all_sections": ("全部板块", "all sections"),
    "no_match": ("没有符合筛选条件的规则", "no rule matches the filters"),
    "choose_rule": ("在左侧选择一条规则", "choose a rule on the left"),
    "status": ("状态", "status"),
    "severity": ("等级", "severity"),
    "points": ("得分", "points"),
    "section": ("板块", "section"),
    "source": ("依据", "source"),
    "tier": ("证据等级", "evidence tier"),
    "rule": ("规则", "rule"),
    "defined": ("定义于", "defined at"),
    "changed_by": ("调整", "changed by"),
    "measured": ("实测", "measured"),
    "target": ("目标", "target"),
    "repair": ("补齐", "repair"),
    "owner": ("责任单位", "owner"),
    "due": ("期限", "due"),
    "hint": ("建议", "hint"),
    "waiver": ("豁免", "waiver"),
    "waiver_expired": ("已过期，未生效", "expired, not honoured"),
    "waiver_until": ("有效期至", "valid until"),
    "none": ("无", "none"),
    "failing_items": ("未达标项", "failing items"),
    "unknown_items": ("无法核查项", "could not check"),
    "item": ("对象", "item"),
    "value": ("未达标的值", "failing value"),
    "provenance": ("出处", "provenance"),
    "field": ("字段", "field"),
    "field_value": ("值", "value"),
    "open_item": ("回车查看该项的全部事实", "enter: all facts of the item"),
    "more_items": ("… 还有 {n} 项：移到这一行即显示", "… {n} more: move here to show them"),
    "was": ("上次", "was"),
    "now": ("现在", "now"),
    "changed_rules": ("状态有变化的规则", "rules whose status changed"),
    "no_change": ("重新评估完成，状态无变化", "re-assessed: no status changed"),
    "own_row": ("本条记录", "the item's own row"),
    "refers_to": ("它引用的记录", "rows it refers to"),
    "referred_by": ("引用它的记录", "rows referring to it"),
    "rows": ("条", "rows"),
    "no_rows": ("（无记录）", "(no rows)"),
    "not_found": ("在数据中找不到这一项的记录", "no row for this item in the data"),
    "evidence": ("证据", "evidence"),
    "in_group": ("所属", "within"),
    "diagnostics_title": ("项目有错误：修正后会自动重新评估", "The project has errors: fix them and it re-runs by itself"),
    "errors_found": ("发现 {n} 个错误", "{n} error{s} found"),
    "internal_error": ("内部错误（请报告此问题）", "internal error (please report it)"),
    "crash_file": ("详情已写入 {path}，请随问题报告一并提供", "the details are in {path}: please attach it to a bug report"),
    "exported": ("报告已导出到 {path}", "report exported to {path}"),
    "export_failed": ("导出失败：{error}", "export failed: {error}"),
    "no_report": ("还没有可导出的报告", "no report to export yet"),
    "help_title": ("按键说明", "Key bindings"),
    "help_close": ("按 Esc 或 ? 关闭", "press Esc or ? to close"),
    "key": ("按键", "key"),
    "action": ("作用", "action"),
    "back": ("返回", "back"),
    "progress_title": ("进展 · {n} 条记录", "Progress · {n} record{s}"),
    "progress_none": ("还没有记录：运行 kepu check --record，或 kepu history backfill --monthly 2026-01..2026-11",
                      "no records yet: run kepu check --record, or kepu history backfill --monthly 2026-01..2026-11"),
    "progress_no_previous": ("没有本次评估日期之前的记录，无从比较", "no record before this assessment's date to compare with"),
    "progress_since": ("自上次记录以来的变化：{old} → {new}（本次评估），得分 {delta}",
                       "Since the last record: {old} → {new} (this assessment), score {delta}"),
    "progress_unreadable": ("无法读取记录 {path}：{error}", "cannot read the record {path}: {error}"),
    "progress_date": ("日期", "date"),
    "progress_score": ("得分", "score"),
    "progress_chart": ("得分图", "chart"),
    "progress_gaps_count": ("问题", "gaps"),
    "progress_verdict": ("结论", "verdict"),
    "progress_now": ("本次", "now"),
    "progress_rebuilt": ("（重建）", "(rebuilt)"),
    "progress_change": ("变化", "change"),
    "progress_what": ("规则 / 条目", "rule / item"),
    "progress_then_now": ("上次 → 本次", "then → now"),
    "progress_no_change": ("没有变化", "nothing changed"),
    "progress_newly_passing": ("新达标", "now passing"),
    "progress_newly_failing": ("新出现问题", "now failing"),
    "progress_changed": ("有变化", "changed"),
    "progress_added": ("新增规则", "rule added"),
    "progress_removed": ("删除规则", "rule removed"),
    "progress_fixed": ("已解决", "fixed"),
    "progress_new_item": ("新增问题", "newly failing"),
    "progress_gone": ("{rule} 不在本次评估的规则集中", "{rule} is not in this assessment's ruleset"),
    "progress_unavailable": ("评估完成后才能查看进展", "progress is shown once the assessment is done"),
}


def t(key: str, lang: Lang, **values: object) -> str:
    """A UI word in the given language, with `{name}` placeholders filled in."""
    zh, en = _WORDS[key]
    text = zh if lang == "zh" else en
    if "n" in values:  # English plurals, worded as the CLI words them ("1 error found", "2 errors found")
        values.setdefault("s", "" if values["n"] == 1 else "s")
    return text.format(**values) if values else text


def status_name(status: Status, lang: Lang) -> str:
    zh, en = _STATUS_NAME[status]
    return zh if lang == "zh" else en


def severity_name(severity: Severity, lang: Lang) -> str:
    zh, en = _SEVERITY_NAME[severity]
    return zh if lang == "zh" else en


def verdict_name(verdict: Verdict, lang: Lang) -> str:
    zh, en = _VERDICT_NAME[verdict]
    return zh if lang == "zh" else en


def num(value: float) -> str:
    """A score as people write it: 90.3, 5, 7.3 (one decimal at most, no trailing zeros)."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
