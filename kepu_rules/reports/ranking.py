"""Renderings of a Ranking (`kepu check --batch`): text, json, markdown and html.

Plain functions, not Reporter subclasses: a ranking is a different document from a Report.
Every rendering is deterministic (no timestamps): the same projects give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kepu_rules.batch import RankedDistrict, RankedGap, Ranking
from kepu_rules.diagnostics import display_width
from kepu_rules.i18n import Lang
from kepu_rules.reports.html import esc
from kepu_rules.reports.markdown import fence, md, md_table
from kepu_rules.reports.text import fit, fmt_num

FORMATS = ("text", "json", "markdown", "html")

_LABELS: dict[str, tuple[str, str]] = {
    "title": ("科普示范区创建评估排名", "Ranking of candidate districts"),
    "folder": ("项目文件夹", "Folder"),
    "ruleset": ("规则集", "Ruleset"),
    "projects": ("项目数", "Projects"),
    "rank": ("名次", "Rank"),
    "district": ("区县", "District"),
    "verdict": ("结论", "Verdict"),
    "score": ("得分", "Score"),
    "percent": ("得分率", "Percent"),
    "veto": ("一票否决未通过", "Veto failures"),
    "required": ("必备项未达标", "Required failures"),
    "gaps": ("主要差距（失分最多的 3 项）", "Biggest gaps (most points missing)"),
    "gaps_short": ("主要差距", "Biggest gaps"),
    "repairs": ("各区补齐建议", "What each district needs"),
    "errors": ("输入有误、未参加排名的项目", "Projects with input errors (not ranked)"),
    "errors_internal": ("输入有误或评估时出现内部错误、未参加排名的项目",
                        "Projects with input errors or internal errors (not ranked)"),
    "none": ("无", "none"),
    "unranked": ("–", "–"),
    "missing": ("失分", "missing"),
    "points_unit": ("分", "pt"),
    "not_checked": ("无法核查", "not checked"),
    "order": ("排序：结论（达标、无法得出结论、未达标）→ 得分率 → 一票否决项少者在前。",
              "Order: verdict (pass, incomplete, fail), then score percent, then fewer veto failures."),
    "pass_mark": ("达标线", "pass mark"),
    "change": ("较上次记录", "Since last record"),
    "rank_change": ("名次", "rank"),
    "score_change": ("得分", "score"),
    "legend": ("较上次记录：名次 ↑升 ↓降，得分（百分制）↑增 ↓减；–：无上次记录",
               "Since last record: rank ↑ up ↓ down, score (out of 100) ↑ gained ↓ lost; –: no earlier record"),
    "new_record": ("无上次记录", "no earlier record"),
    "previous": ("上次记录", "previous record"),
    "notes": ("记录的问题", "Records"),
}
_VERDICTS: dict[str, tuple[str, str]] = {
    "pass": ("达标", "pass"),
    "incomplete": ("无法得出结论", "incomplete"),
    "fail": ("未达标", "fail"),
    "error": ("输入有误", "input error"),
}


def t(key: str, lang: Lang) -> str:
    zh, en = _LABELS[key]
    return zh if lang == "zh" else en


_INTERNAL = ("内部错误", "internal error")


def _verdict_of(d: RankedDistrict, lang: Lang) -> str:
    """A district's verdict; a project whose assessment crashed is not said to have wrong input."""
    if d.internal_error is not None:
        return _INTERNAL[0] if lang == "zh" else _INTERNAL[1]
    return verdict_text(d.verdict, lang)


def verdict_counts(ranking: Ranking, lang: Lang) -> list[tuple[str, str, int]]:
    """(verdict, its text, projects) in ranking order; projects whose assessment crashed are counted
    as internal errors (verdict `error` too, for styling), not as wrong input."""
    crashed = len(ranking.internal_errors)
    counts = [(v, verdict_text(v, lang), n - (crashed if v == "error" else 0))
              for v, n in ranking.summary.verdicts.items()]
    if crashed:
        counts.append(("error", _INTERNAL[0] if lang == "zh" else _INTERNAL[1], crashed))
    return [c for c in counts if c[2]]


def _errors_heading(errors: Sequence[RankedDistrict], lang: Lang) -> str:
    return t("errors_internal" if any(d.internal_error is not None for d in errors) else "errors", lang)


def verdict_text(verdict: str, lang: Lang) -> str:
    zh, en = _VERDICTS[verdict]
    return zh if lang == "zh" else en


def _sep(lang: Lang) -> str:
    return "、" if lang == "zh" else ", "


def _ids(ids: Sequence[str], lang: Lang) -> str:
    return _sep(lang).join(ids) if ids else ""


def _score(d: RankedDistrict) -> str:
    if d.score is None or d.max_score is None:
        return "–"
    return f"{fmt_num(d.score)} / {fmt_num(d.max_score)}"


def _percent(d: RankedDistrict) -> str:
    return "–" if d.percent is None else f"{fmt_num(d.percent)}%"


def _rank(d: RankedDistrict) -> str:
    return "–" if d.rank is None else str(d.rank)


def _points(value: float) -> str:
    """Points as people write them; a fraction too small for one decimal is not shown as 0."""
    text = fmt_num(value)
    return f"{value:.2g}" if text == "0" and value > 0 else text


def _gap_short(g: RankedGap, lang: Lang) -> str:
    if g.missing > 0:
        return f"{g.id} −{_points(g.missing)}"
    return f"{g.id} ({verdict_text('fail', lang) if g.status.value == 'fail' else t('not_checked', lang)})"


def _gap_line(g: RankedGap, lang: Lang) -> str:
    head = f"{g.id} {g.title}"
    if g.missing > 0:
        head += f"（{t('missing', lang)} {_points(g.missing)} {t('points_unit', lang)}）" if lang == "zh" else \
            f" ({t('missing', lang)} {_points(g.missing)} {t('points_unit', lang)})"
    return f"{head}{'：' if lang == 'zh' else ': '}{g.repair}" if g.repair else head


def _over_time(ranking: Ranking) -> bool:
    """Whether any district has a previous record: only then do the renderings show a change column."""
    return any(d.previous is not None for d in ranking.districts)


def _arrow(change: float | None, unit: str = "") -> str:
    """↑ up, ↓ down, = unchanged; `change` is a gain (for a rank, places moved up)."""
    if change is None:
        return ""
    if change == 0:
        return "="
    return f"{'↑' if change > 0 else '↓'}{fmt_num(abs(change))}{unit}"


def rank_arrow(d: RankedDistrict) -> str:
    return _arrow(d.rank_change)


def score_arrow(d: RankedDistrict) -> str:
    return _arrow(d.score_change)


def change_text(d: RankedDistrict, lang: Lang) -> str:
    """`名次 ↑2，得分率 ↑11.58%（上次记录 2026-10-31）`; empty for an unranked district."""
    if d.verdict == "error":
        return ""
    if d.previous is None:
        return t("new_record", lang)
    sep, (op, cl) = ("，", "（）") if lang == "zh" else (", ", "()")
    return (f"{t('rank_change', lang)} {rank_arrow(d)}{sep}{t('score_change', lang)} {score_arrow(d)}"
            f"{' ' if lang == 'en' else ''}{op}{t('previous', lang)} {d.previous.as_of.isoformat()}{cl}")


def _notes(ranking: Ranking) -> list[RankedDistrict]:
    """Ranked districts with something to say about their records (unreadable, not written)."""
    return [d for d in ranking.districts if d.verdict != "error" and d.diagnostics]


def _summary_line(ranking: Ranking, lang: Lang) -> str:
    parts = [f"{text} {n}" for _, text, n in verdict_counts(ranking, lang)]
    return f"{t('projects', lang)} {ranking.summary.total}" + ("：" if lang == "zh" else ": ") + _sep(lang).join(parts)


# --- json ----------------------------------------------------------------------------------------


def render_json(ranking: Ranking, lang: Lang | None = None) -> str:
    """The ranking as versioned JSON (`kepu-ranking/1`); `Ranking.from_json` reads it back."""
    return ranking.to_json() + "\n"


# --- text ----------------------------------------------------------------------------------------


def _pad(text: str, width: int, right: bool = False) -> str:
    text = fit(text, width)
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def render_text(ranking: Ranking, lang: Lang | None = None) -> str:
    """A table for the terminal, with a bar of the score percentage per district."""
    lang = lang or ranking.lang
    lines = [t("title", lang) + (f" · {ranking.ruleset}" if ranking.ruleset else ""), _summary_line(ranking, lang), ""]
    name_w = min(24, max([display_width(d.district) for d in ranking.districts] + [4]))
    over_time = _over_time(ranking)
    if over_time:
        lines[-1:-1] = [t("legend", lang)]
    verdict_w = max(display_width(verdict_text(v, lang)) for v in _VERDICTS)
    for d in ranking.districts:
        if d.verdict == "error":
            continue
        ratio = (d.percent or 0) / 100
        bar = "█" * round(ratio * 20) + "░" * (20 - round(ratio * 20))
        cells = [_pad(_rank(d), 4, right=True), _pad(d.district, name_w), _pad(verdict_text(d.verdict, lang), verdict_w),
                 _pad(_score(d), 13, right=True), _pad(_percent(d), 7, right=True), bar]
        if over_time:
            cells += [_pad(rank_arrow(d) or "–", 4, right=True), _pad(score_arrow(d) or "–", 8, right=True)]
        extra = []
        if d.veto_failures:
            extra.append(f"{t('veto', lang)} {_ids(d.veto_failures, lang)}")
        if d.required_failures:
            extra.append(f"{t('required', lang)} {_ids(d.required_failures, lang)}")
        if d.gaps:
            extra.append(f"{t('gaps_short', lang)} {_ids([_gap_short(g, lang) for g in d.gaps], lang)}")
        sep = "；" if lang == "zh" else "; "
        lines.append("  ".join(cells) + ("   " + sep.join(extra) if extra else ""))
    if _notes(ranking):
        lines += ["", t("notes", lang)]
        for d in _notes(ranking):
            lines.append(f"  {d.district} ({d.folder})")
            for diag in d.diagnostics:
                lines += ["    " + line for line in diag.text.splitlines()]
    errors = [d for d in ranking.districts if d.verdict == "error"]
    if errors:
        lines += ["", _errors_heading(errors, lang)]
        for d in errors:
            lines.append(f"  {d.district} ({d.folder})")
            for diag in d.diagnostics:
                lines += ["    " + line for line in diag.text.splitlines()]
    return "\n".join(line.rstrip() for line in lines) + "\n"


# --- markdown ------------------------------------------------------------------------------------


def render_markdown(ranking: Ranking, lang: Lang | None = None) -> str:
    """GitHub-flavoured Markdown: a summary, the ranking table, every district's repairs, the errors."""
    lang = lang or ranking.lang
    out = [f"# {md(t('title', lang))}", ""]
    if ranking.ruleset:
        out.append(f"- {md(t('ruleset', lang))}：{md(ranking.ruleset)}" if lang == "zh"
                   else f"- {md(t('ruleset', lang))}: {md(ranking.ruleset)}")
    out += [f"- {md(_summary_line(ranking, lang))}", f"- {md(t('order', lang))}", ""]
    over_time = _over_time(ranking)
    keys = ("rank", "district", "verdict", "score", "percent") + (("change",) if over_time else ()) + \
        ("veto", "required", "gaps_short")
    header = [md(t(k, lang)) for k in keys]
    rows = []
    for d in ranking.districts:
        change = [md(change_text(d, lang))] if over_time else []
        rows.append([md(_rank(d)), md(d.district), md(_verdict_of(d, lang)), md(_score(d)), md(_percent(d)), *change,
                     md(_ids(d.veto_failures, lang)), md(_ids(d.required_failures, lang)),
                     md(_ids([_gap_short(g, lang) for g in d.gaps], lang))])
    out += md_table(header, rows, align="rllrr" + ("l" if over_time else "") + "lll")
    with_gaps = [d for d in ranking.districts if d.gaps and d.verdict != "error"]
    if with_gaps:
        out += ["", f"## {md(t('repairs', lang))}"]
        for d in with_gaps:
            out += ["", f"### {md(_rank(d))}. {md(d.district)}（{md(d.folder)}）" if lang == "zh"
                    else f"### {md(_rank(d))}. {md(d.district)} ({md(d.folder)})", ""]
            out += [f"- {md(_gap_line(g, lang))}" for g in d.gaps]
    if _notes(ranking):
        out += ["", f"## {md(t('notes', lang))}"]
        for d in _notes(ranking):
            out += ["", f"### {md(d.district)}（{md(d.folder)}）" if lang == "zh" else f"### {md(d.district)} ({md(d.folder)})", ""]
            out += fence("\n".join(diag.text for diag in d.diagnostics))
    errors = [d for d in ranking.districts if d.verdict == "error"]
    if errors:
        out += ["", f"## {md(_errors_heading(errors, lang))}"]
        for d in errors:
            out += ["", f"### {md(d.district)}（{md(d.folder)}）" if lang == "zh" else f"### {md(d.district)} ({md(d.folder)})", ""]
            out += fence("\n".join(diag.text for diag in d.diagnostics))
    return "\n".join(out) + "\n"


# --- html ----------------------------------------------------------------------------------------

BAR_W = 180
BAR_H = 18

CSS = """
:root { --ink:#1d2329; --muted:#5f6b76; --line:#d9dee3; --soft:#f4f6f8; --pass:#2e7d32; --fail:#c62828;
  --incomplete:#b26a00; --error:#8e0000; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 1280px; padding: 24px 28px 48px; color: var(--ink); background: #fff;
  font: 14px/1.5 "PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",system-ui,sans-serif; }
h1 { font-size: 24px; margin: 0 0 6px; } h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 2px solid var(--ink); }
.meta { color: var(--muted); margin: 2px 0; }
.pills { list-style: none; display: flex; gap: 8px; padding: 0; margin: 10px 0; }
.pills li { border: 1px solid var(--line); border-radius: 14px; padding: 1px 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; } td.num { text-align: right; white-space: nowrap; }
.v { font-weight: 700; white-space: nowrap; } .v-pass { color: var(--pass); } .v-fail { color: var(--fail); }
.v-incomplete { color: var(--incomplete); } .v-error { color: var(--error); }
svg.bar { display: block; width: 180px; height: 18px; }
svg.bar .track { fill: #e8ecef; } svg.bar .tick { stroke: var(--ink); stroke-width: 1.5; }
svg.bar .fill-pass { fill: #43a047; } svg.bar .fill-fail { fill: #e53935; } svg.bar .fill-incomplete { fill: #f0a020; }
svg.bar text { font-size: 11px; fill: var(--ink); }
ul.gaps { margin: 0; padding-left: 16px; } ul.gaps li { margin: 0 0 2px; }
.repair { color: var(--muted); font-size: 12px; }
.ch { font-weight: 700; white-space: nowrap; } .ch-up { color: var(--pass); } .ch-down { color: var(--fail); }
.ch-same { color: var(--muted); } .ids { font-family: ui-monospace,Menlo,Consolas,monospace; }
pre { background: var(--soft); padding: 10px; border-radius: 4px; white-space: pre-wrap; font-size: 12px; }
@page { size: A4 landscape; margin: 12mm; }
@media print { body { max-width: none; padding: 0; font-size: 9.5pt; } tr, pre { break-inside: avoid-page; }
  thead { display: table-header-group; } }
"""


def bar_svg(d: RankedDistrict, lang: Lang) -> str:
    """A horizontal bar of the score percentage, with a tick at the pass mark."""
    ratio = max(0.0, min(1.0, (d.percent or 0.0) / 100))
    title = f"{d.district}: {_percent(d)}"
    parts = [f'<rect class="track" x="0" y="2" width="{BAR_W}" height="{BAR_H - 4}" rx="3"/>',
             f'<rect class="fill-{esc(d.verdict)}" x="0" y="2" width="{ratio * BAR_W:.1f}" height="{BAR_H - 4}" rx="3"/>']
    if d.pass_mark is not None:
        x = max(0.0, min(1.0, d.pass_mark / 100)) * BAR_W
        parts.append(f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{BAR_H}"/>')
        title += f" ({t('pass_mark', lang)} {fmt_num(d.pass_mark)})"
    return (f'<svg class="bar" viewBox="0 0 {BAR_W} {BAR_H}" role="img" xmlns="http://www.w3.org/2000/svg">'
            f'<title>{esc(title)}</title>{"".join(parts)}</svg>')


def _gaps_html(d: RankedDistrict, lang: Lang) -> str:
    if not d.gaps:
        return ""
    items = []
    for g in d.gaps:
        missing = f" −{esc(_points(g.missing))}" if g.missing > 0 else ""
        repair = f'<div class="repair">{esc(g.repair)}</div>' if g.repair else ""
        items.append(f'<li><span class="ids">{esc(g.id)}</span> {esc(g.title)}<b>{missing}</b>{repair}</li>')
    return f'<ul class="gaps">{"".join(items)}</ul>'


def _change_html(d: RankedDistrict, lang: Lang) -> str:
    """The rank and score arrows, coloured by direction, and the previous record's date."""
    if d.verdict == "error":
        return ""
    if d.previous is None:
        return f'<span class="repair">{esc(t("new_record", lang))}</span>'

    def arrow(text: str, change: float | None) -> str:
        kind = "up" if (change or 0) > 0 else "down" if (change or 0) < 0 else "same"
        return f'<span class="ch ch-{kind}">{esc(text)}</span>'

    return (f'{esc(t("rank_change", lang))} {arrow(rank_arrow(d), d.rank_change)} '
            f'{esc(t("score_change", lang))} {arrow(score_arrow(d), d.score_change)}'
            f'<div class="repair">{esc(t("previous", lang))} {esc(d.previous.as_of.isoformat())}</div>')


def render_html(ranking: Ranking, lang: Lang | None = None) -> str:
    """One self-contained page (inline CSS and SVG, no scripts, no external resources), printable."""
    lang = lang or ranking.lang
    over_time = _over_time(ranking)
    keys = ("rank", "district", "verdict", "score", "percent") + (("change",) if over_time else ()) + \
        ("veto", "required", "gaps")
    header = "".join(f"<th>{esc(t(k, lang))}</th>" for k in keys)
    rows = []
    for d in ranking.districts:
        v = esc(d.verdict)
        score = "" if d.verdict == "error" else bar_svg(d, lang)
        change = f"<td>{_change_html(d, lang)}</td>" if over_time else ""
        rows.append(
            f'<tr class="row-{v}"><td class="num">{esc(_rank(d))}</td>'
            f"<td>{esc(d.district)}<div class=\"repair\">{esc(d.folder)}</div></td>"
            f'<td><span class="v v-{v}">{esc(_verdict_of(d, lang))}</span></td>'
            f'<td>{score}<div class="num">{esc(_score(d))}</div></td><td class="num">{esc(_percent(d))}</td>{change}'
            f'<td class="ids">{esc(_ids(d.veto_failures, lang))}</td>'
            f'<td class="ids">{esc(_ids(d.required_failures, lang))}</td><td>{_gaps_html(d, lang)}</td></tr>')
    pills = "".join(f'<li class="v-{esc(v)}">{esc(text)} <b>{n}</b></li>' for v, text, n in verdict_counts(ranking, lang))
    errors = [d for d in ranking.districts if d.verdict == "error"]
    error_html = ""
    if _notes(ranking):
        blocks = "".join(f"<h3>{esc(d.district)} <small>{esc(d.folder)}</small></h3>"
                         f"<pre>{esc(chr(10).join(diag.text for diag in d.diagnostics))}</pre>" for d in _notes(ranking))
        error_html += f'<section id="notes"><h2>{esc(t("notes", lang))}</h2>{blocks}</section>'
    if errors:
        blocks = "".join(f"<h3>{esc(d.district)} <small>{esc(d.folder)}</small></h3>"
                         f"<pre>{esc(chr(10).join(diag.text for diag in d.diagnostics))}</pre>" for d in errors)
        error_html += f'<section id="errors"><h2>{esc(_errors_heading(errors, lang))}</h2>{blocks}</section>'
    ruleset = f'<p class="meta">{esc(t("ruleset", lang))}：{esc(ranking.ruleset)}</p>' if ranking.ruleset else ""
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(t('title', lang))}</title><style>{CSS}</style></head><body>"
            f"<header><h1>{esc(t('title', lang))}</h1>{ruleset}"
            f'<p class="meta">{esc(t("order", lang))}</p><ul class="pills"><li>{esc(t("projects", lang))} '
            f"<b>{ranking.summary.total}</b></li>{pills}</ul></header>"
            f'<section id="ranking"><table><thead><tr>{header}</tr></thead><tbody>{"".join(rows)}</tbody></table></section>'
            f"{error_html}</body></html>\n")


RENDERERS: dict[str, Callable[[Ranking, Lang | None], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "html": render_html,
}


def render_ranking(ranking: Ranking, fmt: str, lang: Lang | None = None) -> str:
    """The ranking in one of FORMATS (`md` is accepted for markdown)."""
    name = "markdown" if fmt == "md" else fmt
    if name not in RENDERERS:
        raise ValueError(f"unknown ranking format {fmt!r}: choose from {', '.join(FORMATS)}")
    return RENDERERS[name](ranking, lang)
