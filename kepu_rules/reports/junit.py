"""JUnit XML for CI dashboards: a testsuite per section, a testcase per rule."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import ClassVar

from kepu_rules.diagnostics import Diagnostic
from kepu_rules.i18n import Lang, Msg
from kepu_rules.reports.base import Reporter, ReportOptions
from kepu_rules.reports.ci_paths import CiPaths
from kepu_rules.reports.model import Report, RuleResult, Status
from kepu_rules.reports.text import (
    fmt_num,
    fmt_points,
    item_source,
    label,
    lang_of,
    rule_title,
    ruleset_title,
    severity_label,
    status_label,
)

# XML 1.0 cannot carry these at all, not even as character references; ledgers do contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ITEM_LIMIT = 50  # CI logs get long fast; `kepu explain` lists every item


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _kind(rule: RuleResult) -> str | None:
    """Which JUnit child a rule gets. Unknown is an error so CI notices that something could not be checked."""
    if rule.status is Status.FAIL:
        return "failure"
    if rule.status in (Status.ERROR, Status.UNKNOWN):
        return "error"
    if rule.status in (Status.NOT_APPLICABLE, Status.WAIVED):
        return "skipped"
    return None  # pass and warn pass; a warning goes to system-out


def _details(rule: RuleResult, lang: Lang, paths: CiPaths) -> str:
    """The body of a failure: explanation, measured vs target, failing items with evidence, repair, hint."""
    lines = [f"{rule.id} {rule_title(rule, lang)}",
             f"{status_label(rule.status, lang)} · {severity_label(rule.severity, lang)} · {fmt_points(rule)}"]
    if rule.message:
        lines.append(rule.message)
    if rule.measured_text or rule.target_text:
        lines.append(f"{label('measured', lang)}: {rule.measured_text or '–'}  "
                     f"{label('target', lang)}: {rule.target_text or '–'}")
    for item in rule.failing[:ITEM_LIMIT] + rule.unknown_items[:ITEM_LIMIT]:
        lines.append(f"  {item.entity} {item.key}: {item.detail}  [{item_source(item)}]".rstrip())
    hidden = max(0, len(rule.failing) - ITEM_LIMIT) + max(0, len(rule.unknown_items) - ITEM_LIMIT)
    if hidden:
        lines.append("  " + label("more", lang, n=hidden, id=rule.id))
    if rule.repair:
        lines.append(label("repair", lang, text=rule.repair))
    if rule.hint:
        lines.append(label("hint", lang, text=rule.hint))
    if rule.owner:
        lines.append(label("owner", lang, owner=rule.owner))
    if rule.location:
        path, sep, line = rule.location.rpartition(":")
        where = f"{paths.show(path)}:{line}" if sep and line.isdigit() else paths.show(rule.location)
        lines.append(f"{label('location', lang)}: {where}")
    return "\n".join(lines)


def _skip_message(rule: RuleResult, lang: Lang) -> str:
    if rule.status is Status.WAIVED and rule.waiver is not None:
        return f"{status_label(rule.status, lang)}: {rule.waiver.reason} ({rule.waiver.approver})"
    return f"{status_label(rule.status, lang)}: {rule.message}".rstrip(": ")


def _testcase(rule: RuleResult, lang: Lang, suite: str, paths: CiPaths) -> ET.Element:
    case = ET.Element("testcase", classname=xml_text(suite), name=xml_text(f"{rule.id} {rule_title(rule, lang)}"),
                      time="0")
    if rule.location:
        path, _, line = rule.location.rpartition(":")
        if path and line.isdigit():
            case.set("file", xml_text(paths.show(path)))
            case.set("line", line)
    kind = _kind(rule)
    first_line = rule.message or status_label(rule.status, lang)
    if kind in ("failure", "error"):
        child = ET.SubElement(case, kind, message=xml_text(first_line), type=rule.status.value)
        child.text = xml_text(_details(rule, lang, paths))
    elif kind == "skipped":
        ET.SubElement(case, "skipped", message=xml_text(_skip_message(rule, lang)))
    elif rule.status is Status.WARN:
        ET.SubElement(case, "system-out").text = xml_text(_details(rule, lang, paths))
    return case


def _suite(name: str, rules: list[RuleResult], lang: Lang, report: Report, paths: CiPaths) -> ET.Element:
    kinds = [_kind(r) for r in rules]
    suite = ET.Element("testsuite", name=xml_text(name), tests=str(len(rules)),
                       failures=str(kinds.count("failure")), errors=str(kinds.count("error")),
                       skipped=str(kinds.count("skipped")), time="0", timestamp=report.as_of.isoformat())
    group = next((g for g in report.summary.sections if g.name == name), None)
    if group is not None:
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="score", value=fmt_num(group.score))
        ET.SubElement(props, "property", name="max_score", value=fmt_num(group.max_score))
    suite.extend(_testcase(r, lang, name, paths) for r in rules)
    return suite


def _sections(report: Report) -> dict[str, list[RuleResult]]:
    by_section: dict[str, list[RuleResult]] = {}
    for rule in report.results:
        by_section.setdefault(rule.section, []).append(rule)
    return by_section


class JunitReporter(Reporter):
    """fail → <failure>, error and unknown → <error>, not applicable and waived → <skipped>."""

    format: ClassVar[str] = "junit"
    extension: ClassVar[str] = ".xml"
    description: ClassVar[Msg] = Msg("JUnit XML，供 CI 展示（每个板块一个 testsuite）",
                                     "JUnit XML for CI (one testsuite per section)")

    def render(self, report: Report, options: ReportOptions) -> str:
        lang = lang_of(report)
        paths = CiPaths.here(options.project_dir)
        suites = [_suite(name, rules, lang, report, paths) for name, rules in _sections(report).items()]
        return _document(f"{ruleset_title(report, lang)} · {report.district}", suites)

    def render_input_errors(self, diagnostics: list[Diagnostic], lang: Lang, options: ReportOptions) -> str | None:
        paths = CiPaths.here(options.project_dir)
        name = label("input_suite", lang)
        cases = [_input_case(d, lang, paths) for d in diagnostics]
        failures = sum(1 for d in diagnostics if d.is_error)
        suite = ET.Element("testsuite", name=xml_text(name), tests=str(len(cases)), failures=str(failures),
                           errors="0", skipped="0", time="0")
        suite.extend(cases)
        return _document(name, [suite])


def _input_case(diag: Diagnostic, lang: Lang, paths: CiPaths) -> ET.Element:
    """One diagnostic as a testcase named by its place: failing for an error, passing with its text for a warning."""
    file = paths.show(diag.location.path)
    diag = replace(diag, location=replace(diag.location, path=file))
    case = ET.Element("testcase", classname=xml_text(file), name=xml_text(diag.location.render()), time="0")
    if file:
        case.set("file", xml_text(file))
    if diag.location.line is not None:
        case.set("line", str(diag.location.line))
    text = xml_text(diag.render(lang))
    if diag.is_error:
        ET.SubElement(case, "failure", message=xml_text(diag.message.render(lang)), type=diag.code or "error").text = text
    else:
        ET.SubElement(case, "system-out").text = text
    return case


def _document(name: str, suites: list[ET.Element]) -> str:
    root = ET.Element("testsuites", name=xml_text(name))
    for attr in ("tests", "failures", "errors", "skipped"):
        root.set(attr, str(sum(int(s.get(attr, "0")) for s in suites)))
    root.set("time", "0")
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
