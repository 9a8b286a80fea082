"""The drill-down screen: one item's own facts and every row related to it, each with its provenance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from fractions import Fraction
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from kepu_rules.engine.related import OWN_ROW, referenced_rows, related_rows
from kepu_rules.facts.schema import FieldType
from kepu_rules.facts.table import FactBase, Row, Value
from kepu_rules.i18n import Lang
from kepu_rules.reports.model import ItemResult, RuleResult
from kepu_tui.widgets.labels import STATUS_MARK, STATUS_STYLE, t
from kepu_tui.widgets.rule_detail import item_source
from kepu_tui.widgets.rule_tree import rule_title


def format_value(value: Value, kind: FieldType | None, lang: Lang) -> str:
    """A fact as a person would write it in the ledger: 是/否, 80%, 2026-09-15; a missing value is `—`."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if kind is FieldType.PERCENT and isinstance(value, int | float | Fraction):
        return f"{float(value) * 100:g}%"
    if isinstance(value, Fraction):
        return f"{float(value):g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class ItemScreen(Screen[None]):
    """Everything behind one item: its own row field by field (each value with its cell), the rows it
    refers to, and the rows of every entity that refer to it. Enter on a row with a key drills further."""

    DEFAULT_CSS = """
    ItemScreen #item-head {
        padding: 0 1;
        background: $boost;
        height: auto;
    }
    ItemScreen #item-body {
        padding: 0 1;
    }
    ItemScreen .group-title {
        margin-top: 1;
        text-style: bold;
    }
    ItemScreen DataTable {
        height: auto;
        max-height: 12;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,backspace", "app.pop_screen", "Back")]

    def __init__(self, facts: FactBase, entity: str, key: str, lang: Lang, *,
                 item: ItemResult | None = None, rule: RuleResult | None = None,
                 prefer: Sequence[str] = ()) -> None:
        super().__init__()
        self.facts = facts
        self.entity = entity
        self.key = key
        self.lang = lang
        self.item = item
        self.rule = rule
        # The entities the rule talks about come first (科普标识 for a rule about signs), empty groups last.
        groups = related_rows(facts, entity, key)
        self.groups = sorted(groups, key=lambda g: (g[1] != OWN_ROW, g[0] not in prefer, not g[2]))
        # Rows a user may open from each table, by table id and row index.
        self._openable: dict[str, list[Row]] = {}

    def compose(self) -> ComposeResult:
        yield Static(self._head(), id="item-head")
        with VerticalScroll(id="item-body"):
            yield from self._tables()
        yield Footer()

    def on_mount(self) -> None:
        tables = self.query(DataTable)
        if tables:
            tables.first().focus()

    def _head(self) -> Text:
        lang = self.lang
        text = Text()
        if self.rule is not None:
            style = STATUS_STYLE[self.rule.status]
            text.append(f"{STATUS_MARK[self.rule.status]} ", style=style)
        text.append(self.key, style="bold")
        text.append(f"（{self.entity}）" if lang == "zh" else f" ({self.entity})", style="dim")
        if self.rule is not None:
            text.append(f"  ·  {self.rule.id} {rule_title(self.rule, lang)}")
        if self.item is not None:
            if self.item.detail:
                text.append(f"\n{t('value', lang)}  ", style="bold")
                text.append(self.item.detail, style="red")
            source = item_source(self.item)
            if source:
                text.append(f"\n{t('evidence', lang)}  ", style="bold")
                text.append(source, style="dim")
            if self.item.groups:
                text.append(f"\n{t('in_group', lang)}  ", style="bold")
                text.append("  ".join(f"{k} {v}" for k, v in self.item.groups.items()))
        return text

    def _tables(self) -> ComposeResult:
        lang = self.lang
        own = next((rows[0] for entity, field, rows in self.groups if field == OWN_ROW and rows), None)
        if own is None:
            yield Static(Text(t("not_found", lang), style="italic yellow"), classes="group-title")
        else:
            # Every value here comes from a ledger or a file name: Text, never markup, so `[b]` stays `[b]`.
            yield Static(Text(f"{t('own_row', lang)} · {own.provenance.render()}"), classes="group-title")
            yield self._own_table(own)
            refs = referenced_rows(self.facts, own)
            if refs:
                yield Static(Text(t("refers_to", lang)), classes="group-title")
                yield self._refs_table(refs)
        related = [(e, f, rows) for e, f, rows in self.groups if f != OWN_ROW]
        if related:
            yield Static(Text(t("referred_by", lang), style="bold underline"), classes="group-title")
        for n, (entity, field, rows) in enumerate(related):
            count = f"{len(rows)} {t('rows', lang)}" if rows else t("no_rows", lang)
            yield Static(Text(f"{entity} · {field} = {self.key}：{count}" if lang == "zh"
                              else f"{entity} · {field} = {self.key}: {count}"), classes="group-title")
            if rows:
                yield self._rows_table(f"related-{n}", entity, field, rows)

    def _own_table(self, row: Row) -> DataTable[Text]:
        lang = self.lang
        table: DataTable[Text] = DataTable(id="own-row", cursor_type="row", zebra_stripes=True)
        table.add_column(Text(t("field", lang)))
        table.add_column(Text(t("field_value", lang)))
        table.add_column(Text(t("provenance", lang)))
        definition = self.facts.schema.entities.get(row.entity)
        names = list(definition.fields) if definition else list(row.values)
        names += [n for n in row.values if n not in names]
        for name in names:
            kind = definition.fields[name].type if definition and name in definition.fields else None
            table.add_row(Text(name, style="bold"), Text(format_value(row.get(name), kind, lang)),
                          Text(row.where(name).render(), style="dim"))
        return table

    def _refs_table(self, refs: list[tuple[str, Row]]) -> DataTable[Text]:
        lang = self.lang
        table: DataTable[Text] = DataTable(id="refs", cursor_type="row", zebra_stripes=True)
        table.add_column(Text(t("field", lang)))
        table.add_column(Text(t("item", lang)))
        table.add_column(Text(t("provenance", lang)))
        for name, target in refs:
            table.add_row(Text(name, style="bold"), Text(f"{target.key}（{target.entity}）"),
                          Text(target.provenance.render(), style="dim"))
        self._openable["refs"] = [target for _, target in refs]
        return table

    def _rows_table(self, table_id: str, entity: str, ref_field: str, rows: list[Row]) -> DataTable[Text]:
        lang = self.lang
        table: DataTable[Text] = DataTable(id=table_id, cursor_type="row", zebra_stripes=True)
        definition = self.facts.schema.entities.get(entity)
        # The field pointing back at the item says the same thing on every row, so it is left out; the
        # key and the provenance come first so a wide entity does not push where a row came from off screen.
        names = [n for n in (definition.fields if definition else rows[0].values) if n != ref_field]
        key = definition.key.name if definition and definition.key else None
        if key in names:
            names.remove(key)
            table.add_column(Text(key))
        table.add_column(Text(t("provenance", lang)))
        for name in names:
            table.add_column(Text(name))  # a str label would be read as markup

        def cell(row: Row, name: str) -> Text:
            kind = definition.fields[name].type if definition and name in definition.fields else None
            return Text(format_value(row.get(name), kind, lang))

        for row in rows:
            lead = [cell(row, key)] if key else []
            table.add_row(*lead, Text(row.provenance.render(), style="dim"), *(cell(row, n) for n in names))
        self._openable[table_id] = rows
        return table

    @on(DataTable.RowSelected)
    def _open_row(self, event: DataTable.RowSelected) -> None:
        event.stop()
        rows = self._openable.get(event.data_table.id or "", [])
        if not 0 <= event.cursor_row < len(rows):
            return
        row = rows[event.cursor_row]
        if row.key is None:
            return  # a row nothing can refer to has nothing more to show than this table
        self.app.push_screen(ItemScreen(self.facts, row.entity, str(row.key), self.lang))
