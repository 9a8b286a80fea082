"""The yaml source: hand-written rows of any entities and district-level scalar facts, with line numbers."""

from __future__ import annotations

import dataclasses

import yaml
from pydantic import Field
from yaml import MappingNode, Node

from kepu_rules.diagnostics import Diagnostic, KepuError, Location, source_line_of
from kepu_rules.facts.coerce import BadValue, Converter, coerce, converter, ref_type_of
from kepu_rules.facts.provenance import Provenance
from kepu_rules.facts.schema import EntityDef, FieldDef, ScalarDef
from kepu_rules.facts.table import FactTable, Row, ScalarFact, SourceData, Value
from kepu_rules.i18n import Msg
from kepu_rules.sources import Source, SourceContext, SourceOptions
from kepu_rules.yamlpos import YAML_LINE_BREAK

from .columns import CACHE_PER_COLUMN, norm_header
from .common import Problems, did_you_mean, find_entity, listing, options_of, read_bytes, shown_path
from .sniff import HEAD, check_kind

#: Top-level keys that hold scalar facts rather than an entity's rows.
FACTS_KEYS = ("facts", "指标")
_NULL_TAG = "tag:yaml.org,2002:null"

_Reading = tuple[Converter, dict[str, Value]]  # a field's converter and the values of texts read so far


class YamlOptions(SourceOptions):
    """Options of the yaml source."""

    path: str = Field(description="The YAML file, relative to the folder of kepu.yaml.")
    entity: str | None = Field(
        None, description="When set, the whole file is the rows of this entity: a list of rows, or "
                          "`key: {fields}`. Leave it out when the file is a mapping "
                          "`{entity: [rows], facts: {...}}`.")


class YamlSource(Source):
    """Reads entity rows and scalar facts from one YAML file; provenance is file:line:column."""

    name = "yaml"
    description = Msg("YAML 文件：各实体的记录与全区指标", "a YAML file: rows of entities and district-level facts")
    Options = YamlOptions

    def read(self, options: SourceOptions, context: SourceContext) -> SourceData:
        opts = options_of(options, YamlOptions)
        shown = shown_path(opts.path)
        raw = read_bytes(opts.path, context)
        check_kind(raw[:HEAD], shown, {"text", "empty"}, Msg("YAML 文本文件", "a YAML text file"), {})
        text = _decode(raw, shown)
        reader = _Reader(context, shown, text)
        data = reader.document(_compose(text, shown), opts.entity)
        reader.problems.raise_if_any()
        return data


def _decode(data: bytes, shown: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise KepuError(Diagnostic(
            Location(shown, line=line),
            Msg(f"{shown} 第 {line} 行不是 UTF-8 文本", f"{shown} line {line} is not UTF-8 text"),
            hint=Msg("YAML 文件须以 UTF-8 保存", "save YAML files as UTF-8"),
            code="bad-encoding")) from None


def _compose(text: str, shown: str) -> Node | None:
    """The node tree (which keeps line/column marks), or a KepuError pointing at the syntax error."""
    # libyaml composes five times faster and gives the same marks; the pure-Python loader is only asked
    # again for a file it rejects, because its messages are the ones our diagnostics were written for.
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        raise KepuError(Diagnostic(
            Location(shown, line=line, column=column),
            Msg(f"{shown} 不是有效的 YAML：{problem}", f"{shown} is not valid YAML: {problem}"),
            source_line=source_line_of(text, line, YAML_LINE_BREAK) if line else None,
            code="bad-yaml")) from None
    except yaml.YAMLError as exc:
        raise KepuError(Diagnostic(
            Location(shown),
            Msg(f"{shown} 不是有效的 YAML：{exc}", f"{shown} is not valid YAML: {exc}"),
            code="bad-yaml")) from None
    except RecursionError:
        raise KepuError(Diagnostic(
            Location(shown),
            Msg(f"{shown} 嵌套层数过多", f"{shown} is nested too deeply"),
            code="bad-yaml")) from None


class _Reader:
    """Walks the node tree of one file; collects every problem before raising."""

    def __init__(self, context: SourceContext, shown: str, text: str) -> None:
        self.context = context
        self.schema = context.schema
        self.shown = shown
        self.text = text
        self.problems = Problems(Location(shown))
        # Rows repeat their field names and many values: each field remembers how it reads (its
        # converter and the texts read so far; see RowBuilder), each entity the fields its keys name.
        self._readings: dict[FieldDef, _Reading] = {}
        self._fields: dict[tuple[str, str | None], tuple[FieldDef, _Reading] | None] = {}

    # -- locations

    def where(self, node: Node) -> Provenance:
        mark = node.start_mark
        # Positional, without Provenance's keyword-handling __new__: this runs once per value.
        return tuple.__new__(Provenance, (self.context.name, self.shown, None, None, mark.line + 1, mark.column + 1))

    def span(self, node: Node) -> Location:
        """The node's location, with its end so the caret underlines the whole token."""
        start, end = node.start_mark, node.end_mark
        return Location(self.shown, start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def problem(self, node: Node, message: Msg, hint: Msg | None = None, code: str = "bad-yaml-data") -> None:
        self.problems.add(Diagnostic(self.span(node), message, hint=hint,
                                     source_line=source_line_of(self.text, node.start_mark.line + 1, YAML_LINE_BREAK), code=code))

    def add_error(self, error: KepuError, node: Node) -> None:
        """Add a coercion error, quoting the source line under it."""
        line = source_line_of(self.text, node.start_mark.line + 1, YAML_LINE_BREAK)
        for d in error.diagnostics:
            self.problems.add(dataclasses.replace(d, location=self.span(node), source_line=line))

    # -- structure

    def document(self, root: Node | None, entity_name: str | None) -> SourceData:
        data = SourceData()
        if entity_name is not None:  # the whole file is the rows of one entity, in any shape `table` reads
            data.tables.append(self.table(find_entity(self.schema, entity_name, Location(self.shown)),
                                          root or yaml.ScalarNode(_NULL_TAG, "")))
            return data
        if root is None:
            return data
        if isinstance(root, yaml.SequenceNode):
            self.problem(root, Msg("文件顶层是列表，需要在数据源中用 entity: 指明实体",
                                   "the file is a list of rows: set entity: in the source"))
            return data
        if not isinstance(root, yaml.MappingNode):
            self.problem(root, Msg("文件顶层应是映射，如 {街道: [...], 指标: {...}}",
                                   "the top level should be a mapping such as {街道: [...], facts: {...}}"))
            return data
        self.top_level(root, data)
        return data

    def top_level(self, root: MappingNode, data: SourceData) -> None:
        seen: dict[str, Node] = {}
        for key_node, value_node in root.value:
            name = _key(key_node)
            if name in FACTS_KEYS:
                data.scalars += self.scalars(value_node)
                continue
            entity = self.schema.entity(name) if name is not None else None
            if entity is None:
                self.unknown_entity(key_node, name)
                continue
            if entity.name in seen:
                self.problem(key_node, Msg(f"实体 {entity.name} 在本文件中出现了两次（第 {seen[entity.name].start_mark.line + 1} 行）",
                                           f"entity {entity.name} appears twice in this file (also line {seen[entity.name].start_mark.line + 1})"))
                continue
            seen[entity.name] = key_node
            data.tables.append(self.table(entity, value_node))

    def unknown_entity(self, node: Node, name: str | None) -> None:
        known = [n for e in self.schema.entities.values() for n in (e.name, *e.aliases)]
        self.problem(node, Msg(f"规则集中没有实体“{name}”", f"the ruleset has no entity {name!r}"),
                     hint=did_you_mean(name or "", [*known, *FACTS_KEYS])
                     or Msg("顶层的键应是实体名或 指标/facts；实体：", "top-level keys are entity names or facts/指标; entities: ")
                     + listing(known),
                     code="unknown-entity")

    def table(self, entity: EntityDef, node: Node) -> FactTable:
        """Rows from a list of mappings, a list of keys, or a mapping key → fields; null means zero rows."""
        rows: list[Row] = []
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                rows += self.item(entity, item)
        elif isinstance(node, yaml.MappingNode):
            for key_node, fields_node in node.value:
                rows += self.keyed(entity, key_node, fields_node)
        elif not _is_null(node):
            self.problem(node, Msg(f"{entity.name} 应是记录的列表", f"{entity.name} should be a list of rows"))
        return FactTable(entity.name, rows, self.context.name, file=self.shown)

    def item(self, entity: EntityDef, node: Node) -> list[Row]:
        if isinstance(node, yaml.MappingNode):
            return [self.row(entity, node, {}, {})]
        if isinstance(node, yaml.ScalarNode):
            return self.keyed(entity, node, None)  # `街道: [北坦街道, 泺口街道]`: rows given by key only
        self.problem(node, Msg(f"{entity.name} 的每一项应是一条记录（字段: 值）", f"each item of {entity.name} should be a row (field: value)"))
        return []

    def keyed(self, entity: EntityDef, key_node: Node, fields_node: Node | None) -> list[Row]:
        """A row written as `key: {fields}` (or a bare key): the mapping key is the entity's key field."""
        key = entity.key
        if key is None:
            self.problem(key_node, Msg(f"{entity.name} 没有主键，记录须写成列表", f"{entity.name} has no key: write its rows as a list"))
            return []
        values: dict[str, Value] = {}
        cells: dict[str, Provenance] = {}
        self.value(key, key_node, values, cells)
        if fields_node is None or _is_null(fields_node):
            return [self.finish(entity, key_node, values, cells, set())]
        if not isinstance(fields_node, yaml.MappingNode):
            self.problem(fields_node, Msg(f"“{_key(key_node)}”的内容应是 字段: 值", f"the fields of {_key(key_node)!r} should be a mapping"))
            return []
        return [self.row(entity, fields_node, values, cells)]

    def row(self, entity: EntityDef, node: MappingNode, values: dict[str, Value],
            cells: dict[str, Provenance]) -> Row:
        present = set(values)
        for key_node, value_node in node.value:
            name = _key(key_node)
            known = self.field(entity, name)
            if known is None:
                names = [n for f in entity.fields.values() for n in f.names]
                self.problem(key_node, Msg(f"实体 {entity.name} 没有字段“{name}”", f"entity {entity.name} has no field {name!r}"),
                             hint=did_you_mean(name or "", names) or Msg("字段：", "fields: ") + listing(entity.fields),
                             code="unknown-field")
                continue
            field, reading = known
            if field.name in present:
                self.problem(key_node, Msg(f"字段 {field.name} 在这条记录中出现了两次", f"field {field.name} appears twice in this row"))
                continue
            present.add(field.name)
            self.value(field, value_node, values, cells, reading)
        return self.finish(entity, node, values, cells, present)

    def value(self, field: FieldDef, node: Node, values: dict[str, Value], cells: dict[str, Provenance],
              reading: _Reading | None = None) -> None:
        where = self.where(node)
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, Msg(f"{field.name} 应是单个值", f"{field.name} should be a single value"))
            return
        raw = None if node.tag == _NULL_TAG else node.value
        convert, cache = reading or self.reading(field)
        if type(raw) is str and raw in cache:
            values[field.name] = cache[raw]
        else:
            try:
                value = convert(raw, None, False)
            except BadValue:  # coerce() gives the problem, with its location
                try:
                    value = coerce(raw, field, where, ref_type=ref_type_of(field, self.schema))
                except KepuError as exc:
                    self.add_error(exc, node)
                    return
            if type(raw) is str and len(cache) < CACHE_PER_COLUMN:
                cache[raw] = value
            values[field.name] = value
        cells[field.name] = where

    def reading(self, field: FieldDef) -> _Reading:
        """How the field's values are read: its converter, and the texts read so far (see RowBuilder)."""
        found = self._readings.get(field)
        if found is None:
            found = self._readings[field] = (converter(field, ref_type=ref_type_of(field, self.schema)), {})
        return found

    def field(self, entity: EntityDef, name: str | None) -> tuple[FieldDef, _Reading] | None:
        """The field a row's key names (`_field`), and its reading; remembered per entity and key."""
        key = (entity.name, name)
        if key in self._fields:
            return self._fields[key]
        field = _field(entity, name)
        found = self._fields[key] = None if field is None else (field, self.reading(field))
        return found

    def finish(self, entity: EntityDef, node: Node, values: dict[str, Value], cells: dict[str, Provenance],
               present: set[str]) -> Row:
        for f in entity.fields.values():
            if f.required and values.get(f.name) is None and (f.name in values or f.name not in present):
                self.problem(node, Msg(f"{f.name} 是必填项，但这条记录没有填写", f"{f.name} is required but this row has no value"),
                             code="required-empty")
        return Row(entity.name, values, self.where(node), cells)

    def scalars(self, node: Node) -> list[ScalarFact]:
        if _is_null(node):
            return []
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, Msg("指标应写成 名称: 值", "facts should be a mapping name: value"))
            return []
        found: list[ScalarFact] = []
        for key_node, value_node in node.value:
            scalar = self.scalar_def(key_node)
            if scalar is None:
                continue
            values: dict[str, Value] = {}
            cells: dict[str, Provenance] = {}
            self.value(FieldDef(scalar.name, scalar.type), value_node, values, cells)
            if scalar.name in values:
                found.append(ScalarFact(scalar.name, values[scalar.name], self.where(value_node)))
        return found

    def scalar_def(self, node: Node) -> ScalarDef | None:
        name = _key(node) or ""
        found = self.schema.scalar(name)
        if found is None:
            wanted = norm_header(name)
            found = next((s for s in self.schema.scalars.values()
                          if any(norm_header(n) == wanted for n in (s.name, *s.aliases))), None)
        if found is None:
            known = [n for s in self.schema.scalars.values() for n in (s.name, *s.aliases)]
            self.problem(node, Msg(f"规则集中没有指标“{name}”", f"the ruleset declares no fact {name!r}"),
                         hint=did_you_mean(name, known) or Msg("已声明的指标：", "declared facts: ") + listing(known),
                         code="unknown-fact")
        return found


def _key(node: Node) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _is_null(node: Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG


def _field(entity: EntityDef, name: str | None) -> FieldDef | None:
    if name is None:
        return None
    found = entity.field_by_header(name)
    if found is not None:
        return found
    wanted = norm_header(name)
    return next((f for f in entity.fields.values() if any(norm_header(n) == wanted for n in f.names)), None)
