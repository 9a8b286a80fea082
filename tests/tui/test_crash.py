"""Internal errors in the TUI: a bug in the assessment is shown with its crash file and the app goes on;
a bug in the UI ends the app; either way `kepu tui` exits 3 (kepu_tui.app.run, tests/test_crash.py runs it)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kepu_rules import registry
from kepu_rules.plugins import get_plugin_manager
from kepu_tui.app import make_app
from kepu_tui.screens.main import MainScreen
from kepu_tui.widgets.diagnostics_view import DiagnosticsView

from .conftest import run, wait_for, wait_loaded

PLUGIN = Path(__file__).resolve().parents[1] / "crash_plugin"


@pytest.fixture
def crash_plugin() -> Iterator[object]:
    """The test-only crash plugin (its `crash` source raises when read), registered as an installed one."""
    sys.path.insert(0, str(PLUGIN))
    import kepu_test_crash

    pm = get_plugin_manager()
    pm.register(kepu_test_crash, name="crash")
    registry.clear()
    yield kepu_test_crash
    pm.unregister(name="crash")
    registry.clear()
    sys.path.remove(str(PLUGIN))


def test_a_bug_in_the_assessment_is_shown_with_its_crash_file(project: Path, crash_plugin: object) -> None:
    project.write_text(project.read_text(encoding="utf-8") + "  - name: 坏插件\n    type: crash\n", encoding="utf-8")

    async def scenario() -> None:
        app = make_app(project, "en", watch_interval=None)
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_loaded(pilot)
            assert app.crash and app.error is None
            [(what, path)] = app.internal_errors
            assert what.startswith("RuntimeError: planted by kepu_test_crash")
            assert path is not None and path.parent == project.parent / ".kepu"
            assert "Traceback" in path.read_text(encoding="utf-8")
            shown = app.main.query_one(DiagnosticsView).text
            assert str(path) in shown and "RuntimeError" in shown
            await pilot.press("q")
        line = app.internal_error_line()
        assert line == (f"internal error: RuntimeError: planted by kepu_test_crash (a bug in kepu, not in the "
                        f"input; please report it with {path})")

    run(scenario())


def test_a_bug_in_the_ui_ends_the_app_with_a_crash_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: MainScreen, *args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("in the UI thread")

    monkeypatch.setattr(MainScreen, "show_report", broken)

    async def scenario() -> None:
        app = make_app(project, "zh", watch_interval=None)
        with pytest.raises(ZeroDivisionError):  # the pilot re-raises what ended the app
            async with app.run_test(size=(100, 32)) as pilot:
                await wait_for(pilot, lambda: bool(app.internal_errors), what="the crash")
        [(what, path)] = app.internal_errors
        assert what == "ZeroDivisionError: in the UI thread"
        assert path is not None and "show_report" in path.read_text(encoding="utf-8")
        assert app._exit_renderables == []  # Textual's traceback is not printed: the one line is
        line = app.internal_error_line()
        assert line is not None and line.startswith("内部错误：ZeroDivisionError: in the UI thread（") and str(path) in line

    run(scenario())


def test_a_bug_in_a_reporter_is_not_swallowed_by_the_export_worker(project: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from kepu_rules.reports.markdown import MarkdownReporter

    def broken(self: object, *args: object) -> str:
        raise LookupError("a reporter's bug")  # not the KeyError the export expects

    monkeypatch.setattr(MarkdownReporter, "render", broken)

    async def scenario() -> None:
        app = make_app(project, "en", watch_interval=None)
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_loaded(pilot)
            await pilot.press("e")
            await wait_for(pilot, lambda: bool(app.internal_errors), what="the export's crash")
            [(what, path)] = app.internal_errors
            assert what == "LookupError: a reporter's bug" and path is not None
            await pilot.pause(0.2)
            notes = [n.message for n in app._notifications]
            assert any(what in n and str(path) in n for n in notes), notes
            assert app.last_export is None

    run(scenario())


def test_a_session_without_internal_errors_has_no_line(project: Path) -> None:
    async def scenario() -> None:
        app = make_app(project, "en", watch_interval=None)
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_loaded(pilot)
            assert app.report is not None
        assert app.internal_errors == [] and app.internal_error_line() is None

    run(scenario())
