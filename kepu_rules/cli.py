"""The `kepu` command: check, explain, lint, fmt, show, plugins, init, tui."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from kepu_rules import __version__, exitcodes
from kepu_rules.diagnostics import Diagnostic, KepuError
from kepu_rules.i18n import Lang, normalize_lang

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _lang_option(fn: F) -> F:
    return click.option("--lang", "lang", type=click.Choice(["zh", "en"]), default=None,
                        help="Language of messages and reports (default: the project's or the ruleset's, else zh).")(fn)


def _config_option(fn: F) -> F:
    return click.option("-c", "--config", "config", type=click.Path(path_type=Path), default=None,
                        help="The project file (default: kepu.yaml in the current folder).")(fn)


def fail_with(err: KepuError, lang: Lang) -> NoReturn:
    """Print diagnostics and exit 2: a user mistake is never a traceback."""
    click.echo(err.render(lang), err=True)
    errors = sum(1 for d in err.diagnostics if d.is_error)
    summary = f"发现 {errors} 个错误" if lang == "zh" else f"{errors} error{'s' if errors != 1 else ''} found"
    click.echo(summary, err=True)
    sys.exit(exitcodes.INPUT_ERROR)


def _guess_lang(explicit: str | None) -> Lang:
    return normalize_lang(explicit, "zh")


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="kepu")
def cli() -> None:
    """kepu: self-assess a district against the 全国科普示范区 criteria.

    \b
    kepu check                 assess the project in this folder (kepu.yaml)
    kepu explain A1            everything about one rule's outcome
    kepu lint rulesets/        check rule files before any data is read
    kepu init my-district      scaffold a new project
    """


# -- check ------------------------------------------------------------------------------------


def _parse_sets(values: tuple[str, ...], lang: Lang) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            msg = f"--set 应写成 参数=值，而不是 {item!r}" if lang == "zh" else f"--set takes PARAM=VALUE, not {item!r}"
            raise click.UsageError(msg)
        out[name.strip()] = value.strip()
    return out


def _run_assessment(config: Path | None, sets: tuple[str, ...], lang_opt: str | None, as_of: str | None) -> Any:
    from kepu_rules.config import find_config, load_config
    from kepu_rules.engine.assess import assess

    lang = _guess_lang(lang_opt)
    try:
        cfg = load_config(config if config is not None else find_config(Path(".")))
        lang = normalize_lang(lang_opt, cfg.language)
        if as_of is not None:
            try:
                cfg = cfg.model_copy(update={"as_of": dt.date.fromisoformat(as_of)})
            except ValueError:
                raise click.BadParameter(f"{as_of!r} is not a date like 2026-11-22", param_hint="--as-of") from None
        return assess(cfg, params=_parse_sets(sets, lang)), lang
    except KepuError as err:
        fail_with(err, lang)


def _outputs(formats: tuple[str, ...], outputs: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """Pair formats with output files: `--format json:r.json`, or `-o` files in the order of the formats."""
    pairs: list[tuple[str, str | None]] = []
    for fmt in formats or ("text",):
        name, _, path = fmt.partition(":")
        pairs.append((name, path or None))
    if outputs:
        unpaired = [i for i, (_, p) in enumerate(pairs) if p is None]
        if len(outputs) == 1 and len(unpaired) >= 1:
            i = unpaired[-1]
            pairs[i] = (pairs[i][0], outputs[0])
        elif len(outputs) == len(unpaired):
            for i, out in zip(unpaired, outputs, strict=True):
                pairs[i] = (pairs[i][0], out)
        else:
            raise click.UsageError("give one -o per --format, or write --format FORMAT:FILE")
    return pairs


@cli.command(context_settings=CONTEXT_SETTINGS)
@_config_option
@click.option("-f", "--format", "formats", multiple=True, metavar="FORMAT[:FILE]",
              help="text, json, junit, markdown, html or github (repeatable; FORMAT:FILE writes to a file).")
@click.option("-o", "--output", "outputs", multiple=True, metavar="FILE", help="Write the report of the matching --format to FILE.")
@click.option("--set", "sets", multiple=True, metavar="PARAM=VALUE", help="Set a ruleset param (wins over kepu.yaml).")
@click.option("--fail-under", type=float, default=None, metavar="SCORE", help="Fail when the score (out of 100) is under SCORE.")
@click.option("--by", "group_by", default=None, metavar="owner|section|ENTITY", help="Group the gaps by owner, section, or an entity such as 街道.")
@click.option("--as-of", default=None, metavar="DATE", help="The assessment date (default: kepu.yaml's as_of, else today).")
@click.option("-v", "--verbose", is_flag=True, help="List passing rules too.")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: when writing to a terminal).")
@_lang_option
def check(config: Path | None, formats: tuple[str, ...], outputs: tuple[str, ...], sets: tuple[str, ...],
          fail_under: float | None, group_by: str | None, as_of: str | None, verbose: bool, color: bool | None,
          lang: str | None) -> None:
    """Assess the project and print where it stands.

    Exit codes: 0 the assessment passes; 1 it does not (a veto or required rule fails, or the score is
    under the pass mark, or a veto/required rule could not be checked); 2 the input is wrong.
    """
    from kepu_rules import registry
    from kepu_rules.reports.base import ReportOptions
    from kepu_rules.reports.model import Verdict

    pairs = _outputs(formats, outputs)
    reporters = registry.reporters()
    for name, _ in pairs:
        if name not in reporters:
            raise click.BadParameter(f"unknown format {name!r}; choose from {', '.join(sorted(reporters))}", param_hint="--format")
    assessment, chosen = _run_assessment(config, sets, lang, as_of)
    report = assessment.report(chosen, fail_under)
    for name, path in pairs:
        use_color = (color if color is not None else sys.stdout.isatty()) and path is None
        text = reporters[name]().render(report, ReportOptions(group_by=group_by, color=use_color, verbose=verbose))
        if path is None:
            click.echo(text.rstrip("\n"))
        else:
            target = Path(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    sys.exit(exitcodes.PASS if report.summary.verdict is Verdict.PASS else exitcodes.FAIL)


# -- explain ----------------------------------------------------------------------------------


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("rule_id")
@_config_option
@click.option("--set", "sets", multiple=True, metavar="PARAM=VALUE", help="Set a ruleset param.")
@click.option("--as-of", default=None, metavar="DATE", help="The assessment date.")
@_lang_option
def explain(rule_id: str, config: Path | None, sets: tuple[str, ...], as_of: str | None, lang: str | None) -> None:
    """Everything about one rule: its text, what was measured, every failing item with its evidence, the repair."""
    from kepu_rules.reports.explain_text import render_explanation
    from kepu_rules.suggest import nearest

    assessment, chosen = _run_assessment(config, sets, lang, as_of)
    report = assessment.report(chosen)
    result = next((r for r in report.results if r.id == rule_id), None)
    if result is None:
        best = nearest(rule_id, [r.id for r in report.results])
        hint = (f"；是不是 {best}？" if chosen == "zh" else f"; did you mean {best}?") if best else ""
        click.echo((f"没有编号为 {rule_id} 的规则{hint}" if chosen == "zh" else f"no rule {rule_id!r}{hint}"), err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    rule = assessment.ruleset.resolved.rule(rule_id)
    click.echo(render_explanation(result, rule, chosen))


# -- lint, fmt, show --------------------------------------------------------------------------


def _kepu_files(paths: tuple[Path, ...]) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            yield from sorted(p.rglob("*.kepu"))
        else:
            yield p


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_lang_option
def lint(paths: tuple[Path, ...], lang: str | None) -> None:
    """Check ruleset files: syntax, names, types, extends. Exit 2 on any error; warnings do not fail."""
    from kepu_rules.dsl.checker import check
    from kepu_rules.engine.resolve import resolve

    chosen = _guess_lang(lang)
    seen: set[str] = set()
    errors = warnings = files = 0
    for path in _kepu_files(paths):
        files += 1
        found: list[Diagnostic] = []
        try:
            found = list(check(resolve(path)).warnings)
        except KepuError as err:
            found = err.diagnostics
        for d in found:
            text = d.render(chosen)
            if text in seen:
                continue  # a base ruleset's problem is reported once, not once per file that extends it
            seen.add(text)
            click.echo(text, err=d.is_error)
            errors += d.is_error
            warnings += not d.is_error
    if files == 0:
        click.echo("没有找到 .kepu 文件" if chosen == "zh" else "no .kepu files found", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    if chosen == "zh":
        click.echo(f"检查了 {files} 个文件：{errors} 个错误，{warnings} 个警告", err=bool(errors))
    else:
        click.echo(f"{files} file{'s' if files != 1 else ''} checked: {errors} error{'s' if errors != 1 else ''}, "
                   f"{warnings} warning{'s' if warnings != 1 else ''}", err=bool(errors))
    sys.exit(exitcodes.INPUT_ERROR if errors else exitcodes.PASS)


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--check", "check_only", is_flag=True, help="Change nothing; exit 1 if a file is not formatted.")
@click.option("--lang", "lang", type=click.Choice(["zh", "en"]), default=None,
              help="Keyword language of the output (default: the language of each file's header keyword).")
def fmt(paths: tuple[Path, ...], check_only: bool, lang: str | None) -> None:
    """Rewrite ruleset files in the canonical layout (`--check` only reports)."""
    from kepu_rules.dsl.formatter import format_ruleset
    from kepu_rules.dsl.parse import parse_file

    changed: list[Path] = []
    for path in _kepu_files(paths):
        try:
            tree = parse_file(path)
        except KepuError as err:
            fail_with(err, _guess_lang(lang))
        original = path.read_text(encoding="utf-8-sig")
        formatted = format_ruleset(tree, lang)  # type: ignore[arg-type]
        if formatted != original:
            changed.append(path)
            if not check_only:
                path.write_text(formatted, encoding="utf-8")
    for path in changed:
        click.echo(f"{'would reformat' if check_only else 'reformatted'} {path}")
    if check_only and changed:
        sys.exit(exitcodes.FAIL)


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--effective", is_flag=True, default=True, help="Print the ruleset resolved through every extends (the default).")
@_lang_option
def show(path: Path, effective: bool, lang: str | None) -> None:
    """Print the effective ruleset: what it extends resolved, with what each overlay changed."""
    from kepu_rules.dsl.checker import check
    from kepu_rules.engine.effective import render_effective
    from kepu_rules.engine.resolve import locate_ruleset, resolve

    chosen = _guess_lang(lang)
    try:
        resolved = resolve(locate_ruleset(str(path), Path.cwd()))
        check(resolved)
    except KepuError as err:
        fail_with(err, chosen)
    click.echo(render_effective(resolved, chosen))


@cli.command("test", context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-v", "--verbose", is_flag=True, help="List passing cases too.")
@_lang_option
def test_cmd(paths: tuple[Path, ...], verbose: bool, lang: str | None) -> None:
    """Run rule unit tests: YAML files of small fixtures each rule must pass or fail (see docs/testing-rules.md)."""
    from kepu_rules.engine.ruletest import run_file

    chosen = _guess_lang(lang)
    # In a folder, test files are the YAML files in `tests/` folders or named *.test.yaml; a file named
    # on the command line always runs.
    files = [p for path in paths for p in (
        sorted(f for f in path.rglob("*.yaml") if f.parent.name == "tests" or f.name.endswith(".test.yaml"))
        if path.is_dir() else [path])]
    passed = failed = 0
    problems: list[Diagnostic] = []
    for file in files:
        try:
            results = run_file(file)
        except KepuError as err:
            problems.extend(err.diagnostics)
            continue
        for r in results:
            if r.ok:
                passed += 1
                if verbose:
                    click.echo(f"PASS {r.rule} {r.name}")
            else:
                failed += 1
                click.echo(f"FAIL {r.rule} {r.name}  ({r.location.render()})\n     {r.why.render(chosen)}")
    if problems:
        fail_with(KepuError(problems), chosen)
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(exitcodes.FAIL if failed else exitcodes.PASS)


# -- plugins, init, tui -----------------------------------------------------------------------


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def plugins(as_json: bool) -> None:
    """List loaded plugins with their versions and hooks, and what they registered."""
    import json

    from kepu_rules import registry
    from kepu_rules.plugins import plugin_info

    plugins_ = plugin_info()
    sources = {name: {"module": cls.__module__, "description": cls.description.en,
                      "options": {k: (f.description or "") for k, f in cls.Options.model_fields.items()}}
               for name, cls in sorted(registry.sources().items())}
    reporters = sorted(registry.reporters())
    functions = sorted({f.name for f in registry.functions().values()})
    rulesets = {k: str(v) for k, v in sorted(registry.rulesets().items())}
    if as_json:
        info = {"plugins": plugins_, "sources": sources, "reporters": reporters, "functions": functions, "rulesets": rulesets}
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    for p in plugins_:
        click.echo(f"{p['name']} {p['version'] or ''}".rstrip())
        click.echo(f"  hooks: {', '.join(map(str, p['hooks']))}")  # type: ignore[call-overload]
    click.echo("sources:")
    for name, source in sources.items():
        click.echo(f"  {name:<9} {source['description']}")
        for opt, desc in source["options"].items():  # type: ignore[attr-defined]
            click.echo(f"      {opt}: {desc}")
    click.echo(f"reporters: {', '.join(reporters)}")
    click.echo(f"functions: {', '.join(functions)}")
    click.echo(f"rulesets: {', '.join(rulesets)}")


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--district", default=None, help="The district's name (default: the folder name).")
@click.option("--extends", "base", default="national", show_default=True, help="The ruleset the region's overlay builds on.")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@_lang_option
def init(directory: Path, district: str | None, base: str, force: bool, lang: str | None) -> None:
    """Scaffold a region's project: kepu.yaml, an overlay ruleset, ledger templates with the right headers."""
    from kepu_rules.scaffold import scaffold

    try:
        written = scaffold(directory, district or directory.resolve().name, base, force)
    except KepuError as err:
        fail_with(err, _guess_lang(lang))
    for path in written:
        click.echo(f"created {path}")
    click.echo(f"\nnext: cd {directory} && kepu check")


@cli.command(context_settings=CONTEXT_SETTINGS)
@_config_option
@_lang_option
def tui(config: Path | None, lang: str | None) -> None:
    """Browse the assessment in the terminal (needs the `tui` extra)."""
    try:
        from kepu_tui.app import run
    except ImportError:
        click.echo("the TUI is not installed: pip install 'kepu-rules[tui]'", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    run(config, lang)


def _load_plugin_commands() -> None:
    from kepu_rules.plugins import get_plugin_manager

    get_plugin_manager().hook.register_commands(cli=cli)


def main() -> None:
    """The console script: plugin commands join the group before click parses the arguments."""
    try:
        _load_plugin_commands()
    except Exception as err:  # a broken third-party plugin must not hide which one it was
        click.echo(f"kepu: a plugin failed to load: {err}", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    cli(prog_name="kepu")


if __name__ == "__main__":
    main()
