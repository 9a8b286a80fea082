"""Quoting faults: a stray or missing quote is an error where it opens, never rows lost without a word."""

from __future__ import annotations

from pathlib import Path

import pytest

from kepu_rules.diagnostics import KepuError
from kepu_sources.csv_faults import looks_like_row, quoted_cells
from kepu_sources.csv_source import CsvSource

from .conftest import read

HEADER = "编号,名称,社区,日期,参与人数"


def _ledger(rows: int = 30) -> list[str]:
    return [HEADER] + [f"A{i:03d},科普讲座（第{i}期）,北园社区,2026-01-{i % 28 + 1:02d},{10 + i}" for i in range(1, rows + 1)]


def _read(tmp_path: Path, lines: list[str]) -> int:
    (tmp_path / "活动.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(read(CsvSource, tmp_path, path="活动.csv", entity="科普活动").tables[0])


def _error(tmp_path: Path, lines: list[str]) -> KepuError:
    with pytest.raises(KepuError) as caught:
        _read(tmp_path, lines)
    return caught.value


def test_a_quote_never_closed_is_reported_where_it_opens_with_the_lines_it_swallowed(tmp_path: Path) -> None:
    lines = _ledger()
    lines[9] = lines[9].replace(",科普讲座（第9期）", ',"科普讲座（第一期）')  # line 10 of the file
    err = _error(tmp_path, lines)
    [d] = err.diagnostics
    assert (d.location.render(), d.code) == ("活动.csv:10:2", "unclosed-quote")
    assert "lines 11–31 were swallowed into this cell" in d.message.en
    assert "第 11–31 行都被读进了这一格" in d.message.zh


def test_an_unclosed_quote_on_the_last_line_is_blamed_on_the_quote_not_on_an_empty_cell(tmp_path: Path) -> None:
    lines = _ledger()
    lines[-1] = lines[-1].replace(",科普讲座（第30期）", ',"科普讲座（第30期）')
    [d] = _error(tmp_path, lines).diagnostics
    assert (d.location.render(), d.code) == ("活动.csv:31:2", "unclosed-quote")


def test_a_quote_closed_by_a_stray_quote_rows_later_is_reported_with_the_swallowed_rows(tmp_path: Path) -> None:
    lines = _ledger()
    lines[9] = lines[9].replace(",科普讲座（第9期）", ',"科普讲座（第9期）')
    lines[20] = lines[20].replace("北园社区", '北园"社区')  # line 21 closes the quote opened on line 10
    [d] = _error(tmp_path, lines).diagnostics
    assert d.location.render() == "活动.csv:10:2"
    assert "closes only on line 21: lines 11–20" in d.message.en


def test_legitimate_multi_line_cells_are_read_whole(tmp_path: Path) -> None:
    lines = _ledger()
    lines[4] = lines[4].replace("科普讲座（第4期）", '"科普讲座\n（第4期，含\n三个部分，a,b）"')
    lines[6] = lines[6].replace("科普讲座（第6期）", '"讲座,分两行\n下一行,有,逗号"')
    lines[8] = lines[8].replace("科普讲座（第8期）", '"他说""好""\n然后走了"')
    assert _read(tmp_path, lines) == 30


def test_a_note_holding_one_line_as_wide_as_a_row_is_read_as_one_cell(tmp_path: Path) -> None:
    lines = _ledger()
    lines[4] = lines[4].replace("科普讲座（第4期）", '"参加单位：\n区科协,区教育局,区卫健委,区文旅局,区科技局\n（共五家）"')
    assert _read(tmp_path, lines) == 30


def test_a_stray_quote_closed_cleanly_after_swallowing_two_rows_is_still_reported(tmp_path: Path) -> None:
    lines = _ledger()
    lines[9] = lines[9].replace(",科普讲座（第9期）", ',"科普讲座（第9期）')
    lines[12] = lines[12].replace("科普讲座（第12期）", '科普讲座（第12期）"')  # closes at the end of a cell
    [d] = _error(tmp_path, lines).diagnostics
    assert d.location.render() == "活动.csv:10:2"
    assert "closes only on line 13: lines 11–12 (2 of them look like whole rows" in d.message.en


def test_a_multi_line_cell_in_the_last_row_is_read(tmp_path: Path) -> None:
    lines = _ledger(3)
    lines[-1] = lines[-1].replace("科普讲座（第3期）", '"第一行\n第二行"')
    assert _read(tmp_path, lines) == 3


def test_quoted_cells_follow_the_csv_modules_reading() -> None:
    assert [(q.cell, q.opened, q.closed, q.clean) for q in quoted_cells('a,"b\nc",d"e,"f""\n"\n', ",")] == [
        (1, 0, 1, True), (3, 1, 2, True)]
    assert [q.clean for q in quoted_cells('"a"b,"c"', ",")] == [False, True]
    assert [(q.cell, q.closed) for q in quoted_cells('a,"never closed\nx,y', ",")] == [(1, None)]


@pytest.mark.parametrize(("line", "width", "expected"), [
    ("A010,讲座,北园社区,2026-01-11,20", 5, True),
    ("第二行，有全角逗号", 5, False),
    ("a,b", 5, False),
    (",,,,", 5, False),  # an empty first cell: a gap in a note, not a row
    ("a,b", 1, False),   # a one-column file has no delimiters to tell rows by
])
def test_a_line_looks_like_a_row_by_the_delimiters_of_the_header(line: str, width: int, expected: bool) -> None:
    assert looks_like_row(line, ",", width) is expected


def test_one_row_swallowed_by_a_quote_closed_mid_cell_is_reported(tmp_path: Path) -> None:
    lines = _ledger()
    lines[9] = lines[9].replace(",科普讲座（第9期）", ',"科普讲座（第9期）')
    lines[11] = lines[11].replace("北园社区", '北园"社区')  # line 12: a quote in the middle of a cell
    [d] = _error(tmp_path, lines).diagnostics
    assert d.location.render() == "活动.csv:10:2"
    assert "closes only on line 12: line 11 (1 of them look like whole rows" in d.message.en
    assert d.notes[0].en == 'line 10: A009,"科普讲座（第9期）,北园社区,2026-01-10,19'
