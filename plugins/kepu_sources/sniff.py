"""What a file really holds, by its first bytes: a ledger saved under the wrong extension is named as
such ("this .xlsx is a CSV text file") instead of failing with the parser's own words."""

from __future__ import annotations

import codecs
from pathlib import Path, PurePath

from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.i18n import Msg

#: Kinds of content, with how each is named in a message.
KINDS: dict[str, Msg] = {
    "empty": Msg("空文件（0 字节）", "an empty file (0 bytes)"),
    "zip": Msg("xlsx 工作簿（zip 文件）", "an xlsx workbook (a zip file)"),
    "ods": Msg("OpenDocument 表格（.ods，WPS 或 LibreOffice 保存）", "an OpenDocument spreadsheet (.ods, as WPS or LibreOffice save)"),
    "ole": Msg("旧版 Excel .xls 工作簿（或加密的工作簿）", "an old Excel .xls workbook (or an encrypted one)"),
    "pdf": Msg("PDF 文件", "a PDF file"),
    "html": Msg("HTML 网页（常见于系统导出的“.xls”）", "an HTML page (what some systems export as .xls)"),
    "docx": Msg("Word 文档（.docx）", "a Word document (.docx)"),
    "pptx": Msg("PowerPoint 演示文稿（.pptx）", "a PowerPoint presentation (.pptx)"),
    "archive": Msg("zip 压缩包", "a zip archive"),
    "xml": Msg("Excel 2003 XML 表格", "an Excel 2003 XML spreadsheet"),
    "text": Msg("CSV 或其他文本文件", "a CSV or other text file"),
    "binary": Msg("二进制文件（不是文本）", "a binary file (not text)"),
}

HEAD = 4096


def content_kind(head: bytes) -> str:
    """The kind (a key of KINDS) of a file beginning with `head`."""
    if not head:
        return "empty"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        # An OpenDocument file is a zip whose first member, stored, is its mimetype.
        return "ods" if head[30:38] == b"mimetype" and b"opendocument.spreadsheet" in head[:120] else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or utf16_without_bom(head):
        return "text"
    start = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if start.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")) and b"<table" in head.lower():
        return "html"
    if start.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "xml"
    # A broken byte or a cut character does not make a ledger binary: text files hold no NULs, while
    # the binary formats a ledger may be saved in all have them in their first bytes.
    return "binary" if b"\x00" in head else "text"


def utf16_without_bom(head: bytes) -> str | None:
    """`utf-16-le` or `utf-16-be` for text in UTF-16 without a BOM (mostly ASCII and CJK: every other
    byte of ASCII is a NUL), else None."""
    if len(head) < 4 or b"\x00" not in head:
        return None
    even, odd = head[0::2], head[1::2]
    for encoding, nuls, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if nuls.count(0) * 3 >= len(nuls) and other.count(0) * 20 < len(other):
            try:
                head[: len(head) // 2 * 2].decode(encoding)
            except UnicodeDecodeError:
                continue
            return encoding
    return None


def check_kind(head: bytes, shown: str, allowed: set[str], expected: Msg, hints: dict[str, Msg]) -> None:
    """Raise a KepuError when a file beginning with `head` is not one of the `allowed` kinds: the
    message names what it is (`this .xlsx is a CSV or other text file`), `hints` what to do about it."""
    kind = content_kind(head)
    if kind not in allowed:
        raise wrong_kind(shown, kind, expected, hints.get(kind))


def wrong_kind(shown: str, kind: str, expected: Msg, hint: Msg | None, notes: tuple[Msg, ...] = ()) -> KepuError:
    """The error for a file that holds `kind` (a key of KINDS) where `expected` was wanted."""
    suffix = PurePath(shown).suffix or shown
    what = KINDS[kind]
    if kind == "empty":
        message = Msg(f"{shown} 是空文件（0 字节），连表头也没有", f"{shown} is empty (0 bytes): not even a header row")
    else:
        message = Msg(f"{shown} 的扩展名是 {suffix}，内容却是 {what.zh}，而不是 {expected.zh}",
                      f"this {suffix} is {what.en}, not {expected.en}: {shown}")
    return KepuError(Diagnostic(Location(shown), message, hint=hint, notes=notes, code="wrong-file-kind"))


def zip_kind(file: Path | bytes) -> tuple[str, list[str]] | None:
    """For a zip file (a path, or its bytes) that is not a workbook: its kind (docx, pptx, archive) and
    its first members."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(file) if isinstance(file, bytes) else file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return None  # damaged: openpyxl's own error says more
    if "xl/workbook.xml" in names or any(n.endswith("workbook.xml") for n in names):
        return None
    if "word/document.xml" in names:
        return "docx", names[:5]
    if any(n.startswith("ppt/") for n in names):
        return "pptx", names[:5]
    return "archive", names[:5]


def file_head(path: Path) -> bytes:
    """The first bytes of a file, enough for `content_kind`."""
    with path.open("rb") as f:
        return f.read(HEAD)
