"""kepu_rules.facts.asof: rows of a dated entity dated after the assessment date are left out."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from kepu_rules.facts.asof import as_of
from kepu_rules.facts.provenance import Provenance
from kepu_rules.facts.schema import EntityDef, FieldDef, FieldType, Schema
from kepu_rules.facts.table import FactTable, Row, SourceData

SCHEMA = Schema({
    "活动": EntityDef("活动", {"编号": FieldDef("编号", FieldType.TEXT, is_key=True),
                              "日期": FieldDef("日期", FieldType.DATE, dated=True)}),
    "标识": EntityDef("标识", {"编号": FieldDef("编号", FieldType.TEXT, is_key=True),
                              "日期": FieldDef("日期", FieldType.DATE)}),
})


def _rows(entity: str, dates: list[dt.date | None]) -> FactTable:
    where = Provenance("t", "t.yaml")
    return FactTable(entity, [Row(entity, {"编号": f"{entity}{i}", "日期": d}, where) for i, d in enumerate(dates)])


def test_rows_after_the_date_go_blank_dates_stay_and_undated_entities_are_untouched() -> None:
    dates = [dt.date(2026, 6, 30), dt.date(2026, 7, 1), None, dt.date(2025, 1, 1)]
    (kept,) = as_of([SourceData([_rows("活动", dates), _rows("标识", dates)])], SCHEMA, dt.date(2026, 6, 30))
    activities, signs = kept.tables
    assert [r.values["编号"] for r in activities.rows] == ["活动0", "活动2", "活动3"]
    assert len(signs.rows) == 4


def test_kepu_test_cases_use_the_time_true_date(tmp_path: Path) -> None:
    """A rule unit test sees what an assessment sees: an activity after as_of does not count."""
    cases = tmp_path / "b1.yaml"
    cases.write_text("""\
ruleset: national
as_of: 2026-09-10
cases:
  - name: the activity of 2026-09-20 has not happened yet
    rule: B1
    facts:
      街道: [{名称: 甲街道}]
      社区: [{名称: 甲社区, 街道: 甲街道}]
      科普活动: [{编号: K1, 社区: 甲社区, 日期: 2026-09-20}]
    expect: fail
""", encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "kepu_rules.cli", "test", str(cases)], env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    cases.write_text(cases.read_text(encoding="utf-8").replace("2026-09-10", "2026-09-30"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kepu_rules.cli", "test", str(cases)], env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 1  # on 2026-09-30 it has, and the case expecting fail fails
