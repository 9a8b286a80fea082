#!/usr/bin/env python3
"""Generate synthetic district projects for benchmarks and ranking tests.

The projects have the layout, file formats and schema of examples/demo-district: an xlsx ledger with
title rows and a merged two-row header (科普标识), a GB18030 CSV of activities with mixed date formats
and thousands separators, a UTF-8-with-BOM CSV of member units, a YAML file of facts and smaller
entities, a dossier folder and a kepu.yaml (ruleset `national`, as_of 2026-11-22, pass mark 85).

    python benchmarks/generate.py district OUTDIR    # 1 project: 60 communities, ~400 activities
    python benchmarks/generate.py city OUTDIR        # 1 project: 3,000 communities, 60,000 activities
    python benchmarks/generate.py province OUTDIR    # 100 projects under OUTDIR: 50,000 communities,
                                                     # 1,000,000 activities in total
    options: --seed N (default 20261122), --workers N (province: processes, default 2)

Deterministic: every district has its own seed derived from --seed and its index, xlsx members
carry fixed timestamps, so reruns give byte-identical files whatever the number of workers.

Districts differ by *profile* so that a ranking means something (see PROFILES): exemplary and good
districts pass or nearly pass; `required_gap` districts miss a required rule (A1 signs or D1 form);
`veto` districts fail one 一票否决 rule (V1 budget, V2 incident or V3 reach); `weak` districts have
low coverage everywhere; `incomplete` districts leave out 常住人口, so V1/V3 cannot be checked.

Large activity tables are CSV only; the xlsx ledger holds the smaller sheets. The dossier is kept
small: one file per district-level category and two per street (工作记录, 照片视频).

The module's functions are importable (tests use `DistrictSpec` and `write_district`).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib.util
import io
import random
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

DEFAULT_SEED = 20261122
YEAR = 2026
AS_OF = dt.date(2026, 11, 22)
SCIENCE_DAY = (dt.date(2026, 8, 15), dt.date(2026, 9, 30))  # national.kepu 科普日开始 / 科普日结束
TECH_WEEK = (dt.date(2026, 5, 17), dt.date(2026, 5, 23))
PASS_MARK = 85
KEY_GROUPS = ["青少年", "农民", "产业工人", "老年人", "领导干部和公务员"]

MEMBER_UNITS: list[tuple[str, str, str, str]] = [
    # name, type, duty, the key group its activities usually address
    ("区委组织部", "党委部门", "组织领导干部和公务员科学素质提升行动", "领导干部和公务员"),
    ("区委宣传部", "党委部门", "统筹科普宣传和舆论引导", "社区居民"),
    ("区委政法委", "党委部门", "组织反邪教、防范伪科学宣传", "社区居民"),
    ("区教体局", "政府部门", "组织科学家进校园、青少年科技节", "青少年"),
    ("区科技局", "政府部门", "组织科技活动周", "社区居民"),
    ("区卫健委", "政府部门", "普及医疗卫生和健康知识", "老年人"),
    ("区农业农村局", "政府部门", "开展农民科学素质提升行动和农技培训", "农民"),
    ("区人社局", "政府部门", "开展产业工人职业技能培训", "产业工人"),
    ("区民政局", "政府部门", "依托养老机构和社区开展老年人科普", "老年人"),
    ("区文旅局", "政府部门", "在公共文化设施中融入科普内容", "社区居民"),
    ("区应急局", "政府部门", "普及安全生产和防灾减灾知识", "社区居民"),
    ("区生态环境分局", "政府部门", "开展生态环境保护宣传", "社区居民"),
    ("区市场监管局", "政府部门", "开展食品药品安全科普宣传", "社区居民"),
    ("区财政局", "政府部门", "保障科普专项经费纳入财政预算", "社区居民"),
    ("区融媒体中心", "事业单位", "开设科普专栏，报道创建工作", "社区居民"),
    ("区气象局", "政府部门", "普及气象和防灾减灾知识", "社区居民"),
    ("区总工会", "群团组织", "组织职工技术创新和产业工人科普", "产业工人"),
    ("团区委", "群团组织", "组织青年科技志愿服务", "青少年"),
    ("区妇联", "群团组织", "开展关爱妇女儿童科普活动", "社区居民"),
    ("区科协", "群团组织", "履行全民科学素质工作领导小组办公室职责", "社区居民"),
]

# Characters for place names: two of them make a street or community name (80 × 80 = 6,400).
PLACE_CHARS = ("东西南北中新明光阳春和平安康宁泰丰盛兴隆福寿长青山水河湖桥林松柏梅兰竹菊花园"
               "金银玉石云龙凤鹤鹿文武德仁义礼智信忠孝勤俭秀美清华胜利红星前进团结友谊")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "霞", "平", "刚", "建华", "玉兰", "志强", "海燕", "晓东", "雪梅", "立新", "春燕", "国庆", "红梅", "振华"]
COMMUNITY_KINDS = [
    ("讲座", "健康科普讲座", ["老年人", "社区居民"]),
    ("讲座", "防范电信诈骗科普讲座", ["老年人", "社区居民"]),
    ("展览", "科普展板巡展", ["社区居民"]),
    ("科普咨询", "科普咨询服务日", ["社区居民", "老年人"]),
    ("培训", "智能手机使用培训", ["老年人"]),
    ("科技体验", "青少年科学实验课", ["青少年"]),
    ("竞赛", "科普知识竞答", ["青少年", "社区居民"]),
    ("防灾减灾", "应急避险演练与科普", ["社区居民", "青少年"]),
    ("讲座", "辖区企业安全生产科普", ["产业工人"]),
]
VILLAGE_KINDS = [
    ("培训", "小麦病虫害防治培训", ["农民"]),
    ("培训", "设施蔬菜种植技术培训", ["农民"]),
    ("专家服务", "农技专家田间指导", ["农民"]),
    ("讲座", "农村安全用电科普", ["农民", "老年人"]),
]
SD_THEMES = ["全国科普日主题展", "科普日科学实验秀", "科普日健康义诊", "科普日应急科普体验", "科普日科普大篷车进社区"]

DOSSIER_DISTRICT = {
    "申报表": "全国科普示范区创建单位申报表（盖章扫描件）.pdf",
    "工作情况概况": "全国科普示范区工作情况概况.docx",
    "自评报告": "创建全国科普示范区自评报告.docx",
    "工作记录": "区全民科学素质工作领导小组会议纪要.docx",
    "媒体报道": "创建工作媒体报道汇编.pdf",
    "获奖材料": "全国科普日活动优秀组织单位证书.jpg",
    "群众评价": "科普工作群众满意度调查汇总.pdf",
    "科普日总结": "全国科普日（科普月）活动总结.docx",
    "照片视频": "全国科普日主场活动.mp4",
}
DOSSIER_STREET = {"工作记录": "街道科普工作台账.docx", "照片视频": "科普活动现场.jpg"}

KEPU_YAML = """\
# {district}（合成数据，benchmarks/generate.py 生成；画像 profile: {profile}）
district: {district}
ruleset: national
language: zh
as_of: {as_of}
pass_mark: {pass_mark}
params: {{}}
sources:
  - name: 台账
    type: xlsx
    path: data/台账.xlsx
    sheets:
      街道: {{entity: 街道, header_row: 2}}
      社区（村）: {{entity: 社区, header_row: 2}}
      科普标识: {{entity: 科普标识, header_row: 3}}
      科普活动室: {{entity: 科普活动室, header_row: 2}}
      科普画廊: {{entity: 科普画廊, header_row: 2}}
      科普信息员: {{entity: 科普信息员, header_row: 2}}
      三长: {{entity: 三长, header_row: 2}}
  - name: 科普活动
    type: csv
    path: data/科普活动.csv
    entity: 科普活动
    encoding: gb18030
  - name: 成员单位
    type: csv
    path: data/成员单位.csv
    entity: 成员单位
    encoding: utf-8-sig
  - name: 基本情况
    type: yaml
    path: data/基本情况.yaml
  - name: 档案
    type: dossier
    path: 档案
    entity: 档案材料
    patterns: ["{{类别}}/{{街道}}/*", "{{类别}}/*"]
"""


# --- what a district looks like ------------------------------------------------------------------


@dataclass(frozen=True)
class Quality:
    """The knobs that decide which rules a district passes. Fractions are shares of items."""

    sign_gap_streets: int = 0  # A1 (required): streets without a roadside sign
    science_day: float = 0.95  # B1: share of communities with a Science Day activity (target 80%)
    unit_science_day: float = 1.0  # B2: share of member units with one
    rooms: float = 1.0  # A2: share of communities with an activity room
    galleries: float = 1.0  # A4
    officers: float = 1.0  # T1
    trained: float = 0.95  # T2: share of trained officers (target 80%)
    heads_complete: float = 1.0  # O8: share of streets with all three heads
    few_activities: float = 0.0  # B12: share of communities with fewer than 4 activities
    unregistered_sd: int = 0  # B3: Science Day activities not registered online
    missing_quarter: bool = False  # B10: no expert service in Q3
    missing_group: str | None = None  # B4 (+ one of B5-B9): no activity for this key group
    reach: float = 0.85  # V3 (veto): participants / population (>= 70%)
    per_capita: float = 2.5  # V1 (veto, >= 1.0 yuan) and F1 (target 2.0 yuan)
    budget_increasing: bool = True  # V1
    harmful_incident: bool = False  # V2 (veto)
    literacy: float | None = 0.17  # E1 (> 15%); None: not filled in
    missing_dossier: tuple[str, ...] = ()  # D1 申报表 is required, D3 媒体报道 4 points ...
    population_known: bool = True  # without 常住人口, V1 and V3 cannot be checked: verdict incomplete


@dataclass(frozen=True)
class DistrictSpec:
    """One synthetic district project."""

    name: str
    seed: int
    streets: int
    communities: int
    activities: int
    profile: str = "good"
    quality: Quality = field(default_factory=Quality)
    member_units: int = 20
    town_share: float = 0.2  # share of streets that are 乡镇 with villages

    @property
    def folder(self) -> str:
        return self.name


PROFILES = ("exemplary", "good", "required_gap", "veto", "weak", "incomplete")


def make_quality(profile: str, rng: random.Random, streets: int) -> Quality:
    """Draw the knobs of a profile; the numbers spread the districts' scores."""
    u = rng.uniform
    if profile == "exemplary":
        return Quality(science_day=u(0.9, 1.0), unit_science_day=1.0, trained=u(0.9, 1.0), reach=u(0.85, 1.2),
                       per_capita=u(2.2, 3.5), literacy=u(0.17, 0.24))
    if profile in ("good", "required_gap", "veto", "incomplete"):
        q = Quality(science_day=u(0.72, 0.95), unit_science_day=u(0.8, 1.0), galleries=u(0.93, 1.0),
                    officers=u(0.95, 1.0), trained=u(0.8, 0.95), heads_complete=u(0.85, 1.0), reach=u(0.75, 1.0),
                    per_capita=u(1.6, 2.8), literacy=u(0.14, 0.2),
                    missing_dossier=("媒体报道",) if rng.random() < 0.3 else ())
        if profile == "required_gap":
            if rng.random() < 0.6:
                q = _replace(q, sign_gap_streets=max(1, min(streets - 1, rng.randint(1, 1 + streets // 8))))
            else:
                q = _replace(q, missing_dossier=(*q.missing_dossier, "申报表"))
        elif profile == "veto":
            which = rng.choice(["V1-low", "V1-flat", "V2", "V3"])
            if which == "V1-low":
                q = _replace(q, per_capita=u(0.55, 0.95))
            elif which == "V1-flat":
                q = _replace(q, budget_increasing=False)
            elif which == "V2":
                q = _replace(q, harmful_incident=True)
            else:
                q = _replace(q, reach=u(0.45, 0.68))
        elif profile == "incomplete":
            q = _replace(q, population_known=False)
        return q
    if profile == "weak":
        return Quality(science_day=u(0.35, 0.7), unit_science_day=u(0.4, 0.75), rooms=u(0.8, 0.95),
                       galleries=u(0.7, 0.9), officers=u(0.8, 0.95), trained=u(0.55, 0.8), heads_complete=u(0.4, 0.8),
                       few_activities=u(0.05, 0.25), unregistered_sd=rng.randint(1, 6), missing_quarter=rng.random() < 0.5,
                       missing_group=rng.choice(["产业工人", "老年人", "领导干部和公务员"]), reach=u(0.72, 0.9),
                       per_capita=u(1.0, 1.6), literacy=None if rng.random() < 0.4 else u(0.09, 0.14),
                       missing_dossier=("媒体报道", "群众评价", "获奖材料"))
    raise ValueError(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}")


def _replace(q: Quality, **changes: Any) -> Quality:
    from dataclasses import replace

    return replace(q, **changes)


# --- names ---------------------------------------------------------------------------------------


class NamePool:
    """Unique place or personal names, drawn deterministically."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def place(self, suffix: str) -> str:
        rng = self.rng
        for length in (2, 2, 2, 3, 3, 3, 4):
            name = "".join(rng.sample(PLACE_CHARS, length)) + suffix
            if name not in self.used:
                self.used.add(name)
                return name
        n = 2
        while True:  # practically never: a numbered name
            name = f"{rng.choice(PLACE_CHARS)}{rng.choice(PLACE_CHARS)}{n}{suffix}"
            if name not in self.used:
                self.used.add(name)
                return name
            n += 1

    def person(self) -> str:
        rng = self.rng
        while True:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            if len(self.used) > 600:  # big districts: a third character keeps names unique
                name += rng.choice(GIVEN)[0]
            if name not in self.used:
                self.used.add(name)
                return name


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}****{rng.randint(0, 9999):04d}"


# --- dates ---------------------------------------------------------------------------------------


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


OUTSIDE_WINDOW = [d for d in _days(dt.date(YEAR, 1, 5), dt.date(YEAR, 11, 20))
                  if not SCIENCE_DAY[0] <= d <= SCIENCE_DAY[1]]
IN_SEPTEMBER = _days(dt.date(YEAR, 9, 1), dt.date(YEAR, 9, 30))
TECH_WEEK_DAYS = _days(*TECH_WEEK)
# The three forms a platform export mixes: 2026/9/15, 2026年9月15日, 2026-09-15 (precomputed: fast).
DATE_FORMS = {d: (f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日", d.isoformat())
              for d in _days(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))}


def date_text(d: dt.date, r: float) -> str:
    forms = DATE_FORMS[d]
    return forms[0] if r < 0.45 else forms[1] if r < 0.85 else forms[2]


def yesno(v: bool | None) -> str | None:
    return None if v is None else ("是" if v else "否")


# --- the model -----------------------------------------------------------------------------------


def _split(total: int, parts: int, rng: random.Random, spread: float = 0.3) -> list[int]:
    """`total` split into `parts` positive integers that vary by about ±spread."""
    weights = [rng.uniform(1 - spread, 1 + spread) for _ in range(parts)]
    s = sum(weights)
    sizes = [max(1, int(total * w / s)) for w in weights]
    i = 0
    while sum(sizes) < total:
        sizes[i % parts] += 1
        i += 1
    while sum(sizes) > total:
        if sizes[i % parts] > 1:
            sizes[i % parts] -= 1
        i += 1
    return sizes


def _pick(rng: random.Random, items: Sequence[str], share: float) -> set[str]:
    """A deterministic subset holding about `share` of the items (all of them when share >= 1)."""
    if share >= 1:
        return set(items)
    k = max(0, min(len(items), round(len(items) * share)))
    return set(rng.sample(list(items), k))


def build(spec: DistrictSpec) -> dict[str, Any]:
    """The whole district as plain rows; activities as tuples (there can be many)."""
    rng = random.Random(spec.seed)
    q = spec.quality
    names = NamePool(rng)
    people = NamePool(random.Random(spec.seed + 7))

    # Administrative units: streets (some are 乡镇 with villages), communities split among them.
    n_towns = max(1, round(spec.streets * spec.town_share)) if spec.streets > 1 else 0
    street_names = [names.place("街道") for _ in range(spec.streets - n_towns)] + [names.place("镇") for _ in range(n_towns)]
    town = {s: s.endswith("镇") for s in street_names}
    sizes = _split(spec.communities, spec.streets, rng)
    communities: list[str] = []
    street_of: dict[str, str] = {}
    for s, size in zip(street_names, sizes, strict=True):
        for _ in range(size):
            c = names.place("村" if town[s] else "社区")
            communities.append(c)
            street_of[c] = s
    village = {c: town[street_of[c]] for c in communities}
    pop = {c: rng.randint(1200, 2600) if village[c] else rng.randint(2500, 6500) for c in communities}
    population = sum(pop.values())
    street_pop = {s: 0 for s in street_names}
    for c in communities:
        street_pop[street_of[c]] += pop[c]

    streets = [{"名称": s, "类型": "乡镇" if town[s] else "街道", "常住人口": street_pop[s],
                "备注": "涉农乡镇" if town[s] else None} for s in street_names]
    community_rows = [{"名称": c, "街道": street_of[c], "类型": "村" if village[c] else "社区", "常住人口": pop[c]}
                      for c in communities]

    # Signs: 1-3 per street, the first at a roadside spot; gap streets have only an indoor sign, or none.
    gap_streets = set(rng.sample(street_names, min(q.sign_gap_streets, len(street_names))))
    signs: list[dict[str, Any]] = []
    for s in street_names:
        count = rng.randint(1, 3)
        for i in range(count):
            roadside = (i == 0 or rng.random() < 0.5) and s not in gap_streets
            if s in gap_streets and i == 0 and rng.random() < 0.5:
                break  # no sign at all
            signs.append({"编号": f"BS-{len(signs) + 1:04d}", "街道": s,
                          "位置": f"{s}主干道公交站旁" if roadside else f"{s}便民服务中心大厅",
                          "沿街显要": roadside, "形式": rng.choice(["灯箱", "墙体", "电子屏", "展板"]),
                          "设置日期": dt.date(2023, 3, 1) + dt.timedelta(days=rng.randint(0, 1200)), "备注": None})

    with_room = _pick(rng, communities, q.rooms)
    with_gallery = _pick(rng, communities, q.galleries)
    with_officer = _pick(rng, communities, q.officers)
    rooms = [{"名称": f"{c}科普活动室", "社区": c, "面积": rng.choice([40, 50, 60, 80, 120]),
              "每周开放小时": rng.choice([10, 12, 16, 20, 30]), "依托场所": rng.choice(["党群服务中心", "新时代文明实践站"])}
             for c in communities if c in with_room]
    galleries = [{"名称": f"{c}科普画廊", "社区": c, "长度米": rng.choice([10, 12, 15, 18, 24]),
                  "年更换期数": rng.choice([6, 8, 10, 12])} for c in communities if c in with_gallery]
    officers: list[dict[str, Any]] = []
    for c in communities:
        if c not in with_officer:
            continue
        for i in range(rng.choice([1, 1, 2])):
            officers.append({"姓名": people.person(), "社区": c, "联系电话": phone(rng), "是网格员": i == 0,
                             "已培训": rng.random() < q.trained})

    complete_heads = _pick(rng, street_names, q.heads_complete)
    heads: list[dict[str, Any]] = []
    for s in street_names:
        posts = ["校长", "院长", "站长"] if s in complete_heads else ["校长", "院长"]
        for post in posts:
            heads.append({"姓名": people.person(), "职务": post, "单位": f"{s.removesuffix('街道').removesuffix('镇')}{post}单位",
                          "街道": s, "任职": rng.choice(["兼职副主席", "挂职副主席"]), "备注": None})

    associations: list[dict[str, Any]] = []
    for s in street_names:
        associations.append({"名称": f"{s}科学技术协会", "层级": "街道", "街道": s,
                             "成立日期": dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 1500)),
                             "换届日期": dt.date(2022, 6, 1) + dt.timedelta(days=rng.randint(0, 1200)),
                             "主席": people.person(), "主席为班子成员": True, "明确工作职责": True, "明确三长职责": True})
    for c in communities:
        if rng.random() < 0.97 or q.science_day > 0.9:
            associations.append({"名称": f"{c}{'农村专业技术协会' if village[c] else '科普协会'}", "层级": "社区",
                                 "街道": street_of[c], "社区": c,
                                 "成立日期": dt.date(2016, 1, 1) + dt.timedelta(days=rng.randint(0, 3300))})

    bases: list[dict[str, Any]] = []
    for i in range(rng.randint(2, 5)):
        bases.append({"名称": f"{names.place('')}科普教育基地", "级别": ["市级", "省级", "市级", "区级", "国家级"][i],
                      "类别": rng.choice(["科技场馆类", "自然资源类", "企业类"]), "街道": rng.choice(street_names),
                      "认定年份": rng.randint(2018, 2025), "年开放天数": rng.randint(210, 340)})

    units = MEMBER_UNITS[: spec.member_units]
    members = [{"名称": u, "类型": t, "职责": duty, "纳入工作规划": True, "联络员": people.person(), "联系电话": phone(rng)}
               for u, t, duty, _ in units]

    activities = build_activities(spec, rng, communities, street_names, street_of, village, population)

    b = q.per_capita * population / 10000  # 万元
    years = [round(b * 0.82, 1), round(b * 0.91, 1), round(b, 1)] if q.budget_increasing else \
            [round(b * 1.05, 1), round(b * 0.95, 1), round(b, 1)]
    budget = [{"年度": 2024 + i, "预算万元": v, "到账万元": v if i < 2 else round(v * 0.8, 1),
               "社会投入万元": round(v * rng.uniform(0.05, 0.2), 1)} for i, v in enumerate(years)]
    incidents = [{"编号": "SJ-2025-01", "日期": dt.date(2025, 8, 2), "类型": "封建迷信", "恶劣影响": False,
                  "街道": rng.choice(street_names), "描述": "村民自发小规模迷信活动，劝导后解散，未造成不良影响"}]
    if q.harmful_incident:
        incidents.append({"编号": "SJ-2026-01", "日期": dt.date(2026, 3, 14), "类型": "伪科学", "恶劣影响": True,
                          "街道": rng.choice(street_names), "描述": "商家以“量子保健”名义向老年人推销产品，造成恶劣影响"})
    facts: dict[str, Any] = {
        "常住人口": population,
        "公民科学素质比例": f"{q.literacy * 100:.1f}%" if q.literacy is not None else None,
        "科普专项经费": round(b, 1),
        "纲要实施方案": "是", "领导小组已成立": "是", "领导小组组长为分管领导": "是",
        "领导小组年度会议次数": rng.randint(2, 4),
        "科技志愿服务队数": rng.randint(3, 12), "科技志愿者人数": rng.randint(300, 3000),
        "科普专家库人数": rng.randint(20, 90), "科普品牌数": rng.randint(1, 3),
        "区科协专职人员数": rng.randint(3, 8), "区科协兼职人员数": rng.randint(6, 20), "有科普网站或微平台": "是",
    }
    if not q.population_known:
        del facts["常住人口"]
    facts = {k: v for k, v in facts.items() if v is not None}
    return {"streets": streets, "communities": community_rows, "signs": signs, "rooms": rooms, "galleries": galleries,
            "officers": officers, "heads": heads, "associations": associations, "bases": bases, "members": members,
            "activities": activities, "budget": budget, "incidents": incidents, "facts": facts,
            "population": population, "street_names": street_names}


# Activity tuple: (名称, 社区, 成员单位, 日期, 类别, 重点人群, 参与人数, 已线上登记, 地点)
Activity = tuple[str, str | None, str | None, dt.date, str, str, int, bool, str | None]


def build_activities(spec: DistrictSpec, rng: random.Random, communities: list[str], street_names: list[str],
                     street_of: dict[str, str], village: dict[str, bool], population: int) -> list[Activity]:
    q = spec.quality
    acts: list[Activity] = []
    add = acts.append
    banned = q.missing_group
    units = MEMBER_UNITS[: spec.member_units]
    choice, rnd, randint = rng.choice, rng.random, rng.randint

    def group_of(options: Sequence[str]) -> str:
        g = choice(options)
        return "社区居民" if g == banned else g

    # 1. Science Day: the covered communities hold 1-2 activities in September.
    covered = sorted(_pick(rng, communities, q.science_day), key=communities.index)
    unregistered = q.unregistered_sd
    for c in covered:
        for _ in range(1 if rnd() < 0.7 else 2):
            registered = unregistered <= 0
            unregistered -= 1
            add((f"{c}{choice(SD_THEMES)}", c, None, choice(IN_SEPTEMBER), "全国科普日",
                 group_of(["农民"] if village[c] else ["社区居民", "青少年", "老年人"]), randint(80, 320), registered, None))
    # 2. Science and Technology Week: one activity per street, in one of its communities.
    by_street: dict[str, list[str]] = {s: [] for s in street_names}
    for c in communities:
        by_street[street_of[c]].append(c)
    for s in street_names:
        c = choice(by_street[s])
        add((f"{s}科技活动周主题活动", c, None, choice(TECH_WEEK_DAYS), "科技活动周", "社区居民", randint(150, 500), True, None))
    # 3. Member units: a Science Day activity for the covered ones, one more activity each.
    sd_units = _pick(rng, [u[0] for u in units], q.unit_science_day)
    for unit, _, _, g in units:
        group = "社区居民" if g == banned else g
        if unit in sd_units:
            add((f"{unit}全国科普日主题活动", None, unit, choice(IN_SEPTEMBER), "全国科普日", group, randint(100, 600),
                 True, f"{unit}机关"))
        add((f"{unit}科普进基层活动", None, unit, choice(OUTSIDE_WINDOW), choice(["讲座", "科普咨询", "展览"]), group,
             randint(60, 400), False, f"{unit}机关"))
    # 4. Key groups with district-level activities (six each, unless the district misses that group).
    for group, unit, what in [("领导干部和公务员", "区委组织部", "科普进党校·领导干部科学素质专题讲座"),
                              ("产业工人", "区总工会", "产业工人创新方法培训"), ("青少年", "区教体局", "青少年科学营"),
                              ("老年人", "区卫健委", "银龄科普健康大讲堂"), ("农民", "区农业农村局", "高素质农民培训班")]:
        if group == banned or unit not in {u[0] for u in units}:
            continue
        for i in range(6):
            add((f"{what}（第{i + 1}期）", None, unit, choice(OUTSIDE_WINDOW), "讲座", group, randint(60, 220), False, "区委党校"))
    # 5. Expert service every quarter (but Q3 when the district misses it).
    expert_unit = "区科协" if "区科协" in {u[0] for u in units} else None
    for qi, (start, end) in enumerate([((1, 10), (3, 28)), ((4, 8), (6, 26)), ((7, 3), (8, 12)), ((10, 9), (11, 18))]):
        if q.missing_quarter and qi == 2:
            continue
        days = _days(dt.date(YEAR, *start), dt.date(YEAR, *end))
        for _ in range(2):
            c = choice(communities)
            add((f"科技专家服务团进{street_of[c]}服务", c, expert_unit, choice(days), "专家服务",
                 group_of(["农民"] if village[c] else ["社区居民"]), randint(40, 160), False, None))

    # 6. Regular community activities fill up to the target (at least 4 per community, except the
    #    communities the district neglects).
    few = _pick(rng, communities, q.few_activities)
    remaining = max(spec.activities - len(acts) - 11, 0)
    base = [2 if c in few else 4 for c in communities]
    need = sum(base)
    extra = max(remaining - need, 0)
    per_comm = base[:]
    for _ in range(extra):
        per_comm[int(rnd() * len(communities))] += 1
    mean_people = 110
    # Participants are scaled so that community activities carry about half of the target reach.
    regular_total = sum(per_comm)
    scale = max(0.2, min(2.0, q.reach * population * 0.5 / max(regular_total * mean_people, 1)))
    lo, hi = max(5, int(30 * scale)), max(10, int(190 * scale))
    for c, n in zip(communities, per_comm, strict=True):
        kinds = VILLAGE_KINDS if village[c] else COMMUNITY_KINDS
        for _ in range(n):
            cat, what, groups = choice(kinds)
            g = choice(groups)
            if g == banned:
                g = "社区居民"
            add((f"{c}{what}", c, None, choice(OUTSIDE_WINDOW), cat, g, randint(lo, hi), False, None))

    # 7. Monthly online learning and the big district events top the participants up to the reach.
    so_far = sum(a[6] for a in acts)
    deficit = max(int(q.reach * population) - so_far, 11 * 500)
    monthly = _split(deficit, 11, rng, 0.15)
    for month, people in zip(range(1, 12), monthly, strict=True):
        day = dt.date(YEAR, month, 28 if month != 9 else 29)
        add((f"“每日科普e起学”线上学习（{month}月）", None, "区委政法委" if spec.member_units >= 3 else None, day, "线上科普",
             "社区居民", people, False, "线上"))
    return acts


# --- writers -------------------------------------------------------------------------------------


def write_xlsx(spec: DistrictSpec, model: dict[str, Any], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center")
    title = f"{spec.name}科普阵地台账（{YEAR}年）"

    def sheet(name: str, caption: str, headers: list[str], rows: Iterator[list[Any]]) -> None:
        ws = wb.create_sheet(name)
        ws.cell(1, 1, f"{title}· {caption}").font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        ws.cell(1, 1).alignment = center
        ws.append(headers)
        for j in range(1, len(headers) + 1):
            ws.cell(2, j).font = bold
        for row in rows:
            ws.append(row)

    m = model
    sheet("街道", "街道（乡镇）", ["街道名称", "类型", "常住人口（人）", "备注"],
          ([r["名称"], r["类型"], r["常住人口"], r["备注"]] for r in m["streets"]))
    sheet("社区（村）", "社区（村）", ["社区名称", "所属街道", "社区类型", "常住人口（人）"],
          ([r["名称"], r["街道"], r["类型"], r["常住人口"]] for r in m["communities"]))
    # 科普标识: a two-row header, "设置情况" merged over three columns, the others merged vertically.
    ws = wb.create_sheet("科普标识")
    ws.cell(1, 1, f"{title}· 科普宣传标识").font = Font(bold=True, size=14)
    ws.merge_cells("A1:G1")
    for j, h in enumerate(["标识编号", "所属街道", None, None, None, "标识形式", "备注"], 1):
        if h is not None:
            ws.cell(2, j, h).font = bold
            ws.merge_cells(start_row=2, start_column=j, end_row=3, end_column=j)
    ws.cell(2, 3, "设置情况").font = bold
    ws.merge_cells("C2:E2")
    for j, h in {3: "设置位置", 4: "是否沿街显要位置", 5: "设置日期"}.items():
        ws.cell(3, j, h).font = bold
    for r in m["signs"]:
        ws.append([r["编号"], r["街道"], r["位置"], yesno(r["沿街显要"]), r["设置日期"], r["形式"], r["备注"]])
        ws.cell(ws.max_row, 5).number_format = "yyyy-mm-dd"
    sheet("科普活动室", "科普活动室（站）", ["活动室名称", "所属社区", "面积（平方米）", "每周开放时长（小时）", "依托阵地"],
          ([r["名称"], r["社区"], r["面积"], r["每周开放小时"], r["依托场所"]] for r in m["rooms"]))
    sheet("科普画廊", "科普宣传画廊（栏）", ["画廊名称", "所属社区", "长度（米）", "年更换期数"],
          ([r["名称"], r["社区"], r["长度米"], r["年更换期数"]] for r in m["galleries"]))
    sheet("科普信息员", "科普信息员", ["姓名", "所属社区", "联系电话", "是否网格员", "是否参加培训"],
          ([r["姓名"], r["社区"], r["联系电话"], yesno(r["是网格员"]), "√" if r["已培训"] else "×"] for r in m["officers"]))
    sheet("三长", "街道（乡镇）科协“三长”", ["姓名", "职务", "所在单位", "所属街道", "科协任职", "备注"],
          ([r["姓名"], r["职务"], r["单位"], r["街道"], r["任职"], r["备注"]] for r in m["heads"]))
    fixed = dt.datetime(2026, 11, 20, 9, 0, 0)
    wb.properties.creator = "benchmarks/generate.py"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    _example_generator().write_reproducible_zip(buf.getvalue(), path)


def _example_generator() -> ModuleType:
    """examples/demo-district/generate.py, a script like this one: loaded by path, once."""
    name = "kepu_example_generate"
    module = sys.modules.get(name)
    if module is None:
        where = Path(__file__).resolve().parents[1] / "examples" / "demo-district" / "generate.py"
        spec = importlib.util.spec_from_file_location(name, where)
        assert spec is not None and spec.loader is not None
        module = sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def write_activities_csv(spec: DistrictSpec, model: dict[str, Any], path: Path) -> int:
    """The activity ledger as the Science Day platform exports it: GB18030, CRLF, mixed date formats."""
    rng = random.Random(spec.seed + 1)
    acts = sorted(model["activities"], key=lambda a: (a[3], a[0], a[1] or "", a[2] or ""))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["活动编号", "活动名称", "举办社区", "主办单位", "活动日期", "活动类别", "面向人群", "参与人数（人次）",
                "是否线上登记", "活动地点"])
    rnd = rng.random
    w.writerows([f"KP{YEAR}-{i:07d}", name, comm or "", unit or "", date_text(day, rnd()), cat, group,
                 f"{people:,}" if people >= 1000 else people, "是" if online else "否", place or ""]
                for i, (name, comm, unit, day, cat, group, people, online, place) in enumerate(acts, 1))
    path.write_bytes(buf.getvalue().encode("gb18030"))
    return len(acts)


def write_members_csv(model: dict[str, Any], path: Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["单位名称", "单位类型", "科普工作职责", "是否纳入本单位工作规划", "科普联络员", "联系电话"])
    for r in model["members"]:
        w.writerow([r["名称"], r["类型"], r["职责"], yesno(r["纳入工作规划"]), r["联络员"], r["联系电话"]])
    path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))


def _clean(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: (yesno(v) if isinstance(v, bool) else v) for k, v in r.items() if v is not None} for r in rows]


def write_basic_yaml(spec: DistrictSpec, model: dict[str, Any], path: Path) -> None:
    doc = {"facts": model["facts"], "经费": _clean(model["budget"]), "事件": _clean(model["incidents"]),
           "科普教育基地": _clean(model["bases"]), "科协组织": _clean(model["associations"])}
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(doc, Dumper=dumper, allow_unicode=True, sort_keys=False, width=120, default_flow_style=False)
    header = f"# {spec.name}基本情况（{YEAR}年，合成数据）。金额单位：万元。\n"
    path.write_text(header + text, encoding="utf-8")


def write_dossier(spec: DistrictSpec, model: dict[str, Any], root: Path) -> int:
    if root.exists():
        shutil.rmtree(root)
    n = 0
    for category, name in DOSSIER_DISTRICT.items():
        if category in spec.quality.missing_dossier:
            continue
        _placeholder(root / category / f"{spec.name}{name}", category)
        n += 1
    for s in model["street_names"]:
        for category, name in DOSSIER_STREET.items():
            _placeholder(root / category / s / name, f"{category} {s}")
            n += 1
    return n


def _placeholder(path: Path, what: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"合成占位文件（placeholder）：{what} / {path.name}\n", encoding="utf-8")


def write_district(spec: DistrictSpec, out: Path) -> dict[str, Any]:
    """Write one project into `out` (created); returns its sizes."""
    model = build(spec)
    (out / "data").mkdir(parents=True, exist_ok=True)
    write_xlsx(spec, model, out / "data" / "台账.xlsx")
    n_acts = write_activities_csv(spec, model, out / "data" / "科普活动.csv")
    write_members_csv(model, out / "data" / "成员单位.csv")
    write_basic_yaml(spec, model, out / "data" / "基本情况.yaml")
    n_files = write_dossier(spec, model, out / "档案")
    (out / "kepu.yaml").write_text(KEPU_YAML.format(district=spec.name, profile=spec.profile, as_of=AS_OF.isoformat(),
                                                    pass_mark=PASS_MARK), encoding="utf-8")
    return {"district": spec.name, "folder": out.name, "profile": spec.profile, "streets": len(model["streets"]),
            "communities": len(model["communities"]), "activities": n_acts, "dossier_files": n_files,
            "population": model["population"]}


# --- scales --------------------------------------------------------------------------------------


def district_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(PLACE_CHARS) + rng.choice(PLACE_CHARS) + rng.choice("区区区县市")
        if name not in used:
            used.add(name)
            return name


def specs_for(scale: str, seed: int = DEFAULT_SEED) -> list[tuple[str, DistrictSpec]]:
    """(relative folder, spec) of every project of a scale; "" is the output folder itself."""
    rng = random.Random(seed)
    used: set[str] = set()
    if scale == "district":
        name = district_name(rng, used)
        return [("", DistrictSpec(name, seed, streets=8, communities=60, activities=400, profile="required_gap",
                                  quality=_replace(make_quality("good", rng, 8), sign_gap_streets=2, science_day=0.75)))]
    if scale == "city":
        name = district_name(rng, used)
        return [("", DistrictSpec(name, seed, streets=100, communities=3000, activities=60_000, profile="good",
                                  quality=make_quality("good", rng, 100)))]
    if scale == "province":
        n = 100
        mix = (["exemplary"] * 18 + ["good"] * 30 + ["required_gap"] * 20 + ["veto"] * 15 + ["weak"] * 12
               + ["incomplete"] * 5)
        rng.shuffle(mix)
        comms = _split(50_000, n, rng, 0.5)
        acts = [c * 20 for c in comms]  # 1,000,000 in total
        out = []
        for i in range(n):
            name = district_name(rng, used)
            streets = max(4, round(comms[i] / 25))
            spec = DistrictSpec(name, seed * 1000 + i, streets=streets, communities=comms[i], activities=acts[i],
                                profile=mix[i], quality=make_quality(mix[i], rng, streets))
            out.append((f"{i + 1:03d}-{name}", spec))
        return out
    raise ValueError(f"unknown scale {scale!r}: district, city or province")


def reuse_or_make(target: Path, make: Callable[[], None]) -> Path:
    """`target` as an earlier run left it, if that run finished it; else emptied, made by `make` and
    marked finished (benchmarks keep generated data in --data and reuse it)."""
    marker = target / ".complete"
    if marker.is_file():
        print(f"  data: {target} (reused)")
        return target
    if target.exists():
        shutil.rmtree(target)
    make()
    marker.write_text("ok\n")
    return target


def _write_one(job: tuple[DistrictSpec, Path]) -> dict[str, Any]:
    spec, out = job
    return write_district(spec, out)


def generate(scale: str, outdir: Path, seed: int = DEFAULT_SEED, workers: int = 2) -> list[dict[str, Any]]:
    """Write every project of a scale under `outdir`; returns their sizes, in folder order."""
    jobs = [(spec, outdir / rel if rel else outdir) for rel, spec in specs_for(scale, seed)]
    outdir.mkdir(parents=True, exist_ok=True)
    if workers <= 1 or len(jobs) == 1:
        return [_write_one(j) for j in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_write_one, jobs, chunksize=1))


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("scale", choices=["district", "city", "province"])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--workers", type=int, default=2, help="processes for the province scale (default 2)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    sizes = generate(args.scale, args.outdir, args.seed, args.workers)
    elapsed = time.perf_counter() - t0
    if len(sizes) == 1:
        s = sizes[0]
        print(f"{s['district']} ({s['profile']}): {s['streets']} 街道, {s['communities']:,} 社区, "
              f"{s['activities']:,} 科普活动, {s['dossier_files']} 档案文件")
    else:
        by_profile: dict[str, int] = {}
        for s in sizes:
            by_profile[s["profile"]] = by_profile.get(s["profile"], 0) + 1
        print(f"{len(sizes)} districts ({', '.join(f'{k} {v}' for k, v in sorted(by_profile.items()))}): "
              f"{sum(s['communities'] for s in sizes):,} 社区, {sum(s['activities'] for s in sizes):,} 科普活动, "
              f"{sum(s['dossier_files'] for s in sizes):,} 档案文件")
    print(f"wrote {args.outdir} ({_du(args.outdir) / 1e6:.1f} MB) in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
