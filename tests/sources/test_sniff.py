"""The kind of a file by its first bytes, and the error for a ledger saved under the wrong extension."""

from __future__ import annotations

import codecs

import pytest

from kepu_sources.sniff import content_kind

CASES = [
    (b"", "empty"),
    (b"PK\x03\x04\x14\x00", "zip"),
    (b"PK\x03\x04" + bytes(26) + b"mimetypeapplication/vnd.oasis.opendocument.spreadsheetPK", "ods"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "ole"),
    (b"%PDF-1.7\n", "pdf"),
    (b"<html><body><table><tr><td>1</td></tr></table>", "html"),
    (b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">', "xml"),
    ("名称,人数\n一,2\n".encode(), "text"),
    ("名称,人数\n".encode("gb18030") + b"\xff\x80\n", "text"),  # a broken byte is still a text ledger
    (codecs.BOM_UTF16_LE + "名称".encode("utf-16-le"), "text"),
    ("活动编号,名称\nKP-1,讲座\n".encode("utf-16-le"), "text"),  # UTF-16 without a BOM has NULs, and is text
    ("活动编号,名称\nKP-1,讲座\n".encode("utf-16-be"), "text"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
]


@pytest.mark.parametrize(("head", "kind"), CASES, ids=[f"{k}-{n}" for n, (_, k) in enumerate(CASES)])
def test_content_kind(head: bytes, kind: str) -> None:
    assert content_kind(head) == kind
