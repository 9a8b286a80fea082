"""The columnar (DuckDB) evaluation backend; see evaluator.py. Importing it does not import duckdb."""

from kepu_rules.engine.columnar.evaluator import ColumnarEvaluator

__all__ = ["ColumnarEvaluator"]
