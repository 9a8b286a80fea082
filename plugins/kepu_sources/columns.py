"""Tabular sources (csv, xlsx): ledger headers to schema fields, and raw cells to typed rows."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.facts.coerce import (
    MISSING_MARKERS,
    BadValue,
    Converter,
    ExcelEpoch,
    coerce,
    converter,
    is_missing,
    ref_type_of,
)
from kepu_rules.facts.provenance import Provenance
from kepu_rules.facts.schema import EntityDef, FieldDef, FieldType, Schema
from kepu_rules.facts.table import Row, Value
from kepu_rules.i18n import Msg

from .common import Problems, did_you_mean, listing

#: First cells that mark a totals row, compared without spaces ("合  计" is common): such rows are skipped.
TOTAL_MARKERS: frozenset[str] = frozenset({"合计", "总计", "小计", "共计", "total", "subtotal"})


#: How many distinct texts per column RowBuilder remembers the typed value of.
CACHE_PER_COLUMN = 4096


def norm_header(text: str) -> str:
    """The form headers are compared in: NFKC (full-width to half-width), no whitespace, case-folded."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def header_text(raw: object) -> str | None:
    """A header cell as text (numbers such as years become "2025"); None for an empty cell."""
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    text = " ".join(str(raw).split())
    return text or None


@dataclass(frozen=True, slots=True)
class Column:
    """A ledger column read as one field."""

    index: int  # 0-based position in the row
    header: str  # the header text that matched, for messages
    field: FieldDef
    type: FieldType  # what values are read as: a REF field reads its target's key type


class HeaderMatcher:
    """Maps header texts to an entity's fields: `columns:` overrides first, then field names and aliases."""

    def __init__(self, entity: EntityDef, schema: Schema, overrides: Mapping[str, str | None],
                 where: Location) -> None:
        self.entity = entity
        self.schema = schema
        self.where = where
        self._fields: dict[str, FieldDef] = {}
        for f in entity.fields.values():
            for name in f.names:
                self._fields.setdefault(norm_header(name), f)
        self._overrides: dict[str, FieldDef | None] = {}
        self._override_headers = {norm_header(h): h for h in overrides}
        problems = [self._add_override(h, name) for h, name in overrides.items()]
        if any(problems):
            raise KepuError([p for p in problems if p is not None])

    def _add_override(self, header: str, name: str | None) -> Diagnostic | None:
        if name is None or name == "":
            self._overrides[norm_header(header)] = None  # `表头: null` ignores a column that would match
            return None
        found = self._fields.get(norm_header(name))
        if found is None:
            names = [n for f in self.entity.fields.values() for n in f.names]
            return Diagnostic(
                self.where,
                Msg(f"columns 把表头“{header}”对应到“{name}”，但实体 {self.entity.name} 没有这个字段",
                    f"columns maps header {header!r} to {name!r}, which is not a field of {self.entity.name}"),
                hint=did_you_mean(name, names) or Msg("字段：", "fields: ") + listing(self.entity.fields),
                code="unknown-field")
        self._overrides[norm_header(header)] = found
        return None

    def match(self, header: str | None) -> tuple[bool, FieldDef | None]:
        """(matched, field); a header `columns:` maps to null is matched to no field."""
        if header is None:
            return False, None
        key = norm_header(header)
        if key in self._overrides:
            return True, self._overrides[key]
        found = self._fields.get(key)
        return found is not None, found

    def score(self, headers: Iterable[str | None]) -> tuple[int, bool]:
        """How many distinct fields a candidate header row names, and whether it names the key."""
        fields = {f.name for f in (self.match(h)[1] for h in headers) if f is not None}
        key = self.entity.key
        return len(fields), key is not None and key.name in fields

    def columns(self, candidates: Sequence[Sequence[str]], what: Msg, label: Callable[[int], str],
                where: Location | None = None) -> list[Column]:
        """One Column per mapped ledger column; a KepuError if a key/required field has no column.

        `candidates[i]` are the header texts of column i, best first (a two-row header tries the
        parent and child joined, then the child alone). `where` is the header row, for errors.
        """
        if where is not None:
            self.where = where
        chosen: dict[str, Column] = {}
        problems: list[Diagnostic] = []
        seen = {norm_header(c) for cands in candidates for c in cands}
        for index, cands in enumerate(candidates):
            hit = self._choose(cands)
            if hit is None:
                continue
            header, field = hit
            column = Column(index, header, field, ref_type_of(field, self.schema))
            first = chosen.get(field.name)
            if first is not None:
                problems.append(self._duplicate(first, column, what, label))
                continue
            chosen[field.name] = column
        problems += [self._unknown_override(h, candidates, what)
                     for k, h in self._override_headers.items() if k not in seen]
        problems += self._missing(chosen, candidates, what)
        if problems:
            raise KepuError(problems)
        return sorted(chosen.values(), key=lambda c: c.index)

    def _choose(self, cands: Sequence[str]) -> tuple[str, FieldDef] | None:
        for cand in cands:  # an explicit `columns:` entry beats a name match on any candidate
            key = norm_header(cand)
            if key in self._overrides:
                field = self._overrides[key]
                return None if field is None else (cand, field)
        for cand in cands:
            found = self._fields.get(norm_header(cand))
            if found is not None:
                return cand, found
        return None

    def _duplicate(self, first: Column, second: Column, what: Msg, label: Callable[[int], str]) -> Diagnostic:
        a, b = label(first.index), label(second.index)
        name = first.field.name
        return Diagnostic(
            self.where,
            Msg(f"{what.zh}中 {a} 列（{first.header}）和 {b} 列（{second.header}）都对应字段 {name}",
                f"{what.en}: columns {a} ({first.header}) and {b} ({second.header}) both map to field {name}"),
            hint=Msg(f"用 columns: 指定其中一列，另一列对应 null 以忽略，如 columns: {{{second.header}: null}}",
                     f"use columns: to choose one, mapping the other to null, e.g. columns: {{{second.header}: null}}"),
            code="duplicate-column")

    def _unknown_override(self, header: str, candidates: Sequence[Sequence[str]], what: Msg) -> Diagnostic:
        found = _first_headers(candidates)
        return Diagnostic(
            self.where,
            Msg(f"columns 中的表头“{header}”在{what.zh}中不存在", f"columns names header {header!r}, which {what.en} does not have"),
            hint=did_you_mean(header, found),
            notes=(Msg("表头：", "headers: ") + listing(found),),
            code="unknown-column")

    def _missing(self, chosen: Mapping[str, Column], candidates: Sequence[Sequence[str]],
                 what: Msg) -> list[Diagnostic]:
        found = _first_headers(candidates)
        problems: list[Diagnostic] = []
        if not chosen:
            problems.append(Diagnostic(
                self.where,
                Msg(f"{what.zh}中没有任何一列对应实体 {self.entity.name} 的字段",
                    f"no column of {what.en} matches a field of {self.entity.name}"),
                notes=(Msg("表头：", "headers: ") + listing(found),
                       Msg("字段：", "fields: ") + listing(self.entity.fields)),
                hint=Msg("检查表头所在行（header_row），或用 columns: 指定对应关系",
                         "check the header row (header_row), or map headers with columns:"),
                code="no-columns"))
            return problems
        for f in self.entity.fields.values():
            if (f.is_key or f.required) and f.name not in chosen:
                role = Msg(f"{self.entity.name} 的主键", f"the key of {self.entity.name}") if f.is_key else \
                    Msg("必填字段", "a required field")
                hint = next((h for n in f.names if (h := did_you_mean(n, found)) is not None), None)
                problems.append(Diagnostic(
                    self.where,
                    Msg(f"{what.zh}中没有“{f.name}”列（{role.zh}）", f"{what.en} has no column for {f.name} ({role.en})"),
                    hint=hint or Msg(f"用 columns: {{表头: {f.name}}} 指定", f"map a header with columns: {{header: {f.name}}}"),
                    notes=(Msg("表头：", "headers: ") + listing(found),),
                    code="missing-column"))
        return problems


def _first_headers(candidates: Sequence[Sequence[str]]) -> list[str]:
    return [c[0] for c in candidates if c]


def is_total_row(raws: Iterable[object]) -> bool:
    """Whether a row is a totals line: its first non-empty cell reads 合计, 总计, 小计 ..."""
    for raw in raws:
        if raw is None:
            continue
        if not isinstance(raw, str):
            return False
        if raw.isascii():
            # As below, without Unicode normalisation, which leaves ASCII as it is (casefold is lower);
            # every ASCII marker (total, subtotal) has a t, which ids and codes mostly do not.
            text = raw.strip()
            if text in MISSING_MARKERS:
                continue
            return ("t" in text or "T" in text) and "".join(text.split()).lower() in TOTAL_MARKERS
        if is_missing(raw):
            continue
        return norm_header(raw) in TOTAL_MARKERS
    return False


class RowBuilder:
    """Coerces the cells of one ledger row into a typed Row, collecting problems instead of stopping."""

    def __init__(self, entity: EntityDef, columns: Sequence[Column], problems: Problems,
                 excel_epoch: ExcelEpoch | None = None) -> None:
        self.entity = entity.name
        self.columns = columns
        self.problems = problems
        self.excel_epoch = excel_epoch
        self._required = [c.field for c in columns if c.field.required]
        # Ledgers repeat values (community names, categories, dates): coercion is pure, so each column
        # remembers what its texts read as. Only texts are cached (1 == True as dict keys), only good
        # values (errors carry their cell), and only so many per column (names are often unique).
        self._cache: dict[int, dict[str, Value]] = {c.index: {} for c in columns}
        self._convert = {c.index: converter(c.field, ref_type=c.type) for c in columns}

    def converter(self, column: Column) -> Converter:
        """The column's converter (see `coerce.converter`): a reader calling it itself caches what it
        returns in `cache(column)`, up to CACHE_PER_COLUMN texts, and passes values it refuses to `value`."""
        return self._convert[column.index]

    def cache(self, column: Column) -> dict[str, Value]:
        """The column's typed values by text so far, for readers that look a text up before calling `value`.

        A text found there reads as its value, without a problem; any other goes through `value`.
        """
        return self._cache[column.index]

    def value(self, values: dict[str, Value], cells: dict[str, Provenance], column: Column, raw: object,
              where: Provenance, percent_cell: bool = False) -> bool:
        """Read one cell into `values`/`cells`; whether it holds something (a value, or a bad one).

        A bad value is recorded as a problem and left out of `values`.
        """
        name = column.field.name
        cache = self._cache[column.index]
        if type(raw) is str and raw in cache:
            value = cache[raw]
        else:
            try:
                value = self._convert[column.index](raw, self.excel_epoch, percent_cell)
            except BadValue:
                # The converter does not know where the value is: coerce() says so, and why.
                try:
                    value = coerce(raw, column.field, where, ref_type=column.type,
                                   excel_epoch=self.excel_epoch, percent_cell=percent_cell)
                except KepuError as exc:
                    self.problems.add_error(exc)
                    return True
            if type(raw) is str and len(cache) < CACHE_PER_COLUMN:
                cache[raw] = value
        values[name] = value
        cells[name] = where
        return value is not None

    def finish(self, values: dict[str, Value], cells: dict[str, Provenance], where: Provenance,
               columns: Mapping[str, int] | None = None) -> Row:
        """The Row, after checking that required fields are filled. `columns`: see `Row`."""
        row = Row(self.entity, values, where, cells, columns)
        for f in self._required:
            # A field missing from `values` already failed to coerce and has its own diagnostic.
            if f.name in values and values[f.name] is None:
                self.problems.add(Diagnostic(
                    row.where(f.name).location(),
                    Msg(f"{f.name} 是必填项，但这一行没有填写", f"{f.name} is required but empty in this row"),
                    code="required-empty"))
        return row
