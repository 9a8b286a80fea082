"""The plugin system: every hook works for a third-party plugin, is tested and is documented."""

from __future__ import annotations

import datetime as dt
import importlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kepu_rules import hookspecs, registry
from kepu_rules.plugins import get_plugin_manager, plugin_info
from kepu_rules.registry import RegistryError

ROOT = Path(__file__).resolve().parent.parent
HOOKS = sorted(name for name in dir(hookspecs) if name.startswith("register_"))


@pytest.fixture
def example_plugin() -> Iterator[object]:
    """The example plugin distribution, registered as an installed plugin would be."""
    sys.path.insert(0, str(ROOT / "examples" / "kepu-plugin-example"))
    module = importlib.import_module("kepu_plugin_example")
    pm = get_plugin_manager()
    pm.register(module, name="example")
    registry.clear()
    yield module
    pm.unregister(name="example")
    registry.clear()
    sys.path.remove(str(ROOT / "examples" / "kepu-plugin-example"))


def test_every_hook_has_a_test() -> None:
    here = Path(__file__).read_text(encoding="utf-8")
    for hook in HOOKS:
        assert f"def test_{hook}" in here, f"hook {hook} has no test of its own"


def test_every_hook_is_documented() -> None:
    doc = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    for hook in HOOKS:
        assert re.search(rf"^## {hook}$", doc, re.M), f"hook {hook} is not documented in docs/plugins.md"


def test_register_sources() -> None:
    sources = registry.sources()
    assert {"yaml", "csv", "xlsx", "dossier"} <= set(sources)
    for cls in sources.values():
        assert cls.Options.model_fields, f"{cls.name} declares no options"
        assert all(f.description for f in cls.Options.model_fields.values()), f"{cls.name} has undocumented options"


def test_register_sources_rejects_what_is_not_a_source() -> None:
    class Bad:
        @hookspecs.hookimpl
        def register_sources(self, register):  # type: ignore[no-untyped-def]
            register(dict)

    pm = get_plugin_manager()
    pm.register(Bad(), name="bad")
    registry.clear()
    try:
        with pytest.raises(RegistryError, match="not a subclass"):
            registry.sources()
    finally:
        pm.unregister(name="bad")
        registry.clear()


def test_register_functions(example_plugin: object) -> None:
    functions = registry.functions()
    assert functions["days_between"] is functions["相隔天数"]
    assert functions["days_between"].fn(dt.date(2026, 1, 1), dt.date(2026, 1, 31)) == 30
    assert {"year", "年份", "increasing", "逐年增长"} <= set(functions)


def test_register_reporters(example_plugin: object) -> None:
    from tests.engine.util import facts, report, ruleset

    rs = ruleset('rule A1 "标识" points 5 { 每个 街道 至少有 1 个 科普标识 }')
    rep = report(rs, facts(rs, {"街道": [{"名称": "甲街道"}, {"名称": "乙街道"}],
                                "科普标识": [{"编号": "S1", "街道": "乙街道"}]}))
    text = registry.reporters()["csv"]().render(rep, __import__("kepu_rules.reports.base", fromlist=["x"]).ReportOptions())
    assert text.startswith("\ufeff规则,")
    assert "A1" in text and "甲街道" in text
    assert {"text", "json", "junit", "markdown", "html", "github"} <= set(registry.reporters())


def test_register_rulesets() -> None:
    assert {"national", "schema", "quancheng"} <= set(registry.rulesets())
    assert registry.rulesets()["national"].is_file()


def test_register_commands(example_plugin: object) -> None:
    from kepu_rules.cli import cli

    group = click.Group(commands=dict(cli.commands))
    get_plugin_manager().hook.register_commands(cli=group)
    assert "gaps" in group.commands
    result = CliRunner().invoke(group, ["gaps", "--help"])
    assert result.exit_code == 0 and "ids of the rules" in result.output


def test_plugin_info_lists_names_versions_and_hooks(example_plugin: object) -> None:
    info = {p["name"]: p for p in plugin_info()}
    assert "register_sources" in info["kepu_sources"]["hooks"]  # type: ignore[operator]
    assert info["kepu_sources"]["version"]
    assert set(info["example"]["hooks"]) == {"register_reporters", "register_functions", "register_commands"}  # type: ignore[arg-type]


def test_misspelt_hook_fails_loudly() -> None:
    from pluggy import PluginValidationError

    class Typo:
        @hookspecs.hookimpl
        def register_source(self, register):  # type: ignore[no-untyped-def]
            pass

    pm = get_plugin_manager()
    pm.register(Typo(), name="typo")
    try:
        with pytest.raises(PluginValidationError):
            pm.check_pending()
    finally:
        pm.unregister(name="typo")
