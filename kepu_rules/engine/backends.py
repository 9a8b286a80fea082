"""Choosing the evaluation backend: `python` (the reference interpreter), `columnar` (DuckDB), or `auto`.

`auto` is meant to take the columnar backend for fact bases large enough for it to be faster, and the
interpreter below that. benchmarks/bench_engines.py measures where that is; as of 2026-12-01 it is
nowhere up to 306,145 fact rows (four times a city): the interpreter's row loops run as closures and
beat DuckDB by 2x there, because facts reach DuckDB as the interpreter's Python rows, copied column by
column, and the failing items are explained in Python either way. So `COLUMNAR_FROM_ROWS` is None
and `auto` is the interpreter; set it once the backend reads ledgers natively and the figures say so.
Both backends give the same outcomes (tests/engine/test_columnar.py).
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

#: From this many bytes of source files on, `auto` evaluates with DuckDB; None: never (see the module's
#: docstring). Bytes, not rows: the choice is made before reading, since the columnar backend reads
#: ledgers its own way.
COLUMNAR_FROM_BYTES: int | None = None


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
    """The size of the files sources read (folders: their files'), what `auto` decides by before reading."""
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
