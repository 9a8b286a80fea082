"""Built-in rule-language functions: dates, ratios and ordered series. Registered through `register_functions`."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from itertools import pairwise
from typing import Any

from kepu_rules.facts.table import Row


def year(d: dt.date | None) -> int | None:
    """The year of a date."""
    return None if d is None else d.year


def quarter(d: dt.date | None) -> int | None:
    """The quarter (1-4) of a date."""
    return None if d is None else (d.month - 1) // 3 + 1


def month(d: dt.date | None) -> int | None:
    """The month (1-12) of a date."""
    return None if d is None else d.month


def ratio(a: Any, b: Any) -> Fraction | None:
    """a ÷ b as a percent; unknown when either is missing, an error when b is 0."""
    if a is None or b is None:
        return None
    if b == 0:
        raise ZeroDivisionError("ratio with a zero denominator")
    return Fraction(a) / Fraction(b)


def _series(rows: list[Row] | None, key_field: str, value_field: str) -> list[tuple[Any, Any]] | None:
    if rows is None:
        return None
    pairs = sorted(((r.get(key_field), r.get(value_field)) for r in rows), key=lambda p: (p[0] is None, p[0]))
    if any(k is None or v is None for k, v in pairs):
        return None
    return pairs


def increasing(rows: list[Row] | None, key_field: str, value_field: str) -> bool | None:
    """Whether `value_field` strictly grows with `key_field` (the budget grows every year). Needs 2 rows."""
    pairs = _series(rows, key_field, value_field)
    if pairs is None:
        return None
    if len(pairs) < 2:
        return False
    return all(b[1] > a[1] for a, b in pairwise(pairs))


def non_decreasing(rows: list[Row] | None, key_field: str, value_field: str) -> bool | None:
    """Whether `value_field` never falls as `key_field` grows. Needs 2 rows."""
    pairs = _series(rows, key_field, value_field)
    if pairs is None:
        return None
    if len(pairs) < 2:
        return False
    return all(b[1] >= a[1] for a, b in pairwise(pairs))


#: (English name, Chinese name, function, parameter kinds, result kind)
BUILTIN_FUNCTIONS = [
    ("year", "年份", year, ("date",), "integer"),
    ("quarter", "季度", quarter, ("date",), "integer"),
    ("month", "月份", month, ("date",), "integer"),
    ("ratio", "比例", ratio, ("number", "number"), "percent"),
    ("increasing", "逐年增长", increasing, ("rows", "field", "field"), "bool"),
    ("non_decreasing", "逐年不减", non_decreasing, ("rows", "field", "field"), "bool"),
]
