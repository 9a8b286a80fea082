"""Writes the ledger corpus: one folder per case, each a small project (kepu.yaml, its ledgers) and an
expected.yaml saying what `kepu check` must answer.

The files are committed; this script is how they were made, and remakes them (`python build.py`).
Each case is written by hand below: the broken byte, quote or cell, and the answer it must get.

expected.yaml:
  about:  what the case is
  exit:   2 for wrong input; `verdict` for a case whose every row must be read (0 or 1, by the rules)
  diagnostics: the errors, in order: file and line and column (CSV, YAML), or file, sheet and cell
          (xlsx), or the file alone; and the diagnostic's code
  rows:   for a readable case, the rows read per file (or file[sheet])
  grow:   {file, pad}: before the run, `pad` is appended to the file until it is over the size
          from which `--engine auto` chooses the columnar engine (big cases, not committed big)
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
# The committed xlsx files were written by openpyxl without lxml, which writes other bytes (see tests/conftest.py).
os.environ.setdefault("OPENPYXL_LXML", "False")

STREETS = ["北园街道", "柳云街道", "华庭街道"]
COMMUNITIES = [("北园社区", "北园街道"), ("堤口社区", "北园街道"), ("柳云社区", "柳云街道"),
               ("洪楼社区", "柳云街道"), ("华庭社区", "华庭街道"), ("泺口社区", "华庭街道")]
ACTIVITY_HEADER = ["活动编号", "活动名称", "举办社区", "活动日期", "活动类别", "参与人数（人次）"]
CATEGORIES = ["讲座", "培训", "竞赛", "展览", "科技体验"]


def activities(n: int = 30) -> list[list[str]]:
    return [[f"KP2026-{i:04d}", f"科普讲座（第{i}期）", COMMUNITIES[i % 6][0],
             (dt.date(2026, 1, 1) + dt.timedelta(days=3 * i)).isoformat(), CATEGORIES[i % 5], str(10 + i)]
            for i in range(1, n + 1)]


def csv_text(header: list[str], rows: list[list[str]], newline: str = "\n") -> str:
    return "".join(",".join(r) + newline for r in [header, *rows])


def csv_source(name: str, path: str, entity: str, **options: Any) -> dict[str, Any]:
    return {"name": name, "type": "csv", "path": path, "entity": entity, **options}


BASE_SOURCES = [csv_source("街道", "data/街道.csv", "街道"), csv_source("社区", "data/社区.csv", "社区")]


class Case:
    def __init__(self, name: str, about: str) -> None:
        self.name = name
        self.about = about
        self.sources: list[dict[str, Any]] = list(BASE_SOURCES)
        self.files: dict[str, bytes] = {
            "data/街道.csv": csv_text(["名称", "类型"], [[s, "街道"] for s in STREETS]).encode(),
            "data/社区.csv": csv_text(["名称", "所属街道"], [list(c) for c in COMMUNITIES]).encode(),
        }
        self.expected: dict[str, Any] = {}

    def activities_csv(self, data: bytes | str, path: str = "data/科普活动.csv", **options: Any) -> Case:
        self.files[path] = data.encode() if isinstance(data, str) else data
        self.sources.append(csv_source("科普活动", path, "科普活动", **options))
        return self

    def error(self, *diagnostics: dict[str, Any]) -> Case:
        self.expected = {"exit": 2, "diagnostics": list(diagnostics)}
        return self

    def ok(self, activities_rows: int | None = 30, **more: int) -> Case:
        rows = {"data/街道.csv": 3, "data/社区.csv": 6}
        if activities_rows is not None:
            rows["data/科普活动.csv"] = activities_rows
        rows.update(more)
        self.expected = {"exit": "verdict", "rows": rows}
        return self

    def write(self, root: Path) -> None:
        folder = root / self.name
        if folder.exists():
            shutil.rmtree(folder)
        for rel, data in self.files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        config = {"district": "语料区", "ruleset": "../corpus.kepu", "language": "zh", "as_of": "2026-11-22",
                  "sources": self.sources}
        dump(folder / "kepu.yaml", config)
        dump(folder / "expected.yaml", {"about": self.about, **self.expected})


def dump(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")


def at(file: str, line: int | None = None, column: int | None = None, code: str = "", **cell: str) -> dict[str, Any]:
    found: dict[str, Any] = {"file": file}
    if line is not None:
        found["line"] = line
    if column is not None:
        found["column"] = column
    found.update(cell)
    found["code"] = code
    return found


ACT = "data/科普活动.csv"


def lines_with(change: Callable[[list[str]], None], n: int = 30, newline: str = "\n") -> str:
    lines = csv_text(ACTIVITY_HEADER, activities(n), newline).split(newline)[:-1]
    change(lines)
    return newline.join(lines) + newline


def set_cell(line: int, column: int, value: str) -> Callable[[list[str]], None]:
    """A change of `lines_with`: cell `column` of physical line `line` (both 1-based) becomes `value`."""
    def change(lines: list[str]) -> None:
        cells = lines[line - 1].split(",")
        cells[column - 1] = value
        lines[line - 1] = ",".join(cells)
    return change


def xlsx(sheets: dict[str, list[list[Any]]], merges: dict[str, list[str]] | None = None) -> bytes:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for merged in (merges or {}).get(title, []):
            ws.merge_cells(merged)
    out = io.BytesIO()
    wb.save(out)
    return reproducible(out.getvalue())


def ods(rows: list[list[str]]) -> bytes:
    """A minimal OpenDocument spreadsheet, as WPS or LibreOffice would save one (mimetype stored first)."""
    import io
    import zipfile
    from xml.sax.saxutils import escape

    cells = "".join("<table:table-row>" + "".join(
        f'<table:table-cell office:value-type="string"><text:p>{escape(c)}</text:p></table:table-cell>' for c in row)
        + "</table:table-row>" for row in rows)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
               f'<office:spreadsheet><table:table table:name="科普活动">{cells}</table:table></office:spreadsheet>'
               '</office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name, data, method in (("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED),
                                   ("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED),
                                   ("content.xml", content, zipfile.ZIP_DEFLATED)):
            member = zipfile.ZipInfo(name, date_time=(2026, 11, 20, 9, 0, 0))
            member.compress_type = method
            dst.writestr(member, data)
    return out.getvalue()


def zipped(members: dict[str, bytes]) -> bytes:
    """A zip of these members, with fixed timestamps."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in members.items():
            member = zipfile.ZipInfo(name, date_time=(2026, 11, 20, 9, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, data)
    return out.getvalue()


def reproducible(data: bytes) -> bytes:
    """The workbook with fixed zip timestamps and document dates, so that a rebuild changes no byte."""
    import io
    import re
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                                 rb"\g<1>2026-11-20T09:00:00Z\g<3>", content)
            member = zipfile.ZipInfo(info.filename, date_time=(2026, 11, 20, 9, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, content)
    return out.getvalue()


def cases() -> list[Case]:
    all_cases: list[Case] = []

    def case(name: str, about: str) -> Case:
        c = Case(name, about)
        all_cases.append(c)
        return c

    def unquote_at(n: int, text: str = "") -> Callable[[list[str]], None]:
        def change(lines: list[str]) -> None:
            lines[n - 1] = lines[n - 1].replace(f",科普讲座（第{n - 1}期）", f',"{text or f"科普讲座（第{n - 1}期）"}')
        return change

    # -- CSV quoting
    case("quote-unclosed-line10", "line 10 opens a quote never closed: lines 11-31 would be one cell") \
        .activities_csv(lines_with(unquote_at(10, "科普讲座（第一期）"))).error(at(ACT, 10, 2, "unclosed-quote"))
    case("quote-unclosed-last-line", "the last line opens a quote: blamed on the quote, not on an empty 日期") \
        .activities_csv(lines_with(unquote_at(31))).error(at(ACT, 31, 2, "unclosed-quote"))

    def date_then_quote(lines: list[str]) -> None:
        set_cell(3, 4, "2026-13-01")(lines)
        unquote_at(10)(lines)
    case("quote-unclosed-after-a-bad-date", "a bad date on line 3, then a quote never closed on line 10: both") \
        .activities_csv(lines_with(date_then_quote)).error(at(ACT, 3, 4, "bad-value"), at(ACT, 10, 2, "unclosed-quote"))

    def stray(lines: list[str]) -> None:
        unquote_at(10)(lines)
        lines[20] = lines[20].replace("（第20期）", '（第20期"）')
    case("quote-stray-closes-later", "a quote opened on line 10 is closed by a stray quote on line 21") \
        .activities_csv(lines_with(stray)).error(at(ACT, 10, 2, "unclosed-quote"))

    def multiline(lines: list[str]) -> None:
        lines[4] = lines[4].replace("科普讲座（第4期）", '"科普讲座\n（第4期，含\n三个部分，甲,乙）"')
        lines[6] = lines[6].replace("科普讲座（第6期）", '"讲座,分两行\n下一行,有,逗号"')
    case("quote-multiline-cells-ok", "quoted cells over several lines, some with commas: every row is read") \
        .activities_csv(lines_with(multiline)).ok()

    def escaped(lines: list[str]) -> None:
        lines[2] = lines[2].replace("科普讲座（第2期）", '"""科学""大讲堂"')
        lines[3] = lines[3].replace("科普讲座（第3期）", '科普"讲座"第3期')  # a quote inside an unquoted cell is text
    case("quote-escaped-and-inner-ok", "doubled quotes in a quoted cell and quotes inside unquoted cells") \
        .activities_csv(lines_with(escaped)).ok()

    def header_quote(lines: list[str]) -> None:
        lines[0] = lines[0].replace("活动名称", '"活动名称')
    case("quote-unclosed-in-header", "the header opens a quote never closed: the whole file is one header") \
        .activities_csv(lines_with(header_quote)).error(at(ACT, 1, 2, "unclosed-quote"))

    def crlf_unclosed(lines: list[str]) -> None:
        unquote_at(12)(lines)
    case("quote-unclosed-crlf", "an unclosed quote in a CRLF file: the line is counted as in the file") \
        .activities_csv(lines_with(crlf_unclosed, newline="\r\n")).error(at(ACT, 12, 2, "unclosed-quote"))

    case("csv-ragged-row", "an unquoted 1,200 makes one row a cell longer than the header") \
        .activities_csv(lines_with(set_cell(8, 6, "1,200"))).error(at(ACT, 8, 7, "ragged-row"))

    # -- encodings
    plain = csv_text(ACTIVITY_HEADER, activities())
    case("enc-utf8-ok", "UTF-8 without a BOM").activities_csv(plain).ok()
    case("enc-utf8-bom-ok", "UTF-8 with a BOM (Excel's CSV UTF-8)").activities_csv(codecs.BOM_UTF8 + plain.encode()).ok()
    case("enc-utf8-bom-explicit-ok", "UTF-8 with a BOM, encoding: utf-8 given") \
        .activities_csv(codecs.BOM_UTF8 + plain.encode(), encoding="utf-8").ok()
    case("enc-gb18030-auto-ok", "GB18030 (Chinese Excel's CSV), encoding: auto").activities_csv(plain.encode("gb18030")).ok()
    case("enc-gbk-explicit-ok", "GBK, encoding: gbk given").activities_csv(plain.encode("gbk"), encoding="gbk").ok()
    case("enc-utf16-ok", "UTF-16 with a BOM (Excel's Unicode text)").activities_csv(plain.encode("utf-16")).ok()
    case("enc-utf16le-no-bom-ok", "UTF-16 little-endian without a BOM").activities_csv(plain.encode("utf-16-le")).ok()
    mixed = b"".join((line + "\n").encode("gbk" if n == 32 else "utf-8")
                     for n, line in enumerate(csv_text(ACTIVITY_HEADER, activities(40)).splitlines(), 1))
    case("enc-utf8-with-gbk-line32", "a UTF-8 file with one GBK line, line 32") \
        .activities_csv(mixed).error(at(ACT, 32, 2, "bad-encoding"))
    mixed = b"".join((line + "\n").encode("utf-8" if n == 17 else "gb18030")
                     for n, line in enumerate(plain.splitlines(), 1))
    case("enc-gb18030-with-utf8-line17", "a GB18030 file with one UTF-8 line, line 17") \
        .activities_csv(mixed).error(at(ACT, 17, 2, "bad-encoding"))
    case("enc-gb18030-explicit-with-utf8-line17", "the same with encoding: gb18030 given") \
        .activities_csv(mixed, encoding="gb18030").error(at(ACT, 17, 2, "bad-encoding"))
    broken = plain.encode("gb18030").replace("第20期".encode("gb18030"), "第".encode("gb18030") + b"\xff\x8020")
    case("enc-gb18030-broken-byte", "a GB18030 file with a byte no encoding reads, line 21") \
        .activities_csv(broken).error(at(ACT, 21, 2, "bad-encoding"))
    case("enc-explicit-utf8-but-gb18030", "encoding: utf-8 given for a GB18030 file: line 1, and the hint") \
        .activities_csv(plain.encode("gb18030"), encoding="utf-8").error(at(ACT, 1, 1, "bad-encoding"))

    # -- long cells
    def long_name(lines: list[str]) -> None:
        lines[5] = lines[5].replace("科普讲座（第5期）", "长" * 70_000)  # 210,000 bytes, 70,000 characters
        lines[6] = lines[6].replace("科普讲座（第6期）", "x" * 200_000)
    case("long-cell-ok", "cells of 70,000 and 200,000 characters (the csv module refuses over 131,072)") \
        .activities_csv(lines_with(long_name)).ok()

    def long_quoted(lines: list[str]) -> None:
        lines[9] = lines[9].replace("科普讲座（第9期）", '"' + ("y" * 80_000 + "\n") * 2 + '"')
    case("long-cell-quoted-multiline-ok", "a quoted cell of 160,000 characters over three lines") \
        .activities_csv(lines_with(long_quoted)).ok()

    # -- line ends
    case("lines-crlf-ok", "CRLF line ends (Windows)").activities_csv(csv_text(ACTIVITY_HEADER, activities(), "\r\n")).ok()
    case("lines-cr-only-ok", "CR line ends (old Mac)").activities_csv(csv_text(ACTIVITY_HEADER, activities(), "\r")).ok()
    mixed_ends = "".join(",".join(r) + ("\r\n" if i % 2 else "\n") for i, r in enumerate([ACTIVITY_HEADER, *activities()]))
    case("lines-mixed-ok", "CRLF and LF line ends mixed").activities_csv(mixed_ends).ok()
    case("lines-no-final-newline-ok", "no line end after the last row").activities_csv(plain.rstrip("\n")).ok()

    def blank_lines(lines: list[str]) -> None:
        lines[5:5] = ["", ""]
        lines[20:20] = [",,,,,"]
    case("lines-blank-and-empty-rows-ok", "blank lines and a row of empty cells are not rows") \
        .activities_csv(lines_with(blank_lines)).ok()

    # -- files that are not what their extension says
    workbook = xlsx({"科普活动": [ACTIVITY_HEADER, *activities()]})
    case("disguised-csv-is-xlsx", "a workbook saved as .csv").activities_csv(workbook).error(at(ACT, code="wrong-file-kind"))
    case("disguised-csv-is-xls", "an old .xls workbook (OLE) named .csv") \
        .activities_csv(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)).error(at(ACT, code="wrong-file-kind"))
    c = case("disguised-xlsx-is-csv", "a CSV file named .xlsx")
    c.files["data/台账.xlsx"] = plain.encode()
    c.sources.append({"name": "台账", "type": "xlsx", "path": "data/台账.xlsx", "sheet": "科普活动", "entity": "科普活动"})
    c.error(at("data/台账.xlsx", code="wrong-file-kind"))
    c = case("disguised-xlsx-is-xls", "an old .xls workbook (OLE) named .xlsx")
    c.files["data/台账.xlsx"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    c.sources.append({"name": "台账", "type": "xlsx", "path": "data/台账.xlsx", "sheet": "科普活动", "entity": "科普活动"})
    c.error(at("data/台账.xlsx", code="wrong-file-kind"))
    c = case("disguised-xlsx-is-ods", "an OpenDocument spreadsheet (WPS, LibreOffice) named .xlsx")
    c.files["data/台账.xlsx"] = ods([ACTIVITY_HEADER, *activities()])
    c.sources.append({"name": "台账", "type": "xlsx", "path": "data/台账.xlsx", "sheet": "科普活动", "entity": "科普活动"})
    c.error(at("data/台账.xlsx", code="wrong-file-kind"))
    case("disguised-csv-is-zip-archive", "a zip of the ledger named .csv") \
        .activities_csv(zipped({"科普活动.csv": plain.encode()})).error(at(ACT, code="wrong-file-kind"))
    c = case("disguised-xlsx-is-docx", "a Word document named .xlsx")
    c.files["data/台账.xlsx"] = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": "<w:document>科普活动</w:document>".encode()})
    c.sources.append({"name": "台账", "type": "xlsx", "path": "data/台账.xlsx", "sheet": "科普活动", "entity": "科普活动"})
    c.error(at("data/台账.xlsx", code="wrong-file-kind"))
    c = case("disguised-xlsx-is-zip-archive", "a zip of the ledgers named .xlsx")
    c.files["data/台账.xlsx"] = zipped({"台账/科普活动.csv": plain.encode(), "台账/说明.txt": "2026年台账".encode()})
    c.sources.append({"name": "台账", "type": "xlsx", "path": "data/台账.xlsx", "sheet": "科普活动", "entity": "科普活动"})
    c.error(at("data/台账.xlsx", code="wrong-file-kind"))
    c = case("disguised-xls-is-html", "an HTML table exported as .xls")
    c.files["data/台账.xls"] = ("<html><body><table><tr><td>活动编号</td></tr></table></body></html>").encode()
    c.sources.append({"name": "台账", "type": "xlsx", "path": "data/台账.xls", "sheet": "科普活动", "entity": "科普活动"})
    c.error(at("data/台账.xls", code="wrong-file-kind"))
    c = case("disguised-yaml-is-xlsx", "a workbook named .yaml")
    c.files["data/基本情况.yaml"] = workbook
    c.sources.append({"name": "基本情况", "type": "yaml", "path": "data/基本情况.yaml"})
    c.error(at("data/基本情况.yaml", code="wrong-file-kind"))
    case("empty-csv-zero-bytes", "a CSV file of 0 bytes").activities_csv(b"").error(at(ACT, code="wrong-file-kind"))
    c = case("empty-xlsx-zero-bytes", "an .xlsx file of 0 bytes")
    c.files["data/台账.xlsx"] = b""
    c.sources.append({"name": "台账", "type": "xlsx", "path": "data/台账.xlsx", "sheet": "科普活动", "entity": "科普活动"})
    c.error(at("data/台账.xlsx", code="wrong-file-kind"))

    # -- empty ledgers
    case("empty-csv-header-only-ok", "a ledger with its header and no rows") \
        .activities_csv(csv_text(ACTIVITY_HEADER, [])).ok(0)
    case("empty-csv-header-only-bom-crlf-ok", "the same, UTF-8 with a BOM and CRLF, as Excel saves it") \
        .activities_csv(codecs.BOM_UTF8 + csv_text(ACTIVITY_HEADER, [], "\r\n").encode()).ok(0)
    c = case("empty-xlsx-header-only-ok", "a sheet with its header and no rows")
    c.files["data/台账.xlsx"] = xlsx({"科普活动": [ACTIVITY_HEADER]})
    c.sources.append({"name": "台账", "type": "xlsx", "path": "data/台账.xlsx", "sheet": "科普活动", "entity": "科普活动"})
    c.ok(None, **{"data/台账.xlsx[科普活动]": 0})

    # -- workbooks
    c = case("xlsx-merged-title-rows-ok", "merged title and subtitle rows above the header, found without header_row")
    title = [["2026年科普活动登记表"], ["填报单位：语料区科协"], ACTIVITY_HEADER, *activities()]
    c.files["data/台账.xlsx"] = xlsx({"科普活动": title}, {"科普活动": ["A1:F1", "A2:F2"]})
    c.sources.append({"name": "台账", "type": "xlsx", "path": "data/台账.xlsx", "sheet": "科普活动", "entity": "科普活动"})
    c.ok(None, **{"data/台账.xlsx[科普活动]": 30})
    c = case("xlsx-two-row-header-ok", "a header over two rows under a merged group header")
    two = [["活动编号", "活动名称", "举办情况", None, "活动类别", "参与人数（人次）"],
           [None, None, "举办社区", "活动日期", None, None], *activities()]
    c.files["data/台账.xlsx"] = xlsx({"科普活动": two}, {"科普活动": ["C1:D1", "A1:A2", "B1:B2", "E1:E2", "F1:F2"]})
    c.sources.append({"name": "台账", "type": "xlsx", "path": "data/台账.xlsx", "sheet": "科普活动", "entity": "科普活动"})
    c.ok(None, **{"data/台账.xlsx[科普活动]": 30})
    c = case("xlsx-bad-date", "a date cell holding text that is no date, in cell D7")
    rows = activities()
    rows[4][3] = "2026年13月5日"
    c.files["data/台账.xlsx"] = xlsx({"科普活动": [ACTIVITY_HEADER, *rows]})
    c.sources.append({"name": "台账", "type": "xlsx", "path": "data/台账.xlsx", "sheet": "科普活动", "entity": "科普活动"})
    c.error(at("data/台账.xlsx", sheet="科普活动", cell="D6", code="bad-value"))
    c = case("xlsx-streets-and-communities-ok", "streets and communities from two sheets of one workbook, activities from CSV")
    c.sources = [{"name": "台账", "type": "xlsx", "path": "data/台账.xlsx",
                  "sheets": {"街道": {"entity": "街道"}, "社区（村）": {"entity": "社区"}}},
                 csv_source("科普活动", ACT, "科普活动")]
    c.files = {"data/台账.xlsx": xlsx({"街道": [["街道名称"], *[[s] for s in STREETS]],
                                             "社区（村）": [["社区名称", "所属街道"], *[list(x) for x in COMMUNITIES]]}),
               ACT: plain.encode()}
    c.expected = {"exit": "verdict", "rows": {"data/台账.xlsx[街道]": 3, "data/台账.xlsx[社区（村）]": 6, ACT: 30}}

    # -- wrong values
    case("value-bad-date", "2026-02-30 on line 12").activities_csv(lines_with(set_cell(12, 4, "2026-02-30"))).error(at(ACT, 12, 4, "bad-value"))

    case("value-bad-integer", "a participant count written in words, line 8") \
        .activities_csv(lines_with(set_cell(8, 6, "约三十"))).error(at(ACT, 8, 6, "bad-value"))

    case("value-required-date-empty", "an activity without its (required) date, line 15") \
        .activities_csv(lines_with(set_cell(15, 4, ""))).error(at(ACT, 15, 4, "required-empty"))

    # -- semicolons, title rows, totals
    case("csv-semicolon-ok", "semicolon-delimited, delimiter: semicolon") \
        .activities_csv(plain.replace(",", ";"), delimiter="semicolon").ok()
    case("csv-title-rows-ok", "two title lines above the header, header_row: 3") \
        .activities_csv("2026年科普活动登记表\n填报单位：语料区科协\n" + plain, header_row=3).ok()
    case("csv-totals-row-ok", "a 合计 row under the rows is not a row") \
        .activities_csv(plain + "合计,,,,," + str(sum(10 + i for i in range(1, 31))) + "\n").ok()

    # -- keys and references
    dangling = set_cell(5, 3, "泺源社区")
    case("ref-dangling", "an activity names a community no ledger has, line 5") \
        .activities_csv(lines_with(dangling)).error(at(ACT, 5, 3, "dangling-reference"))

    duplicate = set_cell(10, 1, "KP2026-0003")
    case("key-duplicate", "two activities with the same number, lines 4 and 10") \
        .activities_csv(lines_with(duplicate)).error(at(ACT, 10, 1, "duplicate-key"))
    c = case("ref-dangling-community-street", "a community names a street no ledger has, line 3")
    c.files["data/社区.csv"] = csv_text(["名称", "所属街道"], [list(x) for x in COMMUNITIES[:1]] + [["堤口社区", "泺口街道"]]
                                        + [list(x) for x in COMMUNITIES[2:]]).encode()
    c.activities_csv(plain).error(at("data/社区.csv", 3, 2, "dangling-reference"))
    pad = "KP-PAD-{n:07d},科普讲座（补录第{n}期）,北园社区,2026-03-01,讲座,10\n"
    c = case("ref-dangling-above-columnar-threshold", "a dangling reference on line 5 of a ledger over 10 MB")
    c.activities_csv(lines_with(dangling)).error(at(ACT, 5, 3, "dangling-reference"))
    c.expected["grow"] = {"file": ACT, "pad": pad}
    c = case("key-duplicate-above-columnar-threshold", "a duplicate key on line 10 of a ledger over 10 MB")
    c.activities_csv(lines_with(duplicate)).error(at(ACT, 10, 1, "duplicate-key"))
    c.expected["grow"] = {"file": ACT, "pad": pad}
    c = case("ok-above-columnar-threshold", "a ledger over 10 MB: every row read")
    c.activities_csv(plain).ok()
    c.expected["grow"] = {"file": ACT, "pad": pad}
    return all_cases


def main(root: Path = HERE) -> list[str]:
    """Write every case under `root`; their names."""
    made = cases()
    for c in made:
        c.write(root)
    return [c.name for c in made]


if __name__ == "__main__":
    print(f"wrote {len(main())} cases under {HERE}")
