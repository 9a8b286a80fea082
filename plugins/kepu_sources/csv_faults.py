"""Quoting faults of a CSV file: a quote that opens a cell and is never closed, or closed only after
it has swallowed whole rows.

Python's csv module (like Excel) reads `"` at the start of a cell as the start of a quoted cell that
ends at the next lone `"`, line breaks included. One quote too many therefore reads the rest of the
file, or every line up to the next stray quote, into one cell: rows disappear without an error. The
reader looks at each record that spans lines, and at the last record, with `quote_fault`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from kepu_rules.diagnostics import Diagnostic, Location
from kepu_rules.i18n import Msg


@dataclass(frozen=True, slots=True)
class QuotedCell:
    """One quoted cell of a record: its index, and the record's line offsets where its quote opens and
    closes (None: never closed, the record ran to the end of the file); `clean`: the closing quote ends
    the cell (a delimiter, a line end or the end follows it), as a closing quote written on purpose does."""

    cell: int
    opened: int
    closed: int | None
    clean: bool = True


def quoted_cells(raw: str, delimiter: str) -> list[QuotedCell]:
    """The quoted cells of one record's raw text, scanned as the csv module reads it (strict=False):
    a quote opens a cell only as its first character, `""` inside is a quote, and the next lone quote
    closes it (what follows up to the delimiter belongs to the same cell)."""
    found: list[QuotedCell] = []
    i, n, cell, line, at_start = 0, len(raw), 0, 0, True
    while i < n:
        ch = raw[i]
        if at_start and ch == '"':
            opened, closed, clean = line, None, True
            i += 1
            while i < n:
                ch = raw[i]
                if ch == '"':
                    if raw.startswith('""', i):
                        i += 2
                        continue
                    closed = line
                    i += 1
                    clean = i == n or raw[i] in (delimiter, "\r", "\n")
                    break
                if ch == "\n" or (ch == "\r" and not raw.startswith("\r\n", i)):
                    line += 1
                i += 1
            found.append(QuotedCell(cell, opened, closed, clean))
            at_start = False
            continue
        if ch == delimiter:
            cell += 1
            at_start = True
        elif ch in "\r\n":
            break  # the record ends here (a record's raw text holds no more than its own lines)
        else:
            at_start = False
        i += 1
    return found


def looks_like_row(line: str, delimiter: str, width: int) -> bool:
    """Whether a line inside a quoted cell would be a full row of the file on its own: as many cells
    as the header has, the first of them filled. A note or address written over several lines in one
    cell seldom holds the delimiter that often; a row swallowed by a stray quote always does."""
    if width < 2 or not line.strip():
        return False
    cells = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter, strict=False), [])
    return len(cells) >= width and bool(cells[0].strip())


def quote_fault(raw_lines: list[str], first_line: int, delimiter: str, width: int, shown: str,
                at_end: bool, cells: int) -> Diagnostic | None:
    """The fault of one record (its physical lines, the first being line `first_line` of the file, and
    its number of `cells`), if a quote in it is never closed (`at_end`: the record is the file's last)
    or swallows whole rows.

    A quoted cell swallowed rows when lines inside it look like rows (`looks_like_row`), and more
    than that: two or more of them, or a closing quote in the middle of a cell, or a record whose
    cells do not add up to the header's. A note that holds one comma-separated line and ends in a
    clean quote, in a record as wide as the header, is a cell written on purpose."""
    raw = "".join(raw_lines)
    if '"' not in raw:
        return None
    for q in quoted_cells(raw, delimiter):
        line = first_line + q.opened
        where = Location(shown, line=line, column=q.cell + 1)
        notes = (_quoted_line(raw_lines[q.opened], line),)
        if q.closed is None:
            if not at_end:
                continue  # cannot happen: the csv module would have read on
            last = first_line + len(raw_lines) - 1
            swallowed = (_lines(line + 1, last) + Msg("都被读进了这一格", " were swallowed into this cell")
                         if last > line else
                         Msg("这一行其后的各格都被读进了这一格", "the rest of this line was swallowed into this cell"))
            return Diagnostic(
                where,
                Msg(f"{shown} 第 {line} 行第 {q.cell + 1} 列开头的引号没有闭合：", f"the quote opened here (line {line}, "
                    f"column {q.cell + 1} of {shown}) is never closed: ") + swallowed,
                hint=_HINT, notes=notes, code="unclosed-quote")
        closes = first_line + q.closed
        inner = raw_lines[q.opened + 1: q.closed]
        rows = [first_line + q.opened + 1 + k for k, inside in enumerate(inner) if looks_like_row(inside, delimiter, width)]
        if rows and (len(rows) >= 2 or not q.clean or cells != width):
            return Diagnostic(
                where,
                Msg(f"{shown} 第 {line} 行第 {q.cell + 1} 列开头的引号直到第 {closes} 行才闭合：",
                    f"the quote opened here (line {line}, column {q.cell + 1} of {shown}) closes only on line {closes}: ")
                + _lines(line + 1, closes - 1)
                + Msg(f"（其中 {len(rows)} 行像是完整的记录，如第 {rows[0]} 行）都被读进了这一格",
                      f" ({len(rows)} of them look like whole rows, e.g. line {rows[0]}) were swallowed into this cell"),
                hint=_HINT, notes=notes, code="unclosed-quote")
    return None


def _lines(first: int, last: int) -> Msg:
    if first == last:
        return Msg(f"第 {first} 行", f"line {first}")
    return Msg(f"第 {first}–{last} 行", f"lines {first}–{last}")


def _quoted_line(raw: str, line: int) -> Msg:
    """The line the quote opens on, as a note: the user sees which quote is meant."""
    text = raw.rstrip("\r\n")
    text = text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"
    return Msg(f"第 {line} 行：{text}", f"line {line}: {text}")


_SHOWN_CHARS = 80
_HINT = Msg("以引号开头的格必须以引号结尾；格内的引号要写成两个（\"\"）。请检查这一格是否多了或少了引号",
            "a cell that begins with a quote must end with one, and a quote inside a cell is written twice (\"\"): "
            "check this cell for a missing or stray quote")
