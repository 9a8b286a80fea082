#!/usr/bin/env python3
"""Generate the 示例区 demo district: ledgers, basic facts, a dossier folder and the expected gaps.

Deterministic: a fixed random seed, fixed timestamps inside the xlsx, sorted output. Running it twice
gives byte-identical files. Needs only the standard library, openpyxl and pyyaml.

    python examples/demo-district/generate.py            # writes next to this script
    python examples/demo-district/generate.py --out DIR  # writes somewhere else

The data passes every rule of the national ruleset except the planted gaps listed in
`PLANTED` below (and in README.md / expected-gaps.yaml):

  A1  two streets without a roadside sign: 北坦街道 has no sign row, 泺口街道's only sign is not 沿街显要
  B1  Science Day coverage of communities 44/60 = 73.3% (< 80%)
  D3  no 媒体报道 folder in the dossier
  waivers.yaml: an expired waiver for A1/泺口街道 (not honoured), a valid one for A4/铁路社区
  (that community has no gallery while its old building is renovated)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import shutil
import zipfile
from pathlib import Path

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

SEED = 20261122
YEAR = 2026
AS_OF = dt.date(2026, 11, 22)
SCIENCE_DAY = (dt.date(2026, 8, 15), dt.date(2026, 9, 30))  # national.kepu: 科普日开始 / 科普日结束
TECH_WEEK = (dt.date(2026, 5, 17), dt.date(2026, 5, 23))     # 科技活动周 2026 (third week of May)
FIXED_TIME = dt.datetime(2026, 11, 20, 9, 0, 0)

DISTRICT = "示例区"
POPULATION = 268_400

# --- administrative units ---------------------------------------------------------------------

STREETS: dict[str, tuple[str, list[str]]] = {
    "北坦街道": ("街道", ["北坦社区", "明湖西社区", "成丰桥社区", "北园小区社区", "五柳闸社区", "少年路社区", "新黄社区"]),
    "泺口街道": ("街道", ["泺口社区", "鹊山社区", "黄河社区", "药山社区", "丁家社区", "泺新社区", "梅园社区"]),
    "官扎营街道": ("街道", ["官扎营社区", "官东社区", "官西社区", "铜元局社区", "林家桥社区", "凤凰社区", "汇文社区"]),
    "纬北路街道": ("街道", ["纬北社区", "纬三路社区", "经纬社区", "板桥社区", "民生社区", "济泺社区", "宏达社区"]),
    "北园街道": ("街道", ["北园社区", "丁字口社区", "清河社区", "北湖社区", "华庭社区", "柳云社区", "金龙社区"]),
    "工人新村街道": ("街道", ["工新北村社区", "工新南村社区", "北村社区", "南村社区", "机车社区", "利农社区", "长途社区"]),
    "堤口路街道": ("街道", ["堤口社区", "王家庄社区", "南北社区", "铁路社区", "蓝翔社区", "二七社区"]),
    "桑梓店镇": ("乡镇", ["桑梓店村", "东杨村", "西杨村", "前屯村", "后屯村", "王家村", "马家村", "郝家村",
                      "李庄村", "刘庄村", "梁庄村", "赵庄村"]),
}

# The seven 亮点科普示范社区 of rulesets/regions/quancheng.kepu (示例区 is a district of 泉城市).
SHOWCASE = ["明湖西社区", "鹊山社区", "官扎营社区", "纬北社区", "北园社区", "工新北村社区", "桑梓店村"]

# --- planted gaps -----------------------------------------------------------------------------

STREET_WITHOUT_SIGN = "北坦街道"          # no sign row at all
STREET_SIGN_NOT_ROADSIDE = "泺口街道"     # one sign, inside the office compound
# Communities with no activity in the Science Day window: 16 of 60, so coverage = 44/60 = 73.3%.
NO_SCIENCE_DAY = [
    "新黄社区", "丁家社区", "梅园社区", "汇文社区", "宏达社区", "柳云社区", "机车社区", "长途社区",
    "王家庄社区", "蓝翔社区", "东杨村", "西杨村", "后屯村", "郝家村", "李庄村", "梁庄村",
]
WAIVED_NO_GALLERY = "铁路社区"            # no gallery row; a valid waiver covers A4 for it
MISSING_DOSSIER_CATEGORY = "媒体报道"      # the folder is absent

MEMBER_UNITS: list[tuple[str, str, str]] = [
    ("区委组织部", "党委部门", "把科学素质纳入干部教育培训，组织领导干部和公务员科学素质提升行动"),
    ("区委宣传部", "党委部门", "统筹科普宣传和舆论引导，推动媒体开设科普栏目"),
    ("区委政法委", "党委部门", "组织反邪教、防范封建迷信和伪科学的科普宣传"),
    ("区教体局", "政府部门", "制定青少年科技教育计划，组织科学家进校园、青少年科技节"),
    ("区科技局", "政府部门", "组织科技活动周，推动科技资源科普化"),
    ("区卫健委", "政府部门", "普及医疗卫生和健康知识，推动医疗机构开展健康科普"),
    ("区农业农村局", "政府部门", "开展农民科学素质提升行动和农技培训"),
    ("区人社局", "政府部门", "开展产业工人职业技能培训"),
    ("区民政局", "政府部门", "依托养老机构和社区开展老年人科普"),
    ("区文旅局", "政府部门", "在公共文化和旅游设施中融入科普内容"),
    ("区应急局", "政府部门", "普及安全生产、消防和防灾减灾知识"),
    ("区生态环境分局", "政府部门", "开展生态环境保护宣传和普及"),
    ("区市场监管局", "政府部门", "开展食品药品安全科普宣传"),
    ("区财政局", "政府部门", "保障科普专项经费纳入财政预算"),
    ("区融媒体中心", "事业单位", "开设科普专栏，报道创建工作"),
    ("区气象局", "政府部门", "普及气象和防灾减灾科学知识"),
    ("区总工会", "群团组织", "组织职工技术创新和产业工人科普活动"),
    ("团区委", "群团组织", "组织青年科技志愿服务"),
    ("区妇联", "群团组织", "开展关爱妇女儿童科普活动"),
    ("区科协", "群团组织", "履行全民科学素质工作领导小组办公室职责，牵头创建工作"),
]

# Which key population group each member unit's activities usually address.
UNIT_GROUP = {
    "区委组织部": "领导干部和公务员", "区教体局": "青少年", "区农业农村局": "农民", "区人社局": "产业工人",
    "区总工会": "产业工人", "区民政局": "老年人", "区卫健委": "老年人", "团区委": "青少年", "区妇联": "社区居民",
}

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "桂英", "建华", "玉兰", "志强", "海燕", "晓东", "雪梅", "立新", "春燕", "国庆", "红梅",
         "振华", "丽娟", "文博", "思远", "嘉怡", "子涵", "宇航", "欣然", "浩然", "梦琪", "俊杰", "婷婷", "建国"]


class Names:
    """Unique Chinese personal names, drawn deterministically."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def __call__(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)
            if name not in self.used:
                self.used.add(name)
                return name


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}****{rng.randint(0, 9999):04d}"


def rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def in_window(d: dt.date) -> bool:
    return SCIENCE_DAY[0] <= d <= SCIENCE_DAY[1]


def date_text(d: dt.date, rng: random.Random) -> str:
    """Dates as a platform export mixes them: 2026/9/15, 2026年9月15日, 2026-09-15."""
    style = rng.random()
    if style < 0.45:
        return f"{d.year}/{d.month}/{d.day}"
    if style < 0.85:
        return f"{d.year}年{d.month}月{d.day}日"
    return d.isoformat()


# --- the model ----------------------------------------------------------------------------------


def build(rng: random.Random) -> dict:
    names = Names(rng)
    street_of = {c: s for s, (_, cs) in STREETS.items() for c in cs}
    communities = [c for _, cs in STREETS.values() for c in cs]
    assert len(STREETS) == 8 and len(communities) == 60 == len(set(communities))
    assert len(NO_SCIENCE_DAY) == 16 and set(NO_SCIENCE_DAY) <= set(communities)
    assert not set(SHOWCASE) & {WAIVED_NO_GALLERY}
    kind = {c: ("村" if STREETS[street_of[c]][0] == "乡镇" else "社区") for c in communities}

    # Population: communities 2,500-6,500 (villages 1,200-2,600), scaled to the district total.
    raw = {c: rng.randint(1200, 2600) if kind[c] == "村" else rng.randint(2500, 6500) for c in communities}
    scale = POPULATION / sum(raw.values())
    pop = {c: round(v * scale) for c, v in raw.items()}
    pop[communities[0]] += POPULATION - sum(pop.values())
    street_pop = {s: sum(pop[c] for c in cs) for s, (_, cs) in STREETS.items()}

    streets = [{"名称": s, "类型": t, "常住人口": street_pop[s], "备注": "涉农乡镇" if t == "乡镇" else None}
               for s, (t, _) in STREETS.items()]
    community_rows = [{"名称": c, "街道": street_of[c], "类型": kind[c], "常住人口": pop[c]} for c in communities]

    # Signs: 1-3 per street, at least one roadside; none for 北坦街道; one indoor sign for 泺口街道.
    forms = ["灯箱", "墙体", "电子屏", "展板"]
    spots = ["主干道公交站旁", "街道文化广场", "商业街入口", "社区公园东门", "十字路口东北角", "滨河绿道"]
    signs = []
    n = 0
    for s in STREETS:
        if s == STREET_WITHOUT_SIGN:
            continue
        if s == STREET_SIGN_NOT_ROADSIDE:
            n += 1
            signs.append({"编号": f"BS-{n:02d}", "街道": s, "位置": "街道办事处院内宣传栏", "沿街显要": False,
                          "形式": "展板", "设置日期": dt.date(2025, 4, 18),
                          "备注": "原沿街灯箱因主干道改造于2026年6月拆除"})
            continue
        for i in range(rng.randint(1, 3)):
            n += 1
            roadside = i == 0 or rng.random() < 0.5
            signs.append({"编号": f"BS-{n:02d}", "街道": s,
                          "位置": s.removesuffix("街道").removesuffix("镇") + rng.choice(spots) if roadside
                          else f"{s}便民服务中心大厅",
                          "沿街显要": roadside, "形式": rng.choice(forms),
                          "设置日期": rand_date(rng, dt.date(2023, 3, 1), dt.date(2026, 6, 30)), "备注": None})

    rooms = [{"名称": f"{c}科普活动室", "社区": c, "面积": rng.choice([40, 45, 50, 60, 60, 80, 90, 120]),
              "每周开放小时": rng.choice([10, 12, 14, 16, 20, 24, 30]),
              "依托场所": rng.choice(["党群服务中心", "新时代文明实践站", "社区服务中心"])} for c in communities]
    galleries = [{"名称": f"{c}科普画廊", "社区": c, "长度米": rng.choice([10, 12, 12, 15, 18, 20, 24]),
                  "年更换期数": rng.choice([6, 6, 8, 10, 12])} for c in communities if c != WAIVED_NO_GALLERY]

    officers = []
    for c in communities:
        for i in range(rng.choice([1, 1, 2])):
            officers.append({"姓名": names(), "社区": c, "联系电话": phone(rng),
                             "是网格员": i == 0 or rng.random() < 0.5,
                             "已培训": rng.random() < 0.93,
                             "已注册科普中国": rng.random() < 0.96})

    heads = []
    schools = ["实验小学", "第一中学", "育才小学", "明德中学", "第二实验学校", "黄河路小学", "北园中学", "桑梓店中心小学"]
    for i, (s, (t, _)) in enumerate(STREETS.items()):
        short = s.removesuffix("街道").removesuffix("镇")
        posts = [("校长", f"{DISTRICT}{schools[i]}", None),
                 ("院长", f"{short}{'卫生院' if t == '乡镇' else '社区卫生服务中心'}", None),
                 ("站长", f"{short}农业技术推广站", None) if t == "乡镇" else
                 ("站长", f"泉城{rng.choice(['智能', '新材料', '生物', '信息'])}科技有限公司", "科技型企业负责人，按“站长”类配备")]
        for post, unit, note in posts:
            heads.append({"姓名": names(), "职务": post, "单位": unit, "街道": s,
                          "任职": rng.choice(["兼职副主席", "挂职副主席"]), "备注": note})

    associations = []
    for s in STREETS:
        founded = rand_date(rng, dt.date(2012, 1, 1), dt.date(2019, 12, 31))
        associations.append({"名称": f"{s}科学技术协会", "层级": "街道", "街道": s, "社区": None,
                             "成立日期": founded, "换届日期": rand_date(rng, dt.date(2022, 3, 1), dt.date(2025, 12, 31)),
                             "主席": names(), "主席为班子成员": True, "明确工作职责": True, "明确三长职责": True})
    for c in communities:
        associations.append({"名称": f"{c}{'农村专业技术协会' if kind[c] == '村' else '科普协会'}", "层级": "社区",
                             "街道": street_of[c], "社区": c,
                             "成立日期": rand_date(rng, dt.date(2016, 1, 1), dt.date(2025, 6, 30)), "换届日期": None,
                             "主席": names(), "主席为班子成员": None, "明确工作职责": True, "明确三长职责": None})

    bases = [
        {"名称": "示例区科技馆", "级别": "市级", "类别": "科技场馆类", "街道": "官扎营街道", "认定年份": 2021, "年开放天数": 306},
        {"名称": "黄河湿地科普教育基地", "级别": "省级", "类别": "自然资源类", "街道": "泺口街道", "认定年份": 2022, "年开放天数": 330},
        {"名称": "泉城动物园科普馆", "级别": "市级", "类别": "科技场馆类", "街道": "北园街道", "认定年份": 2020, "年开放天数": 340},
        {"名称": "智能制造科普体验中心", "级别": "市级", "类别": "企业类", "街道": "工人新村街道", "认定年份": 2023, "年开放天数": 180},
        {"名称": "桑梓店现代农业科普示范园", "级别": "区级", "类别": "三农类", "街道": "桑梓店镇", "认定年份": 2024, "年开放天数": 150},
    ]

    members = [{"名称": u, "类型": t, "职责": duty, "纳入工作规划": True, "联络员": names(), "联系电话": phone(rng)}
               for u, t, duty in MEMBER_UNITS]

    activities = build_activities(rng, communities, kind, street_of)

    budget = [
        {"年度": 2024, "预算万元": 52.0, "到账万元": 52.0, "社会投入万元": 6.5},
        {"年度": 2025, "预算万元": 60.0, "到账万元": 60.0, "社会投入万元": 9.8},
        {"年度": 2026, "预算万元": 68.5, "到账万元": 55.0, "社会投入万元": 12.3},
    ]
    incidents = [
        # Harmful, but before the two-year window (2024-11-22 .. 2026-11-22): does not trigger V2.
        {"编号": "SJ-2024-01", "日期": dt.date(2024, 3, 10), "类型": "伪科学", "恶劣影响": True, "街道": "堤口路街道",
         "描述": "个别商家以“量子保健”名义向老年人推销产品，经市场监管部门查处，已开展专题辟谣科普"},
        # Inside the window, but no harmful impact.
        {"编号": "SJ-2025-01", "日期": dt.date(2025, 8, 2), "类型": "封建迷信", "恶劣影响": False, "街道": "桑梓店镇",
         "描述": "村民自发小规模迷信活动，村委会劝导后解散，未造成不良影响"},
    ]
    # 泉城市 overlay (Q3): the monthly progress bulletins of 区科协, Dec 2025 .. Nov 2026.
    bulletins = []
    for y, mth in [(2025, 12)] + [(YEAR, k) for k in range(1, 12)]:
        bulletins.append({"期号": f"示科协通〔{y}〕{mth}号",
                          "日期": dt.date(y, mth, rng.randint(3, 8)),
                          "标题": f"关于{y}年{mth}月全国科普示范区创建工作进展情况的通报",
                          "印发单位": "示例区科协"})
    facts = {
        "常住人口": POPULATION,
        "公民科学素质比例": "16.8%",
        "科普专项经费": 68.5,
        "纲要实施方案": "是",
        "领导小组已成立": "是",
        "领导小组组长为分管领导": "是",
        "领导小组年度会议次数": 3,
        "科技志愿服务队数": 6,
        "科技志愿者人数": 860,
        "科普专家库人数": 45,
        "科普品牌数": 2,
        "区科协专职人员数": 5,
        "区科协兼职人员数": 12,
        "有科普网站或微平台": "是",
    }
    return {
        "streets": streets, "communities": community_rows, "signs": signs, "rooms": rooms, "galleries": galleries,
        "officers": officers, "heads": heads, "associations": associations, "bases": bases, "members": members,
        "activities": activities, "budget": budget, "incidents": incidents, "facts": facts,
        "bulletins": bulletins,
    }


# (category, name pattern, participants range, the key groups it is usually aimed at)
REGULAR_KINDS = [
    ("讲座", "{c}健康科普讲座", (40, 160), ["老年人", "社区居民"]),
    ("讲座", "{c}防范电信诈骗科普讲座", (40, 150), ["老年人", "社区居民"]),
    ("展览", "{c}科普展板巡展", (120, 420), ["社区居民"]),
    ("科普咨询", "{c}科普咨询服务日", (60, 260), ["社区居民", "老年人"]),
    ("培训", "{c}智能手机使用培训", (25, 80), ["老年人"]),
    ("科技体验", "{c}青少年科学实验课", (30, 90), ["青少年"]),
    ("竞赛", "{c}科普知识竞答", (50, 200), ["青少年", "社区居民"]),
    ("防灾减灾", "{c}应急避险演练与科普", (80, 300), ["社区居民", "青少年"]),
    ("讲座", "{c}辖区企业安全生产科普", (40, 160), ["产业工人"]),
]
VILLAGE_KINDS = [
    ("培训", "{c}小麦病虫害防治培训", (30, 120), ["农民"]),
    ("培训", "{c}设施蔬菜种植技术培训", (30, 100), ["农民"]),
    ("专家服务", "{c}农技专家田间指导", (20, 80), ["农民"]),
    ("讲座", "{c}农村安全用电科普", (40, 150), ["农民", "老年人"]),
    ("科技体验", "{c}留守儿童科学实验课", (20, 60), ["青少年"]),
]


def build_activities(rng: random.Random, communities: list[str], kind: dict[str, str],
                     street_of: dict[str, str]) -> list[dict]:
    acts: list[dict] = []
    covered = [c for c in communities if c not in NO_SCIENCE_DAY]
    year_start, year_end = dt.date(YEAR, 1, 5), dt.date(YEAR, 11, 20)

    def add(name: str, d: dt.date, category: str, group: str, people: int, community: str | None = None,
            unit: str | None = None, place: str | None = None) -> None:
        assert d <= AS_OF
        if community in NO_SCIENCE_DAY:
            assert not in_window(d), (community, d)
        registered = category == "全国科普日"
        acts.append({"名称": name, "社区": community, "成员单位": unit, "日期": d, "类别": category,
                     "重点人群": group, "参与人数": people, "已线上登记": registered,
                     "地点": place or (f"{community}党群服务中心" if community else None)})

    def outside_window() -> dt.date:
        while True:
            d = rand_date(rng, year_start, year_end)
            if not in_window(d) and not (TECH_WEEK[0] <= d <= TECH_WEEK[1]):
                return d

    # 1. Regular community activities through the year (4-6 per community, outside the window).
    for c in communities:
        pool = VILLAGE_KINDS + REGULAR_KINDS[:2] if kind[c] == "村" else REGULAR_KINDS
        for _ in range(rng.randint(4, 5)):
            category, pattern, (lo, hi), groups = rng.choice(pool)
            add(pattern.format(c=c), outside_window(), category, rng.choice(groups), rng.randint(lo, hi), c)

    # 2. Science Day in the covered communities (1-2 each, inside the window, registered online).
    themes = ["全国科普日·健康生活科普", "全国科普日·人工智能体验", "全国科普日·节约用水科普", "全国科普日·食品安全科普",
              "全国科普日·科学家精神宣讲", "全国科普日·防灾减灾科普"]
    for c in covered:
        for _ in range(rng.choice([1, 1, 2])):
            d = rand_date(rng, dt.date(YEAR, 9, 1), dt.date(YEAR, 9, 30))
            group = "农民" if kind[c] == "村" else rng.choice(["社区居民", "青少年", "老年人"])
            add(f"{c}{rng.choice(themes)}", d, "全国科普日", group, rng.randint(80, 320), c)

    # 3. Science and Technology Week: one community activity per street.
    for s, (_, cs) in STREETS.items():
        c = rng.choice(cs)
        add(f"{s}科技活动周主题活动", rand_date(rng, *TECH_WEEK), "科技活动周", "社区居民", rng.randint(150, 500), c)

    # 4. Member units: every unit holds a Science Day activity (no community, or a covered one), plus others.
    for unit, _, _ in MEMBER_UNITS:
        group = UNIT_GROUP.get(unit, "社区居民")
        c = rng.choice(covered) if rng.random() < 0.5 else None
        add(f"{unit}全国科普日主题活动", rand_date(rng, dt.date(YEAR, 9, 5), dt.date(YEAR, 9, 28)), "全国科普日",
            group, rng.randint(100, 600), c, unit, None if c else f"{unit}机关")
        for _ in range(rng.randint(1, 2)):
            d = outside_window()
            c2 = rng.choice(communities) if rng.random() < 0.4 else None
            add(f"{unit}科普进基层活动", d, rng.choice(["讲座", "科普咨询", "展览", "培训"]), group,
                rng.randint(60, 400), c2, unit, None if c2 else f"{unit}机关")

    # 5. Key groups that need district-level activities.
    for i in range(6):
        add(f"科普进党校·领导干部科学素质专题讲座（第{i + 1}期）", outside_window(), "讲座", "领导干部和公务员",
            rng.randint(80, 220), None, "区委组织部", "区委党校")
    for i in range(6):
        add(f"产业工人创新方法培训（第{i + 1}期）", outside_window(), "培训", "产业工人", rng.randint(60, 180), None,
            "区总工会", "区职工服务中心")

    # 6. Expert service every quarter (区科协 科技专家服务团), avoiding the window.
    for q_start, q_end in [((1, 10), (3, 28)), ((4, 8), (6, 26)), ((7, 3), (8, 12)), ((10, 9), (11, 18))]:
        for _ in range(2):
            d = rand_date(rng, dt.date(YEAR, *q_start), dt.date(YEAR, *q_end))
            c = rng.choice(communities)
            add(f"科技专家服务团进{street_of[c]}服务", d, "专家服务", "农民" if kind[c] == "村" else "社区居民",
                rng.randint(40, 160), c, "区科协")

    # 7. The big district events (they carry most of the participants: V3 counts people reached).
    add("2026年全国科普日示例区主场活动", dt.date(YEAR, 9, 19), "全国科普日", "社区居民", 26_000, None, "区科协",
        "示例区科技馆广场")
    add("全国科普日线上科普知识竞赛（示例区赛区）", dt.date(YEAR, 9, 20), "全国科普日", "社区居民", 30_000, None,
        "区科协", "线上")
    add("2026年科技活动周示例区主场活动", dt.date(YEAR, 5, 18), "科技活动周", "社区居民", 12_800, None, "区科技局",
        "示例区科技馆")
    add("青少年科技节暨机器人竞赛", dt.date(YEAR, 11, 8), "竞赛", "青少年", 6_200, None, "区教体局", "明德中学体育馆")
    for month in range(1, 12):
        add(f"“每日科普e起学”线上学习（{month}月）", dt.date(YEAR, month, 28 if month != 9 else 29) if month < 11
            else dt.date(YEAR, 11, 15), "线上科普", "社区居民", rng.randint(5_500, 8_000), None, "区委政法委", "线上")

    acts.sort(key=lambda a: (a["日期"], a["名称"]))
    for i, a in enumerate(acts, 1):
        a["编号"] = f"KP{YEAR}-{i:04d}"
    return acts


# --- writers ------------------------------------------------------------------------------------


def yesno(v: bool | None) -> str | None:
    return None if v is None else ("是" if v else "否")


def write_xlsx(model: dict, path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center")

    def sheet(title: str, caption: str, headers: list[str], rows: list[list], widths: list[int]) -> None:
        ws = wb.create_sheet(title)
        ws.cell(1, 1, f"{DISTRICT}科普阵地台账（{YEAR}年）· {caption}").font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        ws.cell(1, 1).alignment = center
        for j, h in enumerate(headers, 1):
            c = ws.cell(2, j, h)
            c.font, c.alignment = bold, center
        for i, row in enumerate(rows, 3):
            for j, v in enumerate(row, 1):
                ws.cell(i, j, v)
        for j, w in enumerate(widths, 1):
            ws.column_dimensions[chr(64 + j)].width = w

    m = model
    sheet("街道", "街道（乡镇）", ["街道名称", "类型", "常住人口（人）", "备注"],
          [[r["名称"], r["类型"], r["常住人口"], r["备注"]] for r in m["streets"]], [16, 8, 14, 20])
    sheet("社区（村）", "社区（村）", ["社区名称", "所属街道", "社区类型", "常住人口（人）"],
          [[r["名称"], r["街道"], r["类型"], r["常住人口"]] for r in m["communities"]], [16, 16, 10, 14])

    # 科普标识: a two-row header with a merged group cell ("设置情况" over three columns, the others
    # merged vertically). Data starts on row 4; the header row to read is 3 (merged cells filled down).
    ws = wb.create_sheet("科普标识")
    headers = ["标识编号", "所属街道", None, None, None, "标识形式", "备注"]
    sub = {3: "设置位置", 4: "是否沿街显要位置", 5: "设置日期"}
    ws.cell(1, 1, f"{DISTRICT}科普阵地台账（{YEAR}年）· 科普宣传标识").font = Font(bold=True, size=14)
    ws.merge_cells("A1:G1")
    ws.cell(1, 1).alignment = center
    for j, h in enumerate(headers, 1):
        if h is not None:
            ws.cell(2, j, h).font = bold
            ws.cell(2, j).alignment = center
            ws.merge_cells(start_row=2, start_column=j, end_row=3, end_column=j)
    ws.cell(2, 3, "设置情况").font = bold
    ws.cell(2, 3).alignment = center
    ws.merge_cells("C2:E2")
    for j, h in sub.items():
        ws.cell(3, j, h).font = bold
        ws.cell(3, j).alignment = center
    for i, r in enumerate(m["signs"], 4):
        for j, v in enumerate([r["编号"], r["街道"], r["位置"], yesno(r["沿街显要"]), r["设置日期"], r["形式"], r["备注"]], 1):
            c = ws.cell(i, j, v)
            if isinstance(v, dt.date):
                c.number_format = "yyyy-mm-dd"
    for j, w in enumerate([10, 14, 26, 18, 12, 10, 36], 1):
        ws.column_dimensions[chr(64 + j)].width = w

    sheet("科普活动室", "科普活动室（站）", ["活动室名称", "所属社区", "面积（平方米）", "每周开放时长（小时）", "依托阵地"],
          [[r["名称"], r["社区"], r["面积"], r["每周开放小时"], r["依托场所"]] for r in m["rooms"]], [24, 16, 14, 20, 18])
    sheet("科普画廊", "科普宣传画廊（栏）", ["画廊名称", "所属社区", "长度（米）", "年更换期数"],
          [[r["名称"], r["社区"], r["长度米"], r["年更换期数"]] for r in m["galleries"]], [24, 16, 12, 12])
    # Training is ticked with √ / × as many paper-based ledgers do.
    # 是否注册科普中国 is a column 泉城市 added (quancheng.kepu extends 科普信息员); national ignores it.
    sheet("科普信息员", "科普信息员", ["姓名", "所属社区", "联系电话", "是否网格员", "是否参加培训", "是否注册科普中国"],
          [[r["姓名"], r["社区"], r["联系电话"], yesno(r["是网格员"]), "√" if r["已培训"] else "×",
            yesno(r["已注册科普中国"])] for r in m["officers"]], [10, 16, 16, 12, 14, 16])
    sheet("三长", "街道（乡镇）科协“三长”", ["姓名", "职务", "所在单位", "所属街道", "科协任职", "备注"],
          [[r["姓名"], r["职务"], r["单位"], r["街道"], r["任职"], r["备注"]] for r in m["heads"]],
          [10, 8, 28, 14, 12, 30])

    wb.properties.creator = "示例区科协"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    write_reproducible_zip(buf.getvalue(), path)


def write_reproducible_zip(data: bytes, path: Path) -> None:
    """Rewrite an xlsx with fixed member timestamps and a fixed modified date, so reruns are identical.

    benchmarks/generate.py writes its workbooks with it too."""
    src = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>2026-11-20T09:00:00Z\g<2>", content)
            zi = zipfile.ZipInfo(info.filename, date_time=(2026, 11, 20, 9, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(zi, content)


def write_activities_csv(model: dict, path: Path, rng: random.Random) -> None:
    """The activity ledger as the Science Day platform exports it: GB18030, mixed date formats."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["活动编号", "活动名称", "举办社区", "主办单位", "活动日期", "活动类别", "面向人群", "参与人数（人次）",
                "是否线上登记", "活动地点"])
    for a in model["activities"]:
        people = a["参与人数"]
        people_text = f"{people:,}" if people >= 1000 else str(people)  # thousands separators on big events
        w.writerow([a["编号"], a["名称"], a["社区"] or "", a["成员单位"] or "", date_text(a["日期"], rng), a["类别"],
                    a["重点人群"], people_text, yesno(a["已线上登记"]), a["地点"] or ""])
    path.write_bytes(buf.getvalue().encode("gb18030"))


def write_members_csv(model: dict, path: Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["单位名称", "单位类型", "科普工作职责", "是否纳入本单位工作规划", "科普联络员", "联系电话"])
    for r in model["members"]:
        w.writerow([r["名称"], r["类型"], r["职责"], yesno(r["纳入工作规划"]), r["联络员"], r["联系电话"]])
    path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))


def clean(rows: list[dict]) -> list[dict]:
    return [{k: (yesno(v) if isinstance(v, bool) else v) for k, v in r.items() if v is not None} for r in rows]


def write_bulletins_yaml(model: dict, path: Path) -> None:
    header = ("# 泉城市细则（rulesets/regions/quancheng.kepu）要求的区科协月度创建进展通报，由 generate.py 生成。\n"
              "# 只在 kepu-quancheng.yaml 中读取：全国规则集没有“通报”实体。\n")
    text = yaml.safe_dump({"通报": clean(model["bulletins"])}, allow_unicode=True, sort_keys=False, width=120)
    path.write_text(header + text, encoding="utf-8")


def write_basic_yaml(model: dict, path: Path) -> None:
    doc = {
        "facts": model["facts"],
        "经费": clean(model["budget"]),
        "事件": clean(model["incidents"]),
        "科普教育基地": clean(model["bases"]),
        "科协组织": clean(model["associations"]),
    }
    header = (f"# {DISTRICT}基本情况（{YEAR}年）：区级指标、科普专项经费、社会风气事件、科普教育基地、基层科协组织\n"
              "# 由 generate.py 生成。金额单位：万元。布尔值填“是/否”；没有的数填 0，不要留空。\n")
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120, default_flow_style=False)
    path.write_text(header + text, encoding="utf-8")


DOSSIER_DISTRICT = {
    "申报表": ["示例区2021-2025年度全国科普示范区创建单位申报表（盖章扫描件）.pdf"],
    "工作情况概况": ["示例区全国科普示范区工作情况概况.docx", "工作情况概况数据表（盖章扫描件）.pdf"],
    "自评报告": ["示例区创建全国科普示范区自评报告.docx"],
    "工作记录": ["区全民科学素质工作领导小组2026年第一次会议纪要.docx", "区全民科学素质工作领导小组2026年第二次会议纪要.docx",
             "创建工作推进会签到表.pdf"],
    "获奖材料": ["2025年全国科普日活动优秀组织单位证书.jpg", "省全民科学素质提升专项行动区县组一等奖.pdf"],
    "群众评价": ["2026年科普工作群众满意度调查汇总.pdf", "居民留言摘录.docx"],
    "科普日总结": ["2026年全国科普日（科普月）活动总结.docx", "科普日活动照片集.pdf"],
    "照片视频": ["2026年全国科普日主场活动.mp4"],
}
DOSSIER_STREET = {
    "工作记录": ["2026年街道科普工作台账.docx", "街道科协工作会议记录.docx"],
    "照片视频": ["科普活动室.jpg", "社区科普画廊.jpg", "全国科普日活动现场.jpg"],
}


def write_dossier(root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    assert MISSING_DOSSIER_CATEGORY not in DOSSIER_DISTRICT
    for category, files in DOSSIER_DISTRICT.items():
        for f in files:
            _placeholder(root / category / f, category)
    for category, files in DOSSIER_STREET.items():
        for s in STREETS:
            for f in files:
                _placeholder(root / category / s / f, f"{category} {s}")


def _placeholder(path: Path, what: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"示例占位文件（placeholder）：{what} / {path.name}\n", encoding="utf-8")


def write_expected(model: dict, path: Path) -> None:
    doc = {
        "district": DISTRICT,
        "ruleset": "national",
        "as_of": AS_OF,
        "failing": {
            "A1": sorted([STREET_WITHOUT_SIGN, STREET_SIGN_NOT_ROADSIDE]),
            "B1": sorted(NO_SCIENCE_DAY),
            "D3": [],
        },
        "waived": {"A4": [WAIVED_NO_GALLERY]},
        "expired_waivers": [{"rule": "A1", "key": STREET_SIGN_NOT_ROADSIDE, "expires": dt.date(2026, 10, 31)}],
        "measured": {"B1": {"covered": 60 - len(NO_SCIENCE_DAY), "total": 60}},
        # The same district under the 泉城市 overlay (kepu-quancheng.yaml): the same gaps; B1 is a
        # required rule there with a 90% target; the overlay's own rules Q1-Q5 all pass.
        "overlays": {
            "quancheng": {
                "config": "kepu-quancheng.yaml",
                "failing": {
                    "A1": sorted([STREET_WITHOUT_SIGN, STREET_SIGN_NOT_ROADSIDE]),
                    "B1": sorted(NO_SCIENCE_DAY),
                    "D3": [],
                },
                "waived": {"A4": [WAIVED_NO_GALLERY]},
                "dropped": ["A6"],
            },
        },
    }
    header = ("# 示例区的预埋缺口（tests assert these）。由 generate.py 生成，勿手改。\n"
              "# failing: rule id -> keys of the failing items ([] = a district-level rule with no items).\n"
              "# waived: rule id -> item keys a valid waiver covers (the rule's only failures).\n"
              "# expired_waivers: waivers that expired before as_of and therefore do not waive anything.\n"
              "# Every other rule of the national ruleset passes (advisory rules included).\n")
    path.write_text(header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def check(model: dict) -> None:
    """Sanity checks that the data leaves exactly the planted gaps (mirrors national.kepu)."""
    acts = model["activities"]
    streets = [s["名称"] for s in model["streets"]]
    comms = [c["名称"] for c in model["communities"]]
    roadside = {s["街道"] for s in model["signs"] if s["沿街显要"]}
    assert set(streets) - roadside == {STREET_WITHOUT_SIGN, STREET_SIGN_NOT_ROADSIDE}
    sd_comm = {a["社区"] for a in acts if a["社区"] and in_window(a["日期"])}
    assert set(comms) - sd_comm == set(NO_SCIENCE_DAY), sorted(set(comms) - sd_comm)
    sd_units = {a["成员单位"] for a in acts if a["成员单位"] and in_window(a["日期"])}
    assert sd_units == {u for u, _, _ in MEMBER_UNITS}
    for c in comms:
        assert sum(1 for a in acts if a["社区"] == c) >= 4, c
    for g in ["青少年", "农民", "产业工人", "老年人", "领导干部和公务员"]:
        assert sum(1 for a in acts if a["重点人群"] == g) >= 5, g
    for q in range(4):
        assert any(a["类别"] == "专家服务" and (a["日期"].month - 1) // 3 == q for a in acts), q
    street_of = {c["名称"]: c["街道"] for c in model["communities"]}
    assert {street_of[a["社区"]] for a in acts if a["类别"] == "科技活动周" and a["社区"]} == set(streets)
    assert all(a["已线上登记"] for a in acts if a["类别"] == "全国科普日")
    total = sum(a["参与人数"] for a in acts)
    assert 0.72 <= total / POPULATION <= 0.95, total / POPULATION  # V3: >= 70%
    assert 300 <= len(acts) <= 480, len(acts)
    trained = sum(o["已培训"] for o in model["officers"]) / len(model["officers"])
    assert trained >= 0.8, trained
    assert {c for c in comms} - {g["社区"] for g in model["galleries"]} == {WAIVED_NO_GALLERY}
    per_capita = model["facts"]["科普专项经费"] * 10000 / POPULATION
    assert per_capita >= 2.0, per_capita
    for s in streets:
        assert {h["职务"] for h in model["heads"] if h["街道"] == s} == {"校长", "院长", "站长"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = ap.parse_args()
    out: Path = args.out
    rng = random.Random(SEED)
    model = build(rng)
    check(model)
    (out / "data").mkdir(parents=True, exist_ok=True)
    write_xlsx(model, out / "data" / "台账.xlsx")
    write_activities_csv(model, out / "data" / "科普活动.csv", random.Random(SEED + 1))
    write_members_csv(model, out / "data" / "成员单位.csv")
    write_basic_yaml(model, out / "data" / "基本情况.yaml")
    write_bulletins_yaml(model, out / "data" / "通报.yaml")
    write_dossier(out / "档案")
    write_expected(model, out / "expected-gaps.yaml")
    acts = model["activities"]
    print(f"{DISTRICT}: {len(model['streets'])} 街道, {len(model['communities'])} 社区, "
          f"{len(model['members'])} 成员单位, {len(acts)} 科普活动, "
          f"参与 {sum(a['参与人数'] for a in acts):,} 人次 "
          f"({sum(a['参与人数'] for a in acts) / POPULATION:.1%} of {POPULATION:,})")


if __name__ == "__main__":
    main()
