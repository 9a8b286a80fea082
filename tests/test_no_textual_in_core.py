"""The core stays headless: importing it, or running an assessment's import path, never loads textual."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBES = [
    "import kepu_rules",
    "from kepu_rules.engine.assess import assess",
    "from kepu_rules.engine.related import related_rows",
    "import kepu_rules.cli",
]


@pytest.mark.parametrize("statement", PROBES)
def test_core_imports_do_not_load_textual(statement: str) -> None:
    # A fresh interpreter: this test process may already have textual loaded by the TUI tests.
    code = f"import sys\n{statement}\nloaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'kepu_tui')))\nprint(loaded)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]", f"{statement!r} imported {done.stdout.strip()}"
