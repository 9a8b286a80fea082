"""`kepu check --batch` as users and CI run it: a real subprocess over small generated districts."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from kepu_rules.batch import DEFAULT_WORKERS, Ranking, assess_batch

ROOT = Path(__file__).resolve().parents[2]


def kepu(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kepu_rules.cli", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def _generator() -> ModuleType:
    """benchmarks/generate.py, loaded by path as tests/test_batch.py does (the same module when both run)."""
    name = "kepu_bench_generate"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


gen = _generator()

# name, seed, quality knobs: what each district is for
DISTRICTS: dict[str, tuple[str, int, dict[str, object]]] = {
    "优秀": ("优秀区", 11, {}),  # passes with 100
    "弱": ("弱区", 14, {"science_day": 0.5, "galleries": 0.75, "rooms": 0.75, "few_activities": 0.5,
                       "literacy": 0.1}),  # passes, with a lower score
    "必备": ("必备区", 12, {"sign_gap_streets": 1}),  # fails the required rule A1
    "笔误": ("笔误区", 15, {}),  # its kepu.yaml gets a typo: input error
}


def _write(folder: Path, key: str) -> None:
    name, seed, quality = DISTRICTS[key]
    spec = gen.DistrictSpec(name, seed, streets=3, communities=12, activities=90, profile="test",
                            quality=gen.Quality(**quality))
    gen.write_district(spec, folder)
    if key == "笔误":
        cfg = folder / "kepu.yaml"
        cfg.write_text(cfg.read_text(encoding="utf-8").replace("\nsources:", "\nsourcse:"), encoding="utf-8")


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`ranked`: three districts, one nested, folder order unlike rank order (exit 1); `good`: one passing
    district (exit 0); `broken`: a passing one and one with a typo in kepu.yaml (exit 2)."""
    root = tmp_path_factory.mktemp("province")
    _write(root / "ranked" / "a-弱区", "弱")
    _write(root / "ranked" / "b-必备区", "必备")
    _write(root / "ranked" / "东部" / "c-优秀区", "优秀")
    (root / "ranked" / "notes").mkdir()
    (root / "ranked" / "notes" / "说明.txt").write_text("not a project\n", encoding="utf-8")
    _write(root / "good" / "c-优秀区", "优秀")
    _write(root / "broken" / "c-优秀区", "优秀")
    _write(root / "broken" / "d-笔误区", "笔误")
    return root


def _ranked_lines(text: str) -> list[tuple[int, str]]:
    """(rank, district) of each ranked line of the text ranking."""
    return [(int(m[1]), m[2]) for m in re.finditer(r"^\s+(\d+)\s+(\S+)", text, re.MULTILINE)]


def test_text_lists_districts_in_rank_order(province: Path) -> None:
    result = kepu("check", "--batch", str(province / "ranked"))
    assert result.returncode == 1, result.stderr  # 必备区 fails A1
    assert _ranked_lines(result.stdout) == [(1, "优秀区"), (2, "弱区"), (3, "必备区")]
    assert result.stdout.startswith("科普示范区创建评估排名")
    # stderr is not a terminal here: no progress lines, just the summary, and never on stdout
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "评估了 3 个项目" in result.stderr and "达标 2、未达标 1" in result.stderr
    assert "[1/" not in result.stderr + result.stdout
    assert "评估了" not in result.stdout


def test_json_markdown_html_files(province: Path, tmp_path: Path) -> None:
    folder = province / "ranked"
    result = kepu("check", "--batch", str(folder), "--format", "json:out/r.json", "--format", "markdown:out/r.md",
                  "--format", "html:out/r.html", "--workers", "1", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""  # every format went to its file
    text = (tmp_path / "out" / "r.json").read_text(encoding="utf-8")
    assert json.loads(text)["schema"] == "kepu-ranking/1"
    ranking = Ranking.from_json(text)
    assert ranking == assess_batch(folder, "zh", workers=1)  # the CLI adds nothing and loses nothing
    assert [(d.rank, d.folder) for d in ranking.districts] == [
        (1, "东部/c-优秀区"), (2, "a-弱区"), (3, "b-必备区")]
    markdown = (tmp_path / "out" / "r.md").read_text(encoding="utf-8")
    rows = [line for line in markdown.splitlines() if re.match(r"\| \d", line)]
    assert [row.split(" | ")[1] for row in rows] == ["优秀区", "弱区", "必备区"]
    html = (tmp_path / "out" / "r.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    for name in ("优秀区", "弱区", "必备区"):
        assert name in html


def test_json_on_stdout_stays_valid_json(province: Path) -> None:
    result = kepu("check", "--batch", str(province / "ranked"), "--format", "json", "--lang", "en")
    data = json.loads(result.stdout)
    assert data["lang"] == "en" and data["summary"] == {"total": 3, "verdicts": {"pass": 2, "fail": 1}}
    assert "assessed 3 projects" in result.stderr and "2 pass, 1 fail" in result.stderr


def test_all_pass_exits_0(province: Path) -> None:
    result = kepu("check", "--batch", str(province / "good"))
    assert result.returncode == 0, result.stderr
    assert _ranked_lines(result.stdout) == [(1, "优秀区")]


def test_an_input_error_exits_2_and_the_rest_is_still_ranked(province: Path) -> None:
    result = kepu("check", "--batch", str(province / "broken"), "--lang", "en")
    assert result.returncode == 2
    assert _ranked_lines(result.stdout) == [(1, "优秀区")]
    assert "Projects with input errors (not ranked)" in result.stdout
    assert "笔误区 (d-笔误区)" in result.stdout and "sourcse" in result.stdout
    assert "1 pass, 1 input error; input errors in d-笔误区" in result.stderr
    assert "Traceback" not in result.stderr


def test_set_fail_under_and_as_of_apply_to_every_project(province: Path) -> None:
    result = kepu("check", "--batch", str(province / "good"), "--format", "json", "--set", "科普日覆盖率目标=99%",
                  "--fail-under", "99.5", "--as-of", "2026-11-30", "--workers", "1")
    assert result.returncode == 1, result.stderr  # it passed with 100; the stricter target costs B1 points
    (district,) = Ranking.from_json(result.stdout).districts
    assert district.verdict == "fail" and district.pass_mark == 99.5
    # A date after every dated row of the district: --as-of leaves out rows dated after it.
    assert district.as_of is not None and district.as_of.isoformat() == "2026-11-30"
    assert [g.id for g in district.gaps] == ["B1"]
    assert district.percent is not None and 99 < district.percent < 99.5


def test_an_unknown_param_is_an_input_error_of_every_project(province: Path) -> None:
    result = kepu("check", "--batch", str(province / "good"), "--set", "没有这个参数=1", "--lang", "en")
    assert result.returncode == 2
    assert "the ruleset has no param '没有这个参数'" in result.stdout


@pytest.mark.parametrize(("args", "expected"), [
    (("--format", "junit"), "'junit' is a format of a single project's report"),
    (("--format", "github"), "'github' is a format of a single project's report"),
    (("--format", "json:r.json", "--format", "pdf:r.pdf"), "unknown format 'pdf'; with --batch choose from text, json"),
    (("-c", "kepu.yaml"), "-c/--config cannot be used with --batch"),
    (("--by", "街道", "-v"), "--by, -v/--verbose cannot be used with --batch"),
    (("--as-of", "2026-13-01"), "'2026-13-01' is not a date like 2026-11-22"),
    (("--set", "科普日覆盖率目标"), "--set takes PARAM=VALUE"),
    (("--workers", "0"), "0 is not in the range x>=1"),
])
def test_usage_errors_exit_2_before_any_work(province: Path, tmp_path: Path, args: tuple[str, ...],
                                             expected: str) -> None:
    result = kepu("check", "--batch", str(province / "good"), "--lang", "en", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == "" and list(tmp_path.iterdir()) == []  # nothing assessed, nothing written


def test_workers_without_batch_is_a_usage_error(tmp_path: Path) -> None:
    result = kepu("check", "--workers", "2", cwd=tmp_path)
    assert result.returncode == 2 and "--workers 只用于 --batch" in result.stderr


@pytest.mark.parametrize("content", ["empty", "no kepu.yaml"])
def test_a_folder_without_projects_is_an_input_error(tmp_path: Path, content: str) -> None:
    if content == "no kepu.yaml":
        (tmp_path / "a" / "b").mkdir(parents=True)
        (tmp_path / "a" / "b" / "config.yaml").write_text("district: 甲\n", encoding="utf-8")
        (tmp_path / ".hidden").mkdir()
        (tmp_path / ".hidden" / "kepu.yaml").write_text("district: 乙\n", encoding="utf-8")  # hidden: not searched
    zh = kepu("check", "--batch", str(tmp_path), "--format", "json")
    assert zh.returncode == 2 and zh.stdout == ""
    assert f"{tmp_path} 下没有找到 kepu.yaml" in zh.stderr
    en = kepu("check", "--batch", str(tmp_path), "--lang", "en")
    assert en.returncode == 2
    assert f"no kepu.yaml found under {tmp_path}" in en.stderr and "Traceback" not in en.stderr


def test_help_documents_batch() -> None:
    result = kepu("check", "--help")
    assert result.returncode == 0
    assert "--batch DIR" in result.stdout and "--workers N" in result.stdout
    assert f"(default: {DEFAULT_WORKERS})" in result.stdout  # the help is static: keep it in step with batch.py


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_on_a_terminal_never_reaches_stdout(province: Path) -> None:
    import pty

    leader, follower = pty.openpty()
    with subprocess.Popen([sys.executable, "-m", "kepu_rules.cli", "check", "--batch", str(province / "ranked"),
                           "--format", "json", "--lang", "en"], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=follower) as proc:
        os.close(follower)
        out, _ = proc.communicate(timeout=120)
    err = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        err += chunk
    os.close(leader)
    assert proc.returncode == 1
    assert [d["district"] for d in json.loads(out)["districts"]] == ["优秀区", "弱区", "必备区"]
    progress = err.decode("utf-8")
    assert "\r[1/3] " in progress and "\r[3/3] " in progress
    # the progress line is blanked before the summary, which stays as the last line on the terminal
    pieces = re.split(r"[\r\n]+", progress.strip("\r\n"))
    assert pieces[-1].startswith("assessed 3 projects") and pieces[-2].strip() == ""


def test_the_columnar_engine_ranks_exactly_like_the_interpreter(province: Path) -> None:
    pytest.importorskip("duckdb")
    rankings = {}
    for engine in ("python", "columnar"):
        result = kepu("check", "--batch", str(province / "ranked"), "--format", "json", "--engine", engine,
                      "--workers", "1")
        assert result.returncode == 1, result.stderr
        rankings[engine] = json.loads(result.stdout)
    assert rankings["columnar"] == rankings["python"]
