"""The typed AST of the rule language: frozen dataclasses that carry their source span.

Spans are excluded from equality, so two trees that differ only in layout compare equal; this is
what makes `parse(format(tree)) == tree` a meaningful property.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file: 1-based lines and columns, end exclusive."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int

    @staticmethod
    def unknown(path: str = "<unknown>") -> Span:
        return Span(path, 0, 0, 0, 0)


NO_SPAN = Span.unknown()


# ---------------------------------------------------------------------------------------------
# Expressions
# ---------------------------------------------------------------------------------------------

LiteralKind = Literal["number", "percent", "text", "date", "bool"]


@dataclass(frozen=True, slots=True)
class Literal_:
    """A literal. Numbers are int or Fraction (exact); a percent holds its fraction (80% -> 4/5)."""

    value: int | Fraction | str | dt.date | bool
    kind: LiteralKind
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ListLit:
    items: tuple[Expr, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Name:
    """A bare name: a field of the current item, an entity, a param or a scalar fact (the checker decides)."""

    name: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Attr:
    """`obj.name`: a field of an item, or the values of a field over a collection."""

    obj: Expr
    name: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Today:
    """The assessment date (`today`, `今天`)."""

    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Call:
    func: str
    args: tuple[Expr, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Collection:
    """The rows of an entity (related to the current item, if any), optionally via a reference field,
    filtered by a condition evaluated on each row. `may_be_empty` (written `E (may be empty)`): the rule
    holds on an entity no source gave a row of, instead of reporting that it could not check."""

    entity: str
    where: Expr | None = None
    via: str | None = None
    span: Span = field(default=NO_SPAN, compare=False, repr=False)
    may_be_empty: bool = False


ArithOp = Literal["+", "-", "*", "/"]
CompareOp = Literal["==", "!=", "<", "<=", ">", ">="]


@dataclass(frozen=True, slots=True)
class Arith:
    op: ArithOp
    left: Expr
    right: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Compare:
    op: CompareOp
    left: Expr
    right: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class And:
    left: Expr
    right: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Or:
    left: Expr
    right: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class In:
    item: Expr
    options: ListLit
    negated: bool = False
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


ContainsMode = Literal["one", "all", "any"]


@dataclass(frozen=True, slots=True)
class Contains:
    """Text contains text; a list of values contains one value, all or any of a list."""

    container: Expr
    item: Expr
    mode: ContainsMode = "one"
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Between:
    value: Expr
    low: Expr
    high: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


TimeUnit = Literal["years", "months", "days"]


@dataclass(frozen=True, slots=True)
class Within:
    """`value within N units before ref`: ref - N units <= value <= ref."""

    value: Expr
    amount: int | Fraction
    unit: TimeUnit
    ref: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class IsMissing:
    value: Expr
    negated: bool = False  # `is present`
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


QuantKind = Literal["each", "no", "some"]


@dataclass(frozen=True, slots=True)
class Quantified:
    """`each E has C`, `no E [has C]`, `some E [has C]`."""

    kind: QuantKind
    collection: Collection
    body: Expr | None
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


CountOp = Literal["at_least", "at_most", "exactly"]


@dataclass(frozen=True, slots=True)
class CountQuant:
    """`at least N E [where C]`: the number of related E rows satisfying C compared with N."""

    op: CountOp
    n: Expr
    collection: Collection
    unit: str | None = None  # the measure word the author wrote (个, 处 ...), kept for formatting
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


PeriodUnit = Literal["year", "quarter", "month"]


@dataclass(frozen=True, slots=True)
class EachPeriod:
    """`each quarter of 2026 has C`: C holds in every bucket, with dated entities restricted to it."""

    unit: PeriodUnit
    body: Expr
    of_year: Expr | None = None
    start: Expr | None = None
    end: Expr | None = None
    by: str | None = None
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


Expr = (
    Literal_ | ListLit | Name | Attr | Today | Call | Collection | Arith | Neg | Compare | And | Or | Not | In
    | Contains | Between | Within | IsMissing | Quantified | CountQuant | EachPeriod
)


# ---------------------------------------------------------------------------------------------
# Declarations
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldDecl:
    name: str
    type: str  # a type keyword as written (text/文本 ...), or "ref"
    target: str | None = None
    is_key: bool = False
    required: bool = False
    aliases: tuple[str, ...] = ()
    span: Span = field(default=NO_SPAN, compare=False, repr=False)
    type_span: Span = field(default=NO_SPAN, compare=False, repr=False)
    dated: bool = False  # `dated`: this date dates the row (rows after the assessment date do not exist)


@dataclass(frozen=True, slots=True)
class EntityDecl:
    name: str
    fields: tuple[FieldDecl, ...]
    label: str | None = None
    aliases: tuple[str, ...] = ()
    extend: bool = False  # `extend entity`: adds fields to an entity of an extended ruleset
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class FactDecl:
    name: str
    type: str
    label: str | None = None
    aliases: tuple[str, ...] = ()
    span: Span = field(default=NO_SPAN, compare=False, repr=False)
    type_span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ParamDecl:
    name: str
    value: Expr
    is_set: bool = False  # `set NAME = v`: changes a param declared by an extended ruleset
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


MetaKey = Literal[
    "points", "severity", "scoring", "warn_at", "owner", "due", "source", "tier", "tags", "hint",
    "applies", "threshold",
]

#: The order metadata is printed in by the formatter, and kept in by the transformer.
META_ORDER: tuple[MetaKey, ...] = (
    "points", "severity", "scoring", "warn_at", "threshold", "owner", "due", "source", "tier", "tags",
    "hint", "applies",
)


@dataclass(frozen=True, slots=True)
class Scoring:
    mode: Literal["all", "proportional", "deduct"]
    deduct: int | Fraction | None = None


MetaValue = int | Fraction | str | dt.date | tuple[str, ...] | Scoring | Expr


@dataclass(frozen=True, slots=True)
class Meta:
    key: MetaKey
    value: MetaValue
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    body: Expr
    title_en: str | None = None
    meta: tuple[Meta, ...] = ()
    span: Span = field(default=NO_SPAN, compare=False, repr=False)
    id_span: Span = field(default=NO_SPAN, compare=False, repr=False)

    def get(self, key: MetaKey) -> Meta | None:
        return next((m for m in self.meta if m.key == key), None)


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    rules: tuple[Rule, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Override:
    rule_id: str
    meta: tuple[Meta, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Drop:
    rule_id: str
    reason: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ExtendsRef:
    target: str
    is_path: bool
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


Decl = ParamDecl | EntityDecl | FactDecl | Section | Override | Drop


@dataclass(frozen=True, slots=True)
class Comment:
    """A `# ...` or `// ...` comment as written (trailing blanks dropped), where it starts, and whether
    it has its line to itself (otherwise it trails code)."""

    text: str
    line: int
    column: int
    own_line: bool


@dataclass(frozen=True, slots=True)
class RulesetFile:
    """One parsed `.kepu` file, before `extends` is resolved."""

    id: str
    title: str
    decls: tuple[Decl, ...]
    title_en: str | None = None
    version: str | None = None
    extends: tuple[ExtendsRef, ...] = ()
    language: str | None = None
    keyword_lang: Literal["zh", "en"] = "en"  # the language of the header keyword, used by the formatter
    path: str = field(default="<string>", compare=False)
    span: Span = field(default=NO_SPAN, compare=False, repr=False)
    text: str = field(default="", compare=False, repr=False)  # the source, for quoting lines in diagnostics
    # What the formatter needs to write the file back without losing what the author wrote: the
    # comments, and where the header's parts were (the AST compares equal whatever they are).
    comments: tuple[Comment, ...] = field(default=(), compare=False, repr=False)
    id_span: Span = field(default=NO_SPAN, compare=False, repr=False)
    version_span: Span = field(default=NO_SPAN, compare=False, repr=False)
    language_span: Span = field(default=NO_SPAN, compare=False, repr=False)

    def rules(self) -> list[Rule]:
        return [r for d in self.decls if isinstance(d, Section) for r in d.rules]
