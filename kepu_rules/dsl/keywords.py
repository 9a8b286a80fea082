"""The keywords of the rule language, read from the grammar: each terminal's spellings in both languages.

kepu.lark lists every keyword's spellings as regex alternatives (`(?:section|章节)(?!\\w)`); reading them
back from the built parser keeps one list of keywords, the grammar's, for the diagnostics' did-you-mean
and for the tests that check the transformer's tables against it.
"""

from __future__ import annotations

from functools import cache
from itertools import product

#: Terminals for names, literals and layout: open-ended patterns, not lists of spellings.
NOT_KEYWORDS = frozenset({"NAME", "RULE_ID", "DATE", "PERCENT", "NUMBER", "STRING", "COMMENT", "WS"})


@cache
def keyword_spellings() -> dict[str, frozenset[str]]:
    """Terminal name -> its spellings (multi-word ones with one space), for every keyword terminal.

    Punctuation terminals (`LPAR`, `ARROW` ...) are left out: a did-you-mean is for words.
    """
    from kepu_rules.dsl.parser import lark_parser

    out: dict[str, frozenset[str]] = {}
    for term in lark_parser().terminals:
        if term.name in NOT_KEYWORDS:
            continue
        pattern = term.pattern
        found = {pattern.value} if pattern.type == "str" else spellings(pattern.value)
        words = frozenset(s for s in found if any(ch.isalnum() for ch in s))
        if words:
            out[term.name] = words
    return out


def spellings(regex: str) -> set[str]:
    """Every text a keyword regex matches, multi-word keywords with one space between the words.

    Understands the subset kepu.lark uses for keywords (literals, `(?:...)`, `|`, `?`, `\\s+`, escaped
    punctuation, `(?!...)` guards, which match no text); anything else is an error, so a terminal
    written another way is noticed rather than half read.
    """
    alternatives, end = _alternatives(regex, 0)
    if end != len(regex):
        raise ValueError(f"unbalanced ')' at {end} in {regex!r}")
    return alternatives


def _alternatives(regex: str, i: int) -> tuple[set[str], int]:
    found: set[str] = set()
    while True:
        seq, i = _sequence(regex, i)
        found |= seq
        if i < len(regex) and regex[i] == "|":
            i += 1
            continue
        return found, i


def _sequence(regex: str, i: int) -> tuple[set[str], int]:
    texts = {""}
    while i < len(regex) and regex[i] not in "|)":
        atom, i = _atom(regex, i)
        if i < len(regex) and regex[i] in "?+":
            # `x?` is x or nothing; `\s+` (the only `+`) is one space, the canonical spelling.
            atom = atom | {""} if regex[i] == "?" else atom
            i += 1
        texts = {a + b for a, b in product(texts, atom)}
    return texts, i


def _atom(regex: str, i: int) -> tuple[set[str], int]:
    ch = regex[i]
    if regex.startswith("(?:", i):
        inner, i = _alternatives(regex, i + 3)
        return inner, _close(regex, i)
    if regex.startswith("(?!", i):
        # A guard such as (?!\w): skip its body, which may use classes this reader does not expand.
        depth, i = 1, i + 3
        while depth:
            depth += {"(": 1, ")": -1}.get(regex[i], 0)
            i += 2 if regex[i] == "\\" else 1
        return {""}, i
    if ch == "\\":
        escaped = regex[i + 1]
        if escaped == "s":
            return {" "}, i + 2
        if escaped.isalnum():
            raise ValueError(f"unsupported escape \\{escaped} in {regex!r}")
        return {escaped}, i + 2
    if ch in "([.*{^$":
        raise ValueError(f"unsupported regex syntax {ch!r} at {i} in {regex!r}")
    return {ch}, i + 1


def _close(regex: str, i: int) -> int:
    if i >= len(regex) or regex[i] != ")":
        raise ValueError(f"missing ')' at {i} in {regex!r}")
    return i + 1
