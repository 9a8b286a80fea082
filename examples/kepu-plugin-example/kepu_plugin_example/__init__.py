"""An example kepu-rules plugin: copy this folder to start your own.

It adds a `csv` report format (the gaps as a spreadsheet for the monthly 通报), a `days_between`
rule-language function, and a `kepu gaps` command.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import click

from kepu_rules.hookspecs import hookimpl
from kepu_rules.i18n import Msg
from kepu_rules.reports.base import Reporter, ReportOptions
from kepu_rules.reports.model import Report


class GapsCsv(Reporter):
    """One row per failing item: rule, owner, item, what it has, what it needs, evidence."""

    format = "csv"
    extension = ".csv"
    description = Msg("未达标项清单（CSV，可用 Excel 打开）", "failing items as CSV (opens in Excel)")

    def render(self, report: Report, options: ReportOptions) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["规则", "标题", "责任单位", "状态", "对象", "名称", "情况", "补齐", "来源"])
        for r in report.gaps():
            items = r.failing or [None]
            for item in items:
                writer.writerow([r.id, r.title, r.owner or "", r.status.value,
                                 item.entity if item else "", item.key if item else "",
                                 item.detail if item else r.message, r.repair, item.source if item else ""])
        # A BOM so Excel opens the Chinese text as UTF-8.
        return "\ufeff" + out.getvalue()


def days_between(a: dt.date | None, b: dt.date | None) -> int | None:
    """Days from a to b (negative when b is earlier); unknown when either date is missing."""
    if a is None or b is None:
        return None
    return (b - a).days


@hookimpl
def register_reporters(register: Callable[[type[Any]], None]) -> None:
    register(GapsCsv)


@hookimpl
def register_functions(register: Callable[..., None]) -> None:
    register("days_between", days_between, params=("date", "date"), returns="integer", zh="相隔天数")


@hookimpl
def register_commands(cli: click.Group) -> None:
    @cli.command()
    @click.option("-c", "--config", type=click.Path(), default=None, help="The project file.")
    def gaps(config: str | None) -> None:
        """Print just the ids of the rules that need work, one per line (for scripts)."""
        from pathlib import Path

        from kepu_rules.engine.assess import assess

        assessment = assess(Path(config) if config else Path("kepu.yaml"))
        for r in assessment.report().gaps():
            click.echo(r.id)
