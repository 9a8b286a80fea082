"""The columnar (DuckDB) backend gives the reference interpreter's outcomes, field for field.

The properties run both backends over generated rulesets and fact bases: over the fixed test schema
the way real criteria read (tests/engine/generated.py), and over generated schemas with fields of
every type (tests/engine/generated_schemas.py). The examples below pin what the generators reach
only by chance, and check that the SQL path is really taken, so the differential test is not
comparing the interpreter with itself.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kepu_rules import registry
from kepu_rules.dsl.checker import CheckedRuleset
from kepu_rules.engine.columnar import ColumnarEvaluator
from kepu_rules.engine.columnar.tables import Unusable, decimal_text
from kepu_rules.engine.evaluate import EvalContext, PythonEvaluator
from kepu_rules.engine.params import literal_value
from kepu_rules.facts.table import FactBase
from kepu_rules.reports.model import Status
from tests.engine.generated import fact_tables, outcome_fields, rules_text
from tests.engine.generated_schemas import world_facts, world_rules, worlds
from tests.engine.util import AS_OF, facts, ruleset

pytest.importorskip("duckdb")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "demo-district"


def both(rs: CheckedRuleset, fb: FactBase) -> tuple[dict[str, Any], dict[str, Any], ColumnarEvaluator]:
    values = {n: literal_value(p.value) for n, p in rs.resolved.params.items()}
    context = EvalContext(AS_OF, values, registry.functions())
    columnar = ColumnarEvaluator()
    expected = {o.rule_id: outcome_fields(o) for o in PythonEvaluator().evaluate(rs, fb, context)}
    actual = {o.rule_id: outcome_fields(o) for o in columnar.evaluate(rs, fb, context)}
    return expected, actual, columnar


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=rules_text(), data=fact_tables())
def test_the_columnar_backend_agrees_with_the_interpreter_on_every_field(text: str, data: tuple[dict, dict]) -> None:
    rs = ruleset(text)
    tables, scalars = data
    expected, actual, _ = both(rs, facts(rs, tables, scalars))
    assert actual == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_columnar_backend_agrees_on_generated_schemas(data: st.DataObject) -> None:
    world = data.draw(worlds())
    rs = ruleset(data.draw(world_rules(world)), world.schema())
    expected, actual, _ = both(rs, facts(rs, data.draw(world_facts(world))))
    assert actual == expected


STREETS = [{"名称": "北坦街道", "人口": 1200}, {"名称": "泺口街道", "人口": None}]
COMMUNITIES = [
    {"名称": "甲社区", "街道": "北坦街道", "有科普活动室": True, "类型": "社区"},
    {"名称": "乙社区", "街道": "北坦街道", "有科普活动室": None, "类型": "村"},
    {"名称": "丙社区", "街道": "泺口街道", "有科普活动室": False, "类型": None},
]
ACTIVITIES = [
    {"编号": "H1", "社区": "甲社区", "日期": AS_OF.replace(month=9, day=15), "类别": "讲座"},
    {"编号": "H2", "社区": "甲社区", "日期": None, "类别": "展览"},
    {"编号": "H3", "社区": "丙社区", "日期": AS_OF.replace(month=3, day=1), "类别": None},
    {"编号": "H4", "社区": "乙社区", "日期": AS_OF.replace(year=AS_OF.year - 1), "类别": "讲座"},  # on the window's edge
]


@pytest.mark.parametrize("body", [
    "each 街道 has at least 1 科普活动 where 日期 between 2026-09-01 and 2026-09-30",
    "each 社区 has 有科普活动室",
    "coverage(社区 where some 科普活动 where 类别 = \"讲座\") >= 目标",
    "at most 1 科普活动 where 日期 is missing",
    "no 社区 where 有科普活动室",
    "each 街道 has 人口 >= 1000",
    "each 社区 where 街道.人口 > 1000 has count(科普活动) >= 2",
    "each 街道 has count_distinct(科普活动.类别) >= 2",
    "each quarter of 2026 has at least 1 科普活动 where 类别 = \"讲座\"",
    # nested counts and quantifiers over rows whose `where` is undecided (a missing 类别 or 日期)
    "each 社区 has at most 0 科普活动 where 类别 = \"讲座\"",
    "each 社区 has exactly 1 科普活动 where 类别 = \"展览\"",
    "each 社区 has at least 1 科普活动 where 类别 in [\"讲座\", \"展览\"]",
    "each 社区 has no 科普活动 where 日期 is missing has 类别 = \"展览\"",
    "each 社区 has some 科普活动 where 类别 is missing has 日期 within 1 years before today",
    "each 社区 has each 科普活动 where 类别 = \"讲座\" has 日期 between 2026-01-01 and 2026-12-31",
    "each 街道 has at least 2 科普活动 where year(日期) = 2026",
    "each 社区 has some 科普活动 where 日期 within 1 years before today",
    "each 街道 has min(社区.类型) is missing",
    "each 街道 has max(社区.名称) = \"乙社区\"",
    "each 街道 has 人口 - 200 * 2 > 700 or 人口 is missing",
    "each 街道 has 社区.类型 contains all [\"社区\", \"村\"]",
    "each 街道 has 社区.类型 contains any [\"村\"]",
    "each 社区 where 名称 contains \"甲\" has 街道 = \"北坦街道\"",
])
def test_the_sql_path_is_taken_and_agrees(body: str) -> None:
    rs = ruleset(f'rule R "规则" {{ {body} }}')
    fb = facts(rs, {"街道": STREETS, "社区": COMMUNITIES, "科普活动": ACTIVITIES})
    expected, actual, columnar = both(rs, fb)
    assert actual == expected
    assert columnar.queries >= 1 and columnar.fallbacks == 0


#: Rules over streets and communities, and the entity each is run without a row of.
OVER_EMPTY = [
    ("each 街道 has 人口 >= 1000", "街道"),
    ("no 社区 where 有科普活动室", "社区"),
    ("some 社区", "社区"),
    ("at most 1 社区 where 有科普活动室", "社区"),
    ("coverage(社区 where some 科普活动) >= 目标", "社区"),
    ("coverage(社区 where some 科普活动) >= 目标", "科普活动"),
    ("each 街道 has count(社区) >= 0", "社区"),
    ("each 街道 has at least 1 科普活动", "科普活动"),
    ("each 街道 has at least 1 科普活动", "社区"),  # the relation runs through it
    ("sum(街道.人口) >= 0", "街道"),
    ("each 社区 has no 科普活动 where 类别 = \"讲座\"", "科普活动"),
]


@pytest.mark.parametrize(("body", "empty"), OVER_EMPTY)
def test_both_backends_could_not_check_rules_over_an_empty_entity(body: str, empty: str) -> None:
    rs = ruleset(f'rule R "规则" {{ {body} }}')
    tables = {"街道": STREETS, "社区": COMMUNITIES, "科普活动": ACTIVITIES}
    # References into the empty entity are left blank, so that every reference resolves.
    if empty == "社区":
        tables["科普活动"] = [{k: v for k, v in a.items() if k != "社区"} for a in ACTIVITIES]
    if empty == "街道":
        tables["社区"] = [{k: v for k, v in c.items() if k != "街道"} for c in COMMUNITIES]
    tables[empty] = []
    expected, actual, _ = both(rs, facts(rs, tables))
    assert actual == expected
    assert expected["R"]["status"] is Status.UNKNOWN
    assert expected["R"]["message"].en == f"no {empty} rows were read"


@pytest.mark.parametrize(("body", "status"), [
    ("each 街道 (may be empty) has 人口 >= 1000", Status.PASS),
    ("no 社区 (may be empty) where 有科普活动室", Status.PASS),
    ("at most 1 社区 (may be empty) where 有科普活动室", Status.PASS),
    ("each 街道 has count(社区 (may be empty) where 有科普活动室) = 0", Status.PASS),
    ("each 街道 has at least 1 社区 (may be empty) where 有科普活动室", Status.FAIL),
    ("each 街道 has no 社区 (may be empty) where 有科普活动室", Status.PASS),
])
def test_may_be_empty_runs_in_sql_and_agrees(body: str, status: Status) -> None:
    rs = ruleset(f'rule R "规则" {{ {body} }}')
    expected, actual, columnar = both(rs, facts(rs, {"街道": STREETS if "(may be empty) has" not in body else [],
                                                     "社区": []}))
    assert actual == expected
    assert expected["R"]["status"] is status
    assert columnar.queries >= 1 and columnar.fallbacks == 0


def test_what_sql_cannot_hold_exactly_is_left_to_the_interpreter() -> None:
    rs = ruleset('rule R "经费" { each 经费 has 金额 >= 1 }')
    fb = facts(rs, {"经费": [{"年度": 2025, "金额": Fraction(1, 3)}, {"年度": 2026, "金额": Fraction(5, 2)}]})
    expected, actual, columnar = both(rs, fb)
    assert actual == expected
    assert columnar.fallbacks >= 1


def test_exact_decimals() -> None:
    assert decimal_text(Fraction(5, 2)) == "2.500000000000000000"
    assert decimal_text(-7) == "-7.000000000000000000"
    assert decimal_text(Fraction(-1, 4)) == "-0.250000000000000000"
    for bad in (Fraction(1, 3), 10**21, True, 1.5):
        with pytest.raises(Unusable):
            decimal_text(bad)  # type: ignore[arg-type]


def test_the_example_district_runs_in_sql_with_identical_outcomes() -> None:
    from kepu_rules.config import load_config
    from kepu_rules.engine.assess import load_ruleset, read_sources, resolve_params

    cfg = load_config(EXAMPLE / "kepu.yaml")
    rs = load_ruleset(cfg.resolve_ruleset(registry.rulesets()))
    data, _ = read_sources(cfg, rs)
    fb = FactBase.build(rs.schema, data)
    context = EvalContext(cfg.as_of, resolve_params(rs, cfg, {}), registry.functions())
    columnar = ColumnarEvaluator()
    expected = [outcome_fields(o) for o in PythonEvaluator().evaluate(rs, fb, context)]
    actual = [outcome_fields(o) for o in columnar.evaluate(rs, fb, context)]
    assert actual == expected
    assert columnar.queries >= 30 and columnar.fallbacks == 0
