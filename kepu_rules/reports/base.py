"""The reporter interface: a format renders a Report to text."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from kepu_rules.i18n import Msg
from kepu_rules.reports.model import Report


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """Choices that shape a rendering without changing the report."""

    group_by: str | None = None  # "owner", "section", or an entity name such as 街道
    color: bool = False
    verbose: bool = False


class Reporter(ABC):
    """One output format. Subclasses set `format`, `extension`, `description` and implement `render`."""

    format: ClassVar[str]
    extension: ClassVar[str]
    description: ClassVar[Msg]

    @abstractmethod
    def render(self, report: Report, options: ReportOptions) -> str:
        """The whole output as text (the CLI writes it to the terminal or to `-o FILE`)."""
