"""The history listing and a diff as text (zh/en) and JSON."""

from __future__ import annotations

import json
from typing import Any

from kepu_rules.history.diff import Diff, RuleChange, ScoreChange
from kepu_rules.i18n import Lang, Msg
from kepu_rules.reports.model import Report, RuleResult, Status

_VERDICT = {"pass": Msg("达标", "pass"), "fail": Msg("未达标", "fail"), "incomplete": Msg("无法得出结论", "incomplete")}
_KIND = {
    "newly_passing": Msg("新达标的规则", "Rules now passing"),
    "newly_failing": Msg("新出现问题的规则", "Rules now failing"),
    "changed": Msg("有变化的规则", "Rules that changed"),
    "added": Msg("新增的规则", "Rules added"),
    "removed": Msg("删除的规则", "Rules removed"),
}
_GAPS = (Status.FAIL, Status.WARN, Status.UNKNOWN, Status.ERROR)


def gaps(report: Report) -> int:
    return sum(1 for r in report.results if r.status in _GAPS)


def _signed(x: float) -> str:
    return f"{x:+g}" if x else "±0"


def history_text(rows: list[tuple[str, Report | None, str]], lang: Lang) -> str:
    """One line per record: date, verdict, score, gaps, change since the previous record; `rows` holds
    (date, report or None when it could not be read, the reason)."""
    head = Msg("日期        结论        得分           问题  变化", "date        verdict     score          gaps  change")
    lines = [head.render(lang)]
    previous: Report | None = None
    for date, report, problem in rows:
        if report is None:
            lines.append(f"{date}  {Msg('无法读取：', 'unreadable: ').render(lang)}{problem}")
            continue
        s = report.summary
        verdict = _VERDICT[s.verdict.value].render(lang)
        score = f"{s.score:g} / {s.max_score:g}"
        change = ""
        if previous is not None:
            d = _quick(previous, report)
            change = Msg(f"得分 {_signed(d[0])}，新达标 {d[1]}，新问题 {d[2]}",
                         f"score {_signed(d[0])}, {d[1]} now passing, {d[2]} now failing").render(lang)
        rebuilt = Msg("（重建）", " (rebuilt)").render(lang) if report.record and report.record.rebuilt else ""
        lines.append(f"{date}  {_pad(verdict, 10)}  {_pad(score, 13)}  {gaps(report):>4}  {change}{rebuilt}")
        previous = report
    if len(rows) == 0:
        lines.append(Msg("还没有记录：运行 kepu check --record 或 kepu history backfill",
                         "no records yet: run kepu check --record or kepu history backfill").render(lang))
    return "\n".join(lines) + "\n"


def _quick(old: Report, new: Report) -> tuple[float, int, int]:
    from kepu_rules.history.diff import diff

    d = diff(old, new)
    return d.total.delta, len(d.of_kind("newly_passing")), len(d.of_kind("newly_failing"))


def _pad(text: str, width: int) -> str:
    from kepu_rules.diagnostics import display_width

    return text + " " * max(0, width - display_width(text))


def _label(report: Report, lang: Lang) -> str:
    rebuilt = Msg("，重建", ", rebuilt").render(lang) if report.record and report.record.rebuilt else ""
    return f"{report.as_of.isoformat()}{rebuilt}"


def _measured(r: RuleResult | None, lang: Lang) -> str:
    from kepu_rules.reports.text import status_label

    if r is None:
        return "–"
    return f"{status_label(r.status, lang)} {r.measured_text}".strip() + f" ({r.points:g}/{r.max_points:g})"


def _score_line(c: ScoreChange, lang: Lang) -> str:
    old = "–" if c.old is None else f"{c.old:g}"
    new = "–" if c.new is None else f"{c.new:g}"
    name = c.name or Msg("总分", "total").render(lang)
    return f"  {_pad(name, 24)} {old:>7} → {new:<7} {_signed(c.delta)}"


def diff_text(d: Diff, lang: Lang) -> str:
    """The diff for a reader: scores first, then the rules by kind with their items by key."""
    out = [Msg(f"变化：{_label(d.old, 'zh')} → {_label(d.new, 'zh')}",
               f"Changes: {_label(d.old, 'en')} → {_label(d.new, 'en')}").render(lang), ""]
    if d.ruleset_changed:
        o, n = d.old.ruleset, d.new.ruleset
        out += [Msg(f"规则集变了：{o.id} {o.version or ''} → {n.id} {n.version or ''}",
                    f"The ruleset changed: {o.id} {o.version or ''} → {n.id} {n.version or ''}").render(lang), ""]
    if d.params:
        out.append(Msg("参数变化：", "Params changed:").render(lang))
        out += [f"  {name}: {old or '–'} → {new or '–'}" for name, old, new in d.params]
        out.append("")
    out.append(Msg("得分", "Score").render(lang))
    out.append(_score_line(d.total, lang))
    for title, rows in ((Msg("按章节", "By section"), d.sections), (Msg("按责任单位", "By owner"), d.owners)):
        moved = [c for c in rows if c.delta]
        if moved:
            out.append(f" {title.render(lang)}")
            out += [_score_line(c, lang) for c in moved]
    if d.groups:
        out.append(Msg(f" 按{d.by}的未达标项", f" Open items by {d.by}").render(lang))
        for g in d.groups:
            out.append(f"  {_pad(g.name, 24)} {g.old:>7} → {g.new:<7} "
                       + Msg(f"解决 {g.fixed}，新增 {g.newly_failing}", f"{g.fixed} fixed, {g.newly_failing} new").render(lang))
    for kind in ("newly_passing", "newly_failing", "changed", "added", "removed"):
        rules = d.of_kind(kind)
        if rules:
            out += ["", _KIND[kind].render(lang)]
            for c in rules:
                out += _rule_lines(c, lang)
    if not d.rules:
        out += ["", Msg("规则结果没有变化", "No rule changed").render(lang)]
    return "\n".join(out) + "\n"


def _rule_lines(c: RuleChange, lang: Lang) -> list[str]:
    lines = [f"  {c.id} {c.title}", f"     {_measured(c.old, lang)} → {_measured(c.new, lang)}"]
    for label, items in ((Msg("已解决", "fixed"), c.fixed), (Msg("新增问题", "newly failing"), c.newly_failing)):
        if items:
            keys = "、".join(k for _, k in items) if lang == "zh" else ", ".join(k for _, k in items)
            lines.append(f"     {label.render(lang)} ({len(items)}): {keys}")
    return lines


def diff_json(d: Diff) -> str:
    """The diff for machines (kepu-diff/1): every list in a stable order."""
    def side(r: RuleResult | None) -> dict[str, Any] | None:
        if r is None:
            return None
        return {"status": r.status.value, "points": r.points, "max_points": r.max_points, "measured": r.measured,
                "measured_text": r.measured_text, "failing": [{"entity": i.entity, "key": i.key} for i in r.failing]}

    def score(c: ScoreChange) -> dict[str, Any]:
        return {"name": c.name, "old": c.old, "new": c.new, "old_max": c.old_max, "new_max": c.new_max, "delta": c.delta}

    def ref(r: Report) -> dict[str, Any]:
        return {"as_of": r.as_of.isoformat(), "ruleset": {"id": r.ruleset.id, "version": r.ruleset.version},
                "verdict": r.summary.verdict.value, "rebuilt": bool(r.record and r.record.rebuilt)}

    data = {
        "schema": "kepu-diff/1", "old": ref(d.old), "new": ref(d.new), "by": d.by,
        "ruleset_changed": d.ruleset_changed,
        "params": [{"name": n, "old": o, "new": v} for n, o, v in d.params],
        "score": score(d.total), "sections": [score(c) for c in d.sections], "owners": [score(c) for c in d.owners],
        "groups": [{"name": g.name, "old": g.old, "new": g.new, "fixed": g.fixed, "newly_failing": g.newly_failing}
                   for g in d.groups],
        "rules": [{"id": c.id, "title": c.title, "change": c.kind, "old": side(c.old), "new": side(c.new),
                   "fixed": [{"entity": e, "key": k} for e, k in c.fixed],
                   "newly_failing": [{"entity": e, "key": k} for e, k in c.newly_failing]} for c in d.rules],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def diff_markdown(d: Diff, lang: Lang) -> str:
    """The diff as Markdown: a score table, open items by street, then the rules by kind."""
    def t(zh: str, en: str) -> str:
        return Msg(zh, en).render(lang)

    out = [f"# {t('变化', 'Changes')}: {_label(d.old, lang)} → {_label(d.new, lang)}", ""]
    if d.ruleset_changed:
        o, n = d.old.ruleset, d.new.ruleset
        out += [f"{t('规则集', 'Ruleset')}: {_md(o.id)} {_md(o.version or '')} → {_md(n.id)} {_md(n.version or '')}", ""]
    if d.params:
        out += [f"## {t('参数变化', 'Params changed')}", "", f"| {t('参数', 'param')} | {_label(d.old, lang)} | {_label(d.new, lang)} |",
                "|---|---|---|"]
        out += [f"| {_md(n)} | {_md(o or '–')} | {_md(v or '–')} |" for n, o, v in d.params]
        out.append("")
    out += [f"## {t('得分', 'Score')}", "", f"| | {_label(d.old, lang)} | {_label(d.new, lang)} | {t('变化', 'change')} |",
            "|---|---:|---:|---:|"]
    for s in [d.total, *[g for g in d.sections + d.owners if g.delta]]:
        name = s.name or t("总分", "total")
        old = "–" if s.old is None else f"{s.old:g}"
        new = "–" if s.new is None else f"{s.new:g}"
        out.append(f"| {_md(name)} | {old} | {new} | {_signed(s.delta)} |")
    if d.groups:
        out += ["", f"## {t(f'按{d.by}的未达标项', f'Open items by {d.by}')}", "",
                f"| {_md(d.by)} | {_label(d.old, lang)} | {_label(d.new, lang)} | {t('已解决', 'fixed')} | {t('新增', 'new')} |",
                "|---|---:|---:|---:|---:|"]
        out += [f"| {_md(g.name)} | {g.old} | {g.new} | {g.fixed} | {g.newly_failing} |" for g in d.groups]
    for kind in ("newly_passing", "newly_failing", "changed", "added", "removed"):
        rules = d.of_kind(kind)
        if not rules:
            continue
        out += ["", f"## {_KIND[kind].render(lang)}", ""]
        for c in rules:
            out.append(f"- **{_md(c.id)}** {_md(c.title)}: {_md(_measured(c.old, lang))} → {_md(_measured(c.new, lang))}")
            for label, items in ((t("已解决", "fixed"), c.fixed), (t("新增问题", "newly failing"), c.newly_failing)):
                if items:
                    out.append(f"  - {label} ({len(items)}): {_md(', '.join(k for _, k in items))}")
    return "\n".join(out) + "\n"


_CSS = ("body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em}"
        "td.n{text-align:right}.up{color:#17692e}.down{color:#a61b1b}li{margin:.2em 0}")


def diff_html(d: Diff, lang: Lang) -> str:
    """The diff as one printable HTML page: the same content as the Markdown, every text escaped."""
    from html import escape as e

    def t(zh: str, en: str) -> str:
        return e(Msg(zh, en).render(lang))

    def delta(x: float) -> str:
        tone = "up" if x > 0 else "down" if x < 0 else ""
        return f'<td class="n {tone}">{e(_signed(x))}</td>'

    old, new = e(_label(d.old, lang)), e(_label(d.new, lang))
    title = f"{t('变化', 'Changes')}: {old} → {new}"
    out = [f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
           f"<style>{_CSS}</style></head><body>", f"<h1>{title}</h1>"]
    if d.ruleset_changed:
        o, n = d.old.ruleset, d.new.ruleset
        out.append(f"<p>{t('规则集', 'Ruleset')}: {e(o.id)} {e(o.version or '')} → {e(n.id)} {e(n.version or '')}</p>")
    if d.params:
        out.append(f"<h2>{t('参数变化', 'Params changed')}</h2><table><tr><th>{t('参数', 'param')}</th><th>{old}</th><th>{new}</th></tr>")
        out += [f"<tr><td>{e(n)}</td><td>{e(o or '–')}</td><td>{e(v or '–')}</td></tr>" for n, o, v in d.params]
        out.append("</table>")
    out.append(f"<h2>{t('得分', 'Score')}</h2><table><tr><th></th><th>{old}</th><th>{new}</th><th>{t('变化', 'change')}</th></tr>")
    for sc in [d.total, *[g for g in d.sections + d.owners if g.delta]]:
        name = e(sc.name) if sc.name else t("总分", "total")
        before = "–" if sc.old is None else f"{sc.old:g}"
        after = "–" if sc.new is None else f"{sc.new:g}"
        out.append(f'<tr><td>{name}</td><td class="n">{before}</td><td class="n">{after}</td>{delta(sc.delta)}</tr>')
    out.append("</table>")
    if d.groups:
        out.append(f"<h2>{t(f'按{d.by}的未达标项', f'Open items by {d.by}')}</h2><table><tr><th>{e(d.by)}</th>"
                   f"<th>{old}</th><th>{new}</th><th>{t('已解决', 'fixed')}</th><th>{t('新增', 'new')}</th></tr>")
        out += [f'<tr><td>{e(g.name)}</td><td class="n">{g.old}</td><td class="n">{g.new}</td>'
                f'<td class="n">{g.fixed}</td><td class="n">{g.newly_failing}</td></tr>' for g in d.groups]
        out.append("</table>")
    for kind in ("newly_passing", "newly_failing", "changed", "added", "removed"):
        rules = d.of_kind(kind)
        if not rules:
            continue
        out.append(f"<h2>{e(_KIND[kind].render(lang))}</h2><ul>")
        for c in rules:
            out.append(f"<li><b>{e(c.id)}</b> {e(c.title)}: {e(_measured(c.old, lang))} → {e(_measured(c.new, lang))}")
            for label, items in ((t("已解决", "fixed"), c.fixed), (t("新增问题", "newly failing"), c.newly_failing)):
                if items:
                    out.append(f"<br>{label} ({len(items)}): {e(', '.join(k for _, k in items))}")
            out.append("</li>")
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
