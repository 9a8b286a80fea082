"""The csv source's columnar read: DuckDB splits the file, Python types each distinct text once.

When the columnar engine evaluates (SourceContext.columnar), a CSV file is loaded straight into its
DuckDB store instead of becoming a Python Row per line (kepu_rules.facts.deferred). The table holds
what the Python reader would have read, by construction:

- DuckDB splits the records. Each must be one non-blank physical line, so that a row knows its line:
  a record spanning lines makes the counts differ. Lines holding a quote are split by Python's csv
  module as well, and both must agree.
- Each distinct text of a mapped column is typed by the converter the Python reader uses; the typed
  column is a join with those values.
- Totals rows are found by `is_total_row` itself, run on the records whose first cell could start one;
  rows with nothing in the mapped columns are left out, as the Python reader leaves them out.

Whenever it cannot be sure (a text that does not convert, a required field left empty, a record with
too many cells, DuckDB refusing the file), `load` returns None and the source reads the file in
Python, which reports every problem with its line and column as always. Rows are built only when
asked for, by the Python reader's own `records_reader`.
"""

from __future__ import annotations

import contextlib
import copy as _copy
import csv
import os
import tempfile
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kepu_rules.engine.columnar.tables import ColumnarStore, Unusable, sql_type_of, sql_values
from kepu_rules.facts.coerce import MISSING_MARKERS, BadValue
from kepu_rules.facts.deferred import Deferred
from kepu_rules.facts.schema import EntityDef, FieldType
from kepu_rules.facts.table import Row, Value

from .columns import Column, RowBuilder, is_total_row

if TYPE_CHECKING:
    from .csv_source import RecordsReader

_MISSING = object()
#: Types whose values come back from DuckDB as exactly what the Python reader reads (not numbers and
#: percents: DECIMAL comes back as Decimal, where the reader gives int or Fraction).
_SAME_IN_PYTHON = frozenset({FieldType.TEXT, FieldType.INTEGER, FieldType.DATE, FieldType.BOOL})

#: A first cell after which this one makes the row a totals row, if the first cell could start one.
_TOTAL = "合计"


def load(store: ColumnarStore, text: str, delimiter: str, header_row: int, width: int, entity: EntityDef,
         columns: list[Column], builder: RowBuilder, read: RecordsReader) -> NativeCsv | None:
    """The file's rows as a table of `store`, or None when the Python reader must read them.

    `width` is the number of header cells; `read` is the source's record reader
    (csv_source.records_reader), `builder` the RowBuilder it uses.
    """
    import duckdb

    if "\x00" in text or text.count("\r") != text.count("\r\n"):
        return None  # NULs and lone carriage returns split lines differently in the two parsers
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if max(map(len, lines), default=0) >= csv.field_size_limit():
        return None  # the csv module refuses such a cell; the Python reader says where
    raw = store.name("csv")
    try:
        header_end = _header_end(lines, delimiter, header_row)
        # DuckDB skips blank lines: the physical line (1-based) of each record it returns.
        record_lines = [n for n in range(header_end + 1, len(lines) + 1) if lines[n - 1] not in ("", "\r")]
        _read_csv(store, raw, "\n".join(lines[header_end:]), delimiter, width)
        counted = store.con.execute(f"SELECT count(*) FROM {raw}").fetchone()
        if counted is None or counted[0] != len(record_lines):
            return None
        if not _quoted_lines_agree(store, raw, lines, record_lines, delimiter, width):
            return None
        totals = _totals(store, raw)
        return _typed(store, raw, entity, columns, builder, read, totals, lines, record_lines, delimiter)
    except (duckdb.Error, csv.Error, StopIteration, OSError, _Unsure):  # OSError: no temporary file
        with contextlib.suppress(duckdb.Error):
            store.con.execute(f"DROP TABLE IF EXISTS {raw}")
        return None


class _Unsure(Exception):
    """The columnar read cannot vouch for giving what the Python reader gives."""


def _header_end(lines: list[str], delimiter: str, header_row: int) -> int:
    """The physical line the header record ends on (a quoted header cell may span lines)."""
    reader = csv.reader((line + "\n" for line in lines), delimiter=delimiter, strict=False)
    for _ in range(header_row):
        next(reader)
    return reader.line_num


def _read_csv(store: ColumnarStore, name: str, data: str, delimiter: str, width: int) -> None:
    """Table `name`: the records of `data`, `width` text columns c0..., NULL for empty or absent cells."""
    # DuckDB reads UTF-8 files only; the text was decoded from whatever the file is in.
    handle, path = tempfile.mkstemp(suffix=".csv", prefix="kepu-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(data)
        spec = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(max(width, 1)))
        store.con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv(?, header = false, auto_detect = false, "
            f"delim = ?, quote = '\"', escape = '\"', null_padding = true, columns = {{{spec}}})",
            [path, delimiter])
    finally:
        os.unlink(path)


def _cells(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter, strict=False), [])


def _quoted_lines_agree(store: ColumnarStore, raw: str, lines: list[str], record_lines: list[int],
                        delimiter: str, width: int) -> bool:
    """Whether DuckDB split every line holding a quote as Python's csv module does."""
    quoted = [i for i, n in enumerate(record_lines) if '"' in lines[n - 1]]
    if not quoted:
        return True
    found = store.con.execute(f"SELECT rowid, * FROM {raw} WHERE rowid IN (SELECT unnest(?))", [quoted]).fetchall()
    by_row = {r[0]: r[1:] for r in found}
    for i in quoted:
        cells = _cells(lines[record_lines[i] - 1], delimiter)
        if any(c.strip() for c in cells[width:]):
            return False
        expected = tuple((c or None) for c in cells[:width]) + (None,) * (width - len(cells))
        if by_row.get(i, ())[:width] != expected:
            return False
    return True


def _totals(store: ColumnarStore, raw: str) -> set[int]:
    """The rowids of totals rows: `is_total_row` on the records whose first cell could start one."""
    # A plain text (see `plain`) starts a totals row only as TOTAL or SUBTOTAL, which have a t.
    firsts = [r[0] for r in store.con.execute(
        f"SELECT DISTINCT c0 FROM {raw} WHERE c0 IS NOT NULL AND (NOT {_plain_sql('c0')} OR contains(lower(c0), 't'))").fetchall()]
    starters = [v for v in firsts if is_total_row([v, _TOTAL])]
    found = store.con.execute(
        f"SELECT rowid, * FROM {raw} WHERE c0 IS NULL OR c0 IN (SELECT unnest(?::VARCHAR[]))", [starters]).fetchall()
    return {r[0] for r in found if is_total_row(["" if c is None else c for c in r[1:]])}


#: Missing markers a plain text could be (see `plain`).
_ASCII_MARKERS = sorted(m for m in MISSING_MARKERS if m.isascii() and m)
#: `plain` in SQL: RE2 syntax, the same test.
_PLAIN_RE = r"[!-~](?:[\x01-\x7f]*[!-~])?"


def plain(text: str) -> bool:
    """Whether a text field reads this text as itself: ASCII, nothing to strip, not a missing marker,
    not an Excel error (see coerce._to_text). Ids and codes are; their columns then need no Python."""
    return (text.isascii() and "!" <= text[0] <= "~" and "!" <= text[-1] <= "~" and text[0] != "#"
            and text not in MISSING_MARKERS)


def _plain_sql(column: str) -> str:
    markers = ", ".join("'" + m.replace("'", "''") + "'" for m in _ASCII_MARKERS)
    return (f"(regexp_full_match({column}, '{_PLAIN_RE}') AND NOT starts_with({column}, '#') "
            f"AND {column} NOT IN ({markers}))")


def _typed(store: ColumnarStore, raw: str, entity: EntityDef, columns: list[Column], builder: RowBuilder,
           read: RecordsReader, totals: set[int], lines: list[str], record_lines: list[int], delimiter: str) -> NativeCsv:
    con = store.con
    epoch = builder.excel_epoch
    wanted = store.wanted.get(entity.name, set()) if store.wanted is not None else None
    key = entity.key
    maps: dict[str, dict[str, Value]] = {}
    joins: list[str] = []
    selects: list[str] = []
    present: list[str] = []  # per eager column: whether the row has a value there
    lazy: list[Column] = []
    typed_columns: dict[str, str] = {}
    unusable: set[str] = set()
    required: list[str] = []
    temp: list[str] = []
    # Which texts of each column Python must read: all of them, those that are not plain (text
    # columns), or those that could be an Excel error (columns no rule reads). One query for all.
    wheres: list[str] = []
    lazy_columns: set[int] = set()
    for c in columns:
        kind = c.type if c.field.type is FieldType.REF else c.field.type
        if kind is FieldType.TEXT and wanted is not None and c.field.name not in wanted and not c.field.required \
                and c.field.type is not FieldType.REF and (key is None or key.name != c.field.name):
            lazy.append(c)
            lazy_columns.add(c.index)
            wheres.append(f"contains(c{c.index}, '#')")
        else:
            wheres.append(f"NOT {_plain_sql(f'c{c.index}')}" if kind is FieldType.TEXT else "true")
    found = con.execute("SELECT " + ", ".join(
        f"list(DISTINCT c{c.index}) FILTER (WHERE c{c.index} IS NOT NULL AND {w})"
        for c, w in zip(columns, wheres, strict=True)) + f" FROM {raw}").fetchone()
    distinct = [list(v or []) for v in found] if found is not None else [[] for _ in columns]
    for c, texts in zip(columns, distinct, strict=True):
        convert = builder.converter(c)
        if convert(None, epoch, False) is not None:
            raise _Unsure(c.field.name)  # an empty cell would read as a value
        try:
            values = [convert(t, epoch, False) for t in texts]
        except BadValue:
            raise _Unsure(c.field.name) from None
        if c.index in lazy_columns:  # no rule reads it: what counts is only that none fails
            unusable.add(c.field.name)
            continue
        kind = c.type if c.field.type is FieldType.REF else c.field.type
        cell = f"r.c{c.index}"
        is_text = kind is FieldType.TEXT
        maps[c.field.name] = dict(zip(texts, values, strict=True))
        m = store.name("m")
        temp.append(m)
        try:
            typed: list[Any] | None = sql_values(values, kind)
        except Unusable:
            typed = None
        params: list[Any] = [texts, [v is not None for v in values]]
        value_select = ""
        if typed is not None:
            params.append(typed)
            value_select = f", CAST(unnest($3) AS {sql_type_of(kind)}) AS v"
        con.execute(f"CREATE TEMP TABLE {m} AS SELECT unnest($1::VARCHAR[]) AS raw, unnest($2::BOOLEAN[]) AS present"
                    f"{value_select}", params)
        joins.append(f"LEFT JOIN {m} ON {cell} = {m}.raw")
        is_present = f"coalesce({m}.present, false)"
        value = f"{m}.v"
        if is_text:  # the map holds the texts that are not plain; a plain one reads as itself
            is_present = f"({cell} IS NOT NULL AND ({_plain_sql(cell)} OR {is_present}))"
            value = f"CASE WHEN {_plain_sql(cell)} THEN {cell} ELSE {m}.v END"
        present.append(is_present)
        if c.field.required:
            required.append(is_present)
        if typed is not None:
            column = typed_columns[c.field.name] = f"f{len(typed_columns)}"
            selects.append(f"{value} AS {column}")
        else:
            unusable.add(c.field.name)
    filled = " OR ".join(present) or "false"
    unfilled = f"NOT ({' AND '.join(required)})" if required else "false"
    # Every row but the totals, typed, in one pass over the joins. Mostly every one of them is kept
    # and this is the table; rows with nothing in the mapped columns make a second, renumbered one.
    staged = store.name("e")
    con.execute(
        f"CREATE TABLE {staged} AS SELECT CAST(row_number() OVER (ORDER BY r.rowid) - 1 AS BIGINT) AS _rid, "
        f"r.rowid AS _row{''.join(', ' + s for s in selects)}, ({filled}) AS _filled, ({unfilled}) AS _unfilled "
        f"FROM {raw} r {' '.join(joins)} WHERE r.rowid NOT IN (SELECT unnest(?::BIGINT[]))", [sorted(totals)])
    for m in temp:
        con.execute(f"DROP TABLE {m}")
    found = con.execute(f"SELECT count(*) FILTER (WHERE NOT _filled) FROM {staged}").fetchone()
    table = staged
    if found is not None and found[0]:
        # Rows with nothing in the eager columns are kept if a lazy one reads as a value: few, in Python.
        extra = _filled_by_lazy(con, raw, staged, lazy, builder) if lazy else []
        table = store.name("e")
        con.execute(
            f"CREATE TABLE {table} AS SELECT CAST(row_number() OVER (ORDER BY _row) - 1 AS BIGINT) AS _rid, "
            f"* EXCLUDE (_rid) FROM {staged} WHERE _filled OR _row IN (SELECT unnest(?::BIGINT[]))", [extra])
        con.execute(f"DROP TABLE {staged}")
        found = con.execute(f"SELECT list(_row ORDER BY _rid) FROM {table}").fetchone()
        rows_of: list[int] = (found[0] if found is not None else None) or []
    else:
        rows_of = [r for r in range(len(record_lines)) if r not in totals]
    found = con.execute(f"SELECT bool_or(_unfilled) FROM {table}").fetchone()
    if found is not None and found[0]:
        raise _Unsure("a required field is empty")
    return NativeCsv(entity, table, typed_columns, unusable, store, raw, [record_lines[r] for r in rows_of], lines,
                     delimiter, read, builder, columns, maps)


def _filled_by_lazy(con: Any, raw: str, staged: str, lazy: list[Column], builder: RowBuilder) -> list[int]:
    """The rowids of rows with nothing in the eager columns but a value in a lazy one."""
    cells = ", ".join(f"r.c{c.index}" for c in lazy)
    found = con.execute(f"SELECT r.rowid, {cells} FROM {staged} t JOIN {raw} r ON r.rowid = t._row "
                        f"WHERE NOT t._filled").fetchall()
    epoch = builder.excel_epoch
    converts = [builder.converter(c) for c in lazy]
    return [r[0] for r in found
            if any(t is not None and convert(t, epoch, False) is not None for t, convert in zip(r[1:], converts, strict=True))]


class NativeCsv(Deferred):
    """The rows of one CSV file in a ColumnarStore (see the module's docstring)."""

    def __init__(self, entity: EntityDef, table: str, columns: dict[str, str], unusable: set[str],
                 store: ColumnarStore, raw: str, lines_of: list[int], lines: list[str], delimiter: str,
                 read: RecordsReader, builder: RowBuilder, file_columns: list[Column],
                 maps: dict[str, dict[str, Value]]) -> None:
        self.entity = entity.name
        self.table = table
        self.columns = columns
        self.unusable = unusable
        self.connection = store.con
        self._store = store
        self._raw = raw  # the file's cells as text, by rowid; `table` has each row's rowid in _row
        self._lines_of = lines_of  # rid -> physical line
        self._lines = lines
        self._delimiter = delimiter
        self._read = read
        self._maps = maps  # field -> {text: value}, filled in as texts are read
        self._indexes = {c.field.name: c.index for c in file_columns}  # field -> column in the file
        self._converters = {c.field.name: builder.converter(c) for c in file_columns}
        self._epoch = builder.excel_epoch
        self._kinds = {c.field.name: c.type if c.field.type is FieldType.REF else c.field.type for c in file_columns}
        self._column_values: dict[str, list[Value]] = {}  # field -> its value in each row, by rid
        self._key = entity.key.name if entity.key else None
        self._built: dict[int, Row] = {}
        self._building = threading.Lock()

    def __len__(self) -> int:
        return len(self._lines_of)

    def row(self, rid: int) -> Row:
        found = self._built.get(rid)
        return found if found is not None else self.rows([rid])[0]

    def rows(self, rids: Sequence[int]) -> list[Row]:
        built = self._built
        if any(rid not in built for rid in rids):
            with self._building:  # a row is built once, whichever thread asks first
                todo = [rid for rid in rids if rid not in built]
                if todo:
                    self._build(todo)
        return [built[rid] for rid in rids]

    def _build(self, rids: list[int]) -> None:
        lines, text = self._lines_of, self._lines
        numbers = [lines[rid] for rid in rids]
        records = zip(numbers, csv.reader([text[n - 1] for n in numbers], delimiter=self._delimiter, strict=False),
                      strict=True)
        made = self._read(records)
        if len(made) != len(rids):  # the table keeps only the rows the reader builds
            raise AssertionError(f"{self.entity}: lines {numbers} did not all read as rows")
        for rid, row in zip(rids, made, strict=True):
            if self._key is not None:
                row.key = row.values.get(self._key)
            self._built[rid] = row

    def index(self, field: str) -> dict[Value, list[int]]:
        values = self._maps.get(field)
        if values is None:
            return {}
        found = self._store.fetchall(
            f"SELECT r.c{self._indexes[field]}, list(e._rid) FROM {self.table} e JOIN {self._raw} r ON r.rowid = e._row "
            f"WHERE r.c{self._indexes[field]} IS NOT NULL GROUP BY ALL")
        index: dict[Value, list[int]] = {}
        for text, rids in found:
            value = values.get(text, text)  # a text column maps only the texts that are not plain
            if value is not None:
                index.setdefault(value, []).extend(rids)
        for rids in index.values():
            rids.sort()
        return index

    def values(self, field: str, rids: Sequence[int]) -> list[Value]:
        if field not in self._indexes:
            return [None] * len(rids)
        column = self._column_values.get(field)
        if column is None:
            column = self._column_values[field] = self._read_column(field)
        if isinstance(rids, range) and rids == range(len(column)):
            return list(column)
        return [column[rid] for rid in rids]

    def _read_column(self, field: str) -> list[Value]:
        """The field's value in every row, by rid. DuckDB sends each distinct value once and a small
        integer per row: for a column of a few categories that is half the time of a value per row."""
        typed = self.columns.get(field)
        exact = typed is not None and self._kinds[field] in _SAME_IN_PYTHON
        if exact:  # DuckDB gives these back as the very values the Python reader reads
            rows = f"SELECT _rid, {typed} AS t FROM {self.table}"
        else:  # numbers come back as Decimal: type the file's texts as the Python reader does
            rows = (f"SELECT e._rid, r.c{self._indexes[field]} AS t FROM {self.table} e "
                    f"JOIN {self._raw} r ON r.rowid = e._row")
        found = self._store.fetchone(
            f"WITH s AS ({rows}), d AS (SELECT DISTINCT t FROM s), "
            f"k AS (SELECT t, CAST(row_number() OVER (ORDER BY t NULLS FIRST) AS INTEGER) - 1 AS k FROM d) "
            f"SELECT (SELECT list(t ORDER BY k) FROM k), list(k.k ORDER BY s._rid) "
            f"FROM s JOIN k ON s.t IS NOT DISTINCT FROM k.t")
        distinct, codes = found if found is not None and found[0] is not None else ([], [])
        if not exact:
            distinct = [None if t is None else self._value_of(field, t) for t in distinct]
        return [distinct[k] for k in codes]

    def _value_of(self, field: str, text: str) -> Value:
        mapped = self._maps.setdefault(field, {})  # a column no rule reads has none yet (see _typed)
        value = mapped.get(text, _MISSING)
        if value is _MISSING:
            value = mapped[text] = self._converters[field](text, self._epoch, False)
        return value

    def until(self, field: str, day: Any) -> NativeCsv | None:
        column = self.columns.get(field)
        if column is None or self._kinds.get(field) is not FieldType.DATE:
            return None
        # The kept rows renumbered in order in a new table; _row still points at the file's cells.
        kept = f"NOT coalesce({column} > ?, false)"
        table = self._store.name("e")
        with self._store.lock:
            self.connection.execute(
                f"CREATE TABLE {table} AS SELECT CAST(row_number() OVER (ORDER BY _rid) - 1 AS BIGINT) AS _rid, "
                f"* EXCLUDE (_rid) FROM {self.table} WHERE {kept} ORDER BY _rid", [day])
        found = self._store.fetchone(f"SELECT list(_rid ORDER BY _rid) FROM {self.table} WHERE {kept}", [day])
        rids: list[int] = (found[0] if found is not None else None) or []
        copy = _copy.copy(self)
        copy.table = table
        copy._lines_of = [self._lines_of[rid] for rid in rids]
        copy._column_values = {}
        copy._built = {}
        copy._building = threading.Lock()
        return copy

    def filled_and_unique(self, field: str) -> bool:
        column = self.columns.get(field)
        if column is None:
            return super().filled_and_unique(field)
        found = self._store.fetchone(
            f"SELECT count({column}) = count(*) AND count(DISTINCT {column}) = count(*) FROM {self.table}")
        return bool(found and found[0])
