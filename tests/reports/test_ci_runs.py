"""`kepu check --format github --format junit:FILE` as a dossier repository's CI runs it: real subprocesses in a
temporary git repository, wrong inputs annotated on their cell, gaps on their ledger rows, no machine paths."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

Golden = Callable[[str, str], None]
ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo-district"

# A ruleset of its own (on the bundled schema), so the golden outputs name lines that only this test writes.
CI_RULESET = """\
ruleset ci "CI 示例规则" version "1"
  extends schema

section "活动" {
  rule C1 "每次活动参与人数不少于 30 人次" points 2 owner "区科协" {
    每个 科普活动 满足 参与人数 >= 30
  }
  rule C2 "每个街道至少三个科普标识" points 2 owner "各街道" {
    每个 街道 满足 至少 3 个 科普标识
  }
  rule C3 "有媒体报道材料" points 1 {
    至少有 1 档案材料 其中 类别 = "媒体报道"
  }
}
"""

ACTIVITIES = "科普活动.csv"


def kepu(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kepu_rules.cli", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def make_repo(root: Path) -> Path:
    """A git repository holding the example district in `district/`; returns the repository's folder."""
    root.mkdir(parents=True)
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
    else:  # the root is found by its .git entry, so a bare folder stands in where git is missing
        (root / ".git").mkdir()
    shutil.copytree(DEMO, root / "district", ignore=shutil.ignore_patterns("__pycache__", "kepu-report.*"))
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def use_ci_ruleset(project: Path) -> None:
    (project / "ci.kepu").write_text(CI_RULESET, encoding="utf-8")
    config = project / "kepu.yaml"
    text = config.read_text(encoding="utf-8").replace("ruleset: national", "ruleset: ci.kepu", 1)
    # The example's waivers name national rules (A1, A4) that this ruleset does not have.
    config.write_text(text.replace("waivers: waivers.yaml", "", 1), encoding="utf-8")


def set_csv_cell(path: Path, line: int, column: int, value: str) -> None:
    """Change one cell of the GB18030 activity ledger (1-based line and column, as diagnostics count them)."""
    lines = path.read_text(encoding="gb18030").split("\n")
    cells = lines[line - 1].split(",")
    cells[column - 1] = value
    lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="gb18030")


def test_a_bad_date_is_an_annotation_on_its_cell_and_a_failing_testcase(repo: Path, golden: Golden) -> None:
    set_csv_cell(repo / "district" / "data" / ACTIVITIES, 420, 5, "2026-13-45")
    result = kepu("check", "-c", "district/kepu.yaml", "--format", "github", "--format", "junit:out/r.xml", cwd=repo)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    # The plain diagnostic stays on stderr for people reading the log.
    assert "data/科普活动.csv:420:5: 错误: 日期：" in result.stderr
    golden("ci_bad_date_github.txt", result.stdout)
    assert result.stdout.startswith("::error file=district/data/科普活动.csv,line=420,col=5,title=kepu 输入错误 (bad-value)::")
    junit = (repo / "out" / "r.xml").read_text(encoding="utf-8")
    golden("ci_bad_date_junit.xml", junit)
    root = ET.fromstring(junit)
    assert (root.get("tests"), root.get("failures")) == ("1", "1")
    case = root.find("./testsuite/testcase")
    assert case is not None and case.get("file") == "district/data/科普活动.csv" and case.get("line") == "420"


def test_paths_are_relative_to_the_repository_from_any_folder_in_it(repo: Path) -> None:
    set_csv_cell(repo / "district" / "data" / ACTIVITIES, 420, 5, "2026-13-45")
    from_root = kepu("check", "-c", "district/kepu.yaml", "--format", "github", cwd=repo)
    from_project = kepu("check", "--format", "github", cwd=repo / "district")
    from_below = kepu("check", "-c", "../kepu.yaml", "--format", "github", cwd=repo / "district" / "data")
    assert from_root.returncode == from_project.returncode == from_below.returncode == 2
    # The annotation's place is the same; the message's own note names kepu.yaml as the run was given it.
    heads = {r.stdout.split("::", 2)[1] for r in (from_root, from_project, from_below)}
    assert heads == {"error file=district/data/科普活动.csv,line=420,col=5,title=kepu 输入错误 (bad-value)"}
    assert "file=district/data/科普活动.csv,line=420,col=5," in from_root.stdout


def test_outside_a_repository_paths_are_relative_to_the_working_directory(tmp_path: Path) -> None:
    project = tmp_path / "district"
    shutil.copytree(DEMO, project)
    if (tmp_path / ".git").exists() or any((p / ".git").exists() for p in tmp_path.parents):
        pytest.skip("the temporary folder lies inside a git checkout")
    set_csv_cell(project / "data" / ACTIVITIES, 420, 5, "2026-13-45")
    result = kepu("check", "--format", "github", cwd=project)
    assert result.returncode == 2
    assert result.stdout.startswith("::error file=data/科普活动.csv,line=420,col=5,")


def test_a_bad_workbook_cell_names_sheet_and_cell(repo: Path) -> None:
    book_path = repo / "district" / "data" / "台账.xlsx"
    book = openpyxl.load_workbook(book_path)
    book["街道"]["C3"] = "很多"  # 常住人口 is a number
    book.save(book_path)
    result = kepu("check", "-c", "district/kepu.yaml", "--format", "github", "--format", "junit:r.xml", "--lang", "en",
                  cwd=repo)
    assert result.returncode == 2, result.stderr
    line = result.stdout.splitlines()[0]
    assert line.startswith("::error file=district/data/台账.xlsx,title=kepu input error (bad-value)::sheet 街道, cell C3: ")
    assert ",line=" not in line  # GitHub has no lines in a workbook: the message says where
    case = ET.parse(repo / "r.xml").getroot().find("./testsuite/testcase")
    assert case is not None and case.get("name") == "district/data/台账.xlsx[街道]!C3"
    failure = case.find("failure")
    assert failure is not None and "很多" in (failure.text or "")


@pytest.mark.parametrize(
    ("break_it", "where"),
    [
        # kepu.yaml: a key that does not exist
        (lambda p: p.joinpath("kepu.yaml").write_text(
            p.joinpath("kepu.yaml").read_text(encoding="utf-8").replace("pass_mark: 85", "pass_mark: 85\npassmark: 90"),
            encoding="utf-8"), "file=district/kepu.yaml,line=8,col=1,"),
        # the ruleset: a misspelled entity
        (lambda p: (use_ci_ruleset(p), p.joinpath("ci.kepu").write_text(
            CI_RULESET.replace("每个 科普活动 满足", "每个 科普活功 满足"), encoding="utf-8")),
         "file=district/ci.kepu,line=6,col=8,"),
        # the waivers: a date that is not one
        (lambda p: p.joinpath("waivers.yaml").write_text(
            p.joinpath("waivers.yaml").read_text(encoding="utf-8").replace("expires: 2026-10-31", "expires: 2026-10-32"),
            encoding="utf-8"), "file=district/waivers.yaml,line=11,col=14,"),
    ],
    ids=["config", "ruleset", "waivers"],
)
def test_every_kind_of_input_is_annotated(repo: Path, break_it: object, where: str) -> None:
    break_it(repo / "district")  # type: ignore[operator]
    result = kepu("check", "-c", "district/kepu.yaml", "--format", "github", "--format", "junit:r.xml", cwd=repo)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("::error ") and where in first, result.stdout
    root = ET.parse(repo / "r.xml").getroot()
    assert int(root.get("failures") or 0) >= 1


def test_gaps_are_annotated_on_the_ledger_row_and_rules_by_repository_path(repo: Path, golden: Golden) -> None:
    use_ci_ruleset(repo / "district")
    result = kepu("check", "-c", "district/kepu.yaml", "--format", "github", cwd=repo)
    assert result.returncode == 1, result.stderr
    golden("ci_gaps_github.txt", result.stdout)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=district/data/科普活动.csv,line=3,title=C1 ")  # the first failing row
    assert lines[0].endswith("%0A规则定义于 district/ci.kepu:5")
    assert lines[1].startswith("::error file=district/data/台账.xlsx,title=C2 ")
    assert lines[2].startswith("::error file=district/ci.kepu,line=11,title=C3 ")  # no item: the rule's line


def test_the_bundled_ruleset_is_named_not_located(repo: Path) -> None:
    result = kepu("check", "-c", "district/kepu.yaml", "--format", "github", "--format", "junit:r.xml", cwd=repo)
    assert result.returncode == 1, result.stderr
    junit = (repo / "r.xml").read_text(encoding="utf-8")
    for text in (result.stdout, junit):
        assert str(ROOT) not in text and "site-packages" not in text and str(repo) not in text
    d3 = next(line for line in result.stdout.splitlines() if "title=D3 " in line)
    assert d3.startswith("::error file=national.kepu,line=")
    assert 'file="national.kepu"' in junit
