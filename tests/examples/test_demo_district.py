"""End to end: `kepu check` on a copy of examples/demo-district, as a user runs it.

The planted gaps are read from examples/demo-district/expected-gaps.yaml. Every run happens in a copy
under tmp_path, so the repository is never changed; the copy sits at `<tmp>/examples/demo-district`
beside a link to the repository's `rulesets/`, so `kepu-quancheng.yaml`'s relative
`ruleset: ../../rulesets/regions/quancheng.kepu` resolves exactly as in the checkout.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo-district"
EXPECTED: dict[str, Any] = yaml.safe_load((DEMO / "expected-gaps.yaml").read_text(encoding="utf-8"))

# (label, config file, expected gaps for it)
SPECS: list[tuple[str, str, dict[str, Any]]] = [
    ("national", "kepu.yaml", {**EXPECTED, "dropped": []}),
    *((name, str(spec["config"]), spec) for name, spec in EXPECTED["overlays"].items()),
]
CONFIGS = [pytest.param(*spec, id=spec[0]) for spec in SPECS]


# -- helpers ----------------------------------------------------------------------------------------


def copy_demo(root: Path, *, history: bool = False) -> Path:
    """Copy the demo to root/examples/demo-district and make root/rulesets the repository's rulesets.

    The shipped records (history/) are left out unless `history`: most tests record runs of their own."""
    work = root / "examples" / "demo-district"
    shutil.copytree(DEMO, work, ignore=None if history else shutil.ignore_patterns("history"))
    try:
        (root / "rulesets").symlink_to(REPO / "rulesets", target_is_directory=True)
    except OSError:  # no symlinks (e.g. Windows without the privilege): a copy does as well
        shutil.copytree(REPO / "rulesets", root / "rulesets")
    return work


def kepu(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "kepu_rules.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def check_json(cwd: Path, config: str, *extra: str) -> tuple[int, dict[str, Any], str]:
    """Run `kepu check -c CONFIG --format json:OUT [extra]`; return the exit code, the report, and the output."""
    out = cwd.parent / f"report-{config}-{len(list(cwd.parent.glob('report-*')))}.json"
    done = kepu(cwd, "check", "-c", config, "--format", f"json:{out}", *extra)
    assert done.returncode in (0, 1), f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert out.is_file(), done.stdout + done.stderr
    return done.returncode, json.loads(out.read_text(encoding="utf-8")), done.stdout + done.stderr


def results(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in report["results"]}


# -- the demo as shipped ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, dict[str, Any], str]]:
    """One run per config on an unchanged copy (exit code, JSON report, output)."""
    work = copy_demo(tmp_path_factory.mktemp("shipped"))
    return {config: check_json(work, config) for _, config, _ in SPECS}


@pytest.mark.parametrize(("label", "config", "expected"), CONFIGS)
def test_shipped_demo_fails_with_exit_code_1(shipped: dict, label: str, config: str, expected: dict) -> None:
    code, report, output = shipped[config]
    assert code == 1, output
    assert report["summary"]["verdict"] == "fail"
    assert report["as_of"] == str(EXPECTED["as_of"])
    assert report["diagnostics"] == []


@pytest.mark.parametrize(("label", "config", "expected"), CONFIGS)
def test_failing_rules_are_exactly_the_planted_gaps(shipped: dict, label: str, config: str, expected: dict) -> None:
    _, report, _ = shipped[config]
    not_passing = {rid: r["status"] for rid, r in results(report).items() if r["status"] != "pass"}
    want = {**{rid: "fail" for rid in expected["failing"]}, **{rid: "waived" for rid in expected["waived"]}}
    assert not_passing == want
    assert sorted(report["summary"]["required_failures"]) == sorted(
        rid for rid, r in results(report).items() if r["status"] == "fail" and r["severity"] == "required")


@pytest.mark.parametrize(("label", "config", "expected"), CONFIGS)
def test_each_failing_rule_lists_exactly_the_planted_items(shipped: dict, label: str, config: str, expected: dict) -> None:
    _, report, _ = shipped[config]
    by_id = results(report)
    for rid, keys in expected["failing"].items():
        got = sorted(item["key"] for item in by_id[rid]["failing"])
        assert got == sorted(keys or []), rid
        assert by_id[rid]["repair"].strip(), f"{rid} has no repair"


@pytest.mark.parametrize(("label", "config", "expected"), CONFIGS)
def test_waivers_valid_and_expired(shipped: dict, label: str, config: str, expected: dict) -> None:
    _, report, _ = shipped[config]
    by_id = results(report)
    for rid, keys in expected["waived"].items():
        rule = by_id[rid]
        assert rule["status"] == "waived"
        assert rule["waiver"]["key"] in keys and rule["waiver"]["expired"] is False
        assert rule["counts"]["failing"] == 0
    for gone in EXPECTED["expired_waivers"]:
        listed = [w for w in report["waivers"] if (w["rule"], w["key"]) == (gone["rule"], gone["key"])]
        assert len(listed) == 1, report["waivers"]
        assert listed[0]["expired"] is True
        assert listed[0]["expires"] == str(gone["expires"])
        # an expired waiver waives nothing: the item still fails
        assert gone["key"] in [item["key"] for item in by_id[gone["rule"]]["failing"]]
        assert by_id[gone["rule"]]["status"] == "fail"


@pytest.mark.parametrize(("label", "config", "expected"), CONFIGS)
def test_b1_measures_44_of_60(shipped: dict, label: str, config: str, expected: dict) -> None:
    _, report, _ = shipped[config]
    b1 = results(report)["B1"]
    want = EXPECTED["measured"]["B1"]
    assert (b1["counts"]["passing"], b1["counts"]["total"]) == (want["covered"], want["total"])
    assert b1["measured"] == pytest.approx(want["covered"] / want["total"], abs=1e-4)
    assert b1["target"] == pytest.approx(0.9 if label == "quancheng" else 0.8)


@pytest.mark.parametrize(("label", "config", "expected"), CONFIGS)
def test_dropped_rules_are_not_assessed(shipped: dict, label: str, config: str, expected: dict) -> None:
    _, report, _ = shipped[config]
    ids = set(results(report))
    for rid in expected.get("dropped", []):
        assert rid not in ids
    if label == "quancheng":
        assert {"Q1", "Q2", "Q3", "Q4", "Q5"} <= ids
        assert results(report)["B1"]["severity"] == "required"
        assert "B1" in report["summary"]["required_failures"]


# -- other options ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An unchanged copy for read-only option runs."""
    return copy_demo(tmp_path_factory.mktemp("options"))


def test_set_lowers_the_science_day_target_so_b1_passes(demo: Path) -> None:
    code, report, output = check_json(demo, "kepu.yaml", "--set", "科普日覆盖率目标=70%")
    b1 = results(report)["B1"]
    assert b1["status"] == "pass", b1["message"]
    assert b1["target"] == pytest.approx(0.7)
    assert b1["points"] == b1["max_points"]
    assert code == 1, output  # A1 (required) and D3 still fail
    assert {rid for rid, r in results(report).items() if r["status"] == "fail"} == {"A1", "D3"}


def test_lang_en_gives_english_messages(demo: Path) -> None:
    _, zh, _ = check_json(demo, "kepu.yaml")
    code, en, _ = check_json(demo, "kepu.yaml", "--lang", "en")
    assert code == 1
    assert (zh["lang"], en["lang"]) == ("zh", "en")
    b1_zh, b1_en = results(zh)["B1"], results(en)["B1"]
    assert b1_zh["message"].startswith("覆盖率 73.3%")
    assert b1_en["message"].startswith("coverage 73.3% (44 of 60"), b1_en["message"]
    assert "target" in b1_en["message"]
    for rid in EXPECTED["failing"]:
        for text in (results(en)[rid]["message"], results(en)[rid]["repair"]):
            assert not any(word in text for word in ("未达标", "覆盖率", "要求", "再增加", "即可")), text
    text = kepu(demo, "check", "--lang", "en")
    assert text.returncode == 1
    assert "B1" in text.stdout and "coverage 73.3%" in text.stdout, text.stdout


def test_junit_report_counts_the_failures(demo: Path) -> None:
    out = demo.parent / "report.xml"
    done = kepu(demo, "check", "--format", f"junit:{out}")
    assert done.returncode == 1, done.stdout + done.stderr
    root = ET.parse(out).getroot()
    assert root.tag == "testsuites"
    failures = root.findall(".//testcase/failure")
    assert int(root.get("failures", "-1")) == len(failures) == len(EXPECTED["failing"])
    assert int(root.get("tests", "-1")) == len(root.findall(".//testcase")) == 54
    assert int(root.get("skipped", "-1")) == len(EXPECTED["waived"])
    failed = {tc.get("name", "").split()[0] for tc in root.iter("testcase") if tc.find("failure") is not None}
    assert failed == set(EXPECTED["failing"])
    assert sum(int(s.get("failures", "0")) for s in root.iter("testsuite")) == len(failures)


# -- fixing the data --------------------------------------------------------------------------------


def _sign_columns(ws: Any) -> dict[str, int]:
    """科普标识 has a two-row header (rows 2-3, 设置情况 merged over three columns): header text → column."""
    columns: dict[str, int] = {}
    for col in range(1, ws.max_column + 1):
        text = ws.cell(3, col).value or ws.cell(2, col).value
        if text:
            columns[str(text)] = col
    return columns


def fix_signs(work: Path) -> None:
    path = work / "data" / "台账.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["科普标识"]
    col = _sign_columns(ws)
    assert {"标识编号", "所属街道", "设置位置", "是否沿街显要位置", "设置日期"} <= set(col), col
    rows = [r for r in range(4, ws.max_row + 1) if ws.cell(r, col["标识编号"]).value]
    # 泺口街道's only sign is indoors: the rebuilt roadside light box is back.
    luokou = [r for r in rows if ws.cell(r, col["所属街道"]).value == "泺口街道"]
    assert luokou and all(ws.cell(r, col["是否沿街显要位置"]).value == "否" for r in luokou)
    ws.cell(luokou[0], col["设置位置"]).value = "泺口主干道公交站旁（改造后重新设置）"
    ws.cell(luokou[0], col["是否沿街显要位置"]).value = "是"
    # 北坦街道 has no sign row at all: add one below the last row, formatted like it.
    assert not any(ws.cell(r, col["所属街道"]).value == "北坦街道" for r in rows)
    last, new = rows[-1], rows[-1] + 1
    values = {"标识编号": f"BS-{len(rows) + 1:02d}", "所属街道": "北坦街道", "设置位置": "北坦街道文化广场",
              "是否沿街显要位置": "是", "设置日期": dt.datetime(2026, 11, 1), "标识形式": "灯箱"}
    for header, value in values.items():
        ws.cell(new, col[header]).value = value
        ws.cell(new, col[header]).number_format = ws.cell(last, col[header]).number_format
    wb.save(path)


def fix_science_day(work: Path, communities: list[str]) -> None:
    """Append one Science Day activity per community to the GB18030, CRLF activity ledger."""
    path = work / "data" / "科普活动.csv"
    raw = path.read_bytes()
    assert raw.endswith(b"\r\n")
    rows = list(csv.reader(raw.decode("gb18030").splitlines()))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["活动编号", "活动名称", "举办社区"], header
    number = max(int(r[0].rsplit("-", 1)[1]) for r in body)
    new_rows = []
    for i, community in enumerate(communities, start=1):
        values = {"活动编号": f"KP2026-{number + i:04d}", "活动名称": f"{community}全国科普日·科学家精神宣讲",
                  "举办社区": community, "主办单位": "", "活动日期": "2026/9/20", "活动类别": "全国科普日",
                  "面向人群": "社区居民", "参与人数（人次）": "120", "是否线上登记": "是",
                  "活动地点": f"{community}党群服务中心"}
        assert set(values) == set(header), header
        new_rows.append([values[h] for h in header])
    with path.open("a", encoding="gb18030", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(new_rows)


def fix_media(work: Path) -> None:
    folder = work / "档案" / "媒体报道"
    folder.mkdir()
    (folder / "泉城日报：示例区全力创建全国科普示范区.pdf").write_bytes(b"%PDF-1.4 placeholder\n")


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = copy_demo(tmp_path_factory.mktemp("fixed"))
    fix_signs(work)
    fix_science_day(work, EXPECTED["failing"]["B1"])
    fix_media(work)
    return work


def test_fixing_the_copy_leaves_the_repository_alone(fixed: Path) -> None:
    assert not (DEMO / "档案" / "媒体报道").exists()
    assert (fixed / "data" / "台账.xlsx").read_bytes() != (DEMO / "data" / "台账.xlsx").read_bytes()


def test_fixed_data_reads_back_as_written(fixed: Path) -> None:
    text = (fixed / "data" / "科普活动.csv").read_bytes().decode("gb18030")
    original = (DEMO / "data" / "科普活动.csv").read_bytes().decode("gb18030")
    assert text.startswith(original)
    added = text[len(original):].split("\r\n")
    assert added[-1] == "" and len(added) - 1 == len(EXPECTED["failing"]["B1"])


@pytest.mark.parametrize(("label", "config", "expected"), CONFIGS)
def test_fixed_demo_passes(fixed: Path, label: str, config: str, expected: dict) -> None:
    code, report, output = check_json(fixed, config)
    by_id = results(report)
    assert code == 0, output + json.dumps({rid: r["message"] for rid, r in by_id.items() if r["status"] != "pass"},
                                          ensure_ascii=False)
    assert report["summary"]["verdict"] == "pass"
    for rid in expected["failing"]:
        assert by_id[rid]["status"] == "pass", by_id[rid]["message"]
    for rid in expected["waived"]:
        assert by_id[rid]["status"] == "waived"  # the gallery is still being rebuilt
    b1 = by_id["B1"]
    assert (b1["counts"]["passing"], b1["counts"]["total"]) == (60, 60)
    assert report["summary"]["counts"]["fail"] == 0
    assert report["summary"]["required_failures"] == [] and report["summary"]["veto_failures"] == []
