"""kepu.yaml: the model, and diagnostics that point at the line and column of the mistake."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field

from kepu_rules.config import (
    ProjectConfig,
    SourceConfig,
    find_config,
    load_config,
    parse_date,
    validate_source_options,
    validate_sources,
)
from kepu_rules.diagnostics import KepuError, Location
from kepu_rules.facts.table import SourceData
from kepu_rules.i18n import Msg
from kepu_rules.sources import Source, SourceContext, SourceOptions

FULL = """\
district: 示例区
ruleset: national
language: en
as_of: 2026/11/22
pass_mark: 85
params:
  科普日覆盖率目标: 80%
  活动开始: 2026-09-01
  重点人群: [青少年, 老年人]
waivers: waivers.yaml
sources:
  - name: 台账
    type: xlsx
    path: data/台账.xlsx
    sheets:
      科普标识: {entity: 科普标识}
  - type: dossier
    path: 档案/
"""

HEAD = "district: 示例区\nruleset: national\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder as the working directory, so diagnostics read `kepu.yaml:3:1`."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(text: str) -> Path:
    path = Path("kepu.yaml")
    path.write_text(text, encoding="utf-8")
    return path


def _errors(text: str) -> tuple[str, str]:
    with pytest.raises(KepuError) as info:
        load_config(_write(text))
    return info.value.render("en"), info.value.render("zh")


# --- a valid project ----------------------------------------------------------------------------------


def test_full_config_loads(project: Path) -> None:
    cfg = load_config(_write(FULL))
    assert cfg.district == "示例区"
    assert cfg.ruleset == "national"
    assert cfg.language == "en"
    assert cfg.as_of == date(2026, 11, 22)
    assert cfg.pass_mark == 85
    # params stay raw: the engine reads them as rule-language literals (a YAML date becomes its ISO text)
    assert cfg.params == {"科普日覆盖率目标": "80%", "活动开始": "2026-09-01", "重点人群": ["青少年", "老年人"]}
    assert cfg.base_dir == Path(".")
    assert cfg.waivers_path == Path("waivers.yaml")
    first, second = cfg.sources
    assert first == SourceConfig("台账", "xlsx", {"path": "data/台账.xlsx", "sheets": {"科普标识": {"entity": "科普标识"}}},
                                 Location("kepu.yaml", 12, 5, 17, 3), 0)
    # without `name:`, a source is labelled by its file or folder
    assert (second.name, second.type, second.options) == ("档案", "dossier", {"path": "档案/"})


def test_defaults(project: Path) -> None:
    cfg = load_config(_write(HEAD + "sources:\n  - type: csv\n    path: a.csv\n"))
    assert cfg.language == "zh"
    assert cfg.as_of == date.today()
    assert cfg.pass_mark is None
    assert cfg.params == {}
    assert cfg.waivers is None and cfg.waivers_path is None


def test_base_dir_is_the_folder_of_kepu_yaml(tmp_path: Path) -> None:
    (tmp_path / "kepu.yaml").write_text(FULL, encoding="utf-8")
    assert load_config(tmp_path / "kepu.yaml").base_dir == tmp_path
    # a folder is accepted too: its kepu.yaml is loaded
    assert load_config(tmp_path).path == tmp_path / "kepu.yaml"


@pytest.mark.parametrize(("written", "lang"), [("zh", "zh"), ("中文", "zh"), ("zh-CN", "zh"), ("English", "en")])
def test_language_spellings(project: Path, written: str, lang: str) -> None:
    cfg = load_config(_write(HEAD + f"language: {written}\nsources:\n  - type: csv\n"))
    assert cfg.language == lang


def test_location_of_a_param_for_the_engine(project: Path) -> None:
    cfg = load_config(_write(FULL))
    diag = cfg.diagnostic(("params", "科普日覆盖率目标"), Msg("规则集没有这个参数", "the ruleset has no such param"), key=True)
    assert diag.render("en") == (
        "kepu.yaml:7:3: error: the ruleset has no such param\n"
        "      科普日覆盖率目标: 80%\n"
        "      ^^^^^^^^^^^^^^^^"
    )


def test_with_overrides(project: Path) -> None:
    cfg = load_config(_write(FULL)).with_overrides(language="zh", pass_mark=90, params={"科普日覆盖率目标": "85%"})
    assert (cfg.language, cfg.pass_mark, cfg.params["科普日覆盖率目标"], cfg.params["活动开始"]) == ("zh", 90, "85%", "2026-09-01")
    # the overridden config still knows where things are in kepu.yaml
    assert cfg.location_of(("params", "活动开始")).line == 8


# --- mistakes ---------------------------------------------------------------------------------------------


def test_unknown_top_level_key_with_did_you_mean(project: Path) -> None:
    en, zh = _errors(HEAD + "soruces:\n  - type: xlsx\n")
    # the "has no `sources`" this causes is left out: the suggestion already says it
    assert en == (
        "kepu.yaml:3:1: error: unknown key `soruces` in kepu.yaml; did you mean `sources`?\n"
        "    soruces:\n"
        "    ^^^^^^^"
    )
    assert zh == (
        "kepu.yaml:3:1: 错误: kepu.yaml 中有未知的键 `soruces`；是否想写 `sources`？\n"
        "    soruces:\n"
        "    ^^^^^^^"
    )


def test_unknown_key_without_a_guess_lists_the_keys(project: Path) -> None:
    en, zh = _errors(HEAD + "colour: red\nsources:\n  - type: xlsx\n")
    assert en == (
        "kepu.yaml:3:1: error: unknown key `colour` in kepu.yaml\n"
        "    colour: red\n"
        "    ^^^^^^\n"
        "    help: keys allowed here: district, ruleset, language, as_of, pass_mark, params, waivers, history, bulletin, sources"
    )
    assert zh.splitlines()[-1] == (
        "    建议: 这里可用的键：district、ruleset、language、as_of、pass_mark、params、waivers、history、bulletin、sources"
    )


def test_wrong_type(project: Path) -> None:
    en, zh = _errors(HEAD + "pass_mark: 八十五\nsources:\n  - type: xlsx\n")
    assert en == (
        "kepu.yaml:3:12: error: `pass_mark` should be a score of 0 or more, not `八十五`\n"
        "    pass_mark: 八十五\n"
        "               ^^^^^^"
    )
    assert zh == (
        "kepu.yaml:3:12: 错误: `pass_mark` 应为不小于 0 的分数，而不是 `八十五`\n"
        "    pass_mark: 八十五\n"
        "               ^^^^^^"
    )


def test_mapping_where_text_is_expected(project: Path) -> None:
    en, zh = _errors("district: {name: 示例区}\nruleset: national\nsources:\n  - type: xlsx\n")
    assert en.splitlines()[0] == "kepu.yaml:1:11: error: `district` should be text, not a mapping"
    assert zh.splitlines()[0] == "kepu.yaml:1:11: 错误: `district` 应为文本，而不是映射"


def test_empty_value(project: Path) -> None:
    en, zh = _errors("district:\nruleset: national\nsources:\n  - type: xlsx\n")
    assert en.splitlines()[0] == "kepu.yaml:1:10: error: `district` has no value; it should be text"
    assert zh.splitlines()[0] == "kepu.yaml:1:10: 错误: `district` 没有填写值，应为文本"


def test_missing_sources(project: Path) -> None:
    en, zh = _errors(HEAD)
    assert en == (
        "kepu.yaml: error: kepu.yaml has no `sources`\n"
        "    help: list at least one data source under `sources:`, e.g. `- type: xlsx` with `path: data/台账.xlsx`"
    )
    assert zh == (
        "kepu.yaml: 错误: kepu.yaml 缺少 `sources`\n"
        "    建议: 在 `sources:` 下至少列出一个数据源，例如 `- type: xlsx` 和 `path: data/台账.xlsx`"
    )


@pytest.mark.parametrize(("empty", "where"), [("sources: []\n", "kepu.yaml:3:10"), ("sources:\n", "kepu.yaml:3:9")])
def test_empty_sources(project: Path, empty: str, where: str) -> None:
    en, zh = _errors(HEAD + empty)
    assert en.splitlines()[0] == f"{where}: error: `sources` is empty: list at least one data source"
    assert zh.splitlines()[0] == f"{where}: 错误: `sources` 是空的：请至少列出一个数据源"


def test_bad_language(project: Path) -> None:
    en, zh = _errors(HEAD + "language: fr\nsources:\n  - type: xlsx\n")
    assert en == (
        "kepu.yaml:3:11: error: `language` should be zh or en, not `fr`\n"
        "    language: fr\n"
        "              ^^"
    )
    assert zh == (
        "kepu.yaml:3:11: 错误: `language` 应为 zh 或 en，而不是 `fr`\n"
        "    language: fr\n"
        "              ^^"
    )


def test_bad_as_of(project: Path) -> None:
    en, _ = _errors(HEAD + "as_of: 下周\nsources:\n  - type: xlsx\n")
    assert en.splitlines()[0] == (
        "kepu.yaml:3:8: error: `as_of` should be a date such as 2026-12-31, 2026/12/31 or 2026年12月31日, not `下周`"
    )


def test_duplicate_key(project: Path) -> None:
    en, zh = _errors(HEAD + "district: 别的区\nsources:\n  - type: xlsx\n")
    assert en == (
        "kepu.yaml:3:1: error: duplicate key `district`: already set on line 1\n"
        "    district: 别的区\n"
        "    ^^^^^^^^\n"
        "    help: YAML would keep only the last one; remove one of them"
    )
    assert zh.splitlines()[0] == "kepu.yaml:3:1: 错误: 键 `district` 重复：第 1 行已经设置过"


def test_yaml_syntax_error_tab(project: Path) -> None:
    en, zh = _errors(HEAD + "sources:\n\t- type: xlsx\n")
    assert en == (
        "kepu.yaml:4:1: error: YAML syntax error: a tab character here: YAML needs spaces, not tabs\n"
        "    \t- type: xlsx\n"
        "    ^\n"
        "    help: replace the tab with spaces"
    )
    assert zh.splitlines()[0] == "kepu.yaml:4:1: 错误: YAML 语法错误：这里有制表符（Tab）：YAML 的缩进和分隔只能用空格"


def test_yaml_syntax_error_unclosed_quote(project: Path) -> None:
    en, _ = _errors('district: "示例区\nruleset: national\n')
    assert en == (
        "kepu.yaml:1:11: error: YAML syntax error: this quote is never closed\n"
        '    district: "示例区\n'
        "              ^\n"
        "    help: close the value with the same quote"
    )


def test_source_entry_without_type(project: Path) -> None:
    en, zh = _errors(HEAD + "sources:\n  - name: 台账\n    path: data/台账.xlsx\n")
    assert en == (
        "kepu.yaml:4:5: error: entry 1 of `sources` has no `type`\n"
        "      - name: 台账\n"
        "        ^\n"
        "    help: the source's type, e.g. `type: xlsx`; `kepu plugins` lists them all"
    )
    assert zh == (
        "kepu.yaml:4:5: 错误: `sources` 的第 1 项缺少 `type`\n"
        "      - name: 台账\n"
        "        ^\n"
        "    建议: 数据源类型，例如 `type: xlsx`；`kepu plugins` 列出全部类型"
    )


def test_source_entry_that_is_not_a_mapping(project: Path) -> None:
    en, zh = _errors(HEAD + "sources:\n  - data/台账.xlsx\n")
    assert en.splitlines()[0] == (
        "kepu.yaml:4:5: error: entry 1 of `sources` should be a mapping (`key: value` lines), not `data/台账.xlsx`"
    )
    assert zh.splitlines()[0] == "kepu.yaml:4:5: 错误: `sources` 的第 1 项应为映射（`键: 值` 的形式），而不是 `data/台账.xlsx`"


def test_two_sources_with_one_name(project: Path) -> None:
    en, _ = _errors(HEAD + "sources:\n  - type: xlsx\n    path: a/台账.xlsx\n  - type: xlsx\n    path: b/台账.xlsx\n")
    assert en == (
        "kepu.yaml:6:5: error: two sources are named `台账.xlsx` (the other is on line 4)\n"
        "      - type: xlsx\n"
        "        ^\n"
        "    help: give one of them a different `name:`"
    )


def test_not_a_mapping(project: Path) -> None:
    en, zh = _errors("- district\n- ruleset\n")
    assert en == "kepu.yaml: error: kepu.yaml should be a mapping (`key: value` lines), not a list"
    assert zh == "kepu.yaml: 错误: kepu.yaml 应为映射（`键: 值` 的形式），而不是列表"


def test_empty_file(project: Path) -> None:
    en, zh = _errors("# 待填写\n")
    assert en == (
        "kepu.yaml: error: kepu.yaml is empty\n"
        "    help: `kepu init` writes a starter kepu.yaml; it needs at least `district`, `ruleset` and `sources`"
    )
    assert zh.splitlines()[0] == "kepu.yaml: 错误: kepu.yaml 是空的"


def test_several_mistakes_are_reported_together_in_file_order(project: Path) -> None:
    en, _ = _errors("district: 示例区\nruleset: 3\nlanguage: fr\nsources:\n  - path: a.csv\n")
    assert [line.split(": error")[0] for line in en.splitlines() if ": error" in line] == [
        "kepu.yaml:2:10", "kepu.yaml:3:11", "kepu.yaml:5:5"]


# --- source options -----------------------------------------------------------------------------------


class _Sheet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity: str
    header_row: int = 1


class _XlsxOptions(SourceOptions):
    path: str
    sheets: dict[str, _Sheet] = Field(default_factory=dict)
    title_rows: int = 0


class _Xlsx(Source):
    name = "xlsx"
    description = Msg("Excel 台账", "Excel ledgers")
    Options = _XlsxOptions

    def read(self, options: SourceOptions, context: SourceContext) -> SourceData:
        raise NotImplementedError


SOURCES = HEAD + """\
sources:
  - name: 台账
    type: xlsx
    path: data/台账.xlsx
    sheet: 科普标识
    title_rows: 两行
    sheets:
      科普标识:
        entity: 科普标识
        header: 2
  - type: xslx
    path: data/b.xlsx
"""


def test_source_options_validate(project: Path) -> None:
    cfg = load_config(_write(FULL.replace("sheets:\n      科普标识: {entity: 科普标识}", "title_rows: 1")))
    options = validate_source_options(cfg.sources[0], _Xlsx, ["xlsx"])
    assert isinstance(options, _XlsxOptions)
    assert (options.path, options.title_rows) == ("data/台账.xlsx", 1)


def test_source_option_errors_point_into_kepu_yaml(project: Path) -> None:
    cfg = load_config(_write(SOURCES))
    with pytest.raises(KepuError) as info:
        validate_source_options(cfg.sources[0], _Xlsx, ["xlsx", "csv"])
    assert info.value.render("en") == (
        "kepu.yaml:7:5: error: unknown option `sheet` for source type `xlsx`; did you mean `sheets`?\n"
        "        sheet: 科普标识\n"
        "        ^^^^^\n"
        "kepu.yaml:8:17: error: `title_rows` should be a whole number, not `两行`\n"
        "        title_rows: 两行\n"
        "                    ^^^^\n"
        "kepu.yaml:12:9: error: unknown key `header` in `科普标识`; did you mean `header_row`?\n"
        "            header: 2\n"
        "            ^^^^^^"
    )
    assert info.value.render("zh").splitlines()[0] == (
        "kepu.yaml:7:5: 错误: 数据源类型 `xlsx` 没有选项 `sheet`；是否想写 `sheets`？"
    )


def test_unknown_source_type(project: Path) -> None:
    cfg = load_config(_write(SOURCES))
    with pytest.raises(KepuError) as info:
        validate_source_options(cfg.sources[1], None, ["xlsx", "csv", "dossier"])
    assert info.value.render("en") == (
        "kepu.yaml:13:11: error: unknown source type `xslx`; did you mean `xlsx`?\n"
        "      - type: xslx\n"
        "              ^^^^\n"
        "    help: registered source types: csv, dossier, xlsx; `kepu plugins` lists them all"
    )
    assert info.value.render("zh").splitlines()[0] == "kepu.yaml:13:11: 错误: 未知的数据源类型 `xslx`；是否想写 `xlsx`？"


def test_validate_sources_reports_every_source(project: Path) -> None:
    cfg = load_config(_write(SOURCES))
    with pytest.raises(KepuError) as info:
        validate_sources(cfg, {"xlsx": _Xlsx})
    assert [d.location.line for d in info.value.diagnostics] == [7, 8, 12, 13]


def test_missing_option(project: Path) -> None:
    cfg = load_config(_write(HEAD + "sources:\n  - type: xlsx\n"))
    with pytest.raises(KepuError) as info:
        validate_source_options(cfg.sources[0], _Xlsx)
    assert info.value.render("en") == (
        "kepu.yaml:4:5: error: source `xlsx` has no `path`\n"
        "      - type: xlsx\n"
        "        ^"
    )


# --- finding kepu.yaml and the ruleset ----------------------------------------------------------------------


def test_find_config(tmp_path: Path) -> None:
    (tmp_path / "kepu.yaml").write_text(FULL, encoding="utf-8")
    assert find_config(tmp_path) == tmp_path / "kepu.yaml"
    assert find_config(tmp_path / "kepu.yaml") == tmp_path / "kepu.yaml"


def test_find_config_missing(project: Path) -> None:
    with pytest.raises(KepuError) as info:
        find_config(Path("."))
    assert info.value.render("en") == (
        "kepu.yaml: error: no kepu.yaml in `.`: it is not a kepu project yet\n"
        "    help: run `kepu init .` to create one, or name the project file with `-c FILE`"
    )
    assert info.value.render("zh") == (
        "kepu.yaml: 错误: 找不到 kepu.yaml：文件夹 `.` 还不是 kepu 项目\n"
        "    建议: 运行 `kepu init .` 创建一个，或用 `-c 文件` 指定项目文件"
    )


def test_load_config_of_a_missing_file(project: Path) -> None:
    with pytest.raises(KepuError) as info:
        load_config(Path("other.yaml"))
    assert info.value.render("en") == "other.yaml: error: no such file"


def _with_ruleset(value: str) -> ProjectConfig:
    return load_config(_write(f"district: 示例区\nruleset: {value}\nsources:\n  - type: csv\n"))


def test_resolve_ruleset(project: Path) -> None:
    builtins = {"national": Path("/pkg/national.kepu"), "quancheng": Path("/pkg/quancheng.kepu")}
    assert _with_ruleset("national").resolve_ruleset(builtins) == Path("/pkg/national.kepu")
    (project / "rules").mkdir()
    (project / "rules" / "mine.kepu").write_text("", encoding="utf-8")
    assert _with_ruleset("rules/mine.kepu").resolve_ruleset(builtins) == Path("rules/mine.kepu")
    with pytest.raises(KepuError) as info:
        _with_ruleset("nationl").resolve_ruleset(builtins)
    assert info.value.render("en") == (
        "kepu.yaml:2:10: error: unknown ruleset `nationl`; did you mean `national`?\n"
        "    ruleset: nationl\n"
        "             ^^^^^^^"
    )
    with pytest.raises(KepuError) as info:
        _with_ruleset("rules/other.kepu").resolve_ruleset(builtins)
    assert info.value.render("en").splitlines()[0] == "kepu.yaml:2:10: error: ruleset file `rules/other.kepu` not found"


# --- dates ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-31", date(2026, 12, 31)),
    ("2026/12/31", date(2026, 12, 31)),
    ("2026/9/5", date(2026, 9, 5)),
    ("2026.12.31", date(2026, 12, 31)),
    ("2026年12月31日", date(2026, 12, 31)),
    ("2026年9月5号", date(2026, 9, 5)),
    ("２０２６／１２／３１", date(2026, 12, 31)),
    (" 2026-12-31 ", date(2026, 12, 31)),
    ("2026-02-30", None),
    ("2026-13-01", None),
    ("12/31/2026", None),
    ("年底", None),
    ("", None),
])
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


# --- no input makes anything but a KepuError ----------------------------------------------------------------

_PIECES = st.sampled_from([
    *"ab:- \n\t'\"[]{}#&*!|>%@`,?", "district: 示例区\n", "ruleset: national\n", "sources:\n", "  - type: xlsx\n",
    "    path: a.xlsx\n", "language: ", "pass_mark: ", "as_of: ", "params:\n", "2026-02-30", "2026/12/31", "<<", "&a", "*a",
])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
          deadline=None)
@given(st.one_of(st.text(), st.lists(_PIECES, max_size=30).map("".join)))
def test_any_text_as_kepu_yaml_gives_a_config_or_a_kepu_error(project: Path, text: str) -> None:
    try:
        cfg = load_config(_write(text))
    except KepuError as exc:
        assert exc.render("zh") and exc.render("en")
        return
    for src in cfg.sources:
        try:
            validate_source_options(src, _Xlsx if src.type == "xlsx" else None, ["xlsx"])
        except KepuError as exc:
            assert exc.render("zh")
