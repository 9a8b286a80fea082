"""How deeply a rule may nest, and the `too-deep` diagnostic for one that nests deeper.

The parser is iterative (lark's LALR tables, driven by `parser.build`, which also builds the AST), so any
nesting parses; everything after it walks the AST recursively (the formatter, the checker, the
evaluators), at one to several Python frames a level. Rather than let the interpreter's recursion limit
decide, at a depth that depends on the stage and on how deep the caller's stack already is, `parse`
refuses texts nested deeper than `MAX_NESTING`. Every stage after it is then only asked to walk trees
that deep, which stays far below the default recursion limit (tests/dsl/test_parser_fuzz.py formats,
checks and evaluates the deepest nesting of each kind).

Levels are counted on lark's parse tree: `parser.build` counts them as it reduces and gives up past the
limit, and `check_nesting` finds, on the tree of a text it gave up on, the construct to report.

A RecursionError can still happen when a stage is called with most of the stack already used; the
stages turn it into the same diagnostic (`too_deep`) rather than let it escape.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.dsl.ast import Span
from kepu_rules.i18n import Msg

if TYPE_CHECKING:
    from lark import Tree

#: The deepest nesting `parse` accepts. Every bracket, operator, call, list, quantifier and value below
#: a declaration is one level, so `a and b and c` is three deep (the parser nests chains to the left).
#: The most a later stage spends on a level is 6 frames (the formatter, on calls), so 100 levels leave
#: a third of Python's default recursion limit of 1000 to the caller. Real rules stay under 20.
MAX_NESTING = 100

#: Tree nodes that are not a level of their own: the file structure above the expressions, and `E where
#: C`, which is part of the quantifier or call it is written in (`each E where C has D` is one level).
NOT_A_LEVEL = frozenset({"start", "section", "rule", "collection_filtered", "may_be_empty"})


def too_deep(location: Location, rule_id: str | None = None, limit: int | None = None) -> Diagnostic:
    """The diagnostic for a rule (or, without `rule_id`, an expression) nested beyond what can be checked.

    `limit` is the nesting that was exceeded, when known (the parser's pre-check knows it; a
    RecursionError caught later does not).
    """
    what_zh, what_en = (f"规则 {rule_id} ", f"rule {rule_id}") if rule_id else ("表达式", "the expression")
    more_zh, more_en = (f"（超过 {limit} 层）", f" (more than {limit} levels)") if limit else ("", "")
    return Diagnostic(
        location,
        Msg(f"{what_zh}嵌套过深{more_zh}", f"{what_en} is nested too deeply{more_en}"),
        hint=Msg("每层括号、运算符、函数调用、列表和量词各算一层：把条件拆成几条较简单的规则",
                 "every bracket, operator, call, list and quantifier is a level: split the condition "
                 "into several simpler rules"),
        code="too-deep",
    )


def span_location(span: Span) -> Location:
    """The location of an AST span (an unknown span, line 0, is a location without a line)."""
    return Location(span.path, span.line or None, span.column or None)


@contextmanager
def too_deep_on_overflow(span: Span, rule_id: str | None = None) -> Iterator[None]:
    """Turn a RecursionError inside the block into a KepuError with a `too-deep` diagnostic at `span`.

    For the recursive walks over an AST (formatting, checking): a tree from `parse` is shallow enough for
    them, but one built in code or walked from a deep stack may not be.
    """
    try:
        yield
    except RecursionError:
        raise KepuError(too_deep(span_location(span), rule_id)) from None


def check_nesting(tree: Tree, path: str) -> Diagnostic | None:
    """A `too-deep` diagnostic at the first construct nested deeper than MAX_NESTING, or None."""
    # `_walk` goes in text order, so the first construct in the text that goes too deep is the one reported.
    for node, depth, decl in _walk(tree):
        if depth > MAX_NESTING:
            return too_deep(_location(node, path), _rule_id(decl), MAX_NESTING)
    return None


def _walk(tree: Tree) -> Iterator[tuple[Tree, int, Tree]]:
    """Every subtree with its nesting depth and the declaration it is in (the rule, inside a section),
    depth first and without recursion: the trees this looks at are the ones too deep to recurse over."""
    from lark import Tree

    stack: list[tuple[Tree, int, Tree]] = [(tree, 0, tree)]
    while stack:
        node, depth, decl = stack.pop()
        if node.data == "rule":
            decl = node
        depth += node.data not in NOT_A_LEVEL
        yield node, depth, decl
        top = node.data == "start"
        stack.extend((c, depth, c if top else decl) for c in reversed(node.children) if isinstance(c, Tree))


def _rule_id(decl: Tree) -> str | None:
    """The id written after `rule`: the text of the `rule_id` subtree's token (None for other declarations)."""
    from lark import Tree

    if decl.data != "rule":
        return None
    rid = next((c for c in decl.children if isinstance(c, Tree) and c.data == "rule_id"), None)
    return str(rid.children[0]) if rid is not None and rid.children else None


def _location(node: Tree, path: str) -> Location:
    """Where a construct starts: the start alone, since a deep construct spans many lines or a long one."""
    meta = node.meta
    if getattr(meta, "empty", True):
        return Location(path, 1, 1)
    return Location(path, meta.line, meta.column)
