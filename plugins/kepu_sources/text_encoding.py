"""Decoding a CSV file, and naming the line that breaks its encoding.

A ledger pieced together from two exports may be UTF-8 with one line pasted from a GBK file, or the
reverse. Decoding it whole either fails at a byte (and the reader used to guess another encoding for
all of it, so the first line came out garbled) or, for a UTF-8 line in a GB18030 file, succeeds with
garbled text. Here every line is looked at: the encoding most lines are in is the file's, and the first
line that is not is reported by its number, with what it reads as in the other encoding.
"""

from __future__ import annotations

import codecs
import csv
import unicodedata

from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.i18n import Msg

from .sniff import utf16_without_bom

_GB = "gb18030"
#: A UTF-8 line in a GB18030 file is told by this many CJK characters read as UTF-8: a GB18030 line
#: that is also valid UTF-8 by chance is short (two bytes per character seldom chain as UTF-8 does).
_CJK_TO_TELL_UTF8 = 3
_SHOWN_CHARS = 60
#: Bytes by class, to find UTF-8 CJK characters (U+4E00-U+9FFF: E4-E9, then two of 80-BF) with
#: bytes.find, which is 50 times faster on a 10 MB ledger than a regular expression.
_CLASSES = bytes(76 if 0xE4 <= b <= 0xE9 else 67 if 0x80 <= b <= 0xBF else 120 for b in range(256))
#: Three CJK characters in UTF-8 (as classes): what a UTF-8 line of a Chinese ledger holds.
_UTF8_CJK_RUN = b"LCC" * 3


def _name(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GB18030", "gbk": "GBK", "gb2312": "GB2312"}.get(name, encoding)


def decode(data: bytes, encoding: str, shown: str, delimiter: str = ",") -> str:
    """The file's text; `auto` reads UTF-8 (BOM or not), UTF-16 with a BOM, else GB18030. A line in
    another encoding is an error at its line, and the cell (by `delimiter`) where it goes wrong."""
    if encoding == "auto":
        if data.startswith(codecs.BOM_UTF8):
            return _whole(data, "utf-8-sig", shown, delimiter)
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return _whole(data, "utf-16", shown, delimiter)
        utf16 = utf16_without_bom(data[:4096])
        if utf16 is not None:
            return _whole(data, utf16, shown, delimiter)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            failed = exc.start
        # UTF-8 text before the failure, or anywhere: a UTF-8 file with lines in another encoding?
        if not data[:failed].isascii() or data.translate(_CLASSES).find(_UTF8_CJK_RUN) >= 0:
            lines = data.splitlines()
            utf8 = [n for n, line in enumerate(lines, 1) if not line.isascii() and _is_utf8(line)]
            other = [n for n, line in enumerate(lines, 1) if not line.isascii() and not _is_utf8(line)]
            if len(utf8) > len(other):
                raise _mixed(shown, other[0], "utf-8", len(utf8), lines[other[0] - 1], delimiter, _GB)
        return _whole(data, _GB, shown, delimiter)
    name = codecs.lookup(encoding).name
    if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"  # the BOM must not end up in the first header
    return _whole(data, encoding, shown, delimiter)


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _cjk(text: str) -> int:
    return sum(1 for ch in text if unicodedata.east_asian_width(ch) == "W")


def _whole(data: bytes, encoding: str, shown: str, delimiter: str) -> str:
    """The text in `encoding`, or an error at the first line that is not in it."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        lines = data.splitlines()
        line = len(data[: exc.start].splitlines()) or 1
        if data[: exc.start].endswith((b"\n", b"\r")):
            line += 1
        others = [_GB] if codecs.lookup(encoding).name.startswith("utf") else ["utf-8"]
        fine = sum(1 for n, b in enumerate(lines, 1) if n != line and not b.isascii() and _decodes(b, encoding))
        raw = lines[line - 1] if line <= len(lines) else b""
        if not fine:  # not a line: the whole file is in another encoding
            whole = next((o for o in others if _decodes(data, o)), None)
            if whole is not None:
                raise _mixed(shown, line, encoding, 0, raw, delimiter, whole, hint=Msg(
                    f"整个文件像是 {_name(whole)} 编码：设 encoding: {whole}（或 auto）",
                    f"the whole file reads as {_name(whole)}: set encoding: {whole} (or auto)")) from None
        raise _mixed(shown, line, encoding, fine, raw, delimiter, *others) from None
    if codecs.lookup(encoding).name in ("gb18030", "gbk", "gb2312"):
        _no_utf8_lines(data, encoding, shown, delimiter)
    return text


def _no_utf8_lines(data: bytes, encoding: str, shown: str, delimiter: str) -> None:
    """A UTF-8 line in a GB18030 file decodes, as garbled text: find it by what it reads as in UTF-8.

    Only lines holding a run of UTF-8 CJK characters are decoded again, so a GB18030 ledger of 10 MB
    costs a search of its bytes, not a decode per line."""
    first: tuple[int, bytes] | None = None  # the first UTF-8 line: its offset and bytes
    count = 0
    pos = 0
    classes = data.translate(_CLASSES)
    while (found := classes.find(_UTF8_CJK_RUN, pos)) >= 0:
        start = max(data.rfind(b"\n", 0, found), data.rfind(b"\r", 0, found)) + 1
        ends = [e for e in (data.find(b"\n", found), data.find(b"\r", found)) if e >= 0]
        end = min(ends) if ends else len(data)
        line = data[start:end]
        if _is_utf8(line) and _cjk(line.decode("utf-8")) >= _CJK_TO_TELL_UTF8:
            count += 1
            first = first or (start, line)
        pos = end + 1
    if first is None:
        return
    start, line = first
    number = _line_at(data, start)
    others = sum(1 for text in data.splitlines() if not text.isascii()) - count  # non-ASCII lines in `encoding`
    if count > others:  # most of the file: it is UTF-8, not in the encoding given
        raise _mixed(shown, number, encoding, 0, line, delimiter, "utf-8", hint=Msg(
            "整个文件像是 UTF-8 编码：设 encoding: utf-8（或 auto）", "the whole file reads as UTF-8: set encoding: utf-8 (or auto)"))
    raise _mixed(shown, number, encoding, others, line, delimiter, "utf-8")


def _line_at(data: bytes, offset: int) -> int:
    """The 1-based line of a byte offset, lines ending as in a CSV file (LF, CRLF, CR)."""
    before = data[:offset]
    return len(before.splitlines()) + (1 if not before or before.endswith((b"\n", b"\r")) else 0)


def _decodes(line: bytes, encoding: str) -> bool:
    try:
        line.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _column(raw: bytes, encoding: str, delimiter: str) -> int:
    """The cell (1-based) of a line where it stops being `encoding`: its first byte that does not
    decode, or for a line that decodes as garbled text, its first non-ASCII byte."""
    try:
        raw.decode(encoding)
        offset = next((i for i, b in enumerate(raw) if b >= 0x80), 0)
    except UnicodeDecodeError as exc:
        offset = exc.start
    before = raw[:offset].decode(encoding, "replace")
    return len(next(csv.reader([before], delimiter=delimiter), [""])) if before else 1


def _mixed(shown: str, line: int, encoding: str, fine: int, raw: bytes, delimiter: str, *others: str,
           hint: Msg | None = None) -> KepuError:
    rest = _name(encoding)
    notes: list[Msg] = []
    reads_as = next((o for o in others if _decodes(raw, o)), None)
    if reads_as is not None:
        text = raw.decode(reads_as)
        text = text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"
        other = _name(reads_as)
        notes.append(Msg(f"这一行按 {other} 读作：{text}", f"read as {other}, this line is: {text}"))
    if fine:
        message = Msg(f"{shown} 第 {line} 行不是 {rest} 编码，而文件中另外 {fine} 个含非 ASCII 字符的行都是 {rest}",
                      f"line {line} of {shown} is not {rest} text, while the file's other {fine} lines with "
                      f"non-ASCII text are {rest}")
    else:
        message = Msg(f"{shown} 第 {line} 行不是 {rest} 编码", f"line {line} of {shown} is not {rest} text")
    return KepuError(Diagnostic(
        Location(shown, line=line, column=_column(raw, encoding, delimiter)),
        message,
        hint=hint or Msg(f"把这一行改成 {rest}（例如在编辑器中重新输入这一行），或把整个文件另存为同一种编码（Excel：“CSV UTF-8”）；"
                 f"也可用 encoding: 指定文件的编码",
                 f"re-enter this line in {rest} (or save the whole file in one encoding, e.g. Excel's "
                 f"\"CSV UTF-8\"); encoding: sets the file's encoding"),
        notes=tuple(notes), code="bad-encoding"))
