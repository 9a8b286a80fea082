"""The csv source: encodings, title rows, column mapping, provenance and exact error texts."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from kepu_rules.diagnostics import KepuError
from kepu_sources.csv_source import CsvSource

from .conftest import error, read, snapshot

ACTIVITIES = (
    "名称,社区,活动日期,类别,参与人数,备注\n"
    "科普日启动仪式,一社区,2026-09-15,科普日,\"1,200\",\n"
    "健康讲座,二社区,2026/9/20,讲座,35,室内\n"
)


def _write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "活动.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _rows(tmp_path: Path, **options: object) -> list:
    data = read(CsvSource, tmp_path, path="活动.csv", entity="科普活动", **options)
    [table] = data.tables
    assert table.entity == "科普活动" and table.source == "台账"
    return table.rows


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    _write(tmp_path, ACTIVITIES, encoding)
    rows = _rows(tmp_path)
    assert [r.values for r in rows] == [
        {"名称": "科普日启动仪式", "社区": "一社区", "日期": dt.date(2026, 9, 15), "类别": "科普日", "参与人数": 1200},
        {"名称": "健康讲座", "社区": "二社区", "日期": dt.date(2026, 9, 20), "类别": "讲座", "参与人数": 35},
    ]


def test_the_bom_never_reaches_the_first_header(tmp_path: Path) -> None:
    _write(tmp_path, ACTIVITIES, "utf-8-sig")
    assert _rows(tmp_path, encoding="utf-8")[0].get("名称") == "科普日启动仪式"


def test_explicit_encoding(tmp_path: Path) -> None:
    _write(tmp_path, ACTIVITIES, "gb18030")
    assert len(_rows(tmp_path, encoding="gb18030")) == 2


def test_wrong_explicit_encoding_names_the_line(tmp_path: Path) -> None:
    _write(tmp_path, ACTIVITIES, "gb18030")
    assert error(CsvSource, tmp_path, path="活动.csv", entity="科普活动", encoding="utf-8") == (
        "活动.csv:1:1: error: line 1 of 活动.csv is not UTF-8 text\n"
        "    = read as GB18030, this line is: 名称,社区,活动日期,类别,参与人数,备注\n"
        "    help: the whole file reads as GB18030: set encoding: gb18030 (or auto)")


def test_provenance_is_file_line_and_column(tmp_path: Path) -> None:
    _write(tmp_path, ACTIVITIES)
    first, second = _rows(tmp_path)
    assert first.provenance.render() == "活动.csv:2"
    assert first.where("参与人数").render() == "活动.csv:2:5"
    assert second.where("日期").render() == "活动.csv:3:3"
    assert first.where("日期").source == "台账"


def test_title_rows_and_multiline_cells_keep_physical_line_numbers(tmp_path: Path) -> None:
    _write(tmp_path, "2026年科普活动登记表\n\n名称,活动日期\n\"两行\n的名称\",2026-09-15\n讲座,2026-09-16\n")
    rows = _rows(tmp_path, header_row=3)
    assert [r.get("名称") for r in rows] == ["两行\n的名称", "讲座"]
    assert [r.provenance.line for r in rows] == [4, 6]


def test_bad_values_are_all_reported_with_line_column_value_and_expectation(tmp_path: Path) -> None:
    _write(tmp_path, "名称,活动日期,参与人数\n讲座,2026-13-01,12人\n展览,2026-09-15,35\n")
    assert error(CsvSource, tmp_path, path="活动.csv", entity="科普活动") == (
        '活动.csv:2:2: error: 日期: cannot read "2026-13-01" as a date: there is no month 13\n'
        "    help: write a date such as 2026-09-15, 2026/9/15, 2026.9.15 or 2026年9月15日\n"
        '活动.csv:2:3: error: 参与人数: cannot read "12人" as a whole number: it has a unit "人"\n'
        "    help: write the number only, e.g. 12 (put the unit in the column header)")


def test_columns_override_and_ignore(tmp_path: Path) -> None:
    _write(tmp_path, "活动主题,日期,人次\n讲座,2026-09-15,30\n")
    rows = _rows(tmp_path, columns={"活动主题": "名称", "人次": "参与人数", "日期": None})
    assert rows[0].values == {"名称": "讲座", "参与人数": 30}


def test_headers_match_despite_width_case_and_spaces(tmp_path: Path) -> None:
    _write(tmp_path, "村(社区) 名称,所属街道\n一社区,北坦街道\n", name="社区.csv")
    data = read(CsvSource, tmp_path, path="社区.csv", entity="村")
    assert data.tables[0].entity == "社区"
    assert data.tables[0].rows[0].values == {"名称": "一社区", "街道": "北坦街道"}


def test_a_missing_required_column_lists_the_headers_and_suggests(tmp_path: Path) -> None:
    _write(tmp_path, "序号,活动名,活动日期\n1,讲座,2026-09-15\n")
    assert error(CsvSource, tmp_path, path="活动.csv", entity="科普活动") == (
        "活动.csv:1: error: 活动.csv has no column for 名称 (a required field)\n"
        "    = headers: 序号, 活动名, 活动日期\n"
        "    help: did you mean '活动名'?")
    assert error(CsvSource, tmp_path, "zh", path="活动.csv", entity="科普活动") == (
        "活动.csv:1: 错误: 活动.csv中没有“名称”列（必填字段）\n"
        "    = 表头：序号、活动名、活动日期\n"
        "    建议: 是不是“活动名”？")


def test_a_missing_key_column(tmp_path: Path) -> None:
    _write(tmp_path, "所属街道,常住人口\n北坦街道,100\n", name="社区.csv")
    assert "社区.csv has no column for 名称 (the key of 社区)" in error(
        CsvSource, tmp_path, path="社区.csv", entity="社区")


def test_columns_naming_an_unknown_field_or_header(tmp_path: Path) -> None:
    _write(tmp_path, ACTIVITIES)
    text = error(CsvSource, tmp_path, path="活动.csv", entity="科普活动", columns={"备注": "备忘"})
    assert "columns maps header '备注' to '备忘', which is not a field of 科普活动" in text
    text = error(CsvSource, tmp_path, path="活动.csv", entity="科普活动", columns={"参加人数": "参与人数"})
    assert "columns names header '参加人数', which 活动.csv does not have" in text
    assert "help: did you mean '参与人数'?" in text


def test_two_columns_for_one_field(tmp_path: Path) -> None:
    _write(tmp_path, "名称,活动名称\n讲座,讲座\n")
    assert error(CsvSource, tmp_path, path="活动.csv", entity="科普活动") == (
        "活动.csv:1: error: 活动.csv: columns 1 (名称) and 2 (活动名称) both map to field 名称\n"
        "    help: use columns: to choose one, mapping the other to null, e.g. columns: {活动名称: null}")


def test_required_values(tmp_path: Path) -> None:
    _write(tmp_path, "名称,参与人数\n,12\n")
    assert error(CsvSource, tmp_path, path="活动.csv", entity="科普活动") == (
        "活动.csv:2:1: error: 名称 is required but empty in this row")


def test_totals_and_template_rows_are_skipped(tmp_path: Path) -> None:
    _write(tmp_path, "序号,名称,参与人数\n1,讲座,10\n2,,\n3,-,\n合  计,,10\n")
    assert [r.get("名称") for r in _rows(tmp_path)] == ["讲座"]


def test_short_rows_read_as_missing_and_long_rows_are_errors(tmp_path: Path) -> None:
    _write(tmp_path, "名称,参与人数\n讲座\n展览,1,234\n")
    assert error(CsvSource, tmp_path, path="活动.csv", entity="科普活动") == (
        "活动.csv:3:3: error: this row has 3 cells but the header has 2: is a value containing the delimiter "
        'unquoted (write 1,234 as "1,234")?')
    _write(tmp_path, "名称,参与人数\n讲座\n")
    assert _rows(tmp_path)[0].values == {"名称": "讲座", "参与人数": None}


@pytest.mark.parametrize(("delimiter", "sep"), [("tab", "\t"), ("\t", "\t"), (";", ";"), ("semicolon", ";")])
def test_delimiters(tmp_path: Path, delimiter: str, sep: str) -> None:
    _write(tmp_path, f"名称{sep}参与人数\n讲座{sep}1,200\n")
    assert _rows(tmp_path, delimiter=delimiter)[0].values == {"名称": "讲座", "参与人数": 1200}


def test_entity_names_are_checked(tmp_path: Path) -> None:
    _write(tmp_path, ACTIVITIES)
    assert error(CsvSource, tmp_path, path="活动.csv", entity="科普活").startswith(
        "活动.csv: error: the ruleset has no entity '科普活'\n    help: did you mean '科普活动'?")


def test_a_missing_file(tmp_path: Path) -> None:
    assert error(CsvSource, tmp_path, path="data/活动.csv", entity="科普活动") == (
        "data/活动.csv: error: the file data/活动.csv of source 台账 does not exist\n"
        f"    help: paths are relative to the folder of kepu.yaml, {tmp_path}")


def test_a_header_row_past_the_end(tmp_path: Path) -> None:
    _write(tmp_path, "名称\n")
    assert error(CsvSource, tmp_path, path="活动.csv", entity="科普活动", header_row=3) == (
        "活动.csv: error: 活动.csv has no row 3 to read headers from")


def test_empty_file_with_a_header_is_zero_rows(tmp_path: Path) -> None:
    _write(tmp_path, "名称,参与人数\n")
    assert _rows(tmp_path) == []


@pytest.mark.parametrize("options", [
    {"encoding": "klingon"}, {"delimiter": ",,"}, {"header_row": 0}, {"sheet": "x"},
])
def test_invalid_options(options: dict) -> None:
    with pytest.raises(ValidationError):
        CsvSource.Options.model_validate({"path": "a.csv", "entity": "科普活动", **options})


def test_options_document_themselves() -> None:
    for name, info in CsvSource.Options.model_fields.items():
        assert info.description, name


def test_reading_never_modifies_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, ACTIVITIES, "utf-8-sig")
    before = snapshot(path)
    _rows(tmp_path)
    assert snapshot(path) == before


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_random_bytes_only_ever_raise_kepu_error(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "活动.csv").write_bytes(data)
    with contextlib.suppress(KepuError):
        read(CsvSource, tmp_path, path="活动.csv", entity="科普活动")


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.text(max_size=8), min_size=1, max_size=5), max_size=6))
def test_random_cells_under_a_good_header_only_ever_raise_kepu_error(tmp_path: Path, rows: list) -> None:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["名称", "社区", "活动日期", "参与人数", "类别"])
    writer.writerows(rows)
    (tmp_path / "活动.csv").write_text(out.getvalue(), encoding="utf-8")
    with contextlib.suppress(KepuError):
        read(CsvSource, tmp_path, path="活动.csv", entity="科普活动")


def test_repeated_values_read_the_same_and_every_bad_one_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "名称,社区,参与人数\n" + "讲座,一社区,12人\n" * 3 + "讲座,一社区,12\n" * 3)
    text = error(CsvSource, tmp_path, path="活动.csv", entity="科普活动")
    assert [line.split(": error")[0] for line in text.splitlines() if "error" in line] == [
        "活动.csv:2:3", "活动.csv:3:3", "活动.csv:4:3"]
    _write(tmp_path, "名称,社区,参与人数\n" + "讲座,一社区,12\n" * 3)
    rows = _rows(tmp_path)
    assert [r.values for r in rows] == [{"名称": "讲座", "社区": "一社区", "参与人数": 12}] * 3
    assert [r.where("社区").render() for r in rows] == ["活动.csv:2:2", "活动.csv:3:2", "活动.csv:4:2"]


def test_the_number_of_reported_problems_is_capped(tmp_path: Path) -> None:
    _write(tmp_path, "名称,参与人数\n" + "讲座,很多\n" * 70)
    text = error(CsvSource, tmp_path, path="活动.csv", entity="科普活动")
    assert text.count(": error:") == 50
    assert text.endswith("活动.csv: note: 20 more problems not shown")


def _reference_rows(tmp_path: Path, entity_name: str = "科普活动") -> tuple[list, list[str]]:
    """Rows and problems as the csv source read them before it looked texts up itself: every cell through
    RowBuilder.value, in order (the memoised reading must give exactly this)."""
    from kepu_rules.diagnostics import Location
    from kepu_rules.facts.provenance import Provenance
    from kepu_rules.i18n import Msg
    from kepu_sources import csv_source
    from kepu_sources.columns import HeaderMatcher, RowBuilder, is_total_row
    from kepu_sources.common import Problems

    from .conftest import SCHEMA

    shown = "活动.csv"
    entity = SCHEMA.entity(entity_name)
    assert entity is not None
    records = iter(csv_source._Records((tmp_path / shown).read_text(encoding="utf-8"), ",", shown))
    line, headers = csv_source._header(records, 1, shown)
    columns = HeaderMatcher(entity, SCHEMA, {}, Location(shown, line=line)).columns(
        [[h] if h else [] for h in headers], Msg(shown, shown), lambda i: str(i + 1))
    problems = Problems(Location(shown))
    builder = RowBuilder(entity, columns, problems)
    rows = []
    width = len(headers)
    for line, cells in records:
        count = len(cells)
        if is_total_row(cells):
            continue
        if count > width and any(c.strip() for c in cells[width:]):
            problems.add(csv_source.Diagnostic(Location(shown, line=line, column=width + 1), Msg("ragged", "ragged"),
                                               code="ragged-row"))
            continue
        values: dict = {}
        where_cells: dict = {}
        filled = False
        for c in columns:
            raw = cells[c.index] if c.index < count else None
            where = Provenance("台账", shown, None, None, line, c.index + 1)
            filled = builder.value(values, where_cells, c, raw, where) or filled
        if filled:
            rows.append(builder.finish(values, where_cells, Provenance("台账", shown, None, None, line)))
    return rows, [f"{d.location} {d.code} {d.message.en}" for d in problems.items] + [f"+{problems.dropped}"]


def _seen_rows(rows: list) -> list:
    """What a reader's rows say: values, their types, and where the row and each value came from."""
    return [(r.entity, list(r.values.items()), [type(v) for v in r.values.values()], r.provenance,
             [(name, r.where(name)) for name in r.values]) for r in rows]


TEXTS = st.sampled_from(["讲座", "一社区", "12", "1,200", "12人", "", " ", "-", "无数据", "是", "2026-09-15",
                         "2026/13/1", "合计", "Total", " sub total", "T-1", "#REF!", "  讲座 ", "３５", "1.5万"])


def _good_row(cells: tuple[str, ...], extra: tuple[str, ...], width: int) -> list[str]:
    """The cells, with blank cells past the header, or else cut to `width` (a short row)."""
    return [*cells, *extra] if extra else list(cells[:width])


GOOD_ROWS = st.one_of(
    st.tuples(st.sampled_from(["讲座", "  讲座 ", "展览", "T-1", "３５"]),
              st.sampled_from(["一社区", "", "-", "无数据", "二社区 "]),
              st.sampled_from(["2026-09-15", "2026/9/1", "", "20260915"]),
              st.sampled_from(["12", "1,200", "", "３５", "1.5万", "-"]),
              st.sampled_from(["讲座", "", "Total", "合计"]),
              st.sampled_from([(), ("",), (" ", "")]),  # blank cells past the header: not an error
              st.integers(1, 5)).map(lambda t: _good_row(t[:5], t[5], t[6])),
    st.sampled_from([[], [""], ["", "", "", "", ""], ["-", "", "", "", ""], ["合  计", "", "", "10", ""],
                     ["Total", "", "", "", ""], ["", " Sub Total", "", "3", ""]]),
)


def _write_rows(tmp_path: Path, rows: list) -> None:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["名称", "社区", "活动日期", "参与人数", "类别"])
    writer.writerows(rows)
    (tmp_path / "活动.csv").write_text(out.getvalue(), encoding="utf-8")


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(GOOD_ROWS, max_size=12), cache=st.sampled_from([0, 1, 4096]))
def test_memoised_reading_equals_reading_every_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    rows: list, cache: int) -> None:
    from kepu_sources import csv_source

    monkeypatch.setattr(csv_source, "CACHE_PER_COLUMN", cache)
    _write_rows(tmp_path, rows)
    expected, problems = _reference_rows(tmp_path)
    assert problems == ["+0"]
    got = read(CsvSource, tmp_path, path="活动.csv", entity="科普活动").tables[0].rows
    assert _seen_rows(got) == _seen_rows(expected)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(TEXTS, min_size=0, max_size=7), max_size=12), cache=st.sampled_from([0, 1, 4096]))
def test_memoised_reading_reports_what_reading_every_cell_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               rows: list, cache: int) -> None:
    from kepu_sources import csv_source

    monkeypatch.setattr(csv_source, "CACHE_PER_COLUMN", cache)
    _write_rows(tmp_path, rows)
    expected, problems = _reference_rows(tmp_path)
    try:
        got = read(CsvSource, tmp_path, path="活动.csv", entity="科普活动").tables[0].rows
    except KepuError as exc:
        found = [f"{d.location} {d.code} {d.message.en}" for d in exc.diagnostics]
        # The same problems in the same order (the reference's ragged-row text is abridged).
        assert [p.split(" ")[:2] for p in problems[:-1]] == [f.split(" ")[:2] for f in found[: len(problems) - 1]]
        assert [p for p in problems[:-1] if "ragged" not in p] == [f for f in found if "ragged-row" not in f
                                                                  and "more-problems" not in f]
        assert ("more-problems" in found[-1]) == (problems[-1] != "+0")
        return
    assert problems == ["+0"]
    assert _seen_rows(got) == _seen_rows(expected)


def test_a_text_cached_in_one_column_is_still_bad_in_another(tmp_path: Path) -> None:
    _write(tmp_path, "名称,参与人数,类别\n" + "讲座,12,十二\n" * 2 + "十二,十二,讲座\n")
    text = error(CsvSource, tmp_path, path="活动.csv", entity="科普活动")
    assert [line.split(": error")[0] for line in text.splitlines() if "error" in line] == ["活动.csv:4:2"]


def test_ascii_totals_rows(tmp_path: Path) -> None:
    _write(tmp_path, "序号,名称,参与人数\n1,讲座,10\nTotal,,10\n- , Sub Total,\nT-2,展览,3\n  ,  TOTAL  ,\n")
    assert [r.get("名称") for r in _rows(tmp_path)] == ["讲座", "展览"]


def test_a_bad_required_value_is_one_problem_not_two(tmp_path: Path) -> None:
    _write(tmp_path, "名称,参与人数\n讲座,1\n#REF!,2\n#REF!,x\n")
    assert [line.split(": error: ")[0] + " " + line.split(": ")[2]
            for line in error(CsvSource, tmp_path, path="活动.csv", entity="科普活动").splitlines()
            if ": error: " in line] == ["活动.csv:3:1 名称", "活动.csv:4:1 名称", "活动.csv:4:2 参与人数"]


@given(st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=10),
                          st.sampled_from(["合计", "合  计", "Total", " sub\tTOTAL ", "ＴＯＴＡＬ", "total.", "-", " "])),
                max_size=4))
def test_totals_rows_are_found_as_by_their_definition(raws: list) -> None:
    from kepu_rules.facts.coerce import is_missing
    from kepu_sources.columns import TOTAL_MARKERS, is_total_row, norm_header

    first = next((r for r in raws if not is_missing(r)), None)
    assert is_total_row(raws) == (isinstance(first, str) and norm_header(first) in TOTAL_MARKERS)
    assert all("t" in m for m in TOTAL_MARKERS if m.isascii())  # what the ASCII shortcut relies on
