"""Fixtures for the TUI tests: a private copy of the example district, a broken project, Pilot helpers."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("textual")

from textual.pilot import Pilot
from textual.widgets import Input

from kepu_tui.app import KepuApp

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "demo-district"

#: The snapshot size: big enough to show the detail pane and its failing items in full.
SNAPSHOT_SIZE = (100, 32)

# A ruleset that extends the national one with a typo, so the checker reports a "did you mean".
BROKEN_RULESET = """\
ruleset broken "示例区自定规则" version "2026"
  extends national

section "自定" {
  rule X1 "每个街道都有科普活动室" points 1 {
    每个 街道 有 科普活动事
  }
}
"""


def copy_example(target: Path) -> Path:
    """A copy of the example district (tests change its ledgers); returns its kepu.yaml."""
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("__pycache__", "kepu-report.*"))
    return target / "kepu.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """kepu.yaml of a private copy of examples/demo-district."""
    return copy_example(tmp_path / "demo-district")


@pytest.fixture
def broken_project(tmp_path: Path) -> Path:
    """kepu.yaml of a copy of the example whose ruleset has an unknown name in a rule."""
    config = copy_example(tmp_path / "broken-district")
    (config.parent / "broken.kepu").write_text(BROKEN_RULESET, encoding="utf-8")
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("ruleset: national", "ruleset: broken.kepu", 1), encoding="utf-8")
    return config


def run(coro: Coroutine[Any, Any, None]) -> None:
    """Run an async Pilot scenario from a plain test (no asyncio plugin needed)."""
    asyncio.run(coro)


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], bool], timeout: float = 20.0,
                   what: str = "condition") -> None:
    """Let the app run until `predicate()` holds; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await pilot.pause(0.05)


async def wait_loaded(pilot: Pilot[Any], count: int = 1) -> None:
    """Wait for the `count`-th assessment (or an error) to be on screen."""
    app = pilot.app
    assert isinstance(app, KepuApp)
    await wait_for(pilot, lambda: app.assessments >= count or app.error is not None or bool(app.crash),
                   what=f"assessment #{count}")
    await pilot.pause()


def settle_for_snapshot(pilot: Pilot[Any]) -> Awaitable[None]:
    """`run_before` for snap_compare: the first assessment is shown and nothing blinks."""

    async def settle() -> None:
        await wait_loaded(pilot)
        for widget in pilot.app.query(Input):
            widget.cursor_blink = False
        await pilot.pause()

    return settle()
