"""Whole assessments with `--engine columnar`, where the activity ledger is read by DuckDB and left in
its store (plugins/kepu_sources/csv_native.py): every field of every outcome is the interpreter's.

The projects are the bundled example and generated districts of each profile of benchmarks/generate.py,
whose gaps (missing signs, thin activity, vetoes, unknown population) reach every kind of rule.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from kepu_rules.engine import assess as assess_module
from kepu_rules.engine.assess import Assessment, assess
from kepu_rules.engine.evaluate import Evaluator
from tests.engine.generated import outcome_fields

pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "demo-district" / "kepu.yaml"


def _generator() -> ModuleType:
    name = "kepu_bench_generate"  # the name tests/test_batch.py loads it under: one module when both run
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _both(config: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Assessment, Assessment, Any]:
    used: list[Evaluator] = []
    chosen = assess_module.evaluator_for

    def recording(store: Any) -> Evaluator:
        used.append(chosen(store))
        return used[-1]

    monkeypatch.setattr(assess_module, "evaluator_for", recording)
    python = assess(config, engine="python")
    columnar = assess(config, engine="columnar")
    assert [e.name for e in used] == ["python", "columnar"]
    return python, columnar, used[1]


def _same(python: Assessment, columnar: Assessment, evaluator: Any) -> None:
    assert [outcome_fields(o) for o in columnar.outcomes] == [outcome_fields(o) for o in python.outcomes]
    assert "科普活动" in columnar.facts.deferred  # the ledger stayed in DuckDB ...
    assert evaluator.queries > 0  # ... and rules ran over it in SQL
    # What is left after the evaluation is still all the rows, on demand (the TUI browses them).
    assert [r.values for r in columnar.facts.all("科普活动")] == [r.values for r in python.facts.all("科普活动")]


def test_the_example_district(monkeypatch: pytest.MonkeyPatch) -> None:
    python, columnar, evaluator = _both(EXAMPLE, monkeypatch)
    _same(python, columnar, evaluator)
    assert python.report("en").model_dump(exclude={"generated_at"}) == columnar.report("en").model_dump(exclude={"generated_at"})


@pytest.mark.parametrize("profile", ["exemplary", "good", "required_gap", "veto", "weak", "incomplete"])
def test_generated_districts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile: str) -> None:
    gen = _generator()
    import random

    seed = 100 + gen.PROFILES.index(profile)
    spec = gen.DistrictSpec("测试区", seed, streets=8, communities=60, activities=600, profile=profile,
                            quality=gen.make_quality(profile, random.Random(seed), 8))
    gen.write_district(spec, tmp_path / "d")
    python, columnar, evaluator = _both(tmp_path / "d" / "kepu.yaml", monkeypatch)
    _same(python, columnar, evaluator)


def test_auto_weighs_only_the_ledgers_duckdb_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    from kepu_rules.engine import backends

    csv_bytes = sum(p.stat().st_size for p in (EXAMPLE.parent / "data").glob("*.csv"))
    monkeypatch.setattr(backends, "COLUMNAR_FROM_BYTES", csv_bytes)
    assert "科普活动" in assess(EXAMPLE, engine="auto").facts.deferred
    # One byte more and it is the interpreter: the xlsx, YAML and the dossier folder do not count.
    monkeypatch.setattr(backends, "COLUMNAR_FROM_BYTES", csv_bytes + 1)
    assert not assess(EXAMPLE, engine="auto").facts.deferred
