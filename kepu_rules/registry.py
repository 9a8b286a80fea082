"""The registries the core owns; plugins fill them through hooks, and all validation lives here."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kepu_rules.plugins import get_plugin_manager

if TYPE_CHECKING:
    from kepu_rules.reports.base import Reporter
    from kepu_rules.sources import Source


@dataclass(frozen=True, slots=True)
class FunctionDef:
    """A rule-language function: its names, parameter kinds and result type, and the Python that runs it.

    Parameter kinds: "collection" (rows of an entity), "field" (a field name of the preceding collection),
    "values" (a list of values), or a value type name ("number", "date", "text", "bool", "any").
    """

    name: str
    fn: Callable[..., Any]
    params: tuple[str, ...]
    returns: str
    zh: str | None = None
    doc: str = ""
    plugin: str = ""


class RegistryError(TypeError):
    """A plugin registered something malformed; the message names the plugin and what is wrong."""


@cache
def sources() -> dict[str, type[Source]]:
    from kepu_rules.sources import Source

    found: dict[str, type[Source]] = {}

    def register(cls: type[Source]) -> None:
        if not (inspect.isclass(cls) and issubclass(cls, Source)):
            raise RegistryError(f"register_sources: {cls!r} is not a subclass of kepu_rules.sources.Source")
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not name:
            raise RegistryError(f"register_sources: {cls.__qualname__} has no `name`")
        if name in found:
            raise RegistryError(f"register_sources: two sources are named {name!r} "
                                f"({found[name].__module__} and {cls.__module__})")
        found[name] = cls

    get_plugin_manager().hook.register_sources(register=register)
    return found


@cache
def functions() -> dict[str, FunctionDef]:
    """Every function by each of its names (English and Chinese)."""
    found: dict[str, FunctionDef] = {}

    def register(name: str, fn: Callable[..., Any], *, params: tuple[str, ...] | list[str], returns: str,
                 zh: str | None = None, doc: str = "") -> None:
        if not callable(fn):
            raise RegistryError(f"register_functions: {name!r} is not callable")
        fdef = FunctionDef(name, fn, tuple(params), returns, zh, doc or (fn.__doc__ or "").strip(),
                           getattr(fn, "__module__", ""))
        for alias in (name, zh):
            if alias is None:
                continue
            if alias in found:
                raise RegistryError(f"register_functions: the function name {alias!r} is registered twice")
            found[alias] = fdef

    get_plugin_manager().hook.register_functions(register=register)
    return found


@cache
def reporters() -> dict[str, type[Reporter]]:
    from kepu_rules.reports.base import Reporter

    found: dict[str, type[Reporter]] = {}

    def register(cls: type[Reporter]) -> None:
        if not (inspect.isclass(cls) and issubclass(cls, Reporter)):
            raise RegistryError(f"register_reporters: {cls!r} is not a subclass of kepu_rules.reports.Reporter")
        if cls.format in found:
            raise RegistryError(f"register_reporters: two reporters for format {cls.format!r}")
        found[cls.format] = cls

    get_plugin_manager().hook.register_reporters(register=register)
    return found


@cache
def rulesets() -> dict[str, Path]:
    found: dict[str, Path] = {}

    def register(name: str, path: Any) -> None:
        p = Path(path)
        if name in found and found[name] != p:
            raise RegistryError(f"register_rulesets: the ruleset name {name!r} is registered twice")
        found[name] = p

    get_plugin_manager().hook.register_rulesets(register=register)
    return found


def clear() -> None:
    """Forget cached registries (tests that register plugins on the fly call this)."""
    for fn in (sources, functions, reporters, rulesets):
        fn.cache_clear()
