"""Names full of markup (`[/]`, `[bold red]`, `[a]`, `\\`) from ledgers, file names and rules are shown as
written on every screen of `kepu tui`, and never crash it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from textual.command import CommandList, CommandPalette
from textual.content import Content
from textual.markup import MarkupError
from textual.widgets import DataTable, Select

from kepu_tui.app import KepuApp, make_app
from kepu_tui.screens.item import ItemScreen
from kepu_tui.screens.main import MainScreen
from kepu_tui.widgets.diagnostics_view import DiagnosticsView
from kepu_tui.widgets.filter_bar import Filters
from kepu_tui.widgets.rule_tree import RuleTree

from .conftest import EXAMPLE, run, wait_for, wait_loaded

#: Ledger names as the issue found them (the first crashed the item screen, the second lost its `[a]`),
#: and a street whose name also names dossier folders (so no `/` in it) and ends in a backslash.
COMMUNITY = "[/]梅园[bold red]社区"
COMMUNITY2 = "东区[a]社区"
STREET = "[b]泺口[a]街道\\"
RENAMES = {"梅园社区": COMMUNITY, "新黄社区": COMMUNITY2, "泺口街道": STREET}
WORKBOOK = "台账[bold red].xlsx"
DOSSIER_FILE = "[i]会议记录\\[b].docx"  # a file name in the street's dossier folder
RULESET_FILE = "自定[b]规则.kepu"
SECTION = "[/]板块[bold red]"
RULE_TITLE = "[b]每个街道[/b]至少三个标识\\"
OWNER_UNIT = "东区[a]社区"
HINT = "[red]提示[/red] \\[x]"
RULESET_TITLE = "[b]示例[/b]区规则\\"



def _dsl(text: str) -> str:
    """A DSL string literal writes a backslash as two."""
    return text.replace("\\", "\\\\")


RULESET = f"""\
ruleset custom "{_dsl(RULESET_TITLE)}" version "[2026]"
  extends national

section "{SECTION}" {{
  rule X1 "{_dsl(RULE_TITLE)}" points 1 owner "[i]区科协[/i]、{OWNER_UNIT}" tier C
      hint "{_dsl(HINT)}" {{
    每个 街道 满足 至少 3 个 科普标识
  }}
}}
"""

def _rename(text: str) -> str:
    for old, new in RENAMES.items():
        text = text.replace(old, new)
    return text


def _rename_yaml(value: Any) -> Any:
    if isinstance(value, str):
        return _rename(value)
    if isinstance(value, list):
        return [_rename_yaml(v) for v in value]
    if isinstance(value, dict):
        return {_rename_yaml(k): _rename_yaml(v) for k, v in value.items()}
    return value


def nasty_project(target: Path) -> Path:
    """A copy of the example district whose names, file names and one overlay rule are full of markup;
    returns its kepu.yaml. Every reference is renamed alike, so the project still reads without error."""
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("__pycache__", "kepu-report.*"))
    data = target / "data"
    book = openpyxl.load_workbook(data / "台账.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = _rename(cell.value)
    book.save(data / WORKBOOK)
    (data / "台账.xlsx").unlink()
    for name, encoding in (("科普活动.csv", "gb18030"), ("成员单位.csv", "utf-8-sig")):
        path = data / name
        path.write_text(_rename(path.read_text(encoding=encoding)), encoding=encoding)
    for path in (data / "基本情况.yaml", data / "通报.yaml", target / "waivers.yaml"):
        # Names that open with `[` need quoting in YAML: load and dump rather than edit the text.
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        path.write_text(yaml.safe_dump(_rename_yaml(loaded), allow_unicode=True, sort_keys=False), encoding="utf-8")
    for folder in sorted((target / "档案").glob("*/泺口街道")):
        folder.rename(folder.with_name(STREET))
    meeting = target / "档案" / "工作记录" / STREET / "街道科协工作会议记录.docx"
    meeting.rename(meeting.with_name(DOSSIER_FILE))
    (target / RULESET_FILE).write_text(RULESET, encoding="utf-8")
    config = target / "kepu.yaml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("ruleset: national", f"ruleset: {RULESET_FILE}", 1)
    text = text.replace("path: data/台账.xlsx", f'path: "data/{WORKBOOK}"', 1)
    config.write_text(text, encoding="utf-8")
    return config


#: The project's folder: the export notice names it.
FOLDER = "[/]示例[bold red]区\\"


@pytest.fixture
def nasty(tmp_path: Path) -> Path:
    return nasty_project(tmp_path / FOLDER)


def screen_text(app: KepuApp) -> str:
    """What the terminal shows now, as plain text, one line per screen row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def assert_shown(app: KepuApp, *names: str) -> None:
    shown = screen_text(app)
    missing = [n for n in names if n not in shown]
    assert not missing, f"not shown verbatim: {missing}\n{shown}"


SIZE = (220, 60)


def test_the_project_reads_without_error(nasty: Path) -> None:
    # The fixture itself: renamed alike everywhere, so the names reach the screens as data, not errors.
    from kepu_rules.config import load_config
    from kepu_rules.engine.assess import assess

    report = assess(load_config(nasty)).report("zh")
    b1 = next(r for r in report.results if r.id == "B1")
    assert {COMMUNITY, COMMUNITY2} <= {i.key for i in b1.failing}
    a1 = next(r for r in report.results if r.id == "A1")
    assert STREET in {i.key for i in a1.failing}
    assert any(r.id == "X1" and r.section == SECTION and r.title == RULE_TITLE for r in report.results)


def test_every_screen_shows_markup_as_text(nasty: Path) -> None:
    async def scenario() -> None:
        app = make_app(nasty, None, watch_interval=None)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_loaded(pilot)
            assert app.report is not None and not app.error and not app.crash, app.crash
            # Main screen: summary bar (ruleset title), tree (section, rule title), detail of X1.
            app.main.go_to_rule("X1")
            await pilot.pause()
            assert_shown(app, RULESET_TITLE, SECTION, RULE_TITLE, HINT, f"[i]区科协[/i]、{OWNER_UNIT}",
                         STREET, f"data/{WORKBOOK} › 街道!A4", RULESET_FILE)

            # B1's failing communities and their cells, then enter on the one that crashed the TUI.
            app.main.go_to_rule("B1")
            await pilot.pause()
            assert_shown(app, COMMUNITY, COMMUNITY2)
            items = [i.key for i in app.main.query_one("#detail").items]  # type: ignore[attr-defined]
            await pilot.press("enter")
            await pilot.press(*["down"] * items.index(COMMUNITY), "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ItemScreen), what="the item screen")
            screen = app.screen
            assert isinstance(screen, ItemScreen) and screen.key == COMMUNITY
            await pilot.pause()
            assert_shown(app, f"{COMMUNITY}（社区）", f"data/{WORKBOOK} › 社区（村）!A16", f"社区 = {COMMUNITY}：",
                         STREET)
            # Its street, from the "refers to" table: the dossier file names show in full there.
            refs = screen.query_one("#refs", DataTable)
            refs.focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ItemScreen) and app.screen.key == STREET,
                           what="the street's item screen")
            await pilot.pause()
            assert_shown(app, f"{STREET}（街道）", DOSSIER_FILE, f"街道 = {STREET}：")
            await pilot.press("escape", "escape")
            assert isinstance(app.screen, MainScreen)

            # The owner and section selects list the names as written.
            app.main.set_filters(Filters(owner=OWNER_UNIT, section=SECTION))
            await pilot.pause()
            assert app.main.query_one(RuleTree).rule_ids == ["X1"]
            assert_shown(app, OWNER_UNIT, SECTION)
            app.main.query_one("#owner-filter", Select).expanded = True
            await pilot.pause()
            assert_shown(app, OWNER_UNIT)
            app.main.query_one("#owner-filter", Select).expanded = False
            app.main.set_filters(Filters())
            await pilot.pause()

            # The command palette lists the gaps (X1 among them) before anything is typed, then finds
            # X1 by its id with the matched letters highlighted: the title shows as written both times.
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
            await wait_for(pilot, lambda: f"X1 {RULE_TITLE}" in screen_text(app), what="the palette's gaps")
            await pilot.press("x", "1")

            def hits() -> list[str]:
                found = app.screen.query(CommandList)
                options = found.first().options if found else []
                return [str(getattr(o.prompt, "plain", o.prompt)) for o in options]

            await wait_for(pilot, lambda: bool(hits()) and all("X1" in h for h in hits()), what="the search")
            assert_shown(app, f"X1 {RULE_TITLE}")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.main.query_one(RuleTree).current_rule == "X1", what="the jump")

            # The export notice names the report's path, folder and all.
            await pilot.press("e")
            await wait_for(pilot, lambda: app.last_export is not None, what="the export")
            await wait_for(pilot, lambda: bool(app.screen.query("Toast")), what="the export notice")
            notices = [str(toast.render()) for toast in app.screen.query("Toast")]
            assert any(str(app.last_export) in n for n in notices), notices
            assert FOLDER in str(app.last_export)

            # English: the same names, re-rendered.
            await pilot.press("l")
            await pilot.pause()
            app.main.go_to_rule("X1")
            await pilot.pause()
            assert_shown(app, SECTION, RULE_TITLE, HINT)
            assert not app.crash

    run(scenario())


def test_a_diagnostic_naming_a_nasty_name_is_shown_as_written(nasty: Path) -> None:
    # An activity room in a community nobody listed: the diagnostics view quotes the name as written.
    book_path = nasty.parent / "data" / WORKBOOK
    book = openpyxl.load_workbook(book_path)
    sheet = book["科普活动室"]
    ghost = "[/]无名[bold]社区\\"
    sheet.cell(row=3, column=2).value = ghost
    book.save(book_path)

    async def scenario() -> None:
        app = make_app(nasty, None, watch_interval=None)
        async with app.run_test(size=SIZE) as pilot:
            await wait_loaded(pilot)
            assert app.error is not None, app.crash
            view = app.main.query_one(DiagnosticsView)
            assert ghost in view.text
            assert_shown(app, ghost, WORKBOOK)

    run(scenario())


def _markup_changes(name: str) -> bool:
    try:
        return Content.from_markup(name).plain != name
    except MarkupError:
        return True


def test_the_names_really_are_markup() -> None:
    # The fixture must hold names Textual's markup would mangle or refuse: a screen that shows them
    # verbatim cannot be showing them through markup.
    names = (COMMUNITY, COMMUNITY2, STREET, WORKBOOK, DOSSIER_FILE, SECTION, RULE_TITLE, HINT, RULESET_TITLE)
    assert [n for n in names if not _markup_changes(n)] == []
