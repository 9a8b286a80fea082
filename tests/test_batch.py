"""assess_batch: ranking order, projects with wrong input, and the json / markdown / html / text renderings."""

from __future__ import annotations

import importlib.util
import json
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest

from kepu_rules.batch import RankedDistrict, Ranking, assess_batch, exit_code, find_projects, rank
from kepu_rules.reports.ranking import render_html, render_markdown, render_ranking, render_text

ROOT = Path(__file__).resolve().parents[1]


def _generator() -> ModuleType:
    """benchmarks/generate.py is a script, not a package: load it by path."""
    spec = importlib.util.spec_from_file_location("kepu_bench_generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


gen = _generator()
WEAK_NAME = "弱<b>区&"  # markup in a name must come out escaped


def _small(name: str, seed: int, **quality: object) -> object:
    return gen.DistrictSpec(name, seed, streets=3, communities=12, activities=90, profile="test",
                            quality=gen.Quality(**quality))


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("province")
    gen.write_district(_small("优秀区", 11), root / "a-优秀区")
    gen.write_district(_small("必备区", 12, sign_gap_streets=1), root / "b-必备区")
    # Same data as 并列区 below; only this one fails a veto (V2), so it must rank after it.
    gen.write_district(_small("否决区", 13, harmful_incident=True), root / "c-否决区")
    gen.write_district(_small("并列区", 13), root / "d-并列区")
    cfg = root / "d-并列区" / "kepu.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("pass_mark: 85", "pass_mark: 101"), encoding="utf-8")
    gen.write_district(_small(WEAK_NAME, 14, science_day=0.5, unit_science_day=0.5, galleries=0.75, rooms=0.75,
                              officers=0.75, few_activities=0.5, missing_group="老年人", per_capita=1.2, literacy=0.1,
                              missing_dossier=("媒体报道", "群众评价")), root / "e-weak")
    # Two projects with wrong input: a typo in kepu.yaml, and an unreadable date in the activity CSV.
    gen.write_district(_small("笔误区", 15), root / "f-笔误区")
    cfg = root / "f-笔误区" / "kepu.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("\nsources:", "\nsourcse:"), encoding="utf-8")
    gen.write_district(_small("坏数据区", 16), root / "g-坏数据区")
    csv_path = root / "g-坏数据区" / "data" / "科普活动.csv"
    lines = csv_path.read_bytes().decode("gb18030").split("\r\n")
    cells = lines[3].split(",")
    cells[4] = "2026年13月45日"
    lines[3] = ",".join(cells)
    csv_path.write_bytes("\r\n".join(lines).encode("gb18030"))
    (root / "not-a-project").mkdir()  # no kepu.yaml: ignored
    return root


@pytest.fixture(scope="module")
def ranking(province: Path) -> Ranking:
    return assess_batch(province, "zh", workers=2)


def test_finds_every_project(province: Path) -> None:
    assert [p.name for p in find_projects(province)] == [
        "a-优秀区", "b-必备区", "c-否决区", "d-并列区", "e-weak", "f-笔误区", "g-坏数据区"]


def test_ranking_order(ranking: Ranking) -> None:
    by_folder = {d.folder: d for d in ranking.districts}
    assert [d.folder for d in ranking.districts][:5] == ["a-优秀区", "d-并列区", "c-否决区", "b-必备区", "e-weak"]
    assert [d.rank for d in ranking.districts] == [1, 2, 3, 4, 5, None, None]
    assert by_folder["a-优秀区"].verdict == "pass"
    assert by_folder["c-否决区"].veto_failures == ["V2"]
    assert by_folder["d-并列区"].veto_failures == []
    assert by_folder["c-否决区"].percent == by_folder["d-并列区"].percent  # tie broken by veto failures
    assert by_folder["b-必备区"].required_failures == ["A1"]
    weak = by_folder["e-weak"]
    assert weak.district == WEAK_NAME and weak.verdict == "fail"
    assert weak.percent is not None and by_folder["b-必备区"].percent is not None
    assert weak.percent < by_folder["b-必备区"].percent
    # the three biggest gaps, most points missing first, each with its repair text
    assert len(weak.gaps) == 3
    assert [g.missing for g in weak.gaps] == sorted((g.missing for g in weak.gaps), reverse=True)
    assert weak.gaps[0].missing >= 2 and all(g.repair for g in weak.gaps)
    assert sum(weak.counts.values()) == sum(by_folder["a-优秀区"].counts.values()) > 40
    assert ranking.summary.total == 7
    assert ranking.summary.verdicts == {"pass": 1, "fail": 4, "error": 2}
    assert exit_code(ranking) == 2


def test_projects_with_wrong_input_are_listed_with_their_diagnostics(ranking: Ranking) -> None:
    typo = next(d for d in ranking.districts if d.folder == "f-笔误区")
    assert typo.verdict == "error" and typo.rank is None and typo.score is None
    assert typo.district == "笔误区"
    assert any("sourcse" in d.message and "kepu.yaml" in d.location for d in typo.diagnostics), typo.diagnostics
    bad = next(d for d in ranking.districts if d.folder == "g-坏数据区")
    assert bad.verdict == "error"
    assert any("科普活动.csv" in d.location and "2026年13月45日" in d.text for d in bad.diagnostics), bad.diagnostics


def test_serial_and_parallel_give_the_same_ranking(province: Path, ranking: Ranking) -> None:
    seen: list[tuple[int, int]] = []
    serial = assess_batch(province, "zh", lambda done, total, _entry: seen.append((done, total)), workers=1)
    assert serial.to_json() == ranking.to_json()
    assert seen == [(i, 7) for i in range(1, 8)]


def test_rank_tie_breaks() -> None:
    def entry(folder: str, verdict: str, percent: float | None, vetoes: int = 0) -> RankedDistrict:
        return RankedDistrict(district=folder, folder=folder, verdict=verdict, percent=percent,  # type: ignore[arg-type]
                              veto_failures=[f"V{i}" for i in range(vetoes)])

    ranked = rank([entry("e", "error", None), entry("f1", "fail", 90, 2), entry("f2", "fail", 90, 1),
                   entry("f3", "fail", 95, 3), entry("i", "incomplete", 50), entry("p", "pass", 86)])
    assert [(d.folder, d.rank) for d in ranked] == [
        ("p", 1), ("i", 2), ("f3", 3), ("f2", 4), ("f1", 5), ("e", None)]


def test_json_round_trips(ranking: Ranking) -> None:
    text = render_ranking(ranking, "json")
    data = json.loads(text)
    assert data["schema"] == "kepu-ranking/1"
    assert Ranking.from_json(text) == ranking
    assert Ranking.model_validate(data).to_json() == ranking.to_json()


VOID_TAGS = frozenset({"meta", "br", "rect", "line", "img", "hr", "link", "input"})


class _Balanced(HTMLParser):

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_balanced_and_escaped(ranking: Ranking) -> None:
    page = render_html(ranking)
    parser = _Balanced()
    parser.feed(page)
    parser.close()
    assert parser.stack == []
    assert "<b>区&" not in page and "弱&lt;b&gt;区&amp;" in page
    assert WEAK_NAME in "".join(parser.text)
    assert page.count('<svg class="bar"') == 5  # one bar per ranked district
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "@media print" in page
    assert "sourcse" in page  # the typo's diagnostic is shown


def test_markdown(ranking: Ranking) -> None:
    text = render_markdown(ranking)
    lines = text.splitlines()
    table = [line for line in lines if line.startswith("| ")]
    assert len(table) == 2 + 7
    assert table[2].startswith("| 1 | 优秀区 | 达标 |")
    assert "弱\\<b\\>区\\&" in text and WEAK_NAME not in text
    assert "## 输入有误、未参加排名的项目" in text
    english = render_markdown(ranking, "en")
    assert "| Rank | District | Verdict |" in english


def test_text(ranking: Ranking) -> None:
    text = render_text(ranking)
    assert text.splitlines()[0].startswith("科普示范区创建评估排名")
    assert "笔误区 (f-笔误区)" in text


def test_empty_folder(tmp_path: Path) -> None:
    empty = assess_batch(tmp_path, "en")
    assert empty.districts == [] and exit_code(empty) == 2
    assert "Projects 0" in render_text(empty)


@pytest.mark.parametrize("enabled", [True, False])
def test_a_serial_batch_leaves_the_garbage_collector_as_it_found_it(province: Path, enabled: bool) -> None:
    import gc

    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        assess_batch(province, workers=1)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
