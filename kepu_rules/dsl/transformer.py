"""Builds the typed AST as the parser reduces, one method per grammar rule, every node with its span."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from lark import Token

from kepu_rules.diagnostics import Diagnostic, Location
from kepu_rules.dsl import ast as A
from kepu_rules.dsl.parser import Builder, build
from kepu_rules.i18n import Msg

# The spelling tables below are keyed by every spelling the grammar's terminal of the same meaning
# lexes (multi-word spellings with single spaces): a spelling missing here would be a KeyError that
# escapes `parse`. tests/dsl/test_keywords.py compares each table with the alternatives in kepu.lark.

CMP_OPS: dict[str, A.CompareOp] = {}
for _op, _spellings in {
    "==": ("=", "==", "＝", "等于"),
    "!=": ("!=", "<>", "≠", "不等于"),
    ">=": (">=", "≥", "＞＝", "不低于", "不少于", "不小于"),
    "<=": ("<=", "≤", "＜＝", "不高于", "不超过", "不大于", "不多于"),
    ">": (">", "＞", "高于", "大于", "超过", "多于"),
    "<": ("<", "＜", "低于", "小于", "少于"),
}.items():
    for _s in _spellings:
        CMP_OPS[_s] = _op  # type: ignore[assignment]

COUNT_OPS: dict[str, A.CountOp] = {
    "at least": "at_least", "至少有": "at_least", "至少": "at_least", "不少于": "at_least",
    "at most": "at_most", "至多有": "at_most", "至多": "at_most", "最多": "at_most", "不多于": "at_most",
    "exactly": "exactly", "恰好有": "exactly", "恰好": "exactly", "正好": "exactly",
}

PERIODS: dict[str, A.PeriodUnit] = {
    "year": "year", "每年": "year", "每一年": "year",
    "quarter": "quarter", "每季度": "quarter", "每个季度": "quarter",
    "month": "month", "每月": "month", "每个月": "month",
}

TIME_UNITS: dict[str, A.TimeUnit] = {
    "year": "years", "years": "years", "年内": "years",
    "month": "months", "months": "months", "个月内": "months", "月内": "months",
    "day": "days", "days": "days", "天内": "days", "日内": "days",
}

SEVERITIES = {
    "veto": "veto", "一票否决": "veto",
    "required": "required", "必备": "required", "必须": "required",
    "scored": "scored", "计分": "scored",
    "advisory": "advisory", "建议": "advisory", "参考": "advisory",
}
SCORING_MODES = {"all": "all", "全部达标": "all", "达标得分": "all", "proportional": "proportional", "按比例": "proportional"}
TIERS = ("A", "B", "C", "D", "SEED")

_ZH_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_NUM_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")


def parse_number(text: str) -> int | Fraction:
    """Exact value of a number literal: int when whole, Fraction otherwise (never float)."""
    if "." not in text:
        return int(text)
    value = Fraction(Decimal(text))
    return int(value) if value.denominator == 1 else value


def parse_percent(text: str) -> Fraction:
    return Fraction(Decimal(text.rstrip("%％ \t"))) / 100


def parse_date(text: str) -> dt.date:
    m = _ZH_DATE.fullmatch(text) or _NUM_DATE.fullmatch(text)
    if m is None:
        raise ValueError(text)
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


def unquote(text: str) -> str:
    if text.startswith('"'):
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r", "t": "\t"}.get(m[1], m[1]), text[1:-1])
    return text[1:-1]  # “...” and 「...」 have no escapes


def _is_kw(child: object) -> bool:
    return isinstance(child, Token)


def _exprs(children: list[Any]) -> list[Any]:
    """The non-token, non-placeholder children (keywords and punctuation dropped)."""
    return [c for c in children if c is not None and not isinstance(c, Token)]


class _RuleId(str):
    """A rule id that remembers where it was written."""

    span: A.Span


class ToAst(Builder):
    """The AST builder: `parser.build` calls a method as each rule reduces, with the rule's children as a
    lark tree would hold them (tokens, `None` for a missing `[optional]`, and what these methods returned
    for the rules below). Semantic slips it can see (a bad severity word, metadata given twice) are
    collected in `diagnostics` rather than raised, so one pass reports them all."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = []

    # -- helpers -------------------------------------------------------------------------------

    def _span(self) -> A.Span:
        """The span of the rule being built: from its first token to its last (every rule has one)."""
        first, last = self.first, self.last
        return A.Span(self.path, first.line or 0, first.column or 0, last.end_line or 0, last.end_column or 0)

    def _tok_span(self, tok: Token) -> A.Span:
        return A.Span(self.path, tok.line or 0, tok.column or 0, tok.end_line or 0, tok.end_column or 0)

    def _error(self, span: A.Span, msg: Msg, hint: Msg | None = None, code: str = "") -> None:
        loc = Location(span.path, span.line, span.column, span.end_line, span.end_column)
        self.diagnostics.append(Diagnostic(loc, msg, hint=hint, code=code))

    # -- file ----------------------------------------------------------------------------------

    def start(self, children: list[Any]) -> A.RulesetFile:
        header, *decls = children
        return A.RulesetFile(
            id=str(header["id"]), title=header["title"][0], title_en=header["title"][1],
            version=header.get("version"), extends=tuple(header["extends"]), language=header.get("language"),
            keyword_lang=header["keyword_lang"], decls=tuple(decls), path=self.path, span=self._span(),
            id_span=header["id"].span, version_span=header.get("version_span", A.NO_SPAN),
            language_span=header.get("language_span", A.NO_SPAN),
        )

    def header(self, children: list[Any]) -> dict[str, Any]:
        kw: Token = children[0]
        out: dict[str, Any] = {"id": children[1], "title": children[2], "extends": [],
                               "keyword_lang": "en" if kw.isascii() else "zh"}
        for child in children[3:]:
            if isinstance(child, A.ExtendsRef):
                out["extends"].append(child)
            elif isinstance(child, tuple):
                out[child[0]], out[f"{child[0]}_span"] = child[1], child[2]
        return out

    def title(self, children: list[Any]) -> tuple[str, str | None]:
        return (children[0], children[1] if len(children) > 1 else None)

    def version(self, children: list[Any]) -> tuple[str, str, A.Span]:
        return ("version", children[1], self._span())

    def extends(self, children: list[Any]) -> A.ExtendsRef:
        target = children[1]
        is_path = not isinstance(target, Token)
        return A.ExtendsRef(str(target), is_path, self._span())

    def language(self, children: list[Any]) -> tuple[str, str, A.Span]:
        value = str(children[1])
        lang = {"zh": "zh", "中文": "zh", "en": "en", "english": "en", "英文": "en"}.get(value.lower())
        if lang is None:
            self._error(self._tok_span(children[1]), Msg(f"未知语言 {value}，应为 zh 或 en",
                                                          f"unknown language {value!r}: expected zh or en"))
            lang = "zh"
        return ("language", lang, self._span())

    def param(self, children: list[Any]) -> A.ParamDecl:
        return A.ParamDecl(str(children[1]), children[3], False, self._span())

    def set_param(self, children: list[Any]) -> A.ParamDecl:
        return A.ParamDecl(str(children[1]), children[3], True, self._span())

    # -- schema --------------------------------------------------------------------------------

    def entity(self, children: list[Any]) -> A.EntityDecl:
        name, label, aliases = str(children[1]), children[2], children[3]
        fields = tuple(c for c in children[4:] if isinstance(c, A.FieldDecl))
        return A.EntityDecl(name, fields, label, aliases or (), False, self._span())

    def extend_entity(self, children: list[Any]) -> A.EntityDecl:
        fields = tuple(c for c in children if isinstance(c, A.FieldDecl))
        return A.EntityDecl(str(children[2]), fields, None, (), True, self._span())

    def aliases(self, children: list[Any]) -> tuple[str, ...]:
        return tuple(c for c in children if isinstance(c, str) and not isinstance(c, Token))

    def value_field(self, children: list[Any]) -> A.FieldDecl:
        key, name, _colon, type_tok, required, dated, aliases = children
        return A.FieldDecl(str(name), str(type_tok), None, key is not None, required is not None,
                           aliases or (), self._span(), self._tok_span(type_tok), dated is not None)

    def ref_field(self, children: list[Any]) -> A.FieldDecl:
        name, _arrow, target, required, aliases = children
        return A.FieldDecl(str(name), "ref", str(target), False, required is not None, aliases or (),
                           self._span(), self._tok_span(target))

    def fact(self, children: list[Any]) -> A.FactDecl:
        _kw, name, _colon, type_tok, label, aliases = children
        return A.FactDecl(str(name), str(type_tok), label, aliases or (), self._span(), self._tok_span(type_tok))

    # -- sections and rules --------------------------------------------------------------------

    def section(self, children: list[Any]) -> A.Section:
        rules = tuple(c for c in children if isinstance(c, A.Rule))
        return A.Section(children[1], rules, self._span())

    def rule_id(self, children: list[Any]) -> _RuleId:
        rid = _RuleId(str(children[0]))
        rid.span = self._tok_span(children[0])
        return rid

    target_id = rule_id

    def rule(self, children: list[Any]) -> A.Rule:
        rid: _RuleId = children[1]
        title, title_en = children[2]
        metas = [c for c in children[3:] if isinstance(c, A.Meta)]
        body = _exprs(children[3:])
        body = [b for b in body if not isinstance(b, A.Meta)]
        return A.Rule(str(rid), title, body[0], title_en, self._ordered_meta(metas), self._span(), rid.span)

    def override(self, children: list[Any]) -> A.Override:
        rid: _RuleId = children[1]
        metas = [c for c in children if isinstance(c, A.Meta)]
        return A.Override(str(rid), self._ordered_meta(metas), self._span())

    def drop(self, children: list[Any]) -> A.Drop:
        return A.Drop(str(children[1]), children[3], self._span())

    def _ordered_meta(self, metas: list[A.Meta]) -> tuple[A.Meta, ...]:
        seen: dict[str, A.Meta] = {}
        for m in metas:
            if m.key in seen:
                self._error(m.span, Msg(f"{_META_ZH[m.key]} 重复设置", f"`{m.key}` is given twice"),
                            Msg("删除其中一个", "remove one of them"), code="duplicate-meta")
                continue
            seen[m.key] = m
        return tuple(sorted(seen.values(), key=lambda m: A.META_ORDER.index(m.key)))

    def _meta(self, key: A.MetaKey, value: A.MetaValue) -> A.Meta:
        return A.Meta(key, value, self._span())

    def meta_points(self, c: list[Any]) -> A.Meta:
        return self._meta("points", c[1].value)

    def meta_severity(self, c: list[Any]) -> A.Meta:
        word = str(c[1])
        value = SEVERITIES.get(word)
        if value is None:
            from kepu_rules.suggest import nearest

            best = nearest(word, list(SEVERITIES))
            self._error(self._tok_span(c[1]),
                        Msg(f"未知等级“{word}”，应为 一票否决、必备、计分 或 建议",
                            f"unknown severity {word!r}: expected veto, required, scored or advisory"),
                        Msg(f"是不是“{best}”？", f"did you mean {best!r}?") if best else None, code="bad-severity")
            value = "scored"
        return self._meta("severity", value)

    def meta_scoring(self, c: list[Any]) -> A.Meta:
        return self._meta("scoring", c[1])

    def scoring_named(self, c: list[Any]) -> A.Scoring:
        word = str(c[0])
        mode = SCORING_MODES.get(word)
        if mode is None:
            self._error(self._tok_span(c[0]),
                        Msg(f"未知计分方式“{word}”，应为 全部达标、按比例 或 每项扣 N 分",
                            f"unknown scoring mode {word!r}: expected all, proportional or deduct N per item"),
                        code="bad-scoring")
            mode = "all"
        return A.Scoring(mode)  # type: ignore[arg-type]

    def scoring_deduct(self, c: list[Any]) -> A.Scoring:
        return A.Scoring("deduct", c[1].value)

    def meta_warn(self, c: list[Any]) -> A.Meta:
        return self._meta("warn_at", c[1])

    def meta_threshold(self, c: list[Any]) -> A.Meta:
        return self._meta("threshold", c[1])

    def meta_owner(self, c: list[Any]) -> A.Meta:
        return self._meta("owner", c[1])

    def meta_due(self, c: list[Any]) -> A.Meta:
        return self._meta("due", self._date_of(c[1]))

    def meta_source(self, c: list[Any]) -> A.Meta:
        return self._meta("source", c[1])

    def meta_tier(self, c: list[Any]) -> A.Meta:
        word = str(c[1])
        if word.upper() not in TIERS:
            self._error(self._tok_span(c[1]), Msg(f"未知证据等级“{word}”，应为 A、B、C、D 或 SEED",
                                                  f"unknown evidence tier {word!r}: expected A, B, C, D or SEED"),
                        code="bad-tier")
        return self._meta("tier", word.upper())

    def meta_tags(self, c: list[Any]) -> A.Meta:
        return self._meta("tags", tuple(x for x in c if isinstance(x, str) and not isinstance(x, Token)))

    def meta_hint(self, c: list[Any]) -> A.Meta:
        return self._meta("hint", c[1])

    def meta_applies(self, c: list[Any]) -> A.Meta:
        return self._meta("applies", c[1])

    # -- expressions ---------------------------------------------------------------------------

    def atom(self, c: list[Any]) -> A.Expr:
        return _exprs(c)[0]

    count_n = atom

    def or_(self, c: list[Any]) -> A.Or:
        return A.Or(c[0], c[2], self._span())

    def and_(self, c: list[Any]) -> A.And:
        return A.And(c[0], c[2], self._span())

    def not_(self, c: list[Any]) -> A.Not:
        return A.Not(c[1], self._span())

    def compare(self, c: list[Any]) -> A.Compare:
        return A.Compare(CMP_OPS[str(c[1]).replace(" ", "")], c[0], c[2], self._span())

    def in_(self, c: list[Any]) -> A.In:
        return A.In(c[0], c[2], False, self._span())

    def not_in(self, c: list[Any]) -> A.In:
        return A.In(c[0], c[2], True, self._span())

    def contains(self, c: list[Any]) -> A.Contains:
        return A.Contains(c[0], c[2], "one", self._span())

    def contains_all(self, c: list[Any]) -> A.Contains:
        return A.Contains(c[0], c[2], "all", self._span())

    def contains_any(self, c: list[Any]) -> A.Contains:
        return A.Contains(c[0], c[2], "any", self._span())

    def between(self, c: list[Any]) -> A.Between:
        value, low, high = _exprs(c)
        return A.Between(value, low, high, self._span())

    def within_en(self, c: list[Any]) -> A.Within:
        value, _w, amount, unit, _b, ref = c
        return A.Within(value, amount.value, TIME_UNITS[str(unit)], ref, self._span())

    def within_zh(self, c: list[Any]) -> A.Within:
        value, _at, ref, _before, amount, unit = c
        return A.Within(value, amount.value, TIME_UNITS[str(unit)], ref, self._span())

    def is_missing(self, c: list[Any]) -> A.IsMissing:
        return A.IsMissing(c[0], False, self._span())

    def is_present(self, c: list[Any]) -> A.IsMissing:
        return A.IsMissing(c[0], True, self._span())

    def _arith(self, op: A.ArithOp, c: list[Any]) -> A.Arith:
        return A.Arith(op, c[0], c[2], self._span())

    def add(self, c: list[Any]) -> A.Arith:
        return self._arith("+", c)

    def sub(self, c: list[Any]) -> A.Arith:
        return self._arith("-", c)

    def mul(self, c: list[Any]) -> A.Arith:
        return self._arith("*", c)

    def div(self, c: list[Any]) -> A.Arith:
        return self._arith("/", c)

    def neg(self, c: list[Any]) -> A.Expr:
        operand = c[1]
        if isinstance(operand, A.Literal_) and operand.kind in ("number", "percent"):
            # A negative literal stays a literal, so formatting `-3` gives `-3` back.
            return A.Literal_(-operand.value, operand.kind, self._span())  # type: ignore[operator]
        return A.Neg(operand, self._span())

    def attr(self, c: list[Any]) -> A.Attr:
        return A.Attr(c[0], str(c[2]), self._span())

    def number(self, c: list[Any]) -> A.Literal_:
        return A.Literal_(parse_number(str(c[0])), "number", self._span())

    def percent(self, c: list[Any]) -> A.Literal_:
        return A.Literal_(parse_percent(str(c[0])), "percent", self._span())

    def string(self, c: list[Any]) -> str:
        return unquote(str(c[0]))

    def text(self, c: list[Any]) -> A.Literal_:
        return A.Literal_(unquote(str(c[0])), "text", self._span())

    def _date_of(self, tok: Token) -> dt.date:
        try:
            return parse_date(str(tok))
        except ValueError:
            self._error(self._tok_span(tok), Msg(f"日期 {tok} 不存在", f"{tok} is not a valid date"), code="bad-date")
            return dt.date(1970, 1, 1)

    def date(self, c: list[Any]) -> A.Literal_:
        return A.Literal_(self._date_of(c[0]), "date", self._span())

    def true(self, c: list[Any]) -> A.Literal_:
        return A.Literal_(True, "bool", self._span())

    def false(self, c: list[Any]) -> A.Literal_:
        return A.Literal_(False, "bool", self._span())

    def today(self, c: list[Any]) -> A.Today:
        return A.Today(self._span())

    def name(self, c: list[Any]) -> A.Name:
        return A.Name(str(c[0]), self._span())

    def list_lit(self, c: list[Any]) -> A.ListLit:
        return A.ListLit(tuple(_exprs(c)), self._span())

    def call(self, c: list[Any]) -> A.Call:
        return A.Call(str(c[0]), tuple(_exprs(c[1:])), self._span())

    def collection(self, c: list[Any]) -> A.Collection:
        name, _via, via, marked = c
        return A.Collection(str(name), None, str(via) if via is not None else None, self._span(),
                            may_be_empty=marked is not None)

    def collection_via(self, c: list[Any]) -> A.Collection:
        return A.Collection(str(c[0]), None, str(c[2]), self._span())

    def collection_marked(self, c: list[Any]) -> A.Collection:
        name, _via, via, _marked = c
        return A.Collection(str(name), None, str(via) if via is not None else None, self._span(), may_be_empty=True)

    def may_be_empty(self, c: list[Any]) -> bool:
        return True

    def collection_filtered(self, c: list[Any]) -> A.Collection:
        coll: A.Collection = c[0]
        return A.Collection(coll.entity, c[2], coll.via, self._span(), may_be_empty=coll.may_be_empty)

    def each(self, c: list[Any]) -> A.Quantified:
        parts = _exprs(c)
        return A.Quantified("each", parts[0], parts[1], self._span())

    def no(self, c: list[Any]) -> A.Quantified:
        parts = _exprs(c)
        return A.Quantified("no", parts[0], parts[1] if len(parts) > 1 else None, self._span())

    def some(self, c: list[Any]) -> A.Quantified:
        parts = _exprs(c)
        return A.Quantified("some", parts[0], parts[1] if len(parts) > 1 else None, self._span())

    def count_quant(self, c: list[Any]) -> A.CountQuant:
        op_tok = c[0]
        unit = next((str(x) for x in c if isinstance(x, Token) and x.type == "UNIT"), None)
        n, coll = _exprs(c)
        op = COUNT_OPS[re.sub(r"\s+", " ", str(op_tok))]
        return A.CountQuant(op, n, coll, unit, self._span())

    def each_period(self, c: list[Any]) -> A.EachPeriod:
        unit = PERIODS[str(c[0]).split()[-1]]
        rng, by = c[1], c[2]
        body = _exprs(c[3:])[0]
        return A.EachPeriod(unit, body, rng.get("of"), rng.get("start"), rng.get("end"), by, self._span())

    def period_of(self, c: list[Any]) -> dict[str, A.Expr]:
        return {"of": c[1]}

    def period_from(self, c: list[Any]) -> dict[str, A.Expr]:
        return {"start": c[1], "end": c[3]}

    def period_by(self, c: list[Any]) -> str:
        return str(c[1])


_META_ZH = {
    "points": "分值", "severity": "等级", "scoring": "计分方式", "warn_at": "预警", "owner": "责任单位",
    "due": "期限", "source": "依据", "tier": "证据等级", "tags": "标签", "hint": "提示", "applies": "适用于",
    "threshold": "阈值",
}


def to_ast(text: str, path: str, max_depth: int) -> tuple[A.RulesetFile, list[Diagnostic]]:
    """Parse a text into its AST, with its comments; returns the AST and the diagnostics found on the
    way. Raises lark's UnexpectedInput at a syntax error and `parser.TooDeep` at nesting deeper than
    `max_depth` (see `parser.build`)."""
    builder = ToAst(path)
    tokens: list[Token] = []
    ruleset: A.RulesetFile = build(text, builder, max_depth, tokens)
    return replace(ruleset, comments=tuple(_comment(text, t) for t in tokens)), builder.diagnostics


def _comment(text: str, token: Token) -> A.Comment:
    start = token.start_pos or 0
    line_start = text.rfind("\n", 0, start) + 1
    own_line = not text[line_start:start].strip()
    return A.Comment(str(token).rstrip(), token.line or 0, token.column or 0, own_line)
