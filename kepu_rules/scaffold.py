"""`kepu init`: a region's starter project, with ledger templates whose headers match the schema."""

from __future__ import annotations

from pathlib import Path

from kepu_rules.diagnostics import Diagnostic, KepuError, Location
from kepu_rules.facts.schema import FieldType, Schema
from kepu_rules.i18n import Msg

#: Entities read from the dossier folder rather than a ledger sheet.
DOSSIER_ENTITY = "档案材料"

_OVERLAY = """\
ruleset {ident} "{district}科普示范区自评细则" extends {base}
language zh

# 在这里调整上级规则集的参数、分值与等级，或增加本地规则。例如：
# set 科普日覆盖率目标 = 90%
# override A1 {{ points 6 severity veto }}
# drop D7 because "本区无涉农街道"
# section "区级特色" {{
#   rule Q1 "每个街道至少开展 2 次专家服务" points 2 owner "各街道" {{
#     每个 街道 至少有 2 个 科普活动 其中 类别 = "专家服务"
#   }}
# }}
"""

_WAIVERS = """\
# 经批准的豁免：到期后自动失效，并在报告中列出。
waivers: []
#  - rule: A1
#    entity: 街道
#    key: 北坦街道
#    reason: 道路改造，标识待恢复
#    approver: 区科协 王主任
#    expires: 2026-12-31
"""


def scaffold(directory: Path, district: str, base: str, force: bool = False) -> list[Path]:
    """Write the starter files; refuses to overwrite unless `force`. Returns the files written."""
    from kepu_rules.dsl.checker import check
    from kepu_rules.engine.resolve import locate_ruleset, resolve

    checked = check(resolve(locate_ruleset(base, directory)))
    schema = checked.schema
    files = {
        directory / "kepu.yaml": _config(district, schema),
        directory / "rules" / "region.kepu": _OVERLAY.format(ident="region", district=district, base=base),
        directory / "waivers.yaml": _WAIVERS,
        directory / "data" / "基本情况.yaml": _facts_template(schema),
    }
    existing = [p for p in [*files, directory / "data" / "台账.xlsx"] if p.exists()]
    if existing and not force:
        raise KepuError([Diagnostic(Location(str(p)), Msg("文件已存在，未覆盖（用 --force 覆盖）", "already exists; not overwritten (use --force)"))
                         for p in existing])
    written: list[Path] = []
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    ledger = directory / "data" / "台账.xlsx"
    _ledger(ledger, district, schema)
    written.append(ledger)
    dossier = directory / "档案"
    dossier.mkdir(exist_ok=True)
    readme = dossier / "说明.txt"
    if not readme.exists():
        readme.write_text("按“类别/街道/文件”存放申报材料，例如：媒体报道/北坦街道/2026-09-15 报道.pdf\n", encoding="utf-8")
        written.append(readme)
    return written


def _ledger_entities(schema: Schema) -> list[str]:
    return [name for name in schema.entities if name != DOSSIER_ENTITY]


def _config(district: str, schema: Schema) -> str:
    sheets = "\n".join(f"      {name}: {{entity: {name}, header_row: 2}}" for name in _ledger_entities(schema))
    dossier = ""
    if DOSSIER_ENTITY in schema.entities:
        dossier = f"""  - type: dossier
    path: 档案
    entity: {DOSSIER_ENTITY}
    patterns: ["{{类别}}/{{街道}}/*", "{{类别}}/*"]
"""
    return f"""district: {district}
ruleset: rules/region.kepu
language: zh
pass_mark: 85
params: {{}}
waivers: waivers.yaml
sources:
  - type: yaml
    path: data/基本情况.yaml
  - name: 台账
    type: xlsx
    path: data/台账.xlsx
    sheets:
{sheets}
{dossier}"""


def _facts_template(schema: Schema) -> str:
    lines = ["# 全区指标：填写后运行 kepu check。留空表示尚无数据（规则会报告“无法核查”，而不是按 0 计算）。", "facts:"]
    for scalar in schema.scalars.values():
        label = f"  # {scalar.label}" if scalar.label else ""
        lines.append(f"  {scalar.name}:{label}")
    return "\n".join(lines) + "\n"


def _ledger(path: Path, district: str, schema: Schema) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for name in _ledger_entities(schema):
        ws = wb.create_sheet(name[:31])
        ws.append([f"{district}{name}台账"])
        ws["A1"].font = Font(bold=True, size=14)
        entity = schema.entities[name]
        headers = [f.name for f in entity.fields.values()]
        ws.append(headers)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for i, f in enumerate(entity.fields.values(), 1):
            ws.column_dimensions[ws.cell(2, i).column_letter].width = 14 if f.type is not FieldType.TEXT else 20
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
