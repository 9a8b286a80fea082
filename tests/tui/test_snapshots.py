"""Snapshot tests (pytest-textual-snapshot): main screen, a rule detail, the diagnostics view, the help screen,
the progress screen.

Deterministic by construction: a fixed terminal size, the project's fixed `as_of`, no clock on screen,
no file watcher, no cursor blink, and the project folder as the working directory so every path shown
is relative. Update with `--snapshot-update` only after reading the report of what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from kepu_tui.app import make_app

from .conftest import SNAPSHOT_SIZE, settle_for_snapshot

SnapCompare = Callable[..., bool]


@pytest.fixture
def in_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the project folder, as `kepu tui` is meant to be, so paths on screen are relative."""
    monkeypatch.chdir(project.parent)
    return Path("kepu.yaml")


def _settle(pilot: Pilot[Any]) -> Any:
    return settle_for_snapshot(pilot)


def test_main_screen(snap_compare: SnapCompare, in_project: Path) -> None:
    app = make_app(in_project, None, watch_interval=None)
    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=_settle)


def test_rule_detail(snap_compare: SnapCompare, in_project: Path) -> None:
    # `n` goes to A1, the first failing rule: failing items, an expired waiver, a gauge.
    app = make_app(in_project, None, watch_interval=None)
    assert snap_compare(app, press=["n"], terminal_size=SNAPSHOT_SIZE, run_before=_settle)


def test_help_screen(snap_compare: SnapCompare, in_project: Path) -> None:
    app = make_app(in_project, None, watch_interval=None)
    assert snap_compare(app, press=["question_mark"], terminal_size=SNAPSHOT_SIZE, run_before=_settle)


def test_diagnostics_view(snap_compare: SnapCompare, broken_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(broken_project.parent)
    app = make_app(Path("kepu.yaml"), None, watch_interval=None)
    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=_settle)


def test_progress_screen(snap_compare: SnapCompare, in_project: Path) -> None:
    # `p` on the example with its shipped records: six month-ends, then what changed since 2026-10-31.
    app = make_app(in_project, None, watch_interval=None)
    assert snap_compare(app, press=["p"], terminal_size=SNAPSHOT_SIZE, run_before=_settle)
