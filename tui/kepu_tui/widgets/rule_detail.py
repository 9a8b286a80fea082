"""The detail pane: everything about one rule's outcome, and its failing items with their provenance."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from kepu_rules.i18n import Lang
from kepu_rules.reports.model import ItemResult, RuleResult, Status
from kepu_tui.widgets.gauge import Gauge
from kepu_tui.widgets.labels import STATUS_MARK, STATUS_STYLE, num, severity_name, status_name, t
from kepu_tui.widgets.rule_tree import CHANGED_MARK, rule_title

#: Rows put in the item table at first, and added each time the cursor reaches its last row. A rule can
#: fail on thousands of items (every one of 60,000 activities, at worst), and a table row costs about a
#: tenth of a millisecond to add and lay out on the UI thread: 2,700 rows froze the screen for 0.2–0.3 s.
FIRST_ROWS = 100
MORE_ROWS = 400
#: The key of the last row while some items are not in the table yet.
MORE = "more"


def short_location(location: str) -> str:
    """`national.kepu:124` for `/site-packages/…/national.kepu:124`: the file name says enough here,
    and a path that differs between machines would make the screen differ too."""
    path, sep, line = location.rpartition(":")
    if not sep or not line.isdigit():
        return PurePath(location).name
    return f"{PurePath(path).name}:{line}"


def item_source(item: ItemResult) -> str:
    """All the places an item's evidence comes from, main one first."""
    texts = [ref.text for ref in item.sources] or ([item.source] if item.source else [])
    return "；".join(dict.fromkeys(texts))


class RuleDetail(VerticalScroll):
    """Title, clause and tier, measured against target, the repair, owner, due date, hint, waiver,
    then the failing items as a table. Enter on an item posts `RuleDetail.ItemChosen`."""

    DEFAULT_CSS = """
    RuleDetail {
        width: 3fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    RuleDetail > Static {
        width: 1fr;
    }
    RuleDetail #items-title {
        margin-top: 1;
        text-style: bold;
    }
    RuleDetail DataTable {
        height: auto;
        max-height: 14;
    }
    """

    class ItemChosen(Message):
        """The user opened one failing (or unknown) item of a rule."""

        def __init__(self, rule_id: str, item: ItemResult) -> None:
            super().__init__()
            self.rule_id = rule_id
            self.item = item

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._result: RuleResult | None = None
        self._items: list[ItemResult] = []
        self._lang: Lang = "zh"
        self._rows = 0  # how many items the table holds (the first ones)

    def compose(self) -> ComposeResult:
        yield Static(id="detail-head")
        yield Gauge(id="gauge")
        yield Static(id="detail-body")
        yield Static(id="items-title")
        table: DataTable[Text] = DataTable(id="items", cursor_type="row", zebra_stripes=True)
        yield table

    @property
    def result(self) -> RuleResult | None:
        return self._result

    @property
    def items(self) -> list[ItemResult]:
        """The rows of the item table, in order: failing items, then those that could not be checked."""
        return list(self._items)

    def show_nothing(self, lang: Lang) -> None:
        self._result = None
        self._items = []
        self.query_one("#detail-head", Static).update(Text(t("choose_rule", lang), style="dim italic"))
        self.query_one("#gauge", Gauge).display = False
        self.query_one("#detail-body", Static).update(Text())
        self._fill_items(lang)

    def show(self, result: RuleResult, lang: Lang, *, rule_text: str | None = None,
             changes: list[str] | None = None, was: Status | None = None) -> None:
        """Show one rule. `rule_text` is its formatted body, `changes` what overlays changed, `was` its
        status before the last reload when that differs."""
        same_rule = self._result is not None and self._result.id == result.id
        self._result = result
        self.query_one("#detail-head", Static).update(self._head(result, lang, rule_text, changes or [], was))
        self.query_one("#gauge", Gauge).show(t("measured", lang), result.measured_text, result.measured,
                                             result.target, t("target", lang), result.target_text, result.status)
        self.query_one("#detail-body", Static).update(self._body(result, lang))
        self._items = [*result.failing, *result.unknown_items]
        self._fill_items(lang)
        if not same_rule:
            self.scroll_home(animate=False)

    def _head(self, r: RuleResult, lang: Lang, rule_text: str | None, changes: list[str], was: Status | None) -> Text:
        style = STATUS_STYLE[r.status]
        # The first line is short facts and the title gets a line of its own: a long Chinese title has
        # no spaces to wrap at, so after an id on the same line it would jump to the next line anyway.
        text = Text.assemble((f"{STATUS_MARK[r.status]} ", style), (r.id, "bold"), "  ")
        meta = [(t("status", lang), status_name(r.status, lang), style),
                (t("severity", lang), severity_name(r.severity, lang), "bold" if r.severity.value in ("veto", "required") else ""),
                (t("points", lang), f"{num(r.points)} / {num(r.max_points)}", "")]
        self._pairs(text, meta)
        text.append(f"\n{rule_title(r, lang)}", style="bold")
        # An English report already titles rules in English; a Chinese one adds the English title below.
        if lang == "zh" and r.title_en and r.title_en != r.title:
            text.append(f"\n{r.title_en}", style="dim")
        if was is not None and was != r.status:
            text.append(f"\n{CHANGED_MARK} ", style="bold yellow")
            text.append(f"{t('was', lang)} {status_name(was, lang)} → {t('now', lang)} {status_name(r.status, lang)}",
                        style="yellow")
        if r.section:
            self._label(text, t("section", lang), lang)
            text.append(r.section)
        if r.source:
            self._label(text, t("source", lang), lang)
            text.append(r.source)
        if r.tier:
            text.append("  ·  ", style="dim")
            text.append(f"{t('tier', lang)} ", style="bold")
            text.append(r.tier)
        if rule_text:
            self._label(text, t("rule", lang), lang)
            text.append(rule_text, style="italic")
        for change in changes:
            self._label(text, t("changed_by", lang), lang)
            text.append(change, style="dim")
        if r.location:
            self._label(text, t("defined", lang), lang)
            text.append(short_location(r.location), style="dim")
        return text

    def _body(self, r: RuleResult, lang: Lang) -> Text:
        text = Text()
        if r.message:
            text.append(r.message)
        if r.repair:
            self._label(text, t("repair", lang), lang, "bold green")
            text.append(r.repair)
        self._label(text, t("owner", lang), lang)
        text.append(r.owner or t("none", lang))
        if r.due:
            text.append("  ·  ", style="dim")
            text.append(f"{t('due', lang)} ", style="bold")
            text.append(r.due.isoformat())
        if r.hint:
            self._label(text, t("hint", lang), lang)
            text.append(r.hint, style="dim")
        if r.waiver is not None:
            w = r.waiver
            self._label(text, t("waiver", lang), lang, "bold cyan")
            state = t("waiver_expired", lang) if w.expired else (
                f"{t('waiver_until', lang)} {w.expires.isoformat()}" if w.expires else "")
            who = f"{w.key}：" if w.key else ""
            text.append(f"{who}{w.reason} — {w.approver}", style="cyan")
            if state:
                text.append(f"（{state}）" if lang == "zh" else f" ({state})", style="bold red" if w.expired else "cyan")
            if w.location:
                text.append(f"  {w.location}", style="dim")
        return text

    @staticmethod
    def _pairs(text: Text, pairs: Sequence[tuple[str, str | None, str]]) -> None:
        for i, (label, value, style) in enumerate(pairs):
            if i:
                text.append("  ·  ", style="dim")
            text.append(f"{label} ", style="bold")
            text.append(value or "", style=style)

    @staticmethod
    def _label(text: Text, label: str, lang: Lang, style: str = "bold") -> None:
        """`建议：` / `hint: ` glued to what follows, so a long Chinese text wraps on the same line
        instead of jumping below its label."""
        text.append(f"\n{label}：" if lang == "zh" else f"\n{label}: ", style=style)

    def _fill_items(self, lang: Lang) -> None:
        table: DataTable[Text] = self.query_one("#items", DataTable)
        title = self.query_one("#items-title", Static)
        table.clear(columns=True)
        self._lang = lang
        self._rows = 0
        result = self._result
        if result is None or not self._items:
            title.display = False
            table.display = False
            return
        title.display = True
        table.display = True
        parts = []
        if result.failing:
            parts.append(f"{t('failing_items', lang)} {len(result.failing)}")
        if result.unknown_items:
            parts.append(f"{t('unknown_items', lang)} {len(result.unknown_items)}")
        title.update(Text.assemble(" · ".join(parts), (f"   {t('open_item', lang)}", "dim")))
        table.add_column(Text(t("item", lang)), key="item")
        table.add_column(Text(t("value", lang)), key="value")
        table.add_column(Text(t("provenance", lang)), key="provenance")
        self._add_rows(table, FIRST_ROWS)

    def _add_rows(self, table: DataTable[Text], count: int) -> None:
        """The next `count` items, then a last row saying how many are left, if any."""
        if self._result is None:
            return
        if MORE in table.rows:
            table.remove_row(MORE)
        unknown = len(self._result.failing)
        end = min(len(self._items), self._rows + count)
        for i in range(self._rows, end):
            item = self._items[i]
            mark = ("? ", "magenta") if i >= unknown else ("✗ ", "red")
            table.add_row(Text.assemble(mark, item.key), Text(item.detail), Text(item_source(item), style="dim"),
                          key=str(i))
        self._rows = end
        left = len(self._items) - end
        if left:
            table.add_row(Text(t("more_items", self._lang, n=left), style="dim italic"), Text(""), Text(""), key=MORE)

    @on(DataTable.RowHighlighted, "#items")
    def _item_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # Reaching the last row ("… 2,600 more") brings in the next items; the cursor stays on that
        # line, now the first of them.
        event.stop()
        if event.row_key.value == MORE:
            self._add_rows(event.data_table, MORE_ROWS)
            event.data_table.move_cursor(row=event.cursor_row, animate=False)

    @on(DataTable.RowSelected, "#items")
    def _item_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self._result is None or event.row_key.value is None:
            return
        if event.row_key.value == MORE:
            self._add_rows(event.data_table, MORE_ROWS)
            event.data_table.move_cursor(row=event.cursor_row, animate=False)
            return
        index = int(event.row_key.value)
        if 0 <= index < len(self._items):
            self.post_message(self.ItemChosen(self._result.id, self._items[index]))

