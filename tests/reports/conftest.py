"""A realistic hand-built Report (zh and en) and a hypothesis strategy for any Report, shared by the format tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import strategies as st

from kepu_rules.reports.model import (
    Counts,
    DiagnosticInfo,
    GroupScore,
    ItemResult,
    Report,
    RuleResult,
    RulesetInfo,
    Severity,
    SourceRef,
    Status,
    Summary,
    Verdict,
    WaiverInfo,
)

GOLDEN = Path(__file__).parent / "golden"

T = Callable[[str, str], str]

STREETS = ["北坦街道", "泺口街道", "工人新村北村街道", "药山街道", "无影山街道", "天桥东街街道", "堤口路街道", "制锦市街道"]


def _ledger_ref(sheet: str, cell: str) -> SourceRef:
    return SourceRef(text=f"台账.xlsx › {sheet}!{cell}", source="台账", file="台账.xlsx", sheet=sheet, cell=cell)


def _community(i: int, sheet: str, column: str, detail: str) -> ItemResult:
    """A community of street `i % 8`, as a failing item read from one ledger cell."""
    row = 3 + i
    ref = _ledger_ref(sheet, f"{column}{row}")
    return ItemResult(entity="社区", key=f"{STREETS[i % 8][:2]}{i + 1:02d}社区", detail=detail, source=ref.text,
                      sources=[ref], groups={"街道": STREETS[i % 8]})


def _veto_and_organisation(t: T) -> list[RuleResult]:
    return [
        RuleResult(id="V1", title="未发生重大科普安全责任事故和伪科学传播事件",
                   title_en="No major safety incident or pseudo-science in science events",
                   section="组织管理", status=Status.PASS, severity=Severity.VETO, owner="区科协",
                   message=t("未发现", "none found"), source="考核细则 一", tier="A",
                   location="rulesets/national.kepu:12"),
        RuleResult(id="M1", title="成立全民科学素质工作领导小组", title_en="A leading group for scientific literacy",
                   section="组织管理", status=Status.PASS, points=5, max_points=5, owner="区全素办",
                   location="rulesets/national.kepu:20"),
        RuleResult(id="M2", title="乡镇科协“三长”配备到位", title_en="Townships place the three heads",
                   section="组织管理", status=Status.NOT_APPLICABLE, severity=Severity.ADVISORY, owner="区科协",
                   message=t("本区无乡镇", "the district has no townships"), location="rulesets/national.kepu:27"),
    ]


def _venues(t: T) -> list[RuleResult]:
    sign_missing = ItemResult(entity="街道", key="北坦街道", detail=t("0 处", "0 signs"),
                              source="台账.xlsx › 科普标识（无记录）", groups={}, need=1)
    sign_hidden = ItemResult(entity="街道", key="泺口街道", detail=t("1 处，不在沿街显要", "1, not at a roadside spot"),
                             source="台账.xlsx › 科普标识!C7", sources=[_ledger_ref("科普标识", "C7")], need=1)
    rooms = [_community(i, "社区", "F", t("无科普活动室", "no activity room")) for i in range(13)]
    return [
        RuleResult(id="A1", title="每个街道在沿街显要位置设置一处以上科普宣传标识",
                   title_en="Every street office has a science sign at a prominent roadside spot",
                   section="阵地建设", status=Status.FAIL, severity=Severity.REQUIRED, points=0, max_points=5,
                   owner="各街道", source="动员会讲话 二(一)", tier="B",
                   message=t("8 个街道中 2 个未达标", "2 of 8 街道 fail"),
                   repair=t("北坦街道、泺口街道各增设 1 处沿街显要的科普宣传标识",
                            "北坦街道 and 泺口街道 each need 1 more roadside sign"),
                   hint=t("在街道主干道醒目位置增设科普宣传标识并拍照存档",
                          "put up a sign on the main road and keep a photo"),
                   counts=Counts(total=8, passing=6, failing=2), failing=[sign_missing, sign_hidden],
                   location="rulesets/national.kepu:41"),
        RuleResult(id="A2", title="每个社区建有科普活动室", title_en="Every community has a science activity room",
                   section="阵地建设", status=Status.FAIL, points=2.35, max_points=3, owner="各街道",
                   due=date(2026, 12, 31), message=t("60 个社区中 13 个没有科普活动室",
                                                     "13 of 60 社区 have no activity room"),
                   repair=t("13 个社区各建 1 间科普活动室", "13 communities each need an activity room"),
                   counts=Counts(total=60, passing=47, failing=13), failing=rooms,
                   location="rulesets/national.kepu:48"),
        RuleResult(id="A3", title="每个社区设置科普宣传画廊", title_en="Every community has a science gallery",
                   section="阵地建设", status=Status.WAIVED, points=3, max_points=3, owner="各街道",
                   waiver=WaiverInfo(rule="A3", reason=t("旧城改造中，画廊拆除待建", "gallery removed during renovation"),
                                     approver="区科协 王主任", expires=date(2027, 6, 30), location="waivers.yaml:2"),
                   location="rulesets/national.kepu:55"),
    ]


def _activities(t: T) -> list[RuleResult]:
    missing = [_community(i, "科普活动", "B", t("9 月无活动记录", "no activity in September")) for i in range(16)]
    return [
        RuleResult(id="B1", title="全国科普日活动覆盖率", title_en="National Science Day coverage",
                   section="活动开展", status=Status.FAIL, points=7.33, max_points=10, owner="区科协",
                   measured=0.733, target=0.8, measured_text="73.3%", target_text="≥ 80%",
                   message=t("覆盖率 73.3%（60 个社区中 44 个），目标 ≥ 80%",
                             "coverage 73.3% (44 of 60 社区), target ≥ 80%"),
                   repair=t("再有 4 个社区开展科普日活动即可达标", "4 more communities need a Science Day activity"),
                   counts=Counts(total=60, passing=44, failing=16), failing=missing, tags=["科普日"],
                   location="rulesets/national.kepu:63"),
        RuleResult(id="B2", title="每季度至少开展 1 次专家科普服务", title_en="An expert service every quarter",
                   section="活动开展", status=Status.PASS, points=6, max_points=6, owner="区科协",
                   measured=4, target=4, measured_text=t("4 个季度", "4 quarters"), target_text=t("4 个季度", "4 quarters"),
                   location="rulesets/national.kepu:70"),
        RuleResult(id="B3", title="人均科普经费", title_en="Science budget per capita",
                   section="活动开展", status=Status.WARN, points=4, max_points=4, owner="区财政局",
                   measured=2.1, target=2.0, measured_text=t("2.1 元", "2.1 yuan"), target_text="≥ 2 元",
                   message=t("人均 2.1 元，接近 2 元的下限", "2.1 yuan per person, close to the floor of 2"),
                   location="rulesets/national.kepu:77"),
    ]


def _archive(t: T) -> list[RuleResult]:
    expired = WaiverInfo(rule="D1", key="北坦街道", entity="街道", reason=t("档案室搬迁", "archive moving"),
                         approver="区科协 王主任", expires=date(2026, 6, 30), expired=True, location="waivers.yaml:7")
    return [
        RuleResult(id="D1", title="每个街道建立科普工作档案", title_en="Every street office keeps a science archive",
                   section="档案资料", status=Status.FAIL, points=0, max_points=2, owner="各街道",
                   message=t("8 个街道中 1 个没有档案", "1 of 8 街道 has no archive"),
                   repair=t("北坦街道建立科普工作档案", "北坦街道 needs an archive"),
                   counts=Counts(total=8, passing=7, failing=1), waiver=expired,
                   failing=[ItemResult(entity="街道", key="北坦街道", detail=t("档案目录为空", "archive folder empty"),
                                       source="档案/北坦街道/")],
                   location="rulesets/national.kepu:85"),
        RuleResult(id="D2", title="科普活动影像资料", title_en="Photos and videos of activities",
                   section="档案资料", status=Status.PASS, points=2, max_points=2, owner="区科协",
                   location="rulesets/national.kepu:90"),
        RuleResult(id="D3", title="媒体宣传报道材料", title_en="Media coverage",
                   section="档案资料", status=Status.UNKNOWN, points=0, max_points=4, owner="区委宣传部",
                   message=t("档案/媒体报道/ 目录不存在（kepu.yaml 第 14 行 dossier 数据源）",
                             "the folder 档案/媒体报道/ does not exist (dossier source, kepu.yaml line 14)"),
                   location="rulesets/national.kepu:95"),
        RuleResult(id="E1", title="建有市级以上科普教育基地 <至少 1 个>", title_en="A city-level science base <at least 1>",
                   section="档案资料", status=Status.ERROR, points=0, max_points=3, owner="区科技局",
                   message=t("台账.xlsx › 基地!D4 的认定日期“待定”不是日期",
                             "台账.xlsx › 基地!D4: the date “待定” is not a date"),
                   location="rulesets/national.kepu:101"),
    ]


def _group(name: str, rules: list[RuleResult]) -> GroupScore:
    counted = [r for r in rules if r.status is not Status.NOT_APPLICABLE]
    counts: dict[str, int] = {}
    for r in rules:
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    return GroupScore(name=name, score=round(sum(r.points for r in counted), 2),
                      max_score=sum(r.max_points for r in counted), counts=counts,
                      gaps=[r.id for r in rules if r.status in (Status.FAIL, Status.WARN, Status.UNKNOWN, Status.ERROR)])


def _groups(results: list[RuleResult], key: Callable[[RuleResult], str | None]) -> list[GroupScore]:
    names: list[str] = []
    for r in results:
        name = key(r)
        if name is not None and name not in names:
            names.append(name)
    return [_group(n, [r for r in results if key(r) == n]) for n in names]


def make_report(lang: str) -> Report:
    """The demo district's self-assessment: every status, a veto pass, a required failure, an expired waiver."""

    def t(zh: str, en: str) -> str:
        return zh if lang == "zh" else en

    results = _veto_and_organisation(t) + _venues(t) + _activities(t) + _archive(t)
    total = _group("", results)
    counts = {s.value: sum(1 for r in results if r.status is s) for s in Status}
    waivers = [r.waiver for r in results if r.waiver is not None]
    return Report(
        lang=lang, district="天桥区", as_of=date(2026, 11, 22), generated_at="2026-11-22T09:30:00+08:00",
        ruleset=RulesetInfo(id="national", title="全国科普示范区创建标准", version="2021-2025",
                            title_en="National science-popularisation demonstration district criteria",
                            path="rulesets/national.kepu"),
        summary=Summary(verdict=Verdict.FAIL, score=total.score, max_score=total.max_score, pass_mark=40,
                        counts=counts, required_failures=["A1"], sections=_groups(results, lambda r: r.section),
                        owners=_groups(results, lambda r: r.owner), nearest_due=date(2026, 12, 31),
                        message=t("必备项 A1 未达标，结论为未达标。", "Required rule A1 fails, so the assessment fails.")),
        results=results,
        waivers=waivers,
        diagnostics=[DiagnosticInfo(
            location="kepu.yaml:14:11", severity="warning",
            message=t("dossier 数据源的目录不存在：档案/媒体报道/", "the dossier folder does not exist: 档案/媒体报道/"),
            text=t("kepu.yaml:14:11: 警告: dossier 数据源的目录不存在：档案/媒体报道/\n"
                   "    path: 档案/媒体报道/\n          ^^^^^^^^^^^^^^",
                   "kepu.yaml:14:11: warning: the dossier folder does not exist: 档案/媒体报道/\n"
                   "    path: 档案/媒体报道/\n          ^^^^^^^^^^^^^^"))],
    )


@pytest.fixture
def build() -> Callable[[str], Report]:
    """The demo report in a language, freshly built (tests may change it)."""
    return make_report


@pytest.fixture(params=["zh", "en"])
def report(request: pytest.FixtureRequest) -> Report:
    return make_report(request.param)


@pytest.fixture
def report_zh() -> Report:
    return make_report("zh")


@pytest.fixture
def report_en() -> Report:
    return make_report("en")


# ---------------------------------------------------------------------------------------------------------
# Any report: text with CJK, markup characters, pipes, newlines and control characters.
# ---------------------------------------------------------------------------------------------------------

_nasty = st.sampled_from(["|", "<", ">", "&", "<script>alert(1)</script>", "\n", "\r\n", "%", ":", ",", "`",
                          "*", "_", "#", "\\", "]]>", "--", "\x1b[31m", "\x00", "\t", "“", "台账.xlsx › 社区!F7"])
_chars = st.one_of(st.characters(codec="utf-8"), st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
                   st.sampled_from(list("|<>&%:,`*_#\\[]-=\n\r\t\x1b\x00\x0c“")))
# one string draw per text keeps generation fast; the sampled pieces add whole tags and sequences
_text = st.one_of(st.text(_chars, max_size=12), _nasty, st.tuples(st.text(_chars, max_size=4), _nasty).map("".join))
_number = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
_ids = st.from_regex(r"[A-Z][0-9]{1,2}", fullmatch=True) | _text.filter(bool)
_counts_dict = st.dictionaries(st.sampled_from([s.value for s in Status]) | _text, st.integers(0, 999), max_size=4)

_source_refs = st.builds(SourceRef, text=_text, source=_text, file=_text, sheet=st.none() | _text,
                         cell=st.none() | _text, line=st.none() | st.integers(1, 99999))
_items = st.builds(ItemResult, entity=st.sampled_from(["街道", "社区", "科普标识"]) | _text, key=_text, detail=_text,
                   source=_text, sources=st.lists(_source_refs, max_size=1),
                   groups=st.dictionaries(st.sampled_from(["街道", "社区"]) | _text, _text, max_size=1),
                   need=st.none() | _number)
_waivers = st.builds(WaiverInfo, rule=_text, entity=st.none() | _text, key=st.none() | _text, reason=_text,
                     approver=_text, expires=st.none() | _dates, expired=st.booleans(), location=_text)
_rules = st.builds(
    RuleResult, id=_ids, title=_text, title_en=st.none() | _text, section=_text, status=st.sampled_from(Status),
    severity=st.sampled_from(Severity), points=_number, max_points=_number, measured=st.none() | _number,
    target=st.none() | _number, measured_text=_text, target_text=_text, message=_text, repair=_text,
    owner=st.none() | _text, due=st.none() | _dates, source=st.none() | _text, tier=st.none() | _text,
    tags=st.lists(_text, max_size=2), hint=st.none() | _text,
    counts=st.builds(Counts, total=st.integers(0, 999), passing=st.integers(0, 999),
                     failing=st.integers(0, 999), unknown=st.integers(0, 999)),
    failing=st.lists(_items, max_size=12), unknown_items=st.lists(_items, max_size=2),
    waiver=st.none() | _waivers,
    location=st.one_of(_text, st.builds("{}:{}".format, _text, st.integers(1, 999))),
)
_group_scores = st.builds(GroupScore, name=_text, score=_number, max_score=_number, counts=_counts_dict,
                          gaps=st.lists(_ids, max_size=3))
_summaries = st.builds(
    Summary, verdict=st.sampled_from(Verdict), score=_number, max_score=_number, pass_mark=st.none() | _number,
    counts=_counts_dict, veto_failures=st.lists(_ids, max_size=2), required_failures=st.lists(_ids, max_size=2),
    incomplete=st.lists(_ids, max_size=2), sections=st.lists(_group_scores, max_size=3),
    owners=st.lists(_group_scores, max_size=3), nearest_due=st.none() | _dates, message=_text,
)
_diagnostics = st.builds(DiagnosticInfo, location=_text, severity=st.sampled_from(["error", "warning", "note"]),
                         message=_text, text=_text)

REPORTS = st.builds(
    Report, lang=st.sampled_from(["zh", "en"]), district=_text, as_of=_dates, generated_at=_text,
    ruleset=st.builds(RulesetInfo, id=_text, title=_text, version=st.none() | _text, title_en=st.none() | _text,
                      extends=st.lists(_text, max_size=2), path=_text),
    summary=_summaries, results=st.lists(_rules, max_size=5), waivers=st.lists(_waivers, max_size=2),
    diagnostics=st.lists(_diagnostics, max_size=2),
)


@pytest.fixture(scope="session")
def any_report() -> st.SearchStrategy[Report]:
    """Any Report the model accepts (finite numbers: the engine never emits NaN); draw with `data.draw`."""
    # deferred: hypothesis prints fixture arguments, and the built strategy's repr runs to 160 kB
    return st.deferred(lambda: REPORTS)


def check_golden(name: str, actual: str) -> None:
    """Compare with tests/reports/golden/NAME; KEPU_UPDATE_GOLDEN=1 rewrites it instead (read the diff after)."""
    import os

    path = GOLDEN / name
    if os.environ.get("KEPU_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
        return
    assert path.exists(), f"no golden file {path}; run with KEPU_UPDATE_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from its golden file; KEPU_UPDATE_GOLDEN=1 rewrites it"


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    return check_golden
