#!/usr/bin/env python3
"""Where does the columnar (DuckDB) backend overtake the Python interpreter? The figure behind `--engine auto`.

    python benchmarks/bench_engines.py                          # the default sizes (see SIZES; ≈ 3 min)
    python benchmarks/bench_engines.py --data /tmp/kb/engines   # keep and reuse the generated projects
    python benchmarks/bench_engines.py --size 250/5000 --size 1500/30000   # other sizes (repeatable)
    options: --seed N   generator seed;  --repeat N  timed runs per backend and size (default 3)

The default sizes run from the `district` scale of generate.py (60 communities, 400 activities)
through the `city` scale (3,000 / 60,000) up to four times a city (12,000 / 240,000), so that the
crossover is bracketed. For each size (streets: one per 30 communities, at least 8) it generates a
`good` district with benchmarks/generate.py's `DistrictSpec` and `write_district` (once; reused when
already there), loads it once as kepu_rules.engine.assess.assess does (config, ruleset, params,
sources, FactBase), then times `evaluate(ruleset, facts, context)` of PythonEvaluator and
ColumnarEvaluator: one warm-up run each, then the median of `--repeat` runs (wall time, alternating
the backends, a full garbage collection before each run and full collections deferred as in
`kepu check`). The columnar time includes loading the facts into DuckDB, which it does per run.

`--engine auto` pays `import duckdb` once per command, so it is measured apart, in a fresh
interpreter (median of `--repeat` processes), and added to the columnar time in `columnar+import`.
The table's `fact rows` is kepu_rules.engine.backends.fact_rows, the figure `auto` compares with
COLUMNAR_FROM_ROWS. It also checks that both backends reach the same outcomes (rule, status,
measured, target, message, repair, number of failing items) and prints the smallest measured size
from which on the columnar backend, import included, is faster: a suggested threshold.
Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
#: (communities, activities) of the projects measured by default.
SIZES: tuple[tuple[int, int], ...] = ((60, 400), (500, 10_000), (1_000, 20_000), (2_000, 40_000), (3_000, 60_000),
                                      (5_000, 100_000), (8_000, 160_000), (12_000, 240_000))
IMPORT_SNIPPET = "import time; t=time.perf_counter(); import duckdb; print(time.perf_counter()-t)"


# --- data ----------------------------------------------------------------------------------------


def streets_for(communities: int) -> int:
    """As generate.py's scales: 8 streets for the 60-community district, 100 for the 3,000-community city."""
    return max(8, round(communities / 30))


def ensure_project(data: Path, communities: int, activities: int, seed: int) -> Path:
    """A `good` district of this size under `data` (written once, then reused)."""
    sys.path.insert(0, str(HERE))
    import generate

    target = data / f"good-{communities}x{activities}-{seed}"

    def make() -> None:
        rng = random.Random(seed)
        streets = streets_for(communities)
        name = generate.district_name(rng, set())
        spec = generate.DistrictSpec(name, seed, streets=streets, communities=communities, activities=activities,
                                     profile="good", quality=generate.make_quality("good", rng, streets))
        t0 = time.perf_counter()
        sizes = generate.write_district(spec, target)
        print(f"  data: {target} generated in {time.perf_counter() - t0:.1f} s: {sizes['streets']} 街道, "
              f"{sizes['communities']:,} 社区, {sizes['activities']:,} 科普活动")

    return generate.reuse_or_make(target, make)


# --- loading and timing --------------------------------------------------------------------------


@dataclass
class Loaded:
    ruleset: Any  # CheckedRuleset
    facts: Any  # FactBase
    context: Any  # EvalContext
    seconds: float


def load(project: Path) -> Loaded:
    """Config -> ruleset -> params -> sources -> facts, as kepu_rules.engine.assess.assess does (no waivers)."""
    from kepu_rules import registry
    from kepu_rules.config import load_config
    from kepu_rules.engine.assess import load_ruleset, read_sources, resolve_params
    from kepu_rules.engine.evaluate import EvalContext
    from kepu_rules.facts.table import FactBase

    t0 = time.perf_counter()
    cfg = load_config(project / "kepu.yaml")
    ruleset = load_ruleset(cfg.resolve_ruleset(registry.rulesets()))
    values = resolve_params(ruleset, cfg, {})
    data, _ = read_sources(cfg, ruleset)
    facts = FactBase.build(ruleset.schema, data)
    context = EvalContext(cfg.as_of, values, registry.functions())
    return Loaded(ruleset, facts, context, time.perf_counter() - t0)


def signature(outcomes: list[Any]) -> list[tuple[Any, ...]]:
    return [(o.rule_id, o.status, o.measured, o.target, o.message, o.repair, len(o.failing)) for o in outcomes]


def timed(run: Callable[[], list[Any]]) -> tuple[float, list[Any]]:
    gc.collect()
    t0 = time.perf_counter()
    outcomes = run()
    return time.perf_counter() - t0, outcomes


def duckdb_import_seconds(repeat: int) -> list[float]:
    """`import duckdb` in fresh interpreters (what `auto` pays once per command)."""
    out = []
    for _ in range(repeat):
        proc = subprocess.run([PYTHON, "-c", IMPORT_SNIPPET], capture_output=True, text=True, check=True)
        out.append(float(proc.stdout.strip()))
    return out


@dataclass
class Result:
    communities: int
    activities: int
    fact_rows: int
    python: float
    columnar: float
    same: bool


def bench_project(project: Path, communities: int, activities: int, repeat: int) -> Result:
    from kepu_rules.engine.backends import fact_rows
    from kepu_rules.engine.columnar import ColumnarEvaluator
    from kepu_rules.engine.evaluate import PythonEvaluator

    loaded = load(project)
    rows = fact_rows(loaded.facts)
    per_entity = ", ".join(f"{name} {len(r):,}" for name, r in sorted(loaded.facts.rows.items(), key=lambda kv: -len(kv[1]))
                           if r)
    print(f"  loaded in {loaded.seconds:.2f} s: {rows:,} fact rows ({per_entity})")
    python, columnar = PythonEvaluator(), ColumnarEvaluator()

    def run_python() -> list[Any]:
        return python.evaluate(loaded.ruleset, loaded.facts, loaded.context)

    def run_columnar() -> list[Any]:
        return columnar.evaluate(loaded.ruleset, loaded.facts, loaded.context)

    warm_p, ref = timed(run_python)
    warm_c, got = timed(run_columnar)  # the first columnar run in this process also imports duckdb
    queries, fallbacks = columnar.queries, columnar.fallbacks
    same = signature(ref) == signature(got)
    t_python: list[float] = []
    t_columnar: list[float] = []
    for _ in range(repeat):
        t, outcomes = timed(run_python)
        t_python.append(t)
        same = same and signature(outcomes) == signature(ref)
        t, outcomes = timed(run_columnar)
        t_columnar.append(t)
        same = same and signature(outcomes) == signature(ref)
    p, c = statistics.median(t_python), statistics.median(t_columnar)
    print(f"  python    warm-up {warm_p * 1000:7.0f} ms, median {p * 1000:7.0f} ms "
          f"({', '.join(f'{t * 1000:.0f}' for t in t_python)})")
    print(f"  columnar  warm-up {warm_c * 1000:7.0f} ms, median {c * 1000:7.0f} ms "
          f"({', '.join(f'{t * 1000:.0f}' for t in t_columnar)}); {queries} loops in SQL, {fallbacks} left to Python")
    if not same:
        diffs = [f"{a[0]}: python {a[1:]} / columnar {b[1:]}" for a, b in zip(signature(ref), signature(got), strict=False)
                 if a != b]
        print(f"  outcomes differ on {len(diffs)} rules: " + "; ".join(diffs[:3]))
    print(f"  same outcomes: {'yes' if same else 'no'} ({len(ref)} rules)")
    return Result(communities, activities, rows, p, c, same)


# --- the report ----------------------------------------------------------------------------------


def report(results: list[Result], import_s: float) -> None:
    from kepu_rules.engine.backends import COLUMNAR_FROM_ROWS

    now = "None (auto never takes it)" if COLUMNAR_FROM_ROWS is None else f"{COLUMNAR_FROM_ROWS:,}"
    print("\n== summary ==")
    print(f"import duckdb (fresh interpreter, median): {import_s * 1000:.0f} ms")
    print(f"{'communities':>11} {'activities':>10} {'fact rows':>10} {'python ms':>10} {'columnar ms':>12} "
          f"{'columnar+import ms':>19} {'python/columnar':>16} {'python/(col+import)':>20} {'same':>5}")
    for r in results:
        with_import = r.columnar + import_s
        print(f"{r.communities:>11,} {r.activities:>10,} {r.fact_rows:>10,} {r.python * 1000:>10.0f} "
              f"{r.columnar * 1000:>12.0f} {with_import * 1000:>19.0f} {r.python / r.columnar:>15.2f}× "
              f"{r.python / with_import:>19.2f}× {'yes' if r.same else 'no':>5}")
    print(f"same outcomes: {'yes' if all(r.same for r in results) else 'no'}")
    ordered = sorted(results, key=lambda r: r.fact_rows)
    faster = [r.python > r.columnar + import_s for r in ordered]
    first = next((i for i, f in enumerate(faster) if f), None)
    if first is None:
        print(f"columnar+import is faster at none of the measured sizes (up to {ordered[-1].fact_rows:,} fact rows); "
              f"COLUMNAR_FROM_ROWS is now {now}")
        return
    print(f"smallest measured size at which columnar+import is faster: {ordered[first].fact_rows:,} fact rows "
          f"({ordered[first].communities:,} communities / {ordered[first].activities:,} activities)")
    # from which size on it stays faster at every larger measured size
    steady = next(i for i in range(len(faster)) if all(faster[i:])) if faster[-1] else None
    if steady is None:
        print("  but not at the largest measured size: no steady crossover")
    elif steady != first:
        print(f"  and faster at every larger measured size from {ordered[steady].fact_rows:,} fact rows on")
    if steady is not None:
        at = ordered[steady]
        line = f"suggested threshold: COLUMNAR_FROM_ROWS = {at.fact_rows:,} (now {now})"
        if steady > 0:
            below = ordered[steady - 1]
            d0 = below.columnar + import_s - below.python
            d1 = at.columnar + import_s - at.python
            estimate = below.fact_rows + (at.fact_rows - below.fact_rows) * d0 / (d0 - d1)
            line += (f"; the crossover lies between {below.fact_rows:,} and {at.fact_rows:,} fact rows "
                     f"(about {estimate:,.0f} by linear interpolation)")
        print(line)


def parse_size(text: str) -> tuple[int, int]:
    try:
        communities, activities = (int(part.replace(",", "").replace("_", "")) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected COMMUNITIES/ACTIVITIES, e.g. 500/10000") from None
    return communities, activities


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="keep generated projects here and reuse them")
    ap.add_argument("--size", action="append", type=parse_size, metavar="COMMUNITIES/ACTIVITIES",
                    help="a project size to measure (repeatable; default: " + ", ".join(f"{c}/{a}" for c, a in SIZES) + ")")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per backend and size (default 3)")
    args = ap.parse_args(argv)
    sizes: list[tuple[int, int]] = args.size or list(SIZES)
    repeat = max(1, args.repeat)
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores; load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    imports = duckdb_import_seconds(repeat)
    import_s = statistics.median(imports)
    print(f"import duckdb in a fresh interpreter: median {import_s * 1000:.0f} ms "
          f"({', '.join(f'{t * 1000:.0f}' for t in imports)})")

    from kepu_rules.gc_policy import defer_full_collections

    defer_full_collections()  # as `kepu check` does
    temp = None
    data = args.data
    if data is None:
        temp = tempfile.TemporaryDirectory(prefix="kepu-bench-engines-")
        data = Path(temp.name)
    data.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for communities, activities in sizes:
            print(f"\n== {communities:,} communities / {activities:,} activities ==")
            project = ensure_project(data, communities, activities, args.seed)
            results.append(bench_project(project, communities, activities, repeat))
            gc.collect()
    finally:
        if temp is not None:
            temp.cleanup()
    report(results, import_s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
