"""Markdown: a golden report, tables whose cells stay cells whatever the text, and escaped markup."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kepu_rules.reports.base import ReportOptions
from kepu_rules.reports.markdown import MarkdownReporter, fence, md, md_block
from kepu_rules.reports.model import Report

Golden = Callable[[str, str], None]
Build = Callable[[str], Report]
PROPERTY = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def render(report: Report, group_by: str | None = None) -> str:
    return MarkdownReporter().render(report, ReportOptions(group_by=group_by))


def cells(row: str) -> int:
    """The cells of a GFM table row: unescaped pipes, less the outer two, plus one."""
    pipes, escaped = 0, False
    for ch in row:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "|":
            pipes += 1
    return pipes - 1


def outside_fences(text: str) -> list[str]:
    """The lines of a document that are not inside a fenced code block (CommonMark's closing rule)."""
    lines: list[str] = []
    bar = ""
    # only \n ends a line in Markdown; str.splitlines would also split on \x0c, \x85, \u2028 ...
    for line in text.split("\n"):
        run = len(line) - len(line.lstrip("`"))
        if not bar and run >= 3:
            bar = line[:run]
        elif bar and run >= len(bar) and not line[run:].strip():
            bar = ""
        elif not bar:
            lines.append(line)
    return lines


def tables(text: str) -> list[list[str]]:
    found: list[list[str]] = []
    current: list[str] = []
    for line in [*outside_fences(text), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            found.append(current)
            current = []
    return found


def assert_tables_are_rectangular(text: str) -> None:
    for table in tables(text):
        widths = {cells(row) for row in table}
        assert len(widths) == 1, table
        assert set(table[1].replace("|", "").split()) <= {"---", "---:", ":---:"}


@pytest.mark.parametrize(("name", "lang", "group_by"), [("markdown_zh.md", "zh", None), ("markdown_en.md", "en", None),
                                                        ("markdown_zh_by_street.md", "zh", "街道")])
def test_golden(golden: Golden, build: Build, name: str, lang: str, group_by: str | None) -> None:
    golden(name, render(build(lang), group_by))


def test_report_parts(report_zh: Report) -> None:
    text = render(report_zh)
    assert text.startswith("# 全国科普示范区创建标准（2021-2025） 自评报告\n")
    for heading in ("## 结论", "### 按板块得分", "### 按责任单位得分", "## 待改进项（7）", "## 已通过",
                    "## 不适用与豁免", "## 豁免", "## 提示与警告"):
        assert f"\n{heading}\n" in text
    assert "| 北坦街道 | 0 处 | 台账.xlsx › 科普标识（无记录） | 1 |" in text
    assert "**实测**：73.3%　**目标**：≥ 80%" in text
    assert_tables_are_rectangular(text)


def test_pipes_newlines_and_markup_are_escaped(report_zh: Report) -> None:
    item = report_zh.results[3].failing[0]
    item.key, item.detail = "北坦|街道", "第一行\n<script>alert(1)</script>"
    report_zh.results[3].message = "- 不是列表"
    text = render(report_zh)
    assert "| 北坦\\|街道 | 第一行<br>\\<script\\>alert(1)\\</script\\> |" in text
    assert "<script>" not in text
    assert "\n\\- 不是列表\n" in text
    assert_tables_are_rectangular(text)


@pytest.mark.parametrize(("raw", "escaped"), [("a|b", "a\\|b"), ("*x*", "\\*x\\*"), ("[a](b)", "\\[a\\](b)"),
                                              ("a\r\nb", "a<br>b"), ("C:\\x", "C:\\\\x"), ("80%", "80%")])
def test_md(raw: str, escaped: str) -> None:
    assert md(raw) == escaped


@pytest.mark.parametrize(("raw", "escaped"), [("- a", "\\- a"), ("1. a", "1\\. a"), ("  + a", "\\+ a"),
                                              ("=== a", "\\=== a"), ("全国", "全国")])
def test_md_block(raw: str, escaped: str) -> None:
    assert md_block(raw) == escaped


def test_fence_outlasts_backticks_inside() -> None:
    lines = fence("a ```` b")
    assert lines[0] == "`````text" and lines[-1] == "`````"


@PROPERTY
@given(data=st.data(), group_by=st.sampled_from([None, "owner", "section", "街道"]))
def test_any_report_renders_rectangular_tables(any_report: st.SearchStrategy[Report], data: st.DataObject,
                                               group_by: str | None) -> None:
    report = data.draw(any_report)
    text = render(report, group_by)
    assert_tables_are_rectangular(text)
    assert not any(re.search(r"(?<!\\)<script", line) for line in outside_fences(text))
