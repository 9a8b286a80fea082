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

from typing import Literal

from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.engine.evaluate import Evaluator, PythonEvaluator
from kepu_rules.facts.table import FactBase
from kepu_rules.i18n import Msg

Engine = Literal["auto", "python", "columnar"]
ENGINES: tuple[Engine, ...] = ("auto", "python", "columnar")

#: From this many fact rows on, `auto` evaluates with DuckDB; None: never (see the module's docstring).
COLUMNAR_FROM_ROWS: int | None = None


NEEDS_DUCKDB = Msg("--engine columnar 需要 duckdb：pip install duckdb（或 pip install 'kepu-rules[columnar]'）",
                   "--engine columnar needs duckdb: pip install duckdb (or pip install 'kepu-rules[columnar]')")


def columnar_available() -> bool:
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


def fact_rows(facts: FactBase) -> int:
    return sum(len(rows) for rows in facts.rows.values())


def choose(engine: Engine, facts: FactBase) -> Evaluator:
    """The evaluator for `engine` over these facts; `columnar` without duckdb installed is an input error."""
    if engine == "python":
        return PythonEvaluator()
    if engine == "columnar":
        if not columnar_available():
            raise KepuError(Diagnostic(Location("--engine"), NEEDS_DUCKDB))
    elif COLUMNAR_FROM_ROWS is None or fact_rows(facts) < COLUMNAR_FROM_ROWS or not columnar_available():
        return PythonEvaluator()
    from kepu_rules.engine.columnar import ColumnarEvaluator

    return ColumnarEvaluator()
