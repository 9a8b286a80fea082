"""The progress screen: the score over the recorded runs (kepu history) and what changed since the
last record before this assessment (kepu diff), with enter on an item opening its facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from kepu_rules.history.diff import Diff, RuleChange
from kepu_rules.history.render import gaps
from kepu_rules.i18n import Lang
from kepu_rules.reports.model import ItemResult, Report, RuleResult, Status
from kepu_tui.widgets.labels import STATUS_MARK, STATUS_STYLE, status_name, t, verdict_name

BAR = 24  # cells of a full score bar

_KIND_STYLE = {"newly_passing": "green", "newly_failing": "bold red", "changed": "yellow", "added": "cyan",
               "removed": "dim"}


@dataclass(frozen=True, slots=True)
class Point:
    """One run on the chart: a record, or the assessment now when it is not recorded."""

    report: Report
    recorded: bool


@dataclass(frozen=True, slots=True)
class Row:
    """What enter does on a row of the changes table: go to a rule, or open one of its items."""

    rule_id: str
    item: ItemResult | None = None


def _measured(r: RuleResult | None, lang: Lang) -> str:
    if r is None:
        return "–"
    return f"{status_name(r.status, lang)} {r.measured_text}".strip() + f" ({r.points:g}/{r.max_points:g})"


class ProgressScreen(Screen[None]):
    """Score over the records, and the diff since the last record before now."""

    DEFAULT_CSS = """
    ProgressScreen #progress-head {
        padding: 0 1;
        background: $boost;
        height: auto;
    }
    ProgressScreen #progress-body {
        padding: 0 1;
    }
    ProgressScreen .group-title {
        margin-top: 1;
        text-style: bold;
    }
    ProgressScreen #progress-records {
        margin-top: 1;
    }
    ProgressScreen DataTable {
        height: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,backspace,p", "app.pop_screen", "Back")]

    def __init__(self, points: list[Point], result: Diff | None, lang: Lang, problems: list[str]) -> None:
        super().__init__()
        self.points = points
        self.result = result
        self.lang = lang
        self.problems = problems
        self.rows: dict[str, Row] = {}

    def compose(self) -> ComposeResult:
        lang = self.lang
        recorded = [p for p in self.points if p.recorded]
        head = t("progress_title", lang, n=len(recorded))
        if recorded:
            head += f" · {recorded[0].report.as_of.isoformat()} … {recorded[-1].report.as_of.isoformat()}"
        yield Static(Content(head), id="progress-head")
        with VerticalScroll(id="progress-body"):
            for problem in self.problems:  # a record that cannot be read is said, not skipped silently
                yield Static(Text(problem, style="yellow"))
            if not recorded:
                yield Static(Content(t("progress_none", lang)))
            if self.points:
                # A bar per run on the full scale (0 to the maximum): a sparkline scales from the lowest
                # to the highest score, which makes 79.5 → 92 look like nothing → everything.
                yield self._records_table()
            yield Static(Content(self._diff_title()), classes="group-title")
            if self.result is not None:
                yield self._changes_table(self.result)
        yield Footer()

    def on_mount(self) -> None:
        if self.result is not None:
            self.query_one("#progress-changes", DataTable).focus()

    def _diff_title(self) -> str:
        if self.result is None:
            return t("progress_no_previous", self.lang)
        old = self.result.old.as_of.isoformat()
        return t("progress_since", self.lang, old=old, new=self.result.new.as_of.isoformat(),
                 delta=f"{self.result.total.delta:+g}" if self.result.total.delta else "±0")

    def _records_table(self) -> DataTable[Text]:
        lang = self.lang
        table: DataTable[Text] = DataTable(id="progress-records", cursor_type="none", zebra_stripes=True)
        table.can_focus = False  # nothing to choose in it: arrows and enter go to the changes
        for key in ("date", "score", "chart", "gaps_count", "verdict"):
            table.add_column(Text(t(f"progress_{key}", lang)), key=key)
        for p in self.points:
            s = p.report.summary
            filled = round(BAR * s.score / s.max_score) if s.max_score else 0
            date = p.report.as_of.isoformat() + ("" if p.recorded else f" ({t('progress_now', lang)})")
            if p.report.record is not None and p.report.record.rebuilt:
                date += f" {t('progress_rebuilt', lang)}"
            table.add_row(Text(date), Text(f"{s.score:g} / {s.max_score:g}", justify="right"),
                          Text("█" * filled, style="green" if s.verdict.value == "pass" else "red")
                          + Text("░" * (BAR - filled), style="dim"),
                          Text(str(gaps(p.report)), justify="right"), Text(verdict_name(s.verdict, lang)))
        return table

    def _changes_table(self, d: Diff) -> DataTable[Text]:
        lang = self.lang
        table: DataTable[Text] = DataTable(id="progress-changes", cursor_type="row")
        table.add_column(Text(t("progress_change", lang)), key="change")
        table.add_column(Text(t("progress_what", lang)), key="what")
        table.add_column(Text(t("progress_then_now", lang)), key="then_now")
        if not d.rules:
            table.add_row(Text(t("progress_no_change", lang), style="dim italic"), Text(""), Text(""))
        for c in sorted(d.rules, key=lambda c: list(_KIND_STYLE).index(c.kind)):
            key = f"rule:{c.id}"
            self.rows[key] = Row(c.id)
            table.add_row(Text(t(f"progress_{c.kind}", lang), style=_KIND_STYLE[c.kind]),
                          Text.assemble((c.id, "bold"), " ", c.title),
                          Text(f"{_measured(c.old, lang)} → {_measured(c.new, lang)}"), key=key)
            self._item_rows(table, c)
        return table

    def _item_rows(self, table: DataTable[Text], c: RuleChange) -> None:
        old = {(i.entity, i.key): i for i in (c.old.failing if c.old is not None else [])}
        new = {(i.entity, i.key): i for i in (c.new.failing if c.new is not None else [])}
        for label, items, found, mark in (("progress_fixed", c.fixed, old, STATUS_MARK[Status.PASS]),
                                          ("progress_new_item", c.newly_failing, new, STATUS_MARK[Status.FAIL])):
            for entity, key in items:
                item = found.get((entity, key))
                row_key = f"item:{c.id}:{entity}:{key}"
                self.rows[row_key] = Row(c.id, item)
                style = STATUS_STYLE[Status.PASS] if label == "progress_fixed" else STATUS_STYLE[Status.FAIL]
                table.add_row(Text.assemble("  ", (mark, style), " ", t(label, self.lang)),
                              Text.assemble("   ", key, (f"  {entity}", "dim")),
                              Text(item.detail if item is not None else "", style="dim"), key=row_key)

    @on(DataTable.RowSelected, "#progress-changes")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        row = self.rows.get(str(event.row_key.value))
        if row is None:
            return
        from kepu_tui.app import KepuApp

        app = self.app
        if not isinstance(app, KepuApp):
            return
        if app.main.result(row.rule_id) is None:  # a removed rule: nothing to go to, say so and stay
            self.notify(t("progress_gone", self.lang, rule=row.rule_id), severity="warning", markup=False)
        elif row.item is not None:
            app.open_item(row.rule_id, row.item)
        else:
            app.go_to_rule(row.rule_id)

