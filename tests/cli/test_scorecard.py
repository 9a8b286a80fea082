"""`kepu check --by`: every street is in the scorecard, one without a gap too, in every format, json included."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.examples import ledger
from tests.examples.test_demo_district import copy_demo, kepu


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_demo(tmp_path_factory.mktemp("scorecard"))


def _report(demo: Path, *args: str) -> dict[str, Any]:
    done = kepu(demo, "check", "-f", "json", *args)
    assert done.returncode in (0, 1), done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def test_json_by_street_lists_every_street_of_the_ledger_with_its_gaps(demo: Path) -> None:
    data = _report(demo, "--by", "街道")
    card = data["scorecard"]
    assert card["by"] == "街道"
    assert sorted(e["name"] for e in card["entries"]) == sorted(ledger.streets(demo))
    # the open items of each street are the failing items whose street it is, counted from the report itself
    for entry in card["entries"]:
        mine = {(r["id"], i["key"]) for r in data["results"] if r["status"] in ("fail", "warn", "unknown", "error")
                for i in r["failing"] + r["unknown_items"] if entry["name"] in (i["key"], i["groups"].get("街道"))}
        assert {(g["rule"], k) for g in entry["gaps"] for k in g["items"]} == mine
        assert entry["open_items"] == len(mine) and entry["holding"] == entry["checks"] - len(entry["gaps"])
    # B1's failing communities are the ones without an activity in the 科普日 window, per street
    not_covered = set(ledger.communities(demo)) - ledger.covered(dt.date(2026, 11, 22))  # kepu.yaml's as_of
    streets = ledger.street_of(demo)
    for entry in card["entries"]:
        b1 = next((g for g in entry["gaps"] if g["rule"] == "B1"), None)
        expected = sorted(c for c in not_covered if streets[c] == entry["name"])
        assert sorted(b1["items"] if b1 else []) == expected
    ranks = [e["rank"] for e in card["entries"]]
    assert ranks[0] == 1 and ranks == sorted(ranks)


def test_json_without_by_has_no_scorecard(demo: Path) -> None:
    assert _report(demo)["scorecard"] is None


def test_a_street_without_gaps_is_listed_as_such(tmp_path: Path) -> None:
    demo = copy_demo(tmp_path)
    first = _report(demo, "--by", "街道")
    # waive every open item of one street: it then has no gap, and must still be listed (ranked first)
    street = next(e for e in first["scorecard"]["entries"] if e["name"] == "官扎营街道")
    lines = [f"  - rule: {g['rule']}\n    entity: {g['entity']}\n    key: {k}\n    reason: 测试\n"
             f"    approver: 区科协\n    expires: 2027-12-31\n" for g in street["gaps"] for k in g["items"]]
    assert lines
    waivers = demo / "waivers.yaml"
    waivers.write_text(waivers.read_text(encoding="utf-8").rstrip("\n") + "\n" + "".join(lines), encoding="utf-8")
    data = _report(demo, "--by", "街道")
    entry = next(e for e in data["scorecard"]["entries"] if e["name"] == "官扎营街道")
    assert entry["gaps"] == [] and entry["open_items"] == 0 and entry["holding"] == entry["checks"] > 0
    assert entry["rank"] == 1
    text = kepu(demo, "check", "--by", "街道").stdout
    row = next(line for line in text.splitlines() if "官扎营街道" in line and "/" in line)
    assert "无待改进" in row and f"{entry['checks']} / {entry['checks']}" in row
    md = kepu(demo, "check", "--by", "街道", "-f", "markdown", "--lang", "en").stdout
    assert "| 1 | 官扎营街道 |" in md and "nothing to fix" in md
    assert "官扎营街道" in kepu(demo, "check", "--by", "街道", "-f", "html").stdout


def test_by_owner_lists_owners_without_gaps(demo: Path) -> None:
    data = _report(demo, "--by", "owner")
    entries = {e["name"]: e for e in data["scorecard"]["entries"]}
    owners = {o["name"] for o in data["summary"]["owners"]}
    assert owners <= set(entries)
    clean = [e for e in entries.values() if not e["gaps"]]
    assert clean and all(e["holding"] == e["checks"] and e["rank"] == 1 for e in clean)


def test_by_an_unknown_entity_is_a_usage_error(demo: Path) -> None:
    done = kepu(demo, "check", "--by", "街")
    assert done.returncode == 2 and "街道" in done.stderr and "Traceback" not in done.stderr
