"""Rule unit tests of the bundled rulesets (`rulesets/**/tests/*.yaml`), one pytest test per case.

Each YAML case is run through `kepu_rules.engine.ruletest.run_file`, the same code as `kepu test`.
A coverage guard checks that every rule of the effective `national` and `quancheng` rulesets has at
least one case expected to pass and one expected to fail (`fail` or `warn`).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
import yaml

from kepu_rules.engine.resolve import ResolvedRuleset, locate_ruleset, resolve
from kepu_rules.engine.ruletest import CaseResult, run_file

REPO = Path(__file__).resolve().parents[2]
RULESETS = REPO / "rulesets"
# The same files `kepu test rulesets/` runs.
TEST_FILES = sorted(RULESETS.rglob("*.yaml"))
PASSING_EXPECTS = {"pass"}
FAILING_EXPECTS = {"fail", "warn"}


def _short(path: Path) -> str:
    """`rulesets/national/tests/阵地建设.yaml` → `national/阵地建设.yaml`."""
    return "/".join(part for part in path.relative_to(RULESETS).parts if part != "tests")


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("cases"), list), f"{path}: not a rule test file"
    return data


def _case_name(case: dict[str, Any]) -> str:
    return str(case.get("name") or f"{case.get('rule')} {case.get('expect')}")


FILES: dict[Path, dict[str, Any]] = {path: _load(path) for path in TEST_FILES}
CASES: list[tuple[Path, int]] = [(path, i) for path, data in FILES.items() for i in range(len(data["cases"]))]
IDS: list[str] = [
    f"{_short(path)}::{FILES[path]['cases'][i].get('rule')} {_case_name(FILES[path]['cases'][i])}" for path, i in CASES
]


@functools.cache
def _results(path: Path) -> list[CaseResult]:
    return run_file(path)


@functools.cache
def _ruleset(name_or_path: str, base: Path) -> ResolvedRuleset:
    return resolve(locate_ruleset(name_or_path, base))


def test_there_are_rule_test_files() -> None:
    assert {_short(p) for p in TEST_FILES} >= {"national/阵地建设.yaml", "regions/quancheng.yaml"}


@pytest.mark.parametrize(("path", "index"), CASES, ids=IDS)
def test_case(path: Path, index: int) -> None:
    results = _results(path)
    assert len(results) == len(FILES[path]["cases"])
    result = results[index]
    case = FILES[path]["cases"][index]
    assert (result.rule, result.name) == (str(case["rule"]), _case_name(case))
    assert result.ok, f"{result.location.render()}: {result.why.render('zh')}"


@pytest.mark.parametrize("path", TEST_FILES, ids=[_short(p) for p in TEST_FILES])
def test_case_names_are_unique_in_a_file(path: Path) -> None:
    names = [f"{c.get('rule')} {_case_name(c)}" for c in FILES[path]["cases"]]
    assert sorted({n for n in names if names.count(n) > 1}) == []


@pytest.mark.parametrize("ruleset", ["national", "quancheng"])
def test_every_rule_has_a_passing_and_a_failing_case(ruleset: str) -> None:
    """A case counts for a rule when its file tests this ruleset or one it extends (its `chain`)."""
    effective = _ruleset(ruleset, RULESETS)
    passing: set[str] = set()
    failing: set[str] = set()
    for path, data in FILES.items():
        tested = _ruleset(str(data["ruleset"]), path.parent)
        if tested.id not in effective.chain:
            continue
        for case in data["cases"]:
            expect = str(case.get("expect"))
            if expect in PASSING_EXPECTS:
                passing.add(str(case.get("rule")))
            elif expect in FAILING_EXPECTS:
                failing.add(str(case.get("rule")))
    lacking = []
    for rule in effective.rules:
        missing = [what for what, seen in (("pass", passing), ("fail/warn", failing)) if rule.id not in seen]
        if missing:
            lacking.append(f"{rule.id}（缺 {' 与 '.join(missing)} 用例）")
    assert not lacking, f"{ruleset} 规则集中这些规则缺少用例：" + "；".join(lacking)


def test_quancheng_drops_a6_so_it_has_no_cases() -> None:
    effective = _ruleset("quancheng", RULESETS)
    assert "A6" in [dropped[0] for dropped in effective.dropped]
    assert effective.rule("A6") is None
    assert effective.rule("Q1") is not None


@pytest.mark.parametrize("path", TEST_FILES, ids=[_short(p) for p in TEST_FILES])
def test_the_columnar_engine_gives_every_case_the_interpreters_outcome(path: Path) -> None:
    """`kepu test` runs the interpreter; the columnar engine must agree on every case, the ones whose
    fixtures leave a ledger empty (`[]`) among them."""
    pytest.importorskip("duckdb")
    from kepu_rules.engine.columnar import ColumnarEvaluator
    from tests.engine.generated import outcome_fields

    columnar = run_file(path, ColumnarEvaluator())
    assert [outcome_fields(r.outcome) for r in columnar] == [outcome_fields(r.outcome) for r in _results(path)]
