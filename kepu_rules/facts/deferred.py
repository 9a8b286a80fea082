"""Rows a source left in the columnar store: counted, filtered and indexed there, built as Rows on demand.

When the columnar engine evaluates, a source that can (the csv source) loads its file straight into
DuckDB instead of building a Python Row per line. The rules then run as SQL over that table, and only
the rows an explanation shows (the failing items, the activities of one failing community) are built,
by the source's own row builder, so they are the very Rows the source would have read. Anything else
that wants the rows (a rule SQL cannot take, the TUI's fact browser) gets all of them, built once.

`Deferred` is the interface between a source and the engine; kepu_rules.facts.table.FactBase keeps
deferred entities apart from loaded ones and serves `all`, `lookup` and `children` from either.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any, overload

from kepu_rules.facts.table import Row, Value


class Deferred(ABC):
    """The rows of one entity held in the columnar store, in source order: rid 0 is the first row.

    `table` is a table of the store's connection with `_rid` (BIGINT) and one typed column per field
    in `columns` (field -> SQL column); a field in `unusable` has values the store cannot hold exactly,
    so rules reading it go to the interpreter.
    """

    entity: str
    table: str
    columns: dict[str, str]
    unusable: set[str]
    connection: Any  # the duckdb connection holding `table`

    @abstractmethod
    def __len__(self) -> int:
        """How many rows."""

    @abstractmethod
    def row(self, rid: int) -> Row:
        """The Row at this position, built on first use and the same object after."""

    def rows(self, rids: Sequence[int]) -> list[Row]:
        """The Rows at these positions (`row` for each, which a source may do faster in one go)."""
        row = self.row
        return [row(rid) for rid in rids]

    @abstractmethod
    def index(self, field: str) -> dict[Value, list[int]]:
        """The rids of the rows by their value of `field` (missing values left out), ascending."""

    def values(self, field: str, rids: Sequence[int]) -> list[Value]:
        """The value of `field` in each of these rows (what `row(rid).get(field)` gives), without
        necessarily building the rows."""
        row = self.row
        return [row(rid).values.get(field) for rid in rids]

    def filled_and_unique(self, field: str) -> bool:
        """Whether every row has a value of `field` and no two the same (what a key must be)."""
        index = self.index(field)
        return len(index) == len(self) and all(len(rids) == 1 for rids in index.values())

    def all(self) -> list[Row]:
        return self.rows(range(len(self)))

    def until(self, field: str, day: Any) -> Deferred | None:
        """These rows without those whose date `field` is after `day` (kepu_rules.facts.asof), kept in
        the store; None when the source cannot, and the rows are then built and filtered in Python."""
        return None


class RowsAt(Sequence[Row]):
    """Rows of a deferred entity at the given positions; each is built when first read.

    The columnar engine returns these for the rows of a loop it ran in SQL: the explanation counts the
    passing rows, which then are never built, and reads the failing ones.
    """

    __slots__ = ("_deferred", "_rids")

    def __init__(self, deferred: Deferred, rids: Sequence[int]) -> None:
        self._deferred = deferred
        self._rids = rids

    def __len__(self) -> int:
        return len(self._rids)

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            return self._deferred.rows(self._rids[index])
        return self._deferred.row(self._rids[index])

    def __iter__(self) -> Iterator[Row]:
        return iter(self._deferred.rows(self._rids))

    def values(self, field: str) -> list[Value]:
        """`[row.get(field) for row in self]`, without building the rows."""
        return self._deferred.values(field, self._rids)

    def __repr__(self) -> str:
        return f"RowsAt({self._deferred.entity}, {len(self._rids)} rows)"
