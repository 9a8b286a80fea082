"""Helpers the first-party sources share: paths, entity lookup, and collecting problems."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import TypeVar

from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.facts.schema import EntityDef, Schema
from kepu_rules.i18n import Msg
from kepu_rules.sources import SourceContext, SourceOptions
from kepu_rules.suggest import nearest

OptionsT = TypeVar("OptionsT", bound=SourceOptions)

#: Problems listed per source before the rest are summarised: a wrong column type would otherwise
#: produce one error per row of a 60,000-row ledger.
PROBLEM_LIMIT = 50


def options_of(options: SourceOptions, cls: type[OptionsT]) -> OptionsT:
    """The options as the source's own model (the config loader validated them with `Source.Options`)."""
    if not isinstance(options, cls):
        raise TypeError(f"expected {cls.__qualname__}, got {type(options).__qualname__}")
    return options


def shown_path(path: str) -> str:
    """A path as written in kepu.yaml, with forward slashes: how files are named in provenance."""
    return PurePath(path).as_posix()


def resolve(path: str, context: SourceContext) -> Path:
    """A path from the options, relative to the folder of kepu.yaml."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else context.base_dir / p


def require_file(path: str, context: SourceContext, *, folder: bool = False) -> Path:
    """The resolved path, or a KepuError naming the source when it does not exist or has the wrong kind."""
    real = resolve(path, context)
    shown = shown_path(path)
    where = Location(shown)
    kind = Msg("目录", "folder") if folder else Msg("文件", "file")
    if not real.exists():
        raise KepuError(Diagnostic(
            where,
            Msg(f"数据源 {context.name} 的{kind.zh} {shown} 不存在", f"the {kind.en} {shown} of source {context.name} does not exist"),
            hint=Msg(f"路径相对于 kepu.yaml 所在目录 {context.base_dir}",
                     f"paths are relative to the folder of kepu.yaml, {context.base_dir}"),
            code="missing-input"))
    if real.is_dir() != folder:
        raise KepuError(Diagnostic(
            where,
            Msg(f"数据源 {context.name} 的 {shown} 不是{kind.zh}", f"{shown} of source {context.name} is not a {kind.en}"),
            code="missing-input"))
    return real


def read_bytes(path: str, context: SourceContext) -> bytes:
    real = require_file(path, context)
    try:
        return real.read_bytes()
    except OSError as exc:
        raise KepuError(Diagnostic(
            Location(shown_path(path)),
            Msg(f"无法读取 {shown_path(path)}：{exc.strerror}", f"cannot read {shown_path(path)}: {exc.strerror}"),
            code="unreadable-input")) from None


def find_entity(schema: Schema, name: str, where: Location) -> EntityDef:
    """The entity named (or aliased) `name`, or a KepuError with a did-you-mean."""
    found = schema.entity(name)
    if found is not None:
        return found
    known = [n for e in schema.entities.values() for n in (e.name, *e.aliases)]
    raise KepuError(Diagnostic(
        where,
        Msg(f"规则集中没有实体“{name}”", f"the ruleset has no entity {name!r}"),
        hint=did_you_mean(name, known) or Msg(f"已有实体：{'、'.join(known) or '（无）'}",
                                              f"known entities: {', '.join(known) or '(none)'}"),
        code="unknown-entity"))


def did_you_mean(name: str, choices: Iterable[str]) -> Msg | None:
    best = nearest(name, choices)
    return Msg(f"是不是“{best}”？", f"did you mean {best!r}?") if best else None


def listing(items: Iterable[str]) -> Msg:
    """Names listed the way each language lists them."""
    shown = [i for i in items if i]
    if not shown:
        return Msg("（无）", "(none)")
    return Msg("、".join(shown), ", ".join(shown))


class Problems:
    """Collects the diagnostics of one read, so a user sees every bad value at once, up to a limit."""

    def __init__(self, where: Location, limit: int = PROBLEM_LIMIT) -> None:
        self.where = where
        self.limit = limit
        self.items: list[Diagnostic] = []
        self.dropped = 0

    def add(self, diagnostic: Diagnostic) -> None:
        if len(self.items) < self.limit:
            self.items.append(diagnostic)
        else:
            self.dropped += 1

    def add_error(self, error: KepuError) -> None:
        for diagnostic in error.diagnostics:
            self.add(diagnostic)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if not any(d.is_error for d in self.items):
            return
        items = list(self.items)
        if self.dropped:
            items.append(Diagnostic(
                self.where,
                Msg(f"另有 {self.dropped} 个问题未列出", f"{self.dropped} more problems not shown"),
                severity="note", code="more-problems"))
        raise KepuError(items)
