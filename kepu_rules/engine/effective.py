"""`kepu show --effective`: the resolved ruleset as one file, with what each overlay changed as comments."""

from __future__ import annotations

from kepu_rules.dsl import ast as A
from kepu_rules.engine.resolve import ResolvedRuleset
from kepu_rules.i18n import Lang


def render_effective(rs: ResolvedRuleset, lang: Lang) -> str:
    """The effective ruleset in the canonical layout; it parses back (the change notes are comments)."""
    from kepu_rules.dsl.formatter import format_ruleset

    decls: list[A.Decl] = [*rs.entities.values()]
    decls += [A.FactDecl(f.name, f.type, f.label, f.aliases) for f in rs.facts.values()]
    decls += [A.ParamDecl(p.name, p.value) for p in rs.params.values()]
    for name in rs.sections:
        rules = tuple(r.rule for r in rs.rules if r.section == name)
        if rules:
            decls.append(A.Section(name, rules))
    flat = A.RulesetFile(rs.id, rs.title, tuple(decls), rs.title_en, rs.version, (), rs.language,
                         "zh" if lang == "zh" else "en")
    body = format_ruleset(flat, lang)
    notes = _change_notes(rs, lang)
    chain = " → ".join(rs.chain)
    head = f"# {'生效规则集' if lang == 'zh' else 'effective ruleset'}: {chain}\n"
    return head + (notes + "\n" if notes else "") + body


def _change_notes(rs: ResolvedRuleset, lang: Lang) -> str:
    lines: list[str] = []
    for p in rs.params.values():
        for c in p.set_by:
            lines.append(f"# [{c.by}] param {p.name}: {c.what.render(lang)}  ({c.span.path}:{c.span.line})")
    for r in rs.rules:
        for c in r.changes:
            lines.append(f"# [{c.by}] {r.id}: {c.what.render(lang)}  ({c.span.path}:{c.span.line})")
    for rule_id, _reason, c in rs.dropped:
        lines.append(f"# [{c.by}] {rule_id}: {c.what.render(lang)}  ({c.span.path}:{c.span.line})")
    added = [r.id for r in rs.rules if r.origin == rs.id and len(rs.chain) > 1]
    if added:
        label = "新增规则" if lang == "zh" else "rules added"
        lines.append(f"# [{rs.id}] {label}: {', '.join(added)}")
    return "\n".join(lines)
