"""The dossier source: a faithful scan of an evidence folder into rows, fields captured from paths."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from kepu_rules.facts.schema import EntityDef, FieldDef, FieldType, Schema
from kepu_rules.sources import SourceContext
from kepu_sources.dossier_source import DossierSource, compile_pattern

from .conftest import error, read, snapshot

FILES = {
    "阵地建设/北坦街道/标识_2026-09-15.JPG": b"x" * 10,
    "阵地建设/北坦街道/20260916 活动室.png": b"x" * 20,
    "阵地建设/泺口街道/说明.docx": b"x" * 30,
    "阵地建设/总结.pdf": b"x" * 40,
    "2026年9月20日 科普日/现场.mp4": b"x" * 50,
    "报告.txt": b"x",
    "阵地建设/北坦街道/~$说明.docx": b"lock",
    "阵地建设/.DS_Store": b"",
    "阵地建设/Thumbs.db": b"",
    ".git/config": b"",
    "阵地建设/北坦街道/.隐藏.jpg": b"",
}
MTIME = dt.datetime(2026, 10, 1, 12, 0).timestamp()


@pytest.fixture
def dossier(tmp_path: Path) -> Path:
    root = tmp_path / "档案"
    for rel, data in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, (MTIME, MTIME))
    return root


def _rows(tmp_path: Path, **options: object) -> dict[str, dict]:
    [table] = read(DossierSource, tmp_path, path="档案", entity="档案材料", **options).tables
    assert table.entity == "档案材料" and table.source == "台账"
    return {r.get("路径"): r.values for r in table.rows}


def test_every_file_with_builtin_fields(tmp_path: Path, dossier: Path) -> None:
    rows = _rows(tmp_path)
    assert sorted(rows) == sorted([
        "2026年9月20日 科普日/现场.mp4", "报告.txt", "阵地建设/北坦街道/20260916 活动室.png",
        "阵地建设/北坦街道/标识_2026-09-15.JPG", "阵地建设/总结.pdf", "阵地建设/泺口街道/说明.docx"])
    assert rows["阵地建设/北坦街道/标识_2026-09-15.JPG"] == {
        "路径": "阵地建设/北坦街道/标识_2026-09-15.JPG", "文件名": "标识_2026-09-15.JPG", "类别": "阵地建设",
        "类型": "图片", "扩展名": "jpg", "大小": 10, "修改日期": dt.date(2026, 10, 1), "日期": dt.date(2026, 9, 15)}
    assert rows["报告.txt"]["类别"] is None  # a file at the top has no category
    assert rows["报告.txt"]["类型"] == "文档"
    assert rows["阵地建设/北坦街道/20260916 活动室.png"]["日期"] == dt.date(2026, 9, 16)
    # No date in the file name: the nearest folder's date is used.
    assert rows["2026年9月20日 科普日/现场.mp4"]["日期"] == dt.date(2026, 9, 20)
    assert rows["2026年9月20日 科普日/现场.mp4"]["类型"] == "视频"
    assert rows["阵地建设/总结.pdf"]["日期"] is None


def test_patterns_capture_fields_and_the_first_match_wins(tmp_path: Path, dossier: Path) -> None:
    rows = _rows(tmp_path, patterns=["{类别}/{街道}/*", "阵地建设/*.pdf"])
    # Files no pattern matches (现场.mp4, 报告.txt) are not rows.
    assert {p: (v["类别"], v.get("街道")) for p, v in rows.items()} == {
        "阵地建设/北坦街道/标识_2026-09-15.JPG": ("阵地建设", "北坦街道"),
        "阵地建设/北坦街道/20260916 活动室.png": ("阵地建设", "北坦街道"),
        "阵地建设/泺口街道/说明.docx": ("阵地建设", "泺口街道"),
        "阵地建设/总结.pdf": ("阵地建设", None),
    }


def test_globs_are_case_insensitive_and_stay_within_a_segment(tmp_path: Path, dossier: Path) -> None:
    assert sorted(_rows(tmp_path, patterns=["*/*/*.jpg", "*.TXT"])) == [
        "报告.txt", "阵地建设/北坦街道/标识_2026-09-15.JPG"]
    assert sorted(_rows(tmp_path, patterns=["阵地建设/**/*.docx"])) == ["阵地建设/泺口街道/说明.docx"]
    assert len(_rows(tmp_path, patterns=["阵地建设/**"])) == 4


def test_a_captured_date_is_typed_and_checked(tmp_path: Path) -> None:
    for rel in ("2026-09-15/a.jpg", "2026-13-01/b.jpg"):
        (tmp_path / "档案" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "档案" / rel).write_bytes(b"")
    assert error(DossierSource, tmp_path, path="档案", entity="档案材料", patterns=["{日期}/*"]) == (
        '档案/2026-13-01/b.jpg: error: 日期: cannot read "2026-13-01" as a date: there is no month 13\n'
        "    help: write a date such as 2026-09-15, 2026/9/15, 2026.9.15 or 2026年9月15日")


def test_provenance_is_the_file_path(tmp_path: Path, dossier: Path) -> None:
    [table] = read(DossierSource, tmp_path, path="档案/", entity="档案材料").tables
    assert [r.provenance.render() for r in table.rows][:2] == [
        "档案/2026年9月20日 科普日/现场.mp4", "档案/报告.txt"]
    assert table.rows[0].where("大小").render() == "档案/2026年9月20日 科普日/现场.mp4"


def test_english_field_names_get_english_kinds(tmp_path: Path, dossier: Path) -> None:
    entity = EntityDef("evidence", {n: FieldDef(n, t, is_key=(n == "path")) for n, t in [
        ("path", FieldType.TEXT), ("type", FieldType.TEXT), ("ext", FieldType.TEXT), ("size", FieldType.NUMBER)]})
    schema = Schema(entities={"evidence": entity})
    options = DossierSource.Options(path="档案", entity="evidence", patterns=["*.txt"])
    [table] = DossierSource().read(options, SourceContext("docs", schema, tmp_path)).tables
    assert [r.values for r in table.rows] == [{"path": "报告.txt", "type": "document", "ext": "txt", "size": 1}]


def test_unknown_captures_and_unfillable_keys_are_errors(tmp_path: Path, dossier: Path) -> None:
    assert error(DossierSource, tmp_path, path="档案", entity="档案材料", patterns=["*/{街到}/*"]) == (
        "档案: error: {街到} in pattern */{街到}/* of source 台账 is not a field of 档案材料\n"
        "    help: did you mean '街道'?")
    assert error(DossierSource, tmp_path, path="档案", entity="街道", patterns=["{名称}/*", "*"]) == (
        "档案: error: pattern * does not fill 名称, the key of 街道\n"
        "    help: capture it in the pattern with {名称}")


def test_a_missing_folder(tmp_path: Path) -> None:
    assert error(DossierSource, tmp_path, path="档案/媒体报道", entity="档案材料") == (
        "档案/媒体报道: error: the folder 档案/媒体报道 of source 台账 does not exist\n"
        f"    help: paths are relative to the folder of kepu.yaml, {tmp_path}")
    assert error(DossierSource, tmp_path, "zh", path="档案/媒体报道", entity="档案材料").startswith(
        "档案/媒体报道: 错误: 数据源 台账 的目录 档案/媒体报道 不存在")


def test_a_file_instead_of_a_folder(tmp_path: Path) -> None:
    (tmp_path / "档案").write_text("")
    assert error(DossierSource, tmp_path, path="档案", entity="档案材料") == (
        "档案: error: 档案 of source 台账 is not a folder")


@pytest.mark.skipif(os.name == "nt", reason="Windows file names are always Unicode")
def test_file_names_that_are_not_utf8_are_errors(tmp_path: Path) -> None:
    folder = tmp_path / "档案"
    folder.mkdir()
    try:
        (Path(os.fsencode(folder).decode("utf-8", "surrogateescape")) / "照片.jpg".encode("gbk").decode(
            "utf-8", "surrogateescape")).write_bytes(b"")
    except OSError:
        pytest.skip("this file system refuses non-UTF-8 names")
    assert error(DossierSource, tmp_path, path="档案", entity="档案材料") == (
        "档案/\\xd5\\xd5Ƭ.jpg: error: the file name is not valid UTF-8 (perhaps a GBK name): "
        "rename it, or extract again with unzip -O GBK")


def test_an_empty_folder_is_zero_rows(tmp_path: Path) -> None:
    (tmp_path / "档案").mkdir()
    assert _rows(tmp_path) == {}


@pytest.mark.parametrize(("pattern", "message"), [
    ("", "a pattern cannot be empty"),
    ("{}/x", "{} needs a field name"),
    ("{街道}/{街道}", "{街道} appears twice"),
    ("{街道/x", "unbalanced { or }"),
    ("a**/x", "** must be a whole path segment"),
])
def test_invalid_patterns(pattern: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("{", r"\{").replace("*", r"\*")):
        DossierSource.Options(path="档案", entity="档案材料", patterns=[pattern])


def test_compiled_patterns() -> None:
    pattern = compile_pattern(r"{类别}\{街道}/*_{日期}.jpg")
    assert pattern.captures == ("类别", "街道", "日期")
    found = pattern.regex.fullmatch("阵地/北坦/标识_2026-09-15.JPG")
    assert found is not None and found.groups() == ("阵地", "北坦", "2026-09-15")
    assert pattern.regex.fullmatch("阵地/北坦/x/标识_2026-09-15.jpg") is None


def test_options_document_themselves() -> None:
    for name, info in DossierSource.Options.model_fields.items():
        assert info.description, name


def test_scanning_never_modifies_the_files(tmp_path: Path, dossier: Path) -> None:
    files = sorted(p for p in dossier.rglob("*") if p.is_file())
    before = [snapshot(p) for p in files]
    _rows(tmp_path)
    assert [snapshot(p) for p in files] == before
    assert sorted(p for p in dossier.rglob("*") if p.is_file()) == files
