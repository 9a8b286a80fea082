"""The demo district's ledgers read independently of kepu (csv, openpyxl, yaml and a date parser of
its own), so tests can compute what an assessment as of a date must find."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import yaml

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo-district"
SCIENCE_DAY = (dt.date(2026, 8, 15), dt.date(2026, 9, 30))  # national.kepu's 科普日开始/科普日结束
_DATE = re.compile(r"(\d{4})\D(\d{1,2})\D(\d{1,2})")


def day(text: Any) -> dt.date | None:
    """A ledger date as written (2026-09-15, 2026/9/15, 2026年9月15日, or a cell's datetime)."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    found = _DATE.search(str(text or ""))
    return dt.date(*map(int, found.groups())) if found else None


def activities(folder: Path = DEMO) -> list[dict[str, Any]]:
    """科普活动.csv as rows: 编号, 社区, 日期."""
    with (folder / "data" / "科普活动.csv").open(encoding="gb18030", newline="") as f:
        return [{"编号": r["活动编号"], "社区": r["举办社区"], "日期": day(r["活动日期"])} for r in csv.DictReader(f)]


def communities(folder: Path = DEMO) -> list[str]:
    """The names in the 社区（村） sheet of 台账.xlsx (header on row 2)."""
    return [name for name, _ in _sheet(folder, "社区（村）", "社区名称")]


def signs(folder: Path = DEMO) -> list[tuple[str, dt.date | None]]:
    """(编号, 设置日期) of the 科普标识 sheet (two-row header; 编号 in column A, 设置日期 found by header)."""
    wb = openpyxl.load_workbook(folder / "data" / "台账.xlsx", read_only=True)
    rows = list(wb["科普标识"].iter_rows(values_only=True))
    headers = [str(c or "") for c in rows[2]]
    at = next(i for i, h in enumerate(headers) if "设置日期" in h or "设置时间" in h)
    return [(str(r[0]), day(r[at])) for r in rows[3:] if r[0]]


def _sheet(folder: Path, sheet: str, header: str) -> Iterator[tuple[str, tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(folder / "data" / "台账.xlsx", read_only=True)
    rows = list(wb[sheet].iter_rows(values_only=True))
    at = [str(c or "") for c in rows[1]].index(header)
    for r in rows[2:]:
        if r[at]:
            yield str(r[at]), r


def basics(folder: Path = DEMO) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((folder / "data" / "基本情况.yaml").read_text(encoding="utf-8"))
    return loaded


def covered(on: dt.date, folder: Path = DEMO) -> set[str]:
    """The communities with an activity in the Science Day window, counting activities up to `on`."""
    start, end = SCIENCE_DAY
    return {a["社区"] for a in activities(folder) if a["日期"] and start <= a["日期"] <= min(end, on) and a["社区"]}


def streets(folder: Path = DEMO) -> list[str]:
    """The names in the 街道 sheet of 台账.xlsx, in ledger order."""
    return [name for name, _ in _sheet(folder, "街道", "街道名称")]


def street_of(folder: Path = DEMO) -> dict[str, str]:
    """社区 → its 街道, from the 社区（村） sheet."""
    wb = openpyxl.load_workbook(folder / "data" / "台账.xlsx", read_only=True)
    rows = list(wb["社区（村）"].iter_rows(values_only=True))
    header = [str(c or "") for c in rows[1]]
    name, street = header.index("社区名称"), header.index("所属街道")
    return {str(r[name]): str(r[street]) for r in rows[2:] if r[name]}
