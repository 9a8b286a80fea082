"""`E (may be empty)` / `E（可为空）`: where it may be written, what it becomes, and the mistakes around it."""

from __future__ import annotations

import pytest

from kepu_rules.diagnostics import KepuError
from kepu_rules.dsl import ast as A
from kepu_rules.dsl import ir as I
from kepu_rules.dsl.parse import parse
from tests.engine.util import SCHEMA, ruleset


def _body(text: str) -> A.Expr:
    rs = parse(f'ruleset t "t"\nsection "s" {{\n  rule R "r" {{ {text} }}\n}}\n', "t.kepu")
    section = rs.decls[-1]
    assert isinstance(section, A.Section)
    return section.rules[0].body


def _collections(e: object) -> list[A.Collection]:
    found = [e] if isinstance(e, A.Collection) else []
    if hasattr(e, "__dataclass_fields__"):
        for name in e.__dataclass_fields__:  # type: ignore[attr-defined]
            value = getattr(e, name)
            for child in value if isinstance(value, tuple) else (value,):
                found += _collections(child)
    return found


@pytest.mark.parametrize(("text", "marked"), [
    ("each 街道 (may be empty) has 人口 > 0", ["街道"]),
    ("每个 街道（可为空） 满足 人口 > 0", ["街道"]),
    ("每个 街道 (可为空) 至少有 1 个 科普标识（可为空） 其中 沿街显要", ["街道", "科普标识"]),
    ("no 事件 via 街道 (may   be\tempty) where x", ["事件"]),
    ("some 街道 (may be empty)", ["街道"]),
    ("at most 2 街道 (may be empty)", ["街道"]),
    ("count(街道 (may be empty)) = 0", ["街道"]),
    ("count(街道 via 区 (may be empty)) = 0", ["街道"]),
    ("覆盖率(社区（可为空） 其中 有科普活动室) >= 80%", ["社区"]),
    ("each 街道 has 人口 > 0", []),
])
def test_the_mark_belongs_to_the_collection_it_follows(text: str, marked: list[str]) -> None:
    assert [c.entity for c in _collections(_body(text)) if c.may_be_empty] == marked


def test_may_is_still_a_name() -> None:
    assert _body("may = 1") == A.Compare("==", A.Name("may"), A.Literal_(1, "number"))


def _rows(node: I.Node) -> list[I.RowsOf]:
    found = [node] if isinstance(node, I.RowsOf) else []
    for child in I.children(node):
        found += _rows(child)
    return found


@pytest.mark.parametrize(("text", "marked"), [
    ("each 街道 (may be empty) has count(科普标识) >= 1", {"街道": True, "科普标识": False}),
    ("coverage(社区 (may be empty) where 有科普活动室) >= 目标", {"社区": True}),
    ("count(三长 (may be empty) where 职务 = \"校长\") = 0", {"三长": True}),
    ("sum(经费.金额) >= 0", {"经费": False}),
])
def test_the_checker_carries_the_mark_to_the_rows_it_reads(text: str, marked: dict[str, bool]) -> None:
    rule = ruleset(f'rule R "r" {{ {text} }}').rules["R"]
    assert {rows.entity: rows.may_be_empty for rows in _rows(rule.body)} == marked


def test_the_mark_in_a_coverage_is_a_warning_for_it_changes_nothing() -> None:
    checked = ruleset('rule R "r" { coverage(社区 (may be empty) where 有科普活动室) >= 目标 }')
    assert [(w.code, w.severity, w.location.line, w.location.column) for w in checked.warnings] == \
        [("may-be-empty-coverage", "warning", 11, 23)]
    assert not ruleset('rule R "r" { coverage(社区 where 有科普活动室) >= 目标 }').warnings


def _lint(body: str) -> str:
    try:
        ruleset(f'rule R "r" {{ {body} }}', SCHEMA)
    except KepuError as err:
        return "\n".join(d.render("en") for d in err.diagnostics)
    raise AssertionError("no diagnostic")


@pytest.mark.parametrize(("body", "expected"), [
    ("每个 街道（可以为空） 满足 人口 > 0", "expected `may be empty` (可为空)"),
    ("each 街道 (maybe empty) has 人口 > 0", "expected `may be empty` (可为空)"),
    ("each 街道 may be empty has 人口 > 0", "help: write `(may be empty)` in parentheses right after the entity"),
    ("each 街道 where 人口 > 0 (may be empty) has 人口 > 0", "before `where`"),
    ("每个 街道 其中 人口 > 0（可为空） 满足 人口 > 0", "before `where`"),
])
def test_a_misplaced_or_misspelled_mark_is_explained(body: str, expected: str) -> None:
    assert expected in _lint(body)
