"""Row predicates (kepu_rules/engine/row_predicates.py) are the interpreter's per-row steps as closures:
with them or without them, every outcome is the same, field for field."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kepu_rules import registry
from kepu_rules.dsl.checker import CheckedRuleset
from kepu_rules.engine.evaluate import evaluate_rule
from kepu_rules.engine.explain import Explainer
from kepu_rules.engine.interpreter import Interpreter
from kepu_rules.engine.params import literal_value
from kepu_rules.facts.table import FactBase
from tests.engine.generated import fact_tables, outcome_fields, rules_text
from tests.engine.generated_schemas import world_facts, world_rules, worlds
from tests.engine.util import AS_OF, facts, ruleset


def outcomes(rs: CheckedRuleset, fb: FactBase, row_predicates: bool) -> list[dict]:
    values = {n: literal_value(p.value) for n, p in rs.resolved.params.items()}
    interp = Interpreter(fb, values, AS_OF, registry.functions(), row_predicates=row_predicates)
    explainer = Explainer(interp)
    return [outcome_fields(evaluate_rule(rule, interp, explainer)) for rule in rs.rules.values()]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=rules_text(), data=fact_tables())
def test_closures_and_the_plain_walk_agree(text: str, data: tuple[dict, dict]) -> None:
    rs = ruleset(text)
    fb = facts(rs, *data)
    assert outcomes(rs, fb, row_predicates=True) == outcomes(rs, fb, row_predicates=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_closures_and_the_plain_walk_agree_on_generated_schemas(data: st.DataObject) -> None:
    world = data.draw(worlds())
    rs = ruleset(data.draw(world_rules(world)), world.schema())
    fb = facts(rs, data.draw(world_facts(world)))
    assert outcomes(rs, fb, row_predicates=True) == outcomes(rs, fb, row_predicates=False)


def test_a_missing_param_is_not_folded() -> None:
    # `目标` has a default; a param the interpreter does not know stays a call back into it.
    rs = ruleset('rule R "x" { each 社区 has 有科普活动室 and 街道.人口 >= 100 }')
    fb = facts(rs, {"街道": [{"名称": "甲", "人口": 50}], "社区": [{"名称": "一", "街道": "甲", "有科普活动室": True}]})
    assert outcomes(rs, fb, True) == outcomes(rs, fb, False)


ACTIVITIES = [
    {"编号": "H1", "社区": "一", "日期": AS_OF.replace(month=9, day=1), "类别": "讲座"},  # on the window's edges
    {"编号": "H2", "社区": "一", "日期": AS_OF.replace(month=9, day=30), "类别": None},
    {"编号": "H3", "社区": "二", "日期": None, "类别": "展览"},
    {"编号": "H4", "社区": "二", "日期": AS_OF.replace(month=8, day=31), "类别": "专家服务"},
]


@pytest.mark.parametrize("where", [
    "日期 between 2026-09-01 and 2026-09-30",
    "日期 >= 2026-09-01", "日期 > 2026-09-01", "日期 <= 2026-09-30", "日期 < 2026-09-30",
    '类别 = "讲座"', '类别 != "讲座"', '类别 in ["讲座", "展览"]', '类别 not in ["讲座"]',
    "类别 is missing", "类别 is present", 'not (类别 = "讲座")', '类别 = "讲座" or 日期 is missing', '类别 = "展览" and 日期 >= 2026-01-01',
    "日期 within 1 years before today",
])
def test_each_shape_agrees_on_edges_and_missing_values(where: str) -> None:
    rs = ruleset(f'rule R "x" {{ at least 2 科普活动 where {where} }}\n'
                 f'rule S "y" {{ each 社区 has some 科普活动 where {where} }}')
    fb = facts(rs, {"街道": [{"名称": "甲", "人口": 50}],
                    "社区": [{"名称": "一", "街道": "甲"}, {"名称": "二", "街道": "甲"}], "科普活动": ACTIVITIES})
    assert outcomes(rs, fb, True) == outcomes(rs, fb, False)
