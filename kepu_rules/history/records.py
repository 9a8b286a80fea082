"""Recorded runs: a project's kepu-report/1 documents kept one per assessment date in its history folder.

A record is the JSON report and nothing more, written so git shows only what changed: keys sorted,
indented, paths relative to the project (a ruleset outside it by its file name alone), `generated_at`
left empty; the one field that changes on every run is `record.recorded_at`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.i18n import Msg
from kepu_rules.reports.model import REPORT_SCHEMA, RecordInfo, Report

SUFFIX = ".json"


@dataclass(frozen=True, slots=True)
class Entry:
    """One record file of the history folder."""

    date: dt.date
    path: Path


def record_text(report: Report, project: Path, *, rebuilt: bool, now: dt.datetime | None = None) -> str:
    """The record of a report as written to disk (see the module's docstring)."""
    from kepu_rules import __version__

    stamped = report.model_copy(update={
        "generated_at": "",
        "record": RecordInfo(recorded_at=(now or dt.datetime.now()).isoformat(timespec="seconds"), rebuilt=rebuilt,
                             kepu_version=__version__)})
    data = json.loads(stamped.to_json(indent=None))
    prefixes = _prefixes(project, report.ruleset.path)
    return json.dumps(_portable(data, prefixes), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_record(report: Report, folder: Path, project: Path, *, rebuilt: bool = False) -> Path:
    """Keep a report in the history folder as <as_of>.json (replacing a record of the same date)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{report.as_of.isoformat()}{SUFFIX}"
    path.write_text(record_text(report, project, rebuilt=rebuilt), encoding="utf-8")
    return path


def entries(folder: Path) -> list[Entry]:
    """The records of a history folder, oldest first (files not named like a date are not records)."""
    found: list[Entry] = []
    if folder.is_dir():
        for path in folder.glob(f"*{SUFFIX}"):
            try:
                found.append(Entry(dt.date.fromisoformat(path.stem), path))
            except ValueError:
                continue
    return sorted(found, key=lambda e: e.date)


def load_record(path: Path) -> Report:
    """A record or any kepu-report/1 file; raises KepuError (exit 2) for anything else."""
    where = Location(str(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KepuError([Diagnostic(where, Msg("找不到记录文件", "no such record file"), code="record-missing")]) from None
    except (OSError, UnicodeDecodeError) as err:
        raise KepuError([Diagnostic(where, Msg(f"无法读取记录：{err}", f"cannot read the record: {err}"),
                                    code="record-unreadable")]) from None
    except json.JSONDecodeError as err:
        raise KepuError([Diagnostic(Location(str(path), err.lineno, err.colno),
                                    Msg(f"记录不是有效的 JSON：{err.msg}", f"the record is not valid JSON: {err.msg}"),
                                    code="record-not-json")]) from None
    schema = data.get("schema") if isinstance(data, dict) else None
    if schema != REPORT_SCHEMA:
        shown = "（无）" if schema is None else str(schema)
        raise KepuError([Diagnostic(
            where, Msg(f"记录的格式是 {shown}，本版 kepu 只能读取 {REPORT_SCHEMA}",
                       f"the record's format is {schema or '(none)'}; this kepu reads {REPORT_SCHEMA} only"),
            hint=Msg("用写出它的 kepu 版本读取，或用 kepu history backfill 重建该日期的记录",
                     "read it with the kepu that wrote it, or rebuild that date with kepu history backfill"),
            code="record-schema")])
    from pydantic import ValidationError

    try:
        return Report.model_validate({k: v for k, v in data.items() if k in _KNOWN})
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise KepuError([Diagnostic(
            where, Msg(f"记录不完整或已损坏：{field}：{first['msg']}", f"the record is incomplete or damaged: {field}: {first['msg']}"),
            code="record-invalid")]) from None


#: Top-level fields this kepu knows; a newer kepu-report/1 may add others, which a reader ignores.
_KNOWN = frozenset({"schema", *Report.model_fields, *(f.alias for f in Report.model_fields.values() if f.alias)})


def _prefixes(project: Path, ruleset: str) -> list[tuple[str, str]]:
    """Absolute prefixes to write relative to the project: the project itself, then the ruleset's folder."""
    base = project.resolve()
    found = [(str(base) + os.sep, "")]
    if ruleset:
        folder = Path(ruleset).resolve().parent
        if not folder.is_relative_to(base):
            # A ruleset outside the project (a built-in one, or shared) is named by its file alone: where
            # it is installed differs from machine to machine.
            found.append((str(folder) + os.sep, ""))
    return found


def _portable(value: Any, prefixes: list[tuple[str, str]]) -> Any:
    if isinstance(value, dict):
        return {k: _portable(v, prefixes) for k, v in value.items()}
    if isinstance(value, list):
        return [_portable(v, prefixes) for v in value]
    if isinstance(value, str):
        for prefix, relative in prefixes:
            value = value.replace(prefix, relative)
    return value
