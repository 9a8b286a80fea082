"""The terminal summary: golden texts for every layout, alignment by display width, safety, any report renders."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kepu_rules.diagnostics import display_width
from kepu_rules.i18n import Msg
from kepu_rules.reports.base import Reporter, ReportOptions
from kepu_rules.reports.builtin import all_reporters
from kepu_rules.reports.model import Report, Status
from kepu_rules.reports.text import TextReporter, fit, fmt_num, strip_ansi

Golden = Callable[[str, str], None]
Build = Callable[[str], Report]
PROPERTY = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def render(report: Report, **options: object) -> str:
    return TextReporter().render(report, ReportOptions(**options))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "lang", "options"),
    [
        ("text_zh.txt", "zh", {}),
        ("text_en.txt", "en", {}),
        ("text_zh_verbose.txt", "zh", {"verbose": True}),
        ("text_zh_by_owner.txt", "zh", {"group_by": "owner"}),
        ("text_en_by_section.txt", "en", {"group_by": "section"}),
        ("text_zh_by_street.txt", "zh", {"group_by": "街道"}),
        ("text_zh_color.txt", "zh", {"color": True}),
    ],
)
def test_golden(golden: Golden, build: Build, name: str, lang: str, options: dict[str, object]) -> None:
    golden(name, render(build(lang), **options))


def test_header_states_verdict_score_and_pass_mark(report_zh: Report) -> None:
    lines = render(report_zh).splitlines()
    assert lines[0] == "全国科普示范区创建标准（2021-2025） · 天桥区 · 自评 2026-11-22"
    assert lines[1].startswith("结论：未达标　得分 29.7 / 47（达标线 40）　一票否决项：全部通过")
    assert "无法核查：1 项" in lines[1]


@pytest.mark.parametrize("status", [Status.UNKNOWN, Status.ERROR])
def test_a_veto_that_could_not_be_checked_is_not_said_to_pass(report_zh: Report, status: Status) -> None:
    results = [r.model_copy(update={"status": status}) if r.id == "V1" else r for r in report_zh.results]
    report = report_zh.model_copy(update={"results": results})
    head = render(report).splitlines()[1]
    assert "全部通过" not in head
    assert "一票否决项：V1 无法核查" in head
    english = render(report.model_copy(update={"lang": "en"})).splitlines()[1]
    assert "veto items not checked: V1" in english


def test_gaps_come_first_in_report_order(report_zh: Report) -> None:
    heads = [line for line in render(report_zh).splitlines() if re.match(r"^[✗?E!] \S+ ", line)]
    assert [h.split()[1] for h in heads] == [r.id for r in report_zh.gaps()]


def test_points_align_on_the_slash_by_display_width(report: Report) -> None:
    heads = [line for line in render(report).splitlines() if re.match(r"^[✗?E!] \S+ ", line)]
    columns = {display_width(h[: h.index(" / ")]) for h in heads}
    assert len(columns) == 1


def test_item_columns_align_by_display_width(report_zh: Report) -> None:
    text = render(report_zh)
    rows = [line for line in text.splitlines() if line.startswith("       ") and "台账.xlsx" in line]
    starts = {display_width(r[: r.index("台账.xlsx")]) for r in rows if "北坦街道   " in r or "泺口街道   " in r}
    assert len(starts) == 1


def test_long_item_lists_are_cut_with_a_pointer_to_explain(report: Report) -> None:
    text = render(report)
    expected = "… 另有 6 个（kepu explain B1 查看全部）" if report.lang == "zh" else "… and 6 more (see kepu explain B1)"
    assert expected in text
    assert "制锦16社区" not in text  # the 16th failing community is beyond the first ten


def test_verbose_lists_every_item_and_every_rule(report_zh: Report) -> None:
    text = render(report_zh, verbose=True)
    assert "制锦16社区" in text
    assert "kepu explain B1" not in text
    for rule in report_zh.results:
        assert re.search(rf"^. {rule.id} ", text, re.M), rule.id


def test_unknown_is_never_shown_as_pass_or_fail(report_zh: Report) -> None:
    line = next(line for line in render(report_zh).splitlines() if " D3 " in line)
    assert line.startswith("? D3 ") and "– / 4" in line


def test_colour_only_when_asked(report_zh: Report) -> None:
    plain, coloured = render(report_zh), render(report_zh, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[31m✗\x1b[0m A1" in coloured
    assert strip_ansi(coloured) == plain


def test_escape_sequences_in_ledger_text_cannot_reach_the_terminal(report_zh: Report) -> None:
    report_zh.results[3].failing[0].detail = "\x1b[2J清屏"
    report_zh.results[3].message = "第一行\n第二行\x07"
    text = render(report_zh)
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b[2J清屏" in text
    assert "     第一行\n     第二行\\x07" in text


def test_group_by_entity_lists_each_street_with_what_it_needs(report_zh: Report) -> None:
    text = render(report_zh, group_by="街道")
    block = text.split("【北坦街道】", 1)[1].split("\n\n", 1)[0]
    assert "待改进 4 项" in block
    assert "0 处（需补 1）" in block and "台账.xlsx › 科普标识（无记录）" in block
    assert "2 个社区：北坦01社区、北坦09社区" in block
    assert "【全区（不分街道）】待改进 3 项" in text


def test_group_by_owner_drops_the_owner_column(report_zh: Report) -> None:
    text = render(report_zh, group_by="owner")
    assert "【各街道】得分 5.4 / 13　待改进 3 项" in text
    assert "责任：" not in text


def test_no_gaps(report_en: Report) -> None:
    report = report_en
    report.results = [r for r in report.results if r.status is Status.PASS]
    assert "Nothing to fix." in render(report)


@pytest.mark.parametrize(("value", "text"), [(0, "0"), (5.0, "5"), (7.333, "7.3"), (7.25, "7.3"), (78.5, "78.5"),
                                             (-0.01, "0"), (1e6, "1000000")])
def test_fmt_num(value: float, text: str) -> None:
    assert fmt_num(value) == text


def test_fit_never_splits_a_wide_character() -> None:
    assert fit("每个街道设置标识", 9) == "每个街道…"
    assert display_width(fit("每个街道设置标识", 9)) <= 9
    assert fit("short", 9) == "short"


@PROPERTY
@given(data=st.data(), verbose=st.booleans(), color=st.booleans(),
       group_by=st.sampled_from([None, "owner", "section", "街道", "社区"]))
def test_any_report_renders(any_report: st.SearchStrategy[Report], data: st.DataObject, verbose: bool,
                            color: bool, group_by: str | None) -> None:
    report = data.draw(any_report)
    text = render(report, verbose=verbose, color=color, group_by=group_by)
    assert text.endswith("\n")
    if not color:
        assert "\x1b" not in text
    assert "\r" not in text and "\x00" not in text


# -- the set of built-in formats ------------------------------------------------------------------------


def test_all_reporters_are_complete_and_distinct(report: Report) -> None:
    reporters = all_reporters()
    formats = [r.format for r in reporters]
    assert formats == ["text", "json", "junit", "markdown", "html", "github"]
    assert [r.extension for r in reporters] == [".txt", ".json", ".xml", ".md", ".html", ".txt"]
    for cls in reporters:
        assert issubclass(cls, Reporter)
        assert isinstance(cls.description, Msg) and cls.description.zh and cls.description.en
        assert cls().render(report, ReportOptions()).endswith("\n")


def test_verbose_states_the_rows_read_per_file_and_sheet(report: Report) -> None:
    from kepu_rules.reports.model import ReadInfo

    report.reads = [ReadInfo(source="台账", entity="街道", file="data/台账.xlsx", sheet="街道", rows=8,
                             where="data/台账.xlsx[街道]"),
                    ReadInfo(source="科普活动", entity="科普活动", file="data/科普活动.csv", rows=0, where="data/科普活动.csv")]
    text = render(report, verbose=True)
    if report.lang == "zh":
        assert "读取的数据\n  data/台账.xlsx[街道]：8 行（街道）\n  data/科普活动.csv：0 行（科普活动）\n" in text
    else:
        assert "Data read\n  data/台账.xlsx[街道]: 8 rows (街道)\n  data/科普活动.csv: 0 rows (科普活动)\n" in text
    assert "data/台账.xlsx[街道]" not in render(report)
