"""The filter bar: search by id or title, and narrow the rules by status, owner (责任单位) and section."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Select

from kepu_rules.i18n import Lang
from kepu_rules.reports.model import Report, RuleResult, Status
from kepu_tui.widgets.labels import GAP_STATUSES, STATUS_MARK, status_name, t

ALL = ""  # the "no filter" choice of every select; "" never names a status, owner or section
GAPS = "gaps"

#: The order `s` cycles through: all, gaps, then each status.
STATUS_CYCLE: tuple[str, ...] = (ALL, GAPS, *(s.value for s in (
    Status.FAIL, Status.WARN, Status.UNKNOWN, Status.ERROR, Status.PASS, Status.WAIVED, Status.NOT_APPLICABLE)))

# Owners are written as lists ("区科协、各街道"); a unit filters every rule it shares.
_OWNER_SEPARATORS = re.compile(r"[、，,;；/]+")


def owner_units(owner: str | None) -> list[str]:
    """The units (责任单位) named in a rule's owner text: "区科协、各街道" -> ["区科协", "各街道"]."""
    if not owner:
        return []
    # A note in brackets ("各街道（每月通报）") belongs to its unit, so split outside brackets only.
    units: list[str] = []
    depth = 0
    current = ""
    for ch in owner:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        if depth == 0 and _OWNER_SEPARATORS.fullmatch(ch):
            units.append(current.strip())
            current = ""
        else:
            current += ch
    units.append(current.strip())
    return [u for u in units if u]


@dataclass(frozen=True, slots=True)
class Filters:
    """What the rule tree shows: a status choice, an owner unit, a section, and a search text."""

    status: str = ALL  # ALL, GAPS, or a Status value
    owner: str = ALL
    section: str = ALL
    search: str = ""

    @property
    def active(self) -> bool:
        return self != Filters()

    def matches(self, result: RuleResult) -> bool:
        """Whether a rule passes every filter; the search looks at the id and both titles, ignoring case."""
        if self.status == GAPS and result.status not in GAP_STATUSES:
            return False
        if self.status not in (ALL, GAPS) and result.status.value != self.status:
            return False
        if self.owner != ALL and self.owner not in owner_units(result.owner):
            return False
        if self.section != ALL and result.section != self.section:
            return False
        needle = self.search.strip().casefold()
        if needle:
            haystack = " ".join(filter(None, (result.id, result.title, result.title_en))).casefold()
            return needle in haystack
        return True


class FilterBar(Horizontal):
    """One line of controls; posts `FilterBar.Changed` whenever the filters change."""

    DEFAULT_CSS = """
    FilterBar {
        height: 1;
        background: $panel;
    }
    FilterBar Input {
        width: 1fr;
        min-width: 16;
    }
    FilterBar Select {
        width: 1fr;
        max-width: 28;
    }
    FilterBar #status-filter {
        max-width: 18;
    }
    """

    class Changed(Message):
        """The filters changed (a key, a select, or the search text)."""

        def __init__(self, filters: Filters) -> None:
            super().__init__()
            self.filters = filters

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._filters = Filters()
        self._lang: Lang = "zh"
        self._owners: list[str] = []
        self._sections: list[str] = []
        self._choices: dict[str, set[str]] = {}  # the values each select offers, by selector

    def compose(self) -> ComposeResult:
        yield Input(placeholder=t("search", self._lang), id="search", compact=True)
        yield Select[str]([(t("all_statuses", self._lang), ALL)], allow_blank=False, value=ALL,
                          id="status-filter", compact=True)
        yield Select[str]([(t("all_owners", self._lang), ALL)], allow_blank=False, value=ALL,
                          id="owner-filter", compact=True)
        yield Select[str]([(t("all_sections", self._lang), ALL)], allow_blank=False, value=ALL,
                          id="section-filter", compact=True)

    @property
    def filters(self) -> Filters:
        return self._filters

    def set_choices(self, report: Report, lang: Lang) -> None:
        """Fill the selects from a report (owners and sections) in a language, keeping what is chosen."""
        self._lang = lang
        self._sections = list(dict.fromkeys(r.section for r in report.results if r.section))
        self._owners = list(dict.fromkeys(u for r in report.results for u in owner_units(r.owner)))
        self._refresh_options()

    def set_filters(self, filters: Filters) -> None:
        """Show and apply the given filters (keys such as `s` and `x` come through here)."""
        self._filters = filters
        self.query_one("#search", Input).value = filters.search
        self._select_value("#status-filter", filters.status)
        self._select_value("#owner-filter", filters.owner)
        self._select_value("#section-filter", filters.section)
        self.post_message(self.Changed(filters))

    def cycle_status(self) -> None:
        """Step the status filter: all → gaps → fail → … → all."""
        i = STATUS_CYCLE.index(self._filters.status) if self._filters.status in STATUS_CYCLE else 0
        self.set_filters(replace(self._filters, status=STATUS_CYCLE[(i + 1) % len(STATUS_CYCLE)]))

    def open_select(self, which: str) -> None:
        """Focus one of the selects (`owner` or `section`) and open its list."""
        select = self.query_one(f"#{which}-filter", Select)
        select.focus()
        select.expanded = True

    def _select_value(self, selector: str, value: str) -> None:
        self.query_one(selector, Select).value = value if value in self._choices.get(selector, {ALL}) else ALL

    def _refresh_options(self) -> None:
        lang = self._lang
        self.query_one("#search", Input).placeholder = t("search", lang)
        status_options = [(t("all_statuses", lang), ALL), (t("gaps", lang), GAPS)]
        status_options += [(f"{STATUS_MARK[Status(v)]} {status_name(Status(v), lang)}", v) for v in STATUS_CYCLE[2:]]
        self._reset_select("#status-filter", status_options, self._filters.status)
        self._reset_select("#owner-filter", [(t("all_owners", lang), ALL), *((o, o) for o in self._owners)],
                           self._filters.owner)
        self._reset_select("#section-filter", [(t("all_sections", lang), ALL), *((s, s) for s in self._sections)],
                           self._filters.section)
        # An owner or section that vanished on reload is no longer a filter.
        owner = self._filters.owner if self._filters.owner in self._owners else ALL
        section = self._filters.section if self._filters.section in self._sections else ALL
        if (owner, section) != (self._filters.owner, self._filters.section):
            self._filters = replace(self._filters, owner=owner, section=section)
            self.post_message(self.Changed(self._filters))

    def _reset_select(self, selector: str, options: list[tuple[str, str]], value: str) -> None:
        self._choices[selector] = {v for _, v in options}
        select = self.query_one(selector, Select)
        # Owners and sections come from the ruleset: as Text they are shown as written, never as markup.
        select.set_options([(Text(prompt), v) for prompt, v in options])
        select.value = value if value in self._choices[selector] else ALL
        # An unchanged value runs no watcher, so the shown label would stay in the old language.
        select.mutate_reactive(Select.value)  # type: ignore[misc]  # the descriptor itself is what it takes

    # Setting a select or the search box from code posts Changed messages that arrive later, some with
    # values already overwritten (set_options first picks the first option). So the handlers read what the
    # controls show now, never the value an event carries, and only a real difference is announced.

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._apply(self._read())

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._apply(self._read())

    def _read(self) -> Filters:
        def value(selector: str) -> str:
            chosen = self.query_one(selector, Select).value
            return chosen if isinstance(chosen, str) else ALL

        return Filters(value("#status-filter"), value("#owner-filter"), value("#section-filter"),
                       self.query_one("#search", Input).value)

    def _apply(self, filters: Filters) -> None:
        if filters == self._filters:
            return
        self._filters = filters
        self.post_message(self.Changed(filters))
