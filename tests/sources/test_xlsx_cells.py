"""The fast xlsx cell reader gives exactly what openpyxl gives, and hands anything unusual to openpyxl."""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from fractions import Fraction
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from kepu_sources import xlsx_source
from kepu_sources.xlsx_cells import Book, from_openpyxl, read_fast
from kepu_sources.xlsx_source import XlsxSource

from .conftest import error, read

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _by_openpyxl(path: Path) -> Book:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # as the source does
        return from_openpyxl(openpyxl.load_workbook(path, read_only=False, data_only=True, keep_links=False))


def _seen(book: Book) -> list[Any]:
    """Everything a reader can observe of a book: values with their exact types, bounds, merged ranges and
    the number format of every cell with a value."""
    out: list[Any] = [book.epoch_1904]
    for s in book.sheets:
        rows = {r: [(type(v).__name__, repr(v)) for v in values] for r, values in sorted(s.rows.items())}
        formats = {(r, c + 1): s.number_format(r, c + 1)
                   for r, values in s.rows.items() for c, v in enumerate(values) if v is not None}
        out.append((s.title, s.max_row, s.max_column, rows, s.merged, formats,
                    [s.row(r) for r in range(1, s.max_row + 2)]))
    return out


def _same(path: Path) -> Book:
    """The fast reading, after checking it is taken and equals openpyxl's."""
    fast = read_fast(path)
    assert fast is not None, "the fast reader gave up"
    assert _seen(fast) == _seen(_by_openpyxl(path))
    return fast


def _with_sheet_xml(tmp_path: Path, sheet_data: str, *, name: str = "book.xlsx", extra: str = "",
                    root: str = f'<worksheet xmlns="{MAIN}">') -> Path:
    """A workbook saved by openpyxl whose first sheet's XML is replaced by the given sheetData."""
    base = tmp_path / "base.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.create_sheet("二")["B2"] = 1.5
    wb.save(base)
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{root}'
           f"<sheetData>{sheet_data}</sheetData>{extra}</worksheet>")
    path = tmp_path / name
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info, xml.encode() if info.filename == "xl/worksheets/sheet1.xml" else data)
    return path


def test_values_of_every_kind_as_openpyxl_reads_them(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["名称", "人数", "比例", "日期", "时间", "时长", "是否", "公式", "长文本"])
    ws.append(["一社区", 12, 0.5, dt.datetime(2026, 3, 1), dt.time(9, 30), dt.timedelta(hours=30), True,
               "=B2*2", "  前后有空格  "])
    ws.append(["二社区", 1.0, 1.5, dt.date(1900, 1, 1), None, None, False, None, "a&b<c>\"d\"\n第二行"])
    ws.append([None, -3, "80%", 46082, None, None, None, None, "#N/A"])
    ws["C2"].number_format = "0%"
    ws["C3"].number_format = "0.0%"
    ws["D4"].number_format = "yyyy-mm-dd"
    ws["F2"].number_format = "[h]:mm"
    ws["B3"].number_format = '#,##0.00"元"'
    ws["J9"] = "far away"
    ws.merge_cells("A6:C7")
    ws["A6"] = "merged"
    ws["E9"].hyperlink = "https://example.org"
    ws["F10"].comment = Comment("备注", "作者")
    wb.create_sheet("空")
    path = tmp_path / "book.xlsx"
    wb.save(path)
    book = _same(path)
    assert [s.title for s in book.sheets] == ["台账", "空"]
    sheet = book.sheets[0]
    assert sheet.row(2)[:4] == ["一社区", 12, 0.5, dt.datetime(2026, 3, 1)]
    assert sheet.number_format(2, 3) == "0%"
    assert (6, 8, 1, 3) not in sheet.merged and (6, 7, 1, 3) in sheet.merged
    assert (sheet.max_row, sheet.max_column) == (10, 10)  # the comment's and the hyperlink's cells count


def test_1904_workbooks_and_dates_beyond_excel(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    wb.active.append(["日期", 44818])
    wb.active["B1"].number_format = "yyyy-mm-dd"
    wb.save(tmp_path / "mac.xlsx")
    assert _same(tmp_path / "mac.xlsx").epoch_1904
    # A serial too large for a date: openpyxl reads the cell as the error #VALUE!.
    path = _with_sheet_xml(tmp_path, '<row r="1"><c r="A1" s="1"><v>99999999999</v></c></row>')
    styles = _styles_with_date(path)
    assert _same(styles).sheets[0].row(1) == ["#VALUE!"]


def _styles_with_date(path: Path) -> Path:
    """The workbook with cell style 1 formatted as a date."""
    out = path.with_name("dated.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/styles.xml":
                text = data.decode()
                text = re.sub(r'<cellXfs count="\d+">(.*?)</cellXfs>',
                              r'<cellXfs count="2">\1<xf numFmtId="14" fontId="0" fillId="0" borderId="0" '
                              r'applyNumberFormat="1"/></cellXfs>', text, flags=re.S)
                data = text.encode()
            dst.writestr(info, data)
    return out


@pytest.mark.parametrize("sheet_data", [
    # inline strings (what the benchmark generator writes), with and without xml:space
    '<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t xml:space="preserve"> 空格 </t></is></c></row>',
    # an empty inline string, rich text runs, phonetic runs, an inline string without t="inlineStr"
    '<row r="1"><c r="A1" t="inlineStr"><is><t></t></is></c><c r="B1" t="inlineStr"><is/></c>'
    '<c r="C1" t="inlineStr"><is><r><rPr><b/></rPr><t>粗</t></r><r><t>体</t></r><rPh sb="0" eb="1"><t>ts</t></rPh>'
    '</is></c><c r="D1"><is><t>ignored</t></is></c><c r="E1" t="inlineStr"><v>3</v></c></row>',
    # entities and character references, carriage returns, a value with spaces, an empty value
    '<row r="2"><c r="A2" t="str"><v>a &amp; b &lt;c&gt; &#x4E2D;&#25991;</v></c>'
    '<c r="B2" t="inlineStr"><is><t>x\r\ny</t></is></c><c r="C2"><v> 12 </v></c><c r="D2"><v></v></c>'
    '<c r="E2" t="e"><v>#DIV/0!</v></c><c r="F2" t="b"><v>0</v></c><c r="G2" t="n"><v>1E3</v></c>'
    '<c r="H2" t="d"><v>2026-09-15T08:30:00</v></c><c r="I2" t="x"><v>odd</v></c></row>',
    # formulas with cached values (data_only), a shared formula, an array formula
    '<row r="3"><c r="A3"><f>1+2</f><v>3</v></c><c r="B3" t="str"><f t="shared" ref="B3:B4" si="0">A3&amp;"x"</f>'
    '<v>3x</v></c><c r="C3"><f t="array" ref="C3">SUM(A3)</f><v>3</v></c><c r="D3"><f>A3</f></c></row>',
    # rows and cells without r, a row out of order, a cell whose r names another row, a self-closed row
    '<row><c><v>1</v></c><c t="inlineStr"><is><t>b</t></is></c><c r="E1"><v>5</v></c><c><v>6</v></c></row>'
    '<row r="5"><c r="A7"><v>7</v></c><c><v>8</v></c></row><row r="3"/><row><c><v>9</v></c></row>',
    # other attributes, single quotes, whitespace between elements, a style id, a duplicate cell
    "<row r='1' spans='1:3' ht='20' customHeight='1'>\n  <c r='A1' s='0' t='inlineStr' cm='1'>\n"
    "    <is><t>q</t></is>\n  </c>\n  <c r=\"B1\"   s=\"0\"><v>2</v></c><c r=\"B1\"><v>3</v></c>\n</row>\n",
    # no cells at all
    "",
])
def test_cell_forms(tmp_path: Path, sheet_data: str) -> None:
    _same(_with_sheet_xml(tmp_path, sheet_data))


def test_merged_ranges_empty_what_they_cover(tmp_path: Path) -> None:
    path = _with_sheet_xml(
        tmp_path,
        '<row r="1"><c r="A1" t="inlineStr"><is><t>街道</t></is></c><c r="B1"><v>2</v></c></row>'
        '<row r="3"><c r="A3"><v>3</v></c></row>',
        extra='<mergeCells count="2"><mergeCell ref="A1:B2"/><mergeCell ref="A3:A5"/></mergeCells>')
    sheet = _same(path).sheets[0]
    assert sheet.row(1) == ["街道", None]  # B1 is covered: openpyxl drops its value
    assert sheet.max_row == 5 and sorted(sheet.merged) == [(1, 2, 1, 2), (3, 5, 1, 1)]


@pytest.mark.parametrize(("sheet_data", "root"), [
    # cells in a prefixed namespace: openpyxl finds no rows at all
    ('<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>', f'<x:worksheet xmlns:x="{MAIN}">'),
    # another default namespace (strict OOXML)
    ('<row r="1"><c r="A1"><v>1</v></c></row>',
     '<worksheet xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main">'),
    # a comment inside sheetData
    ('<row r="1"><!-- note --><c r="A1"><v>1</v></c></row>', f'<worksheet xmlns="{MAIN}">'),
    # a cell outside any row (openpyxl ignores it)
    ('<c r="A1"><v>1</v></c>', f'<worksheet xmlns="{MAIN}">'),
])
def test_unusual_sheets_are_left_to_openpyxl(tmp_path: Path, sheet_data: str, root: str) -> None:
    path = _with_sheet_xml(tmp_path, sheet_data, root=root)
    if root.startswith("<x:"):
        path = _prefixed(path)
    assert read_fast(path) is None
    _by_openpyxl(path)  # and openpyxl reads them


def _prefixed(path: Path) -> Path:
    """The first sheet with every element of the main namespace written with the prefix x:."""
    out = path.with_name("prefixed.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<x:sheetData>").replace(b"</sheetData>", b"</x:sheetData>")
                data = data.replace(b"</worksheet>", b"</x:worksheet>")
            dst.writestr(info, data)
    return out


@pytest.mark.parametrize("sheet_data", [
    '<row r="1"><c r="A1"><v>1</v></c>',  # not well-formed
    '<row r="1"><c r="A1"><v>&nbsp;</v></c></row>',  # an entity XML does not define
    '<row r="1"><c r="A1" t="s"><v>99</v></c></row>',  # no such shared string
    '<row r="1"><c r="A1"><v>abc</v></c></row>',  # not a number
    '<row r="1"><c r="A1" s="77"><v>1</v></c></row>',  # no such style
    '<row r="1.5"><c r="A1"><v>1</v></c></row>',  # not a row number
    '<row r="1"><c r="A1"><v>\x01</v></c></row>',  # a character XML forbids
])
def test_damaged_sheets_get_openpyxls_error(tmp_path: Path, sheet_data: str) -> None:
    path = _with_sheet_xml(tmp_path, sheet_data, name="台账.xlsx")
    assert read_fast(path) is None
    with pytest.raises(Exception) as caught:
        _by_openpyxl(path)
    assert error(XlsxSource, tmp_path, path="台账.xlsx", entity="科普活动") == (
        f"台账.xlsx: error: cannot open 台账.xlsx as an xlsx workbook: {caught.value}")


def test_other_files_are_left_to_openpyxl(tmp_path: Path) -> None:
    (tmp_path / "a.xlsx").write_text("名称,人数\n", encoding="utf-8")
    (tmp_path / "b.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "c.xlsb")  # an xlsx under another name: openpyxl refuses the suffix
    for name in ("a.xlsx", "b.xls", "c.xlsb", "missing.xlsx"):
        assert read_fast(tmp_path / name) is None


def test_the_source_reads_the_same_either_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from .test_xlsx import _ledger

    _ledger(tmp_path / "台账.xlsx")
    options = {"path": "台账.xlsx", "sheets": {"科普标识": {"entity": "科普标识"}, "社区": {"entity": "社区"}}}
    assert read_fast(tmp_path / "台账.xlsx") is not None
    fast = read(XlsxSource, tmp_path, **options)
    monkeypatch.setattr(xlsx_source, "read_fast", lambda path: None)
    slow = read(XlsxSource, tmp_path, **options)

    def seen(data: Any) -> list[Any]:
        return [(t.entity, [(r.values, r.provenance, r.cells) for r in t.rows]) for t in data.tables]

    assert seen(fast) == seen(slow)
    merged = [r for r in fast.tables[0].rows if r.where("街道").cell == "B3"]
    assert len(merged) == 3  # the merged street name fills its range, its provenance the top-left cell


def _with_shared_strings(path: Path, strings: list[str]) -> Path:
    """The workbook with a shared-string table, as Excel writes one (openpyxl writes inline strings)."""
    sst = "".join(f"<si><t xml:space=\"preserve\">{escape(s)}</t></si>" for s in strings)
    sst += '<si><r><rPr><b/></rPr><t>富</t></r><r><t>文本</t></r></si><si><t>x_x005F_y</t></si>'
    parts = {
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}" count="{len(strings) + 2}">{sst}</sst>'.encode(),
    }
    out = path.with_name("shared.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats'
                                    b'.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            dst.writestr(info, data)
        for name, data in parts.items():
            dst.writestr(name, data)
    return out


def test_shared_strings_as_excel_writes_them(tmp_path: Path) -> None:
    path = _with_sheet_xml(
        tmp_path,
        '<row r="1" spans="1:4" x14ac:dyDescent="0.25"><c r="A1" s="0" t="s"><v>0</v></c>'
        '<c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>',
        root=f'<worksheet xmlns="{MAIN}" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">')
    book = _same(_with_shared_strings(path, ["社区名称", " 空格 & 符号 "]))
    assert book.sheets[0].row(1) == ["社区名称", " 空格 & 符号 ", "富文本", "x_y"]


def test_an_empty_linked_cell_reads_as_its_link_like_openpyxl(tmp_path: Path) -> None:
    path = _with_sheet_xml(
        tmp_path,
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="inlineStr"><is><t>有值</t></is></c></row>',
        extra='<mergeCells count="1"><mergeCell ref="C1:D2"/></mergeCells><hyperlinks>'
              '<hyperlink ref="B1" location="二!A1"/><hyperlink ref="E3" location="二!B2"/>'
              '<hyperlink ref="D2" location="二!C3"/></hyperlinks>')
    sheet = _same(path).sheets[0]
    assert sheet.row(1) == [1, "有值", "二!C3", None, None]  # a link on a covered cell goes to the top-left
    assert sheet.row(3)[4] == "二!B2"


def test_texts_looked_up_per_column_still_report_every_bad_cell(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "社区"
    ws.append(["社区名称", "所属街道", "常住人口", "覆盖率", "有科普活动室"])
    ws.append(["一社区", "北坦街道", "1,200", 0.5, "是"])
    ws.append(["二社区", "北坦街道", "很多", 0.5, "是"])
    ws.append(["三社区", "是", "很多", "80%", "北坦街道"])
    ws.append(["四社区", None, 12, 1.5, "是"])
    ws.merge_cells("B4:B5")
    ws["D5"].number_format = "0%"
    wb.save(tmp_path / "台账.xlsx")
    text = error(XlsxSource, tmp_path, path="台账.xlsx", entity="社区")
    assert [line.split(": error")[0] for line in text.splitlines() if ": error" in line] == [
        "台账.xlsx[社区]!C3", "台账.xlsx[社区]!C4", "台账.xlsx[社区]!E4"]
    ws["C3"] = ws["C4"] = 3
    ws["E4"] = "否"
    wb.save(tmp_path / "台账.xlsx")
    rows = read(XlsxSource, tmp_path, path="台账.xlsx", entity="社区").tables[0].rows
    assert [(r.get("街道"), r.where("街道").cell, r.get("覆盖率")) for r in rows] == [
        ("北坦街道", "B2", Fraction(1, 2)), ("北坦街道", "B3", Fraction(1, 2)), ("是", "B4", Fraction(4, 5)),
        ("是", "B4", Fraction(3, 2))]  # a merged text fills its range; 1.5 shown as 150% is 3/2
