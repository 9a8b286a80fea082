"""A time-true `--as-of` on the demo district: rows dated after the assessment date do not exist.

Every expected figure is computed from the ledgers by tests/examples/ledger.py, which reads them
without kepu.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from kepu_rules.config import load_config
from kepu_rules.engine.assess import assess
from tests.examples import ledger
from tests.examples.test_demo_district import copy_demo, kepu

ENGINES = ("python", "columnar")


def _facts_on(on: dt.date, engine: str, folder: Path = ledger.DEMO) -> Any:
    cfg = load_config(folder / "kepu.yaml").model_copy(update={"as_of": on})
    return assess(cfg, engine=engine)  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("on", [dt.date(2026, 3, 31), dt.date(2026, 6, 30), dt.date(2026, 9, 10), dt.date(2026, 11, 22)])
def test_each_dated_entity_keeps_the_rows_dated_up_to_the_assessment(on: dt.date, engine: str) -> None:
    a = _facts_on(on, engine)
    kept = {str(r.key) for r in a.facts.all("科普活动")}
    assert kept == {x["编号"] for x in ledger.activities() if x["日期"] <= on}
    assert {str(r.key) for r in a.facts.all("科普标识")} == {k for k, d in ledger.signs() if d is None or d <= on}
    # Undated entities keep every row whatever the date.
    assert a.facts.count("社区") == len(ledger.communities())


@pytest.mark.parametrize("engine", ENGINES)
def test_events_and_organisations_before_they_happened_do_not_exist(engine: str) -> None:
    on = dt.date(2024, 12, 31)
    a = _facts_on(on, engine)
    basics = ledger.basics()
    assert {str(r.key) for r in a.facts.all("事件")} == {e["编号"] for e in basics["事件"] if e["日期"] <= on}
    assert {str(r.key) for r in a.facts.all("科协组织")} == {o["名称"] for o in basics["科协组织"] if o["成立日期"] <= on}
    assert a.facts.count("科协组织") < len(basics["科协组织"])  # the date really leaves some out


def _check(cwd: Path, *args: str) -> dict[str, Any]:
    out = cwd / "r.json"
    done = kepu(cwd, "check", "--format", f"json:{out}", *args)
    assert done.returncode in (0, 1), done.stderr
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


@pytest.mark.parametrize("on", ["2026-06-30", "2026-08-31", "2026-09-10", "2026-11-22"])
def test_science_day_coverage_counts_only_the_activities_held_by_then(tmp_path: Path, on: str) -> None:
    work = copy_demo(tmp_path)
    report = _check(work, "--as-of", on)
    b1 = next(r for r in report["results"] if r["id"] == "B1")
    covered = ledger.covered(dt.date.fromisoformat(on))
    everyone = set(ledger.communities())
    assert b1["measured"] == pytest.approx(len(covered) / len(everyone), abs=1e-6)
    assert {f["key"] for f in b1["failing"]} == everyone - covered


def test_june_no_longer_counts_august_and_september(tmp_path: Path) -> None:
    """Before the dating field, --as-of 2026-06-30 counted the Science Day activities held later."""
    work = copy_demo(tmp_path)
    b1 = next(r for r in _check(work, "--as-of", "2026-06-30")["results"] if r["id"] == "B1")
    assert b1["status"] == "fail" and b1["measured"] == 0
    assert ledger.covered(dt.date(2026, 11, 22))  # the ledger does hold them


def test_a_dated_document_exists_from_its_date(tmp_path: Path) -> None:
    """The dossier dates a document by the date in its name; D3 wants one media report."""
    work = copy_demo(tmp_path)
    (work / "档案" / "媒体报道").mkdir()
    (work / "档案" / "媒体报道" / "2026年10月8日 泉城晚报报道.pdf").write_text("placeholder", encoding="utf-8")
    d3 = {on: next(r for r in _check(work, "--as-of", on)["results"] if r["id"] == "D3")["status"]
          for on in ("2026-10-07", "2026-10-08")}
    assert d3 == {"2026-10-07": "fail", "2026-10-08": "pass"}


@pytest.mark.parametrize("on", ["2026-05-31", "2026-11-22"])
def test_both_engines_give_the_same_report_at_a_past_date(tmp_path: Path, on: str) -> None:
    work = copy_demo(tmp_path)
    python = _check(work, "--as-of", on, "--engine", "python")
    columnar = _check(work, "--as-of", on, "--engine", "columnar")
    python.pop("generated_at")
    columnar.pop("generated_at")
    assert python == columnar
    assert python["summary"] != _check(work, "--as-of", "2026-01-31")["summary"]
