"""Choosing the evaluation backend: `python` (the reference interpreter), `columnar` (DuckDB), or `auto`.

`auto` takes the columnar backend for large fact bases, where it is faster, and the interpreter for
the rest: below the threshold, DuckDB's import (about 0.1 s) and its per-query cost outweigh what it
saves. The threshold is measured by benchmarks/bench_engines.py; both backends give the same outcomes.
"""

from __future__ import annotations

from typing import Literal

from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.engine.evaluate import Evaluator, PythonEvaluator
from kepu_rules.facts.table import FactBase
from kepu_rules.i18n import Msg

Engine = Literal["auto", "python", "columnar"]
ENGINES: tuple[Engine, ...] = ("auto", "python", "columnar")

#: From this many fact rows on, `auto` evaluates with DuckDB. Measured by benchmarks/bench_engines.py (2 cores):
#: with its import, DuckDB breaks even between 77,000 and 128,000 rows and is 7-8% faster at 200,000-300,000.
COLUMNAR_FROM_ROWS = 150_000


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
            raise KepuError(Diagnostic(Location("--engine"), Msg(
                "--engine columnar 需要 duckdb：pip install duckdb",
                "--engine columnar needs duckdb: pip install duckdb")))
    elif fact_rows(facts) < COLUMNAR_FROM_ROWS or not columnar_available():
        return PythonEvaluator()
    from kepu_rules.engine.columnar import ColumnarEvaluator

    return ColumnarEvaluator()
