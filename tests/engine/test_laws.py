"""Laws the evaluator must keep on any data (hypothesis): scores are monotone, waived is never failed,
coverage is a share, and the minimal repair is both enough and minimal."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from kepu_rules.diagnostics import Location
from kepu_rules.reports.model import Status, Verdict
from kepu_rules.waivers import Waiver
from tests.engine.util import evaluate, facts, report, ruleset

SIGN_RULES = {
    mode: ruleset(f'rule A1 "标识" points 10 {scoring} {{ 每个 街道 至少有 2 个 科普标识 其中 沿街显要 }}')
    for mode, scoring in (("all", ""), ("proportional", "scoring proportional"), ("deduct", "scoring deduct 3 per item"))
}
COVERAGE = ruleset('rule B1 "覆盖率" points 10 scoring proportional { coverage(社区 where count(科普活动) >= 1) >= 目标 }')

# A street: how many roadside signs and how many other signs it has.
streets = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), min_size=1, max_size=8)
# A community: how many activities it has.
communities = st.lists(st.integers(0, 2), min_size=1, max_size=15)
targets = st.integers(1, 100).map(lambda p: Fraction(p, 100))


def sign_facts(rs, layout):  # type: ignore[no-untyped-def]
    rows, signs = [], []
    for i, (roadside, other) in enumerate(layout):
        rows.append({"名称": f"街道{i}"})
        signs += [{"编号": f"S{i}-{j}", "街道": f"街道{i}", "沿街显要": j < roadside} for j in range(roadside + other)]
    return facts(rs, {"街道": rows, "科普标识": signs})


def coverage_facts(layout):  # type: ignore[no-untyped-def]
    rows = [{"名称": f"社区{i}", "街道": "甲"} for i in range(len(layout))]
    acts = [{"编号": f"H{i}-{j}", "社区": f"社区{i}"} for i, n in enumerate(layout) for j in range(n)]
    return facts(COVERAGE, {"街道": [{"名称": "甲"}], "社区": rows, "科普活动": acts})


@settings(max_examples=60, deadline=None)
@given(layout=streets, mode=st.sampled_from(sorted(SIGN_RULES)))
def test_adding_a_passing_item_never_lowers_the_score(layout: list[tuple[int, int]], mode: str) -> None:
    rs = SIGN_RULES[mode]
    before = report(rs, sign_facts(rs, layout)).summary.score
    after = report(rs, sign_facts(rs, [*layout, (2, 0)])).summary.score
    assert after >= before


@settings(max_examples=60, deadline=None)
@given(layout=streets, mode=st.sampled_from(sorted(SIGN_RULES)), street=st.integers(0, 7))
def test_adding_evidence_never_lowers_the_score(layout: list[tuple[int, int]], mode: str, street: int) -> None:
    rs = SIGN_RULES[mode]
    i = street % len(layout)
    better = list(layout)
    better[i] = (layout[i][0] + 1, layout[i][1])
    assert report(rs, sign_facts(rs, better)).summary.score >= report(rs, sign_facts(rs, layout)).summary.score


@settings(max_examples=60, deadline=None)
@given(layout=streets, expired=st.booleans())
def test_a_waived_rule_never_counts_as_failed(layout: list[tuple[int, int]], expired: bool) -> None:
    rs = SIGN_RULES["all"]
    expires = dt.date(2026, 1, 1) if expired else dt.date(2027, 1, 1)
    waiver = Waiver(rule="A1", reason="改造", approver="区科协", expires=expires, location=Location("w.yaml", 1, 1))
    rep = report(rs, sign_facts(rs, layout), [waiver])
    result = rep.results[0]
    if expired:
        assert result.status in ((Status.PASS, Status.FAIL) if any(r + o for r, o in layout) else (Status.UNKNOWN,))
        assert result.waiver is not None and result.waiver.expired
    else:
        assert result.status in (Status.PASS, Status.WAIVED)
        assert rep.summary.verdict is Verdict.PASS
        assert result.points == result.max_points


@settings(max_examples=80, deadline=None)
@given(layout=communities, target=targets)
def test_coverage_is_a_share_between_0_and_1(layout: list[int], target: Fraction) -> None:
    out = evaluate(COVERAGE, coverage_facts(layout), {"目标": target})["B1"]
    if not any(layout):  # no activity at all was read: nothing to count them by
        assert out.status is Status.UNKNOWN and out.missing == ["科普活动"]
        return
    assert 0 <= out.measured <= 1
    assert out.measured == Fraction(sum(1 for n in layout if n), len(layout))
    assert 0 <= out.fraction <= 1


def _more_needed(repair_en: str) -> int:
    return int(repair_en.split()[0])


@settings(max_examples=80, deadline=None)
@given(layout=communities, target=targets)
def test_the_coverage_repair_is_enough_and_minimal(layout: list[int], target: Fraction) -> None:
    out = evaluate(COVERAGE, coverage_facts(layout), {"目标": target})["B1"]
    if out.status is Status.PASS or not any(layout):  # without any activity read, it could not be checked
        return
    assert out.repair is not None
    more = _more_needed(out.repair.en)
    uncovered = [i for i, n in enumerate(layout) if n == 0]
    fixed = list(layout)
    for i in uncovered[:more]:
        fixed[i] = 1
    assert evaluate(COVERAGE, coverage_facts(fixed), {"目标": target})["B1"].status is Status.PASS
    if more > 0:
        short = list(layout)
        for i in uncovered[: more - 1]:
            short[i] = 1
        expected = Status.FAIL if any(short) else Status.UNKNOWN
        assert evaluate(COVERAGE, coverage_facts(short), {"目标": target})["B1"].status is expected


@settings(max_examples=60, deadline=None)
@given(layout=streets)
def test_the_per_item_repair_is_enough_and_minimal(layout: list[tuple[int, int]]) -> None:
    rs = SIGN_RULES["all"]
    out = evaluate(rs, sign_facts(rs, layout))["A1"]
    if not any(r + o for r, o in layout):  # no sign was read at all: it could not be checked
        assert out.status is Status.UNKNOWN
        return
    needs = {int(i.key.removeprefix("街道")): int(i.need) for i in out.failing}
    assert (out.status is Status.PASS) == (not needs)
    fixed = [(r + needs.get(i, 0), o) for i, (r, o) in enumerate(layout)]
    assert evaluate(rs, sign_facts(rs, fixed))["A1"].status is Status.PASS
    for i in needs:
        short = list(fixed)
        short[i] = (short[i][0] - 1, short[i][1])
        expected = Status.FAIL if any(r + o for r, o in short) else Status.UNKNOWN
        assert evaluate(rs, sign_facts(rs, short))["A1"].status is expected
