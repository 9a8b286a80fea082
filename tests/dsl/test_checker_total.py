"""Every checker path answers with a diagnostic: generated and mutated rulesets (out-of-range values in
every metadata slot, params of every type set to every kind of literal, operands swapped and
mismatched) go through parse, resolve, check and evaluation, and through `kepu lint`, and nothing but
a KepuError ever comes out; every diagnostic has a position and renders in both languages."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kepu_rules.cli import cli
from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.dsl import ir as I
from kepu_rules.dsl.ast import RulesetFile
from kepu_rules.dsl.checker import check
from kepu_rules.dsl.formatter import format_ruleset
from kepu_rules.dsl.parse import parse
from kepu_rules.engine.params import parse_param
from kepu_rules.engine.resolve import merge
from tests.dsl.strategies import rulesets as any_rulesets
from tests.engine.generated_schemas import Entity, World, condition, literal, world_facts, world_rules, worlds
from tests.engine.util import facts, report

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: One param of every type the language has; overlays then set each to literals of every kind.
PARAMS = {"p_int": "3", "p_num": "1.5", "p_pct": "50%", "p_text": '"甲"', "p_date": "2026-06-30", "p_bool": "true",
          "p_list": '["甲", "乙"]', "p_nums": "[1, 2]"}
#: Every kind of literal, in and out of the range the slot it lands in accepts.
LITERALS = ("0", "1", "-5", "5", "0.5", "1000000000", "0%", "100%", "130%", "-0", '"甲"', '""', "2026-02-30", "2026-06-30",
            "true", "false", "[]", '["甲"]', "[1, 50%]", "[1, 2]", "today")
#: Metadata slots, each with the values it may be given: in range, out of range, of another type. The
#: grammar already refuses some (a negative points, a percent as points); most reach the checker.
NUMBERS = ("0", "0.5", "2", "130", "1000000000")
THRESHOLDS = ("-5", "0", "0.5", "2", "1", "130", "130%", "100%", "0%", "50%", "门槛", "未知参数", *PARAMS)
METAS = {
    "points": ("points {v}", NUMBERS),
    "warn": ("warn at {v}", THRESHOLDS),
    "threshold": ("threshold {v}", THRESHOLDS),
    "scoring": ("scoring deduct {v} per item", NUMBERS),
    "proportional": ("scoring proportional", ("",)),
    "severity": ("severity {v}", ("veto", "required", "advisory", "可选")),
    "due": ("due {v}", ("2026-12-31", "2020-01-01")),
    "tier": ("tier {v}", ("A", "SEED", "Z")),
    "applies": ("applies when {v}", ("p_bool", "p_int > 1", "p_text", "门槛 >= 50%", "count(E0) > p_pct")),
}
OPS = ("=", "!=", "<", "<=", ">", ">=", "不低于", "低于")


@st.composite
def mutated_rule(draw: st.DrawFn, world: World) -> str:
    """A rule body that is often wrong: operands of any type on either side of any operator."""
    e: Entity = draw(st.sampled_from(world.entities))
    name, kind = draw(st.sampled_from(e.fields))
    value = draw(st.one_of(st.sampled_from(LITERALS), st.sampled_from(list(PARAMS)), st.just("门槛"),
                          literal(kind) if kind != "bool" else st.sampled_from(("true", "false"))))
    op = draw(st.sampled_from(OPS))
    cond = draw(condition(e))
    shapes = [
        f"each {e.name} has {name} {op} {value}",
        f"each {e.name} has {value} {op} {name}",
        f"{value} {op} coverage({e.name} where {cond})",
        f"coverage({e.name} where {cond}) {op} {value}",
        f"count({e.name}) {op} {value}",
        f"{value} {op} count({e.name} where {cond})",
        f"each {e.name} has {name} between {value} and {draw(st.sampled_from(LITERALS))}",
        f"each {e.name} has {name} in [{value}]",
        f"at least {value} {e.name} where {cond}",
        f"sum({e.name}.{name}) {op} {value}",
        f"each {e.name} where {cond} has {name} is present and {value} {op} 1",
        f"no {e.name} where {cond} or count({e.name}) {op} {value}",
    ]
    return draw(st.sampled_from(shapes))


@st.composite
def rulesets(draw: st.DrawFn) -> tuple[World, str, str]:
    """A base ruleset (a generated world, its rules, mutated rules, metadata of every sort) and an
    overlay that sets params and overrides rules with values of every kind."""
    world = draw(worlds())
    lines = [world.schema()]
    lines += [f"param {n} = {v}" for n, v in PARAMS.items()]
    rules = draw(world_rules(world)).splitlines()
    rules += [f'rule M{i} "变异{i}" {{ {draw(mutated_rule(world))} }}' for i in range(draw(st.integers(0, 3)))]
    with_meta = []
    for rule in rules:
        meta = " ".join(draw(_meta(slot)) for slot in draw(st.lists(st.sampled_from(list(METAS)), max_size=3, unique=True)))
        head, _, body = rule.partition(" {")
        with_meta.append(f"{head} {meta} {{{body}")
    base = "\n".join(lines) + '\nsection "s" {\n' + "\n".join(with_meta) + "\n}\n"
    overlay = ['ruleset o "覆盖" extends "base.kepu"']
    for name in draw(st.lists(st.sampled_from(list(PARAMS)), max_size=4, unique=True)):
        overlay.append(f"set {name} = {draw(st.sampled_from(LITERALS))}")
    ids = [r.split()[1] for r in rules]
    for rule_id in draw(st.lists(st.sampled_from(ids), max_size=2, unique=True)):
        slots = draw(st.lists(st.sampled_from(("points", "warn", "threshold", "severity", "scoring")), min_size=1, max_size=2,
                              unique=True))
        overlay.append(f"override {rule_id} {{ {' '.join(draw(_meta(slot)) for slot in slots)} }}")
    return world, base, "\n".join(overlay) + "\n"


def _meta(slot: str) -> st.SearchStrategy[str]:
    template, values = METAS[slot]
    return st.sampled_from(values).map(lambda v: template.format(v=v))


def _assert_diagnostics(err: KepuError, text: str) -> None:
    assert err.diagnostics, text
    for d in err.diagnostics:
        _assert_placed(d, text)


def _assert_placed(d: Diagnostic, text: str) -> None:
    assert d.location.line is not None and d.location.line >= 1, (d.render("en"), text)
    assert d.location.column is not None and d.location.column >= 1, (d.render("en"), text)
    assert d.render("zh") and d.render("en")


@SETTINGS
@given(generated=rulesets(), data=st.data())
def test_check_and_evaluation_answer_only_with_diagnostics(generated: tuple[World, str, str], data: st.DataObject) -> None:
    world, base, overlay = generated
    text = base + "\n----\n" + overlay
    try:
        files = [parse(base, "base.kepu"), parse(overlay, "overlay.kepu")]
    except KepuError as err:
        event("syntax error")
        _assert_diagnostics(err, text)
        return
    try:
        checked = check(merge(files))
    except KepuError as err:
        for d in err.diagnostics:
            event(f"error {d.code}")
        _assert_diagnostics(err, text)
        return
    event(f"checked, {len(checked.warnings)} warnings")
    for w in checked.warnings:
        _assert_placed(w, text)
    tables = data.draw(world_facts(world))
    scored = report(checked, facts(checked, tables))  # evaluation, warn thresholds, scoring, the verdict
    assert scored.summary.verdict is not None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=rulesets(), strict=st.booleans())
def test_lint_answers_only_with_diagnostics_and_its_exit_codes(generated: tuple[World, str, str], strict: bool) -> None:
    _, base, overlay = generated
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "base.kepu").write_text(base, encoding="utf-8")
        Path(folder, "overlay.kepu").write_text(overlay, encoding="utf-8")
        args = ["lint", folder, "--lang", "en", *(["--strict"] if strict else [])]
        result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (result.output, base, overlay)
    assert "Traceback" not in result.output
    summary = result.output.strip().splitlines()[-1]
    errors = int(summary.split(": ")[1].split(" error")[0])
    warnings = int(summary.split(", ")[-1].split(" warning")[0])
    expected = 2 if errors else 1 if strict and warnings else 0
    assert result.exit_code == expected, result.output


RAW_VALUES: list[Any] = [0, 1, 5, -5, 0.5, 1.5, 120, "80%", "120%", "-5%", "abc", "", "2026-06-30", "2026-02-30", True, False,
                         [], ["甲"], [1, "2"], "[1, 2]", "true", "一百", None, {"a": 1}]


@settings(max_examples=200, deadline=None)
@given(declared=st.sampled_from([I.INTEGER, I.NUMBER, I.PERCENT, I.TEXT, I.BOOL, I.DATE, I.ListT(I.TEXT), I.ANY]),
       raw=st.sampled_from(RAW_VALUES))
def test_a_param_from_kepu_yaml_or_set_is_a_value_or_a_diagnostic(declared: I.Type, raw: Any) -> None:
    try:
        parse_param(raw, declared, Location("kepu.yaml", 3, 5), "p")
    except KepuError as err:
        assert err.diagnostics and err.diagnostics[0].location.line == 3


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(tree=any_rulesets().map(lambda t: replace(t, extends=())))
def test_any_tree_the_parser_can_produce_checks_to_diagnostics_or_evaluates(tree: RulesetFile) -> None:
    """Every node kind in every position (tests/dsl/strategies.py), mostly nonsense: the checker and
    the evaluator must answer each with diagnostics or outcomes, never with another exception."""
    text = format_ruleset(tree)
    try:
        checked = check(merge([parse(text, "any.kepu")]))
    except KepuError as err:
        event(f"error {err.diagnostics[0].code}")
        _assert_diagnostics(err, text)
        return
    event("checked")
    report(checked, facts(checked, {}))
