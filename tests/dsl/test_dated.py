"""`dated`/`计时日期`: the schema's dating field, as `kepu lint` and `kepu fmt` see it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kepu_rules.dsl.formatter import format_ruleset
from kepu_rules.dsl.parse import parse

HEADER = 'ruleset t "T" version "1"\n'


def lint(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "kepu_rules.cli", "lint", *args, str(path)], env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.mark.parametrize("keyword", ["dated", "计时日期"])
def test_a_date_field_may_date_its_entity(tmp_path: Path, keyword: str) -> None:
    f = tmp_path / "ok.kepu"
    f.write_text(HEADER + f"entity 活动 {{\n  key 编号: text\n  日期: date required {keyword} aka \"活动日期\"\n}}\n",
                 encoding="utf-8")
    done = lint(f)
    assert done.returncode == 0, done.stdout + done.stderr


def test_dating_a_field_that_is_not_a_date_or_a_second_field_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "bad.kepu"
    f.write_text(HEADER + "entity 活动 {\n  key 编号: text\n  日期: date dated\n  名称: text 计时日期\n  结束: date dated\n}\n",
                 encoding="utf-8")
    done = lint(f, "--lang", "en")
    out = done.stdout + done.stderr
    assert done.returncode == 2
    assert f"{f}:5:3: error: only a date field can be `dated`; '名称' is not a date" in out
    assert f"{f}:6:3: error: entity '活动' is already dated by '日期'; an entity has one dating field" in out
    assert out.count("error:") == 2


def test_formatting_keeps_the_dating_field() -> None:
    text = HEADER + "entity 活动 {\n  key 编号: text\n  日期: date required dated aka \"活动日期\"\n}\n"
    formatted = format_ruleset(parse(text))
    assert "日期: date required dated aka \"活动日期\"" in formatted
    assert parse(formatted).decls == parse(text).decls
    assert parse(text).decls != parse(text.replace(" dated", "")).decls  # `dated` is part of the AST
