"""The whole assessment of one project: config -> ruleset -> facts -> outcomes -> waivers -> scores -> report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kepu_rules.config import ProjectConfig
from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.dsl.checker import CheckedRuleset
from kepu_rules.engine.backends import Engine, evaluator_for, wants_columnar
from kepu_rules.engine.evaluate import EvalContext, Evaluator, Outcome
from kepu_rules.engine.params import literal_value, parse_param
from kepu_rules.facts.asof import facts_as_of
from kepu_rules.facts.table import FactBase, SourceData
from kepu_rules.i18n import Lang, Msg
from kepu_rules.waivers import Waiver

if TYPE_CHECKING:
    from kepu_rules.engine.columnar.tables import ColumnarStore


@dataclass(slots=True)
class Assessment:
    """Everything one run found: enough to render a report in either language or drill into any fact."""

    config: ProjectConfig
    ruleset: CheckedRuleset
    facts: FactBase
    outcomes: list[Outcome]
    waivers: list[Waiver]
    params: dict[str, Any]
    as_of: dt.date
    warnings: list[Diagnostic] = field(default_factory=list)
    watched: list[Path] = field(default_factory=list)

    def report(self, lang: Lang | None = None, pass_mark: float | None = None) -> Any:
        from kepu_rules.engine.scoring import build_report

        return build_report(self, lang or self.config.language, self.config.pass_mark if pass_mark is None else pass_mark)

    def outcome(self, rule_id: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.rule_id == rule_id), None)


def load_ruleset(path: Path) -> CheckedRuleset:
    """Resolve and check a ruleset file (from the ruleset cache when none of its files changed)."""
    from kepu_rules.engine.ruleset_cache import load_checked

    return load_checked(path)


def resolve_params(ruleset: CheckedRuleset, config: ProjectConfig, cli: Mapping[str, str]) -> dict[str, Any]:
    """Param values: the ruleset's defaults, then kepu.yaml `params:`, then `--set` (which wins)."""
    from kepu_rules.dsl.checker import coverage_targets
    from kepu_rules.engine.params import coverage_target_problem
    from kepu_rules.suggest import nearest

    values = {name: literal_value(pv.value) for name, pv in ruleset.resolved.params.items()}
    targets = coverage_targets(ruleset)
    problems: list[Diagnostic] = []
    layers: list[tuple[Mapping[str, Any], Any]] = [
        (config.params, lambda n: config.location_of(("params", n), key=True)),
        (cli, lambda n: Location(f"--set {n}")),
    ]
    for given, where in layers:
        for name, raw in given.items():
            if name not in ruleset.param_types:
                best = nearest(name, ruleset.param_types)
                problems.append(Diagnostic(where(name), Msg(f"规则集没有参数 {name}", f"the ruleset has no param {name!r}"),
                                           hint=Msg(f"是不是 {best}？", f"did you mean {best}?") if best else None, code="unknown-param"))
                continue
            try:
                values[name] = parse_param(raw, ruleset.param_types[name], where(name), name)
            except KepuError as err:
                problems.extend(err.diagnostics)
                continue
            out_of_range = coverage_target_problem(values[name], where(name), name, targets[name]) if name in targets else None
            if out_of_range is not None:
                problems.append(out_of_range)
    if problems:
        raise KepuError(problems)
    return values


def read_sources(config: ProjectConfig, ruleset: CheckedRuleset,
                 columnar: ColumnarStore | None = None) -> tuple[list[SourceData], list[Path]]:
    """Read every source of the project; all their problems are reported together.

    With a `columnar` store, the sources that can leave their rows in it do (see SourceContext)."""
    from kepu_rules import registry
    from kepu_rules.config import validate_sources
    from kepu_rules.sources import SourceContext

    data: list[SourceData] = []
    watched: list[Path] = []
    problems: list[Diagnostic] = []
    for cfg, cls, options in validate_sources(config, registry.sources()):
        context = SourceContext(cfg.name, ruleset.schema, config.base_dir, config.language, columnar)
        source = cls()
        watched.extend(source.watched_paths(options, context))
        try:
            data.append(source.read(options, context))
        except KepuError as err:
            # Point back at the kepu.yaml entry that named the source, as well as at the data itself.
            note = Msg(f"数据源 {cfg.name}（{cfg.type}）见 {cfg.location.render()}", f"source {cfg.name} ({cfg.type}) is defined at {cfg.location.render()}")
            problems.extend(replace(d, notes=(*d.notes, note)) for d in err.diagnostics)
    if problems:
        raise KepuError(problems)
    return data, watched


def columnar_paths(config: ProjectConfig, ruleset: CheckedRuleset) -> list[Path]:
    """The files of the project's sources that can read straight into the columnar store."""
    from kepu_rules import registry
    from kepu_rules.config import validate_sources
    from kepu_rules.sources import SourceContext

    paths: list[Path] = []
    for cfg, cls, options in validate_sources(config, registry.sources()):
        if cls.reads_columnar:
            paths += cls().watched_paths(options, SourceContext(cfg.name, ruleset.schema, config.base_dir, config.language))
    return paths


def _columnar_store(config: ProjectConfig, ruleset: CheckedRuleset) -> ColumnarStore:
    from kepu_rules.engine.columnar.evaluator import fields_read
    from kepu_rules.engine.columnar.tables import ColumnarStore

    return ColumnarStore(fields_read(ruleset))


def assess(
    config: ProjectConfig | Path,
    *,
    params: Mapping[str, str] | None = None,
    evaluator: Evaluator | None = None,
    engine: Engine = "auto",
    ruleset_path: Path | None = None,
) -> Assessment:
    """Run an assessment. Raises KepuError (exit code 2) for wrong input: ruleset, config, data or waivers.

    `evaluator` wins over `engine`, which names a backend (kepu_rules.engine.backends)."""
    from kepu_rules import registry
    from kepu_rules.config import load_config
    from kepu_rules.waivers import check_waivers, load_waivers

    cfg = config if isinstance(config, ProjectConfig) else load_config(config)
    path = ruleset_path or cfg.resolve_ruleset(registry.rulesets())
    ruleset = load_ruleset(path)
    values = resolve_params(ruleset, cfg, params or {})
    store = None  # the DuckDB store of the columnar engine, when it evaluates
    if evaluator is None and wants_columnar(engine, lambda: columnar_paths(cfg, ruleset)):
        store = _columnar_store(cfg, ruleset)
    data, watched = read_sources(cfg, ruleset, store)
    facts = facts_as_of(ruleset.schema, data, cfg.as_of)
    waivers: list[Waiver] = []
    if cfg.waivers_path is not None:
        waivers = load_waivers(cfg.waivers_path)
        keys = {name: {str(k) for k in facts.keys(name)} for name in ruleset.schema.entities}
        problems = [d for d in check_waivers(waivers, set(ruleset.rules), keys) if d.is_error]
        if problems:
            raise KepuError(problems)
        watched.append(cfg.waivers_path)
    context = EvalContext(cfg.as_of, values, registry.functions())
    outcomes = (evaluator or evaluator_for(store)).evaluate(ruleset, facts, context)
    watched.extend(Path(f.path) for f in ruleset.resolved.files if Path(f.path).is_file())
    return Assessment(cfg, ruleset, facts, outcomes, waivers, values, cfg.as_of, list(ruleset.warnings), watched)
