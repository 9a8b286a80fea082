"""GitHub Actions workflow commands: an annotation for every gap (on the failing item's ledger row, else on the
rule's line), a notice with the verdict; and, when the input is wrong, one annotation per diagnostic."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from kepu_rules.diagnostics import Diagnostic, Location
from kepu_rules.i18n import Lang, Msg
from kepu_rules.reports.base import Reporter, ReportOptions
from kepu_rules.reports.ci_paths import CiPaths
from kepu_rules.reports.model import (
    DiagnosticInfo,
    ItemResult,
    Report,
    RuleResult,
    Severity,
    SourceRef,
    Status,
    WaiverInfo,
)
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
    """A place in a file: `path:line[:col]` or `path[sheet]!cell` split into its parts; a bare path keeps no line."""

    file: str = ""
    line: int | None = None
    col: int | None = None
    sheet: str | None = None
    cell: str | None = None

    @classmethod
    def parse(cls, location: str) -> Where:
        sheet = _SHEET_CELL.fullmatch(location)
        if sheet is not None:
            return cls(sheet["file"], sheet=sheet["sheet"], cell=sheet["cell"])
        # split from the right, so a Windows drive (C:\...) or a colon in a folder name stays in the path
        parts = location.rsplit(":", 2)
        if len(parts) == 3 and _number(parts[1]) and _number(parts[2]) and parts[0]:
            return cls(parts[0], int(parts[1]), int(parts[2]))
        parts = location.rsplit(":", 1)
        if len(parts) == 2 and _number(parts[1]) and parts[0]:
            return cls(parts[0], int(parts[1]))
        return cls(location)

    @classmethod
    def of(cls, location: Location) -> Where:
        return cls(location.path, location.line, location.column, location.sheet, location.cell)

    @classmethod
    def of_source(cls, ref: SourceRef) -> Where:
        return cls(ref.file, ref.line, None, ref.sheet, ref.cell)

    def properties(self, paths: CiPaths) -> list[tuple[str, str]]:
        props = [("file", paths.show(self.file))] if self.file else []
        if self.file and self.line is not None:
            props.append(("line", str(self.line)))
            if self.col is not None:
                props.append(("col", str(self.col)))
        return props

    def cell_text(self, lang: Lang) -> str:
        """`工作表 街道 单元格 A4`: GitHub cannot point into a workbook, so the message says where."""
        if self.sheet is None:
            return ""
        return label("cell_at", lang, sheet=self.sheet, cell=self.cell or "–")


#: `data/台账.xlsx[街道]!A4`, how a diagnostic renders a workbook cell (Location.render).
_SHEET_CELL = re.compile(r"(?P<file>.+?\.xls[xm]?)\[(?P<sheet>[^\]]*)\](?:!(?P<cell>[A-Z]+[0-9]+))?", re.IGNORECASE)


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


def _message(rule: RuleResult, lang: Lang, defined_at: str) -> str:
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
    if defined_at:
        lines.append(label("defined_at", lang, where=defined_at))
    return "\n".join(lines)


def _first_place(items: list[ItemResult]) -> Where | None:
    """The ledger row of the first item read from a file: where a reviewer fixes the gap."""
    for item in items:
        for ref in item.sources:
            if ref.file and (ref.line is not None or ref.sheet is not None):
                return Where.of_source(ref)
    return None


def _rule_command(rule: RuleResult, lang: Lang, paths: CiPaths) -> str | None:
    level = _level(rule)
    if level is None:
        return None
    defined = Where.parse(rule.location)
    title = ("title", f"{rule.id} {rule_title(rule, lang)}")
    place = _first_place([*rule.failing, *rule.unknown_items])
    if place is None:
        return command(level, _message(rule, lang, ""), [*defined.properties(paths), title])
    # On the ledger; the rule's own line goes into the message, named as CI can show it.
    where = paths.show(defined.file) + (f":{defined.line}" if defined.line is not None else "")
    return command(level, _message(rule, lang, where if defined.file else ""), [*place.properties(paths), title])


def _waiver_command(waiver: WaiverInfo, lang: Lang, paths: CiPaths) -> str:
    who = " ".join(p for p in (waiver.rule, waiver.key or "") if p)
    until = waiver.expires.isoformat() if waiver.expires else "–"
    msg = label("expired_on", lang, reason=waiver.reason, approver=waiver.approver, date=until)
    props = [*Where.parse(waiver.location).properties(paths), ("title", f"{label('expired_waivers', lang)}: {who}")]
    return command("warning", msg, props)


def _level_of(severity: str) -> str:
    return {"error": "error", "warning": "warning"}.get(severity, "notice")


def _with_cell(where: Where, message: str, lang: Lang) -> str:
    cell = where.cell_text(lang)
    return f"{cell}: {message}" if cell and lang == "en" else f"{cell}：{message}" if cell else message


def _diagnostic_command(diag: DiagnosticInfo, lang: Lang, paths: CiPaths) -> str:
    where = Where.parse(diag.location)
    message = _with_cell(where, diag.message or diag.text, lang)
    return command(_level_of(diag.severity), message, [*where.properties(paths), ("title", "kepu")])


def input_error_command(diag: Diagnostic, lang: Lang, paths: CiPaths) -> str:
    """`::error file=data/科普活动.csv,line=421,col=5,title=kepu 输入错误::…`: one wrong input, on its cell."""
    where = Where.of(diag.location)
    lines = [_with_cell(where, diag.message.render(lang), lang)]
    lines += [note.render(lang) for note in diag.notes]
    if diag.hint is not None:
        lines.append(label("hint", lang, text=diag.hint.render(lang)))
    title = label("input_error", lang) + (f" ({diag.code})" if diag.code else "")
    return command(_level_of(diag.severity), "\n".join(lines), [*where.properties(paths), ("title", title)])


class GithubReporter(Reporter):
    """Annotations for pull requests: gaps on the rule's line, expired waivers, warnings, and the verdict."""

    format: ClassVar[str] = "github"
    extension: ClassVar[str] = ".txt"
    description: ClassVar[Msg] = Msg("GitHub Actions 注释（::error / ::warning）",
                                     "GitHub Actions annotations (::error / ::warning)")

    def render(self, report: Report, options: ReportOptions) -> str:
        lang = lang_of(report)
        paths = CiPaths.here(options.project_dir)
        lines = [c for rule in report.gaps() if (c := _rule_command(rule, lang, paths)) is not None]
        lines += [_waiver_command(w, lang, paths) for w in report.waivers if w.expired]
        lines += [_diagnostic_command(d, lang, paths) for d in report.diagnostics]
        summary = "  ".join(verdict_parts(report, lang))
        lines.append(command("notice", summary, [("title", report_heading(report, lang))]))
        return "\n".join(lines) + "\n"

    def render_input_errors(self, diagnostics: list[Diagnostic], lang: Lang, options: ReportOptions) -> str | None:
        paths = CiPaths.here(options.project_dir)
        return "".join(input_error_command(d, lang, paths) + "\n" for d in diagnostics)


def _number(text: str) -> bool:
    """A line or column number as diagnostics write it: ASCII digits (`"²".isdigit()` is true, int() refuses it)."""
    return text.isascii() and text.isdigit()
