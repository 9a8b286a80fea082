"""Hypothesis strategies for rule-language ASTs: every node kind, only trees the parser can produce."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from functools import cache
from typing import Any, TypeVar

from hypothesis import strategies as st

from kepu_rules.dsl.ast import (
    META_ORDER,
    And,
    Arith,
    Attr,
    Between,
    Call,
    Collection,
    Compare,
    Contains,
    CountQuant,
    Decl,
    Drop,
    EachPeriod,
    EntityDecl,
    Expr,
    ExtendsRef,
    FactDecl,
    FieldDecl,
    In,
    IsMissing,
    ListLit,
    Literal_,
    Meta,
    MetaKey,
    Name,
    Neg,
    Not,
    Or,
    Override,
    ParamDecl,
    Quantified,
    Rule,
    RulesetFile,
    Scoring,
    Section,
    Today,
    Within,
)
from kepu_rules.dsl.formatter import function_names

S = st.SearchStrategy

# Identifiers that lex as one NAME in every position: none is a keyword, none starts a multi-word
# keyword (`each year`, `at least`, `is missing`, `contains all` ...) and none is a measure word.
ASCII_NAMES = ("x", "y", "total", "budget", "street", "venue", "amount", "held_on", "kind", "Name2", "_tmp")
CJK_NAMES = (
    "街道", "社区", "科普标识", "沿街显要", "名称", "常住人口", "科普活动", "类别", "日期", "经费", "金额",
    "年度", "主办社区", "有科普活动室", "科普日覆盖率目标", "不达标数",
)
NAMES = ASCII_NAMES + CJK_NAMES
# Function names are only ever followed by `(`, so the built-ins' names (some are keywords elsewhere,
# like `year`, a time unit after `within N`) are safe here.
FUNC_NAMES = ("count", "sum", "avg", "coverage", "ratio", "year", "计数", "求和", "覆盖率", "比例", "个数", "f")
TYPES = ("text", "integer", "number", "percent", "bool", "date", "文本", "整数", "数值", "百分比", "是否", "日期")
UNITS = ("个", "处", "项", "次", "名", "家", "所", "位", "条", "份", "篇", "张", "人", "场")
TIERS = ("A", "B", "C", "D", "SEED")
SEVERITIES = ("veto", "required", "scored", "advisory")

names = st.sampled_from(NAMES)
rule_ids = st.one_of(
    st.sampled_from(("A1", "B7", "甲1", "D_7", "第三条")),
    st.from_regex(r"[A-Z][0-9]{1,2}(?:[-.][0-9]{1,2}){1,2}", fullmatch=True),
)
# Any text: the formatter escapes `"`, `\`, line ends (LF, CR) and tabs; other control characters are kept raw.
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)


# ---------------------------------------------------------------------------------------------
# Literals
# ---------------------------------------------------------------------------------------------


def _exact(n: int, places: int) -> int | Fraction:
    """n / 10**places the way the transformer builds it: an int when whole, else a Fraction."""
    value = Fraction(n, 10**places)
    return int(value) if value.denominator == 1 else value


def decimals(min_value: int | None = None) -> S[int | Fraction]:
    """Finite decimals (number literals come from decimal text, so they always are)."""
    return st.builds(_exact, st.integers(min_value=min_value, max_value=10**7), st.integers(0, 3))


numbers = st.builds(Literal_, decimals(), st.just("number"))
non_negative_numbers = st.builds(Literal_, decimals(min_value=0), st.just("number"))
percents = st.builds(lambda v: Literal_(Fraction(v) / 100, "percent"), decimals(min_value=-10**4))
leaves: S[Expr] = st.one_of(
    numbers,
    percents,
    st.builds(Literal_, texts, st.just("text")),
    st.builds(Literal_, st.dates(), st.just("date")),
    st.builds(Literal_, st.booleans(), st.just("bool")),
    st.builds(Name, names),
    st.just(Today()),
)


# ---------------------------------------------------------------------------------------------
# Expressions
# ---------------------------------------------------------------------------------------------


def _maybe(strategy: S[Any]) -> S[Any]:
    return st.one_of(st.none(), strategy)


def collections(sub: S[Expr]) -> S[Collection]:
    return st.builds(Collection, names, _maybe(sub), _maybe(names), may_be_empty=st.booleans())


def _call_args(sub: S[Expr]) -> S[Expr]:
    # A bare `E` argument is a Name; a Collection argument has `where`, `via` or `(may be empty)`.
    filtered = st.builds(Collection, names, sub, _maybe(names), may_be_empty=st.booleans())
    via = st.builds(Collection, names, st.none(), names, may_be_empty=st.booleans())
    marked = st.builds(Collection, names, st.none(), _maybe(names), may_be_empty=st.just(True))
    return st.one_of(sub, filtered, via, marked)


def _not_a_number(e: Expr) -> bool:
    # `-3` is folded into Literal_(-3) by the transformer, so Neg never wraps a numeric literal.
    return not (isinstance(e, Literal_) and e.kind in ("number", "percent"))


def _quantified(sub: S[Expr]) -> S[Quantified]:
    each = st.builds(Quantified, st.just("each"), collections(sub), sub)
    no_some = st.builds(Quantified, st.sampled_from(("no", "some")), collections(sub), _maybe(sub))
    return st.one_of(each, no_some)


def _count_quant(sub: S[Expr]) -> S[CountQuant]:
    n = st.one_of(non_negative_numbers, st.builds(Name, names), sub)
    ops = st.sampled_from(("at_least", "at_most", "exactly"))
    return st.builds(CountQuant, ops, n, collections(sub), _maybe(st.sampled_from(UNITS)))


def _each_period(sub: S[Expr]) -> S[EachPeriod]:
    units = st.sampled_from(("year", "quarter", "month"))
    of = st.builds(EachPeriod, units, sub, of_year=sub, by=_maybe(names))
    from_to = st.builds(EachPeriod, units, sub, start=sub, end=sub, by=_maybe(names))
    return st.one_of(of, from_to)


def _compounds(sub: S[Expr]) -> list[S[Expr]]:
    lists = st.builds(ListLit, st.lists(sub, max_size=3).map(tuple))
    return [
        lists,
        st.builds(Attr, sub, names),
        st.builds(Call, st.sampled_from(FUNC_NAMES), st.lists(_call_args(sub), max_size=3).map(tuple)),
        st.builds(Arith, st.sampled_from(("+", "-", "*", "/")), sub, sub),
        st.builds(Neg, sub.filter(_not_a_number)),
        st.builds(Compare, st.sampled_from(("==", "!=", "<", "<=", ">", ">=")), sub, sub),
        st.builds(And, sub, sub),
        st.builds(Or, sub, sub),
        st.builds(Not, sub),
        st.builds(In, sub, lists, st.booleans()),
        st.builds(Contains, sub, sub, st.sampled_from(("one", "all", "any"))),
        st.builds(Between, sub, sub, sub),
        st.builds(Within, sub, decimals(min_value=0), st.sampled_from(("years", "months", "days")), sub),
        st.builds(IsMissing, sub, st.booleans()),
        _quantified(sub),
        _count_quant(sub),
        _each_period(sub),
    ]


@cache
def expressions(depth: int = 3) -> S[Expr]:
    """Expressions nested at most `depth` deep (leaves first, so failures shrink to small trees)."""
    if depth <= 0:
        return leaves
    return st.one_of(leaves, *_compounds(expressions(depth - 1)))


# ---------------------------------------------------------------------------------------------
# Metadata
# ---------------------------------------------------------------------------------------------

# `warn at` and `threshold` take a number (possibly negative), a percent or a param name.
_atom_values = st.one_of(
    numbers,
    st.builds(lambda v: Literal_(Fraction(v) / 100, "percent"), decimals(min_value=0)),
    st.builds(Name, names),
)

_scorings = st.one_of(
    st.sampled_from((Scoring("all"), Scoring("proportional"))),
    st.builds(Scoring, st.just("deduct"), decimals(min_value=0)),
)

META_VALUES: dict[MetaKey, S[Any]] = {
    "points": decimals(min_value=0),
    "severity": st.sampled_from(SEVERITIES),
    "scoring": _scorings,
    "warn_at": _atom_values,
    "threshold": _atom_values,
    "owner": texts,
    "due": st.dates(),
    "source": texts,
    "tier": st.sampled_from(TIERS),
    "tags": st.lists(texts, min_size=1, max_size=3).map(tuple),
    "hint": texts,
    "applies": expressions(2),
}


@st.composite
def metas(draw: st.DrawFn) -> tuple[Meta, ...]:
    """Distinct metadata keys in META_ORDER, the way the transformer stores them."""
    keys = draw(st.lists(st.sampled_from(META_ORDER), unique=True, max_size=6))
    ordered = sorted(keys, key=META_ORDER.index)
    return tuple(Meta(k, draw(META_VALUES[k])) for k in ordered)


# ---------------------------------------------------------------------------------------------
# Declarations
# ---------------------------------------------------------------------------------------------

_aliases = st.lists(texts, max_size=2).map(tuple)
value_fields = st.builds(FieldDecl, names, st.sampled_from(TYPES), st.none(), st.booleans(), st.booleans(), _aliases,
                         dated=st.booleans())
ref_fields = st.builds(FieldDecl, names, st.just("ref"), names, st.just(False), st.booleans(), _aliases)
fields = st.lists(st.one_of(value_fields, ref_fields), max_size=4).map(tuple)

entities = st.one_of(
    st.builds(EntityDecl, names, fields, _maybe(texts), _aliases, st.just(False)),
    st.builds(EntityDecl, names, fields, st.none(), st.just(()), st.just(True)),  # extend entity
)
rules = st.builds(Rule, rule_ids, texts, expressions(3), _maybe(texts), metas())
decls: S[Decl] = st.one_of(
    st.builds(ParamDecl, names, expressions(2), st.booleans()),
    entities,
    st.builds(FactDecl, names, st.sampled_from(TYPES), _maybe(texts), _aliases),
    st.builds(Section, texts, st.lists(rules, max_size=3).map(tuple)),
    st.builds(Override, rule_ids, metas()),
    st.builds(Drop, rule_ids, texts),
)
extends_refs = st.one_of(st.builds(ExtendsRef, names, st.just(False)), st.builds(ExtendsRef, texts, st.just(True)))


def rulesets(keyword_lang: str | None = None) -> S[RulesetFile]:
    """Whole files; `keyword_lang` fixes the header keyword language the tree records."""
    langs = st.sampled_from(("zh", "en")) if keyword_lang is None else st.just(keyword_lang)
    return st.builds(
        RulesetFile,
        id=rule_ids,
        title=texts,
        decls=st.lists(decls, max_size=5).map(tuple),
        title_en=_maybe(texts),
        version=_maybe(texts),
        extends=st.lists(extends_refs, max_size=2).map(tuple),
        language=_maybe(st.sampled_from(("zh", "en"))),
        keyword_lang=langs,
    )



T = TypeVar("T")


def with_function_names(tree: T, lang: str) -> T:
    """`tree` with every function name spelled as `format_ruleset(..., lang)` writes it."""
    table = function_names(lang)  # type: ignore[arg-type]

    def walk(node: Any) -> Any:
        if isinstance(node, Call):
            return dataclasses.replace(node, func=table.get(node.func, node.func), args=walk(node.args))
        if dataclasses.is_dataclass(node) and not isinstance(node, type):
            return dataclasses.replace(node, **{f.name: walk(getattr(node, f.name))
                                                for f in dataclasses.fields(node) if f.compare})
        if isinstance(node, tuple):
            return tuple(walk(item) for item in node)
        return node

    return walk(tree)  # type: ignore[no-any-return]
