"""The checker refuses what cannot mean what it says, and warns where a text reads two ways.

Golden texts (both languages) for each case live in golden_checker/; regenerate after an intended
wording change with KEPU_UPDATE_GOLDEN=1, then read the diff.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kepu_rules.diagnostics import Diagnostic, KepuError
from kepu_rules.dsl.checker import check
from kepu_rules.engine.resolve import resolve
from kepu_rules.facts.table import FactBase
from kepu_rules.reports.model import Verdict
from tests.engine.util import report

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden_checker"

SCHEMA = """\
ruleset base "测试规则集" version "1"
param 覆盖率目标 = 80%
param 社区下限 = 3
entity 街道 { key 名称: text; 人口: integer; 有宣传栏: bool }
entity 社区 { key 名称: text; 街道 -> 街道; 有科普活动室: bool; 级别: text }
entity 科普标识 { key 编号: text; 街道 -> 街道; 沿街显要: bool }
entity 科普活动 { key 编号: text; 社区 -> 社区; 日期: date; 类别: text }
"""


def _rule(body: str, meta: str = "") -> str:
    return SCHEMA + f'section "测试" {{\n  rule A1 "标题"{meta} {{\n    {body}\n  }}\n}}\n'


def _overlay(lines: str) -> dict[str, str]:
    base = _rule("coverage(社区 where 有科普活动室) >= 覆盖率目标").replace("\n}\n", '\n  rule A2 "计数" { count(社区) >= 社区下限 }\n}\n')
    return {"r.kepu": 'ruleset region "区" extends "base.kepu"\n' + lines, "base.kepu": base}


#: name -> {file name: text}; the first file is the one checked. Errors and warnings alike.
CASES: dict[str, dict[str, str]] = {
    # ordering comparisons on text compare by character code
    "text_not_lower_than": {"r.kepu": _rule('每个 社区 其中 级别 不低于 "市级" 满足 有科普活动室')},
    "text_greater_than": {"r.kepu": _rule('count(社区 where 级别 > "区级") >= 1')},
    "text_between": {"r.kepu": _rule('count(社区 where 名称 between "甲" and "乙") >= 1')},
    # a greedy `where` or body that takes an and/or
    "greedy_where_and": {"r.kepu": _rule("每个 街道 至少有 1 个 科普标识 其中 沿街显要 且 至少有 3 个 社区")},
    "greedy_body_or": {"r.kepu": _rule("每个 街道 满足 至少有 1 个 科普标识 其中 沿街显要 或 有宣传栏")},
    "greedy_no_where": {"r.kepu": _rule("没有 社区 其中 有科普活动室 且 count(科普活动) >= 1")},
    "greedy_english": {"r.kepu": _rule("no 社区 where 有科普活动室 or count(科普活动) >= 1")},
    # thresholds that cannot be met, or measure something else
    "warn_over_100_on_coverage": {"r.kepu": _rule("coverage(社区 where 有科普活动室) >= 覆盖率目标", " warn at 130%")},
    "coverage_below_0": {"r.kepu": _rule("coverage(社区 where 有科普活动室) > -5%")},
    "warn_percent_on_count": {"r.kepu": _rule("至少有 3 个 社区", " warn at 50%")},
    "warn_count_not_easier": {"r.kepu": _rule("至少有 3 个 社区", " warn at 3")},
    "warn_number_on_each": {"r.kepu": _rule("每个 社区 满足 有科普活动室", " warn at 2")},
    "threshold_in_rule": {"r.kepu": _rule("coverage(社区 where 有科普活动室) >= 80%", " threshold 90%")},
    "count_vs_percent_param": {"r.kepu": _rule("count(社区 where 有科普活动室) >= 覆盖率目标")},
    "coverage_vs_integer_param": {"r.kepu": _rule("coverage(社区 where 有科普活动室) >= 社区下限")},
    "count_vs_percent_literal": {"r.kepu": _rule("每个 街道 满足 count(社区) >= 50%")},
    "coverage_param_over_100": {"r.kepu": SCHEMA.replace("= 80%", "= 120%") + _rule("coverage(社区 where 有科普活动室) >= 覆盖率目标")[len(SCHEMA):]},
    # an overlay's `set` is checked against the param's declaration, at the overlay's line
    "set_bare_number_for_percent": _overlay("set 覆盖率目标 = 5\n"),
    "set_fraction_for_percent": _overlay("set 覆盖率目标 = 0.9\n"),
    "set_percent_over_100": _overlay("\nset 覆盖率目标 = 120%\n"),
    "set_text_for_percent": _overlay('set 覆盖率目标 = "八十"\n'),
    "set_percent_for_integer": _overlay("set 社区下限 = 50%\n"),
    "set_fraction_for_integer": _overlay("set 社区下限 = 2.5\n"),
    "override_warn_over_100": _overlay("override A1 { warn at 130% }\n"),
    "override_threshold_over_100": _overlay("override A1 { threshold 130% }\n"),
    "override_threshold_percent_on_count": _overlay("override A2 { threshold 50% }\n"),
    "override_warn_percent_on_comparison_of_count": _overlay("override A2 { warn at 50% }\n"),
    # a param holds literals only, in lists too (an expression in a list used to pass lint and crash check)
    "param_list_of_expressions": {"r.kepu": SCHEMA.replace("param 社区下限 = 3", "param 社区下限 = [今天 属于 []]")
                                  + _rule("count(社区) >= 0")[len(SCHEMA):]},
}

#: Cases that are warnings only: they check, and the warning is what the author sees.
WARNINGS = {"greedy_where_and", "greedy_body_or", "greedy_no_where", "greedy_english"}


def _found(folder: Path, files: dict[str, str]) -> list[Diagnostic]:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    try:
        found = check(resolve(folder / next(iter(files)))).warnings
    except KepuError as err:
        found = err.diagnostics
    return [d for d in found if d.code != "unused-param"]  # the schema declares more params than one rule uses


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_diagnostic_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, lang: str) -> None:
    monkeypatch.chdir(tmp_path)
    found = _found(tmp_path, CASES[name])
    rendered = "\n".join(d.render(lang) for d in found).replace(str(tmp_path) + os.sep, "")  # type: ignore[arg-type]
    golden = GOLDEN / f"{name}.{lang}.txt"
    if os.environ.get("KEPU_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(rendered + "\n", encoding="utf-8")
    assert rendered + "\n" == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_case_is_one_placed_diagnostic_of_the_expected_severity(tmp_path: Path, name: str) -> None:
    found = _found(tmp_path, CASES[name])
    assert len(found) == 1, [d.render("en") for d in found]
    d = found[0]
    assert d.severity == ("warning" if name in WARNINGS else "error")
    assert d.location.line and d.location.column and d.source_line is not None
    if name.startswith(("set_", "override_")):
        assert Path(d.location.path).name == "r.kepu", "a mistyped overlay is reported at the overlay"


def test_set_is_reported_at_the_overlays_line_and_column(tmp_path: Path) -> None:
    (d,) = _found(tmp_path, CASES["set_percent_over_100"])
    assert (Path(d.location.path).name, d.location.line, d.location.column) == ("r.kepu", 3, 13)
    (d,) = _found(tmp_path, CASES["set_bare_number_for_percent"])
    assert (Path(d.location.path).name, d.location.line, d.location.column, d.code) == ("r.kepu", 2, 13, "param-type")
    assert d.hint is not None and d.hint.en == "write 5%"
    (d,) = _found(tmp_path, CASES["set_fraction_for_percent"])
    assert d.hint is not None and d.hint.en == "write 90%"


@pytest.mark.parametrize("body", [
    "每个 街道 至少有 1 个 科普标识 其中 (沿街显要 且 至少有 3 个 社区)",  # the reading the parser takes, spelt out
    "每个 街道 满足 ((至少有 1 个 科普标识 其中 沿街显要) 且 至少有 3 个 社区)",  # the other one
    "(没有 社区 其中 有科普活动室) 且 count(科普活动) >= 1",
    "没有 社区 其中 (有科普活动室 且 count(科普活动) >= 1)",
    "每个 社区 满足 有科普活动室 且 级别 = \"市级\"",  # the clause reads fields of 社区: it cannot stand outside
    "每个 街道 满足 人口 > 0 或 有宣传栏",
    "count(社区 where 有科普活动室 and 级别 = \"市级\") >= 1",  # inside a call's parentheses: one reading
    # comments and line breaks between the parentheses and the condition are still parentheses
    "每个 街道 至少有 1 个 科普标识 其中 (  # 注释\n      沿街显要 且 至少有 3 个 社区  // 又一条\n    )",
    "没有 社区 其中 (\n      # 注释\n      有科普活动室 且 count(科普活动) >= 1\n      # 注释\n    )",
])
def test_one_reading_only_no_warning(tmp_path: Path, body: str) -> None:
    assert _found(tmp_path, {"r.kepu": _rule(body)}) == []


@pytest.mark.parametrize("body", [
    '每个 社区 满足 级别 = "市级"', '每个 社区 满足 级别 != "市级"', '每个 社区 满足 级别 属于 ["国家级", "省级", "市级"]',
    "count(科普活动 where 日期 >= 2026-09-01) >= 1", '每个 社区 满足 名称 包含 "社区"',
])
def test_what_text_allows_stays_allowed(tmp_path: Path, body: str) -> None:
    assert _found(tmp_path, {"r.kepu": _rule(body)}) == []


def test_shipped_rulesets_lint_clean_with_strict() -> None:
    result = _kepu("lint", "--strict", "rulesets")
    assert result.returncode == 0, result.stdout + result.stderr


def _without_params(text: str) -> str:
    """The schema without its params, for files that must lint without an unused-param warning."""
    return text.replace("param 社区下限 = 3\n", "").replace("param 覆盖率目标 = 80%\n", "")


def _kepu(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kepu_rules.cli", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_lint_exit_codes_tell_warnings_from_errors(tmp_path: Path) -> None:
    def write(name: str, body: str) -> None:
        (tmp_path / name).write_text(_without_params(_rule(body)), encoding="utf-8")

    write("clean.kepu", "每个 社区 满足 有科普活动室")
    write("warned.kepu", "没有 社区 其中 有科普活动室 且 count(科普活动) >= 1")
    write("wrong.kepu", '每个 社区 满足 级别 不低于 "市级"')
    runs = {(name, strict): _kepu("lint", *(["--strict"] if strict else []), "--lang", "en", name, cwd=tmp_path)
            for name in ("clean.kepu", "warned.kepu", "wrong.kepu") for strict in (False, True)}
    assert {k: r.returncode for k, r in runs.items()} == {
        ("clean.kepu", False): 0, ("clean.kepu", True): 0,
        ("warned.kepu", False): 0, ("warned.kepu", True): 1,
        ("wrong.kepu", False): 2, ("wrong.kepu", True): 2,
    }
    assert "1 file checked: 0 errors, 1 warning" in runs["warned.kepu", True].stdout
    assert "warned.kepu:8:23: warning: the condition after `且` is read into the quantifier" in runs["warned.kepu", True].stdout
    assert "wrong.kepu:8:14: error: 级别 is text" in runs["wrong.kepu", False].stderr
    for r in runs.values():
        assert "Traceback" not in r.stderr


def test_warn_at_130_percent_is_a_diagnostic_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "r.kepu").write_text(CASES["warn_over_100_on_coverage"]["r.kepu"], encoding="utf-8")
    result = _kepu("lint", "--lang", "en", "r.kepu", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "_Fail" not in result.stderr
    assert "r.kepu:9:24: error: a coverage cannot exceed 100%" in result.stderr


def test_a_coverage_target_over_100_from_set_is_a_diagnostic(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    shutil.copytree(ROOT / "examples" / "demo-district", demo)
    for value, words in (("120%", "is 120%, but it is a coverage target (rule B1)"), ("5", "is a percent: write 5%")):
        result = _kepu("check", "--lang", "en", "--set", f"科普日覆盖率目标={value}", cwd=demo)
        assert result.returncode == 2, result.stderr
        assert f"--set 科普日覆盖率目标: error: param 科普日覆盖率目标 {words}" in result.stderr


def test_an_empty_ruleset_is_a_warning_and_cannot_pass(tmp_path: Path) -> None:
    (tmp_path / "empty.kepu").write_text('ruleset 空 "空规则集"\n', encoding="utf-8")
    (tmp_path / "schema.kepu").write_text('ruleset 模式 "只有实体"\nentity 街道 { key 名称: text }\n', encoding="utf-8")
    (d,) = check(resolve(tmp_path / "empty.kepu")).warnings
    assert (d.code, d.location.line, d.location.column) == ("empty-ruleset", 1, 1)
    assert d.message.en == "ruleset 空 has no rules: an assessment against it cannot pass"
    assert check(resolve(tmp_path / "schema.kepu")).warnings == []  # a schema for others to extend

    checked = check(resolve(tmp_path / "empty.kepu"))
    summary = report(checked, FactBase.build(checked.schema, [])).summary
    assert summary.verdict is Verdict.INCOMPLETE
    assert "no rules" in _kepu("lint", "--lang", "en", "empty.kepu", cwd=tmp_path).stdout


def test_a_reading_over_several_lines_leaves_comments_out(tmp_path: Path) -> None:
    body = ('没有 社区 其中 有科普活动室   # 有活动室的社区\n'
            '        且 count(科普活动 where 类别 = "#1 // 讲座") >= 1  // 全区活动')
    (d,) = _found(tmp_path, {"r.kepu": _rule(body)})
    assert d.message.en == (
        "the condition after `且` is read into the quantifier before it: this reads as 没有 社区 其中 (有科普活动室 且 "
        'count(科普活动 where 类别 = "#1 // 讲座") >= 1); if you meant (没有 社区 其中 有科普活动室) 且 count(科普活动 where 类别 '
        '= "#1 // 讲座") >= 1, write the parentheses')


def test_a_warn_line_is_held_to_a_param_target_of_the_same_ruleset_not_to_an_overlays(tmp_path: Path) -> None:
    (d,) = _found(tmp_path, {"r.kepu": _rule("coverage(社区 where 有科普活动室) >= 覆盖率目标", " warn at 85%")})
    assert (d.code, d.location.line) == ("bad-warn", 9)  # 85% is not easier than 覆盖率目标 = 80%
    # An overlay that lowers the target below the base's warn line is not blamed at the base's line.
    lowered = _overlay("set 覆盖率目标 = 60%\n")
    lowered["base.kepu"] = lowered["base.kepu"].replace('rule A1 "标题"', 'rule A1 "标题" warn at 70%')
    assert _found(tmp_path, lowered) == []


def test_kepu_fmt_writes_the_parentheses_that_silence_the_greedy_warning(tmp_path: Path) -> None:
    """The formatter spells out the reading the parser takes; after it, lint has nothing to warn about
    and the checked rules are unchanged."""
    greedy = sorted(WARNINGS)
    for name in greedy:
        (tmp_path / f"{name}.kepu").write_text(_without_params(CASES[name]["r.kepu"]), encoding="utf-8")
    before = {name: check(resolve(tmp_path / f"{name}.kepu")) for name in greedy}
    assert _kepu("lint", "--strict", ".", cwd=tmp_path).returncode == 1
    assert _kepu("fmt", ".", cwd=tmp_path).returncode == 0
    after = _kepu("lint", "--strict", "--lang", "en", ".", cwd=tmp_path)
    assert after.returncode == 0, after.stdout + after.stderr
    for name in greedy:
        rules = check(resolve(tmp_path / f"{name}.kepu")).resolved.rules
        assert [r.rule for r in rules] == [r.rule for r in before[name].resolved.rules]


def test_the_issues_overlay_on_the_national_ruleset(tmp_path: Path) -> None:
    """`set 科普日覆盖率目标 = 5` and a 120% target in an overlay of the shipped national ruleset: each an
    error at the overlay's own line and column, exit 2, no traceback."""
    (tmp_path / "区.kepu").write_text('ruleset 区 "某区" extends national\n\nset 科普日覆盖率目标 = 5\nset 社区科协覆盖率目标 = 120%\n',
                                     encoding="utf-8")
    result = _kepu("lint", "--lang", "en", "区.kepu", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert lines == [
        "区.kepu:3:16: error: param 科普日覆盖率目标 is a percent, not the number 5",
        "区.kepu:4:17: error: param 社区科协覆盖率目标 is 120%, but it is a coverage target and a coverage lies between 0% and 100%",
    ]
