"""Fuzzing `parse`: any text gives a ruleset or a KepuError, quickly; never another exception."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kepu_rules.diagnostics import KepuError
from kepu_rules.dsl.ast import RulesetFile
from kepu_rules.dsl.formatter import format_ruleset
from kepu_rules.dsl.parse import parse
from tests.dsl.strategies import rulesets

# Grammar fragments: every keyword spelling of both languages (from kepu.lark), literals, full-width
# punctuation; the soup glues some of them to their neighbours.
KEYWORDS = (
    "aka", "and", "applies when", "at least", "at most", "because", "before", "between", "by", "contains",
    "contains all", "contains any", "day", "days", "deduct", "drop", "due", "each", "each month", "each quarter",
    "each year", "entity", "every", "every year", "exactly", "extend", "extends", "fact", "false", "from", "has",
    "have", "hint", "in", "is missing", "is present", "key", "language", "month", "months", "no", "not", "not in",
    "of", "or", "override", "owner", "param", "per item", "points", "quarter", "required", "rule", "ruleset",
    "scoring", "section", "set", "severity", "some", "source", "tags", "threshold", "tier", "to", "today", "true",
    "version", "via", "warn at", "where", "within", "year", "years", "yes", "不", "不低于", "不在", "不大于",
    "不存在", "不小于", "不属于", "不等于", "不超过", "不高于", "与", "且", "个", "个月内", "为空", "主键", "之前", "之间",
    "于", "人", "今天", "介于", "从", "份", "位", "低于", "依据", "其中", "具有", "分", "分值", "删除", "别名", "到",
    "包含", "包含任一", "包含全部", "包括任一", "包括全部", "原因", "参数", "各", "名", "否", "和", "在", "场", "处",
    "多于", "大于", "天内", "存在", "实体", "家", "小于", "少于", "属于", "已填写", "年内", "并且", "张", "必填", "恰好",
    "恰好有", "或", "或者", "所", "所有", "扩展", "指标", "按", "提示", "日内", "是", "最多", "月内", "有", "期限", "条",
    "标签", "次", "正好", "每一个", "每一年", "每个", "每个季度", "每个月", "每季度", "每年", "每月", "每项扣", "没有",
    "涵盖", "满足", "满足条件", "版本", "章节", "等于", "等级", "篇", "经由", "继承", "缺失", "至", "至多", "至多有",
    "至少", "至少有", "规则", "规则集", "计分方式", "设定", "证据等级", "评估日", "语言", "调整", "责任单位", "超过",
    "适用于", "适用条件", "阈值", "非", "非空", "项", "预警", "高于", "全部达标", "按比例", "一票否决", "必备", "计分",
    "建议", "veto", "advisory", "scored", "proportional", "all", "SEED",
)
# `不少于` and `不多于` crash the transformer today (see test_count_words_are_read_or_rejected below);
# add them to KEYWORDS once that is fixed.
KNOWN_CRASHERS = ("不少于", "不多于")
LITERALS = (
    "12", "3.5", "0", "80%", "12.5 ％", "2026-09-15", "2026年9月15日", "2026/9/15", "2026-13-45", '"text"',
    '"a\\"b"', "“文本”", "「引」", '"unterminated', "A1", "B-2.1", "街道", "名称", "x", "count(", "计数(",
)
PUNCTUATION = (
    *"{}()[],;:.=<>!+-*/%#\"'\\\n\t",
    "->", "→", ">=", "<=", "!=", "<>", "==", "//", "＜＝", "＞＝", "，", "：", "；", "（", "）", "“", "”", "「", "」", "【", "】", "＝", "＞",
    "＜", "≥", "≤", "≠", "％", "｛", "｝", "×", "÷", "、", "．",
)
HEADER = 'ruleset r "t"\n'
IN_RULE = HEADER + 'section "s" {\n  rule A1 "t" {\n'

fragments = st.one_of(
    st.sampled_from(KEYWORDS), st.sampled_from(LITERALS), st.sampled_from(PUNCTUATION), st.text(max_size=3),
)
separators = st.sampled_from(("", " ", " ", "\n"))
soups = st.lists(st.tuples(fragments, separators), max_size=40).map(lambda parts: "".join(a + b for a, b in parts))
# A valid prefix gets the parser past the header, so the soup exercises rules and expressions too.
texts = st.one_of(st.text(max_size=60), soups, soups.map(HEADER.__add__), soups.map(IN_RULE.__add__))

FUZZ = settings(max_examples=400, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


def _parse_or_kepu_error(text: str) -> RulesetFile | None:
    """Parse; a KepuError is an allowed outcome, anything else propagates and fails the test."""
    try:
        return parse(text, "fuzz.kepu")
    except KepuError as err:
        assert err.diagnostics, "a KepuError carries at least one diagnostic"
        err.render("zh")
        err.render("en")
        return None


@FUZZ
@given(texts)
def test_any_text_parses_or_raises_kepu_error(text: str) -> None:
    _parse_or_kepu_error(text)


@st.composite
def mutated_rulesets(draw: st.DrawFn) -> str:
    """Valid formatted text with a few characters deleted, duplicated or inserted: near-miss input."""
    text = format_ruleset(draw(rulesets()))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(("delete", "duplicate", "insert")))
        if edit == "delete":
            text = text[:i] + text[i + 1 :]
        elif edit == "duplicate":
            text = text[:i] + text[i : i + 3] + text[i:]
        else:
            text = text[:i] + draw(fragments) + text[i:]
    return text


@settings(FUZZ, max_examples=150)
@given(mutated_rulesets())
def test_near_miss_text_parses_or_raises_kepu_error(text: str) -> None:
    _parse_or_kepu_error(text)


# ---------------------------------------------------------------------------------------------
# Deep nesting: the LALR parser is iterative, but the tree transformer recurses
# ---------------------------------------------------------------------------------------------

NESTINGS: dict[str, Callable[[int], str]] = {
    "parens": lambda n: "(" * n + "x" + ")" * n + " > 1",
    "not": lambda n: "not " * n + "x",
    "minus": lambda n: "-" * n + "x > 1",
    "lists": lambda n: "x in " + "[" * n + "]" * n,
    "calls": lambda n: "f(" * n + ")" * n,
    "and-chain": lambda n: " and ".join(["x"] * n),
    "quantifiers": lambda n: "some E has " * n + "x",
}


def _rule_with(body: str) -> str:
    return IN_RULE + body + "\n  }\n}\n"


def _parse_deep(text: str) -> None:
    """Parse; any exception but KepuError fails with a one-line message (a thousand-frame traceback
    takes pytest seconds to render)."""
    try:
        parse(text)
    except KepuError:
        raise
    except Exception as err:
        raise AssertionError(f"{type(err).__name__}: {str(err).splitlines()[0]}") from None


# Nested quantifiers call transformer methods on the way down, so the recursion limit is hit inside one
# of them and lark wraps the RecursionError in a VisitError that `parse` does not catch.
VISIT_ERROR = pytest.mark.xfail(strict=True, reason="parse() lets lark's VisitError(RecursionError) escape: "
                                                    "see the report on kepu_rules/dsl/parse.py")


@pytest.mark.parametrize("kind", [k if k != "quantifiers" else pytest.param(k, marks=VISIT_ERROR)
                                  for k in sorted(NESTINGS)])
@pytest.mark.parametrize("depth", [500, 5000])
def test_deep_nesting_is_a_kepu_error(kind: str, depth: int) -> None:
    with pytest.raises(KepuError) as info:
        _parse_deep(_rule_with(NESTINGS[kind](depth)))
    assert info.value.diagnostics[0].code == "too-deep"


def test_unbalanced_deep_parens_are_a_syntax_error() -> None:
    with pytest.raises(KepuError) as info:
        parse(_rule_with("(" * 500 + "x"))
    assert info.value.diagnostics[0].code != "too-deep"


def _fails(text: str) -> bool:
    try:
        parse(text)
    except Exception:
        return True
    return False


def _first_failing_depth(nest: Callable[[int], str]) -> int:
    """The smallest nesting the parser refuses (a bisection: refusing is monotonic in depth)."""
    low, high = 1, 5000
    while low < high:
        mid = (low + high) // 2
        if _fails(_rule_with(nest(mid))):
            high = mid
        else:
            low = mid + 1
    return low


@VISIT_ERROR
@pytest.mark.parametrize("kind", ["parens", "and-chain"])
def test_every_depth_near_the_recursion_limit_is_a_kepu_error(kind: str) -> None:
    # Where the recursion limit is hit decides which frame raises: inside a transformer callback lark
    # wraps the RecursionError in a VisitError. Scan the few depths around the limit.
    nest = NESTINGS[kind]
    limit = _first_failing_depth(nest)
    for depth in range(limit - 3, limit + 12):
        with contextlib.suppress(KepuError):
            _parse_deep(_rule_with(nest(depth)))


# ---------------------------------------------------------------------------------------------
# Known crashers
# ---------------------------------------------------------------------------------------------


@pytest.mark.xfail(strict=True, reason="COUNT_OP lexes 不少于/不多于 but transformer.COUNT_OPS lacks them: "
                                       "KeyError inside lark becomes a VisitError")
@pytest.mark.parametrize("word", KNOWN_CRASHERS)
def test_count_words_are_read_or_rejected(word: str) -> None:
    with contextlib.suppress(KepuError):
        _parse_deep(_rule_with(f"{word} 3 个 E"))
