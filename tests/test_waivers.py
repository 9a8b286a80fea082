"""The waivers file: loading, positioned errors, expiry, and checks against the ruleset and the facts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kepu_rules.diagnostics import KepuError, Location
from kepu_rules.reports.model import WaiverInfo
from kepu_rules.waivers import Waiver, check_waivers, is_expired, load_waivers, nearest_rule, to_info

GOOD = """\
waivers:
  - rule: A1
    entity: 街道
    key: 北坦街道
    reason: 道路改造，标识待恢复
    approver: 区科协 王主任
    expires: 2026-12-31
  - rule: B1
    reason: 科普日活动延期
    approver: 区科协
    expires: 2026年10月31日
"""

ONE = "waivers:\n  - rule: A1\n    reason: 道路改造\n    approver: 区科协\n    expires: 2026-12-31\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(text: str) -> Path:
    path = Path("waivers.yaml")
    path.write_text(text, encoding="utf-8")
    return path


def _errors(text: str) -> tuple[str, str]:
    with pytest.raises(KepuError) as info:
        load_waivers(_write(text))
    return info.value.render("en"), info.value.render("zh")


def test_load(project: Path) -> None:
    first, second = load_waivers(_write(GOOD))
    assert (first.rule, first.entity, first.key, first.reason, first.approver, first.expires) == (
        "A1", "街道", "北坦街道", "道路改造，标识待恢复", "区科协 王主任", date(2026, 12, 31))
    assert first.location == Location("waivers.yaml", 2, 5, 8, 3)
    assert first.where("key") == Location("waivers.yaml", 4, 10, 4, 14)
    assert (second.rule, second.entity, second.key, second.expires) == ("B1", None, None, date(2026, 10, 31))


@pytest.mark.parametrize("written", ["2026-12-31", "2026/12/31", "2026年12月31日", "'2026-12-31'", "2026.12.31"])
def test_expiry_forms(project: Path, written: str) -> None:
    (waiver,) = load_waivers(_write(ONE.replace("2026-12-31", written)))
    assert waiver.expires == date(2026, 12, 31)


def test_a_bare_list_and_an_empty_file_are_accepted(project: Path) -> None:
    assert [w.rule for w in load_waivers(_write("- rule: A1\n  reason: r\n  approver: a\n  expires: 2026-12-31\n"))] == ["A1"]
    assert load_waivers(_write("# 暂无豁免\n")) == []
    assert load_waivers(_write("waivers: []\n")) == []
    assert load_waivers(_write("waivers:\n")) == []


def test_numeric_key_is_text(project: Path) -> None:
    (waiver,) = load_waivers(_write(ONE.replace("  - rule: A1\n", "  - rule: A1\n    entity: 社区\n    key: 101\n")))
    assert waiver.key == "101"


# --- mistakes -------------------------------------------------------------------------------------------------


def test_unknown_waiver_field(project: Path) -> None:
    en, zh = _errors(ONE.replace("reason:", "reasn:"))
    # the "has no `reason`" the typo causes is left out: the suggestion says it already
    assert en == (
        "waivers.yaml:3:5: error: unknown key `reasn` in waiver 1; did you mean `reason`?\n"
        "        reasn: 道路改造\n"
        "        ^^^^^"
    )
    assert zh == (
        "waivers.yaml:3:5: 错误: 第 1 条豁免中有未知的键 `reasn`；是否想写 `reason`？\n"
        "        reasn: 道路改造\n"
        "        ^^^^^"
    )


def test_unknown_waiver_field_without_a_guess(project: Path) -> None:
    en, _ = _errors(ONE + "    owner: 各街道\n")
    assert en == (
        "waivers.yaml:6:5: error: unknown key `owner` in waiver 1\n"
        "        owner: 各街道\n"
        "        ^^^^^\n"
        "    help: keys allowed here: rule, entity, key, reason, approver, expires"
    )


def test_missing_reason(project: Path) -> None:
    en, zh = _errors("waivers:\n  - rule: A1\n    approver: 区科协\n    expires: 2026-12-31\n")
    assert en == (
        "waivers.yaml:2:5: error: waiver 1 has no `reason`\n"
        "      - rule: A1\n"
        "        ^\n"
        "    help: say why the rule is waived, e.g. `reason: 道路改造，标识待恢复`"
    )
    assert zh == (
        "waivers.yaml:2:5: 错误: 第 1 条豁免缺少 `reason`\n"
        "      - rule: A1\n"
        "        ^\n"
        "    建议: 写明豁免的理由，例如 `reason: 道路改造，标识待恢复`"
    )


def test_blank_approver(project: Path) -> None:
    en, _ = _errors(ONE.replace("approver: 区科协", "approver: ''"))
    assert en.splitlines()[0] == "waivers.yaml:4:15: error: `approver` has no value; it should be text"


def test_bad_date(project: Path) -> None:
    en, zh = _errors(ONE.replace("2026-12-31", "年底"))
    assert en == (
        "waivers.yaml:5:14: error: `expires` should be a date such as 2026-12-31, 2026/12/31 or 2026年12月31日, not `年底`\n"
        "        expires: 年底\n"
        "                 ^^^^"
    )
    assert zh == (
        "waivers.yaml:5:14: 错误: `expires` 应为日期（如 2026-12-31、2026/12/31 或 2026年12月31日），而不是 `年底`\n"
        "        expires: 年底\n"
        "                 ^^^^"
    )


def test_impossible_date(project: Path) -> None:
    en, _ = _errors(ONE.replace("2026-12-31", "2026-02-30"))
    assert en.splitlines()[0] == "waivers.yaml:5:14: error: `2026-02-30` is not a valid date"
    en, _ = _errors(ONE.replace("2026-12-31", "2026/02/30"))
    assert en.splitlines()[0].startswith("waivers.yaml:5:14: error: `expires` should be a date")


def test_missing_expiry(project: Path) -> None:
    en, _ = _errors("waivers:\n  - rule: A1\n    reason: r\n    approver: a\n")
    assert en.splitlines()[0] == "waivers.yaml:2:5: error: waiver 1 has no `expires`"


def test_key_needs_entity(project: Path) -> None:
    en, zh = _errors(ONE.replace("  - rule: A1\n", "  - rule: A1\n    key: 北坦街道\n"))
    assert en == (
        "waivers.yaml:3:5: error: `key` needs `entity`\n"
        "        key: 北坦街道\n"
        "        ^^^\n"
        "    help: say what it is the key of, e.g. `entity: 街道`"
    )
    assert zh.splitlines()[0] == "waivers.yaml:3:5: 错误: 只写了 `key`，缺少 `entity`"


def test_entity_needs_key(project: Path) -> None:
    en, _ = _errors(ONE.replace("  - rule: A1\n", "  - rule: A1\n    entity: 街道\n"))
    assert en.splitlines()[0] == "waivers.yaml:3:5: error: `entity` needs `key`"


def test_same_waiver_twice(project: Path) -> None:
    en, zh = _errors(GOOD + GOOD.removeprefix("waivers:\n").split("  - rule: B1")[0])
    assert en == (
        "waivers.yaml:12:5: error: 街道 `北坦街道` of rule `A1` is waived twice (also on line 2)\n"
        "      - rule: A1\n"
        "        ^\n"
        "    help: remove one of them"
    )
    assert zh.splitlines()[0] == "waivers.yaml:12:5: 错误: 规则 `A1` 的街道 `北坦街道` 被豁免了两次（另见第 2 行）"


def test_unknown_top_level_key(project: Path) -> None:
    en, _ = _errors("waiver:\n" + ONE.removeprefix("waivers:\n"))
    assert en.splitlines()[0] == "waivers.yaml:1:1: error: unknown key `waiver` in waivers.yaml; did you mean `waivers`?"


def test_yaml_errors_are_positioned(project: Path) -> None:
    en, _ = _errors("waivers:\n  - rule: A1\n\t  reason: r\n")
    assert en.splitlines()[0] == "waivers.yaml:3:1: error: YAML syntax error: a tab character here: YAML needs spaces, not tabs"


# --- expiry and the report -----------------------------------------------------------------------------------


def _waiver(expires: date = date(2026, 12, 31)) -> Waiver:
    return Waiver(rule="A1", reason="r", approver="a", expires=expires, location=Location("waivers.yaml", 2, 5))


@pytest.mark.parametrize(("as_of", "expired"), [
    (date(2026, 11, 22), False),
    (date(2026, 12, 31), False),  # it holds through its last day
    (date(2027, 1, 1), True),
])
def test_is_expired(as_of: date, expired: bool) -> None:
    assert is_expired(_waiver(), as_of) is expired


def test_to_info() -> None:
    assert to_info(_waiver(), date(2027, 1, 1)) == WaiverInfo(
        rule="A1", reason="r", approver="a", expires=date(2026, 12, 31), expired=True, location="waivers.yaml:2:5")


# --- checks against the ruleset and the facts ------------------------------------------------------------


RULES = {"A1", "A2", "B1"}
KEYS = {"街道": {"北坦街道", "泺口街道"}, "社区": {"101"}}


def test_unknown_rule_did_you_mean(project: Path) -> None:
    waivers = load_waivers(_write(ONE.replace("rule: A1", "rule: A9")))
    (diag,) = check_waivers(waivers, {"A1", "B1"}, KEYS)
    assert diag.render("en") == (
        "waivers.yaml:2:11: error: waiver names unknown rule `A9`; did you mean `A1`?\n"
        "      - rule: A9\n"
        "              ^^"
    )
    assert diag.render("zh") == (
        "waivers.yaml:2:11: 错误: 豁免项引用了不存在的规则 `A9`；是否想写 `A1`？\n"
        "      - rule: A9\n"
        "              ^^"
    )


def test_unknown_entity_and_key(project: Path) -> None:
    text = GOOD.replace("key: 北坦街道", "key: 北坦街") + (
        "  - rule: A2\n    entity: 街区\n    key: 北坦街道\n    reason: r\n    approver: a\n    expires: 2026-12-31\n")
    diags = check_waivers(load_waivers(_write(text)), RULES, KEYS)
    assert [d.render("en") for d in diags] == [
        "waivers.yaml:4:10: error: waiver names unknown 街道 `北坦街`; did you mean `北坦街道`?\n"
        "        key: 北坦街\n"
        "             ^^^^^^",
        "waivers.yaml:13:13: error: waiver names unknown entity `街区`; did you mean `街道`?\n"
        "        entity: 街区\n"
        "                ^^^^",
    ]
    assert diags[0].render("zh").splitlines()[0] == (
        "waivers.yaml:4:10: 错误: 豁免项引用的街道 `北坦街` 不存在；是否想写 `北坦街道`？")


def test_expired_waiver_is_a_warning_when_the_date_is_known(project: Path) -> None:
    waivers = load_waivers(_write(GOOD))
    assert check_waivers(waivers, RULES, KEYS) == []
    (diag,) = check_waivers(waivers, RULES, KEYS, as_of=date(2026, 11, 22))
    assert diag.severity == "warning"
    assert diag.render("en") == (
        "waivers.yaml:11:14: warning: the waiver for rule `B1` expired on 2026-10-31 and is not applied\n"
        "        expires: 2026年10月31日\n"
        "                 ^^^^^^^^^^^^^^\n"
        "    help: renew it (change `expires`) or remove it"
    )
    assert diag.render("zh").splitlines()[0] == (
        "waivers.yaml:11:14: 警告: 规则 `B1` 的豁免已于 2026-10-31 到期，不再生效")


@pytest.mark.parametrize(("typo", "meant"), [
    ("A9", "A2"),      # same letters, nearest number
    ("a1", "A1"),
    ("B11", "B1"),
    ("Z1", None),
    ("科普", None),
])
def test_nearest_rule(typo: str, meant: str | None) -> None:
    assert nearest_rule(typo, RULES) == meant


# --- no input makes anything but a KepuError ----------------------------------------------------------------

_PIECES = st.sampled_from([
    *"ab:- \n\t'\"[]{}#&*!|>%@`,?", "waivers:\n", "  - rule: A1\n", "    reason: r\n", "    approver: a\n",
    "    expires: ", "2026-12-31\n", "2026-02-30", "年底", "    key: k\n", "    entity: 街道\n",
])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
          deadline=None)
@given(st.one_of(st.text(), st.lists(_PIECES, max_size=30).map("".join)))
def test_any_text_gives_waivers_or_a_kepu_error(project: Path, text: str) -> None:
    try:
        waivers = load_waivers(_write(text))
    except KepuError as exc:
        assert exc.render("zh") and exc.render("en")
        return
    for diag in check_waivers(waivers, RULES, KEYS, as_of=date(2026, 11, 22)):
        assert diag.render("zh")
