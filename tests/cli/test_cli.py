"""The `kepu` command as users and CI run it: real subprocesses, real files, exit codes and texts."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo-district"


def kepu(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kepu_rules.cli", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(DEMO, target)
    return target


def test_help_and_version() -> None:
    result = kepu("--help")
    assert result.returncode == 0
    for command in ("check", "explain", "lint", "fmt", "show", "test", "plugins", "init", "tui"):
        assert f"  {command}" in result.stdout
    assert kepu("-h").stdout == result.stdout
    assert kepu("--version").stdout.startswith("kepu, version ")


def test_check_prints_the_gaps_and_exits_1(demo: Path) -> None:
    result = kepu("check", cwd=demo)
    assert result.returncode == 1, result.stderr
    assert "结论：未达标" in result.stdout
    assert "北坦街道、泺口街道各增设 1 个科普标识（沿街显要）" in result.stdout
    assert "Traceback" not in result.stderr


def test_check_writes_several_formats(demo: Path) -> None:
    result = kepu("check", "--format", "json:out/r.json", "--format", "markdown:out/r.md", "--format", "text", cwd=demo)
    assert result.returncode == 1
    report = json.loads((demo / "out" / "r.json").read_text(encoding="utf-8"))
    assert report["schema"] == "kepu-report/1"
    assert report["summary"]["verdict"] == "fail"
    assert (demo / "out" / "r.md").read_text(encoding="utf-8").startswith("#")
    assert "结论" in result.stdout


def test_fail_under_and_set(demo: Path) -> None:
    passing = kepu("check", "--format", "json:r.json", "--set", "科普日覆盖率目标=70%", "--fail-under", "0", cwd=demo)
    report = json.loads((demo / "r.json").read_text(encoding="utf-8"))
    b1 = next(r for r in report["results"] if r["id"] == "B1")
    assert b1["status"] == "pass", passing.stderr
    assert kepu("check", "--fail-under", "99", "--format", "json:r2.json", cwd=demo).returncode == 1
    summary = json.loads((demo / "r2.json").read_text(encoding="utf-8"))["summary"]
    assert summary["pass_mark"] == 99


@pytest.mark.parametrize(("args", "expected"), [
    (("--set", "科普日覆盖目标=90%"), "the ruleset has no param '科普日覆盖目标'"),
    (("--set", "科普日覆盖率目标=90"), "write 90% or a fraction"),
])
def test_bad_params_exit_2_with_a_diagnostic(demo: Path, args: tuple[str, ...], expected: str) -> None:
    result = kepu("check", "--lang", "en", *args, cwd=demo)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_ledger_cell_is_an_input_error_naming_file_sheet_and_cell(demo: Path) -> None:
    from openpyxl import load_workbook

    book = demo / "data" / "台账.xlsx"
    wb = load_workbook(book)
    ws = wb["科普标识"]
    header_row = next(r for r in range(1, 6) if any(c.value == "沿街显要" or c.value == "是否沿街显要位置"
                                                     for c in ws[r]))
    col = next(c.column_letter for c in ws[header_row] if c.value in ("沿街显要", "是否沿街显要位置"))
    ws[f"{col}{header_row + 2}"] = "也许"
    wb.save(book)
    before = book.read_bytes()
    result = kepu("check", "--lang", "en", cwd=demo)
    assert result.returncode == 2, result.stdout
    assert f"[科普标识]!{col}{header_row + 2}" in result.stderr
    assert "也许" in result.stderr
    assert book.read_bytes() == before


def test_missing_project_file_says_how_to_create_one(tmp_path: Path) -> None:
    result = kepu("check", "--lang", "en", cwd=tmp_path)
    assert result.returncode == 2
    assert "kepu init" in result.stderr


def test_unknown_format_is_a_usage_error(demo: Path) -> None:
    result = kepu("check", "--format", "pdf", cwd=demo)
    assert result.returncode == 2
    assert "unknown format 'pdf'" in result.stderr


def test_explain_lists_every_failing_item_with_its_evidence(demo: Path) -> None:
    result = kepu("explain", "B1", cwd=demo)
    assert result.returncode == 0
    assert "未达标项 (16)" in result.stdout
    assert result.stdout.count("← data/台账.xlsx › 社区（村）!A") == 16
    missing = kepu("explain", "B99", "--lang", "en", cwd=demo)
    assert missing.returncode == 2 and "did you mean" in missing.stderr


def test_lint_clean_and_broken(tmp_path: Path) -> None:
    clean = kepu("lint", "rulesets", "--lang", "en")
    assert clean.returncode == 0, clean.stderr
    assert "0 errors" in clean.stderr + clean.stdout
    bad = tmp_path / "bad.kepu"
    bad.write_text('ruleset bad "坏" extends national\nsection "s" {\n  rule Z1 "z" { 每个 街道 至少有 1 个 科普标志 }\n}\n',
                   encoding="utf-8")
    result = kepu("lint", str(bad), "--lang", "en")
    assert result.returncode == 2
    assert "bad.kepu:3:31: error: unknown entity '科普标志'" in result.stderr
    assert "did you mean '科普标识'?" in result.stderr


def test_show_effective_marks_what_the_overlay_changed() -> None:
    result = kepu("show", "quancheng")
    assert result.returncode == 0, result.stderr
    assert "national → quancheng" in result.stdout
    assert "[quancheng] param 科普日覆盖率目标" in result.stdout
    assert "[quancheng] A6" in result.stdout  # the dropped rule, with its reason


def test_plugins_lists_sources_with_their_options() -> None:
    result = kepu("plugins")
    assert result.returncode == 0
    assert "kepu_sources" in result.stdout and "register_sources" in result.stdout
    assert "xlsx" in result.stdout and "path:" in result.stdout
    data = json.loads(kepu("plugins", "--json").stdout)
    assert {"yaml", "csv", "xlsx", "dossier"} <= set(data["sources"])


def test_init_scaffolds_a_project_that_checks_without_a_traceback(tmp_path: Path) -> None:
    target = tmp_path / "新区"
    result = kepu("init", str(target))
    assert result.returncode == 0, result.stderr
    for name in ("kepu.yaml", "rules/region.kepu", "waivers.yaml", "data/台账.xlsx"):
        assert (target / name).exists(), name
    assert kepu("lint", str(target / "rules")).returncode == 0
    check = kepu("check", cwd=target)
    assert check.returncode in (1, 2)
    assert "Traceback" not in check.stderr
    again = kepu("init", str(target), "--lang", "en")
    assert again.returncode == 2 and "already exists" in again.stderr


def test_kepu_test_runs_rule_unit_tests(tmp_path: Path) -> None:
    cases = tmp_path / "a1.yaml"
    cases.write_text(
        "ruleset: national\nas_of: 2026-11-22\ncases:\n"
        "  - name: 有标识\n    rule: A1\n    facts:\n      街道: [{名称: 甲}]\n"
        "      科普标识: [{编号: S1, 街道: 甲, 沿街显要: 是}]\n    expect: pass\n"
        "  - name: 写错的期望\n    rule: A1\n    facts:\n      街道: [{名称: 甲}]\n      科普标识: []\n    expect: pass\n",
        encoding="utf-8")
    result = kepu("test", str(cases), "--lang", "en")
    assert result.returncode == 1
    assert "1 passed, 1 failed" in result.stdout
    assert "FAIL A1 写错的期望" in result.stdout


@pytest.mark.parametrize("engine", ["python", "columnar", "auto"])
def test_every_engine_gives_the_same_report(engine: str, tmp_path: Path) -> None:
    if engine == "columnar":
        pytest.importorskip("duckdb")
    out = tmp_path / f"{engine}.json"
    result = kepu("check", "--engine", engine, "--format", f"json:{out}", "--format", "text", cwd=DEMO)
    assert result.returncode == 1, result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    report.pop("generated_at")
    reference = tmp_path / "reference.json"
    kepu("check", "--engine", "python", "--format", f"json:{reference}", cwd=DEMO)
    expected = json.loads(reference.read_text(encoding="utf-8"))
    expected.pop("generated_at")
    assert report == expected


def test_an_unknown_engine_is_a_usage_error() -> None:
    result = kepu("check", "--engine", "spark", cwd=DEMO)
    assert result.returncode == 2
    assert "spark" in result.stderr and "columnar" in result.stderr
