"""The cached LALR parser: built on first use, so importing kepu_rules stays fast."""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lark import Lark, Tree

GRAMMAR = Path(__file__).with_name("kepu.lark")


@cache
def lark_parser() -> Lark:
    """The parser, built once per process.

    Not `strict`: quantifier bodies and `where` conditions extend as far to the right as possible
    (like Python's lambda), which LALR expresses as shift/reduce conflicts resolved by shifting.
    `tests/dsl/test_grammar.py` pins the list of those conflicts so no other one slips in.
    """
    from lark import Lark

    return Lark(
        GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        # Building the LALR tables takes most of a second; lark caches them in a file keyed by the
        # grammar's hash and lark's version, so only the first run after an upgrade pays for it.
        cache=_cache_file(),
    )


def _cache_file() -> str | bool:
    """A per-user cache file, or lark's temporary-folder default when the cache folder is not writable."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kepu-rules"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return True
    return str(base / f"parser-py{sys.version_info[0]}{sys.version_info[1]}.lark")


def parse_tree(text: str) -> Tree:
    """The raw lark tree of a source text (lark exceptions propagate: `parse` turns them into diagnostics)."""
    return lark_parser().parse(text)
