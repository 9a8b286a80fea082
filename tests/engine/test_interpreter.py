"""The reference interpreter and its explanations, rule shape by rule shape."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from kepu_rules.engine.interpreter import kleene_and, kleene_or, period_buckets, shift_date
from kepu_rules.i18n import Msg
from kepu_rules.reports.model import Status
from tests.engine.util import evaluate, facts, ruleset

STREETS = [{"名称": "甲街道"}, {"名称": "乙街道"}, {"名称": "丙街道"}]


@pytest.mark.parametrize(("a", "b", "both", "either"), [
    (True, True, True, True), (True, False, False, True), (True, None, None, True),
    (False, None, False, None), (None, None, None, None), (False, False, False, False),
])
def test_kleene_truth_table(a: bool | None, b: bool | None, both: bool | None, either: bool | None) -> None:
    assert kleene_and(a, b) == both == kleene_and(b, a)
    assert kleene_or(a, b) == either == kleene_or(b, a)


def test_each_with_count_names_failing_items_and_their_need() -> None:
    rs = ruleset('rule A1 "标识" { 每个 街道 至少有 1 个 科普标识 其中 沿街显要 }')
    fb = facts(rs, {"街道": STREETS, "科普标识": [
        {"编号": "S1", "街道": "甲街道", "沿街显要": True},
        {"编号": "S2", "街道": "乙街道", "沿街显要": False},
    ]})
    out = evaluate(rs, fb)["A1"]
    assert out.status is Status.FAIL
    assert [(i.key, i.need) for i in out.failing] == [("乙街道", 1), ("丙街道", 1)]
    assert out.repair is not None and out.repair.zh == "乙街道、丙街道各增设 1 个科普标识（沿街显要）"
    assert out.failing[0].detail.zh == "1 个，其中符合“沿街显要”的 0 个"
    assert (out.total, out.passing) == (3, 1)


def test_relation_through_a_chain_counts_a_streets_activities_via_its_communities() -> None:
    rs = ruleset('rule A2 "活动" { each 街道 has at least 2 科普活动 }')
    fb = facts(rs, {
        "街道": STREETS[:2],
        "社区": [{"名称": "一社区", "街道": "甲街道"}, {"名称": "二社区", "街道": "甲街道"}, {"名称": "三社区", "街道": "乙街道"}],
        "科普活动": [{"编号": "H1", "社区": "一社区"}, {"编号": "H2", "社区": "二社区"}, {"编号": "H3", "社区": "三社区"}],
    })
    out = evaluate(rs, fb)["A2"]
    assert [(i.key, i.need) for i in out.failing] == [("乙街道", 1)]


def test_coverage_measures_the_share_and_the_smallest_repair() -> None:
    rs = ruleset('rule B1 "覆盖率" scoring proportional points 10 { coverage(社区 where count(科普活动) >= 1) >= 目标 }')
    communities = [{"名称": f"社区{i}", "街道": "甲街道"} for i in range(10)]
    acts = [{"编号": f"H{i}", "社区": f"社区{i}"} for i in range(6)]
    out = evaluate(rs, facts(rs, {"街道": STREETS[:1], "社区": communities, "科普活动": acts}))["B1"]
    assert out.status is Status.FAIL
    assert out.measured == Fraction(6, 10)
    assert out.target == Fraction(4, 5)
    assert out.repair is not None and out.repair.en.startswith("2 more 社区 need to meet")
    assert out.fraction == Fraction(3, 4)
    assert len(out.failing) == 4


def test_missing_value_makes_an_item_unknown_not_failing() -> None:
    rs = ruleset('rule A3 "活动室" { each 社区 has 有科普活动室 }')
    fb = facts(rs, {"街道": STREETS[:1], "社区": [
        {"名称": "一", "街道": "甲街道", "有科普活动室": True},
        {"名称": "二", "街道": "甲街道", "有科普活动室": None},
    ]})
    out = evaluate(rs, fb)["A3"]
    assert out.status is Status.UNKNOWN
    assert [i.key for i in out.unknown_items] == ["二"]


def test_an_entity_no_source_provides_or_with_zero_rows_is_unknown() -> None:
    rs = ruleset('rule D1 "标识" { at least 1 科普标识 }')
    missing = evaluate(rs, facts(rs, {"街道": STREETS}))["D1"]
    assert missing.status is Status.UNKNOWN
    assert "科普标识" in missing.message.en
    empty = evaluate(rs, facts(rs, {"街道": STREETS, "科普标识": []}))["D1"]
    assert empty.status is Status.UNKNOWN
    assert empty.message.render("en") == "no 科普标识 rows were read"
    assert empty.missing == ["科普标识"]


#: Every way a rule reads the rows of 街道; with no 街道 row each could otherwise pass (or fail) vacuously.
OVER_STREETS = {
    "each": 'each 街道 has 人口 > 0',
    "each_count": '每个 街道 至少有 1 个 科普标识',
    "no": 'no 街道 where 人口 > 0',
    "some": 'some 街道',
    "at_most": 'at most 3 街道',
    "at_least": 'at least 1 街道 where 人口 > 0',
    "count": 'count(街道) = 0',
    "coverage": 'coverage(街道 where 人口 > 0) >= 50%',
    "sum": 'sum(街道.人口) >= 0',
    "distinct": 'distinct(街道.人口) contains 1',
    "nested": 'each 经费 has count(街道) >= 0',
}


@pytest.mark.parametrize("body", OVER_STREETS.values(), ids=OVER_STREETS.keys())
def test_rules_over_an_entity_with_zero_rows_could_not_be_checked(body: str) -> None:
    rs = ruleset(f'rule R "r" {{ {body} }}')
    out = evaluate(rs, facts(rs, {"街道": [], "科普标识": [{"编号": "B1"}], "经费": [{"年度": 2026}]}))["R"]
    assert out.status is Status.UNKNOWN, out.message
    assert out.message == Msg("未读到任何 街道 行", "no 街道 rows were read")


def test_a_relation_through_an_empty_entity_could_not_be_checked() -> None:
    rs = ruleset('rule R "r" { each 街道 has count(科普活动) >= 0 }')  # 街道 <- 社区 <- 科普活动
    out = evaluate(rs, facts(rs, {"街道": STREETS, "社区": [], "科普活动": [{"编号": "K1"}]}))["R"]
    assert out.status is Status.UNKNOWN
    assert out.missing == ["社区"]


def test_zero_rows_of_an_entity_the_rule_does_not_quantify_over_do_not_matter() -> None:
    rs = ruleset('rule R "r" { each 街道 has 人口 > 0 }')
    streets = [{"名称": "甲街道", "人口": 3}]
    assert evaluate(rs, facts(rs, {"街道": streets, "社区": []}))["R"].status is Status.PASS


@pytest.mark.parametrize(("body", "status"), [
    ('each 街道 (may be empty) has 人口 > 0', Status.PASS),
    ('每个 街道（可为空） 至少有 1 个 科普标识', Status.PASS),
    ('no 街道 (may be empty) where 人口 > 0', Status.PASS),
    ('some 街道 (may be empty)', Status.FAIL),
    ('at most 3 街道 (may be empty)', Status.PASS),
    ('count(街道 (may be empty)) = 0', Status.PASS),
    ('count(街道 (may be empty) where 人口 > 0) = 0', Status.PASS),
    # A share of nothing is no number, empty or not.
    ('coverage(街道 (may be empty) where 人口 > 0) >= 50%', Status.UNKNOWN),
])
def test_may_be_empty_lets_a_rule_hold_on_an_empty_entity(body: str, status: Status) -> None:
    rs = ruleset(f'rule R "r" {{ {body} }}')
    assert evaluate(rs, facts(rs, {"街道": [], "科普标识": []}))["R"].status is status


def test_may_be_empty_covers_its_own_entity_only() -> None:
    rs = ruleset('rule R "r" { each 街道 (may be empty) has count(科普标识) >= 0 }')
    fb = facts(rs, {"街道": STREETS, "科普标识": []})
    out = evaluate(rs, fb)["R"]
    assert out.status is Status.UNKNOWN
    assert out.missing == ["科普标识"]


def test_may_be_empty_does_not_stand_in_for_an_entity_no_source_provides() -> None:
    rs = ruleset('rule R "r" { no 街道 (may be empty) }')
    out = evaluate(rs, facts(rs, {"社区": []}))["R"]
    assert out.status is Status.UNKNOWN
    assert out.message.en == "no data source provides 街道"


def test_warn_threshold_turns_a_near_miss_into_a_warning() -> None:
    rs = ruleset('rule B1 "覆盖率" warn at 70% { coverage(社区 where 有科普活动室) >= 目标 }')
    communities = [{"名称": f"社区{i}", "街道": "甲街道", "有科普活动室": i < 7} for i in range(10)]
    assert evaluate(rs, facts(rs, {"街道": STREETS[:1], "社区": communities}))["B1"].status is Status.WARN
    communities = [{"名称": f"社区{i}", "街道": "甲街道", "有科普活动室": i < 6} for i in range(10)]
    assert evaluate(rs, facts(rs, {"街道": STREETS[:1], "社区": communities}))["B1"].status is Status.FAIL


def test_applies_when_false_is_not_applicable() -> None:
    rs = ruleset('rule C1 "村" applies when count(社区 where 类型 = "村") > 0 { each 社区 has 有科普活动室 }')
    fb = facts(rs, {"街道": STREETS[:1], "社区": [{"名称": "一", "街道": "甲街道", "类型": "社区", "有科普活动室": False}]})
    assert evaluate(rs, fb)["C1"].status is Status.NOT_APPLICABLE


def test_each_quarter_splits_dated_rows_and_names_the_empty_quarters() -> None:
    rs = ruleset('rule C2 "季度" { each quarter of 2026 has at least 1 科普活动 where 类别 = "专家服务" }')
    acts = [{"编号": f"H{m}", "社区": "一", "日期": dt.date(2026, m, 5), "类别": "专家服务"} for m in (1, 5, 11)]
    fb = facts(rs, {"街道": STREETS[:1], "社区": [{"名称": "一", "街道": "甲街道"}], "科普活动": acts})
    out = evaluate(rs, fb)["C2"]
    assert out.status is Status.FAIL
    assert [i.key for i in out.failing] == ["2026Q3"]


def test_increasing_budget_and_per_capita_arithmetic() -> None:
    rs = ruleset('rule F1 "经费" { increasing(经费, 年度, 金额) and sum(经费.金额) * 10000 / 常住人口 >= 1.0 }')
    rows = [{"年度": 2024, "金额": 30}, {"年度": 2025, "金额": 35}, {"年度": 2026, "金额": 40}]
    assert evaluate(rs, facts(rs, {"经费": rows}, {"常住人口": 1_000_000}))["F1"].status is Status.PASS
    rows[2]["金额"] = 20
    out = evaluate(rs, facts(rs, {"经费": rows}, {"常住人口": 1_000_000}))["F1"]
    assert out.status is Status.FAIL


def test_division_by_zero_is_an_error_not_a_fail() -> None:
    rs = ruleset('rule F2 "人均" { sum(经费.金额) / 常住人口 >= 1 }')
    out = evaluate(rs, facts(rs, {"经费": [{"年度": 2026, "金额": 1}]}, {"常住人口": 0}))["F2"]
    assert out.status is Status.ERROR


def test_set_contains_all_three_heads_per_street() -> None:
    rs = ruleset('rule O2 "三长" { each 街道 has 三长.职务 contains all ["校长", "院长", "站长"] }')
    heads = [{"姓名": f"甲{j}", "街道": "甲街道", "职务": j} for j in ("校长", "院长", "站长")]
    heads += [{"姓名": "乙1", "街道": "乙街道", "职务": "校长"}]
    out = evaluate(rs, facts(rs, {"街道": STREETS[:2], "三长": heads}))["O2"]
    assert [i.key for i in out.failing] == ["乙街道"]


def test_no_with_within_years_before_today() -> None:
    rs = ruleset('rule V2 "事件" severity veto { no 科普活动 where 类别 = "伪科学" and 日期 within 2 years before today }')
    old = {"编号": "E1", "社区": "一", "日期": dt.date(2024, 11, 21), "类别": "伪科学"}
    base = {"街道": STREETS[:1], "社区": [{"名称": "一", "街道": "甲街道"}]}
    assert evaluate(rs, facts(rs, base | {"科普活动": [old]}))["V2"].status is Status.PASS
    recent = dict(old, 编号="E2", 日期=dt.date(2025, 1, 1))
    out = evaluate(rs, facts(rs, base | {"科普活动": [old, recent]}))["V2"]
    assert out.status is Status.FAIL and [i.key for i in out.failing] == ["E2"]


def test_item_compares_by_key() -> None:
    rs = ruleset('rule X1 "甲" { count(社区 where 街道 = "甲街道") = 2 }')
    fb = facts(rs, {"街道": STREETS[:2], "社区": [{"名称": "一", "街道": "甲街道"}, {"名称": "二", "街道": "甲街道"},
                                                  {"名称": "三", "街道": "乙街道"}]})
    assert evaluate(rs, fb)["X1"].status is Status.PASS


def test_calendar_helpers() -> None:
    assert shift_date(dt.date(2024, 2, 29), 1, "years") == dt.date(2023, 2, 28)
    assert shift_date(dt.date(2026, 3, 31), 1, "months") == dt.date(2026, 2, 28)
    assert [b[0] for b in period_buckets("quarter", [2026])] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert period_buckets("month", [2026])[1][2] == dt.date(2026, 2, 28)


def test_a_percent_field_in_a_list_of_percents_checks_and_evaluates() -> None:
    # Found by tests/engine/generated_schemas.py: the checker's percent-slip test crashed on the
    # placeholder it compares a list's elements through.
    schema = 'ruleset t "测试" version "1"\nentity 社区 { key 名称: text; 达标率: percent }\n'
    rs = ruleset('rule R "x" { each 社区 has 达标率 in [80%, 90%] }\n'
                 'rule S "y" { coverage(社区 where 达标率 >= 80%) >= 50% }', schema)
    fb = facts(rs, {"社区": [{"名称": "一", "达标率": Fraction(4, 5)}, {"名称": "二", "达标率": Fraction(1, 2)}]})
    outcomes = evaluate(rs, fb)
    assert outcomes["R"].status is Status.FAIL and [i.key for i in outcomes["R"].failing] == ["二"]
    assert outcomes["S"].status is Status.PASS
