"""The diagnostic format's parts: which line ends count, the window a long line is quoted in, pickling."""

from __future__ import annotations

import pickle

import pytest

from kepu_rules.diagnostics import (
    QUOTE_WINDOW,
    Diagnostic,
    KepuError,
    Location,
    display_width,
    normalize_newlines,
    quote,
    source_line_of,
    split_lines,
)
from kepu_rules.i18n import Msg


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_lf_crlf_and_cr_end_lines_alike(end: str) -> None:
    text = end.join(["a", "b", "c", ""])
    assert split_lines(text) == ["a", "b", "c"]
    assert source_line_of(text, 3) == "c"
    assert normalize_newlines(text) == "a\nb\nc\n"


def test_only_line_ends_split_lines() -> None:
    # str.splitlines would also break at these; no position counts them.
    text = "a\x0cb\u2028c\x1dd\nnext"
    assert split_lines(text) == ["a\x0cb\u2028c\x1dd", "next"]
    assert source_line_of(text, 2) == "next"
    assert source_line_of(text, 3) is None and source_line_of(text, 0) is None


def test_a_short_line_is_quoted_whole() -> None:
    line = "  每个 街道 至少有 1 个 科普标志"
    shown, caret = quote(line, Location("r.kepu", 1, 17, 1, 21))
    assert shown == line
    assert caret == " " * display_width(line[:16]) + "^" * 8


@pytest.mark.parametrize("filler", ["x", "科"])
def test_a_long_line_is_quoted_in_a_window_around_the_column(filler: str) -> None:
    line = filler * 100_000 + " ponits 5 " + filler * 100_000
    column = 100_002
    shown, caret = quote(line, Location("r.kepu", 1, column, 1, column + 6))
    assert shown.startswith("…") and shown.endswith("…")
    assert "ponits 5" in shown
    left, right = shown.split("ponits")
    assert display_width(left) <= QUOTE_WINDOW + 1 and display_width(right) <= QUOTE_WINDOW + 1
    assert caret.strip() == "^" * 6
    assert display_width(caret) == display_width(left) + 6  # the caret sits under `ponits`


def test_the_mark_stops_at_the_window() -> None:
    line = "y" * 10 + "x" * 10_000
    shown, caret = quote(line, Location("r.kepu", 1, 11, 1, 10_011))
    assert shown.endswith("…") and not shown.startswith("…")
    assert caret == " " * 10 + "^" * QUOTE_WINDOW


def test_a_column_past_the_end_of_the_line_is_marked_after_it() -> None:
    shown, caret = quote("abc", Location("r.kepu", 1, 9))
    assert (shown, caret) == ("abc", "   ^")


def test_kepu_error_pickles_with_its_diagnostics_and_renders_when_asked() -> None:
    d = Diagnostic(Location("r.kepu", 2, 3), Msg("错", "wrong"), source_line="x = 1")
    err = pickle.loads(pickle.dumps(KepuError(d)))
    assert err.diagnostics == [d]
    assert str(err) == d.render("en")
