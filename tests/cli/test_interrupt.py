"""Ctrl-C is not a verdict: `kepu` interrupted exits 130 with one line, never click's exit 1 ("fails the
criteria" to a CI pipeline), never a traceback. A real subprocess, stopped while it waits to read a
ledger that is a named pipe nobody writes to."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kepu_rules import exitcodes

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo-district"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe")
@pytest.mark.parametrize(("lang", "line"), [("zh", "已中断：未作出任何结论"), ("en", "interrupted: nothing was decided")])
def test_ctrl_c_exits_130_with_one_line(tmp_path: Path, lang: str, line: str) -> None:
    project = tmp_path / "district"
    shutil.copytree(DEMO, project)
    ledger = project / "data" / "科普活动.csv"
    ledger.unlink()
    os.mkfifo(ledger)  # opening it blocks until a writer comes: the run is mid-read when interrupted
    process = subprocess.Popen([sys.executable, "-m", "kepu_rules.cli", "check", "--lang", lang], cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        time.sleep(3)  # interpreter start, config and ruleset: then it waits on the pipe
        assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == exitcodes.INTERRUPTED
    assert err.strip() == line
    assert out == ""
