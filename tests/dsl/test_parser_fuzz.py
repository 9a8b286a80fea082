"""Fuzzing `parse`: any text gives a ruleset or a KepuError, quickly; never another exception."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kepu_rules.diagnostics import KepuError
from kepu_rules.dsl.ast import Not, RulesetFile, Section
from kepu_rules.dsl.checker import check
from kepu_rules.dsl.depth import MAX_NESTING
from kepu_rules.dsl.formatter import format_expr, format_ruleset
from kepu_rules.dsl.parse import parse
from kepu_rules.engine.resolve import merge
from tests.dsl.strategies import rulesets, with_function_names
from tests.engine.util import evaluate, facts

# Grammar fragments: every keyword spelling of both languages (from kepu.lark), literals, full-width
# punctuation; the soup glues some of them to their neighbours.
KEYWORDS = (
    "aka", "and", "applies when", "at least", "at most", "because", "before", "between", "by", "contains",
    "contains all", "contains any", "dated", "day", "days", "deduct", "drop", "due", "each", "each month", "each quarter",
    "each year", "entity", "every", "every month", "every quarter", "every year", "exactly", "extend", "extends",
    "fact", "false", "from", "has",
    "have", "hint", "in", "is missing", "is present", "key", "language", "may be empty", "month", "months", "no",
    "not", "not in",
    "of", "or", "override", "owner", "param", "per item", "points", "quarter", "required", "rule", "ruleset",
    "scoring", "section", "set", "severity", "some", "source", "tags", "threshold", "tier", "to", "today", "true",
    "version", "via", "warn at", "where", "within", "year", "years", "yes", "不", "不低于", "不在", "不大于",
    "不多于", "不存在", "不小于", "不少于", "不属于", "不等于", "不超过", "不高于", "与", "且", "个", "个月内", "为空", "主键", "之前", "之间",
    "于", "人", "今天", "计时日期", "介于", "从", "份", "位", "低于", "依据", "其中", "具有", "分", "分值", "删除", "别名", "到",
    "包含", "包含任一", "包含全部", "可为空", "包括任一", "包括全部", "原因", "参数", "各", "名", "否", "和", "在", "场", "处",
    "多于", "大于", "天内", "存在", "实体", "家", "小于", "少于", "属于", "已填写", "年内", "并且", "张", "必填", "恰好",
    "恰好有", "或", "或者", "所", "所有", "扩展", "指标", "按", "提示", "日内", "是", "最多", "月内", "有", "期限", "条",
    "标签", "次", "正好", "每一个", "每一年", "每个", "每个季度", "每个月", "每季度", "每年", "每月", "每项扣", "没有",
    "涵盖", "满足", "满足条件", "版本", "章节", "等于", "等级", "篇", "经由", "继承", "缺失", "至", "至多", "至多有",
    "至少", "至少有", "规则", "规则集", "计分方式", "设定", "证据等级", "评估日", "语言", "调整", "责任单位", "超过",
    "适用于", "适用条件", "阈值", "非", "非空", "项", "预警", "高于", "全部达标", "按比例", "一票否决", "必备", "计分",
    "建议", "veto", "advisory", "scored", "proportional", "all", "SEED",
)
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
# Deep nesting: the parser builds the AST without recursing, but the formatter, checker and evaluator recurse
# ---------------------------------------------------------------------------------------------

NESTINGS: dict[str, Callable[[int], str]] = {
    "parens": lambda n: "(" * n + "x" + ")" * n + " > 1",
    "not": lambda n: "not " * n + "x",
    "minus": lambda n: "-" * n + "x > 1",
    "lists": lambda n: "x in " + "[" * n + "]" * n,
    "calls": lambda n: "f(" * n + ")" * n,
    "and-chain": lambda n: " and ".join(["x"] * n),
    "sum-chain": lambda n: " + ".join(["x"] * n) + " > 1",
    "attrs": lambda n: "x" + ".y" * n + " > 1",
    "quantifiers": lambda n: "some E has " * n + "x",
    "wheres": lambda n: "some E where " * n + "x",
}


def _rule_with(body: str) -> str:
    return IN_RULE + body + "\n  }\n}\n"


def _parse_deep(text: str) -> RulesetFile:
    """Parse; any exception but KepuError fails with a one-line message (a thousand-frame traceback
    takes pytest seconds to render)."""
    try:
        return parse(text)
    except KepuError:
        raise
    except Exception as err:
        raise AssertionError(f"{type(err).__name__}: {str(err).splitlines()[0]}") from None


@pytest.mark.parametrize("kind", sorted(NESTINGS))
@pytest.mark.parametrize("depth", [500, 5000])
def test_deep_nesting_is_a_kepu_error(kind: str, depth: int) -> None:
    with pytest.raises(KepuError) as info:
        _parse_deep(_rule_with(NESTINGS[kind](depth)))
    [diag] = info.value.diagnostics
    assert diag.code == "too-deep"
    assert (diag.location.path, diag.location.line) == ("<string>", 4)
    assert diag.location.column is not None
    assert "规则 A1 嵌套过深" in diag.render("zh")
    assert "rule A1 is nested too deeply" in diag.render("en")


def test_too_deep_points_at_the_first_construct_past_the_limit() -> None:
    # The compare is level 1 and the k-th bracket level k + 1: the bracket at MAX_NESTING is one too many.
    with pytest.raises(KepuError) as info:
        parse(_rule_with(NESTINGS["parens"](MAX_NESTING + 20)), "deep.kepu")
    [diag] = info.value.diagnostics
    assert diag.location.render() == f"deep.kepu:4:{MAX_NESTING}"
    assert diag.render("en").startswith(f"deep.kepu:4:{MAX_NESTING}: error: rule A1 is nested too deeply "
                                        f"(more than {MAX_NESTING} levels)\n")
    assert diag.render("zh").startswith(f"deep.kepu:4:{MAX_NESTING}: 错误: 规则 A1 嵌套过深（超过 {MAX_NESTING} 层）\n")


def test_too_deep_param_is_located_at_its_value() -> None:
    with pytest.raises(KepuError) as info:
        parse(HEADER + "param p = " + "[" * 300 + "]" * 300 + "\n")
    [diag] = info.value.diagnostics
    assert (diag.code, diag.location.line) == ("too-deep", 2)
    assert "表达式嵌套过深" in diag.render("zh")
    assert "the expression is nested too deeply" in diag.render("en")


def test_unbalanced_deep_parens_are_a_syntax_error() -> None:
    with pytest.raises(KepuError) as info:
        parse(_rule_with("(" * 500 + "x"))
    assert info.value.diagnostics[0].code != "too-deep"


@pytest.mark.parametrize("kind", sorted(NESTINGS))
def test_reasonable_nesting_parses_and_round_trips(kind: str) -> None:
    ruleset = _parse_deep(_rule_with(NESTINGS[kind](50)))
    assert parse(format_ruleset(ruleset)) == ruleset


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


@pytest.mark.parametrize("kind", ["parens", "and-chain", "wheres"])
def test_every_depth_near_the_limit_is_a_tree_or_a_kepu_error(kind: str) -> None:
    nest = NESTINGS[kind]
    limit = _first_failing_depth(nest)
    assert limit <= MAX_NESTING + 1, "the nesting limit, not the recursion limit, decides"
    for depth in range(limit - 3, limit + 12):
        with contextlib.suppress(KepuError):
            _parse_deep(_rule_with(nest(depth)))


def _frames() -> int:
    frame, n = sys._getframe(), 0
    while frame is not None:
        frame, n = frame.f_back, n + 1
    return n


def _with_stack_left(frames: int, call: Callable[[], object]) -> object:
    """`call()` from a stack that leaves it about `frames` frames below the recursion limit, as for a
    caller that is itself deep (a worker thread under a UI framework, a plugin hook)."""

    def dig(n: int) -> object:
        return call() if n <= 0 else dig(n - 1)

    return dig(sys.getrecursionlimit() - _frames() - frames)


@pytest.mark.parametrize("kind", ["quantifiers", "parens", "calls"])
def test_parse_from_a_deep_stack_is_a_tree(kind: str) -> None:
    # The parser builds the AST as rules reduce, in a loop: a depth `parse` accepts parses alike from a
    # stack that is mostly used (it needs about a dozen frames, whatever the nesting). Scan the headroom.
    text = _rule_with(NESTINGS[kind](60))
    ruleset = _parse_deep(text)
    for frames in range(30, 260):
        assert _with_stack_left(frames, lambda: _parse_deep(text)) == ruleset


# ---------------------------------------------------------------------------------------------
# The stages after `parse` handle the deepest tree it accepts, and turn a deeper one into too-deep
# ---------------------------------------------------------------------------------------------

SCHEMA = """\
ruleset t "t"
entity 街道 { key 名称: text; 人口: integer }
"""
VALID = "count(街道) > 1"

#: Nestings that check: the checker stops at the first error, so these must be valid to be walked whole.
CHECKED_NESTINGS: dict[str, Callable[[int], str]] = {
    "parens": lambda n: "(" * n + "count(街道)" + ")" * n + " > 1",
    "not": lambda n: "not " * n + f"({VALID})",
    "minus": lambda n: "-" * n + "count(街道) > 1",
    "lists": lambda n: "1 in " + "[" * n + "]" * n,
    "calls": lambda n: "year(" * n + "today" + ")" * n + " > 1",
    "and-chain": lambda n: " and ".join([VALID] * n),
    "or-chain": lambda n: " or ".join([VALID] * n),
    "sum-chain": lambda n: " + ".join(["1"] * n) + " > 1",
    "quantifiers": lambda n: "some 街道 has " * n + "人口 > 0",
    "wheres": lambda n: "some 街道 where " * n + "人口 > 0",
}


def _checked_text(body: str) -> str:
    return SCHEMA + 'section "s" {\n  rule A1 "t" {\n' + body + "\n  }\n}\n"


@pytest.mark.parametrize("kind", sorted(CHECKED_NESTINGS))
def test_deepest_accepted_nesting_formats_checks_and_evaluates(kind: str) -> None:
    nest = CHECKED_NESTINGS[kind]
    depth = 1
    while not _fails(_checked_text(nest(depth + 1))):
        depth += 1
    ruleset = parse(_checked_text(nest(depth)), "t.kepu")
    for lang in ("zh", "en"):
        formatted = parse(format_ruleset(ruleset, lang), "t.kepu")  # type: ignore[arg-type]
        assert formatted.decls == with_function_names(ruleset.decls, lang)
    try:
        checked = check(merge([ruleset]))
    except KepuError as err:
        # Nested lists and calls are type errors (a list of lists, year() of a number), found at the bottom.
        assert all(d.code != "too-deep" for d in err.diagnostics), err.render("en")
        return
    evaluate(checked, facts(checked, {"街道": [{"名称": "a", "人口": 3}]}))


def _too_deep_rule(levels: int) -> RulesetFile:
    """A parsed ruleset whose rule body is wrapped in `not` `levels` times: deeper than `parse` allows."""
    ruleset = parse(_checked_text(VALID), "t.kepu")
    section = ruleset.decls[-1]
    assert isinstance(section, Section)
    body = section.rules[0].body
    for _ in range(levels):
        body = Not(body, body.span)
    rule = replace(section.rules[0], body=body)
    return replace(ruleset, decls=(*ruleset.decls[:-1], replace(section, rules=(rule,))))


def test_formatter_turns_overflow_into_too_deep() -> None:
    ruleset = _too_deep_rule(5000)
    with pytest.raises(KepuError) as info:
        format_ruleset(ruleset)
    [diag] = info.value.diagnostics
    assert (diag.code, diag.location.render()) == ("too-deep", "t.kepu:4:3")
    assert "rule A1 is nested too deeply" in diag.render("en")
    section = ruleset.decls[-1]
    assert isinstance(section, Section)
    with pytest.raises(KepuError) as info:
        format_expr(section.rules[0].body)
    assert info.value.diagnostics[0].code == "too-deep"


def test_checker_turns_overflow_into_too_deep() -> None:
    with pytest.raises(KepuError) as info:
        check(merge([_too_deep_rule(5000)]))
    [diag] = info.value.diagnostics
    assert (diag.code, diag.location.render()) == ("too-deep", "t.kepu:4:3")
    assert "规则 A1 嵌套过深" in diag.render("zh")
