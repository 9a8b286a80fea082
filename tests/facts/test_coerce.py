"""Truth tables and laws for value coercion: every format users type, and precise errors for the rest."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kepu_rules.diagnostics import KepuError
from kepu_rules.facts.coerce import (
    EXCEL_ERRORS,
    FALSE_WORDS,
    MISSING_MARKERS,
    TRUE_WORDS,
    BadValue,
    coerce,
    converter,
    is_missing,
    ref_type_of,
)
from kepu_rules.facts.provenance import Provenance
from kepu_rules.facts.schema import EntityDef, FieldDef, FieldType, ScalarDef, Schema

T = FieldType
CELL = Provenance("台账", "台账.xlsx", sheet="科普标识", cell="C7")
LINE = Provenance("活动", "活动.csv", line=12, column=3)


def c(raw: object, ftype: FieldType, **kw: object) -> object:
    return coerce(raw, FieldDef("字段", ftype), CELL, **kw)  # type: ignore[arg-type]


def fails(raw: object, ftype: FieldType, lang: str = "en", **kw: object) -> str:
    with pytest.raises(KepuError) as caught:
        c(raw, ftype, **kw)
    return caught.value.render(lang)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ missing


@pytest.mark.parametrize("ftype", list(FieldType))
@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000", "\t\n", "-", "—", "——", "/", "无数据", "暂无", "N/A"])
def test_missing_markers_are_none_for_every_type(raw: object, ftype: FieldType) -> None:
    assert c(raw, ftype) is None


@pytest.mark.parametrize(("raw", "ftype", "expected"), [
    ("0", T.INTEGER, 0), ("0", T.NUMBER, 0), ("0%", T.PERCENT, 0), ("0", T.BOOL, False), (0, T.INTEGER, 0),
    ("无", T.BOOL, False), ("否", T.BOOL, False),
])
def test_zero_and_no_are_values_not_missing(raw: object, ftype: FieldType, expected: object) -> None:
    value = c(raw, ftype)
    assert value is not None
    assert value == expected


def test_is_missing() -> None:
    assert all(is_missing(m) for m in MISSING_MARKERS)
    assert is_missing(None) and is_missing(" — ")
    assert not is_missing("0") and not is_missing(0) and not is_missing(False) and not is_missing("无")


# --------------------------------------------------------------------------------------------- text


@pytest.mark.parametrize(("raw", "expected"), [
    ("北坦街道", "北坦街道"),
    ("  北坦街道\u3000", "北坦街道"),
    ("\ufeff名称", "名称"),
    ("\u200b北坦\u200b", "北坦"),
    ("e\u0301", "é"),  # NFC: a decomposed accent becomes one character
    ("a  b", "a  b"),  # inner spaces are data
    (101, "101"),
    (101.0, "101"),
    (1.5, "1.5"),
    (dt.date(2026, 9, 15), "2026-09-15"),
    (dt.datetime(2026, 9, 15), "2026-09-15"),
    (dt.datetime(2026, 9, 15, 10, 30), "2026-09-15 10:30:00"),
    (Decimal("2.50"), "2.50"),
])
def test_text(raw: object, expected: str) -> None:
    assert c(raw, T.TEXT) == expected
    assert c(raw, T.REF) == expected


def test_ref_reads_as_its_target_key_type() -> None:
    schema = Schema(entities={
        "楼": EntityDef("楼", {"编号": FieldDef("编号", T.INTEGER, is_key=True)}),
        "房": EntityDef("房", {"楼": FieldDef("楼", T.REF, target="楼"), "街": FieldDef("街", T.REF, target="街")}),
    })
    room = schema.entities["房"]
    assert ref_type_of(room.fields["楼"], schema) is T.INTEGER
    assert ref_type_of(room.fields["街"], schema) is T.TEXT  # unknown target: read as text
    assert coerce("1,203", room.fields["楼"], CELL, ref_type=T.INTEGER) == 1203
    assert coerce("A3", room.fields["街"], CELL) == "A3"


@pytest.mark.parametrize("raw", sorted(EXCEL_ERRORS))
def test_excel_error_values_are_errors_in_every_type(raw: str) -> None:
    for ftype in FieldType:
        assert f"the cell holds the Excel error {raw}" in fails(raw, ftype)


def test_text_errors() -> None:
    assert "this is a yes/no value" in fails(True, T.TEXT)
    assert "this is a list, not a single value" in fails(["a"], T.TEXT)
    assert "this is a mapping, not a single value" in fails({"a": 1}, T.TEXT)


# ------------------------------------------------------------------------------------------ numbers


@pytest.mark.parametrize(("raw", "expected"), [
    ("12", 12), (" 12 ", 12), ("+7", 7), ("-5", -5), ("−5", -5), ("－5", -5),
    ("1,234", 1234), ("1,234,567", 1234567), ("１２３", 123), ("１，２３４", 1234),
    ("1.5万", 15000), ("3万", 30000), ("2亿", 200_000_000), ("1.23E+05", 123000), ("12.0", 12),
    (12, 12), (3.0, 3), (Decimal("4"), 4), (Fraction(8, 2), 4),
])
def test_integer(raw: object, expected: int) -> None:
    value = c(raw, T.INTEGER)
    assert value == expected and type(value) is int


@pytest.mark.parametrize(("raw", "expected"), [
    ("3.5", Fraction(7, 2)), ("-0.25", Fraction(-1, 4)), (".5", Fraction(1, 2)), ("5.", 5),
    ("1,234.5", Fraction(2469, 2)), ("３．５", Fraction(7, 2)), ("1.25万", 12500), ("0", 0),
    (0.1, Fraction(1, 10)), (2.675, Fraction(2675, 1000)), (7, 7), (1e20, 10**20),
])
def test_number_is_exact(raw: object, expected: object) -> None:
    value = c(raw, T.NUMBER)
    assert value == expected
    assert isinstance(value, int | Fraction) and not isinstance(value, bool)
    if isinstance(value, Fraction):
        assert value.denominator != 1  # integral numbers come back as int


@pytest.mark.parametrize(("raw", "ftype", "reason"), [
    ("12个", T.INTEGER, 'it has a unit "个"'),
    ("120 平方米", T.NUMBER, 'it has a unit "平方米"'),
    ("1.5万元", T.NUMBER, 'it has a unit "万元"'),
    ("100元", T.INTEGER, 'it has a unit "元"'),
    ("1.5", T.INTEGER, "it is not a whole number"),
    ("12,34", T.INTEGER, "its thousands separators are misplaced"),
    ("80%", T.NUMBER, "this is a percentage, but the field is a number"),
    (True, T.INTEGER, "this is a yes/no value"),
    (dt.date(2026, 1, 1), T.NUMBER, "this is a date or time"),
    (float("nan"), T.NUMBER, "it is not a finite number"),
    (float("inf"), T.INTEGER, "it is not a finite number"),
])
def test_number_errors_say_why(raw: object, ftype: FieldType, reason: str) -> None:
    assert reason in fails(raw, ftype)


@pytest.mark.parametrize("raw", ["abc", "nan", "Infinity", "1 234", "3-5", "0x1F", "1_000", "1e99999", "一百"])
def test_number_rejects(raw: str) -> None:
    fails(raw, T.NUMBER)


def test_unit_error_text_in_both_languages() -> None:
    assert fails("12个", T.INTEGER) == (
        '台账.xlsx[科普标识]!C7: error: 字段: cannot read "12个" as a whole number: it has a unit "个"\n'
        "    help: write the number only, e.g. 12 (put the unit in the column header)")
    assert fails("12个", T.INTEGER, "zh") == (
        "台账.xlsx[科普标识]!C7: 错误: 字段：无法将“12个”识别为整数：带有单位“个”\n"
        "    建议: 请只填写数字，如 12（单位写在表头中）")


# ------------------------------------------------------------------------------------------ percent


@pytest.mark.parametrize(("raw", "expected"), [
    ("80%", Fraction(4, 5)), ("80％", Fraction(4, 5)), ("８０％", Fraction(4, 5)), (" 80 % ", Fraction(4, 5)),
    ("12.5%", Fraction(1, 8)), ("100%", 1), ("120%", Fraction(6, 5)), ("-5%", Fraction(-1, 20)), ("0%", 0),
    ("0.8", Fraction(4, 5)), (".8", Fraction(4, 5)), ("1", 1), ("0", 0), ("-0.05", Fraction(-1, 20)),
    (0.8, Fraction(4, 5)), (1, 1), (0, 0),
])
def test_percent(raw: object, expected: Fraction) -> None:
    value = c(raw, T.PERCENT)
    assert value == expected and isinstance(value, Fraction)


@pytest.mark.parametrize("raw", ["80", 80, 80.0, "1.5", "150", -2])
def test_a_bare_number_above_one_is_ambiguous(raw: object) -> None:
    assert "it is ambiguous in a percent column" in fails(raw, T.PERCENT)


def test_ambiguous_percent_text() -> None:
    assert fails("80", T.PERCENT) == (
        '台账.xlsx[科普标识]!C7: error: 字段: cannot read "80" as a percentage: it is ambiguous in a percent column\n'
        "    help: write 80% or 0.8")
    assert fails("80", T.PERCENT, "zh") == (
        "台账.xlsx[科普标识]!C7: 错误: 字段：无法将“80”识别为百分比：不清楚是百分数还是比例\n"
        "    建议: 请写成 80% 或 0.8")
    assert "write 12.5% or 0.125" in fails("12.5", T.PERCENT)


def test_a_cell_formatted_as_percent_holds_the_fraction() -> None:
    assert c(1.5, T.PERCENT, percent_cell=True) == Fraction(3, 2)
    assert c(0.8, T.PERCENT, percent_cell=True) == Fraction(4, 5)
    assert c("150%", T.PERCENT, percent_cell=True) == Fraction(3, 2)


@pytest.mark.parametrize("raw", ["abc%", "80 percent", "八成", "%", "80%%"])
def test_percent_rejects(raw: str) -> None:
    fails(raw, T.PERCENT)


# --------------------------------------------------------------------------------------------- bool


@pytest.mark.parametrize("raw", [*TRUE_WORDS, "Y", "YES", "True", "TRUE", "Ｙ", " 是 ", True, 1, 1.0])
def test_true(raw: object) -> None:
    assert c(raw, T.BOOL) is True


@pytest.mark.parametrize("raw", [*FALSE_WORDS, "N", "No", "FALSE", "×", False, 0, 0.0])
def test_false(raw: object) -> None:
    assert c(raw, T.BOOL) is False


@pytest.mark.parametrize("raw", ["maybe", "x", "X", "ok", "不是", "2", 2, 0.5, "是的", "已"])
def test_bool_rejects_and_lists_accepted_spellings(raw: object) -> None:
    assert "help: write one of 是/否, 有/无, √/×, ✓/✗, Y/N, yes/no, true/false or 1/0" in fails(raw, T.BOOL)


def test_bool_error_text() -> None:
    assert fails("也许", T.BOOL, "zh") == (
        "台账.xlsx[科普标识]!C7: 错误: 字段：无法将“也许”识别为是/否值\n"
        "    建议: 请填写 是/否、有/无、√/×、✓/✗、Y/N、yes/no、true/false 或 1/0")


# --------------------------------------------------------------------------------------------- date

D = dt.date(2026, 9, 15)


@pytest.mark.parametrize("raw", [
    "2026-09-15", "2026-9-15", "2026/9/15", "2026/09/15", "2026.9.15", "2026年9月15日", "2026 年 9 月 15 日",
    "2026年9月15号", "20260915", "２０２６－０９－１５", "2026-09-15 10:30", "2026/9/15 10:30:00", "2026-09-15T08:00:00",
    D, dt.datetime(2026, 9, 15, 23, 59), 20260915,
])
def test_date(raw: object) -> None:
    assert c(raw, T.DATE) == D


@pytest.mark.parametrize(("serial", "epoch", "expected"), [
    (46280, 1900, D), (46280.75, 1900, D), (1, 1900, dt.date(1900, 1, 1)), (59, 1900, dt.date(1900, 2, 28)),
    (61, 1900, dt.date(1900, 3, 1)), (44818, 1904, D),
])
def test_excel_serials_only_with_an_epoch(serial: float, epoch: int, expected: dt.date) -> None:
    assert c(serial, T.DATE, excel_epoch=epoch) == expected
    assert "this is a number, not a date" in fails(serial, T.DATE)


@pytest.mark.parametrize(("raw", "reason"), [
    ("2026-13-01", "there is no month 13"),
    ("2026-02-30", "2026-02 has no day 30"),
    ("2026年2月29日", "2026-02 has no day 29"),
    (45000, "this is a number, not a date"),
    (dt.time(10, 30), "this is a time of day without a date"),
    (True, "this is a yes/no value"),
])
def test_date_errors_say_why(raw: object, reason: str) -> None:
    assert reason in fails(raw, T.DATE)


@pytest.mark.parametrize("raw", ["15/9/2026", "9/15/2026", "2026年9月", "2026-09", "26/9/15", "2026-9/15", "明天", "2026-09-15-"])
def test_date_rejects_ambiguous_or_partial(raw: str) -> None:
    fails(raw, T.DATE)


@pytest.mark.parametrize("serial", [0, -1, 60, 3_000_000, float("inf"), float("nan"), -0.5])
def test_invalid_excel_serials(serial: float) -> None:
    fails(serial, T.DATE, excel_epoch=1900)


def test_date_error_text_on_a_csv_line() -> None:
    with pytest.raises(KepuError) as caught:
        coerce("2026-13-01", FieldDef("日期", T.DATE), LINE)
    assert caught.value.render("en") == (
        '活动.csv:12:3: error: 日期: cannot read "2026-13-01" as a date: there is no month 13\n'
        "    help: write a date such as 2026-09-15, 2026/9/15, 2026.9.15 or 2026年9月15日")
    assert caught.value.render("zh") == (
        "活动.csv:12:3: 错误: 日期：无法将“2026-13-01”识别为日期：没有 13 月\n"
        "    建议: 请填写日期，如 2026-09-15、2026/9/15、2026.9.15 或 2026年9月15日")


def test_scalar_defs_coerce_like_fields() -> None:
    assert coerce("1,234", ScalarDef("常住人口", T.INTEGER), LINE) == 1234


def test_long_values_are_shortened_in_messages() -> None:
    text = fails("x" * 100, T.INTEGER)
    assert '"' + "x" * 39 + '…"' in text


# ------------------------------------------------------------------------------------------- laws

PLAIN = FieldDef("f", T.TEXT)


@given(st.text(), st.sampled_from(list(FieldType)))
def test_arbitrary_text_only_ever_raises_kepu_error(text: str, ftype: FieldType) -> None:
    with contextlib.suppress(KepuError):
        coerce(text, FieldDef("f", ftype), CELL)


_RAW = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(),
    st.dates(), st.datetimes(), st.times(), st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)


@given(_RAW, st.sampled_from(list(FieldType)), st.sampled_from([None, 1900, 1904]), st.booleans())
def test_arbitrary_values_only_ever_raise_kepu_error(raw: object, ftype: FieldType, epoch: object,
                                                     percent_cell: bool) -> None:
    try:
        coerce(raw, FieldDef("f", ftype), CELL, excel_epoch=epoch, percent_cell=percent_cell)  # type: ignore[arg-type]
    except KepuError as exc:
        assert exc.diagnostics[0].location.cell == "C7"


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_integers_round_trip_through_every_spelling(n: int) -> None:
    full_width = str(n).translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    for text in (str(n), f"{n:,}", f" {n} ", full_width, f"{n}.0"):
        assert c(text, T.INTEGER) == n
    assert c(n, T.INTEGER) == n
    assert c(str(n), T.NUMBER) == n


@given(st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False))
def test_decimal_text_is_read_exactly(d: Decimal) -> None:
    assert c(str(d), T.NUMBER) == Fraction(d)
    assert c(f"{d:,}", T.NUMBER) == Fraction(d)


@given(st.decimals(min_value=-100, max_value=100, places=2, allow_nan=False))
def test_percent_text_round_trips(d: Decimal) -> None:
    assert c(f"{d}%", T.PERCENT) == Fraction(d) / 100
    if abs(d) <= 1:
        assert c(str(d), T.PERCENT) == Fraction(d)


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_dates_round_trip_through_every_spelling(d: dt.date) -> None:
    for text in (d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}.{d.month}.{d.day}",
                 f"{d.year}年{d.month}月{d.day}日", d.strftime("%Y%m%d")):
        assert c(text, T.DATE) == d


@given(st.integers(min_value=61, max_value=2_958_465))
def test_serials_agree_with_openpyxl(serial: int) -> None:
    from openpyxl.utils.datetime import from_excel

    assert c(serial, T.DATE, excel_epoch=1900) == from_excel(serial).date()


@given(st.text())
def test_text_is_stripped_and_idempotent(text: str) -> None:
    try:
        once = c(text, T.TEXT)
    except KepuError:
        return
    if once is not None:
        assert once == once.strip()
        assert c(once, T.TEXT) == once


RAWS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**8), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["12", "1,200", "80%", "1.5万", "是", "2026-09-15", "#REF!", " - ", "２０"]),
    st.dates(), st.datetimes(), st.lists(st.integers(), max_size=2),
)


@given(raw=RAWS, ftype=st.sampled_from(list(FieldType)), ref_type=st.sampled_from(list(FieldType)),
       epoch=st.sampled_from([None, 1900, 1904]), percent_cell=st.booleans())
def test_a_converter_reads_what_coerce_reads(raw: object, ftype: FieldType, ref_type: FieldType,
                                             epoch: int | None, percent_cell: bool) -> None:
    field = FieldDef("字段", ftype, target="街道" if ftype is T.REF else None)
    convert = converter(field, ref_type=ref_type)
    try:
        expected = coerce(raw, field, CELL, ref_type=ref_type, excel_epoch=epoch,  # type: ignore[arg-type]
                          percent_cell=percent_cell)
    except KepuError:
        with pytest.raises(BadValue):
            convert(raw, epoch, percent_cell)  # type: ignore[arg-type]
        return
    got = convert(raw, epoch, percent_cell)  # type: ignore[arg-type]
    assert (type(got), got) == (type(expected), expected)

