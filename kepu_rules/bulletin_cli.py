"""`kepu bulletin`: the monthly 通报 from the project's records, as text, Markdown, HTML or Word (.docx)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from kepu_rules import exitcodes
from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.i18n import Lang, Msg

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
FORMATS = ("text", "markdown", "html", "docx")


@click.command("bulletin", context_settings=CONTEXT_SETTINGS)
@click.option("-f", "--format", "fmt", default="text", metavar="text|markdown|html|docx[:FILE]",
              help="Output format, optionally to FILE; docx needs a FILE (docx:通报.docx).")
@click.option("--date", "day", default=None, metavar="DATE",
              help="The record to report on (default: the latest; without records, a run now).")
@click.option("--engine", type=click.Choice(["auto", "python", "columnar"]), default="auto", show_default=True)
@click.option("-c", "--config", "config", type=click.Path(path_type=Path), default=None,
              help="The project file (default: kepu.yaml in the current folder).")
@click.option("--lang", "lang", type=click.Choice(["zh", "en"]), default=None,
              help="Language of the bulletin (default: the project's).")
def bulletin(fmt: str, day: str | None, engine: str, config: Path | None, lang: str | None) -> None:
    """The monthly progress report (通报) from the recorded runs: title and number from kepu.yaml's
    `bulletin:`, the progress since the previous record, the streets ranked with their change in rank,
    each street's fixed and open items with owners and due dates, rules that got worse, and the score
    over the recorded months (a chart in html).

    Exit codes: 0 written; 2 the input is wrong (a record that cannot be read, an unknown date or format).
    """
    from kepu_rules.cli import _emit, fail_with
    from kepu_rules.engine.assess import assess
    from kepu_rules.engine.reach import reach
    from kepu_rules.history import bulletin_render as render
    from kepu_rules.history.bulletin import build
    from kepu_rules.history.bulletin_doc import layout
    from kepu_rules.history.records import entries, load_record
    from kepu_rules.history_cli import _config_and_lang

    cfg, chosen = _config_and_lang(config, lang)
    name, _, path = fmt.partition(":")
    if name not in FORMATS:
        raise click.BadParameter(Msg(f"未知格式 {name!r}：可用 text、markdown、html、docx",
                                     f"unknown format {name!r}: use text, markdown, html or docx").render(chosen),
                                 param_hint="--format")
    if name == "docx" and not path:
        raise click.BadParameter(Msg("docx 要写入文件，例如 --format docx:通报.docx",
                                     "docx is written to a file, e.g. --format docx:通报.docx").render(chosen),
                                 param_hint="--format")
    settings = cfg.bulletin
    try:
        records = [(e.date, load_record(e.path)) for e in entries(cfg.history_path)]
        now = assess(cfg, engine=engine)  # type: ignore[arg-type]
        if settings.by not in now.ruleset.schema.entities:
            raise KepuError([cfg.diagnostic(("bulletin", "by"), Msg(
                f"`bulletin.by` 的 `{settings.by}` 不是 schema 中的实体", f"`bulletin.by` `{settings.by}` is not an entity of the schema"),
                hint=Msg("实体有：" + "、".join(now.ruleset.schema.entities),
                         "entities: " + ", ".join(now.ruleset.schema.entities)))])
        current, from_records = _current(records, day, now, chosen, cfg)
    except KepuError as err:
        fail_with(err, chosen)
    keys, reached = reach(now, settings.by)
    made = build(records, current, settings, chosen, keys, reached, from_records=from_records)
    blocks = layout(made, chosen)
    if name == "docx":
        _write_bytes(render.docx(blocks, chosen), path, chosen)
        click.echo(Msg(f"已写入 {path}", f"written: {path}").render(chosen), err=True)
        return
    out = {"text": render.text, "markdown": render.markdown, "html": render.html}[name](blocks, chosen)
    _emit(out, path or None, chosen)


def _current(records: list[tuple[dt.date, Any]], day: str | None, now: Any, lang: Lang, cfg: Any) -> tuple[Any, bool]:
    """The record to report on: --date's, else the latest; without records, the run now."""
    if day is None:
        return (records[-1][1], True) if records else (now.report(lang), False)
    try:
        wanted = dt.date.fromisoformat(day)
    except ValueError:
        raise click.BadParameter(Msg(f"{day!r} 不是日期（应为 2026-11-22 这样的形式）",
                                     f"{day!r} is not a date (write it like 2026-11-22)").render(lang),
                                 param_hint="--date") from None
    found = dict(records)
    if wanted not in found:
        dates = [d.isoformat() for d in sorted(found)]
        raise KepuError([Diagnostic(Location(str(cfg.history_path)),
                                    Msg(f"没有 {day} 的记录；已有：{'、'.join(dates) or '（无）'}",
                                        f"no record of {day}; recorded: {', '.join(dates) or '(none)'}"),
                                    hint=Msg(f"先运行 kepu check --as-of {day} --record",
                                             f"run kepu check --as-of {day} --record first"), code="record-missing")])
    return found[wanted], True


def _write_bytes(data: bytes, path: str, lang: Lang) -> None:
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as err:  # a read-only folder, a full disk, the file open in Word: the user's to fix
        click.echo(f"无法写入 {path}：{err.strerror or err}" if lang == "zh" else
                   f"cannot write {path}: {err.strerror or err}", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
