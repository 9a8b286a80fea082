"""Paths as CI shows them: relative to the repository root, or a bundled ruleset's name; never a machine's path."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from kepu_rules.rulesets_dir import builtin_rulesets


def repository_root(start: Path) -> Path:
    """The top of the git checkout holding `start` (a `.git` folder, or the `.git` file of a worktree or
    submodule), else `start` itself. Read from the file system: CI images do not all have git installed."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def _bundled() -> dict[Path, str]:
    return {path.resolve(): path.name for path in builtin_rulesets().values()}


@dataclass(frozen=True)
class CiPaths:
    """Turns the paths kepu names (data files as written in kepu.yaml, relative to its folder; rulesets and
    kepu.yaml as given, relative to the working directory or absolute) into what GitHub can place."""

    root: Path
    project: Path | None = None  # the folder of kepu.yaml
    cwd: Path = field(default_factory=Path.cwd)

    @classmethod
    def here(cls, project: Path | None = None) -> CiPaths:
        """Paths of a run in the current directory, for the project in `project` (the folder of kepu.yaml)."""
        cwd = Path.cwd()
        return cls(repository_root(cwd), project, cwd)

    def show(self, path: str) -> str:
        """`data/科普活动.csv` for the ledger of a project at the repository's top; `national.kepu` for the
        bundled ruleset (GitHub cannot place it, and its install path differs between machines); the
        file name for a file outside the repository."""
        if not path:
            return path
        try:
            return self._show(path)
        except (OSError, ValueError):  # not a path this system can look up (a NUL byte, too long)
            return PurePath(path).name if PurePath(path).is_absolute() else path

    def _show(self, path: str) -> str:
        given = Path(path)
        if given.is_absolute():
            real = given
        else:
            candidates = [*([self.project / given] if self.project is not None else []), self.cwd / given]
            real = next((c for c in candidates if c.exists()), candidates[0])
        real = Path(os.path.abspath(real))
        for candidate in (real, real.resolve()):
            try:
                return candidate.relative_to(self.root).as_posix()
            except ValueError:
                pass
        bundled = _bundled().get(real.resolve())
        return bundled if bundled is not None else PurePath(path).name
