"""The rule tree: sections and their rules, each with its status mark and points, narrowed by the filters."""

from __future__ import annotations

from collections.abc import Collection

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from kepu_rules.i18n import Lang
from kepu_rules.reports.model import GroupScore, Report, RuleResult
from kepu_tui.widgets.filter_bar import Filters
from kepu_tui.widgets.labels import GAP_STATUSES, STATUS_MARK, STATUS_STYLE, num, t

CHANGED_MARK = "●"


def rule_title(result: RuleResult, lang: Lang) -> str:
    """The title in the chosen language; rules without an English title keep their Chinese one."""
    return result.title_en if lang == "en" and result.title_en else result.title


def rule_label(result: RuleResult, lang: Lang, changed: bool = False) -> Text:
    """`✗ A1 0/5 每个街道…`: mark, id and points come first so a narrow tree still shows them."""
    style = STATUS_STYLE[result.status]
    return Text.assemble(
        (STATUS_MARK[result.status], style),
        (CHANGED_MARK if changed else " ", "bold yellow"),
        (result.id, "bold"),
        " ",
        (f"{num(result.points)}/{num(result.max_points)}", "dim"),
        " ",
        rule_title(result, lang),
    )


class RuleTree(Tree[str]):
    """Sections as branches, rules as leaves (the leaf's data is the rule id).

    Posts `RuleTree.RuleHighlighted` when the cursor lands on a rule and `RuleTree.RuleChosen` on enter.
    """

    DEFAULT_CSS = """
    RuleTree {
        width: 2fr;
        min-width: 28;
        max-width: 64;
        border-right: vkey $panel-lighten-2;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    """

    class RuleHighlighted(Message):
        """The cursor is on a rule (or on no rule: `rule_id` is None)."""

        def __init__(self, rule_id: str | None) -> None:
            super().__init__()
            self.rule_id = rule_id

    class RuleChosen(Message):
        """Enter was pressed on a rule."""

        def __init__(self, rule_id: str) -> None:
            super().__init__()
            self.rule_id = rule_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("rules", id=id)
        self.show_root = False
        self.guide_depth = 2
        self._rule_nodes: dict[str, TreeNode[str]] = {}

    @property
    def rule_ids(self) -> list[str]:
        """The rules shown, in tree order."""
        return list(self._rule_nodes)

    @property
    def current_rule(self) -> str | None:
        node = self.cursor_node
        return node.data if node is not None else None

    def show(self, report: Report, filters: Filters, lang: Lang, changed: Collection[str] = (),
             keep: str | None = None) -> None:
        """Rebuild from a report; the cursor goes back to `keep` if it is still shown, else the first rule."""
        self.clear()
        self._rule_nodes = {}
        sections: dict[str, TreeNode[str]] = {}
        scores = {g.name: g for g in report.summary.sections}
        for result in report.results:
            if not filters.matches(result):
                continue
            section = sections.get(result.section)
            if section is None:
                section = self.root.add(self._section_label(report, result.section, scores, lang), expand=True)
                sections[result.section] = section
            self._rule_nodes[result.id] = section.add_leaf(rule_label(result, lang, result.id in changed),
                                                           data=result.id)
        if not self._rule_nodes:
            self.root.add_leaf(Text(t("no_match", lang), style="dim italic"))
        target = keep if keep in self._rule_nodes else next(iter(self._rule_nodes), None)
        self.select_rule(target)

    def select_rule(self, rule_id: str | None) -> None:
        """Put the cursor on a rule; the detail pane follows through `RuleHighlighted`."""
        node = self._rule_nodes.get(rule_id) if rule_id is not None else None
        if node is None:
            self.move_cursor(None)
            self.post_message(self.RuleHighlighted(None))
            return
        # `last_line` lays the tree out so the node knows its line before the cursor moves there.
        _ = self.last_line
        self.move_cursor(node)
        self.post_message(self.RuleHighlighted(rule_id))
        # Scroll once the tree has its size (it may have none yet, behind the loading indicator).
        self.call_after_refresh(self._reveal_cursor)

    def _reveal_cursor(self, attempts: int = 20) -> None:
        line = self.cursor_line
        if line < 0:
            return
        height = self.scrollable_content_region.height
        if height <= 0:
            # Not laid out yet (the loading indicator was covering it): scrolling now would reckon with
            # an empty window and leave the tree one line down. Try again after the next refresh.
            if attempts:
                self.call_after_refresh(self._reveal_cursor, attempts - 1)
            return
        # Show the rule's section line too when the rule is the first of its section.
        top = round(self.scroll_y)
        first = max(0, line - 1)
        if first < top:
            target = first
        elif line >= top + height:
            target = line - height + 1
        else:
            return
        self.scroll_to(y=target, animate=False, immediate=True)

    def step_gap(self, report: Report, forward: bool = True) -> str | None:
        """Move to the next (or previous) shown rule that needs work, wrapping around; returns its id."""
        gaps = {r.id for r in report.results if r.status in GAP_STATUSES}
        order = self.rule_ids
        if not forward:
            order.reverse()
        current = self.current_rule
        start = order.index(current) + 1 if current in order else 0
        for rule_id in order[start:] + order[:start]:
            if rule_id in gaps:
                self.select_rule(rule_id)
                return rule_id
        return None

    @staticmethod
    def _section_label(report: Report, name: str, scores: dict[str, GroupScore], lang: Lang) -> Text:
        score = scores.get(name)
        gaps = sum(1 for r in report.results if r.section == name and r.status in GAP_STATUSES)
        label = Text(name or "–", style="bold")
        if score is not None:
            label.append(f" {num(score.score)}/{num(score.max_score)}", style="dim")
        if gaps:
            label.append(f" ✗{gaps}", style="red")
        return label

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        event.stop()
        self.post_message(self.RuleHighlighted(event.node.data))

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.RuleChosen(event.node.data))
