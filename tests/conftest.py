"""Test-wide settings: plugins of this checkout only, deterministic hypothesis."""

from __future__ import annotations

import os
import sys

from hypothesis import settings

# openpyxl writes different (equally valid) bytes when lxml is installed, and python-docx brings lxml:
# the committed xlsx files of tests/sources/corpus were made without it, and the test that remakes them
# compares bytes. Set before anything imports openpyxl, which reads it once.
os.environ.setdefault("OPENPYXL_LXML", "False")

# Like datasette: under tests only this checkout's plugins load, so an installed third-party plugin
# cannot change results (kepu_rules.plugins checks this flag).
sys._called_from_test = True  # type: ignore[attr-defined]

settings.register_profile("ci", deadline=None, print_blob=True)
settings.load_profile("ci")
