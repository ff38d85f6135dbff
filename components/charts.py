"""Figure builders: pure functions from DataFrames to Plotly figures, in the UI's language.

Colour-blind-safe palette (Okabe–Ito); numbers use the locale's separators; every figure has a
clear empty state instead of empty axes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import pandas as pd
import plotly.io as pio

from i18n import fmt_number, format_period, plotly_separators, t

if TYPE_CHECKING:
    import plotly.graph_objects as go

# No built-in Plotly template: the "plotly" template is merged into every figure when it is built and
# serialised (about 8 KB of JSON a figure, and most of the build time of a small chart). The look
# comes from layout_dict() instead (the one theme), which every builder applies.
pio.templates.default = "none"

# Okabe–Ito, reordered: blue first for the nation; on the light desk its hues darkened (and its yellow, which
# no darkening keeps apart from the orange, a dark purple) so that every line and bar stands out from the white
# card at 3:1 at least (WCAG 1.4.11); the dark wall keeps the bright ones.
FADED = "#c3ccd6"  # bars outside the chosen region (outlined in FADED_EDGE, 3:1 on white)
FADED_EDGE = "#7d8898"
MUTED_INK = "#5a6677"  # secondary text on a chart (the theme's --ink-3): 4.5:1 on white
PALETTE = ["#0072B2", "#B07800", "#008060", "#D55E00", "#B4588D", "#3A8DC4", "#6a3d9a", "#000000"]
DARK_PALETTE = ["#56B4E9", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#ffffff"]
SEQUENTIAL = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]  # single-hue blues: safe for CVD
DIVERGING = ["#b35806", "#f1a340", "#f7f7f7", "#998ec3", "#542788"]
FONT = "Inter, 'Segoe UI', 'Noto Sans', Roboto, Arial, sans-serif"


def layout_dict(lang: str, *, height: int | None = None, dark: bool = False) -> dict:
    """The common layout as its JSON form (the look every builder shares)."""
    ink = "#e8edf3" if dark else "#18202b"
    grid = "rgba(255,255,255,.12)" if dark else "#e6eaef"
    axis = {"gridcolor": grid, "linecolor": grid, "zeroline": False}
    layout = {
        "separators": plotly_separators(lang),
        "font": {"family": FONT, "size": 13, "color": ink},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "margin": {"l": 56, "r": 16, "t": 24, "b": 40},
        "hoverlabel": {"font": {"family": FONT}},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "colorway": DARK_PALETTE if dark else PALETTE,
        # Plotly measures every tick label's box after drawing it (one forced browser layout each, most
        # of a chart's drawing time in the browser) to hide labels past the div ("hide past div", its
        # default on a linear or date axis) and to choose an angle ("auto"). The margins keep outside
        # labels inside the div, and the boards' axes carry dates, numbers or names, each horizontal.
        "xaxis": {**axis, "ticklabeloverflow": "allow", "tickangle": 0},
        "yaxis": {**axis, "ticklabeloverflow": "allow", "tickangle": 0},
    }
    if height:
        layout["height"] = height
    return layout


def merge(into: dict, extra: dict | None) -> dict:
    """Merge ``extra`` into ``into`` recursively (nested dicts merged, other values replaced), as
    ``update_layout`` does."""
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value
    return into


def figure(data: list[dict], layout: dict, *, extra_layout: dict | None = None,
           extra_trace: dict | None = None) -> dict:
    """A figure in its JSON form ``{"data", "layout"}``: what ``dcc.Graph`` takes as it is (no
    validation, no copy when the response is serialised). Building a ``go.Figure`` trace by trace
    and update by update validates every step (~10 ms for a small line chart, ~4 ms for each later
    ``update_layout``); a caller that needs the object (the exports) converts once, at its edge.
    ``extra_layout`` / ``extra_trace`` (merged into the layout and every trace) are how callers
    adjust a built figure without paying for updates."""
    merge(layout, extra_layout)
    for trace in data if extra_trace else ():
        merge(trace, extra_trace)
    return {"data": data, "layout": layout}


def base_layout(fig: go.Figure, lang: str, *, height: int | None = None, dark: bool = False) -> go.Figure:
    """The theme of :func:`layout_dict` applied to a figure object (the exports draw some figures
    with subplots): its axis style goes to every axis."""
    layout = layout_dict(lang, height=height, dark=dark)
    xaxis, yaxis = layout.pop("xaxis"), layout.pop("yaxis")
    fig.update_layout(layout)
    fig.update_xaxes(xaxis)
    fig.update_yaxes(yaxis)
    return fig


def date_tickformat(lang: str) -> str:
    """Month ticks: ``07/2025`` in Vietnamese, ``Jul 2025`` in English."""
    return "%m/%Y" if lang != "en" else "%b %Y"


def empty_figure(lang: str, message_key: str = "empty.no_data", *, dark: bool = False) -> dict:
    layout = layout_dict(lang, dark=dark)
    layout["xaxis"]["visible"] = layout["yaxis"]["visible"] = False
    layout["annotations"] = [{"text": t(message_key, lang), "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper",
                              "yref": "paper", "font": {"size": 15, "color": MUTED_INK}}]
    return figure([], layout)


def trend_figure(df: pd.DataFrame, *, names: dict[str, str], unit: str, decimals: int, lang: str = "vi",
                 target: float | None = None, target_label: str | None = None, dark: bool = False,
                 height: int | None = None, layout: dict | None = None) -> dict:
    """Lines of ``value`` over ``period_start``, one per ``area_key`` (names: key → label);
"""
    return lines_figure(lines_of(df), names=names, unit=unit, decimals=decimals, lang=lang, target=target,
                        target_label=target_label, dark=dark, height=height, layout=layout)


#: One line of :func:`lines_figure`: an area key and its points (period key, period start, value).
Line = tuple[str, list[tuple[str, object, float]]]

#: One row of a ranking: (rank, area key, area name, value), best first.
RankRow = tuple[int, str, str, float]


def lines_of(df: pd.DataFrame | None, column: str = "value") -> list[Line]:
    """The lines of a series frame (``area_key``, ``period``, ``period_start`` and ``column``), one
    per area in the frame's order."""
    if df is None or df.empty:
        return []
    return [(key, list(zip(cols["period"], cols["period_start"], cols[column], strict=True)))
            for key, cols in by_area(df, ("period", "period_start", column))]


def by_area(df: pd.DataFrame, columns: Sequence[str]) -> list[tuple[Any, dict[str, list[Any]]]]:
    """``columns`` of a series frame split by ``area_key`` (each area's values as lists, in the
    frame's order; the areas in the order they first appear), as ``df.groupby("area_key",
    sort=False)`` splits them: a chart of a few hundred points spent more time in pandas' grouping
    and column access (30 µs an operation) than in drawing."""
    values = {c: df[c].tolist() for c in dict.fromkeys(columns)}
    rows: dict[Any, list[int]] = {}
    for i, key in enumerate(df["area_key"].tolist()):
        rows.setdefault(key, []).append(i)
    return [(key, {c: [v[i] for i in idx] for c, v in values.items()}) for key, idx in rows.items()]


#: A cross-section: the frame of ``data_access.queries.cross_section`` or its rows (named tuples
#: with the frame's columns as fields, ``cross_section_rows``; the boards read those).
CrossSection: TypeAlias = pd.DataFrame | Sequence[Any]


def xs_tuples(xs: CrossSection, name_col: str) -> list[tuple[Any, Any, Any, Any, Any]]:
    """(area_key, code, ``name_col``, value, rank) of each area of a cross-section, in its order."""
    if isinstance(xs, pd.DataFrame):
        return list(xs[["area_key", "code", name_col, "value", "rank"]].itertuples(index=False, name=None))
    english = name_col == "name_en"
    return [(r.area_key, r.code, r.name_en if english else r.name_vi, r.value, r.rank) for r in xs]


def ranking_rows(xs: CrossSection, name_col: str) -> list[RankRow]:
    """The reported areas of a cross-section (``area_key``, ``rank``, ``name_col``, ``value``),
    best first (ties in the cross-section's order)."""
    got: Iterable[tuple[Any, Any, Any, Any]]
    if isinstance(xs, pd.DataFrame):
        got = zip(xs["rank"], xs["area_key"], xs[name_col], xs["value"], strict=True)
    else:
        got = ((r.rank, r.area_key, getattr(r, name_col), r.value) for r in xs)
    rows = [(int(rank), key, name, float(v)) for rank, key, name, v in got if v == v]
    return sorted(rows, key=lambda r: r[0])


def lines_figure(lines: list[Line], *, names: dict[str, str], unit: str, decimals: int, lang: str = "vi",
                 target: float | None = None, target_label: str | None = None, dark: bool = False,
                 height: int | None = None, layout: dict | None = None) -> dict:
    """:func:`trend_figure` from the points themselves (a page drawing many small trends splits
    one read into lines instead of filtering a DataFrame for each). Lines without points are left
    out; all values missing gives the empty figure."""
    lines = [(key, points) for key, points in lines if points]
    if not any(v is not None and v == v for _, points in lines for _, _, v in points):
        return empty_figure(lang, dark=dark)
    data = []
    palette = DARK_PALETTE if dark else PALETTE
    for i, (key, points) in enumerate(lines):
        data.append({
            "type": "scatter", "x": [s for _, s, _ in points], "y": [None if v != v else v for _, _, v in points],
            "mode": "lines+markers" if len(points) < 40 else "lines", "name": names.get(key, key),
            "line": {"width": 3 if i == 0 else 2, "color": palette[i % len(palette)]},
            "customdata": [format_period(p, lang) for p, _, _ in points],
            "hovertemplate": "%{customdata}: %{y:,." + str(decimals) + "f} " + unit + "<extra>%{fullData.name}</extra>",
        })
    base = layout_dict(lang, height=height, dark=dark)
    base["yaxis"]["title"] = {"text": unit}
    base["xaxis"]["tickformat"] = date_tickformat(lang)
    if target is not None:
        base["shapes"] = [{"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": target,
                             "y1": target, "line": {"dash": "dash", "color": "#D55E00", "width": 2}}]
        base["annotations"] = [{"text": target_label or t("kpi.target", lang), "xref": "x domain", "x": 0,
                                  "yref": "y", "y": target, "xanchor": "left", "yanchor": "bottom",
                                  "showarrow": False}]
    return figure(data, base, extra_layout=layout)


def ranking_figure(xs: pd.DataFrame, *, name_col: str, unit: str, decimals: int, lang: str = "vi",
                   highlight: str | None = None,
                   top: int | None = None, dark: bool = False, height: int | None = None,
                   layout: dict | None = None, trace: dict | None = None,
                   numbered: bool = False, focus: Collection[str] = ()) -> dict:
    """Horizontal bars of a cross-section, best first (``rank`` column; ties in the frame's
    order), reported areas only. ``numbered``: names as "3. Hà Nội"; ``focus``: only these areas
    keep their colour, the others turn grey."""
    rows = ranking_rows(xs, name_col)[:top or None]
    if not rows:
        return empty_figure(lang, dark=dark)
    values = [r[3] for r in rows]
    keys = [r[1] for r in rows]

    def colour(key: str) -> str:
        if key == highlight:
            return "#D55E00"
        return FADED if focus and key not in focus else PALETTE[0]
    bar = {
        "type": "bar", "x": values, "y": [f"{r[0]}. {r[2]}" if numbered else r[2] for r in rows], "orientation": "h",
        "marker": {"color": [colour(k) for k in keys],
                   "line": {"width": 1, "color": [FADED_EDGE if colour(k) == FADED else colour(k) for k in keys]}},
        "text": [fmt_number(v, decimals, lang) for v in values], "textposition": "outside", "cliponaxis": False,
        "customdata": keys,
        "hovertemplate": "%{y}: %{x:,." + str(decimals) + "f} " + unit + "<extra></extra>",
    }
    base = layout_dict(lang, height=height or max(260, 22 * len(rows) + 60), dark=dark)
    base["yaxis"]["autorange"] = "reversed"
    base["xaxis"]["title"] = {"text": unit}
    # The names' room estimated here: Plotly's automargin measures every name in the browser (one
    # forced layout each: 0.2 s for the 34 provinces) and then draws the chart again.
    base["margin"] = {"l": label_margin(bar["y"], 13), "r": 48, "t": 8, "b": 40}
    return figure([bar], base, extra_layout=layout, extra_trace=trace)


def label_margin(labels: Iterable[Any], size: float) -> int:
    """Pixels for the longest of ``labels`` at ``size`` px (Noto Sans averages ~0.56 em a character)."""
    longest = max((len(str(x)) for x in labels), default=4)
    return int(longest * size * 0.56) + 24


#: What a graph shows before its callback answers: nothing, and no axes for Plotly to draw and
#: measure (an empty figure would draw default axes, then be drawn again).
BLANK_FIGURE = {"data": [], "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False},
                                       "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)"}}


def bar_figure(categories: list[str], values: list[float], *, unit: str, decimals: int, lang: str = "vi",
               dark: bool = False, height: int | None = None, colors: list[str] | None = None) -> dict:
    """Simple vertical bars (e.g. regional aggregates)."""
    if not values or all(v != v for v in values):
        return empty_figure(lang, dark=dark)
    bar = {
        "type": "bar", "x": list(categories), "y": list(values), "marker": {"color": colors or PALETTE[0]},
        "text": [fmt_number(v, decimals, lang) for v in values], "textposition": "outside", "cliponaxis": False,
        "hovertemplate": "%{x}: %{y:,." + str(decimals) + "f} " + unit + "<extra></extra>",
    }
    layout = layout_dict(lang, height=height, dark=dark)
    del layout["xaxis"]["tickangle"]  # Plotly's "auto": category names may need turning
    layout["yaxis"]["title"] = {"text": unit}
    return figure([bar], layout)
