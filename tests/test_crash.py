"""Internal errors exit 3 with one line and a crash file, never 0 or 1 and never a verdict: real `kepu`
subprocesses with a real bug planted by a test-only plugin (tests/crash_plugin) loaded through the
plugin entry points, as an installed third-party plugin would be."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kepu_rules import exitcodes
from kepu_rules.crash import crash_text, project_folder, summary, write_crash_file

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo-district"
PLUGIN = ROOT / "tests" / "crash_plugin"

CRASH_SOURCE = """\
  - name: 坏插件
    type: crash
"""


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a `kepu` with the crash plugin installed: its module on the path and a
    dist-info declaring its `kepu_rules` entry point, which is how kepu finds third-party plugins."""
    site = tmp_path_factory.mktemp("site")
    info = site / "kepu_test_crash-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: kepu-test-crash\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[kepu_rules]\ncrash = kepu_test_crash\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("KEPU_PLUGINS", "KEPU_TEST_CRASH")}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(PLUGIN), str(ROOT)])
    env["TMPDIR"] = str(tmp_path_factory.mktemp("tmp"))  # where crash files go when the project cannot take them
    return env


def kepu(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kepu_rules.cli", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=120)


def crashing_project(folder: Path) -> Path:
    """A copy of the example district with one more source, of the crash plugin's type."""
    shutil.copytree(DEMO, folder, ignore=shutil.ignore_patterns("__pycache__", "kepu-report.*", ".kepu"))
    config = folder / "kepu.yaml"
    config.write_text(config.read_text(encoding="utf-8") + CRASH_SOURCE, encoding="utf-8")
    return folder


def one_line(stderr: str) -> str:
    lines = stderr.strip("\n").splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def named_file(line: str) -> Path:
    found = re.search(r"(/\S+?crash-[\d-]+\.txt)", line)
    assert found, line
    path = Path(found.group(1))
    assert path.is_file()
    return path


def assert_crash_file(path: Path, error: str, *command: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and error in text
    for name in ("kepu: 0.", "python: 3.", "platform: ", "lark: ", "pydantic: ", "duckdb: ", "textual: ", "cwd: "):
        assert name in text, name
    assert "command: " in text and all(arg in text for arg in command)
    return text


def test_check_exits_3_with_one_line_and_the_crash_file_in_the_project(tmp_path: Path,
                                                                       plugin_env: dict[str, str]) -> None:
    project = crashing_project(tmp_path / "区")
    result = kepu("check", cwd=project, env=plugin_env)
    assert result.returncode == exitcodes.INTERNAL_ERROR == 3
    assert result.stdout == ""  # no report, no verdict
    line = one_line(result.stderr)
    assert line.startswith("内部错误：RuntimeError: planted by kepu_test_crash（这是 kepu 的缺陷，不是输入的问题")
    path = named_file(line)
    assert path.parent == project / ".kepu"
    assert (project / ".kepu" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert_crash_file(path, "RuntimeError: planted by kepu_test_crash", "check")


def test_english_and_a_project_that_cannot_take_the_file(tmp_path: Path, plugin_env: dict[str, str]) -> None:
    project = crashing_project(tmp_path / "区")
    (project / ".kepu").write_text("not a folder", encoding="utf-8")  # so the crash file goes to TMPDIR
    result = kepu("check", "--lang", "en", "--engine", "columnar", "-c", str(project / "kepu.yaml"), cwd=tmp_path,
                  env=plugin_env)
    assert result.returncode == 3
    line = one_line(result.stderr)
    assert line.startswith("internal error: RuntimeError: planted by kepu_test_crash (a bug in kepu, not in the input;")
    path = named_file(line)
    assert path.parent == Path(plugin_env["TMPDIR"]) and path.name.startswith("kepu-crash-")
    assert_crash_file(path, "planted by kepu_test_crash", "--engine", "columnar")


def test_batch_lists_the_crashed_project_and_exits_3(tmp_path: Path, plugin_env: dict[str, str]) -> None:
    folder = tmp_path / "各区"
    shutil.copytree(DEMO, folder / "a-示例区", ignore=shutil.ignore_patterns("__pycache__", "kepu-report.*"))
    crashing_project(folder / "b-坏区")
    # two projects, two workers: the crash happens in a worker process
    result = kepu("check", "--batch", str(folder), "--workers", "2", "--lang", "en", "--format", "json",
                  cwd=tmp_path, env=plugin_env)
    assert result.returncode == 3, result.stderr
    ranking = json.loads(result.stdout)  # the ranking is still written, and still parses
    by_folder = {d["folder"]: d for d in ranking["districts"]}
    assert by_folder["a-示例区"]["rank"] == 1 and by_folder["a-示例区"]["internal_error"] is None
    crashed = by_folder["b-坏区"]
    assert crashed["verdict"] == "error" and crashed["rank"] is None
    path = Path(crashed["internal_error"])
    assert path.parent == folder / "b-坏区" / ".kepu"
    assert_crash_file(path, "planted by kepu_test_crash")
    summary_line, error_line = result.stderr.strip("\n").splitlines()
    assert summary_line.startswith("assessed 2 projects in ") and summary_line.endswith(": 1 fail, 1 internal error")
    assert error_line == (f"internal error: assessing b-坏区 failed (a bug in kepu, not in the input; "
                          f"please report it with {path})")


def test_batch_when_a_worker_process_dies(tmp_path: Path, plugin_env: dict[str, str]) -> None:
    folder = tmp_path / "各区"
    dying = crashing_project(folder / "a-死区")
    config = dying / "kepu.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "    how: exit\n", encoding="utf-8")
    shutil.copytree(DEMO, folder / "b-示例区", ignore=shutil.ignore_patterns("__pycache__", "kepu-report.*"))
    result = kepu("check", "--batch", str(folder), "--workers", "2", "--format", "json", cwd=tmp_path, env=plugin_env)
    assert result.returncode == 3, result.stderr
    entry = {d["folder"]: d for d in json.loads(result.stdout)["districts"]}["a-死区"]
    assert entry["verdict"] == "error" and "评估进程异常退出" in entry["diagnostics"][0]["message"]
    assert_crash_file(Path(entry["internal_error"]), "BrokenProcessPool")
    assert result.stderr.strip("\n").splitlines()[-1].startswith("内部错误：评估 a-死区")


def test_tui_crash_in_the_ui_exits_3_with_one_line(tmp_path: Path, plugin_env: dict[str, str]) -> None:
    pytest.importorskip("textual")
    project = tmp_path / "区"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns("__pycache__", "kepu-report.*"))
    env = {**plugin_env, "KEPU_TEST_CRASH": "tui-screen",
           "TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver"}
    result = kepu("tui", "--lang", "en", cwd=project, env=env)
    assert result.returncode == 3, result.stderr
    line = one_line(result.stderr)  # not Textual's traceback with locals
    assert line.startswith("internal error: ZeroDivisionError: planted by kepu_test_crash")
    path = named_file(line)
    assert path.parent == project / ".kepu"
    assert "show_report" in assert_crash_file(path, "ZeroDivisionError", "tui")


def test_a_plugin_that_fails_to_load(tmp_path: Path, plugin_env: dict[str, str]) -> None:
    result = kepu("lint", "--lang", "en", str(ROOT / "rulesets"), cwd=tmp_path,
                  env={**plugin_env, "KEPU_TEST_CRASH": "import"})
    assert result.returncode == 3
    line = one_line(result.stderr)
    assert line.startswith("internal error: a plugin failed to load: ImportError: planted by kepu_test_crash")
    assert "kepu_test_crash/__init__.py" in assert_crash_file(named_file(line), "ImportError", "lint")


def test_a_report_file_that_cannot_be_written_is_an_input_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KEPU_PLUGINS"}
    (tmp_path / "file").write_text("", encoding="utf-8")
    result = kepu("check", "--lang", "en", "--format", f"json:{tmp_path / 'file' / 'r.json'}", cwd=DEMO, env=env)
    assert result.returncode == 2
    assert one_line(result.stderr).startswith(f"cannot write {tmp_path / 'file' / 'r.json'}")


# -- the crash module itself ----------------------------------------------------------------------


def _raised() -> ValueError:
    try:
        raise ValueError("x" * 300 + "\nmore")
    except ValueError as exc:
        return exc


def test_summary_is_one_bounded_line() -> None:
    text = summary(_raised())
    assert "\n" not in text and text.startswith("ValueError: xxx") and len(text) < 180 and text.endswith("…")
    assert summary(KeyError()) == "KeyError"


def test_project_folder_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert project_folder(["check"]) is None
    (tmp_path / "kepu.yaml").write_text("", encoding="utf-8")
    assert project_folder(["check"]) == tmp_path
    assert project_folder(["check", "-c", "a/b/kepu.yaml"]) == Path("a/b")
    assert project_folder(["check", "--config=a/kepu.yaml"]) == Path("a")
    assert project_folder(["check", "--batch", "各区"]) == Path("各区")


def test_crash_file_holds_the_traceback_and_versions(tmp_path: Path) -> None:
    path = write_crash_file(_raised(), tmp_path, ["kepu", "check", "--set", "a=b c"])
    assert path is not None and path.parent == tmp_path / ".kepu"
    text = path.read_text(encoding="utf-8")
    assert "command: kepu check --set 'a=b c'" in text
    assert text.rstrip("\n").endswith("ValueError: " + "x" * 300 + "\nmore")
    assert text.split("\n")[4:] == crash_text(_raised(), ["kepu"]).split("\n")[4:]  # all but time, command, cwd


def test_the_ranking_does_not_call_a_crash_an_input_error() -> None:
    from kepu_rules.batch import RankedDistrict, Ranking
    from kepu_rules.reports.ranking import render_ranking

    crashed = RankedDistrict(district="坏区", folder="b", verdict="error", internal_error="/p/.kepu/crash-1.txt")
    wrong = RankedDistrict(district="错区", folder="c", verdict="error")
    for lang, heading, label in (("zh", "输入有误或评估时出现内部错误、未参加排名的项目", "内部错误"),
                                 ("en", "Projects with input errors or internal errors (not ranked)", "internal error")):
        both = Ranking(folder="各区", lang=lang, districts=[crashed, wrong])
        for fmt in ("text", "markdown", "html"):
            assert heading in render_ranking(both, fmt, lang), fmt
        assert f"| {label} |" in render_ranking(both, "markdown", lang)
        assert f"{label} 1" in render_ranking(both, "text", lang).splitlines()[1]
        only_wrong = render_ranking(Ranking(folder="各区", lang=lang, districts=[wrong]), "text", lang)
        assert heading not in only_wrong and label not in only_wrong
