"""Parser benchmark: build time, parse speed on a generated 2,000-rule ruleset, and `import kepu_rules` cost.

Run: `PYTHONPATH=. .venv/bin/python benchmarks/bench_parse.py`. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RULES = 2000
RULES_PER_SECTION = 50
REPEATS = 5
ROOT = Path(__file__).resolve().parent.parent

HEADER = """\
规则集 bench "基准测试规则集" "Benchmark ruleset" 版本 "2026"
语言 zh
param 科普日覆盖率目标 = 80%
参数 专家服务次数 = 4
entity 街道 { key 名称: text }
实体 社区 "社区/村" 别名 "村" {
  主键 名称: 文本
  街道 -> 街道 必填
  有科普活动室: 是否
  常住人口: 整数
}
entity 科普活动 { key 编号: text; 主办社区 -> 社区; 日期: date; 类别: text; 参与人数: integer }
entity 经费 { key 年度: integer; 金额: number }
fact 科普经费: number "年度科普经费（万元）"
"""

# Rule shapes seen in real criteria, both keyword languages; {n}, {p}, {d} vary per rule.
SHAPES_ZH = (
    "每个 街道 至少有 {n} 个 科普标识 其中 沿街显要",
    "覆盖率(社区 其中 有科普活动室) >= {p}%",
    "每季度 于 2026 至少有 {n} 次 科普活动 其中 类别 = \"专家服务\" 且 参与人数 >= {n}0",
    "没有 安全事故 其中 日期 在 今天 之前 {n} 年内",
    "计数(科普活动 经由 主办社区 其中 日期 介于 2026年9月1日 和 2026年9月30日) 不低于 {n}",
    "每个 社区 满足 有科普活动室 = 是 或 常住人口 < {n}000",
    "逐年增长(经费, 年度, 金额) 并且 求和(经费.金额) > {n}00",
    "存在 科普活动 其中 名称 包含 \"科普日\" 且 类别 属于 [\"讲座\", \"展览\", \"竞赛\"]",
)
SHAPES_EN = (
    "each 街道 has at least {n} 科普标识 where 沿街显要",
    "coverage(社区 where 有科普活动室) >= {p}%",
    "each quarter of 2026 has at least {n} 科普活动 where 类别 = \"专家服务\" and 参与人数 >= {n}0",
    "no 安全事故 where 日期 within {n} years before today",
    "count(科普活动 via 主办社区 where 日期 between 2026-09-01 and 2026-09-30) >= {n}",
    "each 社区 has 有科普活动室 or 常住人口 < {n}000",
    "ratio(count(社区 where 有科普活动室), count(社区)) >= {p}% and 科普经费 is present",
    "each year from 2021 to 2025 has sum(经费.金额) >= {n}00 or not (科普经费 > {n}00)",
)
META_ZH = ("分值 {n}", "等级 必备", "计分方式 按比例", "预警 {p}%", "责任单位 \"区科协\"", "依据 \"实施方案 三({n})\"",
           "证据等级 B", "标签 \"阵地\", \"活动\"", "提示 \"补充台账并拍照存档\"", "期限 2026-12-31")
META_EN = ("points {n}", "severity required", "scoring deduct 1 per item", "warn at {p}%", "owner \"区科协\"",
           "source \"plan 3({n})\"", "tier A", "tags \"venues\"", "hint \"file the photos\"", "due 2026-12-31")


def _rule(i: int, rng: random.Random) -> str:
    zh = i % 2 == 0
    shapes, metas, kw = (SHAPES_ZH, META_ZH, "规则") if zh else (SHAPES_EN, META_EN, "rule")
    values = {"n": rng.randint(1, 9), "p": rng.choice((60, 70, 80, 90, 95))}
    meta = " ".join(m.format(**values) for m in rng.sample(metas, rng.randint(1, 4)))
    body = rng.choice(shapes).format(**values)
    return f'  {kw} R{i // 100}-{i % 100}.{i} "第 {i} 条指标" "criterion {i}" {meta} {{\n    {body}\n  }}\n'


def ruleset_text(rules: int = RULES, seed: int = 2026) -> str:
    """A deterministic ruleset of `rules` rules in sections of RULES_PER_SECTION."""
    rng = random.Random(seed)
    parts = [HEADER]
    for start in range(0, rules, RULES_PER_SECTION):
        parts.append(f'section "第{start // RULES_PER_SECTION + 1}部分" {{\n')
        parts += [_rule(i, rng) for i in range(start, min(start + RULES_PER_SECTION, rules))]
        parts.append("}\n")
    return "".join(parts)


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _cpu_timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) seconds: on a busy machine CPU time is the steadier of the two."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _startup_times(codes: tuple[str, ...], runs: int = 15) -> list[tuple[float, float]]:
    """(median, min) wall time of `python -c code` in fresh interpreters, runs interleaved so that
    load from other processes falls on every variant alike."""
    times: list[list[float]] = [[] for _ in codes]
    for _ in range(runs):
        for i, code in enumerate(codes):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
            times[i].append(time.perf_counter() - start)
    return [(statistics.median(t), min(t)) for t in times]


def _self_import_time(module: str) -> int:
    """Cumulative microseconds `-X importtime` reports for `module` in a fresh interpreter."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    for line in proc.stderr.splitlines():
        fields = [f.strip() for f in line.removeprefix("import time:").split("|")]
        if len(fields) == 3 and fields[2] == module:
            return int(fields[1])
    return -1


def _build_times() -> tuple[float, float]:
    """(cold, warm) seconds for the first `lark_parser()` in a fresh interpreter: with an empty
    cache folder (lark builds the LALR tables and stores them), then again with the stored tables."""
    code = ("import time; from kepu_rules.dsl.parser import lark_parser; import lark; "
            "t = time.perf_counter(); lark_parser(); print(time.perf_counter() - t)")
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache, "PYTHONPATH": str(ROOT)}
        runs = [subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                               check=True) for _ in range(2)]
    cold, warm = (float(r.stdout) for r in runs)
    return cold, warm


def _loaded_by(module: str) -> str:
    probe = (f"import sys, {module}; "
             "print(', '.join(m for m in ('lark', 'kepu_rules.dsl.parser', 'kepu_rules.dsl.transformer') "
             "if m in sys.modules) or 'nothing')")
    return subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def bench_parser() -> None:
    t0 = time.perf_counter()
    import lark  # noqa: F401  (timed: the first parse pays for it)

    t_lark = time.perf_counter() - t0
    from kepu_rules.dsl.formatter import format_ruleset
    from kepu_rules.dsl.parse import parse
    from kepu_rules.dsl.parser import lark_parser

    t_build = _timed(lark_parser)
    text = ruleset_text()
    runs = [_cpu_timed(lambda: parse(text, "bench.kepu")) for _ in range(REPEATS)]
    times, cpu = [w for w, _ in runs], statistics.median(c for _, c in runs)
    parsed = parse(text, "bench.kepu")
    assert len(parsed.rules()) == RULES
    t_format = statistics.median(_timed(lambda: format_ruleset(parsed)) for _ in range(REPEATS))
    median = statistics.median(times)
    print(f"import lark (first time)          {t_lark * 1000:8.1f} ms")
    cold, warm = _build_times()
    print(f"parser build (first lark_parser)  {t_build * 1000:8.1f} ms  (this process, user cache as found)")
    print(f"  fresh process, empty cache      {cold * 1000:8.1f} ms  (LALR tables built and stored)")
    print(f"  fresh process, stored tables    {warm * 1000:8.1f} ms")
    print(f"ruleset text                      {RULES} rules, {text.count(chr(10))} lines, {len(text) / 1024:.0f} KiB")
    print(f"parse, median of {REPEATS}               {median * 1000:8.1f} ms  "
          f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})")
    print(f"parse CPU time, median of {REPEATS}      {cpu * 1000:8.1f} ms")
    print(f"rules per second                  {RULES / median:8.0f}  ({RULES / cpu:.0f} per CPU second)")
    print(f"format_ruleset, median of {REPEATS}      {t_format * 1000:8.1f} ms")


def bench_import() -> None:
    (bare, bare_min), (pkg, pkg_min) = _startup_times(("pass", "import kepu_rules"))
    print(f"python -c pass                    {bare * 1000:8.1f} ms median, {bare_min * 1000:.1f} ms min")
    print(f"python -c 'import kepu_rules'     {pkg * 1000:8.1f} ms median, {pkg_min * 1000:.1f} ms min  "
          f"(+{(pkg - bare) * 1000:.1f} ms median, +{(pkg_min - bare_min) * 1000:.1f} ms min)")
    print(f"-X importtime kepu_rules          {_self_import_time('kepu_rules') / 1000:8.1f} ms cumulative")
    print(f"-X importtime kepu_rules.dsl.parse{_self_import_time('kepu_rules.dsl.parse') / 1000:8.1f} ms cumulative")
    print(f"loaded by `import kepu_rules`: {_loaded_by('kepu_rules')}")
    print(f"loaded by `import kepu_rules.dsl.parse`: {_loaded_by('kepu_rules.dsl.parse')}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    bench_parser()
    bench_import()
