"""`kepu bulletin` on a copy of the demo district with records rebuilt by
`kepu history backfill --monthly 2026-06..2026-11`, run as a user runs it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from tests.examples import ledger
from tests.examples.test_demo_district import copy_demo, kepu
from tests.reports.conftest import check_golden

MONTHS = ["2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31", "2026-11-22"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = copy_demo(tmp_path_factory.mktemp("bulletin"))
    done = kepu(work, "history", "backfill", "--monthly", "2026-06..2026-11")
    assert done.returncode == 0, done.stderr
    return work


def _record(demo: Path, day: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((demo / "history" / f"{day}.json").read_text(encoding="utf-8"))
    return data


def _open_items(record: dict[str, Any]) -> dict[str, int]:
    """Failing and unchecked items per street, counted from a record's rules."""
    found: dict[str, set[tuple[str, str]]] = {}
    for r in record["results"]:
        if r["status"] not in ("fail", "warn", "unknown", "error"):
            continue
        for item in r["failing"] + r["unknown_items"]:
            street = item["key"] if item["entity"] == "街道" else item["groups"].get("街道")
            if street:
                found.setdefault(street, set()).add((r["id"], item["key"]))
    return {k: len(v) for k, v in found.items()}


def test_docx_has_one_row_per_street_with_its_open_items_and_rank(demo: Path) -> None:
    done = kepu(demo, "bulletin", "--format", "docx:通报.docx")
    assert done.returncode == 0, done.stderr
    document = Document(str(demo / "通报.docx"))
    ranking = next(t for t in document.tables if [c.text for c in t.rows[0].cells][:3] == ["名次", "变化", "街道"])
    rows = [[c.text for c in row.cells] for row in ranking.rows[1:]]
    streets = ledger.streets(demo)
    assert len(rows) == len(streets) == 8 and sorted(r[2] for r in rows) == sorted(streets)
    latest = _record(demo, MONTHS[-1])
    opened = _open_items(latest)
    header = [c.text for c in ranking.rows[0].cells]
    for row in rows:
        assert int(row[header.index("待整改对象")]) == opened.get(row[2], 0)
    # ranks: best first by the share of checks that hold, ties share a rank
    shares = [(int(r[3].split(" / ")[0]) / int(r[3].split(" / ")[1]), -int(r[4])) for r in rows]
    assert shares == sorted(shares, reverse=True)
    ranks = [int(r[0]) for r in rows]
    for n, (rank, share) in enumerate(zip(ranks, shares, strict=True)):
        assert rank == (ranks[n - 1] if n and shares[n - 1] == share else n + 1)
    # B1's open items per street are the communities without a 科普日 activity (from the ledger)
    texts = "\n".join(p.text for p in document.paragraphs)
    assert "示例区创建全国科普示范区工作进展通报" in texts and "第 6 期" in texts
    uncovered = set(ledger.communities(demo)) - ledger.covered(ledger.day("2026-11-22"))  # type: ignore[arg-type]
    b1_cells = [row.cells[1].text for t in document.tables for row in t.rows[1:] if row.cells[0].text.startswith("B1 ")]
    assert sorted(k for cell in b1_cells for k in cell.split("、")) == sorted(uncovered)
    # every open item's row names the rule's owner and its due date (or says there is none)
    rules = {r["id"]: r for r in latest["results"]}
    gap_tables = [t for t in document.tables if [c.text for c in t.rows[0].cells][:4] == ["规则", "对象", "责任单位", "期限"]]
    assert len(gap_tables) >= 8
    for t in gap_tables:
        for row in t.rows[1:]:
            rule = rules[row.cells[0].text.split(" ")[0]]
            assert row.cells[2].text == rule["owner"] and row.cells[3].text == (rule["due"] or "未设期限")
    assert len(document.inline_shapes) == 1  # the trend chart


def test_html_has_the_svg_trend_over_every_record(demo: Path) -> None:
    done = kepu(demo, "bulletin", "--format", "html")
    assert done.returncode == 0, done.stderr
    page = done.stdout
    assert "<script" not in page
    svg = re.search(r"<svg[^>]*class=\"trend\".*?</svg>", page, re.S)
    assert svg is not None
    points = re.search(r'<polyline points="([^"]+)"', svg.group()).group(1).split()  # type: ignore[union-attr]
    assert len(points) == len(MONTHS)
    for day in MONTHS:
        score = _record(demo, day)["summary"]["score"]
        assert f"<title>{day}: " in svg.group() and day in page
        assert re.search(rf"<title>{day}: {round(score, 1):g}</title>", svg.group()), (day, score)


@pytest.mark.parametrize(("fmt", "lang", "golden"), [
    ("text", "zh", "bulletin_zh.txt"), ("markdown", "zh", "bulletin_zh.md"), ("text", "en", "bulletin_en.txt")])
def test_text_and_markdown_goldens(demo: Path, fmt: str, lang: str, golden: str) -> None:
    done = kepu(demo, "bulletin", "--format", fmt, "--lang", lang)
    assert done.returncode == 0, done.stderr
    check_golden(golden, done.stdout)


def test_english_has_no_chinese_of_its_own(demo: Path) -> None:
    out = kepu(demo, "bulletin", "--lang", "en").stdout
    data = set(ledger.streets(demo)) | set(ledger.communities(demo)) | {"示例区", "街道"}
    owners = {u for r in _record(demo, MONTHS[-1])["results"] for u in re.split("[、]", r.get("owner") or "") if u}
    leftover = out
    for word in sorted(data | owners | {"、"}, key=len, reverse=True):
        leftover = leftover.replace(word, "")
    assert not re.search(r"[\u4e00-\u9fff]", leftover), [line for line in leftover.splitlines()
                                                       if re.search(r"[\u4e00-\u9fff]", line)]
    assert "Fixed" in out and "Overall progress" in out


def test_bulletin_settings_title_and_number(tmp_path: Path) -> None:
    work = copy_demo(tmp_path)
    shutil.rmtree(work / "history", ignore_errors=True)  # the example ships records; here there are none
    config = work / "kepu.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "bulletin:\n  title: 示例区科普示范区创建通报\n"
                      "  issuer: 区科协创建办\n  first_month: 2026-09\n", encoding="utf-8")
    out = kepu(work, "bulletin").stdout
    assert out.startswith("示例区科普示范区创建通报\n第 3 期　区科协创建办　2026-11-22")
    assert "尚无记录" in out  # no record yet: a fresh run
    config.write_text(config.read_text(encoding="utf-8") + "  numbr: 4\n", encoding="utf-8")
    bad = kepu(work, "bulletin")
    assert bad.returncode == 2 and "numbr" in bad.stderr and "number" in bad.stderr and "kepu.yaml:" in bad.stderr
    text = config.read_text(encoding="utf-8").replace("  numbr: 4\n", "  by: 街\n")
    config.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  by: 街") + 1
    wrong = kepu(work, "bulletin", "--lang", "en")
    assert wrong.returncode == 2 and f"kepu.yaml:{line}:7" in wrong.stderr and "街道" in wrong.stderr


def test_docx_needs_a_file_and_unknown_date_is_exit_2(demo: Path) -> None:
    assert kepu(demo, "bulletin", "--format", "docx").returncode == 2
    missing = kepu(demo, "bulletin", "--date", "2026-05-31")
    assert missing.returncode == 2 and "2026-06-30" in missing.stderr and "Traceback" not in missing.stderr
