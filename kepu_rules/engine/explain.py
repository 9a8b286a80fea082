"""Explanations: for a rule's top-level shape, what was measured, which items fail, and the minimal repair."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

from kepu_rules.dsl import ast as A
from kepu_rules.dsl import ir as I
from kepu_rules.engine.interpreter import Env, Interpreter, compare
from kepu_rules.engine.values import format_number, format_percent, format_value
from kepu_rules.facts.provenance import Provenance
from kepu_rules.facts.table import Row
from kepu_rules.i18n import Msg, join


@dataclass(slots=True)
class Item:
    """An item that fails (or could not be checked), with what it has and what it needs."""

    entity: str
    key: str
    detail: Msg
    provenance: list[Provenance]
    groups: dict[str, str] = field(default_factory=dict)
    need: int | Fraction | None = None


@dataclass(slots=True)
class Explanation:
    verdict: bool | None
    message: Msg
    repair: Msg | None = None
    measured: Any = None
    target: Any = None
    percent: bool = False
    total: int = 0
    passing: int = 0
    failing_items: list[Item] = field(default_factory=list)
    unknown_items: list[Item] = field(default_factory=list)
    fraction: Fraction = Fraction(0)
    op: str | None = None


def describe(node: Any, lang: str = "zh") -> str:
    """An expression as the author would write it, for messages."""
    src = node.src if isinstance(node, I.Node) else node
    try:
        from kepu_rules.dsl.formatter import format_expr

        return format_expr(src, lang)  # type: ignore[arg-type]
    except Exception:  # the formatter is a nicety here; a message must never fail because of it
        if isinstance(src, A.Name):
            return src.name
        return type(src).__name__


def describe_msg(node: Any) -> Msg:
    try:
        return _described(node)
    except TypeError:  # an unhashable node: described each time
        return Msg(describe(node, "zh"), describe(node, "en"))


@lru_cache(maxsize=4096)
def _described(node: Any) -> Msg:
    # A rule's condition is described once per failing item (2,700 times for a city's B1): formatting
    # it each time was a third of that rule's evaluation. Checked nodes hash by identity.
    return Msg(describe(node, "zh"), describe(node, "en"))


class Explainer:
    """Explains checked rule bodies with one Interpreter."""

    def __init__(self, interp: Interpreter) -> None:
        self.interp = interp

    # -- items ---------------------------------------------------------------------------------

    def label(self, row: Row) -> str:
        return str(row.key) if row.key is not None else row.provenance.render()

    def groups(self, row: Row) -> dict[str, str]:
        """The items enclosing a row through its references (社区 → 街道), for grouping reports."""
        return self.interp.facts.enclosing(row)

    def item(self, row: Row, detail: Msg, need: int | Fraction | None = None, extra: list[Provenance] | None = None) -> Item:
        return Item(row.entity, self.label(row), detail, [row.provenance, *(extra or [])], self.groups(row), need)

    # -- dispatch ------------------------------------------------------------------------------

    def explain(self, node: I.Node, env: Env = ()) -> Explanation:
        if isinstance(node, I.QuantN):
            return self.quant(node, env)
        if isinstance(node, I.CountQN):
            return self.count_quant(node, env)
        if isinstance(node, I.CompareN):
            return self.compare(node, env)
        if isinstance(node, I.BoolOp):
            return self.boolop(node, env)
        if isinstance(node, I.PeriodN):
            return self.period(node, env)
        return self.plain(node, env)

    def plain(self, node: I.Node, env: Env) -> Explanation:
        verdict = self.interp.ev(node, env)
        cond = describe_msg(node)
        if verdict is True:
            return Explanation(True, Msg(f"满足：{cond.zh}", f"holds: {cond.en}"), fraction=Fraction(1))
        if verdict is None:
            return Explanation(None, Msg(f"无法判断：{cond.zh}（数据缺失）", f"cannot tell: {cond.en} (data missing)"))
        return Explanation(False, Msg(f"不满足：{cond.zh}", f"does not hold: {cond.en}"),
                           Msg(f"使其满足：{cond.zh}", f"make this hold: {cond.en}"))

    # -- quantifiers ---------------------------------------------------------------------------

    def quant(self, node: I.QuantN, env: Env) -> Explanation:
        verdict, passing, undecided, failing = self.interp.quant_items(node, env)
        entity = node.rows.entity
        if node.kind == "no":
            return self.no(node, verdict, failing, undecided)
        if node.kind == "some":
            what = self.rows_desc(node.rows)
            if verdict is True:
                return Explanation(True, Msg(f"有 {len(passing)} 个{what.zh}", f"{len(passing)} {what.en} found"),
                                   measured=len(passing), target=1, total=len(passing), passing=len(passing), fraction=Fraction(1))
            return Explanation(verdict, Msg(f"没有{what.zh}", f"no {what.en}"),
                               Msg(f"至少需要 1 个{what.zh}", f"at least 1 {what.en} is needed"), measured=0, target=1,
                               unknown_items=[self.item(r, Msg("无法判断", "cannot tell")) for r in undecided])
        total = len(passing) + len(undecided) + len(failing)
        items = [self.each_item(node, r, env) for r in failing]
        unknown = [self.item(r, self.unknown_detail(node, r, env)) for r in undecided]
        fraction = Fraction(len(passing), total) if total else Fraction(1)
        if total == 0:
            return Explanation(True, Msg(f"没有{entity}记录，无需检查", f"no {entity} rows: nothing to check"), total=0, fraction=Fraction(1))
        message = Msg(f"{total} 个{entity}中 {len(failing)} 个未达标", f"{len(failing)} of {total} {entity} fail") if failing else \
            Msg(f"{total} 个{entity}中 {len(undecided)} 个无法判断", f"{len(undecided)} of {total} {entity} cannot be checked") if undecided else \
            Msg(f"{total} 个{entity}全部达标", f"all {total} {entity} pass")
        return Explanation(verdict, message, self.each_repair(node, items) if items else None, measured=fraction,
                           target=Fraction(1), percent=True, total=total, passing=len(passing), failing_items=items,
                           unknown_items=unknown, fraction=fraction, op=">=")

    def no(self, node: I.QuantN, verdict: bool | None, offending: Sequence[Row], undecided: Sequence[Row]) -> Explanation:
        what = self.rows_desc(node.rows)
        items = [self.item(r, Msg("不应存在", "must not exist")) for r in offending]
        if verdict is True:
            return Explanation(True, Msg(f"没有{what.zh}", f"no {what.en}"), measured=0, target=0, fraction=Fraction(1))
        return Explanation(verdict, Msg(f"有 {len(offending)} 个{what.zh}", f"{len(offending)} {what.en} found"),
                           Msg(f"处理并消除这 {len(offending)} 个{what.zh}", f"resolve these {len(offending)} {what.en}") if offending else None,
                           measured=len(offending), target=0, total=len(offending), failing_items=items,
                           unknown_items=[self.item(r, Msg("无法判断", "cannot tell")) for r in undecided])

    def each_item(self, node: I.QuantN, row: Row, env: Env) -> Item:
        assert node.body is not None
        inner = (row, *env)
        body = node.body
        if isinstance(body, I.CountQN):
            _, lo, _hi, target, _yes, _ = self.interp.count_range(body, inner)
            unit = _unit(body)
            all_rows = self.interp.base_rows(body.rows, inner)
            detail = Msg(f"{lo} {unit}", f"{lo}")
            if body.rows.where is not None and len(all_rows) != lo:
                cond = describe_msg(body.rows.where)
                detail = Msg(f"{len(all_rows)} {unit}，其中符合“{cond.zh}”的 {lo} {unit}",
                             f"{len(all_rows)}, of which {lo} meet `{cond.en}`")
            need = target - lo if body.op == "at_least" and target is not None else None
            extra = [r.provenance for r in all_rows[:3]]
            if not all_rows:
                extra = []
            return self.item(row, detail, need, extra)
        return self.item(row, self.failing_parts(body, inner))

    def failing_parts(self, body: I.Node, env: Env) -> Msg:
        """Which conjuncts of a condition fail for one item, in the author's words."""
        parts: list[Msg] = []
        stack = [body]
        while stack:
            n = stack.pop()
            if isinstance(n, I.BoolOp) and n.op == "and":
                stack.extend([n.right, n.left])
                continue
            verdict = self.interp.ev(n, env)
            if verdict is False:
                parts.append(self.part_detail(n, env))
        return join(parts, "；", "; ") if parts else Msg("不满足条件", "condition does not hold")

    def part_detail(self, n: I.Node, env: Env) -> Msg:
        if isinstance(n, I.FieldOf):
            value = self.interp.ev(n, env)
            return Msg(f"{n.field}：{format_value(value)}", f"{n.field}: {format_value(value)}")
        if isinstance(n, I.CountQN):
            _, lo, _, target, _, _ = self.interp.count_range(n, env)
            what = self.rows_desc(n.rows)
            return Msg(f"{what.zh} {lo} {_unit(n)}（需{_op_zh(n.op)} {format_value(target)}）",
                       f"{lo} {what.en} (needs {n.op.replace('_', ' ')} {format_value(target)})")
        if isinstance(n, I.QuantN) and n.kind == "some":
            what = self.rows_desc(n.rows)
            return Msg(f"没有{what.zh}", f"no {what.en}")
        if isinstance(n, I.CompareN):
            left = self.interp.ev(n.left, env)
            d = describe_msg(n)
            return Msg(f"{d.zh}（实际 {format_value(left, n.left.type == I.PERCENT)}）",
                       f"{d.en} (is {format_value(left, n.left.type == I.PERCENT)})")
        d = describe_msg(n)
        return Msg(f"不满足“{d.zh}”", f"fails `{d.en}`")

    def unknown_detail(self, node: I.QuantN, row: Row, env: Env) -> Msg:
        return Msg("数据缺失，无法判断", "data missing: cannot tell")

    def each_repair(self, node: I.QuantN, items: list[Item]) -> Msg:
        body = node.body
        if isinstance(body, I.CountQN) and body.op == "at_least":
            what = self.rows_desc(body.rows)
            unit = _unit(body)
            by_need: dict[Any, list[str]] = {}
            for it in items:
                by_need.setdefault(it.need, []).append(it.key)
            parts = [Msg(f"{'、'.join(keys)}{'各' if len(keys) > 1 else ''}增设 {format_value(need)} {unit}{what.zh}",
                         f"{', '.join(keys)} {'each ' if len(keys) > 1 else ''}need{'' if len(keys) > 1 else 's'} "
                         f"{format_value(need)} more {what.en}")
                     for need, keys in by_need.items()]
            return join(parts, "；", "; ")
        keys = [it.key for it in items]
        cond = describe_msg(body) if body is not None else Msg("", "")
        shown = "、".join(keys[:10]) + ("…" if len(keys) > 10 else "")
        shown_en = ", ".join(keys[:10]) + ("..." if len(keys) > 10 else "")
        return Msg(f"{len(keys)} 个{node.rows.entity}需满足“{cond.zh}”：{shown}",
                   f"{len(keys)} {node.rows.entity} must meet `{cond.en}`: {shown_en}")

    def rows_desc(self, rows: I.RowsOf) -> Msg:
        if rows.where is None:
            return Msg(rows.entity, rows.entity)
        cond = describe_msg(rows.where)
        return Msg(f"{rows.entity}（{cond.zh}）", f"{rows.entity} where {cond.en}")

    def count_quant(self, node: I.CountQN, env: Env) -> Explanation:
        verdict, lo, hi, target, _yes, unknown = self.interp.count_range(node, env)
        what = self.rows_desc(node.rows)
        unit = _unit(node)
        message = Msg(f"{what.zh}共 {lo} {unit}，要求{_op_zh(node.op)} {format_value(target)} {unit}",
                      f"{lo} {what.en}; required {node.op.replace('_', ' ')} {format_value(target)}")
        repair = None
        fraction = Fraction(1) if verdict else Fraction(0)
        if verdict is False and target is not None:
            if node.op == "at_least":
                need = target - lo
                repair = Msg(f"再增加 {format_value(need)} {unit}{what.zh}即可达标", f"add {format_value(need)} more {what.en}")
                fraction = min(Fraction(1), Fraction(lo) / target) if target else Fraction(1)
            elif node.op == "at_most":
                repair = Msg(f"需减少 {format_value(lo - target)} {unit}{what.zh}", f"reduce {what.en} by {format_value(lo - target)}")
            else:
                diff = target - lo
                repair = Msg(f"需{'增加' if diff > 0 else '减少'} {format_value(abs(diff))} {unit}{what.zh}",
                             f"{'add' if diff > 0 else 'remove'} {format_value(abs(diff))} {what.en}")
        return Explanation(verdict, message, repair, measured=lo, target=target, total=hi, passing=lo,
                           unknown_items=[self.item(r, Msg("无法判断是否符合条件", "cannot tell whether it matches")) for r in unknown],
                           fraction=fraction, op={"at_least": ">=", "at_most": "<=", "exactly": "=="}[node.op])

    # -- comparisons ---------------------------------------------------------------------------

    def compare(self, node: I.CompareN, env: Env) -> Explanation:
        left, right, op = node.left, node.right, node.op
        if _is_measure(right) and not _is_measure(left):
            left, right, op = right, left, _FLIP[op]
        if isinstance(left, I.Aggregate) and left.func == "coverage":
            return self.coverage(left, op, right, env)
        measured = self.interp.ev(left, env)
        target = self.interp.ev(right, env)
        verdict = compare(op, measured, target)
        pct = left.type == I.PERCENT or right.type == I.PERCENT
        what = describe_msg(left)
        m_text, t_text = format_value(measured, pct), format_value(target, pct)
        message = Msg(f"{what.zh} 为 {m_text}，目标 {op} {t_text}", f"{what.en} is {m_text}; target {op} {t_text}")
        if verdict is None:
            return Explanation(None, Msg(f"{what.zh} 无法计算（数据缺失）", f"{what.en} cannot be computed (data missing)"),
                               measured=measured, target=target, percent=pct, op=op)
        repair = None
        fraction = Fraction(1) if verdict else Fraction(0)
        if not verdict and isinstance(measured, (int, Fraction)) and isinstance(target, (int, Fraction)) and op in (">=", ">"):
            gap = target - measured
            need_text = format_value(gap, pct)
            if isinstance(left, I.Aggregate) and left.func == "count" and isinstance(left.arg, I.RowsOf):
                rows = self.rows_desc(left.arg)
                need = gap + (1 if op == ">" else 0)
                repair = Msg(f"再增加 {format_value(need)} 个{rows.zh}即可达标", f"add {format_value(need)} more {rows.en}")
            else:
                repair = Msg(f"{what.zh} 需从 {m_text} 提高到 {t_text}（差 {need_text}）",
                             f"raise {what.en} from {m_text} to {t_text} (short by {need_text})")
            if target > 0 and measured >= 0:
                fraction = min(Fraction(1), Fraction(measured) / Fraction(target))
        elif not verdict and isinstance(measured, (int, Fraction)) and isinstance(target, (int, Fraction)) and op in ("<=", "<"):
            repair = Msg(f"{what.zh} 需从 {m_text} 降到 {t_text}", f"lower {what.en} from {m_text} to {t_text}")
        elif not verdict:
            repair = Msg(f"使 {what.zh} {op} {t_text}（目前 {m_text}）", f"make {what.en} {op} {t_text} (now {m_text})")
        return Explanation(verdict, message, repair, measured=measured, target=target, percent=pct, fraction=fraction, op=op)

    def coverage(self, agg: I.Aggregate, op: str, right: I.Node, env: Env) -> Explanation:
        share, yes, unknown, no = self.interp.coverage(agg, env)
        target = self.interp.ev(right, env)
        assert isinstance(agg.arg, I.RowsOf) and agg.cond is not None
        entity = agg.arg.entity
        total = len(yes) + len(unknown) + len(no)
        cond = describe_msg(agg.cond)
        items = [self.item(r, self.failing_parts(agg.cond, (r, *env))) for r in no]
        unknown_items = [self.item(r, Msg("数据缺失，无法判断", "data missing: cannot tell")) for r in unknown]
        if total == 0:
            return Explanation(None, Msg(f"没有{entity}记录，覆盖率无法计算", f"no {entity} rows: coverage cannot be computed"),
                               target=target, percent=True, op=op)
        if share is None:
            return Explanation(None, Msg(f"{len(unknown)} 个{entity}数据缺失，覆盖率无法确定（已确认 {len(yes)}/{total}）",
                                         f"{len(unknown)} {entity} lack data: coverage undecided ({len(yes)}/{total} confirmed)"),
                               target=target, percent=True, total=total, passing=len(yes), failing_items=items,
                               unknown_items=unknown_items, op=op)
        verdict = compare(op, share, target)
        t_text = format_percent(target) if isinstance(target, (int, Fraction)) else format_value(target)
        message = Msg(f"覆盖率 {format_percent(share)}（{total} 个{entity}中 {len(yes)} 个），目标 {_op_sym(op)} {t_text}",
                      f"coverage {format_percent(share)} ({len(yes)} of {total} {entity}), target {op} {t_text}")
        repair = None
        fraction = Fraction(1) if verdict else Fraction(0)
        if verdict is False and isinstance(target, (int, Fraction)) and op in (">=", ">"):
            needed = math.ceil(target * total) if op == ">=" else math.floor(target * total) + 1
            more = max(0, needed - len(yes))
            repair = Msg(f"再有 {more} 个{entity}满足“{cond.zh}”即可达标（尚未满足的 {len(no)} 个见 kepu explain）",
                         f"{more} more {entity} need to meet `{cond.en}` to reach {t_text} ({len(no)} do not yet; see kepu explain)")
            fraction = min(Fraction(1), share / Fraction(target)) if target else Fraction(1)
            for it in items:
                it.need = 1
        return Explanation(verdict, message, repair, measured=share, target=target, percent=True, total=total,
                           passing=len(yes), failing_items=items if verdict is False else [], unknown_items=unknown_items,
                           fraction=fraction, op=op)

    # -- and / or / periods --------------------------------------------------------------------

    def boolop(self, node: I.BoolOp, env: Env) -> Explanation:
        left, right = self.explain(node.left, env), self.explain(node.right, env)
        if node.op == "and":
            verdict = False if False in (left.verdict, right.verdict) else None if None in (left.verdict, right.verdict) else True
            bad = [x for x in (left, right) if x.verdict is not True]
            fraction = (left.fraction + right.fraction) / 2
        else:
            verdict = True if True in (left.verdict, right.verdict) else None if None in (left.verdict, right.verdict) else False
            # The cheaper branch to repair is the one with fewer failing items.
            bad = [] if verdict else [min((left, right), key=lambda x: (len(x.failing_items), x.fraction * -1))]
            fraction = max(left.fraction, right.fraction)
        main = bad[0] if bad else left
        parts = bad or [left, right]
        repairs = [x.repair for x in bad if x.repair is not None]
        return Explanation(verdict, join([p.message for p in parts], "；", "; "), join(repairs, "；", "; ") if repairs else None,
                           measured=main.measured, target=main.target, percent=main.percent, total=main.total,
                           passing=main.passing, failing_items=[i for x in bad for i in x.failing_items],
                           unknown_items=[i for x in parts for i in x.unknown_items], fraction=fraction, op=main.op)

    def period(self, node: I.PeriodN, env: Env) -> Explanation:
        results = self.interp.period_results(node, env)
        failing: list[Item] = []
        repairs: list[Msg] = []
        for label, verdict in results:
            if verdict is False:
                start, end = _bucket_bounds(node.unit, label)
                with self.interp.window(node, start, end):
                    inner = self.explain(node.body, env)
                failing.append(Item("period", label, inner.message, []))
                if inner.repair is not None:
                    repairs.append(Msg(f"{label}：{inner.repair.zh}", f"{label}: {inner.repair.en}"))
        total = len(results)
        passing = sum(1 for _, v in results if v is True)
        verdict = False if failing else None if any(v is None for _, v in results) else True
        unit_zh = {"year": "年度", "quarter": "季度", "month": "月份"}[node.unit]
        message = Msg(f"{total} 个{unit_zh}中 {passing} 个达标", f"{passing} of {total} {node.unit}s pass")
        return Explanation(verdict, message, join(repairs, "；", "; ") if repairs else None, measured=Fraction(passing, total) if total else None,
                           target=Fraction(1), percent=True, total=total, passing=passing, failing_items=failing,
                           fraction=Fraction(passing, total) if total else Fraction(0), op=">=")


def _bucket_bounds(unit: str, label: str) -> tuple[Any, Any]:
    from kepu_rules.engine.interpreter import period_buckets

    year = int(label[:4])
    return next((s, e) for lab, s, e in period_buckets(unit, [year]) if lab == label)


_FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "==", "!=": "!="}


def _is_measure(node: I.Node) -> bool:
    return not isinstance(node, (I.Const, I.ParamRef))


def _unit(node: I.CountQN) -> str:
    unit = getattr(node.src, "unit", None)
    return unit or "个"


def _op_zh(op: str) -> str:
    return {"at_least": "至少", "at_most": "至多", "exactly": "恰好"}[op]


def _op_sym(op: str) -> str:
    return {">=": "≥", "<=": "≤", "==": "=", "!=": "≠", ">": ">", "<": "<"}[op]


__all__ = ["Explainer", "Explanation", "Item", "describe", "format_number"]
