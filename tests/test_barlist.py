"""The ranking as a list of bars (components/barlist.py): geometry, text, links, and that the
browser's static drawer draws all of it."""

from __future__ import annotations

import pytest

from components.barlist import bar_geometry, bar_list
from components.fast import static_problems, texts


def test_bl001_bars_start_at_zero_and_keep_the_values_proportions():
    bars, zero = bar_geometry([8.0, 4.0, 2.0])
    assert zero is None  # all above zero: from the track's left edge
    assert bars == [(0.0, 100.0), (0.0, 50.0), (0.0, 25.0)]


def test_bl002_values_on_both_sides_of_zero_share_one_axis():
    bars, zero = bar_geometry([3.0, -1.0])
    assert zero == pytest.approx(25.0)  # -1 .. 3: zero a quarter along
    (left_pos, width_pos), (left_neg, width_neg) = bars
    assert left_pos == pytest.approx(25.0) and width_pos == pytest.approx(75.0)
    assert left_neg == pytest.approx(0.0) and width_neg == pytest.approx(25.0)
    bars, zero = bar_geometry([-2.0, -4.0])  # all below zero: they end at the right edge
    assert zero is None
    assert [left + width for left, width in bars] == pytest.approx([100.0, 100.0])
    assert bars[1] == pytest.approx((0.0, 100.0))


def test_bl003_a_list_of_links_in_the_locale_drawn_whole():
    rows = [(1, "01", "Hà Nội", 1234.5), (2, "79", "Hồ Chí Minh", -7.26)]
    tree = bar_list(rows, label="Xếp hạng", unit="tỷ đồng", decimals=1, lang="vi",
                    href=lambda key: f"/provinces/{key}", focus=("79",), name_head="Địa bàn")
    assert static_problems(tree["props"]["tree"]) == []  # nothing the browser's drawer would drop
    words = texts(tree)
    assert words == ["#", "Địa bàn", "tỷ đồng", "1.", "Hà Nội", "1.234,5", "2.", "Hồ Chí Minh", "-7,3"]
    ol = tree["props"]["tree"]["props"]["children"][1]
    assert ol["props"]["aria-label"] == "Xếp hạng"
    first, second = ol["props"]["children"]
    assert first["props"]["children"][1]["props"]["href"] == "/provinces/01"
    assert first["props"]["className"] == "faded" and second["props"]["className"] is None  # outside the focus
    assert "neg" in second["props"]["children"][2]["props"]["children"][1]["props"]["className"]
    plain = bar_list(rows[:1], label="x", unit="%", decimals=0, lang="en")  # no href: names are text
    assert plain["props"]["tree"]["props"]["children"][1]["props"]["children"][0]["props"]["children"][1]["type"] == "Span"
