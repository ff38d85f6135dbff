"""The wall's boards as built for the screen (the browser tests show them on a wall)."""

from __future__ import annotations

import json
import re

import plotly.graph_objects as go
from dash import dcc

from components import wallboards as wb
from data_access.catalogue import get_indicator
from data_access.queries import kpi_snapshot, series
from tests.utils import walk


def test_wal001_sector_board_small_charts_show_the_last_periods(seeded_app):
    codes = ("CPI_YOY", "EXPORTS", "RETAIL_SALES")
    with seeded_app.test_request_context("/"):
        kpis = {k.code: k for k in kpi_snapshot(codes, "VN")}
        charts = [(get_indicator(c), series(c, ("VN",)).tail(24), kpis[c]) for c in codes]
        charts.append((get_indicator("GDP_GROWTH"), series("GDP_GROWTH", ("VN",)).head(0), None))  # nothing to draw
        board = wb.sector_board("Kinh tế vĩ mô", charts, "vi")
        english = wb.sector_board("Macroeconomy", charts[:1], "en")
    graphs = [c for c in walk(board) if isinstance(c, dcc.Graph)]
    assert len(graphs) == 4
    for graph, (_, df, _) in zip(graphs[:3], charts, strict=False):
        fig = go.Figure(graph.figure)  # a valid figure
        assert len(df) == 24
        assert list(fig.data[0].y) == [float(v) for v in df["value"]]
        assert [str(x)[:10] for x in fig.data[0].x] == [d.isoformat() for d in df["period_start"]]
        assert fig.layout.height == 220 and fig.layout.font.size == 20 and fig.layout.showlegend is False
        assert fig.layout.xaxis.tickformat == "%m/%Y" and fig.layout.font.color == "#e8edf3"  # dark: the wall
    empty = go.Figure(graphs[3].figure)
    assert not empty.data and empty.layout.annotations[0].text == "Chưa có số liệu báo cáo cho kỳ này"
    (graph,) = [c for c in walk(english) if isinstance(c, dcc.Graph)]
    assert go.Figure(graph.figure).layout.xaxis.tickformat == "%b %Y"


def test_wal002_provinces_board_map_is_the_choropleth(seeded_app):
    """The wall's map travels as its spec (no polygons: the browser adds the era's geometry from a
    fingerprinted address it caches); drawn, it is the server-built choropleth, dark and 800 px tall."""
    from components.mapfig import choropleth_figure, figure_dict
    from data_access.queries import cross_section
    from domain.eras import era_of
    from domain.periods import parse
    from views import wall as view

    with seeded_app.test_request_context("/"):
        code = view.wall_province_indicator()
        ind = get_indicator(code)
        period = kpi_snapshot((code,), "VN")[0].period
        xs = cross_section(code, period, "province")
        sent = view.wall_map_spec(xs, period, ind, "vi")
        built = choropleth_figure(xs, era_of(parse(period).end), lang="vi", unit=ind.unit("vi"),
                                  decimals=ind.decimals, dark=True)
    era = era_of(parse(period).end)
    assert "coordinates" not in json.dumps(sent) and len(json.dumps(sent)) < 30_000
    assert re.fullmatch(rf"/assets/geo/provinces_{era}\.geojson\?m=[0-9.]+", sent["geo_url"])
    drawn = figure_dict(sent)
    assert go.Figure(drawn).to_plotly_json() == go.Figure(built).update_layout(height=800).to_plotly_json()
    assert len(drawn["data"]) >= 34  # a trace per province of the era, and the legend


