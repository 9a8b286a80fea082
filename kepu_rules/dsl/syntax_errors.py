"""Syntax errors in plain words: what was found, what was expected (never lark token names), and a hint."""

from __future__ import annotations

import re

from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from kepu_rules.diagnostics import Diagnostic, Location, source_line_of, split_lines
from kepu_rules.i18n import Msg

#: How each terminal is described to an author: (中文, English).
TERMINAL_WORDS: dict[str, tuple[str, str]] = {
    "NAME": ("名称", "a name"),
    "RULE_ID": ("规则编号", "a rule id"),
    "STRING": ("带引号的文字", "a quoted text"),
    "NUMBER": ("数字", "a number"),
    "PERCENT": ("百分数", "a percent such as 80%"),
    "DATE": ("日期", "a date such as 2026-09-15"),
    "CMP": ("比较符（>=、不低于 …）", "a comparison (>=, < ...)"),
    "COUNT_OP": ("至少/至多/恰好", "at least / at most / exactly"),
    "CMP_OR_COUNT": ("不少于/不多于", "不少于 / 不多于"),
    "EACH_PERIOD": ("每年/每季度/每月", "each year / quarter / month"),
    "RULESET": ("ruleset/规则集", "`ruleset`"),
    "VERSION": ("version/版本", "`version`"),
    "EXTENDS": ("extends/继承", "`extends`"),
    "LANGUAGE": ("language/语言", "`language`"),
    "PARAM": ("param/参数", "`param`"),
    "SET": ("set/设定", "`set`"),
    "ENTITY": ("entity/实体", "`entity`"),
    "EXTEND": ("extend/扩展", "`extend`"),
    "AKA": ("aka/别名", "`aka`"),
    "KEY": ("key/主键", "`key`"),
    "REQUIRED": ("required/必填", "`required`"),
    "DATED": ("dated/计时日期", "`dated`"),
    "FACT": ("fact/指标", "`fact`"),
    "SECTION": ("section/章节", "`section`"),
    "RULE": ("rule/规则", "`rule`"),
    "POINTS": ("points/分值", "`points`"),
    "SEVERITY": ("severity/等级", "`severity`"),
    "SCORING": ("scoring/计分方式", "`scoring`"),
    "WARN_AT": ("warn at/预警", "`warn at`"),
    "OWNER": ("owner/责任单位", "`owner`"),
    "DUE": ("due/期限", "`due`"),
    "SOURCE": ("source/依据", "`source`"),
    "TIER": ("tier/证据等级", "`tier`"),
    "TAGS": ("tags/标签", "`tags`"),
    "HINT": ("hint/提示", "`hint`"),
    "APPLIES": ("applies when/适用于", "`applies when`"),
    "THRESHOLD": ("threshold/阈值", "`threshold`"),
    "OVERRIDE": ("override/调整", "`override`"),
    "DROP": ("drop/删除", "`drop`"),
    "BECAUSE": ("because/原因", "`because`"),
    "DEDUCT": ("deduct", "`deduct`"),
    "ZH_DEDUCT": ("每项扣", "`每项扣`"),
    "ZH_POINT_UNIT": ("分", "`分`"),
    "PER_ITEM": ("per item", "`per item`"),
    "EACH": ("each/每个", "`each`"),
    "NO": ("no/没有", "`no`"),
    "SOME": ("some/存在", "`some`"),
    "HAS": ("has/满足", "`has` (满足)"),
    "WHERE": ("where/其中", "`where` (其中)"),
    "VIA": ("via/经由", "`via`"),
    "MAY_BE_EMPTY": ("可为空/may be empty", "`may be empty` (可为空)"),
    "OF": ("of/于", "`of`"),
    "FROM": ("from/从", "`from`"),
    "TO": ("to/到", "`to`"),
    "BY": ("by/按", "`by`"),
    "AND": ("and/且", "`and` (且)"),
    "OR": ("or/或", "`or` (或)"),
    "NOT": ("not/非", "`not`"),
    "IN": ("in/属于", "`in`"),
    "NOT_IN": ("not in/不属于", "`not in`"),
    "CONTAINS": ("contains/包含", "`contains`"),
    "CONTAINS_ALL": ("contains all/包含全部", "`contains all`"),
    "CONTAINS_ANY": ("contains any/包含任一", "`contains any`"),
    "BETWEEN": ("between/介于", "`between`"),
    "BETWEEN_AND": ("和", "`and` (和)"),
    "BETWEEN_END": ("之间", "`之间`"),
    "WITHIN": ("within", "`within`"),
    "BEFORE": ("before", "`before`"),
    "TIME_UNIT": ("years/months/days", "years, months or days"),
    "ZH_AT": ("在", "`在`"),
    "ZH_BEFORE": ("之前", "`之前`"),
    "ZH_TIME_UNIT": ("年内/个月内/天内", "年内, 个月内 or 天内"),
    "IS_MISSING": ("is missing/缺失", "`is missing`"),
    "IS_PRESENT": ("is present/非空", "`is present`"),
    "TODAY": ("today/今天", "`today`"),
    "TRUE": ("true/是", "`true`"),
    "FALSE": ("false/否", "`false`"),
    "UNIT": ("量词（个、处 …）", "a measure word (个, 处 ...)"),
    "ARROW": ("->", "`->`"),
    "EQ": ("=", "`=`"),
    "COLON": (":", "`:`"),
    "SEMI": (";", "`;`"),
    "COMMA": (",", "`,`"),
    "DOT": (".", "`.`"),
    "LPAR": ("(", "`(`"),
    "RPAR": (")", "`)`"),
    "LBRACE": ("{", "`{`"),
    "RBRACE": ("}", "`}`"),
    "LBRACK": ("[", "`[`"),
    "RBRACK": ("]", "`]`"),
    "PLUS": ("+", "`+`"),
    "MINUS": ("-", "`-`"),
    "STAR": ("*", "`*`"),
    "SLASH": ("/", "`/`"),
    "$END": ("文件结尾", "the end of the file"),
}

#: Terminals that begin an expression: when all of them are expected, say "a condition" instead.
_EXPR_START = {"NAME", "NUMBER", "PERCENT", "STRING", "DATE", "LPAR", "EACH", "NO", "SOME", "COUNT_OP", "NOT"}

#: Chinese keywords authors glue to the following name (`每个街道`): longest first.
GLUABLE_KEYWORDS = sorted(
    ["每个", "每一个", "所有", "至少有", "至少", "至多有", "至多", "恰好有", "恰好", "其中", "满足", "没有", "存在",
     "不属于", "属于", "包含全部", "包含任一", "包含", "介于", "每季度", "每个季度", "每年", "每月", "每个月", "经由"],
    key=len, reverse=True,
)
UNIT_GLUED = re.compile(r"^(个|处|项|次|名|家|所|位|条|份|篇|张|场)(\w+)$")
_NUM_UNIT = re.compile(r"^\d+(个|处|项|次|名|家|所|位|条|份|篇|张|场)")


def describe_expected(expected: set[str]) -> Msg:
    names = set(expected)
    if names & {"CMP", "COUNT_OP"}:
        # 不少于/不多于 are accepted wherever a comparison or a count is: those words already cover them.
        names.discard("CMP_OR_COUNT")
    parts_zh: list[str] = []
    parts_en: list[str] = []
    if names >= _EXPR_START:
        parts_zh.append("一个条件或数值")
        parts_en.append("a condition or value")
        names -= _EXPR_START | {"MINUS", "TRUE", "FALSE", "TODAY", "LBRACK", "EACH_PERIOD", "RULE_ID"}
    known = sorted((n for n in names if n in TERMINAL_WORDS), key=_expected_rank)
    for n in known[:8]:
        zh, en = TERMINAL_WORDS[n]
        parts_zh.append(zh)
        parts_en.append(en)
    if len(known) > 8:
        parts_zh.append("…")
        parts_en.append("...")
    return Msg("、".join(parts_zh), ", ".join(parts_en))


def _expected_rank(name: str) -> tuple[int, str]:
    # Closers and the most common continuations first: they are what the author most likely forgot.
    first = ["RBRACE", "RPAR", "RBRACK", "STRING", "NAME", "LBRACE", "HAS", "WHERE", "CMP"]
    return (first.index(name) if name in first else len(first), name)


def syntax_diagnostic(err: UnexpectedInput, text: str, path: str) -> Diagnostic:
    """Turn a lark error into a diagnostic that says what was found and what was expected."""
    line = getattr(err, "line", None) or 1
    column = getattr(err, "column", None) or 1
    if isinstance(err, UnexpectedEOF) or (isinstance(err, UnexpectedToken) and err.token.type == "$END"):
        return _unexpected_end(err, text, path)
    if isinstance(err, UnexpectedCharacters):
        return _unexpected_char(err, text, path, line, column)
    assert isinstance(err, UnexpectedToken)
    tok = err.token
    found = str(tok)
    end_col = (tok.end_column or column + len(found)) if tok.end_line == tok.line else None
    loc = Location(path, line, column, tok.end_line, end_col)
    expected = describe_expected(set(err.expected))
    src = source_line_of(text, line)
    src_line = src or ""
    after = column - 1 + len(found)
    hint = _hint_for_token(tok.type, found, set(err.expected), src_line[after : after + _LOOK_BACK],
                           src_line[max(0, column - 1 - _LOOK_BACK) : column - 1])
    message = Msg(f"此处不应出现“{found}”，应为：{expected.zh}", f"unexpected {found!r}; expected {expected.en}")
    special = _special_message(tok.type, found, set(err.expected))
    if special is not None:
        message = special
    typo = _keyword_typo_at(tok.type, src or "", column, set(err.expected))
    if typo is None:
        typo = _keyword_typo_before(src or "", column, text)
    if typo is not None:
        word, start, keyword = typo
        return Diagnostic(Location(path, line, start, line, start + len(word)),
                          Msg(f"“{word}”不是关键词", f"{word!r} is not a keyword"), source_line=src,
                          hint=Msg(f"是不是“{keyword}”？", f"did you mean `{keyword}`?"), code="keyword-typo")
    glued = _glued_word_before(src or "", column)
    if glued is not None:
        # `每个街道 满足 x` fails at 满足, but the mistake is the name before it.
        word, start, kw = glued
        return Diagnostic(Location(path, line, start, line, start + len(word)),
                          Msg(f"“{word}”被读成一个名称", f"{word!r} reads as a single name"), source_line=src,
                          hint=Msg(f"关键词与名称之间要加空格：“{kw} {word[len(kw):]}”",
                                   f"separate the keyword from the name with a space: `{kw} {word[len(kw):]}`"),
                          code="glued-keyword")
    return Diagnostic(loc, message, source_line=src, hint=hint, code="syntax")


#: The commoner Chinese keywords, first where a slip is one character from several (每各: 每个, not 每年).
PREFERRED_KEYWORDS = ["每个", "所有", "至少有", "至多有", "恰好有", "其中", "满足", "没有", "存在", "且", "或", "每季度", "每月",
                      "每年", "规则", "章节", "实体", "参数", "继承", "分值", "等级", "责任单位", "依据", "提示", "期限", "标签"]

#: Keywords that never come right before a name, so a slip of one is not what stopped the parser there.
_NOT_BEFORE_A_NAME = {"UNIT", "TIME_UNIT", "ZH_TIME_UNIT", "ZH_POINT_UNIT", "TRUE", "FALSE", "TODAY", "BETWEEN_END",
                      "ZH_BEFORE"}

#: How far back from the column the word before is looked for: the regexes below stay linear on any line.
_LOOK_BACK = 200


#: Words authors reach for that mean a keyword without being a slip of its spelling.
SYNONYMS = {"includes": "contains", "include": "contains", "having": "has", "whose": "where", "that": "where",
            "is null": "is missing", "is empty": "is missing", "包括": "包含", "大于等于": "不低于", "小于等于": "不高于"}


def _best_keyword(word: str, terminals: set[str] | None) -> str | None:
    """The keyword spelling `word` is a slip of (among `terminals`' spellings, or all keywords), if any."""
    from kepu_rules.dsl.keywords import keyword_spellings
    from kepu_rules.suggest import close_keyword

    spellings = keyword_spellings()
    pool = spellings if terminals is None else {t: spellings[t] for t in terminals if t in spellings}
    if any(word == s for words in pool.values() for s in words):
        return None
    synonym = SYNONYMS.get(word.lower())
    if synonym is not None and any(synonym in words for words in pool.values()):
        return synonym
    scored = []
    for words in pool.values():
        for s in words:
            if s.count(" ") != word.count(" "):
                continue
            d = close_keyword(word, s)
            if d is not None:
                rank = PREFERRED_KEYWORDS.index(s) if s in PREFERRED_KEYWORDS else len(PREFERRED_KEYWORDS)
                scored.append((d, rank, s))
    return min(scored)[2] if scored else None


def _keyword_typo_at(tok_type: str, line: str, column: int, expected: set[str]) -> tuple[str, int, str] | None:
    """The name the parser stopped at, when it is a slip of a keyword the parser expected there (`ponits`).

    Multi-word keywords (`is missing`) are compared with as many words of the line.
    """
    if tok_type != "NAME":
        return None
    from kepu_rules.dsl.keywords import keyword_spellings

    spellings = keyword_spellings()
    widths = sorted({s.count(" ") + 1 for t in expected if t in spellings for s in spellings[t]})
    for width in widths:
        m = re.compile(r"\w+" + r"[ \t]+\w+" * (width - 1)).match(line, column - 1)
        if m is None:
            continue
        word = " ".join(m[0].split())
        keyword = _best_keyword(word, expected)
        if keyword is not None:
            return m[0], column, keyword
    return None


def _keyword_typo_before(line: str, column: int, text: str) -> tuple[str, int, str] | None:
    """The name before where the parser stopped, when it is a slip of a keyword (`每各 街道`, `eahc Street`).

    The parser read the slip as a name and stopped at the next word. A Chinese slip is taken whatever
    follows; an English word before a stop is more often a name in its own right, so only one followed
    by another word is taken.
    """
    base = max(0, column - 1 - _LOOK_BACK)
    m = re.search(r"(\w+)\s+\w*$", line[base : column - 1] + "x")
    if m is None:
        return None
    word = m[1]
    if not _is_cjk_word(word) and not re.match(r"\w", line[column - 1 : column]):
        return None
    if _declared(word, text):
        return None  # a field or entity named `note` is not a mistyped `not`
    from kepu_rules.dsl.keywords import keyword_spellings

    terminals = {t for t in keyword_spellings() if t not in _NOT_BEFORE_A_NAME}
    keyword = _best_keyword(word, terminals)
    if keyword is None:
        return None
    return word, base + m.start(1) + 1, keyword


def _declared(name: str, text: str) -> bool:
    """Whether the text declares `name` (a field, entity, param or fact)."""
    n = re.escape(name)
    return re.search(rf"(?<!\w){n}\s*(?:[:：]|->|→)", text) is not None or re.search(
        rf"(?:entity|实体|param|参数|fact|指标)\s+{n}(?!\w)", text) is not None


def _is_cjk_word(word: str) -> bool:
    return re.match(r"^[\u4e00-\u9fff]+$", word) is not None


def _glued_word_before(line: str, column: int) -> tuple[str, int, str] | None:
    """The word just before `column` if it starts with a Chinese keyword glued to a name."""
    base = max(0, column - 1 - _LOOK_BACK)
    m = re.search(r"(\w+)\s*$", line[base : column - 1])
    if m is None:
        return None
    word = m[1]
    for kw in GLUABLE_KEYWORDS:
        if word.startswith(kw) and len(word) > len(kw):
            return word, base + m.start(1) + 1, kw
    return None


def _special_message(tok_type: str, found: str, expected: set[str]) -> Msg | None:
    if "STRING" in expected and expected <= {"STRING"} | {"VERSION", "EXTENDS", "LANGUAGE", "POINTS", "SEVERITY",
                                                         "SCORING", "WARN_AT", "OWNER", "DUE", "SOURCE", "TIER",
                                                         "TAGS", "HINT", "APPLIES", "THRESHOLD", "LBRACE"} \
            and "LBRACE" not in expected:
        return Msg(f"此处应为带引号的标题，却是“{found}”", f"expected a quoted title here, found {found!r}")
    if tok_type in ("CMP", "EQ") and "NUMBER" in expected and found in ("=", "＝"):
        return Msg("元数据的值前面不需要“=”", "metadata values are written without `=`")
    return None


_MARK_AHEAD = re.compile(r"[(（]\s*(?:may\s+be\s+empty|可为空)\s*[)）]")


def _hint_for_token(tok_type: str, found: str, expected: set[str], rest: str = "", before: str = "") -> Msg | None:
    """A hint for an unexpected token; `rest` is the text of its line after it, `before` the text before it."""
    words = before.split()
    if "STRING" in expected and words and words[-1] in ("section", "章节"):
        return Msg('章节后面要写带引号的标题，例如：章节 "阵地建设" {', 'a section needs a quoted title, e.g. section "Sites" {')
    if tok_type == "RULE" and "SECTION" in expected:
        return Msg('规则要写在章节里：章节 "阵地建设" { 规则 A1 "…" { … } }',
                   'a rule goes inside a section: section "Sites" { rule A1 "..." { ... } }')
    if tok_type == "SEMI" and not words:
        return Msg("注释以 # 或 // 开头", "comments start with # or //")
    if tok_type == "NAME":
        for kw in GLUABLE_KEYWORDS:
            if found.startswith(kw) and len(found) > len(kw):
                rest = found[len(kw):]
                return Msg(f"关键词与名称之间要加空格：“{kw} {rest}”",
                           f"separate the keyword from the name with a space: `{kw} {rest}`")
        m = UNIT_GLUED.match(found)
        if m:
            return Msg(f"量词与名称之间要加空格：“{m[1]} {m[2]}”",
                       f"separate the measure word from the name: `{m[1]} {m[2]}`")
    if "STRING" in expected and tok_type in ("LBRACE", "POINTS", "SEVERITY", "OWNER"):
        return Msg("规则编号后面要写标题，例如：rule A1 \"每个街道设置科普标识\"",
                   'a rule needs a title after its id, e.g. rule A1 "Every street has a sign"')
    if tok_type == "NAME" and found.lower() in ("percent", "pct", "百分比"):
        return Msg("百分数写成数字紧跟“%”，例如 80%", "write a percent as the number followed by `%`, e.g. 80%")
    if tok_type == "NAME" and "HAS" in expected:
        return Msg("在条件前加“满足”（has），例如：每个 社区 满足 有科普活动室",
                   "put `has` (满足) before the condition, e.g. each 社区 has 有科普活动室")
    if expected == {"LBRACK"}:
        return Msg('列表要写在方括号里，例如：级别 属于 ["市级", "省级"]', 'a list is written in brackets, e.g. level in ["city", "province"]')
    if tok_type == "MINUS" and expected == {"NUMBER"}:
        return Msg("这里的数字不能为负", "this number cannot be negative")
    if ("RPAR" in expected and tok_type in ("RBRACE", "$END")) or expected == {"RPAR", "COMMA"}:
        return Msg("前面有一个“(”没有闭合：在这里之前补上“)”", "a `(` before this is never closed: add the `)` before it")
    if tok_type == "RBRACE" and "RBRACE" not in expected:
        return Msg("规则的大括号里要写一个条件", "a rule's braces must hold a condition")
    if tok_type == "MAY_BE_EMPTY" or (tok_type == "LPAR" and _MARK_AHEAD.match(found + rest)):
        return Msg("“可为空”写在括号里，紧跟实体名、在“其中”之前：每个 街道（可为空） 其中 …",
                   "write `(may be empty)` in parentheses right after the entity, before `where`: "
                   "each 街道 (may be empty) where ...")
    return None


def _unexpected_char(err: UnexpectedCharacters, text: str, path: str, line: int, column: int) -> Diagnostic:
    pos = err.pos_in_stream or 0
    ch = text[pos] if pos < len(text) else ""
    src = source_line_of(text, line)
    loc = Location(path, line, column)
    if ch in "'‘’":
        return Diagnostic(loc, Msg("文字要用双引号括起来", "texts are written in double quotes"), source_line=src,
                          hint=Msg('写成 "…" 或 “…”', 'write "..." (or “...”)'), code="syntax")
    if ch in "\"“「":
        return Diagnostic(loc, Msg("引号没有闭合", "this quote is never closed"), source_line=src,
                          hint=Msg("在同一行内补上结束引号", "close the text on the same line"), code="syntax")
    if ch in "%％" and not re.search(r"\d\s*$", text[max(0, pos - 20):pos]):
        # `%80`: the sign before the number, where no percent was meant to be refused.
        return Diagnostic(loc, Msg("百分号应写在数字后面", "the percent sign goes after the number"), source_line=src,
                          hint=Msg("写成 80%", "write 80%"), code="syntax")
    if ch in "%％":
        return Diagnostic(loc, Msg("此处不能用百分数", "a percent is not allowed here"), source_line=src,
                          hint=Msg("“至少 N 个”数的是个数；要求比例请写 覆盖率(实体 其中 条件) >= 80%",
                                   "`at least N` counts items; for a share write coverage(E where C) >= 80%"), code="syntax")
    after = text[pos:pos + 6]
    if _NUM_UNIT.match(after) or re.match(r"^\d+\w", after):
        return Diagnostic(loc, Msg(f"数字后面紧跟文字：“{after.split()[0]}”", f"a number runs into a word: {after.split()[0]!r}"),
                          source_line=src, hint=Msg("在数字和量词之间加空格，例如“1 个”", "put a space after the number, e.g. `1 个`"),
                          code="syntax")
    allowed = describe_expected(set(err.allowed or ()))
    return Diagnostic(loc, Msg(f"无法识别的字符“{ch}”，此处应为：{allowed.zh}",
                               f"unexpected character {ch!r}; expected {allowed.en}"), source_line=src, code="syntax")


def _unexpected_end(err: UnexpectedInput, text: str, path: str) -> Diagnostic:
    opener = _unclosed_brace(text)
    if opener is not None:
        line, column = opener
        return Diagnostic(Location(path, line, column), Msg("这个“{”没有对应的“}”", "this `{` is never closed"),
                          source_line=source_line_of(text, line),
                          hint=Msg("在规则或章节的末尾补上“}”", "add the missing `}` at the end of the block"),
                          code="syntax")
    lines = split_lines(text) or [""]
    line = len(lines)
    expected = describe_expected(set(getattr(err, "expected", ()) or ()))
    return Diagnostic(Location(path, line, len(lines[-1]) + 1),
                      Msg(f"文件意外结束，应为：{expected.zh}", f"unexpected end of file; expected {expected.en}"),
                      source_line=lines[-1], code="syntax")


def _unclosed_brace(text: str) -> tuple[int, int] | None:
    """The position of the first `{` without its `}`, skipping strings and comments."""
    stack: list[tuple[int, int]] = []
    in_str: str | None = None
    closers = {'"': '"', "“": "”", "「": "」"}
    for lineno, line in enumerate(split_lines(text), 1):
        i = 0
        while i < len(line):
            ch = line[i]
            if in_str:
                if ch == "\\" and in_str == '"':
                    i += 2
                    continue
                if ch == in_str:
                    in_str = None
            elif ch in closers:
                in_str = closers[ch]
            elif ch == "#" or line.startswith("//", i):
                break
            elif ch in "{｛":
                stack.append((lineno, i + 1))
            elif ch in "}｝" and stack:
                stack.pop()
            i += 1
        in_str = None
    return stack[0] if stack else None
