"""Ruleset resolution: extends by name and path, set, override (incl. threshold), drop, and what changed."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from kepu_rules.diagnostics import KepuError
from kepu_rules.dsl import ast as A
from kepu_rules.dsl.checker import check
from kepu_rules.engine.resolve import resolve

BASE = """\
ruleset base "基础" version "1"
param 目标 = 80%
entity 街道 { key 名称: text }
entity 科普标识 { key 编号: text; 街道 -> 街道; 沿街显要: bool }
section "阵地" {
  rule A1 "标识" points 5 { 每个 街道 至少有 1 个 科普标识 其中 沿街显要 }
  rule A2 "覆盖" points 3 { coverage(街道 where count(科普标识) >= 1) >= 目标 }
  rule A3 "可删" points 1 { count(街道) >= 1 }
}
"""


def write(tmp_path: Path, **files: str) -> None:
    for name, text in files.items():
        (tmp_path / f"{name}.kepu").write_text(text, encoding="utf-8")


def test_overlay_sets_overrides_drops_and_adds(tmp_path: Path) -> None:
    write(tmp_path, base=BASE, region="""\
ruleset region "区" extends base
set 目标 = 90%
override A1 { points 6 severity veto threshold 2 }
drop A3 because "本区不适用"
extend entity 街道 { 人口: integer }
section "阵地" { rule R1 "人口" { each 街道 has 人口 > 0 } }
""")
    rs = resolve(tmp_path / "region.kepu")
    assert rs.chain == ["base", "region"]
    assert [r.id for r in rs.rules] == ["A1", "A2", "R1"]
    assert rs.sections == ["阵地"]
    a1 = rs.rule("A1")
    assert a1 is not None and a1.points == 6 and a1.severity == "veto"
    body = a1.rule.body
    assert isinstance(body, A.Quantified) and isinstance(body.body, A.CountQuant)
    assert body.body.n == A.Literal_(2, "number")
    assert [c.what.en for c in a1.changes] == ["points: 5 → 6", "severity: scored → veto", "threshold: – → 2"]
    assert rs.params["目标"].value == A.Literal_(Fraction(9, 10), "percent")
    assert rs.dropped[0][:2] == ("A3", "本区不适用")
    assert "人口" in {f.name for f in rs.entities["街道"].fields}
    check(rs)


def test_extends_by_path_and_a_diamond_loads_each_file_once(tmp_path: Path) -> None:
    write(tmp_path, base=BASE,
          left='ruleset left "左" extends "base.kepu"\nsection "左" { rule L1 "l" { count(街道) >= 1 } }\n',
          right='ruleset right "右" extends base\nsection "右" { rule R1 "r" { count(街道) >= 1 } }\n',
          top='ruleset top "顶" extends left extends right\n')
    rs = resolve(tmp_path / "top.kepu")
    assert rs.chain == ["base", "left", "right", "top"]
    assert [r.id for r in rs.rules] == ["A1", "A2", "A3", "L1", "R1"]


def test_every_overlay_mistake_is_reported_at_once(tmp_path: Path) -> None:
    write(tmp_path, base=BASE, region="""\
ruleset region "区" extends base
set 指标 = 90%
override A9 { points 1 }
drop A8 because "x"
""")
    with pytest.raises(KepuError) as caught:
        resolve(tmp_path / "region.kepu")
    assert [d.code for d in caught.value.diagnostics] == ["unknown-param", "unknown-rule", "unknown-rule"]
