"""The data-source interface: a source declares its options and reads facts for the schema."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict

from kepu_rules.facts.schema import Schema
from kepu_rules.facts.table import SourceData
from kepu_rules.i18n import Lang, Msg

if TYPE_CHECKING:
    from kepu_rules.engine.columnar.tables import ColumnarStore


class SourceOptions(BaseModel):
    """Base of every source's options: unknown keys are errors, so a typo never goes unnoticed."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


@dataclass(frozen=True, slots=True)
class SourceContext:
    """What a source needs besides its options."""

    name: str  # the label of this source in kepu.yaml (shown in provenance)
    schema: Schema
    base_dir: Path  # the folder of kepu.yaml: relative paths are resolved against it
    lang: Lang = "zh"
    # Set when the columnar engine evaluates: a source may load its rows into this DuckDB store and
    # return them deferred (kepu_rules.facts.deferred) instead of as Rows. Sources that do not, need not care.
    columnar: ColumnarStore | None = None


class Source(ABC):
    """A data source. Subclasses set `name`, `description` and `Options`, and implement `read`.

    `read` returns typed rows with provenance, or raises `KepuError` with diagnostics naming the
    file, sheet/line and column of every value it cannot read. It never changes its input files.
    """

    name: ClassVar[str]
    description: ClassVar[Msg]
    Options: ClassVar[type[SourceOptions]] = SourceOptions
    #: Whether `read` can leave its rows in `context.columnar` (see SourceContext): `--engine auto`
    #: weighs the files of such sources when it chooses the engine.
    reads_columnar: ClassVar[bool] = False

    @abstractmethod
    def read(self, options: SourceOptions, context: SourceContext) -> SourceData:
        """Read the source into fact tables and scalar facts."""

    def watched_paths(self, options: SourceOptions, context: SourceContext) -> list[Path]:
        """Files or folders whose change should re-run the assessment (used by the TUI's live reload)."""
        path = getattr(options, "path", None)
        return [context.base_dir / path] if path else []
