"""The summary bar: verdict, score against the pass mark, counts by status, veto failures, nearest due date."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from kepu_rules.i18n import Lang
from kepu_rules.reports.model import Report, Status, Verdict
from kepu_tui.widgets.labels import STATUS_MARK, STATUS_STYLE, num, t, verdict_name

_VERDICT_STYLE = {Verdict.PASS: "bold green", Verdict.FAIL: "bold red", Verdict.INCOMPLETE: "bold magenta"}


def summary_text(report: Report, lang: Lang, note: str = "") -> Text:
    """Two lines: what was assessed, then how it went. `note` says what is happening now (a reload)."""
    s = report.summary
    title = report.ruleset.title_en if lang == "en" and report.ruleset.title_en else report.ruleset.title
    version = report.ruleset.version or ""
    if version:
        version = f"（{version}）" if lang == "zh" else f" ({version})"
    head = " · ".join(p for p in (f"{title}{version}", report.district, f"{t('self_assessed', lang)} {report.as_of}") if p)
    text = Text(head, style="bold")
    if note:
        text.append(f"   {note}", style="italic yellow")
    text.append("\n")
    text.append(f" {verdict_name(s.verdict, lang)} ", style=f"reverse {_VERDICT_STYLE[s.verdict]}")
    text.append(f"  {t('score', lang)} ")
    text.append(f"{num(s.score)} / {num(s.max_score)}", style="bold")
    if s.pass_mark is not None:
        text.append(f"（{t('pass_mark', lang)} {num(s.pass_mark)}）" if lang == "zh" else f" ({t('pass_mark', lang)} {num(s.pass_mark)})")
    text.append("  ")
    for status in Status:
        count = s.counts.get(status.value, 0)
        if count:
            text.append(f"{STATUS_MARK[status]}{count} ", style=STATUS_STYLE[status])
    text.append(f" {t('veto', lang)}：" if lang == "zh" else f" {t('veto', lang)}: ")
    if s.veto_failures:
        text.append(f"{t('veto_failed', lang)} {'、'.join(s.veto_failures)}", style="bold red")
    elif report.vetoes_not_checked():
        text.append(f"{t('veto_not_checked', lang)} {'、'.join(report.vetoes_not_checked())}", style="bold magenta")
    else:
        text.append(t("veto_ok", lang), style="green")
    if s.nearest_due:
        text.append(f"  {t('nearest_due', lang)} ")
        text.append(s.nearest_due.isoformat(), style="bold")
    return text


class SummaryBar(Static):
    """Shows `summary_text` for the current report, or a waiting line while the first assessment runs."""

    DEFAULT_CSS = """
    SummaryBar {
        height: auto;
        max-height: 3;
        padding: 0 1;
        background: $boost;
    }
    """

    def show(self, report: Report, lang: Lang, note: str = "") -> None:
        self.update(summary_text(report, lang, note))

    def waiting(self, message: str) -> None:
        self.update(Text(message, style="italic"))
