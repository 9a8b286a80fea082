"""The core's own plugin: built-in functions, reporters and rulesets, registered through the public hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kepu_rules.hookspecs import hookimpl


@hookimpl
def register_functions(register: Callable[..., None]) -> None:
    from kepu_rules.functions import BUILTIN_FUNCTIONS

    for name, zh, fn, params, returns in BUILTIN_FUNCTIONS:
        register(name, fn, params=params, returns=returns, zh=zh)


@hookimpl
def register_reporters(register: Callable[[type[Any]], None]) -> None:
    from kepu_rules.reports.builtin import all_reporters

    for cls in all_reporters():
        register(cls)


@hookimpl
def register_rulesets(register: Callable[[str, Any], None]) -> None:
    from kepu_rules.rulesets_dir import builtin_rulesets

    for name, path in builtin_rulesets().items():
        register(name, path)
