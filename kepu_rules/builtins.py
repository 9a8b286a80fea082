"""The core's own plugin: built-in functions, reporters and rulesets, registered through the public hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kepu_rules.hookspecs import hookimpl


@hookimpl
def register_rulesets(register: Callable[[str, Any], None]) -> None:
    from kepu_rules.rulesets_dir import builtin_rulesets

    for name, path in builtin_rulesets().items():
        register(name, path)
