"""The export look of a figure, and the tile grid of the KPI and daily sets.

:func:`decorate` turns a page's figure into a stand-alone 1920x1080 image: the title and a
subtitle (unit · period · area) on top, the notes (provisional, revised, …) and the source line
(source agency · "as of" · "Dữ liệu minh họa") at the bottom, type sized for a slide, every
position computed in pixels so nothing overlaps whatever the chart. Pure functions of data.
"""

from __future__ import annotations

import copy
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from components.charts import FONT, base_layout, label_margin

if TYPE_CHECKING:
    from exports.specs import Meta

WIDTH, HEIGHT = 1920, 1080
INK, INK_2, INK_3, LINE = "#18202b", "#4a5565", "#5f6b7a", "#dfe4ea"
BASE_FONT = 19  # the pages' 13 px, enlarged for a 1920 px canvas shown on a slide or a page
FONT_GROWTH = BASE_FONT / 13
TITLE_FONT, SUBTITLE_FONT, FOOT_FONT = 34, 21, 17
TOP, LINE_H = 150, 26  # header band; one line of the footer


@dataclass(frozen=True)
class Tile:
    """One tile of a grid: name, the value and unit, a few coloured lines, the status colour."""

    name: str
    value: str
    unit: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (text, colour)
    colour: str = "#0b5cad"


def _wrap(text: str, width: int, max_lines: int = 2) -> str:
    lines = textwrap.wrap(text, width=width) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(1, width - 1)].rstrip() + "…"
    return "<br>".join(lines)


def tiles_figure(tiles: list[Tile], *, lang: str, cols: int | None = None,
                 plot_px: tuple[int, int] = (1780, 760)) -> go.Figure:
    """A grid of tiles drawn with shapes and annotations (16 tiles: 4 x 4; up to 40: 8 x 5). Tiles are placed in
    paper coordinates; their text is placed in pixels from each tile's top and bottom edges
    (``yshift``), so it never overlaps whatever the tile's height. ``plot_px`` is the plot area
    the grid is laid out for (it sizes the type and where names wrap). Built for exports: its
    type is already export-sized (:func:`decorate` leaves it alone)."""
    n = len(tiles)
    cols = cols or (8 if n > 24 else 6 if n > 16 else 4 if n > 6 else 2 if n == 4 else max(1, min(n, 3)))
    rows = -(-n // cols)
    gap_x, gap_y = 0.012, 0.03
    w = (1 - gap_x * (cols - 1)) / cols
    h = (1 - gap_y * (rows - 1)) / rows
    tile_w, tile_h = plot_px[0] * w, plot_px[1] * h
    big, compact = tile_h >= 260, tile_h < 170  # 5 rows of 8 for a ministry's 25-40 indicators
    name_size, value_size, line_size = (22, 46, 19) if big else (13, 20, 12) if compact else (17, 30, 15)
    chars = max(12, int((tile_w - 40) / (name_size * 0.55)))
    fig = go.Figure()
    shapes, notes = [], []
    for i, tile in enumerate(tiles):
        r, c = divmod(i, cols)
        x0 = c * (w + gap_x)
        y1 = 1 - r * (h + gap_y)
        y0 = y1 - h
        left = x0 + 20 / plot_px[0]
        shapes.append({"type": "rect", "xref": "paper", "yref": "paper", "x0": x0, "x1": x0 + w, "y0": y0, "y1": y1,
                       "line": {"color": LINE, "width": 1.5}, "fillcolor": "#ffffff", "layer": "below"})
        shapes.append({"type": "rect", "xref": "paper", "yref": "paper", "x0": x0, "x1": x0 + 6 / plot_px[0],
                       "y0": y0, "y1": y1, "line": {"width": 0}, "fillcolor": tile.colour, "layer": "below"})
        name = _wrap(tile.name, chars, max_lines=3 if tile_h >= 200 else 2)
        name_h = (name.count("<br>") + 1) * name_size * 1.3
        notes.append({"x": left, "y": y1, "yshift": -10, "text": name, "yanchor": "top",
                      "font": {"size": name_size, "color": INK_2}})
        notes.append({"x": left, "y": y1, "yshift": -(14 + name_h), "yanchor": "top",
                      "text": f"<b>{tile.value}</b> <span style='font-size:{line_size - compact}px'>{tile.unit}</span>",
                      "font": {"size": value_size, "color": INK}})
        body = "<br>".join(f"<span style='color:{colour}'>{text}</span>" for text, colour in tile.lines)
        notes.append({"x": left, "y": y0, "yshift": 10, "yanchor": "bottom", "text": body,
                      "font": {"size": line_size, "color": INK_2}})
    for a in notes:
        a.update(xref="paper", yref="paper", showarrow=False, xanchor="left", align="left", name="export-tile")
    fig.update_layout(shapes=shapes, annotations=notes)
    base_layout(fig, lang)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _grow_fonts(layout: dict) -> None:
    """Scale the explicit type sizes the page builders set (13 px on a desk screen) to the export."""
    for a in layout.get("annotations", []) or []:
        if str(a.get("name", "")).startswith("export-"):
            continue  # drawn for the export already
        font = a.setdefault("font", {})
        if font.get("size"):
            font["size"] = round(font["size"] * FONT_GROWTH)
    legend = layout.get("legend") or {}
    for holder in (legend, legend.get("title") or {}):
        font = holder.get("font")
        if font and font.get("size"):
            font["size"] = round(font["size"] * FONT_GROWTH)


def decorate(fig: go.Figure, meta: Meta, *, width: int = WIDTH, height: int = HEIGHT, header: bool = True,
             footer: bool = True) -> go.Figure:
    """A copy of ``fig`` ready to render at ``width`` x ``height``: with ``header`` the title and
    subtitle on top, with ``footer`` the notes and the source line at the bottom (a slide carries
    them as text instead)."""
    data = fig.to_dict()
    layout = copy.deepcopy(data.get("layout", {}))
    _grow_fonts(layout)
    layout.pop("height", None)
    layout.pop("width", None)
    # tiles grids need no tick room: their paper already is the whole plot area
    has_axes = any(isinstance(ax, dict) and ax.get("visible", True) is not False
                   for key, ax in layout.items() if key.startswith("xaxis"))
    x_title = ((layout.get("xaxis") or {}).get("title") or {}).get("text")
    foot_lines = [*meta.notes, meta.source_line()] if footer else []
    bottom = (24 + LINE_H * len(foot_lines) if foot_lines else 0) + ((62 + (40 if x_title else 0)) if has_axes else 16)
    margin = dict(layout.get("margin") or {})
    top = TOP if header else 24
    legend = layout.get("legend") or {}
    if header and legend.get("orientation") == "h" and (legend.get("y") or 0) > 1:
        top += 40  # a legend above the plot sits between the subtitle and the plot
    layout["margin"] = {"l": max(int(margin.get("l", 0)), 90), "r": max(int(margin.get("r", 0)), 80),
                        "t": top, "b": bottom, "pad": 4}
    layout["font"] = {**(layout.get("font") or {}), "family": FONT, "size": BASE_FONT, "color": INK}
    layout["paper_bgcolor"] = "#ffffff"
    layout["plot_bgcolor"] = layout.get("plot_bgcolor") or "rgba(0,0,0,0)"
    if header:
        layout["title"] = {
            "text": f"<b>{meta.title}</b>", "x": 48 / width, "xanchor": "left", "xref": "container",
            "y": 1 - 30 / height, "yanchor": "top", "yref": "container",
            "font": {"size": TITLE_FONT, "color": INK, "family": FONT},
            "subtitle": {"text": meta.subtitle(), "font": {"size": SUBTITLE_FONT, "color": INK_2, "family": FONT}},
        }
    plot_h = height - top - bottom
    annotations = list(layout.get("annotations") or [])
    for i, text in enumerate(reversed(foot_lines)):
        px_from_bottom = 18 + LINE_H * i
        annotations.append({
            "text": text, "showarrow": False, "xref": "paper", "yref": "paper", "xanchor": "left", "yanchor": "bottom",
            "x": -(layout["margin"]["l"] - 48) / (width - layout["margin"]["l"] - layout["margin"]["r"]),
            "y": -(bottom - px_from_bottom) / plot_h, "align": "left", "name": "export-footer",
            "font": {"size": FOOT_FONT, "color": INK_3 if i == 0 else INK_2, "family": FONT},
        })
    layout["annotations"] = annotations
    layout.pop("template", None)
    out = go.Figure({"data": data.get("data", []), "layout": layout})
    out.update_layout(width=width, height=height, autosize=False)
    return out


def ranking_columns_figure(xs, *, name_col: str, unit: str, decimals: int, lang: str, columns: int = 2) -> go.Figure:
    """A long ranking (the 63 provinces) as ``columns`` side-by-side bar charts on one scale, best
    first, each bar labelled with its rank: at 1920x1080 one column of 63 bars would need type too
    small to read (or would skip every other name)."""
    from components.charts import PALETTE
    from i18n import fmt_number

    data = xs.dropna(subset=["value"]).sort_values("rank")
    per = -(-len(data) // columns)
    top = float(data["value"].max()) if len(data) else 1.0
    low = min(0.0, float(data["value"].min())) if len(data) else 0.0
    span = (top - low) or 1.0
    size = max(11, min(17, int(740 / max(per, 1) * 0.62)))
    parts = [data.iloc[i * per:(i + 1) * per] for i in range(columns)]
    labels = [[f"{int(r)}. {n}" for r, n in zip(p["rank"], p[name_col], strict=True)] for p in parts]
    gap = max((label_margin(x, size) for x in labels[1:]), default=0) / 1780 + 0.02  # the next column's names
    width = (1 - gap * (columns - 1)) / columns
    fig = go.Figure()
    for i, part in enumerate(parts):
        suffix = "" if i == 0 else str(i + 1)
        fig.add_trace(go.Bar(
            x=list(part["value"]), y=labels[i], orientation="h", marker={"color": PALETTE[0]}, xaxis=f"x{suffix}",
            yaxis=f"y{suffix}", text=[fmt_number(v, decimals, lang) for v in part["value"]], textposition="outside",
            cliponaxis=False, textfont={"size": size}, showlegend=False,
            hovertemplate="%{y}: %{x:,." + str(decimals) + "f} " + unit + "<extra></extra>",
        ))
        start = i * (width + gap)
        fig.layout[f"xaxis{suffix}"] = {"domain": [start, start + width], "range": [low, top + span * 0.16],
                                         "anchor": f"y{suffix}", "title": {"text": unit},
                                         "tickformat": f",.{decimals}~f", "nticks": 5}
        fig.layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "autorange": "reversed", "dtick": 1,
                                         "tickfont": {"size": size}, "automargin": False,
                                         "range": [per - 0.5, -0.5]}
    base_layout(fig, lang)
    fig.update_layout(bargap=0.25, margin={"l": 8, "r": 48, "t": 8, "b": 40})
    return fig
