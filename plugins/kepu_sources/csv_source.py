"""The csv source: one entity per file, UTF-8 (with or without BOM), GB18030/GBK or UTF-16 text."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pydantic import Field, field_validator

from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.facts.coerce import BadValue
from kepu_rules.facts.provenance import Provenance
from kepu_rules.facts.table import FactTable, Row, SourceData, Value
from kepu_rules.i18n import Msg
from kepu_rules.sources import Source, SourceContext, SourceOptions

from .columns import CACHE_PER_COLUMN, Column, HeaderMatcher, RowBuilder, header_text, is_total_row
from .common import Problems, find_entity, options_of, read_bytes, shown_path
from .csv_faults import quote_fault
from .sniff import HEAD, check_kind, wrong_kind, zip_kind
from .text_encoding import decode

_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


class CsvOptions(SourceOptions):
    """Options of the csv source."""

    path: str = Field(description="The CSV file, relative to the folder of kepu.yaml.")
    entity: str = Field(description="The entity (from the ruleset) each row of the file is.")
    encoding: str = Field(
        "auto",
        description="Text encoding. `auto` reads UTF-8 (a BOM is removed), UTF-16 with a BOM, "
                    "and otherwise GB18030 (a superset of GBK and GB2312, what Chinese Excel saves).")
    delimiter: str = Field(",", description="The cell separator: one character, or `tab`, `semicolon`, `pipe`.")
    header_row: int = Field(1, ge=1, description="The row (1-based) holding the column headers; rows above it "
                                                  "(titles) are skipped.")
    columns: dict[str, str | None] = Field(
        default_factory=dict,
        description="Header → field, for headers that differ from the field names and aliases; "
                    "map a header to null to ignore that column.")

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        if value != "auto":
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding {value!r} (try auto, utf-8, gb18030)") from None
        return value

    @field_validator("delimiter")
    @classmethod
    def _one_char(cls, value: str) -> str:
        value = _DELIMITER_NAMES.get(value.lower(), value)
        if len(value) != 1:
            raise ValueError(f"the delimiter must be one character, or tab, semicolon or pipe, not {value!r}")
        return value


class CsvSource(Source):
    """Reads one CSV file into rows of one entity; provenance is file:line:column of each value."""

    name = "csv"
    description = Msg("CSV 文件（UTF-8、GB18030/GBK），每行一条记录", "a CSV file (UTF-8, GB18030/GBK), one row per item")
    Options = CsvOptions
    reads_columnar = True

    def read(self, options: SourceOptions, context: SourceContext) -> SourceData:
        opts = options_of(options, CsvOptions)
        shown = shown_path(opts.path)
        entity = find_entity(context.schema, opts.entity, Location(shown))
        data = read_bytes(opts.path, context)
        # Text holds no NULs, but UTF-32 does: with an encoding given, that is the user's word.
        text_kinds = {"text"} if opts.encoding == "auto" else {"text", "binary"}
        if data.startswith(b"PK") and (inside := zip_kind(data)) is not None:  # a zip, but no workbook
            raise wrong_kind(shown, inside[0], _CSV, _KIND_HINTS.get(inside[0]))
        check_kind(data[:HEAD], shown, text_kinds, _CSV, _KIND_HINTS)
        text = decode(data, opts.encoding, shown, opts.delimiter)
        records = _Records(text, opts.delimiter, shown)
        rest = iter(records)
        header_line, headers = _header(rest, opts.header_row, shown)
        records.width = len(headers)
        where = Location(shown, line=header_line)
        matcher = HeaderMatcher(entity, context.schema, opts.columns, where)
        candidates = [[h] if h else [] for h in headers]
        columns = matcher.columns(candidates, Msg(shown, shown), lambda i: str(i + 1))
        problems = Problems(Location(shown))
        builder = RowBuilder(entity, columns, problems)
        base = Provenance(context.name, shown)
        if context.columnar is not None:
            from .csv_native import load

            read = records_reader(builder, columns, base, len(headers), problems)
            native = load(context.columnar, text, opts.delimiter, opts.header_row, len(headers), entity, columns,
                          builder, read)
            if native is not None and not problems:
                return SourceData(tables=[FactTable(entity.name, [], context.name, deferred=native, file=shown)])
        rows: list[Row] = []
        try:
            rows = _rows(builder, columns, base, rest, len(headers), problems)
        except KepuError as fault:  # a quote fault ends the read: listed after the rows' problems before it
            problems.add_error(fault)
        problems.raise_if_any()
        return SourceData(tables=[FactTable(entity.name, rows, context.name, file=shown)])


_CSV = Msg("CSV 文本文件", "a CSV text file")
_SAVE_AS_CSV = Msg("在 Excel 中打开，另存为“CSV UTF-8（逗号分隔）”", "open it in Excel and save it as \"CSV UTF-8 (comma delimited)\"")
_KIND_HINTS = {
    "empty": Msg("台账至少要有表头行（各列的名称）", "a ledger needs at least its header row (the column names)"),
    "zip": Msg("工作簿请用 type: xlsx 读取，或在 Excel 中另存为 CSV", "read a workbook with type: xlsx, or save it as CSV in Excel"),
    "ole": _SAVE_AS_CSV,
    "ods": _SAVE_AS_CSV,
    "archive": Msg("解压后把 path: 指向其中的 CSV 文件", "unzip it and point path: at the CSV file inside"),
    "html": _SAVE_AS_CSV,
    "xml": _SAVE_AS_CSV,
    "pdf": Msg("台账须是 CSV 文件：请找到导出 PDF 所用的原始表格", "the ledger must be a CSV file: find the spreadsheet the PDF was made from"),
    "binary": _SAVE_AS_CSV,
}


class _Records:
    """(first physical line, cells) of each record; quoted cells may span lines.

    A quote that is never closed, or that swallows whole rows before it closes, is an error at the
    line and column where it opens (csv_faults.py): the csv module would read on without a word. Rows
    count as whole rows by the header's `width`, set once the header is read.
    """

    def __init__(self, text: str, delimiter: str, shown: str) -> None:
        self.text = text
        self.delimiter = delimiter
        self.shown = shown
        self.width = 0
        self._lines: list[str] | None = None

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        # A cell may be as long as the file: the csv module's default limit (131,072) is no limit of CSV.
        limit = min(len(self.text) + 1, 2**31 - 1)
        if csv.field_size_limit() < limit:
            csv.field_size_limit(limit)
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter, strict=False)
        # Each record is yielded once the next one is read: the last one is checked apart. This loop
        # runs per record of files with 100,000s of them, so the usual record costs two comparisons.
        pending: list[str] | None = None
        first = end = 0  # the pending record's first and last line
        try:
            for cells in reader:
                if pending is not None:
                    if end > first:
                        self._check(first, end, len(pending), at_end=False)
                    yield first, pending
                pending, first, end = cells, end + 1, reader.line_num
        except csv.Error as exc:
            raise KepuError(Diagnostic(
                Location(self.shown, line=reader.line_num),
                Msg(f"{self.shown} 第 {reader.line_num} 行不是有效的 CSV：{exc}",
                    f"{self.shown} line {reader.line_num} is not valid CSV: {exc}"),
                code="bad-csv")) from None
        if pending is not None:
            if end > first or '"' in self.text:
                self._check(first, end, len(pending), at_end=True, cells=pending)
            yield first, pending

    def _check(self, line: int, end: int, count: int, *, at_end: bool, cells: list[str] | None = None) -> None:
        if self._lines is not None:
            raw = self._lines[line - 1: end]
        elif cells is not None:
            # The last record is at the end of the text: no need to split the whole file. Its raw text
            # is at most twice its cells (every quote doubled), their quotes, delimiters and line ends.
            window = 2 * sum(map(len, cells)) + 3 * len(cells) + 2 * (end - line + 1) + 16
            raw = io.StringIO(self.text[-window:], newline="").readlines()[-(end - line + 1):]
        else:
            self._lines = io.StringIO(self.text, newline="").readlines()
            raw = self._lines[line - 1: end]
        fault = quote_fault(raw, line, self.delimiter, self.width, self.shown, at_end, count)
        if fault is not None:
            raise KepuError(fault)


def _header(records: Iterator[tuple[int, list[str]]], header_row: int, shown: str) -> tuple[int, list[str | None]]:
    for number, (line, cells) in enumerate(records, start=1):
        if number == header_row:
            return line, [header_text(c.lstrip("\ufeff")) for c in cells]
    raise KepuError(Diagnostic(
        Location(shown),
        Msg(f"{shown} 没有第 {header_row} 行，找不到表头", f"{shown} has no row {header_row} to read headers from"),
        code="no-header"))


_MISSING = object()  # not in a column's cache


def _rows(builder: RowBuilder, columns: list[Column], base: Provenance, records: Iterable[tuple[int, list[str]]],
          width: int, problems: Problems) -> list[Row]:
    """The typed rows, leaving out totals rows and rows with nothing in the mapped columns."""
    return records_reader(builder, columns, base, width, problems)(records)


RecordsReader = Callable[[Iterable[tuple[int, list[str]]]], list[Row]]


def records_reader(builder: RowBuilder, columns: list[Column], base: Provenance, width: int,
                   problems: Problems) -> RecordsReader:
    """`read(records)`: the Rows of these records (each its first line and its cells), leaving out
    totals rows and rows with nothing in the mapped columns; problems with cells go to `problems`.

    This runs per cell of files with 100,000s of cells: texts already seen in a column are looked up
    in the builder's cache here, and only new texts go through `RowBuilder.value`. The columnar read
    (csv_native.py) builds with it the rows an explanation shows, exactly as this file's reader would.
    """
    source, file = base.source, base.file
    plan = [(c.index, c.field.name, builder.cache(c), builder.converter(c), c) for c in columns]
    needed = max((c.index for c in columns), default=-1) + 1  # shorter rows take the slow path
    # A value's provenance is its row's plus its column: one mapping for all rows (see Row.where).
    numbers = {c.field.name: c.index + 1 for c in columns}
    # Each row's dict starts as a copy of this (keys in column order, no resizing as it fills); a cell
    # that fails to read is taken out again, as if never put in.
    template: dict[str, Any] = dict.fromkeys(c.field.name for c in columns)
    new = tuple.__new__  # a Provenance without its keyword-handling __new__: it is built per row
    epoch = builder.excel_epoch
    finish = builder.finish

    def read(records: Iterable[tuple[int, list[str]]]) -> list[Row]:
        rows: list[Row] = []
        for line, cells in records:
            count = len(cells)
            if is_total_row(cells):
                continue
            if count > width and any(c.strip() for c in cells[width:]):
                problems.add(Diagnostic(
                    Location(file, line=line, column=width + 1),
                    Msg(f"这一行有 {count} 格，而表头只有 {width} 列：是否有含逗号的值没有加引号（如 1,234 应写成 \"1,234\"）？",
                        f"this row has {count} cells but the header has {width}: is a value containing the "
                        f"delimiter unquoted (write 1,234 as \"1,234\")?"),
                    code="ragged-row"))
                continue
            if count < needed:
                row = _short_row(builder, columns, source, file, line, cells)
                if row is not None:
                    rows.append(row)
                continue
            values: dict[str, Value] = template.copy()
            slow: dict[str, Provenance] = {}  # cells read by RowBuilder.value, which records where they are
            filled = False
            for index, name, cache, convert, column in plan:
                raw = cells[index]
                value = cache.get(raw, _MISSING)
                if value is _MISSING:
                    try:
                        value = convert(raw, epoch, False)
                    except BadValue:  # RowBuilder.value records the problem, with its location
                        del values[name]
                        builder.value(values, slow, column, raw, new(Provenance, (source, file, None, None, line, index + 1)))
                        filled = True
                        continue
                    if len(cache) < CACHE_PER_COLUMN:
                        cache[raw] = value
                values[name] = value
                if value is not None:
                    filled = True
            if filled:
                rows.append(finish(values, slow, new(Provenance, (source, file, None, None, line, None)), numbers))
        return rows

    return read


def _short_row(builder: RowBuilder, columns: list[Column], source: str, file: str, line: int,
               cells: list[str]) -> Row | None:
    """A row with fewer cells than the mapped columns need: the missing cells are empty."""
    count = len(cells)
    values: dict[str, Value] = {}
    where_cells: dict[str, Provenance] = {}
    filled = False
    for c in columns:
        raw = cells[c.index] if c.index < count else None
        where = Provenance(source, file, None, None, line, c.index + 1)
        filled = builder.value(values, where_cells, c, raw, where) or filled
    if not filled:
        return None
    return builder.finish(values, where_cells, Provenance(source, file, None, None, line))
