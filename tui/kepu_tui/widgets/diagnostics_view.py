"""The diagnostics view: the project's errors as the CLI prints them (file:line:col, source line, caret)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static


class DiagnosticsView(VerticalScroll):
    """A title saying what to do, then the diagnostics text exactly as `kepu check` renders it.

    The text is shown as plain text (no markup) so brackets in messages and carets stay where they are.
    """

    DEFAULT_CSS = """
    DiagnosticsView {
        padding: 0 1;
        /* Long lines scroll sideways: wrapping would move the caret off the column it points at. */
        overflow-x: auto;
    }
    DiagnosticsView #diagnostics-title {
        text-style: bold;
        color: $error;
        margin-bottom: 1;
    }
    DiagnosticsView #diagnostics-text {
        width: auto;
    }
    """

    can_focus = True

    def compose(self) -> ComposeResult:
        yield Static(id="diagnostics-title")
        yield Static(id="diagnostics-text")

    def show(self, title: str, text: str) -> None:
        self.query_one("#diagnostics-title", Static).update(Text(title))
        self.query_one("#diagnostics-text", Static).update(Text(text))
        self.scroll_home(animate=False)

    @property
    def text(self) -> str:
        """The diagnostics shown, as plain text (tests compare it with the CLI's output)."""
        return str(self.query_one("#diagnostics-text", Static).content)
