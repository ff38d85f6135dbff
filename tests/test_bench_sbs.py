"""Issue 22: the side-by-side command (``python -m bench.sbs``) compares each board callback with
the Superset shape it corresponds to and flags those under the bound (no run here: the figures
are in bench/results)."""

from __future__ import annotations

from bench.sbs import BOUND, ratios, shapes_of


def _peer(series_cold: float, series_warm: float, cross_cold: float, cross_warm: float) -> dict:
    return {"shapes": {"series": {"cold": {"p95_ms": series_cold}, "warm": {"p95_ms": series_warm}},
                       "cross_section": {"cold": {"p95_ms": cross_cold}, "warm": {"p95_ms": cross_warm}}}}


def test_sbs001_each_board_is_compared_with_its_shape():
    assert shapes_of("/indicator/RETAIL_SALES?areas=VN,R1,R2") == ("series",)
    assert shapes_of("/provinces/01") == ("series",)
    assert shapes_of("/provinces?indicator=RETAIL_SALES&period=202406") == ("cross_section",)
    assert shapes_of("/sectors?group=G03") == ("cross_section",)
    assert shapes_of("/daily") == ("series", "cross_section")  # held to the faster of the two


def test_sbs002_ratios_and_the_bound():
    peer = _peer(series_cold=100.0, series_warm=50.0, cross_cold=120.0, cross_warm=40.0)
    ours = {"/indicator/X -> trend": (20.0, 10.0), "/sectors -> board": (30.0, 5.0), "/daily -> brief": (19.0, 8.0)}
    result = ratios({"http": {"single_client": {k: {"uncached_p95_ms": u, "cached_p95_ms": c}
                                                for k, (u, c) in ours.items()}}}, peer)
    rows = result["per_callback"]
    assert rows["/indicator/X -> trend"]["uncached_ratio"] == 5.0 and rows["/indicator/X -> trend"]["met"]
    assert rows["/sectors -> board"]["uncached_ratio"] == 4.0 and not rows["/sectors -> board"]["met"]
    assert rows["/sectors -> board"]["cached_ratio"] == 8.0
    assert rows["/daily -> brief"]["superset_cold_p95_ms"] == 100.0 and rows["/daily -> brief"]["cached_ratio"] == 5.0
    assert result["met"] == 2 and result["callbacks"] == 3 and result["bound"] == BOUND
    assert result["worst_uncached_ratio"] == 4.0
