"""The JSON report: the Report model as it is (`kepu-report/1`), described by kepu-report-1.schema.json."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, ClassVar

from kepu_rules.i18n import Msg
from kepu_rules.reports.base import Reporter, ReportOptions
from kepu_rules.reports.model import Report

SCHEMA_FILE = "kepu-report-1.schema.json"


def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of `kepu-report/1`, shipped inside the package."""
    text = resources.files("kepu_rules.reports").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


class JsonReporter(Reporter):
    """The whole report for machines; options are ignored because a consumer filters and groups itself."""

    format: ClassVar[str] = "json"
    extension: ClassVar[str] = ".json"
    description: ClassVar[Msg] = Msg("JSON 报告（kepu-report/1，附 JSON Schema）",
                                     "JSON report (kepu-report/1, with a JSON Schema)")

    def render(self, report: Report, options: ReportOptions) -> str:
        return report.to_json(indent=2) + "\n"
