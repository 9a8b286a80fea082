"""The LALR parser: lark's grammar, tables and lexer, built on first use so importing kepu_rules stays fast.

`build` runs it the way `parse` needs: the AST is built as rules reduce, with no lark tree and no second
pass over one (about three times faster than lark's tree and a Transformer). lark's own `parse`, which
builds the tree, is left for measuring texts nested too deeply (`parse_tree`).

`build` reaches into lark beyond its documented API (the LALR table, the child filters of
`lark.parse_tree_builder`, the contextual lexer's loop); tests/dsl/test_parser.py checks its spans and
nesting levels against lark's tree, so a lark upgrade that changes these shows there.
"""

from __future__ import annotations

import os
import sys
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from lark import Lark, Token, Tree
    from lark.grammar import Rule
    from lark.lexer import Lexer, LexerState

GRAMMAR = Path(__file__).with_name("kepu.lark")


@cache
def lark_parser() -> Lark:
    """The parser, built once per process.

    Not `strict`: quantifier bodies and `where` conditions extend as far to the right as possible
    (like Python's lambda), which LALR expresses as shift/reduce conflicts resolved by shifting.
    `tests/dsl/test_grammar.py` pins the list of those conflicts so no other one slips in.
    """
    from lark import Lark

    return Lark(
        GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        # Comments are %ignore'd by the grammar; lark still hands them to a callback, which is how
        # `build` keeps them (with their positions) for the formatter.
        lexer_callbacks={"COMMENT": _keep_comment},
        # Building the LALR tables takes most of a second; lark caches them in a file keyed by the
        # grammar's hash and lark's version, so only the first run after an upgrade pays for it.
        cache=_cache_file(),
    )


#: The comment tokens of the text `build` is parsing, in text order; None when nobody collects them.
_COMMENTS: ContextVar[list[Token] | None] = ContextVar("kepu_comments", default=None)


def _keep_comment(token: Token) -> Token:
    comments = _COMMENTS.get()
    if comments is not None:
        comments.append(token)
    return token


def _cache_file() -> str | bool:
    """A per-user cache file, or lark's temporary-folder default when the cache folder is not writable."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kepu-rules"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return True
    return str(base / f"parser-py{sys.version_info[0]}{sys.version_info[1]}.lark")


def parse_tree(text: str) -> Tree:
    """The raw lark tree of a source text (lark exceptions propagate: `parse` turns them into diagnostics)."""
    return lark_parser().parse(text)


# ---------------------------------------------------------------------------------------------
# Building as the parser reduces
# ---------------------------------------------------------------------------------------------


class TooDeep(Exception):
    """`build` stopped where the text nests deeper than it allows; `depth.check_nesting` on the text's
    lark tree finds the construct to report."""


class Builder:
    """What `build` calls: a method per grammar rule, named as for a lark Transformer and given the same
    children (tokens, `None` for a missing `[optional]`, and what the methods returned for the rules
    below), and, set before each call, the first and last token of the text the rule matched (what
    lark's `propagate_positions` puts in a tree node's `meta`)."""

    first: Token
    last: Token


#: A reduction: (number of children, rule name, 1 if it is a nesting level, lark's child filter or None,
#: the builder's method). A `?rule` with a single child, which is that child, is just the rule name.
_Reduce = tuple[int, str, int, "Callable[[list[Any]], Any] | None", "Callable[[Builder, list[Any]], Any] | None"]


@dataclass(frozen=True)
class _Tables:
    """lark's LALR tables and lexer, arranged for `build` with one kind of builder."""

    actions: dict[int, dict[str, int | str | _Reduce]]  # state -> symbol -> the state to shift to, or a reduction
    start: int
    end: int
    lexer: Lexer


class _ParserState:
    """What lark's contextual lexer and errors ask of the parser: the state it is in, which says which
    terminals may come next."""

    __slots__ = ("stack",)

    def __init__(self, stack: list[int]) -> None:
        self.stack = stack

    @property
    def position(self) -> int:
        return self.stack[-1]


_TABLES: dict[type[Builder], _Tables] = {}


def _tables(builder: type[Builder]) -> _Tables:
    tables = _TABLES.get(builder)
    if tables is None:
        tables = _TABLES[builder] = _make_tables(builder)
    return tables


def _make_tables(builder: type[Builder]) -> _Tables:
    from functools import partial

    from lark.parse_tree_builder import maybe_create_child_filter
    from lark.parsers.lalr_analysis import Shift
    from lark.tree import Tree

    from kepu_rules.dsl.depth import NOT_A_LEVEL

    lark = lark_parser()
    table = lark.parser.parser._parse_table
    reductions: dict[Rule, str | _Reduce] = {}
    for rule in lark.rules:
        name = rule.alias or rule.options.template_source or rule.origin.name
        # What lark does to a rule's children before its tree node or Transformer method gets them: a
        # `None` for each missing `[optional]`, and the children of a `_rule` in place of its node.
        child_filter: Any = maybe_create_child_filter(rule.expansion, rule.options.keep_all_tokens, False,
                                                      rule.options.empty_indices)  # type: ignore[arg-type]
        if rule.options.expand1 and not rule.alias:
            # lark inlines a `?rule` whose children are one node. The grammar's `?rules` are one plain
            # symbol (always inlined) or several that are all kept (never), so this is known per rule.
            if len(rule.expansion) == 1 and child_filter is None:
                reductions[rule] = rule.origin.name
                continue
            assert len(rule.expansion) > 1 and child_filter is None, rule
        if name.startswith("_"):
            # lark inlines a `_rule`'s children into its parent; until then they wait in a tree node.
            shape: Any = partial(Tree, name)
            method = None
            if child_filter is not None:
                shape = child_filter(shape)
        else:
            shape = None if child_filter is None else child_filter(_same)
            method = getattr(builder, name, None)
            if method is None:
                raise TypeError(f"{builder.__name__} has no method for the grammar's rule {name!r}")
        # The nodes depth.check_nesting counts on the tree: all but `_rules`, which lark inlines into their
        # parent, and those depth.NOT_A_LEVEL names.
        level = int(not name.startswith("_") and name not in NOT_A_LEVEL)
        reductions[rule] = (len(rule.expansion), rule.origin.name, level, shape, method)
    actions: dict[int, dict[str, int | str | _Reduce]] = {
        state: {symbol: arg if action is Shift else reductions[arg] for symbol, (action, arg) in row.items()}
        for state, row in table.states.items()
    }
    [start] = lark.options.start
    return _Tables(actions, table.start_states[start], table.end_states[start], lark.parser.lexer)


def _same(children: list[Any]) -> list[Any]:
    return children


def build(text: str, builder: Builder, max_depth: int, comments: list[Token] | None = None) -> Any:
    """Parse `text`, calling `builder`'s method for each rule as the parser reduces it; returns what the
    method for `start` returns.

    The text's comments (which the grammar ignores) are appended to `comments` when it is given.

    Raises lark's UnexpectedInput at a syntax error, as lark's `parse` would (without the
    `interactive_parser` lark adds), and TooDeep as soon as a construct nests deeper than `max_depth`
    (levels counted as `depth.check_nesting` counts them on the tree).

    This is lark's LALR loop (`lark.parsers.lalr_parser_state.ParserState.feed_token`) and lexer, with
    the builder's nodes where lark would make tree nodes; alongside each node on the stack are the first
    and last token under it, for its span, and its height in nesting levels. Iterative like lark's:
    however deep the text nests, the Python stack does not.
    """
    reset = _COMMENTS.set(comments)
    try:
        return _build(text, builder, max_depth)
    finally:
        _COMMENTS.reset(reset)


def _build(text: str, builder: Builder, max_depth: int) -> Any:
    from itertools import chain

    from lark.exceptions import UnexpectedToken
    from lark.lexer import LexerThread

    tables = _tables(type(builder))
    actions, end = tables.actions, tables.end
    # One entry per node on the stack in `values`, `firsts`, `lasts` and `heights`; `states` has the
    # start state below them.
    states = [tables.start]
    values: list[Any] = []
    firsts: list[Token] = []
    lasts: list[Token] = []
    heights: list[int] = []
    parser_state = _ParserState(states)
    lexer = LexerThread.from_text(tables.lexer, text)
    assert lexer.state is not None
    try:
        for token in chain(lexer.lex(parser_state), _end_token(lexer.state)):
            kind = token.type
            while True:
                action = actions[states[-1]].get(kind)
                if isinstance(action, str):  # a `?rule` that is its only child: the node stays as it is
                    states[-1] = actions[states[-2]][action]  # type: ignore[assignment]  # a state: gotos shift
                    continue
                if isinstance(action, int):  # shift
                    states.append(action)
                    values.append(token)
                    firsts.append(token)
                    lasts.append(token)
                    heights.append(0)
                    break
                if action is None:
                    expected = {s for s in actions[states[-1]] if s.isupper()}
                    raise UnexpectedToken(token, expected, state=parser_state, interactive_parser=None)
                size, name, level, shape, method = action
                top = len(values) - size
                height = max(heights[top:]) + level
                if height > max_depth:
                    raise TooDeep
                children = values[top:] if shape is None else shape(values[top:])
                if method is None:
                    value = children
                else:
                    builder.first, builder.last = firsts[top], lasts[-1]
                    value = method(builder, children)
                goto = actions[states[top]][name]
                if goto == end:
                    return value
                del values[top + 1 :], states[top + 1 :], firsts[top + 1 :], heights[top + 1 :]
                values[top], heights[top], lasts[top] = value, height, lasts[-1]
                del lasts[top + 1 :]
                states.append(goto)  # type: ignore[arg-type]
    except UnexpectedToken as err:
        # Raised here, or by lark's contextual lexer for a token the state has no action for: either way
        # with every terminal the state has an action for, which LALR's merged lookaheads make too many.
        accepted = {s for s in err.expected if _accepts(actions, end, states, s)}
        err.expected = accepted or err.expected
        raise
    raise AssertionError("unreachable: lark's tables end every text in a reduction to `start` or an error")


def _accepts(actions: dict[int, dict[str, int | str | _Reduce]], end: int, states: list[int], symbol: str) -> bool:
    """Whether the parser, in `states`, would shift `symbol` after the reductions it calls for.

    LALR merges the lookaheads of a rule used in several places: after a rule's title the table also
    reduces on `entity` or `drop`, which may follow a title only in the file's header. What an error
    says was expected is what would actually be read, not every lookahead of the state.
    """
    stack = list(states)
    while True:
        action = actions[stack[-1]].get(symbol)
        if action is None:
            return False
        if isinstance(action, int):
            return True
        if isinstance(action, str):
            stack[-1] = actions[stack[-2]][action]  # type: ignore[assignment]  # a state: gotos shift
            continue
        size, name = action[0], action[1]
        if size:
            del stack[len(stack) - size:]
        goto = actions[stack[-1]][name]
        if goto == end:
            return symbol == "$END"
        stack.append(goto)  # type: ignore[arg-type]


def _end_token(state: LexerState) -> Iterator[Token]:
    """lark's end-of-text token, where lark puts it: at the last token, or at 1:1 in a text without any."""
    from lark.lexer import Token

    last = state.last_token
    yield Token.new_borrow_pos("$END", "", last) if last else Token("$END", "", 0, 1, 1)
