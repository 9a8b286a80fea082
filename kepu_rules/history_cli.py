"""`kepu history` (list, backfill) and `kepu diff`: the project's recorded runs and what changed."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

import click

from kepu_rules import exitcodes
from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.i18n import Lang, Msg, normalize_lang

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
_MONTHS = re.compile(r"^(\d{4})-(\d{1,2})\.\.(\d{4})-(\d{1,2})$")


def _config_and_lang(config: Path | None, lang_opt: str | None) -> tuple[Any, Lang]:
    from kepu_rules.cli import fail_with
    from kepu_rules.config import find_config, load_config

    lang = normalize_lang(lang_opt, "zh")
    try:
        cfg = load_config(config if config is not None else find_config(Path(".")))
    except KepuError as err:
        fail_with(err, lang)
    return cfg, normalize_lang(lang_opt, cfg.language)


def _options(fn: Any) -> Any:
    fn = click.option("-c", "--config", "config", type=click.Path(path_type=Path), default=None,
                      help="The project file (default: kepu.yaml in the current folder).")(fn)
    return click.option("--lang", "lang", type=click.Choice(["zh", "en"]), default=None,
                        help="Language of messages (default: the project's).")(fn)


@click.group("history", invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@_options
@click.pass_context
def history(ctx: click.Context, config: Path | None, lang: str | None) -> None:
    """List the recorded runs (kepu check --record): date, verdict, score, gaps, change since the previous.

    Records live in the project's history folder (`history:` in kepu.yaml, default `history/`),
    one kepu-report/1 file per assessment date.
    """
    if ctx.invoked_subcommand is not None:
        return
    from kepu_rules.history.records import entries, load_record
    from kepu_rules.history.render import history_text

    cfg, chosen = _config_and_lang(config, lang)
    rows: list[tuple[str, Any, str]] = []
    for entry in entries(cfg.history_path):
        try:
            rows.append((entry.date.isoformat(), load_record(entry.path), ""))
        except KepuError as err:
            rows.append((entry.date.isoformat(), None, err.diagnostics[0].message.render(chosen)))
    click.echo(history_text(rows, chosen), nl=False)
    if any(r is None for _, r, _ in rows):
        sys.exit(exitcodes.INPUT_ERROR)


def _month_ends(text: str, last: dt.date, lang: Lang) -> list[dt.date]:
    found = _MONTHS.match(text.strip())
    bad = click.BadParameter(
        Msg(f"{text!r} 应写成 2026-01..2026-11（起止月份）", f"{text!r} should read like 2026-01..2026-11 (first..last month)")
        .render(lang), param_hint="--monthly")
    if not found:
        raise bad
    y1, m1, y2, m2 = map(int, found.groups())
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12) or (y1, m1) > (y2, m2):
        raise bad
    days: list[dt.date] = []
    y, m = y1, m1
    while (y, m) <= (y2, m2):
        end = dt.date(y, m, calendar.monthrange(y, m)[1])
        if dt.date(y, m, 1) <= last:
            days.append(min(end, last))  # the current month is rebuilt as of the assessment date
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return days


@history.command("backfill", context_settings=CONTEXT_SETTINGS)
@click.option("--monthly", "months", required=True, metavar="YYYY-MM..YYYY-MM",
              help="Rebuild the record of each month's last day (the current month: the assessment date).")
@click.option("--force", is_flag=True, help="Also replace records that were recorded at the time (not rebuilt).")
@click.option("--engine", type=click.Choice(["auto", "python", "columnar"]), default="auto", show_default=True)
@_options
def backfill(months: str, force: bool, engine: str, config: Path | None, lang: str | None) -> None:
    """Rebuild month-end records from today's ledgers with the time-true --as-of, marked as rebuilt.

    A month after the assessment date (kepu.yaml's as_of, else today) is skipped; a record made at the
    time is kept unless --force.
    """
    from kepu_rules.cli import fail_with
    from kepu_rules.engine.assess import assess
    from kepu_rules.history.records import entries, load_record, write_record

    cfg, chosen = _config_and_lang(config, lang)
    existing = {e.date: e.path for e in entries(cfg.history_path)}
    for day in _month_ends(months, cfg.as_of, chosen):
        if day in existing and not force:
            try:
                kept = load_record(existing[day])
            except KepuError:
                kept = None
            if kept is not None and not (kept.record and kept.record.rebuilt):
                click.echo(Msg(f"{day}  保留当时的记录 {existing[day].name}（--force 可替换）",
                               f"{day}  kept the record made at the time, {existing[day].name} (--force replaces it)")
                           .render(chosen))
                continue
        try:
            report = assess(cfg.model_copy(update={"as_of": day}), engine=engine).report(chosen)  # type: ignore[arg-type]
        except KepuError as err:
            fail_with(err, chosen)
        try:
            path = write_record(report, cfg.history_path, cfg.base_dir, rebuilt=True)
        except OSError as err:  # a read-only folder, a full disk: the history folder is the user's to fix
            click.echo(Msg(f"无法写入记录 {cfg.history_path}：{err.strerror or err}",
                           f"cannot write the record to {cfg.history_path}: {err.strerror or err}").render(chosen), err=True)
            sys.exit(exitcodes.INPUT_ERROR)
        s = report.summary
        click.echo(Msg(f"{day}  重建 {path.relative_to(cfg.base_dir).as_posix()}  得分 {s.score:g} / {s.max_score:g}",
                       f"{day}  rebuilt {path.relative_to(cfg.base_dir).as_posix()}  score {s.score:g} / {s.max_score:g}")
                   .render(chosen))


def _resolve(ref: str, cfg: Any, lang: Lang, engine: str) -> Any:
    """A record date, a report file, or `now` (the assessment run now)."""
    from kepu_rules.engine.assess import assess
    from kepu_rules.history.records import entries, load_record

    if ref == "now":
        return assess(cfg, engine=engine).report(lang)  # type: ignore[arg-type]
    try:
        day = dt.date.fromisoformat(ref)
    except ValueError:
        return load_record(Path(ref))
    found = {e.date: e.path for e in entries(cfg.history_path)}
    if day not in found:
        dates = "、".join(d.isoformat() for d in sorted(found)) or "（无）"
        dates_en = ", ".join(d.isoformat() for d in sorted(found)) or "(none)"
        raise KepuError([Diagnostic(Location(str(cfg.history_path)),
                                    Msg(f"没有 {ref} 的记录；已有：{dates}", f"no record of {ref}; recorded: {dates_en}"),
                                    hint=Msg(f"先运行 kepu check --as-of {ref} --record", f"run kepu check --as-of {ref} --record first"),
                                    code="record-missing")])
    return load_record(found[day])


@click.command("diff", context_settings=CONTEXT_SETTINGS)
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("-f", "--format", "fmt", default="text", metavar="text|json|markdown|html[:FILE]", help="Output format, optionally to FILE.")
@click.option("--by", default="街道", show_default=True, metavar="ENTITY", help="Count open items by this entity.")
@click.option("--engine", type=click.Choice(["auto", "python", "columnar"]), default="auto", show_default=True)
@_options
def diff_cmd(old: str | None, new: str | None, fmt: str, by: str, engine: str, config: Path | None, lang: str | None) -> None:
    """What changed between two runs: OLD and NEW are each a record date (2026-08-31), a report file, or
    `now`. Without them: the two latest records; with OLD only: OLD against the latest record.

    Shows the rules newly passing or failing, the items fixed and newly failing per rule (by key), the
    score change overall, per section, per owner and per street, and changed params or ruleset.
    """
    from kepu_rules.cli import _emit, fail_with
    from kepu_rules.history.diff import diff
    from kepu_rules.history.records import entries
    from kepu_rules.history.render import diff_html, diff_json, diff_markdown, diff_text

    cfg, chosen = _config_and_lang(config, lang)
    name, _, path = fmt.partition(":")
    if name not in ("text", "json", "markdown", "html"):
        raise click.BadParameter(Msg(f"未知格式 {name!r}：可用 text、json、markdown、html",
                                     f"unknown format {name!r}: use text, json, markdown or html")
                                 .render(chosen), param_hint="--format")
    try:
        if old is None or new is None:
            recorded = [e.date.isoformat() for e in entries(cfg.history_path)]
            if old is None:
                if len(recorded) < 2:
                    raise KepuError([Diagnostic(Location(str(cfg.history_path)), Msg(
                        f"至少需要两条记录才能比较（现有 {len(recorded)} 条）",
                        f"two records are needed to compare (there are {len(recorded)})"),
                        hint=Msg("运行 kepu check --record，或 kepu history backfill --monthly 2026-01..2026-11，或写出 OLD NEW",
                                 "run kepu check --record, or kepu history backfill --monthly 2026-01..2026-11, or give OLD NEW"),
                        code="too-few-records")])
                old, new = recorded[-2], recorded[-1]
            else:
                new = recorded[-1] if recorded else "now"
        before, after = _resolve(old, cfg, chosen, engine), _resolve(new, cfg, chosen, engine)
    except KepuError as err:
        fail_with(err, chosen)
    result = diff(before, after, by)
    render = {"json": lambda: diff_json(result), "markdown": lambda: diff_markdown(result, chosen),
              "html": lambda: diff_html(result, chosen),
              "text": lambda: diff_text(result, chosen)}[name]
    _emit(render(), path or None, chosen)
