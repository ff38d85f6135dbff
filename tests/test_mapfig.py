"""The province map (components/mapfig.py and its JavaScript twin assets/map.js): pure tests on
synthetic cross-sections built from the committed geometry; no server, no warehouse."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from components import mapfig
from components.geo import load_provinces
from i18n import fmt_number

ROOT = Path(__file__).resolve().parent.parent


def cross_section(era: str, values=None, *, missing=()) -> pd.DataFrame:
    """A frame shaped like data_access.queries.cross_section for every province of ``era``:
    keys as the warehouse has them (old provinces that changed end in ``-63``)."""
    feats = load_provinces(era)["features"]
    rows = []
    for i, f in enumerate(feats):
        code = f["id"]
        key = code if era == "34" else f"{code}-63"
        value = (values[i] if values is not None else 10 + 3.7 * i) if key not in missing else math.nan
        rows.append((key, code, f["properties"]["name"], f["properties"]["name"] + " (en)", "R", value))
    df = pd.DataFrame(rows, columns=["area_key", "code", "name_vi", "name_en", "region_key", "value"])
    ranks = df["value"].rank(ascending=False, method="min")
    df["rank"] = ranks.astype("Int64")
    return df


def provinces(fig) -> list:
    return [tr for tr in fig.data if tr.showlegend is False]


def legend(fig) -> list:
    return [tr for tr in fig.data if tr.showlegend]


# --- provinces of both eras --------------------------------------------------------------------------------


@pytest.mark.parametrize(("era", "n"), [("63", 63), ("34", 34)])
def test_mf001_one_filled_polygon_per_province(era, n):
    xs = cross_section(era)
    fig = go.Figure(mapfig.choropleth_figure(xs, era, lang="vi", unit="%", decimals=1))
    shapes = provinces(fig)
    assert len(shapes) == n
    assert sorted(tr.customdata[0] for tr in shapes) == sorted(xs["area_key"])
    for tr in shapes:
        assert tr.fill == "toself" and tr.hoveron == "fills"
        assert len(tr.x) == len(tr.y) > 3
    feats = {f["id"]: f for f in load_provinces(era)["features"]}
    da_nang = next(tr for tr in shapes if tr.customdata[0].startswith("48"))
    rings = len(feats["48"]["geometry"]["coordinates"])
    assert sum(1 for v in da_nang.x if v is None) == rings - 1  # every part, the Hoàng Sa islands included


@pytest.mark.parametrize("era", ["63", "34"])
def test_mf002_archipelagos_labelled_in_both_languages(era):
    xs = cross_section(era)
    for lang, names in (("vi", {"Quần đảo Hoàng Sa", "Quần đảo Trường Sa"}),
                        ("en", {"Hoang Sa (Paracel) Islands", "Truong Sa (Spratly) Islands"})):
        fig = go.Figure(mapfig.choropleth_figure(xs, era, lang=lang))
        labels = {a.text for a in fig.layout.annotations if a.name == "archipelago"}
        assert labels == names
        x0, x1 = fig.layout.xaxis.range
        y0, y1 = fig.layout.yaxis.range
        for a in fig.layout.annotations:  # inside the national frame, so they are drawn
            assert x0 < a.x < x1 and y0 < a.y < y1
        assert len(fig.layout.shapes) == 2  # a dotted frame around each archipelago


def test_mf003_true_aspect_and_no_geo_subplot():
    fig = go.Figure(mapfig.choropleth_figure(cross_section("34"), "34", lang="vi"))
    assert fig.layout.yaxis.scaleanchor == "x"
    assert fig.layout.yaxis.scaleratio == pytest.approx(1 / math.cos(math.radians(16)), rel=1e-5)
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    assert not fig.layout.geo.to_plotly_json()  # no geo subplot: nothing fetched from a CDN
    assert {tr.type for tr in fig.data} == {"scatter"}


# --- class breaks and legend ---------------------------------------------------------------------------------


def test_mf004_class_breaks_are_round_and_cover_the_data():
    values = [5.61, 6.02, 6.4, 6.95, 7.3, 7.41, 7.77, 8.1, 8.44, 8.8, 9.3, 10.41]
    edges = mapfig.class_breaks(values, decimals=2)
    assert edges == sorted(set(edges))
    assert edges[0] <= min(values) and edges[-1] >= max(values)
    assert len(edges) - 1 == mapfig.N_CLASSES
    assert mapfig.break_unit(5.61, 10.41, 2) == 0.1  # classes ~1 wide: breaks at tenths, not 8,73
    assert all(round(e, 1) == e for e in edges)
    assert mapfig.break_unit(1234.5, 9492.75, 1) == 200  # a class ~1650 wide: steps of 200
    assert mapfig.break_unit(0, 100, 1) == 5
    assert mapfig.break_unit(5.0, 5.2, 0) == 1  # never finer than the indicator's decimals
    counts = [0] * (len(edges) - 1)
    for v in values:
        counts[mapfig.class_of(v, edges)] += 1
    assert sum(counts) == len(values) and min(counts) >= 1


def test_mf005_class_breaks_edge_cases():
    assert mapfig.class_breaks([], 1) == []
    assert mapfig.class_breaks([math.nan, None], 1) == []
    one = mapfig.class_breaks([4.2, 4.2, 4.2], 1)
    assert len(one) == 2 and one[0] <= 4.2 <= one[1]
    assert mapfig.class_of(4.2, one) == 0
    ties = mapfig.class_breaks([1, 1, 1, 1, 1, 1, 1, 1, 2, 50], 0)  # quantiles collapse: fewer classes
    assert ties == sorted(set(ties)) and ties[0] <= 1 and ties[-1] >= 50
    negative = mapfig.class_breaks([-3.2, -1.1, 0.0, 0.4, 2.5], 2)
    assert negative[0] <= -3.2 and negative[-1] >= 2.5
    assert mapfig.class_of(None, negative) == -1 and mapfig.class_of(math.nan, negative) == -1
    assert mapfig.class_of(negative[-1], negative) == len(negative) - 2  # the last class is closed


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_mf006_legend_shows_class_ranges_in_locale_format(lang):
    xs = cross_section("34", [1234.5 + 250.25 * i for i in range(34)])
    spec = mapfig.map_spec(xs, "34", lang=lang, unit="tỷ đồng", decimals=1)
    edges, colours = spec["edges"], spec["colours"]
    entries = legend(go.Figure(mapfig.figure_dict(spec)))
    assert len(entries) == len(colours) == len(edges) - 1  # nothing missing: no "no report" entry
    d = mapfig.edge_decimals(edges, 1)
    for entry, i in zip(entries, reversed(range(len(colours))), strict=True):  # largest first
        n = sum(1 for c in spec["classes"] if c == i)
        assert entry.name == f"{fmt_number(edges[i], d, lang)} – {fmt_number(edges[i + 1], d, lang)} ({n})"
        assert entry.fillcolor == colours[i]
    assert entries[0].name.startswith(fmt_number(edges[-2], d, lang))
    thousands = "." if lang == "vi" else ","
    assert thousands in entries[0].name  # e.g. 8.750 – 9.500 in Vietnamese
    for cls, fill in zip(spec["classes"], spec["fills"], strict=True):
        assert fill == colours[cls]
    assert colours == list(mapfig.MAP_COLOURS)


def test_mf007_no_report_areas_are_hatched_grey_and_counted():
    xs = cross_section("34", missing={"01", "79", "56"})
    spec = mapfig.map_spec(xs, "34", lang="vi", unit="%", decimals=1)
    fig = go.Figure(mapfig.figure_dict(spec))
    by_key = {tr.customdata[0]: tr for tr in provinces(fig)}
    for key in ("01", "79", "56"):
        tr = by_key[key]
        assert tr.fillcolor == mapfig.NO_REPORT["light"]["fill"]
        assert tr.fillpattern.shape == "/"
        assert "Chưa báo cáo" in tr.text
    assert all(tr.fillpattern.shape is None for k, tr in by_key.items() if k not in ("01", "79", "56"))
    assert legend(fig)[-1].name == "Chưa báo cáo (3)"
    assert legend(fig)[-1].fillpattern.shape == "/"
    en = mapfig.map_spec(xs, "34", lang="en", unit="%", decimals=1)
    assert en["legend"][-1]["name"] == "No report (3)"


def test_mf008_hover_text_in_locale_with_rank():
    xs = cross_section("34", [1234.56 + i for i in range(34)])
    spec = mapfig.map_spec(xs, "34", lang="vi", unit="tỷ đồng", decimals=1)
    i = spec["keys"].index("01")
    value = xs.set_index("area_key").loc["01", "value"]
    rank = int(xs.set_index("area_key").loc["01", "rank"])
    assert spec["texts"][i] == f"<b>Hà Nội</b><br>{fmt_number(value, 1, 'vi')} tỷ đồng<br>Xếp hạng {rank}/34"
    assert "1.234,6" in spec["texts"][spec["keys"].index(xs.loc[0, "area_key"])]
    en = mapfig.map_spec(xs, "34", lang="en", unit="billion VND", decimals=1)
    assert en["texts"][0].startswith("<b>Hà Nội (en)</b><br>1,234.6 billion VND<br>Rank ")
    assert en["layout"]["separators"] == ".," and spec["layout"]["separators"] == ",."


def test_mf009_nothing_reported_is_an_explicit_empty_state():
    xs = cross_section("34", [math.nan] * 34)
    fig = go.Figure(mapfig.choropleth_figure(xs, "34", lang="vi"))
    assert len(provinces(fig)) == 34
    assert all(tr.fillpattern.shape == "/" for tr in provinces(fig))
    assert [e.name for e in legend(fig)] == ["Chưa báo cáo (34)"]
    assert any(a.name == "empty" and "Chưa có số liệu" in a.text for a in fig.layout.annotations)


# --- focus on a region --------------------------------------------------------------------------------------


def test_mf010_focus_frames_the_region_and_fades_the_rest():
    xs = cross_section("34")
    red_river = ("01", "22", "31", "33", "37", "24")  # Hà Nội, Quảng Ninh, Hải Phòng, Hưng Yên, Ninh Bình, Bắc Ninh
    spec = mapfig.map_spec(xs, "34", lang="vi", focus=red_river)
    assert spec["keys"][-len(red_river):] and set(spec["keys"][-len(red_river):]) == set(red_river)  # drawn on top
    for key, op, focused in zip(spec["keys"], spec["opacity"], spec["focused"], strict=True):
        assert (op == 1 and focused) if key in red_river else (op == mapfig.FADED_OPACITY and not focused)
    lon0, lon1, lat0, lat1 = mapfig.bounds("34", red_river)
    (x0, x1), (y0, y1) = spec["layout"]["xaxis"]["range"], spec["layout"]["yaxis"]["range"]
    assert x0 < lon0 < lon1 < x1 and y0 < lat0 < lat1 < y1
    assert x1 - x0 < 5  # framed, not the whole country (about 13 degrees wide)
    labels = {a["text"] for a in spec["layout"]["annotations"] if a["name"] == "province"}
    assert labels == set(xs.set_index("code").loc[list(red_river), "name_vi"])
    fig = go.Figure(mapfig.figure_dict(spec))
    focused = [tr for tr in provinces(fig) if tr.customdata[0] in red_river]
    assert all(tr.line.color == mapfig.FOCUS_BORDER["light"] for tr in focused)


def test_mf011_label_points_fall_inside_their_province():
    for era in ("63", "34"):
        feats = {f["id"]: f for f in load_provinces(era)["features"]}
        points = mapfig.label_points(era)
        inside = sum(1 for code, (x, y) in points.items()
                     if any(_inside(x, y, poly[0]) for poly in feats[code]["geometry"]["coordinates"]))
        assert inside >= 0.9 * len(points)  # centroids of concave shapes may fall just outside


def _inside(x: float, y: float, ring) -> bool:
    hit = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
            hit = not hit
    return hit


def test_mf012_dark_theme_for_the_wall():
    xs = cross_section("34", missing={"01"})
    fig = go.Figure(mapfig.choropleth_figure(xs, "34", lang="vi", unit="%", decimals=1, dark=True))
    hanoi = next(tr for tr in provinces(fig) if tr.customdata[0] == "01")
    assert hanoi.fillcolor == mapfig.NO_REPORT["dark"]["fill"]
    assert provinces(fig)[0].line.color == mapfig.BORDER["dark"]
    assert fig.layout.font.color == "#e8edf3"
    fills = {tr.fillcolor for tr in provinces(fig) if tr.customdata[0] != "01"}
    assert fills == set(mapfig.MAP_COLOURS_DARK)  # brighter means more on the dark wall
    assert fig.layout.legend.font.size > 12


# --- the spec travels, the geometry does not; JavaScript builds the same figure -----------------------------


def test_mf013_spec_is_small_and_carries_no_geometry():
    spec = mapfig.map_spec(cross_section("63"), "63", lang="vi", unit="%", decimals=1,
                           geo_url="/assets/geo/provinces_63.geojson")
    text = json.dumps(spec)
    assert len(text) < 40_000  # the geometry (about 150 kB) is fetched once by the browser
    assert "coordinates" not in text
    assert spec["era"] == "63" and spec["geo_url"].endswith("provinces_63.geojson")


NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.parametrize(("era", "lang", "focus"), [("63", "vi", ()), ("34", "en", ("01", "22", "31"))])
def test_mf014_javascript_builds_the_same_figure_as_python(tmp_path, era, lang, focus):
    keys = {"63": {f"{c}-63" for c in ("01", "48", "56")}, "34": {"79"}}[era]
    xs = cross_section(era, missing=keys)
    spec = mapfig.map_spec(xs, era, lang=lang, unit="%", decimals=1, focus=focus)
    geo_path = ROOT / "assets" / "geo" / f"provinces_{era}.geojson"
    (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    script = (
        "globalThis.window = {}; require(process.argv[1]);"
        "const fs = require('fs');"
        "const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));"
        "const geo = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));"
        "process.stdout.write(JSON.stringify(window.dash_clientside.occmap.figure(spec, geo)));"
    )
    out = subprocess.run([NODE, "-e", script, str(ROOT / "assets" / "map.js"), str(tmp_path / "spec.json"),
                          str(geo_path)], capture_output=True, text=True, check=True, timeout=60)
    from_js = json.loads(out.stdout)
    from_py = json.loads(json.dumps(mapfig.figure_dict(spec)))
    assert from_js == from_py


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_mf015_javascript_click_key():
    script = (
        "globalThis.window = {}; require(process.argv[1]); const m = window.dash_clientside.occmap;"
        "process.stdout.write(JSON.stringify([m.clickedKey({points: [{customdata: ['08-63']}]}),"
        "m.clickedKey({points: [{customdata: '01'}]}), m.clickedKey(null), m.clickedKey({points: []})]));"
    )
    out = subprocess.run([NODE, "-e", script, str(ROOT / "assets" / "map.js")], capture_output=True, text=True,
                         check=True, timeout=60)
    assert json.loads(out.stdout) == ["08-63", "01", None, None]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_mf016_nothing_to_map_is_a_message_on_both_sides(tmp_path):
    spec = mapfig.message_spec("Chưa có số liệu báo cáo cho kỳ này")
    py = mapfig.figure_dict(spec)
    assert py["data"] == [] and py["layout"]["annotations"][0]["text"] == "Chưa có số liệu báo cáo cho kỳ này"
    (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    script = (
        "globalThis.window = {dash_clientside: {no_update: null}}; require(process.argv[1]);"
        "const spec = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));"
        "const out = window.dash_clientside.occmap.render(spec);"  # no fetch: not a Promise
        "process.stdout.write(JSON.stringify(out));"
    )
    out = subprocess.run([NODE, "-e", script, str(ROOT / "assets" / "map.js"), str(tmp_path / "spec.json")],
                         capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(out.stdout) == json.loads(json.dumps(py))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_map020_rows_and_frame_draw_the_same(lang):
    """The boards hand map_spec and ranking_rows a cross-section's rows (named tuples), the wall and
    the exports its frame: both give the same spec and ranking, unreported provinces included."""
    from components.charts import ranking_rows
    from data_access.queries import XS_COLUMNS, XsRow

    frame = cross_section("34", missing={"01", "79"})
    for column in XS_COLUMNS:
        if column not in frame:
            frame[column] = None
    frame = frame[XS_COLUMNS].sort_values("rank", na_position="last", kind="stable")  # as the warehouse's
    rows = tuple(XsRow._make(None if isinstance(v, type(pd.NA)) else v for v in r)
                 for r in frame.itertuples(index=False, name=None))
    assert sum(1 for r in rows if r.value != r.value) == 2 and rows[0].rank == 1
    name_col = "name_en" if lang == "en" else "name_vi"
    assert ranking_rows(rows, name_col) == ranking_rows(frame, name_col)
    focus = ("31", "22")
    assert (mapfig.map_spec(rows, "34", lang=lang, unit="%", decimals=1, focus=focus)
            == mapfig.map_spec(frame, "34", lang=lang, unit="%", decimals=1, focus=focus))
