"""First-party data sources (yaml, csv, xlsx, dossier), registered through the same hook as any plugin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kepu_rules.hookspecs import hookimpl


@hookimpl
def register_sources(register: Callable[[type[Any]], None]) -> None:
    # Imported here, not at the top: the plugin manager loads this module on every `kepu` start.
    from .csv_source import CsvSource
    from .dossier_source import DossierSource
    from .xlsx_source import XlsxSource
    from .yaml_source import YamlSource

    for source in (YamlSource, CsvSource, XlsxSource, DossierSource):
        register(source)
