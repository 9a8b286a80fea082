"""Values at run time: exact numbers, three-valued truth, and how values are shown to users."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any


def format_number(value: int | Fraction | float, digits: int = 2) -> str:
    """A number as a person writes it: no trailing zeros, at most `digits` decimals."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    rounded = round(Decimal(value.numerator) / Decimal(value.denominator), digits) if isinstance(value, Fraction) \
        else round(Decimal(str(value)), digits)
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_percent(value: int | Fraction | float, digits: int = 1) -> str:
    return format_number(Fraction(value) * 100 if not isinstance(value, float) else value * 100, digits) + "%"


def format_value(value: Any, percent: bool = False) -> str:
    """Any run-time value, for messages."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, Fraction, float)):
        return format_percent(value) if percent else format_number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


def to_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, Fraction, float)):
        return float(value)
    return None
