"""Pilot tests of `kepu tui` over a copy of the example district, plus the non-UI helpers it rests on."""

from __future__ import annotations

import datetime as dt
import gc
import time
from pathlib import Path

import openpyxl
import pytest
from textual.widgets import DataTable, Input, Select

from kepu_rules.diagnostics import KepuError
from kepu_rules.engine.assess import assess
from kepu_rules.engine.related import OWN_ROW, find_row, referenced_rows, related_rows
from kepu_rules.reports.model import RuleResult, Status
from kepu_tui.app import KepuApp, changed_statuses, file_signature, make_app
from kepu_tui.collect import IDLE, IdleCollector
from kepu_tui.screens.help import KEY_HELP, HelpScreen
from kepu_tui.screens.item import ItemScreen
from kepu_tui.screens.main import MainScreen
from kepu_tui.widgets.diagnostics_view import DiagnosticsView
from kepu_tui.widgets.filter_bar import GAPS, Filters, owner_units
from kepu_tui.widgets.labels import GAP_STATUSES
from kepu_tui.widgets.rule_detail import FIRST_ROWS, MORE_ROWS, RuleDetail
from kepu_tui.widgets.rule_tree import RuleTree

from .conftest import run, wait_for, wait_loaded


def tree(app: KepuApp) -> RuleTree:
    return app.main.query_one(RuleTree)


def detail(app: KepuApp) -> RuleDetail:
    return app.main.query_one(RuleDetail)


def status_of(app: KepuApp, rule_id: str) -> Status:
    assert app.report is not None
    return next(r.status for r in app.report.results if r.id == rule_id)


# -- navigating ----------------------------------------------------------------------------------------


def test_navigate_to_a_failing_rule_and_open_a_failing_item(project: Path) -> None:
    async def scenario() -> None:
        app = make_app(project, None, watch_interval=None)
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_loaded(pilot)
            assert tree(app).current_rule == "O1"
            await pilot.press("n")  # the first rule that needs work, in tree order
            assert tree(app).current_rule == "A1"
            shown = detail(app).result
            assert shown is not None and shown.id == "A1" and shown.status is Status.FAIL
            assert [i.key for i in detail(app).items] == ["北坦街道", "泺口街道"]

            await pilot.press("enter")  # enter on a rule goes to its failing items
            assert app.focused is not None and app.focused.id == "items"
            await pilot.press("down", "enter")  # the second item: 泺口街道
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ItemScreen)
            assert (screen.entity, screen.key) == ("街道", "泺口街道")
            groups = {(entity, field): rows for entity, field, rows in screen.groups}
            assert [r.provenance.render() for r in groups[("街道", OWN_ROW)]] == ["data/台账.xlsx › 街道!A4"]
            signs = groups[("科普标识", "街道")]
            assert [r.provenance.render() for r in signs] == ["data/台账.xlsx › 科普标识!A4"]
            assert signs[0].get("沿街显要") is False
            # The rule is about 科普标识, so its group comes right after the item's own row.
            assert [g[0] for g in screen.groups[:2]] == ["街道", "科普标识"]

            await pilot.press("escape")
            assert isinstance(app.screen, MainScreen)
            await pilot.press("n")
            assert tree(app).current_rule == "B1"
            await pilot.press("N")
            assert tree(app).current_rule == "A1"

    run(scenario())


def test_a_long_item_table_fills_as_the_cursor_reaches_its_end(project: Path) -> None:
    # A rule can fail on thousands of items: the table starts with the first FIRST_ROWS and a last
    # "… N more" row; reaching that row brings in the next MORE_ROWS, and items keep their order.
    async def scenario() -> None:
        app = make_app(project, None, watch_interval=None)
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_loaded(pilot)
            a1 = app.main.result("A1")
            assert a1 is not None
            many = [a1.failing[i % 2].model_copy(update={"key": f"街道{i:04d}"})
                    for i in range(FIRST_ROWS + MORE_ROWS + 50)]
            pane = detail(app)
            pane.show(a1.model_copy(update={"failing": many}), "zh")
            await pilot.pause()
            table = pane.query_one("#items", DataTable)
            assert len(pane.items) == len(many)
            assert table.row_count == FIRST_ROWS + 1
            assert "还有 450 项" in str(table.get_row_at(FIRST_ROWS)[0])

            table.focus()
            await pilot.press("ctrl+end")  # onto the "more" row: the next rows come in
            await pilot.pause()
            assert table.row_count == FIRST_ROWS + MORE_ROWS + 1
            assert table.cursor_row == FIRST_ROWS
            assert str(table.get_row_at(FIRST_ROWS)[0]).endswith(f"街道{FIRST_ROWS:04d}")
            await pilot.press("ctrl+end")
            await pilot.pause()
            assert table.row_count == len(many)  # all in: no "more" row left
            assert table.cursor_row == FIRST_ROWS + MORE_ROWS
            await pilot.press("ctrl+end")
            assert table.cursor_row == len(many) - 1

            chosen: list[str] = []
            app.open_item = lambda rule_id, item: chosen.append(item.key)  # type: ignore[method-assign]
            await pilot.press("enter")
            await pilot.pause()
            assert chosen == [f"街道{len(many) - 1:04d}"]

    run(scenario())


def test_full_collections_wait_for_the_assessment_and_an_idle_moment() -> None:
    collector = IdleCollector()
    before = gc.get_threshold()
    try:
        collector.hold()
        assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] > 10**6
        assert not collector.owed and not collector.due(idle_for=60)  # still assessing
        collector.release()
        assert not collector.owed  # the outcome is not on screen yet
        collector.settle()
        assert collector.owed
        assert not collector.due(idle_for=60)  # just shown: the user is about to read it
        collector._owed_since = time.monotonic() - IDLE  # shown a while ago
        assert not collector.due(idle_for=0)  # the user is typing
        assert collector.due(idle_for=IDLE)
        collector.collect()
        assert gc.get_threshold() == before and not collector.owed
        collector.hold()  # an app that quits while an assessment runs leaves the thresholds as it found them
        collector.close()
        assert gc.get_threshold() == before
    finally:
        gc.set_threshold(*before)


def test_the_app_collects_once_idle_after_an_assessment(project: Path) -> None:
    async def scenario() -> None:
        app = make_app(project, None, watch_interval=None)
        before = gc.get_threshold()
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_loaded(pilot)
            assert app.collector.owed or gc.get_threshold() == before  # owed, or collected already
            await wait_for(pilot, lambda: not app.collector.owed, timeout=IDLE + 5, what="the put-off collection")
            assert gc.get_threshold() == before

    run(scenario())


def test_filters_by_owner_status_section_and_search(project: Path) -> None:
    async def scenario() -> None:
        app = make_app(project, None, watch_interval=None)
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_loaded(pilot)
            report = app.report
            assert report is not None
            everything = [r.id for r in report.results]
            assert tree(app).rule_ids == everything

            # `o` opens the owner list; choosing an owner keeps only that unit's rules.
            await pilot.press("o")
            owner_select = app.main.query_one("#owner-filter", Select)
            assert owner_select.expanded
            await pilot.press("escape")
            owner_select.value = "区融媒体中心"
            await pilot.pause()
            media = [r.id for r in report.results if "区融媒体中心" in owner_units(r.owner)]
            assert tree(app).rule_ids == media and "D3" in media and len(media) < len(everything)
            assert detail(app).result is not None and detail(app).result.id == media[0]

            # A unit shared by many rules ("区科协、各街道" counts for 各街道 too).
            owner_select.value = "各街道"
            await pilot.pause()
            expected = [r.id for r in report.results if "各街道" in owner_units(r.owner)]
            assert tree(app).rule_ids == expected and "B1" in expected

            await pilot.press("x")  # clear
            await pilot.pause()
            assert tree(app).rule_ids == everything

            await pilot.press("s")  # status: all -> gaps
            await pilot.pause()
            assert app.main.filters.status == GAPS
            assert tree(app).rule_ids == [r.id for r in report.results if r.status in GAP_STATUSES]

            app.main.set_filters(Filters(section="档案材料"))
            await pilot.pause()
            assert tree(app).rule_ids == [r.id for r in report.results if r.section == "档案材料"]

            await pilot.press("x", "slash")
            assert isinstance(app.focused, Input)
            await pilot.press("b", "1", "0")
            await pilot.pause()
            assert tree(app).rule_ids == ["B10"]
            await pilot.press("enter")  # back to the tree
            assert isinstance(app.focused, RuleTree)

            await pilot.press("x")
            app.main.set_filters(Filters(search="no such rule"))
            await pilot.pause()
            assert tree(app).rule_ids == []
            assert detail(app).result is None

    run(scenario())


def test_language_toggle_rerenders_without_rerunning(project: Path) -> None:
    async def scenario() -> None:
        app = make_app(project, None, watch_interval=None)
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_loaded(pilot)
            assert app.lang == "zh"  # kepu.yaml says language: zh
            await pilot.press("n")
            await pilot.press("l")
            await pilot.pause()
            assert app.lang == "en" and app.report is not None and app.report.lang == "en"
            assert app.assessments == 1  # re-rendered, not re-assessed
            summary = str(app.main.query_one("#summary").content)
            assert "FAIL" in summary and "score" in summary
            a1 = detail(app).result
            assert a1 is not None and a1.id == "A1"  # the selection survives the switch
            assert "Every street office" in str(app.main.query_one("#detail-head").content)
            assert app.main.query_one("#search", Input).placeholder == "search id or title"
            await pilot.press("l")
            await pilot.pause()
            assert app.lang == "zh" and "未达标" in str(app.main.query_one("#summary").content)

    run(scenario())


def test_lang_option_wins_over_the_project(project: Path) -> None:
    async def scenario() -> None:
        app = make_app(project, "en", watch_interval=None)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_loaded(pilot)
            assert app.report is not None and app.report.lang == "en"

    run(scenario())


# -- live reload -----------------------------------------------------------------------------------------


def touch_later(path: Path) -> None:
    """Make sure a rewrite is seen even on file systems with coarse mtimes."""
    later = time.time() + 2
    import os

    os.utime(path, (later, later))


def test_reload_after_a_yaml_ledger_changes(project: Path) -> None:
    async def scenario() -> None:
        app = make_app(project, None, watch_interval=0.2)
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_loaded(pilot)
            assert status_of(app, "O2") is Status.PASS
            await wait_for(pilot, lambda: bool(app._signature), what="the watcher's first signature")
            ledger = project.parent / "data" / "基本情况.yaml"
            text = ledger.read_text(encoding="utf-8")
            assert "领导小组年度会议次数: 3" in text
            ledger.write_text(text.replace("领导小组年度会议次数: 3", "领导小组年度会议次数: 1"), encoding="utf-8")
            touch_later(ledger)
            await wait_loaded(pilot, count=2)
            assert status_of(app, "O2") is Status.FAIL
            assert app.main.changed == {"O2": Status.PASS}
            assert "●O2" in str(next(n.label for n in tree(app).root.children[0].children if n.data == "O2"))

    run(scenario())


def test_reload_after_signs_are_added_to_the_workbook(project: Path) -> None:
    async def scenario() -> None:
        app = make_app(project, None, watch_interval=0.2)
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_loaded(pilot)
            await pilot.press("n")
            assert detail(app).result is not None and detail(app).result.status is Status.FAIL
            await wait_for(pilot, lambda: bool(app._signature), what="the watcher's first signature")
            workbook_path = project.parent / "data" / "台账.xlsx"
            workbook = openpyxl.load_workbook(workbook_path)
            sheet = workbook["科普标识"]
            sheet.append(["BS-90", "北坦街道", "北坦主干道公交站旁", "是", dt.datetime(2026, 11, 1), "灯箱", None])
            sheet.append(["BS-91", "泺口街道", "泺口主干道路口", "是", dt.datetime(2026, 11, 2), "灯箱", None])
            workbook.save(workbook_path)
            touch_later(workbook_path)
            await wait_loaded(pilot, count=2)
            assert status_of(app, "A1") is Status.PASS
            assert app.main.changed == {"A1": Status.FAIL}
            # The detail pane follows the rule it was on, and says what changed.
            shown = detail(app).result
            assert shown is not None and shown.id == "A1" and shown.status is Status.PASS
            head = str(app.main.query_one("#detail-head").content)
            assert "上次 未通过 → 现在 通过" in head
            assert app.report is not None and app.report.summary.verdict.value == "pass"

    run(scenario())


# -- errors ------------------------------------------------------------------------------------------------


def test_diagnostics_view_shows_the_cli_text_and_recovers(broken_project: Path) -> None:
    async def scenario() -> None:
        app = make_app(broken_project, None, watch_interval=0.2)
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_loaded(pilot)
            assert app.error is not None and not app.crash
            assert app.main.showing_diagnostics
            with pytest.raises(KepuError) as raised:
                assess(broken_project)
            expected = raised.value.render("zh")
            shown = app.main.query_one(DiagnosticsView).text
            assert shown.startswith(expected)
            assert "broken.kepu:6:13: 错误: 未知名称“科普活动事”" in shown
            assert "^^^^^^^^^^" in shown and "是不是“科普活动”？" in shown
            await pilot.press("l")
            await pilot.pause()
            assert "error:" in app.main.query_one(DiagnosticsView).text

            # Fixing the ruleset re-runs the assessment by itself.
            ruleset = broken_project.parent / "broken.kepu"
            fixed = ruleset.read_text(encoding="utf-8").replace("有 科普活动事", "至少有 1 个 科普活动室")
            ruleset.write_text(fixed, encoding="utf-8")
            touch_later(ruleset)
            await wait_for(pilot, lambda: app.assessments >= 1, what="the fixed assessment")
            await pilot.pause()
            assert not app.main.showing_diagnostics and app.error is None
            assert app.report is not None and any(r.id == "X1" for r in app.report.results)

    run(scenario())


def test_missing_project_is_a_diagnostic_not_a_crash(tmp_path: Path) -> None:
    async def scenario() -> None:
        app = make_app(tmp_path / "nowhere", None, watch_interval=None)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_loaded(pilot)
            assert app.error is not None
            assert "nowhere" in app.main.query_one(DiagnosticsView).text

    run(scenario())


# -- the rest of the screen ----------------------------------------------------------------------------------


def test_loading_indicator_while_the_first_assessment_runs(project: Path) -> None:
    async def scenario() -> None:
        app = make_app(project, None, watch_interval=None)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            if app.assessments == 0:  # on a very fast machine the assessment may already be done
                assert app.main.query_one("#report-view").loading
                # The UI answers keys while the worker assesses: help opens and closes.
                await pilot.press("question_mark")
                assert isinstance(app.screen, HelpScreen)
                await pilot.press("escape")
            await wait_loaded(pilot)
            assert not app.main.query_one("#report-view").loading
            assert app.first_shown is not None

    run(scenario())


def test_export_writes_next_to_kepu_yaml_and_says_where(project: Path) -> None:
    async def scenario() -> None:
        app = make_app(project, None, watch_interval=None)
        async with app.run_test(size=(100, 32), notifications=True) as pilot:
            await wait_loaded(pilot)
            await pilot.press("e")
            await wait_for(pilot, lambda: app.last_export is not None, what="the markdown export")
            target = project.parent.resolve() / "kepu-report.md"
            assert app.last_export == target and "A1" in target.read_text(encoding="utf-8")
            assert any(str(target) in n.message for n in app._notifications)
            await pilot.press("E")
            await wait_for(pilot, lambda: app.last_export is not None and app.last_export.suffix == ".html",
                           what="the html export")
            assert (project.parent / "kepu-report.html").read_text(encoding="utf-8").lstrip().startswith("<!")

    run(scenario())


def test_help_screen_and_command_palette(project: Path) -> None:
    async def scenario() -> None:
        app = make_app(project, None, watch_interval=None)
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_loaded(pilot)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            assert isinstance(app.screen, MainScreen)

            titles = [c.title for c in app.get_system_commands(app.screen)]
            for wanted in ("中文 / English", "重新评估 Reload", "导出 Markdown 报告", "导出 HTML 报告", "只看待改进",
                           "按责任单位筛选", "按板块筛选", "清除筛选", "按键说明"):
                assert wanted in titles

            # The palette jumps to a rule by id, clearing a filter that hides it.
            app.main.set_filters(Filters(section="组织建设"))
            await pilot.pause()
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"D3")
            await pilot.pause(0.5)
            await pilot.press("enter")
            await wait_for(pilot, lambda: tree(app).current_rule == "D3", what="the palette jump")
            assert app.main.filters == Filters()

    run(scenario())


def test_usable_at_80x24(project: Path) -> None:
    async def scenario() -> None:
        app = make_app(project, None, watch_interval=None)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_loaded(pilot)
            await pilot.press("n")
            rules, info = tree(app), detail(app)
            assert rules.size.width >= 28 and info.size.width >= 40
            assert rules.size.height >= 15 and info.size.height >= 15
            # The failing items can be reached by keyboard and opened.
            await pilot.press("enter", "enter")
            assert isinstance(app.screen, ItemScreen)

    run(scenario())


def test_every_binding_is_in_the_help() -> None:
    documented = " ".join(keys for keys, _, _ in KEY_HELP)
    aliases = {"slash": "/", "question_mark": "?", "escape": "esc"}
    for owner in (KepuApp, MainScreen):
        for binding in owner.BINDINGS:
            assert not isinstance(binding, tuple)
            for key in binding.key.split(","):  # type: ignore[union-attr]
                assert aliases.get(key, key) in documented, f"{owner.__name__}: {key} is not in the help"


# -- helpers without a UI --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_assessment() -> object:
    from .conftest import EXAMPLE

    return assess(EXAMPLE / "kepu.yaml")


def test_related_rows_lists_own_row_then_referring_rows(demo_assessment: object) -> None:
    facts = demo_assessment.facts  # type: ignore[attr-defined]
    groups = related_rows(facts, "街道", "北坦街道")
    entity, field, rows = groups[0]
    assert (entity, field) == ("街道", OWN_ROW) and rows[0].key == "北坦街道"
    by_ref = {(e, f): rows for e, f, rows in groups[1:]}
    assert by_ref[("科普标识", "街道")] == []  # no sign at all: exactly the evidence of A1's failure
    assert len(by_ref[("社区", "街道")]) == 7
    assert all(r.get("街道") == "北坦街道" for r in by_ref[("社区", "街道")])
    assert all(e in facts.rows for e, _ in by_ref)  # entities without a source are left out

    community = find_row(facts, "社区", "新黄社区")
    assert community is not None
    assert [(f, r.key) for f, r in referenced_rows(facts, community)] == [("街道", "北坦街道")]
    assert related_rows(facts, "街道", "no such street")[0][1] != OWN_ROW


def test_related_rows_finds_keyless_rows_by_provenance() -> None:
    from kepu_rules.facts.provenance import Provenance
    from kepu_rules.facts.schema import EntityDef, FieldDef, FieldType, Schema
    from kepu_rules.facts.table import FactBase, FactTable, Row, SourceData

    schema = Schema({"标识": EntityDef("标识", {"位置": FieldDef("位置", FieldType.TEXT)})})
    sign = Row("标识", {"位置": "广场"}, Provenance("台账", "台账.xlsx", "标识", "A4"))
    facts = FactBase.build(schema, [SourceData(tables=[FactTable("标识", [sign])])])
    assert sign.key is None
    assert related_rows(facts, "标识", "台账.xlsx › 标识!A4") == [("标识", OWN_ROW, [sign])]


@pytest.mark.parametrize(("owner", "units"), [
    ("区科协、各街道", ["区科协", "各街道"]),
    ("各街道（网格员兼任）", ["各街道（网格员兼任）"]),
    ("区科协、各街道（每月通报，含区、街）", ["区科协", "各街道（每月通报，含区、街）"]),
    (None, []),
])
def test_owner_units(owner: str | None, units: list[str]) -> None:
    assert owner_units(owner) == units


def test_filters_match_status_owner_section_and_search() -> None:
    rule = RuleResult(id="B1", title="全国科普日活动覆盖率", title_en="Science Day coverage", section="活动开展",
                      status=Status.FAIL, owner="区科协、各街道")
    assert Filters().matches(rule)
    assert Filters(status=GAPS).matches(rule) and not Filters(status="pass").matches(rule)
    assert Filters(owner="各街道").matches(rule) and not Filters(owner="区财政局").matches(rule)
    assert Filters(section="活动开展").matches(rule) and not Filters(section="阵地建设").matches(rule)
    assert Filters(search="b1").matches(rule) and Filters(search="science day").matches(rule)
    assert Filters(search="覆盖率").matches(rule) and not Filters(search="画廊").matches(rule)


def test_file_signature_sees_edits_and_new_files_in_folders(tmp_path: Path) -> None:
    folder = tmp_path / "档案"
    (folder / "照片").mkdir(parents=True)
    ledger = tmp_path / "a.csv"
    ledger.write_text("x\n", encoding="utf-8")
    missing = tmp_path / "later.yaml"
    before = file_signature([ledger, folder, missing])
    assert before[str(missing)] is None
    (folder / "照片" / "new.jpg").write_bytes(b"jpg")
    assert file_signature([ledger, folder, missing]) != before
    again = file_signature([ledger, folder, missing])
    ledger.write_text("x\ny\n", encoding="utf-8")
    assert file_signature([ledger, folder, missing]) != again


def test_changed_statuses(demo_assessment: object) -> None:
    report = demo_assessment.report("zh")  # type: ignore[attr-defined]
    assert changed_statuses(None, report) == {}
    moved = report.model_copy(deep=True)
    moved.results[0].status = Status.FAIL
    assert changed_statuses(report, moved) == {moved.results[0].id: Status.PASS}
