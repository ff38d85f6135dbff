"""The line chart the page draws (assets/linechart.js), run by node: numbers in the locale's
separators, round steps on the y axis, and what a hover box reads from the figure's template."""

from __future__ import annotations

import shutil

import pytest

from components.indicator_charts import series_figure
from i18n import plotly_separators
from tests.utils import node_json

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

SCRIPT = (
    "globalThis.window = {React: {}}; require(process.argv[1]); const c = window.occ_chart;"
    "const d = JSON.parse(process.argv[2]);"
    "process.stdout.write(JSON.stringify({"
    "  numbers: d.numbers.map(([v, n, sep, trim]) => c.number(v, n, sep, trim)),"
    "  ticks: d.ticks.map(([lo, hi, n]) => c.niceTicks(lo, hi, n)),"
    "  hover: d.templates.map(c.hoverParts)}));"
)


def test_lc001_numbers_ticks_and_hover_texts():
    vi, en = plotly_separators("vi"), plotly_separators("en")
    import pandas as pd

    frame = pd.DataFrame({"area_key": ["VN", "VN"], "period": ["202501", "202502"],
                          "period_start": [pd.Timestamp("2025-01-01").date(), pd.Timestamp("2025-02-01").date()],
                          "value": [1234.5, 1300.25], "status": ["F", "P"]})
    fig = series_figure(frame, "value", names={"VN": "Cả nước"}, unit="tỷ đồng", decimals=1, lang="vi")
    got = node_json(SCRIPT, "linechart.js", {
        "numbers": [[1234567.891, 1, vi, False], [1234567.891, 1, en, False], [-0.04, 1, vi, False],
                    [2.5, 2, vi, True], [3.0, 2, vi, True], [-1500, 0, vi, False]],
        "ticks": [[0.3, 9.7, 5], [-2.2, 3.1, 5], [2.38, 4.17, 5], [5, 5, 4]],
        "templates": [fig["data"][0]["hovertemplate"], "%{customdata}<extra></extra>"]})
    assert got["numbers"] == ["1.234.567,9", "1,234,567.9", "0,0", "2,5", "3", "−1.500"]
    assert got["ticks"][0] == [2, 4, 6, 8] and got["ticks"][1] == [-2, 0, 2]
    assert got["ticks"][2] == [2.5, 3, 3.5, 4]
    assert len(got["ticks"][3]) >= 2  # a flat line still gets an axis around its value
    assert got["hover"][0] == {"decimals": 1, "unit": "tỷ đồng", "valued": True}
    assert got["hover"][1]["valued"] is False  # a target's label: shown as it is
