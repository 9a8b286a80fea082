"""The dossier source: a folder of evidence documents scanned into rows (path, category, type, size, dates)."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pydantic import Field, field_validator

from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.facts.coerce import coerce, ref_type_of
from kepu_rules.facts.provenance import Provenance
from kepu_rules.facts.schema import EntityDef, FieldDef
from kepu_rules.facts.table import FactTable, Row, SourceData, Value
from kepu_rules.i18n import Msg
from kepu_rules.sources import Source, SourceContext, SourceOptions

from .columns import norm_header
from .common import Problems, did_you_mean, find_entity, listing, options_of, require_file, shown_path

#: Files that are never evidence: editor lock files and the folder metadata Windows and macOS leave behind.
SKIPPED_FILES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
SKIPPED_FOLDERS = frozenset({"__macosx"})

#: Field names (or aliases) the scan fills by itself, when a pattern does not capture them.
BUILTIN_FIELDS: dict[str, str] = {
    "路径": "path", "文件路径": "path", "path": "path",
    "文件名": "name", "name": "name", "filename": "name", "file_name": "name",
    "类别": "category", "分类": "category", "category": "category",
    "类型": "kind", "文件类型": "kind", "type": "kind", "kind": "kind",
    "扩展名": "extension", "后缀": "extension", "extension": "extension", "ext": "extension",
    "大小": "size", "文件大小": "size", "size": "size",
    "修改日期": "modified", "修改时间": "modified", "modified": "modified",
    "日期": "date", "date": "date",
}

#: Coarse kinds by extension: (Chinese, English); a field named in Chinese gets the Chinese word.
KINDS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp", "heic", "heif", "svg"), ("图片", "image")),
    **dict.fromkeys(("mp4", "mov", "avi", "wmv", "mkv", "flv", "m4v", "mpg", "mpeg", "3gp"), ("视频", "video")),
    **dict.fromkeys(("mp3", "wav", "m4a", "aac", "flac", "wma", "amr", "ogg"), ("音频", "audio")),
    **dict.fromkeys(("pdf", "doc", "docx", "wps", "txt", "rtf", "odt", "md", "ofd"), ("文档", "document")),
    **dict.fromkeys(("xls", "xlsx", "et", "csv", "ods"), ("表格", "spreadsheet")),
    **dict.fromkeys(("ppt", "pptx", "dps", "odp", "key"), ("演示文稿", "presentation")),
    **dict.fromkeys(("zip", "rar", "7z", "tar", "gz"), ("压缩包", "archive")),
}
OTHER_KIND = ("其他", "other")

_PLACEHOLDER = re.compile(r"\{([^{}/]*)\}")
_NAME_DATES = (
    re.compile(r"(?<![0-9])([0-9]{4})\s*[-_.年/]\s*([0-9]{1,2})\s*[-_.月/]\s*([0-9]{1,2})(?![0-9])"),
    re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})([01][0-9])([0-3][0-9])(?![0-9])"),
)


class DossierOptions(SourceOptions):
    """Options of the dossier source."""

    path: str = Field(description="The folder to scan, relative to the folder of kepu.yaml.")
    entity: str = Field(description="The entity each file becomes a row of (e.g. 档案材料).")
    patterns: list[str] = Field(
        default_factory=lambda: ["**"],
        description="Path patterns relative to the folder; a file becomes a row if one matches (the first "
                    "that matches fills the row). `{字段}` captures one path segment (or part of one) into "
                    "that field, `*` matches within a segment, `**` any number of folders. Case-insensitive.")

    @field_validator("patterns")
    @classmethod
    def _valid_patterns(cls, patterns: list[str]) -> list[str]:
        if not patterns:
            raise ValueError("give at least one pattern, e.g. ['**']")
        for pattern in patterns:
            compile_pattern(pattern)
        return patterns


@dataclass(frozen=True, slots=True)
class PathPattern:
    """A compiled path pattern: the regex over a relative posix path, and the field of each group."""

    text: str
    regex: re.Pattern[str]
    captures: tuple[str, ...]


def compile_pattern(text: str) -> PathPattern:
    """Compile `{类别}/{街道}/*.jpg`-style patterns; raises ValueError naming what is wrong."""
    segments = text.replace("\\", "/").strip().strip("/").split("/")
    if segments == [""]:
        raise ValueError("a pattern cannot be empty (use ** for every file)")
    captures: list[str] = []
    parts: list[str] = []
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == "**":
            parts.append("[^/]+(?:/[^/]+)*" if last else "(?:[^/]+/)*")
            continue
        parts.append(_segment(segment, captures, text) + ("" if last else "/"))
    return PathPattern(text, re.compile("".join(parts), re.IGNORECASE), tuple(captures))


def _segment(segment: str, captures: list[str], text: str) -> str:
    if "**" in segment:
        raise ValueError(f"in {text!r}: ** must be a whole path segment, as in {{类别}}/**")
    out: list[str] = []
    pos = 0
    for found in _PLACEHOLDER.finditer(segment):
        out.append(_glob(segment[pos:found.start()], text))
        name = found.group(1).strip()
        if not name:
            raise ValueError(f"in {text!r}: {{}} needs a field name, as in {{街道}}")
        if name in captures:
            raise ValueError(f"in {text!r}: {{{name}}} appears twice")
        captures.append(name)
        out.append("([^/]+?)")
        pos = found.end()
    out.append(_glob(segment[pos:], text))
    return "".join(out)


def _glob(chunk: str, text: str) -> str:
    if "{" in chunk or "}" in chunk:
        raise ValueError(f"in {text!r}: unbalanced {{ or }}")
    return "".join("[^/]*" if ch == "*" else "[^/]" if ch == "?" else re.escape(ch) for ch in chunk)


class DossierSource(Source):
    """Scans a folder of evidence: each file a row, with fields from the path and the file itself."""

    name = "dossier"
    description = Msg("档案目录：每个文件一条记录（路径、类别、类型、大小、日期及路径中的字段）",
                      "a folder of evidence documents: one row per file (path, category, type, size, dates, "
                      "and fields captured from the path)")
    Options = DossierOptions

    def read(self, options: SourceOptions, context: SourceContext) -> SourceData:
        opts = options_of(options, DossierOptions)
        shown = shown_path(opts.path).rstrip("/") or "."
        where = Location(shown)
        entity = find_entity(context.schema, opts.entity, where)
        patterns = [compile_pattern(p) for p in opts.patterns]
        scan = _Scan(entity, patterns, context, shown)
        root = require_file(opts.path, context, folder=True)
        rows = [row for rel, path in scan.files(root) if (row := scan.row(rel, path)) is not None]
        scan.problems.raise_if_any()
        return SourceData(tables=[FactTable(entity.name, rows, context.name, file=shown)])


class _Scan:
    """The field plan of one dossier source, applied to each file."""

    def __init__(self, entity: EntityDef, patterns: list[PathPattern], context: SourceContext, shown: str) -> None:
        self.entity = entity
        self.patterns = patterns
        self.context = context
        self.shown = shown
        self.problems = Problems(Location(shown))
        self.builtins = _builtin_fields(entity)
        self.captured = [self.capture_fields(p) for p in patterns]
        self.check_fillable()
        self.problems.raise_if_any()

    def capture_fields(self, pattern: PathPattern) -> list[FieldDef]:
        fields: list[FieldDef] = []
        for name in pattern.captures:
            found = _field(self.entity, name)
            if found is None:
                names = [n for f in self.entity.fields.values() for n in f.names]
                self.problems.add(Diagnostic(
                    Location(self.shown),
                    Msg(f"数据源 {self.context.name} 的模式 {pattern.text} 中的 {{{name}}} 不是实体 {self.entity.name} 的字段",
                        f"{{{name}}} in pattern {pattern.text} of source {self.context.name} is not a field of {self.entity.name}"),
                    hint=did_you_mean(name, names) or Msg("字段：", "fields: ") + listing(self.entity.fields),
                    code="unknown-field"))
                continue
            fields.append(found)
        return fields

    def check_fillable(self) -> None:
        """A key or required field must be captured by every pattern, or filled by the scan itself."""
        for f in self.entity.fields.values():
            if not (f.is_key or f.required) or f in self.builtins:
                continue
            for pattern, fields in zip(self.patterns, self.captured, strict=True):
                if f not in fields:
                    self.problems.add(Diagnostic(
                        Location(self.shown),
                        Msg(f"模式 {pattern.text} 没有提供 {self.entity.name} 的{'主键' if f.is_key else '必填字段'} {f.name}",
                            f"pattern {pattern.text} does not fill {f.name}, "
                            f"{'the key' if f.is_key else 'a required field'} of {self.entity.name}"),
                        hint=Msg(f"在模式中用 {{{f.name}}} 捕获它", f"capture it in the pattern with {{{f.name}}}"),
                        code="missing-column"))

    def files(self, root: Path) -> list[tuple[str, Path]]:
        """(relative posix path, path) of every file, sorted; hidden and lock files are skipped."""
        found: list[tuple[str, Path]] = []

        def failed(error: OSError) -> None:
            self.problems.add(Diagnostic(
                Location(self.shown),
                Msg(f"无法读取 {error.filename}：{error.strerror}", f"cannot read {error.filename}: {error.strerror}"),
                code="unreadable-input"))

        for folder, subfolders, names in os.walk(root, onerror=failed):
            subfolders[:] = sorted(d for d in subfolders if not _skipped(d) and d.casefold() not in SKIPPED_FOLDERS)
            base = Path(folder)
            for name in sorted(names):
                if _skipped(name) or name.casefold() in SKIPPED_FILES:
                    continue
                path = base / name
                rel = unicodedata.normalize("NFC", path.relative_to(root).as_posix())
                if self.readable_name(rel):
                    found.append((rel, path))
        found.sort()  # one order for the whole tree (by relative path), whatever the file system returns
        return found

    def readable_name(self, rel: str) -> bool:
        """Whether a path is valid text; names in another encoding (GBK names unzipped on Linux) are errors."""
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:
            shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            self.problems.add(Diagnostic(
                Location(f"{self.shown}/{shown}"),
                Msg("文件名不是有效的 UTF-8 文本（可能是 GBK 编码的文件名）：请重命名，或用 unzip -O GBK 重新解压",
                    "the file name is not valid UTF-8 (perhaps a GBK name): rename it, or extract again with unzip -O GBK"),
                code="bad-file-name"))
            return False
        return True

    def row(self, rel: str, path: Path) -> Row | None:
        for pattern, fields in zip(self.patterns, self.captured, strict=True):
            found = pattern.regex.fullmatch(rel)
            if found is not None:
                return self.build(rel, path, dict(zip(fields, found.groups(), strict=False)))
        return None

    def build(self, rel: str, path: Path, raw: dict[FieldDef, object]) -> Row:
        info = _FileInfo(rel, path)
        where = Provenance(self.context.name, rel if self.shown == "." else f"{self.shown}/{rel}")
        for f, builtin in self.builtins.items():
            if f in raw:
                continue
            try:
                raw[f] = _BUILTIN_VALUES[builtin](info, f)
            except OSError as exc:  # a broken link or a file removed during the scan
                self.problems.add(Diagnostic(
                    where.location(), Msg(f"无法读取文件信息：{exc.strerror}", f"cannot stat the file: {exc.strerror}"),
                    code="unreadable-input"))
        values: dict[str, Value] = {}
        for f, value in raw.items():
            try:
                values[f.name] = coerce(value, f, where, ref_type=ref_type_of(f, self.context.schema))
            except KepuError as exc:
                self.problems.add_error(exc)
        for f in self.entity.fields.values():
            if f.required and f.name in values and values[f.name] is None:
                self.problems.add(Diagnostic(
                    where.location(), Msg(f"{f.name} 是必填项，但无法从路径得到", f"{f.name} is required but the path gives none"),
                    code="required-empty"))
        return Row(self.entity.name, values, where)


class _FileInfo:
    """One scanned file; its stat is taken only if a size or date field needs it."""

    __slots__ = ("_stat", "path", "rel")

    def __init__(self, rel: str, path: Path) -> None:
        self.rel = rel
        self.path = path
        self._stat: os.stat_result | None = None

    @property
    def stat(self) -> os.stat_result:
        if self._stat is None:
            self._stat = self.path.stat()
        return self._stat

    @property
    def extension(self) -> str:
        return PurePosixPath(self.rel).suffix.lower().lstrip(".")


def _skipped(name: str) -> bool:
    return name.startswith((".", "~$"))


def _field(entity: EntityDef, name: str) -> FieldDef | None:
    wanted = norm_header(name)
    return next((f for f in entity.fields.values() if any(norm_header(n) == wanted for n in f.names)), None)


def _builtin_fields(entity: EntityDef) -> dict[FieldDef, str]:
    found: dict[FieldDef, str] = {}
    for f in entity.fields.values():
        kind = next((BUILTIN_FIELDS[k] for n in f.names if (k := norm_header(n)) in BUILTIN_FIELDS), None)
        if kind is not None:
            found[f] = kind
    return found


def _kind(info: _FileInfo, f: FieldDef) -> str:
    zh, en = KINDS.get(info.extension, OTHER_KIND)
    return en if f.name.isascii() else zh


def _category(info: _FileInfo, _f: FieldDef) -> str | None:
    parts = info.rel.split("/")
    return parts[0] if len(parts) > 1 else None


def _modified(info: _FileInfo, _f: FieldDef) -> dt.date:
    return dt.datetime.fromtimestamp(info.stat.st_mtime).date()


def _date_in_path(info: _FileInfo, _f: FieldDef) -> dt.date | None:
    """The first valid date in the file name, else in its folders from the innermost out."""
    for part in reversed(info.rel.split("/")):
        for regex in _NAME_DATES:
            for found in regex.finditer(part):
                try:
                    return dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
                except ValueError:
                    continue
    return None


_BUILTIN_VALUES: dict[str, Callable[[_FileInfo, FieldDef], object]] = {
    "path": lambda info, _f: info.rel,
    "name": lambda info, _f: PurePosixPath(info.rel).name,
    "category": _category,
    "kind": _kind,
    "extension": lambda info, _f: info.extension or None,
    "size": lambda info, _f: info.stat.st_size,
    "modified": _modified,
    "date": _date_in_path,
}
