"""The report formats this package ships, for the built-in plugin to register through `register_reporters`."""

from __future__ import annotations

from kepu_rules.reports.base import Reporter


def all_reporters() -> list[type[Reporter]]:
    """Every built-in format: text, json, junit, markdown, html and github, in the order `--help` lists them."""
    from kepu_rules.reports.github import GithubReporter
    from kepu_rules.reports.html import HtmlReporter
    from kepu_rules.reports.json_report import JsonReporter
    from kepu_rules.reports.junit import JunitReporter
    from kepu_rules.reports.markdown import MarkdownReporter
    from kepu_rules.reports.text import TextReporter

    return [TextReporter, JsonReporter, JunitReporter, MarkdownReporter, HtmlReporter, GithubReporter]
