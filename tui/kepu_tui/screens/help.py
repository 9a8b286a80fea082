"""The help screen: every key binding, in the current language."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from kepu_rules.i18n import Lang
from kepu_tui.widgets.labels import t

#: (keys, what they do in Chinese, in English). `tests/tui` checks every binding of the app is listed.
KEY_HELP: list[tuple[str, str, str]] = [
    ("↑ ↓ ← →", "在规则树或表格中移动", "move in the rule tree or a table"),
    ("enter", "规则：转到未达标项；未达标项：查看它的全部事实", "on a rule: go to its failing items; on an item: all its facts"),
    ("tab / shift+tab", "在规则树、详情、筛选框之间切换", "move between tree, detail and filters"),
    ("n / N", "下一条 / 上一条待改进的规则", "next / previous rule that needs work"),
    ("/", "按编号或标题搜索", "search by id or title"),
    ("s", "切换状态筛选（全部、待改进、未通过…）", "cycle the status filter (all, gaps, fail, …)"),
    ("o", "按责任单位筛选", "filter by owner (责任单位)"),
    ("c", "按板块筛选", "filter by section"),
    ("x", "清除全部筛选", "clear all filters"),
    ("l", "切换中文 / English", "switch 中文 / English"),
    ("r", "立即重新评估（文件变动时会自动重新评估）", "re-assess now (it also re-runs when files change)"),
    ("p", "进展：历次记录的得分，上次以来的变化", "progress: scores over the records, changes since the last"),
    ("e", "导出 Markdown 报告（kepu.yaml 旁）", "export a Markdown report (next to kepu.yaml)"),
    ("E", "导出 HTML 报告（kepu.yaml 旁）", "export an HTML report (next to kepu.yaml)"),
    ("ctrl+p", "命令面板（也可跳转到任一规则）", "command palette (also jumps to any rule)"),
    ("? / f1", "本帮助", "this help"),
    ("esc", "返回 / 关闭", "back / close"),
    ("q", "退出", "quit"),
]


class HelpScreen(ModalScreen[None]):
    """A modal table of the key bindings; Esc, ? or q closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > Vertical {
        width: auto;
        max-width: 96%;
        height: auto;
        max-height: 96%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-title {
        text-style: bold;
        width: auto;
    }
    HelpScreen #help-close {
        color: $text-muted;
        width: auto;
    }
    HelpScreen DataTable {
        height: auto;
        width: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,f1,q", "app.pop_screen", "Close")]

    def __init__(self, lang: Lang) -> None:
        super().__init__()
        self.lang = lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical():
            yield Static(t("help_title", lang), id="help-title")
            table: DataTable[Text] = DataTable(show_cursor=False, zebra_stripes=True)
            table.add_column(t("key", lang))
            table.add_column(t("action", lang))
            for keys, zh, en in KEY_HELP:
                table.add_row(Text(keys, style="bold"), Text(zh if lang == "zh" else en))
            yield table
            yield Static(t("help_close", lang), id="help-close")
