"""The response writer (web/wire.py): Plotly's bytes for the values Plotly's cleaner
converts, written in one orjson pass."""

import datetime
import decimal
import re
import warnings

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import dcc, html

from components import fast
from tests.utils import page_fixture, walk
from web import wire

ODD = [
    pd.Timestamp("2024-01-01 12:00:00.123456789"), pd.Timestamp("2024-01-01", tz="Asia/Ho_Chi_Minh"), pd.NaT, pd.NA,
    np.datetime64("2024-01-01"), np.array(["2024-01-01"], dtype="datetime64[ns]"), np.array([1, None], dtype=object),
    np.arange(6).reshape(2, 3)[:, ::2], np.array(["a", "b"]), decimal.Decimal("1.10"), float("nan"), float("inf"),
    datetime.date(2024, 1, 2), datetime.datetime(2024, 1, 2, 3, 4, 5, 6), datetime.time(7, 8),
    pd.Series([1.5, np.nan]), pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01"])), pd.DatetimeIndex(["2024-01-02"]),
    pd.Series(["a", None]), pd.Index([1, 2]), np.int64(3), np.bool_(True), np.float32(1.5), (1, 2), {1: "a"},
    np.ma.masked, "\u2028/<>&", "Tỷ lệ thất nghiệp",
    html.Div(["x", html.Span("ý <b>", id={"type": "t", "index": 2})]),
    dcc.Graph(figure=go.Figure(go.Scatter(x=np.array([1, 2, 3]), y=[pd.Timestamp("2024-01-01"), None, 2]))),
    go.Figure(go.Bar(x=pd.Series([1.0, 2.0]), y=["Hà Nội", "Huế"])),
    fast.el("Div", [fast.link("Xem", "/provinces/01"), decimal.Decimal("2.5")], className="k"),
]


@pytest.mark.parametrize("value", ODD, ids=lambda v: type(v).__name__)
def test_wire002_odd_values_written_as_plotly_writes_them(value):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Timestamp.to_pydatetime drops nanoseconds, in both writers
        expected = wire._PLOTLY_TO_JSON({"v": value, "list": [value, [value]]})
        assert wire.to_json({"v": value, "list": [value, [value]]}) == expected


def test_wire003_unwritable_values_fail_in_both():
    class Opaque:
        pass

    for writer in (wire._PLOTLY_TO_JSON, wire.to_json):
        with pytest.raises(TypeError):
            writer({"v": [Opaque()]})


def test_wire004_pretty_and_json_engine_left_to_plotly():
    value = {"a": [1, html.B("ý")]}
    assert wire.to_json(value, pretty=True) == wire._PLOTLY_TO_JSON(value, pretty=True)
    assert wire.to_json(value, engine="json") == wire._PLOTLY_TO_JSON(value, engine="json")


def test_wire005_refuses_to_install_on_versions_it_was_not_verified_against(monkeypatch):
    """The writer reproduces a private Plotly function as Dash calls it: on another Dash or Plotly
    it says so instead of installing; on the verified ones it installs."""
    import plotly.io.json as plotly_json

    wire.check_versions(dict(wire.VERIFIED))
    for name in wire.VERIFIED:
        with pytest.raises(wire.UnverifiedVersions, match=name):
            wire.check_versions({**wire.VERIFIED, name: "0.0.1"})
    monkeypatch.setattr(plotly_json, "to_json_plotly", wire._PLOTLY_TO_JSON)
    monkeypatch.setattr(wire, "_INSTALLED", {**wire.VERIFIED, "plotly": "99.0"})
    with pytest.raises(wire.UnverifiedVersions, match=re.escape(f"plotly 99.0 (verified: {wire.VERIFIED['plotly']})")):
        wire.install()
    assert plotly_json.to_json_plotly is wire._PLOTLY_TO_JSON  # not installed
    monkeypatch.setattr(wire, "_INSTALLED", dict(wire.VERIFIED))
    wire.install()
    assert plotly_json.to_json_plotly is wire.to_json


indicator_page = page_fixture("indicator_page", "dashboards.indicator")
province_page = page_fixture("province_page", "dashboards.province")
sectors_page = page_fixture("sectors_page", "dashboards.sectors")


def test_wire006_components_are_read_as_dash_reads_them(indicator_page, province_page, sectors_page):
    """Every component of three whole pages (and the AIO export bar, a subclass) is written from its
    attributes exactly as its own ``to_plotly_json`` gives it."""
    from exports.menu import TakePageAIO

    layouts = [indicator_page.layout(code="RETAIL_SALES", areas="VN,R1,79", lang="en"),
               province_page.layout(key="79"), sectors_page.layout(), TakePageAIO("x", "vi"),
               html.Div(id="d", **{"data-x": "1", "aria-label": "y"}, hidden=True)]
    components = [c for lay in layouts for c in walk(lay)]
    assert len({type(c) for c in components}) >= 8
    for c in components:
        assert wire._component_json(c) == c.to_plotly_json(), type(c).__name__
        assert list(wire._component_json(c)["props"]) == list(c.to_plotly_json()["props"])  # the same order
