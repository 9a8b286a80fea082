"""`kepu check --record`, `kepu history` (and backfill) and `kepu diff`, run as a user runs them, on
copies of the demo district. Expected figures come from the ledgers (tests/examples/ledger.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.examples import ledger
from tests.examples.test_demo_district import copy_demo, kepu


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return copy_demo(tmp_path)


def _json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_record_is_the_report_kept_per_date_sorted_and_portable(demo: Path) -> None:
    done = kepu(demo, "check", "--record", "--as-of", "2026-10-31")
    assert done.returncode == 1, done.stderr  # the demo does not pass
    assert "history/2026-10-31.json" in done.stderr
    path = demo / "history" / "2026-10-31.json"
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert str(demo) not in text and str(ledger.REPO) not in text and '"/' not in text
    assert data["schema"] == "kepu-report/1" and data["as_of"] == "2026-10-31" and data["generated_at"] == ""
    assert data["record"]["rebuilt"] is False and data["params"]["科普日覆盖率目标"] == "80%"
    assert data["ruleset"]["path"] == "national.kepu"
    first = data["record"].pop("recorded_at")
    assert kepu(demo, "check", "--record", "--as-of", "2026-10-31").returncode == 1
    again = _json(path)
    again["record"].pop("recorded_at")
    assert again == data and first  # only the recorded-at time changes from run to run


def test_history_folder_is_set_in_kepu_yaml(demo: Path) -> None:
    config = demo / "kepu.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "history: 记录\n", encoding="utf-8")
    kepu(demo, "check", "--record")
    assert (demo / "记录" / "2026-11-22.json").is_file() and not (demo / "history").exists()
    listed = kepu(demo, "history", "--lang", "en")
    assert listed.returncode == 0 and "2026-11-22" in listed.stdout


def test_backfill_rebuilds_month_ends_and_keeps_records_made_at_the_time(demo: Path) -> None:
    kepu(demo, "check", "--record", "--as-of", "2026-09-30")
    done = kepu(demo, "history", "backfill", "--monthly", "2026-07..2026-12", "--lang", "en")
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in (demo / "history").glob("*.json"))
    # 2026-11 ends at the assessment date (kepu.yaml as_of 2026-11-22); December is after it.
    assert files == ["2026-07-31.json", "2026-08-31.json", "2026-09-30.json", "2026-10-31.json", "2026-11-22.json"]
    assert "kept the record made at the time" in done.stdout
    assert _json(demo / "history" / "2026-09-30.json")["record"]["rebuilt"] is False
    assert _json(demo / "history" / "2026-08-31.json")["record"]["rebuilt"] is True
    forced = kepu(demo, "history", "backfill", "--monthly", "2026-09..2026-09", "--force")
    assert forced.returncode == 0 and _json(demo / "history" / "2026-09-30.json")["record"]["rebuilt"] is True

    listed = kepu(demo, "history", "--lang", "en")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()[1:]
    assert [line[:10] for line in lines] == ["2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31", "2026-11-22"]
    for line in lines:
        record = _json(demo / "history" / f"{line[:10]}.json")
        assert f"{record['summary']['score']:g} / {record['summary']['max_score']:g}" in line
        assert "(rebuilt)" in line


@pytest.mark.parametrize("months", ["2026-13..2026-14", "2026-05..2026-01", "June"])
def test_backfill_refuses_a_bad_range(demo: Path, months: str) -> None:
    done = kepu(demo, "history", "backfill", "--monthly", months)
    assert done.returncode == 2 and "--monthly" in done.stderr
    assert not (demo / "history").exists()


def test_diff_shows_science_day_coverage_and_the_communities_that_gained_an_activity(demo: Path) -> None:
    """The done-when of issue 12: backfill June..November, then diff 2026-08-31 with 2026-11-22."""
    assert kepu(demo, "history", "backfill", "--monthly", "2026-06..2026-11").returncode == 0
    done = kepu(demo, "diff", "2026-08-31", "2026-11-22", "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    b1 = next(r for r in result["rules"] if r["id"] == "B1")
    old, new = ledger.covered(dt.date(2026, 8, 31)), ledger.covered(dt.date(2026, 11, 22))
    everyone = len(ledger.communities())
    assert b1["old"]["measured"] == pytest.approx(len(old) / everyone, abs=1e-6)
    assert b1["new"]["measured"] == pytest.approx(len(new) / everyone, abs=1e-6)
    assert {i["key"] for i in b1["fixed"]} == new - old and new - old
    assert b1["newly_failing"] == []
    assert result["score"]["old"] == _json(demo / "history" / "2026-08-31.json")["summary"]["score"]

    text = kepu(demo, "diff", "2026-08-31", "2026-11-22", "--lang", "en").stdout
    b1_text = text[text.index("B1 "):]
    assert f"{len(new) / everyone:.1%}" in b1_text.splitlines()[1]
    assert f"fixed ({len(new - old)})" in b1_text and all(k in b1_text for k in new - old)


def test_diff_defaults_to_the_two_latest_records(demo: Path) -> None:
    assert kepu(demo, "diff").returncode == 2  # no records yet
    for day in ("2026-09-30", "2026-10-31", "2026-11-22"):
        kepu(demo, "check", "--record", "--as-of", day)
    done = kepu(demo, "diff", "--format", "json")
    result = json.loads(done.stdout)
    assert (result["old"]["as_of"], result["new"]["as_of"]) == ("2026-10-31", "2026-11-22")
    one = json.loads(kepu(demo, "diff", "2026-09-30", "--format", "json").stdout)
    assert (one["old"]["as_of"], one["new"]["as_of"]) == ("2026-09-30", "2026-11-22")


def test_diff_of_two_rulesets_lists_added_and_removed_rules_and_params(demo: Path) -> None:
    national, city = demo / "national.json", demo / "city.json"
    kepu(demo, "check", "--format", f"json:{national}")
    kepu(demo, "check", "-c", "kepu-quancheng.yaml", "--set", "科普日覆盖率目标=90%", "--format", f"json:{city}")
    done = kepu(demo, "diff", str(national), str(city), "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    before = {r["id"] for r in _json(national)["results"]}
    after = {r["id"] for r in _json(city)["results"]}
    kinds: dict[str, set[str]] = {}
    for r in result["rules"]:
        kinds.setdefault(r["change"], set()).add(r["id"])
    assert kinds["added"] == after - before and kinds["removed"] == before - after and "A6" in kinds["removed"]
    params = {p["name"]: (p["old"], p["new"]) for p in result["params"]}
    assert params["科普日覆盖率目标"] == ("80%", "90%") and params["科普基地最少数"] == ("2", "4")
    assert result["ruleset_changed"] is True
    text = kepu(demo, "diff", str(national), str(city)).stdout
    assert "科普日覆盖率目标: 80% → 90%" in text and "删除的规则" in text and "新增的规则" in text
    md = kepu(demo, "diff", str(national), str(city), "--format", "markdown", "--lang", "en").stdout
    assert "| 科普日覆盖率目标 | 80% | 90% |" in md and "## Rules removed" in md and "- **A6** " in md
    old_score, new_score = _json(national)["summary"]["score"], _json(city)["summary"]["score"]
    assert f"| total | {old_score:g} | {new_score:g} |" in md
    page = demo / "变化.html"
    assert kepu(demo, "diff", str(national), str(city), "--format", f"html:{page}").returncode == 0
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<td>科普日覆盖率目标</td><td>80%</td><td>90%</td>" in html
    assert "<b>A6</b>" in html and html.count("<h2>") >= 4


def test_a_record_of_an_unknown_schema_is_refused_and_an_older_one_reads(demo: Path) -> None:
    kepu(demo, "check", "--record", "--as-of", "2026-10-31")
    kepu(demo, "check", "--record")
    older = _json(demo / "history" / "2026-10-31.json")
    del older["params"], older["record"]  # what a kepu before recorded runs wrote
    (demo / "history" / "2026-10-31.json").write_text(json.dumps(older, ensure_ascii=False), encoding="utf-8")
    assert kepu(demo, "diff").returncode == 0

    newer = {**older, "schema": "kepu-report/2"}
    (demo / "history" / "2026-10-31.json").write_text(json.dumps(newer), encoding="utf-8")
    for args in (("diff", "--lang", "en"), ("history", "--lang", "en")):
        done = kepu(demo, *args)
        assert done.returncode == 2
        assert "the record's format is kepu-report/2; this kepu reads kepu-report/1 only" in done.stdout + done.stderr
    (demo / "history" / "2026-10-31.json").write_text("{not json", encoding="utf-8")
    done = kepu(demo, "diff", "--lang", "en")
    assert done.returncode == 2 and "2026-10-31.json:1:2" in done.stderr and "not valid JSON" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_history_folder_that_cannot_be_written_is_an_input_error(demo: Path) -> None:
    (demo / "history").write_text("a file where the folder should be", encoding="utf-8")
    for args in (("check", "--record", "--lang", "en"), ("history", "backfill", "--monthly", "2026-10..2026-10", "--lang", "en")):
        done = kepu(demo, *args)
        assert done.returncode == 2, done.stderr
        assert "cannot write the record to" in done.stderr and "Traceback" not in done.stderr
