"""The canonical formatter: prints a parsed ruleset back as `.kepu` text, with English or Chinese keywords.

Laws (pinned by `tests/dsl/test_formatter.py`): `parse(format_ruleset(x)) == x` for every tree the parser
can produce, and formatting is idempotent. Comments are not part of the AST, so they are not kept.

Canonical choices:

- one spelling per keyword and language (the `_KW` table); comparison operators are the ASCII symbols
  in both languages (`=` for equality, `>=` ...), punctuation is always ASCII, dates are ISO, percents
  are written `80%`, strings `"..."` with `\\"`, `\\\\`, `\\n`, `\\t` escapes;
- header lines, then declarations separated by a blank line, except that runs of one-line declarations
  of one kind (`param`, `set`, `fact`, `drop`) stay together;
- entity fields and override metadata one per line, indented 2; rules indented 2 inside their section,
  metadata one per line indented 4 more, the body indented 2 inside the braces;
- only the parentheses the grammar needs: precedence, plus the greedy constructs (a quantifier body, a
  `where` condition, `each year ...`) that would swallow whatever follows them;
- an `and`/`or` chain longer than `WIDTH` display columns is broken one operand per line, the operator
  leading; a long quantifier puts its body (or `where` condition) on the next lines, indented.
"""

from __future__ import annotations

import datetime as dt
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
    "key": ("key", "主键"), "required": ("required", "必填"), "fact": ("fact", "指标"),
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

    The printer recurses over expressions: one nested too deeply for the stack left is a KepuError with
    a `too-deep` diagnostic at its rule (trees from `parse` are never that deep, see `depth.py`).
    """
    return _Printer(lang or rs.keyword_lang).ruleset(rs)


def format_expr(expr: Expr, lang: Lang = "en") -> str:
    """One expression on one line, with only the parentheses it needs."""
    with too_deep_on_overflow(getattr(expr, "span", NO_SPAN)):
        return _Printer(lang).flat(expr)


# ---------------------------------------------------------------------------------------------
# Literals
# ---------------------------------------------------------------------------------------------


def quote(text: str) -> str:
    """A `"..."` string literal that the transformer's `unquote` reads back as `text`."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
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


def _indent(lines: list[str], by: str = INDENT) -> list[str]:
    return [by + line if line else line for line in lines]


# ---------------------------------------------------------------------------------------------
# The printer
# ---------------------------------------------------------------------------------------------


class _Printer:
    """Prints in one keyword language; `flat` gives one line, `block` breaks what is too wide."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self.zh = lang == "zh"

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
        return f"{e.func}(" + ", ".join(self._arg(a) for a in e.args) + ")"

    def _arg(self, a: Expr) -> str:
        # `E where C` and `E via f` are arguments in their own right, never parenthesised.
        return self._collection(a, "end") if isinstance(a, Collection) else self.flat(a)

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
        return head if tail is None else f"{head} {self.flat(tail, OR, follow)}"

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
        return (head, None) if c.where is None else (f"{head} {self.kw('where')}", c.where)

    def _collection(self, c: Collection, follow: Follow) -> str:
        head, where = self._collection_head(c)
        return head if where is None else f"{head} {self.flat(where, OR, follow)}"

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

    def block(self, e: Expr, avail: int, level: int = OR, follow: Follow = "end") -> list[str]:
        """`e` as lines no wider than `avail` where it can be broken (chains, quantifier bodies)."""
        one_line = self.flat(e, level, follow)
        if display_width(one_line) <= avail:
            return [one_line]
        if _needs_parens(e, level, follow):
            inner = self.block(e, avail - len(INDENT))
            return [one_line] if len(inner) == 1 else ["(", *_indent(inner), ")"]
        if isinstance(e, And | Or):
            return self._break_chain(e, avail, follow)
        if isinstance(e, Not):
            lines = self.block(e.operand, avail - display_width(self.kw("not")) - 1, NOT, follow)
            return [f"{self.kw('not')} {lines[0]}", *lines[1:]]
        if _reach(e) == "any":
            return self._break_greedy(e, avail, follow)
        return [one_line]

    def _break_greedy(self, e: Expr, avail: int, follow: Follow) -> list[str]:
        """The head on one line, the body or `where` condition indented under it."""
        head, tail = self._head_tail(e, follow)
        assert tail is not None
        lines = self.block(tail, avail - len(INDENT), OR, follow)
        hugged = f"{head} {lines[0]}"
        if len(lines) > 1 and _reach(tail) == "any" and display_width(hugged) <= avail:
            # `each X has at least 1 Y where` reads as one head; only the innermost tail goes below.
            return [hugged, *lines[1:]]
        return [head, *_indent(lines)]

    def _break_chain(self, e: And | Or, avail: int, follow: Follow) -> list[str]:
        level = AND if isinstance(e, And) else OR
        op = self.kw("and" if isinstance(e, And) else "or") + " "
        operands = _chain(e)
        lines: list[str] = []
        for i, operand in enumerate(operands):
            last = i == len(operands) - 1
            sub = self.block(operand, avail - display_width(op) - len(INDENT), level if i == 0 else level + 1,
                             follow if last else "other")
            if not sub[0].endswith("("):
                # A nested chain or quantifier body hangs under its operand, so `a or b and c` split
                # over lines still shows that `b and c` is one operand.
                sub = [sub[0], *_indent(sub[1:])]
            lines += sub if i == 0 else [op + sub[0], *sub[1:]]
        return lines

    def _hanging(self, prefix: str, e: Expr, avail: int) -> list[str]:
        """`prefix EXPR`, continuation lines indented one step under the prefix."""
        lines = self.block(e, avail - display_width(prefix))
        return [prefix + lines[0], *_indent(lines[1:])]

    # -- declarations --------------------------------------------------------------------------

    def ruleset(self, rs: RulesetFile) -> str:
        lines = self._header(rs)
        previous: Decl | None = None
        for decl in rs.decls:
            if not _same_run(previous, decl):
                lines.append("")
            with too_deep_on_overflow(decl.span):
                lines += self._decl(decl)
            previous = decl
        return "\n".join(lines) + "\n"

    def _header(self, rs: RulesetFile) -> list[str]:
        first = f"{self.kw('ruleset')} {rs.id} {self._titles(rs.title, rs.title_en)}"
        if rs.version is not None:
            first += f" {self.kw('version')} {quote(rs.version)}"
        lines = [first]
        for ext in rs.extends:
            lines.append(f"{self.kw('extends')} {quote(ext.target) if ext.is_path else ext.target}")
        if rs.language is not None:
            lines.append(f"{self.kw('language')} {rs.language}")
        return lines

    def _titles(self, title: str, title_en: str | None) -> str:
        return quote(title) if title_en is None else f"{quote(title)} {quote(title_en)}"

    def _decl(self, d: Decl) -> list[str]:
        if isinstance(d, ParamDecl):
            return self._hanging(f"{self.kw('set' if d.is_set else 'param')} {d.name} = ", d.value, WIDTH)
        if isinstance(d, EntityDecl):
            return self._entity(d)
        if isinstance(d, FactDecl):
            label = "" if d.label is None else f" {quote(d.label)}"
            return [f"{self.kw('fact')} {d.name}: {d.type}{label}{self._aliases(d.aliases)}"]
        if isinstance(d, Section):
            return self._section(d)
        if isinstance(d, Override):
            return self._braced(f"{self.kw('override')} {d.rule_id}", self._metas(d.meta, WIDTH - 2))
        return [f"{self.kw('drop')} {d.rule_id} {self.kw('because')} {quote(d.reason)}"]

    def _braced(self, head: str, body: list[str]) -> list[str]:
        return [f"{head} {{", *_indent(body), "}"] if body else [f"{head} {{}}"]

    def _aliases(self, aliases: tuple[str, ...]) -> str:
        return f" {self.kw('aka')} " + ", ".join(map(quote, aliases)) if aliases else ""

    def _entity(self, d: EntityDecl) -> list[str]:
        if d.extend:
            head = f"{self.kw('extend')} {self.kw('entity')} {d.name}"
        else:
            label = "" if d.label is None else f" {quote(d.label)}"
            head = f"{self.kw('entity')} {d.name}{label}{self._aliases(d.aliases)}"
        return self._braced(head, [self._field(f) for f in d.fields])

    def _field(self, f: FieldDecl) -> str:
        if f.target is not None:
            text = f"{f.name} -> {f.target}"
        else:
            text = f"{self.kw('key')} " * f.is_key + f"{f.name}: {f.type}"
        return text + f" {self.kw('required')}" * f.required + self._aliases(f.aliases)

    def _section(self, s: Section) -> list[str]:
        body: list[str] = []
        for i, rule in enumerate(s.rules):
            body += [""] * (i > 0) + self._rule(rule, WIDTH - len(INDENT))
        return self._braced(f"{self.kw('section')} {quote(s.name)}", body)

    def _rule(self, r: Rule, avail: int) -> list[str]:
        # Guarded here rather than only per declaration, so the diagnostic names the rule.
        with too_deep_on_overflow(r.span, r.id):
            lines = [f"{self.kw('rule')} {r.id} {self._titles(r.title, r.title_en)}"]
            lines += _indent(self._metas(r.meta, avail - 4), INDENT * 2)
            lines[-1] += " {"
            lines += _indent(self.block(r.body, avail - len(INDENT)))
        return [*lines, "}"]

    # -- metadata ------------------------------------------------------------------------------

    def _metas(self, metas: tuple[Meta, ...], avail: int) -> list[str]:
        return [line for m in metas for line in self._meta(m, avail)]

    def _meta(self, m: Meta, avail: int) -> list[str]:
        key, v = m.key, m.value
        if key == "applies":
            assert not isinstance(v, int | Fraction | str | dt.date | tuple | Scoring)
            return self._hanging(f"{self.kw(key)} ", v, avail)
        return [f"{self.kw(key)} {self._meta_value(m)}"]

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


def _same_run(previous: Decl | None, decl: Decl) -> bool:
    """True when `decl` continues a run of one-line declarations of the same kind (no blank line)."""
    if previous is None or type(previous) is not type(decl):
        return False
    if isinstance(decl, ParamDecl):
        return isinstance(previous, ParamDecl) and previous.is_set == decl.is_set
    return isinstance(decl, FactDecl | Drop)
