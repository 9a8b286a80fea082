"""JUnit XML: parsed back with ElementTree, the counts agree with the testcases and the statuses."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kepu_rules.reports.base import ReportOptions
from kepu_rules.reports.junit import JunitReporter
from kepu_rules.reports.model import Report, Status

PROPERTY = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse(report: Report) -> ET.Element:
    return ET.fromstring(JunitReporter().render(report, ReportOptions()))


def case(root: ET.Element, rule_id: str) -> ET.Element:
    return next(c for c in root.iter("testcase") if c.get("name", "").startswith(f"{rule_id} "))


def assert_counts_agree(root: ET.Element) -> None:
    """Every count attribute equals the children it counts, per suite and in total."""
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        counted = {"tests": len(cases), "failures": sum(c.find("failure") is not None for c in cases),
                   "errors": sum(c.find("error") is not None for c in cases),
                   "skipped": sum(c.find("skipped") is not None for c in cases)}
        assert {k: int(suite.get(k, "-1")) for k in counted} == counted
        for k, v in counted.items():
            totals[k] += v
    assert {k: int(root.get(k, "-1")) for k in totals} == totals


def test_counts(report: Report) -> None:
    root = parse(report)
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "13", "failures": "4", "errors": "2", "skipped": "2"}
    assert_counts_agree(root)


def test_one_suite_per_section(report_zh: Report) -> None:
    root = parse(report_zh)
    assert [s.get("name") for s in root.iter("testsuite")] == ["组织管理", "阵地建设", "活动开展", "档案资料"]
    for suite in root.iter("testsuite"):
        assert {c.get("classname") for c in suite.iter("testcase")} == {suite.get("name")}


def test_failure_carries_explanation_items_and_repair(report_zh: Report) -> None:
    a1 = case(parse(report_zh), "A1")
    assert a1.get("name") == "A1 每个街道在沿街显要位置设置一处以上科普宣传标识"
    assert (a1.get("file"), a1.get("line")) == ("rulesets/national.kepu", "41")
    failure = a1.find("failure")
    assert failure is not None and failure.get("message") == "8 个街道中 2 个未达标"
    text = failure.text or ""
    assert "泺口街道: 1 处，不在沿街显要  [台账.xlsx › 科普标识!C7]" in text
    assert "补齐：北坦街道、泺口街道各增设 1 处沿街显要的科普宣传标识" in text


def test_unknown_is_an_error_so_ci_notices(report_en: Report) -> None:
    error = case(parse(report_en), "D3").find("error")
    assert error is not None and error.get("type") == "unknown"
    e1 = case(parse(report_en), "E1").find("error")
    assert e1 is not None and e1.get("type") == "error"


def test_not_applicable_and_waived_are_skipped(report_en: Report) -> None:
    root = parse(report_en)
    m2, a3 = case(root, "M2").find("skipped"), case(root, "A3").find("skipped")
    assert m2 is not None and m2.get("message") == "not applicable: the district has no townships"
    assert a3 is not None and "gallery removed during renovation" in (a3.get("message") or "")


def test_pass_and_warn_pass(report_en: Report) -> None:
    root = parse(report_en)
    assert len(case(root, "M1")) == 0
    b3 = case(root, "B3")
    assert [child.tag for child in b3] == ["system-out"]


def test_markup_and_controls_in_user_text_survive(report_zh: Report) -> None:
    rule = report_zh.results[3]
    rule.title = '<script>alert("x")</script> & ]]>'
    rule.message = "第一行\n第二行\x00\x1b"
    failure = case(parse(report_zh), "A1").find("failure")
    assert case(parse(report_zh), "A1").get("name") == 'A1 <script>alert("x")</script> & ]]>'
    assert failure is not None and failure.get("message") == "第一行\n第二行\ufffd\ufffd"
    assert rule.status is Status.FAIL


@PROPERTY
@given(data=st.data())
def test_any_report_parses_back(any_report: st.SearchStrategy[Report], data: st.DataObject) -> None:
    report = data.draw(any_report)
    root = parse(report)
    assert int(root.get("tests", "-1")) == len(report.results)
    assert_counts_agree(root)
