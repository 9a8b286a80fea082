"""The csv source's columnar read (csv_native.py) against its Python reader: the same rows, the same
provenance, the same diagnostics, whatever the file; and where it must step aside for the Python reader."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

pytest.importorskip("duckdb")

from kepu_rules.diagnostics import KepuError
from kepu_rules.engine.columnar.tables import ColumnarStore
from kepu_rules.facts.coerce import converter
from kepu_rules.facts.schema import FieldDef, FieldType
from kepu_rules.facts.table import FactBase, SourceData
from kepu_rules.sources import SourceContext
from kepu_sources.csv_native import plain
from kepu_sources.csv_source import CsvSource

from .conftest import SCHEMA

HEADER = "活动名称,社区,活动日期,类别,参与人数,备注"
#: What rules read of 科普活动 in these tests: 名称 (required) and 备注-less columns; 类别 is left lazy.
WANTED = {"科普活动": {"名称", "社区", "日期", "参与人数"}}


def _read(tmp_path: Path, text: str | bytes, store: ColumnarStore | None, **options: Any) -> SourceData | str:
    path = tmp_path / "活动.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    opts = CsvSource.Options.model_validate({"path": "活动.csv", "entity": "科普活动", **options})
    try:
        return CsvSource().read(opts, SourceContext("台账", SCHEMA, tmp_path, columnar=store))
    except KepuError as err:
        return err.render("en")


def _shape(rows: list[Any]) -> list[tuple[Any, ...]]:
    return [(r.entity, r.values, r.provenance, r.cells, dict(r.columns or {}), r.key) for r in rows]


def both(tmp_path: Path, text: str | bytes, **options: Any) -> tuple[bool, Any]:
    """(whether the columnar read kept the rows deferred, what both reads gave), asserting they agree."""
    python = _read(tmp_path, text, None, **options)
    store = ColumnarStore(WANTED)
    try:
        native = _read(tmp_path, text, store, **options)
        if isinstance(python, str):
            assert native == python
            return False, python
        assert isinstance(native, SourceData)
        [table] = native.tables
        deferred = table.deferred is not None
        assert _shape(table.all_rows()) == _shape(python.tables[0].rows)
        assert len(table) == len(python.tables[0].rows)
        return deferred, python.tables[0].rows
    finally:
        store.close()


def test_a_plain_file_stays_in_the_store_and_reads_as_the_python_reader(tmp_path: Path) -> None:
    text = HEADER + "\n科普日启动仪式,一社区,2026-09-15,科普日,\"1,200\",\n健康讲座,二社区,2026/9/20,讲座,35,室内\n"
    deferred, rows = both(tmp_path, text)
    assert deferred and len(rows) == 2
    assert rows[0].where("参与人数").render() == "活动.csv:2:5"


def test_title_rows_blank_lines_totals_and_empty_rows_keep_line_numbers(tmp_path: Path) -> None:
    text = ("2026年科普活动台账\n" + HEADER + "\n\n讲座,一社区,2026-09-15,讲座,3,\n,,,,,\n\n"
            "  合  计 ,,,,3,\nTotal,,,,3,\n , ,,,,\n展览,二社区,2026-09-16,展览,-,\n")
    deferred, rows = both(tmp_path, text, header_row=2)
    assert deferred
    assert [r.provenance.line for r in rows] == [4, 10]


def test_crlf_gb18030_and_quotes(tmp_path: Path) -> None:
    text = HEADER + '\r\n"讲座, 科普",一社区,2026-09-15,讲座,"3",""\r\n"展览""二""",二社区,2026-09-16,展览,4,x\r\n'
    deferred, rows = both(tmp_path, text.encode("gb18030"))
    assert deferred and rows[1].get("名称") == '展览"二"'
    deferred, rows = both(tmp_path, HEADER + '\n讲座 "甲",一社区,2026-09-15,讲座,3,\n')  # a quote inside a cell
    assert deferred and rows[0].get("名称") == '讲座 "甲"'


@pytest.mark.parametrize("text", [
    HEADER + '\n"多行\n名称",一社区,2026-09-15,讲座,3,\n',  # a record over two lines
    HEADER + '\n讲座,一社区,2026-09-15,讲座,3,,多出的一格\n',  # a ragged row: the Python reader says where
    HEADER + '\n讲座,一社区,2026-09-15,讲座,三个,\n',  # a bad number
    HEADER + '\n,一社区,2026-09-15,讲座,3,\n',  # a required field left empty
    HEADER + '\n讲座,一社区,2026-09-15,#N/A,3,\n',  # an Excel error in a column no rule reads
    HEADER + '\n讲座\r一社区,2026-09-15,讲座,3,\n',  # a lone carriage return
])
def test_what_the_columnar_read_leaves_to_the_python_reader(tmp_path: Path, text: str) -> None:
    deferred, _ = both(tmp_path, text)
    assert not deferred


def test_short_rows_and_trailing_empty_cells(tmp_path: Path) -> None:
    text = HEADER + "\n讲座,一社区\n展览,二社区,2026-09-16,展览,4,备注,,\n"
    deferred, rows = both(tmp_path, text)
    assert deferred and len(rows) == 2


def test_values_and_indexes_of_deferred_rows(tmp_path: Path) -> None:
    text = HEADER + "\n讲座,一社区,2026-09-15,讲座,3,\n展览,二社区,,展览,,\n讲座 ,一社区,2026-09-17,-,5,\n"
    store = ColumnarStore(WANTED)
    data = _read(tmp_path, text, store)
    assert isinstance(data, SourceData)
    deferred = data.tables[0].deferred
    assert deferred is not None
    assert deferred.values("参与人数", [0, 1, 2]) == [3, None, 5]
    assert deferred.values("类别", [2, 0]) == [None, "讲座"]  # a lazy column reads as the Python reader reads it
    assert deferred.index("社区") == {"一社区": [0, 2], "二社区": [1]}
    assert deferred.index("名称") == {"讲座": [0, 2], "展览": [1]}
    assert not deferred.filled_and_unique("名称") and not deferred.filled_and_unique("日期")
    store.close()


def test_values_of_numbers_are_the_readers_not_duckdbs(tmp_path: Path) -> None:
    (tmp_path / "社区.csv").write_text("名称,科普活动室面积,覆盖率,常住人口\n一社区,12.5,80%,3000\n二社区,1.5万,,\n"
                                     "三社区,12.50,0.8,3000\n", encoding="utf-8")
    opts = CsvSource.Options.model_validate({"path": "社区.csv", "entity": "社区"})
    store = ColumnarStore()
    deferred = CsvSource().read(opts, SourceContext("台账", SCHEMA, tmp_path, columnar=store)).tables[0].deferred
    python = CsvSource().read(opts, SourceContext("台账", SCHEMA, tmp_path)).tables[0].rows
    assert deferred is not None
    for field in ("科普活动室面积", "覆盖率", "常住人口", "名称"):
        expected = [r.get(field) for r in python]
        got = deferred.values(field, range(3))
        assert got == expected and [type(v) for v in got] == [type(v) for v in expected]
        assert deferred.values(field, [2, 0]) == [expected[2], expected[0]]
    store.close()


@given(st.text(alphabet=st.characters(codec="ascii", exclude_characters="\x00"), min_size=1, max_size=12))
def test_plain_texts_read_as_themselves(text: str) -> None:
    if plain(text):
        assert converter(FieldDef("x", FieldType.TEXT))(text, None, False) == text


@given(st.text(alphabet=st.sampled_from("ab #-/ \t\u3000é合计NA"), min_size=1, max_size=6))
@settings(max_examples=150)
def test_the_sql_test_of_plain_is_the_python_one(text: str) -> None:
    import duckdb

    from kepu_sources.csv_native import _plain_sql

    con = duckdb.connect()
    found = con.execute(f"SELECT {_plain_sql('t')} FROM (SELECT ?::VARCHAR AS t)", [text]).fetchone()
    assert found is not None and bool(found[0]) == plain(text)


_CELLS = st.sampled_from(["", " ", "讲座", "一社区", "二社区", "2026-09-15", "2026/9/16", "3", "1,200", "-", "合计",
                          "Total", "#N/A", "x\"y", "多\n行", "展览,二", "  讲座 ", "三", "0.5"])


@given(rows=st.lists(st.lists(_CELLS, min_size=0, max_size=8), max_size=8),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, None]),
       crlf=st.booleans())
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_file_reads_the_same_either_way(tmp_path: Path, rows: list[list[str]], quoting: int | None,
                                           crlf: bool) -> None:
    newline = "\r\n" if crlf else "\n"
    if quoting is None:  # written by hand, as a careless export would: quotes and delimiters unescaped
        body = newline.join(",".join(r) for r in rows)
    else:
        out = io.StringIO()
        csv.writer(out, quoting=quoting, lineterminator=newline).writerows(rows)
        body = out.getvalue()
    deferred, _ = both(tmp_path, HEADER + newline + body)
    event("kept in the store" if deferred else "read in Python")


def test_a_deferred_entity_in_a_fact_base(tmp_path: Path) -> None:
    text = HEADER + "\n讲座,一社区,2026-09-15,讲座,3,\n展览,二社区,2026-09-16,展览,4,\n"
    store = ColumnarStore(WANTED)
    data = _read(tmp_path, text, store)
    assert isinstance(data, SourceData)
    facts = FactBase.build(SCHEMA, [data])
    assert "科普活动" in facts.deferred and facts.count("科普活动") == 2
    assert [r.get("名称") for r in facts.children("科普活动", "社区", "二社区")] == ["展览"]
    rows = facts.all("科普活动")
    assert [r.get("名称") for r in rows] == ["讲座", "展览"]
    assert facts.children("科普活动", "社区", "二社区")[0] is rows[1]  # built once
    store.close()


def test_without_a_temporary_file_the_python_reader_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError("read-only temporary folder")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    deferred, rows = both(tmp_path, HEADER + "\n讲座,一社区,2026-09-15,讲座,3,\n")
    assert not deferred and len(rows) == 1


@pytest.mark.parametrize("communities", [
    "名称,街道\n一社区,北坦街道\n二社区,北坦街道\n一社区,南坦街道\n",  # a key twice
    "名称,街道\n一社区,北坦街道\n,北坦街道\n",  # a key left empty (not required, so the read keeps the row)
    "名称,街道\n一社区,北坦街道\n二社区,北担街道\n",  # a reference to no street
    "名称,街道\n一社区,北坦街道\n二社区,\n",  # all well
])
def test_keys_and_references_of_deferred_rows_are_checked_as_the_python_rows(tmp_path: Path, communities: str) -> None:
    from kepu_sources.yaml_source import YamlSource

    (tmp_path / "街道.yaml").write_text("街道:\n  - 名称: 北坦街道\n  - 名称: 南坦街道\n", encoding="utf-8")
    (tmp_path / "社区.csv").write_text(communities, encoding="utf-8")

    def build(store: ColumnarStore | None) -> tuple[str, list[str]]:
        streets = YamlSource().read(YamlSource.Options.model_validate({"path": "街道.yaml"}),
                                    SourceContext("基础", SCHEMA, tmp_path))
        opts = CsvSource.Options.model_validate({"path": "社区.csv", "entity": "社区"})
        data = CsvSource().read(opts, SourceContext("台账", SCHEMA, tmp_path, columnar=store))
        assert (data.tables[0].deferred is not None) == (store is not None)  # the store kept the rows
        try:
            facts = FactBase.build(SCHEMA, [streets, data])
        except KepuError as err:
            return err.render("en"), []
        return "", [r.provenance.render() for r in facts.children("社区", "街道", "北坦街道")]

    store = ColumnarStore()
    try:
        assert build(store) == build(None)
    finally:
        store.close()


def test_a_cell_longer_than_the_csv_modules_default_limit_is_read_by_both_readers(tmp_path: Path) -> None:
    long = "长" * 200_000  # the csv module refuses cells over 131,072 characters unless told otherwise
    for cell in (long, f'"{long}"'):
        _, rows = both(tmp_path, HEADER + f"\n{cell},一社区,2026-09-15,讲座,3,\n")
        assert not isinstance(rows, str), rows
        assert [r.get("名称") for r in rows] == [long]
