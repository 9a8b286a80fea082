"""Hypothesis strategies for well-typed rules and fact bases over the test schema (tests/engine/util.py).

They drive properties that must hold for any ruleset and any data, and compare two ways of reaching
outcomes field by field (`outcome_fields`): a second evaluation backend is checked against the
reference interpreter with exactly these.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from kepu_rules.engine.evaluate import Outcome

# -- rule text ------------------------------------------------------------------------------------

CATEGORIES = ("讲座", "展览", "专家服务")
SANZHANG = ("校长", "院长", "站长")
small = st.integers(0, 3)
#: How a collection is written: plain (no row of its entity: could not check) or allowed to be empty.
marked = st.sampled_from(["", "", " (may be empty)"])

sign_cond = st.sampled_from(["沿街显要", "not 沿街显要", "沿街显要 is missing", '编号 in ["S0-0", "S1-1"]'])
activity_cond = st.one_of(
    st.sampled_from([f'类别 = "{c}"' for c in CATEGORIES]),
    st.just("日期 between 2026-09-01 and 2026-09-30"),
    st.just("日期 within 1 years before today"),
    st.just('类别 in ["讲座", "展览"]'),
    st.just("日期 is missing"),
)


@st.composite
def community_cond(draw: st.DrawFn) -> str:
    return draw(st.one_of(
        st.sampled_from(["有科普活动室", "not 有科普活动室", '类型 = "村"', '名称 contains "1"', "街道.人口 > 1000"]),
        small.map(lambda k: f"count(科普活动) >= {k}"),
        activity_cond.map(lambda c: f"some 科普活动 where {c}"),
        st.tuples(marked, activity_cond).map(lambda t: f"no 科普活动{t[0]} where {t[1]}"),
        st.tuples(st.sampled_from(["at least", "at most", "exactly"]), small, activity_cond).map(
            lambda t: f"{t[0]} {t[1]} 科普活动 where {t[2]}"),
        st.tuples(st.sampled_from(["each", "no", "some"]), activity_cond, activity_cond).map(
            lambda t: f"{t[0]} 科普活动 where {t[1]} has {t[2]}"),
    ))


@st.composite
def atom(draw: st.DrawFn) -> str:
    """A boolean rule body that reads the facts in one of the ways real criteria do."""
    n = draw(small)
    return draw(st.one_of(
        sign_cond.map(lambda c: f"each 街道 has at least {n} 科普标识 where {c}"),
        st.tuples(marked, community_cond()).map(lambda t: f"each 社区{t[0]} has {t[1]}"),
        st.tuples(community_cond(), community_cond()).map(lambda cs: f"each 社区 where ({cs[0]}) has {cs[1]}"),
        st.tuples(marked, community_cond(), st.integers(0, 100)).map(
            lambda t: f"coverage(社区{t[0]} where {t[1]}) >= {t[2]}%"),
        community_cond().map(lambda c: f"coverage(社区 where {c}) >= 目标"),
        activity_cond.map(lambda c: f"at least {n} 科普活动 where {c}"),
        st.tuples(marked, activity_cond).map(lambda t: f"at most {n} 科普活动{t[0]} where {t[1]}"),
        st.tuples(marked, st.sampled_from(SANZHANG)).map(lambda t: f'no 三长{t[0]} where 职务 = "{t[1]}"'),
        marked.map(lambda m: f"count(三长{m}) <= {n}"),
        st.just('each 街道 has 三长.职务 contains all ["校长", "院长"]'),
        st.integers(0, 400).map(lambda x: f"sum(经费.金额) >= {x}"),
        st.integers(0, 20000).map(lambda x: f"常住人口 >= {x}"),
        st.just("increasing(经费, 年度, 金额)"),
        st.sampled_from(CATEGORIES).map(lambda c: f'each quarter of 2026 has at least 1 科普活动 where 类别 = "{c}"'),
        marked.map(lambda m: f"each 街道{m} has at least 2 社区{m} where 有科普活动室"),
        activity_cond.map(lambda c: f"each 街道 has at least {n} 科普活动 where {c}"),  # two hops
        street_cond().map(lambda c: f"each 街道 has {c}"),
        st.sampled_from(["min", "max", "count_distinct", "count"]).map(lambda f: f"each 街道 has {f}(社区.名称) is missing"),
        st.tuples(st.sampled_from(["min", "max", "sum"]), st.integers(0, 150)).map(
            lambda t: f"{t[0]}(经费.金额) >= {t[1]}"),
        st.integers(0, 150).map(lambda x: f"each 经费 has 金额 * 2 - 年度 + 2026 >= {x}"),
        st.integers(0, 150).map(lambda x: f"avg(经费.金额) >= {x}"),
        st.integers(0, 3).map(lambda k: f"each 社区 has count_distinct(科普活动.类别) >= {k}"),
        st.just("each 社区 has count(科普活动 where year(日期) = 2026 and quarter(日期) >= 3) >= 1"),
        st.just('each 社区 where 街道 = "街道0" has 有科普活动室'),
        st.just('each 科普活动 where 社区.街道.人口 >= 1000 has not (类别 is missing)'),
        st.just('each 街道 has 三长.职务 contains "校长"'),
        st.just('each 街道 has 三长.职务 contains any ["院长", "站长"]'),
    ))


@st.composite
def street_cond(draw: st.DrawFn) -> str:
    """Conditions on a street that reach through two levels of rows, or do arithmetic on its fields."""
    k = draw(small)
    return draw(st.sampled_from([
        f"at least {k} 社区 where some 科普活动 where 日期 is missing",
        f"no 社区 where count(科普活动) > {k}",
        f"人口 >= {k * 1000}",
        f"人口 - {k * 500} > 0 or 人口 is missing",
        "人口 between 500 and 2500",
    ]))


@st.composite
def body(draw: st.DrawFn) -> str:
    shape = draw(st.sampled_from(["atom", "atom", "atom", "and", "or", "not"]))
    if shape == "atom":
        return draw(atom())
    if shape == "not":
        return f"not ({draw(atom())})"
    return f"({draw(atom())}) {shape} ({draw(atom())})"


@st.composite
def rules_text(draw: st.DrawFn) -> str:
    """One to four rules, each with its own scoring mode and, sometimes, a warn threshold or applicability."""
    out = []
    for i in range(draw(st.integers(1, 4))):
        scoring = draw(st.sampled_from(["", "scoring proportional", "scoring deduct 2 per item"]))
        applies = draw(st.sampled_from(["", "", "applies when count(街道) >= 1", "applies when 常住人口 > 5000"]))
        out.append(f'rule R{i} "规则{i}" points {draw(st.integers(1, 10))} {scoring} {applies} {{ {draw(body())} }}')
    return "\n".join(out)


# -- facts ----------------------------------------------------------------------------------------

# Money as ledgers hold it: whole, in tenths, and now and then a share no decimal holds exactly.
amounts = st.one_of(st.integers(0, 150), st.integers(0, 1500).map(lambda k: Fraction(k, 10)),
                    st.sampled_from([Fraction(1, 3), Fraction(200, 3)]))
maybe_bool = st.one_of(st.booleans(), st.booleans(), st.none())
dates = st.one_of(st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31)), st.none())


@st.composite
def fact_tables(draw: st.DrawFn) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    """Tables for every entity of the schema (all references resolve) and, sometimes, the scalar fact."""
    # Now and then no street at all: every rule over streets then could not be checked (or holds, if marked).
    streets = [f"街道{i}" for i in range(draw(st.sampled_from([0, 1, 1, 2, 3, 4])))]
    tables: dict[str, list[dict[str, Any]]] = {
        "街道": [{"名称": s, "人口": draw(st.one_of(st.integers(0, 3000), st.none()))} for s in streets],
        "社区": [], "科普标识": [], "科普活动": [], "经费": [], "三长": [],
    }
    for i in range(draw(st.integers(0, 8)) if streets else 0):
        tables["社区"].append({"名称": f"社区{i}", "街道": draw(st.sampled_from(streets)),
                             "有科普活动室": draw(maybe_bool), "类型": draw(st.sampled_from(["社区", "村", None]))})
    for s in range(len(streets)):
        for j in range(draw(st.integers(0, 3))):
            tables["科普标识"].append({"编号": f"S{s}-{j}", "街道": streets[s], "沿街显要": draw(maybe_bool)})
    communities = [c["名称"] for c in tables["社区"]]
    if communities:
        for k in range(draw(st.integers(0, 12))):
            tables["科普活动"].append({"编号": f"H{k}", "社区": draw(st.sampled_from(communities)), "日期": draw(dates),
                                     "类别": draw(st.sampled_from([*CATEGORIES, None]))})
    for year in draw(st.lists(st.integers(2023, 2026), unique=True, max_size=4)):
        tables["经费"].append({"年度": year, "金额": draw(amounts)})
    for k in range(draw(st.integers(0, 6)) if streets else 0):
        tables["三长"].append({"姓名": f"人{k}", "街道": draw(st.sampled_from(streets)),
                             "职务": draw(st.sampled_from([*SANZHANG, None]))})
    scalars = {"常住人口": draw(st.integers(0, 20000))} if draw(st.booleans()) else {}
    for entity in draw(st.sets(st.sampled_from(["科普活动", "三长", "经费"]), max_size=1)):
        del tables[entity]  # no source provides it: rules reading it are `unknown`
    return tables, scalars


# -- comparing outcomes ---------------------------------------------------------------------------


def _item(item: Any) -> tuple[Any, ...]:
    return (item.entity, item.key, item.detail, tuple(p.render() for p in item.provenance),
            tuple(sorted(item.groups.items())), item.need)


def outcome_fields(outcome: Outcome) -> dict[str, Any]:
    """Every field of an outcome as plain values, so two backends' outcomes compare with `==`."""
    return {
        "rule_id": outcome.rule_id, "status": outcome.status, "message": outcome.message, "repair": outcome.repair,
        "measured": outcome.measured, "target": outcome.target, "percent": outcome.percent,
        "total": outcome.total, "passing": outcome.passing,
        "failing": [_item(i) for i in outcome.failing], "unknown_items": [_item(i) for i in outcome.unknown_items],
        "fraction": outcome.fraction, "missing": list(outcome.missing),
    }
