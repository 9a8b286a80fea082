"""Assess many district projects at once and rank them (the province's 打分排序).

`assess_batch(folder)` finds every project under `folder` (a folder with a kepu.yaml), assesses each
one exactly as `kepu check` would, and ranks them:

1. by verdict: pass, then incomplete (nothing is known to fail, but a veto or required rule could not
   be checked), then fail; projects whose input is wrong (config, ruleset or data errors) come last,
   unranked, with their diagnostics;
2. then by score as a percentage of the maximum, higher first;
3. then by fewer veto failures; ties are broken by folder name, so the order is always the same.

Over time: each project's latest record before its assessment date (its history folder, `kepu check
--record`) is its previous position. A district's line carries that record's score, and its rank among
the districts' previous records, so a ranking shows who moved up or down and by how much. With
`record`, each project's run is kept in its history folder as `kepu check --record` does.

A project with input errors never stops the batch: it is listed with its diagnostics. Projects are
assessed in up to `workers` processes (default 2); the result does not depend on the number of
workers or on which finishes first. The ranking holds no timestamps, so it is reproducible.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kepu_rules.i18n import Lang
from kepu_rules.reports.model import DiagnosticInfo, Report, RuleResult, Severity, Status

if TYPE_CHECKING:
    from kepu_rules.engine.backends import Engine

RANKING_SCHEMA = "kepu-ranking/1"
CONFIG_NAMES = ("kepu.yaml", "kepu.yml")

RankVerdict = Literal["pass", "incomplete", "fail", "error"]
"""A project's verdict in a ranking: the assessment's verdict, or `error` when its input is wrong."""

VERDICT_ORDER: dict[str, int] = {"pass": 0, "incomplete": 1, "fail": 2, "error": 3}
GAP_LIMIT = 3
DEFAULT_WORKERS = 2
"""Worker processes when none are asked for: `kepu check --batch` shows it in --help (its test checks that)."""

_SEVERITY_ORDER = {Severity.VETO: 0, Severity.REQUIRED: 1, Severity.SCORED: 2, Severity.ADVISORY: 3}
_GAP_STATUSES = (Status.FAIL, Status.WARN, Status.UNKNOWN, Status.ERROR)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RankedGap(_Model):
    """One of a district's biggest gaps: the points it misses and how to repair it."""

    id: str
    title: str
    section: str = ""
    status: Status
    severity: Severity
    points: float
    max_points: float
    missing: float  # max_points - points
    repair: str = ""  # the minimal repair, else the rule's hint
    owner: str | None = None


class PreviousRecord(_Model):
    """Where a district stood at its previous record (the latest one before this assessment's date)."""

    as_of: date
    verdict: RankVerdict
    score: float
    max_score: float
    percent: float
    veto_failures: int = 0
    rebuilt: bool = False
    rank: int | None = None  # among the districts' previous records


class RankedDistrict(_Model):
    """One project's line in the ranking."""

    rank: int | None = None  # None: not ranked (its input is wrong)
    district: str
    folder: str  # relative to the batch folder ("." for the folder itself)
    verdict: RankVerdict
    score: float | None = None
    max_score: float | None = None
    percent: float | None = None  # score / max_score × 100, rounded to 2 decimals
    pass_mark: float | None = None
    as_of: date | None = None
    ruleset: str | None = None
    veto_failures: list[str] = Field(default_factory=list)
    required_failures: list[str] = Field(default_factory=list)
    incomplete: list[str] = Field(default_factory=list)  # veto/required rules that could not be checked
    gaps: list[RankedGap] = Field(default_factory=list)  # the biggest gaps by points missing
    counts: dict[str, int] = Field(default_factory=dict)  # rules by status
    diagnostics: list[DiagnosticInfo] = Field(default_factory=list)  # why the input is wrong
    #: Set when assessing this project met an internal error (a bug, not its input): the file holding
    #: the traceback and the versions (kepu_rules.crash), or "" when none could be written.
    internal_error: str | None = None
    previous: PreviousRecord | None = None  # None: no record before this assessment's date
    #: Since the previous record: places gained (positive: moved up), and percent points gained (a
    #: percent, not points: the two runs may have different maxima). None without a previous record.
    rank_change: int | None = None
    score_change: float | None = None

    def sort_key(self) -> tuple[int, float, int, str]:
        return (VERDICT_ORDER[self.verdict], -(self.percent if self.percent is not None else -1.0),
                len(self.veto_failures), self.folder)


class RankingSummary(_Model):
    total: int = 0
    verdicts: dict[str, int] = Field(default_factory=dict)  # pass / incomplete / fail / error → projects


class Ranking(_Model):
    """Every project under a folder, ranked. Versioned like the report (`kepu-ranking/1`)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: str = Field(default=RANKING_SCHEMA, alias="schema")
    lang: Lang = "zh"
    folder: str
    ruleset: str | None = None  # the title of the ruleset most projects use
    summary: RankingSummary = Field(default_factory=RankingSummary)
    districts: list[RankedDistrict] = Field(default_factory=list)

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(by_alias=True, indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> Ranking:
        return cls.model_validate_json(text)

    @property
    def all_pass(self) -> bool:
        return bool(self.districts) and all(d.verdict == "pass" for d in self.districts)

    @property
    def has_errors(self) -> bool:
        return any(d.verdict == "error" for d in self.districts)

    @property
    def internal_errors(self) -> list[RankedDistrict]:
        """The projects whose assessment met an internal error (a bug, not their input)."""
        return [d for d in self.districts if d.internal_error is not None]


ProgressCallback = Callable[[int, int, RankedDistrict], None]
"""Called in the parent process after each project: (projects done, projects in all, its entry)."""


# --- finding projects ----------------------------------------------------------------------------


def _config_in(folder: Path) -> Path | None:
    for name in CONFIG_NAMES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def find_projects(folder: Path) -> list[Path]:
    """The project folders under `folder`, sorted by path: every folder that holds a kepu.yaml.

    The search does not descend into a project (its dossier is not searched) nor into hidden folders.
    `folder` itself counts when it holds a kepu.yaml.
    """
    found: list[Path] = []
    for top, dirs, _files in os.walk(folder):
        here = Path(top)
        if _config_in(here) is not None:
            found.append(here)
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


# --- one project ---------------------------------------------------------------------------------


def _diagnostic_info(d: Any, lang: Lang) -> DiagnosticInfo:
    return DiagnosticInfo(location=d.location.render(), severity=d.severity, message=d.message.render(lang),
                          text=d.render(lang))


def _gaps(report: Report, limit: int = GAP_LIMIT) -> list[RankedGap]:
    """The rules that need work, the most points missing first (then veto, required, ...; then id)."""
    todo: list[RuleResult] = [r for r in report.results if r.status in _GAP_STATUSES]
    todo.sort(key=lambda r: (-(r.max_points - r.points), _SEVERITY_ORDER[r.severity], r.id))
    return [RankedGap(id=r.id, title=r.title if report.lang == "zh" or not r.title_en else r.title_en,
                      section=r.section, status=r.status, severity=r.severity, points=r.points,
                      max_points=r.max_points, missing=round(r.max_points - r.points, 2),
                      repair=r.repair or r.hint or "", owner=r.owner) for r in todo[:limit]]


def _previous(report: Report) -> PreviousRecord:
    s = report.summary
    return PreviousRecord(as_of=report.as_of, verdict=s.verdict.value, score=s.score, max_score=s.max_score,
                          percent=round(s.score / s.max_score * 100, 2) if s.max_score else 0.0,
                          veto_failures=len(s.veto_failures), rebuilt=bool(report.record and report.record.rebuilt))


def _over_time(report: Report, cfg: Any, record: bool, lang: Lang) -> tuple[PreviousRecord | None, list[DiagnosticInfo]]:
    """The project's previous record, and the run kept as a record when asked. A record that cannot be
    read is a warning (the district is ranked without its previous position); a record that cannot be
    written is an error (asked for and not done: exit 2), the district still ranked."""
    from dataclasses import replace

    from kepu_rules.diagnostics import Diagnostic, KepuError, Location
    from kepu_rules.history.records import entries, load_record, write_record
    from kepu_rules.i18n import Msg

    found: list[DiagnosticInfo] = []
    previous: PreviousRecord | None = None
    before = [e for e in entries(cfg.history_path) if e.date < report.as_of]
    if before:
        try:
            previous = _previous(load_record(before[-1].path))
        except KepuError as err:
            found += [_diagnostic_info(replace(d, severity="warning"), lang) for d in err.diagnostics]
    if record:
        try:
            write_record(report, cfg.history_path, cfg.base_dir)
        except OSError as err:
            d = Diagnostic(Location(str(cfg.history_path)),
                           Msg(f"无法写入记录：{err.strerror or err}", f"cannot write the record: {err.strerror or err}"),
                           code="record-unwritable")
            found.append(_diagnostic_info(d, lang))
    return previous, found


def entry_from_report(report: Report, folder: str) -> RankedDistrict:
    """A project's line from its report."""
    s = report.summary
    percent = round(s.score / s.max_score * 100, 2) if s.max_score else 0.0
    return RankedDistrict(
        district=report.district or folder, folder=folder, verdict=s.verdict.value,
        score=s.score, max_score=s.max_score, percent=percent, pass_mark=s.pass_mark, as_of=report.as_of,
        ruleset=report.ruleset.title, veto_failures=list(s.veto_failures),
        required_failures=list(s.required_failures), incomplete=list(s.incomplete), gaps=_gaps(report),
        counts=dict(sorted(s.counts.items())))


def _error_entry(folder: str, district: str, diagnostics: list[DiagnosticInfo]) -> RankedDistrict:
    return RankedDistrict(district=district, folder=folder, verdict="error", diagnostics=diagnostics)


def _district_name(project: Path) -> str:
    """The district named in kepu.yaml, read leniently (the file may be the one with the error)."""
    config = _config_in(project)
    if config is not None:
        try:
            import yaml

            data = yaml.safe_load(config.read_text(encoding="utf-8-sig"))
            if isinstance(data, dict) and isinstance(data.get("district"), str) and data["district"].strip():
                return str(data["district"]).strip()
        except Exception:
            pass
    return project.name


def assess_project(project: Path, lang: Lang = "zh", folder: str | None = None,
                   params: Mapping[str, str] | None = None, pass_mark: float | None = None,
                   as_of: date | None = None, engine: Engine = "auto", record: bool = False) -> RankedDistrict:
    """Assess one project; wrong input (and any failure of ours) becomes an `error` entry, never an exception.

    The entry carries the project's previous record; with `record` the run is kept as a record."""
    from kepu_rules.config import load_config
    from kepu_rules.diagnostics import Diagnostic, KepuError, Location
    from kepu_rules.engine.assess import assess
    from kepu_rules.i18n import Msg

    shown = folder if folder is not None else str(project)
    try:
        config = _config_in(project)
        if config is None:
            raise KepuError(Diagnostic(Location(str(project / CONFIG_NAMES[0])),
                                       Msg("找不到 kepu.yaml", "no kepu.yaml in this folder")))
        cfg = load_config(config)
        if as_of is not None:
            cfg = cfg.model_copy(update={"as_of": as_of})
        report = assess(cfg, params=params or {}, engine=engine).report(lang, pass_mark)
        previous, notes = _over_time(report, cfg, record, lang)
        return entry_from_report(report, shown).model_copy(update={"previous": previous, "diagnostics": notes})
    except KepuError as err:
        infos = [_diagnostic_info(d, lang) for d in err.diagnostics if d.is_error] or \
                [_diagnostic_info(d, lang) for d in err.diagnostics]
        return _error_entry(shown, _district_name(project), infos)
    except Exception as exc:  # a bug of ours or a plugin's: listed against this project, the batch goes on
        from kepu_rules.crash import internal_error_message, summary, write_crash_file

        path = write_crash_file(exc, project)
        d = Diagnostic(Location(str(project)), internal_error_message(summary(exc), path), code="internal-error")
        entry = _error_entry(shown, _district_name(project), [_diagnostic_info(d, lang)])
        return entry.model_copy(update={"internal_error": str(path) if path is not None else ""})


_Job = tuple[str, str, Lang, dict[str, str], float | None, date | None, "Engine", bool]


def _assess_job(job: _Job) -> RankedDistrict:
    import gc

    project, folder, lang, params, pass_mark, as_of, engine, record = job
    # No automatic collection while a project is assessed, one full collection after it: a project's
    # garbage is what it leaves at the end, so the young-generation collections that would run every
    # few hundred allocations find next to nothing (without them: 146-158 ms per province project
    # instead of 156-172, the same peak memory).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return assess_project(Path(project), lang, folder, params, pass_mark, as_of, engine, record)
    finally:
        # `kepu` defers full collections (kepu_rules.gc_policy); one per project keeps a worker that
        # assesses dozens of them at the size of one. What survives the first project (modules, the
        # checked ruleset, caches) lives as long as the worker: frozen, later collections skip it
        # (a full collection per province project: 23 ms before, under 1 ms after).
        gc.collect()
        if enabled:
            gc.enable()
        global _frozen
        if not _frozen:
            gc.freeze()
            _frozen = True


_frozen = False  # whether this process has frozen its long-lived objects


# --- the batch -----------------------------------------------------------------------------------


def rank(entries: Sequence[RankedDistrict]) -> list[RankedDistrict]:
    """Entries sorted and numbered 1..n; `error` entries last and unnumbered. The districts with a
    previous record are ranked the same way by it, which gives each its previous rank."""
    ordered = sorted(entries, key=RankedDistrict.sort_key)
    before = sorted((e for e in ordered if e.verdict != "error" and e.previous is not None),
                    key=lambda e: (VERDICT_ORDER[e.previous.verdict], -e.previous.percent,  # type: ignore[union-attr]
                                   e.previous.veto_failures, e.folder))  # type: ignore[union-attr]
    previous_rank = {e.folder: i for i, e in enumerate(before, 1)}
    out = []
    n = 0
    for e in ordered:
        if e.verdict == "error":
            out.append(e.model_copy(update={"rank": None}))
        else:
            n += 1
            update: dict[str, Any] = {"rank": n}
            if e.previous is not None:
                update["previous"] = e.previous.model_copy(update={"rank": previous_rank[e.folder]})
                update["rank_change"] = previous_rank[e.folder] - n
                update["score_change"] = round((e.percent or 0.0) - e.previous.percent, 2)
            out.append(e.model_copy(update=update))
    return out


def _pool(workers: int) -> ProcessPoolExecutor:
    import multiprocessing

    # fork is fast (no re-import, the parsed ruleset cache is inherited) and safe here: the parent
    # runs no threads. Elsewhere (macOS, Windows) the platform's default start method is used.
    context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def assess_batch(folder: Path, lang: Lang = "zh", progress: ProgressCallback | None = None, *,
                 workers: int = DEFAULT_WORKERS, params: Mapping[str, str] | None = None, pass_mark: float | None = None,
                 as_of: date | None = None, engine: Engine = "auto", record: bool = False) -> Ranking:
    """Assess every project under `folder` and rank them. Never raises for a project's wrong input.

    `params` (`--set`), `pass_mark` (`--fail-under`), `as_of` (`--as-of`) and `engine` (`--engine`)
    apply to every project.
    `workers` > 1 assesses projects in that many processes. `record` keeps each project's run in its
    history folder (`kepu check --record`).
    """
    projects = find_projects(folder)
    jobs: list[_Job] = [(str(p), p.relative_to(folder).as_posix() or ".", lang, dict(params or {}), pass_mark, as_of,
                         engine, record) for p in projects]
    total = len(jobs)
    results: list[RankedDistrict | None] = [None] * total

    def done(i: int, entry: RankedDistrict, count: int) -> None:
        results[i] = entry
        if progress is not None:
            progress(count, total, entry)

    if workers <= 1 or total <= 1:
        for i, job in enumerate(jobs):
            done(i, _assess_job(job), i + 1)
    else:
        from concurrent.futures import as_completed

        with _pool(min(workers, total)) as pool:
            futures: dict[Future[RankedDistrict], int] = {pool.submit(_assess_job, job): i for i, job in enumerate(jobs)}
            for count, future in enumerate(as_completed(futures), 1):
                i = futures[future]
                try:
                    entry = future.result()
                except Exception as exc:  # the worker process died (killed, out of memory)
                    entry = _worker_died(jobs[i], exc)
                done(i, entry, count)
    entries = [e for e in results if e is not None]
    ranked = rank(entries)
    verdicts: dict[str, int] = {}
    for e in ranked:
        verdicts[e.verdict] = verdicts.get(e.verdict, 0) + 1
    rulesets = [e.ruleset for e in ranked if e.ruleset]
    common = max(sorted(set(rulesets)), key=rulesets.count) if rulesets else None
    return Ranking(lang=lang, folder=str(folder), ruleset=common,
                   summary=RankingSummary(total=len(ranked), verdicts=dict(sorted(verdicts.items(),
                                                                                  key=lambda kv: VERDICT_ORDER[kv[0]]))),
                   districts=ranked)


def _worker_died(job: _Job, exc: BaseException) -> RankedDistrict:
    from kepu_rules.crash import internal_error_message, write_crash_file
    from kepu_rules.diagnostics import Diagnostic, Location
    from kepu_rules.i18n import Msg

    project, folder, lang = job[0], job[1], job[2]
    path = write_crash_file(exc, Path(project))
    died = Msg(f"评估进程异常退出：{exc}", f"the assessing process died: {exc}")
    d = Diagnostic(Location(project), internal_error_message(died.render(lang), path), code="internal-error")
    entry = _error_entry(folder, _district_name(Path(project)), [_diagnostic_info(d, lang)])
    return entry.model_copy(update={"internal_error": str(path) if path is not None else ""})


def exit_code(ranking: Ranking) -> int:
    """The exit code of `kepu check --batch`: 3 if assessing any project met an internal error, else 2
    if any project's input is wrong, else 0 if every district passes, else 1 (no project at all is
    wrong input too: 2)."""
    from kepu_rules import exitcodes

    if ranking.internal_errors:
        return exitcodes.INTERNAL_ERROR
    # A ranked district with an error diagnostic: its run could not be recorded as asked (--record).
    unwritten = any(x.severity == "error" for d in ranking.districts if d.verdict != "error" for x in d.diagnostics)
    if not ranking.districts or ranking.has_errors or unwritten:
        return exitcodes.INPUT_ERROR
    return exitcodes.PASS if ranking.all_pass else exitcodes.FAIL
