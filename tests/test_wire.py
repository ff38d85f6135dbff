"""The response writer (components/wire.py): Plotly's bytes for the values Plotly's cleaner
converts, written in one orjson pass."""

import datetime
import decimal
import warnings

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import dcc, html

from components import fast, wire

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
