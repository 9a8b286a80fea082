"""The `kepu` command: check, explain, lint, fmt, show, plugins, init, tui."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from kepu_rules import __version__, exitcodes
from kepu_rules.diagnostics import Diagnostic, KepuError
from kepu_rules.i18n import Lang, normalize_lang

if TYPE_CHECKING:  # kepu_rules.batch loads pydantic: only `kepu check --batch` pays for it
    from kepu_rules.batch import RankedDistrict, Ranking
    from kepu_rules.engine.backends import Engine
    from kepu_rules.i18n import Msg

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


def _ruleset_lang(explicit: str | None, path: Path) -> Lang:
    """--lang, else the language the ruleset file declares (`language en`), else zh."""
    from kepu_rules.dsl.parse import declared_language_of

    return normalize_lang(explicit, declared_language_of(path) or "zh") if path.is_file() else _guess_lang(explicit)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="kepu")
def cli() -> None:
    """kepu: self-assess a district against the 全国科普示范区 criteria.

    \b
    kepu check                 assess the project in this folder (kepu.yaml)
    kepu explain A1            everything about one rule's outcome
    kepu check --record        keep this run in history/; kepu history lists the records
    kepu diff                  what changed between the two latest records
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


def _parse_as_of(value: str | None, lang: Lang) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        msg = (f"{value!r} 不是日期，应写成 2026-11-22 这样" if lang == "zh" else
               f"{value!r} is not a date like 2026-11-22")
        raise click.BadParameter(msg, param_hint="--as-of") from None


def _run_assessment(config: Path | None, sets: tuple[str, ...], lang_opt: str | None, as_of: str | None,
                    engine: Engine = "auto", pairs: list[tuple[str, str | None]] | None = None) -> Any:
    from kepu_rules.config import find_config, load_config
    from kepu_rules.engine.assess import assess

    lang = _guess_lang(lang_opt)
    try:
        cfg = load_config(config if config is not None else find_config(Path(".")))
        lang = normalize_lang(lang_opt, cfg.language)
        date = _parse_as_of(as_of, lang)
        if date is not None:
            cfg = cfg.model_copy(update={"as_of": date})
        return assess(cfg, params=_parse_sets(sets, lang), engine=engine), lang
    except KepuError as err:
        _report_input_errors(err, pairs or [], lang, config)
        fail_with(err, lang)


def _project_dir(config: Path | None) -> Path:
    """The folder of kepu.yaml (data paths are relative to it), or the working directory when there is none."""
    from kepu_rules.config import find_config

    try:
        return find_config(config if config is not None else Path(".")).resolve().parent
    except KepuError:
        return Path.cwd()


def _report_input_errors(err: KepuError, pairs: list[tuple[str, str | None]], lang: Lang,
                         config: Path | None) -> None:
    """Wrong input, so no report: formats that speak to CI (github, junit) still say what is wrong, where."""
    from kepu_rules import registry
    from kepu_rules.reports.base import ReportOptions

    reporters = registry.reporters()
    options = ReportOptions(project_dir=_project_dir(config))
    for name, path in pairs:
        text = reporters[name]().render_input_errors(err.diagnostics, lang, options)
        if text is not None:
            _emit(text, path, lang)


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


def _emit(text: str, path: str | None, lang: Lang = "zh") -> None:
    """One rendering to stdout, or to its file (parent folders created, ending in a newline)."""
    if path is None:
        click.echo(text.rstrip("\n"))
        return
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as err:  # a read-only folder, a full disk: the output path is the user's to fix
        click.echo(f"无法写入 {path}：{err.strerror or err}" if lang == "zh" else
                   f"cannot write {path}: {err.strerror or err}", err=True)
        sys.exit(exitcodes.INPUT_ERROR)


@cli.command(context_settings=CONTEXT_SETTINGS)
@_config_option
@click.option("--batch", "batch_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              metavar="DIR",
              help="Assess every project under DIR (each folder holding a kepu.yaml) and print their ranking, "
                   "as text, json, markdown or html, with each district's change since its previous record. "
                   "--set, --fail-under, --as-of and --record apply to every project; "
                   "--lang defaults to zh; -c, --by and -v do not apply.")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="With --batch: assess N projects at a time, each in its own process (default: 2).")
@click.option("-f", "--format", "formats", multiple=True, metavar="FORMAT[:FILE]",
              help="text, json, junit, markdown, html or github (repeatable; FORMAT:FILE writes to a file).")
@click.option("-o", "--output", "outputs", multiple=True, metavar="FILE", help="Write the report of the matching --format to FILE.")
@click.option("--set", "sets", multiple=True, metavar="PARAM=VALUE", help="Set a ruleset param (wins over kepu.yaml).")
@click.option("--fail-under", type=float, default=None, metavar="SCORE", help="Fail when the score (out of 100) is under SCORE.")
@click.option("--by", "group_by", default=None, metavar="owner|section|ENTITY", help="Group the gaps by owner, section, or an entity such as 街道.")
@click.option("--as-of", default=None, metavar="DATE", help="The assessment date (default: kepu.yaml's as_of, else today).")
@click.option("-v", "--verbose", is_flag=True, help="List passing rules too.")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: when writing to a terminal).")
@click.option("--record", is_flag=True, help="Keep this run's report in the project's history folder (kepu history); "
                                             "with --batch, each project's.")
@click.option("--engine", type=click.Choice(["auto", "python", "columnar"]), default="auto", show_default=True,
              help="The evaluation backend: the Python interpreter, DuckDB (columnar), or by data size. "
                   "Both give the same results.")
@_lang_option
def check(config: Path | None, batch_dir: Path | None, workers: int | None, formats: tuple[str, ...],
          outputs: tuple[str, ...], sets: tuple[str, ...], fail_under: float | None, group_by: str | None,
          as_of: str | None, verbose: bool, color: bool | None, record: bool, engine: Engine,
          lang: str | None) -> None:
    """Assess the project and print where it stands; with --batch DIR, rank every project under DIR.

    Exit codes: 0 the assessment passes; 1 it does not (a veto or required rule fails, or the score is
    under the pass mark, or a veto/required rule could not be checked); 2 the input is wrong; 3 an
    internal error (a bug, not a verdict: one line names the crash file, in .kepu/ or the temp folder).

    With --batch: 0 every district passes; 1 at least one does not; 2 some project's input is wrong, or
    DIR holds no kepu.yaml at all; 3 assessing some project met an internal error. Projects with wrong
    input are listed, with their diagnostics, after the ranked ones. On stderr: a progress line while
    it runs (only on a terminal), then a one-line summary.
    """
    from kepu_rules import registry
    from kepu_rules.reports.base import ReportOptions
    from kepu_rules.reports.model import Verdict

    pairs = _outputs(formats, outputs)
    if batch_dir is not None:
        given = [name for name, on in (("-c/--config", config is not None), ("--by", group_by is not None),
                                       ("-v/--verbose", verbose)) if on]
        if given:
            chosen = _guess_lang(lang)
            raise click.UsageError(
                f"{'、'.join(given)} 不能与 --batch 同时使用：--batch 评估 DIR 下的每个项目，输出的是排名"
                if chosen == "zh" else
                f"{', '.join(given)} cannot be used with --batch: it assesses every project under DIR and prints "
                f"their ranking")
        _check_batch(batch_dir, pairs, sets, fail_under, as_of, workers, engine, lang, record)
    if workers is not None:
        raise click.UsageError("--workers 只用于 --batch" if _guess_lang(lang) == "zh" else
                               "--workers applies only with --batch")
    reporters = registry.reporters()
    for name, _ in pairs:
        if name not in reporters:
            raise click.BadParameter(f"unknown format {name!r}; choose from {', '.join(sorted(reporters))}", param_hint="--format")
    assessment, chosen = _run_assessment(config, sets, lang, as_of, engine, pairs)
    report = assessment.report(chosen, fail_under)
    if group_by:
        report = report.model_copy(update={"scorecard": _scorecard(assessment, report, group_by, chosen)})
    project_dir = _project_dir(config)
    for name, path in pairs:
        use_color = (color if color is not None else sys.stdout.isatty()) and path is None
        options = ReportOptions(group_by=group_by, color=use_color, verbose=verbose, project_dir=project_dir)
        _emit(reporters[name]().render(report, options), path, chosen)
    if record:
        _record(assessment, report, chosen)
    sys.exit(exitcodes.PASS if report.summary.verdict is Verdict.PASS else exitcodes.FAIL)


def _scorecard(assessment: Any, report: Any, by: str, lang: Lang) -> Any:
    """The `--by` scorecard; an entity the schema does not declare is a mistake (exit 2), not an empty list."""
    from kepu_rules.engine.reach import reach
    from kepu_rules.reports import scorecard
    from kepu_rules.reports.text import label

    if by in scorecard.RULE_GROUPS:
        return scorecard.by_rules(report, by, label("no_owner" if by == "owner" else "no_section", lang))
    entities = assessment.ruleset.schema.entities
    if by not in entities:
        from kepu_rules.suggest import nearest

        known = "、".join(entities) if lang == "zh" else ", ".join(entities)
        guess = nearest(by, list(entities))
        near = (f"（是不是 {guess}？）" if lang == "zh" else f" (did you mean {guess}?)") if guess else ""
        raise click.BadParameter(
            f"{by!r} 不是 owner、section，也不是 schema 中的实体{near}；实体有：{known}" if lang == "zh" else
            f"{by!r} is neither owner, section nor an entity of the schema{near}; entities: {known}",
            param_hint="--by")
    keys, reached = reach(assessment, by)
    return scorecard.by_entity(report, by, keys, reached)


def _record(assessment: Any, report: Any, lang: Lang) -> None:
    from kepu_rules.history.records import write_record

    cfg = assessment.config
    try:
        path = write_record(report, cfg.history_path, cfg.base_dir)
    except OSError as err:  # a read-only folder, a full disk: the history folder is the user's to fix
        shown = cfg.history_path
        click.echo(f"无法写入记录 {shown}：{err.strerror or err}" if lang == "zh" else
                   f"cannot write the record to {shown}: {err.strerror or err}", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    shown = path.relative_to(cfg.base_dir).as_posix()
    click.echo(f"已记录：{shown}" if lang == "zh" else f"recorded: {shown}", err=True)


class _BatchProgress:
    """`[k/n] district verdict` on stderr, rewritten in place, and only when stderr is a terminal: in a
    CI log it would be one line per district, and stdout (maybe JSON being parsed) never sees it."""

    def __init__(self, lang: Lang, live: bool) -> None:
        self.lang = lang
        self.live = live
        self.shown = 0  # cells of the line now on screen

    def __call__(self, done: int, total: int, entry: RankedDistrict) -> None:
        if not self.live:
            return
        from kepu_rules.diagnostics import display_width
        from kepu_rules.reports.ranking import verdict_text
        from kepu_rules.reports.text import fit

        line = fit(f"[{done}/{total}] {entry.district} {verdict_text(entry.verdict, self.lang)}",
                   self._columns())
        width = display_width(line)
        click.echo("\r" + line + " " * max(0, self.shown - width), err=True, nl=False)
        self.shown = width

    def clear(self) -> None:
        if self.shown:
            click.echo("\r" + " " * self.shown + "\r", err=True, nl=False)
            self.shown = 0

    @staticmethod
    def _columns() -> int:
        # stderr's own width (stdout may be a pipe); one column short, so the terminal never wraps the line
        try:
            columns = os.get_terminal_size(sys.stderr.fileno()).columns
        except (OSError, ValueError):
            columns = 0
        return max(20, (columns or 80) - 1)


def _batch_summary(ranking: Ranking, lang: Lang, seconds: float) -> str:
    """The one line a CI log keeps: how many projects, verdict counts, which ones have wrong input."""
    from kepu_rules.reports.ranking import verdict_counts

    total = ranking.summary.total
    errors = [d.folder for d in ranking.districts if d.verdict == "error" and d.internal_error is None]
    named = errors[:5] + (["…"] if len(errors) > 5 else [])
    if lang == "zh":
        counts = "、".join(f"{text} {n}" for _, text, n in verdict_counts(ranking, lang))
        line = f"评估了 {total} 个项目，用时 {seconds:.1f} 秒：{counts}"
        return line + (f"；输入有误：{'、'.join(named)}" if errors else "")
    counts = ", ".join(f"{n} {text}{'s' if v == 'error' and n != 1 else ''}"  # 2 input errors
                       for v, text, n in verdict_counts(ranking, lang))
    line = f"assessed {total} project{'s' if total != 1 else ''} in {seconds:.1f} s: {counts}"
    return line + (f"; input errors in {', '.join(named)}" if errors else "")


def _check_batch(folder: Path, pairs: list[tuple[str, str | None]], sets: tuple[str, ...],
                 fail_under: float | None, as_of: str | None, workers: int | None, engine: Engine,
                 lang_opt: str | None, record: bool = False) -> NoReturn:
    """`kepu check --batch`: every argument is checked before the first project is assessed."""
    from kepu_rules import batch, registry
    from kepu_rules.reports.ranking import FORMATS, render_ranking

    # One language for the whole ranking: projects may each name their own, so it is --lang, else zh.
    lang = _guess_lang(lang_opt)
    allowed = ("、" if lang == "zh" else ", ").join(FORMATS)
    for name, _ in pairs:
        if name in FORMATS:
            continue
        if name in registry.reporters():  # junit, github: they describe one project's rules, not a ranking
            msg = (f"--batch 输出的是排名，格式可选 {allowed}；{name} 只用于单个项目的报告" if lang == "zh" else
                   f"--batch writes a ranking, as {allowed}; {name!r} is a format of a single project's report")
        else:
            msg = (f"未知格式 {name!r}；--batch 的格式可选 {allowed}" if lang == "zh" else
                   f"unknown format {name!r}; with --batch choose from {allowed}")
        raise click.BadParameter(msg, param_hint="--format")
    params = _parse_sets(sets, lang)
    date = _parse_as_of(as_of, lang)
    if engine == "columnar":
        from kepu_rules.engine.backends import NEEDS_DUCKDB, columnar_available

        if not columnar_available():
            click.echo(NEEDS_DUCKDB.zh if lang == "zh" else NEEDS_DUCKDB.en, err=True)
            sys.exit(exitcodes.INPUT_ERROR)
    if not batch.find_projects(folder):
        click.echo(f"{folder} 下没有找到 kepu.yaml：--batch 评估其中每个含 kepu.yaml 的文件夹（每个区县一个项目），"
                   f"可用 kepu init 新建项目" if lang == "zh" else
                   f"no kepu.yaml found under {folder}: --batch assesses every folder in it that holds a kepu.yaml "
                   f"(one project per district); kepu init creates one", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    progress = _BatchProgress(lang, live=sys.stderr.isatty())
    started = time.monotonic()
    try:
        ranking = batch.assess_batch(folder, lang, progress, workers=workers or batch.DEFAULT_WORKERS,
                                     params=params, pass_mark=fail_under, as_of=date, engine=engine, record=record)
    finally:
        progress.clear()  # before the ranking reaches the same terminal, and on Ctrl-C
    for name, path in pairs:
        _emit(render_ranking(ranking, name, lang), path, lang)
    click.echo(_batch_summary(ranking, lang, time.monotonic() - started), err=True)
    if ranking.internal_errors:
        click.echo(_batch_internal_error(ranking, lang), err=True)
    sys.exit(batch.exit_code(ranking))


def _batch_internal_error(ranking: Ranking, lang: Lang) -> str:
    """The one line naming the projects whose assessment crashed, and the first crash file (the
    ranking's JSON has each project's)."""
    from kepu_rules.crash import internal_error_message

    crashed = ranking.internal_errors
    named = ("、" if lang == "zh" else ", ").join([d.folder for d in crashed[:5]] + (["…"] if len(crashed) > 5 else []))
    what = f"评估 {named} 时出错" if lang == "zh" else f"assessing {named} failed"
    first = crashed[0].internal_error
    return internal_error_message(what, Path(first) if first else None).render(lang)


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
@click.option("--strict", is_flag=True, help="Fail on warnings too (exit 1 when there are warnings but no errors).")
@_lang_option
def lint(paths: tuple[Path, ...], strict: bool, lang: str | None) -> None:
    """Check ruleset files: syntax, names, types, extends.

    \b
    Exit codes: 2 any error; 1 warnings only, with --strict; 0 otherwise.
    """
    from kepu_rules.dsl.checker import check
    from kepu_rules.engine.resolve import resolve

    seen: set[tuple[str, int | None, int | None, str, str]] = set()
    errors = warnings = files = 0
    langs: set[Lang] = set()
    for path in _kepu_files(paths):
        files += 1
        # Each file's diagnostics speak its own declared language unless --lang says otherwise.
        file_lang = _ruleset_lang(lang, path)
        langs.add(file_lang)
        found: list[Diagnostic] = []
        try:
            found = list(check(resolve(path)).warnings)
        except KepuError as err:
            found = err.diagnostics
        for d in found:
            key = (_same_file(d.location.path), d.location.line, d.location.column, d.code, d.message.en)
            if key in seen:
                # A base ruleset's problem is reported once, not once per file that extends it (whether
                # the file was named on the command line or reached as a built-in ruleset).
                continue
            seen.add(key)
            click.echo(d.render(file_lang), err=d.is_error)
            errors += d.is_error
            warnings += not d.is_error
    chosen = langs.pop() if len(langs) == 1 else _guess_lang(lang)
    if files == 0:
        click.echo("没有找到 .kepu 文件" if chosen == "zh" else "no .kepu files found", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    if chosen == "zh":
        click.echo(f"检查了 {files} 个文件：{errors} 个错误，{warnings} 个警告", err=bool(errors))
    else:
        click.echo(f"{files} file{'s' if files != 1 else ''} checked: {errors} error{'s' if errors != 1 else ''}, "
                   f"{warnings} warning{'s' if warnings != 1 else ''}", err=bool(errors))
    if errors:
        sys.exit(exitcodes.INPUT_ERROR)
    sys.exit(exitcodes.FAIL if strict and warnings else exitcodes.PASS)


def _same_file(path: str) -> str:
    """One spelling per file, so a ruleset reached by two paths is one file."""
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return path


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--check", "check_only", is_flag=True,
              help="Change nothing; print what would change as a diff and exit 1 if a file is not formatted.")
@click.option("--lang", "lang", type=click.Choice(["zh", "en"]), default=None,
              help="Keyword and function-name language of the output (default: the language of each file's "
                   "header keyword, function names as written); also the language of messages.")
def fmt(paths: tuple[Path, ...], check_only: bool, lang: str | None) -> None:
    """Rewrite ruleset files (or every *.kepu under a folder) in the canonical layout, keeping comments.

    Exit codes: 0 every file is formatted (or was rewritten); 1 with --check, some file is not formatted;
    2 a file cannot be read or parsed, or no .kepu file was found.
    """
    import difflib

    from kepu_rules.dsl.formatter import format_ruleset
    from kepu_rules.dsl.parse import parse_file

    chosen = _guess_lang(lang)
    changed: list[Path] = []
    files = 0
    for path in _kepu_files(paths):
        files += 1
        try:
            tree = parse_file(path)
        except KepuError as err:
            fail_with(err, _ruleset_lang(lang, path))
        # The file as it is: the parsed text has every line end made an LF, and CRLF or CR-only files
        # are not in the canonical layout.
        original = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
        formatted = format_ruleset(tree, lang)  # type: ignore[arg-type]
        if formatted == original:
            continue
        changed.append(path)
        if check_only:
            diff = difflib.unified_diff(original.splitlines(keepends=True), formatted.splitlines(keepends=True),
                                        f"{path}", f"{path} ({'格式化后' if chosen == 'zh' else 'formatted'})")
            click.echo("".join(line if line.endswith("\n") else line + "\n" for line in diff), nl=False)
        else:
            path.write_text(formatted, encoding="utf-8")
    if files == 0:
        click.echo("没有找到 .kepu 文件" if chosen == "zh" else "no .kepu files found", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    for path in changed:
        if chosen == "zh":
            click.echo(f"{'需要格式化' if check_only else '已格式化'} {path}", err=check_only)
        else:
            click.echo(f"{'would reformat' if check_only else 'reformatted'} {path}", err=check_only)
    same = files - len(changed)
    if chosen == "zh":
        verb = "需要格式化" if check_only else "已格式化"
        click.echo(f"{len(changed)} 个文件{verb}，{same} 个文件格式无需改动", err=True)
    else:
        verb = "would be reformatted" if check_only else "reformatted"
        click.echo(f"{len(changed)} file{'s' if len(changed) != 1 else ''} {verb}, "
                   f"{same} file{'s' if same != 1 else ''} left unchanged", err=True)
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
        located = locate_ruleset(str(path), Path.cwd())
        chosen = _ruleset_lang(lang, located)
        resolved = resolve(located)
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
    if lang is None and files:
        chosen = _test_file_lang(files[0])
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


def _test_file_lang(file: Path) -> Lang:
    """The language the ruleset a rule-test file names declares, else zh (a broken file is reported later)."""
    import yaml

    from kepu_rules.dsl.parse import declared_language_of
    from kepu_rules.engine.resolve import locate_ruleset

    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8-sig"))
        return declared_language_of(locate_ruleset(str(data["ruleset"]), file.parent)) or "zh"
    except (OSError, UnicodeDecodeError, yaml.YAMLError, TypeError, KeyError, KepuError):
        return "zh"


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
    problem = run(config, lang)
    if problem is not None:
        click.echo(problem, err=True)
        sys.exit(exitcodes.INTERNAL_ERROR)


def _add_history_commands() -> None:
    from kepu_rules.bulletin_cli import bulletin
    from kepu_rules.history_cli import diff_cmd, history

    cli.add_command(history)
    cli.add_command(diff_cmd)
    cli.add_command(bulletin)


_add_history_commands()


def _load_plugin_commands() -> None:
    from kepu_rules.plugins import get_plugin_manager

    get_plugin_manager().hook.register_commands(cli=cli)


def main() -> None:
    """The console script: plugin commands join the group before click parses the arguments."""
    from kepu_rules.gc_policy import defer_full_collections

    defer_full_collections()
    try:
        _load_plugin_commands()
    except Exception as err:  # a broken plugin: its traceback (in the crash file) says which one it was
        from kepu_rules.i18n import Msg

        internal_error(err, Msg("插件加载失败：", "a plugin failed to load: "))
    # Not click's standalone mode: it reports Ctrl-C as "Aborted!" with exit 1, which CI reads as
    # "fails the criteria".
    try:
        returned = cli.main(prog_name="kepu", standalone_mode=False)
    except click.exceptions.Abort as abort:
        if isinstance(abort.__cause__, KeyboardInterrupt):
            from kepu_rules.crash import lang_of
            from kepu_rules.i18n import Msg

            click.echo(Msg("已中断：未作出任何结论", "interrupted: nothing was decided").render(lang_of(sys.argv[1:])),
                       err=True)
            sys.exit(exitcodes.INTERRUPTED)
        click.echo("Aborted!", err=True)
        sys.exit(exitcodes.FAIL)
    except click.ClickException as err:  # usage errors: click's own message and exit code (2)
        err.show()
        sys.exit(err.exit_code)
    except Exception as exc:  # what is left is a bug, never a verdict
        internal_error(exc)
    # A command ends by sys.exit or ctx.exit (click returns the latter's code); a plain return is 0.
    sys.exit(returned if isinstance(returned, int) and not isinstance(returned, bool) else exitcodes.PASS)


def internal_error(exc: BaseException, during: Msg | None = None) -> NoReturn:
    """Write the crash file, print the one line that names it, exit 3."""
    from kepu_rules.crash import report_internal_error

    click.echo(report_internal_error(exc, during=during), err=True)
    sys.exit(exitcodes.INTERNAL_ERROR)


if __name__ == "__main__":
    main()
