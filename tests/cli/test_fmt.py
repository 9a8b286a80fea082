"""`kepu fmt`: rewrites files and folders in place keeping comments, `--check` reports with a diff and exit 1."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from kepu_rules.dsl.parse import parse

ROOT = Path(__file__).resolve().parents[2]

MESSY = """\
# 说明：示例规则
规则集 r "t"   # 标题
参数 目标 = 80%   # 来源：市方案
章节 "s" {
  规则 A1 "t" 分值 3 {
    # 条件
    每个 街道 其中 类型 = "村" 且 常住人口 > 0 满足 有站 或 有室
  }
}
"""


def kepu(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kepu_rules.cli", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def comment_texts(path: Path) -> list[str]:
    return [c.text for c in parse(path.read_text(encoding="utf-8")).comments]


def test_check_on_a_folder_shows_the_diff_and_exits_1_then_fmt_fixes_it(tmp_path: Path) -> None:
    nested = tmp_path / "rules" / "city"
    nested.mkdir(parents=True)
    messy = nested / "r.kepu"
    messy.write_text(MESSY, encoding="utf-8")
    (tmp_path / "rules" / "notes.txt").write_text("not a ruleset", encoding="utf-8")
    before = comment_texts(messy)

    result = kepu("fmt", "--check", "--lang", "en", str(tmp_path / "rules"))
    assert result.returncode == 1, result.stderr
    assert f"--- {messy}\n+++ {messy} (formatted)\n" in result.stdout
    assert "-    每个 街道 其中 类型 = \"村\" 且 常住人口 > 0 满足 有站 或 有室\n" in result.stdout
    assert f"would reformat {messy}" in result.stderr
    assert "1 file would be reformatted, 0 files left unchanged" in result.stderr
    assert messy.read_text(encoding="utf-8") == MESSY  # --check changes nothing

    result = kepu("fmt", str(tmp_path / "rules"))
    assert result.returncode == 0, result.stderr
    assert f"已格式化 {messy}" in result.stdout
    text = messy.read_text(encoding="utf-8")
    assert comment_texts(messy) == before == ["# 说明：示例规则", "# 标题", "# 来源：市方案", "# 条件"]
    # The greedy `其中` and `满足` each take a chain: the parentheses show it.
    assert '    每个 街道 其中 (类型 = "村" 且 常住人口 > 0) 满足 (有站 或 有室)\n' in text
    assert "参数 目标 = 80%  # 来源：市方案\n" in text

    result = kepu("fmt", "--check", str(tmp_path / "rules"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "0 个文件需要格式化，1 个文件格式无需改动" in result.stderr


def test_lang_switches_keywords_and_function_names_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "r.kepu"
    path.write_text('规则集 r "t"\n\n章节 "s" {\n  规则 A1 "t" {  # 覆盖率\n    覆盖率(社区 其中 有站) >= 80%\n  }\n}\n',
                    encoding="utf-8")
    original = path.read_text(encoding="utf-8")
    assert kepu("fmt", "--lang", "en", str(path)).returncode == 0
    english = path.read_text(encoding="utf-8")
    assert 'rule A1 "t" {  # 覆盖率\n    coverage(社区 where 有站) >= 80%\n' in english
    assert kepu("fmt", "--lang", "zh", str(path)).returncode == 0
    assert path.read_text(encoding="utf-8") == original


def test_the_shipped_rulesets_pass_the_ci_check(tmp_path: Path) -> None:
    copy = tmp_path / "rulesets"
    shutil.copytree(ROOT / "rulesets", copy)
    result = kepu("fmt", "--check", str(copy))
    assert result.returncode == 0, result.stdout
    assert "0 个文件需要格式化，3 个文件格式无需改动" in result.stderr


def test_a_syntax_error_is_a_diagnostic_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.kepu"
    path.write_text('ruleset r "t"\nsection "s" {\n  rule A1 "t" { x > }\n}\n', encoding="utf-8")
    result = kepu("fmt", "--check", str(tmp_path))
    assert result.returncode == 2
    assert f"{path}:3:" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_folder_without_rulesets_is_exit_2(tmp_path: Path) -> None:
    result = kepu("fmt", "--check", "--lang", "en", str(tmp_path))
    assert result.returncode == 2
    assert "no .kepu files found" in result.stderr
