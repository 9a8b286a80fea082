"""A one-line gauge: the measured value as a bar, the target as a tick on it."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from kepu_rules.reports.model import Status
from kepu_tui.widgets.labels import STATUS_STYLE


def gauge_bar(measured: float, target: float | None, width: int, style: str = "green") -> Text:
    """`███████░░┃░`: filled up to `measured`, a tick at `target`, on a scale reaching the larger of both.

    The scale is shared so "more is better" (coverage ≥ 80%) and "less is better" (at most 2 incidents)
    read the same way: the bar and the tick side by side.
    """
    width = max(4, width)
    top = max(measured, target or 0.0)
    if top <= 0:
        top = 1.0
    filled = min(width, max(0, round(measured / top * width)))
    tick = None if target is None else min(width - 1, max(0, round(target / top * width) - 1))
    bar = Text()
    for i in range(width):
        if i == tick:
            bar.append("┃", style="bold")
        elif i < filled:
            bar.append("█", style=style)
        else:
            bar.append("░", style="dim")
    return bar


class Gauge(Static):
    """`实测 75% ███████░░┃ 目标 100%`, or the points earned when a rule measures nothing numeric."""

    DEFAULT_CSS = """
    Gauge {
        height: 1;
        width: 1fr;
    }
    """

    BAR_WIDTH = 20

    def show(self, label: str, value_text: str, measured: float | None, target: float | None,
             target_label: str, target_text: str, status: Status) -> None:
        """Draw the gauge; with nothing measured the line is left empty rather than guessed."""
        if measured is None:
            self.update("")
            self.display = False
            return
        self.display = True
        style = STATUS_STYLE.get(status, "green").replace("bold ", "")
        line = Text.assemble((f"{label} ", "bold"), (value_text or f"{measured:g}", style), " ")
        line.append_text(gauge_bar(measured, target, self.BAR_WIDTH, style))
        if target is not None:
            line.append_text(Text.assemble(" ", (f"{target_label} ", "bold"), target_text or f"{target:g}"))
        self.update(line)
