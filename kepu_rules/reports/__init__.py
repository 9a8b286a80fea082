"""Reports: one Report model, one module per output format."""

from __future__ import annotations

from kepu_rules.reports.base import Reporter, ReportOptions
from kepu_rules.reports.model import REPORT_SCHEMA, Report, RuleResult, Severity, Status, Verdict

__all__ = ["REPORT_SCHEMA", "Report", "ReportOptions", "Reporter", "RuleResult", "Severity", "Status", "Verdict"]
