"""Source text -> typed AST, or diagnostics: the only entry point other stages use to read `.kepu` files."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from kepu_rules.diagnostics import Diagnostic, KepuError, Location, normalize_newlines, split_lines
from kepu_rules.dsl.ast import RulesetFile
from kepu_rules.i18n import Lang, Msg


def parse(text: str, path: str = "<string>") -> RulesetFile:
    """Parse one ruleset text. Raises KepuError (with every diagnostic found) on any mistake.

    Any text gives a ruleset or a KepuError: nesting too deep for the later, recursive stages is a
    `too-deep` diagnostic, never a RecursionError.
    """
    from lark.exceptions import UnexpectedInput

    from kepu_rules.dsl.depth import MAX_NESTING, check_nesting, too_deep
    from kepu_rules.dsl.parser import TooDeep, parse_tree
    from kepu_rules.dsl.syntax_errors import syntax_diagnostic
    from kepu_rules.dsl.transformer import to_ast

    # lark counts lines at LF only: a CR-only file would be one long line, and its positions `1:79`.
    # With every line end an LF, the parser, the checker's spans and the quoted lines count alike.
    text = normalize_newlines(text.removeprefix("\ufeff"))
    try:
        try:
            ruleset, problems = to_ast(text, path, MAX_NESTING)
        except TooDeep:
            # Refused before any later, recursive stage sees it. A syntax error further on still comes
            # first, and the construct to report is found on lark's tree: both from lark's own parse.
            deep = check_nesting(parse_tree(text), path)
            assert deep is not None, "lark's tree nests as deep as the parser found"
            raise KepuError(_with_source([deep], text)) from None
    except UnexpectedInput as err:
        raise KepuError(syntax_diagnostic(err, text, path)) from None
    except RecursionError:
        # The parser is iterative; this only happens when the caller left almost no stack.
        raise KepuError(_with_source([too_deep(Location(path, 1, 1))], text)) from None
    if problems:
        raise KepuError(_with_source(problems, text))
    return replace(ruleset, text=text)


def parse_file(path: str | Path) -> RulesetFile:
    """Read and parse a `.kepu` file; unreadable or non-UTF-8 files are diagnostics too."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as err:
        raise KepuError(Diagnostic(Location(str(path)), Msg(f"无法读取规则集文件：{err.strerror}",
                                                            f"cannot read the ruleset file: {err.strerror}"),
                                   code="unreadable")) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = len(split_lines(data[: err.start].decode("utf-8") + "x"))
        raise KepuError(Diagnostic(Location(str(path), line), Msg("规则集文件不是 UTF-8 编码",
                                                                  "the ruleset file is not UTF-8 encoded"),
                                   hint=Msg("用 UTF-8 编码另存该文件", "save the file as UTF-8"), code="encoding")) from None
    return parse(text, str(path))


def _with_source(problems: list[Diagnostic], text: str) -> list[Diagnostic]:
    """Attach the quoted source line to diagnostics made before the text was at hand."""
    from kepu_rules.diagnostics import with_source_lines

    return with_source_lines(problems, lambda _path: text)


#: The words that begin a declaration, and so end the header, in both languages.
_DECL_WORD = re.compile(r"^\s*(?:param|参数|set|设定|entity|实体|extend|扩展|fact|指标|section|章节|override|调整|drop|删除|rule|规则)(?!\w)")
_LANGUAGE = re.compile(r"(?:^|\s)(?:language|语言)[ \t]+(\w+)")
_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"|“[^”\n]*”|「[^」\n]*」')
_COMMENT = re.compile(r"(#|//).*$")


def declared_language(text: str) -> Lang | None:
    """The language a ruleset's header declares (`language en`), read without parsing the file.

    Diagnostics speak the ruleset's language, and a file with a syntax error has no parsed header to
    ask; so the header is scanned: its lines up to the first declaration, titles and comments removed.
    """
    header: list[str] = []
    for n, line in enumerate(split_lines(text[:20_000].removeprefix("\ufeff"))):
        if n >= 40 or _DECL_WORD.match(line) or "{" in line or "｛" in line:
            break
        header.append(_COMMENT.sub("", _QUOTED.sub(" ", line)))
    m = _LANGUAGE.search(" ".join(header))
    if m is None:
        return None
    value = m[1].lower()
    return "en" if value in ("en", "english", "英文") else "zh" if value in ("zh", "中文") else None


def declared_language_of(path: str | Path) -> Lang | None:
    """`declared_language` of a file; None when it cannot be read (reading it again reports why)."""
    try:
        return declared_language(Path(path).read_bytes()[:20_000].decode("utf-8", errors="replace"))
    except OSError:
        return None
