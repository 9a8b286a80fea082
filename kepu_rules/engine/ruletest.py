"""Rule unit tests (`kepu test`): small inline fixtures that must make a rule pass or fail, like `opa test`.

A test file is YAML beside the ruleset::

    ruleset: ../national.kepu        # relative to this file (or a built-in name)
    as_of: 2026-11-22
    params: {科普日覆盖率目标: 80%}  # optional, for every case
    cases:
      - name: 每个街道都有沿街标识
        rule: A1
        facts:                        # rows by entity; an entity left out has no source (rules over it: unknown)
          街道: [{名称: 甲街道}]
          科普标识: [{街道: 甲街道, 沿街显要: 是}]
        scalars: {常住人口: 120000}   # optional district-level facts
        expect: pass                  # pass | fail | warn | unknown | not_applicable | error
        failing: [乙街道]             # optional: exactly these item keys fail
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.dsl.checker import CheckedRuleset, coverage_targets
from kepu_rules.engine.evaluate import EvalContext, Evaluator, Outcome, PythonEvaluator
from kepu_rules.engine.params import coverage_target_problem, parse_param
from kepu_rules.facts.coerce import coerce, ref_type_of
from kepu_rules.facts.provenance import Provenance
from kepu_rules.facts.table import FactBase, FactTable, Row, ScalarFact, SourceData
from kepu_rules.i18n import Msg
from kepu_rules.reports.model import Status
from kepu_rules.suggest import nearest
from kepu_rules.yamlpos import YamlDocument, load_yaml


@dataclass(slots=True)
class CaseResult:
    file: str
    name: str
    rule: str
    expected: str
    outcome: Outcome
    ok: bool
    why: Msg
    location: Location


def run_file(path: Path, evaluator: Evaluator | None = None) -> list[CaseResult]:
    """Run every case of one test file (with the reference interpreter unless another `evaluator` is
    given: the tests compare backends on these cases). Raises KepuError for a malformed file."""
    from kepu_rules import registry
    from kepu_rules.dsl.checker import check
    from kepu_rules.engine.resolve import locate_ruleset, resolve

    doc = load_yaml(path)
    data = doc.data
    if not isinstance(data, dict) or "cases" not in data or "ruleset" not in data:
        raise KepuError(Diagnostic(Location(str(path), 1, 1), Msg("测试文件应有 ruleset 与 cases 两项", "a test file needs `ruleset` and `cases`")))
    ruleset = check(resolve(locate_ruleset(str(data["ruleset"]), path.parent)))
    as_of = data.get("as_of") or dt.date.today()
    if not isinstance(as_of, dt.date):
        raise KepuError(doc.diagnostic(("as_of",), Msg("as_of 应为日期，如 2026-11-22", "as_of must be a date such as 2026-11-22")))
    functions = registry.functions()
    results: list[CaseResult] = []
    problems: list[Diagnostic] = []
    for i, case in enumerate(data.get("cases") or []):
        try:
            results.append(_run_case(doc, ruleset, ("cases", i), case, data.get("params") or {}, as_of, functions,
                                     evaluator or PythonEvaluator()))
        except KepuError as err:
            problems.extend(err.diagnostics)
    if problems:
        raise KepuError(problems)
    return results


def _run_case(doc: YamlDocument, ruleset: CheckedRuleset, at: tuple[Any, ...], case: Any, shared_params: dict[str, Any],
              as_of: dt.date, functions: dict[str, Any], evaluator: Evaluator) -> CaseResult:
    if not isinstance(case, dict) or "rule" not in case or "expect" not in case:
        raise KepuError(doc.diagnostic(at, Msg("每个用例需要 rule 与 expect", "each case needs `rule` and `expect`")))
    rule_id = str(case["rule"])
    rule = ruleset.rules.get(rule_id)
    if rule is None:
        best = nearest(rule_id, ruleset.rules)
        raise KepuError(doc.diagnostic((*at, "rule"), Msg(f"没有规则 {rule_id}", f"no rule {rule_id!r}"),
                                       hint=Msg(f"是不是 {best}？", f"did you mean {best}?") if best else None))
    expected = str(case["expect"])
    if expected not in {s.value for s in Status}:
        raise KepuError(doc.diagnostic((*at, "expect"), Msg(f"未知状态 {expected}", f"unknown status {expected!r}"),
                                       hint=Msg("应为 pass、fail、warn、unknown、not_applicable 或 error",
                                                "expected pass, fail, warn, unknown, not_applicable or error")))
    facts = _facts(doc, ruleset, at, case, as_of)
    params = {name: _param_default(pv.value) for name, pv in ruleset.resolved.params.items()}
    single = CheckedRuleset(ruleset.resolved, ruleset.schema, {rule_id: rule}, ruleset.param_types)
    targets = coverage_targets(single)
    for name, raw in {**shared_params, **(case.get("params") or {})}.items():
        if name not in ruleset.param_types:
            raise KepuError(doc.diagnostic((*at, "params", name), Msg(f"规则集没有参数 {name}", f"the ruleset has no param {name!r}"), key=True))
        where = doc.location((*at, "params", name))
        params[name] = parse_param(raw, ruleset.param_types[name], where, name)
        out_of_range = coverage_target_problem(params[name], where, name, rule_id) if name in targets else None
        if out_of_range is not None:
            raise KepuError(out_of_range)
    outcome = evaluator.evaluate(single, facts, EvalContext(as_of, params, functions))[0]
    ok = outcome.status.value == expected
    why = Msg(f"期望 {expected}，实际 {outcome.status.value}：", f"expected {expected}, got {outcome.status.value}: ") + outcome.message
    if ok and "failing" in case:
        want = sorted(str(k) for k in case["failing"] or [])
        got = sorted(i.key for i in outcome.failing)
        if want != got:
            ok = False
            why = Msg(f"未达标项应为 {want}，实际 {got}", f"failing items should be {want}, got {got}")
    name = str(case.get("name") or f"{rule_id} {expected}")
    return CaseResult(doc.path, name, rule_id, expected, outcome, ok, why, doc.location(at))


def _param_default(value: Any) -> Any:
    from kepu_rules.engine.params import literal_value

    return literal_value(value)


def _facts(doc: YamlDocument, ruleset: CheckedRuleset, at: tuple[Any, ...], case: dict[str, Any], as_of: dt.date) -> FactBase:
    schema = ruleset.schema
    tables: list[FactTable] = []
    for entity_name, rows in (case.get("facts") or {}).items():
        entity = schema.entity(str(entity_name))
        if entity is None:
            best = nearest(str(entity_name), schema.entities)
            raise KepuError(doc.diagnostic((*at, "facts", entity_name), Msg(f"未知实体 {entity_name}", f"unknown entity {entity_name!r}"),
                                           key=True, hint=Msg(f"是不是 {best}？", f"did you mean {best}?") if best else None))
        table_rows: list[Row] = []
        for j, raw_row in enumerate(rows or []):
            here = (*at, "facts", entity_name, j)
            loc = doc.location(here)
            prov = Provenance("test", doc.path, line=loc.line, column=loc.column)
            values: dict[str, Any] = {}
            for header, raw in (raw_row or {}).items():
                fdef = entity.field_by_header(str(header))
                if fdef is None:
                    best = nearest(str(header), entity.fields)
                    raise KepuError(doc.diagnostic((*here, header), Msg(f"{entity.name} 没有字段 {header}", f"{entity.name} has no field {header!r}"),
                                                   key=True, hint=Msg(f"是不是 {best}？", f"did you mean {best}?") if best else None))
                values[fdef.name] = coerce(raw, fdef, prov, ref_type=ref_type_of(fdef, schema))
            table_rows.append(Row(entity.name, values, prov))
        tables.append(FactTable(entity.name, table_rows, "test", file=doc.path))
    scalars: list[ScalarFact] = []
    for name, raw in (case.get("scalars") or {}).items():
        sdef = schema.scalar(str(name))
        if sdef is None:
            raise KepuError(doc.diagnostic((*at, "scalars", name), Msg(f"未知指标 {name}", f"unknown scalar fact {name!r}"), key=True))
        loc = doc.location((*at, "scalars", name))
        prov = Provenance("test", doc.path, line=loc.line, column=loc.column)
        scalars.append(ScalarFact(sdef.name, coerce(raw, sdef, prov), prov))
    from kepu_rules.facts.asof import facts_as_of

    # As in an assessment, rows of a dated entity dated after the case's as_of do not exist.
    return facts_as_of(schema, [SourceData(tables, scalars)], as_of)
