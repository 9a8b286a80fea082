"""One diagnostic format for CLI, TUI and tests: `path:line:col: error: message`, source line, caret."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from kepu_rules.i18n import Lang, Msg

Severity = Literal["error", "warning", "note"]

_SEVERITY_ZH = {"error": "错误", "warning": "警告", "note": "提示"}


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: a file with line/column (1-based), or a sheet and cell in a workbook."""

    path: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    sheet: str | None = None
    cell: str | None = None

    def render(self) -> str:
        if self.sheet is not None:
            where = f"{self.path}[{self.sheet}]"
            return f"{where}!{self.cell}" if self.cell else where
        if self.line is None:
            return self.path
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem found in user input, carrying enough to point at it precisely."""

    location: Location
    message: Msg
    severity: Severity = "error"
    source_line: str | None = None
    hint: Msg | None = None
    code: str = ""
    notes: tuple[Msg, ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def render(self, lang: Lang = "en") -> str:
        sev = self.severity if lang == "en" else _SEVERITY_ZH[self.severity]
        lines = [f"{self.location.render()}: {sev}: {self.message.render(lang)}"]
        if self.source_line is not None and self.location.column is not None:
            src, caret = quote(self.source_line, self.location)
            lines.append(f"    {src}")
            lines.append(f"    {caret}")
        for note in self.notes:
            lines.append(f"    = {note.render(lang)}")
        if self.hint is not None:
            label = "help" if lang == "en" else "建议"
            lines.append(f"    {label}: {self.hint.render(lang)}")
        return "\n".join(lines)


def display_width(text: str) -> int:
    """Terminal cells a text takes: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


#: Terminal cells quoted on each side of the column: a diagnostic on a very long line (a generated rule,
#: a title pasted whole) quotes this window of it, so rendering costs the same on a 5 MB line as on a
#: short one. Lines up to WIDEST cells are quoted whole.
QUOTE_WINDOW = 60
WIDEST = 2 * QUOTE_WINDOW + 20
ELLIPSIS = "…"


def quote(source_line: str, loc: Location) -> tuple[str, str]:
    """The part of a source line to print under a diagnostic, and the caret line marking the column.

    A line wider than WIDEST cells is cut to QUOTE_WINDOW cells each side of the column, with an
    ellipsis where text was left out; the mark stops at the window's end.
    """
    src = source_line.rstrip("\r\n")
    col = min(max((loc.column or 1) - 1, 0), len(src))
    if loc.end_line == loc.line and loc.end_column is not None and loc.end_column > (loc.column or 1):
        end = max(col + 1, loc.end_column - 1)
    else:
        end = col + 1
    start, stop = 0, len(src)
    # Measured only when it can matter, and never over more than WIDEST characters.
    if len(src) > WIDEST or (len(src) > WIDEST // 2 and display_width(src) > WIDEST):
        start, width = col, 0
        while start > 0 and width + display_width(src[start - 1]) <= QUOTE_WINDOW:
            start -= 1
            width += display_width(src[start])
        stop, width = col, 0
        while stop < len(src) and width + display_width(src[stop]) <= QUOTE_WINDOW:
            width += display_width(src[stop])
            stop += 1
    shown = (ELLIPSIS if start > 0 else "") + src[start:stop] + (ELLIPSIS if stop < len(src) else "")
    prefix = (ELLIPSIS if start > 0 else "") + src[start:col]
    pad = "".join("\t" if ch == "\t" else " " * display_width(ch) for ch in prefix)
    marked = src[col:min(end, stop)]
    return shown, pad + "^" * max(1, display_width(marked))


class KepuError(Exception):
    """Raised for user mistakes; carries diagnostics, never shown as a traceback."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic) -> None:
        self.diagnostics = [diagnostics] if isinstance(diagnostics, Diagnostic) else list(diagnostics)
        super().__init__()

    def __str__(self) -> str:
        # Rendered when asked for, not on every raise: most KepuErrors are rendered once, in the user's language.
        return self.render("en")

    def __reduce__(self) -> tuple[type[KepuError], tuple[list[Diagnostic]]]:
        # Crosses process boundaries (batch workers) with its diagnostics, not a rendered text.
        return (KepuError, (self.diagnostics,))

    def render(self, lang: Lang = "en") -> str:
        return "\n".join(d.render(lang) for d in self.diagnostics)


#: The line ends a position counts: LF, CRLF and a lone CR (old Mac files) alike, as the parser does.
#: `str.splitlines` also breaks at form feeds, U+2028 and others, which no position counts.
LINE_END = re.compile(r"\r\n|\r|\n")


def normalize_newlines(text: str) -> str:
    """The text with every CRLF and lone CR made an LF, so line numbers count all three alike."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def split_lines(text: str, line_ends: re.Pattern[str] = LINE_END) -> list[str]:
    """A text's lines, split only at LF, CRLF and CR (the line ends positions count), or at `line_ends`."""
    lines = line_ends.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def source_line_of(text: str, line: int, line_ends: re.Pattern[str] = LINE_END) -> str | None:
    """The 1-based line of a text, for quoting under a diagnostic (YAML's positions pass YAML's line ends)."""
    if line <= 0:
        return None
    lines = split_lines(text, line_ends)
    return lines[line - 1] if line <= len(lines) else None


def with_source_lines(diagnostics: list[Diagnostic], text_of: Callable[[str], str | None]) -> list[Diagnostic]:
    """Diagnostics with the quoted source line filled in from `text_of(path)` where missing."""
    out = []
    lines_of: dict[str, list[str] | None] = {}  # each file split once, however many diagnostics it has
    for d in diagnostics:
        if d.source_line is None and d.location.line:
            path = d.location.path
            if path not in lines_of:
                text = text_of(path)
                lines_of[path] = None if text is None else split_lines(text)
            lines = lines_of[path]
            if lines is not None:
                d = replace(d, source_line=lines[d.location.line - 1] if 0 < d.location.line <= len(lines) else None)
        out.append(d)
    return out
