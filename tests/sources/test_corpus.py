"""The ledger corpus (tests/sources/corpus, made by its build.py): broken and awkward ledgers, each a
small project with the answer `kepu check` must give.

Every case is run through the CLI (click's runner: the very code of `kepu check`) under
`--engine python` and `--engine columnar`: an error case exits 2, names the file and the line or cell
and column of each expected diagnostic, prints no traceback, and prints the same under both engines;
a readable case reads every row, by the row counts `kepu check -v` prints. The same cases are
assessed in process for the diagnostics' codes, a representative part is run as real subprocesses of
`kepu`, and every error case is a GitHub annotation at its file, line and column.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kepu_rules.cli import cli
from kepu_rules.config import load_config
from kepu_rules.diagnostics import KepuError
from kepu_rules.engine import backends
from kepu_rules.engine.assess import assess, columnar_paths, load_ruleset
from kepu_rules.reports.ci_paths import repository_root

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yaml").is_file())
ENGINES = ("python", "columnar")


def expected_of(case: str) -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load((CORPUS / case / "expected.yaml").read_text(encoding="utf-8"))
    return found


def project(case: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The case's folder, or for a case that grows, a copy grown over the columnar threshold; and the
    number of rows the growth added."""
    grow = expected_of(case).get("grow")
    if grow is None:
        return CORPUS / case, 0
    folder = tmp_path_factory.mktemp(case) / case
    shutil.copytree(CORPUS / case, folder)
    (folder.parent / "corpus.kepu").write_bytes((CORPUS / "corpus.kepu").read_bytes())
    path = folder / grow["file"]
    size = path.stat().st_size
    threshold = backends.COLUMNAR_FROM_BYTES or 10_000_000
    pad: str = grow["pad"]
    one = len(pad.format(n=0).encode())
    added = (threshold - size) // one + 2
    with path.open("a", encoding="utf-8", newline="") as out:
        out.write("".join(pad.format(n=n) for n in range(added)))
    return folder, added


_projects: dict[str, tuple[Path, int]] = {}


@pytest.fixture
def case_project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    case = request.node.callspec.params["case"]
    if case not in _projects:
        _projects[case] = project(case, tmp_path_factory)
    return _projects[case]


def _location(d: dict[str, Any]) -> str:
    if "sheet" in d:
        return f"{d['file']}[{d['sheet']}]!{d['cell']}"
    return ":".join(str(d[k]) for k in ("file", "line", "column") if k in d)


def _rows(expected: dict[str, Any], added: int) -> dict[str, int]:
    rows: dict[str, int] = dict(expected["rows"])
    grow = expected.get("grow")
    if grow is not None:
        rows[grow["file"]] += added
    return rows


def _params(ids: list[str]) -> list[Any]:
    return [pytest.param(case, engine) for case in ids for engine in ENGINES]


def test_the_corpus_is_what_its_build_script_makes(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("corpus_build", CORPUS / "build.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert sorted(build.main(tmp_path)) == CASES
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(CORPUS) for c in CASES for p in (CORPUS / c).rglob("*") if p.is_file())
    assert made == committed
    for rel in made:
        assert (tmp_path / rel).read_bytes() == (CORPUS / rel).read_bytes(), rel


def test_the_corpus_has_forty_cases_and_both_outcomes() -> None:
    outcomes = [expected_of(c)["exit"] for c in CASES]
    assert len(CASES) >= 40
    assert outcomes.count(2) >= 20 and outcomes.count("verdict") >= 15


@pytest.mark.parametrize(("case", "engine"), _params(CASES))
def test_assessing_gives_the_expected_diagnostics_or_row_counts(case: str, engine: str,
                                                               case_project: tuple[Path, int]) -> None:
    folder, added = case_project
    expected = expected_of(case)
    try:
        assessment = assess(load_config(folder / "kepu.yaml"), engine=engine)  # type: ignore[arg-type]
    except KepuError as err:
        found = [(d.location.render(), d.code) for d in err.diagnostics if d.is_error]
        assert found == [(_location(d), d["code"]) for d in expected.get("diagnostics", [])], err.render("en")
        return
    assert expected["exit"] == "verdict", f"{case} was read without an error"
    assert {r.where(): r.rows for r in assessment.facts.reads} == _rows(expected, added)


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("case", CASES)
def test_kepu_check_answers_alike_under_both_engines(case: str, case_project: tuple[Path, int]) -> None:
    folder, added = case_project
    expected = expected_of(case)
    runs = {}
    for engine in ENGINES:
        runs[engine] = _run(["check", "-c", str(folder / "kepu.yaml"), "--engine", engine, "-v", "--lang", "en"])
    for engine, (code, out, err) in runs.items():
        assert "Traceback" not in out + err and "internal error" not in err, (engine, err)
        if expected["exit"] == 2:
            assert code == 2, (engine, out, err)
            first = err.split("\n", 1)[0]
            assert first.startswith(f"{_location(expected['diagnostics'][0])}: error: "), (engine, err)
            for d in expected["diagnostics"]:
                assert f"{_location(d)}: error: " in err
        else:
            assert code in (0, 1), (engine, out, err)
            for where, n in _rows(expected, added).items():
                assert f"  {where}: {n} rows (" in out, (engine, where, out)
    texts = {(code, err) for code, _, err in runs.values()}
    assert len(texts) == 1, runs  # the same exit code and the same diagnostics, word for word


#: One of each kind, run as the user runs kepu: a real process, both engines, both languages.
REPRESENTATIVE = ["quote-unclosed-line10", "quote-unclosed-last-line", "enc-utf8-with-gbk-line32",
                  "disguised-xlsx-is-csv", "xlsx-bad-date", "ref-dangling", "quote-multiline-cells-ok",
                  "empty-csv-header-only-ok"]


@pytest.mark.parametrize("case", REPRESENTATIVE)
def test_kepu_check_as_a_process(case: str) -> None:
    expected = expected_of(case)
    answers = set()
    for engine in ENGINES:
        done = subprocess.run([sys.executable, "-m", "kepu_rules.cli", "check", "-v", "--engine", engine], cwd=CORPUS / case,
                              capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)
        assert "Traceback" not in done.stdout + done.stderr
        if expected["exit"] == 2:
            assert done.returncode == 2
            assert done.stderr.startswith(f"{_location(expected['diagnostics'][0])}: 错误: ")
        else:
            assert done.returncode in (0, 1), done.stderr
            for where, n in expected["rows"].items():
                assert f"  {where}：{n} 行（" in done.stdout
        answers.add((done.returncode, done.stderr))
    assert len(answers) == 1


def test_the_big_cases_are_over_the_columnar_threshold(tmp_path_factory: pytest.TempPathFactory) -> None:
    big = [c for c in CASES if "grow" in expected_of(c)]
    assert big
    for case in big:
        folder, _ = _projects.get(case) or project(case, tmp_path_factory)
        cfg = load_config(folder / "kepu.yaml")
        ruleset = load_ruleset(cfg.resolve_ruleset({}))
        assert backends.wants_columnar("auto", lambda cfg=cfg, ruleset=ruleset: columnar_paths(cfg, ruleset))


@pytest.mark.parametrize("case", [c for c in CASES if expected_of(c)["exit"] == 2 and "grow" not in expected_of(c)])
def test_every_error_case_is_a_github_annotation_at_its_place(case: str) -> None:
    code, out, _ = _run(["check", "-c", str(CORPUS / case / "kepu.yaml"), "--engine", "python", "--format", "github"])
    assert code == 2
    annotations = [line for line in out.splitlines() if line.startswith("::error ")]
    folder = (CORPUS / case).resolve().relative_to(repository_root(Path.cwd())).as_posix()
    for d, line in zip(expected_of(case)["diagnostics"], annotations, strict=True):
        where = line.split("::", 2)[1]
        assert f"file={folder}/{d['file']}," in where, line
        if "line" in d:
            assert f",line={d['line']}" in where
        if "column" in d:
            assert f",col={d['column']}" in where
        assert f"({d['code']})" in where
