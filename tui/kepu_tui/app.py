"""The Textual app: runs the assessment in a worker, watches the project's files, and feeds the screens."""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, get_current_worker

from kepu_rules.crash import internal_error_message, summary, write_crash_file
from kepu_rules.diagnostics import KepuError
from kepu_rules.i18n import Lang, normalize_lang
from kepu_rules.reports.model import Report, Status
from kepu_tui.collect import IdleCollector
from kepu_tui.screens.help import HelpScreen
from kepu_tui.screens.item import ItemScreen
from kepu_tui.screens.main import MainScreen
from kepu_tui.widgets.filter_bar import GAPS, Filters
from kepu_tui.widgets.labels import t
from kepu_tui.widgets.rule_detail import RuleDetail
from kepu_tui.widgets.rule_tree import rule_title

if TYPE_CHECKING:
    from kepu_rules.engine.assess import Assessment
    from kepu_rules.reports.model import ItemResult

#: A file's state as the watcher sees it: (mtime in ns, size), or None when it does not exist.
FileState = tuple[int, int] | None


def file_signature(paths: Iterable[Path]) -> dict[str, FileState]:
    """The state of every watched file; folders are walked, so a new photo in the dossier counts.

    Polling mtimes needs no extra dependency and works the same on every platform and file system
    (network drives included, where change notifications often do not arrive).
    """
    states: dict[str, FileState] = {}
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in [".", *sorted(files)]:
                    states[os.path.join(root, name)] = _state(Path(root, name))
        else:
            states[str(path)] = _state(path)
    return states


def _state(path: Path) -> FileState:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def changed_statuses(old: Report | None, new: Report) -> dict[str, Status]:
    """Rules whose status differs from the previous report, with their old status (new rules: absent)."""
    if old is None:
        return {}
    before = {r.id: r.status for r in old.results}
    return {r.id: before[r.id] for r in new.results if r.id in before and before[r.id] != r.status}


def highlight(matcher: Matcher, text: str) -> Content:
    """`text` with the matched letters marked, as plain text: `Matcher.highlight` reads its argument as
    markup, so a rule titled `[/]…` would crash the palette and `[a]` would vanish from it."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if score:
        for offset in offsets:
            if not text[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class RuleCommands(Provider):
    """Command-palette entries that jump to a rule by id or title."""

    async def search(self, query: str) -> Hits:
        app = self.app
        if not isinstance(app, KepuApp) or app.report is None:
            return
        matcher = self.matcher(query)
        for result in app.report.results:
            text = f"{result.id} {rule_title(result, app.lang)}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, highlight(matcher, text), partial(app.go_to_rule, result.id), text=text,
                          help=result.status.value)

    async def discover(self) -> Hits:
        app = self.app
        if not isinstance(app, KepuApp) or app.report is None:
            return
        for gap in app.report.gaps():
            text = f"{gap.id} {rule_title(gap, app.lang)}"
            yield DiscoveryHit(Content(text), partial(app.go_to_rule, gap.id), text=text, help=gap.status.value)


class KepuApp(App[None]):
    """Browse a project's assessment: summary, rules, details, evidence; re-runs when files change."""

    TITLE = "kepu"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {RuleCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark,f1", "help", "Help"),
        Binding("l", "toggle_language", "中/EN"),
        Binding("r", "reload", "Reload"),
        Binding("p", "progress", "Progress"),
        Binding("e", "export('markdown')", "Export"),
        Binding("E", "export('html')", "Export HTML", show=False),
    ]

    class AssessmentReady(Message):
        """A worker finished an assessment (and rendered its report in the current language)."""

        def __init__(self, assessment: Assessment, report: Report, lang: Lang, config_path: Path,
                     seconds: float) -> None:
            super().__init__()
            self.assessment = assessment
            self.report = report
            self.lang = lang
            self.config_path = config_path
            self.seconds = seconds

    class AssessmentFailed(Message):
        """A worker could not assess: wrong input (`error`), or a bug (`crash`, a traceback)."""

        def __init__(self, error: KepuError | None, crash: str, config_path: Path | None) -> None:
            super().__init__()
            self.error = error
            self.crash = crash
            self.config_path = config_path

    class FilesChanged(Message):
        """The watcher saw a watched file change."""

        def __init__(self, signature: dict[str, FileState]) -> None:
            super().__init__()
            self.signature = signature

    def __init__(self, config: Path | None = None, lang: str | None = None, *,
                 watch_interval: float | None = 1.0) -> None:
        super().__init__()
        self._started = time.perf_counter()
        self.config_arg = config
        self.lang_arg: Lang | None = normalize_lang(lang) if lang else None
        self.lang: Lang = self.lang_arg or "zh"
        self._lang_fixed = self.lang_arg is not None
        self.watch_interval = watch_interval
        self.assessment: Assessment | None = None
        self.report: Report | None = None
        self.config_path: Path | None = None
        self.error: KepuError | None = None
        self.crash = ""
        #: Internal errors of this session, (one-line summary, crash file or None): `kepu tui` exits 3
        #: if there is any, even when the screen showed it and the user went on.
        self.internal_errors: list[tuple[str, Path | None]] = []
        self.assessments = 0  # how many assessments were shown (tests wait on it)
        self.first_shown: float | None = None  # seconds from start to the first report or diagnostics
        self.last_export: Path | None = None
        self._signature: dict[str, FileState] = {}
        self._checker: Worker[None] | None = None  # the file watcher's walk, while it runs
        self._watched: list[Path] = []
        # One assessment at a time: a superseded run finishes (threads cannot be killed) before the next.
        self._assess_lock = threading.Lock()
        # Full garbage collections wait while an assessment runs, and happen when the user pauses.
        self.collector = IdleCollector()
        self._last_input = time.monotonic()
        self._main: MainScreen | None = None
        self._screen_ready = False
        self._early: Message | None = None

    @property
    def main(self) -> MainScreen:
        """The main screen (the default screen, always at the bottom of the stack)."""
        if self._main is None:
            self._main = MainScreen()
        return self._main

    def get_default_screen(self) -> Screen[None]:
        return self.main

    def on_mount(self) -> None:
        # Start at once: the assessment overlaps the first screen being built. Its outcome waits in
        # `_early` if it comes before the screen is ready to show it.
        self.run_assessment()

    def on_ready(self) -> None:
        # Ready comes after the main screen is composed and first drawn, so it can show things.
        self._screen_ready = True
        if self._early is not None:
            early, self._early = self._early, None
            if isinstance(early, self.AssessmentReady):
                self.on_kepu_app_assessment_ready(early)
            elif isinstance(early, self.AssessmentFailed):
                self.on_kepu_app_assessment_failed(early)
        else:
            self.main.show_loading(t("loading", self.lang))
        if self.watch_interval:
            self.set_interval(self.watch_interval, self._poll)
        self.set_interval(0.25, self._collect_when_idle)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self._last_input = time.monotonic()
        await super().on_event(event)

    def on_unmount(self) -> None:
        self.collector.close()

    def _collect_when_idle(self) -> None:
        if self.collector.due(time.monotonic() - self._last_input):
            seconds = self.collector.collect()
            self.log.info(f"put-off garbage collection: {seconds * 1000:.0f} ms")

    # -- the assessment, off the UI thread ------------------------------------------------------------

    @work(thread=True, exclusive=True, group="assess", exit_on_error=False)
    def run_assessment(self) -> None:
        """Load kepu.yaml, assess, render the report; post the outcome as a message."""
        worker = get_current_worker()
        with self._assess_lock:
            if worker.is_cancelled:
                return
            self.collector.hold()
            try:
                self._assess(worker)
            finally:
                self.collector.release()

    def _assess(self, worker: Worker[None]) -> None:
        from kepu_rules.config import find_config, load_config
        from kepu_rules.engine.assess import assess

        started = time.perf_counter()
        config_path: Path | None = None
        try:
            config_path = find_config(self.config_arg if self.config_arg is not None else Path("."))
            config = load_config(config_path)
            assessment = assess(config)
            # The project's language until the user (or --lang) picks one; a reload keeps the choice.
            lang = self.lang if self._lang_fixed else config.language
            report = assessment.report(lang)
        except KepuError as err:
            if not worker.is_cancelled:
                self.post_message(self.AssessmentFailed(err, "", config_path))
            return
        except Exception as exc:  # a bug must not take the screen down: it is shown like a diagnostic
            path = self._record_internal_error(exc, config_path)
            if not worker.is_cancelled:
                where = t("crash_file", self.lang, path=path) if path is not None else ""
                self.post_message(self.AssessmentFailed(None, f"{where}\n\n{traceback.format_exc()}".lstrip(),
                                                        config_path))
            return
        if not worker.is_cancelled:
            self.post_message(self.AssessmentReady(assessment, report, lang, config_path,
                                                   time.perf_counter() - started))

    def _record_internal_error(self, exc: BaseException, config_path: Path | None = None) -> Path | None:
        """Write the crash file (in the project's .kepu/ folder, else the temporary folder) and keep it
        for the exit code; safe from any thread."""
        where = config_path or self.config_path or self._config_guess()
        path = write_crash_file(exc, where.parent if where is not None else None)
        self.internal_errors.append((summary(exc), path))
        return path

    def _config_guess(self) -> Path | None:
        if self.config_arg is not None:
            return self.config_arg if not self.config_arg.is_dir() else self.config_arg / "kepu.yaml"
        return Path("kepu.yaml") if Path("kepu.yaml").is_file() else None

    def _handle_exception(self, error: Exception) -> None:
        # An exception in the UI itself ends the app (Textual's behaviour). Instead of Textual's
        # traceback with locals on the terminal and exit code 1, the crash file gets the traceback and
        # `kepu tui` prints one line and exits 3 (see `run`).
        self._record_internal_error(error)
        super()._handle_exception(error)
        self._exit_renderables.clear()

    def internal_error_line(self) -> str | None:
        """The one line `kepu tui` prints on stderr when this session had an internal error."""
        if not self.internal_errors:
            return None
        what, path = self.internal_errors[-1]
        if len(self.internal_errors) > 1:
            what += (f"（本次共 {len(self.internal_errors)} 次）" if self.lang == "zh" else
                     f" ({len(self.internal_errors)} in this session)")
        return internal_error_message(what, path).render(self.lang)

    def on_kepu_app_assessment_ready(self, message: AssessmentReady) -> None:
        if not self._screen_ready:
            self._early = message
            return
        first = self.assessments == 0 and not self.error and not self.crash
        old = self.report
        retired = (self.assessment, self.report)
        self.assessment = message.assessment
        self.config_path = message.config_path
        self.error = None
        self.crash = ""
        self.lang = message.lang
        self._lang_fixed = True
        self.report = message.report
        changed = changed_statuses(old, message.report)
        self.main.show_report(message.report, self.lang, changed, self.describe_rule)
        self.assessments += 1
        self._watch([*message.assessment.watched, message.config_path])
        if first:
            self.first_shown = time.perf_counter() - self._started
            self.log.info(f"first assessment shown after {self.first_shown:.2f}s")
        elif old is not None:
            self._announce(changed)
        self.collector.settle(*retired)

    def on_kepu_app_assessment_failed(self, message: AssessmentFailed) -> None:
        if not self._screen_ready:
            self._early = message
            return
        self.error = message.error
        self.crash = message.crash
        if message.config_path is not None:
            self.config_path = message.config_path
        self._show_problem()
        if self.first_shown is None:
            self.first_shown = time.perf_counter() - self._started
        # Keep watching what the last good run read, plus kepu.yaml and every file a diagnostic names,
        # so fixing any of them re-runs the assessment.
        paths = list(self.assessment.watched) if self.assessment is not None else []
        paths.append(self.config_path or Path("kepu.yaml"))
        if message.error is not None:
            paths += [self._diagnostic_path(d.location.path) for d in message.error.diagnostics]
        self._watch(paths)
        self.collector.settle()

    def _show_problem(self) -> None:
        if self.error is not None:
            errors = sum(1 for d in self.error.diagnostics if d.is_error)
            summary = t("errors_found", self.lang, n=errors)
            where = str(self.config_path) if self.config_path is not None else ""
            self.main.show_diagnostics(t("diagnostics_title", self.lang), f"{self.error.render(self.lang)}\n{summary}",
                                       f"{where} · {summary}" if where else summary)
        else:
            self.main.show_diagnostics(t("internal_error", self.lang), self.crash, t("internal_error", self.lang))

    def _diagnostic_path(self, path: str) -> Path:
        candidate = Path(path)
        if not candidate.is_absolute() and not candidate.exists() and self.config_path is not None:
            return self.config_path.parent / candidate
        return candidate

    def describe_rule(self, rule_id: str, lang: Lang) -> tuple[str | None, list[str]]:
        """A rule's body as written (canonical form, in the chosen language) and what overlays changed."""
        if self.assessment is None:
            return None, []
        rule = self.assessment.ruleset.resolved.rule(rule_id)
        if rule is None:
            return None, []
        try:
            from kepu_rules.dsl.formatter import format_expr

            body: str | None = format_expr(rule.rule.body, lang)
        except Exception:  # the text is a courtesy; the outcome stands without it
            body = None
        return body, [f"{c.by}: {c.what.render(lang)}" for c in rule.changes]

    def _announce(self, changed: Mapping[str, Status]) -> None:
        if self.report is None:
            return
        if not changed:
            self.notify(t("no_change", self.lang), timeout=3, markup=False)
            return
        now = {r.id: r.status for r in self.report.results}
        lines = [f"{rule_id}: {old.value} → {now[rule_id].value}" for rule_id, old in sorted(changed.items())]
        self.notify("\n".join(lines[:8]), title=t("changed_rules", self.lang), timeout=8, markup=False)

    # -- live reload ----------------------------------------------------------------------------------

    def _watch(self, paths: list[Path]) -> None:
        unique = list(dict.fromkeys(paths))
        if unique != self._watched or not self._signature:
            self._watched = unique
            self._sign(unique)

    @work(thread=True, exclusive=True, group="sign", exit_on_error=False)
    def _sign(self, paths: list[Path]) -> None:
        self._signature = file_signature(paths)

    def _poll(self) -> None:
        # A walk still going (a big dossier, a slow drive, an assessment sharing the CPU) is left to
        # finish: starting another would cancel it, and with walks longer than the interval none would.
        if self._checker is not None and self._checker.is_running:
            return
        if self._watched and self._signature:
            self._checker = self._check_files(list(self._watched), self._signature)

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def _check_files(self, paths: list[Path], before: dict[str, FileState]) -> None:
        # Walking a dossier folder touches many files: off the UI thread, like the assessment.
        now = file_signature(paths)
        if now != before and not get_current_worker().is_cancelled:
            self.post_message(self.FilesChanged(now))

    def on_kepu_app_files_changed(self, message: FilesChanged) -> None:
        self._signature = message.signature
        self.main.show_note(t("reloading", self.lang))
        self.run_assessment()

    # -- actions --------------------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.main.show_note(t("reloading", self.lang))
        self.run_assessment()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.lang))

    def action_progress(self) -> None:
        """The progress screen: the recorded runs and what changed since the last one before now."""
        from kepu_tui.screens.progress import ProgressScreen

        if isinstance(self.screen, ProgressScreen):
            return
        if self.assessment is None or self.report is None or self.error or self.crash:
            self.notify(t("progress_unavailable", self.lang), severity="warning", markup=False)
            return
        points, result, problems = progress_data(self.assessment.config.history_path, self.report, self.lang)
        self.push_screen(ProgressScreen(points, result, self.lang, problems))

    def action_toggle_language(self) -> None:
        from kepu_tui.screens.progress import ProgressScreen

        self.set_language("en" if self.lang == "zh" else "zh")
        if isinstance(self.screen, ProgressScreen):  # built in one language: built again in the other
            self.pop_screen()
            self.action_progress()

    def set_language(self, lang: Lang) -> None:
        """Re-render in another language: the report is rebuilt from the same assessment, nothing re-runs."""
        self.lang = lang
        self._lang_fixed = True
        if self.assessment is not None and not (self.error or self.crash):
            self.report = self.assessment.report(lang)
            self.main.show_report(self.report, lang)
        elif self.error or self.crash:
            self._show_problem()

    def action_export(self, fmt: str) -> None:
        if self.report is None or self.config_path is None or self.error or self.crash:
            self.notify(t("no_report", self.lang), severity="warning", markup=False)
            return
        self._export(self.report, fmt, self.config_path.parent)

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, report: Report, fmt: str, folder: Path) -> None:
        from kepu_rules import registry
        from kepu_rules.reports.base import ReportOptions

        try:
            reporter = registry.reporters()[fmt]
            target = (folder / f"kepu-report{reporter.extension}").resolve()
            target.write_text(reporter().render(report, ReportOptions()), encoding="utf-8")
        except (OSError, KeyError) as err:
            # Paths and OS messages are data: shown as written (markup=False), brackets and all.
            self.call_from_thread(self.notify, t("export_failed", self.lang, error=err), severity="error",
                                  markup=False)
            return
        except Exception as exc:  # a reporter's bug: the worker would swallow it without a word
            path = self._record_internal_error(exc)
            error = f"{summary(exc)}; {t('crash_file', self.lang, path=path)}" if path else summary(exc)
            self.call_from_thread(self.notify, t("export_failed", self.lang, error=error), severity="error",
                                  markup=False)
            return
        self.last_export = target
        self.call_from_thread(self.notify, t("exported", self.lang, path=target), timeout=8, markup=False)

    def open_item(self, rule_id: str, item: ItemResult) -> None:
        """Drill down from a failing item to its facts and related rows."""
        if self.assessment is None:
            return
        rule = self.main.result(rule_id)
        body, _ = self.describe_rule(rule_id, "zh")
        prefer = [name for name in self.assessment.ruleset.schema.entities if body and name in body]
        self.push_screen(ItemScreen(self.assessment.facts, item.entity, item.key, self.lang, item=item, rule=rule,
                                    prefer=prefer))

    def on_rule_detail_item_chosen(self, message: RuleDetail.ItemChosen) -> None:
        self.open_item(message.rule_id, message.item)

    def go_to_rule(self, rule_id: str) -> None:
        """Show a rule (the palette's rule commands): back to the main screen, filters cleared if they hide it."""
        while len(self.screen_stack) > 1 and self.screen is not self.main:
            self.pop_screen()
        self.main.go_to_rule(rule_id)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        zh = self.lang == "zh"
        yield SystemCommand("中文 / English", "切换界面与报告语言" if zh else "Switch the language of the UI and report",
                            self.action_toggle_language)
        yield SystemCommand("Reload" if not zh else "重新评估 Reload",
                            "立即重新运行评估" if zh else "Re-run the assessment now", self.action_reload)
        yield SystemCommand("Export Markdown" if not zh else "导出 Markdown 报告",
                            "写到 kepu.yaml 旁的 kepu-report.md" if zh else "Write kepu-report.md next to kepu.yaml",
                            partial(self.action_export, "markdown"))
        yield SystemCommand("Export HTML" if not zh else "导出 HTML 报告",
                            "写到 kepu.yaml 旁的 kepu-report.html" if zh else "Write kepu-report.html next to kepu.yaml",
                            partial(self.action_export, "html"))
        yield SystemCommand("Show gaps" if not zh else "只看待改进",
                            "只显示未通过、警告、无法核查的规则" if zh else "Show only rules that need work",
                            lambda: self.main.set_filters(Filters(status=GAPS)))
        yield SystemCommand("Next gap" if not zh else "下一条待改进",
                            "转到下一条待改进的规则" if zh else "Go to the next rule that needs work",
                            self.main.action_next_gap)
        yield SystemCommand("Filter by owner" if not zh else "按责任单位筛选",
                            "选择一个责任单位" if zh else "Choose an owner (责任单位)",
                            partial(self.main.action_filter, "owner"))
        yield SystemCommand("Filter by section" if not zh else "按板块筛选",
                            "选择一个板块" if zh else "Choose a section", partial(self.main.action_filter, "section"))
        yield SystemCommand("Clear filters" if not zh else "清除筛选",
                            "显示全部规则" if zh else "Show every rule", self.main.action_clear_filters)
        yield SystemCommand("Help" if not zh else "按键说明", "查看全部按键" if zh else "Show every key binding",
                            self.action_help)


def progress_data(folder: Path, report: Report, lang: Lang) -> tuple[list[Any], Any, list[str]]:
    """The records of a history folder as chart points (plus now, when this date is not recorded), the
    diff from the last record before this assessment's date to now, and the records that cannot be read."""
    from kepu_rules.history.diff import diff
    from kepu_rules.history.records import entries, load_record
    from kepu_tui.screens.progress import Point

    points: list[Point] = []
    problems: list[str] = []
    for entry in entries(folder):
        try:
            points.append(Point(load_record(entry.path), True))
        except KepuError as err:
            problems.append(t("progress_unreadable", lang, path=entry.path,
                              error=err.diagnostics[0].message.render(lang)))
    if not any(p.report.as_of == report.as_of for p in points):
        points = sorted([*points, Point(report, False)], key=lambda p: p.report.as_of)
    before = [p.report for p in points if p.recorded and p.report.as_of < report.as_of]
    return points, (diff(before[-1], report) if before else None), problems


def make_app(config: Path | None, lang: str | None, *, watch_interval: float | None = 1.0) -> KepuApp:
    """The app for a project file (or the kepu.yaml in the current folder); the CLI and the tests share it."""
    return KepuApp(config, lang, watch_interval=watch_interval)


def run(config: Path | None, lang: str | None) -> str | None:
    """`kepu tui`: run the app in the terminal. Returns the one line to print when the session had an
    internal error (the CLI then exits 3), else None."""
    app = make_app(config, lang)
    app.run()
    return app.internal_error_line()
