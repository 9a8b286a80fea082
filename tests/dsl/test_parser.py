"""`parser.build` builds the AST as rules reduce: it must give the spans and nesting levels lark's tree does."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Token, Tree

from kepu_rules.diagnostics import KepuError
from kepu_rules.dsl import ast as A
from kepu_rules.dsl.depth import MAX_NESTING, check_nesting
from kepu_rules.dsl.formatter import format_ruleset
from kepu_rules.dsl.parse import parse
from kepu_rules.dsl.parser import parse_tree
from tests.dsl.strategies import rulesets

Extent = tuple[int, int, int, int]


def _spans(node: object) -> Iterator[A.Span]:
    """Every span in an AST (spans are left out of AST equality, so they are compared on their own)."""
    if isinstance(node, A.Span):
        yield node
    elif dataclasses.is_dataclass(node):
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if f.name in ("version_span", "language_span") and value == A.NO_SPAN:
                continue  # a header without `version` or `language`
            yield from _spans(value)
    elif isinstance(node, tuple):
        for item in node:
            yield from _spans(item)


def _tree_extents(tree: Tree) -> set[Extent]:
    """The extent of every node and token of lark's tree, as `propagate_positions` computes it."""
    out = set()
    for node in tree.iter_subtrees():
        out.add((node.meta.line, node.meta.column, node.meta.end_line, node.meta.end_column))
        out.update((c.line, c.column, c.end_line, c.end_column) for c in node.children if isinstance(c, Token))
    return out


def _assert_spans_are_lark_extents(text: str) -> None:
    extents = _tree_extents(parse_tree(text))
    for span in _spans(parse(text)):
        assert (span.line, span.column, span.end_line, span.end_column) in extents, span


@settings(max_examples=150, deadline=None)
@given(rulesets(), st.sampled_from(("zh", "en")))
def test_every_span_is_the_extent_of_a_node_of_larks_tree(ruleset: A.RulesetFile, lang: str) -> None:
    _assert_spans_are_lark_extents(format_ruleset(ruleset, lang))  # type: ignore[arg-type]


def test_spans_take_in_brackets_around_the_last_or_first_child() -> None:
    # `(x)` is the node x, but the text it stands in runs from `(` to `)`, as in lark's tree.
    text = 'ruleset r "t"\nparam p = (1 + 2)\nsection "s" {\n  rule A1 "t" { (x) > 1 }\n}\ndrop B1 because "r"\n'
    _assert_spans_are_lark_extents(text)
    ruleset = parse(text)
    param, section, drop = ruleset.decls
    assert isinstance(param, A.ParamDecl) and isinstance(section, A.Section) and isinstance(drop, A.Drop)
    assert (param.span.column, param.span.end_column) == (1, 18)
    assert (param.value.span.column, param.value.span.end_column) == (12, 17)
    body = section.rules[0].body
    assert isinstance(body, A.Compare)
    assert (body.span.column, body.left.span.column) == (17, 18)
    assert (drop.span.line, drop.span.column, drop.span.end_column) == (6, 1, 20)


# Each wraps an expression in one or more levels, and keeps the text valid.
WRAPS = (
    "({})", "not ({})", "-({})", "[{}]", "f({})", "({}) and x", "x or ({})", "({}) + 1", "({}).y",
    "some E has {}", "some E where {}", "count(E where {})", "each E has at least ({}) F", "每年 于 ({}) 有 x",
    "each year from 1 to ({}) by d has x", "({}) between 1 and 2", "x in [{}, 2]", "f(E via g, {})",
    "x within 3 years before ({})", "({}) 在 今天 之前 3 年内", "x not in [1, {}]",
)
PLACES = (
    'ruleset r "t"\nsection "s" {{\n  rule A1 "t" {{\n{}\n  }}\n}}\n',
    'ruleset r "t"\nparam p = {}\n',
    'ruleset r "t"\nsection "s" {{\n  rule A1 "t" applies when {} {{ x }}\n}}\n',
    'ruleset r "t"\noverride A1 {{ applies when {} }}\n',
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WRAPS), min_size=MAX_NESTING // 3, max_size=MAX_NESTING),
       st.sampled_from(PLACES), st.sampled_from(("x", "1", "80%", "today")))
def test_the_parser_counts_nesting_levels_as_check_nesting_does(wraps: list[str], place: str, leaf: str) -> None:
    """`build` measures nesting as it reduces and gives up past the limit; `check_nesting` measures lark's
    tree: they must agree on every text, or `parse` accepts a text too deep or asserts on one that is not."""
    expr = leaf
    for wrap in wraps:
        expr = wrap.format(expr)
    text = place.format(expr)
    deep = check_nesting(parse_tree(text), "<string>")
    if deep is None:
        parse(text)
    else:
        with pytest.raises(KepuError) as info:
            parse(text)
        assert [d.location for d in info.value.diagnostics] == [deep.location]
