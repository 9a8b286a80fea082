"""`kepu check --batch` over time: each district's change since its previous record (rank and score
arrows) in text, markdown, html and json, and `--batch --record`. Two copies of the demo district
with records of their own; the expected changes are computed from the record files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.examples.test_demo_district import DEMO, REPO, kepu


def _project(root: Path, name: str, district: str, params: str, *, history: bool) -> Path:
    work = root / "各区" / name
    shutil.copytree(DEMO, work, ignore=None if history else shutil.ignore_patterns("history"))
    config = work / "kepu.yaml"
    text = config.read_text(encoding="utf-8").replace("district: 示例区", f"district: {district}")
    config.write_text(text.replace("params: {}", f"params: {params}"), encoding="utf-8")
    return work


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """各区/甲 ships the demo's records (the previous is 2026-10-31); 各区/乙 has a lower Science Day
    target and one record of its own, made on 2026-08-31."""
    root = tmp_path_factory.mktemp("over-time")
    (root / "rulesets").symlink_to(REPO / "rulesets", target_is_directory=True)
    _project(root, "甲", "甲区", "{}", history=True)
    second = _project(root, "乙", "乙区", "{科普日覆盖率目标: 50%}", history=False)
    done = kepu(second, "check", "--record", "--as-of", "2026-08-31")
    assert done.returncode in (0, 1), done.stderr
    return root


def _summary(path: Path) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["summary"]
    return summary


def _percent(summary: dict[str, Any]) -> float:
    return round(summary["score"] / summary["max_score"] * 100, 2)


def _order(rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The ranking's order, worked out here: verdict, then percent, then fewer vetoes, then folder."""
    verdicts = {"pass": 0, "incomplete": 1, "fail": 2}
    return [name for name, s in sorted(rows, key=lambda r: (verdicts[r[1]["verdict"]], -_percent(r[1]),
                                                            len(r[1]["veto_failures"]), r[0]))]


def _arrow(change: float) -> str:
    return "=" if change == 0 else f"{'↑' if change > 0 else '↓'}{abs(change):g}"


def test_json_carries_each_districts_previous_record_and_its_change(batch: Path) -> None:
    done = kepu(batch, "check", "--batch", "各区", "--format", "json")
    assert done.returncode == 1, done.stderr
    ranking = json.loads(done.stdout)
    by = {d["folder"]: d for d in ranking["districts"]}
    previous = {"甲": _summary(batch / "各区" / "甲" / "history" / "2026-10-31.json"),
                "乙": _summary(batch / "各区" / "乙" / "history" / "2026-08-31.json")}
    now = {name: kepu(batch / "各区" / name, "check", "--format", "json") for name in ("甲", "乙")}
    current = {name: json.loads(done.stdout)["summary"] for name, done in now.items()}
    was, rank = _order(list(previous.items())), _order(list(current.items()))
    for name in ("甲", "乙"):
        d = by[name]
        assert d["previous"]["as_of"] == {"甲": "2026-10-31", "乙": "2026-08-31"}[name]
        assert d["previous"]["score"] == previous[name]["score"]
        assert d["previous"]["rank"] == was.index(name) + 1 and d["rank"] == rank.index(name) + 1
        assert d["rank_change"] == was.index(name) - rank.index(name)
        assert d["score_change"] == pytest.approx(_percent(current[name]) - _percent(previous[name]), abs=0.011)
    # The lower target lets 乙 pass B1 now; 甲 lost A1's waived points since its previous record.
    assert by["甲"]["score_change"] < 0 < by["乙"]["score_change"]
    assert by["乙"]["rank"] == 1 and by["乙"]["rank_change"] == 1 and by["甲"]["rank_change"] == -1


def test_text_markdown_and_html_show_the_arrows(batch: Path) -> None:
    ranking = json.loads(kepu(batch, "check", "--batch", "各区", "--format", "json").stdout)
    text = kepu(batch, "check", "--batch", "各区", "--lang", "en")
    assert text.returncode == 1, text.stderr
    assert "Since last record: rank ↑ up ↓ down" in text.stdout
    markdown = kepu(batch, "check", "--batch", "各区", "--format", "markdown").stdout
    html = kepu(batch, "check", "--batch", "各区", "--format", "html").stdout
    assert "| 较上次记录 |" in markdown and "<th>较上次记录</th>" in html
    for d in ranking["districts"]:
        rank, score = _arrow(d["rank_change"]), _arrow(round(d["score_change"], 1))
        line = next(x for x in text.stdout.splitlines() if d["district"] in x)
        assert f"{rank}" in line and score in line, line
        row = next(x for x in markdown.splitlines() if x.startswith(f"| {d['rank']} |"))
        assert f"名次 {rank}，得分 {score}（上次记录 {d['previous']['as_of']}）" in row
        kind = "up" if d["rank_change"] > 0 else "down"
        assert f'<span class="ch ch-{kind}">{rank}</span>' in html


def test_a_district_without_records_and_an_unreadable_record(batch: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(batch, root, symlinks=True)
    shutil.rmtree(root / "各区" / "乙" / "history")
    (root / "各区" / "甲" / "history" / "2026-10-31.json").write_text('{"schema": "kepu-report/9"}', encoding="utf-8")
    done = kepu(root, "check", "--batch", "各区", "--format", "json", "--format", "text", "--lang", "en")
    assert done.returncode == 1, done.stderr  # a record that cannot be read is a warning, not wrong input
    ranking = json.loads(done.stdout[:done.stdout.index("\n}\n") + 3])
    by = {d["folder"]: d for d in ranking["districts"]}
    assert by["乙"]["previous"] is None and by["乙"]["rank_change"] is None
    assert by["甲"]["previous"] is None and by["甲"]["rank"] is not None
    assert by["甲"]["diagnostics"][0]["severity"] == "warning"
    assert "kepu-report/9" in by["甲"]["diagnostics"][0]["message"]
    assert "\nRecords\n" in done.stdout and "2026-10-31.json" in done.stdout


def test_batch_record_keeps_each_projects_run(batch: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(batch, root, symlinks=True)
    done = kepu(root, "check", "--batch", "各区", "--record", "--as-of", "2026-11-30", "--format", "json")
    assert done.returncode == 1, done.stderr
    for name in ("甲", "乙"):
        record = json.loads((root / "各区" / name / "history" / "2026-11-30.json").read_text(encoding="utf-8"))
        assert record["record"]["rebuilt"] is False and record["as_of"] == "2026-11-30"
    again = json.loads(kepu(root, "check", "--batch", "各区", "--as-of", "2026-12-31", "--format", "json").stdout)
    assert {d["previous"]["as_of"] for d in again["districts"]} == {"2026-11-30"}
    assert {d["rank_change"] for d in again["districts"]} == {0}


def test_batch_record_that_cannot_be_written_is_an_input_error(batch: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(batch, root, symlinks=True)
    shutil.rmtree(root / "各区" / "乙" / "history")
    (root / "各区" / "乙" / "history").write_text("a file where the folder should be", encoding="utf-8")
    done = kepu(root, "check", "--batch", "各区", "--record", "--lang", "en")
    assert done.returncode == 2, done.stderr  # asked to record and could not: the user's to fix
    assert "cannot write the record" in done.stdout and "乙/history" in done.stdout
    ranked = [line for line in done.stdout.splitlines() if line[:4].strip().isdigit()]
    assert any("乙区" in line for line in ranked) and len(ranked) == 2  # still ranked
    assert (root / "各区" / "甲" / "history" / "2026-11-22.json").is_file()
