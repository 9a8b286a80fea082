"""The bulletin's blocks as text, Markdown, one printable HTML page (trend as inline SVG) and .docx."""

from __future__ import annotations

import struct
import zlib
from html import escape
from io import BytesIO
from typing import Any

from kepu_rules.diagnostics import display_width
from kepu_rules.history.bulletin import TrendPoint
from kepu_rules.history.bulletin_doc import Block, Heading, Para, Table, Trend, t
from kepu_rules.i18n import Lang
from kepu_rules.reports.text import bar, fmt_num, one_line, percent
from kepu_rules.reports.text import table as text_table


def _trend_rows(trend: Trend, lang: Lang) -> list[list[str]]:
    return [[p.date.isoformat(), f"{fmt_num(p.score)} / {fmt_num(p.max_score)}", bar(p.score, p.max_score, 20),
             t("rebuilt", lang) if p.rebuilt else ""] for p in trend.points]


def text(blocks: list[Block], lang: Lang) -> str:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out += ["", one_line(b.text)] if b.level < 3 else ["", f"【{one_line(b.text)}】" if lang == "zh" else
                                                               f"[{one_line(b.text)}]"]
        elif isinstance(b, Para):
            out.append(one_line(b.text))
        elif isinstance(b, Table):
            rows = [[one_line(c) for c in r] for r in [b.header, *b.rows]]
            out += ["  " + line for line in text_table(rows)]
        else:
            out += ["  " + line for line in text_table(_trend_rows(b, lang))]
    return "\n".join(out).lstrip("\n") + "\n"


def _md(s: str) -> str:
    return one_line(s).replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def markdown(blocks: list[Block], lang: Lang) -> str:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out += [f"{'#' * b.level} {_md(b.text)}", ""]
        elif isinstance(b, Para):
            out += [f"*{_md(b.text)}*" if b.small else _md(b.text), ""]
        elif isinstance(b, Table):
            align = ["---:" if i in b.numeric else "---" for i in range(len(b.header))]
            out += ["| " + " | ".join(_md(h) for h in b.header) + " |", "| " + " | ".join(align) + " |"]
            out += ["| " + " | ".join(_md(c) for c in r) + " |" for r in b.rows]
            out.append("")
        else:
            header = [t("c.date", lang), t("c.score", lang), "", ""]
            out += ["| " + " | ".join(header) + " |", "| --- | ---: | --- | --- |"]
            out += ["| " + " | ".join(_md(c) for c in r) + " |" for r in _trend_rows(b, lang)]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def svg_trend(trend: Trend, lang: Lang) -> str:
    """Score over the recorded months as an inline SVG line chart (no script, prints as it shows)."""
    points = trend.points
    # room on both sides for a date label centred under the first and last point
    w, h, left, right, top, bottom = 680, 250, 72, 44, 24, 40
    top_score = max([p.max_score for p in points] + [1.0])
    n = len(points)

    def x(i: int) -> float:
        return left + (w - left - right) * (i / (n - 1) if n > 1 else 0.5)

    def y(score: float) -> float:
        return top + (h - top - bottom) * (1 - max(0.0, min(score, top_score)) / top_score)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
             f'role="img" aria-label="{escape(t("h.trend", lang))}">']
    for frac in (0, 0.25, 0.5, 0.75, 1):
        gy = y(top_score * frac)
        parts.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{w - right}" y2="{gy:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{gy + 4:.1f}" text-anchor="end" font-size="11">{fmt_num(top_score * frac)}</text>')
    line = " ".join(f"{x(i):.1f},{y(p.score):.1f}" for i, p in enumerate(points))
    parts.append(f'<polyline points="{line}" fill="none" stroke="#1f6feb" stroke-width="2"/>')
    for i, p in enumerate(points):
        fill = "#fff" if p.rebuilt else "#1f6feb"
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(p.score):.1f}" r="4" fill="{fill}" stroke="#1f6feb" stroke-width="2">'
                     f"<title>{p.date.isoformat()}: {fmt_num(p.score)}</title></circle>"
                     f'<text x="{x(i):.1f}" y="{y(p.score) - 8:.1f}" text-anchor="middle" font-size="11">{fmt_num(p.score)}</text>'
                     f'<text x="{x(i):.1f}" y="{h - bottom + 16}" text-anchor="middle" font-size="11">{p.date.isoformat()}</text>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = """body{font-family:"Noto Serif CJK SC","Source Han Serif SC",SimSun,serif;max-width:56rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.6}h1{text-align:center;font-size:1.6rem}.meta{text-align:center}
.small{color:#555;font-size:.9rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #999;padding:.25rem .5rem;vertical-align:top}th{background:#f0f0f0}td.n,th.n{text-align:right}
.trend{max-width:100%;height:auto}@media print{body{margin:0}h3{break-after:avoid}table{break-inside:auto}}"""


def html(blocks: list[Block], lang: Lang) -> str:
    title = next((b.text for b in blocks if isinstance(b, Heading) and b.level == 1), "")
    out = [f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
           f'<meta name="generator" content="kepu-rules">\n<title>{escape(title)}</title>\n<style>{_CSS}</style>\n'
           f"</head>\n<body>"]
    first_para = True
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f"<h{b.level}>{escape(b.text)}</h{b.level}>")
        elif isinstance(b, Para):
            cls = "meta" if first_para else "small" if b.small else ""
            first_para = False
            out.append(f'<p class="{cls}">{escape(b.text)}</p>' if cls else f"<p>{escape(b.text)}</p>")
        elif isinstance(b, Table):
            def cell(tag: str, i: int, v: str, numeric: tuple[int, ...] = b.numeric) -> str:
                return f'<{tag} class="n">{escape(v)}</{tag}>' if i in numeric else f"<{tag}>{escape(v)}</{tag}>"
            head = "".join(cell("th", i, h) for i, h in enumerate(b.header))
            body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(r)) + "</tr>" for r in b.rows)
            out.append(f'<table data-table="{escape(b.key)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
        else:
            out.append(svg_trend(b, lang))
            rows = "".join(f'<tr><td>{p.date.isoformat()}</td><td class="n">{fmt_num(p.score)}</td>'
                           f'<td class="n">{percent(p.score, p.max_score)}</td>'
                           f'<td>{escape(t("rebuilt", lang)) if p.rebuilt else ""}</td></tr>' for p in b.points)
            out.append(f'<table data-table="trend"><thead><tr><th>{escape(t("c.date", lang))}</th>'
                       f'<th class="n">{escape(t("c.score", lang))}</th><th class="n">%</th><th></th></tr></thead>'
                       f"<tbody>{rows}</tbody></table>")
    out.append("</body>\n</html>\n")
    return "\n".join(out)


def png_trend(points: list[TrendPoint], width: int = 1200, height: int = 420) -> bytes:
    """The score per record as a bar chart in PNG (Word shows no SVG everywhere; no imaging library
    needed): one bar per record, full height = the maximum score, gridlines at every quarter; a rebuilt
    record's bar is lighter. Numbers and dates are in the table under it."""
    top_score = max([p.max_score for p in points] + [1.0])
    pad, n = 20, max(1, len(points))
    pixels = [bytearray(b"\xff\xff\xff" * width) for _ in range(height)]

    def rect(x0: int, y0: int, x1: int, y1: int, rgb: tuple[int, int, int]) -> None:
        for yy in range(max(0, y0), min(height, y1)):
            row = pixels[yy]
            for xx in range(max(0, x0), min(width, x1)):
                row[3 * xx:3 * xx + 3] = bytes(rgb)

    for frac in (0, 0.25, 0.5, 0.75, 1):
        gy = pad + round((height - 2 * pad) * (1 - frac))
        rect(pad, gy, width - pad, gy + 2, (200, 200, 200))
    slot = (width - 2 * pad) / n
    for i, p in enumerate(points):
        share = max(0.0, min(1.0, p.score / top_score))
        x0 = pad + round(slot * i + slot * 0.2)
        x1 = pad + round(slot * (i + 1) - slot * 0.2)
        y0 = pad + round((height - 2 * pad) * (1 - share))
        rect(x0, y0, x1, height - pad, (140, 180, 240) if p.rebuilt else (31, 111, 235))
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def docx(blocks: list[Block], lang: Lang) -> bytes:
    """A Word document on A4: headings, paragraphs, real tables a district office can edit and print,
    and the trend as a picture with its table."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    # East-Asian text needs an East-Asian font named, or Word falls back to one that may lack the glyphs.
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        style = document.styles[style_name]
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), "SimSun" if style_name in ("Normal", "Table Grid") else "SimHei")
        if style_name != "Normal" and style_name != "Table Grid":
            style.font.color.rgb = RGBColor(0, 0, 0)
    document.styles["Normal"].font.size = Pt(11)
    document.styles["Title"].font.size = Pt(20)
    document.styles["Heading 1"].font.size = Pt(14)
    document.styles["Heading 2"].font.size = Pt(12)
    first_para = True
    for b in blocks:
        if isinstance(b, Heading):
            if b.level == 1:
                p = document.add_heading(b.text, 0)
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            else:
                document.add_heading(b.text, b.level - 1)
        elif isinstance(b, Para):
            p = document.add_paragraph(b.text)
            if first_para:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif b.small:
                for run in p.runs:
                    run.font.size = Pt(9)
            first_para = False
        elif isinstance(b, Table):
            _docx_table(document, b.header, b.rows, b.numeric)
        else:
            document.add_picture(BytesIO(png_trend(b.points)), width=Cm(15))
            rows = [[p.date.isoformat(), fmt_num(p.score), percent(p.score, p.max_score),
                     t("rebuilt", lang) if p.rebuilt else ""] for p in b.points]
            _docx_table(document, [t("c.date", lang), t("c.score", lang), "%", ""], rows, (1, 2))
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


#: The width tables share on A4 with 2 cm margins.
_TABLE_CM = 17.0


def _widths(header: list[str], rows: list[list[str]]) -> list[float]:
    """Column widths in cm: a short column (a rank, a date, a name) gets what it needs on one line; the
    long ones (titles, items, repairs) share the rest by how much they have to say."""
    cell_cm, pad_cm, short = 0.21, 0.75, 16  # one display cell at 9.5 pt; cell padding; "short" in cells
    need = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    widths = [max(1.8, n * cell_cm + pad_cm) if n <= short else 0.0 for n in need]
    long = [i for i, n in enumerate(need) if n > short]
    rest = _TABLE_CM - sum(widths)
    if not long:
        total = sum(widths)
        return [_TABLE_CM * w / total for w in widths] if total > _TABLE_CM else widths
    if rest < 2.0 * len(long):
        return [_TABLE_CM * n / sum(need) for n in need]
    weight = {i: need[i] ** 0.5 for i in long}
    for i in long:
        widths[i] = rest * weight[i] / sum(weight.values())
    return widths


def _docx_table(document: Any, header: list[str], rows: list[list[str]], numeric: tuple[int, ...]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    widths = _widths(header, rows)
    for cell, text_ in zip(table.rows[0].cells, header, strict=True):
        cell.text = text_
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
            run.font.size = Pt(9.5)
    for row in rows:
        cells = table.add_row().cells
        for i, (cell, text_) in enumerate(zip(cells, row, strict=True)):
            cell.text = text_
            paragraph = cell.paragraphs[0]
            if i in numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for run in paragraph.runs:
                run.font.size = Pt(9.5)
    # Word reads each cell's width, LibreOffice the grid's: set both
    for i, w in enumerate(widths):
        table.columns[i].width = Cm(w)
        for cell in table.columns[i].cells:
            cell.width = Cm(w)
    document.add_paragraph()
