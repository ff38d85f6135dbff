"""The briefing pack: several charts in one PowerPoint (PPTX) or PDF file.

* PPTX (python-pptx, 16:9): a cover slide (title, date, "Dữ liệu minh họa"), then one slide per
  chart with a real title, the chart's subtitle, the chart image and a source line; the source,
  "as of" time and notes are also in the slide's notes for the presenter.
* PDF: one HTML document printed by the export browser (:meth:`exports.render.Renderer.pdf_from_html`):
  a cover, one chart per page (the decorated figure as SVG, so its text stays text), then an
  appendix with each chart's data table. Chromium repeats a table's header on every page it runs
  over and never splits a row; page numbers in the footer. Everything is rendered on the server:
  no spinner, nothing half-drawn.

The images of all charts are rendered in one call spread over the browser's tabs.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from exports.figures import WIDTH, decorate
from exports.specs import ExportChart, SpecError, build, shown_dataset
from i18n import dataset_mark, fmt_date, fmt_datetime, t

MAX_CHARTS = 30
SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5
SLIDE_IMAGE = (1920, 840)  # px of the chart on a slide (the slide's title and footer are text)


@dataclass(frozen=True)
class Pack:
    title: str
    charts: list[ExportChart]
    lang: str
    created: datetime
    dataset: str = field(default_factory=shown_dataset)  # the data set it shows, read when it is built


def build_pack(title: str | None, specs: list, lang: str) -> Pack:
    """Validate and build every chart of a pack; :class:`SpecError` names the first bad one."""
    if not isinstance(specs, list) or not specs:
        raise SpecError("a pack needs a list of 1 or more specs", "specs")
    if len(specs) > MAX_CHARTS:
        raise SpecError(f"a pack holds at most {MAX_CHARTS} charts", "specs")
    charts = []
    for i, spec in enumerate(specs):
        try:
            charts.append(build(spec, lang))
        except SpecError as exc:
            raise SpecError(f"chart {i + 1}: {exc}", exc.field) from None
    clean_title = " ".join(str(title or "").split())[:200] or t("exp.pack.default_title", lang)
    return Pack(clean_title, charts, lang, datetime.now())


def render_file(pack: Pack, fmt: str) -> bytes:
    """The pack as ``pptx`` or ``pdf`` bytes: the slow part (the export browser), which the routes
    run inside the render gate (:mod:`exports.gate`)."""
    return to_pptx(pack) if fmt == "pptx" else to_pdf(pack)


def pack_filename(pack: Pack, fmt: str) -> str:
    from exports.files import ascii_slug

    return f"BRIEFING_{ascii_slug(pack.title, 60)}_{pack.created.date().isoformat()}.{fmt}"


# --- PPTX ----------------------------------------------------------------------------------------------------


def to_pptx(pack: Pack, renderer=None) -> bytes:
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Emu, Inches, Pt

    from exports.render import renderer as default_renderer

    lang = pack.lang
    w, h = SLIDE_IMAGE
    images = (renderer or default_renderer()).images(
        [(decorate(c.figure, c.meta, width=w, height=h, header=False, footer=False),
          {"format": "png", "width": w, "height": h, "scale": 1.5}) for c in pack.charts])
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W_IN), Inches(SLIDE_H_IN)
    prs.core_properties.title = pack.title
    prs.core_properties.author = t("app.title", lang)
    mark, note = dataset_mark(pack.dataset, lang)
    prs.core_properties.subject = mark
    ink, ink2, brand = RGBColor(0x18, 0x20, 0x2B), RGBColor(0x4A, 0x55, 0x65), RGBColor(0xA3, 0x16, 0x2B)

    def text_box(slide, left, top, width, height, text, size, colour, bold=False):
        box = slide.shapes.add_textbox(left, top, width, height)
        frame = box.text_frame
        frame.word_wrap = True
        run = frame.paragraphs[0].add_run()
        run.text = text
        run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, colour
        return box

    # the cover: layout 0 (title slide) with its title and subtitle placeholders
    cover = prs.slides.add_slide(prs.slide_layouts[0])
    title = cover.shapes.title
    title.left, title.top, title.width, title.height = Inches(0.8), Inches(2.0), Inches(11.7), Inches(1.6)
    title.text = pack.title
    title.text_frame.paragraphs[0].runs[0].font.color.rgb = brand
    subtitle = cover.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = Inches(0.8), Inches(3.8), Inches(11.7), Inches(1.6)
    subtitle.text = "\n".join([t("app.title", lang), fmt_date(pack.created.date(), lang),
                               t("exp.pack.charts", lang, n=len(pack.charts))])
    text_box(cover, Inches(0.6), Inches(6.5), Inches(12.1), Inches(0.6),
             f"{mark.upper()} — {note}", 14, brand, bold=True)
    cover.notes_slide.notes_text_frame.text = note

    layout = prs.slide_layouts[5]  # title only
    for chart, png in zip(pack.charts, images, strict=True):
        meta = chart.meta
        slide = prs.slides.add_slide(layout)
        title = slide.shapes.title
        title.text_frame.word_wrap = True
        title.left, title.top, title.width, title.height = Inches(0.5), Inches(0.25), Inches(12.33), Inches(0.8)
        title.text = meta.title
        para = title.text_frame.paragraphs[0]
        para.alignment = PP_ALIGN.LEFT
        run = para.runs[0]
        run.font.size, run.font.bold, run.font.color.rgb = Pt(_title_pt(meta.title)), True, ink
        text_box(slide, Inches(0.5), Inches(0.98), Inches(12.33), Inches(0.4), meta.subtitle(), 14, ink2)
        pic_w = Inches(12.33)
        slide.shapes.add_picture(io.BytesIO(png), Inches(0.5), Inches(1.4), width=pic_w, height=Emu(int(pic_w * h / w)))
        lines = [*meta.notes, meta.source_line()]
        frame = text_box(slide, Inches(0.5), Inches(6.82), Inches(12.33), Inches(0.6), lines[0], 10, ink2).text_frame
        for line in lines[1:]:
            run = frame.add_paragraph().add_run()
            run.text, run.font.size, run.font.color.rgb = line, Pt(10), ink2
        slide.notes_slide.notes_text_frame.text = "\n".join([meta.title, meta.subtitle(), meta.source_line(), *meta.notes])
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def _title_pt(title: str) -> int:
    """A slide title on one line where it can be (12.3 in wide), else two lines at a smaller size."""
    return 28 if len(title) <= 60 else 24 if len(title) <= 75 else 20


# --- PDF -------------------------------------------------------------------------------------------------------

_CSS = """
@page { size: A4 landscape; margin: 12mm 12mm 14mm 12mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans", "Segoe UI", "DejaVu Sans", Arial, sans-serif; color: #18202b;
       font-size: 10pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.cover { height: 180mm; display: flex; flex-direction: column; justify-content: center; break-after: page;
         border-left: 4mm solid #a3162b; padding-left: 12mm; }
.cover .org { font-size: 13pt; color: #4a5565; margin-bottom: 8mm; }
.cover h1 { font-size: 28pt; margin: 0 0 6mm; color: #a3162b; }
.cover .date { font-size: 14pt; margin-bottom: 10mm; }
.cover .mark { display: inline-block; background: #ffcd00; color: #3b2a00; font-weight: 700; padding: 2mm 4mm;
               border-radius: 2mm; text-transform: uppercase; letter-spacing: .04em; }
.cover .note { color: #4a5565; margin-top: 4mm; }
.cover ol { margin: 8mm 0 0; padding-left: 6mm; color: #4a5565; }
.chart { break-after: page; height: 184mm; display: flex; align-items: center; justify-content: center; }
.chart img { width: 100%; max-height: 184mm; object-fit: contain; display: block; }
h2 { font-size: 15pt; margin: 0 0 2mm; color: #a3162b; }
h3 { font-size: 12pt; margin: 8mm 0 1mm; break-after: avoid; }
.sub { color: #4a5565; margin: 0 0 3mm; break-after: avoid; }
table { width: 100%; border-collapse: collapse; margin-bottom: 3mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th { background: #eef1f5; text-align: left; font-weight: 700; border-bottom: 1.5pt solid #a3162b; }
th, td { padding: 1mm 2mm; border-bottom: .5pt solid #dfe4ea; vertical-align: top; }
td { white-space: nowrap; }
th.wide, td.wide { width: 40%; white-space: normal; }  /* names take the room; periods and figures never wrap */
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.foot { color: #5f6b7a; font-size: 8.5pt; margin: 0 0 2mm; }
"""

_FOOTER = ("<div style=\"font-family: 'Noto Sans', sans-serif; font-size: 7pt; color: #5f6b7a; width: 100%; "
           "padding: 0 12mm; display: flex; justify-content: space-between;\"><span>{left}</span>"
           "<span>{page} <span class=\"pageNumber\"></span>/<span class=\"totalPages\"></span></span></div>")


def _table_html(chart: ExportChart) -> str:
    tab = chart.table
    classes = ["num" if n else "wide" if j == tab.wide else "" for j, n in enumerate(tab.numeric)]
    head = "".join(f"<th class=\"{c}\">{escape(h)}</th>" for h, c in zip(tab.headers, classes, strict=True))
    body = "".join("<tr>" + "".join(f"<td class=\"{c}\">{escape(str(v))}</td>" for v, c in zip(row, classes, strict=True))
                   + "</tr>" for row in tab.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def pack_html(pack: Pack, svgs: list[bytes]) -> str:
    lang = pack.lang
    mark, note = dataset_mark(pack.dataset, lang)
    parts = [f"<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{escape(pack.title)}</title>"
             f"<style>{_CSS}</style></head><body>"]
    contents = "".join(f"<li>{escape(c.meta.title)} — {escape(c.meta.subtitle())}</li>" for c in pack.charts)
    parts.append(
        f"<section class=\"cover\"><div class=\"org\">{escape(t('app.title', lang))}</div>"
        f"<h1>{escape(pack.title)}</h1><div class=\"date\">{escape(fmt_date(pack.created.date(), lang))}</div>"
        f"<div><span class=\"mark\">{escape(mark)}</span></div>"
        f"<div class=\"note\">{escape(note)}</div>"
        f"<ol>{contents}</ol></section>")
    for chart, svg in zip(pack.charts, svgs, strict=True):
        uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
        parts.append(f"<section class=\"chart\"><img alt=\"{escape(chart.meta.title)}\" src=\"{uri}\"></section>")
    parts.append(f"<section class=\"appendix\"><h2>{escape(t('exp.pack.appendix', lang))}</h2>")
    for i, chart in enumerate(pack.charts, start=1):
        meta = chart.meta
        parts.append(f"<h3>{i}. {escape(meta.title)}</h3><p class=\"sub\">{escape(meta.subtitle())}</p>")
        parts.append(_table_html(chart) if chart.table.rows else f"<p>{escape(t('empty.no_data', lang))}</p>")
        for line in (*meta.notes, meta.source_line()):
            parts.append(f"<p class=\"foot\">{escape(line)}</p>")
    parts.append("</section></body></html>")
    return "".join(parts)


def to_pdf(pack: Pack, renderer=None) -> bytes:
    from exports.render import renderer as default_renderer

    r = renderer or default_renderer()
    svgs = r.images([(decorate(c.figure, c.meta), {"format": "svg", "width": WIDTH, "height": 1080, "scale": 1})
                     for c in pack.charts])
    lang = pack.lang
    footer = _FOOTER.format(left=escape(f"{pack.title} · {dataset_mark(pack.dataset, lang)[0]} · "
                                        f"{fmt_datetime(pack.created, lang)}"),
                            page=escape(t("exp.pack.page", lang)))
    return r.pdf_from_html(pack_html(pack, svgs), footer_template=footer)
