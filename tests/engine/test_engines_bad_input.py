"""Both engines on bad input: `--engine python` and `--engine columnar` give the same diagnostics (file,
position, code, message, hint) and the same exit code, 2, never a traceback.

The corpus below holds projects whose CSV ledgers are wrong in the ways the columnar read treats apart
(dangling references, duplicate and empty keys, cells that do not convert, required values left empty,
rows too long, missing columns), the bad-input fixtures of the rest of the suite (the example district
with a bad ledger cell or a bad --set, tests/sources/test_csv_native.py's keys and references), and a
hypothesis property that injects such faults into generated ledgers. The good-data differential tests
are tests/engine/test_columnar*.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kepu_rules.diagnostics import KepuError
from kepu_rules.engine.assess import assess

pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo-district"

CONFIG = """\
district: 测试区
ruleset: national
as_of: 2026-11-22
sources:
  - {name: 街道, type: csv, path: data/街道.csv, entity: 街道}
  - {name: 社区, type: csv, path: data/社区.csv, entity: 社区}
  - {name: 科普活动, type: csv, path: data/科普活动.csv, entity: 科普活动}
"""
STREETS = "名称,类型,常住人口\n北坦街道,街道,52000\n泺口街道,街道,48000\n"
COMMUNITIES = "名称,街道\n甲社区,北坦街道\n乙社区,泺口街道\n丙社区,北坦街道\n"
ACTIVITIES = "编号,社区,日期,类别,参与人数\nH1,甲社区,2026-09-15,讲座,30\nH2,乙社区,2026-09-20,展览,120\nH3,丙社区,2026-05-18,讲座,45\n"

WAIVERS = """\
waivers:
  - {rule: A4, entity: 社区, key: 甲社区, reason: 改造, approver: 区科协, expires: 2027-06-30}
  - {rule: A4, entity: 社区, key: 戊社区, reason: 改造, approver: 区科协, expires: 2027-06-30}
  - {rule: A1, entity: 街道, key: 北坦街道, reason: 改造, approver: 区科协, expires: 2027-06-30}
"""

#: name -> the ledgers that differ from the good ones above (each case is wrong in one or two ways).
CORPUS: dict[str, dict[str, str]] = {
    # the example: a reference to a street that is not there, in a ledger others refer to
    "dangling-street": {"街道": "名称,类型\n北坦街道,街道\n"},
    "dangling-street-no-activities": {"街道": "名称,类型\n北坦街道,街道\n", "科普活动": "编号,社区,日期\n"},
    "dangling-community": {"科普活动": ACTIVITIES + "H4,丁社区,2026-09-16,讲座,10\n"},
    "dangling-both": {"街道": "名称\n北坦街道\n", "科普活动": ACTIVITIES + "H4,丁社区,2026-09-16,讲座,10\n"},
    "duplicate-street": {"街道": STREETS + "北坦街道,街道,1\n"},
    "duplicate-community": {"社区": COMMUNITIES + "甲社区,泺口街道\n"},
    "duplicate-activity": {"科普活动": ACTIVITIES + "H1,甲社区,2026-09-16,讲座,10\n"},
    "duplicate-and-dangling": {"社区": COMMUNITIES + "甲社区,北坦街道\n丁社区,历山街道\n"},
    "empty-community-key": {"社区": COMMUNITIES + ",北坦街道\n"},
    "bad-date": {"科普活动": ACTIVITIES + "H4,甲社区,2026-13-45,讲座,10\n"},
    "bad-integer": {"街道": STREETS.replace("48000", "四万八")},
    "required-date-empty": {"科普活动": ACTIVITIES + "H4,甲社区,,讲座,10\n"},
    "required-street-empty": {"社区": COMMUNITIES + "丁社区,\n"},
    "row-too-long": {"社区": COMMUNITIES + "丁社区,北坦街道,多余,更多\n"},
    "missing-column": {"社区": "名称\n甲社区\n"},
    # a waiver for a community that is not in the (deferred) ledger
    "waiver-unknown-item": {"waivers": WAIVERS},
    "bad-cells-many": {"科普活动": "编号,社区,日期,类别,参与人数\n" + "".join(
        f"H{i},甲社区,2026-02-{30 + i % 2},讲座,{'x' if i % 3 else i}\n" for i in range(40))},
}


def write_project(folder: Path, files: dict[str, str]) -> Path:
    """A project of three CSV ledgers (and waivers.yaml when `files` has `waivers`)."""
    (folder / "data").mkdir(parents=True)
    waivers = files.get("waivers")
    config = CONFIG + ("waivers: waivers.yaml\n" if waivers else "")
    (folder / "kepu.yaml").write_text(config, encoding="utf-8")
    if waivers:
        (folder / "waivers.yaml").write_text(waivers, encoding="utf-8")
    ledgers = {"街道": STREETS, "社区": COMMUNITIES, "科普活动": ACTIVITIES,
               **{k: v for k, v in files.items() if k != "waivers"}}
    for name, text in ledgers.items():
        (folder / "data" / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder / "kepu.yaml"


Problem = tuple[str, str, str, str, str, str | None]


def problems(config: Path, engine: str, params: dict[str, str] | None = None) -> list[Problem]:
    """Every diagnostic of the assessment: (location, code, severity, zh, en, hint); [] if it runs."""
    try:
        assess(config, engine=engine, params=params)  # type: ignore[arg-type]
    except KepuError as err:
        return [(d.location.render(), d.code, d.severity, d.message.zh, d.message.en,
                 d.hint.en if d.hint else None) for d in err.diagnostics]
    return []


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_both_engines_give_the_same_diagnostics(tmp_path: Path, case: str) -> None:
    config = write_project(tmp_path / case, CORPUS[case])
    expected = problems(config, "python")
    assert expected, "every case of the corpus is wrong input"
    assert any(re.search(r"\.(csv|yaml):\d+(:\d+)?$", p[0]) for p in expected)  # a file and a line (and column)
    assert problems(config, "columnar") == expected


def test_the_good_project_of_the_corpus_is_good(tmp_path: Path) -> None:
    config = write_project(tmp_path / "good", {})
    assert problems(config, "python") == [] == problems(config, "columnar")


def kepu(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kepu_rules.cli", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


@pytest.mark.parametrize(("case", "first"), [
    ("dangling-street", "data/社区.csv:3:2: 错误: 社区 的 街道 引用了不存在的街道“泺口街道”"),  # the example
    ("duplicate-and-dangling", "data/社区.csv:5:1: 错误: 社区 “甲社区” 重复出现（首次出现于 data/社区.csv:2:1）"),
    ("bad-cells-many", "data/科普活动.csv:2:3: 错误: 日期：无法将“2026-02-30”识别为日期：2026 年 2 月没有 30 日"),
])
def test_kepu_check_exits_2_with_the_interpreters_lines(tmp_path: Path, case: str, first: str) -> None:
    project = write_project(tmp_path / "区", CORPUS[case]).parent
    runs = {engine: kepu("check", "--engine", engine, cwd=project) for engine in ("python", "columnar")}
    for result in runs.values():
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.splitlines()[0] == first
        assert "Traceback" not in result.stderr
    assert runs["columnar"].stderr == runs["python"].stderr


def test_the_whole_corpus_through_the_cli_under_both_engines(tmp_path: Path) -> None:
    """Every case as a project of one batch: one `kepu` per engine, the same ranking and exit code."""
    for case, files in CORPUS.items():
        write_project(tmp_path / "corpus" / case, files)
    runs = {engine: kepu("check", "--batch", "corpus", "--engine", engine, "--workers", "1", "--lang", "en",
                         "--format", "json", cwd=tmp_path) for engine in ("python", "columnar")}
    python, columnar = runs["python"], runs["columnar"]
    assert python.returncode == columnar.returncode == 2
    assert "Traceback" not in python.stderr + columnar.stderr
    ranking = json.loads(python.stdout)
    assert json.loads(columnar.stdout) == ranking
    assert {d["folder"]: d["verdict"] for d in ranking["districts"]} == dict.fromkeys(CORPUS, "error")
    assert all(d["diagnostics"] and d["internal_error"] is None for d in ranking["districts"])


# -- the bad-input fixtures of the rest of the suite ---------------------------------------------


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copytree(DEMO, tmp_path / "demo", ignore=shutil.ignore_patterns("__pycache__", "kepu-report.*"))
    return tmp_path / "demo" / "kepu.yaml"


def test_a_bad_xlsx_cell_of_the_example(demo: Path) -> None:
    """tests/cli/test_cli.py's bad ledger cell: the xlsx is read in Python under both engines."""
    from openpyxl import load_workbook

    book = demo.parent / "data" / "台账.xlsx"
    wb = load_workbook(book)
    ws = wb["科普标识"]
    ws["E5"] = "也许"
    wb.save(book)
    expected = problems(demo, "python")
    assert expected and "[科普标识]!E5" in expected[0][0]
    assert problems(demo, "columnar") == expected


def test_a_bad_activity_csv_of_the_example(demo: Path) -> None:
    """The example's gb18030 activity ledger, which the columnar engine reads with DuckDB."""
    ledger = demo.parent / "data" / "科普活动.csv"
    lines = ledger.read_text(encoding="gb18030").splitlines(keepends=True)
    cells = lines[5].split(",")
    cells[4] = "2026年13月11日"  # 活动日期
    lines[5] = ",".join(cells)
    ledger.write_text("".join(lines), encoding="gb18030")
    expected = problems(demo, "python")
    assert expected and expected[0][0].startswith("data/科普活动.csv:6:")
    assert problems(demo, "columnar") == expected


@pytest.mark.parametrize("params", [{"科普日覆盖目标": "90%"}, {"科普日覆盖率目标": "90"}])
def test_bad_params_of_the_example(demo: Path, params: dict[str, str]) -> None:
    """tests/cli/test_cli.py's bad --set values."""
    expected = problems(demo, "python", params)
    assert expected
    assert problems(demo, "columnar", params) == expected


@pytest.mark.parametrize("communities", [  # tests/sources/test_csv_native.py's keys and references
    "名称,街道\n一社区,北坦街道\n二社区,北坦街道\n一社区,泺口街道\n",
    "名称,街道\n一社区,北坦街道\n,北坦街道\n",
    "名称,街道\n一社区,北坦街道\n二社区,北担街道\n",
])
def test_keys_and_references_with_a_ledger_referring_to_them(tmp_path: Path, communities: str) -> None:
    config = write_project(tmp_path / "p", {"社区": communities,
                                            "科普活动": "编号,社区,日期\nH1,一社区,2026-09-15\nH2,二社区,2026-09-16\n"})
    expected = problems(config, "python")
    assert expected
    assert problems(config, "columnar") == expected


# -- the property ---------------------------------------------------------------------------------

NAMES = st.sampled_from(["北坦", "泺口", "甲", "乙", "丙", "丁", "历山", "大明湖", "趵突泉"])


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()


@st.composite
def faulty_project(draw: st.DrawFn) -> tuple[dict[str, str], list[str]]:
    """Ledgers of a few streets, communities and activities, with faults injected at random places."""
    streets = draw(st.lists(NAMES.map(lambda n: n + "街道"), min_size=1, max_size=4, unique=True))
    communities = draw(st.lists(NAMES.map(lambda n: n + "社区"), min_size=1, max_size=5, unique=True))
    faults: list[str] = []
    street_rows = [[s, draw(st.sampled_from(["52000", "", "1"]))] for s in streets]
    community_rows = [[c, draw(st.sampled_from(streets))] for c in communities]
    activity_rows = [[f"H{i}", draw(st.sampled_from(communities)), draw(st.sampled_from(["2026-09-15", "2026-03-01"])),
                      draw(st.sampled_from(["12", "", "300"]))] for i in range(draw(st.integers(0, 6)))]
    tables = {"街道": street_rows, "社区": community_rows, "科普活动": activity_rows}
    for _ in range(draw(st.integers(0, 3))):
        fault = draw(st.sampled_from(["dangling", "duplicate", "empty-key", "bad-cell", "empty-required", "long-row"]))
        entity = draw(st.sampled_from(["街道", "社区", "科普活动"] if fault not in ("dangling", "empty-required")
                                      else ["社区", "科普活动"]))
        rows = tables[entity]
        if not rows:
            continue
        i = draw(st.integers(0, len(rows) - 1))
        faults.append(f"{fault} in {entity}")
        if fault == "dangling":
            rows[i][1] = draw(NAMES) + "不存在"
        elif fault == "duplicate":
            rows.insert(draw(st.integers(0, len(rows))), list(rows[i]))
        elif fault == "empty-key":
            rows[i][0] = ""
        elif fault == "bad-cell":
            column = {"街道": 1, "社区": None, "科普活动": draw(st.sampled_from([2, 3]))}[entity]
            if column is None:
                faults.pop()
                continue
            rows[i][column] = draw(st.sampled_from(["明天", "2026-02-30", "十二", "1.5", "-"]))
        elif fault == "empty-required":
            rows[i][1 if entity == "社区" else 2] = ""
        else:
            rows[i] = [*rows[i], "多余"]
    files = {"街道": _csv(["名称", "常住人口"], street_rows), "社区": _csv(["名称", "街道"], community_rows),
             "科普活动": _csv(["编号", "社区", "日期", "参与人数"], activity_rows)}
    return files, faults


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(project=faulty_project())
def test_both_engines_agree_on_injected_faults(tmp_path_factory: pytest.TempPathFactory,
                                               project: tuple[dict[str, str], list[str]]) -> None:
    files, faults = project
    config = write_project(tmp_path_factory.mktemp("p"), files)
    expected = problems(config, "python")
    event("wrong input" if expected else "no fault reached a diagnostic" if faults else "no fault")
    assert problems(config, "columnar") == expected, faults
    if not expected:  # then the outcomes agree field for field
        from tests.engine.generated import outcome_fields

        python = [outcome_fields(o) for o in assess(config, engine="python").outcomes]
        columnar: Any = [outcome_fields(o) for o in assess(config, engine="columnar").outcomes]
        assert columnar == python
