"""Coercion of raw ledger values (cells, CSV text, YAML scalars) to schema types, with precise errors."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Literal, Protocol

from kepu_rules.diagnostics import Diagnostic, KepuError
from kepu_rules.facts.provenance import Provenance
from kepu_rules.facts.schema import FieldDef, FieldType, Schema
from kepu_rules.facts.table import Value
from kepu_rules.i18n import Msg

ExcelEpoch = Literal[1900, 1904]


class Typed(Protocol):
    """Anything with a name and a type: a `FieldDef` or a `ScalarDef`."""

    @property
    def name(self) -> str: ...

    @property
    def type(self) -> FieldType: ...


#: Cell texts that mean "no value": the value is missing (None), which is not zero and not 否.
MISSING_MARKERS: frozenset[str] = frozenset({
    "", "-", "--", "—", "——", "–", "－", "/", "／", "无数据", "暂无数据", "暂无", "N/A", "n/a",
})

#: What Excel shows for a broken formula; such a cell is an error, never a missing value.
EXCEL_ERRORS: frozenset[str] = frozenset({
    "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!", "#GETTING_DATA",
})

#: The accepted spellings of yes and no (compared after NFKC and case folding).
TRUE_WORDS: tuple[str, ...] = ("是", "有", "√", "✓", "✔", "y", "yes", "true", "1")
FALSE_WORDS: tuple[str, ...] = ("否", "无", "×", "✗", "✘", "n", "no", "false", "0")
_BOOLS: dict[str, bool] = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}

#: Suffixes that scale a number; 万 and 亿 are how Chinese ledgers write large amounts.
MULTIPLIERS: dict[str, int] = {"万": 10_000, "亿": 100_000_000}

# Compiled once: coercion runs per cell over tens of thousands of rows.
_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?(?:[eE][+-]?[0-9]{1,3})?|[+-]?\.[0-9]+")
# A number followed by something that cannot continue a number: a unit such as 个, 平方米 or 万元.
_NUMBER_THEN_TEXT = re.compile(r"([+-]?[0-9][0-9,]*(?:\.[0-9]+)?)\s*([^0-9\s+\-.,/:].*)", re.DOTALL)
_TIME = r"(?:[ T]+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
_DATE_SEP = re.compile(r"([0-9]{4})\s*([-/.])\s*([0-9]{1,2})\s*\2\s*([0-9]{1,2})" + _TIME)
_DATE_ZH = re.compile(r"([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]" + _TIME)
_DATE_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_MINUS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-"})

_EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31
_EPOCH_1900 = dt.date(1899, 12, 30)
_EPOCH_1904 = dt.date(1904, 1, 1)

#: The name of each type in messages, and what a valid value looks like.
_KIND: dict[FieldType, Msg] = {
    FieldType.TEXT: Msg("文本", "text"),
    FieldType.REF: Msg("文本", "text"),
    FieldType.INTEGER: Msg("整数", "a whole number"),
    FieldType.NUMBER: Msg("数值", "a number"),
    FieldType.PERCENT: Msg("百分比", "a percentage"),
    FieldType.BOOL: Msg("是/否值", "yes or no"),
    FieldType.DATE: Msg("日期", "a date"),
}
_EXPECTED: dict[FieldType, Msg] = {
    FieldType.TEXT: Msg("请填写一个文本值", "write a single text value"),
    FieldType.REF: Msg("请填写所引用对象的名称", "write the name of the referenced item"),
    FieldType.INTEGER: Msg("请填写整数，如 12、1,234 或 3万", "write a whole number such as 12, 1,234 or 3万"),
    FieldType.NUMBER: Msg("请填写数值，如 3.5、-2、1,234 或 1.5万", "write a number such as 3.5, -2, 1,234 or 1.5万"),
    FieldType.PERCENT: Msg("请填写百分比，如 80% 或 0.8", "write a percentage such as 80% or 0.8"),
    FieldType.BOOL: Msg("请填写 是/否、有/无、√/×、✓/✗、Y/N、yes/no、true/false 或 1/0",
                        "write one of 是/否, 有/无, √/×, ✓/✗, Y/N, yes/no, true/false or 1/0"),
    FieldType.DATE: Msg("请填写日期，如 2026-09-15、2026/9/15、2026.9.15 或 2026年9月15日",
                        "write a date such as 2026-09-15, 2026/9/15, 2026.9.15 or 2026年9月15日"),
}


class _Bad(Exception):
    """A value a converter cannot read; `coerce` turns it into a diagnostic with the location."""

    def __init__(self, reason: Msg | None = None, hint: Msg | None = None) -> None:
        super().__init__()
        self.reason = reason
        self.hint = hint


#: What a converter from `converter` raises for a value it cannot read (the diagnostic comes from `coerce`).
BadValue = _Bad


def coerce(
    raw: object,
    field: Typed,
    where: Provenance,
    *,
    ref_type: FieldType = FieldType.TEXT,
    excel_epoch: ExcelEpoch | None = None,
    percent_cell: bool = False,
) -> Value:
    """Read one raw value as the field's type; None when the value is missing.

    `ref_type` is the key type of the entity a REF field points at (see `ref_type_of`).
    `excel_epoch` is set by workbook readers: a number in a date column is then an Excel date serial.
    `percent_cell` says the workbook cell is formatted as a percentage, so 1.5 means 150%.
    Raises `KepuError` naming the location, the value and what was expected.
    """
    ftype = ref_type if field.type is FieldType.REF and ref_type is not FieldType.REF else field.type
    try:
        return _CONVERTERS[ftype](raw, excel_epoch, percent_cell)
    except _Bad as bad:
        raise KepuError(value_diagnostic(raw, field, where, bad.reason, bad.hint)) from None


def converter(field: Typed, *, ref_type: FieldType = FieldType.TEXT) -> Converter:
    """The function `coerce` reads the field's values with, for readers that coerce cell after cell.

    Called as `convert(raw, excel_epoch, percent_cell)`, it returns what `coerce` returns, or raises
    `BadValue`, which carries no location: call `coerce` with the same arguments then for the error.
    """
    return _CONVERTERS[ref_type if field.type is FieldType.REF and ref_type is not FieldType.REF else field.type]


def value_diagnostic(raw: object, field: Typed, where: Provenance, reason: Msg | None = None,
                     hint: Msg | None = None) -> Diagnostic:
    """The diagnostic for a value that cannot be read as the field's type."""
    shown = show(raw)
    kind = _KIND[field.type]
    zh = f"{field.name}：无法将“{shown}”识别为{kind.zh}"
    en = f'{field.name}: cannot read "{shown}" as {kind.en}'
    if reason is not None:
        zh += f"：{reason.zh}"
        en += f": {reason.en}"
    return Diagnostic(where.location(), Msg(zh, en), hint=hint or _EXPECTED[field.type], code="bad-value")


def is_missing(raw: object) -> bool:
    """Whether a raw value means "no value": None, blank, or a marker such as "-" or "无数据"."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return _clean(raw) in MISSING_MARKERS
    return False


def ref_type_of(field: FieldDef, schema: Schema) -> FieldType:
    """The type a REF field's values are read as: the key type of its target entity (text if unknown)."""
    if field.type is not FieldType.REF or field.target is None:
        return field.type
    target = schema.entity(field.target)
    key = target.key if target is not None else None
    if key is None or key.type is FieldType.REF:
        return FieldType.TEXT
    return key.type


def show(raw: object, limit: int = 40) -> str:
    """A raw value as quoted in messages: dates in ISO form, long texts shortened."""
    if isinstance(raw, dt.datetime):
        text = raw.isoformat(sep=" ")
    elif isinstance(raw, dt.date):
        text = raw.isoformat()
    elif isinstance(raw, float):
        text = repr(raw)
    else:
        text = str(raw)
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------- helpers


def _clean(text: str) -> str:
    """Strip surrounding whitespace (incl. U+3000) and invisible characters such as a stray BOM."""
    text = text.strip()
    if text and (text[0] in _INVISIBLE or text[-1] in _INVISIBLE):
        text = text.strip(_INVISIBLE + " \t\r\n\u3000\xa0")
    return text


def _text_of(raw: str) -> str | None:
    """A cleaned text, or None when it is a missing marker; Excel error values are errors."""
    text = raw.strip()  # _clean inlined for the common case: this runs once per cell
    if text and (text[0] in _INVISIBLE or text[-1] in _INVISIBLE):
        text = _clean(text)
    if text in MISSING_MARKERS:
        return None
    if text[0] == "#" and text in EXCEL_ERRORS:
        raise _Bad(Msg(f"单元格是 Excel 错误值 {text}", f"the cell holds the Excel error {text}"),
                   Msg("请修正该单元格的公式", "fix the formula in that cell"))
    return text


def _wide(text: str) -> str:
    """Full-width digits and punctuation to ASCII (１２３ → 123, ８０％ → 80%), and minus signs to '-'."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_MINUS)


def _not_single(raw: object) -> _Bad:
    kind = "列表" if isinstance(raw, list | tuple) else "映射"
    kind_en = "list" if isinstance(raw, list | tuple) else "mapping"
    return _Bad(Msg(f"这是一个{kind}，不是单个值", f"this is a {kind_en}, not a single value"))


# Exact numbers are ints where possible: Fraction arithmetic is slow, and most ledger numbers are whole.
_Num = int | Fraction


def _integral(value: _Num) -> _Num:
    return value.numerator if value.denominator == 1 else value


def _float(raw: float) -> _Num:
    if not math.isfinite(raw):
        raise _Bad(Msg("不是有限的数", "it is not a finite number"))
    if raw.is_integer():
        return int(raw)
    # repr gives the shortest text that round-trips, so 0.1 becomes exactly 1/10, not a binary fraction.
    return Fraction(Decimal(repr(raw)))


def _decimal_text(text: str) -> _Num | None:
    """An exact number from a decimal text with optional thousands separators, or None."""
    if not _NUMBER.fullmatch(text):
        return None
    plain = text.replace(",", "") if "," in text else text
    try:
        if plain.lstrip("+-").isdigit():
            return int(plain)
        return _integral(Fraction(Decimal(plain)))
    except (InvalidOperation, ValueError):  # ValueError: int() refuses more than 4300 digits
        return None


def _number_text(text: str, ftype: FieldType) -> _Num:
    """An exact number from text such as `1,234`, `１２３`, `-2.5`, `1.5万`; units are errors."""
    text = _wide(text).strip()
    factor = 1
    if text and text[-1] in MULTIPLIERS:
        factor = MULTIPLIERS[text[-1]]
        text = text[:-1].rstrip()
    value = _decimal_text(text)
    if value is not None:
        return value if factor == 1 else _integral(value * factor)
    if factor == 1 and text.endswith("%") and ftype is not FieldType.PERCENT:
        raise _Bad(Msg("这是百分比，但该字段是数值", "this is a percentage, but the field is a number"),
                   Msg("若该列是百分比，请在规则集中把字段声明为 percent（百分比）",
                       "if the column holds percentages, declare the field as percent in the ruleset"))
    raise _unit_or_bad(text)


def _unit_or_bad(text: str) -> _Bad:
    found = _NUMBER_THEN_TEXT.fullmatch(text)
    if found is not None and _decimal_text(found.group(1)) is not None:
        number, unit = found.group(1), found.group(2).strip()
        return _Bad(Msg(f"带有单位“{unit}”", f'it has a unit "{unit}"'),
                    Msg(f"请只填写数字，如 {number}（单位写在表头中）",
                        f"write the number only, e.g. {number} (put the unit in the column header)"))
    if "," in text and _decimal_text(text.replace(",", "")) is not None:
        return _Bad(Msg("千位分隔符位置不对", "its thousands separators are misplaced"))
    return _Bad()


def _as_number(raw: object, ftype: FieldType) -> _Num | None:
    """Any raw value as an exact number (None if missing), for the numeric types."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise _Bad(Msg("这是一个是/否值", "this is a yes/no value"))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return _float(raw)
    if isinstance(raw, Fraction | Decimal):
        return _integral(Fraction(raw))
    if isinstance(raw, str):
        text = _text_of(raw)
        return None if text is None else _number_text(text, ftype)
    if isinstance(raw, dt.date | dt.time):
        raise _Bad(Msg("这是日期或时间", "this is a date or time"))
    if isinstance(raw, list | tuple | dict):
        raise _not_single(raw)
    raise _Bad()


# ------------------------------------------------------------------------------------------- converters


def _to_text(raw: object, _epoch: ExcelEpoch | None, _pct: bool) -> Value:
    if isinstance(raw, str):
        text = _text_of(raw)
        if text is None or text.isascii():
            return text
        return unicodedata.normalize("NFC", text)
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise _Bad(Msg("这是一个是/否值", "this is a yes/no value"))
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        number = _float(raw)
        return str(number) if isinstance(number, int) else repr(raw)
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date | dt.time | Decimal):
        return str(raw)
    if isinstance(raw, list | tuple | dict):
        raise _not_single(raw)
    raise _Bad()


def _to_integer(raw: object, _epoch: ExcelEpoch | None, _pct: bool) -> Value:
    # The common case without regexes; long digit strings go the slow way (int() refuses > 4300 digits).
    if type(raw) is str and len(raw) < 19 and raw.isdigit() and raw.isascii():
        return int(raw)
    value = _as_number(raw, FieldType.INTEGER)
    if value is None:
        return None
    if value.denominator != 1:
        raise _Bad(Msg("不是整数", "it is not a whole number"))
    return value.numerator


def _to_number(raw: object, _epoch: ExcelEpoch | None, _pct: bool) -> Value:
    if type(raw) is str and len(raw) < 19 and raw.isdigit() and raw.isascii():
        return int(raw)
    value = _as_number(raw, FieldType.NUMBER)
    return None if value is None else _integral(value)


def _to_percent(raw: object, _epoch: ExcelEpoch | None, percent_cell: bool) -> Value:
    if isinstance(raw, str):
        text = _text_of(raw)
        if text is None:
            return None
        text = _wide(text).strip()
        if text.endswith("%"):
            value = _decimal_text(text[:-1].rstrip())
            if value is None:
                raise _unit_or_bad(text[:-1].rstrip())
            return Fraction(value, 100)
        value = _number_text(text, FieldType.PERCENT)
    else:
        number = _as_number(raw, FieldType.PERCENT)
        if number is None:
            return None
        if percent_cell:  # the workbook shows 1.5 as 150%: the stored number is the fraction itself
            return Fraction(number)
        value = number
    if not -1 <= value <= 1:
        as_percent, as_fraction = _plain(value), _plain(Fraction(value, 100))
        raise _Bad(Msg("不清楚是百分数还是比例", "it is ambiguous in a percent column"),
                   Msg(f"请写成 {as_percent}% 或 {as_fraction}", f"write {as_percent}% or {as_fraction}"))
    return Fraction(value)


def _plain(value: _Num) -> str:
    """A number as short decimal text (Fraction(25, 2) → "12.5"), for hints."""
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _to_bool(raw: object, _epoch: ExcelEpoch | None, _pct: bool) -> Value:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        text = _text_of(raw)
        if text is None:
            return None
        found = _BOOLS.get(_wide(text).casefold())
        if found is None:
            raise _Bad()
        return found
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    if raw is None:
        return None
    if isinstance(raw, list | tuple | dict):
        raise _not_single(raw)
    raise _Bad()


def _to_date(raw: object, epoch: ExcelEpoch | None, _pct: bool) -> Value:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        text = _text_of(raw)
        return None if text is None else _date_text(_wide(text))
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise _Bad(Msg("这是一个是/否值", "this is a yes/no value"))
    if isinstance(raw, int | float):
        return _date_number(raw, epoch)
    if isinstance(raw, dt.time):
        raise _Bad(Msg("这是时间，不含日期", "this is a time of day without a date"))
    if isinstance(raw, list | tuple | dict):
        raise _not_single(raw)
    raise _Bad()


def _date_text(text: str) -> dt.date:
    found = _DATE_SEP.fullmatch(text)
    if found is not None:
        return _ymd(found.group(1), found.group(3), found.group(4))
    found = _DATE_ZH.fullmatch(text) or _DATE_COMPACT.fullmatch(text)
    if found is not None:
        return _ymd(found.group(1), found.group(2), found.group(3))
    raise _Bad()


def _ymd(year: str, month: str, day: str) -> dt.date:
    y, m, d = int(year), int(month), int(day)
    if not 1 <= m <= 12:
        raise _Bad(Msg(f"没有 {m} 月", f"there is no month {m}"))
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise _Bad(Msg(f"{y} 年 {m} 月没有 {d} 日", f"{y}-{m:02d} has no day {d}")) from None


def _date_number(raw: int | float, epoch: ExcelEpoch | None) -> dt.date:
    if isinstance(raw, int) and 10_000_101 <= raw <= 99_991_231:
        # Too large for a date serial, so a number typed as yyyymmdd (20260915) is not ambiguous.
        return _date_text(str(raw))
    if epoch is None:
        raise _Bad(Msg("这是一个数，不是日期", "this is a number, not a date"))
    return _serial_date(raw, epoch)


def _serial_date(serial: int | float, epoch: ExcelEpoch) -> dt.date:
    """The date an Excel serial number stands for; any time of day (the fraction) is dropped."""
    days = int(serial) if math.isfinite(serial) else 0
    if not 1 <= days <= _EXCEL_MAX_SERIAL:
        raise _Bad(Msg(f"{show(serial)} 不是有效的 Excel 日期序号", f"{show(serial)} is not a valid Excel date serial"))
    if epoch == 1904:
        return _EPOCH_1904 + dt.timedelta(days=days)
    if days == 60:
        # Excel counts a 29 February 1900 that never existed (a Lotus 1-2-3 compatibility bug).
        raise _Bad(Msg("Excel 序号 60 对应不存在的 1900-02-29", "Excel serial 60 is the non-existent 1900-02-29"))
    # Serials before that phantom day are one day off against the 1899-12-30 epoch.
    return _EPOCH_1900 + dt.timedelta(days=days + 1 if days < 60 else days)


Converter = Callable[[object, ExcelEpoch | None, bool], Value]

_CONVERTERS: dict[FieldType, Converter] = {
    FieldType.TEXT: _to_text,
    FieldType.REF: _to_text,
    FieldType.INTEGER: _to_integer,
    FieldType.NUMBER: _to_number,
    FieldType.PERCENT: _to_percent,
    FieldType.BOOL: _to_bool,
    FieldType.DATE: _to_date,
}
