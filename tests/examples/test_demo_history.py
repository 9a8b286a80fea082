"""The records the demo district ships in history/ (made with `kepu history backfill --monthly
2026-06..2026-11`): rebuilding them from today's ledgers gives the same files, they are written for
git, and `kepu history` / `kepu diff` work on them as the README tour shows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.examples import ledger
from tests.examples.test_demo_district import DEMO, copy_demo, kepu

SHIPPED = DEMO / "history"
MONTH_ENDS = ["2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31", "2026-11-22"]
REGENERATE = "cd examples/demo-district && kepu history backfill --monthly 2026-06..2026-11"


def _comparable(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    # The time of writing changes on every run, the kepu version with every release; neither is a figure.
    data["record"].pop("recorded_at")
    data["record"].pop("kepu_version")
    return data


def test_shipped_records_are_the_month_ends_written_for_git() -> None:
    assert sorted(p.stem for p in SHIPPED.iterdir()) == MONTH_ENDS
    for path in SHIPPED.iterdir():
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
        assert text == json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", path.name
        assert str(ledger.REPO) not in text and '"/' not in text, path.name
        assert data["record"]["rebuilt"] is True and data["as_of"] == path.stem and data["generated_at"] == ""


def test_a_fresh_backfill_gives_the_shipped_records(tmp_path: Path) -> None:
    work = copy_demo(tmp_path)
    done = kepu(work, "history", "backfill", "--monthly", "2026-06..2026-11")
    assert done.returncode == 0, done.stderr
    for name in MONTH_ENDS:
        fresh, shipped = _comparable(work / "history" / f"{name}.json"), _comparable(SHIPPED / f"{name}.json")
        assert fresh == shipped, f"history/{name}.json is out of date; regenerate: {REGENERATE}"


def test_history_and_diff_work_on_the_shipped_records(tmp_path: Path) -> None:
    work = copy_demo(tmp_path, history=True)
    listed = kepu(work, "history", "--lang", "en")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()[1:]
    assert [line[:10] for line in lines] == MONTH_ENDS
    for line in lines:
        summary = json.loads((SHIPPED / f"{line[:10]}.json").read_text(encoding="utf-8"))["summary"]
        assert f"{summary['score']:g} / {summary['max_score']:g}" in line
    # Without arguments: the two latest records.
    latest = kepu(work, "diff", "--format", "json")
    assert latest.returncode == 0, latest.stderr
    result = json.loads(latest.stdout)
    assert (result["old"]["as_of"], result["new"]["as_of"]) == ("2026-10-31", "2026-11-22")
    b1 = kepu(work, "diff", "2026-08-31", "2026-11-22", "--format", "json")
    assert b1.returncode == 0, b1.stderr
    b1_rule = next(r for r in json.loads(b1.stdout)["rules"] if r["id"] == "B1")
    gained = ledger.covered(dt.date(2026, 11, 22)) - ledger.covered(dt.date(2026, 8, 31))
    assert {i["key"] for i in b1_rule["fixed"]} == gained and gained
