"""The canonical formatter: prints a parsed ruleset back as `.kepu` text, with English or Chinese keywords.

Laws (pinned by `tests/dsl/test_formatter.py`): `parse(format_ruleset(x)) == x` for every tree the parser
can produce, formatting is idempotent, and it loses nothing the author wrote: every comment comes back, in
the same order, next to what it was next to (see `_place`), and a blank line the author left between two
lines stays there.

Canonical choices:

- one spelling per keyword and language (the `_KW` table); comparison operators are the ASCII symbols
  in both languages (`=` for equality, `>=` ...), punctuation is always ASCII, dates are ISO, percents
  are written `80%`, strings `"..."` with `\\"`, `\\\\`, `\\n`, `\\r`, `\\t` escapes;
- header lines, then declarations separated by a blank line, except that runs of one-line declarations
  of one kind (`param`, `set`, `fact`, `drop`) stay together;
- entity fields and override metadata one per line, indented 2; rules indented 2 inside their section,
  metadata one per line indented 4 more, the body indented 2 inside the braces;
- only the parentheses the grammar needs: precedence, plus the greedy constructs (a quantifier body, a
  `where` condition, `each year ...`) that would swallow whatever follows them; and one pair more, to show
  how a greedy body that is an `and`/`or` is read: `each X where (A and B) has C`, `some X has (A or B)`
  (the parser takes the whole chain into the body, which is often not what the author meant);
- with an explicit language, function names too are written in it (`coverage` <-> `覆盖率`);
- an `and`/`or` chain longer than `WIDTH` display columns, or with a comment inside, is broken one operand
  per line, the operator leading; a long quantifier puts its body (or `where` condition) on the next
  lines, indented;
- trailing comments on consecutive lines of one indentation are aligned two columns after the longest.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Literal

from kepu_rules.diagnostics import display_width
from kepu_rules.dsl.ast import (
    NO_SPAN,
    And,
    Arith,
    Attr,
    Between,
    Call,
    Collection,
    Comment,
    Compare,
    Contains,
    CountQuant,
    Decl,
    Drop,
    EachPeriod,
    EntityDecl,
    Expr,
    FactDecl,
    FieldDecl,
    In,
    IsMissing,
    ListLit,
    Literal_,
    Meta,
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
    Span,
    Today,
    Within,
)
from kepu_rules.dsl.depth import too_deep_on_overflow

Lang = Literal["zh", "en"]

#: Lines longer than this many display columns (CJK counts 2) get their and/or chains broken.
WIDTH = 100
INDENT = "  "

#: One canonical spelling per keyword: (English, 中文).
_KW: dict[str, tuple[str, str]] = {
    # file
    "ruleset": ("ruleset", "规则集"), "version": ("version", "版本"), "extends": ("extends", "继承"),
    "language": ("language", "语言"), "param": ("param", "参数"), "set": ("set", "设定"),
    "entity": ("entity", "实体"), "extend": ("extend", "扩展"), "aka": ("aka", "别名"),
    "key": ("key", "主键"), "required": ("required", "必填"), "dated": ("dated", "计时日期"), "fact": ("fact", "指标"),
    "section": ("section", "章节"), "rule": ("rule", "规则"), "override": ("override", "调整"),
    "drop": ("drop", "删除"), "because": ("because", "原因"),
    # metadata
    "points": ("points", "分值"), "severity": ("severity", "等级"), "scoring": ("scoring", "计分方式"),
    "warn_at": ("warn at", "预警"), "threshold": ("threshold", "阈值"), "owner": ("owner", "责任单位"),
    "due": ("due", "期限"), "source": ("source", "依据"), "tier": ("tier", "证据等级"),
    "tags": ("tags", "标签"), "hint": ("hint", "提示"), "applies": ("applies when", "适用于"),
    # expressions
    "and": ("and", "且"), "or": ("or", "或"), "not": ("not", "非"), "in": ("in", "属于"),
    "not_in": ("not in", "不属于"), "contains": ("contains", "包含"),
    "contains_all": ("contains all", "包含全部"), "contains_any": ("contains any", "包含任一"),
    "between": ("between", "介于"), "between_and": ("and", "和"), "is_missing": ("is missing", "缺失"),
    "is_present": ("is present", "已填写"), "today": ("today", "今天"), "true": ("true", "是"),
    "false": ("false", "否"), "each": ("each", "每个"), "no": ("no", "没有"), "some": ("some", "存在"),
    "has": ("has", "满足"), "where": ("where", "其中"), "via": ("via", "经由"),
    "at_least": ("at least", "至少有"), "at_most": ("at most", "至多有"), "exactly": ("exactly", "恰好有"),
    "year": ("each year", "每年"), "quarter": ("each quarter", "每季度"), "month": ("each month", "每月"),
    "of": ("of", "于"), "from": ("from", "从"), "to": ("to", "到"), "by": ("by", "按"),
    "may_be_empty": ("may be empty", "可为空"),
}

_SEVERITY: dict[str, tuple[str, str]] = {
    "veto": ("veto", "一票否决"), "required": ("required", "必备"), "scored": ("scored", "计分"),
    # `提示` (the language doc's word) is the `hint` keyword; the transformer reads 建议 as advisory.
    "advisory": ("advisory", "建议"),
}
_SCORING: dict[str, tuple[str, str]] = {"all": ("all", "全部达标"), "proportional": ("proportional", "按比例")}
_ZH_TIME_UNIT = {"years": "年内", "months": "个月内", "days": "天内"}
_CMP_SYMBOL = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

# Binding strength, loosest first: the grammar's `?expr` levels.
OR, AND, NOT, PRED, SUM, PRODUCT, UNARY, POSTFIX, ATOM = range(9)
#: The level a greedy construct's tail (its body or `where` condition) is printed at: an `and`/`or` there
#: is parenthesised, so the text shows that the tail takes the whole chain.
TAIL = NOT

# What comes right after an expression at an enclosing level: nothing that could continue it (a closing
# bracket, a comma, the end of a declaration), the keyword `has`, or anything else.
Follow = Literal["end", "has", "other"]
# How far an expression's right end reaches: not at all, over a following `has` (a body-less `no E` /
# `some E`), or over anything (a quantifier body, a `where` condition: greedy, like Python's lambda).
Reach = Literal["closed", "has", "any"]


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def format_ruleset(rs: RulesetFile, lang: Lang | None = None) -> str:
    """The canonical text of a ruleset; keywords in `lang`, by default the language the author used.
    With `lang` given, function names are written in it too (names of plugin functions without a name
    in that language stay as written). The comments of a parsed file (`rs.comments`) are kept.

    The printer recurses over expressions: one nested too deeply for the stack left is a KepuError with
    a `too-deep` diagnostic at its rule (trees from `parse` are never that deep, see `depth.py`).
    """
    names = function_names(lang) if lang is not None else {}
    return _Printer(lang or rs.keyword_lang, names, rs.comments).ruleset(rs)


def function_names(lang: Lang) -> dict[str, str]:
    """Every function name (aggregates, built-ins, plugins' functions) -> its spelling in `lang`."""
    from kepu_rules import registry
    from kepu_rules.dsl.checker import AGGREGATES

    pairs = [(en, zh) for zh, en in AGGREGATES.items() if not zh.isascii()]
    pairs += [(f.name, f.zh) for f in registry.functions().values() if f.zh]
    table: dict[str, str] = {}
    for en, zh in pairs:
        table[en] = table[zh] = zh if lang == "zh" else en
    return table


def format_expr(expr: Expr, lang: Lang = "en") -> str:
    """One expression on one line, with only the parentheses it needs."""
    with too_deep_on_overflow(getattr(expr, "span", NO_SPAN)):
        return _Printer(lang).flat(expr)


# ---------------------------------------------------------------------------------------------
# Literals
# ---------------------------------------------------------------------------------------------


def quote(text: str) -> str:
    """A `"..."` string literal that the transformer's `unquote` reads back as `text`."""
    # A raw CR would end the line (positions count CR as a line end), so it is escaped like LF.
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
               .replace("\t", "\\t"))
    return f'"{escaped}"'


def decimal(value: int | Fraction) -> str:
    """Exact decimal text of a number; number literals are finite decimals, so this never rounds."""
    if isinstance(value, int) or value.denominator == 1:
        return str(int(value))
    places = _decimal_places(value.denominator)
    digits = str(abs(value.numerator) * 10**places // value.denominator).rjust(places + 1, "0")
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def _decimal_places(denominator: int) -> int:
    twos = fives = 0
    while denominator % 2 == 0:
        denominator, twos = denominator // 2, twos + 1
    while denominator % 5 == 0:
        denominator, fives = denominator // 5, fives + 1
    if denominator != 1:
        raise ValueError("a number literal must be a finite decimal")
    return max(twos, fives)


def percent(value: int | Fraction) -> str:
    return f"{decimal(Fraction(value) * 100)}%"


def _number_value(e: Expr) -> int | Fraction | None:
    """The value of a number or percent literal; None for any other expression."""
    if not isinstance(e, Literal_) or e.kind not in ("number", "percent") or isinstance(e.value, bool):
        return None
    return e.value if isinstance(e.value, int | Fraction) else None


def _is_negative_number(e: Expr) -> bool:
    value = _number_value(e)
    return value is not None and value < 0


def _is_plain_number(e: Expr) -> bool:
    """A literal printed as one NUMBER token: no sign, no percent."""
    value = _number_value(e)
    return isinstance(e, Literal_) and e.kind == "number" and value is not None and value >= 0


# ---------------------------------------------------------------------------------------------
# Precedence and greediness
# ---------------------------------------------------------------------------------------------


def _level(e: Expr) -> int:
    """The grammar level an expression is produced at (a bigger number binds tighter)."""
    if isinstance(e, Or):
        return OR
    if isinstance(e, And):
        return AND
    if isinstance(e, Not):
        return NOT
    if isinstance(e, Compare | In | Contains | Between | Within | IsMissing):
        return PRED
    if isinstance(e, Arith):
        return SUM if e.op in ("+", "-") else PRODUCT
    if isinstance(e, Neg) or _is_negative_number(e):
        return UNARY  # `-3` is `MINUS unary` folded by the transformer
    if isinstance(e, Attr):
        return POSTFIX
    return ATOM


def _reach(e: Expr) -> Reach:
    if isinstance(e, EachPeriod):
        return "any"
    if isinstance(e, Quantified):
        if e.body is not None or e.collection.where is not None:
            return "any"
        return "has"  # `no E` + `has C` would read as one quantifier with a body
    if isinstance(e, CountQuant | Collection):
        coll = e.collection if isinstance(e, CountQuant) else e
        return "any" if coll.where is not None else "closed"
    return "closed"


def _needs_parens(e: Expr, level: int, follow: Follow) -> bool:
    if _level(e) < level:
        return True
    reach = _reach(e)
    return (reach == "any" and follow != "end") or (reach == "has" and follow == "has")


def _chain(e: And | Or) -> list[Expr]:
    """The operands of a left-nested `a and b and c` (the parser builds chains leaning left)."""
    operands: list[Expr] = []
    node: Expr = e
    while type(node) is type(e):
        assert isinstance(node, And | Or)
        operands.append(node.right)
        node = node.left
    operands.append(node)
    return operands[::-1]


@dataclass(frozen=True, slots=True)
class _Line:
    """One output line, with the source lines of what it prints (0 when not known: a blank line the
    layout adds, a tree built in code), which is what comments are placed by."""

    text: str
    first: int = 0
    last: int = 0
    close: bool = False  # a closing brace: comments just before it belong inside the braces


def _at(text: str, span: Span) -> _Line:
    return _Line(text, span.line, span.end_line)


def _indent(lines: list[_Line], by: str = INDENT) -> list[_Line]:
    return [replace(line, text=by + line.text) if line.text else line for line in lines]


# ---------------------------------------------------------------------------------------------
# The printer
# ---------------------------------------------------------------------------------------------


class _Printer:
    """Prints in one keyword language; `flat` gives one line, `block` breaks what is too wide."""

    def __init__(self, lang: Lang, names: dict[str, str] | None = None, comments: tuple[Comment, ...] = ()) -> None:
        self.lang = lang
        self.zh = lang == "zh"
        self.names = names or {}
        self.comments = comments
        self._comment_lines = sorted({c.line for c in comments})

    def _commented(self, span: Span, until: int) -> bool:
        """Whether a comment stands inside `span` on a line before `until`."""
        i = bisect_left(self._comment_lines, span.line)
        return i < len(self._comment_lines) and self._comment_lines[i] < min(until, span.end_line)

    def _broken_by_comment(self, e: Expr, follow: Follow) -> bool:
        """Whether a comment inside `e` stands where `block` must break a line to keep it in place:
        before the last piece that can go on a line of its own (a chain's last operand, a greedy
        construct's tail), or so inside that piece. A comment within an unbreakable last piece ends up
        after the line either way; breaking for it would not survive a second run."""
        piece: Expr | None = None
        if isinstance(e, And | Or):
            piece = _chain(e)[-1]
        elif isinstance(e, Not):
            piece = e.operand
        elif _reach(e) == "any":
            piece = self._head_tail(e, follow)[1]
        if piece is None:
            return False
        span = getattr(e, "span", NO_SPAN)
        until = getattr(piece, "span", NO_SPAN).line or span.end_line
        return self._commented(span, until) or self._broken_by_comment(piece, follow)

    def kw(self, key: str) -> str:
        return _KW[key][self.zh]

    # -- expressions on one line ---------------------------------------------------------------

    def flat(self, e: Expr, level: int = OR, follow: Follow = "end") -> str:
        """`e` printed where the grammar wants `level` and `follow` comes next."""
        if _needs_parens(e, level, follow):
            return f"({self._bare(e, 'end')})"
        return self._bare(e, follow)

    def _bare(self, e: Expr, follow: Follow) -> str:
        """`e` without parentheses of its own; `follow` is handed to its rightmost operand."""
        match e:
            case Literal_():
                return self._literal(e)
            case ListLit():
                return self._list(e)
            case Name():
                return e.name
            case Today():
                return self.kw("today")
            case Attr():
                return self._attr(e)
            case Call():
                return self._call(e)
            case Arith():
                return self._arith(e, follow)
            case Neg():
                return "-" + self.flat(e.operand, UNARY, follow)
            case Compare():
                return f"{self.flat(e.left, SUM, 'other')} {_CMP_SYMBOL[e.op]} {self.flat(e.right, SUM, follow)}"
            case And() | Or():
                return self._and_or(e, follow)
            case Not():
                return f"{self.kw('not')} {self.flat(e.operand, NOT, follow)}"
            case In():
                return self._in(e)
            case Contains():
                return self._contains(e, follow)
            case Between():
                return self._between(e, follow)
            case Within():
                return self._within(e, follow)
            case IsMissing():
                return f"{self.flat(e.value, SUM, 'other')} {self.kw('is_present' if e.negated else 'is_missing')}"
            case Quantified() | CountQuant() | EachPeriod() | Collection():
                return self._greedy(e, follow)
        raise TypeError(f"not an expression: {e!r}")

    def _literal(self, e: Literal_) -> str:
        v = e.value
        if isinstance(v, bool):
            return self.kw("true" if v else "false")
        if isinstance(v, str):
            return quote(v)
        if isinstance(v, dt.date):
            return v.isoformat()
        return percent(v) if e.kind == "percent" else decimal(v)

    def _list(self, e: ListLit) -> str:
        return "[" + ", ".join(self.flat(item) for item in e.items) + "]"

    def _attr(self, e: Attr) -> str:
        obj = self.flat(e.obj, POSTFIX, "other")
        if _is_plain_number(e.obj):
            obj = f"({obj})"  # `3.x` would lex as a malformed number
        return f"{obj}.{e.name}"

    def _call(self, e: Call) -> str:
        return f"{self.names.get(e.func, e.func)}(" + ", ".join(self._arg(a) for a in e.args) + ")"

    def _arg(self, a: Expr) -> str:
        # `E where C` and `E via f` are arguments in their own right, never parenthesised.
        # Bounded by the call's brackets, a `where` condition here is read as written: no extra parentheses.
        return self._collection(a, "end", OR) if isinstance(a, Collection) else self.flat(a)

    def _arith(self, e: Arith, follow: Follow) -> str:
        level = SUM if e.op in ("+", "-") else PRODUCT
        return f"{self.flat(e.left, level, 'other')} {e.op} {self.flat(e.right, level + 1, follow)}"

    def _and_or(self, e: And | Or, follow: Follow) -> str:
        level = AND if isinstance(e, And) else OR
        op = self.kw("and" if isinstance(e, And) else "or")
        return f"{self.flat(e.left, level, 'other')} {op} {self.flat(e.right, level + 1, follow)}"

    def _in(self, e: In) -> str:
        op = self.kw("not_in" if e.negated else "in")
        return f"{self.flat(e.item, SUM, 'other')} {op} {self._list(e.options)}"

    def _contains(self, e: Contains, follow: Follow) -> str:
        op = self.kw({"one": "contains", "all": "contains_all", "any": "contains_any"}[e.mode])
        return f"{self.flat(e.container, SUM, 'other')} {op} {self.flat(e.item, SUM, follow)}"

    def _between(self, e: Between, follow: Follow) -> str:
        value, low = self.flat(e.value, SUM, "other"), self.flat(e.low, SUM, "other")
        high = self.flat(e.high, SUM, follow)
        return f"{value} {self.kw('between')} {low} {self.kw('between_and')} {high}"

    def _within(self, e: Within, follow: Follow) -> str:
        value, amount = self.flat(e.value, SUM, "other"), decimal(e.amount)
        if self.zh:
            return f"{value} 在 {self.flat(e.ref, SUM, 'other')} 之前 {amount} {_ZH_TIME_UNIT[e.unit]}"
        return f"{value} within {amount} {e.unit} before {self.flat(e.ref, SUM, follow)}"

    # -- greedy constructs: a head, then the expression that runs to the right ----------------

    def _greedy(self, e: Quantified | CountQuant | EachPeriod | Collection, follow: Follow) -> str:
        head, tail = self._head_tail(e, follow)
        return head if tail is None else f"{head} {self.flat(tail, TAIL, follow)}"

    def _head_tail(self, e: Expr, follow: Follow) -> tuple[str, Expr | None]:
        """Split a greedy construct into its fixed head and the expression it ends with (if any)."""
        if isinstance(e, Quantified):
            return self._quantified(e, follow)
        if isinstance(e, CountQuant):
            head, tail = self._collection_head(e.collection)
            return f"{self._count_head(e)} {head}", tail
        if isinstance(e, EachPeriod):
            return self._each_period(e), e.body
        assert isinstance(e, Collection)
        return self._collection_head(e)

    def _collection_head(self, c: Collection) -> tuple[str, Expr | None]:
        head = c.entity if c.via is None else f"{c.entity} {self.kw('via')} {c.via}"
        if c.may_be_empty:
            head += f" ({self.kw('may_be_empty')})"
        return (head, None) if c.where is None else (f"{head} {self.kw('where')}", c.where)

    def _collection(self, c: Collection, follow: Follow, level: int = TAIL) -> str:
        head, where = self._collection_head(c)
        return head if where is None else f"{head} {self.flat(where, level, follow)}"

    def _quantified(self, e: Quantified, follow: Follow) -> tuple[str, Expr | None]:
        if e.body is None:
            head, where = self._collection_head(e.collection)
            return f"{self.kw(e.kind)} {head}", where
        # 中文 reads `每个 街道 至少有 1 个 标识` with no 满足, as in the language doc.
        bare_count = self.zh and e.kind == "each" and isinstance(e.body, CountQuant)
        coll = self._collection(e.collection, "other" if bare_count else "has")
        has = "" if bare_count else f" {self.kw('has')}"
        return f"{self.kw(e.kind)} {coll}{has}", e.body

    def _count_head(self, e: CountQuant) -> str:
        # The grammar takes a number, a name or a parenthesised expression here.
        bare = isinstance(e.n, Name) or _is_plain_number(e.n)
        count = self.flat(e.n) if bare else f"({self.flat(e.n)})"
        unit = f" {e.unit}" if e.unit else ""
        return f"{self.kw(e.op)} {count}{unit}"

    def _each_period(self, e: EachPeriod) -> str:
        bare_count = self.zh and isinstance(e.body, CountQuant)
        after_range: Follow = "other" if e.by is not None or bare_count else "has"
        if e.of_year is not None:
            rng = f"{self.kw('of')} {self.flat(e.of_year, SUM, after_range)}"
        elif e.start is not None and e.end is not None:
            start, end = self.flat(e.start, SUM, "other"), self.flat(e.end, SUM, after_range)
            rng = f"{self.kw('from')} {start} {self.kw('to')} {end}"
        else:
            raise ValueError("each year/quarter/month needs `of YEAR` or `from A to B`")
        by = "" if e.by is None else f" {self.kw('by')} {e.by}"
        has = "" if bare_count else f" {self.kw('has')}"
        return f"{self.kw(e.unit)} {rng}{by}{has}"

    # -- expressions over several lines --------------------------------------------------------

    def block(self, e: Expr, avail: int, level: int = OR, follow: Follow = "end") -> list[_Line]:
        """`e` as lines no wider than `avail` where it can be broken (chains, quantifier bodies), and
        broken there too when a comment stands inside it."""
        one_line = self.flat(e, level, follow)
        span = getattr(e, "span", NO_SPAN)
        if display_width(one_line) <= avail and not self._broken_by_comment(e, follow):
            return [_at(one_line, span)]
        if _needs_parens(e, level, follow):
            inner = self.block(e, avail - len(INDENT))
            if len(inner) == 1:
                return [_at(one_line, span)]
            return [_Line("(", span.line, span.line), *_indent(inner), _Line(")", span.end_line, span.end_line)]
        if isinstance(e, And | Or):
            return self._break_chain(e, avail, follow)
        if isinstance(e, Not):
            lines = self.block(e.operand, avail - display_width(self.kw("not")) - 1, NOT, follow)
            return [replace(lines[0], text=f"{self.kw('not')} {lines[0].text}", first=span.line), *lines[1:]]
        if _reach(e) == "any":
            return self._break_greedy(e, avail, follow)
        return [_at(one_line, span)]

    def _break_greedy(self, e: Expr, avail: int, follow: Follow) -> list[_Line]:
        """The head on one line, the body or `where` condition indented under it."""
        head, tail = self._head_tail(e, follow)
        assert tail is not None
        span = getattr(e, "span", NO_SPAN)
        lines = self.block(tail, avail - len(INDENT), TAIL, follow)
        if lines[0].text == "(":
            # A parenthesised body opens on the head's line and closes level with it.
            return [_Line(f"{head} (", span.line, span.line), *lines[1:]]
        hugged = f"{head} {lines[0].text}"
        if len(lines) > 1 and _reach(tail) == "any" and display_width(hugged) <= avail:
            # `each X has at least 1 Y where` reads as one head; only the innermost tail goes below.
            return [replace(lines[0], text=hugged, first=span.line), *lines[1:]]
        return [_Line(head, span.line, span.line), *_indent(lines)]

    def _break_chain(self, e: And | Or, avail: int, follow: Follow) -> list[_Line]:
        level = AND if isinstance(e, And) else OR
        op = self.kw("and" if isinstance(e, And) else "or") + " "
        operands = _chain(e)
        lines: list[_Line] = []
        for i, operand in enumerate(operands):
            last = i == len(operands) - 1
            sub = self.block(operand, avail - display_width(op) - len(INDENT), level if i == 0 else level + 1,
                             follow if last else "other")
            if not sub[0].text.endswith("("):
                # A nested chain or quantifier body hangs under its operand, so `a or b and c` split
                # over lines still shows that `b and c` is one operand.
                sub = [sub[0], *_indent(sub[1:])]
            lines += sub if i == 0 else [replace(sub[0], text=op + sub[0].text), *sub[1:]]
        return lines

    def _hanging(self, prefix: str, e: Expr, avail: int, span: Span) -> list[_Line]:
        """`prefix EXPR` (what `span` covers), continuation lines indented one step under the prefix."""
        lines = self.block(e, avail - display_width(prefix))
        first = replace(lines[0], text=prefix + lines[0].text, first=span.line or lines[0].first)
        return [first, *_indent(lines[1:])]

    # -- declarations --------------------------------------------------------------------------

    def ruleset(self, rs: RulesetFile) -> str:
        lines = self._header(rs)
        previous: Decl | None = None
        for decl in rs.decls:
            if not _same_run(previous, decl):
                lines.append(_Line(""))
            with too_deep_on_overflow(decl.span):
                lines += self._decl(decl)
            previous = decl
        if not self.comments and not rs.text:
            return "\n".join(line.text for line in lines) + "\n"
        return _render(lines, self.comments, _blank_lines(rs.text))

    def _header(self, rs: RulesetFile) -> list[_Line]:
        first = f"{self.kw('ruleset')} {rs.id} {self._titles(rs.title, rs.title_en)}"
        lines = [_Line(first, rs.span.line, rs.id_span.end_line)]
        if rs.version is not None:
            version = f"{self.kw('version')} {quote(rs.version)}"
            if display_width(f"{first} {version}") <= WIDTH:
                lines = [_Line(f"{first} {version}", rs.span.line, max(rs.id_span.end_line, rs.version_span.end_line))]
            else:  # long titles: the version continues the header on a line of its own
                lines.append(_at(INDENT * 2 + version, rs.version_span))
        for ext in rs.extends:
            lines.append(_at(f"{self.kw('extends')} {quote(ext.target) if ext.is_path else ext.target}", ext.span))
        if rs.language is not None:
            lines.append(_at(f"{self.kw('language')} {rs.language}", rs.language_span))
        return lines

    def _titles(self, title: str, title_en: str | None) -> str:
        return quote(title) if title_en is None else f"{quote(title)} {quote(title_en)}"

    def _decl(self, d: Decl) -> list[_Line]:
        if isinstance(d, ParamDecl):
            return self._hanging(f"{self.kw('set' if d.is_set else 'param')} {d.name} = ", d.value, WIDTH, d.span)
        if isinstance(d, EntityDecl):
            return self._entity(d)
        if isinstance(d, FactDecl):
            label = "" if d.label is None else f" {quote(d.label)}"
            return [_at(f"{self.kw('fact')} {d.name}: {d.type}{label}{self._aliases(d.aliases)}", d.span)]
        if isinstance(d, Section):
            return self._section(d)
        if isinstance(d, Override):
            return self._braced(f"{self.kw('override')} {d.rule_id}", self._metas(d.meta, WIDTH - 2), d.span)
        return [_at(f"{self.kw('drop')} {d.rule_id} {self.kw('because')} {quote(d.reason)}", d.span)]

    def _braced(self, head: str, body: list[_Line], span: Span) -> list[_Line]:
        if not body:
            return [_at(f"{head} {{}}", span)]
        return [_Line(f"{head} {{", span.line, span.line), *_indent(body),
                _Line("}", span.end_line, span.end_line, close=True)]

    def _aliases(self, aliases: tuple[str, ...]) -> str:
        return f" {self.kw('aka')} " + ", ".join(map(quote, aliases)) if aliases else ""

    def _entity(self, d: EntityDecl) -> list[_Line]:
        if d.extend:
            head = f"{self.kw('extend')} {self.kw('entity')} {d.name}"
        else:
            label = "" if d.label is None else f" {quote(d.label)}"
            head = f"{self.kw('entity')} {d.name}{label}{self._aliases(d.aliases)}"
        return self._braced(head, [_at(self._field(f), f.span) for f in d.fields], d.span)

    def _field(self, f: FieldDecl) -> str:
        if f.target is not None:
            text = f"{f.name} -> {f.target}"
        else:
            text = f"{self.kw('key')} " * f.is_key + f"{f.name}: {f.type}"
        text += f" {self.kw('required')}" * f.required + f" {self.kw('dated')}" * f.dated
        return text + self._aliases(f.aliases)

    def _section(self, s: Section) -> list[_Line]:
        body: list[_Line] = []
        for i, rule in enumerate(s.rules):
            body += [_Line("")] * (i > 0) + self._rule(rule, WIDTH - len(INDENT))
        return self._braced(f"{self.kw('section')} {quote(s.name)}", body, s.span)

    def _rule(self, r: Rule, avail: int) -> list[_Line]:
        # Guarded here rather than only per declaration, so the diagnostic names the rule.
        with too_deep_on_overflow(r.span, r.id):
            lines = [_Line(f"{self.kw('rule')} {r.id} {self._titles(r.title, r.title_en)}", r.span.line, r.id_span.end_line)]
            lines += _indent(self._metas(r.meta, avail - 4), INDENT * 2)
            lines[-1] = replace(lines[-1], text=lines[-1].text + " {")
            lines += _indent(self.block(r.body, avail - len(INDENT)))
        return [*lines, _Line("}", r.span.end_line, r.span.end_line, close=True)]

    # -- metadata ------------------------------------------------------------------------------

    def _metas(self, metas: tuple[Meta, ...], avail: int) -> list[_Line]:
        return [line for m in metas for line in self._meta(m, avail)]

    def _meta(self, m: Meta, avail: int) -> list[_Line]:
        key, v = m.key, m.value
        if key == "applies":
            assert not isinstance(v, int | Fraction | str | dt.date | tuple | Scoring)
            return self._hanging(f"{self.kw(key)} ", v, avail, m.span)
        return [_at(f"{self.kw(key)} {self._meta_value(m)}", m.span)]

    def _meta_value(self, m: Meta) -> str:
        v = m.value
        if m.key == "severity":
            return _SEVERITY[str(v)][self.zh]
        if isinstance(v, Scoring):
            return self._scoring(v)
        if isinstance(v, tuple):
            return ", ".join(map(quote, v))
        if m.key == "tier":
            return str(v)
        if isinstance(v, str):
            return quote(v)
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, int | Fraction):
            return decimal(v)
        return self.flat(v)  # warn at / threshold: a number, a percent or a param name

    def _scoring(self, s: Scoring) -> str:
        if s.mode != "deduct":
            return _SCORING[s.mode][self.zh]
        n = decimal(s.deduct or 0)
        return f"每项扣 {n} 分" if self.zh else f"deduct {n} per item"


# ---------------------------------------------------------------------------------------------
# Comments and blank lines
# ---------------------------------------------------------------------------------------------

#: A source line left blank, placed among the output lines the way an own-line comment is.
_BLANK = Comment("", 0, 0, own_line=True)


def _blank_lines(text: str) -> list[int]:
    """The numbers of the source lines that hold nothing but blanks (lines end at `\\n`, as lark counts)."""
    return [i for i, line in enumerate(text.split("\n"), 1) if not line.strip()]


def _place(lines: list[_Line], comments: tuple[Comment, ...], blanks: list[int]) -> list[list[Comment]]:
    """Where each comment and kept blank line goes: slot 2i is before output line i, 2i+1 the end of it,
    2n after the last line.

    An own-line comment goes before the first line that prints anything from its source line or after;
    a trailing one to the end of the last line that prints something from its source line or before. A
    comment is never placed before one that came earlier in the source, so the order is kept whatever
    the layout moved. A blank line is kept only where it fell between two output lines."""
    n = len(lines)
    slots: list[list[Comment]] = [[] for _ in range(2 * n + 1)]
    known = [i for i, line in enumerate(lines) if line.first]
    marks = sorted([(c.line, c.column, c) for c in comments] + [(b, 0, _BLANK) for b in blanks],
                   key=lambda m: (m[0], m[1]))
    lowest = 0  # no slot below this: the slot of the previous comment
    k = 0  # index into `known`: lines before it cannot take what comes next
    for line_no, _col, c in marks:
        own = c is _BLANK or c.own_line
        while k < len(known) and 2 * known[k] + 1 < lowest:
            k += 1
        slot = -1
        if not own:
            j, found = k, -1
            while j < len(known) and lines[known[j]].first <= line_no:
                found, j = known[j], j + 1
            if found >= 0:
                slot = 2 * found + 1
        if slot < 0:
            j = k
            while j < len(known) and lines[known[j]].last < line_no:
                j += 1
            if j == len(known):
                slot = 2 * n
            elif c is _BLANK and lines[known[j]].first <= line_no:
                continue  # a blank line inside what one output line prints
            else:
                slot = 2 * known[j]
        slot = max(slot, lowest)
        if slot % 2 and own:
            slot += 1  # an own-line comment after a trailing one goes before the next line
        slots[slot].append(c)
        lowest = slot
    return slots


def _render(lines: list[_Line], comments: tuple[Comment, ...], blanks: list[int]) -> str:
    """The output lines with the comments and the author's blank lines put back."""
    slots = _place(lines, comments, blanks)
    out: list[tuple[str, str | None, str]] = []  # (text, trailing comment, kind: code | comment | blank)

    def own(c: Comment, before: _Line | None) -> None:
        if c is _BLANK:
            out.append(("", None, "blank"))
            return
        indent = "" if before is None else before.text[: len(before.text) - len(before.text.lstrip())]
        if before is not None and before.close:
            indent += INDENT
        out.append((indent + c.text, None, "comment"))

    for i, line in enumerate(lines):
        for c in slots[2 * i]:
            own(c, line)
        trailing = slots[2 * i + 1]
        for c in trailing[:-1]:
            own(c, line)  # only one comment fits at the end of a line; the others go above it, in order
        if not line.text:
            out.append(("", None, "blank"))
        else:
            out.append((line.text, trailing[-1].text if trailing else None, "close" if line.close else "code"))
    for c in slots[2 * len(lines)]:
        own(c, None)
    return _join(_tidy(out))


def _tidy(out: list[tuple[str, str | None, str]]) -> list[tuple[str, str | None, str]]:
    """Blank lines at most one in a row, none at either end of the file or of a pair of braces."""
    kept: list[tuple[str, str | None, str]] = []
    for item in out:
        if item[2] == "blank":
            if not kept or kept[-1][2] == "blank" or (kept[-1][2] == "code" and kept[-1][0].endswith("{")):
                continue
        elif item[2] == "close" and kept and kept[-1][2] == "blank":
            kept.pop()
        kept.append(item)
    while kept and kept[-1][2] == "blank":
        kept.pop()
    return kept


def _join(out: list[tuple[str, str | None, str]]) -> str:
    """The text, trailing comments aligned over each run of consecutive lines of one indentation that have one."""
    texts: list[str] = []
    i = 0
    while i < len(out):
        text, comment, _kind = out[i]
        if comment is None:
            texts.append(text)
            i += 1
            continue
        indent = len(text) - len(text.lstrip())
        j = i
        while j < len(out) and out[j][1] is not None and len(out[j][0]) - len(out[j][0].lstrip()) == indent:
            j += 1
        column = max(display_width(out[r][0]) for r in range(i, j)) + 2
        for r in range(i, j):
            code, note, _ = out[r]
            texts.append(code + " " * (column - display_width(code)) + (note or ""))
        i = j
    return "\n".join(texts) + "\n"


def _same_run(previous: Decl | None, decl: Decl) -> bool:
    """True when `decl` continues a run of one-line declarations of the same kind (no blank line)."""
    if previous is None or type(previous) is not type(decl):
        return False
    if isinstance(decl, ParamDecl):
        return isinstance(previous, ParamDecl) and previous.is_set == decl.is_set
    return isinstance(decl, FactDecl | Drop)
