"""Where the bundled rulesets live: inside the installed package, or at the top of a checkout."""

from __future__ import annotations

from pathlib import Path


def rulesets_root() -> Path:
    """The wheel carries them as `kepu_rules/rulesets`; an editable install reads the checkout's `rulesets/`."""
    packaged = Path(__file__).parent / "rulesets"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rulesets"


def builtin_rulesets() -> dict[str, Path]:
    """Every bundled `.kepu` file by the id it is known as: its file stem (`national`, `schema`, `quancheng`)."""
    root = rulesets_root()
    if not root.is_dir():
        return {}
    return {p.stem: p for p in sorted(root.rglob("*.kepu"))}
