"""The bulletin laid out once as blocks (headings, paragraphs, tables, the trend), which each format
(text, markdown, html, docx) renders: the four say the same thing in the same order."""

from __future__ import annotations

from dataclasses import dataclass

from kepu_rules.history.bulletin import Bulletin, Street, TrendPoint
from kepu_rules.i18n import Lang
from kepu_rules.reports.model import ScorecardGap
from kepu_rules.reports.text import fmt_num, verdict_label

_T: dict[str, tuple[str, str]] = {
    "number": ("第 {n} 期", "No. {n}"),
    "date": ("{date}", "{date}"),
    "based_on": ("依据 {old} 与 {new} 的自评记录", "From the self-assessment records of {old} and {new}"),
    "based_on_one": ("依据 {new} 的自评记录（此前没有记录，无法比较）",
                     "From the self-assessment record of {new} (no earlier record to compare with)"),
    "based_on_now": ("依据 {new} 的自评（尚无记录：kepu check --record 保存记录）",
                     "From the self-assessment of {new} (no record yet: kepu check --record keeps one)"),
    "h.overall": ("一、总体进展", "1. Overall progress"),
    "h.ranking": ("二、{by}排名", "2. Ranking of each {by}"),
    "h.streets": ("三、各{by}整改情况", "3. Fixed and open items by {by}"),
    "h.wide": ("四、全区性待改进事项", "4. District-wide items to fix"),
    "h.worse": ("五、退步的规则", "5. Rules that got worse"),
    "h.trend": ("六、得分趋势", "6. Score over the recorded months"),
    "score_change": ("得分 {old} → {new}（{delta}），满分 {max}；结论：{verdict}。",
                     "Score {old} → {new} ({delta}) out of {max}; verdict: {verdict}."),
    "score_only": ("得分 {new}，满分 {max}；结论：{verdict}。", "Score {new} out of {max}; verdict: {verdict}."),
    "gap_change": ("待改进规则 {old} → {new} 项；已整改对象 {fixed} 个，新增未达标对象 {added} 个。",
                   "Rules to fix: {old} → {new}; items fixed: {fixed}; items newly failing: {added}."),
    "gap_only": ("待改进规则 {new} 项。", "Rules to fix: {new}."),
    "c.rank": ("名次", "Rank"),
    "c.change": ("变化", "Change"),
    "c.checks": ("达标检查", "Checks met"),
    "c.open": ("待整改对象", "Open items"),
    "c.fixed": ("已整改", "Fixed"),
    "c.rules": ("未达标规则", "Rules not met"),
    "c.rule": ("规则", "Rule"),
    "c.items": ("对象", "Items"),
    "c.owner": ("责任单位", "Owner"),
    "c.due": ("期限", "Due"),
    "c.repair": ("整改要求", "To fix"),
    "c.date": ("日期", "Date"),
    "c.score": ("得分", "Score"),
    "c.before": ("上期", "Before"),
    "c.now": ("本期", "Now"),
    "new_rank": ("新", "new"),
    "same": ("–", "–"),
    "none": ("无", "none"),
    "no_gap": ("无待整改事项", "nothing to fix"),
    "no_due": ("未设期限", "no due date"),
    "no_owner": ("未指定", "not named"),
    "rank_of": ("第 {rank} 名", "rank {rank}"),
    "fixed_line": ("已整改：{items}", "Fixed: {items}"),
    "fixed_none": ("本期无整改完成的对象", "nothing fixed since the previous record"),
    "open_line": ("待整改：", "Open:"),
    "no_wide": ("无", "None."),
    "no_worse": ("没有退步的规则。", "No rule got worse."),
    "no_previous": ("没有上期记录，无法比较。", "No previous record to compare with."),
    "rebuilt": ("重建", "rebuilt"),
    "rebuilt_note": ("标注“重建”的记录是事后按当时日期从现有台账重建的（kepu history backfill）。",
                     "Records marked “rebuilt” were rebuilt afterwards from today's ledgers as of their date "
                     "(kepu history backfill)."),
    "due_note": ("期限取自规则的 due 设置；台账中的对象本身没有期限。",
                 "Due dates are the rules' `due` settings; the ledgers give items no due date of their own."),
    "repair_note": ("记录是用另一种语言写成的，整改要求从略（kepu check 可查看）。",
                    "The records are in another language, so the repair texts are left out (kepu check shows them)."),
    "status.pass": ("通过", "pass"),
}


def t(key: str, lang: Lang, **values: object) -> str:
    zh, en = _T[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True, slots=True)
class Para:
    text: str
    small: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    numeric: tuple[int, ...] = ()
    key: str = ""  # what the table is (ranking, streets, ...): lets tests and the docx style pick it out


@dataclass(frozen=True, slots=True)
class Trend:
    points: list[TrendPoint]


Block = Heading | Para | Table | Trend


def signed(x: float) -> str:
    return "±0" if x == 0 else f"+{fmt_num(x)}" if x > 0 else f"−{fmt_num(-x)}"


def rank_change(street: Street, lang: Lang, had_previous: bool) -> str:
    change = street.rank_change
    if change is None:
        return t("new_rank", lang) if had_previous else t("same", lang)
    return "↑" + str(change) if change > 0 else "↓" + str(-change) if change < 0 else t("same", lang)


def _join(parts: list[str], lang: Lang) -> str:
    return ("、" if lang == "zh" else ", ").join(parts)


def _items(gap: ScorecardGap, lang: Lang, limit: int = 12) -> str:
    keys = gap.items[:limit]
    more = len(gap.items) - len(keys)
    text = _join(keys, lang)
    if more > 0:
        text += f"等 {len(gap.items)} 个" if lang == "zh" else f" and {more} more"
    return text


def _title_of(b: Bulletin, rule_id: str, lang: Lang) -> str:
    rule = next((r for r in b.current.results if r.id == rule_id), None)
    if rule is None:
        return rule_id
    return f"{rule.id} {rule.title_en if lang == 'en' and rule.title_en else rule.title}"


def _gap_row(b: Bulletin, gap: ScorecardGap, lang: Lang, same_lang: bool) -> list[str]:
    row = [_title_of(b, gap.rule, lang), _items(gap, lang) if gap.items else t("none", lang),
           gap.owner or t("no_owner", lang), gap.due.isoformat() if gap.due else t("no_due", lang)]
    # the repair is written in the record's language: in another language it is left out, not mixed in
    return [*row, gap.repair] if same_lang else row


def layout(b: Bulletin, lang: Lang) -> list[Block]:
    """Every block of the bulletin, top to bottom."""
    cur, prev = b.current, b.previous
    same_lang = (cur.lang or "zh")[:2] == lang
    blocks: list[Block] = [Heading(b.title, 1)]
    meta = [t("number", lang, n=b.number)] + ([b.issuer] if b.issuer else []) + [cur.as_of.isoformat()]
    blocks.append(Para("　".join(meta) if lang == "zh" else "  ·  ".join(meta)))
    if not b.from_records:
        blocks.append(Para(t("based_on_now", lang, new=cur.as_of.isoformat()), small=True))
    elif prev is None:
        blocks.append(Para(t("based_on_one", lang, new=cur.as_of.isoformat()), small=True))
    else:
        blocks.append(Para(t("based_on", lang, old=prev.as_of.isoformat(), new=cur.as_of.isoformat()), small=True))

    blocks.append(Heading(t("h.overall", lang)))
    verdict = verdict_label(cur.summary.verdict, lang)
    maximum = fmt_num(cur.summary.max_score)
    if prev is not None and b.change is not None:
        blocks.append(Para(t("score_change", lang, old=fmt_num(prev.summary.score), new=fmt_num(cur.summary.score),
                             delta=signed(b.change.total.delta), max=maximum, verdict=verdict)))
        fixed = sum(len(c.fixed) for c in b.change.rules)
        added = sum(len(c.newly_failing) for c in b.change.rules)
        blocks.append(Para(t("gap_change", lang, old=len(prev.gaps()), new=len(cur.gaps()), fixed=fixed, added=added)))
    else:
        blocks.append(Para(t("score_only", lang, new=fmt_num(cur.summary.score), max=maximum, verdict=verdict)))
        blocks.append(Para(t("gap_only", lang, new=len(cur.gaps()))))

    had_previous = prev is not None
    rows = [[str(s.entry.rank), rank_change(s, lang, had_previous), s.entry.name,
             f"{s.entry.holding} / {s.entry.checks}", str(s.entry.open_items), str(len(s.fixed)),
             _join([g.rule for g in s.entry.gaps], lang) if s.entry.gaps else t("no_gap", lang)]
            for s in b.streets]
    header = [t(k, lang) for k in ("c.rank", "c.change")] + [b.by] + [
        t(k, lang) for k in ("c.checks", "c.open", "c.fixed", "c.rules")]
    blocks += [Heading(t("h.ranking", lang, by=b.by)), Table(header, rows, (0, 3, 4, 5), key="ranking")]

    blocks.append(Heading(t("h.streets", lang, by=b.by)))
    gap_header = [t(k, lang) for k in ("c.rule", "c.items", "c.owner", "c.due", "c.repair")][:5 if same_lang else 4]
    for s in b.streets:
        change = rank_change(s, lang, had_previous)
        head = f"{s.entry.name}（{t('rank_of', lang, rank=s.entry.rank)}，{change}）" if lang == "zh" else \
            f"{s.entry.name} ({t('rank_of', lang, rank=s.entry.rank)}, {change})"
        blocks.append(Heading(head, 3))
        if had_previous:
            done = [f"{rule} {key}" for rule, key in s.fixed]
            blocks.append(Para(t("fixed_line", lang, items=_join(done, lang)) if done else t("fixed_none", lang)))
        if s.entry.gaps:
            blocks.append(Table(gap_header, [_gap_row(b, g, lang, same_lang) for g in s.entry.gaps], key="street:" + s.entry.name))
        else:
            blocks.append(Para(t("no_gap", lang)))

    blocks.append(Heading(t("h.wide", lang)))
    if b.district_wide:
        blocks.append(Table(gap_header, [_gap_row(b, g, lang, same_lang) for g in b.district_wide], key="wide"))
    else:
        blocks.append(Para(t("no_wide", lang)))

    blocks.append(Heading(t("h.worse", lang)))
    if prev is None:
        blocks.append(Para(t("no_previous", lang)))
    elif b.worse:
        rows = []
        for c in b.worse:
            o, n = c.old, c.new
            before = f"{fmt_num(o.points)} / {fmt_num(o.max_points)}" if o else "–"
            after = f"{fmt_num(n.points)} / {fmt_num(n.max_points)}" if n else "–"
            rows.append([_title_of(b, c.id, lang), before, after, _join(sorted({k for _, k in c.newly_failing})[:12], lang)])
        header = [t(k, lang) for k in ("c.rule", "c.before", "c.now", "c.items")]
        blocks.append(Table(header, rows, (1, 2), key="worse"))
    else:
        blocks.append(Para(t("no_worse", lang)))

    blocks += [Heading(t("h.trend", lang)), Trend(b.trend)]
    notes = []
    if any(p.rebuilt for p in b.trend):
        notes.append(t("rebuilt_note", lang))
    notes.append(t("due_note", lang))
    if not same_lang:
        notes.append(t("repair_note", lang))
    blocks += [Para(n, small=True) for n in notes]
    return blocks
