"""The canonical formatter: golden texts in both languages, and the laws parse(format(x)) == x and idempotence."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kepu_rules.diagnostics import KepuError, display_width
from kepu_rules.dsl.ast import And, Expr, Name, Or, RulesetFile
from kepu_rules.dsl.formatter import WIDTH, decimal, format_expr, format_ruleset, percent, quote
from kepu_rules.dsl.formatter import _reach as reach
from kepu_rules.dsl.parse import parse
from kepu_rules.dsl.transformer import unquote
from tests.dsl.strategies import NAMES, expressions, rulesets, with_function_names

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
IN_RULE = 'ruleset r "t"\nsection "s" {\n  rule A1 "t" {\n'


def parse_expr(text: str) -> Expr:
    """The body of a one-rule ruleset: how an expression is read in context."""
    return parse(IN_RULE + text + "\n  }\n}\n").rules()[0].body


# ---------------------------------------------------------------------------------------------
# Golden files
# ---------------------------------------------------------------------------------------------

# Messy on purpose: metadata out of order, fields on one line, full-width punctuation, comments.
SOURCE = """\
ruleset national "全国科普示范区创建标准" "National demonstration district criteria" version "2021-2025"
extends schema   # 继承
language zh
param 科普日覆盖率目标 = 80%
param 最少活动次数=4
entity 街道 { key 名称: text }
entity 社区 "社区/村" aka "村" { key 名称: text aka "社区名称", "村（社区）名称"; 街道 -> 街道 required
  有科普活动室：bool; 常住人口: integer required }
fact 常住人口: integer “常住人口（万人）”
section "阵地建设" {
  rule A1 "每个街道在沿街显要位置设置一处以上科普宣传标识" "Every street office has a roadside sign"
      hint "在街道主干道醒目位置增设科普宣传标识并拍照存档" tier SEED points 5 severity required
      owner "各街道" source "动员会讲话 二(一)" {
    每个 街道 至少有 1 个 科普标识 其中 沿街显要
  }
  rule A2 "社区科普活动室覆盖率" applies when 常住人口 > 100000 warn at 70% scoring proportional
  { coverage(社区 where 有科普活动室) >= 科普日覆盖率目标 }
}
"""

GOLDEN_EN = """\
ruleset national "全国科普示范区创建标准" "National demonstration district criteria"
    version "2021-2025"
extends schema  # 继承
language zh

param 科普日覆盖率目标 = 80%
param 最少活动次数 = 4

entity 街道 {
  key 名称: text
}

entity 社区 "社区/村" aka "村" {
  key 名称: text aka "社区名称", "村（社区）名称"
  街道 -> 街道 required
  有科普活动室: bool
  常住人口: integer required
}

fact 常住人口: integer "常住人口（万人）"

section "阵地建设" {
  rule A1 "每个街道在沿街显要位置设置一处以上科普宣传标识" "Every street office has a roadside sign"
      points 5
      severity required
      owner "各街道"
      source "动员会讲话 二(一)"
      tier SEED
      hint "在街道主干道醒目位置增设科普宣传标识并拍照存档" {
    each 街道 has at least 1 个 科普标识 where 沿街显要
  }

  rule A2 "社区科普活动室覆盖率"
      scoring proportional
      warn at 70%
      applies when 常住人口 > 100000 {
    coverage(社区 where 有科普活动室) >= 科普日覆盖率目标
  }
}
"""

GOLDEN_ZH = """\
规则集 national "全国科普示范区创建标准" "National demonstration district criteria" 版本 "2021-2025"
继承 schema  # 继承
语言 zh

参数 科普日覆盖率目标 = 80%
参数 最少活动次数 = 4

实体 街道 {
  主键 名称: text
}

实体 社区 "社区/村" 别名 "村" {
  主键 名称: text 别名 "社区名称", "村（社区）名称"
  街道 -> 街道 必填
  有科普活动室: bool
  常住人口: integer 必填
}

指标 常住人口: integer "常住人口（万人）"

章节 "阵地建设" {
  规则 A1 "每个街道在沿街显要位置设置一处以上科普宣传标识" "Every street office has a roadside sign"
      分值 5
      等级 必备
      责任单位 "各街道"
      依据 "动员会讲话 二(一)"
      证据等级 SEED
      提示 "在街道主干道醒目位置增设科普宣传标识并拍照存档" {
    每个 街道 至少有 1 个 科普标识 其中 沿街显要
  }

  规则 A2 "社区科普活动室覆盖率"
      计分方式 按比例
      预警 70%
      适用于 常住人口 > 100000 {
    覆盖率(社区 其中 有科普活动室) >= 科普日覆盖率目标
  }
}
"""


def test_golden_english() -> None:
    assert format_ruleset(parse(SOURCE), "en") == GOLDEN_EN


def test_golden_chinese() -> None:
    assert format_ruleset(parse(SOURCE), "zh") == GOLDEN_ZH


def test_default_language_is_the_header_keywords() -> None:
    assert format_ruleset(parse(GOLDEN_ZH)) == GOLDEN_ZH
    assert format_ruleset(parse(GOLDEN_EN)) == GOLDEN_EN


OVERLAY = """\
规则集 泉城 "泉城市科普示范区创建实施方案" 继承 national
设定 科普日覆盖率目标 = 90%
设定 最少活动次数 = 6
扩展 实体 社区 { 有科普e站: 是否 }
调整 A1 { 分值 6 等级 一票否决 阈值 2 }
调整 A2 { 计分方式 每项扣 0.5 分 }
删除 D7 原因 "本市无涉农街道"
删除 D8 原因 "并入 D7"
章节 "市级示范社区" {
  规则 Q1 "每季度开展专家服务" 标签 "活动", "专家" 期限 2026年12月31日 {
    每季度 于 2026 至少有 1 次 科普活动 其中 类别 = "专家服务"
  }
}
"""

OVERLAY_EN = """\
ruleset 泉城 "泉城市科普示范区创建实施方案"
extends national

set 科普日覆盖率目标 = 90%
set 最少活动次数 = 6

extend entity 社区 {
  有科普e站: 是否
}

override A1 {
  points 6
  severity veto
  threshold 2
}

override A2 {
  scoring deduct 0.5 per item
}

drop D7 because "本市无涉农街道"
drop D8 because "并入 D7"

section "市级示范社区" {
  rule Q1 "每季度开展专家服务"
      due 2026-12-31
      tags "活动", "专家" {
    each quarter of 2026 has at least 1 次 科普活动 where 类别 = "专家服务"
  }
}
"""


def test_golden_overlay_english() -> None:
    assert format_ruleset(parse(OVERLAY), "en") == OVERLAY_EN


def test_golden_overlay_chinese_keeps_the_bare_count_form() -> None:
    text = format_ruleset(parse(OVERLAY))
    assert "    每季度 于 2026 至少有 1 次 科普活动 其中 类别 = \"专家服务\"\n" in text
    assert "调整 A2 {\n  计分方式 每项扣 0.5 分\n}\n" in text
    assert "扩展 实体 社区 {\n  有科普e站: 是否\n}\n" in text


# ---------------------------------------------------------------------------------------------
# Long conditions
# ---------------------------------------------------------------------------------------------

LONG_RULE = """\
ruleset r "t"
section "s" {
  rule B-2.1 "科普场馆" {
    (some 科普场馆 has 面积 >= 1000 and 年接待量 >= 50000) and 有科普e站 or not some 科普基地 or
    count(科普活动 via 主办社区 where 类别 = "专家服务") >= 3 and 日期 between 2026-09-01 and 2026-09-30
    and 名称 contains "科普"
  }
  rule B3 "t" {
    each quarter of 2026 has at least 1 科普活动 where 类别 = "专家服务" and 日期 within 2 years before today
    and 名称 contains "科普" and 参与人数 >= 30
  }
}
"""

LONG_RULE_EN = """\
ruleset r "t"

section "s" {
  rule B-2.1 "科普场馆" {
    (some 科普场馆 has (面积 >= 1000 and 年接待量 >= 50000)) and 有科普e站
    or not some 科普基地
    or count(科普活动 via 主办社区 where 类别 = "专家服务") >= 3
      and 日期 between 2026-09-01 and 2026-09-30
      and 名称 contains "科普"
  }

  rule B3 "t" {
    each quarter of 2026 has at least 1 科普活动 where (
      类别 = "专家服务"
      and 日期 within 2 years before today
      and 名称 contains "科普"
      and 参与人数 >= 30
    )
  }
}
"""


def test_long_chains_break_one_operand_per_line() -> None:
    text = format_ruleset(parse(LONG_RULE))
    assert text == LONG_RULE_EN
    assert all(display_width(line) <= WIDTH for line in text.splitlines())


def test_a_long_chain_in_parentheses_opens_a_block() -> None:
    operands = " or ".join(f"指标{i} >= {i * 1000}" for i in range(8))
    text = format_ruleset(parse(IN_RULE + f"({operands}) and 有科普e站\n  }}\n}}\n"))
    body = text.split("{\n", 2)[2]
    assert body.startswith("    (\n      指标0 >= 0\n      or 指标1 >= 1000\n")
    assert "\n    )\n    and 有科普e站\n  }\n" in body


def test_a_long_applies_when_hangs_under_its_keyword() -> None:
    cond = " and ".join(f"常住人口{i} > {i + 1}00000" for i in range(6))
    text = format_ruleset(parse(IN_RULE.replace('"t" {', f'"t" applies when {cond} {{') + "x\n  }\n}\n"))
    assert text.endswith(
        '  rule A1 "t"\n'
        "      applies when 常住人口0 > 100000\n"
        + "".join(f"        and 常住人口{i} > {i + 1}00000\n" for i in range(1, 5))
        + "        and 常住人口5 > 600000 {\n"
        "    x\n"
        "  }\n"
        "}\n"
    )


# ---------------------------------------------------------------------------------------------
# Expressions: canonical spelling and minimal parentheses
# ---------------------------------------------------------------------------------------------

EXPRESSIONS = [
    # precedence: parentheses only where the tree needs them
    ("a - (b - c)", "a - (b - c)", "a - (b - c)"),
    ("(a - b) - c", "a - b - c", "a - b - c"),
    ("(a * b) + c", "a * b + c", "a * b + c"),
    ("a / (b * c)", "a / (b * c)", "a / (b * c)"),
    ("not (a and b)", "not (a and b)", "非 (a 且 b)"),
    ("(not a) and b", "not a and b", "非 a 且 b"),
    ("a or (b and c)", "a or b and c", "a 或 b 且 c"),
    ("(a or b) and c", "(a or b) and c", "(a 或 b) 且 c"),
    ("a and (b and c)", "a and (b and c)", "a 且 (b 且 c)"),
    ("(a = b) = c", "(a = b) = c", "(a = b) = c"),
    ("(x + 1) in [1]", "x + 1 in [1]", "x + 1 属于 [1]"),
    ("f((a or b), [c and d])", "f(a or b, [c and d])", "f(a 或 b, [c 且 d])"),
    # signs: `-3` is a literal, `3.x` would not lex
    ("-(a + b)", "-(a + b)", "-(a + b)"),
    ("-(3)", "-3", "-3"),
    ("(-3).x", "(-3).x", "(-3).x"),
    ("(3.5).x", "(3.5).x", "(3.5).x"),
    ("80%.x", "80%.x", "80%.x"),
    ("--x", "--x", "--x"),
    ("-12.5% + -0.25", "-12.5% + -0.25", "-12.5% + -0.25"),
    # greedy quantifiers swallow what follows them
    ("(some E has x) and y", "(some E has x) and y", "(存在 E 满足 x) 且 y"),
    # ... and a greedy body or `where` that takes an and/or shows it in parentheses
    ("some E has (x and y)", "some E has (x and y)", "存在 E 满足 (x 且 y)"),
    ("each X has A and B", "each X has (A and B)", "每个 X 满足 (A 且 B)"),
    ("每个 X 其中 A 且 至少有 1 个 Y 至少有 1 个 Z", "each X where (A and at least 1 个 Y) has at least 1 个 Z",
     "每个 X 其中 (A 且 至少有 1 个 Y) 至少有 1 个 Z"),
    ("每个 X 其中 A 或 B 满足 C", "each X where (A or B) has C", "每个 X 其中 (A 或 B) 满足 C"),
    ("at least 2 Y where A or B", "at least 2 Y where (A or B)", "至少有 2 Y 其中 (A 或 B)"),
    ("each year of 2026 has A and B", "each year of 2026 has (A and B)", "每年 于 2026 满足 (A 且 B)"),
    ("each X has not (A and B)", "each X has not (A and B)", "每个 X 满足 非 (A 且 B)"),
    ("count(X where A and B) > 1", "count(X where A and B) > 1", "count(X 其中 A 且 B) > 1"),
    ("not (some E has x) and y", "not (some E has x) and y", "非 (存在 E 满足 x) 且 y"),
    ("-(some E has x)", "-some E has x", "-存在 E 满足 x"),
    ("(some E) and y", "some E and y", "存在 E 且 y"),
    ("each E where (some F) has x", "each E where (some F) has x", "每个 E 其中 (存在 F) 满足 x"),
    ("each E where some F at least 1 G", "each E where (some F) has at least 1 G", "每个 E 其中 存在 F 至少有 1 G"),
    ("(at least 3 E where x) or y", "(at least 3 E where x) or y", "(至少有 3 E 其中 x) 或 y"),
    ("at least 3 E or y", "at least 3 E or y", "至少有 3 E 或 y"),
    ("(each year of 2026 has x) and y", "(each year of 2026 has x) and y", "(每年 于 2026 满足 x) 且 y"),
    ("x between (some E has y) and 3", "x between (some E has y) and 3", "x 介于 (存在 E 满足 y) 和 3"),
    # counts keep their measure word; the count itself is a number, a name or parenthesised
    ("at least (n + 1) 个 E", "at least (n + 1) 个 E", "至少有 (n + 1) 个 E"),
    ("至少 (80%) E", "at least (80%) E", "至少有 (80%) E"),
    ("所有 街道 至少 1 处 标识", "each 街道 has at least 1 处 标识", "每个 街道 至少有 1 处 标识"),
    ("count(E via f where c > 1) >= 3", "count(E via f where c > 1) >= 3", "count(E 经由 f 其中 c > 1) >= 3"),
    ("count(E via f)", "count(E via f)", "count(E 经由 f)"),
    ("each month of year(today) by 日期 has x", "each month of year(today) by 日期 has x",
     "每月 于 year(今天) 按 日期 满足 x"),
    ("each year from 2021 to 2025 has sum(经费.金额) >= 100",
     "each year from 2021 to 2025 has sum(经费.金额) >= 100", "每年 从 2021 到 2025 满足 sum(经费.金额) >= 100"),
    ("没有 E 其中 x", "no E where x", "没有 E 其中 x"),
    # an entity the rule allows to be empty
    ("每个 街道（可为空） 至少有 1 个 标识", "each 街道 (may be empty) has at least 1 个 标识", "每个 街道 (可为空) 至少有 1 个 标识"),
    ("no E via f (may be empty) where x", "no E via f (may be empty) where x", "没有 E 经由 f (可为空) 其中 x"),
    ("count(E (may  be  empty))", "count(E (may be empty))", "count(E (可为空))"),
    ("coverage(E（可为空）where x) >= 1%", "coverage(E (may be empty) where x) >= 1%", "coverage(E (可为空) 其中 x) >= 1%"),
    ("不存在 E", "no E", "没有 E"),
    # one spelling per keyword; comparisons are symbols in both languages
    ("x == 1", "x = 1", "x = 1"),
    ("x ≥ 1", "x >= 1", "x >= 1"),
    ("x 不低于 1", "x >= 1", "x >= 1"),
    ("x <> 1", "x != 1", "x != 1"),
    ("x 少于 1", "x < 1", "x < 1"),
    ("存在 E 满足 x 或者 y 并且 z", "some E has (x or y and z)", "存在 E 满足 (x 或 y 且 z)"),
    ("x not in [1, 2.50]", "x not in [1, 2.5]", "x 不属于 [1, 2.5]"),
    ("三长.职务 contains all [\"校长\"]", "三长.职务 contains all [\"校长\"]", "三长.职务 包含全部 [\"校长\"]"),
    ("x contains any [1]", "x contains any [1]", "x 包含任一 [1]"),
    ("d 介于 2026年9月1日 与 2026/9/30 之间", "d between 2026-09-01 and 2026-09-30", "d 介于 2026-09-01 和 2026-09-30"),
    ("d 在 评估日 之前 6 个月内", "d within 6 months before today", "d 在 今天 之前 6 个月内"),
    ("d within 1.5 days before today", "d within 1.5 days before today", "d 在 今天 之前 1.5 天内"),
    ("x 为空", "x is missing", "x 缺失"),
    ("x 非空", "x is present", "x 已填写"),
    ("x = 是 或 y = false", "x = true or y = false", "x = 是 或 y = 否"),
    # literals
    ("x = “文本”", 'x = "文本"', 'x = "文本"'),
    ('"a\\"b\\\\c\\nd"', '"a\\"b\\\\c\\nd"', '"a\\"b\\\\c\\nd"'),
    ("3.50 + 12.5%", "3.5 + 12.5%", "3.5 + 12.5%"),
]


@pytest.mark.parametrize(("source", "english", "chinese"), EXPRESSIONS)
def test_expression_spelling(source: str, english: str, chinese: str) -> None:
    tree = parse_expr(source)
    assert format_expr(tree, "en") == english
    assert format_expr(tree, "zh") == chinese
    assert parse_expr(english) == tree == parse_expr(chinese)


@pytest.mark.parametrize(("value", "text"), [
    (3, "3"), (-3, "-3"), (Fraction(7, 2), "3.5"), (Fraction(-1, 8), "-0.125"), (Fraction(1, 1000), "0.001"),
    (Fraction(123456789, 100), "1234567.89"),
])
def test_decimal(value: int | Fraction, text: str) -> None:
    assert decimal(value) == text


def test_percent_and_non_decimal_fractions() -> None:
    assert percent(Fraction(1, 8)) == "12.5%"
    assert percent(Fraction(4, 5)) == "80%"
    with pytest.raises(ValueError, match="finite decimal"):
        decimal(Fraction(1, 3))


@given(st.text(st.characters(exclude_categories=("Cs",))))
def test_quote_round_trips_through_unquote(text: str) -> None:
    assert unquote(quote(text)) == text


@pytest.mark.parametrize("name", NAMES)
def test_strategy_names_are_plain_names(name: str) -> None:
    # The strategies rely on these never lexing as keywords, wherever they stand.
    assert parse_expr(name) == Name(name)
    assert parse_expr(f"count({name} via {name} where {name}.{name})").args[0].entity == name  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------
# Laws
# ---------------------------------------------------------------------------------------------


@PROPERTY
@given(rulesets(), st.sampled_from(("zh", "en")))
def test_parse_of_format_is_identity(rs: RulesetFile, lang: str) -> None:
    # An explicit language spells function names in it too.
    text = format_ruleset(rs, lang)  # type: ignore[arg-type]
    assert parse(text) == with_function_names(dataclasses.replace(rs, keyword_lang=lang), lang)


@PROPERTY
@given(rulesets())
def test_default_language_round_trips(rs: RulesetFile) -> None:
    assert parse(format_ruleset(rs)) == rs


@PROPERTY
@given(rulesets(), st.sampled_from(("zh", "en")))
def test_format_is_idempotent(rs: RulesetFile, lang: str) -> None:
    text = format_ruleset(rs, lang)  # type: ignore[arg-type]
    assert format_ruleset(parse(text)) == text


@settings(PROPERTY, max_examples=300)
@given(expressions(4), st.sampled_from(("zh", "en")))
def test_expression_round_trips(e: Expr, lang: str) -> None:
    assert parse_expr(format_expr(e, lang)) == e  # type: ignore[arg-type]


def _grouping_parens(text: str) -> list[tuple[int, int]]:
    """(open, close) offsets of the parentheses that group, not those of a call `f(...)` or of the
    marker `E (may be empty)`."""
    pairs, stack = [], []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")":
            start = stack.pop()
            if text[start + 1 : i] in ("may be empty", "可为空"):
                continue
            if start == 0 or not re.match(r"\w", text[start - 1]):
                pairs.append((start, i))
    return pairs


@settings(PROPERTY, max_examples=300)
@given(expressions(3))
def test_no_redundant_parentheses(e: Expr) -> None:
    text = format_expr(e)
    assume('"' not in text)  # so every parenthesis in the text is one the formatter wrote
    for start, end in _grouping_parens(text):
        inner = parse_expr(text[start + 1 : end])
        if reach(inner) == "any":
            continue  # a greedy construct is parenthesised whenever anything follows it, needed or not
        if isinstance(inner, And | Or) and text[:start].endswith(("where ", "has ")):
            continue  # a greedy body that takes an and/or shows it (the point of these parentheses)
        stripped = text[:start] + text[start + 1 : end] + text[end + 1 :]
        with contextlib.suppress(KepuError):  # a syntax error shows the parentheses were needed
            assert parse_expr(stripped) != e, f"redundant parentheses in {text!r}"


# ---------------------------------------------------------------------------------------------
# A realistic file
# ---------------------------------------------------------------------------------------------

REAL_FILE = """\
// 泉城区 2026 年创建方案（节选）
规则集 泉城区 "泉城区创建全国科普示范区实施方案" "Quancheng district plan" 版本 "2026"
继承 national
语言 zh

参数 科普日覆盖率目标 ＝ 90％
参数 专家服务次数 = 4
实体 科普活动 "科普活动台账" 别名 "活动台账" {
  主键 活动编号: 文本
  主办社区 -> 社区 必填 ; 日期: 日期 必填 ; 类别: 文本 别名 "活动类别"
  参与人数: 整数
}
指标 科普经费: 数值 "年度科普经费（万元）"

章节 "科普活动" {
  规则 C1 "科普日活动覆盖所有社区" 分值 4 等级 必备 计分方式 按比例 预警 80％
      依据 "实施方案 三(二)" 责任单位 "区科协" 标签 "活动", "社区" {
    覆盖率(社区 其中 至少有 1 次 科普活动 其中 日期 介于 2026年9月1日 和 2026年9月30日) >= 科普日覆盖率目标
  }
  规则 C2 "每季度至少一次专家服务" 分值 3 提示 "联系市科协专家库" {
    每季度 于 2026 至少有 1 次 科普活动 其中 类别 = "专家服务" 且 参与人数 >= 30
  }
  规则 C3 "近两年无安全事故" 等级 一票否决 证据等级 B {
    没有 安全事故 其中 日期 在 今天 之前 2 年内 或者 (等级 属于 ["重大", "较大"])
  }
  规则 C4 "科普经费逐年增长" 计分方式 每项扣 1 分 适用于 科普经费 已填写 {
    逐年增长(经费, 年度, 金额) 并且 每年 从 2021 到 2025 满足 求和(经费.金额) > 100
  }
  规则 C-5.1 "社区科普活动室" 分值 2.5 期限 2026-12-31 {
    每个 社区 满足 有科普活动室 = 是 或 非 (常住人口 > 5000)
  }
}

调整 A1 { 分值 6 阈值 2 }
删除 D7 原因 "本区无涉农街道"
"""


def test_a_real_file_is_stable() -> None:
    original = parse(REAL_FILE)
    text = format_ruleset(original)
    assert parse(text) == original
    assert format_ruleset(parse(text)) == text
    english = format_ruleset(original, "en")
    assert parse(english) == with_function_names(dataclasses.replace(original, keyword_lang="en"), "en")
    assert format_ruleset(parse(english), "zh") == text
    assert "    没有 安全事故 其中 (日期 在 今天 之前 2 年内 或 等级 属于 [\"重大\", \"较大\"])\n" in text
    assert "    increasing(经费, 年度, 金额) and each year from 2021 to 2025 has sum(经费.金额) > 100\n" in english
