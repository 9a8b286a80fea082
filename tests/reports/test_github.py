"""GitHub Actions annotations: one command per line, levels by status and severity, escaping per GitHub's rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kepu_rules.diagnostics import Diagnostic, Location
from kepu_rules.i18n import Msg
from kepu_rules.reports.base import ReportOptions
from kepu_rules.reports.ci_paths import CiPaths
from kepu_rules.reports.github import (
    GithubReporter,
    Where,
    command,
    escape_data,
    escape_property,
    input_error_command,
)
from kepu_rules.reports.model import ItemResult, Report, Severity, SourceRef, Status
from kepu_rules.rulesets_dir import builtin_rulesets

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
    # A1 fails on ledger cells: it is annotated on the workbook (GitHub has no line in a workbook; the
    # message names each sheet and cell). A rule with no item keeps its own line.
    assert lines[0].startswith("::error file=台账.xlsx,title=A1 每个街道在沿街显要位置设置一处以上科普宣传标识::")
    assert lines[-1].startswith("::notice title=全国科普示范区创建标准（2021-2025） · 天桥区 · 自评 2026-11-22::结论：未达标")


def test_message_carries_items_and_repair(report_zh: Report) -> None:
    a1 = unescape(render(report_zh)[0].split("::", 2)[2])
    assert a1.split("\n") == [
        "未达标 · 0 / 5", "8 个街道中 2 个未达标", "- 北坦街道: 0 处 [台账.xlsx › 科普标识（无记录）]",
        "- 泺口街道: 1 处，不在沿街显要 [台账.xlsx › 科普标识!C7]",
        "补齐：北坦街道、泺口街道各增设 1 处沿街显要的科普宣传标识", "责任：各街道",
        "规则定义于 rulesets/national.kepu:41"]


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
        ("data/台账.xlsx[街道]!C4", Where("data/台账.xlsx", sheet="街道", cell="C4")),
        ("data/台账[1].xlsx[社区（村）]", Where("data/台账[1].xlsx", sheet="社区（村）")),
        ("data/a[1].csv", Where("data/a[1].csv")),
        (":12", Where(":12")),
        ("", Where("")),
    ],
)
def test_where(location: str, where: Where) -> None:
    assert Where.parse(location) == where


def test_rules_are_named_relative_to_the_repository_or_by_their_bundled_name(
        report_zh: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "district"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub").mkdir()
    monkeypatch.chdir(repo / "sub")  # the root is found from any folder inside the checkout
    bundled = builtin_rulesets()["national"]
    d3 = next(r for r in report_zh.results if r.id == "D3")
    b3 = next(r for r in report_zh.results if r.id == "B3")
    assert not d3.failing and not b3.failing  # annotated on the rule's own line
    d3.location = f"{repo}/rulesets/custom.kepu:41"
    b3.location = f"{bundled}:48"
    lines = render(report_zh)
    assert any(" file=rulesets/custom.kepu,line=41,title=D3 " in line for line in lines)
    assert any(" file=national.kepu,line=48,title=B3 " in line for line in lines)
    assert str(tmp_path) not in "".join(lines) and str(bundled.parent) not in "".join(lines)
    # An absolute path outside the checkout that is no bundled ruleset: its name only.
    d3.location = "/opt/kepu/rules/local.kepu:3"
    assert any(" file=local.kepu,line=3,title=D3 " in line for line in render(report_zh))


def test_a_gap_on_csv_rows_is_annotated_on_the_first_row(report_zh: Report) -> None:
    rule = next(r for r in report_zh.results if r.id == "D3")
    ref = SourceRef(text="data/科普活动.csv:421", source="科普活动", file="data/科普活动.csv", line=421)
    rule.failing = [ItemResult(entity="科普活动", key="KP2026-0420", detail="参与人数 5", source=ref.text, sources=[ref])]
    rule.location = "rulesets/national.kepu:77"
    line = next(line for line in render(report_zh) if "title=D3 " in line)
    assert line.startswith("::warning file=data/科普活动.csv,line=421,title=D3 ")  # could not check: a warning
    message = unescape(line.split("::", 2)[2]).split("\n")
    assert "- KP2026-0420: 参与人数 5 [data/科普活动.csv:421]" in message
    assert message[-1] == "规则定义于 rulesets/national.kepu:77"


def test_input_errors_are_annotated_on_their_cell() -> None:
    paths = CiPaths(Path("/repo"), Path("/repo/district"), Path("/repo"))
    bad_date = Diagnostic(Location("data/科普活动.csv", 421, 5), Msg("日期：无法将“2026-13-45”识别为日期", "date: x"),
                          hint=Msg("请填写日期，如 2026-09-15", "write a date"), code="bad-value")
    assert input_error_command(bad_date, "zh", paths) == (
        "::error file=district/data/科普活动.csv,line=421,col=5,title=kepu 输入错误 (bad-value)::"
        "日期：无法将“2026-13-45”识别为日期%0A建议：请填写日期，如 2026-09-15")
    cell = Diagnostic(Location("data/台账.xlsx", sheet="街道", cell="C4"), Msg("人口：应为数字", "population: not a number"),
                      severity="warning")
    assert input_error_command(cell, "en", paths) == (
        "::warning file=district/data/台账.xlsx,title=kepu input error::sheet 街道, cell C4: population: not a number")
    odd = Diagnostic(Location("a,b:c%.kepu", 2), Msg("x", "50%\r\nnext"), severity="note")
    assert input_error_command(odd, "en", paths) == (
        "::notice file=district/a%2Cb%3Ac%25.kepu,line=2,title=kepu input error::50%25%0D%0Anext")


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


_AWKWARD = st.text(alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from(list("%:,\r\n[]\\/"))), max_size=12)


@PROPERTY
@given(path=_AWKWARD, message=_AWKWARD, hint=st.none() | _AWKWARD, line=st.none() | st.integers(1, 10**6),
       column=st.none() | st.integers(1, 999), sheet=st.none() | _AWKWARD,
       severity=st.sampled_from(["error", "warning", "note"]))
def test_any_input_error_is_one_command_whose_properties_end_where_they_should(
        path: str, message: str, hint: str | None, line: int | None, column: int | None, sheet: str | None,
        severity: str) -> None:
    location = Location(path, line, column) if sheet is None else Location(path, sheet=sheet, cell="B2")
    diag = Diagnostic(location, Msg(message, message), severity=severity,  # type: ignore[arg-type]
                      hint=Msg(hint, hint) if hint is not None else None)
    text = GithubReporter().render_input_errors([diag], "en", ReportOptions())
    assert text is not None and text.endswith("\n") and text.count("\n") == 1 and "\r" not in text
    head, sep, body = text[2:-1].partition("::")
    assert sep and head.split(" ", 1)[0] == {"error": "error", "warning": "warning", "note": "notice"}[severity]
    for prop in head.split(" ", 1)[1].split(",") if " " in head else []:
        name, _, value = prop.partition("=")
        assert name in ("file", "line", "col", "title") and ":" not in value
    assert unescape(body).startswith(f"sheet {sheet}, cell B2: {message}" if sheet is not None else message)
