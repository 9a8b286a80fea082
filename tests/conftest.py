"""Test-wide settings: plugins of this checkout only, deterministic hypothesis."""

from __future__ import annotations

import sys

from hypothesis import settings

# Like datasette: under tests only this checkout's plugins load, so an installed third-party plugin
# cannot change results (kepu_rules.plugins checks this flag).
sys._called_from_test = True  # type: ignore[attr-defined]

settings.register_profile("ci", deadline=None, print_blob=True)
settings.load_profile("ci")
