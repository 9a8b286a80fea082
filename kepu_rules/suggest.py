"""'Did you mean': the nearest known name to a misspelt one."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_CODE = re.compile(r"^([A-Za-z]+)[-.]?(\d+)")


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
    if contained:
        return min(contained, key=len)
    return _nearest_code(name, pool)


def _nearest_code(name: str, pool: list[str]) -> str | None:
    """Rule ids like A9: too short for difflib, so suggest the same letters with the nearest number."""
    m = _CODE.match(name)
    if m is None:
        return None
    same = [(abs(int(cm[2]) - int(m[2])), c) for c in pool if (cm := _CODE.match(c)) and cm[1].upper() == m[1].upper()]
    return min(same)[1] if same else None
