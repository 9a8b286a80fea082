"""The hooks a kepu-rules plugin can implement. The core owns every registry; plugins call `register`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pluggy import HookimplMarker, HookspecMarker

if TYPE_CHECKING:
    import click

hookspec = HookspecMarker("kepu_rules")
hookimpl = HookimplMarker("kepu_rules")


@hookspec
def register_sources(register: Callable[[type[Any]], None]) -> None:
    """Register data-source classes (subclasses of `kepu_rules.sources.Source`) by calling `register(cls)`."""


@hookspec
def register_functions(register: Callable[..., None]) -> None:
    """Register rule-language functions: `register(name, fn, *, params, returns, zh=None)`."""


@hookspec
def register_reporters(register: Callable[[type[Any]], None]) -> None:
    """Register report formats (subclasses of `kepu_rules.reports.Reporter`) by calling `register(cls)`."""


@hookspec
def register_rulesets(register: Callable[[str, Any], None]) -> None:
    """Register named rulesets that `extends NAME` and `ruleset: NAME` can use: `register(name, path)`."""


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add subcommands to the `kepu` command group."""
