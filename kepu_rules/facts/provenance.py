"""Where a fact came from: travels with every row to the failing items in reports and the TUI."""

from __future__ import annotations

from typing import NamedTuple

from kepu_rules.diagnostics import Location


class Provenance(NamedTuple):
    """The source of one row or value: a source name plus file, sheet and cell, or line, or a path.

    A NamedTuple rather than a frozen dataclass: readers make one per cell (660,000 for a city's
    activity ledger), and a tuple is built five times faster while staying immutable and hashable.
    """

    source: str
    file: str
    sheet: str | None = None
    cell: str | None = None
    line: int | None = None
    column: int | None = None

    def render(self) -> str:
        """Compact form shown to users: `台账.xlsx › 科普标识!C7`, `活动.csv:12`, `档案/照片/a.jpg`."""
        text = self.file
        if self.sheet is not None:
            text += f" › {self.sheet}"
            if self.cell:
                text += f"!{self.cell}"
        elif self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text

    def location(self) -> Location:
        return Location(path=self.file, line=self.line, column=self.column, sheet=self.sheet, cell=self.cell)

    def with_cell(self, cell: str | None = None, column: int | None = None) -> Provenance:
        """The same row, pointing at one of its cells (or CSV/YAML columns)."""
        return Provenance(self.source, self.file, self.sheet, cell if cell is not None else self.cell,
                          self.line, column if column is not None else self.column)
