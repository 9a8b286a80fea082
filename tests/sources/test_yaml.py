"""The yaml source: entity rows in three shapes, scalar facts, line:column provenance, exact errors."""

from __future__ import annotations

import contextlib
import datetime as dt
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kepu_rules.diagnostics import KepuError
from kepu_rules.facts.table import SourceData
from kepu_sources.yaml_source import YamlSource

from .conftest import error, read, snapshot

DISTRICT = """\
# 示例区基础数据
街道: [北坦街道, 泺口街道]
社区:
  - 名称: 一社区
    街道: 北坦街道
    有科普活动室: 是
    覆盖率: 80%
  - {社区名称: 二社区, 所属街道: 泺口街道, 有科普活动室: no, 常住人口: "1,234"}
指标:
  常住人口: 12.5万
  科学素质比例: 0.15
"""


def _read(tmp_path: Path, text: str, **options: object) -> SourceData:
    (tmp_path / "基础.yaml").write_text(text, encoding="utf-8")
    return read(YamlSource, tmp_path, path="基础.yaml", **options)


def _error(tmp_path: Path, text: str, lang: str = "en", **options: object) -> str:
    (tmp_path / "基础.yaml").write_text(text, encoding="utf-8")
    return error(YamlSource, tmp_path, lang, path="基础.yaml", **options)


def test_entities_and_facts(tmp_path: Path) -> None:
    data = _read(tmp_path, DISTRICT)
    streets, communities = data.tables
    assert [r.values for r in streets.rows] == [{"名称": "北坦街道"}, {"名称": "泺口街道"}]
    assert [r.values for r in communities.rows] == [
        {"名称": "一社区", "街道": "北坦街道", "有科普活动室": True, "覆盖率": Fraction(4, 5)},
        {"名称": "二社区", "街道": "泺口街道", "有科普活动室": False, "常住人口": 1234},
    ]
    assert [(s.name, s.value) for s in data.scalars] == [("常住人口", 125000), ("科学素质比例", Fraction(3, 20))]


def test_provenance_is_line_and_column(tmp_path: Path) -> None:
    data = _read(tmp_path, DISTRICT)
    streets, communities = data.tables
    assert streets.rows[1].provenance.render() == "基础.yaml:2:12"
    first, second = communities.rows
    assert first.provenance.render() == "基础.yaml:4:5"
    assert first.where("覆盖率").render() == "基础.yaml:7:10"
    assert second.where("常住人口").render() == "基础.yaml:8:47"
    assert data.scalars[0].provenance.render() == "基础.yaml:10:9"
    assert first.provenance.source == "台账"


def test_keyed_rows(tmp_path: Path) -> None:
    data = _read(tmp_path, "社区:\n  一社区: {街道: 北坦街道, 常住人口: 3000}\n  二社区:\n")
    assert [r.values for r in data.tables[0].rows] == [
        {"名称": "一社区", "街道": "北坦街道", "常住人口": 3000}, {"名称": "二社区"}]
    assert data.tables[0].rows[0].where("名称").render() == "基础.yaml:2:3"


def test_an_entity_with_no_rows_is_an_empty_table(tmp_path: Path) -> None:
    data = _read(tmp_path, "科普标识: []\n街道:\n")
    assert [(t.entity, len(t)) for t in data.tables] == [("科普标识", 0), ("街道", 0)]


def test_an_empty_file_provides_nothing(tmp_path: Path) -> None:
    assert _read(tmp_path, "# 还没有数据\n") == SourceData()


def test_a_top_level_list_needs_the_entity_option(tmp_path: Path) -> None:
    text = "- {名称: 讲座, 日期: 2026-09-15}\n- {名称: 展览, 日期: 2026年9月20日}\n"
    rows = _read(tmp_path, text, entity="科普活动").tables[0].rows
    assert [r.get("日期") for r in rows] == [dt.date(2026, 9, 15), dt.date(2026, 9, 20)]
    assert _error(tmp_path, text) == (
        "基础.yaml:1:1: error: the file is a list of rows: set entity: in the source\n"
        "    - {名称: 讲座, 日期: 2026-09-15}\n"
        "    ^")


def test_the_entity_option_reads_the_whole_file_as_its_rows(tmp_path: Path) -> None:
    rows = _read(tmp_path, "一社区: {街道: 北坦街道}\n二社区:\n", entity="社区").tables[0].rows
    assert [r.values for r in rows] == [{"名称": "一社区", "街道": "北坦街道"}, {"名称": "二社区"}]
    assert [(t.entity, len(t)) for t in _read(tmp_path, "", entity="社区").tables] == [("社区", 0)]


def test_yaml_one_one_surprises_do_not_apply(tmp_path: Path) -> None:
    # Values are read from the source text: 007 stays text, "no" is only 否 in a bool field.
    data = _read(tmp_path, "社区:\n  - {名称: 007, 有科普活动室: yes}\n  - {名称: no, 有科普活动室: N}\n")
    assert [r.values for r in data.tables[0].rows] == [
        {"名称": "007", "有科普活动室": True}, {"名称": "no", "有科普活动室": False}]


def test_bad_values_point_at_the_value_with_a_caret(tmp_path: Path) -> None:
    assert _error(tmp_path, "科普活动:\n  - 名称: 讲座\n    参与人数: 三十\n") == (
        '基础.yaml:3:11: error: 参与人数: cannot read "三十" as a whole number\n'
        "        参与人数: 三十\n"
        "                  ^^^^\n"
        "    help: write a whole number such as 12, 1,234 or 3万")


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_a_bad_value_quotes_its_own_line_whatever_the_line_ends(tmp_path: Path, end: str) -> None:
    # YAML breaks lines at LF, CRLF, CR and also U+2028 (here inside a quoted name): the line quoted is
    # the one the position names, counted as YAML counts.
    text = end.join(["科普活动:", "  - 名称: \"讲座\u2028一\"", "    参与人数: 三十", ""])
    (tmp_path / "基础.yaml").write_bytes(text.encode("utf-8"))
    with pytest.raises(KepuError) as caught:
        read(YamlSource, tmp_path, path="基础.yaml")
    [d] = caught.value.diagnostics
    assert (d.location.line, d.location.column, d.source_line) == (4, 11, "    参与人数: 三十")


def test_unknown_names_get_a_did_you_mean(tmp_path: Path) -> None:
    assert _error(tmp_path, "社群: []\n") == (
        "基础.yaml:1:1: error: the ruleset has no entity '社群'\n"
        "    社群: []\n"
        "    ^^^^\n"
        "    help: did you mean '社区'?")
    assert _error(tmp_path, "社区:\n  - {名称: 一社区, 街到: 北坦街道}\n", "zh") == (
        "基础.yaml:2:15: 错误: 实体 社区 没有字段“街到”\n"
        "      - {名称: 一社区, 街到: 北坦街道}\n"
        "                       ^^^^\n"
        "    建议: 是不是“街道”？")
    assert "help: did you mean '常住人口'?" in _error(tmp_path, "指标:\n  常驻人口: 1\n")


def test_every_problem_is_reported(tmp_path: Path) -> None:
    text = _error(tmp_path, "社区:\n  - {名称: 一社区, 覆盖率: 80}\n  - {名称: 二社区, 名称: 三社区}\n  - [1, 2]\n")
    assert text.count("error:") == 3
    assert "基础.yaml:2:20: error: 覆盖率: cannot read \"80\" as a percentage" in text
    assert "基础.yaml:3:15: error: field 名称 appears twice in this row" in text
    assert "基础.yaml:4:5: error: each item of 社区 should be a row (field: value)" in text


def test_structure_errors(tmp_path: Path) -> None:
    assert "the top level should be a mapping" in _error(tmp_path, "just text\n")
    assert "社区 should be a list of rows" in _error(tmp_path, "社区: 一社区\n")
    assert "名称 should be a single value" in _error(tmp_path, "社区:\n  - 名称: [a, b]\n")
    assert "entity 社区 appears twice in this file (also line 1)" in _error(tmp_path, "社区: []\n村: []\n")
    assert "科普标识 has no key: write its rows as a list" in _error(tmp_path, "科普标识: [北坦]\n")
    assert "facts should be a mapping name: value" in _error(tmp_path, "facts: [1]\n")


def test_required_fields(tmp_path: Path) -> None:
    assert _error(tmp_path, "科普活动:\n  - {日期: 2026-09-15}\n  - {名称: ~}\n") == (
        "基础.yaml:2:5: error: 名称 is required but this row has no value\n"
        "      - {日期: 2026-09-15}\n"
        "        ^^^^^^^^^^^^^^^^^^\n"
        "基础.yaml:3:5: error: 名称 is required but this row has no value\n"
        "      - {名称: ~}\n"
        "        ^^^^^^^^^")


def test_syntax_errors_point_at_the_problem(tmp_path: Path) -> None:
    assert _error(tmp_path, "社区:\n  - 名称: 一社区\n   街道: 北坦\n") == (
        "基础.yaml:3:4: error: 基础.yaml is not valid YAML: expected <block end>, but found '<block mapping start>'\n"
        "       街道: 北坦\n"
        "       ^^")


def test_non_utf8_files(tmp_path: Path) -> None:
    (tmp_path / "基础.yaml").write_bytes("社区: []\n街道: [北坦]\n".encode("gb18030"))
    assert error(YamlSource, tmp_path, path="基础.yaml") == (
        "基础.yaml:1: error: 基础.yaml line 1 is not UTF-8 text\n    help: save YAML files as UTF-8")


def test_options_document_themselves() -> None:
    for name, info in YamlSource.Options.model_fields.items():
        assert info.description, name


def test_reading_never_modifies_the_file(tmp_path: Path) -> None:
    path = tmp_path / "基础.yaml"
    path.write_text(DISTRICT, encoding="utf-8")
    before = snapshot(path)
    read(YamlSource, tmp_path, path="基础.yaml")
    assert snapshot(path) == before


_FUZZ = settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_FUZZ
@given(st.text(max_size=200))
def test_random_text_only_ever_raises_kepu_error(tmp_path: Path, text: str) -> None:
    with contextlib.suppress(KepuError):
        _read(tmp_path, text)


@_FUZZ
@given(st.binary(max_size=200))
def test_random_bytes_only_ever_raise_kepu_error(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "基础.yaml").write_bytes(data)
    with contextlib.suppress(KepuError):
        read(YamlSource, tmp_path, path="基础.yaml")


_SCALAR = st.one_of(st.text(max_size=6), st.integers(), st.floats(), st.booleans(), st.none(), st.dates())
_ROW = st.dictionaries(st.sampled_from(["名称", "街道", "有科普活动室", "覆盖率", "常住人口", "街到"]), _SCALAR, max_size=4)


@_FUZZ
@given(st.dictionaries(st.sampled_from(["社区", "街道", "指标", "村", "未知"]),
                       st.one_of(st.lists(_ROW, max_size=3), _ROW, _SCALAR), max_size=3))
def test_random_documents_only_ever_raise_kepu_error(tmp_path: Path, doc: dict) -> None:
    import yaml

    with contextlib.suppress(KepuError):
        _read(tmp_path, yaml.safe_dump(doc, allow_unicode=True))


@pytest.mark.parametrize("deep", ["[" * 2000, "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 300))])
def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path, deep: str) -> None:
    with contextlib.suppress(KepuError):
        _read(tmp_path, deep)


def test_texts_read_once_per_field_still_report_every_bad_value_where_it_is(tmp_path: Path) -> None:
    text = _error(tmp_path, "科普活动:\n" + "  - {名称: 讲座, 参与人数: 三十, 类别: 三十}\n" * 2
                  + "  - {名称: 三十, 参与人数: 30, 类别: 讲座}\n" + "指标: {常住人口: 三十}\n")
    assert [line.split(": error")[0] for line in text.splitlines() if ": error" in line] == [
        "基础.yaml:2:20", "基础.yaml:3:20", "基础.yaml:5:12"]
    rows = _read(tmp_path, "科普活动:\n" + "  - {名称: 讲座, 参与人数: 30, 类别: 30}\n" * 2).tables[0].rows
    assert [(r.get("参与人数"), r.get("类别"), r.where("类别").render()) for r in rows] == [
        (30, "30", "基础.yaml:2:28"), (30, "30", "基础.yaml:3:28")]
