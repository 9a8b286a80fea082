"""Build a checked ruleset and a fact base from inline text and dicts, and evaluate them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from kepu_rules import registry
from kepu_rules.config import ProjectConfig
from kepu_rules.dsl.checker import CheckedRuleset, check
from kepu_rules.dsl.parse import parse
from kepu_rules.engine.assess import Assessment
from kepu_rules.engine.evaluate import EvalContext, Outcome, PythonEvaluator
from kepu_rules.engine.params import literal_value
from kepu_rules.engine.resolve import merge
from kepu_rules.facts.provenance import Provenance
from kepu_rules.facts.table import FactBase, FactTable, Row, ScalarFact, SourceData
from kepu_rules.reports.model import Report
from kepu_rules.waivers import Waiver

AS_OF = dt.date(2026, 11, 22)

SCHEMA = """\
ruleset t "测试" version "1"
param 目标 = 80%
entity 街道 { key 名称: text; 人口: integer }
entity 社区 { key 名称: text; 街道 -> 街道; 有科普活动室: bool; 类型: text }
entity 科普标识 { key 编号: text; 街道 -> 街道; 沿街显要: bool }
entity 科普活动 { key 编号: text; 社区 -> 社区; 日期: date; 类别: text }
entity 经费 { key 年度: integer; 金额: number }
entity 三长 { key 姓名: text; 街道 -> 街道; 职务: text }
fact 常住人口: integer
"""


def ruleset(rules: str, schema: str = SCHEMA) -> CheckedRuleset:
    return check(merge([parse(schema + 'section "s" {\n' + rules + "\n}\n", "t.kepu")]))


def facts(rs: CheckedRuleset, tables: dict[str, list[dict[str, Any]]], scalars: dict[str, Any] | None = None) -> FactBase:
    data = []
    for entity, rows in tables.items():
        built = [Row(entity, dict(r), Provenance("test", "t.yaml", line=i + 1)) for i, r in enumerate(rows)]
        data.append(FactTable(entity, built))
    sc = [ScalarFact(k, v, Provenance("test", "t.yaml")) for k, v in (scalars or {}).items()]
    return FactBase.build(rs.schema, [SourceData(data, sc)])


def evaluate(rs: CheckedRuleset, fb: FactBase, params: dict[str, Any] | None = None) -> dict[str, Outcome]:
    values = {n: literal_value(p.value) for n, p in rs.resolved.params.items()} | (params or {})
    outs = PythonEvaluator().evaluate(rs, fb, EvalContext(AS_OF, values, registry.functions()))
    return {o.rule_id: o for o in outs}


def report(rs: CheckedRuleset, fb: FactBase, waivers: list[Waiver] | None = None, pass_mark: float | None = None) -> Report:
    outcomes = list(evaluate(rs, fb).values())
    cfg = ProjectConfig(path=Path("kepu.yaml"), base_dir=Path("."), district="测试区", ruleset="t.kepu", as_of=AS_OF, pass_mark=pass_mark)
    values = {n: literal_value(p.value) for n, p in rs.resolved.params.items()}
    return Assessment(cfg, rs, fb, outcomes, waivers or [], values, AS_OF).report("zh")
