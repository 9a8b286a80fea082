"""Two readings of one text: a quantifier whose last condition runs on into an `and`/`or`.

`每个 街道 至少有 1 个 科普标识 其中 沿街显要 且 至少有 3 个 社区` parses with the `且` clause inside the
filter of 科普标识 (a `where` or a quantifier's body reaches as far right as it can), while its author
most likely meant the two clauses side by side. The checker warns when the clause after the `and`/`or`
would also make sense outside the quantifier; this module finds the pieces of source text to show both
readings with parentheses. Parentheses around the condition say the author chose, and silence it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from kepu_rules.dsl import ast as A

_OPEN = "(（"
_CLOSE = ")）"
_MAX_PIECE = 40  # characters of one clause quoted in a reading, the middle elided beyond that


def trailing(e: A.Quantified | A.CountQuant | A.EachPeriod) -> A.Expr | None:
    """The condition a quantifier ends with: the one an `and`/`or` after it is read into."""
    if isinstance(e, A.Quantified):
        return e.body if e.body is not None else e.collection.where
    if isinstance(e, A.CountQuant):
        return e.collection.where
    return e.body


def chain(e: A.And | A.Or) -> list[A.Expr]:
    """The operands of a run of one operator, left to right (`A 且 B 且 C` is And(And(A, B), C))."""
    kind = type(e)
    items: list[A.Expr] = []
    node: A.Expr = e
    while isinstance(node, kind):
        items.append(node.right)
        node = node.left
    items.append(node)
    return items[::-1]


class Source:
    """One file's text, addressed by the 1-based line and column of the parser's spans."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        # The parser counts `\n` only: so do the offsets here, or a slice would not match a span.
        for i, ch in enumerate(text):
            if ch == "\n":
                self.starts.append(i + 1)

    def offset(self, line: int, column: int) -> int | None:
        if not (0 < line <= len(self.starts)) or column < 1:
            return None
        return min(self.starts[line - 1] + column - 1, len(self.text))

    def span(self, span: A.Span) -> tuple[int, int] | None:
        start, end = self.offset(span.line, span.column), self.offset(span.end_line, span.end_column)
        return (start, end) if start is not None and end is not None and start <= end else None

    def parenthesized(self, start: int, end: int) -> bool:
        """Whether the text from start to end is written inside its own parentheses (comments and
        line breaks between a parenthesis and the text do not count)."""
        before, after = self._code_before(start), self._code_after(end)
        return bool(before) and before[-1] in _OPEN and bool(after) and after[0] in _CLOSE

    def _code_before(self, offset: int) -> str:
        """The nearest code before `offset`, line by line back: reading the whole prefix would make a
        long file quadratic."""
        line = bisect.bisect_right(self.starts, offset) - 1
        chunk = self.text[self.starts[line]:offset]
        while True:
            code = _without_comments(chunk).rstrip()
            if code or line == 0:
                return code
            line -= 1
            chunk = self.text[self.starts[line]:self.starts[line + 1]]

    def _code_after(self, offset: int) -> str:
        """The nearest code after `offset`, line by line on."""
        line = bisect.bisect_right(self.starts, offset) - 1
        chunk = self.text[offset:self._line_end(line)]
        while True:
            code = _without_comments(chunk).lstrip()
            if code or line + 1 >= len(self.starts):
                return code
            line += 1
            chunk = self.text[self.starts[line]:self._line_end(line)]

    def _line_end(self, line: int) -> int:
        return self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)


@dataclass(frozen=True, slots=True)
class Readings:
    """How the text parses, and the reading its author more likely meant (both as source text)."""

    parsed: str
    meant: str
    op: str  # the operator as written (且, and, 或, or)


def readings(src: Source, quant: A.Span, cond: A.Span, items: list[A.Expr], split: int,
             has_word: str | None = None, each: A.Span | None = None) -> Readings | None:
    """The two readings of a quantifier at `quant` whose condition at `cond` is `items` joined by one
    operator, when the operands from `split` on would stand outside it. `each` and `has_word`: the
    quantifier is the body of an `each` written without `has` (`每个 街道 至少有 1 个 …`), so the
    reading with parentheses needs the `has` that lets it be grouped."""
    q, c = src.span(quant), src.span(cond)
    last_in, first_out = src.span(items[split - 1].span), src.span(items[split].span)
    if q is None or c is None or last_in is None or first_out is None:
        return None
    # Between the two operands: `且`, or `) and (` when the operands have parentheses of their own.
    between = src.text[last_in[1]:first_out[0]]
    op_start = last_in[1] + len(between) - len(between.lstrip(" \t\r\n)）"))
    op_end = first_out[0] - (len(between) - len(between.rstrip(" \t\r\n(（")))
    if op_start >= op_end:
        return None
    prefix = _short(_squash(src.text[q[0]:c[0]]))
    inside = _short(_squash(src.text[c[0]:op_start]))
    op = _squash(src.text[op_start:op_end])
    outside = _short(_squash(src.text[op_end:c[1]]))
    parsed = f"{prefix} ({inside} {op} {outside})"
    meant = f"({prefix} {inside}) {op} {outside}"
    if each is not None and has_word is not None:
        e = src.span(each)
        if e is not None:
            outer = _short(_squash(src.text[e[0]:q[0]]))
            # The whole body in parentheses, so the reading as written raises no warning at the `each`.
            parsed = f"{outer} {parsed}"
            meant = f"{outer} {has_word} ({meant})"
    return Readings(parsed, meant, op)


def _squash(text: str) -> str:
    """Source text on one line: comments dropped, runs of blanks and line breaks made one space."""
    return " ".join(_without_comments(text).split())


_CLOSING = {'"': '"', "“": "”", "「": "」"}


def _without_comments(text: str) -> str:
    """The text with `# ...` and `// ...` comments removed (not inside strings): on one line, a
    comment would swallow the rest of the reading."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _CLOSING:
            end = text.find(_CLOSING[ch], i + 1)
            while ch == '"' and end > 0 and text[end - 1] == "\\":
                end = text.find('"', end + 1)
            end = n - 1 if end < 0 else end
            out.append(text[i:end + 1])
            i = end + 1
        elif ch == "#" or text.startswith("//", i):
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _short(text: str) -> str:
    if len(text) <= _MAX_PIECE:
        return text
    half = _MAX_PIECE // 2
    return f"{text[:half].rstrip()} … {text[-half:].lstrip()}"
