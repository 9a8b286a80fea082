"""The DSL-mistake corpus: realistic mistakes in rulesets written with Chinese and with English keywords.

Each case is a file in mistakes/cases/ (or a folder, whose `r.kepu` is the file linted, for overlays and
extends). Its first line says what `kepu lint` must report first, written by hand when the case was made:
`# expect: error 12:5` (line and column in the linted file) or `# expect: error b.kepu:1:27`. The golden
files mistakes/golden/CASE.LANG.txt hold the exact output of `kepu lint --lang LANG`, exit code included.
Regenerate them after an intended wording change with KEPU_UPDATE_GOLDEN=1, then read the diff.

Two cases are generated rather than stored: a rule on one line of 5 MB, twice (the diagnostic quotes a
window of the line, not the line).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kepu_rules.cli import cli
from tests.dsl.test_parser_fuzz import mutated_rulesets

HERE = Path(__file__).parent / "mistakes"
CASES = HERE / "cases"
GOLDEN = HERE / "golden"
ROOT = Path(__file__).resolve().parents[2]

#: Mistakes whose diagnostic was the checker's work in issue 11 (branch i11-checker), marked xfail until
#: it merged; it has, and none is left. A case waiting for another branch's work goes here.
CHECKER: frozenset[str] = frozenset()

#: The generated cases: a name, and how to write the file (one line of about 5 MB).
HUGE = ("en_huge_line", "zh_huge_line")

EXPECT = re.compile(r"^# expect: (error|warning) (?:(\S+\.kepu):)?(\d+):(\d+)")
FIRST = re.compile(r"^(\S+?):(\d+):(\d+): (error|warning|错误|警告): ", re.MULTILINE)
SEVERITY = {"错误": "error", "警告": "warning"}


@dataclass(frozen=True)
class Case:
    name: str
    folder: Path  # lint runs here
    target: str  # the file linted, relative to folder

    @property
    def text(self) -> str:
        return (self.folder / self.target).read_bytes().decode("utf-8")

    def expected(self) -> tuple[str, str, int, int]:
        m = EXPECT.match(self.text)
        assert m, f"{self.name}: the first line must say `# expect: error LINE:COL`"
        path = str(Path(self.target).parent / m[2]) if m[2] else self.target
        return m[1], path, int(m[3]), int(m[4])


def stored_names() -> list[str]:
    return sorted(p.name.removesuffix(".kepu") for p in CASES.iterdir() if p.suffix == ".kepu" or p.is_dir())


def case_named(name: str, scratch: Path) -> Case:
    if name in HUGE:
        return Case(name, scratch, write_huge(name, scratch))
    if (CASES / name).is_dir():
        return Case(name, CASES, f"{name}/r.kepu")
    return Case(name, CASES, f"{name}.kepu")


def write_huge(name: str, folder: Path) -> str:
    """A rule whose one line is 5 MB: a machine-written title, then the mistake, then more text."""
    filler = "科" * 2_500_000 if name.startswith("zh") else "x" * 5_000_000
    if name.startswith("zh"):
        line = f'  规则 C1 "{filler}" 分直 2 标签 "{filler[:200]}" {{ 计数(科普基地) >= 1 }}'
        text = ('# expect: error 5:{col}\n规则集 示范区 "某区" 版本 "2026" 语言 zh\n'
                "实体 科普基地 { 主键 名称: 文本 }\n章节 \"阵地建设\" {\n" + line + "\n}\n")
        col = line.index("分直") + 1
    else:
        line = (f'  rule C1 "{filler}" points 2 {{ count(Base where open_dys >= 200) >= 1 '
                f'and count(Base where name = "{filler[:200]}") = 0 }}')
        text = ('# expect: error 5:{col}\nruleset demo "Demo" version "2026" language en\n'
                "entity Base { key name: text; open_days: integer }\nsection \"Sites\" {\n" + line + "\n}\n")
        col = line.index("open_dys") + 1
    (folder / f"{name}.kepu").write_text(text.replace("{col}", str(col)), encoding="utf-8")
    return f"{name}.kepu"


ALL = stored_names() + list(HUGE)


def marks(name: str) -> list[pytest.MarkDecorator]:
    return [pytest.mark.xfail(strict=True, reason="i11-checker")] if name in CHECKER else []


def lint(case: Case, lang: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """`kepu lint --lang LANG` on the case, in process: exit code and what the terminal shows."""
    monkeypatch.chdir(case.folder)
    result = CliRunner().invoke(cli, ["lint", "--lang", lang, case.target])
    assert isinstance(result.exception, (SystemExit, type(None))), f"{case.name}: {result.exception!r}"
    return result.exit_code, result.output


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------


def test_the_corpus_has_at_least_60_mistakes_in_each_keyword_language_and_outcome() -> None:
    by_lang = {lang: [n for n in ALL if n.startswith(f"{lang}_")] for lang in ("zh", "en")}
    assert sorted(by_lang["zh"] + by_lang["en"]) == sorted(ALL), "every case is named zh_… or en_…"
    assert len(ALL) >= 60
    assert min(len(v) for v in by_lang.values()) >= 25
    severities = [EXPECT.match(case_named(n, CASES).text)[1] for n in stored_names()]  # type: ignore[index]
    assert severities.count("warning") >= 3 and severities.count("error") >= 50


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", [pytest.param(n, marks=marks(n)) for n in ALL])
def test_golden_diagnostics(name: str, lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = case_named(name, tmp_path)
    code, output = lint(case, lang, monkeypatch)
    rendered = f"$ kepu lint --lang {lang} {case.target}\nexit {code}\n{output}"
    golden = GOLDEN / f"{name}.{lang}.txt"
    if os.environ.get("KEPU_UPDATE_GOLDEN") == "1" and name not in CHECKER:
        golden.write_text(rendered, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}; KEPU_UPDATE_GOLDEN=1 writes it"
    assert rendered == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [pytest.param(n, marks=marks(n)) for n in ALL])
def test_the_first_diagnostic_is_where_the_case_says(name: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    case = case_named(name, tmp_path)
    severity, path, line, column = case.expected()
    for lang in ("zh", "en"):
        code, output = lint(case, lang, monkeypatch)
        assert "Traceback" not in output
        first = FIRST.search(output)
        assert first is not None, f"{name}: no diagnostic in\n{output}"
        assert (first[1], int(first[2]), int(first[3])) == (path, line, column), output[:2000]
        assert SEVERITY.get(first[4], first[4]) == severity
        assert code == (2 if severity == "error" else 0)


def test_a_diagnostic_on_a_5_mb_line_quotes_a_window_of_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in HUGE:
        code, output = lint(case_named(name, tmp_path), "en", monkeypatch)
        assert code == 2
        quoted = output.splitlines()[1]
        assert quoted.startswith("    …") and quoted.endswith("…") and len(quoted) < 200, quoted


def _targets() -> list[str]:
    return [case_named(n, CASES).target for n in stored_names() if n not in CHECKER]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_kepu_lint_over_the_whole_corpus_names_every_case_and_never_crashes(lang: str) -> None:
    """One real `kepu lint` process over every stored case (those waiting for the checker's work aside)."""
    targets = _targets()
    result = subprocess.run([sys.executable, "-m", "kepu_rules.cli", "lint", "--lang", lang, *targets],
                            cwd=CASES, capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    shown = result.stderr + result.stdout
    for target in targets:
        _, path, line, column = case_named(Path(target).parts[0].removesuffix(".kepu"), CASES).expected()
        assert f"{path}:{line}:{column}: " in shown, f"{target}: expected a diagnostic at {path}:{line}:{column}"
    summary = f"检查了 {len(targets)} 个文件" if lang == "zh" else f"{len(targets)} files checked"
    assert summary in shown


# ---------------------------------------------------------------------------------------------
# The language diagnostics speak
# ---------------------------------------------------------------------------------------------


def _kepu(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kepu_rules.cli", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_lint_speaks_each_rulesets_declared_language_unless_told() -> None:
    en, zh = "en_keyword_typo_points.kepu", "zh_keyword_typo_points.kepu"
    result = _kepu("lint", en, cwd=CASES)
    assert "error: 'ponits' is not a keyword" in result.stderr and "1 file checked" in result.stderr
    result = _kepu("lint", zh, cwd=CASES)
    assert "错误: “分直”不是关键词" in result.stderr and "检查了 1 个文件" in result.stderr
    result = _kepu("lint", "--lang", "zh", en, cwd=CASES)
    assert "错误: “ponits”不是关键词" in result.stderr
    result = _kepu("fmt", en, cwd=CASES)
    assert "error: 'ponits' is not a keyword" in result.stderr
    result = _kepu("show", en, cwd=CASES)
    assert result.returncode == 2 and "error: 'ponits' is not a keyword" in result.stderr


def test_check_speaks_the_rulesets_language_when_the_project_names_none(tmp_path: Path) -> None:
    rules = (CASES / "en_unknown_field.kepu").read_text(encoding="utf-8")
    (tmp_path / "rules.kepu").write_text(rules, encoding="utf-8")
    (tmp_path / "streets.csv").write_text("name,population\nEast,100\n", encoding="utf-8")
    project = "district: East\nruleset: rules.kepu\nsources:\n  - type: csv\n    path: streets.csv\n    entity: Street\n"
    (tmp_path / "kepu.yaml").write_text(project, encoding="utf-8")
    result = _kepu("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "error: unknown name 'promient'" in result.stderr, result.stderr
    (tmp_path / "kepu.yaml").write_text(project + "language: zh\n", encoding="utf-8")
    result = _kepu("check", cwd=tmp_path)
    assert "错误: 未知名称“promient”" in result.stderr, result.stderr


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_a_line_not_in_utf8_is_named_whatever_the_line_ends(end: str, tmp_path: Path) -> None:
    lines = ['ruleset demo "Demo" version "2026" language en', "entity Base { key name: text }",
             "# 科普基地（GBK）", 'section "Sites" { }']
    data = end.join(lines[:2]).encode("utf-8") + end.encode() + lines[2].encode("gbk") + end.encode() \
        + lines[3].encode("utf-8")
    (tmp_path / "r.kepu").write_bytes(data)
    result = _kepu("lint", "r.kepu", cwd=tmp_path)
    assert result.returncode == 2
    assert "r.kepu:3: error: the ruleset file is not UTF-8 encoded" in result.stderr, result.stderr


@pytest.mark.parametrize("end", ["\r\n", "\r"])
def test_fmt_rewrites_crlf_and_cr_only_files_to_lf(end: str, tmp_path: Path) -> None:
    """The parser reads every line end as LF; fmt still sees the file's own line ends and makes them LF."""
    text = 'ruleset demo "Demo" version "2026"\nlanguage en\n\nentity Base {\n  key name: text\n}\n'
    path = tmp_path / "r.kepu"
    path.write_bytes(text.replace("\n", end).encode("utf-8"))
    assert _kepu("fmt", "--check", "r.kepu", cwd=tmp_path).returncode == 1
    assert _kepu("fmt", "r.kepu", cwd=tmp_path).returncode == 0
    assert path.read_bytes() == text.encode("utf-8")
    assert _kepu("fmt", "--check", "r.kepu", cwd=tmp_path).returncode == 0


# ---------------------------------------------------------------------------------------------
# Line ends: the same mistakes, written with LF, CRLF or CR, are reported at the same places
# ---------------------------------------------------------------------------------------------


def _diagnostics_of(text: str) -> list[tuple[int | None, int | None, str | None, str]]:
    from kepu_rules.diagnostics import KepuError
    from kepu_rules.dsl.parse import parse

    try:
        parse(text, "r.kepu")
    except KepuError as err:
        return [(d.location.line, d.location.column, d.source_line, d.render("en")) for d in err.diagnostics]
    return []


@pytest.mark.parametrize("name", [n for n in stored_names() if not (CASES / n).is_dir()])
def test_every_line_end_style_gives_the_same_positions(name: str) -> None:
    text = (CASES / f"{name}.kepu").read_bytes().decode("utf-8")
    lf = text.replace("\r\n", "\n").replace("\r", "\n")
    expected = _diagnostics_of(lf)
    for end in ("\r\n", "\r"):
        assert _diagnostics_of(lf.replace("\n", end)) == expected


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_rulesets(), st.sampled_from(["\r\n", "\r"]))
def test_near_miss_texts_give_the_same_positions_with_any_line_ends(text: str, end: str) -> None:
    # Strings may hold escaped line ends only; the mutations may also make raw ones, which end the line.
    lf = text.replace("\r\n", "\n").replace("\r", "\n")
    assert _diagnostics_of(lf.replace("\n", end)) == _diagnostics_of(lf)


def test_kepu_test_speaks_the_language_of_the_ruleset_it_tests(tmp_path: Path) -> None:
    rules = (CASES / "en_unknown_field.kepu").read_text(encoding="utf-8").replace("promient", "prominent")
    (tmp_path / "rules.kepu").write_text(rules, encoding="utf-8")
    case = ("ruleset: rules.kepu\nas_of: 2026-11-22\ncases:\n  - name: no sign\n    rule: A1\n    facts:\n"
            "      Street: [{name: East}]\n      Sign: []\n    expect: pass\n")
    (tmp_path / "a1.yaml").write_text(case, encoding="utf-8")
    result = _kepu("test", "a1.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "FAIL A1 no sign" in result.stdout and "expected pass" in result.stdout, result.stdout
    result = _kepu("test", "a1.yaml", "--lang", "zh", cwd=tmp_path)
    assert "FAIL A1 no sign" in result.stdout and "expected pass" not in result.stdout, result.stdout


@pytest.mark.parametrize(("text", "lang"), [
    ('ruleset demo "Demo" version "1" language en\nentity X { key a: text }\n', "en"),
    ('规则集 示范区 "某区"\n    版本 "2026"\n    语言 zh   # 中文提示\n\n参数 x = 1\n', "zh"),
    ('ruleset demo "language en" version "1"\nsection "s" { }\n', None),  # a title is not a declaration
    ('# language en\nruleset demo "Demo"\n', None),  # nor is a comment
    ('ruleset demo "Demo"\nentity X { key a: text }\nlanguage en\n', None),  # past the header
    ('ruleset demo "Demo" version "1" language 中国\n', None),  # no language kepu knows: the parser says so
])
def test_the_declared_language_is_read_from_the_header_only(text: str, lang: str | None) -> None:
    from kepu_rules.dsl.parse import declared_language

    assert declared_language(text) == lang
    assert declared_language(text.replace("\n", "\r")) == lang
