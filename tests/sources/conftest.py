"""Shared fixtures for the source tests: a small hand-built schema and a helper to read a source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kepu_rules.diagnostics import KepuError
from kepu_rules.facts.schema import EntityDef, FieldDef, FieldType, ScalarDef, Schema
from kepu_rules.facts.table import SourceData
from kepu_rules.sources import Source, SourceContext

T = FieldType


def _entity(name: str, *fields: FieldDef, aliases: tuple[str, ...] = ()) -> EntityDef:
    return EntityDef(name, {f.name: f for f in fields}, aliases=aliases)


SCHEMA = Schema(
    entities={
        "街道": _entity("街道", FieldDef("名称", T.TEXT, is_key=True, aliases=("街道名称",))),
        "社区": _entity(
            "社区",
            FieldDef("名称", T.TEXT, is_key=True, aliases=("社区名称", "村（社区）名称")),
            FieldDef("街道", T.REF, target="街道", aliases=("所属街道",)),
            FieldDef("有科普活动室", T.BOOL),
            FieldDef("科普活动室面积", T.NUMBER),
            FieldDef("开放时间", T.TEXT),
            FieldDef("常住人口", T.INTEGER),
            FieldDef("覆盖率", T.PERCENT),
            aliases=("村",),
        ),
        "科普标识": _entity(
            "科普标识",
            FieldDef("街道", T.REF, target="街道"),
            FieldDef("位置", T.TEXT),
            FieldDef("沿街显要", T.BOOL),
            FieldDef("设置日期", T.DATE),
        ),
        "科普活动": _entity(
            "科普活动",
            FieldDef("名称", T.TEXT, required=True, aliases=("活动名称",)),
            FieldDef("社区", T.REF, target="社区"),
            FieldDef("日期", T.DATE, aliases=("活动日期",)),
            FieldDef("类别", T.TEXT),
            FieldDef("参与人数", T.INTEGER),
        ),
        "档案材料": _entity(
            "档案材料",
            FieldDef("路径", T.TEXT, is_key=True),
            FieldDef("文件名", T.TEXT),
            FieldDef("类别", T.TEXT),
            FieldDef("街道", T.REF, target="街道"),
            FieldDef("类型", T.TEXT),
            FieldDef("扩展名", T.TEXT),
            FieldDef("大小", T.INTEGER),
            FieldDef("修改日期", T.DATE),
            FieldDef("日期", T.DATE),
        ),
    },
    scalars={
        "常住人口": ScalarDef("常住人口", T.INTEGER, aliases=("人口",)),
        "科普经费": ScalarDef("科普经费", T.NUMBER),
        "科学素质比例": ScalarDef("科学素质比例", T.PERCENT),
    },
)


def context(base: Path, name: str = "台账", schema: Schema = SCHEMA) -> SourceContext:
    return SourceContext(name=name, schema=schema, base_dir=base)


def read(source: type[Source], base: Path, **options: Any) -> SourceData:
    """Validate options with the source's own model (as the config loader does) and read."""
    return source().read(source.Options.model_validate(options), context(base))


def error(source: type[Source], base: Path, lang: str = "en", **options: Any) -> str:
    """The rendered diagnostics of a read that must fail."""
    with pytest.raises(KepuError) as caught:
        read(source, base, **options)
    return caught.value.render(lang)  # type: ignore[arg-type]


def snapshot(path: Path) -> tuple[bytes, int]:
    """Bytes and modification time, to prove a read left the input untouched."""
    return path.read_bytes(), path.stat().st_mtime_ns
