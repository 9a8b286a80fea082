"""The project file `kepu.yaml`: pydantic models, and errors that point at the line and column at fault."""

from __future__ import annotations

import re
import types
import typing
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
)

from kepu_rules.diagnostics import Diagnostic, KepuError, Location, Severity
from kepu_rules.i18n import Lang, Msg, normalize_lang
from kepu_rules.suggest import nearest
from kepu_rules.yamlpos import YamlDocument, YamlPath, load_yaml

if TYPE_CHECKING:
    from kepu_rules.sources import Source, SourceOptions

CONFIG_NAME = "kepu.yaml"

ParamScalar = str | int | float | bool
ParamValue = ParamScalar | list[ParamScalar]
"""A param as written in kepu.yaml; the engine reads it as a rule-language literal (`80%`, `2026-09-01`)."""


class BadValue(ValueError):
    """Raised by a validator (ours, or a source plugin's `Options`) to say in both languages what is wrong.

    With `expected`, the diagnostic reads "`key` should be <expected>, not `value`"; with `message`, the
    message is shown as it is.
    """

    def __init__(self, expected: Msg | None = None, *, message: Msg | None = None) -> None:
        self.expected = expected
        self.message = message
        super().__init__((message or expected or Msg.same("invalid value")).en)


# --- value readers shared by kepu.yaml and the waivers file ---------------------------------------------

_DATE_FORMS = (
    re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?"),
)
DATE_EXPECTED = Msg("日期（如 2026-12-31、2026/12/31 或 2026年12月31日）",
                    "a date such as 2026-12-31, 2026/12/31 or 2026年12月31日")


def parse_date(value: object) -> date | None:
    """A date as users write it: 2026-12-31, 2026/12/31, 2026.12.31, 2026年12月31日 (full-width digits too)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    # NFKC folds full-width digits and slashes (２０２６／１２／３１) into ASCII.
    text = unicodedata.normalize("NFKC", value).strip()
    for form in _DATE_FORMS:
        m = form.fullmatch(text)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None


def _date_value(value: object) -> date:
    found = parse_date(value)
    if found is None:
        raise BadValue(DATE_EXPECTED)
    return found


def _optional_date(value: object) -> date | None:
    return None if value is None else _date_value(value)


DateValue = Annotated[date, BeforeValidator(_date_value)]
"""A date field that accepts the forms `parse_date` reads."""


def _language(value: object) -> Lang:
    expected = Msg("zh 或 en", "zh or en")
    if not isinstance(value, str):
        raise BadValue(expected)
    try:
        return normalize_lang(value)
    except ValueError:
        raise BadValue(expected) from None


def _score(value: object) -> float | None:
    expected = Msg("不小于 0 的分数", "a score of 0 or more")
    if value is None:
        return None
    # bool is an int to Python, but `pass_mark: yes` is a mistake, not 1 point.
    if isinstance(value, bool):
        raise BadValue(expected)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(unicodedata.normalize("NFKC", value).strip())
        except ValueError:
            raise BadValue(expected) from None
    else:
        raise BadValue(expected)
    if not number >= 0:  # also rejects NaN
        raise BadValue(expected)
    return number


def _param_value(value: object) -> ParamValue:
    expected = Msg("文本、数字、百分数或日期", "text, a number, a percent or a date")
    if isinstance(value, datetime | date):
        return value.isoformat()  # the engine reads params as rule-language literals, where dates are ISO
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list) and all(isinstance(v, str | int | float | bool | date) for v in value):
        return [v.isoformat() if isinstance(v, date) else v for v in value]
    raise BadValue(expected)


def none_as_empty(value: object) -> object:
    return [] if value is None else value


def _some_sources(value: list[Any]) -> list[Any]:
    if not value:
        raise BadValue(message=Msg("`sources` 是空的：请至少列出一个数据源", "`sources` is empty: list at least one data source"))
    return value


NonEmptyText = Annotated[str, Field(min_length=1)]


class _RawSource(BaseModel):
    """One entry of `sources:` as written: the keys besides `name` and `type` are the source's own options."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    name: NonEmptyText | None = None
    type: NonEmptyText


def _month(value: object) -> str:
    """`2026-06` (a YAML date 2026-06-01 reads as its month)."""
    expected = Msg("年月，例如 2026-06", "a month such as 2026-06")
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value).strip() if isinstance(value, (str, int)) else ""
    parts = text.split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or not 1 <= int(parts[1]) <= 12 or len(parts[0]) != 4:
        raise BadValue(expected)
    return f"{parts[0]}-{int(parts[1]):02d}"


class BulletinSettings(BaseModel):
    """`bulletin:` in kepu.yaml: how `kepu bulletin` titles and numbers the monthly 通报."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    title: NonEmptyText | None = None  # default: "<district>创建全国科普示范区工作进展通报"
    title_en: NonEmptyText | None = None
    issuer: NonEmptyText | None = None  # 发文单位, e.g. 区科协创建办
    # 期号: `number` fixes it; else `first_month` is issue 1 and each month after adds one; else the
    # record's position among the records.
    number: Annotated[int, Field(ge=1)] | None = None
    first_month: Annotated[str, BeforeValidator(_month)] | None = None
    by: NonEmptyText = "街道"  # the entity streets are ranked by


class _RawConfig(BaseModel):
    """kepu.yaml as written, before paths and defaults are worked out."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    district: NonEmptyText
    ruleset: NonEmptyText
    language: Annotated[Lang | None, BeforeValidator(_language)] = None  # None: the ruleset's, else zh
    as_of: Annotated[date | None, BeforeValidator(_optional_date)] = None
    pass_mark: Annotated[float | None, BeforeValidator(_score)] = None
    params: dict[str, Annotated[Any, BeforeValidator(_param_value)]] = Field(default_factory=dict)
    waivers: NonEmptyText | None = None
    history: NonEmptyText = "history"
    bulletin: BulletinSettings = Field(default_factory=BulletinSettings)
    sources: Annotated[list[_RawSource], BeforeValidator(none_as_empty), AfterValidator(_some_sources)]


_CONFIG_HINTS = {
    "district": Msg("区县名称，例如 `district: 示例区`", "the district's name, e.g. `district: 示例区`"),
    "ruleset": Msg("`ruleset: national` 使用全国标准，或写 .kepu 文件的路径",
                   "`ruleset: national` for the national criteria, or the path of a .kepu file"),
    "sources": Msg("在 `sources:` 下至少列出一个数据源，例如 `- type: xlsx` 和 `path: data/台账.xlsx`",
                   "list at least one data source under `sources:`, e.g. `- type: xlsx` with `path: data/台账.xlsx`"),
    "type": Msg("数据源类型，例如 `type: xlsx`；`kepu plugins` 列出全部类型",
                "the source's type, e.g. `type: xlsx`; `kepu plugins` lists them all"),
}


# --- the loaded project -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceConfig:
    """One data source of kepu.yaml: its label, its type, and its own options (validated by its class)."""

    name: str
    type: str
    options: dict[str, Any]
    location: Location
    index: int = 0  # its position in `sources:`, which is how its options are found in the YAML
    document: YamlDocument | None = field(default=None, repr=False, compare=False)


class ProjectConfig(BaseModel):
    """A loaded kepu.yaml. Paths in it are relative to `base_dir`, the folder kepu.yaml is in."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    path: Path
    base_dir: Path
    district: str
    ruleset: str  # a built-in ruleset name, or a path relative to base_dir
    language: Lang = "zh"
    as_of: date = Field(default_factory=date.today)
    pass_mark: float | None = None  # None: no score threshold beyond what the ruleset says
    params: dict[str, ParamValue] = Field(default_factory=dict)
    waivers: str | None = None
    history: str = "history"  # the folder of recorded runs (kepu check --record), relative to base_dir
    bulletin: BulletinSettings = Field(default_factory=BulletinSettings)
    sources: list[SourceConfig] = Field(default_factory=list)

    _document: YamlDocument | None = PrivateAttr(default=None)

    @property
    def history_path(self) -> Path:
        return self.base_dir / self.history

    @property
    def waivers_path(self) -> Path | None:
        return self.base_dir / self.waivers if self.waivers else None

    def location_of(self, path: Sequence[object], *, key: bool = False) -> Location:
        """Where a setting is in kepu.yaml, e.g. `location_of(("params", "科普日覆盖率目标"), key=True)`."""
        if self._document is None:
            return Location(str(self.path))
        return self._document.location(path, key=key)

    def diagnostic(self, path: Sequence[object], message: Msg, *, key: bool = False, hint: Msg | None = None,
                   severity: Severity = "error") -> Diagnostic:
        """A diagnostic about a setting (an unknown param, a missing ruleset), quoting its line."""
        if self._document is None:
            return Diagnostic(Location(str(self.path)), message, severity=severity, hint=hint)
        return self._document.diagnostic(path, message, key=key, hint=hint, severity=severity)

    def resolve_ruleset(self, builtins: Mapping[str, Path]) -> Path:
        """The ruleset file: a built-in by name, or a path relative to kepu.yaml's folder."""
        value = self.ruleset
        looks_like_path = value.endswith(".kepu") or "/" in value or "\\" in value
        if not looks_like_path and value in builtins:
            return builtins[value]
        if looks_like_path:
            candidate = self.base_dir / value
            if candidate.is_file():
                return candidate
            raise KepuError(self.diagnostic(("ruleset",), Msg(f"找不到规则集文件 `{value}`", f"ruleset file `{value}` not found"),
                                            hint=Msg("路径相对于 kepu.yaml 所在的文件夹", "the path is relative to the folder of kepu.yaml")))
        guess = nearest(value, builtins)
        message = Msg(f"未知的规则集 `{value}`", f"unknown ruleset `{value}`") + did_you_mean(guess)
        names = sorted(builtins)
        hint = Msg(f"内置规则集：{'、'.join(names)}；或写 .kepu 文件的路径",
                   f"built-in rulesets: {', '.join(names)}; or write the path of a .kepu file") if guess is None else None
        raise KepuError(self.diagnostic(("ruleset",), message, hint=hint))

    def with_overrides(self, *, language: Lang | None = None, pass_mark: float | None = None,
                       params: Mapping[str, ParamValue] | None = None) -> ProjectConfig:
        """The config with command-line options applied (`--lang`, `--fail-under`, `--set`), which win."""
        update: dict[str, Any] = {}
        if language is not None:
            update["language"] = language
        if pass_mark is not None:
            update["pass_mark"] = pass_mark
        if params:
            update["params"] = {**self.params, **params}
        return self.model_copy(update=update)


def find_config(start: Path) -> Path:
    """The project file: `start` itself if it is a file, else kepu.yaml in the folder `start`."""
    if start.is_file():
        return start
    if not start.exists():
        what = Msg("文件不存在", "no such file") if start.suffix in (".yaml", ".yml") else Msg("文件夹不存在", "no such folder")
        raise KepuError(Diagnostic(Location(str(start)), what))
    for name in (CONFIG_NAME, "kepu.yml"):
        candidate = start / name
        if candidate.is_file():
            return candidate
    folder = str(start)
    raise KepuError(Diagnostic(
        Location(str(start / CONFIG_NAME)),
        Msg(f"找不到 {CONFIG_NAME}：文件夹 `{folder}` 还不是 kepu 项目", f"no {CONFIG_NAME} in `{folder}`: it is not a kepu project yet"),
        hint=Msg(f"运行 `kepu init {folder}` 创建一个，或用 `-c 文件` 指定项目文件",
                 f"run `kepu init {folder}` to create one, or name the project file with `-c FILE`"),
    ))


def load_config(path: Path) -> ProjectConfig:
    """Load kepu.yaml (or the kepu.yaml in a folder). Every mistake is a KepuError pointing at its line."""
    if path.is_dir():
        path = find_config(path)
    doc = load_yaml(path, allow_empty=True)
    name = path.name
    if doc.data is None:
        raise KepuError(Diagnostic(Location(doc.path), Msg(f"{name} 是空的", f"{name} is empty"),
                                   hint=Msg(f"`kepu init` 可生成一个 {name} 样板；至少需要 `district`、`ruleset` 和 `sources`",
                                            f"`kepu init` writes a starter {name}; it needs at least `district`, `ruleset` and `sources`")))
    scope = ErrorScope(
        doc=doc, prefix=(), root_name=Msg.same(name),
        unknown_root=Msg(f"{name} 中有未知的键 `{{key}}`", f"unknown key `{{key}}` in {name}"),
        allowed=lambda rel: _keys_at(_RawConfig, rel) if rel in ((), ("bulletin",)) else [],
        hints=_CONFIG_HINTS,
    )
    try:
        raw = _RawConfig.model_validate(doc.data)
    except ValidationError as exc:
        raise KepuError(validation_diagnostics(exc, doc.data, scope)) from None

    entries: list[dict[str, Any]] = doc.data["sources"]
    sources: list[SourceConfig] = []
    problems: list[Diagnostic] = []
    first_by_name: dict[str, SourceConfig] = {}
    for i, (entry, parsed) in enumerate(zip(entries, raw.sources, strict=True)):
        options = {k: v for k, v in entry.items() if k not in ("name", "type")}
        label = parsed.name or _default_source_name(options, parsed.type)
        src = SourceConfig(label, parsed.type, options, doc.location(("sources", i)), i, doc)
        first = first_by_name.get(label)
        if first is not None:
            where = ("sources", i, "name") if parsed.name else ("sources", i)
            problems.append(doc.diagnostic(
                where, Msg(f"有两个数据源都叫 `{label}`（另一个在第 {first.location.line} 行）",
                           f"two sources are named `{label}` (the other is on line {first.location.line})"),
                hint=Msg("给其中一个设置不同的 `name:`", "give one of them a different `name:`")))
        first_by_name.setdefault(label, src)
        sources.append(src)
    if problems:
        raise KepuError(problems)

    config = ProjectConfig(
        path=path, base_dir=path.parent, district=raw.district, ruleset=raw.ruleset,
        language=raw.language or _ruleset_language(raw.ruleset, path.parent),
        as_of=raw.as_of or date.today(), pass_mark=raw.pass_mark, params=dict(raw.params),
        waivers=raw.waivers, history=raw.history, bulletin=raw.bulletin, sources=sources,
    )
    config._document = doc
    return config


def _ruleset_language(ruleset: str, base_dir: Path) -> Lang:
    """The language the project's ruleset declares (`language en`), for a kepu.yaml that names none."""
    from kepu_rules.dsl.parse import declared_language_of
    from kepu_rules.engine.resolve import locate_ruleset

    try:
        return declared_language_of(locate_ruleset(ruleset, base_dir)) or "zh"
    except KepuError:
        return "zh"  # a ruleset that cannot be found is reported when it is loaded


def _default_source_name(options: Mapping[str, Any], type_name: str) -> str:
    """A source without `name:` is labelled by its file (台账.xlsx), which is what users recognise."""
    path = options.get("path")
    if isinstance(path, str):
        label = Path(path.replace("\\", "/")).name
        if label:
            return label
    return type_name


# --- source options -----------------------------------------------------------------------------------------


def validate_source_options(cfg: SourceConfig, source_cls: type[Source] | None,
                            known_types: Iterable[str] = ()) -> SourceOptions:
    """Validate a source's options against its class's `Options` model, with errors at their YAML lines.

    `source_cls` is None when no registered source has the type; the error then suggests the nearest of
    `known_types` (the registered names).
    """
    doc = cfg.document
    prefix: YamlPath = ("sources", cfg.index)
    if source_cls is None:
        names = sorted(set(known_types))
        guess = nearest(cfg.type, names)
        message = Msg(f"未知的数据源类型 `{cfg.type}`", f"unknown source type `{cfg.type}`") + did_you_mean(guess)
        hint = Msg(f"已注册的数据源类型：{'、'.join(names) or '（无）'}；`kepu plugins` 可列出全部",
                   f"registered source types: {', '.join(names) or '(none)'}; `kepu plugins` lists them all")
        if doc is None:
            raise KepuError(Diagnostic(cfg.location, message, hint=hint))
        raise KepuError(doc.diagnostic((*prefix, "type"), message, hint=hint))
    options_model = source_cls.Options
    if doc is None:
        # A SourceConfig made in code has no YAML behind it: the messages still help, placed at the file.
        doc, prefix = YamlDocument(cfg.location.path, "", cfg.options), ()
    try:
        return options_model.model_validate(cfg.options)
    except ValidationError as exc:
        scope = ErrorScope(
            doc=doc, prefix=prefix, root_name=Msg(f"数据源 `{cfg.name}`", f"source `{cfg.name}`"),
            unknown_root=Msg(f"数据源类型 `{cfg.type}` 没有选项 `{{key}}`", f"unknown option `{{key}}` for source type `{cfg.type}`"),
            allowed=lambda rel: ([*_keys_at(options_model, rel), "name", "type"] if rel == ()
                                 else _keys_at(options_model, rel)),
        )
        raise KepuError(validation_diagnostics(exc, cfg.options, scope)) from None


def validate_sources(config: ProjectConfig, registry: Mapping[str, type[Source]]
                     ) -> list[tuple[SourceConfig, type[Source], SourceOptions]]:
    """Validate every source of a project at once, so all their mistakes are reported together."""
    found: list[tuple[SourceConfig, type[Source], SourceOptions]] = []
    problems: list[Diagnostic] = []
    for cfg in config.sources:
        cls = registry.get(cfg.type)
        try:
            options = validate_source_options(cfg, cls, registry)
        except KepuError as exc:
            problems.extend(exc.diagnostics)
            continue
        assert cls is not None  # validate_source_options raised otherwise
        found.append((cfg, cls, options))
    if problems:
        raise KepuError(problems)
    return found


# --- pydantic errors as diagnostics ----------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorScope:
    """How to word and place the errors of data validated at `prefix` in a YAML document."""

    doc: YamlDocument
    prefix: YamlPath
    root_name: Msg  # what the validated data is called when it has no key: the file, the source
    unknown_root: Msg  # "unknown key `{key}` in kepu.yaml", with a {key} placeholder
    allowed: Callable[[YamlPath], Sequence[str]]  # the keys allowed in the mapping at a path (relative)
    hints: Mapping[str, Msg] = field(default_factory=dict)  # for missing keys, by key
    names: Callable[[YamlPath], Msg | None] | None = None  # how to call a value, where the default reads badly

    def name(self, path: YamlPath) -> Msg:
        custom = self.names(path) if self.names is not None else None
        return custom if custom is not None else _name(path, self.root_name)

    def unknown(self, parent: YamlPath, key: object) -> Msg:
        if not parent:
            return _fill(self.unknown_root, key)
        name = self.name(parent)
        return Msg(join_zh(name.zh, f"中有未知的键 `{key}`"), f"unknown key `{key}` in {name.en}")

    def missing(self, parent: YamlPath, key: object) -> Msg:
        name = self.name(parent)
        return Msg(join_zh(name.zh, f"缺少 `{key}`"), f"{name.en} has no `{key}`")


def join_zh(*parts: str) -> str:
    """Join Chinese text, with a space where a Chinese character meets Latin text or `code`.

    Only the joints get a space: the parts themselves (a date such as 2026年12月31日) are left as written.
    """
    out = ""
    for part in parts:
        if out and part and ((_is_han(out[-1]) and _is_latin(part[0])) or (_is_latin(out[-1]) and _is_han(part[0]))):
            out += " "
        out += part
    return out


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _is_latin(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "`_")


def _fill(template: Msg, key: object) -> Msg:
    # replace, not format: a file name with braces in it must not break the message
    return Msg(template.zh.replace("{key}", str(key)), template.en.replace("{key}", str(key)))


def did_you_mean(guess: str | None) -> Msg:
    """The "; did you mean `X`?" tail of a message, or nothing when there is no good guess."""
    return Msg(f"；是否想写 `{guess}`？", f"; did you mean `{guess}`?") if guess else Msg("", "")


def _expected_by_type() -> dict[str, Msg]:
    table: dict[str, Msg] = {}
    for names, msg in (
        (("string_type", "string_sub_type", "string_unicode", "string_too_short", "string_too_long",
          "string_pattern_mismatch"), Msg("文本", "text")),
        (("int_type", "int_parsing", "int_from_float", "int_parsing_size"), Msg("整数", "a whole number")),
        (("float_type", "float_parsing", "decimal_type", "decimal_parsing", "finite_number"), Msg("数字", "a number")),
        (("bool_type", "bool_parsing"), Msg("是或否（true / false）", "true or false")),
        (("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact",
          "date_future", "date_past"), DATE_EXPECTED),
        (("datetime_type", "datetime_parsing", "datetime_from_date_parsing"), Msg("日期时间", "a date and time")),
        (("list_type", "tuple_type", "set_type", "frozen_set_type", "iterable_type"),
         Msg("列表（每项一行，以 `- ` 开头）", "a list (one `- ` item per line)")),
        (("dict_type", "model_type", "model_attributes_type", "dataclass_type", "mapping_type"),
         Msg("映射（`键: 值` 的形式）", "a mapping (`key: value` lines)")),
        (("path_type",), Msg("路径", "a path")),
    ):
        table.update(dict.fromkeys(names, msg))
    return table


_EXPECTED = _expected_by_type()


def _expected(err: Mapping[str, Any]) -> Msg:
    """What a value should have been, from a pydantic error."""
    typ: str = err["type"]
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    error = ctx.get("error")
    if isinstance(error, BadValue) and error.expected is not None:
        return error.expected
    if typ in ("literal_error", "enum"):
        return Msg(f"以下之一：{ctx.get('expected', '')}", f"one of {ctx.get('expected', '')}")
    bounds = {"greater_than": ("大于", "greater than"), "greater_than_equal": ("不小于", "at least"),
              "less_than": ("小于", "less than"), "less_than_equal": ("不大于", "at most")}
    if typ in bounds:
        limit = next((v for k, v in ctx.items() if k in ("gt", "ge", "lt", "le")), "")
        zh, en = bounds[typ]
        return Msg(f"{zh} {limit} 的数", f"a number {en} {limit}")
    if typ == "too_short":
        n = ctx.get("min_length", 1)
        return Msg(f"至少 {n} 项的列表", f"a list of at least {n} item{'s' if n != 1 else ''}")
    if typ == "too_long":
        n = ctx.get("max_length", 0)
        return Msg(f"至多 {n} 项", f"at most {n} item{'s' if n != 1 else ''}")
    if typ in _EXPECTED:
        return _EXPECTED[typ]
    return Msg.same(err.get("msg", typ))


def _given(value: object) -> Msg:
    """A value as quoted back to the user."""
    if isinstance(value, dict):
        return Msg("映射", "a mapping")
    if isinstance(value, list | tuple | set):
        return Msg("列表", "a list")
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    text = " ".join(text.split())
    if len(text) > 40:
        text = text[:39] + "…"
    return Msg.same(f"`{text}`")


def _name(path: YamlPath, root_name: Msg) -> Msg:
    """How to name the setting at a path: `pass_mark`, or `sources` 的第 2 项 / entry 2 of `sources`."""
    if not path:
        return root_name
    last = path[-1]
    if isinstance(last, int) and not isinstance(last, bool):
        parent = next((p for p in reversed(path[:-1]) if isinstance(p, str)), None)
        if parent is None:
            return Msg(f"第 {last + 1} 项", f"entry {last + 1}")
        return Msg(f"`{parent}` 的第 {last + 1} 项", f"entry {last + 1} of `{parent}`")
    return Msg(f"`{last}`", f"`{last}`")


def _split_loc(data: Any, loc: Sequence[int | str]) -> tuple[YamlPath, tuple[int | str, ...]]:
    """The part of a pydantic `loc` that is a path in the data, and the rest (a missing key, union tags)."""
    path: list[object] = []
    cur = data
    for i, part in enumerate(loc):
        in_dict = isinstance(cur, dict) and part in cur
        in_list = isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur)
        if not (in_dict or in_list):
            return tuple(path), tuple(loc[i:])
        cur = cur[part]
        path.append(part)
    return tuple(path), ()


def _value_at(data: Any, path: YamlPath) -> Any:
    cur = data
    for part in path:
        cur = cur[part]
    return cur


def validation_diagnostics(exc: ValidationError, data: Any, scope: ErrorScope) -> list[Diagnostic]:
    """Pydantic's errors about `data` (found at `scope.prefix` in the document) as diagnostics, each at
    the YAML position of the key or value it is about, sorted by position."""
    doc, prefix = scope.doc, scope.prefix
    found: list[Diagnostic] = []
    by_value: dict[YamlPath, list[Mapping[str, Any]]] = {}
    errors = exc.errors()
    # A misspelt key is also a missing one; "did you mean `sources`?" says it all, so the
    # "has no `sources`" it causes is left out.
    guessed: set[tuple[YamlPath, object]] = set()
    for err in errors:
        path, rest = _split_loc(data, err["loc"])
        if err["type"] == "extra_forbidden" and path and not rest:
            guess = nearest(str(path[-1]), scope.allowed(path[:-1]))
            if guess is not None:
                guessed.add((path[:-1], guess))
    for err in errors:
        typ = err["type"]
        path, rest = _split_loc(data, err["loc"])
        if typ == "extra_forbidden" and path and not rest:
            key = path[-1]
            allowed = list(scope.allowed(path[:-1]))
            guess = nearest(str(key), allowed)
            hint = (Msg(f"这里可用的键：{'、'.join(allowed)}", f"keys allowed here: {', '.join(allowed)}")
                    if guess is None and allowed else None)
            found.append(doc.diagnostic((*prefix, *path), scope.unknown(path[:-1], key) + did_you_mean(guess),
                                        key=True, hint=hint))
        elif typ == "missing" and rest:
            key = rest[0]
            if (path, key) in guessed:
                continue
            found.append(doc.diagnostic((*prefix, *path), scope.missing(path, key), key=True,
                                        hint=scope.hints.get(str(key))))
        elif typ == "invalid_key" or "[key]" in rest:
            key = err["input"]
            if typ == "invalid_key" and not rest and path:
                path = path[:-1]
            found.append(doc.diagnostic((*prefix, *path, key), Msg(f"键必须是文本，而不是 `{key}`", f"a key must be text, not `{key}`"),
                                        key=True, hint=Msg("给这个键加上引号", "put the key in quotes")))
        else:
            by_value.setdefault(path, []).append(err)
    for path, errs in by_value.items():
        found.append(doc.diagnostic((*prefix, *path), _value_message(path, errs, data, scope)))
    found.sort(key=lambda d: (d.location.line or 0, d.location.column or 0))
    return found


def _value_message(path: YamlPath, errs: list[Mapping[str, Any]], data: Any, scope: ErrorScope) -> Msg:
    for err in errs:
        error = (err.get("ctx") or {}).get("error")
        if isinstance(error, BadValue) and error.message is not None:
            return error.message
    value = _value_at(data, path)
    name = scope.name(path)
    expected_parts: list[Msg] = []
    for err in errs:
        error = (err.get("ctx") or {}).get("error")
        if err["type"] in ("value_error", "assertion_error") and not isinstance(error, BadValue):
            # A plugin's own validator said what is wrong, in its words.
            text = str(error) if error is not None else str(err.get("msg", ""))
            return Msg(f"{name.zh}：{text}", f"{name.en}: {text}")
        part = _expected(err)
        if part not in expected_parts:
            expected_parts.append(part)
    expected = Msg("或".join(p.zh for p in expected_parts), " or ".join(p.en for p in expected_parts))
    if value is None or (isinstance(value, str) and not value.strip()):
        return Msg(join_zh(name.zh, "没有填写值，应为", expected.zh), f"{name.en} has no value; it should be {expected.en}")
    given = _given(value)
    return Msg(join_zh(name.zh, "应为", expected.zh, "，而不是", given.zh),
               f"{name.en} should be {expected.en}, not {given.en}")


# --- the allowed keys of a (nested) options model ----------------------------------------------------------


def _model_in(tp: Any) -> type[BaseModel] | None:
    """The pydantic model a type annotation stands for, through Optional, unions and Annotated."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    origin = typing.get_origin(tp)
    if origin is Annotated:
        return _model_in(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _step(tp: Any, part: object) -> Any:
    """The annotation one key or index further into a value of type `tp`; None when not known."""
    model = _model_in(tp)
    if model is not None:
        for fname, info in model.model_fields.items():
            if part in (fname, info.alias):
                return info.annotation
        return None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Annotated:
        return _step(args[0], part)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            found = _step(arg, part)
            if found is not None:
                return found
        return None
    if origin in (list, tuple, set, frozenset, Sequence) and args:
        return args[0]
    if origin in (dict, Mapping) and len(args) == 2:
        return args[1]
    return None


def _keys_at(model: type[BaseModel], path: YamlPath) -> list[str]:
    """The keys a mapping accepts at a path into a model, as users write them (aliases first)."""
    tp: Any = model
    for part in path:
        tp = _step(tp, part)
        if tp is None:
            return []
    found = _model_in(tp)
    if found is None:
        return []
    return [info.alias or fname for fname, info in found.model_fields.items()]
