"""The reporter interface: a format renders a Report to text."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from kepu_rules.diagnostics import Diagnostic
from kepu_rules.i18n import Lang, Msg
from kepu_rules.reports.model import Report


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """Choices that shape a rendering without changing the report."""

    group_by: str | None = None  # "owner", "section", or an entity name such as 街道
    color: bool = False
    verbose: bool = False
    # The folder of kepu.yaml: data paths are written relative to it, and CI formats name files
    # relative to the repository root.
    project_dir: Path | None = None


class Reporter(ABC):
    """One output format. Subclasses set `format`, `extension`, `description` and implement `render`."""

    format: ClassVar[str]
    extension: ClassVar[str]
    description: ClassVar[Msg]

    @abstractmethod
    def render(self, report: Report, options: ReportOptions) -> str:
        """The whole output as text (the CLI writes it to the terminal or to `-o FILE`)."""

    def render_input_errors(self, diagnostics: list[Diagnostic], lang: Lang, options: ReportOptions) -> str | None:
        """What this format says when the input is wrong and there is no report (exit 2), or None to stay
        silent. CI formats answer, so a wrong ledger cell reaches the pull request and the test dashboard."""
        return None
