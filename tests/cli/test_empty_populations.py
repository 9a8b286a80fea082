"""No vacuous passes, as a new user meets them: real `kepu init`, `kepu check` and `kepu test` runs.

A rule that reads the rows of an entity no source gave a row of could not be checked, whichever engine
runs it, unless the rule wrote `E (may be empty)`; the headline and the score count it so.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kepu_rules.dsl import ir as I
from kepu_rules.engine.assess import load_ruleset

ROOT = Path(__file__).resolve().parents[2]


def kepu(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kepu_rules.cli", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=180)


def _rows_read(node: I.Node | None) -> list[I.RowsOf]:
    if node is None:
        return []
    found = [node] if isinstance(node, I.RowsOf) else []
    for child in I.children(node):
        found += _rows_read(child)
    return found


def _report(project: Path, engine: str, tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / f"{project.name}-{engine}.json"
    result = kepu("check", "--engine", engine, "--format", f"json:{out}", "--lang", "en", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    report.pop("generated_at")
    return report


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("init") / "新区"
    result = kepu("init", str(target))
    assert result.returncode == 0, result.stderr
    return target


def test_a_fresh_project_passes_no_rule_over_an_empty_entity(fresh: Path, tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    report = _report(fresh, "python", tmp_path)
    assert _report(fresh, "columnar", tmp_path) == report
    ruleset = load_ruleset(fresh / "rules" / "region.kepu")
    results = {r["id"]: r for r in report["results"]}
    assert set(results) == set(ruleset.rules)
    over_rows = 0
    for rule_id, rule in ruleset.rules.items():
        read = [rows for root in (rule.body, rule.applies) for rows in _rows_read(root)]
        if any(not rows.may_be_empty for rows in read):  # every ledger of a fresh project is empty
            over_rows += 1
            assert results[rule_id]["status"] == "unknown", (rule_id, results[rule_id]["message"])
            assert results[rule_id]["points"] == 0
        if results[rule_id]["status"] == "pass":
            assert read and all(rows.may_be_empty for rows in read), rule_id
    assert over_rows >= 40  # A1, O8, T1 and every other `每个 …` rule among them
    assert results["A1"]["message"] == "no 街道 rows were read (source 台账, sheet 街道)"
    assert results["D1"]["message"] == "no 档案材料 rows were read (source 档案)"
    summary = report["summary"]
    assert summary["verdict"] == "fail" and summary["score"] == 0
    assert summary["counts"]["unknown"] == sum(1 for r in report["results"] if r["status"] == "unknown") >= over_rows


def test_the_headline_says_which_vetoes_could_not_be_checked(fresh: Path) -> None:
    result = kepu("check", cwd=fresh)
    assert result.returncode == 1
    headline = result.stdout.splitlines()[1]
    assert "一票否决项：全部通过" not in headline
    assert "一票否决项：V3、V1 无法核查" in headline
    assert "无法核查：未读到任何 街道 行（数据源 台账，工作表 街道）" in result.stdout


def test_empty_csv_ledgers_read_into_duckdb_are_could_not_check_too(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    project = tmp_path / "csv"
    (project / "data").mkdir(parents=True)
    (project / "data" / "街道.csv").write_text("名称\n", encoding="utf-8")
    (project / "data" / "科普标识.csv").write_text("编号,街道,沿街显要\n", encoding="utf-8")
    (project / "kepu.yaml").write_text(
        "district: 空区\nruleset: rules.kepu\npass_mark: 85\nsources:\n"
        "  - {type: csv, path: data/街道.csv, entity: 街道}\n"
        "  - {type: csv, path: data/科普标识.csv, entity: 科普标识}\n", encoding="utf-8")
    (project / "rules.kepu").write_text(
        'ruleset r "r"\n    extends schema\nsection "s" {\n'
        '  rule A1 "标识" points 5 { 每个 街道 至少有 1 个 科普标识 其中 沿街显要 }\n'
        '  rule A2 "无标识的街道" points 5 { 没有 街道（可为空） 其中 count(科普标识) = 0 }\n}\n', encoding="utf-8")
    report = _report(project, "python", tmp_path)
    assert _report(project, "columnar", tmp_path) == report
    assert [(r["id"], r["status"]) for r in report["results"]] == [("A1", "unknown"), ("A2", "pass")]
    assert report["results"][0]["message"] == "no 街道 rows were read (source 街道.csv, data/街道.csv)"
    assert report["summary"]["score"] == 5 and report["summary"]["max_score"] == 10


def test_kepu_test_reports_an_empty_fixture_as_could_not_check(tmp_path: Path) -> None:
    cases = tmp_path / "t1.yaml"
    cases.write_text(
        "ruleset: national\nas_of: 2026-11-22\ncases:\n"
        "  - name: 社区台账为空\n    rule: T1\n    facts:\n      社区: []\n    expect: unknown\n"
        "  - name: 以为空台账会通过\n    rule: T1\n    facts:\n      社区: []\n      科普信息员: []\n    expect: pass\n",
        encoding="utf-8")
    result = kepu("test", str(cases), "--lang", "en")
    assert result.returncode == 1
    assert "1 passed, 1 failed" in result.stdout
    assert f"expected pass, got unknown: no 社区 rows were read (source test, {cases})" in result.stdout


def test_a_ruleset_without_rules_is_incomplete_not_a_pass(fresh: Path, tmp_path: Path) -> None:
    project = tmp_path / "empty"
    import shutil

    shutil.copytree(fresh, project)
    (project / "rules" / "region.kepu").write_text('ruleset empty "空"\n    extends schema\n', encoding="utf-8")
    result = kepu("check", "--lang", "en", cwd=project)
    assert result.returncode == 1
    assert "Verdict: INCOMPLETE" in result.stdout
    assert "the ruleset has no rules to assess" in result.stdout
    out = tmp_path / "r.json"
    assert kepu("check", "--format", f"json:{out}", cwd=project).returncode == 1
    summary = json.loads(out.read_text(encoding="utf-8"))["summary"]
    assert summary["verdict"] == "incomplete" and summary["max_score"] == 0
