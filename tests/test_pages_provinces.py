# size: the provinces board and the profile: every part of both pages against the data layer, on both backends
"""The provinces board and the province profile: layouts built from the URL, callbacks called
directly (inside a request on the seeded warehouse, both backends) with realistic inputs, and
their outputs checked against the data layer (cross_section, regional_aggregates, kpi_snapshot)."""

from __future__ import annotations

import json
import math
import shutil
from datetime import date, timedelta

import plotly.graph_objects as go
import pytest
from dash import no_update
from dash._callback import GLOBAL_CALLBACK_LIST
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.exceptions import PreventUpdate

from components.sorttable import table_problems
from data_access.catalogue import area_map, get_indicator, region_members
from data_access.provinces import province_periods, province_scorecard, province_scorecard_rows
from data_access.queries import cross_section, kpi_snapshot, regional_aggregates
from domain.periods import default_start, parse
from i18n import fmt_number
from tests.utils import bar_rows, classes, kids, node_json, page_fixture
from tests.utils import ids_in as _ids
from tests.utils import text_of as _text

board = page_fixture("board", "dashboards.provinces")
profile = page_fixture("profile", "dashboards.province")


def _links(component) -> dict[str, str]:
    """Link text → href in a layout tree."""
    out = {}

    def walk(c):
        if isinstance(c, list | tuple):
            for x in c:
                walk(x)
            return
        if not hasattr(c, "to_plotly_json"):
            return
        if getattr(c, "href", None) is not None:
            out[_text(c)] = c.href
        walk(getattr(c, "children", None))

    walk(component)
    return out


def _triggered(cid, prop: str, value=1) -> None:
    prop_id = (json.dumps(cid, sort_keys=True, separators=(",", ":")) if isinstance(cid, dict) else cid) + "." + prop
    context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": value}]))


def _outputs(board, code, period, region=None, lang="vi") -> dict:
    names = ["map_data", "ranking", "regions", "crumbs", "map_title", "map_sub", "ranking_title", "ranking_note",
             "goto_options", "map_alt", "ranking_alt"]
    return dict(zip(names, board.update_board(code, period, region, lang), strict=True))


def dash_callbacks() -> list[dict]:
    """Every callback the page modules registered (Dash's own list, before an app takes it)."""
    return list(GLOBAL_CALLBACK_LIST)


def _latest_incomplete(code: str) -> str | None:
    periods = province_periods(code)
    short = periods[periods["n_reported"] < periods["n_provinces"]]
    return short["period"].iloc[-1] if not short.empty else None


# --- layout from the URL -------------------------------------------------------------------------------


def test_pp001_layout_restores_the_view_from_the_url(board):
    lay = board.layout(indicator="RETAIL_SALES", period="202409", region="R2-63", lang="en")
    found = _ids(lay)
    assert found[board.ids.indicator].value == "RETAIL_SALES"
    assert found[board.ids.period].value == "202409"
    assert found[board.ids.region].value == "R2-63"
    assert found[board.ids.lang].data == "en"
    regions = [o["value"] for o in found[board.ids.region].options]
    assert regions == ["R1-63", "R2-63", "R3-63", "R4-63", "R5-63", "R6-63"]  # the period's era only
    assert len(found[board.ids.goto].options) == 63
    assert "Provinces" in _text(lay)
    # the period menu comes with the chosen period alone (no count of every period's reports);
    # its callback, called with the page, lists them all, newest first, and changes nothing else
    assert found[board.ids.period].options == [{"label": "Sep 2024", "value": "202409"}]
    initial = [c.get("prevent_initial_call") for c in dash_callbacks() if f"{board.ids.period}.options" in c["output"]]
    assert initial and not any(initial)
    context_value.set(AttributeDict(triggered_inputs=[]))  # Dash's call with the page: nothing triggered it
    options, period, regions_listed, region = board.sync_controls("RETAIL_SALES", "202409", "R2-63", "en")
    assert [o["value"] for o in options] == list(province_periods("RETAIL_SALES")["period"][::-1])
    assert (period, region) == (no_update, no_update)
    assert regions_listed == found[board.ids.region].options


def test_pp001b_the_layout_comes_with_its_first_view_drawn(board):
    """The board is in the layout (one round of callbacks fewer before the page settles): the same
    map spec, ranking, aggregates, titles and export menus as its callbacks give for that view, and
    those callbacks answer only a change of view."""
    lay = board.layout(indicator="RETAIL_SALES", period="202409", region="R2-63", lang="en")
    found = _ids(lay)
    out = _outputs(board, "RETAIL_SALES", "202409", "R2-63", "en")
    assert found[board.ids.map]["props"]["spec"] == out["map_data"]  # the map drawn by the page (occ_map)
    assert found[board.ids.ranking].children == out["ranking"]
    assert found[board.ids.regions].children == out["regions"]
    assert found[board.ids.map_title].children == out["map_title"] and out["map_title"]
    assert found[board.ids.ranking_note].children == out["ranking_note"]
    menus = board.export_menus("RETAIL_SALES", "202409", "R2-63", "en")
    assert [found[i].children for i in (board.ids.map_export, board.ids.ranking_export, board.ids.regions_export)] \
        == list(menus)
    initial = {c["output"]: c.get("prevent_initial_call") for c in dash_callbacks()
               if f"{board.ids.map}.spec" in c["output"] or board.ids.map_export in c["output"]}
    assert len(initial) == 2 and all(initial.values()), initial


def test_pp002_layout_cleans_what_the_url_gets_wrong(board):
    view = board.read_view("NOPE", "banana", "R9")
    assert view.indicator == "GDP_GROWTH"  # the first headline indicator reported by provinces
    assert view.period == province_periods("GDP_GROWTH")["period"].iloc[-1]
    assert view.region is None
    # a region of the old era without a period: the latest period of that era
    old = board.read_view("RETAIL_SALES", None, "R2-63")
    assert old.period == "202506" and old.region == "R2-63"
    # a period of one era with a region of the other: the region is dropped, never mixed
    assert board.read_view("RETAIL_SALES", "202409", "R2").region is None
    assert board.read_view("RETAIL_SALES", "202509", "R2-63").region is None
    # a national-only indicator is not offered
    assert board.read_view("GDP_FLASH", None, None).indicator == "GDP_GROWTH"


# --- the board: map spec, ranking, aggregates --------------------------------------------------------------


@pytest.mark.parametrize(("code", "period", "era", "n"), [("GDP_GROWTH", "2024Q2", "63", 63),
                                                          ("RETAIL_SALES", "202409", "63", 63),
                                                          ("RETAIL_SALES", "202509", "34", 34)])
def test_pp003_map_store_holds_the_cross_section_of_the_period_era(board, code, period, era, n):
    out = _outputs(board, code, period)
    spec = out["map_data"]
    xs = cross_section(code, period)
    assert spec["era"] == era and spec["geo_url"].split("?")[0].endswith(f"/assets/geo/provinces_{era}.geojson")
    assert len(spec["keys"]) == n == len(xs)
    expected = {k: (None if math.isnan(v) else v) for k, v in zip(xs["area_key"], xs["value"], strict=True)}
    assert dict(zip(spec["keys"], spec["values"], strict=True)) == expected
    codes = dict(zip(xs["area_key"], xs["code"], strict=True))
    assert all(codes[k] == c for k, c in zip(spec["keys"], spec["codes"], strict=True))
    assert json.dumps(spec)  # JSON-able as it is (no NaN, no numpy types)
    assert len(out["goto_options"]) == n
    assert f"{int(xs['value'].notna().sum())}/{n}" in out["map_sub"]


def test_pp004_map_store_classes_and_no_report(board):
    period = _latest_incomplete("RETAIL_SALES")
    assert period is not None, "the demo data leaves some provinces unreported in the latest month"
    spec = _outputs(board, "RETAIL_SALES", period)["map_data"]
    missing = [k for k, v in zip(spec["keys"], spec["values"], strict=True) if v is None]
    assert missing
    assert all(spec["classes"][spec["keys"].index(k)] == -1 for k in missing)
    assert spec["legend"][-1]["name"].startswith("Chưa báo cáo") and f"({len(missing)})" in spec["legend"][-1]["name"]
    edges = spec["edges"]
    for v, c in zip(spec["values"], spec["classes"], strict=True):
        if v is not None:
            assert edges[c] <= v <= edges[c + 1]


def test_pp005_ranking_bars_are_the_reported_values_in_rank_order(board):
    period = _latest_incomplete("CPI_YOY") or "202609"
    rows = bar_rows(_outputs(board, "CPI_YOY", period)["ranking"])
    xs = cross_section("CPI_YOY", period)
    reported = xs.dropna(subset=["value"]).sort_values("rank")
    decimals = get_indicator("CPI_YOY").decimals
    assert [r["key"] for r in rows] == list(reported["area_key"])
    assert [r["rank"] for r in rows] == [f"{r}." for r in reported["rank"]]
    assert [r["name"] for r in rows] == list(reported["name_vi"])
    assert [r["value"] for r in rows] == [fmt_number(v, decimals, "vi") for v in reported["value"]]
    assert list(reported["value"]) == sorted(reported["value"])  # CPI: lower is better, so the lowest first
    # the bars' lengths are the values' (every CPI change here is above zero: bars from the track's edge)
    assert reported["value"].min() > 0
    top = reported["value"].abs().max()
    for row, v in zip(rows, reported["value"], strict=True):
        assert row["width"] == pytest.approx(max(abs(v) / top * 100, 0.4), abs=0.01)
    note = _outputs(board, "CPI_YOY", period)["ranking_note"]
    for name in xs.loc[xs["value"].isna(), "name_vi"]:
        assert name in note


def test_pp006_regional_aggregates_table_matches_the_data_layer(board):
    period = _latest_incomplete("RETAIL_SALES")
    regions = _outputs(board, "RETAIL_SALES", period)["regions"]
    agg = regional_aggregates("RETAIL_SALES", period)
    nation = cross_section("RETAIL_SALES", period, "nation")["value"].iloc[0]
    rows = kids(kids(regions[0])[1])
    assert len(rows) == 1 + len(agg)
    assert _text(kids(rows[0])[1]) == fmt_number(nation, 1, "vi")
    for row, r in zip(rows[1:], agg.itertuples(), strict=True):
        assert _text(kids(row)[0]) == r.name_vi
        cell = kids(kids(row)[1])
        assert cell[0] == fmt_number(r.value, 1, "vi")
        assert ("chưa đủ số liệu" in _text(cell)) == (not r.complete)
        assert _text(kids(row)[2]) == f"{r.n_reported}/{r.n_provinces}"
    assert not agg["complete"].all()
    assert "chưa đủ số liệu" in _text(regions[1])


def test_pp007_choosing_a_region_zooms_and_highlights_it(board):
    period = "202509"
    out = _outputs(board, "RETAIL_SALES", period, "R2", "en")
    members = region_members(parse(period).end)["R2"]
    spec = out["map_data"]
    focused = {k for k, f in zip(spec["keys"], spec["focused"], strict=True) if f}
    assert focused == set(members)
    (x0, x1) = spec["layout"]["xaxis"]["range"]
    assert x1 - x0 < 6  # framed on the Red River Delta, not the country
    rows = bar_rows(out["ranking"])
    assert {r["key"] for r in rows if not r["faded"]} == set(members) & {r["key"] for r in rows}
    assert any(r["faded"] for r in rows)
    crumbs = _text(out["crumbs"])
    assert "Viet Nam" in crumbs and "Red River Delta" in crumbs
    back = _ids(out["crumbs"])[json.dumps(board.ids.region_pick("VN", "crumb"), sort_keys=True)]
    assert back.children == "Viet Nam"
    assert "Red River Delta" in out["ranking_title"]
    selected = [row for row in kids(kids(out["regions"][0])[1]) if "selected" in classes(row)]
    assert len(selected) == 1 and _text(kids(selected[0])[0]) == "Red River Delta"


def test_pp008_controls_follow_the_indicator_and_the_era(board):
    _triggered(board.ids.indicator, "value", "POVERTY_RATE")
    options, period, region_options, region = board.sync_controls("POVERTY_RATE", "202509", "R2", "vi")
    annual = province_periods("POVERTY_RATE")["period"]
    assert [o["value"] for o in options] == list(annual[::-1])
    assert period == annual.iloc[-1]
    era_regions = [o["value"] for o in region_options]
    assert (region == no_update) == ("R2" in era_regions)
    # a month of the old era: its regions, and the new-era region is dropped
    _triggered(board.ids.period, "value", "202409")
    options, period, region_options, region = board.sync_controls("RETAIL_SALES", "202409", "R2", "vi")
    assert options == no_update and period == no_update
    assert [o["value"] for o in region_options][0] == "R1-63"
    assert region is None
    # the same indicator kept: the period stays
    _triggered(board.ids.indicator, "value", "EXPORTS")
    _, period, _, region = board.sync_controls("EXPORTS", "202409", "R2-63", "vi")
    assert period == no_update and region == no_update


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_pp009_region_buttons_and_breadcrumb():
    """The region buttons zoom in the browser (assets/map.js): a table button to its region, the
    breadcrumb's nation to none, and buttons drawn anew (nobody clicked) change nothing."""
    cases = [({"type": "prov-region-pick", "region": "R3", "where": "table"}, [0, 1, 0]),
             ({"type": "prov-region-pick", "region": "VN", "where": "crumb"}, [1, 0]),
             ({"type": "prov-region-pick", "region": "R3", "where": "table"}, [0, 0]),
             (None, [])]
    script = (
        "globalThis.window = {dash_clientside: {no_update: 'NO_UPDATE'}}; require(process.argv[1]);"
        "const cases = JSON.parse(process.argv[2]); const m = window.dash_clientside.occmap;"
        "process.stdout.write(JSON.stringify(cases.map(([id, clicks]) => {"
        "  window.dash_clientside.callback_context = {triggered_id: id}; return m.pickRegion(clicks); })));"
    )
    assert node_json(script, "map.js", cases) == ["R3", None, "NO_UPDATE", "NO_UPDATE"]


def test_pp010_clicks_open_the_profile_with_the_view(board):
    spec = _outputs(board, "RETAIL_SALES", "202409", None, "en")["map_data"]
    assert spec["profile"]["path"] == "/provinces/"
    assert spec["profile"]["query"] == "?indicator=RETAIL_SALES&period=202409&lang=en"
    vi = _outputs(board, "RETAIL_SALES", "202409")["map_data"]
    assert vi["profile"]["query"] == "?indicator=RETAIL_SALES&period=202409"
    # the ranking's names are links to the same profiles, with the same view
    rows = bar_rows(_outputs(board, "RETAIL_SALES", "202409", None, "en")["ranking"])
    assert rows and all(r["href"] == f"/provinces/{r['key']}?indicator=RETAIL_SALES&period=202409&lang=en"
                        for r in rows)


# --- the profile -------------------------------------------------------------------------------------------


def test_pp011_unknown_province_says_so_with_a_way_back(profile):
    for key in ("99", "R2", "VN", None):
        lay = profile.layout(key=key, lang="en")
        assert "Province not found" in _text(lay)
        assert _links(lay)["← Back to Provinces"] == "/provinces?lang=en"


def test_pp012_former_province_links_to_its_successor(profile):
    lay = profile.layout(key="08-63", indicator="RETAIL_SALES", period="202409")
    text = _text(lay)
    assert "Tuyên Quang" in text and "hiệu lực đến 30/06/2025" in text
    assert "Đã sáp nhập vào" in text and "từ 01/07/2025" in text
    links = _links(lay)
    assert links["Tuyên Quang (từ 07/2025)"] == "/provinces/08"
    assert links["Cả nước"] == "/provinces?indicator=RETAIL_SALES&period=202409"  # back to the view it came from
    assert links["Trung du và miền núi phía Bắc"] == "/provinces?indicator=RETAIL_SALES&period=202409&region=R1-63"
    assert profile.ids.comparable in _ids(lay)  # a hidden placeholder: nothing to rebuild


def test_pp013_merged_province_lists_its_former_provinces(profile):
    lay = profile.layout(key="08", indicator="RETAIL_SALES", period="202409", lang="en")
    text = _text(lay)
    assert "Formed from" in text
    links = _links(lay)
    assert links["Ha Giang (before Jul 2025)"] == "/provinces/02-63?lang=en"
    assert links["Tuyen Quang (before Jul 2025)"] == "/provinces/08-63?lang=en"
    assert links["Viet Nam"] == "/provinces?indicator=RETAIL_SALES&lang=en"  # a 2024 period is not of its era
    assert links["Northern Midlands and Mountains"] == "/provinces?indicator=RETAIL_SALES&region=R1&lang=en"
    box = _ids(lay)[profile.ids.comparable]
    assert box.options  # the comparable-series option is offered


def test_pp014_scorecard_matches_cross_sections_and_aggregates(profile):
    key = "01"
    rows = {r["code"]: r for r in profile.scorecard_rows(province_scorecard_rows(key), key, "RETAIL_SALES", "vi")}
    for code in ("RETAIL_SALES", "CPI_YOY", "POVERTY_RATE"):
        row = rows[code]
        sc = province_scorecard(key).set_index("code").loc[code]
        xs = cross_section(code, sc["period"])
        mine = xs[xs["area_key"] == key].iloc[0]
        assert row["value"] == pytest.approx(mine["value"])
        assert row["rank"] == int(mine["rank"]) and row["rank_fmt"] == f"{int(mine['rank'])}/{len(xs)}"
        agg = regional_aggregates(code, sc["period"]).set_index("region_key").loc[mine["region_key"]]
        assert row["region_value"] == pytest.approx(agg["value"])
        assert row["region_value_fmt"].endswith("*") == (not agg["complete"])
        nation = cross_section(code, sc["period"], "nation")["value"].iloc[0]
        assert row["nation_value"] == pytest.approx(nation)
        assert row["href"] == "/indicator/" + code + "?areas=01&area=01"
    assert rows["RETAIL_SALES"]["focus"] and not rows["CPI_YOY"]["focus"]
    assert rows["CPI_YOY"]["change_fmt"].endswith("điểm %")  # a rate changes in points
    assert rows["RETAIL_SALES"]["change_fmt"].endswith("%") and "điểm" not in rows["RETAIL_SALES"]["change_fmt"]


def test_pp014b_scorecard_equals_the_per_indicator_reads(profile):
    """The scorecard's single read gives, for every indicator of a kept, a merged and a former
    province, what the per-indicator functions give: value, rank, counts, region, nation, and
    the last-year value rebuilt from the former provinces."""
    import math

    from data_access.queries import comparable_series

    for key in ("01", "08", "79", "08-63"):
        sc = province_scorecard(key)
        kpis = {k.code: k for k in kpi_snapshot(tuple(sc["code"]), key)}
        rebuilt_seen = 0
        for r in sc.itertuples():
            k = kpis[r.code]
            assert (r.period, r.status, r.last_year_period) == (k.period, k.status, k.last_year_period), (key, r.code)
            if r.period is None:
                continue
            assert r.value == pytest.approx(k.value)
            if not r.last_year_rebuilt:
                assert (r.last_year_value, r.change_last_year, r.pct_last_year) == pytest.approx(
                    tuple(math.nan if v is None else v for v in (k.last_year_value, k.change_last_year,
                                                                 k.pct_last_year)), nan_ok=True), (key, r.code)
            xs = cross_section(r.code, r.period)
            mine = xs[xs["area_key"] == key].iloc[0]
            assert r.value == pytest.approx(mine["value"]) and r.rank == mine["rank"], (key, r.code)
            assert (r.n_provinces, r.n_reported) == (len(xs), int(xs["value"].notna().sum()))
            assert r.region_key == mine["region_key"]
            agg = regional_aggregates(r.code, r.period).set_index("region_key")
            if agg.empty:
                assert math.isnan(r.region_value) and r.region_complete is None
            else:
                assert r.region_value == pytest.approx(agg.loc[r.region_key, "value"], nan_ok=True)
                assert r.region_complete == agg.loc[r.region_key, "complete"]
            nation = cross_section(r.code, r.period, "nation")["value"]
            assert r.nation_value == pytest.approx(nation.iloc[0] if len(nation) else math.nan, nan_ok=True)
            if r.last_year_rebuilt:
                rebuilt_seen += 1
                cs = comparable_series(r.code, (key,), r.last_year_period, r.last_year_period)
                cs = cs[cs["rebuilt"] & cs["comparable"]]
                assert r.last_year_value == pytest.approx(cs["value"].iloc[0])
        assert rebuilt_seen > 0 or key != "08"  # a merged province's last year is rebuilt


def test_pp015_trends_rebuild_a_merged_province_on_request(profile):
    cells, notes = profile.update_trends(True, [], "08", "vi")
    assert "Chuỗi so sánh được" in _text(notes)

    def first_date(cells, name):
        cell = next(c for c in cells if name in _text(c["props"]["children"][0]))
        box = cell["props"]["children"][1]  # the graph, inside its chart box (fast elements)
        fig = go.Figure(box["props"]["children"]["props"]["figure"])
        own = next(tr for tr in fig.data if tr.name == "Tuyên Quang")
        return min(own.x)

    switch = date(2025, 7, 1)
    assert first_date(cells, "Tổng mức bán lẻ") >= switch
    rebuilt, notes = profile.update_trends(True, ["on"], "08", "vi")
    assert first_date(rebuilt, "Tổng mức bán lẻ") < switch
    assert "tính lại" in _text(notes)
    former, notes = profile.update_trends(True, [], "08-63", "en")
    assert "before the merger" in _text(notes)
    kept, _ = profile.update_trends(True, ["on"], "01", "vi")  # nothing to rebuild: the option is ignored
    assert len(kept) == profile.MAX_TRENDS


def test_pp015d_latest_periods_are_the_tiles(profile):
    """The trends' windows end where the tiles' do: each indicator's latest period at a province
    (one statement) is the period of its KPI tile, for a current, a merged and a former province."""
    from data_access.provinces import latest_periods

    codes = profile.headline_codes()
    for key in ("79", "08", "08-63", "VN"):
        assert latest_periods(codes, key) == tuple(k.period for k in kpi_snapshot(codes, key)), key
    assert any(p is not None for p in latest_periods(codes, "08"))  # a merged province has its own


def test_pp015e_trend_windows_are_the_tiles_periods_and_their_series(profile):
    """The trends' one read (``trend_windows_rows``: on PostgreSQL one statement) gives each
    indicator with a value its default span ending at its tile's period, and the points
    ``series_windows_rows`` reads for those windows, for a current, a merged and a former
    province (back-casts left out: a merged province's windows start at its own periods)."""
    from data_access.queries import series_windows_rows
    from data_access.trends import trend_windows_rows

    codes = profile.headline_codes()[:profile.MAX_TRENDS]
    for key in ("79", "08", "08-63", "01"):
        tiles = [k for k in kpi_snapshot(codes, key) if k.period]
        windows, rows = trend_windows_rows(codes, key)
        assert windows == tuple((k.code, default_start(parse(k.period)).key, k.period) for k in tiles), key
        assert windows and rows == series_windows_rows(windows, (key, "VN")), key
        assert {r[1] for r in rows} <= {key, "VN"} and {r[0] for r in rows} == {w[0] for w in windows}


def test_pp015c_trends_are_read_only_once_shown(profile, monkeypatch):
    """The trends' part is below the first screen: the page and a "comparable" choice made before
    it is shown read none of its series (only the notes change); once shown, it is drawn."""
    def no_read(*_a, **_k):
        raise AssertionError("the trends were read before they were shown")

    monkeypatch.setattr(profile, "trend_windows_rows", no_read)
    monkeypatch.setattr(profile, "comparable_series", no_read)
    lay = profile.layout(key="08", lang="vi")
    found = _ids(lay)
    assert found[profile.ids.trends].children is None
    assert "Chuỗi so sánh được" in _text(found[profile.ids.trends_note].children)  # the hint, with the page
    for shown in (None, False):
        cells, notes = profile.update_trends(shown, ["on"], "08", "vi")
        assert cells is no_update and "tính lại" in _text(notes)
    with pytest.raises(AssertionError, match="before they were shown"):
        profile.update_trends(True, ["on"], "08", "vi")
    monkeypatch.undo()
    cells, notes = profile.update_trends(True, ["on"], "08", "vi")
    assert len(cells) == profile.MAX_TRENDS and "tính lại" in _text(notes)
    with pytest.raises(PreventUpdate):  # a store naming no province: nothing to update
        profile.update_trends(None, [], "zz", "vi")


def test_pp015b_trend_lines_are_the_series_of_their_windows(profile):
    """Each small trend draws the province's (and, for indicators that are not sums, the
    nation's) values of its window, as :func:`series` reads them one indicator at a time."""
    from data_access.queries import series, series_windows_rows

    key = "79"
    shown = [k for k in kpi_snapshot(profile.headline_codes(), key)[:profile.MAX_TRENDS] if k.period]
    windows = tuple((k.code, default_start(parse(k.period)).key, k.period) for k in shown)
    points = profile.split_lines(series_windows_rows(windows, (key, "VN")))
    sums = 0
    for code, start, end in windows:
        ind = get_indicator(code)
        lines = dict(profile.trend_lines(ind, key, start, end, False, points))
        expected_keys = {key} if ind.aggregation in ("sum", "last") else {key, "VN"}
        sums += ind.aggregation == "sum"
        assert set(lines) == expected_keys, code
        for area in expected_keys:
            ref = series(code, (area,), start, end)
            assert [p for p, _, _ in lines[area]] == list(ref["period"]), (code, area)
            assert [v for _, _, v in lines[area]] == pytest.approx(list(ref["value"])), (code, area)
    assert 0 < sums < len(windows)  # both kinds are drawn
    cells, _ = profile.update_trends(True, [], key, "vi")
    assert len(cells) == len(windows)
    # the trends read the tiles' snapshot (one read on a page without a focus): its first ones
    assert profile.MAX_TRENDS <= profile.MAX_TILES
    tiles = kpi_snapshot(profile.headline_codes()[:profile.MAX_TILES], key)
    assert [k.code for k in tiles[:profile.MAX_TRENDS] if k.period] == [k.code for k in shown]
    heads = [c["props"]["children"][0]["props"]["children"][0] for c in cells]  # each cell's H3 and its link
    assert [h["props"]["children"]["props"]["children"].strip() for h in heads] == \
        [get_indicator(k.code).name("vi") for k in shown]


def test_pp016_profile_tiles_and_table(profile):
    lay = profile.layout(key="79", indicator="EXPORTS", lang="vi")
    found = _ids(lay)
    tiles = [c for k, c in found.items() if k.startswith('{"code"')]
    assert 6 <= len(tiles) <= profile.MAX_TILES
    assert json.loads(next(iter(k for k in found if k.startswith('{"code"'))))["code"] == "EXPORTS"  # focus first
    table = found[profile.ids.table]  # a plain table drawn by the page (assets/table.js), no grid suite
    # its rows and notes come from their own callback, called by the browser with the page
    assert table["namespace"] == "occ_table" and table["props"]["rows"] is None
    assert found[profile.ids.table_notes].children is None
    rows, notes = profile.update_scorecard("79", "EXPORTS", "vi")
    same_rows, same_notes = profile.scorecard_parts("79", "EXPORTS", "vi")
    assert rows == same_rows and _text(notes) == _text(same_notes)
    initial = [c.get("prevent_initial_call") for c in dash_callbacks() if f"{profile.ids.table}.rows" in c["output"]]
    assert initial and not any(initial)  # called with the page
    assert found[profile.ids.focus].data == "EXPORTS"  # drawn with the page
    table = {**table, "props": {**table["props"], "rows": rows}}
    assert table_problems(table) == []  # every column's text, sort key, link and class in every row
    assert _text(notes) and notes
    # the trends (below the first screen) are not read with the page: their callback gives them
    # once their part is shown
    assert found[profile.ids.trends].children is None and profile.ids.trends_box in found
    trends = profile.update_trends(True, None, "79", "vi")[0]
    assert len(trends) == profile.MAX_TRENDS
    assert [r["code"] for r in rows] == list(province_scorecard("79")["code"])
    assert [r["code"] for r in rows if r["focus"]] == ["EXPORTS"]
    assert [r["code"] for r in rows if r["row_class"] == "pf-focus-row"] == ["EXPORTS"]  # marked
    # ranks in the best quarter are marked good, in the worst quarter bad; changes by the indicator's direction
    for r in rows:
        share = r["rank_share"]
        assert r["rank_class"] == ("" if share is None else "rank-top" if share <= 0.25 else
                                   "rank-bottom" if share > 0.75 else "")
        assert r["change_class"] == {1: "delta-good", -1: "delta-bad", None: ""}[r["change_good"]]
    assert all(r["href"].startswith(f"/indicator/{r['code']}?") for r in rows)  # each name a link
    assert profile.scorecard_parts("99", "EXPORTS", "vi") == ([], [])  # not a province: nothing
    assert area_map()["79"].name_vi in _text(lay)
    assert "Giữ nguyên địa giới" in _text(lay) or "Hợp nhất từ" in _text(lay)


def test_pp017_breadcrumb_of_a_kept_province_returns_to_the_era_it_came_from(profile):
    old = _links(profile.layout(key="01", indicator="RETAIL_SALES", period="202409"))
    assert old["Đồng bằng sông Hồng"] == "/provinces?indicator=RETAIL_SALES&period=202409&region=R2-63"
    new = _links(profile.layout(key="01", indicator="RETAIL_SALES", period="202509"))
    assert new["Đồng bằng sông Hồng"] == "/provinces?indicator=RETAIL_SALES&period=202509&region=R2"
    plain = _links(profile.layout(key="01"))
    assert plain["Đồng bằng sông Hồng"] == "/provinces?region=R2" and plain["Cả nước"] == "/provinces"


def test_pp018_nothing_reported_is_an_explicit_empty_state(board):
    out = dict(zip(["map_data", "ranking", "regions", "crumbs", "map_title", "map_sub", "ranking_title",
                    "ranking_note", "goto_options", "map_alt", "ranking_alt"], board.empty_board("en"), strict=True))
    assert out["map_data"]["message"] == "No data reported for this period"
    assert out["map_sub"] == "No data reported for this period"
    assert _text(out["ranking"]["props"]["tree"]) == "No data reported for this period"
    assert "Viet Nam" in _text(out["crumbs"])


def test_pp019_province_periods_count_the_reports_of_each_period(board):
    """The periods listed for an indicator are those with a provincial report, each with the
    number of provinces that reported and the provinces of its era, as the cross-sections say."""
    periods = province_periods("RETAIL_SALES")
    assert list(periods["period_start"]) == sorted(periods["period_start"]) and len(periods) > 24
    for r in list(periods.itertuples())[:: max(1, len(periods) // 6)] + [list(periods.itertuples())[-1]]:
        xs = cross_section("RETAIL_SALES", r.period)
        assert (r.n_reported, r.n_provinces) == (int(xs["value"].notna().sum()), len(xs)), r.period
        assert parse(r.period).start == r.period_start
    assert {n for n in periods["n_provinces"]} == {63, 34}


def test_pp025_a_daily_series_lists_its_newest_periods_and_the_one_chosen(board, monkeypatch):
    """Ten years of a daily provincial series would fill the period list with 3,650 days: it shows
    the newest :data:`MAX_PERIOD_OPTIONS`, a chosen older day after them; a monthly series, all."""
    from data_access.provinces import PeriodCount

    days = [date(2016, 12, 8) + timedelta(days=i) for i in range(3650)]
    rows = tuple(PeriodCount(d.isoformat(), d, 20 if i == 3649 else 34, 34) for i, d in enumerate(days))
    monkeypatch.setattr(board, "province_period_rows", lambda code: rows)
    listed = board.period_options("BENCH_D01", "vi")
    assert len(listed) == board.MAX_PERIOD_OPTIONS == 400
    assert [o["value"] for o in listed] == [d.isoformat() for d in reversed(days[-400:])]
    assert listed[0]["label"] == "05/12/2026 (20/34)" and listed[1]["label"] == "04/12/2026"
    assert board.period_options("BENCH_D01", "vi", days[-5].isoformat()) == listed
    older = board.period_options("BENCH_D01", "en", days[0].isoformat())
    assert len(older) == 401 and older[-1] == {"label": "08 Dec 2016", "value": "2016-12-08"}
    monkeypatch.undo()
    assert len(board.period_options("RETAIL_SALES", "vi")) == len(province_periods("RETAIL_SALES"))
