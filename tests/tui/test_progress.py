"""The progress view (`p`): the recorded runs and the diff since the last record, on a copy of the
example district with its shipped records. Expected rows come from the record files themselves."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.widgets import DataTable, Static

from kepu_tui.app import KepuApp, make_app
from kepu_tui.screens.item import ItemScreen
from kepu_tui.screens.main import MainScreen
from kepu_tui.screens.progress import ProgressScreen

from .conftest import run, wait_for, wait_loaded


def _record(project: Path, day: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.parent / "history" / f"{day}.json").read_text(encoding="utf-8"))
    return data


def _failing(record: dict[str, Any], rule_id: str) -> set[str]:
    rule = next(r for r in record["results"] if r["id"] == rule_id)
    return set() if rule["status"] in ("pass", "waived", "not_applicable") else {i["key"] for i in rule["failing"]}


def _cells(table: DataTable[Text]) -> list[list[str]]:
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


def test_progress_lists_the_records_and_what_changed_since_the_last(project: Path) -> None:
    async def scenario() -> None:
        app = make_app(project, "zh", watch_interval=None)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot)
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen), what="the progress screen")
            screen = app.screen
            records = _cells(screen.query_one("#progress-records", DataTable))
            days = sorted(p.stem for p in (project.parent / "history").glob("*.json"))
            assert [r[0][:10] for r in records] == days
            for row, day in zip(records, days, strict=True):
                s = _record(project, day)["summary"]
                assert row[1] == f"{s['score']:g} / {s['max_score']:g}"
                assert row[2].count("█") == round(24 * s["score"] / s["max_score"])
            changes = _cells(screen.query_one("#progress-changes", DataTable))
            # The last record before the assessment date (2026-11-22) is 2026-10-31.
            fixed = sorted(_failing(_record(project, "2026-10-31"), "B12") - _failing(_record(project, "2026-11-22"), "B12"))
            b12 = next(i for i, r in enumerate(changes) if r[1].startswith("B12 "))
            assert changes[b12][0] == "新达标"
            assert [r[1].split()[0] for r in changes[b12 + 1:b12 + 1 + len(fixed)]] == fixed and fixed
            assert all("已解决" in r[0] for r in changes[b12 + 1:b12 + 1 + len(fixed)])
            a1 = next(i for i, r in enumerate(changes) if r[1].startswith("A1 "))
            assert changes[a1 + 1][1].split()[0] == "泺口街道" and "新增问题" in changes[a1 + 1][0]
            head = screen.query_one("#progress-head", Static).render()
            assert "6 条记录" in str(head)
            await pilot.press("l")  # the language switch rebuilds the view in English
            await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen) and app.screen is not screen,
                           what="the progress screen in English")
            assert "Progress · 6 records" in str(app.screen.query_one("#progress-head", Static).render())
            await pilot.press("l")
            await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen) and app.screen.lang == "zh",
                           what="back in Chinese")
            screen = app.screen

            # enter on a fixed item opens its facts, as from a rule's failing items
            table = screen.query_one("#progress-changes", DataTable)
            assert table.has_focus
            table.move_cursor(row=b12 + 1)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ItemScreen), what="the item screen")
            item_screen = app.screen
            assert isinstance(item_screen, ItemScreen) and item_screen.key == fixed[0]
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen), what="back to progress")
            # enter on a rule goes to it on the main screen
            table.move_cursor(row=a1)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="the main screen")
            assert app.main.query_one("#detail-head", Static).render() is not None
    run(scenario())


def test_progress_without_records_says_how_to_make_them(project: Path) -> None:
    shutil.rmtree(project.parent / "history")

    async def scenario() -> None:
        app = make_app(project, "en", watch_interval=None)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_loaded(pilot)
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen), what="the progress screen")
            texts = " ".join(str(w.render()) for w in app.screen.query(Static))
            assert "no records yet: run kepu check --record" in texts
            assert "no record before this assessment's date" in texts
            # the assessment itself is the one point on the chart
            rows = _cells(app.screen.query_one("#progress-records", DataTable))
            assert len(rows) == 1 and rows[0][0] == "2026-11-22 (now)"
    run(scenario())


def test_progress_shows_record_texts_as_written_and_names_an_unreadable_record(project: Path) -> None:
    """Titles and keys come from records and ledgers: `[b]`, `[/]` are text, never markup."""
    history = project.parent / "history"
    record = _record(project, "2026-10-31")
    extra = dict(next(r for r in record["results"] if r["id"] == "A1"))
    extra.update({"id": "Z9", "title": "[/]旧规则[bold]", "failing": [
        {**extra["failing"][0], "key": "[red]街道[/red]"}] if extra["failing"] else []})
    record["results"].append(extra)
    (history / "2026-10-31.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    (history / "2026-09-30.json").write_text('{"schema": "kepu-report/9"}', encoding="utf-8")

    async def scenario() -> None:
        app = make_app(project, "zh", watch_interval=None)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot)
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen), what="the progress screen")
            assert isinstance(app, KepuApp) and not app.internal_errors
            changes = _cells(app.screen.query_one("#progress-changes", DataTable))
            z9 = next(r for r in changes if r[1].startswith("Z9 "))
            assert z9[1] == "Z9 [/]旧规则[bold]" and z9[0] == "删除规则"
            texts = " ".join(str(w.render()) for w in app.screen.query(Static))
            assert "2026-09-30.json" in texts and "kepu-report/9" in texts
            # enter on the removed rule's item: it is not in this assessment; said, and the view stays
            table = app.screen.query_one("#progress-changes", DataTable)
            table.move_cursor(row=next(i for i, r in enumerate(changes) if r[1].strip().startswith("[red]街道[/red]")))
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ProgressScreen) and not app.internal_errors
    run(scenario())
