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
already there), then times kepu_rules.engine.assess.assess with `engine="python"` and
`engine="columnar"`: config, ruleset, sources (the columnar engine reads the CSV ledger with DuckDB
and leaves it there), FactBase, evaluation; everything `kepu check` does but start the interpreter
and render the report. One warm-up run each, then the median of `--repeat` runs (wall time,
alternating the engines, a full garbage collection before each run and full collections deferred as
in `kepu check`).

The columnar engine pays `import duckdb` once per command, so it is measured apart, in a fresh
interpreter (median of `--repeat` processes), and added to the columnar time in `columnar+import`.
`auto` decides before reading, by the bytes of the files of sources that read straight into DuckDB
(the csv source: the table's `csv MB`), compared with COLUMNAR_FROM_BYTES. The script also checks
that both engines reach the same outcomes (rule, status, measured, target, message, repair, number
of failing items) and prints the smallest measured size from which on the columnar engine, import
included, is faster: a suggested threshold.
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


# --- timing --------------------------------------------------------------------------------------


def signature(outcomes: list[Any]) -> list[tuple[Any, ...]]:
    return [(o.rule_id, o.status, o.measured, o.target, o.message, o.repair, len(o.failing)) for o in outcomes]


def duckdb_import_seconds(repeat: int) -> list[float]:
    """`import duckdb` in fresh interpreters (what the columnar engine pays once per command)."""
    out = []
    for _ in range(repeat):
        proc = subprocess.run([PYTHON, "-c", IMPORT_SNIPPET], capture_output=True, text=True, check=True)
        out.append(float(proc.stdout.strip()))
    return out


@dataclass
class Result:
    communities: int
    activities: int
    source_bytes: int
    fact_rows: int
    python: float
    columnar: float
    same: bool


class Run:
    """`assess(config, engine=...)` timed, remembering the evaluator each run used."""

    def __init__(self, config: Path) -> None:
        from kepu_rules.engine import assess as assess_module

        self.config = config
        self.evaluators: list[Any] = []
        chosen = assess_module.evaluator_for

        def recording(store: Any) -> Any:
            self.evaluators.append(chosen(store))
            return self.evaluators[-1]

        assess_module.evaluator_for = recording  # type: ignore[assignment]

    def __call__(self, engine: str) -> tuple[float, Any]:
        from kepu_rules.engine.assess import assess

        gc.collect()
        t0 = time.perf_counter()
        assessment = assess(self.config, engine=engine)  # type: ignore[arg-type]
        return time.perf_counter() - t0, assessment


def bench_project(project: Path, communities: int, activities: int, repeat: int) -> Result:
    from kepu_rules import registry
    from kepu_rules.config import load_config
    from kepu_rules.engine.assess import columnar_paths, load_ruleset
    from kepu_rules.engine.backends import fact_rows, source_bytes

    cfg = load_config(project / "kepu.yaml")
    size = source_bytes(columnar_paths(cfg, load_ruleset(cfg.resolve_ruleset(registry.rulesets()))))
    run = Run(project / "kepu.yaml")
    warm_p, ref = run("python")
    warm_c, got = run("columnar")  # the first columnar run in this process also imports duckdb
    rows = fact_rows(ref.facts)
    per_entity = ", ".join(f"{name} {n:,}" for name, n in sorted(((e, ref.facts.count(e)) for e in ref.facts.schema.entities),
                                                                 key=lambda kv: -kv[1]) if n)
    deferred = ", ".join(sorted(got.facts.deferred)) or "none"
    print(f"  {size / 1e6:.1f} MB of ledgers DuckDB reads, {rows:,} fact rows ({per_entity}); read by DuckDB: {deferred}")
    same = signature(ref.outcomes) == signature(got.outcomes)
    columnar = run.evaluators[-1]
    t_python: list[float] = []
    t_columnar: list[float] = []
    for _ in range(repeat):
        t, assessment = run("python")
        t_python.append(t)
        same = same and signature(assessment.outcomes) == signature(ref.outcomes)
        t, assessment = run("columnar")
        t_columnar.append(t)
        same = same and signature(assessment.outcomes) == signature(ref.outcomes)
    p, c = statistics.median(t_python), statistics.median(t_columnar)
    print(f"  python    warm-up {warm_p * 1000:7.0f} ms, median {p * 1000:7.0f} ms "
          f"({', '.join(f'{t * 1000:.0f}' for t in t_python)})")
    print(f"  columnar  warm-up {warm_c * 1000:7.0f} ms, median {c * 1000:7.0f} ms "
          f"({', '.join(f'{t * 1000:.0f}' for t in t_columnar)}); {columnar.queries} loops in SQL, "
          f"{columnar.fallbacks} left to Python")
    if not same:
        diffs = [f"{a[0]}: python {a[1:]} / columnar {b[1:]}"
                 for a, b in zip(signature(ref.outcomes), signature(got.outcomes), strict=False) if a != b]
        print(f"  outcomes differ on {len(diffs)} rules: " + "; ".join(diffs[:3]))
    print(f"  same outcomes: {'yes' if same else 'no'} ({len(ref.outcomes)} rules)")
    return Result(communities, activities, size, rows, p, c, same)


# --- the report ----------------------------------------------------------------------------------


def report(results: list[Result], import_s: float) -> None:
    from kepu_rules.engine.backends import COLUMNAR_FROM_BYTES

    now = "None (auto never takes it)" if COLUMNAR_FROM_BYTES is None else f"{COLUMNAR_FROM_BYTES:,}"
    print("\n== summary: assess() end to end (read, check, evaluate), in-process ==")
    print(f"import duckdb (fresh interpreter, median): {import_s * 1000:.0f} ms")
    print(f"{'communities':>11} {'activities':>10} {'csv MB':>7} {'fact rows':>10} {'python ms':>10} "
          f"{'columnar ms':>12} {'columnar+import ms':>19} {'python/(col+import)':>20} {'same':>5}")
    for r in results:
        with_import = r.columnar + import_s
        print(f"{r.communities:>11,} {r.activities:>10,} {r.source_bytes / 1e6:>7.1f} {r.fact_rows:>10,} "
              f"{r.python * 1000:>10.0f} {r.columnar * 1000:>12.0f} {with_import * 1000:>19.0f} "
              f"{r.python / with_import:>19.2f}× {'yes' if r.same else 'no':>5}")
    print(f"same outcomes: {'yes' if all(r.same for r in results) else 'no'}")
    ordered = sorted(results, key=lambda r: r.source_bytes)
    faster = [r.python > r.columnar + import_s for r in ordered]
    first = next((i for i, f in enumerate(faster) if f), None)
    if first is None:
        print(f"columnar+import is faster at none of the measured sizes (up to {ordered[-1].source_bytes:,} bytes); "
              f"COLUMNAR_FROM_BYTES is now {now}")
        return
    print(f"smallest measured size at which columnar+import is faster: {ordered[first].source_bytes:,} bytes "
          f"({ordered[first].communities:,} communities / {ordered[first].activities:,} activities)")
    # from which size on it stays faster at every larger measured size
    steady = next(i for i in range(len(faster)) if all(faster[i:])) if faster[-1] else None
    if steady is None:
        print("  but not at the largest measured size: no steady crossover")
    elif steady != first:
        print(f"  and faster at every larger measured size from {ordered[steady].source_bytes:,} bytes on")
    if steady is not None:
        at = ordered[steady]
        line = f"suggested threshold: COLUMNAR_FROM_BYTES = {at.source_bytes:,} (now {now})"
        if steady > 0:
            below = ordered[steady - 1]
            d0 = below.columnar + import_s - below.python
            d1 = at.columnar + import_s - at.python
            estimate = below.source_bytes + (at.source_bytes - below.source_bytes) * d0 / (d0 - d1)
            line += (f"; the crossover lies between {below.source_bytes:,} and {at.source_bytes:,} bytes "
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
