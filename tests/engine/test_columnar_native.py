"""Whole assessments with `--engine columnar`, where the activity ledger is read by DuckDB and left in
its store (plugins/kepu_sources/csv_native.py): every field of every outcome is the interpreter's.

The projects are the bundled example and generated districts of each profile of benchmarks/generate.py,
whose gaps (missing signs, thin activity, vetoes, unknown population) reach every kind of rule.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import sys
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kepu_rules import registry
from kepu_rules.dsl.checker import CheckedRuleset
from kepu_rules.engine import assess as assess_module
from kepu_rules.engine.assess import Assessment, assess
from kepu_rules.engine.columnar import ColumnarEvaluator
from kepu_rules.engine.columnar.evaluator import fields_read
from kepu_rules.engine.columnar.tables import ColumnarStore
from kepu_rules.engine.evaluate import EvalContext, Evaluator, PythonEvaluator
from kepu_rules.engine.params import literal_value
from kepu_rules.facts.table import FactBase
from kepu_rules.sources import SourceContext
from kepu_sources.csv_source import CsvSource
from tests.engine.generated import outcome_fields
from tests.engine.generated_schemas import World, world_facts, world_rules, worlds
from tests.engine.util import AS_OF, ruleset

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


def _csv_text(value: Any) -> str:
    """How a ledger would spell a generated value (the reads of the file define the facts either way)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Fraction):
        return str(float(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_world(rs: CheckedRuleset, world: World, tables: dict[str, list[dict[str, Any]]], folder: Path,
                store: ColumnarStore | None) -> FactBase:
    data = []
    for e in world.entities:
        columns = ["编号", *(name for name, _ in e.fields), *([e.parent] if e.parent else [])]
        rows = tables[e.name]
        if any(kind == "percent" for _, kind in e.fields):  # percents as a ledger writes them
            rows = [{k: (f"{v * 100}%" if dict(e.fields).get(k) == "percent" and v is not None else v)
                     for k, v in r.items()} for r in rows]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_csv_text(r.get(c)) if not isinstance(r.get(c), str) else r[c] for c in columns] for r in rows)
        (folder / f"{e.name}.csv").write_text(out.getvalue(), encoding="utf-8")
        opts = CsvSource.Options.model_validate({"path": f"{e.name}.csv", "entity": e.name})
        data.append(CsvSource().read(opts, SourceContext(e.name, rs.schema, folder, columnar=store)))
    return FactBase.build(rs.schema, data)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_schemas_read_from_csv_agree(tmp_path: Path, data: st.DataObject) -> None:
    """The differential test of tests/engine/test_columnar.py over generated schemas, with the facts
    written as CSV ledgers: the interpreter over the Python reader's rows against the columnar engine
    over the rows DuckDB read and kept."""
    world = data.draw(worlds())
    rs = ruleset(data.draw(world_rules(world)), world.schema())
    tables = data.draw(world_facts(world))
    context = EvalContext(AS_OF, {n: literal_value(p.value) for n, p in rs.resolved.params.items()}, registry.functions())
    expected = PythonEvaluator().evaluate(rs, _read_world(rs, world, tables, tmp_path, None), context)
    store = ColumnarStore(fields_read(rs))
    try:
        native = _read_world(rs, world, tables, tmp_path, store)
        event("kept in DuckDB" if native.deferred else "read in Python")
        columnar = ColumnarEvaluator(store)
        actual = columnar.evaluate(rs, native, context)
        event("some loops in SQL" if columnar.queries else "no loop in SQL")
    finally:
        store.close()
    assert [outcome_fields(o) for o in actual] == [outcome_fields(o) for o in expected]


def test_drilling_into_deferred_rows_from_another_thread_finds_the_same_rows() -> None:
    """The TUI's drill-down (kepu_rules.engine.related) over facts DuckDB kept, from its UI thread."""
    from concurrent.futures import ThreadPoolExecutor

    from kepu_rules.engine.related import find_row, referenced_rows, related_rows

    python = assess(EXAMPLE, engine="python")
    columnar = assess(EXAMPLE, engine="columnar")
    assert columnar.facts.deferred

    def drill(facts: FactBase) -> list[Any]:
        shown: list[Any] = []
        for entity in ("街道", "社区", "成员单位"):
            for key in sorted(facts.keys(entity), key=str):
                shown.append([(e, f, [r.provenance.render() for r in rows]) for e, f, rows in related_rows(facts, entity, key)])
        for activity in python.facts.all("科普活动")[::7]:
            key = activity.key if activity.key is not None else activity.provenance.render()
            row = find_row(facts, "科普活动", key)
            assert row is not None
            shown.append((row.values, [(f, r.key) for f, r in referenced_rows(facts, row)]))
        return shown

    with ThreadPoolExecutor(2) as pool:
        from_threads = list(pool.map(drill, [columnar.facts, columnar.facts]))
    assert from_threads[0] == from_threads[1] == drill(python.facts)
