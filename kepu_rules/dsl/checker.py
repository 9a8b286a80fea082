"""The semantic checker: binds every name against the entity schema, types every expression, and
reports what is wrong (with a "did you mean") before any data is read."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from kepu_rules.diagnostics import Diagnostic, KepuError, Location, with_source_lines
from kepu_rules.dsl import ast as A
from kepu_rules.dsl import ir as I
from kepu_rules.dsl.depth import too_deep
from kepu_rules.dsl.readings import Source, chain, readings, trailing
from kepu_rules.engine.resolve import ParamValue, ResolvedRuleset
from kepu_rules.facts.schema import TYPE_KEYWORDS, EntityDef, FieldDef, FieldType, ScalarDef, Schema
from kepu_rules.i18n import Msg
from kepu_rules.registry import FunctionDef
from kepu_rules.suggest import nearest

_TYPE_WORDS: dict[str, FieldType] = {w: t for t, words in TYPE_KEYWORDS.items() for w in words}
_TYPE_WORDS.update({"int": FieldType.INTEGER, "float": FieldType.NUMBER, "boolean": FieldType.BOOL, "string": FieldType.TEXT,
                    "布尔": FieldType.BOOL, "数字": FieldType.NUMBER, "文字": FieldType.TEXT})

#: Aggregates are part of the language (they need to see rows and conditions); English and Chinese names.
AGGREGATES = {
    "count": "count", "计数": "count", "sum": "sum", "求和": "sum", "avg": "avg", "平均": "avg",
    "min": "min", "最小": "min", "max": "max", "最大": "max", "count_distinct": "count_distinct",
    "去重计数": "count_distinct", "distinct": "distinct", "去重": "distinct", "size": "size", "个数": "size",
    "coverage": "coverage", "覆盖率": "coverage",
}

_SCALAR_OF = {FieldType.TEXT: I.TEXT, FieldType.INTEGER: I.INTEGER, FieldType.NUMBER: I.NUMBER,
              FieldType.PERCENT: I.PERCENT, FieldType.BOOL: I.BOOL, FieldType.DATE: I.DATE}

_KIND_ZH = {"text": "文本", "integer": "整数", "number": "数值", "percent": "百分比", "bool": "是/否", "date": "日期", "any": "任意值"}


def type_zh(t: I.Type) -> str:
    if isinstance(t, I.Scalar):
        return _KIND_ZH[t.kind]
    if isinstance(t, I.ItemT):
        return f"一个{t.entity}"
    if isinstance(t, I.RowsT):
        return f"{t.entity}集合"
    return f"{_KIND_ZH[t.elem.kind]}列表"


class _Fail(Exception):
    """Stops checking one expression after its diagnostic has been recorded."""


@dataclass(slots=True)
class CheckedRuleset:
    """A resolved ruleset whose every rule is bound and typed: ready for any evaluator."""

    resolved: ResolvedRuleset
    schema: Schema
    rules: dict[str, I.CheckedRule]
    param_types: dict[str, I.Type]
    warnings: list[Diagnostic] = field(default_factory=list)


def _loc(span: A.Span) -> Location:
    return Location(span.path, span.line or None, span.column or None, span.end_line or None, span.end_column or None)


def build_schema(rs: ResolvedRuleset) -> tuple[Schema, list[Diagnostic]]:
    """The entity schema declared by a ruleset, with diagnostics for unknown types and references."""
    problems: list[Diagnostic] = []
    entities: dict[str, EntityDef] = {}
    for decl in rs.entities.values():
        fields: dict[str, FieldDef] = {}
        for f in decl.fields:
            if f.name in fields:
                problems.append(Diagnostic(_loc(f.span), Msg(f"字段 {f.name} 重复定义", f"field {f.name!r} is defined twice"), code="duplicate"))
                continue
            fdef = _field_def(f, rs, problems)
            if fdef is not None:
                fields[f.name] = fdef
        keys = [f for f in fields.values() if f.is_key]
        if len(keys) > 1:
            problems.append(Diagnostic(_loc(decl.span), Msg(f"实体 {decl.name} 有多个主键", f"entity {decl.name!r} has more than one key"), code="two-keys"))
        problems += _dated_problems(decl)
        entities[decl.name] = EntityDef(decl.name, fields, decl.label, decl.aliases)
    for ent in entities.values():
        for fd in ent.fields.values():
            if fd.type is FieldType.REF and fd.target in entities and entities[fd.target].key is None:
                span = next(x.span for x in rs.entities[ent.name].fields if x.name == fd.name)
                problems.append(Diagnostic(_loc(span), Msg(f"{fd.target} 没有主键，无法被引用", f"{fd.target} has no key, so nothing can refer to it"),
                                           hint=Msg(f"给 {fd.target} 加一个 key 字段", f"give {fd.target} a `key` field"), code="ref-without-key"))
    scalars: dict[str, ScalarDef] = {}
    for fact in rs.facts.values():
        t = _type_word(fact.type, fact.type_span, problems)
        if t is not None:
            scalars[fact.name] = ScalarDef(fact.name, t, fact.label, fact.aliases)
    return Schema(entities, scalars), problems


def _dated_problems(decl: A.EntityDecl) -> list[Diagnostic]:
    """`dated` marks one date field per entity: the assessment keeps the rows dated up to its date."""
    problems: list[Diagnostic] = []
    dated = []
    for f in (f for f in decl.fields if f.dated):
        if _TYPE_WORDS.get(f.type) is FieldType.DATE:
            dated.append(f)
        else:
            problems.append(Diagnostic(_loc(f.span), Msg(f"只有日期字段可以标为计时日期，{f.name} 不是日期",
                                                         f"only a date field can be `dated`; {f.name!r} is not a date"),
                                       code="dated-not-date"))
    for f in dated[1:]:
        problems.append(Diagnostic(_loc(f.span), Msg(f"实体 {decl.name} 已有计时日期 {dated[0].name}，每个实体只能有一个",
                                                     f"entity {decl.name!r} is already dated by {dated[0].name!r}; an entity has one dating field"),
                                   code="two-dated"))
    return problems


def _type_word(word: str, span: A.Span, problems: list[Diagnostic]) -> FieldType | None:
    t = _TYPE_WORDS.get(word)
    if t is None:
        best = nearest(word, list(_TYPE_WORDS))
        problems.append(Diagnostic(_loc(span), Msg(f"未知类型“{word}”，应为 文本、整数、数值、百分比、是否 或 日期",
                                                   f"unknown type {word!r}: expected text, integer, number, percent, bool or date"),
                                   hint=Msg(f"是不是 {best}？", f"did you mean {best}?") if best else None, code="unknown-type"))
    return t


def _field_def(f: A.FieldDecl, rs: ResolvedRuleset, problems: list[Diagnostic]) -> FieldDef | None:
    if f.type == "ref":
        if f.target not in rs.entities:
            best = nearest(f.target or "", list(rs.entities))
            problems.append(Diagnostic(_loc(f.type_span), Msg(f"引用了不存在的实体 {f.target}", f"reference to unknown entity {f.target!r}"),
                                       hint=Msg(f"是不是 {best}？", f"did you mean {best}?") if best else None, code="unknown-entity"))
            return None
        return FieldDef(f.name, FieldType.REF, f.target, False, f.required, f.aliases)
    t = _type_word(f.type, f.type_span, problems)
    if t is None:
        return None
    return FieldDef(f.name, t, None, f.is_key, f.required or f.is_key, f.aliases, dated=f.dated and t is FieldType.DATE)


def check(rs: ResolvedRuleset, functions: dict[str, FunctionDef] | None = None) -> CheckedRuleset:
    """Check a resolved ruleset. Raises KepuError with every error; warnings are kept on the result."""
    if functions is None:
        from kepu_rules import registry

        functions = registry.functions()
    schema, problems = build_schema(rs)
    checker = _Checker(rs, schema, functions)
    param_types = checker.param_types(problems)
    rules: dict[str, I.CheckedRule] = {}
    for er in rs.rules:
        checked = checker.rule(er.rule, problems)
        if checked is not None:
            rules[er.id] = checked
    used = {p for r in rules.values() for p in r.params}
    warnings = [Diagnostic(_loc(pv.declared), Msg(f"参数 {name} 没有被任何规则使用", f"param {name!r} is not used by any rule"),
                           severity="warning", code="unused-param")
                for name, pv in rs.params.items() if name not in used and pv.declared.path == rs.path]
    warnings += _empty_ruleset(rs)
    texts = {f.path: f.text for f in rs.files}
    problems = with_source_lines(problems, texts.get)
    warnings = with_source_lines(warnings, texts.get)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise KepuError(errors)
    return CheckedRuleset(rs, schema, rules, param_types, warnings + [p for p in problems if not p.is_error])


class _Checker:
    def __init__(self, rs: ResolvedRuleset, schema: Schema, functions: dict[str, FunctionDef]) -> None:
        self.rs = rs
        self.schema = schema
        self.functions = functions
        self.problems: list[Diagnostic] = []
        self._ptypes: dict[str, I.Type] = {}
        self._used: tuple[set[str], set[str], set[str]] = (set(), set(), set())
        self._range_reported: set[str] = set()
        self._rule_path: str | None = None  # the file of the rule being checked
        self._trial = False  # checking a clause only to see whether it would stand elsewhere: no warnings
        self._bare_each: dict[int, A.Quantified] = {}  # id of a count quantifier -> the `each` it is the body of
        self._sources: dict[str, Source] = {}

    # -- entry points --------------------------------------------------------------------------

    def param_types(self, problems: list[Diagnostic]) -> dict[str, I.Type]:
        self.problems = problems
        for name, pv in self.rs.params.items():
            try:
                node = self.expr(pv.value, [])
                self._ptypes[name] = self.set_type(pv, node.type)
            except _Fail:
                self._ptypes[name] = I.ANY
            except RecursionError:
                # `expr` recurses: a value nested too deeply for the stack left is the author's to simplify.
                self.problems.append(too_deep(_loc(pv.declared)))
                self._ptypes[name] = I.ANY
                continue
            if not _is_literal(pv.value):
                self.error(_first_non_literal(pv.value), Msg("参数的值必须是字面值（数字、百分数、日期、文字或列表）",
                                         "a param's value must be a literal (number, percent, date, text or list)"), code="param-not-literal")
        return self._ptypes

    def set_type(self, pv: ParamValue, given: I.Type) -> I.Type:
        """The type of a param an overlay `set`: the one its `param` declaration fixed. A value of another
        type is reported at the `set` (the overlay's line), not at the rules that use the param."""
        if pv.default is None or pv.default is pv.value:
            return given
        try:
            declared = self.expr(pv.default, []).type
        except _Fail:
            return given  # the declaration's own problem is reported where it is declared
        from kepu_rules.engine.params import set_value_problem

        problem = set_value_problem(declared, given, pv.value, pv.name)
        if problem is not None:
            self.error(pv.value, problem[0], problem[1], code="param-type")
            self._range_reported.add(pv.name)  # one diagnostic for one wrong value
        return declared

    def rule(self, rule: A.Rule, problems: list[Diagnostic]) -> I.CheckedRule | None:
        try:
            return self._rule(rule, problems)
        except RecursionError:
            # Checking recurses over the expressions: a rule nested too deeply for the stack left is a
            # diagnostic like any other (rules from `parse` are never that deep, see `depth.py`).
            problems.append(too_deep(_loc(rule.span), rule.id))
            return None

    def _rule(self, rule: A.Rule, problems: list[Diagnostic]) -> I.CheckedRule | None:
        self.problems = problems
        self._rule_path = rule.span.path
        self._used = (set(), set(), set())
        before = len(problems)
        body = self.condition(rule.body, [], Msg("规则的条件", "a rule's condition"))
        applies_expr = rule.get("applies")
        applies = self.condition(applies_expr.value, [], Msg("适用条件", "`applies when`")) if applies_expr else None  # type: ignore[arg-type]
        warn_meta = rule.get("warn_at")
        warn = self.warn_threshold(rule, warn_meta, body) if warn_meta is not None and body is not None else None
        self.check_meta(rule)
        if body is None or (len(problems) > before and any(p.is_error for p in problems[before:])):
            return None
        entities, facts, params = self._used
        return I.CheckedRule(rule.id, body, applies, warn, frozenset(entities), frozenset(facts), frozenset(params), rule)

    def check_meta(self, rule: A.Rule) -> None:
        threshold = rule.get("threshold")
        if threshold is not None:
            # An override's `threshold` rewrites the rule's body and is gone by now: one still here was
            # written in the rule itself, where it would change nothing.
            self.error_span(threshold.span, Msg("“阈值”只用于 override（调整）；规则本身的目标写在条件里",
                                                "`threshold` belongs in an `override`; a rule states its target in its condition"),
                            hint=Msg("把目标值直接写进规则的比较中，例如 coverage(…) >= 90%",
                                     "write the target into the rule's comparison, e.g. coverage(...) >= 90%"),
                            code="threshold-in-rule")
        points = rule.get("points")
        if points is not None and isinstance(points.value, (int, Fraction)) and points.value < 0:
            self.error_span(points.span, Msg("分值不能为负数", "points cannot be negative"), code="bad-points")
        scoring = rule.get("scoring")
        deduct = scoring.value if scoring is not None and isinstance(scoring.value, A.Scoring) else None
        if scoring is not None and deduct is not None and deduct.mode == "deduct" and not (deduct.deduct and deduct.deduct > 0):
            self.error_span(scoring.span, Msg("每项扣分必须大于 0", "the deduction per item must be above 0"), code="bad-scoring")

    def condition(self, e: A.Expr, scopes: list[str], what: Msg) -> I.Node | None:
        try:
            node = self.expr(e, scopes)
        except _Fail:
            return None
        if node.type not in (I.BOOL, I.ANY):
            self.error(e, Msg(f"{what.zh}应为是/否条件，这里却是{type_zh(node.type)}",
                              f"{what.en} must be a yes/no condition, but this is {node.type}"),
                       hint=_bool_hint(node.type), code="not-a-condition")
            return None
        return node

    def warn_threshold(self, rule: A.Rule, meta: A.Meta, body: I.Node) -> I.Node | None:
        """`warn at X` is measured against what the rule measures: the left side of a comparison, the
        count of `at least N`, or the share of items that pass `each` (a percent below 100%)."""
        try:
            node = self.expr(meta.value, [])  # type: ignore[arg-type]
            if isinstance(body, I.CompareN) and body.op in (">=", ">", "<=", "<"):
                self.compatible(body.left, node, meta.value)
        except _Fail:
            return None
        warn = self.known_value(node)
        if isinstance(body, I.CompareN) and body.op in (">=", ">", "<=", "<"):
            target = self.known_value(body.right)
            if target is not None and warn is not None:
                easier = warn < target if body.op in (">=", ">") else warn > target
                if not easier:
                    self.error_span(meta.span, Msg("预警线应比达标线宽松（对于“>=”应低于目标）",
                                                   "the warn threshold must be easier than the target (below it for `>=`)"),
                                    code="bad-warn")
        elif isinstance(body, I.CountQN):
            if node.type not in (I.INTEGER, I.ANY):
                self.error_span(meta.span, Msg(f"此规则计数（{_count_words(body.op)[0]} N 个），预警线应为整数，这里是{type_zh(node.type)}",
                                               f"this rule counts ({_count_words(body.op)[1]} N): its warn threshold must be a whole number, "
                                               f"not {node.type}"), code="bad-warn")
                return None
            target = self.known_value(body.n)
            if target is not None and warn is not None and body.op != "exactly" and \
                    not (warn < target if body.op == "at_least" else warn > target):
                self.error_span(meta.span, Msg("预警线应比达标线宽松（对于“至少 N”应低于 N）",
                                               "the warn threshold must be easier than the target (below N for `at least N`)"),
                                code="bad-warn")
        elif (isinstance(body, I.QuantN) and body.kind == "each") or isinstance(body, I.PeriodN):
            if node.type not in (I.PERCENT, I.ANY) or (warn is not None and not 0 <= warn < 1):
                self.error_span(meta.span, Msg("此规则要求每一项都达标，预警线是达标项所占的比例：应为低于 100% 的百分比",
                                               "this rule requires every item to pass; its warn threshold is the share of items "
                                               "that pass: a percent below 100%"),
                                hint=Msg("例如 预警 80%", "for example `warn at 80%`"), code="bad-warn")
                return None
        elif node.type not in (I.ANY,) and not (isinstance(node.type, I.Scalar) and node.type.numeric):
            self.error_span(meta.span, Msg(f"预警线应为数值或百分比，这里是{type_zh(node.type)}",
                                           f"a warn threshold must be a number or a percent, not {node.type}"), code="bad-warn")
            return None
        return node

    def known_value(self, node: I.Node) -> Any:
        """The number a threshold stands for, when it is written out or is a param no overlay `set`:
        else None. (An overlay that lowers a target below the warn line of the ruleset it extends is
        not told so at a line of that ruleset, which it cannot change.)"""
        if isinstance(node, I.Const) and isinstance(node.value, (int, Fraction)) and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, I.ParamRef) and node.name in self.rs.params and not self.rs.params[node.name].set_by:
            value = self.rs.params[node.name].value
            if isinstance(value, A.Literal_) and isinstance(value.value, (int, Fraction)) and not isinstance(value.value, bool):
                return value.value
        return None

    # -- diagnostics ---------------------------------------------------------------------------

    def error(self, e: Any, msg: Msg, hint: Msg | None = None, code: str = "") -> None:
        self.error_span(getattr(e, "span", A.NO_SPAN), msg, hint, code)

    def error_span(self, span: A.Span, msg: Msg, hint: Msg | None = None, code: str = "") -> None:
        self.problems.append(Diagnostic(_loc(span), msg, hint=hint, code=code))

    def fail(self, e: Any, msg: Msg, hint: Msg | None = None, code: str = "") -> _Fail:
        self.error(e, msg, hint, code)
        return _Fail()

    # -- expressions ---------------------------------------------------------------------------

    def expr(self, e: A.Expr, scopes: list[str]) -> I.Node:
        method = getattr(self, "x_" + type(e).__name__.rstrip("_"))
        return method(e, scopes)

    def x_Literal(self, e: A.Literal_, scopes: list[str]) -> I.Node:
        kind = {"number": "integer" if isinstance(e.value, int) else "number", "percent": "percent", "text": "text",
                "date": "date", "bool": "bool"}[e.kind]
        return I.Const(I.Scalar(kind), e, e.value)  # type: ignore[arg-type]

    def x_ListLit(self, e: A.ListLit, scopes: list[str]) -> I.Node:
        items = tuple(self.expr(x, scopes) for x in e.items)
        kinds = {i.type for i in items}
        elem: I.Scalar = I.ANY
        if len(kinds) == 1 and isinstance(next(iter(kinds)), I.Scalar):
            elem = next(iter(kinds))  # type: ignore[assignment]
        elif kinds and all(isinstance(k, I.Scalar) and k.numeric for k in kinds):
            elem = I.NUMBER
        elif kinds:
            raise self.fail(e, Msg("列表中的值类型不一致", "the values of a list must all be of one type"), code="mixed-list")
        return I.ListN(I.ListT(elem), e, items)

    def x_Today(self, e: A.Today, scopes: list[str]) -> I.Node:
        return I.TodayN(I.DATE, e)

    def x_Name(self, e: A.Name, scopes: list[str]) -> I.Node:
        name = e.name
        for depth, ent in enumerate(scopes):
            fdef = self.schema.entities[ent].fields.get(name)
            if fdef is not None:
                return self.field_node(I.ScopeItem(I.ItemT(ent), e, depth), ent, fdef, e)
        entity = self.schema.entity(name)
        if entity is not None:
            return self.rows(A.Collection(entity.name, None, None, e.span), scopes)
        if name in self.rs.params:
            self._used[2].add(name)
            return I.ParamRef(self._ptypes.get(name, I.ANY), e, name)
        scalar = self.schema.scalar(name)
        if scalar is not None:
            self._used[1].add(scalar.name)
            return I.FactRef(_SCALAR_OF[scalar.type], e, scalar.name)
        raise self.fail(e, *self.unknown_name(name, scopes))

    def unknown_name(self, name: str, scopes: list[str]) -> tuple[Msg, Msg | None, str]:
        from kepu_rules.dsl.syntax_errors import GLUABLE_KEYWORDS

        for kw in GLUABLE_KEYWORDS:
            if name.startswith(kw) and len(name) > len(kw):
                rest = name[len(kw):]
                return (Msg(f"“{name}”被读成一个名称", f"{name!r} reads as a single name"),
                        Msg(f"关键词与名称之间要加空格：“{kw} {rest}”", f"separate the keyword from the name with a space: `{kw} {rest}`"),
                        "glued-keyword")
        pool = [f for s in scopes for f in self.schema.entities[s].fields] + list(self.schema.entities) + \
            list(self.rs.params) + list(self.schema.scalars)
        best = nearest(name, pool)
        where = f"（在 {scopes[0]} 中）" if scopes else ""
        where_en = f" (in {scopes[0]})" if scopes else ""
        msg = Msg(f"未知名称“{name}”{where}：既不是字段、实体，也不是参数或指标",
                  f"unknown name {name!r}{where_en}: not a field, entity, param or scalar fact")
        hint = Msg(f"是不是“{best}”？", f"did you mean {best!r}?") if best else None
        return msg, hint, "unknown-name"

    def field_node(self, item: I.Node, entity: str, fdef: FieldDef, e: Any) -> I.Node:
        if fdef.type is FieldType.REF:
            return I.FieldOf(I.ItemT(fdef.target or ""), e, item, entity, fdef.name, True, fdef.target)
        return I.FieldOf(_SCALAR_OF[fdef.type], e, item, entity, fdef.name)

    def x_Attr(self, e: A.Attr, scopes: list[str]) -> I.Node:
        obj = self.expr(e.obj, scopes)
        t = obj.type
        if isinstance(t, I.ItemT):
            fdef = self.field_of(t.entity, e.name, e)
            return self.field_node(obj, t.entity, fdef, e)
        if isinstance(t, I.RowsT):
            fdef = self.field_of(t.entity, e.name, e)
            elem = I.TEXT if fdef.type is FieldType.REF else _SCALAR_OF[fdef.type]
            return I.Project(I.ListT(elem), e, obj, fdef.name)
        raise self.fail(e, Msg(f"{type_zh(t)}没有字段 {e.name}", f"{t} has no field {e.name!r}"), code="no-field")

    def field_of(self, entity: str, name: str, e: Any) -> FieldDef:
        ent = self.schema.entities[entity]
        fdef = ent.fields.get(name)
        if fdef is None:
            best = nearest(name, list(ent.fields))
            raise self.fail(e, Msg(f"实体 {entity} 没有字段“{name}”", f"entity {entity!r} has no field {name!r}"),
                            Msg(f"是不是“{best}”？", f"did you mean {best!r}?") if best else
                            Msg(f"{entity} 的字段：{'、'.join(ent.fields)}", f"fields of {entity}: {', '.join(ent.fields)}"),
                            code="unknown-field")
        return fdef

    # -- collections ---------------------------------------------------------------------------

    def rows(self, c: A.Collection, scopes: list[str]) -> I.RowsOf:
        entity = self.schema.entity(c.entity)
        if entity is None:
            # syntax_errors imports lark: only a mistake pays for that, not a ruleset read from the cache.
            from kepu_rules.dsl.syntax_errors import UNIT_GLUED

            glued = UNIT_GLUED.match(c.entity)
            if glued and self.schema.entity(glued[2]) is not None:
                raise self.fail(c, Msg(f"“{c.entity}”被读成一个名称", f"{c.entity!r} reads as a single name"),
                                Msg(f"量词与实体名之间要加空格：“{glued[1]} {glued[2]}”",
                                    f"separate the measure word from the entity: `{glued[1]} {glued[2]}`"), code="glued-unit")
            best = nearest(c.entity, list(self.schema.entities))
            raise self.fail(c, Msg(f"未知实体“{c.entity}”", f"unknown entity {c.entity!r}"),
                            Msg(f"是不是“{best}”？", f"did you mean {best!r}?") if best else None, code="unknown-entity")
        name = entity.name
        self._used[0].add(name)
        anchor: I.Node | None = None
        path: tuple[I.Hop, ...] = ()
        for depth, scope_entity in enumerate(scopes):
            if scope_entity == name:
                continue
            found = self.relation(name, scope_entity, c.via, c)
            if found is not None:
                anchor = I.ScopeItem(I.ItemT(scope_entity), c, depth)
                path = found
                self._used[0].add(scope_entity)
                break
        else:
            if c.via is not None:
                raise self.fail(c, Msg(f"“经由 {c.via}”只能在某个实体的范围内使用", f"`via {c.via}` needs an enclosing item to relate to"),
                                code="via-without-scope")
        where = self.condition(c.where, [name, *scopes], Msg("“其中”后的条件", "a `where` condition")) if c.where is not None else None
        if c.where is not None and where is None:
            raise _Fail()
        return I.RowsOf(I.RowsT(name), c, name, anchor, path, where, c.may_be_empty)

    def relation(self, entity: str, anchor: str, via: str | None, e: Any) -> tuple[I.Hop, ...] | None:
        """The reference chain from rows of `entity` up to `anchor`, read anchor-outwards, or None if unrelated.

        Shortest chains win; two shortest chains are ambiguous unless `via` names the first field.
        """
        ents = self.schema.entities
        if via is not None:
            fdef = self.field_of(entity, via, e)
            if fdef.type is not FieldType.REF:
                raise self.fail(e, Msg(f"{entity}.{via} 不是引用字段", f"{entity}.{via} is not a reference"), code="via-not-ref")
            starts: list[tuple[str, tuple[I.Hop, ...]]] = [(fdef.target or "", (I.Hop(entity, via),))]
        else:
            starts = [(f.target or "", (I.Hop(entity, f.name),)) for f in ents[entity].fields.values() if f.type is FieldType.REF]
        found: list[tuple[I.Hop, ...]] = []
        queue: deque[tuple[str, tuple[I.Hop, ...]]] = deque(starts)
        seen_depth: int | None = None
        while queue:
            at, hops = queue.popleft()
            if seen_depth is not None and len(hops) > seen_depth:
                break
            if at == anchor:
                found.append(hops)
                seen_depth = len(hops)
                continue
            if len(hops) >= 4 or at not in ents:
                continue
            for f in ents[at].fields.values():
                if f.type is FieldType.REF and all(h.entity != f.target for h in hops):
                    queue.append((f.target or "", (*hops, I.Hop(at, f.name))))
        if len(found) > 1:
            chains = ["、".join(f"{h.entity}.{h.field}" for h in chain) for chain in found]
            raise self.fail(e, Msg(f"{entity} 与 {anchor} 之间有多条关联：{'；'.join(chains)}",
                                   f"{entity} relates to {anchor} in more than one way: {'; '.join(chains)}"),
                            Msg(f"用“经由 字段”指明，例如：{entity} 经由 {found[0][0].field}",
                                f"say which with `via FIELD`, e.g. {entity} via {found[0][0].field}"), code="ambiguous-relation")
        return tuple(reversed(found[0])) if found else None

    def x_Collection(self, e: A.Collection, scopes: list[str]) -> I.Node:
        return self.rows(e, scopes)

    # -- calls ---------------------------------------------------------------------------------

    def x_Call(self, e: A.Call, scopes: list[str]) -> I.Node:
        agg = AGGREGATES.get(e.func)
        if agg is not None:
            return self.aggregate(agg, e, scopes)
        fdef = self.functions.get(e.func)
        if fdef is None:
            best = nearest(e.func, list(AGGREGATES) + list(self.functions))
            raise self.fail(e, Msg(f"未知函数 {e.func}", f"unknown function {e.func!r}"),
                            Msg(f"是不是 {best}？", f"did you mean {best}?") if best else None, code="unknown-function")
        return self.function(fdef, e, scopes)

    def aggregate(self, func: str, e: A.Call, scopes: list[str]) -> I.Node:
        if len(e.args) != 1:
            raise self.fail(e, Msg(f"{e.func} 需要 1 个参数", f"{e.func} takes 1 argument"), code="arity")
        arg_ast = e.args[0]
        if func == "coverage":
            if not isinstance(arg_ast, (A.Collection, A.Name)):
                raise self.fail(e, Msg("覆盖率的参数应为“实体 其中 条件”", "coverage takes `ENTITY where CONDITION`"), code="coverage-arg")
            coll = arg_ast if isinstance(arg_ast, A.Collection) else A.Collection(arg_ast.name, None, None, arg_ast.span)
            rows = self.rows(A.Collection(coll.entity, None, coll.via, coll.span, coll.may_be_empty), scopes)
            if coll.where is None:
                raise self.fail(e, Msg("覆盖率需要一个条件：coverage(社区 其中 …)", "coverage needs a condition: coverage(E where ...)"), code="coverage-arg")
            cond = self.condition(coll.where, [rows.entity, *scopes], Msg("覆盖率的条件", "the coverage condition"))
            if cond is None:
                raise _Fail()
            if coll.may_be_empty:
                self.problems.append(Diagnostic(
                    _loc(coll.span), Msg("“可为空”在覆盖率中不起作用：没有一行时，占比无从计算，仍为无法核查",
                                   "`may be empty` has no effect in coverage: a share of no rows is not a number, "
                                   "so it still could not be checked"),
                    severity="warning", code="may-be-empty-coverage",
                    hint=Msg("去掉“（可为空）”；若没有行也算达标，请改写为 每个 E（可为空） 满足 …",
                             "remove `(may be empty)`; if no rows at all should pass, write each E (may be empty) has ...")))
            return I.Aggregate(I.PERCENT, e, "coverage", rows, cond)
        arg = self.expr(arg_ast, scopes)
        t = arg.type
        if func == "count":
            if not isinstance(t, (I.RowsT, I.ListT)):
                raise self.fail(arg_ast, Msg(f"计数的对象应为实体或列表，这里是{type_zh(t)}", f"count takes rows or a list, not {t}"), code="count-arg")
            return I.Aggregate(I.INTEGER, e, func, arg)
        if func in ("size", "count_distinct"):
            if not isinstance(t, I.ListT):
                raise self.fail(arg_ast, Msg(f"{e.func} 的参数应为列表（如 三长.职务）", f"{e.func} takes a list of values (such as 三长.职务)"), code="agg-arg")
            return I.Aggregate(I.INTEGER, e, func, arg)
        if func == "distinct":
            if not isinstance(t, I.ListT):
                raise self.fail(arg_ast, Msg("去重的参数应为列表", "distinct takes a list of values"), code="agg-arg")
            return I.Aggregate(t, e, func, arg)
        if not isinstance(t, I.ListT):
            hint = Msg(f"写成 {e.func}({_entity_of(t)}.字段)", f"write {e.func}({_entity_of(t)}.FIELD)") if isinstance(t, I.RowsT) else None
            raise self.fail(arg_ast, Msg(f"{e.func} 的参数应为数值列表，这里是{type_zh(t)}", f"{e.func} takes a list of numbers, not {t}"), hint, code="agg-arg")
        if func in ("sum", "avg") and not t.elem.numeric:
            raise self.fail(arg_ast, Msg(f"{e.func} 只能用于数值", f"{e.func} needs numbers, not {t.elem}"), code="agg-arg")
        result = t.elem if func in ("min", "max", "sum") else I.NUMBER
        return I.Aggregate(result, e, func, arg)

    def function(self, fdef: FunctionDef, e: A.Call, scopes: list[str]) -> I.Node:
        if len(e.args) != len(fdef.params):
            raise self.fail(e, Msg(f"{e.func} 需要 {len(fdef.params)} 个参数，给了 {len(e.args)} 个",
                                   f"{e.func} takes {len(fdef.params)} arguments, {len(e.args)} given"), code="arity")
        args: list[I.Node] = []
        raw: list[Any] = []
        last_rows: str | None = None
        for kind, a in zip(fdef.params, e.args, strict=True):
            if kind == "field":
                if last_rows is None or not isinstance(a, A.Name):
                    raise self.fail(a, Msg("此处应为前一个实体的字段名", "expected a field name of the preceding entity"), code="field-arg")
                self.field_of(last_rows, a.name, a)
                raw.append(a.name)
                args.append(I.Const(I.TEXT, a, a.name))
                continue
            node = self.expr(a, scopes)
            self.expect_kind(node, kind, a, e.func)
            if isinstance(node.type, I.RowsT):
                last_rows = node.type.entity
            args.append(node)
            raw.append(None)
        return I.CallN(_ret_type(fdef.returns), e, fdef.name, tuple(args), tuple(raw))

    def expect_kind(self, node: I.Node, kind: str, a: Any, func: str) -> None:
        t = node.type
        ok = {
            "rows": isinstance(t, I.RowsT),
            "values": isinstance(t, I.ListT),
            "any": True,
        }.get(kind)
        if ok is None:
            want = I.Scalar(kind)  # type: ignore[arg-type]
            ok = isinstance(t, I.Scalar) and (t == want or t == I.ANY or (want.numeric and t.numeric))
        if not ok:
            raise self.fail(a, Msg(f"{func} 的这个参数应为{_KIND_ZH.get(kind, kind)}，这里是{type_zh(t)}",
                                   f"this argument of {func} must be {kind}, not {t}"), code="arg-type")

    # -- operators -----------------------------------------------------------------------------

    def x_Arith(self, e: A.Arith, scopes: list[str]) -> I.Node:
        left, right = self.expr(e.left, scopes), self.expr(e.right, scopes)
        for side, node in (("left", left), ("right", right)):
            if not (isinstance(node.type, I.Scalar) and node.type.numeric):
                raise self.fail(getattr(e, side), Msg(f"算术运算需要数值，这里是{type_zh(node.type)}",
                                                      f"arithmetic needs numbers, not {node.type}"),
                                _bool_hint(node.type), code="arith-type")
        kinds = {left.type.kind, right.type.kind}  # type: ignore[union-attr]
        if e.op == "/":
            result = I.NUMBER
        elif kinds == {"integer"}:
            result = I.INTEGER
        elif kinds == {"percent"} and e.op in "+-":
            result = I.PERCENT
        else:
            result = I.NUMBER
        return I.ArithN(result, e, e.op, left, right)

    def x_Neg(self, e: A.Neg, scopes: list[str]) -> I.Node:
        operand = self.expr(e.operand, scopes)
        if not (isinstance(operand.type, I.Scalar) and operand.type.numeric):
            raise self.fail(e, Msg("负号只能用于数值", "minus applies to numbers only"), code="arith-type")
        return I.NegN(operand.type, e, operand)

    def x_Compare(self, e: A.Compare, scopes: list[str]) -> I.Node:
        left, right = self.expr(e.left, scopes), self.expr(e.right, scopes)
        self.compatible(left, right, e, ordered=e.op not in ("==", "!="))
        return I.CompareN(I.BOOL, e, e.op, left, right)

    def compatible(self, left: I.Node, right: I.Node, e: Any, ordered: bool = True) -> None:
        lt, rt = left.type, right.type
        if I.ANY in (lt, rt):
            return
        if isinstance(lt, I.Scalar) and isinstance(rt, I.Scalar):
            if lt.numeric and rt.numeric:
                self.percent_slip(left, right, e)
                self.count_vs_percent(left, right, e)
                return
            if lt == rt == I.TEXT and ordered:
                raise self.fail(self.blame(e, left, right), *text_ordering(left, right))
            if lt == rt and (lt.kind != "bool" or not ordered):
                return
        if isinstance(lt, I.ItemT) and (rt == I.TEXT or rt == I.INTEGER or rt == lt) and not ordered:
            return
        if isinstance(rt, I.ItemT) and (lt == I.TEXT or lt == I.INTEGER) and not ordered:
            return
        hint = _bool_hint(lt) or _bool_hint(rt)
        raise self.fail(self.blame(e, left, right), Msg(f"无法比较{type_zh(lt)}与{type_zh(rt)}", f"cannot compare {lt} with {rt}"), hint,
                        code="type-mismatch")

    def blame(self, e: Any, left: I.Node, right: I.Node) -> Any:
        """Where a mismatch in a rule is reported: the comparison, unless an overlay put one side of it
        there (`override ID { threshold X }`), in which case X, in the overlay, is what to change."""
        here = getattr(getattr(e, "span", None), "path", None)
        if here is None or here != self._rule_path:
            return e
        for side in (right, left):
            span = getattr(side.src, "span", None)
            if span is not None and span.path != here and span.line:
                return side.src
        return e

    def count_vs_percent(self, left: I.Node, right: I.Node, e: Any) -> None:
        """A whole number (a count, an integer field or param) is never a percent: `count(社区) >= 目标` with
        目标 = 80% compares 12 with 0.8. Written-out 0 and 1 are left alone (`coverage(...) > 0`)."""
        for whole, pct in ((left, right), (right, left)):
            if whole.type == I.INTEGER and pct.type == I.PERCENT and not isinstance(whole, I.Const):
                value = self.known_value(whole)
                if isinstance(whole, I.ParamRef) and value is not None:
                    # `coverage(...) >= 目标` with `param 目标 = 80`: the param is what was mistyped.
                    hint = Msg(f"把参数声明为百分比：param {whole.name} = {value}%",
                               f"declare the param as a percent: param {whole.name} = {value}%")
                else:
                    hint = Msg("比例请用 coverage(实体 其中 条件) 或 ratio(a, b)；若要比较个数，把参数声明为整数",
                               "for a share use coverage(ENTITY where CONDITION) or ratio(a, b); to compare a count, "
                               "declare the param as a whole number")
                raise self.fail(self.blame(e, left, right), Msg(f"整数（{_describe_zh(whole)}）不能与百分比（{_describe_zh(pct)}）比较",
                                       f"a whole number ({_describe_en(whole)}) is compared with a percent ({_describe_en(pct)})"),
                                hint, code="count-vs-percent")

    def percent_slip(self, left: I.Node, right: I.Node, e: Any) -> None:
        """`coverage(...) >= 80` almost always means 80%: a ratio is at most 1."""
        for pct, other in ((left, right), (right, left)):
            if isinstance(pct, I.Aggregate) and pct.func == "coverage" and isinstance(other, I.ParamRef):
                self.param_out_of_range(pct, other)
            if pct.type == I.PERCENT and isinstance(other, I.Const) and other.type != I.PERCENT and \
                    isinstance(other.value, (int, Fraction)) and other.value > 1:
                raise self.fail(other.src, Msg(f"比例与数字 {other.value} 比较：比例最大为 100%",
                                               f"a ratio is compared with the number {other.value}, but a ratio is at most 100%"),
                                Msg(f"是不是 {other.value}%？", f"did you mean {other.value}%?"), code="percent-slip")
            if pct.type == I.PERCENT and isinstance(other, I.Const) and other.type == I.PERCENT and \
                    isinstance(other.value, (int, Fraction)) and not 0 <= other.value <= 1 and \
                    isinstance(pct, I.Aggregate) and pct.func == "coverage":
                raise self.fail(other.src, Msg("覆盖率不可能超过 100%", "a coverage cannot exceed 100%") if other.value > 1 else
                                Msg("覆盖率不可能低于 0%", "a coverage cannot be below 0%"), code="threshold-range")

    def param_out_of_range(self, coverage: I.Aggregate, ref: I.ParamRef) -> None:
        """A coverage compared with a param over 100% (or under 0%) can never be met (or always is). The
        mistake is the param's value, so it is reported there: at an overlay's `set` when one set it."""
        if self._trial:
            return  # only a check made for its own sake reports (and marks the param as reported)
        pv = self.rs.params.get(ref.name)
        value = pv.value if pv is not None else None
        if not (isinstance(value, A.Literal_) and value.kind == "percent" and isinstance(value.value, (int, Fraction))):
            return  # a whole-number param against a coverage is a type error (count_vs_percent), not a range one
        if 0 <= value.value <= 1 or ref.name in self._range_reported:
            return
        self._range_reported.add(ref.name)
        span = getattr(coverage.src, "span", A.NO_SPAN)
        where = f"{span.path}:{span.line}:{span.column}"
        shown = _show_number(value)
        self.problems.append(Diagnostic(
            _loc(value.span), Msg(f"参数 {ref.name} 为 {shown}，但它是覆盖率的目标，覆盖率只能在 0% 到 100% 之间",
                                  f"param {ref.name} is {shown}, but it is a coverage target and a coverage lies between 0% and 100%"),
            hint=Msg("目标应在 0% 到 100% 之间", "give a target between 0% and 100%"), code="threshold-range",
            notes=(Msg(f"与覆盖率比较于 {where}", f"compared with a coverage at {where}"),)))

    def x_And(self, e: A.And, scopes: list[str]) -> I.Node:
        return self.boolop("and", e, scopes)

    def x_Or(self, e: A.Or, scopes: list[str]) -> I.Node:
        return self.boolop("or", e, scopes)

    def boolop(self, op: str, e: A.And | A.Or, scopes: list[str]) -> I.Node:
        what = Msg("“且/或”两边", "each side of and/or")
        left = self.condition(e.left, scopes, what)
        right = self.condition(e.right, scopes, what)
        if left is None or right is None:
            raise _Fail()
        return I.BoolOp(I.BOOL, e, op, left, right)  # type: ignore[arg-type]

    def x_Not(self, e: A.Not, scopes: list[str]) -> I.Node:
        operand = self.condition(e.operand, scopes, Msg("“非”后面", "the operand of not"))
        if operand is None:
            raise _Fail()
        return I.NotN(I.BOOL, e, operand)

    def x_In(self, e: A.In, scopes: list[str]) -> I.Node:
        item, options = self.expr(e.item, scopes), self.expr(e.options, scopes)
        assert isinstance(options.type, I.ListT)
        probe = I.Const(options.type.elem, e.options, None)
        self.compatible(item, probe, e, ordered=False)
        return I.InN(I.BOOL, e, item, options, e.negated)

    def x_Contains(self, e: A.Contains, scopes: list[str]) -> I.Node:
        container, item = self.expr(e.container, scopes), self.expr(e.item, scopes)
        ct, it = container.type, item.type
        if e.mode == "one" and ct == I.TEXT and it == I.TEXT:
            return I.ContainsN(I.BOOL, e, container, item, "text")
        if isinstance(ct, I.ListT):
            if e.mode == "one" and isinstance(it, I.Scalar):
                return I.ContainsN(I.BOOL, e, container, item, "one")
            if e.mode != "one" and isinstance(it, I.ListT):
                return I.ContainsN(I.BOOL, e, container, item, e.mode)
        hint = None
        if isinstance(ct, I.RowsT):
            hint = Msg(f"取某个字段的值：{ct.entity}.字段", f"take a field's values: {ct.entity}.FIELD")
        raise self.fail(e, Msg(f"“包含”不能用于{type_zh(ct)}与{type_zh(it)}", f"`contains` does not apply to {ct} and {it}"), hint,
                        code="contains-type")

    def x_Between(self, e: A.Between, scopes: list[str]) -> I.Node:
        value, low, high = (self.expr(x, scopes) for x in (e.value, e.low, e.high))
        self.compatible(value, low, e)
        self.compatible(value, high, e)
        return I.BetweenN(I.BOOL, e, value, low, high)

    def x_Within(self, e: A.Within, scopes: list[str]) -> I.Node:
        value, ref = self.expr(e.value, scopes), self.expr(e.ref, scopes)
        for node, x in ((value, e.value), (ref, e.ref)):
            if node.type not in (I.DATE, I.ANY):
                raise self.fail(x, Msg(f"“之前 N 年内”需要日期，这里是{type_zh(node.type)}", f"`within` needs dates, not {node.type}"), code="within-type")
        return I.WithinN(I.BOOL, e, value, e.amount, e.unit, ref)

    def x_IsMissing(self, e: A.IsMissing, scopes: list[str]) -> I.Node:
        value = self.expr(e.value, scopes)
        if isinstance(value.type, (I.RowsT, I.ListT)):
            raise self.fail(e, Msg("“缺失”用于单个值；集合请用 count(…) = 0", "`is missing` applies to one value; for rows use count(...) = 0"),
                            code="missing-type")
        return I.MissingN(I.BOOL, e, value, e.negated)

    # -- quantifiers ---------------------------------------------------------------------------

    def x_Quantified(self, e: A.Quantified, scopes: list[str]) -> I.Node:
        rows = self.rows(e.collection, scopes)
        body = None
        if e.body is not None:
            if isinstance(e.body, A.CountQuant) and e.kind == "each" and self.adjacent(e.collection, e.body):
                self._bare_each[id(e.body)] = e
            body = self.condition(e.body, [rows.entity, *scopes], Msg("“满足”后的条件", "the condition after `has`"))
            if body is None:
                raise _Fail()
        self.greedy(e, scopes)
        return I.QuantN(I.BOOL, e, e.kind, rows, body)

    def x_CountQuant(self, e: A.CountQuant, scopes: list[str]) -> I.Node:
        n = self.expr(e.n, scopes)
        if not (isinstance(n.type, I.Scalar) and n.type.kind in ("integer", "any")):
            raise self.fail(e.n, Msg(f"“至少/至多/恰好”后面应为整数，这里是{type_zh(n.type)}",
                                     f"at least / at most / exactly needs a whole number, not {n.type}"), code="count-n")
        rows = self.rows(e.collection, scopes)
        self.greedy(e, scopes)
        return I.CountQN(I.BOOL, e, e.op, n, rows)

    def greedy(self, e: A.Quantified | A.CountQuant | A.EachPeriod, scopes: list[str]) -> None:
        """Warn when the quantifier's last condition runs on into an `and`/`or` whose right side would
        also make sense outside the quantifier: the text then has two readings (see readings.py)."""
        cond = trailing(e)
        if self._trial or not isinstance(cond, (A.And, A.Or)):
            return
        src = self.source(cond.span.path)
        where = src.span(cond.span) if src is not None else None
        if src is None or where is None or src.parenthesized(*where):
            return
        items = chain(cond)
        split = len(items)
        while split > 1 and self.stands_alone(items[split - 1], scopes):
            split -= 1
        if split == len(items):
            return
        each = self._bare_each.get(id(e)) if isinstance(e, A.CountQuant) else None
        has_word = None
        if each is not None:
            has_word = "has" if src.text[(src.span(each.span) or (0, 0))[0]:][:1].isascii() else "满足"
        found = readings(src, e.span, cond.span, items, split, has_word, each.span if each is not None else None)
        if found is None:
            return
        self.problems.append(Diagnostic(
            _loc(items[split].span),
            Msg(f"“{found.op}”之后的条件被读进了前面的量词：读作 {found.parsed}；如果本意是 {found.meant}，请写上括号",
                f"the condition after `{found.op}` is read into the quantifier before it: this reads as {found.parsed}; "
                f"if you meant {found.meant}, write the parentheses"),
            severity="warning",
            hint=Msg("无论本意是哪种读法，写上括号即可消除此警告", "whichever reading you meant, writing its parentheses silences this warning"),
            code="greedy-condition"))

    def stands_alone(self, clause: A.Expr, scopes: list[str]) -> bool:
        """Whether a clause is a valid condition in `scopes` (outside the quantifier it was parsed into)."""
        saved = self.problems, self._used, self._trial
        self.problems, self._used, self._trial = [], (set(), set(), set()), True
        try:
            node = self.condition(clause, scopes, Msg("", ""))
            return node is not None and not any(p.is_error for p in self.problems)
        except RecursionError:
            return False
        finally:
            self.problems, self._used, self._trial = saved

    def adjacent(self, first: A.Expr, second: A.Expr) -> bool:
        """Whether nothing but blanks separates two nodes in the source (`每个 街道 至少有 …` has no `has`)."""
        src = self.source(first.span.path)
        a, b = (src.span(first.span), src.span(second.span)) if src is not None else (None, None)
        return src is not None and a is not None and b is not None and not src.text[a[1]:b[0]].strip()

    def source(self, path: str) -> Source | None:
        if path not in self._sources:
            text = next((f.text for f in self.rs.files if f.path == path and f.text), None)
            if text is None:
                return None
            self._sources[path] = Source(text)
        return self._sources[path]

    def x_EachPeriod(self, e: A.EachPeriod, scopes: list[str]) -> I.Node:
        bounds = [self.expr(x, scopes) if x is not None else None for x in (e.of_year, e.start, e.end)]
        for node, x in zip(bounds, (e.of_year, e.start, e.end), strict=True):
            if node is not None and node.type not in (I.INTEGER, I.ANY):
                raise self.fail(x, Msg("年份应为整数，例如 2026 或 year(today)", "a year must be a whole number such as 2026 or year(today)"),
                                code="period-year")
        body = self.condition(e.body, scopes, Msg("周期内的条件", "the condition of each period"))
        if body is None:
            raise _Fail()
        dated: list[tuple[str, str]] = []
        for ent in sorted(_entities_in(body)):
            date_fields = self.schema.entities[ent].date_fields()
            if e.by is not None and e.by in self.schema.entities[ent].fields:
                dated.append((ent, e.by))
            elif len(date_fields) == 1:
                dated.append((ent, date_fields[0].name))
            elif len(date_fields) > 1:
                raise self.fail(e, Msg(f"{ent} 有多个日期字段（{'、'.join(f.name for f in date_fields)}），请用“按 字段”指明",
                                       f"{ent} has several date fields ({', '.join(f.name for f in date_fields)}): say which with `by FIELD`"),
                                code="period-by")
        if not dated:
            raise self.fail(e, Msg("周期条件中没有带日期字段的实体", "nothing in this condition has a date to split by period"), code="period-undated")
        self.greedy(e, scopes)
        return I.PeriodN(I.BOOL, e, e.unit, body, bounds[0], bounds[1], bounds[2], tuple(dated))


def _count_words(op: str) -> tuple[str, str]:
    return {"at_least": ("至少", "at least"), "at_most": ("至多", "at most")}.get(op, ("恰好", "exactly"))


def _describe_zh(node: I.Node) -> str:
    return _described(node) or type_zh(node.type)


def _describe_en(node: I.Node) -> str:
    return _described(node) or str(node.type)


def _described(node: I.Node) -> str | None:
    """A short name for an operand, as the author wrote it: a field, a param, an aggregate."""
    if isinstance(node, I.FieldOf):
        return node.field
    if isinstance(node, I.ParamRef):
        return node.name
    if isinstance(node, I.Aggregate):
        return f"{getattr(node.src, 'func', node.func)}(…)"
    if isinstance(node, I.Const) and isinstance(node.src, A.Literal_):
        return _show_number(node.src) if node.src.kind in ("number", "percent") else None
    return None


def _show_number(lit: A.Literal_) -> str:
    from kepu_rules.engine.values import format_value

    return format_value(lit.value, percent=lit.kind == "percent")


def text_ordering(left: I.Node, right: I.Node) -> tuple[Msg, Msg, str]:
    """`级别 不低于 "市级"` compares text by character code (市 > 国 > 省 > 区 for no reason a reader
    would guess): the rule language has no ordered levels, so the qualifying values are listed instead."""
    field_node = left if isinstance(left, I.FieldOf) else right if isinstance(right, I.FieldOf) else None
    name = field_node.field if field_node is not None else None
    other = right if field_node is left else left
    value = other.value if isinstance(other, I.Const) and isinstance(other.value, str) else None
    subject_zh = f"{name} 是文本" if name else "这两个值都是文本"
    subject_en = f"{name} is text" if name else "both sides are text"
    lhs = name or "字段"
    lhs_en = name or "FIELD"
    listed = f'"{value}", …' if value is not None else '"…", "…"'
    return (Msg(f"{subject_zh}：大小比较会按字符编码逐字比较文本，而不是按级别高低",
                f"{subject_en}: an ordering comparison compares text alphabetically (by character code), not by rank"),
            Msg(f"规则语言没有有序的级别：列出符合要求的取值，如 {lhs} 属于 [{listed}]",
                f"the rule language has no ordered levels: list the values that qualify, e.g. {lhs_en} in [{listed}]"),
            "text-ordering")


def _empty_ruleset(rs: ResolvedRuleset) -> list[Diagnostic]:
    """A ruleset with no rules assesses nothing: it is said, and the assessment cannot pass on it. A
    file that declares entities or facts and no rules is a schema for others to extend, and is not warned."""
    top = rs.files[-1] if rs.files else None
    if rs.rules or top is None or any(isinstance(d, (A.EntityDecl, A.FactDecl)) for d in top.decls):
        return []
    dropped = f"（{len(rs.dropped)} 条被删除）" if rs.dropped else ""
    dropped_en = f" ({len(rs.dropped)} dropped)" if rs.dropped else ""
    return [Diagnostic(Location(top.path, top.span.line or 1, top.span.column or 1), Msg(
        f"规则集 {rs.id} 没有任何规则{dropped}：据此评估无法得出结论", f"ruleset {rs.id} has no rules{dropped_en}: an assessment against it cannot pass"),
        severity="warning", code="empty-ruleset")]


def coverage_targets(ruleset: CheckedRuleset) -> dict[str, str]:
    """Params a coverage is compared with, each with the first rule that does: their values lie
    between 0% and 100% however they are given (`set`, kepu.yaml `params:`, `--set`)."""
    import dataclasses

    found: dict[str, str] = {}
    for rule_id, rule in ruleset.rules.items():
        stack: list[Any] = [rule.body, rule.applies, rule.warn_at]
        while stack:
            n = stack.pop()
            if isinstance(n, I.CompareN):
                for a, b in ((n.left, n.right), (n.right, n.left)):
                    if isinstance(a, I.Aggregate) and a.func == "coverage" and isinstance(b, I.ParamRef):
                        found.setdefault(b.name, rule_id)
            if isinstance(n, I.Node):
                stack.extend(getattr(n, f.name) for f in dataclasses.fields(n) if f.name != "src")
            elif isinstance(n, tuple):
                stack.extend(n)
    return found


def _entities_in(node: I.Node) -> set[str]:
    """Every entity whose rows a checked expression reads."""
    import dataclasses

    found: set[str] = set()
    stack: list[Any] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, I.RowsOf):
            found.add(n.entity)
        if isinstance(n, I.Node):
            for f in dataclasses.fields(n):
                if f.name != "src":
                    stack.append(getattr(n, f.name))
        elif isinstance(n, tuple):
            stack.extend(n)
    return found


def _entity_of(t: I.Type) -> str:
    return t.entity if isinstance(t, (I.RowsT, I.ItemT)) else ""


def _bool_hint(t: I.Type) -> Msg | None:
    if isinstance(t, I.RowsT):
        return Msg(f"{t.entity} 是一组记录：用 count({t.entity}) 计数，或用“至少 1 个 {t.entity}”",
                   f"{t.entity} is a set of rows: count them with count({t.entity}) or write `at least 1 {t.entity}`")
    return None


def _ret_type(kind: str) -> I.Type:
    if kind == "values":
        return I.ListT(I.ANY)
    return I.Scalar(kind)  # type: ignore[arg-type]


def _is_literal(e: A.Expr) -> bool:
    """A literal, or a list of literals (nested lists too): what a param may hold."""
    return isinstance(e, A.Literal_) or (isinstance(e, A.ListLit) and all(_is_literal(x) for x in e.items))


def _first_non_literal(e: A.Expr) -> A.Expr:
    """The part of a param's value to point at: the first list item that is not a literal."""
    if isinstance(e, A.ListLit):
        for item in e.items:
            if not _is_literal(item):
                return _first_non_literal(item)
    return e
