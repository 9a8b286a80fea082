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


def edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`, character by character.

    A swap counts as one edit: `ponits` is one slip from `points`, `个每` one from `每个`.
    """
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


def _is_cjk(text: str) -> bool:
    return any(ord(ch) > 0x2E80 for ch in text)


def close_keyword(word: str, keyword: str) -> int | None:
    """How many slips `word` is from `keyword` when that is few enough to mean it, else None.

    Chinese keywords are two to four characters, and most two-character words are one character from
    some keyword: only a same-length word one substitution or swap away counts (章结 for 章节, 个每 for
    每个), never an added or dropped character (有效 is a word, not a mistyped 有). English keywords allow
    one slip up to four letters and two beyond, case ignored (`Section`, `ponits`, `thresold`).
    """
    if len(word) < 2 or word == keyword:
        return None
    if _is_cjk(word) or _is_cjk(keyword):
        if len(word) != len(keyword) or not (_is_cjk(word) and _is_cjk(keyword)):
            return None
        d = edit_distance(word, keyword)
        return d if d == 1 else None
    d = edit_distance(word.lower(), keyword)
    allowed = 1 if len(keyword) <= 4 else 2
    return d if d <= allowed and d < len(keyword) / 2 else None
