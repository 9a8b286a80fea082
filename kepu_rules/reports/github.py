"""GitHub Actions workflow commands: annotations on the rule's line for every gap, a notice with the verdict."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from kepu_rules.i18n import Lang, Msg
from kepu_rules.reports.base import Reporter, ReportOptions
from kepu_rules.reports.model import DiagnosticInfo, Report, RuleResult, Severity, Status, WaiverInfo
from kepu_rules.reports.text import (
    fmt_points,
    item_source,
    label,
    lang_of,
    report_heading,
    rule_title,
    status_label,
    verdict_parts,
)

ITEM_LIMIT = 10  # an annotation is a glance; `kepu explain` lists every item


def escape_data(text: str) -> str:
    """The message part of a workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (file, title): also `:` and `,`, which would end the value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass(frozen=True, slots=True)
class Where:
    """A `path:line[:col]` location split into its parts; a bare path keeps no line."""

    file: str = ""
    line: int | None = None
    col: int | None = None

    @classmethod
    def parse(cls, location: str) -> Where:
        # split from the right, so a Windows drive (C:\...) or a colon in a folder name stays in the path
        parts = location.rsplit(":", 2)
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit() and parts[0]:
            return cls(parts[0], int(parts[1]), int(parts[2]))
        parts = location.rsplit(":", 1)
        if len(parts) == 2 and parts[1].isdigit() and parts[0]:
            return cls(parts[0], int(parts[1]))
        return cls(location)

    def properties(self) -> list[tuple[str, str]]:
        props = [("file", _in_workspace(self.file))] if self.file else []
        if self.file and self.line is not None:
            props.append(("line", str(self.line)))
            if self.col is not None:
                props.append(("col", str(self.col)))
        return props


def _in_workspace(file: str) -> str:
    """An absolute path under the checkout made relative: GitHub attaches annotations to repo-relative paths."""
    path = Path(file)
    if not path.is_absolute():
        return file
    root = Path(os.environ.get("GITHUB_WORKSPACE") or os.getcwd())
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return file


def command(kind: str, message: str, properties: list[tuple[str, str]]) -> str:
    props = ",".join(f"{k}={escape_property(v)}" for k, v in properties if v)
    return f"::{kind}{' ' + props if props else ''}::{escape_data(message)}"


def _level(rule: RuleResult) -> str | None:
    """error for a failure (advisory rules only warn) and for anything that blocks the verdict; else warning."""
    blocking = rule.severity in (Severity.VETO, Severity.REQUIRED)
    if rule.status in (Status.FAIL, Status.ERROR):
        return "warning" if rule.severity is Severity.ADVISORY else "error"
    if rule.status is Status.UNKNOWN:
        return "error" if blocking else "warning"
    if rule.status is Status.WARN:
        return "warning"
    return None


def _message(rule: RuleResult, lang: Lang) -> str:
    lines = [f"{status_label(rule.status, lang)} · {fmt_points(rule)}"]
    if rule.message:
        lines.append(rule.message)
    for item in rule.failing[:ITEM_LIMIT]:
        lines.append(f"- {item.key}: {item.detail} [{item_source(item)}]".rstrip())
    if len(rule.failing) > ITEM_LIMIT:
        lines.append(label("more", lang, n=len(rule.failing) - ITEM_LIMIT, id=rule.id))
    if rule.repair:
        lines.append(label("repair", lang, text=rule.repair))
    if rule.owner:
        lines.append(label("owner", lang, owner=rule.owner))
    return "\n".join(lines)


def _rule_command(rule: RuleResult, lang: Lang) -> str | None:
    level = _level(rule)
    if level is None:
        return None
    props = [*Where.parse(rule.location).properties(), ("title", f"{rule.id} {rule_title(rule, lang)}")]
    return command(level, _message(rule, lang), props)


def _waiver_command(waiver: WaiverInfo, lang: Lang) -> str:
    who = " ".join(p for p in (waiver.rule, waiver.key or "") if p)
    until = waiver.expires.isoformat() if waiver.expires else "–"
    msg = label("expired_on", lang, reason=waiver.reason, approver=waiver.approver, date=until)
    props = [*Where.parse(waiver.location).properties(), ("title", f"{label('expired_waivers', lang)}: {who}")]
    return command("warning", msg, props)


def _diagnostic_command(diag: DiagnosticInfo) -> str:
    level = {"error": "error", "warning": "warning"}.get(diag.severity, "notice")
    return command(level, diag.message or diag.text, [*Where.parse(diag.location).properties(), ("title", "kepu")])


class GithubReporter(Reporter):
    """Annotations for pull requests: gaps on the rule's line, expired waivers, warnings, and the verdict."""

    format: ClassVar[str] = "github"
    extension: ClassVar[str] = ".txt"
    description: ClassVar[Msg] = Msg("GitHub Actions 注释（::error / ::warning）",
                                     "GitHub Actions annotations (::error / ::warning)")

    def render(self, report: Report, options: ReportOptions) -> str:
        lang = lang_of(report)
        lines = [c for rule in report.gaps() if (c := _rule_command(rule, lang)) is not None]
        lines += [_waiver_command(w, lang) for w in report.waivers if w.expired]
        lines += [_diagnostic_command(d) for d in report.diagnostics]
        summary = "  ".join(verdict_parts(report, lang))
        lines.append(command("notice", summary, [("title", report_heading(report, lang))]))
        return "\n".join(lines) + "\n"
