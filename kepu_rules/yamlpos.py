"""YAML with positions: plain data plus the line and column of every key and value, and readable errors."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kepu_rules.diagnostics import Diagnostic, KepuError, Location, Severity
from kepu_rules.i18n import Msg

YamlPath = tuple[object, ...]
"""A path into the data: mapping keys and list indices, e.g. ("sources", 2, "path")."""

_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

# The line breaks YAML counts (str.splitlines also splits on form feeds and the like, which YAML does not,
# so using it would put carets on the wrong line).
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
YAML_LINE_BREAK = _LINE_BREAK


class Span(NamedTuple):
    """Where a node is: 1-based line and column of its start, and of the character after its end."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class YamlDocument:
    """A loaded YAML file: its data, its text, and the span of every value (and every mapping key)."""

    path: str  # as shown in diagnostics
    text: str
    data: Any
    spans: dict[YamlPath, Span] = field(default_factory=dict, repr=False)
    key_spans: dict[YamlPath, Span] = field(default_factory=dict, repr=False)

    @cached_property
    def positions(self) -> dict[YamlPath, tuple[int, int]]:
        """(line, column), 1-based, of every value by its path."""
        return {p: (s.line, s.column) for p, s in self.spans.items()}

    @cached_property
    def lines(self) -> list[str]:
        return _LINE_BREAK.split(self.text)

    def source_line(self, line: int | None) -> str | None:
        if line is None or not 0 < line <= len(self.lines):
            return None
        return self.lines[line - 1]

    def location(self, path: Sequence[object], *, key: bool = False) -> Location:
        """Where the value at `path` is (or its key, with `key=True`).

        A path the document does not have (a missing key, a value made by a merge) falls back to its
        nearest ancestor, pointing at that ancestor's key: for a block mapping that is the line a user
        reads as "the `sheets:` part".
        """
        p = tuple(path)
        prefer_key = key
        while p:
            span = (self.key_spans.get(p) if prefer_key else None) or self.spans.get(p)
            if span is not None:
                return Location(self.path, span.line, span.column, span.end_line, span.end_column)
            p = p[:-1]
            prefer_key = True
        # The whole document: naming the file is clearer than a caret under whatever comes first.
        return Location(self.path)

    def diagnostic(self, path: Sequence[object], message: Msg, *, key: bool = False, hint: Msg | None = None,
                   severity: Severity = "error", code: str = "", notes: tuple[Msg, ...] = ()) -> Diagnostic:
        """A diagnostic pointing at a value (or its key), quoting the line it is on."""
        loc = self.location(path, key=key)
        return Diagnostic(loc, message, severity=severity, source_line=self.source_line(loc.line), hint=hint,
                          code=code, notes=notes)


def load_yaml(path: Path, *, display: str | None = None, allow_empty: bool = False) -> YamlDocument:
    """Read and parse a YAML file; every problem (unreadable, syntax, duplicate key, empty) is a KepuError."""
    shown = display if display is not None else str(path)
    return parse_yaml(read_text(path, shown), shown, allow_empty=allow_empty)


def read_text(path: Path, shown: str | None = None) -> str:
    """A text file's content: UTF-8 (with or without BOM), else GB18030 as Chinese Windows editors save it."""
    shown = shown if shown is not None else str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise KepuError(Diagnostic(Location(shown), Msg("文件不存在", "no such file"))) from None
    except IsADirectoryError:
        raise KepuError(Diagnostic(Location(shown), Msg("这是一个文件夹，不是文件", "this is a folder, not a file"))) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise KepuError(Diagnostic(Location(shown), Msg(f"无法读取文件：{reason}", f"cannot read the file: {reason}"))) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise KepuError(Diagnostic(Location(shown), Msg("文件编码无法识别：请另存为 UTF-8",
                                                         "cannot decode the file: save it as UTF-8"))) from None


def parse_yaml(text: str, path: str = "<string>", *, allow_empty: bool = False) -> YamlDocument:
    """Parse YAML text (safely: no Python tags) into data and positions.

    An empty document (nothing but comments and blank lines) is an error unless `allow_empty`, in which
    case `data` is None.
    """
    try:
        # The reader checks every character up front, so even constructing the loader can fail.
        loader = _Loader(text)
    except yaml.YAMLError as exc:
        raise KepuError(_syntax_diagnostic(exc, text, path)) from None
    try:
        node = loader.get_single_node()
        if node is None:
            if allow_empty:
                return YamlDocument(path, text, None)
            raise KepuError(Diagnostic(Location(path), Msg("文件是空的：没有任何设置", "the file is empty: it sets nothing")))
        spans: dict[YamlPath, Span] = {}
        key_spans: dict[YamlPath, Span] = {}
        problems: list[tuple[Node, Msg, Msg]] = []
        _walk(loader, node, (), spans, key_spans, problems, set(), set())
        doc = YamlDocument(path, text, None, spans, key_spans)
        if problems:
            raise KepuError([_node_diagnostic(doc, n, m, h) for n, m, h in problems])
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise KepuError(_syntax_diagnostic(exc, text, path)) from None
    except RecursionError:
        raise KepuError(Diagnostic(Location(path), Msg("嵌套层次太深，无法读取", "nested too deeply to read"))) from None
    finally:
        loader.dispose()
    return YamlDocument(path, text, data, spans, key_spans)


def quote_line(location: Location) -> str | None:
    """The line a location points at, read from its file (for diagnostics made after loading)."""
    if location.line is None:
        return None
    try:
        text = read_text(Path(location.path))
    except KepuError:
        return None
    lines = _LINE_BREAK.split(text)
    return lines[location.line - 1] if 0 < location.line <= len(lines) else None


# --- loading ------------------------------------------------------------------------------------------


class _BadScalar(ConstructorError):
    """A scalar YAML reads as a date (or number) that does not exist, such as 2026-02-30."""

    def __init__(self, node: Node, message: Msg) -> None:
        super().__init__(None, None, message.en, node.start_mark)
        self.message = message
        self.span = _span(node)


class _Loader(yaml.SafeLoader):
    """SafeLoader whose impossible dates are positioned errors instead of a bare ValueError."""

    def construct_yaml_timestamp(self, node: ScalarNode) -> date | datetime:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise _BadScalar(node, Msg(f"`{node.value}` 不是有效的日期", f"`{node.value}` is not a valid date")) from None

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError) as exc:
            value = node.value if isinstance(node, ScalarNode) else node.tag
            raise _BadScalar(node, Msg(f"无法读取值 `{value}`：{exc}", f"cannot read the value `{value}`: {exc}")) from None


_Loader.add_constructor(_TIMESTAMP_TAG, _Loader.construct_yaml_timestamp)


def _span(node: Node) -> Span:
    s, e = node.start_mark, node.end_mark
    return Span(s.line + 1, s.column + 1, e.line + 1, e.column + 1)


def _walk(loader: _Loader, node: Node, path: YamlPath, spans: dict[YamlPath, Span],
          key_spans: dict[YamlPath, Span], problems: list[tuple[Node, Msg, Msg]],
          done: set[int], stack: set[int]) -> None:
    """Record spans and find duplicate keys, on the composed tree (before merges rewrite it).

    A node reached again through an alias gets a span for this path too, but is not walked twice: that
    keeps "billion laughs" documents linear, and an alias inside its own anchor an error, not a hang.
    """
    spans[path] = _span(node)
    if id(node) in stack:
        problems.append((node, Msg("别名引用了包含它自身的锚点（循环结构）", "an alias refers to a node that contains it (a loop)"),
                         Msg("去掉这个别名，或改为引用别处的锚点", "remove the alias, or point it at an anchor outside this node")))
        return
    if id(node) in done:
        return
    done.add(id(node))
    stack.add(id(node))
    if isinstance(node, MappingNode):
        seen: dict[object, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
                continue  # non-scalar keys fail in construction; merged keys may be overridden by design
            key = loader.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # unhashable: construction reports it with its position
            if first is not None:
                line = first.start_mark.line + 1
                problems.append((key_node, Msg(f"键 `{key_node.value}` 重复：第 {line} 行已经设置过",
                                               f"duplicate key `{key_node.value}`: already set on line {line}"),
                                 Msg("YAML 只保留最后一个值，请删去其中一个", "YAML would keep only the last one; remove one of them")))
                continue
            seen[key] = key_node
            key_spans[(*path, key)] = _span(key_node)
            _walk(loader, value_node, (*path, key), spans, key_spans, problems, done, stack)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _walk(loader, item, (*path, i), spans, key_spans, problems, done, stack)
    stack.discard(id(node))


def _node_diagnostic(doc: YamlDocument, node: Node, message: Msg, hint: Msg | None) -> Diagnostic:
    s = _span(node)
    loc = Location(doc.path, s.line, s.column, s.end_line, s.end_column)
    return Diagnostic(loc, message, source_line=doc.source_line(s.line), hint=hint)


# --- syntax errors --------------------------------------------------------------------------------------

_TOKEN_CHAR = re.compile(r"found character '(.*)' that cannot start any token")


def _syntax_diagnostic(exc: yaml.YAMLError, text: str, path: str) -> Diagnostic:
    """Turn a pyyaml error into a diagnostic in both languages, pointing where a user should look."""
    lines = _LINE_BREAK.split(text)

    def at(line0: int, col0: int, message: Msg, hint: Msg | None = None) -> Diagnostic:
        line = line0 + 1
        src = lines[line0] if 0 <= line0 < len(lines) else None
        # At the very end of a file pyyaml points past the last line; the last line is what to quote.
        if src is None and lines:
            line, src = len(lines), lines[-1]
            col0 = len(src)
        return Diagnostic(Location(path, line, col0 + 1), message, source_line=src, hint=hint)

    prefix = Msg("YAML 语法错误：", "YAML syntax error: ")
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        breaks = list(_LINE_BREAK.finditer(before))
        col0 = exc.position - breaks[-1].end() if breaks else exc.position
        ch = exc.character if isinstance(exc.character, int) else 0
        return at(len(breaks), col0, prefix + Msg(f"文件中有不可打印的控制字符 U+{ch:04X}",
                                                  f"the file contains the control character U+{ch:04X}"),
                  Msg("删除这个字符（它往往是从别处复制粘贴带来的）", "delete it (it usually comes from copying and pasting)"))
    if not isinstance(exc, yaml.MarkedYAMLError):
        return Diagnostic(Location(path), prefix + Msg.same(str(exc)))
    problem = exc.problem or ""
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    line0, col0 = (mark.line, mark.column) if mark is not None else (0, 0)
    ctx_line0, ctx_col0 = (exc.context_mark.line, exc.context_mark.column) if exc.context_mark else (line0, col0)

    if isinstance(exc, _BadScalar):
        s = exc.span
        return Diagnostic(Location(path, s.line, s.column, s.end_line, s.end_column), exc.message,
                          source_line=lines[s.line - 1] if s.line <= len(lines) else None)
    found = _TOKEN_CHAR.search(problem)
    if found and found.group(1) == "\\t":
        return at(line0, col0, prefix + Msg("这里有制表符（Tab）：YAML 的缩进和分隔只能用空格", "a tab character here: YAML needs spaces, not tabs"),
                  Msg("把 Tab 换成空格", "replace the tab with spaces"))
    if found:
        char = found.group(1)
        shown = f"`{char}`" if char != "`" else "'`'"
        return at(line0, col0, prefix + Msg(f"{shown} 不能作为值的开头", f"{shown} cannot start a value"),
                  Msg("给这个值加上引号", "put the value in quotes"))
    if "quoted scalar" in context and ("end of stream" in problem or "document separator" in problem):
        return at(ctx_line0, ctx_col0, prefix + Msg("引号没有闭合", "this quote is never closed"),
                  Msg("在值的末尾补上同样的引号", "close the value with the same quote"))
    if "unknown escape character" in problem:
        # pyyaml marks the character after the backslash; the backslash is what to change
        return at(line0, max(col0 - 1, 0), prefix + Msg("双引号中的反斜杠 `\\` 开始了一个未知的转义",
                                            "a backslash `\\` in double quotes starts an unknown escape"),
                  Msg("路径请用 `/`，或改用单引号", "write paths with `/`, or use single quotes"))
    if "mapping values are not allowed" in problem:
        return at(line0, col0, prefix + Msg("这里不能出现 `:`", "a `:` is not allowed here"),
                  Msg("值中含有冒号时请给值加引号；否则检查缩进", "quote a value that contains a colon; otherwise check the indentation"))
    if "could not find expected ':'" in problem:
        return at(ctx_line0, ctx_col0, prefix + Msg("这一行缺少 `:`", "this line has no `:`"),
                  Msg("每一行应写成 `键: 值`（冒号后有空格）", "write `key: value` (with a space after the colon)"))
    if "expected <block end>" in problem or "expected <block mapping start>" in problem:
        return at(line0, col0, prefix + Msg("缩进不一致：这一行与上面的行没有对齐", "inconsistent indentation: this line does not line up with the lines above"),
                  Msg("同一层的键（或 `- ` 列表项）应从同一列开始", "keys (or `- ` items) at the same level must start in the same column"))
    if "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        bracket = "[" if "']'" in problem else "{"
        closing = "]" if bracket == "[" else "}"
        return at(ctx_line0, ctx_col0, prefix + Msg(f"`{bracket}` 没有对应的 `{closing}`", f"this `{bracket}` is never closed with `{closing}`"))
    if "expected a single document" in context:
        return at(line0, col0, prefix + Msg("文件中只能有一个 YAML 文档（这里又出现了 `---`）",
                                            "only one YAML document is allowed (another `---` starts here)"))
    if "found undefined alias" in problem:
        return at(line0, col0, prefix + Msg("别名引用了未定义的锚点", "this alias refers to an undefined anchor"))
    if "found duplicate anchor" in context:
        return at(line0, col0, prefix + Msg("锚点重复定义", "this anchor is defined twice"))
    if "could not determine a constructor for the tag" in problem:
        tag = "`" + problem.rsplit(" ", 1)[-1].strip("'").replace("tag:yaml.org,2002:", "!!") + "`"
        return at(line0, col0, prefix + Msg(f"不支持的标签 {tag}", f"unsupported tag {tag}"),
                  Msg("去掉以 `!` 开头的标签；如果它是值的一部分，请给值加引号",
                      "remove the `!` tag; if it is part of the value, put the value in quotes"))
    if "found unhashable key" in problem:
        return at(line0, col0, prefix + Msg("键必须是简单的文本，不能是列表或映射", "a key must be plain text, not a list or mapping"))
    if "expected the node content" in problem:
        return at(line0, col0, prefix + Msg("这里应当是一个值", "a value is expected here"))
    detail = " ".join(part for part in (context, problem) if part)
    return at(line0, col0, prefix + Msg.same(detail))
