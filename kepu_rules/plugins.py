"""The plugin manager: built-ins and third-party plugins load through the same hooks and entry points."""

from __future__ import annotations

import importlib
import os
import sys
from functools import cache
from importlib import metadata

import pluggy

from kepu_rules import hookspecs

ENTRY_POINT_GROUP = "kepu_rules"
#: Comma-separated plugin names; when set, only these load (the default loads every installed plugin).
ENV_PLUGINS = "KEPU_PLUGINS"

#: Plugins of this distribution. They are also declared as entry points, like any third-party plugin;
#: listing them here keeps `kepu` working when the package metadata is absent (a bare checkout on PYTHONPATH).
DEFAULT_PLUGINS = ("kepu_rules.builtins", "kepu_sources")


@cache
def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, with hooks validated so a misspelt hook fails loudly."""
    pm = pluggy.PluginManager("kepu_rules")
    pm.add_hookspecs(hookspecs)
    allowed = _allowed_plugins()
    for name in DEFAULT_PLUGINS:
        if allowed is None or name in allowed:
            pm.register(importlib.import_module(name), name=name)
    # Tests run with the plugins of this checkout only, so an unrelated installed plugin cannot change results.
    if not getattr(sys, "_called_from_test", False):
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if pm.has_plugin(ep.value) or pm.has_plugin(ep.name):
                continue
            if allowed is not None and ep.name not in allowed:
                continue
            pm.register(ep.load(), name=ep.name)
    pm.check_pending()
    return pm


def _allowed_plugins() -> set[str] | None:
    raw = os.environ.get(ENV_PLUGINS)
    if raw is None:
        return None
    return {p.strip() for p in raw.split(",") if p.strip()} | {"kepu_rules.builtins"}


def plugin_info() -> list[dict[str, object]]:
    """Name, version and implemented hooks of each loaded plugin (for `kepu plugins`)."""
    pm = get_plugin_manager()
    infos: list[dict[str, object]] = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        infos.append({"name": name, "version": _version_of(plugin, pm), "hooks": hooks})
    return sorted(infos, key=lambda i: str(i["name"]))


def _version_of(plugin: object, pm: pluggy.PluginManager) -> str | None:
    for plug, dist in pm.list_plugin_distinfo():
        if plug is plugin:
            return str(dist.version)
    module = getattr(plugin, "__name__", "")
    top = module.split(".")[0]
    if top in ("kepu_rules", "kepu_sources"):
        from kepu_rules import __version__

        return __version__
    return None
