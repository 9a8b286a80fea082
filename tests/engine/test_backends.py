"""`--engine`: which backend each choice gives, decided by the size of the source files, and what
happens without duckdb."""

from __future__ import annotations

from pathlib import Path

import pytest

from kepu_rules.diagnostics import KepuError
from kepu_rules.engine import backends
from kepu_rules.engine.evaluate import PythonEvaluator


def _files(tmp_path: Path) -> list[Path]:
    (tmp_path / "a.csv").write_bytes(b"x" * 100)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "b.txt").write_bytes(b"y" * 50)
    return [tmp_path / "a.csv", tmp_path / "folder", tmp_path / "missing.csv"]


def test_source_bytes_counts_files_and_folders(tmp_path: Path) -> None:
    assert backends.source_bytes(_files(tmp_path)) == 150


def test_python_never_and_auto_below_the_threshold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _files(tmp_path)
    asked: list[bool] = []

    def listed() -> list[Path]:
        asked.append(True)
        return paths

    assert backends.wants_columnar("python", listed) is False
    assert asked == []  # the files are not even listed
    monkeypatch.setattr(backends, "COLUMNAR_FROM_BYTES", None)
    assert backends.wants_columnar("auto", listed) is False
    monkeypatch.setattr(backends, "COLUMNAR_FROM_BYTES", 151)
    assert backends.wants_columnar("auto", listed) is False
    assert isinstance(backends.evaluator_for(None), PythonEvaluator)


def test_auto_takes_the_columnar_backend_from_the_threshold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("duckdb")
    paths = _files(tmp_path)
    monkeypatch.setattr(backends, "COLUMNAR_FROM_BYTES", 150)
    assert backends.wants_columnar("auto", lambda: paths) is True
    assert backends.wants_columnar("columnar", lambda: []) is True
    from kepu_rules.engine.columnar.tables import ColumnarStore

    store = ColumnarStore()
    assert backends.evaluator_for(store).name == "columnar"
    store.close()


def test_columnar_without_duckdb_is_an_input_error_and_auto_falls_back(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _files(tmp_path)
    monkeypatch.setattr(backends, "columnar_available", lambda: False)
    monkeypatch.setattr(backends, "COLUMNAR_FROM_BYTES", 1)
    with pytest.raises(KepuError) as err:
        backends.wants_columnar("columnar", lambda: paths)
    assert "pip install duckdb" in str(err.value.diagnostics[0].message.en)
    assert backends.wants_columnar("auto", lambda: paths) is False
