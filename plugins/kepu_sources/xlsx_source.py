"""The xlsx source: ledger sheets with title rows, merged (two-row) headers and merged data cells."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.facts.coerce import BadValue, Converter, ExcelEpoch
from kepu_rules.facts.provenance import Provenance
from kepu_rules.facts.schema import EntityDef, FieldType
from kepu_rules.facts.table import FactTable, Row, SourceData, Value
from kepu_rules.i18n import Msg
from kepu_rules.sources import Source, SourceContext, SourceOptions

from .columns import (
    CACHE_PER_COLUMN,
    Column,
    HeaderMatcher,
    RowBuilder,
    header_text,
    is_total_row,
    norm_header,
)
from .common import Problems, did_you_mean, find_entity, listing, options_of, require_file, shown_path
from .sniff import check_kind, file_head, wrong_kind, zip_kind
from .xlsx_cells import Book, Sheet, from_openpyxl, read_fast

#: How many rows from the top are searched for the header row when `header_row` is not given.
HEADER_SEARCH_ROWS = 10

_MISSING = object()  # not in a column's cache
_Anchor = tuple[object, str, int, int]  # a merged range's value, and its top-left cell's coordinate, row, column


class SheetLayout(BaseModel):
    """Where the table sits in a sheet, and how its headers map to fields."""

    model_config = ConfigDict(extra="forbid")

    header_row: int | None = Field(
        None, ge=1,
        description="The (first) header row, 1-based. Default: the first of the top 10 rows whose headers "
                    "name at least two fields of the entity, or its key.")
    header_rows: Literal[1, 2] | None = Field(
        None,
        description="How many rows the header takes. Default: 2 when a header cell is merged down into the "
                    "next row, or that row holds sub-headers under merged group headers (科普活动室 over "
                    "面积 and 开放时间); else 1.")
    skip_rows_after_header: int = Field(
        0, ge=0, description="Rows between the header and the data to skip (a units row, a filled-in example).")
    last_row: int | None = Field(None, ge=1, description="The last row to read (1-based); later rows, such as "
                                                          "signatures under the table, are ignored.")
    columns: dict[str, str | None] = Field(
        default_factory=dict,
        description="Header → field, for headers that differ from the field names and aliases; "
                    "map a header to null to ignore that column.")


class SheetOptions(SheetLayout):
    """One sheet of the workbook read as rows of one entity."""

    entity: str = Field(description="The entity (from the ruleset) each row of the sheet is.")


class XlsxOptions(SheetLayout, SourceOptions):
    """Options of the xlsx source: `sheets`, or the shorthand `entity` (with `sheet`) for one sheet."""

    path: str = Field(description="The .xlsx workbook, relative to the folder of kepu.yaml.")
    sheets: dict[str, SheetOptions] = Field(
        default_factory=dict,
        description="Sheet name → {entity, header_row, header_rows, skip_rows_after_header, last_row, columns}.")
    sheet: str | None = Field(None, description="Shorthand for one sheet: its name. Default: the sheet named "
                                                "after the entity, or the only sheet.")
    entity: str | None = Field(None, description="Shorthand for one sheet: the entity its rows are.")

    @model_validator(mode="after")
    def _sheets_or_entity(self) -> XlsxOptions:
        layout = set(SheetLayout.model_fields) & self.model_fields_set
        if self.sheets and (self.entity or self.sheet or layout):
            extra = ", ".join(sorted(({"entity", "sheet"} & self.model_fields_set) | layout))
            raise ValueError(f"with sheets:, put {extra} inside each sheet's entry")
        if not self.sheets and not self.entity:
            raise ValueError("give sheets: {sheet name: {entity: ...}}, or entity: (and sheet:) for one sheet")
        return self

    def plan(self) -> dict[str | None, SheetOptions]:
        """Sheet name (None: to be chosen by entity) → what to read from it."""
        plan: dict[str | None, SheetOptions] = {}
        if self.sheets:
            plan.update(self.sheets)
            return plan
        layout = self.model_dump(include=set(SheetLayout.model_fields))
        plan[self.sheet] = SheetOptions(entity=self.entity or "", **layout)
        return plan


class XlsxSource(Source):
    """Reads sheets of an .xlsx workbook; provenance is file, sheet and cell of each value."""

    name = "xlsx"
    description = Msg("Excel 工作簿（.xlsx）：每个工作表对应一个实体", "an Excel workbook (.xlsx): one entity per sheet")
    Options = XlsxOptions

    def read(self, options: SourceOptions, context: SourceContext) -> SourceData:
        opts = options_of(options, XlsxOptions)
        shown = shown_path(opts.path)
        entities = {name: find_entity(context.schema, o.entity, Location(shown)) for name, o in opts.plan().items()}
        workbook = open_workbook(require_file(opts.path, context), shown)
        problems = Problems(Location(shown))
        tables: list[FactTable] = []
        for sheet_name, sheet_opts in opts.plan().items():
            entity = entities[sheet_name]
            try:
                ws = _worksheet(workbook, sheet_name, entity, shown)
                tables.append(_SheetReader(ws, entity, sheet_opts, context, shown, problems, _epoch(workbook)).read())
            except KepuError as exc:
                problems.add_error(exc)
        problems.raise_if_any()
        return SourceData(tables=tables)


def open_workbook(path: Path, shown: str) -> Book:
    """The workbook's cells, with cached formula values; the file is only read, never written.

    Read by `xlsx_cells.read_fast`, or by openpyxl itself for any file that reader does not handle,
    which also gives the error for a damaged one.
    """
    check_kind(_head(path, shown), shown, {"zip"}, _WORKBOOK, _KIND_HINTS)
    inside = zip_kind(path)
    if inside is not None:
        kind, names = inside
        listed = Msg("压缩包内有：", "it holds: ") + listing(names)
        raise wrong_kind(shown, kind, _WORKBOOK, _KIND_HINTS.get(kind), (listed,) if kind == "archive" else ())
    book = read_fast(path)
    if book is not None:
        return book
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, conditional formats): they do
            # not affect values, and the file is never written back.
            warnings.simplefilter("ignore", UserWarning)
            # read_only=False is needed for merged cell ranges; data_only gives formulas' cached values.
            workbook = openpyxl.load_workbook(path, read_only=False, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or mislabelled file
        hint = Msg("旧版 .xls 文件请在 Excel 中另存为 .xlsx", "save old .xls files as .xlsx in Excel") \
            if path.suffix.lower() == ".xls" else None
        raise KepuError(Diagnostic(
            Location(shown),
            Msg(f"无法以 xlsx 工作簿打开 {shown}：{exc}", f"cannot open {shown} as an xlsx workbook: {exc}"),
            hint=hint, code="bad-xlsx")) from None
    return from_openpyxl(workbook)


_WORKBOOK = Msg("xlsx 工作簿", "an xlsx workbook")
_SAVE_AS_XLSX = Msg("在 Excel 中打开，另存为“Excel 工作簿（*.xlsx）”", "open it in Excel and save it as \"Excel Workbook (*.xlsx)\"")
_KIND_HINTS = {
    "empty": Msg("xlsx 文件不会是空的：请在 Excel 中重新保存工作簿", "an xlsx file is never empty: save the workbook again in Excel"),
    "text": Msg("文本台账请用 type: csv 读取（并把扩展名改为 .csv），或在 Excel 中另存为 .xlsx",
                "read a text ledger with type: csv (and name it .csv), or save it as .xlsx in Excel"),
    "ole": _SAVE_AS_XLSX,
    "ods": _SAVE_AS_XLSX,
    "html": _SAVE_AS_XLSX,
    "xml": _SAVE_AS_XLSX,
    "archive": Msg("解压后把 path: 指向其中的工作簿", "unzip it and point path: at the workbook inside"),
    "docx": Msg("把表格复制到 Excel 中，另存为 .xlsx", "copy the table into Excel and save it as .xlsx"),
    "pptx": Msg("把表格复制到 Excel 中，另存为 .xlsx", "copy the table into Excel and save it as .xlsx"),
    "pdf": Msg("台账须是 xlsx 工作簿：请找到导出 PDF 所用的原始表格", "the ledger must be an xlsx workbook: find the spreadsheet the PDF was made from"),
    "binary": _SAVE_AS_XLSX,
}


def _head(path: Path, shown: str) -> bytes:
    try:
        return file_head(path)
    except OSError as exc:
        raise KepuError(Diagnostic(
            Location(shown), Msg(f"无法读取 {shown}：{exc.strerror}", f"cannot read {shown}: {exc.strerror}"),
            code="unreadable-input")) from None


def _epoch(workbook: Book) -> ExcelEpoch:
    return 1904 if workbook.epoch_1904 else 1900


def _worksheet(workbook: Book, name: str | None, entity: EntityDef, shown: str) -> Sheet:
    sheets: dict[str, Sheet] = {ws.title: ws for ws in workbook.sheets}
    if name is None:
        for candidate in (entity.name, *entity.aliases):
            if candidate in sheets:
                return sheets[candidate]
        if len(sheets) == 1:
            return next(iter(sheets.values()))
        raise KepuError(Diagnostic(
            Location(shown),
            Msg(f"{shown} 有多个工作表，没有名为 {entity.name} 的：请用 sheet: 指定",
                f"{shown} has several sheets and none is named {entity.name}: choose one with sheet:"),
            notes=(Msg("工作表：", "sheets: ") + listing(sheets),), code="unknown-sheet"))
    found = sheets.get(name) or next((ws for t, ws in sheets.items() if norm_header(t) == norm_header(name)), None)
    if found is not None:
        return found
    raise KepuError(Diagnostic(
        Location(shown),
        Msg(f"{shown} 中没有工作表“{name}”", f"{shown} has no sheet {name!r}"),
        hint=did_you_mean(name, sheets), notes=(Msg("工作表：", "sheets: ") + listing(sheets),),
        code="unknown-sheet"))


class _SheetReader:
    """Reads one sheet: finds the header, maps columns, and turns data rows into typed rows."""

    def __init__(self, ws: Sheet, entity: EntityDef, opts: SheetOptions, context: SourceContext,
                 shown: str, problems: Problems, epoch: ExcelEpoch) -> None:
        self.ws = ws
        self.entity = entity
        self.opts = opts
        self.context = context
        self.shown = shown
        self.problems = problems
        self.epoch = epoch
        self.title: str = ws.title
        self.what = Msg(f"{shown} 的工作表“{self.title}”", f"sheet {self.title} of {shown}")
        self.merged, self.ranges = _merges(ws)

    def read(self) -> FactTable:
        matcher = HeaderMatcher(self.entity, self.context.schema, self.opts.columns,
                                Location(self.shown, sheet=self.title))
        top, height = self.header(matcher)
        columns = matcher.columns(self.candidates(top, height), self.what, _letter,
                                  Location(self.shown, sheet=self.title, cell=f"A{top}"))
        start = top + height + self.opts.skip_rows_after_header
        end = min(self.opts.last_row or self.ws.max_row, self.ws.max_row)
        rows = self.rows(columns, start, end)
        return FactTable(self.entity.name, rows, self.context.name, file=self.shown, sheet=self.title)

    # -- header

    def header(self, matcher: HeaderMatcher) -> tuple[int, int]:
        """(first header row, number of header rows), given or detected."""
        if self.opts.header_row is not None:
            return self.opts.header_row, self.opts.header_rows or self.auto_height(self.opts.header_row)
        needed = min(2, len(self.entity.fields))
        for row in range(1, min(HEADER_SEARCH_ROWS, self.ws.max_row) + 1):
            height = self.opts.header_rows or self.auto_height(row)
            names = [c for cands in self.candidates(row, height) for c in cands]
            count, has_key = matcher.score(names)
            if count >= needed or has_key:
                return row, height
        expected = [f.name for f in self.entity.fields.values()]
        raise KepuError(Diagnostic(
            Location(self.shown, sheet=self.title),
            Msg(f"{self.what.zh}的前 {HEADER_SEARCH_ROWS} 行中找不到表头", f"no header row in the first {HEADER_SEARCH_ROWS} rows of {self.what.en}"),
            notes=(Msg(f"实体 {self.entity.name} 的字段：", f"fields of {self.entity.name}: ") + listing(expected),),
            hint=Msg("用 header_row: 指定表头所在行，或用 columns: 把表头对应到字段",
                     "set header_row:, or map headers to fields with columns:"),
            code="no-header"))

    def auto_height(self, row: int) -> int:
        """2 when the next row holds sub-headers under merged group headers of this one, else 1.

        Either a header cell is merged down into the next row (名称 over rows 2-3 beside a group), or
        every cell under the horizontally merged headers is text while every other cell is empty. A
        merged header over a data row (备注 over G:H, data below) fails the second test, so no data row
        is ever taken for a header.
        """
        starting = [r for r in self.ranges if r[0] == row]
        if any(max_row > row for _, max_row, _, _ in starting):
            return 2
        inside = {c for _, _, lo, hi in starting if hi > lo for c in range(lo, hi + 1)}
        if not inside or row >= self.ws.max_row:
            return 1
        below = self.ws.row(row + 1)
        for column, value in enumerate(below, start=1):
            if (column in inside) != (isinstance(value, str) and value.strip() != ""):
                return 1
        return 2

    def candidates(self, top: int, height: int) -> list[list[str]]:
        """Header texts per column, best first: parent+child joined, then the child alone."""
        upper = self.header_cells(top)
        if height == 1:
            return [[h] if h else [] for h in upper]
        lower = self.header_cells(top + 1)
        width = max(len(upper), len(lower))
        upper += [None] * (width - len(upper))
        lower += [None] * (width - len(lower))
        return [_join(a, b) for a, b in zip(upper, lower, strict=True)]

    def header_cells(self, row: int) -> list[str | None]:
        if row > self.ws.max_row:
            return []
        values = self.ws.row(row)
        return [header_text(self.merged[(row, i + 1)][0] if v is None and (row, i + 1) in self.merged else v)
                for i, v in enumerate(values)]

    # -- data

    def rows(self, columns: Sequence[Column], start: int, end: int) -> list[Row]:
        builder = RowBuilder(self.entity, columns, self.problems, self.epoch)
        letters = [_letter(c.index) for c in columns]
        key = self.entity.key
        first = next((i for i, c in enumerate(columns) if key is not None and c.field.name == key.name), 0)
        found: list[Row] = []
        if start > end:
            return found
        rows = self.ws.rows  # only rows with a value: any other is skipped as empty
        plan = [(c, letter, c.index, c.field.name, builder.cache(c), builder.converter(c))
                for c, letter in zip(columns, letters, strict=True)]
        for number in range(start, end + 1):
            values = rows.get(number)
            if values is None or is_total_row(values):
                continue
            row = self.row(builder, plan, letters[first], number, values)
            if row is not None:
                found.append(row)
        return found

    def row(self, builder: RowBuilder, plan: list[tuple[Column, str, int, str, dict[str, Value], Converter]],
            key_letter: str, number: int, values: Sequence[Any]) -> Row | None:
        """One typed row; None for rows with no own value in any mapped column."""
        typed: dict[str, Value] = {}
        cells: dict[str, Provenance] = {}
        source, shown, title, merged, epoch = self.context.name, self.shown, self.title, self.merged, self.epoch
        new = tuple.__new__  # a Provenance without its keyword-handling __new__: it is built per cell
        suffix = str(number)
        filled = False
        for column, letter, index, name, cache, convert in plan:
            raw = values[index]
            if type(raw) is str:
                # The common case, without RowBuilder.value unless the text is new and bad.
                where: Provenance = new(Provenance, (source, shown, title, letter + suffix, None, None))
                value = cache.get(raw, _MISSING)
                if value is _MISSING:
                    try:
                        value = convert(raw, epoch, False)
                    except BadValue:
                        builder.value(typed, cells, column, raw, where)  # records the problem
                        filled = True
                        continue
                    if len(cache) < CACHE_PER_COLUMN:
                        cache[raw] = value
                typed[name] = value
                cells[name] = where
                if value is not None:
                    filled = True
                continue
            coord = letter + suffix
            own = True
            at = (number, index + 1)
            if raw is None and at in merged:
                # A merged cell (a street name over several rows) belongs to every row it spans;
                # its provenance is the top-left cell, where the value is written.
                raw, coord, *anchor = merged[at]
                at = (anchor[0], anchor[1])
                own = False
            where = new(Provenance, (source, shown, title, coord, None, None))
            present = builder.value(typed, cells, column, raw, where, self.percent_cell(column, raw, at))
            filled = filled or (present and own)
        if not filled:
            return None
        return builder.finish(typed, cells, new(Provenance, (source, shown, title, key_letter + suffix, None, None)))

    def percent_cell(self, column: Column, raw: object, at: tuple[int, int]) -> bool:
        """Whether a number in a percent column is shown as a percentage (then 1.5 means 150%).

        `at` is the (row, column) of the cell the value is written in.
        """
        if column.type is not FieldType.PERCENT or not isinstance(raw, int | float) or isinstance(raw, bool):
            return False
        return "%" in self.ws.number_format(*at)


def _merges(ws: Sheet) -> tuple[dict[tuple[int, int], _Anchor], list[tuple[int, int, int, int]]]:
    """Each covered cell of a merged range → its anchor (value and top-left cell); and the ranges' bounds."""
    covered: dict[tuple[int, int], _Anchor] = {}
    bounds: list[tuple[int, int, int, int]] = []
    for min_row, max_row, min_col, max_col in ws.merged:
        anchor = (ws.value(min_row, min_col), f"{_letter(min_col - 1)}{min_row}", min_row, min_col)
        bounds.append((min_row, max_row, min_col, max_col))
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                if (r, c) != (min_row, min_col):
                    covered[(r, c)] = anchor
    return covered, bounds


def _join(parent: str | None, child: str | None) -> list[str]:
    if child is None or child == parent:
        return [parent] if parent else []
    if parent is None:
        return [child]
    return [parent + child, child]


_LETTERS: list[str] = []


def _letter(index: int) -> str:
    """The column letter of a 0-based column index (0 → A, 26 → AA)."""
    while len(_LETTERS) <= index:
        n, text = len(_LETTERS) + 1, ""
        while n:
            n, rem = divmod(n - 1, 26)
            text = chr(65 + rem) + text
        _LETTERS.append(text)
    return _LETTERS[index]
