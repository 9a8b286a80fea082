"""The xlsx source: title rows, merged two-row headers, merged data cells, cell provenance, exact errors."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from pydantic import ValidationError

from kepu_rules.facts.table import SourceData
from kepu_sources.xlsx_source import XlsxSource

from .conftest import error, read, snapshot

SIGNS = [  # 序号, 街道, 位置, 沿街显要, 设置日期 (rows 3-7)
    (1, "北坦街道", "北坦路口", "是", dt.datetime(2026, 3, 1)),
    (2, None, "社区广场", "否", 46082),  # a date typed as a plain number: an Excel serial
    (3, None, "北园大街", "√", "2026/4/1"),
    (4, "泺口街道", "泺口码头", "有", None),
    (5, "泺口街道", "堤口路", "×", "2026年5月6日"),
]


def _signs(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
    ws.title = "科普标识"
    ws["A1"] = "示例区科普宣传标识台账（2026年）"
    ws.merge_cells("A1:E1")
    ws.append(["序号", "街道", "位置", "沿街显要", "设置日期"])
    for row in SIGNS:
        ws.append(list(row))
    ws.merge_cells("B3:B5")  # one street name over three rows
    ws.append([6, None, None, None, None])  # a pre-numbered template row
    ws.append([])
    ws.append(["合计", None, "5 处", None, None])
    ws.merge_cells("A10:B10")


def _communities(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
    ws["A1"] = "社区科普阵地情况"
    ws.merge_cells("A1:F1")
    for cell, text in {"A2": "社区名称", "B2": "所属街道", "C2": "科普活动室", "E2": "覆盖率", "F2": "备注",
                       "C3": "面积", "D3": "开放时间"}.items():
        ws[cell] = text
    for rng in ("A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:F3"):
        ws.merge_cells(rng)
    ws.append(["一社区", "北坦街道", 120, "周一至周五", 0.8, "新建"])
    ws.append(["二社区", "北坦街道", "1,000", None, 1.5, None])
    ws.append(["三社区", "泺口街道", None, None, "75%", None])
    for cell in ("E4", "E5"):
        ws[cell].number_format = "0%"


def _ledger(path: Path) -> Path:
    wb = openpyxl.Workbook()
    _signs(wb.active)
    _communities(wb.create_sheet("社区"))
    wb.create_sheet("说明")["A1"] = "本台账由各街道填报"
    wb.save(path)
    return path


def _read(tmp_path: Path, **options: object) -> SourceData:
    return read(XlsxSource, tmp_path, path="台账.xlsx", **options)


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return _ledger(tmp_path / "台账.xlsx")


def test_title_row_merged_cells_totals_and_template_rows(tmp_path: Path, ledger: Path) -> None:
    [table] = _read(tmp_path, sheets={"科普标识": {"entity": "科普标识"}}).tables
    assert table.entity == "科普标识" and table.source == "台账"
    assert [r.values for r in table.rows] == [
        {"街道": "北坦街道", "位置": "北坦路口", "沿街显要": True, "设置日期": dt.date(2026, 3, 1)},
        {"街道": "北坦街道", "位置": "社区广场", "沿街显要": False, "设置日期": dt.date(2026, 3, 1)},
        {"街道": "北坦街道", "位置": "北园大街", "沿街显要": True, "设置日期": dt.date(2026, 4, 1)},
        {"街道": "泺口街道", "位置": "泺口码头", "沿街显要": True, "设置日期": None},
        {"街道": "泺口街道", "位置": "堤口路", "沿街显要": False, "设置日期": dt.date(2026, 5, 6)},
    ]


def test_provenance_names_file_sheet_and_cell(tmp_path: Path, ledger: Path) -> None:
    rows = _read(tmp_path, sheets={"科普标识": {"entity": "科普标识"}}).tables[0].rows
    assert rows[4].where("位置").render() == "台账.xlsx › 科普标识!C7"
    assert rows[4].provenance.render() == "台账.xlsx › 科普标识!B7"
    # A value carried down from a merged cell points at the cell where it is written.
    assert rows[2].where("街道").render() == "台账.xlsx › 科普标识!B3"
    assert rows[2].provenance.render() == "台账.xlsx › 科普标识!B5"
    assert rows[4].where("位置").location().render() == "台账.xlsx[科普标识]!C7"


def test_two_row_headers_join_parent_and_child_or_use_the_child(tmp_path: Path, ledger: Path) -> None:
    [table] = _read(tmp_path, sheets={"社区": {"entity": "社区"}}).tables
    assert [r.values for r in table.rows] == [
        {"名称": "一社区", "街道": "北坦街道", "科普活动室面积": 120, "开放时间": "周一至周五", "覆盖率": Fraction(4, 5)},
        {"名称": "二社区", "街道": "北坦街道", "科普活动室面积": 1000, "开放时间": None, "覆盖率": Fraction(3, 2)},
        {"名称": "三社区", "街道": "泺口街道", "科普活动室面积": None, "开放时间": None, "覆盖率": Fraction(3, 4)},
    ]
    assert table.rows[0].provenance.render() == "台账.xlsx › 社区!A4"


def test_several_sheets_at_once(tmp_path: Path, ledger: Path) -> None:
    data = _read(tmp_path, sheets={"科普标识": {"entity": "科普标识"}, "社区": {"entity": "村"}})
    assert [(t.entity, len(t)) for t in data.tables] == [("科普标识", 5), ("社区", 3)]


def test_shorthand_finds_the_sheet_named_after_the_entity(tmp_path: Path, ledger: Path) -> None:
    assert len(_read(tmp_path, entity="社区").tables[0]) == 3
    assert len(_read(tmp_path, entity="科普标识", sheet=" 科普标识 ").tables[0]) == 5


def test_shorthand_with_several_sheets_and_no_match_asks_which(tmp_path: Path, ledger: Path) -> None:
    assert error(XlsxSource, tmp_path, path="台账.xlsx", entity="科普活动") == (
        "台账.xlsx: error: 台账.xlsx has several sheets and none is named 科普活动: choose one with sheet:\n"
        "    = sheets: 科普标识, 社区, 说明")


def test_a_missing_sheet_lists_the_sheets_and_suggests(tmp_path: Path, ledger: Path) -> None:
    assert error(XlsxSource, tmp_path, path="台账.xlsx", sheets={"科普标志": {"entity": "科普标识"}}) == (
        "台账.xlsx: error: 台账.xlsx has no sheet '科普标志'\n"
        "    = sheets: 科普标识, 社区, 说明\n"
        "    help: did you mean '科普标识'?")
    assert error(XlsxSource, tmp_path, "zh", path="台账.xlsx", sheets={"科普标志": {"entity": "科普标识"}}) == (
        "台账.xlsx: 错误: 台账.xlsx 中没有工作表“科普标志”\n"
        "    = 工作表：科普标识、社区、说明\n"
        "    建议: 是不是“科普标识”？")


def test_bad_cells_are_reported_with_sheet_cell_value_and_expectation(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    _signs(wb.active)
    wb.active["D7"] = "也许"
    wb.active["E6"] = "2026-02-30"
    wb.save(tmp_path / "台账.xlsx")
    assert error(XlsxSource, tmp_path, path="台账.xlsx", entity="科普标识") == (
        '台账.xlsx[科普标识]!E6: error: 设置日期: cannot read "2026-02-30" as a date: 2026-02 has no day 30\n'
        "    help: write a date such as 2026-09-15, 2026/9/15, 2026.9.15 or 2026年9月15日\n"
        '台账.xlsx[科普标识]!D7: error: 沿街显要: cannot read "也许" as yes or no\n'
        "    help: write one of 是/否, 有/无, √/×, ✓/✗, Y/N, yes/no, true/false or 1/0")


def test_excel_error_cells_are_errors(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    _signs(wb.active)
    wb.active["C4"] = "#REF!"
    wb.save(tmp_path / "台账.xlsx")
    assert error(XlsxSource, tmp_path, path="台账.xlsx", entity="科普标识") == (
        '台账.xlsx[科普标识]!C4: error: 位置: cannot read "#REF!" as text: the cell holds the Excel error #REF!\n'
        "    help: fix the formula in that cell")


def test_a_plain_number_in_a_percent_column_is_ambiguous(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    _communities(wb.active)
    wb.active["E6"] = 75
    wb.save(tmp_path / "台账.xlsx")
    assert error(XlsxSource, tmp_path, path="台账.xlsx", entity="社区") == (
        '台账.xlsx[Sheet]!E6: error: 覆盖率: cannot read "75" as a percentage: it is ambiguous in a percent column\n'
        "    help: write 75% or 0.75")


def test_1904_workbooks(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.append(["名称", "活动日期"])
    ws.append(["讲座", 44818])
    wb.save(tmp_path / "台账.xlsx")
    assert _read(tmp_path, entity="科普活动").tables[0].rows[0].get("日期") == dt.date(2026, 9, 15)


def test_explicit_header_row_skipped_rows_and_last_row(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名称", "参与人数"])  # looks like a header, but the real one is row 3
    ws.append(["填报说明：人数填整数", None])
    ws.append(["活动名称", "参与人数"])
    ws.append(["（示例）讲座", "（人）"])
    ws.append(["讲座", 30])
    ws.append(["展览", 40])
    ws.append(["填表人：张三", None])
    wb.save(tmp_path / "台账.xlsx")
    rows = _read(tmp_path, entity="科普活动", header_row=3, skip_rows_after_header=1, last_row=6).tables[0].rows
    assert [r.values for r in rows] == [{"名称": "讲座", "参与人数": 30}, {"名称": "展览", "参与人数": 40}]
    assert rows[0].provenance.render() == "台账.xlsx › Sheet!A5"


def test_a_merged_header_over_data_does_not_swallow_the_first_data_row(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名称", "参与人数", "备注", None])
    ws.merge_cells("C1:D1")
    ws.append(["讲座", 30, "室内", None])
    ws.append(["展览", 40, "室外", "雨天改期"])
    wb.save(tmp_path / "台账.xlsx")
    assert [r.get("名称") for r in _read(tmp_path, entity="科普活动").tables[0].rows] == ["讲座", "展览"]


def test_columns_override_in_a_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "活动"
    ws.append(["主题", "人次", "活动日期"])
    ws.append(["讲座", 30, dt.datetime(2026, 9, 15)])
    wb.save(tmp_path / "台账.xlsx")
    data = _read(tmp_path, sheets={"活动": {"entity": "科普活动", "columns": {"主题": "名称", "人次": "参与人数"}}})
    assert data.tables[0].rows[0].values == {"名称": "讲座", "参与人数": 30, "日期": dt.date(2026, 9, 15)}


def test_no_header_found(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["甲", "乙"])
    wb.active.append([1, 2])
    wb.save(tmp_path / "台账.xlsx")
    assert error(XlsxSource, tmp_path, path="台账.xlsx", entity="科普活动") == (
        "台账.xlsx[Sheet]: error: no header row in the first 10 rows of sheet Sheet of 台账.xlsx\n"
        "    = fields of 科普活动: 名称, 社区, 日期, 类别, 参与人数\n"
        "    help: set header_row:, or map headers to fields with columns:")


def test_a_missing_key_column_names_the_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "社区"
    wb.active.append(["社区名", "所属街道", "常住人口"])
    wb.active.append(["一社区", "北坦街道", 100])
    wb.save(tmp_path / "台账.xlsx")
    assert error(XlsxSource, tmp_path, path="台账.xlsx", entity="社区", header_row=1) == (
        "台账.xlsx[社区]!A1: error: sheet 社区 of 台账.xlsx has no column for 名称 (the key of 社区)\n"
        "    = headers: 社区名, 所属街道, 常住人口\n"
        "    help: did you mean '社区名'?")


def test_problems_of_every_sheet_are_reported_together(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    _signs(wb.active)
    wb.active["D3"] = "也许"
    _communities(wb.create_sheet("社区"))
    wb["社区"]["C4"] = "12平方米"
    wb.save(tmp_path / "台账.xlsx")
    text = error(XlsxSource, tmp_path, path="台账.xlsx", sheets={"科普标识": {"entity": "科普标识"},
                                                                 "社区": {"entity": "社区"}, "无": {"entity": "街道"}})
    assert "台账.xlsx[科普标识]!D3: error:" in text
    assert '台账.xlsx[社区]!C4: error: 科普活动室面积: cannot read "12平方米" as a number: it has a unit "平方米"' in text
    assert "台账.xlsx: error: 台账.xlsx has no sheet '无'" in text


def test_not_a_workbook(tmp_path: Path) -> None:
    (tmp_path / "台账.xlsx").write_text("名称,人数\n", encoding="utf-8")
    assert error(XlsxSource, tmp_path, path="台账.xlsx", entity="科普活动") == (
        "台账.xlsx: error: this .xlsx is a CSV or other text file, not an xlsx workbook: 台账.xlsx\n"
        "    help: read a text ledger with type: csv (and name it .csv), or save it as .xlsx in Excel")
    (tmp_path / "旧.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert error(XlsxSource, tmp_path, path="旧.xls", entity="科普活动") == (
        "旧.xls: error: this .xls is an old Excel .xls workbook (or an encrypted one), not an xlsx workbook: 旧.xls\n"
        "    help: open it in Excel and save it as \"Excel Workbook (*.xlsx)\"")
    (tmp_path / "坏.xlsx").write_bytes(b"PK\x03\x04" + b"\0" * 100)  # a zip, but a damaged one
    assert error(XlsxSource, tmp_path, path="坏.xlsx", entity="科普活动").startswith(
        "坏.xlsx: error: cannot open 坏.xlsx as an xlsx workbook: ")


@pytest.mark.parametrize("options", [
    {},
    {"entity": "社区", "sheets": {"社区": {"entity": "社区"}}},
    {"header_row": 2, "sheets": {"社区": {"entity": "社区"}}},
    {"sheets": {"社区": {"entity": "社区", "header": 2}}},
    {"entity": "社区", "header_row": 0},
    {"entity": "社区", "header_rows": 3},
    {"entity": "社区", "encoding": "gbk"},
])
def test_invalid_options(options: dict) -> None:
    with pytest.raises(ValidationError):
        XlsxSource.Options.model_validate({"path": "台账.xlsx", **options})


def test_options_document_themselves() -> None:
    from kepu_sources.xlsx_source import SheetOptions

    for model in (XlsxSource.Options, SheetOptions):
        for name, info in model.model_fields.items():
            assert info.description, name


def test_reading_never_modifies_the_file(tmp_path: Path, ledger: Path) -> None:
    before = snapshot(ledger)
    _read(tmp_path, sheets={"科普标识": {"entity": "科普标识"}, "社区": {"entity": "社区"}})
    assert snapshot(ledger) == before
