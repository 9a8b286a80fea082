"""`--engine`: which evaluator each choice gives, and what happens without duckdb."""

from __future__ import annotations

import pytest

from kepu_rules.diagnostics import KepuError
from kepu_rules.engine import backends
from kepu_rules.engine.evaluate import PythonEvaluator
from tests.engine.util import facts, ruleset


def _facts():  # type: ignore[no-untyped-def]
    rs = ruleset('rule R "x" { each 街道 has 人口 >= 1 }')
    return facts(rs, {"街道": [{"名称": "甲", "人口": 5}]})


def test_python_and_auto_give_the_interpreter() -> None:
    fb = _facts()
    assert isinstance(backends.choose("python", fb), PythonEvaluator)
    assert isinstance(backends.choose("auto", fb), PythonEvaluator)


def test_auto_takes_the_columnar_backend_from_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("duckdb")
    fb = _facts()
    monkeypatch.setattr(backends, "COLUMNAR_FROM_ROWS", 1)
    assert backends.choose("auto", fb).name == "columnar"
    monkeypatch.setattr(backends, "COLUMNAR_FROM_ROWS", 2)
    assert backends.choose("auto", fb).name == "python"


def test_columnar_without_duckdb_is_an_input_error_and_auto_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    fb = _facts()
    monkeypatch.setattr(backends, "columnar_available", lambda: False)
    monkeypatch.setattr(backends, "COLUMNAR_FROM_ROWS", 1)
    with pytest.raises(KepuError) as err:
        backends.choose("columnar", fb)
    assert "pip install duckdb" in str(err.value.diagnostics[0].message.en)
    assert isinstance(backends.choose("auto", fb), PythonEvaluator)
