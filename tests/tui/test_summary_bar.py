"""The summary bar never says every veto passes while one could not be checked."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("textual")

from kepu_rules.engine.assess import assess
from kepu_rules.reports.model import Status
from kepu_tui.widgets.summary_bar import summary_text

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "demo-district" / "kepu.yaml"


def test_a_veto_that_could_not_be_checked_is_shown_as_such() -> None:
    report = assess(EXAMPLE).report("zh")
    assert "一票否决项：全部通过" in summary_text(report, "zh").plain
    results = [r.model_copy(update={"status": Status.UNKNOWN}) if r.id == "V3" else r for r in report.results]
    unchecked = report.model_copy(update={"results": results})
    assert "全部通过" not in summary_text(unchecked, "zh").plain
    assert "一票否决项：无法核查 V3" in summary_text(unchecked, "zh").plain
    assert "veto items: not checked V3" in summary_text(unchecked, "en").plain
