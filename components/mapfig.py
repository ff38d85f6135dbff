"""The province choropleth, drawn on plain cartesian axes (no Plotly geo subplot: those fetch a
world topojson from a CDN, which an offline government network cannot reach).

Each province is one ``scatter`` trace filled ``toself`` (its MultiPolygon's exterior rings,
separated by gaps), hovered on the fill, with its area key in ``customdata``. Longitude is x,
latitude is y, and ``yaxis.scaleratio = 1/cos(16°)`` keeps the true shape at Viet Nam's mid
latitude. The Hoàng Sa and Trường Sa archipelagos are parts of Đà Nẵng's and Khánh Hòa's polygons
and are labelled with annotations, in both eras and both languages.

The figure is built in two steps so that the geometry travels to the browser once:

* :func:`map_spec` turns a cross-section into a small JSON-able *spec*: per province its key,
  code, colour (from the class breaks of :func:`class_breaks`), hover text and opacity, plus the
  whole ``layout`` (axes, zoom range, legend entries, annotations) and the URL of the era's
  GeoJSON. Everything that needs a decision (bins, palette, words, number formats) happens here.
* :func:`figure_dict` adds the polygons from the GeoJSON. ``assets/map.js``
  (``occmap.figure``) is the same function in JavaScript: the page's callback sends only the spec
  and the browser fetches ``provinces_{era}.geojson`` once and keeps it. ``tests/test_mapfig.py``
  runs both on the same spec and asserts that they build the same figure.

:func:`choropleth_figure` does both steps on the server (tests, the wall, image exports).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import pandas as pd

from components.charts import FONT, CrossSection, xs_tuples
from components.geo import archipelago_labels, load_provinces
from i18n import fmt_number, plotly_separators, t
from web.delivery import asset_url

#: Five classes of a single-hue blue ramp (ColorBrewer "Blues" 5, from its second step so the
#: lightest class stays visible on white): ordered, readable in grey and safe for every common
#: colour-vision deficiency. Darker means a larger value.
MAP_COLOURS = ("#c6dbef", "#9ecae1", "#6baed6", "#2171b5", "#08306b")
#: The same ramp for the wall's dark background, where brighter means more (navy would vanish on
#: near-black): from a dim blue that still stands out from the background to a pale one.
MAP_COLOURS_DARK = ("#1f4a7a", "#2f6fae", "#4a95d4", "#86bde9", "#d3e9fb")
NO_REPORT = {"light": {"fill": "#eceff3", "hatch": "#8a96a6"}, "dark": {"fill": "#243040", "hatch": "#6b7a8f"}}
BORDER = {"light": "#ffffff", "dark": "#0a1019"}
FOCUS_BORDER = {"light": "#18202b", "dark": "#ffcd00"}
INK = {"light": "#4a5565", "dark": "#c9d3df"}
TEXT_SIZE = {"light": 12, "dark": 18}  # the dark theme is the wall's: read from across the room
FADED_OPACITY = 0.28
N_CLASSES = len(MAP_COLOURS)
LAT_SCALE = 1 / math.cos(math.radians(16))  # one degree of latitude is this many degrees of longitude on screen
ARCHIPELAGO_KEYS = {"Quần đảo Hoàng Sa": "map.hoang_sa", "Quần đảo Trường Sa": "map.truong_sa"}
_PAD = 0.35  # degrees around the drawn extent


# --- class breaks -----------------------------------------------------------------------------------


def _quantile(sorted_vals: list[float], q: float) -> float:
    """Linear-interpolated quantile (numpy's default), of an ascending list."""
    pos = (len(sorted_vals) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (pos - lo)


def break_unit(lo: float, hi: float, decimals: int, k: int = N_CLASSES) -> float:
    """The step the class breaks are rounded to: the largest of 1, 2 or 5 times a power of ten
    that is at most a quarter of a class's width (so ``40 – 80`` rather than ``41,37 – 79,82``,
    and rounding never moves a break by more than an eighth of a class), never finer than the
    indicator's own decimals."""
    finest = 10.0 ** -decimals
    width = (hi - lo) / k
    if width <= 0:
        return finest
    power = 10.0 ** math.floor(math.log10(width))
    for step in (power, power / 2, power / 5, power / 10):
        if width / step >= 4:
            return max(step, finest)
    return max(power / 10, finest)


def _digits(step: float) -> int:
    """Decimals needed to write multiples of ``step``."""
    return max(0, -math.floor(math.log10(step) + 1e-9))


def class_breaks(values: Sequence[float | None], decimals: int, k: int = N_CLASSES) -> list[float]:
    """Quantile class breaks of the reported ``values`` rounded to round numbers: ascending edges
    ``[e0, ..., en]`` with ``n <= k`` classes, ``e0 <= min`` and ``en >= max``; classes are
    ``[e_i, e_{i+1})``, the last one closed. Empty when nothing was reported."""
    vals = sorted(float(v) for v in values if v is not None and v == v)
    if not vals:
        return []
    lo, hi = vals[0], vals[-1]
    unit = break_unit(lo, hi, decimals, k)
    first = math.floor(round(lo / unit, 9)) * unit
    last = math.ceil(round(hi / unit, 9)) * unit
    if last <= first:
        return [_clean(first, unit), _clean(first + unit, unit)]
    inner = [round(_quantile(vals, i / k) / unit) * unit for i in range(1, k)]
    edges = [first] + [e for e in inner if first < e < last] + [last]
    out: list[float] = []
    for e in edges:
        e = _clean(e, unit)
        if not out or e > out[-1]:
            out.append(e)
    return out


def _clean(x: float, unit: float) -> float:
    """``x`` without float noise (0.30000000000000004 → 0.3)."""
    return round(x, _digits(unit)) + 0.0


def class_of(value: float | None, edges: list[float]) -> int:
    """Index of the class holding ``value`` (-1: no report)."""
    if value is None or value != value or len(edges) < 2:
        return -1
    for i in range(len(edges) - 1):
        if value < edges[i + 1]:
            return i
    return len(edges) - 2


def class_colours(n: int, dark: bool = False) -> list[str]:
    """``n`` colours spread over :data:`MAP_COLOURS` (:data:`MAP_COLOURS_DARK`), all five for five classes."""
    ramp = MAP_COLOURS_DARK if dark else MAP_COLOURS
    if n <= 0:
        return []
    if n == 1:
        return [ramp[2]]
    return [ramp[round(i * (N_CLASSES - 1) / (n - 1))] for i in range(n)]


def edge_decimals(edges: list[float], decimals: int) -> int:
    """How many decimals the legend shows: as many as the break unit needs."""
    if len(edges) < 2:
        return decimals
    return min(decimals, _digits(break_unit(edges[0], edges[-1], decimals)))


# --- geometry helpers (cached per era) -----------------------------------------------------------


def _rings(feature: dict) -> list[list[list[float]]]:
    return [poly[0] for poly in feature["geometry"]["coordinates"]]


@lru_cache(maxsize=4)
def _features(era: str) -> dict[str, dict]:
    return {f["id"]: f for f in load_provinces(era)["features"]}


@lru_cache(maxsize=256)
def bounds(era: str, codes: tuple[str, ...] | None = None) -> tuple[float, float, float, float]:
    """(lon0, lon1, lat0, lat1) of the given provinces (all of the era when None)."""
    feats = _features(era)
    chosen = feats.values() if codes is None else [feats[c] for c in codes if c in feats]
    lons = [p[0] for f in chosen for r in _rings(f) for p in r]
    lats = [p[1] for f in chosen for r in _rings(f) for p in r]
    return min(lons), max(lons), min(lats), max(lats)


@lru_cache(maxsize=4)
def label_points(era: str) -> dict[str, tuple[float, float]]:
    """Code → (lon, lat) where a province's name goes: the centroid of its largest polygon."""
    out = {}
    for code, f in _features(era).items():
        best, best_area = None, -1.0
        for ring in _rings(f):
            a, cx, cy = 0.0, 0.0, 0.0
            for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
                cross = x0 * y1 - x1 * y0
                a += cross
                cx += (x0 + x1) * cross
                cy += (y0 + y1) * cross
            if abs(a) > best_area and a:
                best_area, best = abs(a), (round(cx / (3 * a), 3), round(cy / (3 * a), 3))
        out[code] = best
    return out


def archipelagos(era: str) -> list[dict]:
    """The archipelagos of an era's features: name_vi, name_en, lon, lat (label position), bbox
    (lon0, lat0, lon1, lat1), province code."""
    labels = {(a["province_code"], a["name_vi"]): a for a in archipelago_labels(era)}
    out = []
    for code, f in _features(era).items():
        for arch in f["properties"].get("archipelagos", ()):
            out.append({**labels[(code, arch["name_vi"])], "bbox": list(arch["bbox"])})
    return out


def view_range(era: str, codes: tuple[str, ...] | None = None) -> dict[str, list[float]]:
    """Axis ranges framing the given provinces (the whole country when None), padded."""
    lon0, lon1, lat0, lat1 = bounds(era, codes)
    pad = _PAD if codes is None else max(0.15, 0.06 * max(lon1 - lon0, lat1 - lat0))
    return {"x": [round(lon0 - pad, 3), round(lon1 + pad, 3)], "y": [round(lat0 - pad, 3), round(lat1 + pad, 3)]}


# --- the spec -------------------------------------------------------------------------------------


def _hover(name: str, value: float | None, rank, total: int, unit: str, decimals: int, lang: str) -> str:
    if value is None or value != value:
        return f"<b>{name}</b><br>{t('map.no_report', lang)}"
    text = f"<b>{name}</b><br>{fmt_number(value, decimals, lang)} {unit}"
    if rank is not None:
        text += "<br>" + t("map.rank", lang, rank=int(rank), total=total)
    return text


def _legend_entry(name: str, fill: str, *, pattern: dict | None = None, rank: int) -> dict:
    entry = {"type": "scatter", "x": [None], "y": [None], "mode": "none", "fill": "toself", "fillcolor": fill,
             "name": name, "showlegend": True, "hoverinfo": "skip", "legendrank": rank}
    if pattern:
        entry["fillpattern"] = pattern
    return entry


def map_spec(xs: CrossSection, era: str, *, lang: str, unit: str = "", decimals: int = 1, focus: tuple[str,
             ...] | list[str] = (),
             dark: bool = False, geo_url: str | None = None, height: int | None = None,
             label_focus: bool = True) -> dict[str, Any]:
    """The JSON-able description of the map of ``xs`` (a :func:`data_access.queries.cross_section`
    frame or its rows: area_key, code, name_vi, name_en, value, rank) for ``era`` ("63" or "34").

    ``focus``: area keys of a region to frame and outline (the others are faded, their colours
    kept); empty for the whole country. ``dark``: the wall's theme (dark background, brighter
    means more, larger type). Keys:

    ``era``, ``geo_url``; ``keys``, ``codes``, ``values`` (None: no report), ``classes`` (index,
    -1: no report), ``fills``, ``texts`` (hover), ``opacity`` — one entry per province, in drawing
    order (focused provinces last, so their outline is on top); ``edges`` and ``colours`` (the
    classes); ``line`` (border colour and width; focused: ``focus_line``); ``no_report`` (fill and
    hatch); ``legend`` (legend-only traces); ``layout`` (the complete Plotly layout)."""
    theme = "dark" if dark else "light"
    rows = xs_tuples(xs, "name_en" if lang == "en" else "name_vi")
    values = [None if v is None or v != v else float(v) for _, _, _, v, _ in rows]
    edges = class_breaks(values, decimals)
    colours = class_colours(len(edges) - 1, dark)
    total = len(rows)
    focus_set = set(focus or ())
    order = sorted(range(len(rows)), key=lambda i: rows[i][0] in focus_set)
    nr = NO_REPORT[theme]
    pattern = {"shape": "/", "fgcolor": nr["hatch"], "bgcolor": nr["fill"], "size": 7, "solidity": 0.25}
    spec: dict[str, Any] = {"era": era, "geo_url": geo_url or asset_url(f"geo/provinces_{era}.geojson"),
                            "keys": [], "codes": [], "values": [], "classes": [], "fills": [], "texts": [],
                            "opacity": [], "focused": []}
    for i in order:
        key, code, name, _, rank = rows[i]
        value = values[i]
        cls = class_of(value, edges)
        spec["keys"].append(key)
        spec["codes"].append(code)
        spec["values"].append(value)
        spec["classes"].append(cls)
        spec["fills"].append(colours[cls] if cls >= 0 else nr["fill"])
        spec["texts"].append(_hover(name, value, None if pd.isna(rank) else int(rank), total, unit, decimals, lang))
        spec["opacity"].append(1 if not focus_set or key in focus_set else FADED_OPACITY)
        spec["focused"].append(bool(focus_set) and key in focus_set)
    spec.update(edges=edges, colours=colours, no_report={"fill": nr["fill"], "pattern": pattern},
                line={"color": BORDER[theme], "width": 0.7}, focus_line={"color": FOCUS_BORDER[theme], "width": 1.6})
    spec["legend"] = _legend(edges, colours, values, pattern, nr["fill"], decimals, lang)
    focus_codes = tuple(c for k, c in zip(spec["keys"], spec["codes"], strict=True) if k in focus_set)
    spec["layout"] = _layout(era, lang, unit, theme, focus_codes, rows, focus_set, values, height, label_focus)
    return spec


def _legend(edges, colours, values, pattern, no_fill, decimals, lang) -> list[dict]:
    d = edge_decimals(edges, decimals)
    counts = [0] * len(colours)
    for v in values:
        c = class_of(v, edges)
        if c >= 0:
            counts[c] += 1
    entries = []
    for i in reversed(range(len(colours))):  # the largest values on top
        label = f"{fmt_number(edges[i], d, lang)} – {fmt_number(edges[i + 1], d, lang)} ({counts[i]})"
        entries.append(_legend_entry(label, colours[i], rank=len(colours) - i))
    missing = sum(1 for v in values if v is None)
    if missing:
        entries.append(_legend_entry(f"{t('map.no_report', lang)} ({missing})", no_fill, pattern=pattern,
                                     rank=len(colours) + 1))
    return entries


def _layout(era, lang, unit, theme, focus_codes, rows, focus_set, values, height, label_focus) -> dict:
    ink = INK[theme]
    rng = view_range(era, focus_codes or None)
    annotations, shapes = [], []
    for arch in archipelagos(era):
        key = ARCHIPELAGO_KEYS.get(arch["name_vi"])
        lon0, lat0, lon1, lat1 = arch["bbox"]
        # The name goes outside the dotted frame, never over an island: under Hoàng Sa, above
        # Trường Sa (under it is the edge of the map).
        below = key != "map.truong_sa"
        annotations.append({
            "x": arch["lon"], "y": lat0 - 0.3 if below else lat1 + 0.3, "yanchor": "top" if below else "bottom",
            "xref": "x", "yref": "y", "showarrow": False, "name": "archipelago",
            "text": t(key, lang) if key else (arch["name_en"] if lang == "en" else arch["name_vi"]),
            "font": {"size": TEXT_SIZE[theme], "color": ink, "style": "italic"},
        })
        shapes.append({"type": "rect", "xref": "x", "yref": "y", "x0": lon0 - 0.2, "x1": lon1 + 0.2,
                       "y0": lat0 - 0.2, "y1": lat1 + 0.2, "line": {"color": ink, "width": 1, "dash": "dot"},
                       "fillcolor": "rgba(0,0,0,0)", "layer": "below"})
    if focus_codes and label_focus:
        points = label_points(era)
        name_of = {r[1]: r[2] for r in rows}
        for code in focus_codes:
            lon, lat = points[code]
            annotations.append({"x": lon, "y": lat, "xref": "x", "yref": "y", "showarrow": False,
                                "text": name_of[code], "name": "province",
                                "font": {"size": TEXT_SIZE[theme] - 1,
                                         "color": "#18202b" if theme == "light" else "#ffffff"},
                                "bgcolor": "rgba(255,255,255,.72)" if theme == "light" else "rgba(10,16,25,.6)",
                                "borderpad": 1})
    if not any(v is not None for v in values):
        annotations.append({"x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper", "showarrow": False,
                            "text": t("empty.no_data", lang), "name": "empty",
                            "font": {"size": 16, "color": ink}, "bgcolor": "rgba(255,255,255,.85)"})
    axis = {"visible": False, "showgrid": False, "zeroline": False, "fixedrange": True}
    layout = {
        "separators": plotly_separators(lang),
        "font": {"family": FONT, "size": 13, "color": "#18202b" if theme == "light" else "#e8edf3"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "margin": {"l": 4, "r": 4, "t": 4, "b": 4},
        "showlegend": True,
        "legend": {"title": {"text": unit, "font": {"size": TEXT_SIZE[theme]}}, "x": 0.99, "xanchor": "right", "y": 0.99,
                   "yanchor": "top", "bgcolor": "rgba(255,255,255,.85)" if theme == "light" else "rgba(10,16,25,.7)",
                   "font": {"size": TEXT_SIZE[theme]}, "itemclick": False, "itemdoubleclick": False, "traceorder": "normal"},
        "hoverlabel": {"font": {"family": FONT, "size": 13}},
        "hovermode": "closest",
        "dragmode": False,
        "xaxis": {**axis, "range": rng["x"]},
        "yaxis": {**axis, "range": rng["y"], "scaleanchor": "x", "scaleratio": round(LAT_SCALE, 6)},
        "annotations": annotations,
        "shapes": shapes,
    }
    if height:
        layout["height"] = height
    return layout


# --- the figure -----------------------------------------------------------------------------------


def province_trace(spec: dict, i: int, feature: dict) -> dict:
    """The filled polygon trace of the ``i``-th province of ``spec`` (mirrored in assets/map.js)."""
    x: list[float | None] = []
    y: list[float | None] = []
    for j, ring in enumerate(_rings(feature)):
        if j:
            x.append(None)
            y.append(None)
        x.extend(p[0] for p in ring)
        y.extend(p[1] for p in ring)
    focused = spec["focused"][i]
    trace = {
        "type": "scatter", "x": x, "y": y, "mode": "lines", "fill": "toself", "fillcolor": spec["fills"][i],
        "line": dict(spec["focus_line"] if focused else spec["line"]), "hoveron": "fills", "hoverinfo": "text",
        "text": spec["texts"][i], "name": spec["keys"][i], "customdata": [spec["keys"][i]], "showlegend": False,
        "opacity": spec["opacity"][i],
    }
    if spec["classes"][i] < 0:
        trace["fillpattern"] = dict(spec["no_report"]["pattern"])
    return trace


def message_spec(text: str, *, dark: bool = False) -> dict[str, Any]:
    """A spec with no map, only ``text`` in the middle (nothing to show for the chosen view)."""
    ink = INK["dark" if dark else "light"]
    axis = {"visible": False, "fixedrange": True}
    return {"message": text, "layout": {
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "xaxis": axis, "yaxis": axis,
        "margin": {"l": 4, "r": 4, "t": 4, "b": 4}, "showlegend": False,
        "annotations": [{"x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper", "showarrow": False, "text": text,
                         "name": "empty", "font": {"family": FONT, "size": 16, "color": ink}}],
    }}


def figure_dict(spec: dict, geo: dict | None = None) -> dict:
    """``{"data": [...], "layout": {...}}`` for ``spec``; ``geo`` is the era's FeatureCollection."""
    if "message" in spec:
        return {"data": [], "layout": spec["layout"]}
    feats = {f["id"]: f for f in (geo or load_provinces(spec["era"]))["features"]}
    data = [province_trace(spec, i, feats[code]) for i, code in enumerate(spec["codes"]) if code in feats]
    data.extend(dict(e) for e in spec["legend"])
    return {"data": data, "layout": spec["layout"]}


def choropleth_figure(xs: pd.DataFrame, era: str, *, lang: str, unit: str = "", decimals: int = 1,
                      focus: tuple[str, ...] | list[str] = (), dark: bool = False, height: int | None = None) -> dict:
    """The map of a cross-section, built on the server, in its JSON form (see :func:`map_spec` for
    the arguments)."""
    return figure_dict(map_spec(xs, era, lang=lang, unit=unit, decimals=decimals, focus=focus, dark=dark,
                                     height=height))
