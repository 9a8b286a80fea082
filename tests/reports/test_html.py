"""HTML: one self-contained, balanced document with inline SVG charts, and user text always escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kepu_rules.reports.base import ReportOptions
from kepu_rules.reports.html import HtmlReporter, bar_chart, gauge
from kepu_rules.reports.model import GroupScore, Report

PROPERTY = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# SVG shapes written self-closing (<rect/>) arrive through handle_startendtag and need no end tag
SVG_EMPTY = {"rect", "line", "circle", "path"}


class Checker(HTMLParser):
    """Collects tags and fails on an end tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID | SVG_EMPTY:
            self.errors.append(f"<{tag}/> is not an empty element")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check(text: str) -> Checker:
    checker = Checker()
    checker.feed(text)
    checker.close()
    assert checker.errors == []
    assert checker.stack == []
    return checker


def render(report: Report, group_by: str | None = None) -> str:
    return HtmlReporter().render(report, ReportOptions(group_by=group_by))


@pytest.mark.parametrize("group_by", [None, "owner", "section", "街道"])
def test_balanced_and_self_contained(report: Report, group_by: str | None) -> None:
    text = render(report, group_by)
    assert text.startswith("<!DOCTYPE html>\n")
    checker = check(text)
    tags = [t for t, _ in checker.tags]
    assert "script" not in tags and "link" not in tags and "img" not in tags and "iframe" not in tags
    assert not any(a.get("src") for _, a in checker.tags)
    assert not any((a.get("href") or "#").startswith(("http", "//")) for _, a in checker.tags)
    assert "@import" not in text and "url(" not in text


def test_language_and_print_styles(report: Report) -> None:
    text = render(report)
    assert f'<html lang="{"zh-CN" if report.lang == "zh" else "en"}">' in text
    assert "@media print" in text and "@page" in text


def test_parts_of_the_report(report_zh: Report) -> None:
    text = render(report_zh)
    plain = "".join(check(text).text)
    for words in ("天桥区 自评报告", "未达标", "得分 29.7 / 47（达标线 40）", "按板块得分", "按责任单位得分",
                  "待改进项（7）", "已通过", "不适用与豁免", "豁免已于 2026-06-30 过期", "提示与警告",
                  "台账.xlsx › 科普标识!C7", "补齐：北坦街道、泺口街道各增设 1 处沿街显要的科普宣传标识"):
        assert words in plain, words


def test_charts(report_zh: Report) -> None:
    text = render(report_zh)
    # the score gauge, one bar chart per grouping, and a gauge for each rule measured against a target
    assert text.count('<svg class="chart"') == 2
    b1 = text.split('id="rule-B1"', 1)[1].split("</article>", 1)[0]
    assert '<svg class="gauge poor"' in b1 and "实测 73.3%" in b1 and "目标 ≥ 80%" in b1
    a1 = text.split('id="rule-A1"', 1)[1].split("</article>", 1)[0]
    assert "<svg" not in a1  # nothing measured against a target: no gauge


def test_user_text_is_escaped(report_zh: Report) -> None:
    rule = report_zh.results[3]
    rule.title = "<script>alert('x')</script>"
    rule.failing[0].key = '"><img src=x onerror=alert(1)>'
    report_zh.summary.sections[0].name = "<b>组织</b>"
    text = render(report_zh)
    assert "<script" not in text and "<img" not in text and "<b>组织" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    check(text)


def test_bar_chart_geometry() -> None:
    svg = bar_chart("t", [GroupScore(name="甲", score=5, max_score=10), GroupScore(name="乙", score=20, max_score=10),
                          GroupScore(name="丙", score=1, max_score=0)], good=0.85)
    widths = [float(w) for w in re.findall(r'class="fill" x="\d+" y="\d+" width="([\d.]+)"', svg)]
    track = float(re.search(r'class="track" x="\d+" y="\d+" width="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    assert widths == [track / 2, track, 0.0]  # over the max is drawn full, a zero max empty


def test_gauge_marks_the_target() -> None:
    svg = gauge("t", 0.733, 1.0, 0.8, "poor", "73.3%", "≥ 80%")
    assert 'class="tick"' in svg and "≥ 80%" in svg


@PROPERTY
@given(data=st.data(), group_by=st.sampled_from([None, "owner", "街道"]))
def test_any_report_renders_balanced_and_escaped(any_report: st.SearchStrategy[Report], data: st.DataObject,
                                                 group_by: str | None) -> None:
    report = data.draw(any_report)
    text = render(report, group_by)
    checker = check(text)
    assert "script" not in [t for t, _ in checker.tags]
