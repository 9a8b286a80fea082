"""The bundled rulesets lint clean and their rule unit tests all pass, run as a user would (`kepu lint`, `kepu test`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def _kepu(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "kepu_rules.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_lint_rulesets_reports_no_errors() -> None:
    done = _kepu("lint", "rulesets")
    assert done.returncode == 0, done.stdout + done.stderr
    found = re.search(r"检查了 (\d+) 个文件：(\d+) 个错误", done.stdout)
    assert found, done.stdout + done.stderr
    files, errors = map(int, found.groups())
    assert files >= 3  # schema, national, quancheng
    assert errors == 0, done.stdout


def test_lint_rulesets_in_english() -> None:
    done = _kepu("lint", "--lang", "en", "rulesets")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b\d+ files checked: 0 errors\b", done.stdout), done.stdout


def test_kepu_test_rulesets_passes_every_case() -> None:
    done = _kepu("test", "rulesets")
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    found = re.fullmatch(r"(\d+) passed, 0 failed", last)
    assert found, done.stdout + done.stderr
    cases = sum(len(yaml.safe_load(p.read_text(encoding="utf-8"))["cases"]) for p in (REPO / "rulesets").rglob("*.yaml"))
    assert int(found.group(1)) == cases
