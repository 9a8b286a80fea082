"""Evaluation: checked rules + facts -> one Outcome per rule. `Evaluator` is the interface a faster backend implements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Protocol

from kepu_rules.dsl import ir as I
from kepu_rules.dsl.checker import CheckedRuleset
from kepu_rules.engine.explain import Explainer, Explanation, Item
from kepu_rules.engine.interpreter import EvalError, Interpreter, MissingData, compare
from kepu_rules.facts.table import FactBase
from kepu_rules.i18n import Msg
from kepu_rules.registry import FunctionDef
from kepu_rules.reports.model import Status


@dataclass(slots=True)
class Outcome:
    """What one rule came to, before waivers and scoring."""

    rule_id: str
    status: Status
    message: Msg
    repair: Msg | None = None
    measured: Any = None
    target: Any = None
    percent: bool = False
    total: int = 0
    passing: int = 0
    failing: list[Item] = field(default_factory=list)
    unknown_items: list[Item] = field(default_factory=list)
    fraction: Fraction = Fraction(0)  # the share achieved, for proportional scoring
    missing: list[str] = field(default_factory=list)  # entities / facts that had no data


@dataclass(frozen=True, slots=True)
class EvalContext:
    as_of: dt.date
    params: dict[str, Any]
    functions: dict[str, FunctionDef]


class Evaluator(Protocol):
    """A backend: evaluates every checked rule over a fact base."""

    name: str

    def evaluate(self, ruleset: CheckedRuleset, facts: FactBase, context: EvalContext) -> list[Outcome]: ...


class PythonEvaluator:
    """The reference backend: the interpreter plus explanations, rule by rule."""

    name = "python"

    def evaluate(self, ruleset: CheckedRuleset, facts: FactBase, context: EvalContext) -> list[Outcome]:
        interp = Interpreter(facts, context.params, context.as_of, context.functions)
        explainer = Explainer(interp)
        return [evaluate_rule(rule, interp, explainer) for rule in ruleset.rules.values()]


def evaluate_rule(rule: I.CheckedRule, interp: Interpreter, explainer: Explainer) -> Outcome:
    try:
        if rule.applies is not None:
            applies = interp.ev(rule.applies)
            if applies is False:
                return Outcome(rule.id, Status.NOT_APPLICABLE, Msg("不适用于本区", "does not apply to this district"),
                               fraction=Fraction(1))
            if applies is None:
                return Outcome(rule.id, Status.UNKNOWN, Msg("无法判断是否适用（数据缺失）", "cannot tell whether it applies (data missing)"))
        exp = explainer.explain(rule.body)
    except MissingData as missing:
        return Outcome(rule.id, Status.UNKNOWN, missing.message(), missing=[missing.name])
    except EvalError as err:
        return Outcome(rule.id, Status.ERROR, err.msg)
    return _outcome(rule, exp, interp)


def _outcome(rule: I.CheckedRule, exp: Explanation, interp: Interpreter) -> Outcome:
    if exp.verdict is True:
        status = Status.PASS
    elif exp.verdict is None:
        status = Status.UNKNOWN
    else:
        status = Status.FAIL
        if rule.warn_at is not None and exp.op is not None and exp.measured is not None:
            warn_value = interp.ev(rule.warn_at)
            if compare(exp.op, exp.measured, warn_value):
                status = Status.WARN
    return Outcome(rule.id, status, exp.message, exp.repair, exp.measured, exp.target, exp.percent, exp.total,
                   exp.passing, exp.failing_items, exp.unknown_items,
                   Fraction(1) if status is Status.PASS else exp.fraction)
