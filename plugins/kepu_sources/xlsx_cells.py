"""The cells of an xlsx workbook as openpyxl reads them, several times faster.

openpyxl (full mode, needed for merged ranges) builds a Python object per XML element and per cell: a
county's ledger workbook (7 sheets, 11,000 cells) took ~120 ms to open, ~30 ms here. The `<sheetData>`
of each worksheet, which holds the cells, is read with a few regular expressions (after expat checked
the XML is well-formed), and openpyxl reads everything else (workbook, shared strings, styles, merged
ranges, hyperlinks, comments ...) from an in-memory copy of the file whose worksheets had their
`<sheetData>` emptied. Values come out as openpyxl's with `data_only=True`: the same
int/float split, dates by the same number formats, booleans, error texts, inline and shared strings.

Anything this reader does not expect (another encoding, namespace prefixes on cells, XML that is not
well-formed, a worksheet it did not find ...) makes `read_fast` return None; the caller then opens the
workbook with openpyxl as before, so an unusual or damaged file gets exactly the result or the error
it always got.
"""

from __future__ import annotations

import io
import os
import re
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.parsers import expat

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

#: openpyxl finds rows, cells and values only in this namespace (never in strict OOXML).
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")  # openpyxl's; others get its own error

_Grid = dict[tuple[int, int], Any]


@dataclass(slots=True)
class Sheet:
    """One worksheet's cell values, as openpyxl's `iter_rows(values_only=True)` gives them."""

    title: str
    max_row: int  # openpyxl's ws.max_row and ws.max_column: 1 for an empty sheet
    max_column: int
    rows: dict[int, list[Any]]  # row number -> its max_column values, for exactly the rows with a value
    #: Merged ranges as (min_row, max_row, min_col, max_col), in openpyxl's order.
    merged: list[tuple[int, int, int, int]]
    number_format: Callable[[int, int], str]  # (row, column) -> the cell's number format

    def row(self, number: int) -> Sequence[Any]:
        """The values of one row, max_column wide (None for empty cells)."""
        found = self.rows.get(number)
        return found if found is not None else (None,) * self.max_column

    def value(self, row: int, column: int) -> Any:
        found = self.rows.get(row)
        return found[column - 1] if found is not None and column <= self.max_column else None


@dataclass(slots=True)
class Book:
    sheets: list[Sheet]
    epoch_1904: bool


class Unsupported(Exception):
    """The fast reader does not handle this file; openpyxl reads it instead."""


# ------------------------------------------------------------------------------------------- openpyxl


def from_openpyxl(workbook: Workbook) -> Book:
    """The cells of a workbook openpyxl loaded in full (non read-only) mode."""
    sheets = []
    for ws in workbook.worksheets:
        cells: _Grid = {key: cell.value for key, cell in ws._cells.items()}
        merged = [(r.min_row, r.max_row, r.min_col, r.max_col) for r in ws.merged_cells.ranges]
        sheets.append(_sheet(ws.title, cells, merged, _openpyxl_format(ws)))
    return Book(sheets, _is_1904(workbook))


def _openpyxl_format(ws: Worksheet) -> Callable[[int, int], str]:
    return lambda row, column: str(ws.cell(row=row, column=column).number_format)


def _is_1904(workbook: Workbook) -> bool:
    return getattr(workbook, "epoch", None) is not None and workbook.epoch.year == 1904


def _sheet(title: str, cells: _Grid, merged: list[tuple[int, int, int, int]],
           number_format: Callable[[int, int], str]) -> Sheet:
    max_row = max_column = 1
    if cells:
        max_row = max(cells)[0]
        max_column = max(c for _, c in cells)
    rows: dict[int, list[Any]] = {}
    empty = [None] * max_column
    for (r, c), value in cells.items():
        if value is not None:
            found = rows.get(r)
            if found is None:
                found = rows[r] = empty.copy()
            found[c - 1] = value
    return Sheet(title, max_row, max_column, rows, merged, number_format)


# ---------------------------------------------------------------------------------------- fast reader


def read_fast(path: Path) -> Book | None:
    """The workbook's cells, or None when openpyxl must read the file itself."""
    if os.path.splitext(str(path))[-1].lower() not in _SUPPORTED_SUFFIXES:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # as when openpyxl opens the file itself
            return _read(path)
    except Exception:  # Unsupported, or anything openpyxl or this reader raised: openpyxl decides
        return None


def _read(path: Path) -> Book:
    from openpyxl.cell import MergedCell
    from openpyxl.reader.excel import ExcelReader

    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if len({i.filename for i in infos}) != len(infos):
            raise Unsupported("duplicate zip members")
        copy = io.BytesIO()
        sheet_data: dict[str, _SheetXml] = {}
        with zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as out:
            for info in infos:
                data = archive.read(info)
                if info.filename.endswith(".xml") and _is_worksheet(data):
                    xml = _SheetXml(data)
                    sheet_data[info.filename] = xml
                    data = xml.emptied
                out.writestr(zipfile.ZipInfo(info.filename), data)
    copy.seek(0)
    reader = ExcelReader(copy, read_only=False, data_only=True, keep_links=False)
    reader.read()
    wb = reader.wb
    targets = [rel.target for _, rel in reader.parser.find_sheets()
               if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
    if len(targets) != len(wb.worksheets) or any(t not in sheet_data for t in targets):
        raise Unsupported("worksheets not matched to their parts")
    cells_of = {
        target: _Cells(sheet_data[target].content, sheet_data[target].namespaces, reader.shared_strings, wb)
        for target in dict.fromkeys(targets)  # every worksheet, as openpyxl reads them all
    }
    sheets = []
    for target, ws in zip(targets, wb.worksheets, strict=True):
        parsed = cells_of[target]
        cells = dict(parsed.values)
        for key, cell in ws._cells.items():
            if isinstance(cell, MergedCell):
                cells[key] = None  # openpyxl empties the cells a merged range covers
            elif cell.value is None:
                cells.setdefault(key, None)  # made by openpyxl: a merge's top-left cell, a comment's
            elif cell.hyperlink is not None:
                # openpyxl writes a hyperlink's target into its cell when the cell is empty.
                if cells.get(key) is None:
                    cells[key] = cell.value
            else:
                raise Unsupported("a value outside sheetData")
        merged = [(r.min_row, r.max_row, r.min_col, r.max_col) for r in ws.merged_cells.ranges]
        sheets.append(_sheet(ws.title, cells, merged, parsed.number_format))
    return Book(sheets, _is_1904(wb))


_ROOT = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:<\?xml[^>]*\?>)?\s*<worksheet[\s>]")
_DECLARATION = re.compile(rb"\A(?:\xef\xbb\xbf)?<\?xml([^>]*)\?>")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
_NAMESPACE = re.compile(rb"""\sxmlns(?::[\w.-]+)?\s*=\s*(?:"[^"]*"|'[^']*')""")
_DEFAULT_NS = re.compile(rb"""\sxmlns\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _is_worksheet(data: bytes) -> bool:
    return _ROOT.match(data[:512]) is not None


class _SheetXml:
    """A worksheet part split around the content of its `<sheetData>`."""

    def __init__(self, data: bytes) -> None:
        declaration = _DECLARATION.match(data)
        if declaration is not None:
            encoding = _ENCODING.search(declaration.group(1))
            if encoding is not None and encoding.group(1).lower() not in (b"utf-8", b"utf8"):
                raise Unsupported("not UTF-8")
        # Well-formed exactly as openpyxl's parser (expat, with namespaces) requires; the regular
        # expressions below rely on it.
        expat.ParserCreate(namespace_separator="}").Parse(data, True)
        root_end = data.index(b">", data.index(b"<worksheet"))
        root = data[: root_end + 1]
        default = _DEFAULT_NS.search(root)
        if default is None or (default.group(1) or default.group(2)) != MAIN_NS.encode():
            raise Unsupported("cells in another namespace")
        self.namespaces = b"".join(_NAMESPACE.findall(root))
        if data.count(b"<sheetData") != 1 or data.count(b"</sheetData>") > 1:
            raise Unsupported("sheetData not found once")
        start = data.find(b"<sheetData>")
        if start < 0:
            if data.find(b"<sheetData/>") < 0:
                raise Unsupported("sheetData with attributes or a prefix")
            self.content = b""
            self.emptied = data
            return
        start += len(b"<sheetData>")
        end = data.index(b"</sheetData>", start)
        if b"<!" in data[:start]:
            raise Unsupported("a comment, CDATA or DOCTYPE before the cells")
        self.content = data[start:end]
        self.emptied = data[:start] + data[end:]


# The tokens of <sheetData>: a cell in its common form (`<c r="B7" s="3" t="s">`, empty, or holding a value
# or an inline string), a row's start tag (with r first, or any other), a row's end tag, any other cell
# element (matched whole: formulas, other attributes ...), whitespace, and anything else (unsupported).
# The document was checked to be well-formed first, which these patterns rely on. Python's regular
# expressions are slow at optional groups and repeated groups, so the common form has few of them.
_TOKEN = re.compile(
    rb"""<c r="([A-Z]+)([0-9]+)"([^>/]*)(?:/>|>(?:<v>([^<]*)</v>|(<)is><t[^>]*>([^<]*)</t></is>)?</c>)"""
    rb"""|<row r="([0-9]+)"[^>/]*>|(<row(?:\s+[^\s=]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>)|(</row>)"""
    rb"""|(<c(?:\s+[^\s=]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(?:/>|>[^<]*(?:<(?!/c>)[^<]*)*</c>))"""
    rb"""|\s+|([\s\S])"""
)
# The attributes after r in the common form: s and t, in that order.
_STYLE_TYPE = re.compile(rb""" s="([0-9]{1,9})"(?: t="([a-zA-Z]+)")?| t="([a-zA-Z]+)"|""")
_ATTRIBUTE = re.compile(rb"""\s+([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_VALUE_TAG = f"{{{MAIN_NS}}}v"
_INLINE_TAG = f"{{{MAIN_NS}}}is"


def _text(raw: bytes) -> str:
    """Element text as the XML parser gives it: entities and character references resolved, line ends
    normalised."""
    if b"&" not in raw and b"\r" not in raw:
        return raw.decode()
    return ET.fromstring(b"<t>" + raw + b"</t>").text or ""


def _cast_number(value: str) -> int | float:
    """openpyxl's reading of a number cell: a float with a point or exponent, else an int.

    The fast path does the same on the bytes: int() and float() read ASCII bytes as their text, and a
    value whose text differs (an entity) is no number either way.
    """
    if "." in value or "E" in value or "e" in value:
        return float(value)
    return int(value)


class _Cells:
    """The values (and style ids) of one worksheet's cells, as openpyxl's WorkSheetParser reads them."""

    def __init__(self, content: bytes, namespaces: bytes, strings: list[str], wb: Workbook) -> None:
        self.strings = strings
        self.wb = wb
        self.namespaces = namespaces
        self.date_formats: set[int] = wb._date_formats
        self.timedelta_formats: set[int] = wb._timedelta_formats
        self.values: _Grid = {}
        self.styles: dict[tuple[int, int], Any] = {}
        self._formats: dict[Any, str] = {}
        self._parse(content)
        for sid in set(self.styles.values()):
            _ = wb._cell_styles[sid]  # every style id must exist, or openpyxl would have failed to load

    def number_format(self, row: int, column: int) -> str:
        """The number format of a cell, as openpyxl's Cell gives it for the cell's style."""
        from openpyxl.cell import Cell

        sid = self.styles.get((row, column), 0)
        found = self._formats.get(sid)
        if found is None:
            cell = Cell(self.wb.worksheets[0], row=row, column=column, style_array=self.wb._cell_styles[sid])
            found = self._formats[sid] = str(cell.number_format)
        return found

    def _parse(self, content: bytes) -> None:
        values, styles, strings, date_formats = self.values, self.styles, self.strings, self.date_formats
        columns, kinds = _COLUMNS, _KINDS
        plain = b"&" not in content and b"\r" not in content  # no text needs the XML parser's reading
        in_row = False
        row_counter = 0
        key: tuple[int, int] | None = None  # the last cell of the row so far
        value: Any
        for (letters, digits, attrs, v, inline, text, row_r, row_tag, row_end, other,
             bad) in _TOKEN.findall(content):
            if letters:
                kind = kinds.get(attrs) or _kind(attrs)
                if in_row and kind is not None:
                    sid, t = kind
                    if inline:
                        value = (text.decode() if plain else _text(text)) if t == "inlineStr" else None
                    elif v:
                        if t is None:
                            value = float(v) if b"." in v or b"E" in v or b"e" in v else int(v)
                            if sid in date_formats:
                                value = self._date(value, sid)
                        elif t == "s":
                            value = strings[int(v)]
                        elif t == "inlineStr":
                            value = None
                        else:
                            value = self._typed(t, _text(v))
                    else:
                        value = None
                    key = (int(digits), columns.get(letters) or _column(letters))
                    values[key] = value
                    styles[key] = sid
                    continue
                # Outside a row, or other attributes: read like any other cell, from the element rebuilt
                # out of its parts (the common form has no other parts).
                body = b"<v>" + v + b"</v>" if v else b"<is><t>" + text + b"</t></is>" if inline else b""
                other = b'<c r="' + letters + digits + b'"' + attrs + b">" + body + b"</c>"
            elif row_r or row_tag:
                if in_row:
                    raise Unsupported("a row in a row")
                row_counter = int(row_r) if row_r else _row_number(row_tag, row_counter)
                key = None
                in_row = not row_tag.endswith(b"/>")
                continue
            elif row_end:
                in_row = False
                continue
            elif bad:
                raise Unsupported(f"unexpected content in sheetData: {bad[:1]!r}")
            elif not other:
                continue  # whitespace between elements
            if not in_row:
                raise Unsupported("a cell outside a row")
            row, column, sid, value = self._element(other, row_counter, key[1] if key is not None else 0)
            key = (row, column)
            values[key] = value
            styles[key] = sid

    def _date(self, value: int | float, sid: int) -> Any:
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(value, self.wb.epoch, timedelta=sid in self.timedelta_formats)
        except (OverflowError, ValueError):
            return "#VALUE!"  # openpyxl warns and reads the cell as this error

    @staticmethod
    def _typed(kind: str, value: str) -> Any:
        from openpyxl.utils.datetime import from_ISO8601

        if kind == "b":
            return bool(int(value))
        if kind == "d":
            return from_ISO8601(value)
        return value  # str (a formula's text), e (an error such as #DIV/0!), or unknown types as text

    def _element(self, xml: bytes, row_counter: int, col_counter: int) -> tuple[int, int, Any, Any]:
        """A cell in any other form, read from its element exactly as openpyxl's parse_cell does."""
        from openpyxl.cell.text import Text
        from openpyxl.utils.cell import coordinate_to_tuple

        element = ET.fromstring(b"<x" + self.namespaces + b">" + xml + b"</x>")[0]
        data_type = element.get("t", "n")
        coordinate = element.get("r")
        style_id: Any = element.get("s", 0)
        if style_id:
            style_id = int(style_id)
        value: Any = None if data_type == "inlineStr" else (element.findtext(_VALUE_TAG, None) or None)
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
        else:
            row, column = row_counter, col_counter + 1
        if value is not None:
            if data_type == "n":
                value = _cast_number(value)
                if style_id in self.date_formats:
                    value = self._date(value, style_id)
            elif data_type == "s":
                value = self.strings[int(value)]
            else:
                value = self._typed(data_type, value)
        elif data_type == "inlineStr":
            child = element.find(_INLINE_TAG)
            if child is not None:
                value = Text.from_tree(child).content
        return row, column, style_id, value


_COLUMNS: dict[bytes, int] = {}
#: The attributes after r of cells in the common form -> (style id, type; None for a number).
_KINDS: dict[bytes, tuple[int, str | None] | None] = {}


def _kind(attrs: bytes) -> tuple[int, str | None] | None:
    """Style id and type from `s="3" t="s"`; None for other attributes (then ElementTree reads the cell)."""
    found = _STYLE_TYPE.fullmatch(attrs)
    kind = None
    if found is not None:
        s, t = found.group(1), found.group(2) or found.group(3)
        kind = (int(s) if s else 0, None if t is None or t == b"n" else t.decode())
    if len(_KINDS) < 1000:
        _KINDS[attrs] = kind
    return kind


def _column(letters: bytes) -> int:
    """The 1-based index of column letters, as openpyxl's coordinate_to_tuple reads them."""
    from openpyxl.utils.cell import column_index_from_string

    index = _COLUMNS[letters] = column_index_from_string(letters.decode())
    return index


def _row_number(tag: bytes, counter: int) -> int:
    """A row's number as openpyxl's parse_row reads it: its r attribute, else one more than the last."""
    if b"&" in tag or b"xmlns" in tag:
        raise Unsupported("row attributes")
    for found in _ATTRIBUTE.finditer(tag):
        if found.group(1) == b"r":
            text = (found.group(2) if found.group(2) is not None else found.group(3) or b"").decode()
            break
    else:
        return counter + 1
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():
            raise Unsupported("row number") from None  # openpyxl refuses it
        return int(number)
