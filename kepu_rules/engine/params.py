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
    compatible = {
        "percent": ("percent",), "integer": ("number",), "number": ("number", "percent"), "text": ("text",),
        "date": ("date",), "bool": ("bool",), "list": ("list",), "any": ("number", "percent", "text", "date", "bool", "list"),
    }[want]
    if kind not in compatible or (want == "integer" and not isinstance(value, int)):
        raise KepuError(Diagnostic(where, Msg(f"参数 {name} 应为{_KIND_ZH.get(want, want)}，给出的是“{text}”",
                                              f"param {name} must be {want}, got {text!r}"), code="param-type"))
    return value


_KIND_ZH = {"percent": "百分比", "integer": "整数", "number": "数值", "text": "文本", "date": "日期", "bool": "是/否", "list": "列表"}
