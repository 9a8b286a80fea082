"""The first-party sources load through the plugin manager like any plugin, and document every option."""

from __future__ import annotations

import re
from pathlib import Path

import pluggy
import pytest

import kepu_sources
from kepu_rules import hookspecs, registry
from kepu_rules.i18n import Msg
from kepu_rules.sources import Source, SourceOptions
from kepu_sources.csv_source import CsvSource
from kepu_sources.dossier_source import DossierSource
from kepu_sources.xlsx_source import SheetOptions, XlsxSource
from kepu_sources.yaml_source import YamlSource

SOURCES = {"yaml": YamlSource, "csv": CsvSource, "xlsx": XlsxSource, "dossier": DossierSource}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "sources.md"


def test_the_hook_registers_the_four_sources() -> None:
    pm = pluggy.PluginManager("kepu_rules")
    pm.add_hookspecs(hookspecs)
    pm.register(kepu_sources)
    pm.check_pending()
    found: list[type] = []
    pm.hook.register_sources(register=found.append)
    assert found == list(SOURCES.values())


def test_the_core_registry_has_them() -> None:
    registry.clear()
    try:
        assert {name: registry.sources()[name] for name in SOURCES} == SOURCES
    finally:
        registry.clear()


@pytest.mark.parametrize("source", SOURCES.values(), ids=list(SOURCES))
def test_each_source_declares_itself(source: type[Source]) -> None:
    assert issubclass(source, Source) and SOURCES[source.name] is source
    assert isinstance(source.description, Msg) and source.description.zh and source.description.en
    assert issubclass(source.Options, SourceOptions) and source.Options is not SourceOptions
    assert source.Options.model_config.get("extra") == "forbid"
    for name, info in source.Options.model_fields.items():
        assert info.description, f"{source.name}.{name} has no description"


@pytest.mark.parametrize("model", [*(s.Options for s in SOURCES.values()), SheetOptions],
                         ids=[*SOURCES, "xlsx-sheet"])
def test_every_option_is_in_the_docs(model: type[SourceOptions]) -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)`", text, re.MULTILINE)) | set(
        re.findall(r"`([a-z_]+)`", " ".join(line for line in text.splitlines() if line.startswith("| `header_row`, "))))
    missing = set(model.model_fields) - documented
    assert not missing, f"docs/sources.md does not document {sorted(missing)}"
