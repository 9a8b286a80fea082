"""'Did you mean': the nearest known name to a misspelt one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest(name: str, choices: Iterable[str]) -> str | None:
    """The closest choice, or None when nothing is close enough to help.

    Chinese names are short, so a one-character slip is a large ratio change; the cutoff is lower
    for them than difflib's default.
    """
    pool = list(dict.fromkeys(choices))
    if not pool:
        return None
    cutoff = 0.5 if any(ord(ch) > 0x2E80 for ch in name) else 0.6
    found = difflib.get_close_matches(name, pool, n=1, cutoff=cutoff)
    if found:
        return found[0]
    # A name that contains, or is contained in, a known one (科普标识 vs 标识) is worth suggesting too.
    contained = [c for c in pool if name and (name in c or c in name)]
    return min(contained, key=len) if contained else None
