"""Choosing the evaluation backend: `python` (the reference interpreter), `columnar` (DuckDB), or `auto`.

`auto` takes the columnar backend for projects large enough for it to be faster, and the interpreter
below that. It decides before reading anything, by the bytes of the files of the sources that read
straight into DuckDB (Source.reads_columnar): the csv source loads its ledger into the store
(plugins/kepu_sources/csv_native.py) and the rows stay there, built only for the items a report
shows. That is where the columnar backend wins; ledgers other sources read become Python rows for
either engine (and are copied into DuckDB for the columnar one), and a dossier folder of photos
weighs nothing. benchmarks/bench_engines.py measures the whole assessment with each engine; on
2026-12-01 (2 cores) the columnar one, `import duckdb` included, was slower up to a city (0.85-0.91x
at 5.0 MB of CSV, 3,000 communities and 60,000 activities), and faster beyond (1.03x at 8.4 MB, 1.15x
at 13.5 MB, 1.27x at 20.4 MB with 12,000 communities); the crossover is near 7.6 MB. Most of what is left
of its time is what both engines share: reading the xlsx and YAML ledgers. Both backends give the same
outcomes (tests/engine/test_columnar.py, tests/engine/test_columnar_native.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.engine.evaluate import Evaluator, PythonEvaluator
from kepu_rules.facts.table import FactBase
from kepu_rules.i18n import Msg

if TYPE_CHECKING:
    from kepu_rules.engine.columnar.tables import ColumnarStore

Engine = Literal["auto", "python", "columnar"]
ENGINES: tuple[Engine, ...] = ("auto", "python", "columnar")

#: From this many bytes of ledgers read straight into DuckDB, `auto` evaluates with DuckDB (None: never).
#: Just above the measured crossover (see the module's docstring), so that `auto` never picks the
#: slower engine.
COLUMNAR_FROM_BYTES: int | None = 10_000_000


NEEDS_DUCKDB = Msg("--engine columnar 需要 duckdb：pip install duckdb（或 pip install 'kepu-rules[columnar]'）",
                   "--engine columnar needs duckdb: pip install duckdb (or pip install 'kepu-rules[columnar]')")


def columnar_available() -> bool:
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


def fact_rows(facts: FactBase) -> int:
    return sum(facts.count(name) for name in facts.schema.entities)


def source_bytes(paths: list[Path]) -> int:
    """The size of these files (folders: of their files): `auto` weighs those of the sources that read
    straight into the columnar store (Source.reads_columnar), before reading them."""
    total = 0
    for path in paths:
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return total


def wants_columnar(engine: Engine, paths: Callable[[], list[Path]]) -> bool:
    """Whether this run evaluates with DuckDB; `columnar` without duckdb installed is an input error."""
    if engine == "python":
        return False
    if engine == "columnar":
        if not columnar_available():
            raise KepuError(Diagnostic(Location("--engine"), NEEDS_DUCKDB))
        return True
    return COLUMNAR_FROM_BYTES is not None and source_bytes(paths()) >= COLUMNAR_FROM_BYTES and columnar_available()


def evaluator_for(store: ColumnarStore | None) -> Evaluator:
    """The evaluator of a run that did (a store) or did not choose the columnar backend."""
    if store is None:
        return PythonEvaluator()
    from kepu_rules.engine.columnar import ColumnarEvaluator

    return ColumnarEvaluator(store)
