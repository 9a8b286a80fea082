"""Mixed encodings: the first line not in the encoding of the rest of the file, by its number."""

from __future__ import annotations

from pathlib import Path

import pytest

from kepu_rules.diagnostics import KepuError
from kepu_sources.csv_source import CsvSource

from .conftest import read

ROWS = ["编号,名称,社区,日期,参与人数"] + [f"A{i:03d},科普讲座（第{i}期）,北园社区,2026-01-{i % 28 + 1:02d},{i}" for i in range(1, 41)]


def _write(tmp_path: Path, encoding_of: dict[int, str], default: str) -> None:
    data = b"".join((row + "\n").encode(encoding_of.get(n, default)) for n, row in enumerate(ROWS, 1))
    (tmp_path / "活动.csv").write_bytes(data)


def _first(tmp_path: Path, **options: str) -> str:
    with pytest.raises(KepuError) as caught:
        read(CsvSource, tmp_path, path="活动.csv", entity="科普活动", **options)
    return caught.value.diagnostics[0].render("en")


def test_a_gbk_line_in_a_utf8_file_is_named_by_its_line(tmp_path: Path) -> None:
    _write(tmp_path, {32: "gbk"}, "utf-8")
    text = _first(tmp_path)
    assert text.startswith("活动.csv:32:2: error: line 32 of 活动.csv is not UTF-8 text, while the file's other 40 ")
    assert "read as GB18030, this line is: A031,科普讲座（第31期）" in text


def test_a_utf8_line_in_a_gb18030_file_is_named_by_its_line(tmp_path: Path) -> None:
    for options in ({}, {"encoding": "gb18030"}):
        _write(tmp_path, {32: "utf-8"}, "gb18030")
        assert _first(tmp_path, **options).startswith("活动.csv:32:2: error: line 32 of 活动.csv is not GB18030 text")


def test_a_broken_byte_in_a_gb18030_file_is_named_by_its_line(tmp_path: Path) -> None:
    _write(tmp_path, {}, "gb18030")
    path = tmp_path / "活动.csv"
    path.write_bytes(path.read_bytes().replace("第20期".encode("gb18030"), b"\xff\x80"))
    assert _first(tmp_path).startswith("活动.csv:21:2: error: line 21 of 活动.csv is not GB18030 text")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_files_in_one_encoding_read_every_row(tmp_path: Path, encoding: str) -> None:
    _write(tmp_path, {}, "utf-8")
    (tmp_path / "活动.csv").write_text("\n".join(ROWS) + "\n", encoding=encoding)
    assert len(read(CsvSource, tmp_path, path="活动.csv", entity="科普活动").tables[0]) == 40


def test_a_gbk_line_right_under_an_ascii_header_is_named_too(tmp_path: Path) -> None:
    lines = ["name,date"] + [f"科普讲座第{i}期,2026-01-{i:02d}" for i in range(1, 11)]
    data = b"".join((line + "\n").encode("gbk" if n == 2 else "utf-8") for n, line in enumerate(lines, 1))
    (tmp_path / "活动.csv").write_bytes(data)
    assert _first(tmp_path).startswith("活动.csv:2:1: error: line 2 of 活动.csv is not UTF-8 text")


def test_a_utf8_file_read_as_gb18030_is_named_with_the_encoding_it_is_in(tmp_path: Path) -> None:
    (tmp_path / "活动.csv").write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    text = _first(tmp_path, encoding="gb18030")
    assert text.startswith("活动.csv:1:1: error: line 1 of 活动.csv is not GB18030 text")
    assert text.endswith("help: the whole file reads as UTF-8: set encoding: utf-8 (or auto)")
