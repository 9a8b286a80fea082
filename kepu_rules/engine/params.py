"""Param values given outside a ruleset (kepu.yaml `params:`, `--set NAME=VALUE`), read as rule-language literals."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.dsl import ast as A
from kepu_rules.dsl import ir as I
from kepu_rules.i18n import Msg


def literal_value(node: A.Expr) -> Any:
    """The Python value of a literal or list literal (the only things a param may hold)."""
    if isinstance(node, A.Literal_):
        return node.value
    if isinstance(node, A.ListLit):
        return [literal_value(x) for x in node.items]
    raise ValueError("not a literal")


def _as_source_text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (int, float)):
        return repr(raw) if isinstance(raw, float) else str(raw)
    if isinstance(raw, list):
        return "[" + ", ".join(_as_source_text(x) for x in raw) + "]"
    return str(raw).strip()


def parse_param(raw: Any, declared: I.Type, where: Location, name: str) -> Any:
    """Read an outside param value and check it against the type the ruleset declared for it."""
    from kepu_rules.dsl.parse import parse

    text = _as_source_text(raw)
    try:
        decl = parse(f'ruleset p "p"\nparam p = {text}\n').decls[0]
        assert isinstance(decl, A.ParamDecl)
        value = literal_value(decl.value)
        kind = decl.value.kind if isinstance(decl.value, A.Literal_) else "list"
    except (KepuError, ValueError):
        # Anything that does not read as a literal is a text, as users expect from `--set 牵头单位=区科协`.
        value, kind = text, "text"
    want = declared.kind if isinstance(declared, I.Scalar) else "list"
    if want == "percent" and kind == "number":
        if not 0 <= value <= 1:
            raise KepuError(Diagnostic(where, Msg(f"参数 {name} 是百分比，{text} 应写成 {text}% 或小数（如 0.9）",
                                                  f"param {name} is a percent: write {text}% or a fraction such as 0.9"),
                                       code="param-type"))
        return Fraction(value)
    if kind not in _ACCEPTS[want] or (want == "integer" and not isinstance(value, int)):
        raise KepuError(Diagnostic(where, Msg(f"参数 {name} 应为{_KIND_ZH.get(want, want)}，给出的是“{text}”",
                                              f"param {name} must be {want}, got {text!r}"), code="param-type"))
    return value


#: The literal kinds a param of each declared kind accepts from outside (a percent also takes a
#: fraction such as 0.9, handled before this table is read).
_ACCEPTS: dict[str, tuple[str, ...]] = {
    "percent": ("percent",), "integer": ("number",), "number": ("number", "percent"), "text": ("text",),
    "date": ("date",), "bool": ("bool",), "list": ("list",), "any": ("number", "percent", "text", "date", "bool", "list"),
}


def set_value_problem(declared: I.Type, given: I.Type, value: A.Expr, name: str) -> tuple[Msg, Msg | None] | None:
    """What is wrong with `set NAME = value` in an overlay, given the type the `param` declaration fixed;
    None when the value fits. Inside a ruleset a percent is written with `%`: a bare number is refused
    (there `5` for 5% is the likelier slip than 0.05)."""
    want = declared.kind if isinstance(declared, I.Scalar) else "list"
    if want == "any" or given == I.ANY:
        return None
    text = _show_literal(value)
    if want == "percent" and given in (I.INTEGER, I.NUMBER):
        number = literal_value(value) if isinstance(value, A.Literal_) else None
        suggestion = f"{text}%" if number is None or number > 1 or number < 0 else _percent_text(Fraction(number))
        return (Msg(f"参数 {name} 是百分比，不能设为数字 {text}", f"param {name} is a percent, not the number {text}"),
                Msg(f"写成 {suggestion}", f"write {suggestion}"))
    kind = "list" if isinstance(given, I.ListT) else given.kind if isinstance(given, I.Scalar) else "other"
    kind = "number" if kind == "integer" else kind
    ok = kind in _ACCEPTS[want] and not (want == "integer" and given != I.INTEGER)
    if ok and isinstance(declared, I.ListT) and isinstance(given, I.ListT) and I.ANY not in (declared.elem, given.elem):
        ok = declared.elem == given.elem or (declared.elem.numeric and given.elem.numeric)
    if ok:
        return None
    want_zh = _KIND_ZH.get(want, want)
    return (Msg(f"参数 {name} 应为{want_zh}（见它的 param 声明），这里设为 {text}",
                f"param {name} must be {declared} (as its `param` declaration says), but is set to {text}"), None)


def coverage_target_problem(value: Any, where: Location, name: str, rule_id: str) -> Diagnostic | None:
    """A value given from outside (kepu.yaml `params:`, `--set`) for a param a coverage is compared
    with: a coverage lies between 0% and 100%, so a target beyond can never be met (or always is)."""
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)) or 0 <= value <= 1:
        return None
    shown = _percent_text(Fraction(value))
    return Diagnostic(where, Msg(f"参数 {name} 为 {shown}，但它是覆盖率的目标（规则 {rule_id}），覆盖率只能在 0% 到 100% 之间",
                                 f"param {name} is {shown}, but it is a coverage target (rule {rule_id}) and a coverage "
                                 f"lies between 0% and 100%"),
                      hint=Msg("目标应在 0% 到 100% 之间", "give a target between 0% and 100%"), code="threshold-range")


def _percent_text(value: Fraction) -> str:
    pct = value * 100
    return f"{pct.numerator}%" if pct.denominator == 1 else f"{float(pct):g}%"


def _show_literal(value: A.Expr) -> str:
    if isinstance(value, A.Literal_):
        if value.kind == "text":
            return f"\"{value.value}\""
        if isinstance(value.value, Fraction):
            return f"{float(value.value):g}" if value.kind != "percent" else _percent_text(value.value)
        return str(value.value).lower() if isinstance(value.value, bool) else str(value.value)
    if isinstance(value, A.ListLit):
        return "[" + ", ".join(_show_literal(x) for x in value.items) + "]"
    return type(value).__name__


_KIND_ZH = {"percent": "百分比", "integer": "整数", "number": "数值", "text": "文本", "date": "日期", "bool": "是/否", "list": "列表"}
