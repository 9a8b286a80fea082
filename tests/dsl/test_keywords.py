"""Every keyword spelling in kepu.lark is read, and read as the word it means.

The grammar lists each keyword's spellings as regex alternatives; the transformer maps the spellings of
the terminals whose text it reads (comparison, count, period, time unit) through tables. A spelling the
grammar lexes but a table lacks was a KeyError inside lark (`不少于 3 个 E`); a spelling two terminals
share in one parser state was silently lexed as only one of them (`x 不少于 3`). These tests enumerate the
spellings from the built parser itself, so a new alternative cannot slip past the tables.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

import pytest

from kepu_rules.diagnostics import KepuError
from kepu_rules.dsl import ast as A
from kepu_rules.dsl.formatter import format_ruleset
from kepu_rules.dsl.keywords import spellings
from kepu_rules.dsl.parse import parse
from kepu_rules.dsl.parser import lark_parser
from kepu_rules.dsl.transformer import CMP_OPS, COUNT_OPS, PERIODS, TIME_UNITS
from tests.dsl.test_parser_fuzz import KEYWORDS, PUNCTUATION

#: Terminals for names, literals and layout: open-ended patterns, not lists of spellings.
NOT_KEYWORDS = {"NAME", "RULE_ID", "DATE", "PERCENT", "NUMBER", "STRING", "COMMENT", "WS"}

#: Spellings two terminals share on purpose, each pair with why the parser never accepts both at once
#: (`test_shared_spellings_are_never_expected_together` checks that claim on the parse table).
SHARED = {
    frozenset({"CMP", "EQ"}): "`=` after `param NAME` is the declaration's, anywhere else a comparison",
}


# ---------------------------------------------------------------------------------------------
# The spellings of a terminal, from its regex
# ---------------------------------------------------------------------------------------------


def test_spellings_reads_the_grammar_subset() -> None:
    assert spellings(r"(?:years?|days?)(?!\w)") == {"year", "years", "day", "days"}
    assert spellings(r"(?:each|every)\s+(?:year|month)(?!\w)|每年(?!\w)") == {
        "each year", "every year", "each month", "every month", "每年"}
    assert spellings(r"(?:\->|→)") == {"->", "→"}
    with pytest.raises(ValueError):
        spellings(r"[a-z]+")


def _grammar_spellings() -> dict[str, set[str]]:
    """Terminal name -> its spellings, for every keyword and punctuation terminal of the built parser."""
    out: dict[str, set[str]] = {}
    for term in lark_parser().terminals:
        if term.name in NOT_KEYWORDS:
            continue
        pattern = term.pattern
        out[term.name] = {pattern.value} if pattern.type == "str" else spellings(pattern.value)
    return out


GRAMMAR = _grammar_spellings()


def of(*terminals: str, key: Callable[[str], str] = lambda s: s) -> set[str]:
    return {key(s) for t in terminals for s in GRAMMAR[t]}


# ---------------------------------------------------------------------------------------------
# The transformer's tables cover exactly what the grammar lexes
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("table", "grammar"), [
    pytest.param(CMP_OPS, of("CMP", "CMP_OR_COUNT"), id="compare"),
    pytest.param(COUNT_OPS, of("COUNT_OP", "CMP_OR_COUNT"), id="count"),
    # `each_period` reads the last word: `every  year` -> year.
    pytest.param(PERIODS, of("EACH_PERIOD", key=lambda s: s.split()[-1]), id="period"),
    pytest.param(TIME_UNITS, of("TIME_UNIT", "ZH_TIME_UNIT"), id="time-unit"),
])
def test_transformer_tables_match_the_grammar(table: dict[str, str], grammar: set[str]) -> None:
    assert set(table) - grammar == set(), "table entries the grammar never lexes"
    assert grammar - set(table) == set(), "spellings the grammar lexes but the transformer cannot read"


def test_shared_spellings_are_never_expected_together() -> None:
    """Where the parser accepts two terminals with a shared spelling, the contextual lexer always picks
    one of them, and the other reading is a syntax error: such a spelling must be its own terminal."""
    table = lark_parser().parser.parser._parse_table  # lark's LALR table: state -> {terminal: action}
    clashes = []
    for a, b in combinations(sorted(GRAMMAR), 2):
        shared = GRAMMAR[a] & GRAMMAR[b]
        if not shared:
            continue
        both = [state for state, actions in table.states.items() if a in actions and b in actions]
        if both or frozenset({a, b}) not in SHARED:
            clashes.append(f"{a}/{b} share {sorted(shared)}; expected together in {len(both)} states")
    assert clashes == []


def test_fuzz_vocabulary_has_every_spelling() -> None:
    """The fuzzer's fragments list every spelling, so it exercises each keyword the grammar has."""
    missing = {s for spelled in GRAMMAR.values() for s in spelled} - set(KEYWORDS) - set(PUNCTUATION)
    assert missing == set()


# ---------------------------------------------------------------------------------------------
# Each spelling parses, in every place its terminal is expected, to its canonical word's tree
# ---------------------------------------------------------------------------------------------

IN_RULE = 'ruleset r "t"\nsection "s" {\n  rule A1 "t" {\n'


def _body(text: str) -> A.Expr:
    ruleset = parse(IN_RULE + text + "\n  }\n}\n")
    section = ruleset.decls[0]
    assert isinstance(section, A.Section)
    return section.rules[0].body


def _variants(spelling: str) -> set[str]:
    """A multi-word spelling as written with one space, several spaces and a tab."""
    return {spelling, spelling.replace(" ", "   "), spelling.replace(" ", "\t")}


CANONICAL_COUNT = {"at_least": "at least", "at_most": "at most", "exactly": "exactly"}
CANONICAL_CMP = {"==": "=", "!=": "!=", ">=": ">=", "<=": "<=", ">": ">", "<": "<"}


@pytest.mark.parametrize("word", sorted(of("COUNT_OP", "CMP_OR_COUNT")))
def test_every_count_word_is_a_count(word: str) -> None:
    canonical = CANONICAL_COUNT[COUNT_OPS[word]]
    for template in ("{} 3 个 E", "each F has {} 3 个 E where x", "每个 F {} 3 个 E", "每年 于 2026 {} 3 个 E",
                     "each year from 2025 to 2026 by d {} (n + 1) E"):
        for spelled in _variants(word):
            assert _body(template.format(spelled)) == _body(template.format(canonical)), template


@pytest.mark.parametrize("word", sorted(of("CMP", "CMP_OR_COUNT")))
def test_every_comparison_word_is_a_comparison(word: str) -> None:
    canonical = CANONICAL_CMP[CMP_OPS[word]]
    for template in ("x {} 3", "x + 1 {} 3 and y", "(x) {} f(y)", "x.y {} 3", "at least 1 E where 2 {} x",
                     "每个 E 满足 \"a\" {} x"):
        assert _body(template.format(word)) == _body(template.format(canonical)), template


@pytest.mark.parametrize("word", sorted(of("EACH_PERIOD")))
def test_every_period_word_is_a_period(word: str) -> None:
    unit = PERIODS[word.split()[-1]]
    for spelled in _variants(word):
        body = _body(f"{spelled} of 2026 has at least 1 E")
        assert isinstance(body, A.EachPeriod)
        assert body.unit == unit


@pytest.mark.parametrize("word", sorted(of("TIME_UNIT", "ZH_TIME_UNIT")))
def test_every_time_unit_is_read(word: str) -> None:
    text = f"d 在 今天 之前 2 {word}" if word in GRAMMAR["ZH_TIME_UNIT"] else f"d within 2 {word} before today"
    body = _body(text)
    assert isinstance(body, A.Within)
    assert body.unit == TIME_UNITS[word]


# ---------------------------------------------------------------------------------------------
# 不少于 / 不多于: both a comparison and a count
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("word", "count", "compare"), [("不少于", "at least", ">="), ("不多于", "at most", "<=")])
def test_count_or_compare_words_read_by_place(word: str, count: str, compare: str) -> None:
    assert _body(f"{word} 3 个 E") == _body(f"{count} 3 个 E")
    assert _body(f"x {word} 3") == _body(f"x {compare} 3")
    assert _body(f"每个 E {word} 2 个 F 且 x {word} 3") == _body(f"每个 E {count} 2 个 F and x {compare} 3")


@pytest.mark.parametrize(("word", "zh", "en", "symbol"), [("不少于", "至少有", "at least", ">="),
                                                     ("不多于", "至多有", "at most", "<=")])
def test_count_or_compare_words_format_canonically(word: str, zh: str, en: str, symbol: str) -> None:
    ruleset = parse(IN_RULE + f"{word} 3 个 E 且 x {word} 3\n  }}\n}}\n")
    for lang, count in (("zh", zh), ("en", en)):
        text = format_ruleset(ruleset, lang)  # type: ignore[arg-type]
        assert f"{count} 3 个 E" in text
        assert f"x {symbol} 3" in text
        assert word not in text
        assert parse(text).decls == ruleset.decls


def test_where_condition_takes_a_following_comparison_word() -> None:
    # `each E where x 不少于 3 个 F`: a `where` condition runs as far right as it can (as it does over every
    # other operator), so the word is read as its comparison and `个` is then a syntax error; the count
    # after a `where` condition is written with 至少/至多, as the formatter prints it.
    with pytest.raises(KepuError):
        _body("每个 E 其中 x 不少于 3 个 F")
    body = _body("每个 E 其中 x 至少 3 个 F")
    assert isinstance(body, A.Quantified)
    assert isinstance(body.body, A.CountQuant)
