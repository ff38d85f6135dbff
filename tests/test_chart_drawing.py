"""What the boards' charts ask of the browser (issue 21): Plotly measures every tick label's box
after drawing it, one forced layout each, to hide the labels past the chart ("hide past div", its
default on a linear or date axis) and to choose their angle ("auto"). The product's figures ask
for neither, except where category names may need turning; every figure stays valid Plotly."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from components.charts import BLANK_FIGURE, bar_figure, label_margin, layout_dict, lines_figure, ranking_figure
from components.indicator_charts import series_figure

LINES = [("VN", [("202601", date(2026, 1, 1), 3.1), ("202602", date(2026, 2, 1), 3.3)]),
         ("R2", [("202601", date(2026, 1, 1), 2.9), ("202602", date(2026, 2, 1), 3.0)])]


def _axes(fig: dict) -> dict[str, dict]:
    return {k: v for k, v in fig["layout"].items() if k.startswith(("xaxis", "yaxis"))}


def _figures() -> dict[str, dict]:
    xs = pd.DataFrame({"area_key": ["01", "46"], "rank": [1, 2], "area_name": ["Hà Nội", "Huế"], "value": [7.2, 6.1]})
    df = pd.DataFrame({"area_key": ["VN", "VN"], "period": ["202601", "202602"],
                       "period_start": [pd.Timestamp(2026, 1, 1), pd.Timestamp(2026, 2, 1)],
                       "value": [3.1, 3.3], "status": ["F", "P"]})
    return {
        "lines": lines_figure(LINES, names={"VN": "Cả nước", "R2": "Vùng 2"}, unit="%", decimals=1),
        "lines (wall)": lines_figure(LINES, names={}, unit="%", decimals=1, dark=True, lang="en"),
        "ranking": ranking_figure(xs, name_col="area_name", unit="%", decimals=1),
        "series": series_figure(df, "value", names={"VN": "Cả nước"}, unit="%", decimals=2, lang="vi"),
    }


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_drw001_the_common_layout_asks_for_no_label_measuring(lang):
    for dark in (False, True):
        layout = layout_dict(lang, dark=dark)
        for axis in ("xaxis", "yaxis"):
            assert layout[axis]["ticklabeloverflow"] == "allow" and layout[axis]["tickangle"] == 0


def test_drw002_every_board_figure_keeps_it_and_stays_valid_plotly():
    for name, fig in _figures().items():
        axes = _axes(fig)
        assert {"xaxis", "yaxis"} <= set(axes), name
        for key, axis in axes.items():
            assert axis.get("ticklabeloverflow") == "allow", (name, key)
            assert axis.get("tickangle") == 0, (name, key)
        go.Figure(fig)  # raises on a property Plotly does not know


def test_drw003_category_bars_may_still_turn_their_names():
    fig = bar_figure(["Đồng bằng sông Hồng", "Đông Nam Bộ"], [3.1, 2.9], unit="%", decimals=1)
    assert "tickangle" not in fig["layout"]["xaxis"]  # Plotly's default: "auto"
    assert fig["layout"]["yaxis"]["tickangle"] == 0
    go.Figure(fig)


def test_drw004_a_ranking_leaves_room_for_its_names_without_automargin():
    """Plotly's automargin measures every name in the browser and draws the chart twice: the
    ranking's left margin is the longest name's estimate instead, whatever the caller merges in."""
    names = ["Hà Nội", "Thành phố Hồ Chí Minh", "Huế"]
    xs = pd.DataFrame({"area_key": ["01", "79", "46"], "rank": [1, 2, 3], "area_name": names, "value": [7.2, 6.1, 5.0]})
    fig = ranking_figure(xs, name_col="area_name", unit="%", decimals=1, numbered=True,
                         layout={"margin": {"r": 64, "t": 4, "b": 36}})
    assert not fig["layout"]["yaxis"].get("automargin")
    longest = "2. Thành phố Hồ Chí Minh"
    assert fig["layout"]["margin"]["l"] == label_margin([longest], 13) > 13 * 0.5 * len(longest)
    assert fig["layout"]["margin"]["r"] == 64
    go.Figure(fig)


def test_drw005_graphs_waiting_for_their_callback_draw_no_axes():
    assert BLANK_FIGURE["data"] == [] and not BLANK_FIGURE["layout"]["xaxis"]["visible"]
    assert not BLANK_FIGURE["layout"]["yaxis"]["visible"]
    go.Figure(BLANK_FIGURE)


def test_drw006_series_split_by_area_as_pandas_groups_them():
    """Issue 22: the series charts split their frame by area without pandas' groupby (30 µs an
    operation); the split is the groupby's: areas in the order they first appear (interleaved
    rows too), each area's rows in the frame's order, missing values and statuses kept as they are;
    the trend drawn from it marks exactly the provisional points."""
    from components.charts import by_area, lines_of

    nan = float("nan")
    df = pd.DataFrame({
        "area_key": ["R2", "VN", "R2", "VN", "01", "R2"],
        "period": ["202401", "202401", "202402", "202402", "202401", "202403"],
        "period_start": [date(2024, 1, 1), date(2024, 1, 1), date(2024, 2, 1), date(2024, 2, 1), date(2024, 1, 1),
                         date(2024, 3, 1)],
        "value": [1.5, 10.0, nan, 11.0, 0.25, 2.0],
        "status": ["P", None, "O", "P", nan, "R"],
    })
    got = by_area(df, ("period", "period_start", "value", "status"))
    expected = [(key, {c: grp[c].tolist() for c in ("period", "period_start", "value", "status")})
                for key, grp in df.groupby("area_key", sort=False)]
    assert [k for k, _ in got] == ["R2", "VN", "01"] == [k for k, _ in expected]
    for (_, mine), (_, theirs) in zip(got, expected, strict=True):
        assert mine.keys() == theirs.keys()
        for column in mine:
            assert [repr(v) for v in mine[column]] == [repr(v) for v in theirs[column]], column
    assert [(k, [p for p, *_ in pts]) for k, pts in lines_of(df)] == [
        ("R2", ["202401", "202402", "202403"]), ("VN", ["202401", "202402"]), ("01", ["202401"])]
    fig = series_figure(df, "value", names={}, unit="%", decimals=1, lang="vi")
    traces = {t["meta"]["area_key"]: t for t in fig["data"]}
    assert traces["R2"]["marker"]["symbol"] == ["circle-open", "circle", "circle"]
    assert traces["R2"]["y"] == [1.5, None, 2.0] and traces["R2"]["x"] == [date(2024, 1, 1), date(2024, 2, 1),
                                                                          date(2024, 3, 1)]
    assert traces["VN"]["marker"]["symbol"] == ["circle", "circle-open"]
    assert traces["01"]["marker"]["symbol"] == ["circle"]
