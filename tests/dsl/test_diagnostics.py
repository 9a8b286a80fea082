"""Golden diagnostics: the exact text an author sees for the mistakes real authors make.

Regenerate after an intended wording change with KEPU_UPDATE_GOLDEN=1, then read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kepu_rules.diagnostics import KepuError
from kepu_rules.dsl.checker import check
from kepu_rules.engine.resolve import resolve

GOLDEN = Path(__file__).parent / "golden"

SCHEMA = """\
ruleset base "测试规则集" version "1"
param 覆盖率目标 = 80%
entity 街道 { key 名称: text; 人口: integer }
entity 社区 { key 名称: text; 街道 -> 街道; 有科普活动室: bool; 类型: text }
entity 科普标识 { key 编号: text; 街道 -> 街道; 沿街显要: bool }
entity 科普活动 { key 编号: text; 社区 -> 社区; 日期: date; 类别: text }
entity 经费 { key 年度: integer; 金额: number }
fact 常住人口: integer
"""


def _rule(body: str, meta: str = "") -> str:
    return SCHEMA + f'section "测试" {{\n  rule A1 "标题"{meta} {{\n    {body}\n  }}\n}}\n'


#: name -> {file name: text}; the first file is the one checked.
CASES: dict[str, dict[str, str]] = {
    "missing_quote": {"r.kepu": SCHEMA + 'section "测试 {\n}\n'},
    "rule_without_title": {"r.kepu": SCHEMA + 'section "测试" {\n  rule A1 points 5 { count(街道) >= 1 }\n}\n'},
    "unknown_field": {"r.kepu": _rule("每个 街道 至少有 1 个 科普标识 其中 沿街显著")},
    "unknown_entity": {"r.kepu": _rule("每个 街道 至少有 1 个 科普标志")},
    "glued_keyword": {"r.kepu": _rule("每个街道 满足 人口 > 0")},
    "chinese_keyword_typo": {"r.kepu": _rule("每各 街道 满足 人口 > 0")},
    "has_missing": {"r.kepu": _rule("每个 社区 有科普活动室")},
    "percent_meant": {"r.kepu": _rule("coverage(社区 where 有科普活动室) >= 80")},
    "coverage_over_100": {"r.kepu": _rule("coverage(社区 where 有科普活动室) >= 120%")},
    "number_glued_to_unit": {"r.kepu": _rule("每个 街道 至少有 1个科普标识")},
    "unclosed_brace": {"r.kepu": SCHEMA + 'section "测试" {\n  rule A1 "标题" {\n    count(街道) >= 1\n  \n}\n'},
    "unknown_severity": {"r.kepu": _rule("count(街道) >= 1", " severity 必需")},
    "meta_twice": {"r.kepu": _rule("count(街道) >= 1", " points 5 points 6")},
    "meta_with_equals": {"r.kepu": _rule("count(街道) >= 1", " points = 5")},
    "bad_date": {"r.kepu": _rule("count(科普活动 where 日期 > 2026-02-30) >= 1")},
    "compare_date_with_number": {"r.kepu": _rule("count(科普活动 where 日期 > 2026) >= 1")},
    "rows_as_condition": {"r.kepu": _rule("count(街道) >= 1 and 社区")},
    "body_not_condition": {"r.kepu": _rule("count(社区)")},
    "sum_of_rows": {"r.kepu": _rule("sum(经费) >= 100")},
    "unknown_function": {"r.kepu": _rule("covrage(社区 where 有科普活动室) >= 80%")},
    "wrong_arity": {"r.kepu": _rule("ratio(常住人口) >= 1")},
    "undeclared_param": {"r.kepu": _rule("coverage(社区 where 有科普活动室) >= 覆盖目标")},
    "warn_not_easier": {"r.kepu": _rule("coverage(社区 where 有科普活动室) >= 80%", " warn at 90%")},
    "unknown_type": {"r.kepu": 'ruleset base "t"\nentity 街道 { key 名称: txt }\n'},
    "ref_to_unknown_entity": {"r.kepu": 'ruleset base "t"\nentity 社区 { key 名称: text; 街道 -> 街道办 }\n'},
    "entity_twice": {"r.kepu": SCHEMA + "entity 街道 { key 名称: text }\n"},
    "duplicate_rule_id": {"r.kepu": SCHEMA + 'section "s" {\n  rule A1 "a" { count(街道) >= 1 }\n  rule A1 "b" { count(社区) >= 1 }\n}\n'},
    "extends_missing": {"r.kepu": 'ruleset region "区" extends nationall\n'},
    "extends_missing_path": {"r.kepu": 'ruleset region "区" extends "../base.kepu"\n'},
    "extends_cycle": {"a.kepu": 'ruleset a "A" extends "b.kepu"\n', "b.kepu": 'ruleset b "B" extends "a.kepu"\n'},
    "override_unknown_rule": {"r.kepu": 'ruleset region "区" extends "base.kepu"\noverride A2 { points 6 }\n',
                              "base.kepu": _rule("count(街道) >= 1")},
    "drop_unknown_rule": {"r.kepu": 'ruleset region "区" extends "base.kepu"\ndrop A9 because "本区无"\n',
                          "base.kepu": _rule("count(街道) >= 1")},
    "set_unknown_param": {"r.kepu": 'ruleset region "区" extends "base.kepu"\nset 覆盖率指标 = 90%\n',
                          "base.kepu": _rule("coverage(社区 where 有科普活动室) >= 覆盖率目标")},
    "threshold_without_comparison": {"r.kepu": 'ruleset region "区" extends "base.kepu"\noverride A1 { threshold 2 }\n',
                                     "base.kepu": _rule("no 社区 where 有科普活动室 is missing")},
    "contains_all_on_rows": {"r.kepu": _rule('每个 街道 满足 社区 包含全部 ["甲", "乙"]')},
    "count_of_a_field": {"r.kepu": _rule("每个 街道 满足 count(人口) >= 1")},
    "at_least_percent": {"r.kepu": _rule("每个 街道 至少有 80% 社区")},
}


def _diagnostics(tmp_path: Path, files: dict[str, str], lang: str) -> str:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    first = tmp_path / next(iter(files))
    with pytest.raises(KepuError) as caught:
        check(resolve(first))
    return caught.value.render(lang).replace(str(tmp_path) + os.sep, "")  # type: ignore[arg-type]


def test_there_are_at_least_25_distinct_mistakes() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_diagnostic_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, lang: str) -> None:
    monkeypatch.chdir(tmp_path)
    rendered = _diagnostics(tmp_path, CASES[name], lang)
    golden = GOLDEN / f"{name}.{lang}.txt"
    if os.environ.get("KEPU_UPDATE_GOLDEN"):
        golden.write_text(rendered + "\n", encoding="utf-8")
    assert rendered + "\n" == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_diagnostic_points_at_a_line_and_column(tmp_path: Path, name: str) -> None:
    for name_, text in CASES[name].items():
        (tmp_path / name_).write_text(text, encoding="utf-8")
    with pytest.raises(KepuError) as caught:
        check(resolve(tmp_path / next(iter(CASES[name]))))
    for d in caught.value.diagnostics:
        assert d.location.line and d.location.column, d.render("en")
        assert d.source_line is not None, d.render("en")
