"""GitHub Actions annotations: one command per line, levels by status and severity, escaping per GitHub's rules."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kepu_rules.reports.base import ReportOptions
from kepu_rules.reports.github import GithubReporter, Where, command, escape_data, escape_property
from kepu_rules.reports.model import Report, Severity, Status

PROPERTY = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def render(report: Report) -> list[str]:
    text = GithubReporter().render(report, ReportOptions())
    assert text.endswith("\n")
    return text[:-1].split("\n")


def unescape(text: str) -> str:
    for code, ch in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, ch)
    return text


def test_a_command_per_gap_then_waivers_warnings_and_the_verdict(report_zh: Report) -> None:
    lines = render(report_zh)
    kinds = [line.split(" ", 1)[0].split("::")[1] for line in lines]
    assert kinds == ["error", "warning", "error", "error", "error", "error", "warning", "warning", "warning", "notice"]
    assert lines[0].startswith("::error file=rulesets/national.kepu,line=41,title=A1 每个街道在沿街显要位置设置一处以上科普宣传标识::")
    assert lines[-1].startswith("::notice title=全国科普示范区创建标准（2021-2025） · 天桥区 · 自评 2026-11-22::结论：未达标")


def test_message_carries_items_and_repair(report_zh: Report) -> None:
    a1 = unescape(render(report_zh)[0].split("::", 2)[2])
    assert a1.split("\n") == [
        "未达标 · 0 / 5", "8 个街道中 2 个未达标", "- 北坦街道: 0 处 [台账.xlsx › 科普标识（无记录）]",
        "- 泺口街道: 1 处，不在沿街显要 [台账.xlsx › 科普标识!C7]",
        "补齐：北坦街道、泺口街道各增设 1 处沿街显要的科普宣传标识", "责任：各街道"]


def test_percent_in_messages_is_escaped(report_en: Report) -> None:
    b1 = next(line for line in render(report_en) if "title=B1 " in line)
    assert "coverage 73.3%25 (44 of 60 社区)" in b1


def test_expired_waiver_and_diagnostic_point_at_their_files(report_en: Report) -> None:
    lines = render(report_en)
    assert any(line.startswith("::warning file=waivers.yaml,line=7,title=Expired waivers (not honoured)%3A D1 北坦街道::")
               for line in lines)
    assert any(line.startswith("::warning file=kepu.yaml,line=14,col=11,title=kepu::") for line in lines)


@pytest.mark.parametrize(
    ("status", "severity", "level"),
    [
        (Status.FAIL, Severity.SCORED, "error"), (Status.FAIL, Severity.VETO, "error"),
        (Status.FAIL, Severity.ADVISORY, "warning"), (Status.ERROR, Severity.SCORED, "error"),
        (Status.UNKNOWN, Severity.SCORED, "warning"), (Status.UNKNOWN, Severity.REQUIRED, "error"),
        (Status.UNKNOWN, Severity.VETO, "error"), (Status.WARN, Severity.REQUIRED, "warning"),
    ],
)
def test_levels(report_zh: Report, status: Status, severity: Severity, level: str) -> None:
    rule = report_zh.results[3]
    rule.status, rule.severity = status, severity
    line = next(line for line in render(report_zh) if "title=A1 " in line)
    assert line.startswith(f"::{level} ")


def test_passing_rules_are_silent(report_zh: Report) -> None:
    assert not any("title=M1 " in line for line in render(report_zh))


def test_escaping() -> None:
    assert escape_data("50% a\r\nb:c,d") == "50%25 a%0D%0Ab:c,d"
    assert escape_property("50% a\r\nb:c,d") == "50%25 a%0D%0Ab%3Ac%2Cd"
    assert command("error", "x\ny", [("file", "a,b.kepu"), ("line", "3"), ("title", "")]) == \
        "::error file=a%2Cb.kepu,line=3::x%0Ay"


@pytest.mark.parametrize(
    ("location", "where"),
    [
        ("rulesets/national.kepu:41", Where("rulesets/national.kepu", 41)),
        ("kepu.yaml:14:11", Where("kepu.yaml", 14, 11)),
        ("C:\\kepu\\national.kepu:3", Where("C:\\kepu\\national.kepu", 3)),
        ("档案/媒体报道/", Where("档案/媒体报道/")),
        ("a:b", Where("a:b")),
        (":12", Where(":12")),
        ("", Where("")),
    ],
)
def test_where(location: str, where: Where) -> None:
    assert Where.parse(location) == where


def test_absolute_paths_in_the_workspace_become_relative(report_zh: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_WORKSPACE", "/home/runner/work/district")
    report_zh.results[3].location = "/home/runner/work/district/rulesets/national.kepu:41"
    report_zh.results[4].location = "/opt/kepu/rulesets/national.kepu:48"
    lines = render(report_zh)
    assert lines[0].startswith("::error file=rulesets/national.kepu,line=41,")
    assert any(line.startswith("::error file=/opt/kepu/rulesets/national.kepu,line=48,") for line in lines)


@PROPERTY
@given(data=st.data())
def test_any_report_gives_one_command_per_line(any_report: st.SearchStrategy[Report], data: st.DataObject) -> None:
    report = data.draw(any_report)
    lines = render(report)
    expected = (sum(1 for r in report.gaps() if r.status is not Status.PASS)
                + sum(1 for w in report.waivers if w.expired) + len(report.diagnostics) + 1)
    assert len(lines) == expected
    for line in lines:
        assert line.startswith(("::error", "::warning", "::notice"))
        assert "\r" not in line
        head, sep, _ = line.partition("::")[2].partition("::")
        assert sep  # the message separator is never eaten by a property
        for prop in head.split(" ", 1)[1].split(",") if " " in head else []:
            name, _, value = prop.partition("=")
            assert name in ("file", "line", "col", "title") and ":" not in value
