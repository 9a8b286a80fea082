"""YAML loading with positions: spans of keys and values, duplicate keys, and syntax errors as diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kepu_rules.diagnostics import KepuError, Location
from kepu_rules.i18n import Lang, Msg
from kepu_rules.yamlpos import load_yaml, parse_yaml

SAMPLE = """\
district: 示例区
sources:
  - name: 台账
    type: xlsx
    path: "data/台账.xlsx"
  - type: dossier
    sheets: {科普标识: 1}
"""


def _error(text: str, lang: Lang = "en") -> str:
    with pytest.raises(KepuError) as info:
        parse_yaml(text, "kepu.yaml")
    return info.value.render(lang)


def test_positions_of_values_and_keys() -> None:
    doc = parse_yaml(SAMPLE, "kepu.yaml")
    assert doc.data["sources"][0]["path"] == "data/台账.xlsx"
    assert doc.positions[("district",)] == (1, 11)
    assert doc.positions[("sources", 0)] == (3, 5)
    assert doc.positions[("sources", 0, "path")] == (5, 11)
    assert doc.positions[("sources", 1, "sheets", "科普标识")] == (7, 20)
    assert doc.key_spans[("sources", 1, "type")][:2] == (6, 5)


def test_location_spans_the_value_and_falls_back_to_the_nearest_key() -> None:
    doc = parse_yaml(SAMPLE, "kepu.yaml")
    # the quoted value is underlined whole, quotes included
    assert doc.location(("sources", 0, "path")) == Location("kepu.yaml", 5, 11, 5, 25)
    assert doc.location(("sources", 0, "path"), key=True) == Location("kepu.yaml", 5, 5, 5, 9)
    # a key the document lacks points at the key of the mapping that should hold it
    assert doc.location(("sources", 1, "sheets", "街道")) == Location("kepu.yaml", 7, 5, 7, 11)
    assert doc.location(()) == Location("kepu.yaml")


def test_diagnostic_quotes_the_line_with_a_caret_under_the_value() -> None:
    doc = parse_yaml(SAMPLE, "kepu.yaml")
    diag = doc.diagnostic(("sources", 0, "name"), Msg("坏", "bad"))
    assert diag.render("en") == (
        "kepu.yaml:3:11: error: bad\n"
        "      - name: 台账\n"
        "              ^^^^"
    )


def test_duplicate_key_is_an_error_at_the_second_one() -> None:
    text = "district: 示例区\nruleset: national\ndistrict: 别的区\n"
    assert _error(text) == (
        "kepu.yaml:3:1: error: duplicate key `district`: already set on line 1\n"
        "    district: 别的区\n"
        "    ^^^^^^^^\n"
        "    help: YAML would keep only the last one; remove one of them"
    )
    assert _error(text, "zh") == (
        "kepu.yaml:3:1: 错误: 键 `district` 重复：第 1 行已经设置过\n"
        "    district: 别的区\n"
        "    ^^^^^^^^\n"
        "    建议: YAML 只保留最后一个值，请删去其中一个"
    )


def test_duplicate_keys_in_nested_mappings_are_all_reported() -> None:
    text = "a:\n  b: 1\n  b: 2\nc:\n  - d: 1\n    d: 2\n"
    with pytest.raises(KepuError) as info:
        parse_yaml(text, "x.yaml")
    assert [d.location.render() for d in info.value.diagnostics] == ["x.yaml:3:3", "x.yaml:6:5"]


def test_merge_keys_may_be_overridden_without_a_duplicate_error() -> None:
    doc = parse_yaml("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  x: 3\n", "x.yaml")
    assert doc.data["c"] == {"x": 3, "y": 2}


def test_tab_indentation() -> None:
    text = "district: 示例区\nsources:\n\t- type: xlsx\n"
    assert _error(text) == (
        "kepu.yaml:3:1: error: YAML syntax error: a tab character here: YAML needs spaces, not tabs\n"
        "    \t- type: xlsx\n"
        "    ^\n"
        "    help: replace the tab with spaces"
    )
    assert _error(text, "zh") == (
        "kepu.yaml:3:1: 错误: YAML 语法错误：这里有制表符（Tab）：YAML 的缩进和分隔只能用空格\n"
        "    \t- type: xlsx\n"
        "    ^\n"
        "    建议: 把 Tab 换成空格"
    )


def test_unclosed_quote_points_at_the_opening_quote() -> None:
    text = 'district: "示例区\nruleset: national\n'
    assert _error(text) == (
        "kepu.yaml:1:11: error: YAML syntax error: this quote is never closed\n"
        '    district: "示例区\n'
        "              ^\n"
        "    help: close the value with the same quote"
    )
    assert _error(text, "zh") == (
        "kepu.yaml:1:11: 错误: YAML 语法错误：引号没有闭合\n"
        '    district: "示例区\n'
        "              ^\n"
        "    建议: 在值的末尾补上同样的引号"
    )


@pytest.mark.parametrize(("text", "first_line"), [
    ("a: b: c\n", "kepu.yaml:1:5: error: YAML syntax error: a `:` is not allowed here"),
    ("a: 1\nb\nc: 2\n", "kepu.yaml:2:1: error: YAML syntax error: this line has no `:`"),
    ("a:\n  b: 1\n c: 2\n", "kepu.yaml:3:2: error: YAML syntax error: inconsistent indentation: "
                            "this line does not line up with the lines above"),
    ("a: [1, 2\n", "kepu.yaml:1:4: error: YAML syntax error: this `[` is never closed with `]`"),
    ("a: @x\n", "kepu.yaml:1:4: error: YAML syntax error: `@` cannot start a value"),
    ('path: "C:\\data"\n', "kepu.yaml:1:10: error: YAML syntax error: a backslash `\\` in double quotes "
                           "starts an unknown escape"),
    ("a: 1\n---\nb: 2\n", "kepu.yaml:2:1: error: YAML syntax error: only one YAML document is allowed "
                          "(another `---` starts here)"),
    ("a: *x\n", "kepu.yaml:1:4: error: YAML syntax error: this alias refers to an undefined anchor"),
    ("a: !!python/object:os.system x\n", "kepu.yaml:1:4: error: YAML syntax error: unsupported tag "
                                         "`!!python/object:os.system`"),
    ("a: \x07\n", "kepu.yaml:1:4: error: YAML syntax error: the file contains the control character U+0007"),
    ("expires: 2026-02-30\n", "kepu.yaml:1:10: error: `2026-02-30` is not a valid date"),
    ("a: &x\n  b: *x\n", "kepu.yaml:1:4: error: an alias refers to a node that contains it (a loop)"),
])
def test_syntax_errors_are_diagnostics(text: str, first_line: str) -> None:
    assert _error(text).splitlines()[0] == first_line


def test_impossible_date_underlines_the_value() -> None:
    assert _error("expires: 2026-02-30\n", "zh") == (
        "kepu.yaml:1:10: 错误: `2026-02-30` 不是有效的日期\n"
        "    expires: 2026-02-30\n"
        "             ^^^^^^^^^^"
    )


def test_empty_file() -> None:
    assert _error("# 只有注释\n\n") == "kepu.yaml: error: the file is empty: it sets nothing"
    assert parse_yaml("# 只有注释\n", "w.yaml", allow_empty=True).data is None


def test_aliases_are_walked_once() -> None:
    # "billion laughs": nine levels of nine aliases would be 9**9 paths if every alias were walked again
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 9)}]" for i in range(1, 10)]
    doc = parse_yaml("\n".join(lines) + "\n", "x.yaml")
    assert len(doc.spans) < 200


def test_crlf_line_endings_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "k.yaml"
    path.write_bytes("\ufeffa: 1\r\nb: 示例\r\n".encode())
    doc = load_yaml(path, display="k.yaml")
    assert doc.data == {"a": 1, "b": "示例"}
    assert doc.positions[("b",)] == (2, 4)
    assert doc.source_line(2) == "b: 示例"


def test_gb18030_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "k.yaml"
    path.write_bytes("district: 示例区\n".encode("gb18030"))
    assert load_yaml(path).data == {"district": "示例区"}


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KepuError) as info:
        load_yaml(tmp_path / "nope.yaml", display="nope.yaml")
    assert info.value.render("en") == "nope.yaml: error: no such file"
    assert info.value.render("zh") == "nope.yaml: 错误: 文件不存在"


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.sampled_from([*"ab:- \n\t'\"[]{}#&*!|>%@`,?\r", "示例", "2026-02-30", "<<"])).map("".join))
def test_any_text_gives_data_or_a_kepu_error(text: str) -> None:
    try:
        parse_yaml(text, "x.yaml", allow_empty=True)
    except KepuError as exc:
        assert exc.render("zh") and exc.render("en")
