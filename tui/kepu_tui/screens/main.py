"""The main screen: summary bar, filters, the rule tree beside the rule detail, or the diagnostics view."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import ContentSwitcher, DataTable, Footer, Input

from kepu_rules.i18n import Lang
from kepu_rules.reports.model import Report, RuleResult, Status
from kepu_tui.widgets.diagnostics_view import DiagnosticsView
from kepu_tui.widgets.filter_bar import GAPS, FilterBar, Filters
from kepu_tui.widgets.rule_detail import RuleDetail
from kepu_tui.widgets.rule_tree import RuleTree
from kepu_tui.widgets.summary_bar import SummaryBar

#: What the app knows about a rule beyond its result: its formatted body and what overlays changed.
DescribeRule = Callable[[str, Lang], tuple[str | None, list[str]]]


def _no_description(rule_id: str, lang: Lang) -> tuple[str | None, list[str]]:
    return None, []


class MainScreen(Screen[None]):
    """Browses one report. The app feeds it (`show_report`, `show_diagnostics`, `show_loading`);
    the screen owns only what is on it: filters, the selected rule, focus."""

    DEFAULT_CSS = """
    MainScreen #report-view {
        height: 1fr;
    }
    MainScreen ContentSwitcher {
        height: 1fr;
    }
    """

    AUTO_FOCUS = "#rules"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search"),
        Binding("n", "next_gap", "Next gap"),
        Binding("N", "previous_gap", "Previous gap", show=False),
        Binding("s", "cycle_status", "Status", show=False),
        Binding("o", "filter('owner')", "Owner", show=False),
        Binding("c", "filter('section')", "Section", show=False),
        Binding("x", "clear_filters", "Clear filters", show=False),
        Binding("escape", "focus_tree", "Back to rules", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="main")
        self.report: Report | None = None
        self.lang: Lang = "zh"
        self.changed: dict[str, Status] = {}  # rule id -> its status before the last reload
        self._describe: DescribeRule = _no_description

    def compose(self) -> ComposeResult:
        yield SummaryBar(id="summary")
        yield FilterBar(id="filters")
        with ContentSwitcher(initial="report-view"):
            with Horizontal(id="report-view"):
                yield RuleTree(id="rules")
                yield RuleDetail(id="detail")
            yield DiagnosticsView(id="diagnostics")
        yield Footer()

    # -- what the app tells the screen ---------------------------------------------------------------

    @property
    def filters(self) -> Filters:
        return self.query_one(FilterBar).filters

    @property
    def selected_rule(self) -> str | None:
        return self.query_one(RuleTree).current_rule

    def show_loading(self, message: str) -> None:
        """The first assessment is running: a loading indicator where the rules will be."""
        self.query_one(SummaryBar).waiting(message)
        self.query_one("#report-view").loading = True

    def show_note(self, note: str) -> None:
        """A short state line in the summary bar (a reload is running) without touching the rest."""
        if self.report is not None:
            self.query_one(SummaryBar).show(self.report, self.lang, note)

    def show_report(self, report: Report, lang: Lang, changed: Mapping[str, Status] | None = None,
                    describe: DescribeRule | None = None) -> None:
        """Show a (new or re-rendered) report; `changed` marks rules whose status moved on reload."""
        self.report = report
        self.lang = lang
        if changed is not None:
            self.changed = dict(changed)
        if describe is not None:
            self._describe = describe
        self.query_one(ContentSwitcher).current = "report-view"
        self.query_one(FilterBar).display = True
        self.query_one("#report-view").loading = False
        self.query_one(SummaryBar).show(report, lang)
        self.query_one(FilterBar).set_choices(report, lang)
        tree = self.query_one(RuleTree)
        tree.show(report, self.filters, lang, self.changed, keep=tree.current_rule)
        self._show_rule(tree.current_rule)

    def show_diagnostics(self, title: str, text: str, summary: str) -> None:
        """The project has errors: show them instead of the report, until a reload fixes them."""
        self.query_one("#report-view").loading = False
        self.query_one(FilterBar).display = False  # nothing to filter until the project reads again
        self.query_one(SummaryBar).waiting(summary)
        view = self.query_one(DiagnosticsView)
        view.show(title, text)
        self.query_one(ContentSwitcher).current = "diagnostics"
        view.focus()

    @property
    def showing_diagnostics(self) -> bool:
        return self.query_one(ContentSwitcher).current == "diagnostics"

    def result(self, rule_id: str | None) -> RuleResult | None:
        if self.report is None or rule_id is None:
            return None
        return next((r for r in self.report.results if r.id == rule_id), None)

    def _show_rule(self, rule_id: str | None) -> None:
        detail = self.query_one(RuleDetail)
        result = self.result(rule_id)
        if result is None:
            detail.show_nothing(self.lang)
            return
        rule_text, changes = self._describe(result.id, self.lang)
        detail.show(result, self.lang, rule_text=rule_text, changes=changes, was=self.changed.get(result.id))

    # -- messages from the widgets ---------------------------------------------------------------------

    def on_rule_tree_rule_highlighted(self, message: RuleTree.RuleHighlighted) -> None:
        detail = self.query_one(RuleDetail)
        current = detail.result.id if detail.result is not None else None
        if message.rule_id != current:
            self._show_rule(message.rule_id)

    def on_rule_tree_rule_chosen(self, message: RuleTree.RuleChosen) -> None:
        # Enter on a rule moves to its failing items, the next thing a user wants to see.
        detail = self.query_one(RuleDetail)
        if detail.result is None or detail.result.id != message.rule_id:
            self._show_rule(message.rule_id)
        if detail.items:
            self.query_one("#items", DataTable).focus()

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        # Enter in the search box hands the keyboard back to the (now filtered) rules.
        self.query_one(RuleTree).focus()

    def on_filter_bar_changed(self, message: FilterBar.Changed) -> None:
        if self.report is None:
            return
        tree = self.query_one(RuleTree)
        tree.show(self.report, message.filters, self.lang, self.changed, keep=tree.current_rule)
        self._show_rule(tree.current_rule)

    # -- key bindings ----------------------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_tree(self) -> None:
        if self.showing_diagnostics:
            return
        self.query_one(RuleTree).focus()

    def action_next_gap(self) -> None:
        self._step_gap(forward=True)

    def action_previous_gap(self) -> None:
        self._step_gap(forward=False)

    def _step_gap(self, forward: bool) -> None:
        if self.report is None or self.showing_diagnostics:
            return
        tree = self.query_one(RuleTree)
        tree.focus()
        tree.step_gap(self.report, forward)

    def action_cycle_status(self) -> None:
        self.query_one(FilterBar).cycle_status()

    def action_show_gaps(self) -> None:
        bar = self.query_one(FilterBar)
        bar.set_filters(replace(bar.filters, status=GAPS))

    def action_filter(self, which: str) -> None:
        self.query_one(FilterBar).open_select(which)

    def action_clear_filters(self) -> None:
        self.query_one(FilterBar).set_filters(Filters())

    def go_to_rule(self, rule_id: str) -> None:
        """Put the cursor on a rule, clearing the filters first if they hide it."""
        if self.report is None or self.result(rule_id) is None:
            return
        tree = self.query_one(RuleTree)
        if rule_id not in tree.rule_ids:
            self.query_one(FilterBar).set_filters(Filters())
            tree.show(self.report, Filters(), self.lang, self.changed, keep=rule_id)
        tree.focus()
        tree.select_rule(rule_id)

    def set_filters(self, filters: Filters) -> None:
        """Apply filters as if chosen in the bar (tests and palette commands use this)."""
        self.query_one(FilterBar).set_filters(filters)
