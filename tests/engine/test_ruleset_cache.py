"""The ruleset cache: a hit gives the same checked ruleset without parsing; any change is a miss."""

from __future__ import annotations

from pathlib import Path

import pytest

from kepu_rules.diagnostics import KepuError
from kepu_rules.engine import ruleset_cache
from kepu_rules.engine.ruleset_cache import load_checked

BASE = """\
ruleset base "基础" version "1"
param 目标 = 80%
entity 街道 { key 名称: text; 有标识: bool }
section "阵地" {
  rule A1 "每个街道有标识" points 5 {
    每个 街道 满足 有标识
  }
}
"""

OVERLAY = """\
ruleset local "本地" extends base
set 目标 = 90%
"""


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.delenv(ruleset_cache.ENV_CACHE, raising=False)
    return folder


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "base.kepu").write_text(BASE, encoding="utf-8")
    (folder / "local.kepu").write_text(OVERLAY, encoding="utf-8")
    return folder / "local.kepu"


class Parses:
    """Counts the files parsed, so a test can tell a cache hit from a miss."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from kepu_rules.dsl import parse

        self.count = 0
        real = parse.parse_file

        def counting(path: str | Path) -> object:
            self.count += 1
            return real(path)

        monkeypatch.setattr(parse, "parse_file", counting)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Parses:
    return Parses(monkeypatch)


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "kepu-rules" / "rulesets").glob("*.pickle"))


def test_a_second_load_is_a_hit_and_equal(project: Path, parses: Parses, own_cache: Path) -> None:
    first = load_checked(project)
    assert parses.count == 2 and len(entries(own_cache)) == 1
    second = load_checked(project)
    assert parses.count == 2
    # IR nodes compare by identity; the AST each was checked from compares by value.
    assert [(r.id, r.src, r.body.src, r.entities) for r in second.rules.values()] == \
        [(r.id, r.src, r.body.src, r.entities) for r in first.rules.values()]
    assert second.param_types == first.param_types and second.schema == first.schema
    assert second.resolved.params == first.resolved.params


def test_the_demo_district_assesses_the_same_from_the_cache(tmp_path: Path) -> None:
    """End to end: the JSON report of a cold run (cache off), a run that fills the cache and one that uses it."""
    import json
    import os
    import subprocess
    import sys

    demo = Path(__file__).resolve().parents[2] / "examples" / "demo-district"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "c"), "PYTHONUTF8": "1"}
    reports = []
    for cache in ("0", "1", "1"):
        out = tmp_path / f"r{len(reports)}.json"
        run = subprocess.run([sys.executable, "-m", "kepu_rules.cli", "check", "--format", f"json:{out}"],
                             cwd=demo, env={**env, "KEPU_CACHE": cache}, capture_output=True, text=True)
        assert run.returncode == 1, run.stderr
        report = json.loads(out.read_text(encoding="utf-8"))
        report.pop("generated_at")
        reports.append(report)
    assert list((tmp_path / "c" / "kepu-rules" / "rulesets").glob("*.pickle"))
    assert reports[0] == reports[1] == reports[2]


@pytest.mark.parametrize(("changed", "old", "new"), [("local.kepu", "90%", "95%"), ("base.kepu", "points 5", "points 7")])
def test_editing_any_file_of_the_chain_is_a_miss_and_the_edit_counts(project: Path, parses: Parses, changed: str,
                                                                      old: str, new: str) -> None:
    before = load_checked(project)
    target = project.parent / changed
    target.write_text(target.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    after = load_checked(project)
    assert parses.count == 4
    if changed == "local.kepu":
        assert after.resolved.params["目标"] != before.resolved.params["目标"]
    else:
        assert after.resolved.rules[0].points == 7 != before.resolved.rules[0].points


def test_an_extends_that_resolves_elsewhere_is_a_miss(tmp_path: Path, parses: Parses) -> None:
    """A sibling national.kepu appearing later shadows the built-in national ruleset."""
    folder = tmp_path / "r"
    folder.mkdir()
    overlay = folder / "mine.kepu"
    overlay.write_text('ruleset mine "我的" extends national\n', encoding="utf-8")
    built_in = load_checked(overlay)
    assert parses.count >= 2
    (folder / "national.kepu").write_text(BASE.replace("ruleset base", "ruleset national"), encoding="utf-8")
    before = parses.count
    shadowed = load_checked(overlay)
    assert parses.count == before + 2
    assert set(shadowed.rules) == {"A1"} and set(built_in.rules) != {"A1"}


def test_a_ruleset_with_errors_is_never_cached(tmp_path: Path, own_cache: Path) -> None:
    path = tmp_path / "bad.kepu"
    path.write_text(BASE.replace("满足 有标识", "满足 有表示"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(KepuError) as err:
            load_checked(path)
        assert "有表示" in err.value.diagnostics[0].message.en
    assert entries(own_cache) == []


def test_a_corrupt_entry_is_rebuilt(project: Path, parses: Parses, own_cache: Path) -> None:
    load_checked(project)
    [entry] = entries(own_cache)
    entry.write_bytes(b"not a pickle")
    assert load_checked(project).rules
    assert parses.count == 4
    load_checked(project)
    assert parses.count == 4


def test_kepu_cache_0_turns_it_off(project: Path, parses: Parses, own_cache: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ruleset_cache.ENV_CACHE, "0")
    load_checked(project)
    load_checked(project)
    assert parses.count == 4 and entries(own_cache) == []


def test_an_unwritable_cache_folder_only_costs_time(project: Path, own_cache: Path) -> None:
    own_cache.mkdir()
    (own_cache / "kepu-rules").write_text("a file where the folder should be", encoding="utf-8")
    assert load_checked(project).rules
    assert load_checked(project).rules
