"""Ruleset resolution: follow `extends`, apply `set`/`override`/`drop`, and produce the effective ruleset."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from kepu_rules.diagnostics import Diagnostic, KepuError, Location, with_source_lines
from kepu_rules.dsl import ast as A
from kepu_rules.i18n import Msg
from kepu_rules.suggest import nearest


@dataclass(frozen=True, slots=True)
class Change:
    """One thing an overlay did to what it extends, for `kepu show --effective`."""

    by: str  # the ruleset id of the overlay
    what: Msg
    span: A.Span


@dataclass(slots=True)
class EffectiveRule:
    """A rule with its metadata resolved through every overlay."""

    rule: A.Rule
    section: str
    origin: str  # the ruleset id that defined it
    changes: list[Change] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.rule.id

    def meta(self, key: A.MetaKey) -> A.MetaValue | None:
        m = self.rule.get(key)
        return m.value if m is not None else None

    @property
    def points(self) -> int | float:
        value = self.meta("points")
        return value if isinstance(value, int) else float(value) if value is not None else 0  # type: ignore[arg-type]

    @property
    def severity(self) -> str:
        return str(self.meta("severity") or "scored")

    @property
    def scoring(self) -> A.Scoring:
        value = self.meta("scoring")
        return value if isinstance(value, A.Scoring) else A.Scoring("all")

    @property
    def due(self) -> dt.date | None:
        value = self.meta("due")
        return value if isinstance(value, dt.date) else None


@dataclass(slots=True)
class ParamValue:
    name: str
    value: A.Expr
    declared: A.Span
    set_by: list[Change] = field(default_factory=list)
    default: A.Expr | None = None  # the value the `param` declaration gave, which fixes the param's type


@dataclass(slots=True)
class ResolvedRuleset:
    """The effective ruleset: schema declarations, params and rules after every `extends` and overlay."""

    id: str
    title: str
    title_en: str | None
    version: str | None
    language: str | None
    path: str
    chain: list[str]  # ruleset ids, most basic first, this one last
    entities: dict[str, A.EntityDecl]
    entity_extensions: dict[str, list[A.EntityDecl]]
    facts: dict[str, A.FactDecl]
    params: dict[str, ParamValue]
    sections: list[str]
    rules: list[EffectiveRule]
    dropped: list[tuple[str, str, Change]]
    files: list[A.RulesetFile]

    def rule(self, rule_id: str) -> EffectiveRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def _loc(span: A.Span) -> Location:
    return Location(span.path, span.line or None, span.column or None, span.end_line or None, span.end_column or None)


def _err(span: A.Span, msg: Msg, hint: Msg | None = None, code: str = "") -> Diagnostic:
    return Diagnostic(_loc(span), msg, hint=hint, code=code)


class _Loader:
    """Loads files in dependency order (post-order over `extends`, each file once) and detects cycles."""

    def __init__(self) -> None:
        self.order: list[A.RulesetFile] = []
        self.done: set[Path] = set()
        self.visiting: list[Path] = []

    def load(self, path: Path, via: A.ExtendsRef | None = None) -> None:
        from kepu_rules.dsl.parse import parse_file

        real = path.resolve()
        if real in self.done:
            return
        if real in self.visiting:
            cycle = " → ".join(p.name for p in [*self.visiting[self.visiting.index(real):], real])
            assert via is not None
            raise KepuError(_err(via.span, Msg(f"继承形成循环：{cycle}", f"extends cycle: {cycle}"),
                                 Msg("去掉其中一个 extends", "remove one of the extends"), code="extends-cycle"))
        self.visiting.append(real)
        rs = parse_file(path)
        for ext in rs.extends:
            try:
                self.load(find_extended(ext, path), ext)
            except KepuError as err:
                # Errors about an `extends` line are raised before its file's text is at hand.
                raise KepuError(with_source_lines(err.diagnostics, lambda p: rs.text if p == rs.path else None)) from None
        self.visiting.pop()
        self.done.add(real)
        self.order.append(rs)


def find_extended(ext: A.ExtendsRef, from_file: Path) -> Path:
    """The file an `extends` names: a path relative to `from_file`, a sibling `NAME.kepu`, or a registered ruleset."""
    from kepu_rules import registry

    if ext.is_path:
        target = (from_file.parent / ext.target)
        if target.is_file():
            return target
        raise KepuError(_err(ext.span, Msg(f"找不到被继承的规则集文件 {ext.target}", f"extended ruleset file {ext.target!r} not found"),
                             Msg(f"路径相对于 {from_file.name} 所在的文件夹", f"the path is relative to the folder of {from_file.name}"),
                             code="extends-missing"))
    sibling = from_file.parent / f"{ext.target}.kepu"
    if sibling.is_file():
        return sibling
    known = registry.rulesets()
    if ext.target in known:
        return known[ext.target]
    best = nearest(ext.target, known)
    hint = Msg(f"是不是 {best}？", f"did you mean {best}?") if best else Msg(
        f"可用的规则集：{'、'.join(sorted(known)) or '无'}", f"known rulesets: {', '.join(sorted(known)) or 'none'}")
    raise KepuError(_err(ext.span, Msg(f"找不到名为 {ext.target} 的规则集", f"no ruleset named {ext.target!r}"), hint,
                         code="extends-missing"))


def locate_ruleset(name_or_path: str, base_dir: Path) -> Path:
    """A ruleset named in kepu.yaml or on the command line: a path (relative to base_dir) or a built-in name."""
    from kepu_rules import registry

    candidate = base_dir / name_or_path
    if candidate.is_file():
        return candidate
    known = registry.rulesets()
    if name_or_path in known:
        return known[name_or_path]
    best = nearest(name_or_path, known)
    hint = Msg(f"是不是 {best}？", f"did you mean {best}?") if best else None
    raise KepuError(Diagnostic(Location(str(candidate)), Msg(f"找不到规则集 {name_or_path}", f"ruleset {name_or_path!r} not found"),
                               hint=hint, code="ruleset-missing"))


def resolve(path: str | Path) -> ResolvedRuleset:
    """Load a ruleset file and everything it extends; raise KepuError listing every problem found."""
    loader = _Loader()
    loader.load(Path(path))
    return merge(loader.order)


def merge(files: list[A.RulesetFile]) -> ResolvedRuleset:
    """Merge files given base-first into one effective ruleset."""
    top = files[-1]
    out = ResolvedRuleset(top.id, top.title, top.title_en, top.version, None, top.path, [], {}, {}, {}, {}, [], [], [], files)
    problems: list[Diagnostic] = []
    first_rule: dict[str, A.Rule] = {}
    for rs in files:
        out.chain.append(rs.id)
        out.language = rs.language or out.language
        problems += _merge_declarations(out, rs, first_rule)
    for rs in files:
        problems += _apply_overlay(out, rs)
    if problems:
        texts = {f.path: f.text for f in files}
        raise KepuError(with_source_lines(problems, texts.get))
    return out


def _merge_declarations(out: ResolvedRuleset, rs: A.RulesetFile, first_rule: dict[str, A.Rule]) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for decl in rs.decls:
        if isinstance(decl, A.EntityDecl):
            problems += _merge_entity(out, decl)
        elif isinstance(decl, A.FactDecl):
            if decl.name in out.facts:
                problems.append(_dup(decl.span, "指标", "scalar fact", decl.name, out.facts[decl.name].span))
            else:
                out.facts[decl.name] = decl
        elif isinstance(decl, A.ParamDecl) and not decl.is_set:
            if decl.name in out.params:
                problems.append(_dup(decl.span, "参数", "param", decl.name, out.params[decl.name].declared))
            else:
                out.params[decl.name] = ParamValue(decl.name, decl.value, decl.span, default=decl.value)
        elif isinstance(decl, A.Section):
            if decl.name not in out.sections:
                out.sections.append(decl.name)
            for rule in decl.rules:
                if rule.id in first_rule:
                    problems.append(_dup(rule.id_span, "规则编号", "rule id", rule.id, first_rule[rule.id].id_span))
                    continue
                first_rule[rule.id] = rule
                out.rules.append(EffectiveRule(rule, decl.name, rs.id))
    return problems


def _merge_entity(out: ResolvedRuleset, decl: A.EntityDecl) -> list[Diagnostic]:
    if not decl.extend:
        if decl.name in out.entities:
            return [_dup(decl.span, "实体", "entity", decl.name, out.entities[decl.name].span,
                         Msg(f"要给已有实体加字段，写 extend entity {decl.name}",
                             f"to add fields to an existing entity write `extend entity {decl.name}`"))]
        out.entities[decl.name] = decl
        return []
    base = out.entities.get(decl.name)
    if base is None:
        return [_unknown(decl.span, "实体", "entity", decl.name, out.entities)]
    existing = {f.name: f for f in base.fields}
    problems = [_dup(f.span, "字段", "field", f.name, existing[f.name].span) for f in decl.fields if f.name in existing]
    added = tuple(f for f in decl.fields if f.name not in existing)
    out.entities[decl.name] = replace(base, fields=base.fields + added)
    out.entity_extensions.setdefault(decl.name, []).append(decl)
    return problems


def _apply_overlay(out: ResolvedRuleset, rs: A.RulesetFile) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    by_id = {r.id: r for r in out.rules}
    for decl in rs.decls:
        if isinstance(decl, A.ParamDecl) and decl.is_set:
            param = out.params.get(decl.name)
            if param is None:
                problems.append(_unknown(decl.span, "参数", "param", decl.name, out.params))
                continue
            param.value = decl.value
            param.set_by.append(Change(rs.id, Msg(f"设定为 {_show(decl.value)}", f"set to {_show(decl.value)}"), decl.span))
        elif isinstance(decl, A.Override):
            target = by_id.get(decl.rule_id)
            if target is None:
                problems.append(_unknown(decl.span, "规则", "rule", decl.rule_id, by_id))
                continue
            problems += _override(target, decl, rs.id)
        elif isinstance(decl, A.Drop):
            target = by_id.pop(decl.rule_id, None)
            if target is None:
                problems.append(_unknown(decl.span, "规则", "rule", decl.rule_id, {r.id: r for r in out.rules}))
                continue
            out.rules.remove(target)
            out.dropped.append((decl.rule_id, decl.reason,
                                Change(rs.id, Msg(f"删除：{decl.reason}", f"dropped: {decl.reason}"), decl.span)))
    return problems


def _override(target: EffectiveRule, decl: A.Override, by: str) -> list[Diagnostic]:
    metas = {m.key: m for m in target.rule.meta}
    body = target.rule.body
    for m in decl.meta:
        if m.key == "threshold":
            new_body = replace_threshold(body, m.value)  # type: ignore[arg-type]
            if new_body is None:
                return [_err(m.span, Msg(f"规则 {target.id} 没有可调整的阈值（顶层比较或“至少 N”）",
                                         f"rule {target.id} has no threshold to change (a top-level comparison or `at least N`)"),
                             code="no-threshold")]
            body = new_body
        else:
            metas[m.key] = m
        old: object = target.meta(m.key)
        if old is None:
            old = {"severity": "scored", "scoring": A.Scoring("all"), "points": 0}.get(m.key)
        target.changes.append(Change(by, Msg(f"{m.key}：{_show(old)} → {_show(m.value)}",
                                             f"{m.key}: {_show(old)} → {_show(m.value)}"), m.span))
    ordered = tuple(sorted(metas.values(), key=lambda x: A.META_ORDER.index(x.key)))
    target.rule = replace(target.rule, meta=ordered, body=body)
    return []


def replace_threshold(body: A.Expr, value: A.Expr) -> A.Expr | None:
    """The body with its threshold replaced: the right side of a top-level comparison, or N of `at least N`.

    Looks through a top-level `each` into its count condition (each 街道 has at least N ...).
    """
    if isinstance(body, A.Compare):
        return replace(body, right=value)
    if isinstance(body, A.CountQuant):
        return replace(body, n=value)
    if isinstance(body, A.Quantified) and body.kind == "each" and body.body is not None:
        inner = replace_threshold(body.body, value)
        return replace(body, body=inner) if inner is not None else None
    return None


def _show(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, A.Literal_):
        from kepu_rules.engine.values import format_value

        return format_value(value.value, percent=value.kind == "percent")
    if isinstance(value, A.Scoring):
        return value.mode if value.deduct is None else f"deduct {value.deduct}"
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    if isinstance(value, A.Name):
        return value.name
    return str(value) if not hasattr(value, "span") else type(value).__name__


def _dup(span: A.Span, zh: str, en: str, name: str, first: A.Span, hint: Msg | None = None) -> Diagnostic:
    where = f"{first.path}:{first.line}:{first.column}"
    return _err(span, Msg(f"{zh} {name} 重复定义（首次定义于 {where}）", f"{en} {name!r} is defined twice (first at {where})"),
                hint, code="duplicate")


def _unknown(span: A.Span, zh: str, en: str, name: str, known: object) -> Diagnostic:
    best = nearest(name, list(known))  # type: ignore[call-overload]
    hint = Msg(f"是不是 {best}？", f"did you mean {best!r}?") if best else None
    return _err(span, Msg(f"没有名为 {name} 的{zh}", f"no {en} named {name!r}"), hint, code=f"unknown-{en.replace(' ', '-')}")
