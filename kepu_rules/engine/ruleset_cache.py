"""A per-user cache of checked rulesets, so `kepu check` skips parsing and checking when nothing changed.

Parsing and checking the national ruleset costs about 70 ms of a 0.5 s check; reading it back costs 7.
An entry is used only when all of these still hold, and is rebuilt otherwise:

- the same kepu-rules code (its version and the size and mtime of each of its modules), Python version
  and registered functions (the checker binds calls to them);
- the same text in every file of the `extends` chain (compared by SHA-256, not by mtime);
- every `extends` still resolves to the same file (a new sibling `national.kepu` shadows the built-in).

Only rulesets without errors are stored: a mistake is always reported from the files themselves.
`KEPU_CACHE=0` turns the cache off. The cache is a pickle in the user's own cache folder, beside lark's
parser tables, trusted as those are; an entry that cannot be read is ignored and replaced.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kepu_rules.dsl import ast as A
    from kepu_rules.dsl.checker import CheckedRuleset

ENV_CACHE = "KEPU_CACHE"
_FORMAT = 1  # bump when the entry's shape changes


@dataclass(frozen=True, slots=True)
class _Entry:
    texts: tuple[tuple[str, str], ...]  # (path as parsed, SHA-256 of its text) for each file of the chain
    links: tuple[tuple[str, str, bool, str], ...]  # (from file, extends target, is a path, resolved file)
    ruleset: CheckedRuleset


def cache_dir() -> Path:
    """The folder kepu-rules keeps its caches in: $XDG_CACHE_HOME/kepu-rules or ~/.cache/kepu-rules."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kepu-rules"


def enabled() -> bool:
    return os.environ.get(ENV_CACHE, "1").strip().lower() not in ("0", "false", "no", "off")


def load_checked(path: Path) -> CheckedRuleset:
    """The checked ruleset at `path` (and everything it extends), from the cache when nothing changed."""
    from kepu_rules.dsl.checker import check
    from kepu_rules.engine.resolve import resolve

    if not enabled():
        return check(resolve(path))
    entry_file = _entry_file(path)
    # A batch assesses a hundred projects against one ruleset: unpickling it for each costs 13 ms.
    cached = _in_process.get(entry_file) or _read(entry_file)
    if cached is not None and _still_valid(cached):
        _in_process[entry_file] = cached
        return cached.ruleset
    ruleset = check(resolve(path))
    _write(entry_file, ruleset)
    return ruleset


#: Entries this process has used, checked against the files again on every use like those on disk.
#: Checked rulesets are not changed by assessments, so one can be shared by many.
_in_process: dict[Path, _Entry] = {}


def _entry_file(path: Path) -> Path:
    # Spans keep the path as given, so a relative path is a different entry from another folder.
    where = str(path) if path.is_absolute() else f"{Path.cwd()}\0{path}"
    key = hashlib.sha256(f"{_FORMAT}\0{_code_fingerprint()}\0{where}".encode()).hexdigest()[:32]
    return cache_dir() / "rulesets" / f"{key}.pickle"


def _code_fingerprint() -> str:
    """What the checked IR depends on besides the ruleset files: this code and the registered functions
    (asked each time: a test or an embedding program may load another plugin)."""
    from kepu_rules import registry

    parts = [_package_fingerprint()]
    for name, fdef in sorted(registry.functions().items()):
        parts.append(f"{name}:{fdef.params}:{fdef.returns}:{fdef.plugin}:{getattr(fdef.fn, '__qualname__', '')}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@cache
def _package_fingerprint() -> str:
    import kepu_rules

    package = Path(kepu_rules.__file__).parent
    parts = [kepu_rules.__version__, f"{sys.version_info[0]}.{sys.version_info[1]}"]
    for module in sorted(package.rglob("*.py")):
        stat = module.stat()
        parts.append(f"{module.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts)


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _current_text(path: str) -> str | None:
    """The file's text as `parse_file` reads it, or None when it cannot be read that way."""
    try:
        return Path(path).read_bytes().decode("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError):
        return None


def _links(files: list[A.RulesetFile]) -> tuple[tuple[str, str, bool, str], ...]:
    from kepu_rules.engine.resolve import find_extended

    return tuple((f.path, ext.target, ext.is_path, str(find_extended(ext, Path(f.path)).resolve()))
                 for f in files for ext in f.extends)


def _still_valid(entry: _Entry) -> bool:
    from kepu_rules.diagnostics import KepuError
    from kepu_rules.dsl import ast as A
    from kepu_rules.engine.resolve import find_extended

    for path, digest in entry.texts:
        text = _current_text(path)
        if text is None or _text_hash(text) != digest:
            return False
    for from_file, target, is_path, resolved in entry.links:
        try:
            now = find_extended(A.ExtendsRef(target, is_path), Path(from_file))
        except KepuError:
            return False
        if str(now.resolve()) != resolved:
            return False
    return True


def _read(entry_file: Path) -> _Entry | None:
    try:
        with entry_file.open("rb") as f:
            entry = pickle.load(f)
    except Exception:  # a missing, truncated or outdated entry is a miss, never an error
        return None
    return entry if isinstance(entry, _Entry) else None


def _write(entry_file: Path, ruleset: CheckedRuleset) -> None:
    files = ruleset.resolved.files
    try:
        entry = _Entry(tuple((f.path, _text_hash(f.text)) for f in files), _links(files), ruleset)
        entry_file.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed, so a concurrent `kepu` (batch workers) never reads half an entry.
        fd, tmp = tempfile.mkstemp(dir=entry_file.parent, suffix=".tmp")
    except Exception:  # a read-only home, or an extends that no longer resolves: run without caching
        return
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(entry, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry_file)
    except Exception:  # a full disk, an unpicklable plugin function: run without caching
        Path(tmp).unlink(missing_ok=True)
